#include "floe/catalog/embedded_catalog.h"

#include <algorithm>
#include <cstdio>
#include <set>
#include <utility>

#include "floe/base/uuid.h"
#include "floe/catalog/metadata_cache.h"
#include "floe/iceberg/table_maintenance.h"

namespace floe::catalog {

namespace {

std::string TrimSlashes(std::string_view location) {
  while (location.size() > 1 && location.back() == '/') location.remove_suffix(1);
  return std::string(location);
}

bool HasAssertCreate(const std::vector<iceberg::TableRequirement>& requirements) {
  return std::any_of(requirements.begin(), requirements.end(), [](const iceberg::TableRequirement& r) {
    return r.kind == iceberg::TableRequirement::Kind::kAssertCreate;
  });
}

}  // namespace

// One table's part of a store commit, prepared: its metadata file is written, its operation is ready.
struct EmbeddedCatalog::PreparedCommit {
  iceberg::TableState state;
  Operation operation;
  std::shared_ptr<io::FileIO> io;
  std::string json;  // the metadata file's text
};

EmbeddedCatalog::EmbeddedCatalog(std::shared_ptr<CatalogStore> store, EmbeddedCatalogOptions options, bool read_only)
    : store_(std::move(store)),
      ref_(std::move(options.ref)),
      read_only_(read_only),
      warehouse_(TrimSlashes(options.warehouse)),
      io_config_(std::move(options.io_config)) {}

Result<std::unique_ptr<EmbeddedCatalog>> EmbeddedCatalog::Open(std::string_view data_dir,
                                                               EmbeddedCatalogOptions options) {
  if (options.warehouse.empty()) {
    return Status::InvalidArgument("embedded catalog: no warehouse location (a directory or s3:// prefix for tables)");
  }
  FLOE_ASSIGN_OR_RETURN(std::unique_ptr<CatalogStore> store, CatalogStore::Open(CatalogStore::DatabasePath(data_dir)));
  return Create(std::shared_ptr<CatalogStore>(std::move(store)), std::move(options));
}

Result<std::unique_ptr<EmbeddedCatalog>> EmbeddedCatalog::Create(std::shared_ptr<CatalogStore> store,
                                                                 EmbeddedCatalogOptions options) {
  if (options.warehouse.empty()) {
    return Status::InvalidArgument("embedded catalog: no warehouse location (a directory or s3:// prefix for tables)");
  }
  bool read_only = true;
  Result<Reference> ref = store->GetRef(options.ref);
  if (ref.ok()) {
    read_only = !ref->is_branch();
  } else if (ref.status().code() == StatusCode::kNotFound) {
    // Not a reference: a commit id (or ref@commit), which reads history and takes no commits.
    FLOE_RETURN_IF_ERROR(store->ResolveCommit(options.ref).status());
  } else {
    return ref.status();
  }
  return std::unique_ptr<EmbeddedCatalog>(new EmbeddedCatalog(std::move(store), std::move(options), read_only));
}

Result<std::unique_ptr<EmbeddedCatalog>> EmbeddedCatalog::AtRef(std::string_view ref) const {
  EmbeddedCatalogOptions options;
  options.warehouse = warehouse_;
  options.ref = std::string(ref);
  options.io_config = io_config_;
  return Create(store_, std::move(options));
}

std::string EmbeddedCatalog::NewMetadataLocation(std::string_view table_location, int64_t version) {
  char number[32];
  std::snprintf(number, sizeof(number), "%05lld", static_cast<long long>(version));
  return TrimSlashes(table_location) + "/metadata/" + number + "-" + NewUuid() + ".metadata.json";
}

Status EmbeddedCatalog::CheckWritable() const {
  if (!read_only_) return Status::Ok();
  return Status::InvalidArgument("catalog is bound to '" + ref_ +
                                 "', a tag or commit, which is read-only: commit to a branch");
}

Result<std::optional<Content>> EmbeddedCatalog::GetContent(const ContentKey& key) {
  return store_->Get(ref_, key);
}

Status EmbeddedCatalog::RequireNamespace(const Namespace& ns) {
  if (ns.empty()) return Status::InvalidArgument("empty namespace");
  FLOE_ASSIGN_OR_RETURN(std::optional<Content> content, GetContent(ns));
  if (!content || content->is_table()) {
    return Status::NotFound("namespace " + NamespaceToString(ns) + " does not exist on " + ref_);
  }
  return Status::Ok();
}

std::string EmbeddedCatalog::DefaultLocation(const Namespace& ns, std::string_view name) const {
  std::string out = warehouse_;
  for (const std::string& level : ns) out += "/" + level;
  out += "/";
  out += name;
  return out;
}

Result<std::shared_ptr<io::FileIO>> EmbeddedCatalog::FileIOFor(std::string_view location) {
  if (io::IsS3Location(location)) {
    FLOE_ASSIGN_OR_RETURN(std::unique_ptr<io::FileIO> io, io::FileIO::ForPath(location, io_config_));
    return std::shared_ptr<io::FileIO>(std::move(io));
  }
  std::lock_guard lock(io_mu_);
  if (!local_io_) {
    FLOE_ASSIGN_OR_RETURN(std::unique_ptr<io::FileIO> io, io::FileIO::ForPath(location, io_config_));
    local_io_ = std::move(io);
  }
  return local_io_;
}

Result<iceberg::TableState> EmbeddedCatalog::ReadState(const TableIdentifier& table, const Content& content) {
  iceberg::TableState state;
  state.metadata_location = content.metadata_location;
  if (std::shared_ptr<const iceberg::TableMetadata> cached = MetadataCache::Shared().Find(content.metadata_location)) {
    state.metadata = *cached;
    return state;
  }
  FLOE_ASSIGN_OR_RETURN(std::shared_ptr<io::FileIO> io, FileIOFor(content.metadata_location));
  Result<std::string> text = io->Read(content.metadata_location);
  Result<iceberg::TableMetadata> metadata =
      text.ok() ? iceberg::ParseTableMetadata(*text, content.metadata_location) : text.status();
  if (!metadata.ok()) {
    // The pointer exists, so a missing file is damage, not an absent table.
    if (metadata.status().code() == StatusCode::kNotFound) {
      return Status::Corruption("table " + table.ToString() + ": its current metadata file " +
                                content.metadata_location + " is missing (" + metadata.status().message() + ")");
    }
    return metadata.status().WithContext("table " + table.ToString());
  }
  state.metadata = std::move(metadata).value();
  MetadataCache::Shared().Add(state.metadata_location, state.metadata, std::move(text).value());
  return state;
}

// ---- namespaces ----

Result<std::vector<Namespace>> EmbeddedCatalog::ListNamespaces(const Namespace& parent) {
  if (!parent.empty()) FLOE_RETURN_IF_ERROR(RequireNamespace(parent));
  FLOE_ASSIGN_OR_RETURN(auto entries, store_->List(ref_, parent));
  std::vector<Namespace> out;
  for (auto& [key, content] : entries) {
    if (!content.is_table()) out.push_back(std::move(key));
  }
  return out;
}

Status EmbeddedCatalog::CreateNamespace(const Namespace& ns, const Properties& properties, const CommitMeta& meta) {
  FLOE_RETURN_IF_ERROR(CheckWritable());
  if (ns.empty()) return Status::InvalidArgument("create namespace: empty namespace");
  const std::string name = NamespaceToString(ns);
  FLOE_ASSIGN_OR_RETURN(std::optional<Content> existing, GetContent(ns));
  if (existing) {
    return Status::AlreadyExists(existing->is_table() ? "create namespace " + name + ": a table of that name exists"
                                                      : "namespace " + name + " already exists");
  }
  if (ns.size() > 1) {
    const Namespace parent(ns.begin(), ns.end() - 1);
    Status s = RequireNamespace(parent);
    if (!s.ok()) return s.WithContext("create namespace " + name);
  }
  CommitMeta m = meta;
  if (m.message.empty()) m.message = "create namespace " + name;
  Result<std::string> commit =
      store_->Commit(ref_, std::nullopt, {Operation::Create(ns, Content::NamespaceWith(properties))}, m);
  if (!commit.ok() && commit.status().code() == StatusCode::kConflict) {
    return Status::AlreadyExists("namespace " + name + " already exists (created concurrently)");
  }
  return commit.status();
}

Result<Properties> EmbeddedCatalog::LoadNamespace(const Namespace& ns) {
  if (ns.empty()) return Status::InvalidArgument("load namespace: empty namespace");
  FLOE_ASSIGN_OR_RETURN(std::optional<Content> content, GetContent(ns));
  if (!content || content->is_table()) {
    return Status::NotFound("namespace " + NamespaceToString(ns) + " does not exist on " + ref_);
  }
  return content->NamespaceProperties();
}

Status EmbeddedCatalog::UpdateNamespaceProperties(const Namespace& ns, const std::vector<std::string>& removals,
                                                  const Properties& updates, const CommitMeta& meta) {
  FLOE_RETURN_IF_ERROR(CheckWritable());
  const std::string name = NamespaceToString(ns);
  for (const std::string& key : removals) {
    if (updates.count(key)) {
      return Status::InvalidArgument("update namespace " + name + ": property '" + key +
                                     "' is both removed and updated");
    }
  }
  if (ns.empty()) return Status::InvalidArgument("update namespace: empty namespace");
  FLOE_ASSIGN_OR_RETURN(std::optional<Content> content, GetContent(ns));
  if (!content || content->is_table()) {
    return Status::NotFound("namespace " + name + " does not exist on " + ref_);
  }
  FLOE_ASSIGN_OR_RETURN(Properties properties, content->NamespaceProperties());
  for (const std::string& key : removals) properties.erase(key);
  for (const auto& [k, v] : updates) properties[k] = v;
  Content updated = Content::NamespaceWith(properties);
  if (updated == *content) return Status::Ok();
  CommitMeta m = meta;
  if (m.message.empty()) m.message = "update namespace " + name + " properties";
  return store_->Commit(ref_, std::nullopt, {Operation::Replace(ns, *content, updated)}, m).status();
}

Status EmbeddedCatalog::DropNamespace(const Namespace& ns, const CommitMeta& meta) {
  FLOE_RETURN_IF_ERROR(CheckWritable());
  if (ns.empty()) return Status::InvalidArgument("drop namespace: empty namespace");
  const std::string name = NamespaceToString(ns);
  FLOE_ASSIGN_OR_RETURN(std::optional<Content> content, GetContent(ns));
  if (!content || content->is_table()) {
    return Status::NotFound("namespace " + name + " does not exist on " + ref_);
  }
  FLOE_ASSIGN_OR_RETURN(auto children, store_->List(ref_, ns));
  if (!children.empty()) {
    return Status::Conflict("namespace " + name + " is not empty: it holds " + ContentKeyToString(children[0].first) +
                            (children.size() > 1 ? " and " + std::to_string(children.size() - 1) + " more" : ""));
  }
  CommitMeta m = meta;
  if (m.message.empty()) m.message = "drop namespace " + name;
  // The store refuses it too if something was created inside meanwhile.
  return store_->Commit(ref_, std::nullopt, {Operation::DeleteExpecting(ns, *content)}, m).status();
}

// ---- tables ----

Result<std::vector<TableIdentifier>> EmbeddedCatalog::ListTables(const Namespace& ns) {
  FLOE_RETURN_IF_ERROR(RequireNamespace(ns));
  FLOE_ASSIGN_OR_RETURN(auto entries, store_->List(ref_, ns));
  std::vector<TableIdentifier> out;
  for (auto& [key, content] : entries) {
    if (content.is_table()) out.push_back(TableIdentifier{ns, key.back()});
  }
  return out;
}

Result<bool> EmbeddedCatalog::TableExists(const TableIdentifier& table) {
  FLOE_ASSIGN_OR_RETURN(std::optional<Content> content, GetContent(TableKey(table)));
  return content.has_value() && content->is_table();
}

Result<iceberg::TableState> EmbeddedCatalog::LoadTable(const TableIdentifier& table) {
  if (table.ns.empty() || table.name.empty()) {
    return Status::InvalidArgument("load table '" + table.ToString() + "': a table needs a namespace and a name");
  }
  FLOE_ASSIGN_OR_RETURN(std::optional<Content> content, GetContent(TableKey(table)));
  if (!content || !content->is_table()) {
    return Status::NotFound("table " + table.ToString() + " does not exist on " + ref_);
  }
  return ReadState(table, *content);
}

Result<iceberg::TableState> EmbeddedCatalog::CreateTable(const Namespace& ns, const CreateTableRequest& request,
                                                         const CommitMeta& meta) {
  FLOE_RETURN_IF_ERROR(CheckWritable());
  const TableIdentifier id{ns, request.name};
  const std::string doing = "create table " + id.ToString();
  if (request.name.empty()) return Status::InvalidArgument(doing + ": empty table name");
  {
    Status s = RequireNamespace(ns);
    if (!s.ok()) return s.WithContext(doing);
  }
  FLOE_ASSIGN_OR_RETURN(std::optional<Content> existing, GetContent(TableKey(id)));
  if (existing) {
    return Status::AlreadyExists(existing->is_table() ? "table " + id.ToString() + " already exists"
                                                      : doing + ": a namespace of that name exists");
  }
  iceberg::CreateTableOptions options;
  options.spec = request.spec;
  options.sort_order = request.sort_order;
  options.schema = iceberg::AssignFreshIds(request.schema, &options.spec, &options.sort_order);
  options.location = TrimSlashes(request.location.empty() ? DefaultLocation(ns, request.name) : request.location);
  options.properties = request.properties;
  Result<iceberg::TableMetadata> metadata = iceberg::NewTableMetadata(options, iceberg::NowMs());
  if (!metadata.ok()) return metadata.status().WithContext(doing);

  iceberg::TableState state;
  state.metadata = std::move(metadata).value();
  state.metadata_location = NewMetadataLocation(options.location, 1);
  FLOE_ASSIGN_OR_RETURN(std::shared_ptr<io::FileIO> io, FileIOFor(state.metadata_location));
  std::string metadata_json = iceberg::TableMetadataToJson(state.metadata);
  FLOE_RETURN_IF_ERROR(io->Write(state.metadata_location, metadata_json));
  CommitMeta m = meta;
  if (m.message.empty()) m.message = "create table " + id.ToString();
  Result<std::string> commit = store_->Commit(
      ref_, std::nullopt,
      {Operation::Create(TableKey(id), Content::Table(state.metadata_location, state.metadata.table_uuid))}, m);
  if (!commit.ok()) {
    (void)io->Delete(state.metadata_location);
    if (commit.status().code() == StatusCode::kConflict) {
      return Status::AlreadyExists("table " + id.ToString() + " already exists (created concurrently)");
    }
    return commit.status();
  }
  MetadataCache::Shared().Add(state.metadata_location, state.metadata, std::move(metadata_json));
  return state;
}

// Checks one table's requirements against its current metadata, applies its updates, writes the new metadata file
// and returns the store operation that moves the pointer from the current file to it. `*unchanged` is set when there
// is nothing to commit (no updates); nothing is written then.
Status EmbeddedCatalog::PrepareTableCommit(const TableCommit& commit, int64_t now_ms, PreparedCommit* out,
                                           bool* unchanged) {
  const TableIdentifier& id = commit.table;
  const std::string name = id.ToString();
  if (id.ns.empty() || id.name.empty()) {
    return Status::InvalidArgument("commit to table '" + name + "': a table needs a namespace and a name");
  }
  const ContentKey key = TableKey(id);
  FLOE_ASSIGN_OR_RETURN(std::optional<Content> content, GetContent(key));
  if (content && !content->is_table()) {
    return Status::InvalidArgument("commit to table " + name + ": it is a namespace");
  }
  std::optional<iceberg::TableState> base;
  if (content) {
    FLOE_ASSIGN_OR_RETURN(base, ReadState(id, *content));
  } else if (!HasAssertCreate(commit.requirements)) {
    return Status::NotFound("table " + name + " does not exist on " + ref_);
  } else {
    Status s = RequireNamespace(id.ns);
    if (!s.ok()) return s.WithContext("create table " + name);
  }
  const iceberg::TableMetadata* base_metadata = base ? &base->metadata : nullptr;
  Status requirements = iceberg::CheckRequirements(base_metadata, commit.requirements);
  if (!requirements.ok()) return requirements.WithContext("table " + name);
  *unchanged = base && commit.updates.empty();
  if (*unchanged) {
    out->state = *base;
    return Status::Ok();
  }

  std::vector<iceberg::TableUpdate> updates = commit.updates;
  if (!base && std::none_of(updates.begin(), updates.end(),
                            [](const iceberg::TableUpdate& u) { return u.action == "set-location"; })) {
    iceberg::TableUpdate location;
    location.action = "set-location";
    location.location = DefaultLocation(id.ns, id.name);
    updates.insert(updates.begin(), std::move(location));
  }
  Result<iceberg::TableMetadata> updated = iceberg::ApplyUpdates(base_metadata, updates, now_ms);
  if (!updated.ok()) return updated.status().WithContext("table " + name);
  out->state.metadata = std::move(updated).value();
  iceberg::PrepareCommit(base ? &*base : nullptr, now_ms, &out->state.metadata);
  {
    Status valid = out->state.metadata.Validate();
    if (!valid.ok()) return valid.WithContext("table " + name + ": the updated metadata is invalid");
  }
  int64_t version = 1;
  if (base) {
    const int64_t base_version = iceberg::MetadataFileVersion(base->metadata_location);
    version = base_version >= 0 ? base_version + 1 : static_cast<int64_t>(out->state.metadata.metadata_log.size()) + 1;
  }
  out->state.metadata_location = NewMetadataLocation(out->state.metadata.location, version);
  FLOE_ASSIGN_OR_RETURN(out->io, FileIOFor(out->state.metadata_location));
  out->json = iceberg::TableMetadataToJson(out->state.metadata);
  FLOE_RETURN_IF_ERROR(out->io->Write(out->state.metadata_location, out->json));
  Content next = Content::Table(out->state.metadata_location, out->state.metadata.table_uuid);
  out->operation =
      content ? Operation::Replace(key, *content, std::move(next)) : Operation::Create(key, std::move(next));
  return Status::Ok();
}

Result<iceberg::TableState> EmbeddedCatalog::CommitTable(const TableCommit& commit, const CommitMeta& meta) {
  FLOE_RETURN_IF_ERROR(CheckWritable());
  PreparedCommit prepared;
  bool unchanged = false;
  FLOE_RETURN_IF_ERROR(PrepareTableCommit(commit, iceberg::NowMs(), &prepared, &unchanged));
  if (unchanged) return prepared.state;
  CommitMeta m = meta;
  if (m.message.empty()) m.message = "commit table " + commit.table.ToString();
  Result<std::string> id = store_->Commit(ref_, std::nullopt, {prepared.operation}, m);
  if (!id.ok()) {
    (void)prepared.io->Delete(prepared.state.metadata_location);  // nothing of the lost commit stays
    if (id.status().code() == StatusCode::kConflict) {
      return Status::Conflict("table " + commit.table.ToString() +
                              ": another writer committed first; reload the table and retry (" + id.status().message() +
                              ")");
    }
    return id.status();
  }
  MetadataCache::Shared().Add(prepared.state.metadata_location, prepared.state.metadata, std::move(prepared.json));
  return prepared.state;
}

Status EmbeddedCatalog::CommitTransaction(const std::vector<TableCommit>& commits, const CommitMeta& meta) {
  FLOE_RETURN_IF_ERROR(CheckWritable());
  if (commits.empty()) return Status::InvalidArgument("commit transaction: no table changes");
  std::set<TableIdentifier> seen;
  for (const TableCommit& c : commits) {
    if (!seen.insert(c.table).second) {
      return Status::InvalidArgument("commit transaction: table " + c.table.ToString() + " appears twice");
    }
  }
  const int64_t now_ms = iceberg::NowMs();
  std::vector<PreparedCommit> prepared;
  std::vector<Operation> operations;
  // The metadata files written for a transaction that does not happen are deleted again.
  auto DeleteWritten = [](const std::vector<PreparedCommit>& written) {
    for (const PreparedCommit& p : written) (void)p.io->Delete(p.state.metadata_location);
  };
  for (const TableCommit& c : commits) {
    PreparedCommit p;
    bool unchanged = false;
    Status s = PrepareTableCommit(c, now_ms, &p, &unchanged);
    if (!s.ok()) {
      DeleteWritten(prepared);
      return s.WithContext("commit transaction");
    }
    if (unchanged) {
      // Its requirements held; the commit must still fail if the table moves before the others land.
      FLOE_ASSIGN_OR_RETURN(std::optional<Content> content, GetContent(TableKey(c.table)));
      if (content) operations.push_back(Operation::Replace(TableKey(c.table), *content, *content));
      continue;
    }
    operations.push_back(p.operation);
    prepared.push_back(std::move(p));
  }
  CommitMeta m = meta;
  if (m.message.empty()) {
    m.message = "commit transaction on";
    for (const TableCommit& c : commits) m.message += " " + c.table.ToString();
  }
  Result<std::string> id = store_->Commit(ref_, std::nullopt, operations, m);
  if (!id.ok()) {
    DeleteWritten(prepared);
    if (id.status().code() == StatusCode::kConflict) {
      return Status::Conflict("commit transaction: another writer committed first, nothing was changed (" +
                              id.status().message() + ")");
    }
    return id.status();
  }
  for (PreparedCommit& p : prepared) {
    MetadataCache::Shared().Add(p.state.metadata_location, p.state.metadata, std::move(p.json));
  }
  return Status::Ok();
}

Status EmbeddedCatalog::DropTable(const TableIdentifier& table, bool purge, const CommitMeta& meta) {
  FLOE_RETURN_IF_ERROR(CheckWritable());
  const std::string name = table.ToString();
  if (table.ns.empty() || table.name.empty()) {
    return Status::InvalidArgument("drop table '" + name + "': a table needs a namespace and a name");
  }
  FLOE_ASSIGN_OR_RETURN(std::optional<Content> content, GetContent(TableKey(table)));
  if (!content || !content->is_table()) return Status::NotFound("table " + name + " does not exist on " + ref_);
  std::optional<iceberg::TableState> state;
  if (purge) {
    // Files are shared by every reference that holds the table: purging them under another branch or tag would
    // break it.
    FLOE_ASSIGN_OR_RETURN(std::vector<std::string> refs, store_->RefsHoldingTable(content->table_uuid));
    std::string others;
    for (const std::string& r : refs) {
      if (r != ref_) others += (others.empty() ? "" : ", ") + r;
    }
    if (!others.empty()) {
      return Status::Conflict("drop table " + name + " with purge: its files are also used on " + others +
                              "; drop it there first, or drop without purge");
    }
    FLOE_ASSIGN_OR_RETURN(state, ReadState(table, *content));
  }
  CommitMeta m = meta;
  if (m.message.empty()) m.message = std::string(purge ? "drop and purge table " : "drop table ") + name;
  FLOE_RETURN_IF_ERROR(
      store_->Commit(ref_, std::nullopt, {Operation::DeleteExpecting(TableKey(table), *content)}, m).status());
  if (!purge) return Status::Ok();
  // The pointer is gone; now the files: data, manifests and manifest lists first, metadata files last, so that an
  // interrupted purge leaves metadata that still names what is left.
  FLOE_ASSIGN_OR_RETURN(std::shared_ptr<io::FileIO> io, FileIOFor(state->metadata.location));
  FLOE_ASSIGN_OR_RETURN(std::vector<std::string> files, iceberg::ReachableFiles(*io, *state));
  std::vector<std::string> data;
  std::vector<std::string> metadata;
  for (std::string& f : files) (f.ends_with(".metadata.json") ? metadata : data).push_back(std::move(f));
  Status s = io->DeleteMany(data);
  if (!s.ok()) return s.WithContext("drop table " + name + ": the table is dropped but purging its files failed");
  for (const std::string& f : metadata) MetadataCache::Shared().Erase(f);
  s = io->DeleteMany(metadata);
  if (!s.ok()) return s.WithContext("drop table " + name + ": the table is dropped but purging its metadata failed");
  return Status::Ok();
}

Status EmbeddedCatalog::RenameTable(const TableIdentifier& from, const TableIdentifier& to, const CommitMeta& meta) {
  FLOE_RETURN_IF_ERROR(CheckWritable());
  const std::string doing = "rename table " + from.ToString() + " to " + to.ToString();
  if (from.ns.empty() || from.name.empty() || to.ns.empty() || to.name.empty()) {
    return Status::InvalidArgument(doing + ": a table needs a namespace and a name");
  }
  FLOE_ASSIGN_OR_RETURN(std::optional<Content> content, GetContent(TableKey(from)));
  if (!content || !content->is_table())
    return Status::NotFound(doing + ": table " + from.ToString() + " does not exist on " + ref_);
  {
    Status s = RequireNamespace(to.ns);
    if (!s.ok()) return s.WithContext(doing);
  }
  FLOE_ASSIGN_OR_RETURN(std::optional<Content> target, GetContent(TableKey(to)));
  if (target) return Status::AlreadyExists(doing + ": " + to.ToString() + " already exists");
  CommitMeta m = meta;
  if (m.message.empty()) m.message = doing;
  Result<std::string> id = store_->Commit(
      ref_, std::nullopt,
      {Operation::DeleteExpecting(TableKey(from), *content), Operation::Create(TableKey(to), *content)}, m);
  return id.status();
}

}  // namespace floe::catalog
