// RestCatalogClient: a Catalog that is any Iceberg REST catalog (apache/iceberg open-api/rest-catalog-open-api.yaml)
// reached over HTTP: floe's own (`floe catalog`), Project Nessie (/iceberg), Apache Polaris, Iceberg's REST fixture.
//
// On Connect it asks GET {uri}/v1/config (with ?warehouse= when given) and takes the server's defaults and overrides:
// "prefix" (Nessie's branch, floe's ref) goes between /v1/ and the resource paths; "s3.*" properties configure the
// FileIO for table files (explicit settings win over the usual AWS environment variables). Errors map from the
// spec's ErrorModel: 404 NotFound, 409 AlreadyExists (AlreadyExistsException) or Conflict (CommitFailedException,
// NamespaceNotEmptyException), 400/422 InvalidArgument, 401/403 Unavailable with the server's message, 5xx
// Unavailable; each message names the request ("POST http://h:19120/iceberg/v1/namespaces/t/tables/x: 409
// CommitFailedException: Requirement failed: branch main has changed: expected id 1 != 2").
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "floe/catalog/catalog.h"
#include "floe/io/file_io.h"
#include "floe/io/http_client.h"

namespace floe::catalog {

struct RestCatalogOptions {
  std::string uri;        // the catalog's base URL, without /v1: "http://127.0.0.1:19120/iceberg"
  std::string warehouse;  // sent to /v1/config when set
  std::string prefix;     // overrides the server's "prefix" (floe and Nessie: a branch or tag name)
  std::string token;      // bearer token, when the server wants one
  io::HttpClientOptions http;
  io::FileIOConfig fileio = io::FileIOConfig::FromEnvironment();
};

class RestCatalogClient final : public Catalog {
 public:
  // Connects: fetches /v1/config. Unavailable when the server cannot be reached.
  static Result<std::unique_ptr<RestCatalogClient>> Connect(RestCatalogOptions options);

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
  Status DropTable(const TableIdentifier& table, bool purge, const CommitMeta& meta) override;
  Status RenameTable(const TableIdentifier& from, const TableIdentifier& to, const CommitMeta& meta) override;
  Result<std::shared_ptr<io::FileIO>> FileIOFor(std::string_view location) override;

  // The path prefix in use ("" when none) and the FileIO settings the server sent.
  const std::string& prefix() const { return prefix_; }

 private:
  explicit RestCatalogClient(RestCatalogOptions options);

  struct Reply {
    int status = 0;
    std::string body;
  };
  // Sends a request to {uri}/v1/{prefix/}{path}; a status outside 2xx becomes the mapped error.
  Result<Reply> Call(const std::string& method, const std::string& path, const std::string& body = "");
  std::string NamespacePath(const Namespace& ns) const;
  std::string TablePath(const TableIdentifier& table) const;
  Result<iceberg::TableState> ParseLoadResult(const std::string& body, const std::string& what);

  RestCatalogOptions options_;
  std::string prefix_;
  std::mutex mu_;  // guards http_ (one connection)
  io::HttpClient http_;
  std::shared_ptr<io::FileIO> s3_io_;
  std::shared_ptr<io::FileIO> local_io_;
};

}  // namespace floe::catalog
