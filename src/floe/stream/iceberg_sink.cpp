#include "floe/stream/iceberg_sink.h"

#include <charconv>
#include <chrono>

#include "floe/base/logging.h"
#include "floe/base/uuid.h"
#include "floe/iceberg/table_maintenance.h"
#include "floe/iceberg/table_updates.h"

namespace floe::stream {
namespace {

constexpr std::string_view kJobIdKey = "floe.job-id";
constexpr std::string_view kPipelineKey = "floe.pipeline";
constexpr std::string_view kCheckpointKey = "floe.checkpoint-id";
constexpr std::string_view kOffsetsKey = "floe.source-offsets";
constexpr std::string_view kWatermarkKey = "floe.watermark";
constexpr int64_t kFlushRows = 65536;  // rows buffered in columns before they go to the Parquet writer
constexpr int kCommitAttempts = 8;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<int64_t> ParseInt(std::string_view text, std::string_view what) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size()) {
    return Status::InvalidArgument(fmt::format("{}: '{}' is not an integer", what, text));
  }
  return v;
}

Result<iceberg::TypePtr> IcebergTypeOf(const sql::DataType& type) {
  FLOE_ASSIGN_OR_RETURN(std::string name, sql::IcebergTypeName(type));
  return iceberg::Type::ParsePrimitive(name);
}

bool IsTimestampType(const iceberg::TypePtr& t) {
  return t->id == iceberg::TypeId::kTimestamp || t->id == iceberg::TypeId::kTimestampTz;
}

// Appends `d` (of SQL type `from`) to a column of storage type `col`.
void AppendDatum(const Datum& d, const sql::DataType& from, formats::ColumnVector* col) {
  if (d.null) {
    col->AppendNull();
    return;
  }
  switch (col->type().id) {
    case formats::ColumnType::kBoolean: col->Append<uint8_t>(d.b ? 1 : 0); break;
    case formats::ColumnType::kInt32:
    case formats::ColumnType::kDate: col->Append<int32_t>(static_cast<int32_t>(d.i)); break;
    case formats::ColumnType::kInt64:
    case formats::ColumnType::kTimestamp:
    case formats::ColumnType::kTimestampTz: col->Append<int64_t>(d.i); break;
    case formats::ColumnType::kFloat:
      col->Append<float>(from.is_approximate() ? static_cast<float>(d.d) : static_cast<float>(d.i));
      break;
    case formats::ColumnType::kDouble:
      col->Append<double>(from.is_approximate() ? d.d : static_cast<double>(d.i));
      break;
    case formats::ColumnType::kDecimal:
      col->Append<int64_t>(from.is_decimal() ? static_cast<int64_t>(d.dec) : d.i);
      break;
    case formats::ColumnType::kString:
    case formats::ColumnType::kBinary: col->AppendString(d.s); break;
  }
}

// Whether a column of SQL type `from` can be stored in a table column of Iceberg type `to` without loss.
bool Storable(const sql::DataType& from, const iceberg::TypePtr& to) {
  auto name = sql::IcebergTypeName(from);
  if (!name.ok()) return false;
  auto own = iceberg::Type::ParsePrimitive(*name);
  if (!own.ok()) return false;
  if ((*own)->ToString() == to->ToString()) return true;
  using iceberg::TypeId;
  const TypeId a = (*own)->id, b = to->id;
  if (a == TypeId::kInt && b == TypeId::kLong) return true;
  if (a == TypeId::kFloat && b == TypeId::kDouble) return true;
  if ((a == TypeId::kInt || a == TypeId::kLong) && (b == TypeId::kDouble)) return true;
  // TIMESTAMP and TIMESTAMP_LTZ hold the same micros in UTC (the session time zone).
  if ((a == TypeId::kTimestamp || a == TypeId::kTimestampTz) && (b == TypeId::kTimestamp || b == TypeId::kTimestampTz))
    return true;
  return false;
}

}  // namespace

std::string FormatSourceOffsets(const SourceOffsets& offsets) {
  std::string out;
  for (const auto& [topic, parts] : offsets) {
    for (const auto& [p, off] : parts) {
      if (!out.empty()) out += ',';
      out += fmt::format("{}:{}={}", topic, p, off);
    }
  }
  return out;
}

Result<SourceOffsets> ParseSourceOffsets(std::string_view text) {
  SourceOffsets out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find(',', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view item = text.substr(pos, end - pos);
    const size_t colon = item.rfind(':');
    const size_t eq = item.rfind('=');
    if (colon == std::string_view::npos || eq == std::string_view::npos || eq < colon || colon == 0) {
      return Status::InvalidArgument(fmt::format("source offsets: '{}' is not <topic>:<partition>=<offset>", item));
    }
    FLOE_ASSIGN_OR_RETURN(int64_t p, ParseInt(item.substr(colon + 1, eq - colon - 1), "source offsets partition"));
    FLOE_ASSIGN_OR_RETURN(int64_t off, ParseInt(item.substr(eq + 1), "source offsets offset"));
    out[std::string(item.substr(0, colon))][static_cast<int32_t>(p)] = off;
    pos = end + 1;
  }
  return out;
}

std::string FormatCheckpointProperty(const CommittedCheckpoint& c) {
  return fmt::format("checkpoint={};watermark={};offsets={}", c.checkpoint_id,
                     c.watermark_ms ? std::to_string(*c.watermark_ms) : std::string("none"),
                     FormatSourceOffsets(c.offsets));
}

Result<CommittedCheckpoint> ParseCheckpointProperty(std::string_view text) {
  CommittedCheckpoint c;
  bool have_id = false;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find(';', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view item = text.substr(pos, end - pos);
    const size_t eq = item.find('=');
    if (eq == std::string_view::npos) {
      return Status::Corruption(fmt::format("'{}' is not key=value", item));
    }
    std::string_view key = item.substr(0, eq), value = item.substr(eq + 1);
    if (key == "checkpoint") {
      FLOE_ASSIGN_OR_RETURN(c.checkpoint_id, ParseInt(value, "checkpoint"));
      have_id = true;
    } else if (key == "snapshot") {
      FLOE_ASSIGN_OR_RETURN(c.snapshot_id, ParseInt(value, "snapshot"));
    } else if (key == "watermark") {
      if (value != "none") {
        FLOE_ASSIGN_OR_RETURN(int64_t wm, ParseInt(value, "watermark"));
        c.watermark_ms = wm;
      }
    } else if (key == "offsets") {
      FLOE_ASSIGN_OR_RETURN(c.offsets, ParseSourceOffsets(value));
    }
    pos = end + 1;
  }
  if (!have_id) return Status::Corruption(fmt::format("'{}' has no checkpoint=<id>", text));
  return c;
}

IcebergSink::~IcebergSink() = default;

Result<std::unique_ptr<IcebergSink>> IcebergSink::Open(catalog::Catalog* catalog, const sql::TableDefinition& table,
                                                       IcebergSinkOptions options) {
  std::unique_ptr<IcebergSink> sink(new IcebergSink());
  sink->catalog_ = catalog;
  sink->options_ = std::move(options);
  sink->table_name_ = sink->options_.table.ToString();
  const std::string& name = sink->table_name_;

  // The definition's writable columns, in order: the rows the pipeline hands over.
  std::vector<iceberg::NestedField> fields;
  std::vector<int> partition_candidates;
  for (const sql::TableColumn& c : table.columns) {
    if (!c.writable()) continue;
    auto type = IcebergTypeOf(c.type);
    if (!type.ok()) return type.status().WithContext(fmt::format("sink table {} column {}", table.name, c.name));
    iceberg::TypePtr t = *type;
    iceberg::NestedField f;
    f.id = static_cast<int32_t>(fields.size() + 1);
    f.name = c.name;
    f.required = !c.type.nullable;
    f.type = t;
    fields.push_back(f);
    sink->column_types_.push_back(c.type);
    sink->column_names_.push_back(c.name);
    sink->required_.push_back(!c.type.nullable);
  }

  catalog::CommitMeta meta;
  meta.author = "floe job " + sink->options_.job_id;
  auto loaded = catalog->LoadTable(sink->options_.table);
  if (!loaded.ok() && loaded.status().code() == StatusCode::kNotFound) {
    const catalog::Namespace& ns = sink->options_.table.ns;
    if (auto props = catalog->LoadNamespace(ns); !props.ok()) {
      meta.message = "create namespace " + catalog::NamespaceToString(ns) + " for job " + sink->options_.job_id;
      Status s = catalog->CreateNamespace(ns, {}, meta);
      if (!s.ok() && s.code() != StatusCode::kAlreadyExists) return s.WithContext("sink table " + name);
    }
    catalog::CreateTableRequest req;
    req.name = sink->options_.table.name;
    req.schema = iceberg::Schema(0, fields);
    // Partitioning: the table's PARTITIONED BY columns (identity), else day of window_start or the first timestamp.
    int32_t next_id = iceberg::kPartitionDataIdStart;
    auto add_partition = [&](const iceberg::NestedField& f, iceberg::Transform t, std::string pname) {
      iceberg::PartitionField pf;
      pf.source_id = f.id;
      pf.field_id = next_id++;
      pf.name = std::move(pname);
      pf.transform = t;
      req.spec.fields.push_back(pf);
    };
    if (!table.partition_keys.empty()) {
      for (int k : table.partition_keys) {
        for (const auto& f : fields) {
          if (f.name == table.columns[static_cast<size_t>(k)].name)
            add_partition(f, iceberg::Transform::Identity(), f.name);
        }
      }
    } else {
      const iceberg::NestedField* chosen = nullptr;
      for (const auto& f : fields) {
        if (f.name == "window_start" && IsTimestampType(f.type)) chosen = &f;
      }
      for (const auto& f : fields) {
        if (!chosen && IsTimestampType(f.type)) chosen = &f;
      }
      if (chosen) add_partition(*chosen, iceberg::Transform::Day(), chosen->name + "_day");
    }
    req.properties["write.target-file-size-bytes"] = std::to_string(sink->options_.target_file_bytes);
    meta.message = "create table " + name + " for job " + sink->options_.job_id;
    auto created = catalog->CreateTable(ns, req, meta);
    if (!created.ok() && created.status().code() != StatusCode::kAlreadyExists) {
      return created.status().WithContext("creating sink table " + name);
    }
    FLOE_LOG_INFO("sink table created", {{"table", name}, {"job", sink->options_.job_id}});
    loaded = catalog->LoadTable(sink->options_.table);
  }
  if (!loaded.ok()) return loaded.status().WithContext("loading sink table " + name);
  sink->state_ = std::move(*loaded);

  FLOE_ASSIGN_OR_RETURN(sink->io_, catalog->FileIOFor(sink->state_.metadata.location));
  meta.message = "job " + sink->options_.job_id + " checkpoint";
  sink->ops_ = std::make_unique<catalog::CatalogTableOperations>(*catalog, sink->options_.table, sink->io_, meta);

  // Map the table's columns to the definition's.
  const iceberg::Schema& schema = sink->state_.metadata.CurrentSchema();
  auto column_schema = iceberg::ToColumnSchema(schema);
  if (!column_schema.ok()) return column_schema.status().WithContext("sink table " + name);
  const formats::Schema& columns = *column_schema;
  std::vector<bool> used(sink->column_names_.size(), false);
  for (size_t i = 0; i < schema.fields().size(); ++i) {
    const iceberg::NestedField& f = schema.fields()[i];
    int found = -1;
    for (size_t c = 0; c < sink->column_names_.size(); ++c) {
      if (sink->column_names_[c] == f.name) found = static_cast<int>(c);
    }
    if (found < 0 && f.required) {
      return Status::InvalidArgument(fmt::format(
          "sink table {}: the Iceberg table has a required column '{}' that the job's table {} does not write", name,
          f.name, table.name));
    }
    if (found >= 0) {
      if (!Storable(sink->column_types_[static_cast<size_t>(found)], f.type)) {
        return Status::InvalidArgument(fmt::format(
            "sink table {}: column '{}' is {} in the Iceberg table but {} in the job's table {}", name, f.name,
            f.type->ToString(), sink->column_types_[static_cast<size_t>(found)].ToString(), table.name));
      }
      used[static_cast<size_t>(found)] = true;
    }
    sink->column_for_field_.push_back(found);
    sink->storage_types_.push_back(columns.fields[i].type);
  }
  for (size_t c = 0; c < used.size(); ++c) {
    if (!used[c]) {
      return Status::InvalidArgument(fmt::format("sink table {} has no column '{}' that the job's table {} writes",
                                                 name, sink->column_names_[c], table.name));
    }
  }
  for (const formats::DataType& t : sink->storage_types_) sink->buffer_.emplace_back(t);
  sink->last_compaction_ms_ = NowMs();
  return sink;
}

std::string IcebergSink::CheckpointProperty() const {
  return fmt::format("floe.checkpoint.{}.{}", options_.job_id, options_.pipeline);
}

Result<std::optional<CommittedCheckpoint>> IcebergSink::LastCommittedCheckpoint() {
  FLOE_ASSIGN_OR_RETURN(state_, ops_->Load());
  const iceberg::TableMetadata& m = state_.metadata;
  // The table property the checkpoint commits set (see Commit) is the record; snapshots are walked only for tables
  // written before floe kept it.
  if (auto it = m.properties.find(CheckpointProperty()); it != m.properties.end()) {
    auto parsed = ParseCheckpointProperty(it->second);
    if (!parsed.ok()) {
      return parsed.status().WithContext(fmt::format("{}: table property {}", table_name_, CheckpointProperty()));
    }
    return std::optional<CommittedCheckpoint>(std::move(*parsed));
  }
  const iceberg::Snapshot* s = m.SnapshotForRef(iceberg::kMainBranch);
  for (int steps = 0; s != nullptr && steps < 100000; ++steps) {
    const std::string* job = s->FindSummary(kJobIdKey);
    const std::string* pipeline = s->FindSummary(kPipelineKey);
    if (job && pipeline && *job == options_.job_id && *pipeline == options_.pipeline) {
      CommittedCheckpoint c;
      c.snapshot_id = s->snapshot_id;
      const std::string* id = s->FindSummary(kCheckpointKey);
      if (!id)
        return Status::Corruption(
            fmt::format("{}: snapshot {} has no {}", table_name_, s->snapshot_id, kCheckpointKey));
      FLOE_ASSIGN_OR_RETURN(c.checkpoint_id, ParseInt(*id, kCheckpointKey));
      if (const std::string* o = s->FindSummary(kOffsetsKey)) {
        FLOE_ASSIGN_OR_RETURN(c.offsets, ParseSourceOffsets(*o));
      }
      if (const std::string* w = s->FindSummary(kWatermarkKey); w && *w != "none") {
        FLOE_ASSIGN_OR_RETURN(int64_t wm, ParseInt(*w, kWatermarkKey));
        c.watermark_ms = wm;
      }
      return std::optional<CommittedCheckpoint>(std::move(c));
    }
    if (!s->parent_snapshot_id) break;
    s = m.SnapshotById(*s->parent_snapshot_id);
  }
  return std::optional<CommittedCheckpoint>();
}

Status IcebergSink::StartWriter() {
  iceberg::DataFileWriterOptions wo;
  wo.target_file_bytes = options_.target_file_bytes;
  wo.file_prefix = fmt::format("{}-{}", options_.pipeline, NewUuid());
  const iceberg::TableMetadata& m = state_.metadata;
  FLOE_ASSIGN_OR_RETURN(
      iceberg::DataFileWriter w,
      iceberg::DataFileWriter::Make(io_.get(), m.CurrentSchema(), m.DefaultSpec(), m.location + "/data", wo));
  writer_.emplace(std::move(w));
  return Status::Ok();
}

Status IcebergSink::Write(const Row& row) {
  for (size_t c = 0; c < required_.size(); ++c) {
    if (required_[c] && row[c].null) {
      return Status::InvalidArgument(
          fmt::format("sink {}: NULL in NOT NULL column '{}' (table.exec.sink.not-null-enforcer=ERROR)", table_name_,
                      column_names_[c]));
    }
  }
  for (size_t f = 0; f < buffer_.size(); ++f) {
    const int c = column_for_field_[f];
    if (c < 0) {
      buffer_[f].AppendNull();
    } else {
      AppendDatum(row[static_cast<size_t>(c)], column_types_[static_cast<size_t>(c)], &buffer_[f]);
    }
  }
  ++buffered_rows_;
  if (buffered_rows_ % kFlushRows == 0) return FlushBuffer();
  return Status::Ok();
}

Status IcebergSink::FlushBuffer() {
  if (buffer_.empty() || buffer_[0].size() == 0) return Status::Ok();
  if (!writer_) FLOE_RETURN_IF_ERROR(StartWriter());
  FLOE_RETURN_IF_ERROR(writer_->Write(buffer_).WithContext("writing data files of " + table_name_));
  for (size_t f = 0; f < buffer_.size(); ++f) buffer_[f] = formats::ColumnVector(storage_types_[f]);
  return Status::Ok();
}

Result<int64_t> IcebergSink::Commit(int64_t checkpoint_id, int64_t previous_checkpoint_id, const SourceOffsets& offsets,
                                    std::optional<int64_t> watermark_ms) {
  FLOE_RETURN_IF_ERROR(FlushBuffer());
  if (writer_) {
    FLOE_ASSIGN_OR_RETURN(std::vector<iceberg::DataFile> files, writer_->Finish());
    writer_.reset();
    for (auto& f : files) written_.push_back(std::move(f));
  }
  iceberg::CommitOptions co;
  co.summary = {{std::string(kJobIdKey), options_.job_id},
                {std::string(kPipelineKey), options_.pipeline},
                {std::string(kCheckpointKey), std::to_string(checkpoint_id)},
                {std::string(kOffsetsKey), FormatSourceOffsets(offsets)},
                {std::string(kWatermarkKey), watermark_ms ? std::to_string(*watermark_ms) : std::string("none")}};
  Status last = Status::Ok();
  for (int attempt = 0; attempt < kCommitAttempts; ++attempt) {
    FLOE_ASSIGN_OR_RETURN(std::optional<CommittedCheckpoint> committed, LastCommittedCheckpoint());
    const int64_t found = committed ? committed->checkpoint_id : 0;
    if (found != previous_checkpoint_id) {
      return Status::Conflict(fmt::format(
          "sink {}: the table's newest checkpoint of job {} pipeline {} is {}, but this instance continues from {}: "
          "another instance of the job is writing to the table",
          table_name_, options_.job_id, options_.pipeline, found, previous_checkpoint_id));
    }
    const iceberg::Snapshot* head = state_.metadata.SnapshotForRef(iceberg::kMainBranch);
    co.expected_snapshot_id = head ? head->snapshot_id : 0;
    CommittedCheckpoint record;
    record.checkpoint_id = checkpoint_id;
    record.offsets = offsets;
    record.watermark_ms = watermark_ms;
    co.set_properties[CheckpointProperty()] = FormatCheckpointProperty(record);
    auto r = iceberg::AppendFiles(*ops_, written_, co);
    if (r.ok()) {
      state_ = std::move(*r);
      int64_t rows = 0;
      for (const auto& f : written_) rows += f.record_count;
      rows_committed_ += rows;
      written_.clear();
      buffered_rows_ = 0;
      ++commits_;
      ++commits_since_maintenance_;
      const iceberg::Snapshot* s = state_.metadata.SnapshotForRef(iceberg::kMainBranch);
      return s ? s->snapshot_id : 0;
    }
    last = r.status();
    if (last.code() != StatusCode::kConflict) break;  // another writer's commit landed in between: look again
  }
  return last.WithContext(fmt::format("committing checkpoint {} to {}", checkpoint_id, table_name_));
}

void IcebergSink::MaintainIfDue(int64_t now_ms) {
  if (options_.compact_interval_ms <= 0 || commits_since_maintenance_ == 0 ||
      now_ms - last_compaction_ms_ < options_.compact_interval_ms) {
    return;
  }
  last_compaction_ms_ = now_ms;
  commits_since_maintenance_ = 0;
  if (options_.compact_min_files > 0) {
    iceberg::CompactOptions co;
    co.min_input_files = options_.compact_min_files;
    co.target_file_bytes = options_.target_file_bytes;
    auto r = iceberg::CompactTable(*ops_, co);
    if (!r.ok()) {
      FLOE_LOG_WARN("compaction failed; will retry later", {{"table", table_name_}, {"error", r.status().ToString()}});
    } else if (r->rewritten_files > 0) {
      FLOE_LOG_INFO("compacted", {{"table", table_name_},
                                  {"partitions", r->partitions},
                                  {"files_in", r->rewritten_files},
                                  {"files_out", r->added_files}});
    }
  }
  if (options_.retain_snapshots > 0) {
    iceberg::ExpireOptions eo;
    eo.older_than_ms = now_ms - options_.expire_after_ms;
    eo.retain_last = options_.retain_snapshots;
    auto r = iceberg::ExpireSnapshots(*ops_, eo);
    if (!r.ok()) {
      FLOE_LOG_WARN("snapshot expiry failed; will retry later",
                    {{"table", table_name_}, {"error", r.status().ToString()}});
    }
  }
  if (auto s = ops_->Load(); s.ok()) state_ = std::move(*s);
}

}  // namespace floe::stream
