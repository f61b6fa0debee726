#include "floe/iceberg/table_updates.h"

#include <algorithm>
#include <set>
#include <unordered_set>

#include "floe/base/uuid.h"
#include "floe/iceberg/literal_codec.h"

namespace floe::iceberg {
namespace {

std::string MetadataDir(const TableMetadata& m) {
  std::string dir = m.Property("write.metadata.path", "");
  if (dir.empty()) {
    dir = m.location;
    while (!dir.empty() && dir.back() == '/') dir.pop_back();
    dir += "/metadata";
  }
  while (!dir.empty() && dir.back() == '/') dir.pop_back();
  return dir;
}

// A partition's identity for "changed-partition-count": the spec and the serialized values.
std::string PartitionKey(const DataFile& f) {
  std::string key = std::to_string(f.spec_id);
  for (const auto& v : f.partition) {
    key.push_back('\x1f');
    if (v) {
      key.push_back('v');
      key += SerializeValue(*v);
    } else {
      key.push_back('n');
    }
  }
  return key;
}

int64_t SummaryLong(const Snapshot* s, std::string_view key, bool* present) {
  if (!s) {
    *present = true;
    return 0;
  }
  const std::string* v = s->FindSummary(key);
  if (!v) {
    *present = false;
    return 0;
  }
  try {
    return std::stoll(*v);
  } catch (...) {
    *present = false;
    return 0;
  }
}

// One snapshot-producing change: what is added and what is removed.
struct SnapshotChange {
  std::string operation;
  const std::vector<DataFile>* added = nullptr;
  const std::set<std::string>* deleted_paths = nullptr;          // rewrite: must all be live
  const std::function<bool(const DataFile&)>* remove = nullptr;  // overwrite
};

class SnapshotBuilder {
 public:
  SnapshotBuilder(io::FileIO& io, const TableMetadata& base, const CommitOptions& options)
      : io_(io), base_(base), options_(options) {}

  // Builds the new metadata; every file written is recorded for cleanup if the commit fails.
  Result<TableMetadata> Build(const SnapshotChange& change) {
    const Snapshot* parent = base_.SnapshotForRef(options_.branch);
    if (!parent && base_.refs.count(options_.branch)) {
      return Status::Corruption("branch '" + options_.branch + "' points at a snapshot the table does not have");
    }
    std::vector<ManifestFile> manifests;
    if (parent) {
      FLOE_ASSIGN_OR_RETURN(manifests, SnapshotManifests(io_, *parent));
    }
    snapshot_id_ = NewPositiveId();
    while (base_.SnapshotById(snapshot_id_)) snapshot_id_ = NewPositiveId();
    sequence_number_ = base_.last_sequence_number + 1;
    const Schema& schema = base_.CurrentSchema();

    std::vector<ManifestFile> kept;
    std::set<std::string> found;
    int64_t deleted_files = 0, deleted_rows = 0, removed_bytes = 0;
    std::set<std::string> partitions;
    const bool deletes = (change.deleted_paths && !change.deleted_paths->empty()) || change.remove;
    for (ManifestFile& m : manifests) {
      if (!deletes || m.content != ManifestContent::kData ||
          (m.added_files_count == 0 && m.existing_files_count == 0)) {
        // Manifests that only record deletes of earlier snapshots are dropped, as Java does.
        if (m.added_files_count == 0 && m.existing_files_count == 0 && m.content == ManifestContent::kData &&
            m.deleted_files_count > 0) {
          continue;
        }
        kept.push_back(std::move(m));
        continue;
      }
      const PartitionSpec* spec = base_.SpecById(m.partition_spec_id);
      if (!spec) {
        return Status::Corruption("manifest " + m.manifest_path + " has partition spec " +
                                  std::to_string(m.partition_spec_id) + ", which the table does not define");
      }
      FLOE_ASSIGN_OR_RETURN(std::string bytes, io_.Read(m.manifest_path));
      FLOE_ASSIGN_OR_RETURN(std::vector<ManifestEntry> entries, ReadManifest(bytes, m, schema, *spec));
      std::vector<bool> matched(entries.size(), false);
      bool any = false;
      for (size_t i = 0; i < entries.size(); ++i) {
        const ManifestEntry& e = entries[i];
        if (e.status == ManifestEntryStatus::kDeleted) continue;
        const bool hit = (change.deleted_paths && change.deleted_paths->count(e.data_file.file_path)) ||
                         (change.remove && (*change.remove)(e.data_file));
        if (hit) {
          matched[i] = true;
          any = true;
          found.insert(e.data_file.file_path);
        }
      }
      if (!any) {
        kept.push_back(std::move(m));
        continue;
      }
      FLOE_ASSIGN_OR_RETURN(ManifestWriter writer,
                            ManifestWriter::Make(schema, *spec, snapshot_id_, ManifestContent::kData));
      std::optional<int64_t> min_sequence;
      for (size_t i = 0; i < entries.size(); ++i) {
        const ManifestEntry& e = entries[i];
        if (e.status == ManifestEntryStatus::kDeleted) continue;
        if (matched[i]) {
          FLOE_RETURN_IF_ERROR(writer.Delete(e));
          ++deleted_files;
          deleted_rows += e.data_file.record_count;
          removed_bytes += e.data_file.file_size_in_bytes;
          partitions.insert(PartitionKey(e.data_file));
        } else {
          FLOE_RETURN_IF_ERROR(writer.Existing(e));
          const int64_t seq = e.sequence_number.value_or(0);
          min_sequence = min_sequence ? std::min(*min_sequence, seq) : seq;
        }
      }
      FLOE_ASSIGN_OR_RETURN(ManifestFile written, WriteManifest(writer));
      written.min_sequence_number = min_sequence.value_or(kUnassignedSequenceNumber);
      kept.push_back(std::move(written));
    }
    if (change.deleted_paths) {
      for (const std::string& path : *change.deleted_paths) {
        if (!found.count(path)) {
          return Status::Conflict("file " + path + " is no longer in the table (another commit removed it)");
        }
      }
    }

    std::vector<ManifestFile> list;
    int64_t added_rows = 0, added_bytes = 0;
    if (change.added && !change.added->empty()) {
      std::map<int32_t, std::vector<const DataFile*>> by_spec;
      for (const DataFile& f : *change.added) by_spec[f.spec_id].push_back(&f);
      for (const auto& [spec_id, files] : by_spec) {
        const PartitionSpec* spec = base_.SpecById(spec_id);
        if (!spec) {
          return Status::InvalidArgument("data file " + files[0]->file_path + " has partition spec " +
                                         std::to_string(spec_id) + ", which the table does not define");
        }
        FLOE_ASSIGN_OR_RETURN(ManifestWriter writer,
                              ManifestWriter::Make(schema, *spec, snapshot_id_, ManifestContent::kData));
        for (const DataFile* f : files) {
          if (f->partition.size() != spec->fields.size()) {
            return Status::InvalidArgument("data file " + f->file_path + " has " + std::to_string(f->partition.size()) +
                                           " partition values, spec " + std::to_string(spec_id) + " has " +
                                           std::to_string(spec->fields.size()) + " fields");
          }
          FLOE_RETURN_IF_ERROR(writer.Add(*f));
          added_rows += f->record_count;
          added_bytes += f->file_size_in_bytes;
          partitions.insert(PartitionKey(*f));
        }
        FLOE_ASSIGN_OR_RETURN(ManifestFile written, WriteManifest(writer));
        list.push_back(std::move(written));
      }
    }
    for (ManifestFile& m : kept) list.push_back(std::move(m));

    const std::string list_path =
        MetadataDir(base_) + "/snap-" + std::to_string(snapshot_id_) + "-1-" + NewUuid() + ".avro";
    FLOE_ASSIGN_OR_RETURN(
        std::string list_bytes,
        WriteManifestList(list, snapshot_id_, parent ? std::optional<int64_t>(parent->snapshot_id) : std::nullopt,
                          sequence_number_));
    FLOE_RETURN_IF_ERROR(WriteFile(list_path, list_bytes));

    const int64_t added_files = change.added ? static_cast<int64_t>(change.added->size()) : 0;
    int64_t total_files = 0, total_rows = 0;
    for (const ManifestFile& m : list) {
      if (m.content != ManifestContent::kData) continue;
      total_files += m.added_files_count + m.existing_files_count;
      total_rows += m.added_rows_count + m.existing_rows_count;
    }
    Snapshot snapshot;
    snapshot.snapshot_id = snapshot_id_;
    if (parent) snapshot.parent_snapshot_id = parent->snapshot_id;
    snapshot.sequence_number = sequence_number_;
    snapshot.timestamp_ms = std::max(NowMs(), base_.last_updated_ms);
    snapshot.manifest_list = list_path;
    snapshot.schema_id = base_.current_schema_id;
    SnapshotSummary& s = snapshot.summary;
    s.emplace_back("operation", change.operation);
    if (added_files) {
      s.emplace_back("added-data-files", std::to_string(added_files));
      s.emplace_back("added-records", std::to_string(added_rows));
      s.emplace_back("added-files-size", std::to_string(added_bytes));
    }
    if (deleted_files) {
      s.emplace_back("deleted-data-files", std::to_string(deleted_files));
      s.emplace_back("deleted-records", std::to_string(deleted_rows));
      s.emplace_back("removed-files-size", std::to_string(removed_bytes));
    }
    s.emplace_back("changed-partition-count", std::to_string(partitions.size()));
    s.emplace_back("total-records", std::to_string(total_rows));
    bool size_known = true;
    const int64_t parent_size = SummaryLong(parent, "total-files-size", &size_known);
    if (size_known) s.emplace_back("total-files-size", std::to_string(parent_size + added_bytes - removed_bytes));
    s.emplace_back("total-data-files", std::to_string(total_files));
    s.emplace_back("total-delete-files", "0");
    s.emplace_back("total-position-deletes", "0");
    s.emplace_back("total-equality-deletes", "0");
    for (const auto& [k, v] : options_.summary) {
      auto it = std::find_if(s.begin(), s.end(), [&](const auto& e) { return e.first == k; });
      if (it != s.end()) {
        it->second = v;
      } else {
        s.emplace_back(k, v);
      }
    }

    TableMetadata next = base_;
    next.last_sequence_number = sequence_number_;
    next.last_updated_ms = snapshot.timestamp_ms;
    SnapshotRef ref;
    auto old_ref = base_.refs.find(options_.branch);
    if (old_ref != base_.refs.end()) ref = old_ref->second;
    ref.snapshot_id = snapshot_id_;
    ref.is_branch = true;
    next.refs[options_.branch] = ref;
    if (options_.branch == kMainBranch) {
      next.current_snapshot_id = snapshot_id_;
      next.snapshot_log.push_back({snapshot.timestamp_ms, snapshot_id_});
    }
    next.snapshots.push_back(std::move(snapshot));
    return next;
  }

  const std::vector<std::string>& written() const { return written_; }

 private:
  Status WriteFile(const std::string& path, const std::string& bytes) {
    written_.push_back(path);
    return io_.Write(path, bytes);
  }

  Result<ManifestFile> WriteManifest(ManifestWriter& writer) {
    ManifestFile summary;
    FLOE_ASSIGN_OR_RETURN(std::string bytes, writer.Finish(&summary));
    summary.manifest_path = MetadataDir(base_) + "/" + NewUuid() + "-m" + std::to_string(manifest_count_++) + ".avro";
    summary.manifest_length = static_cast<int64_t>(bytes.size());
    summary.sequence_number = kUnassignedSequenceNumber;
    summary.min_sequence_number = kUnassignedSequenceNumber;
    summary.added_snapshot_id = snapshot_id_;
    FLOE_RETURN_IF_ERROR(WriteFile(summary.manifest_path, bytes));
    return summary;
  }

  io::FileIO& io_;
  const TableMetadata& base_;
  const CommitOptions& options_;
  int64_t snapshot_id_ = 0;
  int64_t sequence_number_ = 0;
  int manifest_count_ = 0;
  std::vector<std::string> written_;
};

Result<TableState> CommitChange(TableOperations& ops, const SnapshotChange& change, const CommitOptions& options) {
  Status last;
  for (int attempt = 0; attempt < std::max(1, options.max_attempts); ++attempt) {
    FLOE_ASSIGN_OR_RETURN(TableState base, ops.Load());
    if (options.expected_snapshot_id) {
      const Snapshot* head = base.metadata.SnapshotForRef(options.branch);
      const int64_t actual = head ? head->snapshot_id : 0;
      if (actual != *options.expected_snapshot_id) {
        return Status::Conflict("table " + ops.name() + ": branch '" + options.branch + "' is at snapshot " +
                                std::to_string(actual) + ", not the expected " +
                                std::to_string(*options.expected_snapshot_id));
      }
    }
    SnapshotBuilder builder(ops.io(), base.metadata, options);
    Result<TableMetadata> next = builder.Build(change);
    Result<TableState> committed = Status::Internal("not committed");
    if (next.ok()) {
      for (const auto& [key, value] : options.set_properties) next->properties[key] = value;
      PrepareCommit(&base, NowMs(), &*next);
      committed = ops.Commit(&base, *next);
      if (committed.ok()) return committed;
      last = committed.status();
    } else {
      last = next.status();
    }
    (void)ops.io().DeleteMany(builder.written());
    if (last.code() != StatusCode::kConflict || options.expected_snapshot_id || !next.ok()) return last;
  }
  return last;
}

bool CanPromote(const Type& from, const Type& to) {
  if (from == to) return true;
  if (from.id == TypeId::kInt && to.id == TypeId::kLong) return true;
  if (from.id == TypeId::kFloat && to.id == TypeId::kDouble) return true;
  if (from.id == TypeId::kDecimal && to.id == TypeId::kDecimal) {
    return to.scale == from.scale && to.precision >= from.precision;
  }
  return false;
}

// Gives every field of `type` (nested types only) fresh ids from *next_id.
TypePtr FreshIds(const TypePtr& type, int32_t* next_id) {
  if (!type->is_nested()) return type;
  auto copy = std::make_shared<Type>(*type);
  for (NestedField& f : copy->fields) f.id = ++*next_id;
  for (NestedField& f : copy->fields) f.type = FreshIds(f.type, next_id);
  return copy;
}

// Finds the field at dotted `path` within `fields`, rebuilding the nested types on the way so it can be changed.
NestedField* FindMutable(std::vector<NestedField>* fields, std::string_view path) {
  for (NestedField& f : *fields) {
    if (f.name == path) return &f;
  }
  const size_t dot = path.find('.');
  if (dot == std::string_view::npos) return nullptr;
  for (NestedField& f : *fields) {
    if (f.name == path.substr(0, dot) && f.type && f.type->id == TypeId::kStruct) {
      auto copy = std::make_shared<Type>(*f.type);
      NestedField* found = FindMutable(&copy->fields, path.substr(dot + 1));
      f.type = copy;
      return found;
    }
  }
  return nullptr;
}

bool RemoveField(std::vector<NestedField>* fields, std::string_view path) {
  for (auto it = fields->begin(); it != fields->end(); ++it) {
    if (it->name == path) {
      fields->erase(it);
      return true;
    }
  }
  const size_t dot = path.find('.');
  if (dot == std::string_view::npos) return false;
  NestedField* parent = FindMutable(fields, path.substr(0, dot));
  if (!parent || !parent->type || parent->type->id != TypeId::kStruct) return false;
  auto copy = std::make_shared<Type>(*parent->type);
  const bool removed = RemoveField(&copy->fields, path.substr(dot + 1));
  parent->type = copy;
  return removed;
}

void CollectIds(const std::vector<NestedField>& fields, std::set<int32_t>* ids) {
  for (const NestedField& f : fields) {
    ids->insert(f.id);
    if (f.type && f.type->is_nested()) CollectIds(f.type->fields, ids);
  }
}

void Renumber(std::vector<NestedField>* fields, std::map<int32_t, int32_t>* mapping, int32_t* next_id) {
  for (NestedField& f : *fields) {
    const int32_t id = ++*next_id;
    (*mapping)[f.id] = id;
    f.id = id;
  }
  for (NestedField& f : *fields) {
    if (f.type && f.type->is_nested()) {
      auto copy = std::make_shared<Type>(*f.type);
      Renumber(&copy->fields, mapping, next_id);
      f.type = copy;
    }
  }
}

}  // namespace

Schema AssignFreshIds(const Schema& schema, PartitionSpec* spec, SortOrder* sort_order) {
  std::vector<NestedField> fields = schema.fields();
  std::map<int32_t, int32_t> mapping;
  int32_t next_id = 0;
  Renumber(&fields, &mapping, &next_id);
  std::vector<int32_t> identifiers;
  for (int32_t id : schema.identifier_field_ids()) identifiers.push_back(mapping.count(id) ? mapping[id] : id);
  if (spec) {
    for (PartitionField& f : spec->fields) {
      if (mapping.count(f.source_id)) f.source_id = mapping[f.source_id];
    }
  }
  if (sort_order) {
    for (SortField& f : sort_order->fields) {
      if (mapping.count(f.source_id)) f.source_id = mapping[f.source_id];
    }
  }
  return Schema(schema.schema_id(), std::move(fields), std::move(identifiers));
}

Result<TableMetadata> NewTableMetadata(const CreateTableOptions& options, int64_t now_ms) {
  FLOE_RETURN_IF_ERROR(options.schema.Validate());
  if (options.location.empty()) return Status::InvalidArgument("create table: the location is empty");
  TableMetadata m;
  m.format_version = 2;
  m.table_uuid = NewUuid();
  m.location = options.location;
  while (m.location.size() > 1 && m.location.back() == '/') m.location.pop_back();
  m.last_sequence_number = 0;
  m.last_updated_ms = now_ms;
  m.last_column_id = options.schema.HighestFieldId();
  m.schemas.push_back(options.schema);
  m.current_schema_id = options.schema.schema_id();
  PartitionSpec spec = options.spec;
  for (PartitionField& f : spec.fields) {
    if (f.field_id < kPartitionDataIdStart) f.field_id = spec.LastFieldId() + 1;
  }
  FLOE_RETURN_IF_ERROR(spec.PartitionType(options.schema).status());
  std::set<std::string> names;
  for (const PartitionField& f : spec.fields) {
    if (!names.insert(f.name).second) {
      return Status::InvalidArgument("partition spec: field name '" + f.name + "' appears twice");
    }
  }
  m.partition_specs.push_back(spec);
  m.default_spec_id = spec.spec_id;
  m.last_partition_id = spec.LastFieldId();
  m.properties = options.properties;
  SortOrder order = options.sort_order;
  if (order.fields.empty()) order.order_id = 0;
  if (!order.fields.empty() && order.order_id == 0) order.order_id = 1;
  for (const SortField& f : order.fields) {
    const NestedField* source = options.schema.FindById(f.source_id);
    if (!source) {
      return Status::InvalidArgument("sort order: source column id " + std::to_string(f.source_id) +
                                     " is not in the schema");
    }
    FLOE_RETURN_IF_ERROR(f.transform.ResultType(source->type).status());
  }
  m.sort_orders.push_back(order);
  m.default_sort_order_id = order.order_id;
  FLOE_RETURN_IF_ERROR(m.Validate());
  return m;
}

Result<TableState> CreateTable(TableOperations& ops, const CreateTableOptions& options) {
  FLOE_ASSIGN_OR_RETURN(TableMetadata m, NewTableMetadata(options, NowMs()));
  return ops.Commit(nullptr, m);
}

Result<std::vector<ManifestFile>> SnapshotManifests(io::FileIO& io, const Snapshot& snapshot) {
  FLOE_ASSIGN_OR_RETURN(std::string bytes, io.Read(snapshot.manifest_list));
  return ReadManifestList(bytes, snapshot.manifest_list);
}

Result<std::vector<ManifestEntry>> LiveEntries(io::FileIO& io, const TableMetadata& metadata,
                                               const Snapshot& snapshot) {
  FLOE_ASSIGN_OR_RETURN(std::vector<ManifestFile> manifests, SnapshotManifests(io, snapshot));
  std::vector<ManifestEntry> live;
  for (const ManifestFile& m : manifests) {
    if (m.content != ManifestContent::kData) continue;
    const PartitionSpec* spec = metadata.SpecById(m.partition_spec_id);
    if (!spec) {
      return Status::Corruption("manifest " + m.manifest_path + " has partition spec " +
                                std::to_string(m.partition_spec_id) + ", which the table does not define");
    }
    FLOE_ASSIGN_OR_RETURN(std::string bytes, io.Read(m.manifest_path));
    FLOE_ASSIGN_OR_RETURN(std::vector<ManifestEntry> entries, ReadManifest(bytes, m, metadata.CurrentSchema(), *spec));
    for (ManifestEntry& e : entries) {
      if (e.status != ManifestEntryStatus::kDeleted) live.push_back(std::move(e));
    }
  }
  return live;
}

Result<TableState> AppendFiles(TableOperations& ops, const std::vector<DataFile>& files, const CommitOptions& options) {
  SnapshotChange change;
  change.operation = "append";
  change.added = &files;
  return CommitChange(ops, change, options);
}

Result<TableState> RewriteFiles(TableOperations& ops, const std::vector<std::string>& deleted,
                                const std::vector<DataFile>& added, const CommitOptions& options) {
  if (deleted.empty()) return Status::InvalidArgument("rewrite: no files to replace");
  std::set<std::string> paths(deleted.begin(), deleted.end());
  SnapshotChange change;
  change.operation = "replace";
  change.added = &added;
  change.deleted_paths = &paths;
  return CommitChange(ops, change, options);
}

Result<TableState> OverwriteFiles(TableOperations& ops, const std::function<bool(const DataFile&)>& remove,
                                  const std::vector<DataFile>& added, const CommitOptions& options) {
  SnapshotChange change;
  change.operation = added.empty() ? "delete" : "overwrite";
  change.added = &added;
  change.remove = &remove;
  return CommitChange(ops, change, options);
}

SchemaUpdate& SchemaUpdate::AddColumn(std::string name, TypePtr type, std::string doc, std::string parent) {
  changes_.push_back({Change::kAdd, std::move(name), std::move(doc), std::move(parent), std::move(type)});
  return *this;
}
SchemaUpdate& SchemaUpdate::RenameColumn(std::string name, std::string new_name) {
  changes_.push_back({Change::kRename, std::move(name), std::move(new_name), "", nullptr});
  return *this;
}
SchemaUpdate& SchemaUpdate::UpdateColumnType(std::string name, TypePtr new_type) {
  changes_.push_back({Change::kUpdateType, std::move(name), "", "", std::move(new_type)});
  return *this;
}
SchemaUpdate& SchemaUpdate::MakeOptional(std::string name) {
  changes_.push_back({Change::kMakeOptional, std::move(name), "", "", nullptr});
  return *this;
}
SchemaUpdate& SchemaUpdate::DeleteColumn(std::string name) {
  changes_.push_back({Change::kDelete, std::move(name), "", "", nullptr});
  return *this;
}

Result<TableMetadata> SchemaUpdate::Apply(const TableMetadata& base) const {
  const Schema& current = base.CurrentSchema();
  std::vector<NestedField> fields = current.fields();
  std::vector<int32_t> identifiers = current.identifier_field_ids();
  int32_t next_id = std::max(base.last_column_id, current.HighestFieldId());
  auto sibling_names = [&](const std::string& parent) -> const std::vector<NestedField>* {
    if (parent.empty()) return &fields;
    NestedField* p = FindMutable(&fields, parent);
    return p && p->type && p->type->id == TypeId::kStruct ? &p->type->fields : nullptr;
  };
  for (const Change& c : changes_) {
    const std::string what = "schema update: column '" + c.name + "'";
    switch (c.kind) {
      case Change::kAdd: {
        if (c.name.empty() || !c.type)
          return Status::InvalidArgument("schema update: a new column needs a name and type");
        const std::vector<NestedField>* siblings = sibling_names(c.parent);
        if (!siblings) {
          return Status::InvalidArgument(what + ": parent '" + c.parent + "' is not a struct column");
        }
        for (const NestedField& f : *siblings) {
          if (f.name == c.name) return Status::InvalidArgument(what + " already exists");
        }
        NestedField f;
        f.id = ++next_id;
        f.name = c.name;
        f.required = false;
        f.type = FreshIds(c.type, &next_id);
        f.doc = c.arg;
        if (c.parent.empty()) {
          fields.push_back(std::move(f));
        } else {
          NestedField* p = FindMutable(&fields, c.parent);
          auto copy = std::make_shared<Type>(*p->type);
          copy->fields.push_back(std::move(f));
          p->type = copy;
        }
        break;
      }
      case Change::kRename: {
        if (!FindMutable(&fields, c.name)) return Status::InvalidArgument(what + " does not exist");
        if (c.arg.empty()) return Status::InvalidArgument(what + ": the new name is empty");
        const size_t dot = c.name.rfind('.');
        const std::string parent = dot == std::string::npos ? "" : c.name.substr(0, dot);
        const std::string leaf = dot == std::string::npos ? c.name : c.name.substr(dot + 1);
        if (const std::vector<NestedField>* siblings = sibling_names(parent)) {
          for (const NestedField& s : *siblings) {
            if (s.name == c.arg && s.name != leaf) {
              return Status::InvalidArgument(what + ": '" + c.arg + "' already exists");
            }
          }
        }
        // Looked up last: the lookups above may rebuild the nested types on the path.
        FindMutable(&fields, c.name)->name = c.arg;
        break;
      }
      case Change::kUpdateType: {
        NestedField* f = FindMutable(&fields, c.name);
        if (!f) return Status::InvalidArgument(what + " does not exist");
        if (!c.type || !f->type->is_primitive() || !CanPromote(*f->type, *c.type)) {
          return Status::InvalidArgument(what + ": cannot change type " + f->type->ToString() + " to " +
                                         (c.type ? c.type->ToString() : "?") +
                                         " (allowed: int to long, float to double, widening a decimal's precision)");
        }
        f->type = c.type;
        break;
      }
      case Change::kMakeOptional: {
        NestedField* f = FindMutable(&fields, c.name);
        if (!f) return Status::InvalidArgument(what + " does not exist");
        if (std::find(identifiers.begin(), identifiers.end(), f->id) != identifiers.end()) {
          return Status::InvalidArgument(what + " is an identifier field and must stay required");
        }
        f->required = false;
        break;
      }
      case Change::kDelete: {
        NestedField* f = FindMutable(&fields, c.name);
        if (!f) return Status::InvalidArgument(what + " does not exist");
        std::set<int32_t> ids;
        ids.insert(f->id);
        if (f->type->is_nested()) CollectIds(f->type->fields, &ids);
        for (const PartitionSpec& spec : base.partition_specs) {
          for (const PartitionField& pf : spec.fields) {
            if (ids.count(pf.source_id) && pf.transform.kind != TransformKind::kVoid) {
              return Status::InvalidArgument(what + " is used by partition field '" + pf.name + "' of spec " +
                                             std::to_string(spec.spec_id));
            }
          }
        }
        if (const SortOrder* order = base.SortOrderById(base.default_sort_order_id)) {
          for (const SortField& sf : order->fields) {
            if (ids.count(sf.source_id)) return Status::InvalidArgument(what + " is used by the sort order");
          }
        }
        for (int32_t id : identifiers) {
          if (ids.count(id)) return Status::InvalidArgument(what + " is an identifier field");
        }
        RemoveField(&fields, c.name);
        break;
      }
    }
  }
  Schema schema(0, std::move(fields), identifiers);
  FLOE_RETURN_IF_ERROR(schema.Validate());
  TableMetadata next = base;
  next.last_column_id = std::max(base.last_column_id, next_id);
  for (const Schema& s : base.schemas) {
    if (s.SameStructure(schema)) {
      next.current_schema_id = s.schema_id();
      return next;
    }
  }
  int32_t id = 0;
  for (const Schema& s : base.schemas) id = std::max(id, s.schema_id() + 1);
  schema.set_schema_id(id);
  next.schemas.push_back(std::move(schema));
  next.current_schema_id = id;
  return next;
}

Result<TableState> UpdateSchema(TableOperations& ops, const SchemaUpdate& update, int max_attempts) {
  Status last;
  for (int attempt = 0; attempt < std::max(1, max_attempts); ++attempt) {
    FLOE_ASSIGN_OR_RETURN(TableState base, ops.Load());
    FLOE_ASSIGN_OR_RETURN(TableMetadata next, update.Apply(base.metadata));
    PrepareCommit(&base, NowMs(), &next);
    Result<TableState> committed = ops.Commit(&base, next);
    if (committed.ok() || committed.status().code() != StatusCode::kConflict) return committed;
    last = committed.status();
  }
  return last;
}

Result<TableState> UpdateProperties(TableOperations& ops,
                                    const std::map<std::string, std::optional<std::string>>& changes,
                                    int max_attempts) {
  Status last;
  for (int attempt = 0; attempt < std::max(1, max_attempts); ++attempt) {
    FLOE_ASSIGN_OR_RETURN(TableState base, ops.Load());
    TableMetadata next = base.metadata;
    for (const auto& [key, value] : changes) {
      if (value) {
        next.properties[key] = *value;
      } else {
        next.properties.erase(key);
      }
    }
    PrepareCommit(&base, NowMs(), &next);
    Result<TableState> committed = ops.Commit(&base, next);
    if (committed.ok() || committed.status().code() != StatusCode::kConflict) return committed;
    last = committed.status();
  }
  return last;
}

}  // namespace floe::iceberg
