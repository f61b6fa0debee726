#include "floe/catalog/nessie_client.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>
#include <utility>

namespace floe::catalog {
namespace {

using json = nlohmann::json;

constexpr std::string_view kDetached = "DETACHED";

bool IsCommitId(std::string_view s) {
  return s.size() >= 8 && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
         });
}

// A user's "name", "name@hash", "@hash" or bare commit id, split as Nessie names them.
struct Spec {
  std::string name;  // empty: a bare commit
  std::string hash;
};

Spec SplitSpec(std::string_view text) {
  Spec spec;
  size_t at = text.find('@');
  if (at == std::string_view::npos) {
    // A commit id: reference names of 8+ hex digits do not exist in floe's catalog (CatalogStore refuses them).
    if (IsCommitId(text)) {
      spec.hash = std::string(text);
    } else {
      spec.name = std::string(text);
    }
    return spec;
  }
  spec.name = std::string(text.substr(0, at));
  spec.hash = std::string(text.substr(at + 1));
  return spec;
}

// The {ref} path element in Nessie's grammar: every '/'-separated part of the name escaped, '/' kept, and a trailing
// '@' after a name with '/' and no hash (REF_NAME_PATH_ELEMENT_REGEX: such a name must be followed by '@').
std::string RefPath(const Spec& spec) {
  std::string out;
  size_t start = 0;
  for (;;) {
    size_t slash = spec.name.find('/', start);
    out += io::HttpClient::Escape(
        std::string_view(spec.name).substr(start, slash == std::string::npos ? std::string::npos : slash - start));
    if (slash == std::string::npos) break;
    out += '/';
    start = slash + 1;
  }
  if (!spec.hash.empty()) {
    out += "@" + io::HttpClient::Escape(spec.hash);
  } else if (spec.name.find('/') != std::string::npos) {
    out += '@';
  }
  return out;
}

std::string RefPath(std::string_view text) {
  return RefPath(SplitSpec(text));
}

Result<json> ParseJson(const std::string& body, std::string_view what) {
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return Status::Corruption(fmt::format("{}: the answer is not a JSON object: {}", what, body.substr(0, 200)));
  }
  return j;
}

Result<std::string> GetString(const json& j, std::string_view key, std::string_view what) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) {
    return Status::Corruption(fmt::format("{}: the answer has no string '{}'", what, key));
  }
  return it->get<std::string>();
}

Result<Reference> ReferenceFromJson(const json& j, std::string_view what) {
  if (!j.is_object()) return Status::Corruption(fmt::format("{}: a reference is not a JSON object", what));
  Reference ref;
  FLOE_ASSIGN_OR_RETURN(std::string type, GetString(j, "type", what));
  if (type == "BRANCH") {
    ref.type = Reference::Type::kBranch;
  } else if (type == "TAG") {
    ref.type = Reference::Type::kTag;
  } else {
    return Status::Corruption(fmt::format("{}: reference type '{}' is neither BRANCH nor TAG", what, type));
  }
  FLOE_ASSIGN_OR_RETURN(ref.name, GetString(j, "name", what));
  FLOE_ASSIGN_OR_RETURN(ref.head, GetString(j, "hash", what));
  return ref;
}

Result<ContentKey> KeyFromJson(const json& j, std::string_view what) {
  if (!j.is_object() || !j.contains("elements") || !j["elements"].is_array()) {
    return Status::Corruption(fmt::format("{}: a content key has no 'elements' array", what));
  }
  ContentKey key;
  for (const json& e : j["elements"]) {
    if (!e.is_string()) return Status::Corruption(fmt::format("{}: a content key element is not a string", what));
    key.push_back(e.get<std::string>());
  }
  return key;
}

Result<Content> ContentFromJson(const json& j, const ContentKey& key, std::string_view what) {
  if (!j.is_object())
    return Status::Corruption(fmt::format("{}: content of {} is not an object", what, ContentKeyToString(key)));
  FLOE_ASSIGN_OR_RETURN(std::string type, GetString(j, "type", what));
  if (type == "ICEBERG_TABLE") {
    FLOE_ASSIGN_OR_RETURN(std::string location, GetString(j, "metadataLocation", what));
    std::string id = j.contains("id") && j["id"].is_string() ? j["id"].get<std::string>() : std::string();
    return Content::Table(std::move(location), std::move(id));
  }
  if (type == "NAMESPACE") {
    Properties properties;
    if (auto it = j.find("properties"); it != j.end() && !it->is_null()) {
      if (!it->is_object()) return Status::Corruption(fmt::format("{}: namespace properties are not an object", what));
      for (const auto& [k, v] : it->items()) {
        if (!v.is_string())
          return Status::Corruption(fmt::format("{}: namespace property {} is not a string", what, k));
        properties[k] = v.get<std::string>();
      }
    }
    return Content::NamespaceWith(properties);
  }
  return Status::Unsupported(
      fmt::format("{}: {} holds content of type {}, which floe's catalog does not model (tables and namespaces only)",
                  what, ContentKeyToString(key), type));
}

// "2021-04-07T14:42:25.534748Z" -> milliseconds since the epoch.
Result<int64_t> ParseInstant(std::string_view text, std::string_view what) {
  std::tm tm{};
  int consumed = 0;
  std::string s(text);
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
                  &tm.tm_sec, &consumed) != 6) {
    return Status::Corruption(fmt::format("{}: '{}' is not an ISO-8601 instant", what, text));
  }
  size_t i = static_cast<size_t>(consumed);
  int64_t ms = 0;
  if (i < s.size() && s[i] == '.') {
    int digits = 0;
    for (++i; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i, ++digits) {
      if (digits < 3) ms = ms * 10 + (s[i] - '0');
    }
    for (; digits < 3; ++digits) ms *= 10;
  }
  if (i + 1 != s.size() || s[i] != 'Z') {
    return Status::Corruption(fmt::format("{}: '{}' is not an ISO-8601 instant in UTC (ending in Z)", what, text));
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<int64_t>(timegm(&tm)) * 1000 + ms;
}

Result<CommitRecord> LogEntryFromJson(const json& entry, std::string_view what) {
  if (!entry.is_object() || !entry.contains("commitMeta") || !entry["commitMeta"].is_object()) {
    return Status::Corruption(fmt::format("{}: a log entry has no commitMeta object", what));
  }
  const json& meta = entry["commitMeta"];
  CommitRecord c;
  FLOE_ASSIGN_OR_RETURN(c.id, GetString(meta, "hash", what));
  if (auto authors = meta.find("authors");
      authors != meta.end() && authors->is_array() && !authors->empty() && (*authors)[0].is_string()) {
    c.author = (*authors)[0].get<std::string>();
  } else if (auto author = meta.find("author"); author != meta.end() && author->is_string()) {
    c.author = author->get<std::string>();  // API v1's shape
  }
  if (auto message = meta.find("message"); message != meta.end() && message->is_string()) {
    c.message = message->get<std::string>();
  }
  for (const char* key : {"commitTime", "authorTime"}) {
    if (auto t = meta.find(key); t != meta.end() && t->is_string()) {
      FLOE_ASSIGN_OR_RETURN(c.time_ms, ParseInstant(t->get<std::string>(), what));
      break;
    }
  }
  if (auto parents = meta.find("parentCommitHashes"); parents != meta.end() && parents->is_array()) {
    if (parents->size() >= 1 && (*parents)[0].is_string()) c.parent = (*parents)[0].get<std::string>();
    if (parents->size() >= 2 && (*parents)[1].is_string()) c.merged_from = (*parents)[1].get<std::string>();
  }
  if (auto parent = entry.find("parentCommitHash"); parent != entry.end() && parent->is_string()) {
    c.parent = parent->get<std::string>();
  }
  if (auto ops = entry.find("operations"); ops != entry.end() && ops->is_array()) {
    for (const json& op : *ops) {
      if (!op.is_object()) return Status::Corruption(fmt::format("{}: an operation is not an object", what));
      FLOE_ASSIGN_OR_RETURN(std::string type, GetString(op, "type", what));
      FLOE_ASSIGN_OR_RETURN(ContentKey key, KeyFromJson(op.contains("key") ? op["key"] : json(), what));
      if (type == "PUT") {
        FLOE_ASSIGN_OR_RETURN(Content content,
                              ContentFromJson(op.contains("content") ? op["content"] : json(), key, what));
        c.operations.push_back(Operation::Put(std::move(key), std::move(content)));
      } else if (type == "DELETE") {
        c.operations.push_back(Operation::Delete(std::move(key)));
      }
      // UNCHANGED operations (Nessie's marker for a key a commit checked but did not change) change nothing.
    }
  }
  return c;
}

// Appends "&page-token=T" for the next page, or nothing on the first.
std::string PageQuery(const std::string& token) {
  return token.empty() ? std::string() : "&page-token=" + io::HttpClient::Escape(token);
}

}  // namespace

Result<std::string> NessieClient::ApiUrl(std::string_view catalog_url) {
  const std::string_view forms =
      "expected http://HOST:PORT/iceberg (the Iceberg REST base), http://HOST:PORT or http://HOST:PORT/api/v2";
  size_t scheme = catalog_url.find("://");
  if (scheme == std::string_view::npos ||
      (catalog_url.substr(0, scheme) != "http" && catalog_url.substr(0, scheme) != "https")) {
    return Status::InvalidArgument(fmt::format("catalog URL '{}' is not an http(s) URL: {}", catalog_url, forms));
  }
  size_t path_start = catalog_url.find('/', scheme + 3);
  if (catalog_url.find_first_of("?#") != std::string_view::npos) {
    return Status::InvalidArgument(fmt::format("catalog URL '{}' has a query or fragment: {}", catalog_url, forms));
  }
  std::string root(catalog_url.substr(0, path_start));
  if (root.size() == scheme + 3) {
    return Status::InvalidArgument(fmt::format("catalog URL '{}' has no host: {}", catalog_url, forms));
  }
  std::string path = path_start == std::string_view::npos ? std::string() : std::string(catalog_url.substr(path_start));
  while (!path.empty() && path.back() == '/') path.pop_back();
  // The path's segments; the last /iceberg or /api segment decides.
  std::vector<std::string> segments;
  for (size_t i = 0; i < path.size();) {
    size_t next = path.find('/', i + 1);
    segments.push_back(path.substr(i + 1, next == std::string::npos ? std::string::npos : next - i - 1));
    i = next == std::string::npos ? path.size() : next;
  }
  auto join = [&](size_t n) {
    std::string out = root;
    for (size_t i = 0; i < n; ++i) out += "/" + segments[i];
    return out;
  };
  for (size_t i = segments.size(); i-- > 0;) {
    if (segments[i] == "iceberg") return join(i) + "/api/v2";
    if (segments[i] == "api") {
      if (i + 2 == segments.size() && segments[i + 1] == "v2") return join(i) + "/api/v2";
      return Status::InvalidArgument(
          fmt::format("catalog URL '{}': floe speaks Nessie's REST API v2 only (/api/v2), not {}", catalog_url, path));
    }
  }
  if (segments.empty()) return root + "/api/v2";
  return Status::InvalidArgument(
      fmt::format("catalog URL '{}': cannot tell where the catalog's Nessie API is; {}", catalog_url, forms));
}

NessieClient::NessieClient(std::string api_url, NessieClientOptions options)
    : api_url_(std::move(api_url)), options_(std::move(options)), http_(options_.http) {}

NessieClient::~NessieClient() = default;

Result<std::unique_ptr<NessieClient>> NessieClient::Connect(std::string_view catalog_url, NessieClientOptions options) {
  FLOE_ASSIGN_OR_RETURN(std::string api, ApiUrl(catalog_url));
  return std::unique_ptr<NessieClient>(new NessieClient(std::move(api), std::move(options)));
}

Result<std::string> NessieClient::Call(const std::string& method, const std::string& path, const std::string& body) {
  const std::string url = api_url_ + path;
  std::vector<std::pair<std::string, std::string>> headers = {{"Accept", "application/json"}};
  if (!body.empty() || method == "POST") headers.emplace_back("Content-Type", "application/json");
  if (!options_.token.empty()) headers.emplace_back("Authorization", "Bearer " + options_.token);
  FLOE_ASSIGN_OR_RETURN(io::HttpClientResponse r, http_.Send(method, url, headers, body));
  if (r.status >= 200 && r.status < 300) return std::move(r.body);
  std::string message, code;
  json error = json::parse(r.body, nullptr, /*allow_exceptions=*/false);
  if (error.is_object()) {
    if (error.contains("message") && error["message"].is_string()) message = error["message"].get<std::string>();
    if (message.empty() && error.contains("reason") && error["reason"].is_string()) {
      message = error["reason"].get<std::string>();
    }
    if (error.contains("errorCode") && error["errorCode"].is_string()) code = error["errorCode"].get<std::string>();
  }
  if (message.empty()) message = r.body.empty() ? "no error message" : r.body.substr(0, 300);
  const std::string text =
      fmt::format("{} ({} {}: HTTP {}{})", message, method, url, r.status, code.empty() ? "" : " " + code);
  switch (r.status) {
    case 400:
    case 401:
    case 403: return Status::InvalidArgument(text);
    case 404: return Status::NotFound(text);
    case 409:
      if (code == "REFERENCE_ALREADY_EXISTS") return Status::AlreadyExists(text);
      return Status::Conflict(text);
    case 501: return Status::Unsupported(text);
    default: return Status::Unavailable(text);
  }
}

Result<std::vector<Reference>> NessieClient::ListRefs() {
  std::vector<Reference> out;
  std::string token;
  for (;;) {
    const std::string path = "/trees?max-records=1000" + PageQuery(token);
    FLOE_ASSIGN_OR_RETURN(std::string body, Call("GET", path));
    const std::string what = "GET " + api_url_ + path;
    FLOE_ASSIGN_OR_RETURN(json j, ParseJson(body, what));
    if (!j.contains("references") || !j["references"].is_array()) {
      return Status::Corruption(what + ": the answer has no 'references' array");
    }
    for (const json& r : j["references"]) {
      // Nessie may list other kinds in the future; floe shows branches and tags.
      if (r.is_object() && r.contains("type") && r["type"] != "BRANCH" && r["type"] != "TAG") continue;
      FLOE_ASSIGN_OR_RETURN(Reference ref, ReferenceFromJson(r, what));
      out.push_back(std::move(ref));
    }
    if (!j.value("hasMore", false)) break;
    FLOE_ASSIGN_OR_RETURN(token, GetString(j, "token", what));
  }
  std::sort(out.begin(), out.end(), [](const Reference& a, const Reference& b) { return a.name < b.name; });
  return out;
}

Result<Reference> NessieClient::GetRef(std::string_view name) {
  const std::string path = "/trees/" + RefPath(Spec{std::string(name), ""});
  FLOE_ASSIGN_OR_RETURN(std::string body, Call("GET", path));
  const std::string what = "GET " + api_url_ + path;
  FLOE_ASSIGN_OR_RETURN(json j, ParseJson(body, what));
  if (!j.contains("reference")) return Status::Corruption(what + ": the answer has no 'reference'");
  return ReferenceFromJson(j["reference"], what);
}

Result<Reference> NessieClient::CreateRef(std::string_view name, Reference::Type type, std::string_view from) {
  const std::string doing = fmt::format("create {} {}", type == Reference::Type::kBranch ? "branch" : "tag", name);
  // The body is the source Reference {type, name, hash}, as Nessie's clients send it: a named source is read first
  // for its type and head; a bare commit is DETACHED.
  Spec spec = SplitSpec(from);
  json source;
  if (spec.name.empty()) {
    source = {{"type", kDetached}, {"name", kDetached}, {"hash", spec.hash}};
  } else {
    Result<Reference> ref = GetRef(spec.name);
    if (!ref.ok()) return ref.status().WithContext(doing);
    source = {{"type", ref->is_branch() ? "BRANCH" : "TAG"},
              {"name", ref->name},
              {"hash", spec.hash.empty() ? ref->head : spec.hash}};
  }
  const std::string path =
      "/trees?name=" + io::HttpClient::Escape(name) + "&type=" + (type == Reference::Type::kBranch ? "BRANCH" : "TAG");
  FLOE_ASSIGN_OR_RETURN(std::string body, Call("POST", path, source.dump()));
  const std::string what = "POST " + api_url_ + path;
  FLOE_ASSIGN_OR_RETURN(json j, ParseJson(body, what));
  if (!j.contains("reference")) return Status::Corruption(what + ": the answer has no 'reference'");
  return ReferenceFromJson(j["reference"], what);
}

Status NessieClient::DeleteRef(std::string_view name, const std::optional<std::string>& expected_head) {
  Spec spec{std::string(name), expected_head.value_or("")};
  if (spec.hash.empty()) {
    // Nessie requires the expected head in the path; without one, delete the head read now.
    FLOE_ASSIGN_OR_RETURN(Reference ref, GetRef(name));
    spec.hash = ref.head;
  }
  return Call("DELETE", "/trees/" + RefPath(spec)).status();
}

Result<std::vector<CommitRecord>> NessieClient::Log(std::string_view at, int limit) {
  limit = std::clamp(limit, 0, CatalogStore::kMaxLogEntries);
  std::vector<CommitRecord> out;
  std::string token;
  while (static_cast<int>(out.size()) < limit) {
    const std::string path = fmt::format("/trees/{}/history?fetch=ALL&max-records={}{}", RefPath(at),
                                         limit - static_cast<int>(out.size()), PageQuery(token));
    FLOE_ASSIGN_OR_RETURN(std::string body, Call("GET", path));
    const std::string what = "GET " + api_url_ + path;
    FLOE_ASSIGN_OR_RETURN(json j, ParseJson(body, what));
    if (!j.contains("logEntries") || !j["logEntries"].is_array()) {
      return Status::Corruption(what + ": the answer has no 'logEntries' array");
    }
    for (const json& entry : j["logEntries"]) {
      if (static_cast<int>(out.size()) >= limit) break;
      FLOE_ASSIGN_OR_RETURN(CommitRecord c, LogEntryFromJson(entry, what));
      out.push_back(std::move(c));
    }
    if (!j.value("hasMore", false)) break;
    FLOE_ASSIGN_OR_RETURN(token, GetString(j, "token", what));
  }
  return out;
}

Result<std::vector<KeyDiff>> NessieClient::Diff(std::string_view from, std::string_view to) {
  std::vector<KeyDiff> out;
  std::string token;
  for (;;) {
    const std::string path =
        fmt::format("/trees/{}/diff/{}?max-records=1000{}", RefPath(from), RefPath(to), PageQuery(token));
    FLOE_ASSIGN_OR_RETURN(std::string body, Call("GET", path));
    const std::string what = "GET " + api_url_ + path;
    FLOE_ASSIGN_OR_RETURN(json j, ParseJson(body, what));
    if (!j.contains("diffs") || !j["diffs"].is_array()) {
      return Status::Corruption(what + ": the answer has no 'diffs' array");
    }
    for (const json& d : j["diffs"]) {
      if (!d.is_object()) return Status::Corruption(what + ": a diff entry is not an object");
      KeyDiff diff;
      FLOE_ASSIGN_OR_RETURN(diff.key, KeyFromJson(d.contains("key") ? d["key"] : json(), what));
      for (const char* side : {"from", "to"}) {
        auto it = d.find(side);
        if (it == d.end() || it->is_null()) continue;
        FLOE_ASSIGN_OR_RETURN(Content content, ContentFromJson(*it, diff.key, what));
        (std::string_view(side) == "from" ? diff.from : diff.to) = std::move(content);
      }
      out.push_back(std::move(diff));
    }
    if (!j.value("hasMore", false)) break;
    FLOE_ASSIGN_OR_RETURN(token, GetString(j, "token", what));
  }
  return out;
}

Result<std::string> NessieClient::Merge(std::string_view source, std::string_view target,
                                        const std::optional<std::string>& expected_target_head,
                                        const CommitMeta& meta) {
  Spec from = SplitSpec(source);
  json request = {{"fromRefName", from.name.empty() ? std::string(kDetached) : from.name}};
  if (!from.hash.empty()) request["fromHash"] = from.hash;
  json commit_meta = {{"authors", json::array({meta.author})}};
  if (!meta.message.empty()) {
    commit_meta["message"] = meta.message;
    request["message"] = meta.message;  // servers before Nessie 0.59 read only this
  }
  request["commitMeta"] = std::move(commit_meta);
  const std::string path =
      "/trees/" + RefPath(Spec{std::string(target), expected_target_head.value_or("")}) + "/history/merge";
  FLOE_ASSIGN_OR_RETURN(std::string body, Call("POST", path, request.dump()));
  const std::string what = "POST " + api_url_ + path;
  FLOE_ASSIGN_OR_RETURN(json j, ParseJson(body, what));
  if (j.contains("wasSuccessful") && j["wasSuccessful"] == false) {
    return Status::Conflict(fmt::format("merge {} into {}: the server did not apply it ({})", source, target, what));
  }
  return GetString(j, "resultantTargetHash", what);
}

}  // namespace floe::catalog
