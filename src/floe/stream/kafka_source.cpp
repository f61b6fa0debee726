#include "floe/stream/kafka_source.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <thread>
#include <utility>

#include "floe/base/logging.h"

namespace floe::stream {
namespace {

constexpr const char* kDefaultGroupId = "floe-stream-source";

struct PartitionListDeleter {
  void operator()(rd_kafka_topic_partition_list_t* list) const { rd_kafka_topic_partition_list_destroy(list); }
};
using PartitionList = std::unique_ptr<rd_kafka_topic_partition_list_t, PartitionListDeleter>;

PartitionList NewList(int size) {
  return PartitionList(rd_kafka_topic_partition_list_new(std::max(size, 1)));
}

bool IsUnknownTopic(rd_kafka_resp_err_t err) {
  return err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART || err == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC ||
         err == RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION;
}

// Errors a request may hit while a cluster settles (a new group's coordinator loading, a new topic's leader being
// elected); librdkafka does not retry them for the calls below.
bool IsTransient(rd_kafka_resp_err_t err) {
  switch (err) {
    case RD_KAFKA_RESP_ERR_NOT_COORDINATOR:
    case RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS:
    case RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION:
    case RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
    case RD_KAFKA_RESP_ERR__TRANSPORT: return true;
    default: return false;
  }
}

// Calls `request` (which returns an error code) until it succeeds, fails for good, or `timeout_ms` runs out.
template <typename F>
rd_kafka_resp_err_t WithRetries(int64_t timeout_ms, F&& request) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    const rd_kafka_resp_err_t err = request();
    if (!IsTransient(err) || std::chrono::steady_clock::now() + std::chrono::milliseconds(100) >= deadline) return err;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

std::optional<std::string_view> View(const void* data, size_t size) {
  if (data == nullptr) return std::nullopt;
  return std::string_view(static_cast<const char*>(data), size);
}

}  // namespace

Result<std::unique_ptr<KafkaSource>> KafkaSource::Open(KafkaSourceOptions options) {
  bool has_group = false;
  for (const auto& [key, value] : options.properties) {
    if (key == "group.id") has_group = !value.empty();
  }
  ingest::ClientProperties props = {
      {"bootstrap.servers", options.bootstrap},
      {"group.id", kDefaultGroupId},
      {"auto.offset.reset", "earliest"},
      {"enable.partition.eof", "false"},
      {"isolation.level", "read_uncommitted"},
      {"client.id", "floe-stream-source"},
      // librdkafka stops fetching a partition while its local queue holds more than queued.min.messages (default
      // 100,000) and then backs off for up to a second before it fetches again (fetch.queue.backoff.ms in newer
      // releases): a job that drains the queue in bursts then reads at a fraction of the broker's speed (2 M events
      // took 12 s, 2.4 s with this, on a floe broker with Debian's librdkafka 2.0.2). The bytes stay bounded by
      // queued.max.messages.kbytes (64 MiB by default).
      {"queued.min.messages", "1000000"},
  };
  for (const auto& [key, value] : options.properties) {
    // An empty group.id would leave librdkafka without a group, and assign needs one: keep the default then.
    if (key == "group.id" && value.empty()) continue;
    props.emplace_back(key, value);
  }
  props.emplace_back("enable.auto.commit", "false");
  props.emplace_back("enable.auto.offset.store", "false");

  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  Status st = ingest::SetClientProperties(conf, props);
  if (!st.ok()) {
    rd_kafka_conf_destroy(conf);
    return st.WithContext(fmt::format("Kafka source for topic {} at {}", options.topic, options.bootstrap));
  }
  Result<ingest::RdKafkaHandle> rk = ingest::NewRdKafka(RD_KAFKA_CONSUMER, conf);
  if (!rk.ok()) {
    return rk.status().WithContext(fmt::format("Kafka source for topic {} at {}", options.topic, options.bootstrap));
  }
  std::unique_ptr<KafkaSource> source(new KafkaSource(std::move(options), std::move(*rk), has_group));
  source->topic_ = rd_kafka_topic_new(source->rk_.get(), source->options_.topic.c_str(), nullptr);
  if (source->topic_ == nullptr) {
    return source->Error("creating the topic handle", rd_kafka_last_error());
  }
  source->queue_ = rd_kafka_queue_get_consumer(source->rk_.get());
  if (source->queue_ == nullptr) {
    return Status::Internal(fmt::format("Kafka source for topic {} at {}: librdkafka has no consumer queue",
                                        source->options_.topic, source->options_.bootstrap));
  }
  return source;
}

KafkaSource::KafkaSource(KafkaSourceOptions options, ingest::RdKafkaHandle rk, bool has_group)
    : options_(std::move(options)), rk_(std::move(rk)), has_group_(has_group) {}

KafkaSource::~KafkaSource() {
  if (queue_ != nullptr) rd_kafka_queue_destroy(queue_);
  if (topic_ != nullptr) rd_kafka_topic_destroy(topic_);
  // Never joined a group, so closing only stops the fetchers; the handle is destroyed by rk_.
  rd_kafka_consumer_close(rk_.get());
}

Status KafkaSource::Error(std::string_view what, rd_kafka_resp_err_t err) const {
  std::string message = fmt::format("Kafka source for topic {} at {}: {}: {} ({})", options_.topic, options_.bootstrap,
                                    what, rd_kafka_err2str(err), rd_kafka_err2name(err));
  if (IsUnknownTopic(err)) return Status::NotFound(std::move(message));
  if (err == RD_KAFKA_RESP_ERR__INVALID_ARG) return Status::InvalidArgument(std::move(message));
  return Status::Unavailable(std::move(message));
}

Result<int32_t> KafkaSource::PartitionCount() {
  const rd_kafka_metadata_t* md = nullptr;
  const rd_kafka_resp_err_t err =
      rd_kafka_metadata(rk_.get(), 0, topic_, &md, static_cast<int>(options_.request_timeout_ms));
  if (IsUnknownTopic(err)) return 0;
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return Error("metadata request", err);
  Result<int32_t> count = 0;
  for (int i = 0; i < md->topic_cnt; ++i) {
    const rd_kafka_metadata_topic_t& t = md->topics[i];
    if (options_.topic != t.topic) continue;
    if (IsUnknownTopic(t.err) || t.err == RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE) {
      count = 0;  // missing, or still being created: the caller asks again
    } else if (t.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      count = Error("metadata of the topic", t.err);
    } else {
      count = t.partition_cnt;
    }
  }
  rd_kafka_metadata_destroy(md);
  return count;
}

Status KafkaSource::Watermarks(int32_t partition, int64_t* low, int64_t* high) {
  const rd_kafka_resp_err_t err = WithRetries(options_.request_timeout_ms, [&] {
    return rd_kafka_query_watermark_offsets(rk_.get(), options_.topic.c_str(), partition, low, high,
                                            static_cast<int>(options_.request_timeout_ms));
  });
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return Error(fmt::format("offsets of partition {}", partition), err);
  return Status::Ok();
}

Result<std::map<int32_t, int64_t>> KafkaSource::EndOffsets() {
  FLOE_ASSIGN_OR_RETURN(int32_t count, PartitionCount());
  std::map<int32_t, int64_t> ends;
  for (int32_t p = 0; p < count; ++p) {
    int64_t low = 0;
    int64_t high = 0;
    FLOE_RETURN_IF_ERROR(Watermarks(p, &low, &high));
    ends[p] = high;
  }
  return ends;
}

Result<std::map<int32_t, int64_t>> KafkaSource::RecentEndOffsets() {
  // The high watermarks the last fetch responses carried (rd_kafka_get_watermark_offsets: no request). EndOffsets
  // asks the broker, which blocked the job's thread once a second behind the consumer's pending long-poll fetch, for
  // up to fetch.wait.max.ms. A partition not fetched yet has no cached end and is left out.
  std::map<int32_t, int64_t> ends;
  for (int32_t p : assigned_) {
    int64_t low = -1;
    int64_t high = -1;
    if (rd_kafka_get_watermark_offsets(rk_.get(), options_.topic.c_str(), p, &low, &high) ==
            RD_KAFKA_RESP_ERR_NO_ERROR &&
        high >= 0) {
      ends[p] = high;
    }
  }
  return ends;
}

Result<int64_t> KafkaSource::StartOffset(int32_t partition, StartupMode mode, int64_t timestamp_ms) {
  int64_t low = 0;
  int64_t high = 0;
  switch (mode) {
    case StartupMode::kEarliest: FLOE_RETURN_IF_ERROR(Watermarks(partition, &low, &high)); return low;
    case StartupMode::kLatest: FLOE_RETURN_IF_ERROR(Watermarks(partition, &low, &high)); return high;
    case StartupMode::kTimestamp: {
      PartitionList list = NewList(1);
      rd_kafka_topic_partition_list_add(list.get(), options_.topic.c_str(), partition)->offset = timestamp_ms;
      const std::string what = fmt::format("offset for timestamp {} in partition {}", timestamp_ms, partition);
      const rd_kafka_resp_err_t err = WithRetries(options_.request_timeout_ms, [&] {
        list->elems[0].offset = timestamp_ms;  // the call overwrote it
        rd_kafka_resp_err_t e =
            rd_kafka_offsets_for_times(rk_.get(), list.get(), static_cast<int>(options_.request_timeout_ms));
        return e != RD_KAFKA_RESP_ERR_NO_ERROR ? e : list->elems[0].err;
      });
      if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return Error(what, err);
      const int64_t offset = list->elems[0].offset;
      if (offset >= 0) return offset;
      FLOE_RETURN_IF_ERROR(Watermarks(partition, &low, &high));  // no record that late: start at the end
      return high;
    }
    case StartupMode::kGroupOffsets: {
      if (!has_group_) {
        return Status::InvalidArgument(fmt::format(
            "Kafka source for topic {} at {}: scan.startup.mode 'group-offsets' needs 'properties.group.id'",
            options_.topic, options_.bootstrap));
      }
      PartitionList list = NewList(1);
      rd_kafka_topic_partition_list_add(list.get(), options_.topic.c_str(), partition);
      const std::string what = fmt::format("committed offset of partition {}", partition);
      const rd_kafka_resp_err_t err = WithRetries(options_.request_timeout_ms, [&] {
        rd_kafka_resp_err_t e =
            rd_kafka_committed(rk_.get(), list.get(), static_cast<int>(options_.request_timeout_ms));
        return e != RD_KAFKA_RESP_ERR_NO_ERROR ? e : list->elems[0].err;
      });
      if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return Error(what, err);
      const int64_t offset = list->elems[0].offset;
      if (offset >= 0) return offset;
      FLOE_RETURN_IF_ERROR(Watermarks(partition, &low, &high));  // nothing committed: the reset strategy, earliest
      return low;
    }
  }
  return Status::InvalidArgument(
      fmt::format("Kafka source for topic {}: unknown startup mode {}", options_.topic, static_cast<int>(mode)));
}

Status KafkaSource::Assign(const std::map<int32_t, int64_t>& next_offsets) {
  PartitionList list = NewList(static_cast<int>(next_offsets.size()));
  for (const auto& [partition, offset] : next_offsets) {
    if (offset < 0) {
      return Status::InvalidArgument(fmt::format("Kafka source for topic {} at {}: partition {}: offset {} is negative",
                                                 options_.topic, options_.bootstrap, partition, offset));
    }
    rd_kafka_topic_partition_list_add(list.get(), options_.topic.c_str(), partition)->offset = offset;
  }
  assigned_.clear();
  for (const auto& [partition, offset] : next_offsets) assigned_.push_back(partition);
  const rd_kafka_resp_err_t err = rd_kafka_assign(rk_.get(), next_offsets.empty() ? nullptr : list.get());
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return Error("assigning partitions", err);
  return Status::Ok();
}

Result<size_t> KafkaSource::Poll(int max_wait_ms, size_t max_records,
                                 const std::function<void(const SourceRecord&)>& on_record) {
  // Serves the main queue (errors, logs, statistics) so its events do not pile up.
  rd_kafka_poll(rk_.get(), 0);
  if (max_records == 0) return size_t{0};
  if (batch_.size() < max_records) batch_.resize(max_records);
  // rd_kafka_consume_batch_queue waits for a full batch or the whole timeout; wait for the first message only, then
  // take what is already there.
  batch_[0] = rd_kafka_consume_queue(queue_, std::max(max_wait_ms, 0));
  if (batch_[0] == nullptr) return size_t{0};
  size_t n = 1;
  if (max_records > 1) {
    const ssize_t more = rd_kafka_consume_batch_queue(queue_, 0, batch_.data() + 1, max_records - 1);
    if (more > 0) n += static_cast<size_t>(more);
  }
  Status status;
  size_t delivered = 0;
  for (size_t i = 0; i < n; ++i) {
    rd_kafka_message_t* m = batch_[i];
    if (status.ok()) {
      if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        rd_kafka_timestamp_type_t type;
        const int64_t ts = rd_kafka_message_timestamp(m, &type);
        on_record(SourceRecord{m->partition, m->offset, ts, View(m->key, m->key_len), View(m->payload, m->len)});
        ++delivered;
      } else if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        // Not requested, but harmless.
      } else if (IsUnknownTopic(m->err)) {
        status = Error(fmt::format("consuming partition {}", m->partition), m->err);
      } else {
        // Transport errors, offset resets and the like: librdkafka retries or recovers by itself.
        FLOE_LOG_WARN("Kafka source consumer error", {{"topic", options_.topic},
                                                      {"bootstrap", options_.bootstrap},
                                                      {"partition", m->partition},
                                                      {"error", rd_kafka_message_errstr(m)}});
      }
    }
    rd_kafka_message_destroy(m);
  }
  if (!status.ok()) return status;
  return delivered;
}

Status KafkaSource::CommitGroupOffsets(const std::map<int32_t, int64_t>& next_offsets) {
  if (!has_group_) {
    return Status::InvalidArgument(
        fmt::format("Kafka source for topic {} at {}: committing group offsets needs 'properties.group.id'",
                    options_.topic, options_.bootstrap));
  }
  if (next_offsets.empty()) return Status::Ok();
  PartitionList list = NewList(static_cast<int>(next_offsets.size()));
  for (const auto& [partition, offset] : next_offsets) {
    rd_kafka_topic_partition_list_add(list.get(), options_.topic.c_str(), partition)->offset = offset;
  }
  const rd_kafka_resp_err_t err = WithRetries(options_.request_timeout_ms, [&] {
    rd_kafka_resp_err_t e = rd_kafka_commit(rk_.get(), list.get(), 0);
    for (int i = 0; e == RD_KAFKA_RESP_ERR_NO_ERROR && i < list->cnt; ++i) e = list->elems[i].err;
    return e;
  });
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return Error("committing group offsets", err);
  return Status::Ok();
}

}  // namespace floe::stream
