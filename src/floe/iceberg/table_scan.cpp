#include "floe/iceberg/table_scan.h"

#include <algorithm>
#include <deque>
#include <future>
#include <set>

#include "floe/iceberg/data_file_reader.h"
#include "floe/iceberg/row_filter.h"

namespace floe::iceberg {
namespace {

Result<const Snapshot*> ChooseSnapshot(const TableMetadata& m, const ScanOptions& o) {
  const int chosen = (o.snapshot_id ? 1 : 0) + (o.as_of_timestamp_ms ? 1 : 0) + (o.ref ? 1 : 0);
  if (chosen > 1) return Status::InvalidArgument("scan: give at most one of a snapshot id, a timestamp and a ref");
  if (o.snapshot_id) {
    const Snapshot* s = m.SnapshotById(*o.snapshot_id);
    if (!s) return Status::NotFound("scan: the table has no snapshot " + std::to_string(*o.snapshot_id));
    return s;
  }
  if (o.as_of_timestamp_ms) {
    const Snapshot* s = m.SnapshotAsOf(*o.as_of_timestamp_ms);
    if (!s) {
      return Status::NotFound("scan: the table had no snapshot at " +
                              Literal::TimestampTz(*o.as_of_timestamp_ms * 1000).ToString());
    }
    return s;
  }
  if (o.ref) {
    const Snapshot* s = m.SnapshotForRef(*o.ref);
    if (!s) return Status::NotFound("scan: the table has no branch or tag '" + *o.ref + "'");
    return s;
  }
  return m.CurrentSnapshot();
}

std::string ColumnNames(const Schema& s) {
  std::string out;
  for (const NestedField& f : s.fields()) out += (out.empty() ? "" : ", ") + f.name;
  return out;
}

bool SameName(std::string_view a, std::string_view b, bool case_sensitive) {
  if (case_sensitive) return a == b;
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// The rows of one data file that match, as batches of the read schema's columns cut down to the projection.
struct TaskOutput {
  Status status;
  std::vector<std::vector<formats::ColumnVector>> batches;
  int64_t row_groups = 0;
  int64_t row_groups_skipped = 0;
};

TaskOutput ReadTask(io::FileIO& io, const FileScanTask& task, const Schema& read_schema, size_t output_columns,
                    const ExpressionPtr& filter, const NameMapping* name_mapping) {
  TaskOutput out;
  auto reader = DataFileReader::Open(&io, task.file, read_schema, name_mapping);
  if (!reader.ok()) {
    out.status = reader.status();
    return out;
  }
  std::vector<int32_t> ids;
  for (const NestedField& f : read_schema.fields()) ids.push_back(f.id);
  const bool filtering = filter && filter->op != ExprOp::kTrue;
  for (int rg = 0; rg < reader->row_groups(); ++rg) {
    ++out.row_groups;
    if (filtering && !MetricsMightMatch(filter, read_schema, reader->RowGroupMetrics(rg))) {
      ++out.row_groups_skipped;
      continue;
    }
    auto batch = reader->ReadRowGroup(rg);
    if (!batch.ok()) {
      out.status = batch.status();
      return out;
    }
    std::vector<formats::ColumnVector> columns = std::move(*batch);
    if (filtering) {
      auto keep = EvaluateBatch(filter, ids, columns);
      if (!keep.ok()) {
        out.status = keep.status().WithContext("data file " + task.file.file_path);
        return out;
      }
      const size_t kept = static_cast<size_t>(std::count_if(keep->begin(), keep->end(), [](uint8_t k) { return k; }));
      if (kept == 0) continue;
      if (kept != keep->size()) {
        for (size_t c = 0; c < output_columns; ++c) columns[c] = SelectRows(columns[c], *keep);
      }
    }
    columns.resize(output_columns);
    out.batches.push_back(std::move(columns));
  }
  return out;
}

}  // namespace

formats::ColumnVector SelectRows(const formats::ColumnVector& column, const std::vector<uint8_t>& keep) {
  formats::ColumnVector out(column.type());
  const size_t n = std::min(column.size(), keep.size());
  const bool strings = formats::IsVariableWidth(column.type().id);
  const int width = column.width();
  for (size_t i = 0; i < n; ++i) {
    if (!keep[i]) continue;
    if (column.IsNull(i)) {
      out.AppendNull();
    } else if (strings) {
      out.AppendString(column.string(i));
    } else {
      out.AppendFixed(column.data() + i * static_cast<size_t>(width), 1);
    }
  }
  return out;
}

Result<TableScan> TableScan::Plan(io::FileIO& io, const TableMetadata& m, const ScanOptions& options) {
  FLOE_ASSIGN_OR_RETURN(const Snapshot* snapshot, ChooseSnapshot(m, options));
  TableScan scan;
  const Schema* schema = &m.CurrentSchema();
  if (snapshot && snapshot->schema_id && (options.snapshot_id || options.as_of_timestamp_ms || options.ref)) {
    if (const Schema* s = m.SchemaById(*snapshot->schema_id)) schema = s;
  }
  // The projection, in the order asked for.
  std::vector<NestedField> fields;
  if (options.columns.empty()) {
    fields = schema->fields();
  } else {
    for (const std::string& name : options.columns) {
      const NestedField* found = nullptr;
      for (const NestedField& f : schema->fields()) {
        if (SameName(f.name, name, options.case_sensitive)) found = &f;
      }
      if (!found) {
        return Status::InvalidArgument("scan: unknown column '" + name + "'; the table has: " + ColumnNames(*schema));
      }
      fields.push_back(*found);
    }
  }
  scan.projection_ = Schema(schema->schema_id(), fields);
  scan.filter_ = Expr::True();
  if (options.filter) {
    FLOE_ASSIGN_OR_RETURN(scan.filter_, Bind(*schema, options.filter, options.case_sensitive));
  }
  // Columns the filter needs beyond the projection are read too, then dropped.
  std::vector<NestedField> read_fields = fields;
  for (int32_t id : ReferencedFieldIds(scan.filter_)) {
    if (std::none_of(read_fields.begin(), read_fields.end(), [&](const NestedField& f) { return f.id == id; })) {
      const NestedField* f = schema->FindById(id);
      if (!f || !f->type->is_primitive() ||
          std::none_of(schema->fields().begin(), schema->fields().end(),
                       [&](const NestedField& top) { return top.id == id; })) {
        return Status::Unsupported("scan: filtering on nested column '" + schema->NameOf(id) + "' is not supported");
      }
      read_fields.push_back(*f);
    }
  }
  scan.read_schema_ = Schema(schema->schema_id(), read_fields);
  if (const std::string mapping = m.Property("schema.name-mapping.default", ""); !mapping.empty()) {
    FLOE_ASSIGN_OR_RETURN(scan.name_mapping_, ParseNameMapping(mapping));
  }
  if (!snapshot) return scan;
  scan.snapshot_id_ = snapshot->snapshot_id;

  FLOE_ASSIGN_OR_RETURN(std::string list_bytes, io.Read(snapshot->manifest_list));
  FLOE_ASSIGN_OR_RETURN(std::vector<ManifestFile> manifests, ReadManifestList(list_bytes, snapshot->manifest_list));
  const bool filtering = scan.filter_->op != ExprOp::kTrue;
  for (const ManifestFile& mf : manifests) {
    if (mf.content != ManifestContent::kData) {
      return Status::Unsupported("scan: the table has delete files (manifest " + mf.manifest_path +
                                 "); floe does not apply row-level deletes yet");
    }
    ++scan.metrics_.manifests;
    const PartitionSpec* spec = m.SpecById(mf.partition_spec_id);
    if (!spec) {
      return Status::Corruption("manifest " + mf.manifest_path + " has partition spec " +
                                std::to_string(mf.partition_spec_id) + ", which the table does not define");
    }
    ExpressionPtr projected = Expr::True();
    TypePtr partition_type;
    if (filtering) {
      // The partition spec's source columns are looked up in the table's current schema, which keeps every column
      // a spec uses (they cannot be dropped).
      FLOE_ASSIGN_OR_RETURN(partition_type, spec->PartitionType(m.CurrentSchema()));
      FLOE_ASSIGN_OR_RETURN(projected, ProjectInclusive(scan.filter_, *schema, *spec));
      if (!ManifestMightMatch(projected, *spec, partition_type, mf)) {
        ++scan.metrics_.manifests_skipped;
        continue;
      }
    }
    FLOE_ASSIGN_OR_RETURN(std::string bytes, io.Read(mf.manifest_path));
    FLOE_ASSIGN_OR_RETURN(std::vector<ManifestEntry> entries, ReadManifest(bytes, mf, m.CurrentSchema(), *spec));
    for (ManifestEntry& e : entries) {
      if (e.status == ManifestEntryStatus::kDeleted) continue;
      ++scan.metrics_.files;
      if (filtering) {
        if (!PartitionMightMatch(projected, e.data_file.partition)) {
          ++scan.metrics_.files_skipped_by_partition;
          continue;
        }
        if (!MetricsMightMatch(scan.filter_, *schema, e.data_file)) {
          ++scan.metrics_.files_skipped_by_metrics;
          continue;
        }
      }
      scan.tasks_.push_back({std::move(e.data_file), e.sequence_number.value_or(0)});
    }
  }
  return scan;
}

Status TableScan::Read(io::FileIO& io, const std::function<Status(std::vector<formats::ColumnVector>&&)>& consume,
                       int parallelism) {
  const size_t outputs = projection_.fields().size();
  std::deque<std::future<TaskOutput>> pending;
  const NameMapping* mapping = name_mapping_ ? &*name_mapping_ : nullptr;
  size_t next = 0;
  auto launch = [&] {
    const FileScanTask& task = tasks_[next++];
    if (parallelism <= 1) {
      std::promise<TaskOutput> p;
      p.set_value(ReadTask(io, task, read_schema_, outputs, filter_, mapping));
      pending.push_back(p.get_future());
    } else {
      pending.push_back(std::async(std::launch::async, [this, &io, &task, outputs, mapping] {
        return ReadTask(io, task, read_schema_, outputs, filter_, mapping);
      }));
    }
  };
  Status result;
  while (next < tasks_.size() || !pending.empty()) {
    while (next < tasks_.size() && static_cast<int>(pending.size()) < std::max(1, parallelism)) launch();
    TaskOutput out = pending.front().get();
    pending.pop_front();
    metrics_.row_groups += out.row_groups;
    metrics_.row_groups_skipped += out.row_groups_skipped;
    if (!out.status.ok()) {
      result = out.status;
      break;
    }
    for (auto& batch : out.batches) {
      result = consume(std::move(batch));
      if (!result.ok()) break;
    }
    if (!result.ok()) break;
  }
  for (auto& f : pending) f.wait();  // threads reference this scan
  return result;
}

}  // namespace floe::iceberg
