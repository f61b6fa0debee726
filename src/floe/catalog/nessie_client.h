// NessieClient: a catalog's history over HTTP, through Project Nessie's REST API v2 (the subset nessie_api.h serves:
// references, commit log, create branch/tag, merge, diff). It answers in CatalogStore's own types and with the
// semantics of the same-named CatalogStore methods, so `floe catalog log|refs|branch|tag|merge|diff --catalog URL`
// prints what the --data-dir variants print. It speaks to floe's catalog and to a Nessie server alike.
//
// URLs: the Nessie API base is derived from what users already pass as the catalog's URL:
//   http://HOST:PORT/iceberg[/<ref>]   the Iceberg REST base -> http://HOST:PORT/api/v2
//   http://HOST:PORT                   the server root       -> http://HOST:PORT/api/v2
//   http://HOST:PORT/api/v2            used as is
// (a path before /iceberg or /api/v2, as behind a proxy, is kept).
//
// Errors: the server's NessieError message, then the request and status in parentheses. 400 -> InvalidArgument,
// 404 -> NotFound, 409 REFERENCE_ALREADY_EXISTS -> AlreadyExists, other 409 -> Conflict, 401/403 -> InvalidArgument
// (the token is wrong or missing), 501 -> Unsupported, anything else -> Unavailable; a response that is not the JSON
// the API promises is Corruption. Network failures are Unavailable (io::HttpClient).
//
// Not thread-safe (one HTTP connection); use one per thread.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "floe/base/status.h"
#include "floe/catalog/catalog_store.h"
#include "floe/io/http_client.h"

namespace floe::catalog {

struct NessieClientOptions {
  std::string token;  // sent as "Authorization: Bearer <token>" when non-empty
  io::HttpClientOptions http;
};

class NessieClient {
 public:
  // The Nessie API v2 base URL for a catalog URL (see above). InvalidArgument, saying which forms are accepted, for
  // anything else (not http(s), an /api/v1 URL, an unrelated path).
  static Result<std::string> ApiUrl(std::string_view catalog_url);

  // A client for `catalog_url`; no request is sent yet. InvalidArgument as ApiUrl.
  static Result<std::unique_ptr<NessieClient>> Connect(std::string_view catalog_url, NessieClientOptions options = {});
  ~NessieClient();

  const std::string& api_url() const { return api_url_; }

  // Branches and tags, sorted by name as the server lists them (every page).
  Result<std::vector<Reference>> ListRefs();
  // NotFound for an unknown name.
  Result<Reference> GetRef(std::string_view name);
  // A branch or tag at `from`: a reference name, "name@hash", or a commit id (8 to 64 hex digits, as CatalogStore
  // reads it when no reference has that name).
  Result<Reference> CreateRef(std::string_view name, Reference::Type type, std::string_view from);
  // Deletes a reference; with `expected_head`, Conflict when it has moved.
  Status DeleteRef(std::string_view name, const std::optional<std::string>& expected_head = std::nullopt);
  // Up to `limit` commits from `at` (a reference, "name@hash" or a commit id), newest first, with their operations;
  // follows page tokens until `limit` commits or the root.
  Result<std::vector<CommitRecord>> Log(std::string_view at, int limit);
  // Keys whose values differ between two refs (every page), in the server's order (sorted by key).
  Result<std::vector<KeyDiff>> Diff(std::string_view from, std::string_view to);
  // Merges `source` (a reference, "name@hash" or a commit id) into branch `target`; returns target's new head (its old
  // head when there was nothing to merge). With `expected_target_head`, Conflict when the target has moved.
  Result<std::string> Merge(std::string_view source, std::string_view target,
                            const std::optional<std::string>& expected_target_head, const CommitMeta& meta);

 private:
  NessieClient(std::string api_url, NessieClientOptions options);
  // Sends a request to api_url_ + path (already escaped); returns the body of a 2xx answer, else the mapped error.
  Result<std::string> Call(const std::string& method, const std::string& path, const std::string& body = "");

  std::string api_url_;
  NessieClientOptions options_;
  io::HttpClient http_;
};

}  // namespace floe::catalog
