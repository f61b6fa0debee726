// EmbeddedCatalog: the Catalog in-process, over a CatalogStore (catalog_store.h), bound to one reference.
//
// Bound to a branch, it reads and commits there; bound to a tag or a commit id it is read-only (every change is
// InvalidArgument "catalog is bound to 'v1', a tag or commit, which is read-only: commit to a branch"). The REST server
// serves one EmbeddedCatalog per prefix (/iceberg/main/v1/..., /iceberg/dev/v1/...), all over one shared store: AtRef()
// makes them cheaply.
//
// Tables are store contents under "ns1.ns2.table": the location of the current metadata file and the table uuid.
// Namespaces are contents too (their properties); a nested namespace needs its parent; a table needs its namespace.
// The catalog writes metadata files itself, <table location>/metadata/<NNNNN>-<uuid>.metadata.json (the Java and
// pyiceberg naming: 5-digit version, random uuid, so a name is never reused and a plain Write is safe), and then
// commits the new pointer with the previous location as the expected value: of two concurrent commits to one table,
// one wins and the other is Conflict, and the loser's metadata file is deleted, so nothing of it is visible.
// New tables are placed at <warehouse>/<ns levels joined by '/'>/<name> unless the request gives a location.
//
// Thread-safety: safe to share between threads (the store serializes; each commit is checked against the store).
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "floe/catalog/catalog.h"
#include "floe/catalog/catalog_store.h"
#include "floe/io/file_io.h"

namespace floe::catalog {

struct EmbeddedCatalogOptions {
  // Where new tables go: a directory ("/data/lake", file:///data/lake) or an S3 prefix ("s3://lake/warehouse").
  std::string warehouse;
  // The reference the catalog reads and commits: a branch (default main), a tag or a commit id (read-only).
  std::string ref = std::string(CatalogStore::kDefaultBranch);
  // How to reach S3 for s3:// locations.
  io::FileIOConfig io_config = io::FileIOConfig::FromEnvironment();
};

class EmbeddedCatalog final : public Catalog {
 public:
  // Opens (creating when missing) the store in <data_dir>/catalog/catalog.db and binds to options.ref.
  // NotFound when the ref does not exist; InvalidArgument when options.warehouse is empty.
  static Result<std::unique_ptr<EmbeddedCatalog>> Open(std::string_view data_dir, EmbeddedCatalogOptions options);
  // Over an open store (shared with other catalogs, e.g. one per REST prefix). Same errors as Open.
  static Result<std::unique_ptr<EmbeddedCatalog>> Create(std::shared_ptr<CatalogStore> store,
                                                         EmbeddedCatalogOptions options);
  // A catalog over the same store and warehouse, bound to `ref` (a branch, tag or commit id). NotFound when unknown.
  Result<std::unique_ptr<EmbeddedCatalog>> AtRef(std::string_view ref) const;

  Result<std::vector<Namespace>> ListNamespaces(const Namespace& parent) override;
  Status CreateNamespace(const Namespace& ns, const Properties& properties, const CommitMeta& meta) override;
  Result<Properties> LoadNamespace(const Namespace& ns) override;
  Status UpdateNamespaceProperties(const Namespace& ns, const std::vector<std::string>& removals,
                                   const Properties& updates, const CommitMeta& meta) override;
  Status DropNamespace(const Namespace& ns, const CommitMeta& meta) override;
  Result<std::vector<TableIdentifier>> ListTables(const Namespace& ns) override;
  Result<iceberg::TableState> CreateTable(const Namespace& ns, const CreateTableRequest& request,
                                          const CommitMeta& meta) override;
  Result<iceberg::TableState> LoadTable(const TableIdentifier& table) override;
  Result<iceberg::TableState> CommitTable(const TableCommit& commit, const CommitMeta& meta) override;
  Status CommitTransaction(const std::vector<TableCommit>& commits, const CommitMeta& meta) override;
  // With `purge`: Conflict (and nothing dropped) when another reference still holds the table, since its files
  // are shared; otherwise the pointer is removed first, then every file ReachableFiles names and the metadata files.
  Status DropTable(const TableIdentifier& table, bool purge, const CommitMeta& meta) override;
  Status RenameTable(const TableIdentifier& from, const TableIdentifier& to, const CommitMeta& meta) override;
  // A local FileIO (shared) for paths and file:// URIs; a new S3 FileIO per call for s3:// (an S3 FileIO is one
  // connection, so callers on different threads get their own).
  Result<std::shared_ptr<io::FileIO>> FileIOFor(std::string_view location) override;

  // True when one table exists (a HEAD on the REST API).
  Result<bool> TableExists(const TableIdentifier& table);

  // The reference as given in the options ("main", "v1", a commit id), and whether it can take commits.
  const std::string& ref() const { return ref_; }
  bool read_only() const { return read_only_; }
  const std::string& warehouse() const { return warehouse_; }
  const io::FileIOConfig& io_config() const { return io_config_; }
  // The history (log, branch, tag, merge, diff: what `floe catalog log|branch|tag|merge|diff` needs) is the store's
  // API; the catalog adds nothing to it.
  CatalogStore& store() const { return *store_; }
  const std::shared_ptr<CatalogStore>& shared_store() const { return store_; }

  // "<table location>/metadata/<NNNNN>-<uuid>.metadata.json" for metadata version `version` (1 for a new table).
  static std::string NewMetadataLocation(std::string_view table_location, int64_t version);

 private:
  struct PreparedCommit;  // one table's new metadata file, written, and the store operation that points at it

  EmbeddedCatalog(std::shared_ptr<CatalogStore> store, EmbeddedCatalogOptions options, bool read_only);

  Status CheckWritable() const;
  // The value of `key` at the bound reference.
  Result<std::optional<Content>> GetContent(const ContentKey& key);
  Status RequireNamespace(const Namespace& ns);
  Result<iceberg::TableState> ReadState(const TableIdentifier& table, const Content& content);
  std::string DefaultLocation(const Namespace& ns, std::string_view name) const;
  Status PrepareTableCommit(const TableCommit& commit, int64_t now_ms, PreparedCommit* out, bool* unchanged);

  std::shared_ptr<CatalogStore> store_;
  std::string ref_;
  bool read_only_ = false;
  std::string warehouse_;
  io::FileIOConfig io_config_;
  std::mutex io_mu_;  // guards local_io_
  std::shared_ptr<io::FileIO> local_io_;
};

}  // namespace floe::catalog
