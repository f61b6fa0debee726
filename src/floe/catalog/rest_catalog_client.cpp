#include "floe/catalog/rest_catalog_client.h"

#include <simdjson.h>

#include <nlohmann/json.hpp>

namespace floe::catalog {
namespace {

using json = nlohmann::json;

json NamespaceJson(const Namespace& ns) {
  return json(ns);
}

json IdentifierJson(const TableIdentifier& t) {
  return json{{"namespace", t.ns}, {"name", t.name}};
}

Result<json> ParseBody(const std::string& body, const std::string& what) {
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    return Status::Corruption(what + ": the response is not JSON: " + body.substr(0, 200));
  }
  return j;
}

std::string JoinUpdates(const std::vector<iceberg::TableUpdate>& updates) {
  std::string out = "[";
  for (size_t i = 0; i < updates.size(); ++i) out += (i ? "," : "") + iceberg::UpdateToJson(updates[i]);
  return out + "]";
}

std::string JoinRequirements(const std::vector<iceberg::TableRequirement>& requirements) {
  std::string out = "[";
  for (size_t i = 0; i < requirements.size(); ++i) {
    out += (i ? "," : "") + iceberg::RequirementToJson(requirements[i]);
  }
  return out + "]";
}

std::string CommitBody(const TableCommit& commit) {
  return "{\"identifier\":" + IdentifierJson(commit.table).dump() +
         ",\"requirements\":" + JoinRequirements(commit.requirements) + ",\"updates\":" + JoinUpdates(commit.updates) +
         "}";
}

}  // namespace

RestCatalogClient::RestCatalogClient(RestCatalogOptions options) : options_(std::move(options)), http_(options_.http) {
  while (!options_.uri.empty() && options_.uri.back() == '/') options_.uri.pop_back();
}

Result<std::unique_ptr<RestCatalogClient>> RestCatalogClient::Connect(RestCatalogOptions options) {
  if (options.uri.empty()) return Status::InvalidArgument("catalog: no URI");
  if (!options.uri.starts_with("http://") && !options.uri.starts_with("https://")) {
    return Status::InvalidArgument("catalog URI '" + options.uri + "' must start with http:// or https://");
  }
  std::unique_ptr<RestCatalogClient> client(new RestCatalogClient(std::move(options)));
  std::string path = "config";
  if (!client->options_.warehouse.empty()) path += "?warehouse=" + io::HttpClient::Escape(client->options_.warehouse);
  // /v1/config is never under a prefix (prefix_ is still empty here).
  FLOE_ASSIGN_OR_RETURN(Reply reply, client->Call("GET", path));
  FLOE_ASSIGN_OR_RETURN(json config, ParseBody(reply.body, "GET " + client->options_.uri + "/v1/config"));
  // defaults, then overrides win; an explicit prefix wins over both.
  std::map<std::string, std::string> properties;
  for (const char* section : {"defaults", "overrides"}) {
    if (config.contains(section) && config[section].is_object()) {
      for (const auto& [k, v] : config[section].items()) {
        if (v.is_string()) properties[k] = v.get<std::string>();
      }
    }
  }
  client->prefix_ = client->options_.prefix.empty() ? properties["prefix"] : client->options_.prefix;
  io::FileIOConfig& io = client->options_.fileio;
  if (properties.count("s3.endpoint")) io.endpoint = properties["s3.endpoint"];
  if (properties.count("s3.region")) io.region = properties["s3.region"];
  if (properties.count("client.region") && io.region.empty()) io.region = properties["client.region"];
  if (properties.count("s3.access-key-id")) io.access_key_id = properties["s3.access-key-id"];
  if (properties.count("s3.secret-access-key")) io.secret_access_key = properties["s3.secret-access-key"];
  if (properties.count("s3.path-style-access")) io.path_style = properties["s3.path-style-access"] == "true";
  return client;
}

Result<RestCatalogClient::Reply> RestCatalogClient::Call(const std::string& method, const std::string& path,
                                                         const std::string& body) {
  const std::string url = options_.uri + "/v1/" + (prefix_.empty() ? "" : io::HttpClient::Escape(prefix_) + "/") + path;
  std::vector<std::pair<std::string, std::string>> headers = {{"Accept", "application/json"}};
  if (!body.empty()) headers.emplace_back("Content-Type", "application/json");
  if (!options_.token.empty()) headers.emplace_back("Authorization", "Bearer " + options_.token);
  std::lock_guard<std::mutex> lock(mu_);
  FLOE_ASSIGN_OR_RETURN(io::HttpClientResponse r, http_.Send(method, url, headers, body));
  if (r.status >= 200 && r.status < 300) return Reply{r.status, std::move(r.body)};
  std::string type, message;
  json error = json::parse(r.body, nullptr, false);
  if (!error.is_discarded() && error.contains("error") && error["error"].is_object()) {
    const json& e = error["error"];
    if (e.contains("type") && e["type"].is_string()) type = e["type"].get<std::string>();
    if (e.contains("message") && e["message"].is_string()) message = e["message"].get<std::string>();
  } else {
    message = r.body.substr(0, 300);
  }
  const std::string text = method + " " + url + ": " + std::to_string(r.status) + (type.empty() ? "" : " " + type) +
                           (message.empty() ? "" : ": " + message);
  switch (r.status) {
    case 400:
    case 422: return Status::InvalidArgument(text);
    case 404: return Status::NotFound(text);
    case 409:
      if (type == "AlreadyExistsException") return Status::AlreadyExists(text);
      return Status::Conflict(text);
    case 406:
    case 501: return Status::Unsupported(text);
    default: return Status::Unavailable(text);
  }
}

std::string RestCatalogClient::NamespacePath(const Namespace& ns) const {
  std::string joined;
  for (size_t i = 0; i < ns.size(); ++i) joined += (i ? "\x1f" : "") + ns[i];
  return "namespaces/" + io::HttpClient::Escape(joined);
}

std::string RestCatalogClient::TablePath(const TableIdentifier& table) const {
  return NamespacePath(table.ns) + "/tables/" + io::HttpClient::Escape(table.name);
}

Result<iceberg::TableState> RestCatalogClient::ParseLoadResult(const std::string& body, const std::string& what) {
  // Parsed once, with simdjson, and the metadata read from that document: a LoadTable response is mostly the
  // metadata, ~100 KB for a table with a hundred snapshots, and every commit reads one (or two: the commit's response).
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(body).get(root) != simdjson::SUCCESS) {
    return Status::Corruption(what + ": the response is not JSON: " + body.substr(0, 200));
  }
  simdjson::dom::element metadata;
  if (!root.is_object() || root["metadata"].get(metadata) != simdjson::SUCCESS || !metadata.is_object()) {
    return Status::Corruption(what + ": the response has no \"metadata\" object");
  }
  iceberg::TableState state;
  if (std::string_view location; root["metadata-location"].get_string().get(location) == simdjson::SUCCESS) {
    state.metadata_location = std::string(location);
  }
  FLOE_ASSIGN_OR_RETURN(
      state.metadata,
      iceberg::ParseTableMetadata(metadata, state.metadata_location.empty() ? what : state.metadata_location));
  return state;
}

Result<std::vector<Namespace>> RestCatalogClient::ListNamespaces(const Namespace& parent) {
  std::vector<Namespace> out;
  std::string token;
  do {
    std::string path = "namespaces";
    std::string sep = "?";
    if (!parent.empty()) {
      std::string joined;
      for (size_t i = 0; i < parent.size(); ++i) joined += (i ? "\x1f" : "") + parent[i];
      path += sep + "parent=" + io::HttpClient::Escape(joined);
      sep = "&";
    }
    if (!token.empty()) path += sep + "pageToken=" + io::HttpClient::Escape(token);
    FLOE_ASSIGN_OR_RETURN(Reply reply, Call("GET", path));
    FLOE_ASSIGN_OR_RETURN(json j, ParseBody(reply.body, "list namespaces"));
    if (j.contains("namespaces") && j["namespaces"].is_array()) {
      for (const json& ns : j["namespaces"]) {
        if (ns.is_array()) out.push_back(ns.get<Namespace>());
      }
    }
    token = j.contains("next-page-token") && j["next-page-token"].is_string() ? j["next-page-token"].get<std::string>()
                                                                              : "";
  } while (!token.empty());
  return out;
}

Status RestCatalogClient::CreateNamespace(const Namespace& ns, const Properties& properties, const CommitMeta&) {
  json body{{"namespace", NamespaceJson(ns)}, {"properties", properties}};
  return Call("POST", "namespaces", body.dump()).status();
}

Result<Properties> RestCatalogClient::LoadNamespace(const Namespace& ns) {
  FLOE_ASSIGN_OR_RETURN(Reply reply, Call("GET", NamespacePath(ns)));
  FLOE_ASSIGN_OR_RETURN(json j, ParseBody(reply.body, "load namespace " + NamespaceToString(ns)));
  Properties out;
  if (j.contains("properties") && j["properties"].is_object()) {
    for (const auto& [k, v] : j["properties"].items()) {
      if (v.is_string()) out[k] = v.get<std::string>();
    }
  }
  return out;
}

Status RestCatalogClient::UpdateNamespaceProperties(const Namespace& ns, const std::vector<std::string>& removals,
                                                    const Properties& updates, const CommitMeta&) {
  json body{{"removals", removals}, {"updates", updates}};
  return Call("POST", NamespacePath(ns) + "/properties", body.dump()).status();
}

Status RestCatalogClient::DropNamespace(const Namespace& ns, const CommitMeta&) {
  return Call("DELETE", NamespacePath(ns)).status();
}

Result<std::vector<TableIdentifier>> RestCatalogClient::ListTables(const Namespace& ns) {
  std::vector<TableIdentifier> out;
  std::string token;
  do {
    std::string path = NamespacePath(ns) + "/tables";
    if (!token.empty()) path += "?pageToken=" + io::HttpClient::Escape(token);
    FLOE_ASSIGN_OR_RETURN(Reply reply, Call("GET", path));
    FLOE_ASSIGN_OR_RETURN(json j, ParseBody(reply.body, "list tables"));
    if (j.contains("identifiers") && j["identifiers"].is_array()) {
      for (const json& id : j["identifiers"]) {
        if (!id.is_object() || !id.contains("name") || !id["name"].is_string()) continue;
        TableIdentifier t;
        if (id.contains("namespace") && id["namespace"].is_array()) t.ns = id["namespace"].get<Namespace>();
        t.name = id["name"].get<std::string>();
        out.push_back(std::move(t));
      }
    }
    token = j.contains("next-page-token") && j["next-page-token"].is_string() ? j["next-page-token"].get<std::string>()
                                                                              : "";
  } while (!token.empty());
  return out;
}

Result<iceberg::TableState> RestCatalogClient::CreateTable(const Namespace& ns, const CreateTableRequest& request,
                                                           const CommitMeta&) {
  json body;
  body["name"] = request.name;
  if (!request.location.empty()) body["location"] = request.location;
  body["schema"] = json::parse(iceberg::SchemaToJson(request.schema));
  body["partition-spec"] = json::parse(iceberg::PartitionSpecToJson(request.spec));
  body["write-order"] = json::parse(iceberg::SortOrderToJson(request.sort_order));
  body["properties"] = request.properties;
  body["stage-create"] = false;
  FLOE_ASSIGN_OR_RETURN(Reply reply, Call("POST", NamespacePath(ns) + "/tables", body.dump()));
  return ParseLoadResult(reply.body, "create table " + NamespaceToString(ns) + "." + request.name);
}

Result<iceberg::TableState> RestCatalogClient::LoadTable(const TableIdentifier& table) {
  FLOE_ASSIGN_OR_RETURN(Reply reply, Call("GET", TablePath(table)));
  return ParseLoadResult(reply.body, "load table " + table.ToString());
}

Result<iceberg::TableState> RestCatalogClient::CommitTable(const TableCommit& commit, const CommitMeta&) {
  FLOE_ASSIGN_OR_RETURN(Reply reply, Call("POST", TablePath(commit.table), CommitBody(commit)));
  return ParseLoadResult(reply.body, "commit to table " + commit.table.ToString());
}

Status RestCatalogClient::CommitTransaction(const std::vector<TableCommit>& commits, const CommitMeta&) {
  std::string body = "{\"table-changes\":[";
  for (size_t i = 0; i < commits.size(); ++i) body += (i ? "," : "") + CommitBody(commits[i]);
  body += "]}";
  return Call("POST", "transactions/commit", body).status();
}

Status RestCatalogClient::DropTable(const TableIdentifier& table, bool purge, const CommitMeta&) {
  return Call("DELETE", TablePath(table) + (purge ? "?purgeRequested=true" : "")).status();
}

Status RestCatalogClient::RenameTable(const TableIdentifier& from, const TableIdentifier& to, const CommitMeta&) {
  json body{{"source", IdentifierJson(from)}, {"destination", IdentifierJson(to)}};
  return Call("POST", "tables/rename", body.dump()).status();
}

Result<std::shared_ptr<io::FileIO>> RestCatalogClient::FileIOFor(std::string_view location) {
  std::lock_guard<std::mutex> lock(mu_);
  std::shared_ptr<io::FileIO>& slot = io::IsS3Location(location) ? s3_io_ : local_io_;
  if (!slot) {
    FLOE_ASSIGN_OR_RETURN(std::unique_ptr<io::FileIO> io, io::FileIO::ForPath(location, options_.fileio));
    slot = std::move(io);
  }
  return slot;
}

}  // namespace floe::catalog
