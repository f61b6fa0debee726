#include "floe/ingest/telemetry_verifier.h"

#include <fmt/format.h>

#include <chrono>

#include "floe/base/murmur2.h"
#include "floe/ingest/rdkafka_client.h"
#include "floe/ingest/telemetry_json.h"

namespace floe::ingest {

void StreamDigest::Add(int32_t sensor, int32_t partition, std::string_view value) {
  if (sensor < 0 || static_cast<size_t>(sensor) >= sensors_.size()) return;
  Sensor& s = sensors_[static_cast<size_t>(sensor)];
  for (unsigned char c : value) {
    s.hash = (s.hash ^ c) * 1099511628211ULL;
  }
  s.hash = (s.hash ^ 0xFF) * 1099511628211ULL;  // record separator: "ab","c" differs from "a","bc"
  if (s.count == 0) {
    s.partition = partition;
  } else if (s.partition != partition) {
    s.mixed_partitions = true;
  }
  ++s.count;
  ++total_;
}

namespace {

Result<RdKafkaHandle> NewConsumer(const VerifyOptions& options) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  ClientProperties props = {{"bootstrap.servers", options.bootstrap},
                            {"group.id", "floe-produce-verify"},  // assign() needs one; never joined
                            {"enable.auto.commit", "false"},
                            {"enable.partition.eof", "true"},
                            {"auto.offset.reset", "error"}};
  props.insert(props.end(), options.client_properties.begin(), options.client_properties.end());
  // Producer properties given with -X only draw a warning from a consumer.
  Status s = SetClientProperties(conf, props);
  if (!s.ok()) {
    rd_kafka_conf_destroy(conf);
    return s;
  }
  return NewRdKafka(RD_KAFKA_CONSUMER, conf);
}

Result<int32_t> PartitionCount(rd_kafka_t* rk, const std::string& topic, int64_t timeout_ms, bool* exists) {
  const struct rd_kafka_metadata* md = nullptr;
  rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 1, nullptr, &md, static_cast<int>(timeout_ms));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status::Unavailable(fmt::format("metadata for topic {}: {}", topic, rd_kafka_err2str(err)));
  }
  int32_t count = 0;
  *exists = false;
  for (int i = 0; i < md->topic_cnt; ++i) {
    if (topic == md->topics[i].topic && md->topics[i].err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      *exists = true;
      count = md->topics[i].partition_cnt;
    }
  }
  rd_kafka_metadata_destroy(md);
  return count;
}

// The log end offset of every partition, through an existing client.
Result<PartitionOffsets> EndOffsets(rd_kafka_t* rk, const VerifyOptions& options) {
  bool exists = false;
  FLOE_ASSIGN_OR_RETURN(int32_t partitions, PartitionCount(rk, options.topic, options.timeout_ms, &exists));
  PartitionOffsets offsets;
  for (int32_t p = 0; p < partitions; ++p) {
    int64_t low = 0, high = 0;
    rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(rk, options.topic.c_str(), p, &low, &high,
                                                               static_cast<int>(options.timeout_ms));
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return Status::Unavailable(fmt::format("end offset of {}-{}: {}", options.topic, p, rd_kafka_err2str(err)));
    }
    offsets[p] = high;
  }
  return offsets;
}

}  // namespace

Result<PartitionOffsets> ReadEndOffsets(const VerifyOptions& options) {
  FLOE_ASSIGN_OR_RETURN(RdKafkaHandle rk, NewConsumer(options));
  return EndOffsets(rk.get(), options);
}

Status VerifyTopic(const VerifyOptions& options, const PartitionOffsets& start, const StreamDigest& expected) {
  FLOE_ASSIGN_OR_RETURN(RdKafkaHandle rk, NewConsumer(options));
  FLOE_ASSIGN_OR_RETURN(PartitionOffsets end, EndOffsets(rk.get(), options));
  const int32_t partitions = static_cast<int32_t>(end.size());
  const int32_t sensors = static_cast<int32_t>(expected.sensors().size());
  StreamDigest found(sensors);
  std::vector<std::string> problems;
  auto problem = [&](std::string p) {
    if (problems.size() < 10) problems.push_back(std::move(p));
  };

  rd_kafka_topic_partition_list_t* assignment = rd_kafka_topic_partition_list_new(partitions);
  int64_t to_read = 0;
  int remaining = 0;
  std::map<int32_t, bool> done;  // partition -> read up to its end offset
  for (const auto& [p, high] : end) {
    auto it = start.find(p);
    const int64_t from = it == start.end() ? 0 : it->second;
    if (from >= high) continue;
    rd_kafka_topic_partition_list_add(assignment, options.topic.c_str(), p)->offset = from;
    to_read += high - from;
    ++remaining;
    done[p] = false;
  }
  rd_kafka_resp_err_t err = rd_kafka_assign(rk.get(), assignment);
  rd_kafka_topic_partition_list_destroy(assignment);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status::Unavailable(fmt::format("verify: cannot read {}: {}", options.topic, rd_kafka_err2str(err)));
  }
  char id[kMaxSensorIdBytes];
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(options.timeout_ms);
  int64_t read = 0;
  while (remaining > 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      return Status::Unavailable(fmt::format("verify: read {} of {} records of {} within {} ms", read, to_read,
                                             options.topic, options.timeout_ms));
    }
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk.get(), 100);
    if (m == nullptr) continue;
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      // End of what exists now; the end offsets were read before, so every record in range has been seen once
      // the partition reaches its end offset.
      if (m->offset >= end[m->partition] && !done[m->partition]) {
        done[m->partition] = true;
        --remaining;
      }
      rd_kafka_message_destroy(m);
      continue;
    }
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      Status s = Status::Unavailable(
          fmt::format("verify: reading {}-{}: {}", options.topic, m->partition, rd_kafka_message_errstr(m)));
      rd_kafka_message_destroy(m);
      return s;
    }
    const int64_t high = end[m->partition];
    if (m->offset < high) {
      ++read;
      std::string_view key(static_cast<const char*>(m->key), m->key_len);
      std::string_view value(static_cast<const char*>(m->payload), m->len);
      auto event = ParseEventJson(value);
      if (!event.ok()) {
        problem(fmt::format("{}-{} offset {}: not a telemetry event: {}", options.topic, m->partition, m->offset,
                            event.status().message()));
      } else if (event->sensor >= sensors || key != std::string_view(id, FormatSensorId(event->sensor, id))) {
        problem(fmt::format("{}-{} offset {}: key '{}' is not the event's sensor", options.topic, m->partition,
                            m->offset, key));
      } else {
        found.Add(event->sensor, m->partition, value);
        const int32_t want = PartitionForKey(key, partitions);
        if (m->partition != want) {
          problem(fmt::format("{}-{} offset {}: key {} belongs in partition {} (murmur2)", options.topic, m->partition,
                              m->offset, key, want));
        }
      }
      if (m->offset + 1 >= high && !done[m->partition]) {
        done[m->partition] = true;
        --remaining;
      }
    }
    rd_kafka_message_destroy(m);
  }
  for (int32_t s = 0; s < sensors; ++s) {
    const auto& want = expected.sensors()[static_cast<size_t>(s)];
    const auto& got = found.sensors()[static_cast<size_t>(s)];
    std::string_view sensor(id, FormatSensorId(s, id));
    if (got.count != want.count) {
      problem(fmt::format("sensor {}: {} events acknowledged, {} in the topic", sensor, want.count, got.count));
    } else if (got.hash != want.hash) {
      problem(fmt::format("sensor {}: the topic holds its {} events in another order or with other content", sensor,
                          got.count));
    }
    if (got.mixed_partitions) problem(fmt::format("sensor {}: events in more than one partition", sensor));
  }
  if (found.total() != expected.total() && problems.empty()) {
    problem(fmt::format("{} events acknowledged, {} telemetry records in the topic", expected.total(), found.total()));
  }
  if (problems.empty()) return Status::Ok();
  std::string message = fmt::format("verify: topic {} does not hold exactly what was acknowledged:", options.topic);
  for (const auto& p : problems) message += "\n  " + p;
  return Status::Corruption(message);
}

}  // namespace floe::ingest
