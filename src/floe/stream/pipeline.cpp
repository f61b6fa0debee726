#include "floe/stream/pipeline.h"

#include <fmt/format.h>

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "floe/base/logging.h"
#include "floe/stream/broker_source.h"
#include "floe/stream/checkpoint_store.h"
#include "floe/stream/expression_evaluator.h"
#include "floe/stream/iceberg_sink.h"
#include "floe/stream/json_format.h"
#include "floe/stream/kafka_source.h"
#include "floe/stream/source.h"
#include "floe/stream/topic_writer.h"
#include "floe/stream/watermark_tracker.h"
#include "floe/stream/window_aggregator.h"

namespace floe::stream {
namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

constexpr std::string_view kStateMagic = "FLPS1";  // pipeline state: magic, then length-prefixed parts

void PutPart(std::string* out, std::string_view part) {
  const uint64_t n = part.size();
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>((n >> (8 * i)) & 0xff));
  out->append(part);
}
Result<std::string_view> GetPart(std::string_view in, size_t* pos) {
  if (in.size() - *pos < 8) return Status::Corruption("pipeline state ends inside a part length");
  uint64_t n = 0;
  for (int i = 0; i < 8; ++i) n |= static_cast<uint64_t>(static_cast<uint8_t>(in[*pos + i])) << (8 * i);
  *pos += 8;
  if (in.size() - *pos < n) return Status::Corruption("pipeline state ends inside a part");
  std::string_view part = in.substr(*pos, n);
  *pos += n;
  return part;
}

enum class MetadataKey { kTopic, kPartition, kOffset, kTimestamp };

}  // namespace

struct Pipeline::Impl {
  PipelinePlan plan;
  PipelineEnvironment env;
  std::unique_ptr<TopicSource> source;
  std::unique_ptr<IcebergSink> sink;
  std::unique_ptr<TopicWriter> late_writer;
  std::unique_ptr<TopicWriter> dead_writer;
  std::optional<JsonRowDecoder> decoder;
  std::unique_ptr<CheckpointStore> store;

  // Source row: the source table's columns.
  std::vector<std::pair<int, MetadataKey>> metadata_columns;
  std::vector<std::pair<int, CompiledExpression>> computed;  // in declaration order
  int time_column = -1;
  int64_t delay_ms = 0;
  std::optional<CompiledExpression> where;

  // Window aggregation.
  bool windowed = false;
  std::unique_ptr<WindowAggregator> window;
  std::unique_ptr<WatermarkTracker> watermarks;
  std::vector<int> key_positions;  // group key index of each aggregator key (the non-window keys)
  std::vector<CompiledExpression> key_exprs;
  std::vector<std::optional<CompiledExpression>> arg_exprs;  // per aggregate (none for COUNT(*))
  std::optional<CompiledExpression> having;
  size_t group_keys = 0;

  // Output: projections over the source row (plain) or the group row (windowed), in sink writable-column order.
  std::vector<std::optional<CompiledExpression>> outputs;  // per writable sink column; nullopt: NULL

  // Positions and checkpoints.
  std::map<int32_t, int64_t> positions;  // next offset per partition
  std::map<int32_t, int64_t> committed_positions;
  int64_t checkpoint_id = 0;
  int64_t next_checkpoint_ms = 0;
  int64_t next_discovery_ms = 0;
  int32_t known_partitions = 0;
  bool assigned = false;
  int64_t poll_time_ms = 0;  // wall clock of the current poll: the records' arrival time for idleness
  bool dirty = false;        // anything read since the last checkpoint

  // Scratch.
  Row row;
  Row group_row;
  Row keys;
  Row args;
  Row out_row;

  PipelineStatus live;  // counters, updated by the pipeline's thread only
  int64_t rate_since_ms = 0;
  int64_t rate_since_events = 0;
  mutable std::mutex status_mu;
  PipelineStatus status;  // what status() returns: `live` copied at most every second

  // --- setup ---
  Status Setup();
  Status OpenSource();
  Status Restore();
  Status DiscoverPartitions(bool initial);

  // --- processing ---
  void OnRecord(const SourceRecord& r);
  void EmitWindow(int64_t start_ms, int64_t end_ms, const Row& k, const Row& results);
  void WriteOutput(const Row& input, const SourceRecord* r);
  void DeadLetter(const SourceRecord* r, std::string_view error);
  void Late(const SourceRecord& r, int64_t event_time_ms, int64_t window_end_ms);
  Status Checkpoint(int64_t now_ms);
  void UpdateStatus(int64_t now_ms);
};

Pipeline::Pipeline(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Pipeline::~Pipeline() = default;

Result<std::unique_ptr<Pipeline>> Pipeline::Open(const PipelinePlan& plan, const PipelineEnvironment& env) {
  auto impl = std::make_unique<Impl>();
  impl->plan = plan;
  impl->env = env;
  impl->status.name = plan.name;
  FLOE_RETURN_IF_ERROR(impl->Setup());
  return std::unique_ptr<Pipeline>(new Pipeline(std::move(impl)));
}

Status Pipeline::Impl::Setup() {
  const sql::TableDefinition& src = *plan.source;
  const sql::BoundQuery& q = plan.insert->query;
  auto where_at = [&](std::string reason) { return sql::SqlError(plan.insert->pos, reason); };

  // Decoding and computed columns.
  FLOE_ASSIGN_OR_RETURN(JsonFormatOptions json_options, ParseJsonFormatOptions(src));
  FLOE_ASSIGN_OR_RETURN(JsonRowDecoder d, JsonRowDecoder::Make(src, json_options));
  decoder.emplace(std::move(d));
  for (size_t i = 0; i < src.columns.size(); ++i) {
    const sql::TableColumn& c = src.columns[i];
    if (c.kind == sql::ColumnKind::kMetadata) {
      MetadataKey key;
      if (c.metadata_key == "topic") {
        key = MetadataKey::kTopic;
      } else if (c.metadata_key == "partition") {
        key = MetadataKey::kPartition;
      } else if (c.metadata_key == "offset") {
        key = MetadataKey::kOffset;
      } else if (c.metadata_key == "timestamp") {
        key = MetadataKey::kTimestamp;
      } else {
        return sql::SqlError(c.pos, fmt::format("metadata key '{}' is not supported by floe's kafka source (topic, "
                                                "partition, offset, timestamp)",
                                                c.metadata_key));
      }
      metadata_columns.emplace_back(static_cast<int>(i), key);
    } else if (c.kind == sql::ColumnKind::kComputed) {
      FLOE_ASSIGN_OR_RETURN(CompiledExpression e, CompiledExpression::Compile(c.expression));
      computed.emplace_back(static_cast<int>(i), std::move(e));
    }
  }
  if (src.watermark) {
    time_column = src.watermark->column;
    delay_ms = src.watermark->delay_ms.value_or(0);
  }
  if (q.where) {
    FLOE_ASSIGN_OR_RETURN(CompiledExpression w, CompiledExpression::Compile(q.where));
    where.emplace(std::move(w));
  }

  const std::vector<int>& targets = plan.insert->target_columns;
  std::vector<int> writable;  // sink column index -> position among writable columns
  {
    int n = 0;
    for (const auto& c : plan.sink->columns) writable.push_back(c.writable() ? n++ : -1);
    outputs.resize(static_cast<size_t>(n));
  }
  CompileContext out_ctx;
  if (q.window_aggregate) {
    windowed = true;
    const sql::BoundWindow& bw = *q.from.window;
    WindowSpec spec;
    spec.kind = bw.kind;
    spec.size_ms = bw.size_ms;
    spec.step_ms = bw.step_ms;
    spec.offset_ms = bw.offset_ms;
    std::vector<sql::DataType> key_types;
    group_keys = q.group_keys.size();
    for (size_t k = 0; k < q.group_keys.size(); ++k) {
      if (static_cast<int>(k) == q.window_start_key || static_cast<int>(k) == q.window_end_key) continue;
      FLOE_ASSIGN_OR_RETURN(CompiledExpression e, CompiledExpression::Compile(q.group_keys[k]));
      key_types.push_back(q.group_keys[k]->type);
      key_exprs.push_back(std::move(e));
      key_positions.push_back(static_cast<int>(k));
    }
    std::vector<AggregateSpec> aggs;
    for (const sql::BoundAggregate& a : q.aggregates) {
      AggregateSpec s;
      s.function = a.function;
      s.distinct = a.distinct;
      s.star = a.args.empty();
      s.result_type = a.type;
      if (!a.args.empty()) {
        s.arg_type = a.args[0]->type;
        FLOE_ASSIGN_OR_RETURN(CompiledExpression e, CompiledExpression::Compile(a.args[0]));
        arg_exprs.emplace_back(std::move(e));
      } else {
        arg_exprs.emplace_back(std::nullopt);
      }
      aggs.push_back(std::move(s));
    }
    Status check = WindowAggregator::Check(spec, aggs);
    if (!check.ok()) return where_at(check.message());
    window = std::make_unique<WindowAggregator>(spec, key_types, aggs);
    out_ctx.column_base = -1;
    out_ctx.group_base = 0;
    out_ctx.aggregate_base = static_cast<int>(group_keys);
    if (q.having) {
      FLOE_ASSIGN_OR_RETURN(CompiledExpression h, CompiledExpression::Compile(q.having, out_ctx));
      having.emplace(std::move(h));
    }
    group_row.resize(group_keys + q.aggregates.size());
    keys.resize(key_exprs.size());
    args.resize(arg_exprs.size());
  }
  for (size_t i = 0; i < q.projections.size(); ++i) {
    const int sink_col = i < targets.size() ? targets[i] : static_cast<int>(i);
    const int w = writable[static_cast<size_t>(sink_col)];
    if (w < 0) return where_at("INSERT writes a column the sink cannot take");
    FLOE_ASSIGN_OR_RETURN(CompiledExpression e, CompiledExpression::Compile(q.projections[i], out_ctx));
    outputs[static_cast<size_t>(w)].emplace(std::move(e));
  }
  out_row.resize(outputs.size());
  watermarks = std::make_unique<WatermarkTracker>(delay_ms, plan.kafka.idle_timeout_ms);
  row.resize(src.columns.size());

  // Sink, checkpoints, source, side outputs.
  IcebergSinkOptions so;
  so.job_id = env.job_id;
  so.pipeline = plan.name;
  so.table = plan.sink_table;
  so.compact_interval_ms = env.compaction_interval_ms;
  so.compact_min_files = env.compaction_min_files;
  so.expire_after_ms = env.snapshot_max_age_ms;
  so.retain_snapshots = env.snapshot_retain_last;
  FLOE_ASSIGN_OR_RETURN(sink, IcebergSink::Open(env.catalog, *plan.sink, so));
  store = std::make_unique<CheckpointStore>(env.state_dir + "/" + plan.name);
  FLOE_RETURN_IF_ERROR(store->Init());
  FLOE_RETURN_IF_ERROR(OpenSource());
  return Restore();
}

Status Pipeline::Impl::OpenSource() {
  const KafkaSourceSpec& k = plan.kafka;
  const bool remote = !env.bootstrap_override.empty() || env.local_broker == nullptr;
  if (!remote) {
    BrokerSourceOptions bo;
    bo.topic = k.topic;
    bo.group_id = k.group_id;
    source = std::make_unique<BrokerSource>(*env.local_broker, bo, env.run_on_broker_thread);
    if (!plan.late_topic.empty()) {
      FLOE_ASSIGN_OR_RETURN(late_writer, BrokerTopicWriter::Open(*env.local_broker, plan.late_topic));
    }
    if (!plan.dead_letter_topic.empty()) {
      FLOE_ASSIGN_OR_RETURN(dead_writer, BrokerTopicWriter::Open(*env.local_broker, plan.dead_letter_topic));
    }
    return Status::Ok();
  }
  std::string bootstrap = env.bootstrap_override.empty() ? k.bootstrap : env.bootstrap_override;
  if (bootstrap.empty()) {
    return sql::SqlError(plan.source->pos, fmt::format("table {}: no 'properties.bootstrap.servers' and no --bootstrap",
                                                       plan.source->name));
  }
  KafkaSourceOptions ko;
  ko.bootstrap = bootstrap;
  ko.topic = k.topic;
  ko.properties = k.client_properties;
  ko.properties.emplace_back("group.id", k.group_id);
  FLOE_ASSIGN_OR_RETURN(source, KafkaSource::Open(ko));
  RdKafkaTopicWriterOptions wo;
  wo.bootstrap = bootstrap;
  wo.properties = k.client_properties;
  if (!plan.late_topic.empty()) {
    FLOE_ASSIGN_OR_RETURN(late_writer, RdKafkaTopicWriter::Open(plan.late_topic, wo));
  }
  if (!plan.dead_letter_topic.empty()) {
    FLOE_ASSIGN_OR_RETURN(dead_writer, RdKafkaTopicWriter::Open(plan.dead_letter_topic, wo));
  }
  return Status::Ok();
}

Status Pipeline::Impl::Restore() {
  const int64_t now = NowMs();
  FLOE_ASSIGN_OR_RETURN(std::optional<CommittedCheckpoint> c, sink->LastCommittedCheckpoint());
  if (c) {
    checkpoint_id = c->checkpoint_id;
    if (auto it = c->offsets.find(plan.kafka.topic); it != c->offsets.end()) positions = it->second;
    if (windowed) {
      auto state = store->Load(checkpoint_id);
      if (!state.ok()) {
        return state.status().WithContext(fmt::format(
            "pipeline {}: checkpoint {} is committed to {} but its state cannot be read; the window state of that "
            "checkpoint is needed to continue exactly once",
            plan.name, checkpoint_id, sink->table_name()));
      }
      std::string_view in = *state;
      if (in.substr(0, kStateMagic.size()) != kStateMagic) {
        return Status::Corruption(store->PathOf(checkpoint_id) + ": not a pipeline state");
      }
      size_t pos = kStateMagic.size();
      FLOE_ASSIGN_OR_RETURN(std::string_view w, GetPart(in, &pos));
      FLOE_ASSIGN_OR_RETURN(std::string_view t, GetPart(in, &pos));
      FLOE_RETURN_IF_ERROR(window->Restore(w).WithContext(store->PathOf(checkpoint_id)));
      FLOE_RETURN_IF_ERROR(watermarks->Restore(t, now).WithContext(store->PathOf(checkpoint_id)));
    }
    FLOE_LOG_INFO("pipeline restored", {{"job", env.job_id},
                                        {"pipeline", plan.name},
                                        {"checkpoint", checkpoint_id},
                                        {"offsets", FormatSourceOffsets(c->offsets)}});
  }
  committed_positions = positions;
  FLOE_RETURN_IF_ERROR(DiscoverPartitions(!c.has_value()));
  {
    std::lock_guard<std::mutex> lock(status_mu);
    status.last_checkpoint_id = checkpoint_id;
  }
  return Status::Ok();
}

Status Pipeline::Impl::DiscoverPartitions(bool initial) {
  FLOE_ASSIGN_OR_RETURN(int32_t n, source->PartitionCount());
  if (n == known_partitions && !initial) return Status::Ok();
  const int64_t now = NowMs();
  bool changed = false;
  for (int32_t p = 0; p < n; ++p) {
    if (positions.count(p)) {
      watermarks->AddPartition(p, now);
      continue;
    }
    // A partition found at start follows 'scan.startup.mode'; one that appears later starts at its beginning (as
    // Flink's partition discovery does), so that nothing produced to it is skipped.
    StartupMode mode = StartupMode::kEarliest;
    if (initial) {
      switch (plan.kafka.startup) {
        case StartupModeSpec::kEarliest: mode = StartupMode::kEarliest; break;
        case StartupModeSpec::kLatest: mode = StartupMode::kLatest; break;
        case StartupModeSpec::kGroupOffsets: mode = StartupMode::kGroupOffsets; break;
        case StartupModeSpec::kTimestamp: mode = StartupMode::kTimestamp; break;
      }
    }
    FLOE_ASSIGN_OR_RETURN(int64_t off, source->StartOffset(p, mode, plan.kafka.startup_timestamp_ms));
    positions[p] = off;
    watermarks->AddPartition(p, now);
    changed = true;
  }
  known_partitions = n;
  if (changed || !assigned) FLOE_RETURN_IF_ERROR(source->Assign(positions));
  assigned = true;
  return Status::Ok();
}

void Pipeline::Impl::DeadLetter(const SourceRecord* r, std::string_view error) {
  ++live.bad_events;
  if (!dead_writer) return;
  nlohmann::json j;
  j["error"] = std::string(error);
  j["job"] = env.job_id;
  j["pipeline"] = plan.name;
  if (r) {
    j["topic"] = plan.kafka.topic;
    j["partition"] = r->partition;
    j["offset"] = r->offset;
    j["timestamp"] = r->timestamp_ms;
    if (r->value) {
      j["raw"] = nlohmann::json::binary_t();  // replaced below; raw as text when valid UTF-8
      j["raw"] = std::string(*r->value);
    }
  }
  std::string text = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  Status s = dead_writer->Send(r ? r->key : std::nullopt, text);
  if (!s.ok()) FLOE_LOG_WARN("dead-letter write failed", {{"pipeline", plan.name}, {"error", s.ToString()}});
}

void Pipeline::Impl::Late(const SourceRecord& r, int64_t event_time_ms, int64_t window_end_ms) {
  ++live.late_events;
  if (!late_writer) return;
  nlohmann::json j;
  j["reason"] = fmt::format("late: event time {} is behind the watermark {}; its window ending at {} has fired",
                            event_time_ms, window->watermark(), window_end_ms);
  j["job"] = env.job_id;
  j["pipeline"] = plan.name;
  j["topic"] = plan.kafka.topic;
  j["partition"] = r.partition;
  j["offset"] = r.offset;
  j["event_time_ms"] = event_time_ms;
  j["watermark_ms"] = window->watermark();
  j["window_end_ms"] = window_end_ms;
  if (r.value) j["raw"] = std::string(*r.value);
  std::string text = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  Status s = late_writer->Send(r.key, text);
  if (!s.ok()) FLOE_LOG_WARN("late-event write failed", {{"pipeline", plan.name}, {"error", s.ToString()}});
}

void Pipeline::Impl::WriteOutput(const Row& input, const SourceRecord* r) {
  for (size_t i = 0; i < outputs.size(); ++i) {
    if (!outputs[i]) {
      out_row[i].SetNull();
      continue;
    }
    Status s = outputs[i]->Evaluate(input, &out_row[i]);
    if (!s.ok()) {
      DeadLetter(r, s.message());
      return;
    }
  }
  Status s = sink->Write(out_row);
  if (!s.ok()) {
    DeadLetter(r, s.message());
    return;
  }
  ++live.rows_out;
}

void Pipeline::Impl::EmitWindow(int64_t start_ms, int64_t end_ms, const Row& k, const Row& results) {
  const sql::BoundQuery& q = plan.insert->query;
  size_t next_key = 0;
  for (size_t g = 0; g < group_keys; ++g) {
    if (static_cast<int>(g) == q.window_start_key) {
      group_row[g].SetInt(start_ms * 1000);
    } else if (static_cast<int>(g) == q.window_end_key) {
      group_row[g].SetInt(end_ms * 1000);
    } else {
      group_row[g] = k[next_key++];
    }
  }
  for (size_t a = 0; a < results.size(); ++a) group_row[group_keys + a] = results[a];
  if (having) {
    bool keep = false;
    Status s = having->EvaluateFilter(group_row, &keep);
    if (!s.ok()) {
      DeadLetter(nullptr, fmt::format("HAVING of window [{}, {}): {}", start_ms, end_ms, s.message()));
      return;
    }
    if (!keep) return;
  }
  WriteOutput(group_row, nullptr);
}

void Pipeline::Impl::OnRecord(const SourceRecord& r) {
  positions[r.partition] = r.offset + 1;
  dirty = true;
  ++live.events_in;
  if (!r.value) {
    DeadLetter(&r, "the record has no value (a tombstone)");
    return;
  }
  Status s = decoder->Decode(*r.value, &row);
  if (!s.ok()) {
    DeadLetter(&r, s.message());
    return;
  }
  for (const auto& [i, key] : metadata_columns) {
    Datum& d = row[static_cast<size_t>(i)];
    switch (key) {
      case MetadataKey::kTopic: d.SetString(plan.kafka.topic); break;
      case MetadataKey::kPartition: d.SetInt(r.partition); break;
      case MetadataKey::kOffset: d.SetInt(r.offset); break;
      case MetadataKey::kTimestamp: d.SetInt(r.timestamp_ms * 1000); break;
    }
  }
  for (const auto& [i, e] : computed) {
    Datum v;
    s = e.Evaluate(row, &v);
    if (!s.ok()) {
      DeadLetter(
          &r, fmt::format("computed column '{}': {}", plan.source->columns[static_cast<size_t>(i)].name, s.message()));
      return;
    }
    row[static_cast<size_t>(i)] = std::move(v);
  }
  int64_t event_time_ms = 0;
  if (time_column >= 0) {
    const Datum& t = row[static_cast<size_t>(time_column)];
    if (t.null) {
      DeadLetter(&r, fmt::format("the event time column '{}' is NULL",
                                 plan.source->columns[static_cast<size_t>(time_column)].name));
      return;
    }
    event_time_ms = FloorDiv(t.i, 1000);
    watermarks->Observe(r.partition, event_time_ms, poll_time_ms);
  }
  if (where) {
    bool keep = false;
    s = where->EvaluateFilter(row, &keep);
    if (!s.ok()) {
      DeadLetter(&r, "WHERE: " + s.message());
      return;
    }
    if (!keep) {
      ++live.filtered_events;
      return;
    }
  }
  if (!windowed) {
    WriteOutput(row, &r);
    return;
  }
  for (size_t k = 0; k < key_exprs.size(); ++k) {
    s = key_exprs[k].Evaluate(row, &keys[k]);
    if (!s.ok()) {
      DeadLetter(&r, "GROUP BY: " + s.message());
      return;
    }
  }
  for (size_t a = 0; a < arg_exprs.size(); ++a) {
    if (!arg_exprs[a]) continue;
    s = arg_exprs[a]->Evaluate(row, &args[a]);
    if (!s.ok()) {
      DeadLetter(&r, "aggregate argument: " + s.message());
      return;
    }
  }
  WindowAggregator::AddResult added = window->Add(event_time_ms, keys, args);
  if (added.late > 0) Late(r, event_time_ms, added.late_window_end);
}

Status Pipeline::Impl::Checkpoint(int64_t now_ms) {
  if (!dirty && sink->buffered_rows() == 0) return Status::Ok();
  const int64_t id = checkpoint_id + 1;
  if (windowed) {
    std::string state(kStateMagic);
    PutPart(&state, window->Snapshot());
    PutPart(&state, watermarks->Snapshot());
    FLOE_RETURN_IF_ERROR(store->Save(id, state));
  }
  // Side outputs first: their records are then in the topics before the commit that skips past their sources.
  if (late_writer) FLOE_RETURN_IF_ERROR(late_writer->Flush(10000));
  if (dead_writer) FLOE_RETURN_IF_ERROR(dead_writer->Flush(10000));
  SourceOffsets offsets;
  offsets[plan.kafka.topic] = positions;
  std::optional<int64_t> wm;
  if (watermarks->last() != WatermarkTracker::kNoWatermark) wm = watermarks->last();
  FLOE_ASSIGN_OR_RETURN(int64_t snapshot, sink->Commit(id, checkpoint_id, offsets, wm));
  (void)snapshot;
  checkpoint_id = id;
  committed_positions = positions;
  dirty = false;
  if (windowed) FLOE_RETURN_IF_ERROR(store->PruneExcept(id));
  Status s = source->CommitGroupOffsets(positions);
  if (!s.ok()) FLOE_LOG_DEBUG("group offset commit failed", {{"pipeline", plan.name}, {"error", s.ToString()}});
  std::lock_guard<std::mutex> lock(status_mu);
  status.last_checkpoint_id = id;
  status.last_checkpoint_ms = now_ms;
  return Status::Ok();
}

void Pipeline::Impl::UpdateStatus(int64_t now_ms) {
  int64_t lag = 0;
  if (auto ends = source->RecentEndOffsets(); ends.ok()) {
    for (const auto& [p, end] : *ends) {
      auto it = positions.find(p);
      lag += end - (it == positions.end() ? 0 : it->second);
    }
  }
  std::lock_guard<std::mutex> lock(status_mu);
  if (rate_since_ms > 0 && now_ms > rate_since_ms) {
    status.events_per_second =
        static_cast<double>(live.events_in - rate_since_events) * 1000.0 / static_cast<double>(now_ms - rate_since_ms);
  }
  rate_since_ms = now_ms;
  rate_since_events = live.events_in;
  status.events_in = live.events_in;
  status.rows_out = live.rows_out;
  status.late_events = live.late_events;
  status.bad_events = live.bad_events;
  status.filtered_events = live.filtered_events;
  status.state = "running";
  status.lag = lag;
  const int64_t wm = watermarks->last();
  status.watermark_ms = wm == WatermarkTracker::kNoWatermark ? std::nullopt : std::optional<int64_t>(wm);
  if (window) {
    status.open_windows = static_cast<int64_t>(window->open_windows());
    status.state_bytes = static_cast<int64_t>(window->EstimatedStateBytes());
  }
}

Status Pipeline::Run(const std::atomic<bool>& stop) {
  Impl& m = *impl_;
  m.next_checkpoint_ms = NowMs() + m.env.checkpoint_interval_ms;
  m.next_discovery_ms = NowMs() + 1000;
  int64_t next_status_ms = 0;
  auto on_record = [&m](const SourceRecord& r) { m.OnRecord(r); };
  while (!stop.load(std::memory_order_relaxed)) {
    int64_t now = NowMs();
    const int wait = static_cast<int>(std::clamp<int64_t>(m.next_checkpoint_ms - now, 1, 100));
    m.poll_time_ms = now;
    FLOE_ASSIGN_OR_RETURN(size_t n, m.source->Poll(wait, 8192, on_record));
    (void)n;
    now = NowMs();
    if (m.windowed) {
      const int64_t wm = m.watermarks->Current(now);
      if (wm != WatermarkTracker::kNoWatermark && wm > m.window->watermark()) {
        m.window->AdvanceWatermark(
            wm, [&m](int64_t s, int64_t e, const Row& k, const Row& r) { m.EmitWindow(s, e, k, r); });
      }
    }
    if (now >= m.next_discovery_ms) {
      FLOE_RETURN_IF_ERROR(m.DiscoverPartitions(false));
      // Partitions appear rarely once the topic exists (Flink looks every 5 minutes by default): look every 10 s
      // then, every second while the topic is missing. A discovery is a metadata request that blocks this thread.
      m.next_discovery_ms = now + (m.known_partitions > 0 ? 10'000 : 1000);
    }
    if (now >= m.next_checkpoint_ms) {
      FLOE_RETURN_IF_ERROR(m.Checkpoint(now));
      m.sink->MaintainIfDue(now);
      m.next_checkpoint_ms = NowMs() + m.env.checkpoint_interval_ms;
    }
    if (now >= next_status_ms) {
      m.UpdateStatus(now);
      next_status_ms = now + 1000;
    }
  }
  FLOE_RETURN_IF_ERROR(m.Checkpoint(NowMs()));
  m.UpdateStatus(NowMs());
  std::lock_guard<std::mutex> lock(m.status_mu);
  m.status.state = "stopped";
  return Status::Ok();
}

PipelineStatus Pipeline::status() const {
  std::lock_guard<std::mutex> lock(impl_->status_mu);
  return impl_->status;
}

}  // namespace floe::stream
