#include "floe/catalog/nessie_api.h"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <ctime>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <string_view>
#include <utility>
#include <vector>

#include "floe/base/logging.h"

namespace floe::catalog {
namespace {

using json = nlohmann::json;
using io::HttpRequest;
using io::HttpResponse;

// Nessie's name for a reference that is a bare commit (org.projectnessie.model.Detached.REF_NAME).
constexpr std::string_view kDetached = "DETACHED";
// Longer paths are refused before they reach the path grammar's regular expressions.
constexpr size_t kMaxPathBytes = 4096;
// A compressed request body may inflate to at most this (a history request body is a few hundred bytes).
constexpr size_t kMaxInflatedBodyBytes = 1 << 20;

std::string Dump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

// ---- the error model (org.projectnessie.error.NessieError) ----

std::string_view Reason(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 415: return "Unsupported Media Type";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    default: return "Internal Server Error";
  }
}

HttpResponse Error(int status, std::string_view error_code, std::string_view message) {
  json body = {{"status", status}, {"reason", Reason(status)}, {"message", message}, {"errorCode", error_code}};
  return HttpResponse::Json(status, Dump(body));
}

HttpResponse BadRequest(std::string_view message) {
  return Error(400, "BAD_REQUEST", message);
}

HttpResponse StoreError(const Status& status) {
  switch (status.code()) {
    case StatusCode::kInvalidArgument: return Error(400, "BAD_REQUEST", status.message());
    case StatusCode::kNotFound: return Error(404, "REFERENCE_NOT_FOUND", status.message());
    case StatusCode::kAlreadyExists: return Error(409, "REFERENCE_ALREADY_EXISTS", status.message());
    case StatusCode::kConflict: return Error(409, "REFERENCE_CONFLICT", status.message());
    case StatusCode::kUnavailable: return Error(503, "SERVICE_UNAVAILABLE", status.message());
    default: return Error(500, "UNKNOWN", status.message());
  }
}

// ---- paths and parameters ----

bool IsHex(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isxdigit(c) != 0; });
}

// A {ref} path element, decoded: "name", "name@hash", "@hash", "name@" or "-".
struct RefSpec {
  std::string name;  // empty: a bare commit
  std::string hash;  // empty: the reference's head

  // The form CatalogStore reads ("name", "name@hash", "@hash").
  std::string ForStore() const { return hash.empty() ? name : name + "@" + hash; }
};

Result<RefSpec> ParseRefSpec(std::string_view text, std::string_view default_branch) {
  RefSpec spec;
  if (text == "-") {
    spec.name = std::string(default_branch);
    return spec;
  }
  if (text.find_first_of("~^*") != std::string_view::npos) {
    return Status::InvalidArgument(fmt::format(
        "reference '{}': relative commit specs (~n, ^n, *timestamp) are not supported; give name, name@hash or @hash",
        text));
  }
  size_t at = text.find('@');
  spec.name = std::string(text.substr(0, at));
  if (at != std::string_view::npos) {
    spec.hash = std::string(text.substr(at + 1));
    if (spec.hash.find('@') != std::string::npos) {
      return Status::InvalidArgument(fmt::format("reference '{}': more than one '@'", text));
    }
    if (!spec.hash.empty() && (!IsHex(spec.hash) || spec.hash.size() < 8 || spec.hash.size() > 64)) {
      return Status::InvalidArgument(
          fmt::format("reference '{}': hash '{}' is not 8 to 64 hex digits", text, spec.hash));
    }
  }
  if (spec.name.empty() && spec.hash.empty()) {
    return Status::InvalidArgument(fmt::format("reference '{}': give a name, name@hash or @hash", text));
  }
  return spec;
}

// The parts of a /trees/... path, matched in the order JAX-RS would try Nessie's templates (most literal characters
// first), each {ref} by Nessie's REF_NAME_PATH_ELEMENT_REGEX.
struct TreesPath {
  enum class Kind { kMerge, kHistory, kDiff, kRef, kOther };
  Kind kind = Kind::kOther;
  std::string ref;  // raw (undecoded)
  std::string to;   // kDiff: raw
};

TreesPath MatchTreesPath(const std::string& rest) {
  static const std::string kRef = "([^/]+|[^@]+(?:@|%40)[^@/]*)";
  static const std::regex kMergeRe("^" + kRef + "/history/merge$");
  static const std::regex kHistoryRe("^" + kRef + "/history$");
  static const std::regex kDiffRe("^" + kRef + "/diff/" + kRef + "$");
  static const std::regex kRefRe("^" + kRef + "$");
  TreesPath out;
  std::smatch m;
  if (std::regex_match(rest, m, kMergeRe)) {
    out.kind = TreesPath::Kind::kMerge;
  } else if (std::regex_match(rest, m, kHistoryRe)) {
    out.kind = TreesPath::Kind::kHistory;
  } else if (std::regex_match(rest, m, kDiffRe)) {
    out.kind = TreesPath::Kind::kDiff;
    out.to = m[2].str();
  } else if (std::regex_match(rest, m, kRefRe)) {
    out.kind = TreesPath::Kind::kRef;
  } else {
    return out;
  }
  out.ref = m[1].str();
  return out;
}

// The page size of a request: max-records, else the default; at most max.
Result<int> PageSize(const HttpRequest& request, const NessieApiOptions& options) {
  std::string text = request.QueryParam("max-records");
  if (text.empty()) return options.default_page_size;
  int n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size() || n < 1) {
    return Status::InvalidArgument(
        fmt::format("query parameter max-records: expected a positive integer, got '{}'", text));
  }
  return std::min(n, options.max_page_size);
}

// Refuses query parameters that would change the answer in ways floe does not implement (rather than ignoring them).
Status RefuseUnsupported(const HttpRequest& request, std::initializer_list<std::string_view> names) {
  for (std::string_view name : names) {
    if (!request.QueryParam(name).empty()) {
      return Status::InvalidArgument(fmt::format("query parameter {} is not supported by floe's catalog", name));
    }
  }
  return Status::Ok();
}

Result<bool> FetchAll(const HttpRequest& request) {
  std::string fetch = request.QueryParam("fetch");
  for (char& c : fetch) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (fetch.empty() || fetch == "MINIMAL") return false;
  if (fetch == "ALL") return true;
  return Status::InvalidArgument(
      fmt::format("query parameter fetch: expected MINIMAL or ALL, got '{}'", request.QueryParam("fetch")));
}

Result<Reference::Type> ParseRefType(std::string_view text, std::string_view what) {
  std::string upper(text);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (upper == "BRANCH") return Reference::Type::kBranch;
  if (upper == "TAG") return Reference::Type::kTag;
  return Status::InvalidArgument(fmt::format("{}: expected BRANCH or TAG, got '{}'", what, text));
}

// ---- bodies ----

Result<json> ParseBody(const HttpRequest& request, std::string_view what) {
  if (request.body.empty()) {
    return Status::InvalidArgument(fmt::format("{}: the request body is empty; expected a JSON object", what));
  }
  json j;
  try {
    j = json::parse(request.body);
  } catch (const json::exception& e) {
    return Status::InvalidArgument(fmt::format("{}: malformed JSON: {}", what, e.what()));
  }
  if (!j.is_object()) {
    return Status::InvalidArgument(fmt::format("{}: expected a JSON object, got {}", what, j.type_name()));
  }
  return j;
}

// An optional string field: nullopt when absent or null.
Result<std::optional<std::string>> OptionalString(const json& j, std::string_view key, std::string_view what) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::optional<std::string>();
  if (!it->is_string()) {
    return Status::InvalidArgument(fmt::format("{}.{}: expected a string, got {}", what, key, it->type_name()));
  }
  return std::optional<std::string>(it->get<std::string>());
}

Result<bool> OptionalBool(const json& j, std::string_view key, std::string_view what) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return false;
  if (!it->is_boolean()) {
    return Status::InvalidArgument(fmt::format("{}.{}: expected a boolean, got {}", what, key, it->type_name()));
  }
  return it->get<bool>();
}

// The body of a request sent with "Content-Encoding: gzip" or "deflate" (Nessie's Java client compresses request
// bodies by default), inflated; InvalidArgument when it is not a valid stream or inflates past the bound.
Result<std::string> Inflate(std::string_view body, std::string_view encoding) {
  z_stream z{};
  // 16 + MAX_WBITS: a gzip (RFC 1952) stream; MAX_WBITS: a zlib (RFC 1950) stream, what HTTP calls "deflate".
  if (inflateInit2(&z, encoding == "gzip" ? 16 + MAX_WBITS : MAX_WBITS) != Z_OK) {
    return Status::Internal("zlib inflateInit2 failed");
  }
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(body.data()));
  z.avail_in = static_cast<uInt>(body.size());
  std::string out;
  char buffer[16384];
  int rc = Z_OK;
  while (rc == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(buffer);
    z.avail_out = sizeof(buffer);
    rc = inflate(&z, Z_NO_FLUSH);
    out.append(buffer, sizeof(buffer) - z.avail_out);
    if (out.size() > kMaxInflatedBodyBytes) {
      inflateEnd(&z);
      return Status::InvalidArgument(
          fmt::format("request body: {} content inflates past {} bytes", encoding, kMaxInflatedBodyBytes));
    }
    if (rc == Z_BUF_ERROR && z.avail_in == 0) break;  // the input ended before the stream did
  }
  inflateEnd(&z);
  if (rc != Z_STREAM_END) {
    return Status::InvalidArgument(
        fmt::format("request body: not a valid {} stream (zlib: {})", encoding, z.msg ? z.msg : "truncated"));
  }
  return out;
}

// ---- response bodies ----

std::string Instant(int64_t ms) {
  auto seconds = static_cast<std::time_t>(ms / 1000);
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03d}Z", fmt::gmtime(seconds), static_cast<int>(ms % 1000));
}

json ReferenceJson(const Reference& ref) {
  return {{"type", ref.is_branch() ? "BRANCH" : "TAG"}, {"name", ref.name}, {"hash", ref.head}};
}

json KeyJson(const ContentKey& key) {
  return {{"elements", key}};
}

Result<json> ContentJson(const ContentKey& key, const Content& content) {
  if (content.is_table()) {
    // The store keeps only the pointer; -1 says the snapshot, schema, spec and sort order ids are not recorded.
    return json{{"type", "ICEBERG_TABLE"}, {"id", content.table_uuid}, {"metadataLocation", content.metadata_location},
                {"snapshotId", -1},        {"schemaId", -1},           {"specId", -1},
                {"sortOrderId", -1}};
  }
  FLOE_ASSIGN_OR_RETURN(Properties properties, content.NamespaceProperties());
  return json{{"type", "NAMESPACE"}, {"elements", key}, {"properties", properties}};
}

Result<json> LogEntryJson(const CommitRecord& c, bool with_operations) {
  json meta = {{"hash", c.id},
               {"committer", ""},
               {"authors", json::array({c.author})},
               {"allSignedOffBy", json::array()},
               {"message", c.message},
               {"commitTime", Instant(c.time_ms)},
               {"authorTime", Instant(c.time_ms)}};
  json parents = json::array();
  if (!c.parent.empty()) parents.push_back(c.parent);
  if (!c.merged_from.empty()) parents.push_back(c.merged_from);
  if (!parents.empty()) meta["parentCommitHashes"] = parents;
  json entry = {{"commitMeta", meta}};
  if (!c.parent.empty()) entry["parentCommitHash"] = c.parent;
  if (with_operations) {
    json ops = json::array();
    for (const Operation& op : c.operations) {
      if (op.kind == Operation::Kind::kPut) {
        FLOE_ASSIGN_OR_RETURN(json content, ContentJson(op.key, op.content));
        ops.push_back({{"type", "PUT"}, {"key", KeyJson(op.key)}, {"content", std::move(content)}});
      } else {
        ops.push_back({{"type", "DELETE"}, {"key", KeyJson(op.key)}});
      }
    }
    entry["operations"] = std::move(ops);
  }
  return entry;
}

// Constant-time comparison, so the token cannot be guessed byte by byte from response times.
// ---- the endpoints ----

class Call {
 public:
  Call(CatalogStore& store, const NessieApiOptions& options, const HttpRequest& request)
      : store_(store), options_(options), request_(request) {}

  HttpResponse Route(std::string_view rest) {
    const std::string& m = request_.method;
    if (rest == "/config") return m == "GET" ? Config() : NotAllowed();
    if (rest == "/trees" || rest == "/trees/") {
      if (m == "GET") return ListRefs();
      if (m == "POST") return CreateRef();
      return NotAllowed();
    }
    if (rest.substr(0, 7) != "/trees/") return NoSuchEndpoint();
    std::string trees(rest.substr(7));
    if (!trees.empty() && trees.back() == '/') trees.pop_back();
    const TreesPath path = MatchTreesPath(trees);
    if (path.kind == TreesPath::Kind::kOther) {
      if (trees.find("/contents") != std::string::npos || trees.find("/entries") != std::string::npos ||
          trees.find("/history/") != std::string::npos || trees.find("/recent-changes") != std::string::npos) {
        return NotImplemented();
      }
      return NoSuchEndpoint();
    }
    auto decoded = io::DecodePathSegment(path.ref);
    if (!decoded.ok()) return BadRequest(decoded.status().message());
    auto spec = ParseRefSpec(*decoded, CatalogStore::kDefaultBranch);
    if (!spec.ok()) return BadRequest(spec.status().message());
    switch (path.kind) {
      case TreesPath::Kind::kMerge: return m == "POST" ? Merge(*spec) : NotAllowed();
      case TreesPath::Kind::kHistory: return m == "GET" ? History(*spec) : NotAllowed();
      case TreesPath::Kind::kDiff: {
        if (m != "GET") return NotAllowed();
        auto to_decoded = io::DecodePathSegment(path.to);
        if (!to_decoded.ok()) return BadRequest(to_decoded.status().message());
        auto to = ParseRefSpec(*to_decoded, CatalogStore::kDefaultBranch);
        if (!to.ok()) return BadRequest(to.status().message());
        return Diff(*spec, *to);
      }
      case TreesPath::Kind::kRef:
        if (m == "GET") return GetRef(*spec);
        if (m == "DELETE") return DeleteRef(*spec);
        if (m == "PUT") return NotImplemented();
        return NotAllowed();
      case TreesPath::Kind::kOther: break;
    }
    return NoSuchEndpoint();
  }

 private:
  HttpResponse NotAllowed() {
    return Error(405, "UNKNOWN", fmt::format("method {} is not allowed on {}", request_.method, request_.path));
  }
  HttpResponse NoSuchEndpoint() {
    return Error(404, "UNKNOWN", fmt::format("no such endpoint: {} {}", request_.method, request_.path));
  }
  HttpResponse NotImplemented() {
    return Error(501, "UNKNOWN",
                 fmt::format("floe's catalog does not serve {} {} over the Nessie API; it serves references, history, "
                             "merge and diff (use the Iceberg REST API under /iceberg for tables)",
                             request_.method, request_.path));
  }

  HttpResponse Config() {
    json body = {{"defaultBranch", CatalogStore::kDefaultBranch},
                 {"minSupportedApiVersion", 2},
                 {"maxSupportedApiVersion", 2},
                 {"actualApiVersion", 2},
                 {"specVersion", "2.0.0"}};
    return HttpResponse::Json(200, Dump(body));
  }

  HttpResponse ListRefs() {
    if (Status s = RefuseUnsupported(request_, {"filter"}); !s.ok()) return BadRequest(s.message());
    auto page = PageSize(request_, options_);
    if (!page.ok()) return BadRequest(page.status().message());
    auto refs = store_.ListRefs();
    if (!refs.ok()) return StoreError(refs.status());
    // Refs are sorted by name; a page token is the name the next page starts at.
    const std::string token = request_.QueryParam("page-token");
    auto it = std::lower_bound(refs->begin(), refs->end(), token,
                               [](const Reference& r, const std::string& name) { return r.name < name; });
    json list = json::array();
    for (int n = 0; it != refs->end() && n < *page; ++it, ++n) list.push_back(ReferenceJson(*it));
    json body = {{"references", std::move(list)}, {"hasMore", it != refs->end()}};
    if (it != refs->end()) body["token"] = it->name;
    return HttpResponse::Json(200, Dump(body));
  }

  HttpResponse GetRef(const RefSpec& spec) {
    if (spec.name.empty() || !spec.hash.empty()) {
      return BadRequest(fmt::format("GET {}: give a reference name (not a hash)", request_.path));
    }
    auto ref = store_.GetRef(spec.name);
    if (!ref.ok()) return StoreError(ref.status());
    return HttpResponse::Json(200, Dump(json{{"reference", ReferenceJson(*ref)}}));
  }

  HttpResponse CreateRef() {
    const std::string name = request_.QueryParam("name");
    if (name.empty()) return BadRequest("create reference: query parameter 'name' is required");
    const std::string type_text = request_.QueryParam("type");
    if (type_text.empty()) return BadRequest("create reference: query parameter 'type' (BRANCH or TAG) is required");
    auto type = ParseRefType(type_text, "create reference: query parameter type");
    if (!type.ok()) return BadRequest(type.status().message());
    constexpr std::string_view kWhat = "create reference: body (the source Reference)";
    auto body = ParseBody(request_, kWhat);
    if (!body.ok()) return BadRequest(body.status().message());
    auto source_name = OptionalString(*body, "name", kWhat);
    if (!source_name.ok()) return BadRequest(source_name.status().message());
    auto source_hash = OptionalString(*body, "hash", kWhat);
    if (!source_hash.ok()) return BadRequest(source_hash.status().message());
    if (auto t = OptionalString(*body, "type", kWhat); !t.ok()) return BadRequest(t.status().message());
    RefSpec from;
    if (*source_name && **source_name != kDetached) from.name = **source_name;
    if (*source_hash) from.hash = **source_hash;
    if (from.name.empty() && from.hash.empty()) {
      return BadRequest(fmt::format("{}: give the source's 'name', 'hash' or both", kWhat));
    }
    auto created = store_.CreateRef(name, *type, from.hash.empty() ? from.name : from.ForStore());
    if (!created.ok()) return StoreError(created.status());
    return HttpResponse::Json(200, Dump(json{{"reference", ReferenceJson(*created)}}));
  }

  HttpResponse DeleteRef(const RefSpec& spec) {
    if (spec.name.empty()) return BadRequest(fmt::format("DELETE {}: give a reference name", request_.path));
    auto ref = store_.GetRef(spec.name);
    if (!ref.ok()) return StoreError(ref.status());
    if (const std::string t = request_.QueryParam("type"); !t.empty()) {
      auto type = ParseRefType(t, "delete reference: query parameter type");
      if (!type.ok()) return BadRequest(type.status().message());
      if (*type != ref->type) {
        return Error(409, "REFERENCE_CONFLICT",
                     fmt::format("delete reference {}: it is a {}, not a {}", spec.name,
                                 ref->is_branch() ? "branch" : "tag", ref->is_branch() ? "tag" : "branch"));
      }
    }
    // Without a hash, delete the head just read, so the answer names exactly what was deleted.
    Status deleted = store_.DeleteRef(spec.name, spec.hash.empty() ? ref->head : spec.hash);
    if (!deleted.ok()) return StoreError(deleted);
    return HttpResponse::Json(200, Dump(json{{"reference", ReferenceJson(*ref)}}));
  }

  HttpResponse History(const RefSpec& spec) {
    if (Status s = RefuseUnsupported(request_, {"filter"}); !s.ok()) return BadRequest(s.message());
    auto page = PageSize(request_, options_);
    if (!page.ok()) return BadRequest(page.status().message());
    auto with_operations = FetchAll(request_);
    if (!with_operations.ok()) return BadRequest(with_operations.status().message());
    const std::string limit_hash = request_.QueryParam("limit-hash");
    if (!limit_hash.empty() && (!IsHex(limit_hash) || limit_hash.size() < 8 || limit_hash.size() > 64)) {
      return BadRequest(fmt::format("query parameter limit-hash: '{}' is not 8 to 64 hex digits", limit_hash));
    }
    // The reference is resolved on every page (an unknown one is 404 on every page); a page token is the id of the
    // commit the next page starts at.
    std::string start = spec.ForStore();
    auto resolved = store_.ResolveCommit(start);
    if (!resolved.ok()) return StoreError(resolved.status());
    if (const std::string token = request_.QueryParam("page-token"); !token.empty()) {
      if (!IsHex(token) || token.size() != 64) {
        return BadRequest(fmt::format("query parameter page-token: '{}' is not a token this server gave", token));
      }
      start = "@" + token;
    }
    auto log = store_.Log(start, *page + 1);
    if (!log.ok()) return StoreError(log.status());
    json entries = json::array();
    bool more = static_cast<int>(log->size()) > *page;
    std::string next;
    for (int i = 0; i < static_cast<int>(log->size()) && i < *page; ++i) {
      const CommitRecord& c = (*log)[static_cast<size_t>(i)];
      auto entry = LogEntryJson(c, *with_operations);
      if (!entry.ok()) return StoreError(entry.status());
      entries.push_back(std::move(*entry));
      if (!limit_hash.empty() && c.id.compare(0, limit_hash.size(), limit_hash) == 0) {
        more = false;
        break;
      }
    }
    if (more) next = (*log)[static_cast<size_t>(*page)].id;
    json body = {{"logEntries", std::move(entries)}, {"hasMore", more}};
    if (more) body["token"] = next;
    return HttpResponse::Json(200, Dump(body));
  }

  // The reference a diff side was read at: the named one with the commit it resolved to, or DETACHED.
  Result<json> EffectiveReference(const RefSpec& spec) {
    FLOE_ASSIGN_OR_RETURN(std::string commit, store_.ResolveCommit(spec.ForStore()));
    if (spec.name.empty()) return json{{"type", kDetached}, {"name", kDetached}, {"hash", commit}};
    Result<Reference> ref = store_.GetRef(spec.name);
    if (!ref.ok() && ref.status().code() == StatusCode::kNotFound) {
      // A bare commit id in the name's place (the store reads "abcd1234" as a commit when no ref has that name).
      return json{{"type", kDetached}, {"name", kDetached}, {"hash", commit}};
    }
    if (!ref.ok()) return ref.status();
    return json{{"type", ref->is_branch() ? "BRANCH" : "TAG"}, {"name", ref->name}, {"hash", commit}};
  }

  HttpResponse Diff(const RefSpec& from, const RefSpec& to) {
    if (Status s = RefuseUnsupported(request_, {"filter", "key", "min-key", "max-key", "prefix-key"}); !s.ok()) {
      return BadRequest(s.message());
    }
    auto page = PageSize(request_, options_);
    if (!page.ok()) return BadRequest(page.status().message());
    size_t offset = 0;
    if (const std::string token = request_.QueryParam("page-token"); !token.empty()) {
      auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), offset);
      if (ec != std::errc() || end != token.data() + token.size()) {
        return BadRequest(fmt::format("query parameter page-token: '{}' is not a token this server gave", token));
      }
    }
    auto from_ref = EffectiveReference(from);
    if (!from_ref.ok()) return StoreError(from_ref.status());
    auto to_ref = EffectiveReference(to);
    if (!to_ref.ok()) return StoreError(to_ref.status());
    auto diffs = store_.Diff(from.ForStore(), to.ForStore());
    if (!diffs.ok()) return StoreError(diffs.status());
    json list = json::array();
    size_t i = offset;
    for (; i < diffs->size() && list.size() < static_cast<size_t>(*page); ++i) {
      const KeyDiff& d = (*diffs)[i];
      json entry = {{"key", KeyJson(d.key)}};
      if (d.from) {
        auto content = ContentJson(d.key, *d.from);
        if (!content.ok()) return StoreError(content.status());
        entry["from"] = std::move(*content);
      }
      if (d.to) {
        auto content = ContentJson(d.key, *d.to);
        if (!content.ok()) return StoreError(content.status());
        entry["to"] = std::move(*content);
      }
      list.push_back(std::move(entry));
    }
    const bool more = i < diffs->size();
    json body = {{"diffs", std::move(list)},
                 {"hasMore", more},
                 {"effectiveFromReference", *from_ref},
                 {"effectiveToReference", *to_ref}};
    if (more) body["token"] = std::to_string(i);
    return HttpResponse::Json(200, Dump(body));
  }

  HttpResponse Merge(const RefSpec& branch) {
    constexpr std::string_view kWhat = "Merge";
    if (branch.name.empty()) return BadRequest(fmt::format("merge: {} names no branch", request_.path));
    auto body = ParseBody(request_, kWhat);
    if (!body.ok()) return BadRequest(body.status().message());
    auto from_name = OptionalString(*body, "fromRefName", kWhat);
    if (!from_name.ok()) return BadRequest(from_name.status().message());
    auto from_hash = OptionalString(*body, "fromHash", kWhat);
    if (!from_hash.ok()) return BadRequest(from_hash.status().message());
    if (!*from_name) return BadRequest("Merge: missing required field 'fromRefName'");
    auto dry_run = OptionalBool(*body, "dryRun", kWhat);
    if (!dry_run.ok()) return BadRequest(dry_run.status().message());
    if (*dry_run) return BadRequest("Merge.dryRun: dry-run merges are not supported by floe's catalog");
    if (auto mode = OptionalString(*body, "defaultKeyMergeMode", kWhat); !mode.ok()) {
      return BadRequest(mode.status().message());
    } else if (*mode && **mode != "NORMAL") {
      return BadRequest(fmt::format("Merge.defaultKeyMergeMode: only NORMAL is supported, got '{}'", **mode));
    }
    if (auto it = body->find("keyMergeModes"); it != body->end() && !it->is_null()) {
      if (!it->is_array()) return BadRequest("Merge.keyMergeModes: expected an array");
      for (size_t i = 0; i < it->size(); ++i) {
        const json& k = (*it)[i];
        if (!k.is_object() || !k.contains("mergeBehavior") || k["mergeBehavior"] != "NORMAL") {
          return BadRequest(fmt::format("Merge.keyMergeModes[{}]: only mergeBehavior NORMAL is supported", i));
        }
      }
    }
    // The merge commit's message and author: commitMeta wins over the deprecated top-level message.
    CommitMeta meta{"nessie-api", ""};
    auto message = OptionalString(*body, "message", kWhat);
    if (!message.ok()) return BadRequest(message.status().message());
    if (*message) meta.message = **message;
    if (auto it = body->find("commitMeta"); it != body->end() && !it->is_null()) {
      if (!it->is_object()) return BadRequest("Merge.commitMeta: expected an object");
      auto m = OptionalString(*it, "message", "Merge.commitMeta");
      if (!m.ok()) return BadRequest(m.status().message());
      if (*m && !(*m)->empty()) meta.message = **m;
      if (auto authors = it->find("authors"); authors != it->end() && !authors->is_null()) {
        if (!authors->is_array() || (!authors->empty() && !(*authors)[0].is_string())) {
          return BadRequest("Merge.commitMeta.authors: expected an array of strings");
        }
        if (!authors->empty()) meta.author = (*authors)[0].get<std::string>();
      } else {
        auto author = OptionalString(*it, "author", "Merge.commitMeta");
        if (!author.ok()) return BadRequest(author.status().message());
        if (*author) meta.author = **author;
      }
    }
    if (meta.author.empty()) meta.author = "nessie-api";
    if (meta.author.size() > 200) meta.author.resize(200);

    RefSpec source;
    if (**from_name != kDetached) source.name = **from_name;
    if (*from_hash) source.hash = **from_hash;
    if (source.name.empty() && source.hash.empty()) {
      return BadRequest("Merge: fromRefName is DETACHED or empty, so fromHash is required");
    }
    if (!source.hash.empty()) {
      auto checked = ParseRefSpec(source.ForStore(), CatalogStore::kDefaultBranch);
      if (!checked.ok()) return BadRequest("Merge.fromHash: " + checked.status().message());
    }
    auto before = store_.GetRef(branch.name);
    if (!before.ok()) return StoreError(before.status());
    if (!before->is_branch()) {
      return BadRequest(fmt::format("merge into {}: it is a tag; merge into a branch", branch.name));
    }
    // Without an expected hash, merge onto the head just read, so effectiveTargetHash is exact.
    const std::string expected = branch.hash.empty() ? before->head : branch.hash;
    auto head = store_.Merge(source.hash.empty() ? source.name : source.ForStore(), branch.name, expected, meta);
    if (!head.ok()) return StoreError(head.status());
    json response = {{"wasApplied", *head != before->head}, {"wasSuccessful", true},
                     {"resultantTargetHash", *head},        {"targetBranch", branch.name},
                     {"effectiveTargetHash", before->head}, {"details", json::array()}};
    if (!branch.hash.empty()) response["expectedHash"] = branch.hash;
    return HttpResponse::Json(200, Dump(response));
  }

  CatalogStore& store_;
  const NessieApiOptions& options_;
  const HttpRequest& request_;
};

}  // namespace

NessieApi::NessieApi(std::shared_ptr<CatalogStore> store, NessieApiOptions options)
    : store_(std::move(store)), options_(std::move(options)) {
  while (!options_.base_path.empty() && options_.base_path.back() == '/') options_.base_path.pop_back();
  options_.default_page_size = std::max(1, options_.default_page_size);
  options_.max_page_size = std::clamp(options_.max_page_size, 1, CatalogStore::kMaxLogEntries - 1);
}

void NessieApi::Register(io::HttpServer& http) {
  const std::string route = options_.base_path.rfind("/api/", 0) == 0 ? "/api/*" : options_.base_path + "/*";
  for (const char* method : {"GET", "POST", "PUT", "DELETE"}) {
    http.Route(method, route, [this](const HttpRequest& request) { return Handle(request); });
  }
}

io::HttpResponse NessieApi::Handle(const io::HttpRequest& request) {
  if (auto denied = io::CheckBearerToken(request, options_.token)) {
    HttpResponse r = Error(401, "UNKNOWN", *denied);
    r.headers.emplace_back("WWW-Authenticate", "Bearer");
    return r;
  }
  const std::string& base = options_.base_path;
  const std::string& path = request.path;
  if (path.size() > kMaxPathBytes) {
    return BadRequest(fmt::format("path of {} bytes is longer than {} bytes", path.size(), kMaxPathBytes));
  }
  if (path.compare(0, base.size(), base) != 0 || (path.size() > base.size() && path[base.size()] != '/')) {
    return Error(404, "UNKNOWN",
                 fmt::format("no such endpoint: {} {}: floe's catalog serves Nessie's REST API v2 under {} only",
                             request.method, path, base));
  }
  HttpRequest inflated;
  const HttpRequest* served = &request;
  if (auto it = request.headers.find("content-encoding"); it != request.headers.end() && !request.body.empty()) {
    std::string encoding = it->second;
    for (char& c : encoding) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (encoding == "gzip" || encoding == "x-gzip" || encoding == "deflate") {
      auto body = Inflate(request.body, encoding == "deflate" ? "deflate" : "gzip");
      if (!body.ok()) return BadRequest(body.status().message());
      inflated = request;
      inflated.body = std::move(*body);
      served = &inflated;
    } else if (encoding != "identity") {
      return Error(415, "UNSUPPORTED_MEDIA_TYPE",
                   fmt::format("Content-Encoding '{}' is not supported (send gzip, deflate or identity)", it->second));
    }
  }
  Call call(*store_, options_, *served);
  HttpResponse response = call.Route(std::string_view(path).substr(base.size()));
  if (response.status >= 500 && response.status != 501) {
    FLOE_LOG_WARN(
        "nessie api request failed",
        {{"method", request.method}, {"path", request.path}, {"status", response.status}, {"body", response.body}});
  }
  return response;
}

}  // namespace floe::catalog
