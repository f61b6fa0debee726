// The catalog: the one place that says which metadata file is each table's current state, with namespaces, and
// (in floe's own catalog) a commit log, branches and tags like Project Nessie.
//
// Catalog is what floe's components program against. Implementations:
//   - EmbeddedCatalog (embedded_catalog.h): in-process, over a CatalogStore (SQLite) in the data directory, bound to
//     one branch or tag (reads through a tag or a commit are read-only);
//   - the REST client (later): any Iceberg REST catalog, floe's own or Nessie, Polaris...
// and RestCatalogServer (rest_catalog_server.h) serves any Catalog over the Iceberg REST API.
//
// Table changes are commits of requirements + updates (metadata_updates.h): the catalog checks the requirements
// against the current metadata, applies the updates, writes the new metadata file through the FileIO and moves the
// table's pointer, atomically; a failed requirement or a lost race is Conflict and changes nothing.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "floe/base/status.h"
#include "floe/iceberg/metadata_updates.h"
#include "floe/iceberg/table_operations.h"
#include "floe/iceberg/table_updates.h"

namespace floe::catalog {

// A namespace: its levels, outermost first ({"telemetry"}, {"prod", "telemetry"}).
using Namespace = std::vector<std::string>;
using Properties = std::map<std::string, std::string>;

// "a.b" for {"a", "b"}.
std::string NamespaceToString(const Namespace& ns);

struct TableIdentifier {
  Namespace ns;
  std::string name;

  // "ns1.ns2.table".
  std::string ToString() const;
  // "telemetry.sensor_10s" -> {{"telemetry"}, "sensor_10s"}: the last dot separates the table name.
  // InvalidArgument for a name without a namespace or with empty parts.
  static Result<TableIdentifier> Parse(std::string_view text);
  auto operator<=>(const TableIdentifier&) const = default;
};

// Who commits and why; recorded with every catalog commit.
struct CommitMeta {
  std::string author = "floe";
  std::string message;
};

// One table's part of a multi-table transaction.
struct TableCommit {
  TableIdentifier table;
  std::vector<iceberg::TableRequirement> requirements;
  std::vector<iceberg::TableUpdate> updates;
};

struct CreateTableRequest {
  std::string name;
  std::string location;  // empty: the catalog picks <warehouse>/<ns path>/<name>
  iceberg::Schema schema;
  iceberg::PartitionSpec spec;
  iceberg::SortOrder sort_order;
  Properties properties;
};

class Catalog {
 public:
  virtual ~Catalog() = default;

  // Namespaces directly under `parent` (top level when empty). NotFound for a parent that does not exist.
  virtual Result<std::vector<Namespace>> ListNamespaces(const Namespace& parent) = 0;
  // AlreadyExists when it exists; NotFound when its parent does not (nested namespaces need their parent).
  virtual Status CreateNamespace(const Namespace& ns, const Properties& properties, const CommitMeta& meta) = 0;
  virtual Result<Properties> LoadNamespace(const Namespace& ns) = 0;
  virtual Status UpdateNamespaceProperties(const Namespace& ns, const std::vector<std::string>& removals,
                                           const Properties& updates, const CommitMeta& meta) = 0;
  // Conflict ("namespace x is not empty") when it holds tables or namespaces.
  virtual Status DropNamespace(const Namespace& ns, const CommitMeta& meta) = 0;

  virtual Result<std::vector<TableIdentifier>> ListTables(const Namespace& ns) = 0;
  // Creates a table: fresh field ids, the metadata file v1 written, the pointer set. AlreadyExists; NotFound when
  // the namespace does not exist.
  virtual Result<iceberg::TableState> CreateTable(const Namespace& ns, const CreateTableRequest& request,
                                                  const CommitMeta& meta) = 0;
  virtual Result<iceberg::TableState> LoadTable(const TableIdentifier& table) = 0;
  // Commits requirements + updates to one table (with kAssertCreate: creates it from the updates).
  virtual Result<iceberg::TableState> CommitTable(const TableCommit& commit, const CommitMeta& meta) = 0;
  // All or nothing: every table's requirements hold and every update applies, or nothing changes.
  virtual Status CommitTransaction(const std::vector<TableCommit>& commits, const CommitMeta& meta) = 0;
  // Removes the pointer; with `purge`, also deletes the table's files (metadata, manifests, data).
  virtual Status DropTable(const TableIdentifier& table, bool purge, const CommitMeta& meta) = 0;
  // NotFound for a missing source or destination namespace; AlreadyExists for an existing destination.
  virtual Status RenameTable(const TableIdentifier& from, const TableIdentifier& to, const CommitMeta& meta) = 0;

  // The FileIO for a table location (metadata and data files).
  virtual Result<std::shared_ptr<io::FileIO>> FileIOFor(std::string_view location) = 0;
};

// TableOperations over a catalog, for the iceberg layer's writers (AppendFiles, CompactTable...): Load is
// LoadTable; Commit sends the updates from `base` to `updated` (DiffMetadata) with the requirements that make it
// safe (RequirementsFor), so a concurrent change is a Conflict and the writer retries on a fresh base.
class CatalogTableOperations final : public iceberg::TableOperations {
 public:
  CatalogTableOperations(Catalog& catalog, TableIdentifier table, std::shared_ptr<io::FileIO> io, CommitMeta meta = {});
  Result<iceberg::TableState> Load() override;
  Result<iceberg::TableState> Commit(const iceberg::TableState* base, const iceberg::TableMetadata& updated) override;
  io::FileIO& io() override { return *io_; }
  std::string name() const override { return table_.ToString(); }

 private:
  Catalog& catalog_;
  TableIdentifier table_;
  std::shared_ptr<io::FileIO> io_;
  CommitMeta meta_;
};

}  // namespace floe::catalog
