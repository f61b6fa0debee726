#include "floe/stream/job_plan.h"

#include <fmt/format.h>

#include <cctype>
#include <charconv>

#include "floe/sql/source_position.h"

namespace floe::stream {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The highest column index an expression reads (kColumnRef), or -1.
int MaxColumnRef(const sql::BoundExprPtr& e) {
  if (!e) return -1;
  int m = e->kind == sql::BoundExprKind::kColumnRef ? e->index : -1;
  for (const auto& a : e->args) m = std::max(m, MaxColumnRef(a));
  return m;
}

Status CheckSourceTable(const sql::TableDefinition& t, KafkaSourceSpec* spec, int64_t default_idle_ms) {
  auto err = [&](std::string reason) { return sql::SqlError(t.pos, fmt::format("table {}: {}", t.name, reason)); };
  const std::string* connector = t.FindOption("connector");
  if (!connector) return err("a source table needs 'connector' = 'kafka'");
  if (*connector != "kafka") {
    return err(fmt::format("connector '{}' is not supported as a source (floe reads 'kafka')", *connector));
  }
  const std::string* topic = t.FindOption("topic");
  if (!topic || topic->empty()) {
    if (t.FindOption("topic-pattern")) return err("'topic-pattern' is not supported: name one 'topic'");
    return err("the kafka connector needs 'topic'");
  }
  if (topic->find(';') != std::string::npos) return err("one topic per source table: '" + *topic + "'");
  spec->topic = *topic;
  const std::string* format = t.FindOption("format");
  if (!format) format = t.FindOption("value.format");
  if (!format) return err("the kafka connector needs 'format' = 'json'");
  if (*format != "json") return err(fmt::format("format '{}' is not supported (floe reads 'json')", *format));
  spec->idle_timeout_ms = default_idle_ms;
  spec->startup = StartupModeSpec::kGroupOffsets;
  for (const auto& [k, v] : t.options) {
    if (k == "properties.bootstrap.servers") {
      spec->bootstrap = v;
    } else if (k == "properties.group.id") {
      spec->group_id = v;
    } else if (k.rfind("properties.", 0) == 0) {
      spec->client_properties.emplace_back(k.substr(11), v);
    } else if (k == "scan.startup.mode") {
      if (v == "earliest-offset") {
        spec->startup = StartupModeSpec::kEarliest;
      } else if (v == "latest-offset") {
        spec->startup = StartupModeSpec::kLatest;
      } else if (v == "group-offsets") {
        spec->startup = StartupModeSpec::kGroupOffsets;
      } else if (v == "timestamp") {
        spec->startup = StartupModeSpec::kTimestamp;
      } else {
        return err(fmt::format(
            "'scan.startup.mode' = '{}' is not one of earliest-offset, latest-offset, group-offsets, timestamp", v));
      }
    } else if (k == "scan.startup.timestamp-millis") {
      auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), spec->startup_timestamp_ms);
      if (ec != std::errc() || p != v.data() + v.size()) {
        return err(fmt::format("'scan.startup.timestamp-millis' = '{}' is not a number of milliseconds", v));
      }
    } else if (k == "scan.watermark.idle-timeout") {
      auto d = ParseDurationMs(v);
      if (!d.ok()) return err("'scan.watermark.idle-timeout': " + d.status().message());
      spec->idle_timeout_ms = *d;
    } else if (k == "scan.startup.specific-offsets" || k == "scan.bounded.mode" ||
               k == "scan.topic-partition-discovery.interval") {
      return err(fmt::format("option '{}' is not supported yet", k));
    }
  }
  if (spec->startup == StartupModeSpec::kTimestamp && !t.FindOption("scan.startup.timestamp-millis")) {
    return err("'scan.startup.mode' = 'timestamp' needs 'scan.startup.timestamp-millis'");
  }
  if (spec->group_id.empty()) spec->group_id = "floe-" + t.name;
  if (!t.watermark) return Status::Ok();
  if (!t.watermark->delay_ms) {
    return err(
        "the WATERMARK must be `column - INTERVAL '...'` (or the column itself): floe runs Flink's "
        "bounded-out-of-orderness watermarks");
  }
  return Status::Ok();
}

Status CheckSinkTable(const sql::TableDefinition& t, catalog::TableIdentifier* id) {
  auto err = [&](std::string reason) { return sql::SqlError(t.pos, fmt::format("table {}: {}", t.name, reason)); };
  const std::string* connector = t.FindOption("connector");
  if (!connector || *connector != "iceberg") {
    return err(fmt::format("connector '{}' is not supported as a sink (floe writes 'iceberg')",
                           connector ? *connector : std::string("(none)")));
  }
  std::string ns = "default";
  std::string name = t.name;
  if (const size_t dot = name.rfind('.'); dot != std::string::npos) {
    ns = name.substr(0, dot);
    name = name.substr(dot + 1);
    if (const size_t d2 = ns.rfind('.'); d2 != std::string::npos) ns = ns.substr(d2 + 1);  // catalog.db.table
  }
  if (const std::string* db = t.FindOption("catalog-database")) ns = *db;
  if (const std::string* tb = t.FindOption("catalog-table")) name = *tb;
  auto parsed = catalog::TableIdentifier::Parse(ns + "." + name);
  if (!parsed.ok()) return err(parsed.status().message());
  *id = *parsed;
  return Status::Ok();
}

}  // namespace

Result<int64_t> ParseDurationMs(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && text[i] == ' ') ++i;
  size_t start = i;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
  if (i == start) return Status::InvalidArgument(fmt::format("'{}' is not a duration such as '5 s' or '500 ms'", text));
  int64_t n = 0;
  std::from_chars(text.data() + start, text.data() + i, n);
  while (i < text.size() && text[i] == ' ') ++i;
  std::string unit = Lower(text.substr(i));
  while (!unit.empty() && unit.back() == ' ') unit.pop_back();
  int64_t scale = 0;
  if (unit.empty() || unit == "ms" || unit == "milli" || unit == "millis" || unit == "millisecond" ||
      unit == "milliseconds") {
    scale = 1;
  } else if (unit == "s" || unit == "sec" || unit == "secs" || unit == "second" || unit == "seconds") {
    scale = 1000;
  } else if (unit == "min" || unit == "m" || unit == "mins" || unit == "minute" || unit == "minutes") {
    scale = 60'000;
  } else if (unit == "h" || unit == "hour" || unit == "hours") {
    scale = 3'600'000;
  } else if (unit == "d" || unit == "day" || unit == "days") {
    scale = 86'400'000;
  } else {
    return Status::InvalidArgument(
        fmt::format("'{}': unknown time unit '{}' (use ms, s, min, h or d)", text, text.substr(i)));
  }
  return n * scale;
}

Result<JobPlan> PlanJob(const sql::BoundScript& script) {
  JobPlan plan;
  int64_t default_idle_ms = 0;
  std::string late_topic_setting, dead_letter_setting;
  bool late_set = false, dead_set = false;
  for (const auto& [k, v] : script.settings) {
    if (k == "execution.checkpointing.interval") {
      auto d = ParseDurationMs(v);
      if (!d.ok()) return Status::InvalidArgument("SET 'execution.checkpointing.interval': " + d.status().message());
      if (*d < 10) return Status::InvalidArgument("SET 'execution.checkpointing.interval': at least 10 ms");
      plan.checkpoint_interval_ms = *d;
    } else if (k == "floe.status.interval") {
      auto d = ParseDurationMs(v);
      if (!d.ok()) return Status::InvalidArgument("SET 'floe.status.interval': " + d.status().message());
      if (*d < 10) return Status::InvalidArgument("SET 'floe.status.interval': at least 10 ms");
      plan.status_interval_ms = *d;
    } else if (k == "table.exec.source.idle-timeout") {
      auto d = ParseDurationMs(v);
      if (!d.ok()) return Status::InvalidArgument("SET 'table.exec.source.idle-timeout': " + d.status().message());
      default_idle_ms = *d;
    } else if (k == "floe.compaction.interval" || k == "floe.snapshot.max-age") {
      auto d = ParseDurationMs(v);
      if (!d.ok()) return Status::InvalidArgument(fmt::format("SET '{}': {}", k, d.status().message()));
      (k == "floe.compaction.interval" ? plan.compaction_interval_ms : plan.snapshot_max_age_ms) = *d;
    } else if (k == "floe.compaction.min-files" || k == "floe.snapshot.retain-last") {
      int64_t n = -1;
      auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
      if (ec != std::errc() || p != v.data() + v.size() || n < 0 || n > 1'000'000) {
        return Status::InvalidArgument(fmt::format("SET '{}' = '{}': expected a whole number 0..1000000", k, v));
      }
      if (k == "floe.compaction.min-files") {
        if (n < 2) return Status::InvalidArgument(fmt::format("SET '{}' = '{}': at least 2", k, v));
        plan.compaction_min_files = static_cast<int>(n);
      } else {
        plan.snapshot_retain_last = static_cast<int>(n);
      }
    } else if (k == "floe.late-events.topic") {
      late_topic_setting = v;
      late_set = true;
    } else if (k == "floe.dead-letter.topic") {
      dead_letter_setting = v;
      dead_set = true;
    }
  }
  if (script.inserts.empty()) {
    return Status::InvalidArgument("the job has no INSERT INTO statement: nothing to run");
  }
  if (!script.queries.empty()) {
    return Status::Unsupported(
        "a job file runs INSERT INTO statements; a plain SELECT has nowhere to go (use "
        "`floe query` for interactive queries)");
  }
  for (const sql::BoundInsert& insert : script.inserts) {
    PipelinePlan p;
    p.insert = &insert;
    p.sink = insert.sink;
    p.name = insert.sink->name;
    const sql::BoundQuery& q = insert.query;
    auto at = [&](std::string reason) { return sql::SqlError(insert.pos, reason); };
    if (q.from.kind == sql::BoundSourceKind::kSubquery) return at("subqueries in FROM are not supported yet");
    if (q.from.kind == sql::BoundSourceKind::kNone) return at("an INSERT needs a FROM table to stream from");
    if (q.aggregated && !q.window_aggregate) {
      return at(
          "GROUP BY without a window table function (TUMBLE, HOP, CUMULATE) is an updating aggregation, "
          "which floe does not run: group by window_start and window_end of a window");
    }
    if (q.distinct) return at("SELECT DISTINCT is not supported in a streaming job");
    if (!q.order_by.empty()) return at("ORDER BY is not supported in a streaming job");
    if (q.limit) return at("LIMIT is not supported in a streaming job");
    p.source = q.from.table;
    const int ncols = static_cast<int>(p.source->columns.size());
    if (q.from.kind == sql::BoundSourceKind::kWindow) {
      if (!q.window_aggregate) {
        return at("a window table function without GROUP BY window_start, window_end is not supported yet");
      }
      if (MaxColumnRef(q.where) >= ncols) return at("WHERE on window_start/window_end/window_time is not supported");
      for (size_t k = 0; k < q.group_keys.size(); ++k) {
        if (static_cast<int>(k) == q.window_start_key || static_cast<int>(k) == q.window_end_key) continue;
        if (MaxColumnRef(q.group_keys[k]) >= ncols) {
          return at("GROUP BY window_time is not supported: group by window_start and window_end");
        }
      }
      for (const auto& a : q.aggregates) {
        for (const auto& arg : a.args) {
          if (MaxColumnRef(arg) >= ncols) return at("aggregates over window columns are not supported");
        }
        if (a.args.size() > 1) return at("aggregates take one argument");
      }
      if (!p.source->watermark) {
        return at(fmt::format("table {} has no WATERMARK: event-time windows need one", p.source->name));
      }
    }
    FLOE_RETURN_IF_ERROR(CheckSourceTable(*p.source, &p.kafka, default_idle_ms));
    FLOE_RETURN_IF_ERROR(CheckSinkTable(*p.sink, &p.sink_table));
    p.late_topic = late_set ? late_topic_setting : p.kafka.topic + "-late";
    p.dead_letter_topic = dead_set ? dead_letter_setting : p.kafka.topic + "-dead-letter";
    if (p.late_topic == "none") p.late_topic.clear();
    if (p.dead_letter_topic == "none") p.dead_letter_topic.clear();
    for (const auto& other : plan.pipelines) {
      if (other.name == p.name) {
        return at(fmt::format("two INSERTs into {}: each sink table takes one INSERT per job", p.name));
      }
    }
    plan.pipelines.push_back(std::move(p));
  }
  return plan;
}

}  // namespace floe::stream
