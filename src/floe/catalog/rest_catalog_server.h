// RestCatalogServer: serves a Catalog over the Iceberg REST catalog API (apache/iceberg
// open-api/rest-catalog-open-api.yaml), so that pyiceberg, Trino, Spark and DuckDB use floe's catalog unchanged.
//
// Paths live under a base path (default "/iceberg", as Project Nessie serves it). The catalog reference (a branch or
// a tag of floe's catalog history) is chosen per request, in any of the forms Nessie's clients use:
//   /iceberg/v1/namespaces/...            the default branch (main)
//   /iceberg/dev/v1/namespaces/...        ref "dev" in the base path (a client whose uri is .../iceberg/dev)
//   /iceberg/v1/dev/namespaces/...        ref "dev" as the spec's {prefix} (a client configured with prefix "dev";
//                                         Nessie's "ref|warehouse" prefixes are accepted, the warehouse ignored)
// The ref string is handed to the CatalogForRef factory as is, so the factory decides what it may name (a branch, a
// tag, "main@<commit>"...).
//
// Endpoints (spec section "paths"): GET /v1/config; namespaces: list (?parent=, levels separated by 0x1F), create,
// load, HEAD exists, POST .../properties, DELETE; tables: list, create (stage-create returns metadata without
// committing), load, commit (CommitTableRequest), DELETE (?purgeRequested=true also deletes the files), HEAD exists,
// POST .../metrics (accepted and ignored); POST /v1/tables/rename; POST /v1/transactions/commit. Views, functions,
// scan planning, credentials, register/unregister and OAuth answer 406 UnsupportedOperationException.
//
// Every error is the spec's IcebergErrorResponse {"error": {"message", "type", "code"}}: 400 BadRequestException for
// a malformed body (with the parse error and the field), 401 NotAuthorizedException when a token is configured and
// the request lacks it, 404 NoSuchNamespaceException / NoSuchTableException, 409 AlreadyExistsException /
// NamespaceNotEmptyException / CommitFailedException (a failed requirement, a lost race), 422 for a property both set
// and removed, 406 for what floe does not support, 500 for the rest (CommitStateUnknownException on commits).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "floe/base/status.h"
#include "floe/catalog/catalog.h"
#include "floe/io/http_server.h"

namespace floe::catalog {

// The catalog for one ref ("main", "dev", a tag). NotFound when the ref does not exist (answered 404).
using CatalogForRef = std::function<Result<std::shared_ptr<Catalog>>(const std::string& ref)>;

struct RestCatalogServerOptions {
  std::string base_path = "/iceberg";  // no trailing '/'
  std::string default_ref = "main";    // the ref of paths that name none
  // The warehouse location returned by /v1/config, and the base of a staged table's default location
  // (<warehouse>/<namespace levels joined by '/'>/<table>, as EmbeddedCatalog places tables).
  std::string warehouse;
  // When non-empty, every request must carry "Authorization: Bearer <token>".
  std::string token;
  // Returned as "config" with every loaded table: FileIO properties a client needs ("s3.endpoint", "s3.region",
  // "s3.path-style-access", ...).
  std::map<std::string, std::string> table_config;
};

class RestCatalogServer {
 public:
  RestCatalogServer(CatalogForRef catalogs, RestCatalogServerOptions options);

  // Routes every method under base_path on `http` to Handle. `*this` must outlive `http`'s serving.
  void Register(io::HttpServer& http);

  // Serves one request whose path starts with base_path. Safe to call from several threads at once when the
  // catalogs the factory returns are.
  io::HttpResponse Handle(const io::HttpRequest& request);

  const RestCatalogServerOptions& options() const { return options_; }

 private:
  CatalogForRef catalogs_;
  RestCatalogServerOptions options_;
};

}  // namespace floe::catalog
