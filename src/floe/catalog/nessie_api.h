// NessieApi: floe's catalog history over HTTP, as the subset of Project Nessie's REST API v2 that history needs
// (projectnessie/nessie, api/model: org.projectnessie.api.v2.http.HttpTreeApi and HttpConfigApi, JSON shapes of
// org.projectnessie.model in its V2 view). It serves a CatalogStore (catalog_store.h) on the catalog's HTTP door
// beside the Iceberg REST routes (rest_catalog_server.h), under /api/v2 as Nessie serves it.
//
// Endpoints (paths below base_path, default "/api/v2"):
//   GET    /config                          NessieConfiguration: defaultBranch, min/max/actualApiVersion 2
//   GET    /trees                           ReferencesResponse {references, hasMore[, token]}; max-records, page-token
//   POST   /trees?name=N&type=BRANCH|TAG    creates a reference; the body is a Reference naming the source: {"name",
//                                           "hash"} (either or both; "DETACHED" or no name: the hash alone)
//   GET    /trees/{ref}                     SingleReferenceResponse {reference: {type, name, hash}}
//   DELETE /trees/{ref}[@hash][?type=]      deletes a reference (409 when it is not at hash); answers the deleted one
//   GET    /trees/{ref}/history             LogResponse {logEntries: [{commitMeta, parentCommitHash[, operations]}],
//                                           hasMore[, token]}; max-records, page-token, fetch=MINIMAL|ALL, limit-hash
//   POST   /trees/{branch}[@hash]/history/merge
//                                           body Merge {fromRefName, fromHash?, message? | commitMeta?}; answers
//                                           MergeResponse; 409 on conflicting keys or when the branch is not at hash
//   GET    /trees/{from}/diff/{to}          DiffResponse {diffs: [{key, from?, to?}], effectiveFrom/ToReference,
//                                           hasMore[, token]}; max-records, page-token
// A {ref} is Nessie's path element: "name", "name@hash", "@hash" (a bare commit), "-" (the default branch); a name with
// '/' is sent percent-encoded (%2F) or followed by '@' ("feature/x@"), as Nessie's grammar
// REF_NAME_PATH_ELEMENT_REGEX allows. Hashes may be unique prefixes of 8+ hex digits. Relative specs (~n, ^n, *time),
// CEL filters, key ranges, dry-run merges and key merge modes other than NORMAL are refused with 400; the other Nessie
// endpoints (contents, entries, commit, transplant, assign) answer 501.
//
// Table contents are ICEBERG_TABLE {id: table uuid, metadataLocation, snapshotId, schemaId, specId, sortOrderId}; the
// store keeps only the pointer, so the four ids are -1 ("not recorded"). Namespaces are NAMESPACE {elements,
// properties}. Commit times are ISO-8601 instants with milliseconds; "authors" holds the one author floe records; a
// merge commit's "parentCommitHashes" are its parent and the source commit it merged.
//
// Errors are Nessie's NessieError {status, reason, message, errorCode}: 400 BAD_REQUEST (malformed JSON, a bad name or
// parameter), 401 when a token is configured and the request lacks it, 404 REFERENCE_NOT_FOUND (unknown reference or
// commit), 409 REFERENCE_ALREADY_EXISTS / REFERENCE_CONFLICT (merge conflict, a reference that moved), 501 for the
// endpoints above that floe does not serve, 503 SERVICE_UNAVAILABLE when the store is busy, 500 UNKNOWN otherwise. The
// message is the store's own error text, so a client can show the same words as the store would locally.
#pragma once

#include <memory>
#include <string>

#include "floe/catalog/catalog_store.h"
#include "floe/io/http_server.h"

namespace floe::catalog {

struct NessieApiOptions {
  std::string base_path = "/api/v2";  // no trailing '/'
  // When non-empty, every request must carry "Authorization: Bearer <token>" (as on the Iceberg REST routes).
  std::string token;
  // Page sizes of /trees, /history and /diff: when max-records is not given, and the most one page holds.
  int default_page_size = 100;
  int max_page_size = 1000;
};

class NessieApi {
 public:
  NessieApi(std::shared_ptr<CatalogStore> store, NessieApiOptions options);

  // Routes GET, POST, PUT and DELETE under "/api/" on `http` to Handle, so that a request for API v1 gets a clear
  // answer too. `*this` must outlive `http`'s serving.
  void Register(io::HttpServer& http);

  // Serves one request. Safe to call from several threads at once (the store serializes).
  io::HttpResponse Handle(const io::HttpRequest& request);

  const NessieApiOptions& options() const { return options_; }

 private:
  std::shared_ptr<CatalogStore> store_;
  NessieApiOptions options_;
};

}  // namespace floe::catalog
