#include "floe/catalog/rest_catalog_server.h"

#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string_view>
#include <utility>
#include <vector>

#include "floe/base/logging.h"
#include "floe/catalog/metadata_cache.h"
#include "floe/iceberg/metadata_updates.h"
#include "floe/iceberg/table_operations.h"
#include "floe/iceberg/table_updates.h"

namespace floe::catalog {
namespace {

using json = nlohmann::json;
using io::HttpRequest;
using io::HttpResponse;

// The spec's namespace separator in paths and in ?parent= (parameters "namespace" and listNamespaces "parent").
constexpr char kNamespaceSeparator = '\x1f';

// JSON text of a value; invalid UTF-8 in names or messages is replaced rather than failing the response.
std::string Dump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

// ---- the error model (IcebergErrorResponse / ErrorModel) ----

HttpResponse Error(int code, std::string_view type, std::string_view message) {
  json body = {{"error", {{"message", message}, {"type", type}, {"code", code}}}};
  return HttpResponse::Json(code, Dump(body));
}

HttpResponse BadRequest(const Status& status) {
  return Error(400, "BadRequestException", status.message());
}

HttpResponse Unsupported(std::string_view what) {
  return Error(406, "UnsupportedOperationException", fmt::format("floe's catalog does not support {}", what));
}

// What a catalog call was about, which decides the error type of NotFound and Conflict.
enum class Subject { kNamespace, kTable, kCommit };

HttpResponse CatalogError(const Status& status, Subject subject) {
  switch (status.code()) {
    case StatusCode::kInvalidArgument: return Error(400, "BadRequestException", status.message());
    case StatusCode::kNotFound:
      return Error(404, subject == Subject::kNamespace ? "NoSuchNamespaceException" : "NoSuchTableException",
                   status.message());
    case StatusCode::kAlreadyExists: return Error(409, "AlreadyExistsException", status.message());
    case StatusCode::kConflict:
      return Error(409, subject == Subject::kNamespace ? "NamespaceNotEmptyException" : "CommitFailedException",
                   status.message());
    case StatusCode::kUnsupported: return Error(406, "UnsupportedOperationException", status.message());
    case StatusCode::kUnavailable: return Error(503, "ServiceUnavailableException", status.message());
    default:
      // The spec: a commit that fails on the server for an unknown reason has an unknown state; the client must
      // not assume it failed (and delete its files).
      return Error(500, subject == Subject::kCommit ? "CommitStateUnknownException" : "InternalServerError",
                   status.message());
  }
}

// ---- paths ----

// A namespace as the spec writes it in a path or ?parent=: levels separated by 0x1F (already percent-decoded).
Result<Namespace> ParseNamespace(std::string_view text, std::string_view what) {
  Namespace ns;
  size_t start = 0;
  for (;;) {
    size_t end = text.find(kNamespaceSeparator, start);
    std::string_view level = text.substr(start, end == std::string_view::npos ? text.npos : end - start);
    if (level.empty()) {
      return Status::InvalidArgument(fmt::format("{} '{}': empty namespace level (levels are separated by %1F)", what,
                                                 NamespaceToString(ns) + (ns.empty() ? "" : ".")));
    }
    ns.emplace_back(level);
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return ns;
}

// The resource path of a request after the base path and the ref: "/iceberg/dev/v1/namespaces/a" -> ref "dev",
// segments {"namespaces", "a"}.
struct ResourcePath {
  std::string ref;
  std::vector<std::string> segments;  // percent-decoded
};

bool IsResource(std::string_view segment) {
  static const std::set<std::string_view> kResources = {"config", "oauth", "namespaces",
                                                        "tables", "views", "transactions"};
  return kResources.count(segment) > 0;
}

Result<ResourcePath> ParseResourcePath(std::string_view path, std::string_view base, std::string_view default_ref) {
  if (path.substr(0, base.size()) != base || path.size() <= base.size() || path[base.size()] != '/') {
    return Status::NotFound(fmt::format("no such endpoint: {} is not under {}", path, base));
  }
  std::string_view rest = path.substr(base.size() + 1);
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  std::vector<std::string> raw;
  for (size_t start = 0;;) {
    size_t end = rest.find('/', start);
    raw.emplace_back(rest.substr(start, end == std::string_view::npos ? rest.npos : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  std::vector<std::string> segments;
  for (const std::string& s : raw) {
    FLOE_ASSIGN_OR_RETURN(std::string decoded, io::DecodePathSegment(s));
    segments.push_back(std::move(decoded));
  }

  ResourcePath out;
  size_t v1 = 0;
  if (segments.size() >= 1 && segments[0] == "v1") {
    v1 = 0;
  } else if (segments.size() >= 2 && segments[1] == "v1" && !segments[0].empty()) {
    out.ref = segments[0];
    v1 = 1;
  } else {
    return Status::NotFound(
        fmt::format("no such endpoint: {} (expected {}/v1/... or {}/<ref>/v1/...)", path, base, base));
  }
  out.segments.assign(segments.begin() + static_cast<ptrdiff_t>(v1) + 1, segments.end());
  // The spec's {prefix}: anything before the resource. Nessie's prefixes are "ref|warehouse".
  if (out.segments.size() >= 2 && !IsResource(out.segments[0])) {
    std::string prefix = out.segments[0];
    out.segments.erase(out.segments.begin());
    std::string ref = prefix.substr(0, prefix.find('|'));
    if (!ref.empty()) {
      if (!out.ref.empty() && out.ref != ref) {
        return Status::InvalidArgument(
            fmt::format("path {} names two refs: '{}' in the base path and '{}' as the prefix", path, out.ref, ref));
      }
      out.ref = ref;
    }
  }
  if (out.ref.empty()) out.ref = std::string(default_ref);
  for (const std::string& s : out.segments) {
    if (s.empty()) return Status::NotFound(fmt::format("no such endpoint: {} (empty path segment)", path));
  }
  return out;
}

// ---- request bodies ----

Result<json> ParseBody(const HttpRequest& request, std::string_view what) {
  if (request.body.empty()) {
    return Status::InvalidArgument(fmt::format("{}: the request body is empty; expected a JSON object", what));
  }
  json j;
  try {
    j = json::parse(request.body);
  } catch (const json::exception& e) {  // parse errors, and numbers that overflow (out_of_range 406)
    return Status::InvalidArgument(fmt::format("{}: malformed JSON: {}", what, e.what()));
  }
  if (!j.is_object()) {
    return Status::InvalidArgument(fmt::format("{}: expected a JSON object, got {}", what, j.type_name()));
  }
  return j;
}

Result<std::string> StringField(const json& j, std::string_view key, std::string_view what) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    return Status::InvalidArgument(fmt::format("{}: missing required field '{}'", what, key));
  }
  if (!it->is_string()) {
    return Status::InvalidArgument(fmt::format("{}.{}: expected a string, got {}", what, key, it->type_name()));
  }
  return it->get<std::string>();
}

Result<Namespace> NamespaceFromJson(const json& j, std::string_view what) {
  if (!j.is_array()) return Status::InvalidArgument(fmt::format("{}: expected an array of strings", what));
  Namespace ns;
  for (size_t i = 0; i < j.size(); ++i) {
    if (!j[i].is_string() || j[i].get_ref<const std::string&>().empty()) {
      return Status::InvalidArgument(fmt::format("{}[{}]: expected a non-empty string", what, i));
    }
    ns.push_back(j[i].get<std::string>());
  }
  return ns;
}

// An optional string-to-string map; absent or null is empty.
Result<Properties> PropertiesFromJson(const json& parent, std::string_view key, std::string_view what) {
  Properties out;
  auto it = parent.find(key);
  if (it == parent.end() || it->is_null()) return out;
  if (!it->is_object()) {
    return Status::InvalidArgument(
        fmt::format("{}.{}: expected an object of strings, got {}", what, key, it->type_name()));
  }
  for (const auto& [k, v] : it->items()) {
    if (!v.is_string()) {
      return Status::InvalidArgument(fmt::format("{}.{}.{}: expected a string, got {}", what, key, k, v.type_name()));
    }
    out[k] = v.get<std::string>();
  }
  return out;
}

Result<TableIdentifier> IdentifierFromJson(const json& j, std::string_view what) {
  if (!j.is_object()) return Status::InvalidArgument(fmt::format("{}: expected a TableIdentifier object", what));
  TableIdentifier id;
  auto ns = j.find("namespace");
  if (ns == j.end()) return Status::InvalidArgument(fmt::format("{}: missing required field 'namespace'", what));
  FLOE_ASSIGN_OR_RETURN(id.ns, NamespaceFromJson(*ns, fmt::format("{}.namespace", what)));
  FLOE_ASSIGN_OR_RETURN(id.name, StringField(j, "name", what));
  if (id.name.empty()) return Status::InvalidArgument(fmt::format("{}.name: must not be empty", what));
  return id;
}

// A CommitTableRequest's requirements and updates (the element of CommitTransactionRequest "table-changes" too).
Result<TableCommit> CommitFromJson(const json& j, std::string_view what) {
  TableCommit commit;
  auto requirements = j.find("requirements");
  auto updates = j.find("updates");
  if (requirements == j.end() || !requirements->is_array()) {
    return Status::InvalidArgument(fmt::format("{}: 'requirements' must be an array", what));
  }
  if (updates == j.end() || !updates->is_array()) {
    return Status::InvalidArgument(fmt::format("{}: 'updates' must be an array", what));
  }
  auto parsed_requirements = iceberg::RequirementsFromJson(Dump(*requirements));
  if (!parsed_requirements.ok()) return parsed_requirements.status().WithContext(what);
  auto parsed_updates = iceberg::UpdatesFromJson(Dump(*updates));
  if (!parsed_updates.ok()) return parsed_updates.status().WithContext(what);
  commit.requirements = std::move(*parsed_requirements);
  commit.updates = std::move(*parsed_updates);
  return commit;
}

// ---- response bodies ----

json NamespaceJson(const Namespace& ns) {
  return json(ns);
}

json IdentifierJson(const TableIdentifier& id) {
  return {{"namespace", id.ns}, {"name", id.name}};
}

// LoadTableResult (also CreateTableResponse); CommitTableResponse is the same without "config". The metadata's JSON
// is spliced in as the iceberg layer writes it, not re-encoded.
std::string TableResult(const iceberg::TableState& state, bool with_location,
                        const std::map<std::string, std::string>* config) {
  std::shared_ptr<const std::string> metadata = MetadataCache::Shared().Json(state);
  std::string out;
  out.reserve(metadata->size() + state.metadata_location.size() + 64);
  out += "{";
  if (with_location) out += "\"metadata-location\":" + Dump(state.metadata_location) + ",";
  out += "\"metadata\":";
  out += *metadata;
  if (config) out += ",\"config\":" + Dump(json(*config));
  out += "}";
  return out;
}

HttpResponse NoContent() {
  HttpResponse r;
  r.status = 204;
  r.content_type = "application/json";
  return r;
}

std::string JoinLocation(std::string base, const Namespace& ns, const std::string& name) {
  while (!base.empty() && base.back() == '/') base.pop_back();
  for (const std::string& level : ns) base += "/" + level;
  return base + "/" + name;
}

// What a commit did, for the catalog's log: "append snapshot 123, set-snapshot-ref main".
std::string DescribeUpdates(const std::vector<iceberg::TableUpdate>& updates) {
  std::vector<std::string> parts;
  for (const iceberg::TableUpdate& u : updates) {
    std::string part = u.action;
    if (u.action == "add-snapshot" && u.snapshot) {
      std::string op = u.snapshot->operation();
      part = fmt::format("{} snapshot {}", op.empty() ? "add" : op, u.snapshot->snapshot_id);
    } else if (u.action == "set-snapshot-ref") {
      part = fmt::format("set-snapshot-ref {}", u.ref_name);
    }
    if (std::find(parts.begin(), parts.end(), part) == parts.end()) parts.push_back(std::move(part));
  }
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? ", " : "") + parts[i];
  return out.empty() ? "no changes" : out;
}

// ---- the endpoints ----

// One request being served: the catalog of its ref and what every catalog commit records.
class Call {
 public:
  Call(const RestCatalogServerOptions& options, const HttpRequest& request, Catalog& catalog)
      : options_(options), request_(request), catalog_(catalog) {
    auto agent = request.headers.find("user-agent");
    author_ = agent != request.headers.end() && !agent->second.empty() ? agent->second.substr(0, 120)
                                                                       : std::string("iceberg-rest");
  }

  HttpResponse Route(const std::vector<std::string>& s) {
    const std::string& m = request_.method;
    const size_t n = s.size();
    if (s[0] == "config" && n == 1) return m == "GET" ? Config() : NotAllowed();
    if (s[0] == "oauth") return Unsupported("OAuth2 token exchange (configure a bearer token instead)");
    if (s[0] == "views") return Unsupported("views");
    if (s[0] == "tables" && n == 2 && s[1] == "rename") return m == "POST" ? RenameTable() : NotAllowed();
    if (s[0] == "transactions" && n == 2 && s[1] == "commit") return m == "POST" ? CommitTransaction() : NotAllowed();
    if (s[0] != "namespaces") return NoSuchEndpoint();
    if (n == 1) {
      if (m == "GET") return ListNamespaces();
      if (m == "POST") return CreateNamespace();
      return NotAllowed();
    }
    auto ns = ParseNamespace(s[1], "namespace");
    if (!ns.ok()) return BadRequest(ns.status());
    if (n == 2) {
      if (m == "GET") return LoadNamespace(*ns);
      if (m == "HEAD") return NamespaceExists(*ns);
      if (m == "DELETE") return DropNamespace(*ns);
      return NotAllowed();
    }
    const std::string& kind = s[2];
    if (n == 3 && kind == "properties") return m == "POST" ? UpdateNamespaceProperties(*ns) : NotAllowed();
    if (kind == "views" || kind == "register-view") return Unsupported("views");
    if (kind == "functions") return Unsupported("functions");
    if (kind == "register") return Unsupported("registering a table by its metadata file");
    if (kind != "tables") return NoSuchEndpoint();
    if (n == 3) {
      if (m == "GET") return ListTables(*ns);
      if (m == "POST") return CreateTable(*ns);
      return NotAllowed();
    }
    TableIdentifier table{*ns, s[3]};
    if (n == 4) {
      if (m == "GET") return LoadTable(table);
      if (m == "HEAD") return TableExists(table);
      if (m == "POST") return CommitTable(table);
      if (m == "DELETE") return DropTable(table);
      return NotAllowed();
    }
    if (n == 5 && s[4] == "metrics") return m == "POST" ? NoContent() : NotAllowed();  // reports are not kept
    if (n == 5 && s[4] == "credentials") return Unsupported("vended credentials");
    if (n == 5 && s[4] == "unregister") return Unsupported("unregistering tables");
    if (s[4] == "plan" || s[4] == "tasks") return Unsupported("server-side scan planning");
    return NoSuchEndpoint();
  }

 private:
  HttpResponse NoSuchEndpoint() const {
    return Error(404, "NoSuchEndpointException",
                 fmt::format("no such endpoint: {} {}", request_.method, request_.path));
  }
  HttpResponse NotAllowed() const {
    return Error(405, "MethodNotAllowedException",
                 fmt::format("method {} is not allowed on {}", request_.method, request_.path));
  }
  CommitMeta Meta(std::string message) const { return CommitMeta{author_, std::move(message)}; }

  // NotFound from a table call means the table or its namespace; the spec wants them told apart.
  HttpResponse TableError(const Status& status, const Namespace& ns, Subject subject) {
    if (status.code() == StatusCode::kNotFound) {
      auto loaded = catalog_.LoadNamespace(ns);
      if (!loaded.ok() && loaded.status().code() == StatusCode::kNotFound) {
        return Error(404, "NoSuchNamespaceException", loaded.status().message());
      }
      return Error(404, "NoSuchTableException", status.message());
    }
    return CatalogError(status, subject);
  }

  HttpResponse Config() {
    json endpoints = json::array();
    for (const char* e :
         {"GET /v1/{prefix}/namespaces", "POST /v1/{prefix}/namespaces", "GET /v1/{prefix}/namespaces/{namespace}",
          "HEAD /v1/{prefix}/namespaces/{namespace}", "DELETE /v1/{prefix}/namespaces/{namespace}",
          "POST /v1/{prefix}/namespaces/{namespace}/properties", "GET /v1/{prefix}/namespaces/{namespace}/tables",
          "POST /v1/{prefix}/namespaces/{namespace}/tables", "GET /v1/{prefix}/namespaces/{namespace}/tables/{table}",
          "HEAD /v1/{prefix}/namespaces/{namespace}/tables/{table}",
          "POST /v1/{prefix}/namespaces/{namespace}/tables/{table}",
          "DELETE /v1/{prefix}/namespaces/{namespace}/tables/{table}",
          "POST /v1/{prefix}/namespaces/{namespace}/tables/{table}/metrics", "POST /v1/{prefix}/tables/rename",
          "POST /v1/{prefix}/transactions/commit"}) {
      endpoints.push_back(e);
    }
    json overrides = json::object();
    if (!options_.warehouse.empty()) overrides["warehouse"] = options_.warehouse;
    json body = {{"defaults", json::object()}, {"overrides", overrides}, {"endpoints", endpoints}};
    return HttpResponse::Json(200, Dump(body));
  }

  HttpResponse ListNamespaces() {
    Namespace parent;
    std::string text = request_.QueryParam("parent");
    if (!text.empty()) {
      auto parsed = ParseNamespace(text, "parent");
      if (!parsed.ok()) return BadRequest(parsed.status());
      parent = std::move(*parsed);
    }
    auto list = catalog_.ListNamespaces(parent);
    if (!list.ok()) return CatalogError(list.status(), Subject::kNamespace);
    json namespaces = json::array();
    for (const Namespace& ns : *list) namespaces.push_back(NamespaceJson(ns));
    return HttpResponse::Json(200, Dump(json{{"namespaces", namespaces}}));
  }

  HttpResponse CreateNamespace() {
    constexpr std::string_view kWhat = "CreateNamespaceRequest";
    auto body = ParseBody(request_, kWhat);
    if (!body.ok()) return BadRequest(body.status());
    auto field = body->find("namespace");
    if (field == body->end()) {
      return BadRequest(Status::InvalidArgument("CreateNamespaceRequest: missing required field 'namespace'"));
    }
    auto ns = NamespaceFromJson(*field, "CreateNamespaceRequest.namespace");
    if (!ns.ok()) return BadRequest(ns.status());
    if (ns->empty()) return BadRequest(Status::InvalidArgument("CreateNamespaceRequest.namespace: must not be empty"));
    auto properties = PropertiesFromJson(*body, "properties", kWhat);
    if (!properties.ok()) return BadRequest(properties.status());
    Status created = catalog_.CreateNamespace(*ns, *properties, Meta("create namespace " + NamespaceToString(*ns)));
    if (!created.ok()) return CatalogError(created, Subject::kNamespace);
    return HttpResponse::Json(200, Dump(json{{"namespace", NamespaceJson(*ns)}, {"properties", *properties}}));
  }

  HttpResponse LoadNamespace(const Namespace& ns) {
    auto properties = catalog_.LoadNamespace(ns);
    if (!properties.ok()) return CatalogError(properties.status(), Subject::kNamespace);
    return HttpResponse::Json(200, Dump(json{{"namespace", NamespaceJson(ns)}, {"properties", *properties}}));
  }

  HttpResponse NamespaceExists(const Namespace& ns) {
    auto properties = catalog_.LoadNamespace(ns);
    if (!properties.ok()) return CatalogError(properties.status(), Subject::kNamespace);
    return NoContent();
  }

  HttpResponse DropNamespace(const Namespace& ns) {
    Status dropped = catalog_.DropNamespace(ns, Meta("drop namespace " + NamespaceToString(ns)));
    if (!dropped.ok()) return CatalogError(dropped, Subject::kNamespace);
    return NoContent();
  }

  HttpResponse UpdateNamespaceProperties(const Namespace& ns) {
    constexpr std::string_view kWhat = "UpdateNamespacePropertiesRequest";
    auto body = ParseBody(request_, kWhat);
    if (!body.ok()) return BadRequest(body.status());
    std::vector<std::string> removals;
    if (auto it = body->find("removals"); it != body->end() && !it->is_null()) {
      if (!it->is_array())
        return BadRequest(Status::InvalidArgument(fmt::format("{}.removals: expected an array", kWhat)));
      for (size_t i = 0; i < it->size(); ++i) {
        if (!(*it)[i].is_string()) {
          return BadRequest(Status::InvalidArgument(fmt::format("{}.removals[{}]: expected a string", kWhat, i)));
        }
        removals.push_back((*it)[i].get<std::string>());
      }
    }
    auto updates = PropertiesFromJson(*body, "updates", kWhat);
    if (!updates.ok()) return BadRequest(updates.status());
    for (const std::string& key : removals) {
      if (updates->count(key)) {
        return Error(422, "UnprocessableEntityException",
                     fmt::format("property '{}' is both in removals and in updates", key));
      }
    }
    auto before = catalog_.LoadNamespace(ns);
    if (!before.ok()) return CatalogError(before.status(), Subject::kNamespace);
    Status updated = catalog_.UpdateNamespaceProperties(
        ns, removals, *updates, Meta("update properties of namespace " + NamespaceToString(ns)));
    if (!updated.ok()) return CatalogError(updated, Subject::kNamespace);
    json updated_keys = json::array(), removed = json::array(), missing = json::array();
    for (const auto& [key, value] : *updates) updated_keys.push_back(key);
    for (const std::string& key : removals) (before->count(key) ? removed : missing).push_back(key);
    return HttpResponse::Json(200, Dump(json{{"updated", updated_keys}, {"removed", removed}, {"missing", missing}}));
  }

  HttpResponse ListTables(const Namespace& ns) {
    auto tables = catalog_.ListTables(ns);
    if (!tables.ok()) return CatalogError(tables.status(), Subject::kNamespace);
    json identifiers = json::array();
    for (const TableIdentifier& t : *tables) identifiers.push_back(IdentifierJson(t));
    return HttpResponse::Json(200, Dump(json{{"identifiers", identifiers}}));
  }

  HttpResponse CreateTable(const Namespace& ns) {
    constexpr std::string_view kWhat = "CreateTableRequest";
    auto body = ParseBody(request_, kWhat);
    if (!body.ok()) return BadRequest(body.status());
    CreateTableRequest request;
    auto name = StringField(*body, "name", kWhat);
    if (!name.ok()) return BadRequest(name.status());
    if (name->empty()) return BadRequest(Status::InvalidArgument("CreateTableRequest.name: must not be empty"));
    request.name = std::move(*name);
    if (auto it = body->find("location"); it != body->end() && !it->is_null()) {
      if (!it->is_string())
        return BadRequest(Status::InvalidArgument("CreateTableRequest.location: expected a string"));
      request.location = it->get<std::string>();
    }
    auto schema = body->find("schema");
    if (schema == body->end() || !schema->is_object()) {
      return BadRequest(Status::InvalidArgument("CreateTableRequest: missing required object 'schema'"));
    }
    auto parsed_schema = iceberg::SchemaFromJson(Dump(*schema), "CreateTableRequest.schema");
    if (!parsed_schema.ok()) return BadRequest(parsed_schema.status());
    request.schema = std::move(*parsed_schema);
    if (auto it = body->find("partition-spec"); it != body->end() && !it->is_null()) {
      auto spec = iceberg::PartitionSpecFromJson(Dump(*it), "CreateTableRequest.partition-spec");
      if (!spec.ok()) return BadRequest(spec.status());
      request.spec = std::move(*spec);
    }
    if (auto it = body->find("write-order"); it != body->end() && !it->is_null()) {
      auto order = iceberg::SortOrderFromJson(Dump(*it), "CreateTableRequest.write-order");
      if (!order.ok()) return BadRequest(order.status());
      request.sort_order = std::move(*order);
    }
    auto properties = PropertiesFromJson(*body, "properties", kWhat);
    if (!properties.ok()) return BadRequest(properties.status());
    request.properties = std::move(*properties);
    bool stage = false;
    if (auto it = body->find("stage-create"); it != body->end() && !it->is_null()) {
      if (!it->is_boolean()) {
        return BadRequest(Status::InvalidArgument("CreateTableRequest.stage-create: expected a boolean"));
      }
      stage = it->get<bool>();
    }
    TableIdentifier id{ns, request.name};
    if (stage) return StageCreate(id, std::move(request));

    auto state = catalog_.CreateTable(ns, request, Meta("create table " + id.ToString()));
    if (!state.ok()) return CatalogError(state.status(), Subject::kNamespace);
    return HttpResponse::Json(200, TableResult(*state, true, &options_.table_config));
  }

  // stage-create: the metadata the table would start with, committed later by the client with assert-create and
  // the updates that build it (spec: createTable, "If stage-create is true, the table is not created").
  HttpResponse StageCreate(const TableIdentifier& id, CreateTableRequest request) {
    auto ns = catalog_.LoadNamespace(id.ns);
    if (!ns.ok()) return CatalogError(ns.status(), Subject::kNamespace);
    auto existing = catalog_.LoadTable(id);
    if (existing.ok())
      return Error(409, "AlreadyExistsException", fmt::format("table {} already exists", id.ToString()));
    if (existing.status().code() != StatusCode::kNotFound) return CatalogError(existing.status(), Subject::kTable);
    iceberg::CreateTableOptions options;
    options.spec = std::move(request.spec);
    options.sort_order = std::move(request.sort_order);
    options.schema = iceberg::AssignFreshIds(request.schema, &options.spec, &options.sort_order);
    options.location = request.location.empty() ? JoinLocation(options_.warehouse, id.ns, id.name) : request.location;
    while (options.location.size() > 1 && options.location.back() == '/') options.location.pop_back();
    options.properties = std::move(request.properties);
    auto metadata = iceberg::NewTableMetadata(options, iceberg::NowMs());
    if (!metadata.ok()) return BadRequest(metadata.status().WithContext("CreateTableRequest"));
    iceberg::TableState staged{std::move(*metadata), ""};
    return HttpResponse::Json(200, TableResult(staged, false, &options_.table_config));
  }

  HttpResponse LoadTable(const TableIdentifier& id) {
    auto state = catalog_.LoadTable(id);
    if (!state.ok()) return TableError(state.status(), id.ns, Subject::kTable);
    return HttpResponse::Json(200, TableResult(*state, true, &options_.table_config));
  }

  HttpResponse TableExists(const TableIdentifier& id) {
    auto state = catalog_.LoadTable(id);
    if (!state.ok()) return TableError(state.status(), id.ns, Subject::kTable);
    return NoContent();
  }

  HttpResponse CommitTable(const TableIdentifier& id) {
    constexpr std::string_view kWhat = "CommitTableRequest";
    auto body = ParseBody(request_, kWhat);
    if (!body.ok()) return BadRequest(body.status());
    auto commit = CommitFromJson(*body, kWhat);
    if (!commit.ok()) return BadRequest(commit.status());
    if (auto it = body->find("identifier"); it != body->end() && !it->is_null()) {
      auto named = IdentifierFromJson(*it, "CommitTableRequest.identifier");
      if (!named.ok()) return BadRequest(named.status());
      if (*named != id) {
        return BadRequest(Status::InvalidArgument(
            fmt::format("CommitTableRequest.identifier {} does not match the table in the path, {}", named->ToString(),
                        id.ToString())));
      }
    }
    commit->table = id;
    std::string message = fmt::format("commit {}: {}", id.ToString(), DescribeUpdates(commit->updates));
    auto state = catalog_.CommitTable(*commit, Meta(std::move(message)));
    if (!state.ok()) return TableError(state.status(), id.ns, Subject::kCommit);
    return HttpResponse::Json(200, TableResult(*state, true, nullptr));
  }

  HttpResponse DropTable(const TableIdentifier& id) {
    std::string purge_text = request_.QueryParam("purgeRequested");
    bool purge = purge_text == "true" || purge_text == "True" || purge_text == "1";
    if (!purge && !purge_text.empty() && purge_text != "false" && purge_text != "False" && purge_text != "0") {
      return BadRequest(Status::InvalidArgument(
          fmt::format("query parameter purgeRequested: expected true or false, got '{}'", purge_text)));
    }
    Status dropped =
        catalog_.DropTable(id, purge, Meta(fmt::format("drop table {}{}", id.ToString(), purge ? " (purge)" : "")));
    if (!dropped.ok()) return TableError(dropped, id.ns, Subject::kTable);
    return NoContent();
  }

  HttpResponse RenameTable() {
    constexpr std::string_view kWhat = "RenameTableRequest";
    auto body = ParseBody(request_, kWhat);
    if (!body.ok()) return BadRequest(body.status());
    auto source = body->find("source");
    auto destination = body->find("destination");
    if (source == body->end() || destination == body->end()) {
      return BadRequest(Status::InvalidArgument("RenameTableRequest: 'source' and 'destination' are required"));
    }
    auto from = IdentifierFromJson(*source, "RenameTableRequest.source");
    if (!from.ok()) return BadRequest(from.status());
    auto to = IdentifierFromJson(*destination, "RenameTableRequest.destination");
    if (!to.ok()) return BadRequest(to.status());
    Status renamed =
        catalog_.RenameTable(*from, *to, Meta(fmt::format("rename table {} to {}", from->ToString(), to->ToString())));
    if (renamed.ok()) return NoContent();
    if (renamed.code() == StatusCode::kNotFound) {
      // The spec's 404 is either the source table or the destination's namespace.
      auto source_table = catalog_.LoadTable(*from);
      if (source_table.ok()) return Error(404, "NoSuchNamespaceException", renamed.message());
      return Error(404, "NoSuchTableException", renamed.message());
    }
    return CatalogError(renamed, Subject::kTable);
  }

  HttpResponse CommitTransaction() {
    constexpr std::string_view kWhat = "CommitTransactionRequest";
    auto body = ParseBody(request_, kWhat);
    if (!body.ok()) return BadRequest(body.status());
    auto changes = body->find("table-changes");
    if (changes == body->end() || !changes->is_array()) {
      return BadRequest(Status::InvalidArgument("CommitTransactionRequest: 'table-changes' must be an array"));
    }
    std::vector<TableCommit> commits;
    std::string names;
    for (size_t i = 0; i < changes->size(); ++i) {
      std::string what = fmt::format("CommitTransactionRequest.table-changes[{}]", i);
      const json& change = (*changes)[i];
      if (!change.is_object()) return BadRequest(Status::InvalidArgument(what + ": expected an object"));
      auto identifier = change.find("identifier");
      if (identifier == change.end() || identifier->is_null()) {
        return BadRequest(Status::InvalidArgument(what + ": missing required field 'identifier'"));
      }
      auto id = IdentifierFromJson(*identifier, what + ".identifier");
      if (!id.ok()) return BadRequest(id.status());
      auto commit = CommitFromJson(change, what);
      if (!commit.ok()) return BadRequest(commit.status());
      commit->table = std::move(*id);
      names += (i ? ", " : "") + commit->table.ToString();
      commits.push_back(std::move(*commit));
    }
    Status committed = catalog_.CommitTransaction(commits, Meta("commit transaction: " + names));
    if (!committed.ok()) {
      if (committed.code() == StatusCode::kNotFound) return Error(404, "NoSuchTableException", committed.message());
      return CatalogError(committed, Subject::kCommit);
    }
    return NoContent();
  }

  const RestCatalogServerOptions& options_;
  const HttpRequest& request_;
  Catalog& catalog_;
  std::string author_;
};

}  // namespace

RestCatalogServer::RestCatalogServer(CatalogForRef catalogs, RestCatalogServerOptions options)
    : catalogs_(std::move(catalogs)), options_(std::move(options)) {
  while (!options_.base_path.empty() && options_.base_path.back() == '/') options_.base_path.pop_back();
}

void RestCatalogServer::Register(io::HttpServer& http) {
  for (const char* method : {"GET", "POST", "DELETE", "HEAD"}) {
    http.Route(method, options_.base_path + "/*", [this](const HttpRequest& request) { return Handle(request); });
  }
}

io::HttpResponse RestCatalogServer::Handle(const io::HttpRequest& request) {
  if (auto denied = io::CheckBearerToken(request, options_.token)) {
    HttpResponse r = Error(401, "NotAuthorizedException", *denied);
    r.headers.emplace_back("WWW-Authenticate", "Bearer");
    return r;
  }
  auto path = ParseResourcePath(request.path, options_.base_path, options_.default_ref);
  if (!path.ok()) {
    if (path.status().code() == StatusCode::kNotFound) {
      return Error(404, "NoSuchEndpointException", path.status().message());
    }
    return BadRequest(path.status());
  }
  if (path->segments.empty()) {
    return Error(404, "NoSuchEndpointException", fmt::format("no such endpoint: {} {}", request.method, request.path));
  }
  auto catalog = catalogs_(path->ref);
  if (!catalog.ok()) {
    if (catalog.status().code() == StatusCode::kNotFound) {
      return Error(404, "NoSuchReferenceException", catalog.status().message());
    }
    return CatalogError(catalog.status(), Subject::kNamespace);
  }
  Call call(options_, request, **catalog);
  HttpResponse response = call.Route(path->segments);
  if (response.status >= 500) {
    FLOE_LOG_WARN(
        "catalog request failed",
        {{"method", request.method}, {"path", request.path}, {"status", response.status}, {"body", response.body}});
  }
  return response;
}

}  // namespace floe::catalog
