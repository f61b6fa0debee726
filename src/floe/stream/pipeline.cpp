#include "floe/stream/pipeline.h"

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
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

// One polled record, copied out of the source (a SourceRecord's views die with the Poll callback), and what decoding
// made of it. Decoding runs on two threads, aggregation on the pipeline's thread in record order, so everything that
// touches pipeline state (positions, watermarks, windows, side outputs, counters) waits for the aggregation.
struct PolledRecord {
  enum class Outcome : uint8_t {
    kBad,           // dead-lettered before its event time is known (no value, JSON, computed column, NULL time)
    kBadAfterTime,  // dead-lettered after its event time was observed (WHERE, GROUP BY or aggregate argument)
    kFiltered,      // WHERE said no
    kPass,          // windowed: keys and args are set; plain: row is
  };
  int32_t partition = 0;
  int64_t offset = 0;
  int64_t timestamp_ms = 0;
  bool has_key = false;
  bool has_value = false;
  size_t key_at = 0;  // into PolledBatch::bytes
  size_t key_size = 0;
  size_t value_at = 0;
  size_t value_size = 0;

  Outcome outcome = Outcome::kBad;
  int64_t event_time_ms = 0;
  std::string error;  // kBad, kBadAfterTime
  Row row;            // plain pipelines: the source row
  Row keys;           // windowed pipelines: the aggregator's keys and arguments
  Row args;
};

// The records of one Poll. Entries of `records` past `size` are kept for their capacity, so a warm batch allocates
// nothing per record (strings up to 15 bytes stay inside their Datums).
struct PolledBatch {
  std::string bytes;  // the records' keys and values, back to back
  std::vector<PolledRecord> records;
  size_t size = 0;
  int64_t poll_time_ms = 0;   // when Poll was called: the records' arrival time for watermark idleness
  int64_t after_poll_ms = 0;  // when it returned: the time the watermark is computed at after the batch
  std::atomic<size_t> next_chunk{0};

  static constexpr size_t kChunk = 256;  // records a thread claims at a time
  size_t chunks() const { return (size + kChunk - 1) / kChunk; }

  void Clear() {
    bytes.clear();
    size = 0;
    next_chunk.store(0, std::memory_order_relaxed);
  }
  void Append(const SourceRecord& r) {
    if (size == records.size()) records.emplace_back();
    PolledRecord& d = records[size++];
    d.partition = r.partition;
    d.offset = r.offset;
    d.timestamp_ms = r.timestamp_ms;
    d.has_key = r.key.has_value();
    if (d.has_key) {
      d.key_at = bytes.size();
      d.key_size = r.key->size();
      bytes.append(*r.key);
    }
    d.has_value = r.value.has_value();
    if (d.has_value) {
      d.value_at = bytes.size();
      d.value_size = r.value->size();
      bytes.append(*r.value);
    }
  }
  // The record as the source delivered it; valid until the batch is cleared.
  SourceRecord View(const PolledRecord& d) const {
    SourceRecord r;
    r.partition = d.partition;
    r.offset = d.offset;
    r.timestamp_ms = d.timestamp_ms;
    if (d.has_key) r.key = std::string_view(bytes).substr(d.key_at, d.key_size);
    if (d.has_value) r.value = std::string_view(bytes).substr(d.value_at, d.value_size);
    return r;
  }
};

// A thread's own decoding state (JsonRowDecoder is one per thread).
struct DecodeScratch {
  std::optional<JsonRowDecoder> decoder;
  Row row;
};

}  // namespace

struct Pipeline::Impl {
  PipelinePlan plan;
  PipelineEnvironment env;
  std::unique_ptr<TopicSource> source;
  std::unique_ptr<IcebergSink> sink;
  std::unique_ptr<TopicWriter> late_writer;
  std::unique_ptr<TopicWriter> dead_writer;
  DecodeScratch scratch;         // the pipeline thread's
  DecodeScratch worker_scratch;  // the decode worker's (DecodeWorker below)
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
  bool dirty = false;  // anything read since the last checkpoint

  // Scratch.
  Row group_row;
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
  // Decodes records [begin, end) of `batch` (thread-safe: reads only the plan and compiled expressions).
  void DecodeRecords(PolledBatch& batch, size_t begin, size_t end, DecodeScratch& s) const;
  // Claims chunks of `batch` until none is left, decoding each.
  void DecodeChunks(PolledBatch& batch, DecodeScratch& s) const;
  // Processes a decoded batch in record order: positions, counters, watermarks, windows or sink, side outputs.
  void Aggregate(const PolledBatch& batch);
  // Aggregate, then advance the watermark as of the batch's Poll and fire the windows it closes.
  void Process(const PolledBatch& batch);
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
  for (DecodeScratch* s : {&scratch, &worker_scratch}) {
    FLOE_ASSIGN_OR_RETURN(JsonRowDecoder d, JsonRowDecoder::Make(src, json_options));
    s->decoder.emplace(std::move(d));
    s->row.resize(src.columns.size());
  }
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

void Pipeline::Impl::DecodeRecords(PolledBatch& batch, size_t begin, size_t end, DecodeScratch& s) const {
  using Outcome = PolledRecord::Outcome;
  for (size_t n = begin; n < end; ++n) {
    PolledRecord& d = batch.records[n];
    d.error.clear();
    d.outcome = Outcome::kBad;
    if (!d.has_value) {
      d.error = "the record has no value (a tombstone)";
      continue;
    }
    Row& row = windowed ? s.row : d.row;
    if (row.size() < plan.source->columns.size()) row.resize(plan.source->columns.size());
    Status st = s.decoder->Decode(std::string_view(batch.bytes).substr(d.value_at, d.value_size), &row);
    if (!st.ok()) {
      d.error = st.message();
      continue;
    }
    for (const auto& [i, key] : metadata_columns) {
      Datum& v = row[static_cast<size_t>(i)];
      switch (key) {
        case MetadataKey::kTopic: v.SetString(plan.kafka.topic); break;
        case MetadataKey::kPartition: v.SetInt(d.partition); break;
        case MetadataKey::kOffset: v.SetInt(d.offset); break;
        case MetadataKey::kTimestamp: v.SetInt(d.timestamp_ms * 1000); break;
      }
    }
    bool failed = false;
    for (const auto& [i, e] : computed) {
      Datum v;
      st = e.Evaluate(row, &v);
      if (!st.ok()) {
        d.error =
            fmt::format("computed column '{}': {}", plan.source->columns[static_cast<size_t>(i)].name, st.message());
        failed = true;
        break;
      }
      row[static_cast<size_t>(i)] = std::move(v);
    }
    if (failed) continue;
    d.event_time_ms = 0;
    if (time_column >= 0) {
      const Datum& t = row[static_cast<size_t>(time_column)];
      if (t.null) {
        d.error = fmt::format("the event time column '{}' is NULL",
                              plan.source->columns[static_cast<size_t>(time_column)].name);
        continue;
      }
      d.event_time_ms = FloorDiv(t.i, 1000);
    }
    // From here on the event time is observed before the outcome is acted on, as for every decoded event.
    d.outcome = Outcome::kBadAfterTime;
    if (where) {
      bool keep = false;
      st = where->EvaluateFilter(row, &keep);
      if (!st.ok()) {
        d.error = "WHERE: " + st.message();
        continue;
      }
      if (!keep) {
        d.outcome = Outcome::kFiltered;
        continue;
      }
    }
    if (windowed) {
      d.keys.resize(key_exprs.size());
      d.args.resize(arg_exprs.size());
      for (size_t k = 0; k < key_exprs.size() && !failed; ++k) {
        st = key_exprs[k].Evaluate(row, &d.keys[k]);
        if (!st.ok()) {
          d.error = "GROUP BY: " + st.message();
          failed = true;
        }
      }
      for (size_t a = 0; a < arg_exprs.size() && !failed; ++a) {
        if (!arg_exprs[a]) continue;
        st = arg_exprs[a]->Evaluate(row, &d.args[a]);
        if (!st.ok()) {
          d.error = "aggregate argument: " + st.message();
          failed = true;
        }
      }
      if (failed) continue;
    }
    d.outcome = Outcome::kPass;
  }
}

void Pipeline::Impl::DecodeChunks(PolledBatch& batch, DecodeScratch& s) const {
  const size_t chunks = batch.chunks();
  for (size_t c = batch.next_chunk.fetch_add(1, std::memory_order_relaxed); c < chunks;
       c = batch.next_chunk.fetch_add(1, std::memory_order_relaxed)) {
    DecodeRecords(batch, c * PolledBatch::kChunk, std::min(batch.size, (c + 1) * PolledBatch::kChunk), s);
  }
}

void Pipeline::Impl::Aggregate(const PolledBatch& batch) {
  using Outcome = PolledRecord::Outcome;
  for (size_t n = 0; n < batch.size; ++n) {
    const PolledRecord& d = batch.records[n];
    positions[d.partition] = d.offset + 1;
    dirty = true;
    ++live.events_in;
    if (d.outcome == Outcome::kBad) {
      const SourceRecord r = batch.View(d);
      DeadLetter(&r, d.error);
      continue;
    }
    if (time_column >= 0) watermarks->Observe(d.partition, d.event_time_ms, batch.poll_time_ms);
    switch (d.outcome) {
      case Outcome::kBad:
      case Outcome::kBadAfterTime: {
        const SourceRecord r = batch.View(d);
        DeadLetter(&r, d.error);
        break;
      }
      case Outcome::kFiltered: ++live.filtered_events; break;
      case Outcome::kPass: {
        if (!windowed) {
          const SourceRecord r = batch.View(d);
          WriteOutput(d.row, &r);
          break;
        }
        WindowAggregator::AddResult added = window->Add(d.event_time_ms, d.keys, d.args);
        if (added.late > 0) Late(batch.View(d), d.event_time_ms, added.late_window_end);
        break;
      }
    }
  }
}

void Pipeline::Impl::Process(const PolledBatch& batch) {
  Aggregate(batch);
  if (!windowed) return;
  const int64_t wm = watermarks->Current(batch.after_poll_ms);
  if (wm != WatermarkTracker::kNoWatermark && wm > window->watermark()) {
    window->AdvanceWatermark(wm, [this](int64_t s, int64_t e, const Row& k, const Row& r) { EmitWindow(s, e, k, r); });
  }
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

namespace {

// The second core's share of decoding. The pipeline thread posts a polled batch; the worker claims chunks of it
// while the pipeline thread aggregates the batch before and polls the next one; then Finish has the pipeline thread
// claim the chunks left and waits for the worker to be done with the batch. So a batch is decoded by both threads
// (each with its own decoder) but handed over whole, and only the pipeline thread touches pipeline state.
class DecodeWorker {
 public:
  using DecodeChunks = std::function<void(PolledBatch&)>;

  explicit DecodeWorker(DecodeChunks decode) : decode_(std::move(decode)), thread_([this] { Loop(); }) {}
  ~DecodeWorker() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      quit_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

  // Lets the worker decode `batch` (cleared, filled, and not posted since).
  void Post(PolledBatch* batch) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      posted_ = batch;
    }
    cv_.notify_all();
  }

  // Decodes what the worker has not claimed of `batch` (posted or not) with `decode`, then waits until the worker is
  // done with it: on return every record of the batch is decoded and the worker no longer touches it.
  void Finish(PolledBatch* batch, const DecodeChunks& decode) {
    decode(*batch);
    std::unique_lock<std::mutex> lock(mu_);
    if (posted_ == batch) posted_ = nullptr;  // the worker never picked it up
    cv_.wait(lock, [&] { return !busy_; });
  }

 private:
  void Loop() {
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      cv_.wait(lock, [&] { return quit_ || posted_ != nullptr; });
      if (quit_) return;
      PolledBatch* batch = posted_;
      posted_ = nullptr;
      busy_ = true;
      lock.unlock();
      decode_(*batch);
      lock.lock();
      busy_ = false;
      cv_.notify_all();
    }
  }

  DecodeChunks decode_;
  std::mutex mu_;
  std::condition_variable cv_;
  PolledBatch* posted_ = nullptr;  // guarded by mu_
  bool busy_ = false;              // the worker is decoding a batch; guarded by mu_
  bool quit_ = false;              // guarded by mu_
  std::thread thread_;             // last: started once the members above exist
};

}  // namespace

// Records flow through two batches: while the worker decodes the batch polled last (`polled`), the pipeline thread
// aggregates the one decoded before it (`decoded`) and polls into the batch that frees. A batch is processed with the
// watermark as of its Poll's return (Process), as if right after that Poll, so windows fire after the same records;
// an empty Poll is a batch too (idleness). Positions, and so checkpoints, cover processed records only; records in
// flight are processed before a re-assignment of the source (which restarts it at the positions) and before the
// last checkpoint on stop.
Status Pipeline::Run(const std::atomic<bool>& stop) {
  Impl& m = *impl_;
  m.next_checkpoint_ms = NowMs() + m.env.checkpoint_interval_ms;
  m.next_discovery_ms = NowMs() + 1000;
  int64_t next_status_ms = 0;
  PolledBatch batches[2];
  PolledBatch* polled = nullptr;   // polled; decoded by the worker while the next Poll runs
  PolledBatch* decoded = nullptr;  // decoded; processed before the next Poll
  const DecodeWorker::DecodeChunks mine = [&m](PolledBatch& b) { m.DecodeChunks(b, m.scratch); };
  DecodeWorker worker([&m](PolledBatch& b) { m.DecodeChunks(b, m.worker_scratch); });  // after batches: joined first
  auto drain = [&] {
    if (decoded) m.Process(*decoded);
    decoded = nullptr;
    if (polled) {
      if (polled->size > 0) worker.Post(polled);
      worker.Finish(polled, mine);
      m.Process(*polled);
    }
    polled = nullptr;
  };
  while (!stop.load(std::memory_order_relaxed)) {
    if (polled && polled->size > 0) worker.Post(polled);
    if (decoded) m.Process(*decoded);
    decoded = nullptr;
    PolledBatch* fresh = polled == &batches[0] ? &batches[1] : &batches[0];
    fresh->Clear();
    fresh->poll_time_ms = NowMs();
    // Records in flight must not wait for new ones.
    const int wait = polled && polled->size > 0
                         ? 0
                         : static_cast<int>(std::clamp<int64_t>(m.next_checkpoint_ms - fresh->poll_time_ms, 1, 100));
    Result<size_t> n = m.source->Poll(wait, 8192, [fresh](const SourceRecord& r) { fresh->Append(r); });
    fresh->after_poll_ms = NowMs();
    if (polled) {
      worker.Finish(polled, mine);  // also when Poll failed: the worker must be done with the batch
      decoded = polled;
    }
    polled = fresh;
    if (!n.ok()) return n.status();
    const int64_t now = fresh->after_poll_ms;
    if (now >= m.next_discovery_ms) {
      drain();  // DiscoverPartitions may Assign, which restarts the source at the positions
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
      next_status_ms = now + m.env.status_interval_ms;
    }
  }
  drain();
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
