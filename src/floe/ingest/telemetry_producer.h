// `floe produce`'s engine: the simulated telemetry stream (telemetry_generator.h) sent to any Kafka cluster with
// librdkafka, keyed by sensor id and partitioned by murmur2 exactly like the Java client's default partitioner. floe
// computes each sensor's partition itself from the topic's partition count, read once at the start (partitions added
// during a run get no events until the next run), and enqueues events in chunks, one rd_kafka_produce_batch call per
// partition (event_chunk.h).
//
// Every acknowledged event is counted once: the producer is idempotent under acks=all (retries across a broker
// restart are deduplicated by the broker), and the ground truth and the verification digest are taken from the
// delivery reports, never from what was merely sent.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "floe/base/status.h"
#include "floe/ingest/telemetry_generator.h"

namespace floe::ingest {

struct ProduceOptions {
  TelemetryOptions telemetry;
  std::string bootstrap = "127.0.0.1:9092";
  std::string topic = "telemetry";
  int64_t count = 0;       // stop after this many events (0: no limit)
  double duration_s = 0;   // stop after this many seconds (0: no limit)
  double rate = 1000;      // events per second (0: as fast as the client takes them)
  std::string truth_path;  // write the ground truth CSV here (window_truth.h)
  int64_t truth_window_ms = 10000;
  std::string acks = "all";  // all (idempotent), 1 or 0
  std::string compression = "none";
  int64_t linger_ms = 5;
  int64_t timeout_ms = 30000;  // connect check, and each event's delivery deadline (message.timeout.ms)
  std::vector<std::pair<std::string, std::string>> client_properties;  // -X key=value for librdkafka
  bool verify = false;                // read the topic back afterwards and check it (telemetry_verifier.h)
  bool dry_run = false;               // print the events' JSON to stdout instead of sending
  double progress_interval_s = 1;     // 0: no progress lines
  bool progress_on_terminal = false;  // rewrite one line with '\r' instead of printing a line each time
};

struct ProduceReport {
  int64_t sent = 0;
  int64_t acked = 0;
  int64_t failed = 0;
  int64_t value_bytes = 0;
  double seconds = 0;
  std::string first_error;
  bool verified = false;
};

// Runs until the count or duration is reached or `*stop` becomes true, then waits for the outstanding delivery
// reports. Progress lines go to `progress` (may be null). An error status means the run could not start or the
// client failed fatally (unreachable broker, bad client property); events that were not acknowledged are counted in
// the report, not returned as an error.
Result<ProduceReport> RunTelemetryProducer(const ProduceOptions& options, const std::atomic<bool>* stop,
                                           std::FILE* progress);

}  // namespace floe::ingest
