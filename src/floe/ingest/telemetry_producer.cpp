#include "floe/ingest/telemetry_producer.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <thread>

#include "floe/ingest/event_chunk.h"
#include "floe/ingest/rdkafka_client.h"
#include "floe/ingest/telemetry_json.h"
#include "floe/ingest/telemetry_verifier.h"
#include "floe/ingest/window_truth.h"

namespace floe::ingest {

namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// What the delivery reports have told us so far. They run on the sending thread (inside rd_kafka_poll/flush).
struct Deliveries {
  int64_t acked = 0;
  int64_t failed = 0;
  std::string first_error;
  std::optional<WindowTruth> truth;
  std::optional<StreamDigest> digest;
};

void OnDelivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
  auto* d = static_cast<Deliveries*>(opaque);
  if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    if (d->failed++ == 0) {
      d->first_error =
          fmt::format("event not acknowledged by partition {}: {}", m->partition, rd_kafka_err2str(m->err));
    }
    return;
  }
  ++d->acked;
  if (!d->truth && !d->digest) return;
  std::string_view value(static_cast<const char*>(m->payload), m->len);
  auto event = ParseEventJson(value);
  if (!event.ok()) return;  // we wrote it; cannot happen
  if (d->truth) d->truth->Add(*event);
  if (d->digest) d->digest->Add(event->sensor, m->partition, value);
}

// A fatal client error (e.g. the idempotent producer lost its guarantees) ends the run; transient ones are retried
// by librdkafka and show up in the delivery reports if they last.
void OnError(rd_kafka_t* rk, int err, const char* reason, void* opaque) {
  if (err != RD_KAFKA_RESP_ERR__FATAL) return;
  char buf[512];
  rd_kafka_fatal_error(rk, buf, sizeof buf);
  std::fprintf(stderr, "floe produce: fatal Kafka client error: %s\n", buf);
}

class ProgressPrinter {
 public:
  ProgressPrinter(const ProduceOptions& o, std::FILE* out)
      : out_(o.progress_interval_s > 0 ? out : nullptr),
        interval_s_(o.progress_interval_s),
        terminal_(o.progress_on_terminal),
        next_at_(o.progress_interval_s) {}

  void Maybe(double elapsed, int64_t sent, const Deliveries& d) {
    if (out_ == nullptr || elapsed < next_at_) return;
    next_at_ = elapsed + interval_s_;
    const double rate = (sent - last_sent_) / std::max(elapsed - last_at_, 1e-9);
    last_sent_ = sent;
    last_at_ = elapsed;
    std::fprintf(out_, "%ssent %lld events (%.0f/s), acked %lld, errors %lld%s", terminal_ ? "\r" : "",
                 static_cast<long long>(sent), rate, static_cast<long long>(d.acked), static_cast<long long>(d.failed),
                 terminal_ ? "   " : "\n");
    std::fflush(out_);
    printed_ = true;
  }
  void Finish() {
    if (out_ != nullptr && terminal_ && printed_) std::fputc('\n', out_);
  }

 private:
  std::FILE* out_;
  double interval_s_;
  bool terminal_;
  double next_at_;
  double last_at_ = 0;
  int64_t last_sent_ = 0;
  bool printed_ = false;
};

// Paces sends at `rate` events/s; returns how many may go now.
int64_t Allowance(double rate, double elapsed, int64_t sent) {
  if (rate <= 0) return INT64_MAX;
  return static_cast<int64_t>(rate * elapsed) + 1 - sent;
}

// Events generated, formatted and handed to librdkafka together (event_chunk.h), on the one sending thread: a second
// thread generating ahead was measured slower on two cores (the chunks then move between cores' caches). At full
// speed a chunk is about a millisecond, so delivery reports, progress, --duration and Ctrl-C are still served promptly.
constexpr int64_t kChunkEvents = 4096;

// Hands every message of `chunk` to librdkafka, which copies them (RD_KAFKA_MSG_F_COPY), so the chunk may be refilled
// on return. When the client's queue is full (queue.buffering.max.*), serves delivery reports until it has room and
// resends from the first message it refused: rd_kafka_produce_batch refuses every message after the first refused
// one, so the partition's order is kept.
Status SendChunk(rd_kafka_t* rk, rd_kafka_topic_t* topic, const std::string& topic_name, EventChunk& chunk) {
  for (int32_t p = 0; p < chunk.partitions(); ++p) {
    int left = 0;
    rd_kafka_message_t* m = chunk.group(p, &left);
    while (left > 0) {
      const int good = rd_kafka_produce_batch(topic, p, RD_KAFKA_MSG_F_COPY, m, left);
      if (good == left) break;
      int refused = 0;
      while (refused < left && m[refused].err == RD_KAFKA_RESP_ERR_NO_ERROR) ++refused;
      const rd_kafka_resp_err_t err = refused < left ? m[refused].err : RD_KAFKA_RESP_ERR__FAIL;
      if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL || refused != good) {
        return Status::Unavailable(
            fmt::format("cannot send to topic {} partition {}: {}", topic_name, p, rd_kafka_err2str(err)));
      }
      m += good;
      left -= good;
      rd_kafka_poll(rk, 1);  // the local queue is full: wait for deliveries
    }
  }
  return Status::Ok();
}

// The topic's partition count, from the cluster's metadata (which creates the topic when the cluster auto-creates
// topics). A topic that is still being created has no leaders yet, so ask again until `timeout_ms` runs out.
Result<int32_t> TopicPartitionCount(rd_kafka_t* rk, rd_kafka_topic_t* topic, const std::string& name,
                                    int64_t timeout_ms) {
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    const struct rd_kafka_metadata* md = nullptr;
    err = rd_kafka_metadata(rk, 0, topic, &md, static_cast<int>(std::max<int64_t>(left, 1)));
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      int32_t partitions = 0;
      err = RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC;
      if (md->topic_cnt == 1) {
        err = md->topics[0].err;
        partitions = md->topics[0].partition_cnt;
      }
      rd_kafka_metadata_destroy(md);
      if (err == RD_KAFKA_RESP_ERR_NO_ERROR && partitions > 0) return partitions;
    }
    if (Clock::now() + std::chrono::milliseconds(100) >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return Status::Unavailable(
      fmt::format("the cluster named no partitions of topic {} within {} ms ({}); create the topic, or let the "
                  "cluster create topics automatically (--topic, --timeout-ms)",
                  name, timeout_ms, rd_kafka_err2str(err)));
}

Result<ProduceReport> DryRun(const ProduceOptions& o, const std::atomic<bool>* stop) {
  TelemetryGenerator gen(o.telemetry);
  std::optional<WindowTruth> truth;
  if (!o.truth_path.empty()) truth.emplace(o.telemetry.sensors, o.truth_window_ms);
  ProduceReport report;
  const auto start = Clock::now();
  std::string out;
  char buf[kMaxEventJsonBytes];
  int64_t allowance = 0;
  while ((o.count == 0 || report.sent < o.count) && !stop->load(std::memory_order_relaxed)) {
    if (allowance <= 0) {
      const double elapsed = SecondsSince(start);
      if (o.duration_s > 0 && elapsed >= o.duration_s) break;
      allowance = std::min<int64_t>(Allowance(o.rate, elapsed, report.sent), 1024);
      if (allowance <= 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
        continue;
      }
    }
    --allowance;
    const TelemetryEvent e = gen.Next();
    const size_t n = FormatEventJson(e, buf);
    out.append(buf, n);
    out += '\n';
    if (out.size() > (1 << 16)) {
      std::fwrite(out.data(), 1, out.size(), stdout);
      out.clear();
    }
    if (truth) truth->Add(e);
    ++report.sent;
    report.value_bytes += static_cast<int64_t>(n);
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
  report.acked = report.sent;
  report.seconds = SecondsSince(start);
  if (truth) FLOE_RETURN_IF_ERROR(truth->WriteCsv(o.truth_path));
  return report;
}

}  // namespace

Result<ProduceReport> RunTelemetryProducer(const ProduceOptions& o, const std::atomic<bool>* stop,
                                           std::FILE* progress) {
  if (o.dry_run) return DryRun(o, stop);

  auto deliveries = std::make_unique<Deliveries>();
  if (!o.truth_path.empty()) deliveries->truth.emplace(o.telemetry.sensors, o.truth_window_ms);
  if (o.verify) deliveries->digest.emplace(o.telemetry.sensors);

  const bool idempotent = o.acks == "all" || o.acks == "-1";
  ClientProperties props = {
      {"bootstrap.servers", o.bootstrap},
      {"client.id", "floe-produce"},
      {"acks", o.acks},
      {"enable.idempotence", idempotent ? "true" : "false"},
      // Each event's partition is chosen here (SensorRoutes, murmur2 like the Java client); should librdkafka ever
      // partition a record itself, it uses the same hash.
      {"partitioner", "murmur2_random"},
      {"compression.type", o.compression},
      {"linger.ms", std::to_string(o.linger_ms)},
      {"batch.size", "1000000"},
      {"queue.buffering.max.messages", "1000000"},
      {"queue.buffering.max.kbytes", "1048576"},
      {"message.timeout.ms", std::to_string(o.timeout_ms)},
  };
  props.insert(props.end(), o.client_properties.begin(), o.client_properties.end());
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  if (Status s = SetClientProperties(conf, props); !s.ok()) {
    rd_kafka_conf_destroy(conf);
    return s;
  }
  rd_kafka_conf_set_dr_msg_cb(conf, OnDelivery);
  rd_kafka_conf_set_error_cb(conf, OnError);
  rd_kafka_conf_set_opaque(conf, deliveries.get());
  FLOE_ASSIGN_OR_RETURN(RdKafkaHandle rk, NewRdKafka(RD_KAFKA_PRODUCER, conf));
  FLOE_RETURN_IF_ERROR(CheckReachable(rk.get(), o.bootstrap, o.timeout_ms));

  VerifyOptions verify_options{o.bootstrap, o.topic, o.client_properties, o.timeout_ms};
  PartitionOffsets start_offsets;
  if (o.verify) {
    FLOE_ASSIGN_OR_RETURN(start_offsets, ReadEndOffsets(verify_options));
  }

  rd_kafka_topic_t* topic = rd_kafka_topic_new(rk.get(), o.topic.c_str(), nullptr);
  if (topic == nullptr) {
    return Status::InvalidArgument(fmt::format("topic '{}': {}", o.topic, rd_kafka_err2str(rd_kafka_last_error())));
  }
  std::unique_ptr<rd_kafka_topic_t, void (*)(rd_kafka_topic_t*)> topic_holder(topic, rd_kafka_topic_destroy);

  FLOE_ASSIGN_OR_RETURN(const int32_t partitions, TopicPartitionCount(rk.get(), topic, o.topic, o.timeout_ms));
  const SensorRoutes routes(o.telemetry.sensors, partitions);

  TelemetryGenerator gen(o.telemetry);
  EventChunk chunk;
  ProgressPrinter printer(o, progress);
  ProduceReport report;
  const auto start = Clock::now();
  while ((o.count == 0 || report.sent < o.count) && !stop->load(std::memory_order_relaxed)) {
    // Between chunks: serve delivery reports, print progress, check the clock and the client.
    rd_kafka_poll(rk.get(), 0);
    const double elapsed = SecondsSince(start);
    if (o.duration_s > 0 && elapsed >= o.duration_s) break;
    printer.Maybe(elapsed, report.sent, *deliveries);
    char fatal_reason[8];
    if (rd_kafka_fatal_error(rk.get(), fatal_reason, sizeof fatal_reason) != RD_KAFKA_RESP_ERR_NO_ERROR) break;
    int64_t n = std::min<int64_t>(Allowance(o.rate, elapsed, report.sent), kChunkEvents);
    if (o.count > 0) n = std::min(n, o.count - report.sent);
    if (n <= 0) {
      rd_kafka_poll(rk.get(), 1);
      continue;
    }
    chunk.Fill(gen, routes, n);
    FLOE_RETURN_IF_ERROR(SendChunk(rk.get(), topic, o.topic, chunk));
    report.sent += n;
    report.value_bytes += chunk.value_bytes();
  }

  // Wait for every outstanding delivery report: each event ends acknowledged or failed (message.timeout.ms).
  const auto flush_deadline = Clock::now() + std::chrono::milliseconds(o.timeout_ms + 5000);
  while (rd_kafka_outq_len(rk.get()) > 0 && Clock::now() < flush_deadline) {
    rd_kafka_flush(rk.get(), 100);
    printer.Maybe(SecondsSince(start), report.sent, *deliveries);
  }
  if (rd_kafka_outq_len(rk.get()) > 0) {
    rd_kafka_purge(rk.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    rd_kafka_poll(rk.get(), 0);
  }
  report.seconds = SecondsSince(start);
  printer.Finish();
  char fatal_reason[512];
  if (rd_kafka_fatal_error(rk.get(), fatal_reason, sizeof fatal_reason) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    if (deliveries->first_error.empty()) deliveries->first_error = fatal_reason;
  }
  report.acked = deliveries->acked;
  report.failed = report.sent - report.acked;
  report.first_error = deliveries->first_error;
  if (deliveries->truth) FLOE_RETURN_IF_ERROR(deliveries->truth->WriteCsv(o.truth_path));
  if (o.verify && report.failed == 0) {
    FLOE_RETURN_IF_ERROR(VerifyTopic(verify_options, start_offsets, *deliveries->digest));
    report.verified = true;
  }
  return report;
}

}  // namespace floe::ingest
