// `floe produce`: simulated IoT telemetry to any Kafka cluster (docs/ingestion.md). The engine is
// floe/ingest/telemetry_producer.h; this file maps flags to its options and prints the summary.

#include <fmt/format.h>
#include <malloc.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <memory>
#include <string>
#include <vector>

#include "floe/cli/commands.h"
#include "floe/ingest/telemetry_producer.h"

namespace floe::cli {

namespace {

std::atomic<bool> g_stop{false};

// The largest interval, delay or window in ms (about 31 years) and the latest start time (year 33658): far beyond
// any use, and small enough that event-time arithmetic never overflows. ingestion/producer.py has the same bounds.
constexpr int64_t kMaxSpanMs = 1'000'000'000'000;
constexpr int64_t kMaxStartMs = 1'000'000'000'000'000;

// An integer flag in plain decimal (CLI11 alone would read 010 as octal and 0x10 as hex, unlike the Python
// producer), within [low, high]. Leading zeros are dropped before CLI11 converts the value.
CLI::Validator DecimalInteger(long double low, long double high) {
  return CLI::Validator(
      [low, high](std::string& v) -> std::string {
        size_t i = (!v.empty() && (v[0] == '-' || v[0] == '+')) ? 1 : 0;
        if (i == v.size() || v.find_first_not_of("0123456789", i) != std::string::npos) {
          return "'" + v + "' is not a decimal integer";
        }
        const bool negative = v[0] == '-';
        size_t first = v.find_first_not_of('0', i);
        std::string digits = first == std::string::npos ? "0" : v.substr(first);
        const long double value = (negative ? -1 : 1) * std::stold(digits);
        if (value < low || value > high || digits.size() > 20) {
          return fmt::format("{} must be between {:.0Lf} and {:.0Lf}", v, low, high);
        }
        v = (negative && digits != "0" ? "-" : "") + digits;
        return "";
      },
      "");
}

// A number >= 0 (or > 0), said plainly: CLI11's ranges print their bounds as 300-digit doubles.
CLI::Validator NumberAtLeastZero(bool zero_allowed) {
  return CLI::Validator(
      [zero_allowed](std::string& v) -> std::string {
        try {
          size_t used = 0;
          const double d = std::stod(v, &used);
          if (used != v.size() || !std::isfinite(d)) return "'" + v + "' is not a number";
          if (zero_allowed ? d < 0 : d <= 0) return zero_allowed ? "must be 0 or more" : "must be more than 0";
          return "";
        } catch (...) {
          return "'" + v + "' is not a number";
        }
      },
      "");
}

// librdkafka allocates every message on the sending thread and frees it after its delivery report, millions a second,
// and builds each ProduceRequest (up to batch.size, 1 MB) in a fresh buffer. With glibc's defaults the freed heap top
// goes back to the kernel (trim above 128 KiB) and the request buffers are mmap'ed and unmapped, so the next
// allocations page-fault it all back in (measured at full speed: these settings halve the producer's system time, about
// 4% of its CPU). This process only produces, so it keeps freed memory for reuse; queue.buffering.max.kbytes bounds
// the live messages.
void KeepFreedMemoryForReuse() {
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  mallopt(M_TOP_PAD, 64 << 20);
  mallopt(M_MMAP_THRESHOLD, 8 << 20);
}

extern "C" void OnStopSignal(int) {
  g_stop.store(true);
}

struct ProduceFlags {
  ingest::ProduceOptions options;
  int64_t interval_ms = 0;  // 0: automatic
  int64_t start_ms = -1;    // -1: now
  std::vector<std::string> properties;
};

int RunProduce(ProduceFlags& flags) {
  ingest::ProduceOptions& o = flags.options;
  for (const auto& p : flags.properties) {
    const size_t eq = p.find('=');
    if (eq == std::string::npos || eq == 0) {
      PrintError(fmt::format("-X {}: expected KEY=VALUE (a librdkafka property)", p));
      return 2;
    }
    o.client_properties.emplace_back(p.substr(0, eq), p.substr(eq + 1));
  }
  o.telemetry.start_ms =
      flags.start_ms >= 0
          ? flags.start_ms
          : std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
                .count();
  if (flags.interval_ms > 0) {
    o.telemetry.interval_ms = flags.interval_ms;
  } else {
    // Event time follows the wall clock when paced: N sensors at R events/s report every N/R seconds.
    const double interval = o.rate > 0 ? o.telemetry.sensors * 1000.0 / o.rate : 1000;
    if (interval > kMaxSpanMs) {
      PrintError(
          fmt::format("--rate {} is so slow that a sensor would report less than once in 31 years; "
                      "give --interval-ms",
                      o.rate));
      return 2;
    }
    o.telemetry.interval_ms = std::max<int64_t>(1, static_cast<int64_t>(interval));
  }
  o.progress_on_terminal = isatty(STDERR_FILENO) == 1;

  if (!o.dry_run) KeepFreedMemoryForReuse();
  g_stop.store(false);
  std::signal(SIGINT, OnStopSignal);
  std::signal(SIGTERM, OnStopSignal);
  auto report = ingest::RunTelemetryProducer(o, &g_stop, stderr);
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  if (!report.ok()) {
    PrintError(report.status().message());
    return report.status().code() == StatusCode::kInvalidArgument ? 2 : 1;
  }
  const ingest::ProduceReport& r = *report;
  std::FILE* out = o.dry_run ? stderr : stdout;
  const double secs = std::max(r.seconds, 1e-9);
  fmt::print(out, "produced {} events to {} in {:.3f} s ({:.0f} events/s, {:.2f} MB/s): acked {}, failed {}\n", r.sent,
             o.dry_run ? "stdout" : o.topic, r.seconds, r.sent / secs,
             static_cast<double>(r.value_bytes) / secs / (1 << 20), r.acked, r.failed);
  if (r.verified) fmt::print(out, "verified: {} holds each acknowledged event once, per sensor in order\n", o.topic);
  std::fflush(out);
  if (r.failed > 0) {
    PrintError(fmt::format("{} of {} events were not acknowledged; first error: {}", r.failed, r.sent,
                           r.first_error.empty() ? "none reported (delivery timed out)" : r.first_error));
    return 1;
  }
  return 0;
}

}  // namespace

void AddProduceCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<ProduceFlags>();
  ingest::ProduceOptions& o = flags->options;
  CLI::App* cmd = app.add_subcommand("produce", "Send simulated IoT telemetry to a Kafka topic (any Kafka cluster)");
  cmd->add_option("--bootstrap", o.bootstrap, "Kafka bootstrap servers HOST:PORT[,HOST:PORT...]")
      ->capture_default_str();
  cmd->add_option("--topic", o.topic, "topic to send to")->capture_default_str();
  cmd->add_option("--sensors", o.telemetry.sensors, "number of simulated sensors")
      ->capture_default_str()
      ->transform(DecimalInteger(1, 1000000));
  cmd->add_option("--count", o.count, "stop after this many events (0: no limit)")
      ->capture_default_str()
      ->transform(DecimalInteger(0, INT64_MAX));
  cmd->add_option("--duration", o.duration_s, "stop after this many seconds (0: no limit)")
      ->capture_default_str()
      ->check(NumberAtLeastZero(true));
  cmd->add_option("--rate", o.rate, "events per second (0: as fast as possible)")
      ->capture_default_str()
      ->check(NumberAtLeastZero(true));
  cmd->add_option("--seed", o.telemetry.seed, "random seed 0..2^64-1: the same seed gives the same events")
      ->capture_default_str()
      ->transform(DecimalInteger(0, 18446744073709551615.0L));
  cmd->add_option("--start-ms", flags->start_ms, "event time of the first reading, epoch ms (default: now)")
      ->transform(DecimalInteger(0, kMaxStartMs));
  cmd->add_option("--interval-ms", flags->interval_ms,
                  "event time between two readings of a sensor (default: sensors/rate, or 1000 ms at --rate 0)")
      ->transform(DecimalInteger(1, kMaxSpanMs));
  cmd->add_option("--out-of-order-ms", o.telemetry.out_of_order_ms,
                  "delay each event by up to this much event time (bounded disorder)")
      ->capture_default_str()
      ->transform(DecimalInteger(0, kMaxSpanMs));
  cmd->add_option("--late-fraction", o.telemetry.late_fraction,
                  "fraction of events delayed by --late-delay-ms or more (late for the stream's watermark)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--late-delay-ms", o.telemetry.late_delay_ms, "least delay of a late event")
      ->capture_default_str()
      ->transform(DecimalInteger(0, kMaxSpanMs));
  cmd->add_option("--truth", o.truth_path, "write per-sensor, per-window aggregates of acknowledged events (CSV)");
  cmd->add_option("--truth-window-ms", o.truth_window_ms, "window size of the truth file")
      ->capture_default_str()
      ->transform(DecimalInteger(1, kMaxSpanMs));
  cmd->add_option("--acks", o.acks, "all (idempotent producer), 1 or 0")
      ->capture_default_str()
      ->check(CLI::IsMember({"all", "-1", "1", "0"}));
  cmd->add_option("--compression", o.compression, "record batch compression")
      ->capture_default_str()
      ->check(CLI::IsMember({"none", "gzip", "snappy", "lz4", "zstd"}));
  cmd->add_option("--linger-ms", o.linger_ms, "how long the client waits to fill a batch")
      ->capture_default_str()
      ->transform(DecimalInteger(0, INT64_MAX));
  cmd->add_option("--timeout-ms", o.timeout_ms, "connect deadline, and each event's delivery deadline")
      ->capture_default_str()
      ->transform(DecimalInteger(1, INT32_MAX));
  cmd->add_option("-X", flags->properties, "librdkafka client property KEY=VALUE (repeatable)")->type_name("KEY=VALUE");
  cmd->add_flag("--verify", o.verify,
                "afterwards, read the topic back and check each acknowledged event is there once, in order");
  cmd->add_flag("--dry-run", o.dry_run, "print the events' JSON on stdout instead of sending them");
  cmd->add_option("--progress-interval", o.progress_interval_s, "seconds between progress lines on stderr (0: none)")
      ->capture_default_str()
      ->check(NumberAtLeastZero(true));
  cmd->callback([flags, exit_code] { *exit_code = RunProduce(*flags); });
}

}  // namespace floe::cli
