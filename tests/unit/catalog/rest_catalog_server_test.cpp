#include "floe/catalog/rest_catalog_server.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "floe/catalog/embedded_catalog.h"
#include "floe/io/event_loop.h"
#include "floe/io/http_client.h"
#include "floe/io/http_server.h"

namespace floe::catalog {
namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;

constexpr char kSchema[] =
    R"({"type":"struct","schema-id":0,"fields":[{"id":1,"name":"id","required":true,"type":"long"},)"
    R"({"id":2,"name":"name","required":false,"type":"string"}]})";

struct Reply {
  int status = 0;
  std::string content_type;
  std::string raw;
  json body;
};

// A RestCatalogServer over an EmbeddedCatalog in a temporary data directory, driven by requests built in-process.
class RestCatalogServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/floe-rest-catalog-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    warehouse_ = dir_ + "/warehouse";
    EmbeddedCatalogOptions options;
    options.warehouse = warehouse_;
    auto opened = EmbeddedCatalog::Open(dir_ + "/data", options);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    main_ = std::move(*opened);
    MakeServer("");
  }
  void TearDown() override { fs::remove_all(dir_); }

  void MakeServer(std::string token) {
    RestCatalogServerOptions options;
    options.warehouse = warehouse_;
    options.token = std::move(token);
    options.table_config = {{"io-impl", "local"}};
    EmbeddedCatalog* main = main_.get();
    server_ = std::make_unique<RestCatalogServer>(
        [main](const std::string& ref) -> Result<std::shared_ptr<Catalog>> {
          FLOE_ASSIGN_OR_RETURN(std::unique_ptr<EmbeddedCatalog> at, main->AtRef(ref));
          return std::shared_ptr<Catalog>(std::move(at));
        },
        options);
  }

  Reply Send(std::string method, std::string target, std::string body = "",
             std::map<std::string, std::string> headers = {}) {
    io::HttpRequest request;
    request.method = std::move(method);
    request.target = target;
    size_t qm = target.find('?');
    request.path = target.substr(0, qm);
    if (qm != std::string::npos) request.query = target.substr(qm + 1);
    request.headers = std::move(headers);
    request.body = std::move(body);
    io::HttpResponse response = server_->Handle(request);
    Reply reply{response.status, response.content_type, response.body, json()};
    if (!response.body.empty()) reply.body = json::parse(response.body, nullptr, false);
    return reply;
  }
  Reply Post(std::string target, const json& body) { return Send("POST", std::move(target), body.dump()); }

  Reply CreateNamespace(const json& ns, const json& properties = json::object()) {
    return Post("/iceberg/v1/namespaces", {{"namespace", ns}, {"properties", properties}});
  }
  Reply CreateTable(const std::string& ns_path, const std::string& name, json extra = json::object(),
                    const std::string& base = "/iceberg/v1") {
    json body = {{"name", name}, {"schema", json::parse(kSchema)}};
    body.update(extra);
    return Post(base + "/namespaces/" + ns_path + "/tables", body);
  }

  std::string dir_;
  std::string warehouse_;
  std::unique_ptr<EmbeddedCatalog> main_;
  std::unique_ptr<RestCatalogServer> server_;
};

// The spec's IcebergErrorResponse: {"error": {"message", "type", "code"}} and nothing else, code = HTTP status.
void ExpectError(const Reply& reply, int code, const std::string& type, const std::string& message_part) {
  EXPECT_EQ(reply.status, code) << reply.raw;
  EXPECT_EQ(reply.content_type, "application/json");
  ASSERT_TRUE(reply.body.is_object()) << reply.raw;
  ASSERT_EQ(reply.body.size(), 1u) << reply.raw;
  const json& error = reply.body.at("error");
  EXPECT_EQ(error.size(), 3u) << reply.raw;
  EXPECT_EQ(error.at("code"), code) << reply.raw;
  EXPECT_EQ(error.at("type"), type) << reply.raw;
  EXPECT_NE(error.at("message").get<std::string>().find(message_part), std::string::npos)
      << "message lacks '" << message_part << "': " << reply.raw;
}

TEST_F(RestCatalogServerTest, ConfigGivesTheWarehouseAndTheEndpointsWithoutForcingAPrefix) {
  Reply r = Send("GET", "/iceberg/v1/config?warehouse=anything");
  ASSERT_EQ(r.status, 200) << r.raw;
  EXPECT_EQ(r.body["defaults"], json::object());
  EXPECT_EQ(r.body["overrides"], json({{"warehouse", warehouse_}}));  // no "prefix": a client's own prefix stands
  std::vector<std::string> endpoints = r.body["endpoints"];
  for (const char* e : {"GET /v1/{prefix}/namespaces", "HEAD /v1/{prefix}/namespaces/{namespace}/tables/{table}",
                        "POST /v1/{prefix}/namespaces/{namespace}/tables/{table}", "POST /v1/{prefix}/tables/rename",
                        "POST /v1/{prefix}/transactions/commit"}) {
    EXPECT_NE(std::find(endpoints.begin(), endpoints.end(), e), endpoints.end()) << e;
  }
  EXPECT_EQ(Send("GET", "/iceberg/main/v1/config").status, 200);
}

TEST_F(RestCatalogServerTest, NamespacesCreateListLoadExistUpdateAndDrop) {
  Reply created = CreateNamespace({"telemetry"}, {{"owner", "ops"}, {"tier", "gold"}});
  ASSERT_EQ(created.status, 200) << created.raw;
  EXPECT_EQ(created.body, json({{"namespace", {"telemetry"}}, {"properties", {{"owner", "ops"}, {"tier", "gold"}}}}));
  ExpectError(CreateNamespace({"telemetry"}), 409, "AlreadyExistsException", "telemetry");
  ASSERT_EQ(CreateNamespace({"telemetry", "raw"}).status, 200);
  ExpectError(CreateNamespace({"nope", "raw"}), 404, "NoSuchNamespaceException", "nope");

  EXPECT_EQ(Send("GET", "/iceberg/v1/namespaces").body, json({{"namespaces", {{"telemetry"}}}}));
  EXPECT_EQ(Send("GET", "/iceberg/v1/namespaces?parent=telemetry").body,
            json({{"namespaces", json::array({json::array({"telemetry", "raw"})})}}));
  EXPECT_EQ(Send("GET", "/iceberg/v1/namespaces?parent=telemetry%1Fraw").body, json({{"namespaces", json::array()}}));
  ExpectError(Send("GET", "/iceberg/v1/namespaces?parent=missing"), 404, "NoSuchNamespaceException", "missing");

  Reply loaded = Send("GET", "/iceberg/v1/namespaces/telemetry%1Fraw");
  ASSERT_EQ(loaded.status, 200) << loaded.raw;
  EXPECT_EQ(loaded.body, json({{"namespace", {"telemetry", "raw"}}, {"properties", json::object()}}));
  EXPECT_EQ(Send("HEAD", "/iceberg/v1/namespaces/telemetry").status, 204);
  ExpectError(Send("HEAD", "/iceberg/v1/namespaces/other"), 404, "NoSuchNamespaceException", "other");

  Reply updated = Post("/iceberg/v1/namespaces/telemetry/properties",
                       {{"removals", {"tier", "absent"}}, {"updates", {{"owner", "data"}, {"new", "1"}}}});
  ASSERT_EQ(updated.status, 200) << updated.raw;
  EXPECT_EQ(updated.body, json({{"updated", {"new", "owner"}}, {"removed", {"tier"}}, {"missing", {"absent"}}}));
  EXPECT_EQ(Send("GET", "/iceberg/v1/namespaces/telemetry").body["properties"],
            json({{"owner", "data"}, {"new", "1"}}));
  ExpectError(Post("/iceberg/v1/namespaces/telemetry/properties", {{"removals", {"x"}}, {"updates", {{"x", "1"}}}}),
              422, "UnprocessableEntityException", "'x'");

  ExpectError(Send("DELETE", "/iceberg/v1/namespaces/telemetry"), 409, "NamespaceNotEmptyException", "telemetry");
  EXPECT_EQ(Send("DELETE", "/iceberg/v1/namespaces/telemetry%1Fraw").status, 204);
  EXPECT_EQ(Send("DELETE", "/iceberg/v1/namespaces/telemetry").status, 204);
  ExpectError(Send("GET", "/iceberg/v1/namespaces/telemetry"), 404, "NoSuchNamespaceException", "telemetry");
  ExpectError(Send("DELETE", "/iceberg/v1/namespaces/telemetry"), 404, "NoSuchNamespaceException", "telemetry");
}

TEST_F(RestCatalogServerTest, CreateTableWritesMetadataAndLoadReturnsIt) {
  ASSERT_EQ(CreateNamespace({"db"}).status, 200);
  Reply created = CreateTable("db", "events", {{"properties", {{"k", "v"}}}});
  ASSERT_EQ(created.status, 200) << created.raw;
  std::string location = created.body["metadata-location"];
  EXPECT_EQ(location.rfind(warehouse_ + "/db/events/metadata/00001-", 0), 0u) << location;
  EXPECT_TRUE(fs::exists(location));
  EXPECT_EQ(created.body["metadata"]["location"], warehouse_ + "/db/events");
  EXPECT_EQ(created.body["metadata"]["properties"]["k"], "v");
  EXPECT_EQ(created.body["config"], json({{"io-impl", "local"}}));

  Reply loaded = Send("GET", "/iceberg/v1/namespaces/db/tables/events");
  ASSERT_EQ(loaded.status, 200) << loaded.raw;
  EXPECT_EQ(loaded.body["metadata-location"], location);
  EXPECT_EQ(loaded.body["metadata"], created.body["metadata"]);
  EXPECT_EQ(Send("HEAD", "/iceberg/v1/namespaces/db/tables/events").status, 204);
  EXPECT_EQ(Send("GET", "/iceberg/v1/namespaces/db/tables").body,
            json({{"identifiers", {{{"namespace", {"db"}}, {"name", "events"}}}}}));

  ExpectError(CreateTable("db", "events"), 409, "AlreadyExistsException", "db.events");
  ExpectError(CreateTable("nope", "events"), 404, "NoSuchNamespaceException", "nope");
  ExpectError(Send("GET", "/iceberg/v1/namespaces/db/tables/missing"), 404, "NoSuchTableException", "db.missing");
  ExpectError(Send("HEAD", "/iceberg/v1/namespaces/db/tables/missing"), 404, "NoSuchTableException", "missing");
  ExpectError(Send("GET", "/iceberg/v1/namespaces/nope/tables/events"), 404, "NoSuchNamespaceException", "nope");
  ExpectError(Send("GET", "/iceberg/v1/namespaces/nope/tables"), 404, "NoSuchNamespaceException", "nope");
}

TEST_F(RestCatalogServerTest, CommitAppliesUpdatesAndAFailedRequirementIs409WithNothingChanged) {
  ASSERT_EQ(CreateNamespace({"db"}).status, 200);
  Reply created = CreateTable("db", "t");
  ASSERT_EQ(created.status, 200) << created.raw;
  std::string uuid = created.body["metadata"]["table-uuid"];

  json snapshot = {{"snapshot-id", 42},
                   {"sequence-number", 1},
                   {"timestamp-ms", 1732480000123},
                   {"manifest-list", warehouse_ + "/db/t/metadata/snap-42.avro"},
                   {"summary", {{"operation", "append"}}},
                   {"schema-id", 0}};
  json commit = {{"identifier", {{"namespace", {"db"}}, {"name", "t"}}},
                 {"requirements",
                  {{{"type", "assert-table-uuid"}, {"uuid", uuid}},
                   {{"type", "assert-ref-snapshot-id"}, {"ref", "main"}, {"snapshot-id", nullptr}}}},
                 {"updates",
                  {{{"action", "add-snapshot"}, {"snapshot", snapshot}},
                   {{"action", "set-snapshot-ref"}, {"ref-name", "main"}, {"type", "branch"}, {"snapshot-id", 42}}}}};
  Reply committed =
      Send("POST", "/iceberg/v1/namespaces/db/tables/t", commit.dump(), {{"user-agent", "PyIceberg/0.12.0"}});
  ASSERT_EQ(committed.status, 200) << committed.raw;
  EXPECT_EQ(committed.body.size(), 2u) << committed.raw;  // CommitTableResponse: metadata-location, metadata
  std::string location = committed.body["metadata-location"];
  EXPECT_NE(location, created.body["metadata-location"]);
  EXPECT_EQ(committed.body["metadata"]["current-snapshot-id"], 42);
  EXPECT_EQ(Send("GET", "/iceberg/v1/namespaces/db/tables/t").body["metadata-location"], location);

  // The catalog's history records who committed what.
  auto log = main_->store().Log("main", 1);
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  ASSERT_EQ(log->size(), 1u);
  EXPECT_EQ((*log)[0].author, "PyIceberg/0.12.0");
  EXPECT_EQ((*log)[0].message, "commit db.t: append snapshot 42, set-snapshot-ref main");

  // The same commit again: main is no longer absent, so the requirement fails and the table keeps its state.
  Reply stale = Post("/iceberg/v1/namespaces/db/tables/t", commit);
  ExpectError(stale, 409, "CommitFailedException", "Requirement failed");
  ExpectError(
      Post("/iceberg/v1/namespaces/db/tables/t",
           {{"requirements", {{{"type", "assert-table-uuid"}, {"uuid", "00000000-0000-0000-0000-000000000000"}}}},
            {"updates", {{{"action", "set-properties"}, {"updates", {{"a", "b"}}}}}}}),
      409, "CommitFailedException", "Requirement failed");
  EXPECT_EQ(Send("GET", "/iceberg/v1/namespaces/db/tables/t").body["metadata-location"], location);

  ExpectError(
      Post("/iceberg/v1/namespaces/db/tables/missing",
           {{"requirements", json::array()}, {"updates", {{{"action", "set-properties"}, {"updates", {{"a", "b"}}}}}}}),
      404, "NoSuchTableException", "missing");
}

TEST_F(RestCatalogServerTest, MalformedBodiesAre400NamingTheProblem) {
  ASSERT_EQ(CreateNamespace({"db"}).status, 200);
  ASSERT_EQ(CreateTable("db", "t").status, 200);
  ExpectError(Send("POST", "/iceberg/v1/namespaces", "{\"namespace\": [\"a\""), 400, "BadRequestException",
              "CreateNamespaceRequest: malformed JSON: [json.exception.parse_error.101]");
  ExpectError(Send("POST", "/iceberg/v1/namespaces", ""), 400, "BadRequestException", "request body is empty");
  ExpectError(Send("POST", "/iceberg/v1/namespaces", "[1]"), 400, "BadRequestException", "expected a JSON object");
  ExpectError(Post("/iceberg/v1/namespaces", {{"namespace", {"a", 7}}}), 400, "BadRequestException",
              "CreateNamespaceRequest.namespace[1]: expected a non-empty string");
  ExpectError(Post("/iceberg/v1/namespaces", {{"namespace", {"a"}}, {"properties", {{"k", 1}}}}), 400,
              "BadRequestException", "CreateNamespaceRequest.properties.k: expected a string");
  ExpectError(Post("/iceberg/v1/namespaces/db/tables", {{"name", "x"}}), 400, "BadRequestException",
              "missing required object 'schema'");
  ExpectError(Post("/iceberg/v1/namespaces/db/tables", {{"schema", json::parse(kSchema)}}), 400, "BadRequestException",
              "CreateTableRequest: missing required field 'name'");
  ExpectError(Post("/iceberg/v1/namespaces/db/tables/t", {{"updates", json::array()}}), 400, "BadRequestException",
              "'requirements' must be an array");
  Reply unknown = Post("/iceberg/v1/namespaces/db/tables/t",
                       {{"requirements", json::array()}, {"updates", {{{"action", "frobnicate"}}}}});
  ExpectError(unknown, 400, "BadRequestException", "updates[0]");
  ExpectError(Post("/iceberg/v1/namespaces/db/tables/t", {{"identifier", {{"namespace", {"db"}}, {"name", "other"}}},
                                                          {"requirements", json::array()},
                                                          {"updates", json::array()}}),
              400, "BadRequestException", "does not match the table in the path");
  ExpectError(Send("GET", "/iceberg/v1/namespaces/a%1F%1Fb"), 400, "BadRequestException", "empty namespace level");
  ExpectError(Send("GET", "/iceberg/v1/namespaces/a%zz"), 400, "BadRequestException", "malformed percent-escape");
  ExpectError(Send("DELETE", "/iceberg/v1/namespaces/db/tables/t?purgeRequested=maybe"), 400, "BadRequestException",
              "purgeRequested");
}

TEST_F(RestCatalogServerTest, UnsupportedAndUnknownEndpoints) {
  ASSERT_EQ(CreateNamespace({"db"}).status, 200);
  ExpectError(Send("GET", "/iceberg/v1/namespaces/db/views"), 406, "UnsupportedOperationException", "views");
  ExpectError(Send("GET", "/iceberg/v1/namespaces/db/views/v"), 406, "UnsupportedOperationException", "views");
  ExpectError(Post("/iceberg/v1/views/rename", json::object()), 406, "UnsupportedOperationException", "views");
  ExpectError(Post("/iceberg/v1/oauth/tokens", json::object()), 406, "UnsupportedOperationException", "OAuth2");
  ExpectError(Send("GET", "/iceberg/v1/frobs"), 404, "NoSuchEndpointException", "GET /iceberg/v1/frobs");
  ExpectError(Send("GET", "/iceberg/v2/namespaces"), 404, "NoSuchEndpointException", "/iceberg/v2/namespaces");
  ExpectError(Send("DELETE", "/iceberg/v1/config"), 405, "MethodNotAllowedException", "DELETE");
  ExpectError(Send("POST", "/iceberg/v1/namespaces/db"), 405, "MethodNotAllowedException", "POST");
  EXPECT_EQ(Post("/iceberg/v1/namespaces/db/tables/t/metrics", {{"report-type", "scan-report"}}).status, 204);
}

TEST_F(RestCatalogServerTest, StageCreateReturnsMetadataWithoutCommittingUntilTheCreateCommit) {
  ASSERT_EQ(CreateNamespace({"db"}).status, 200);
  Reply staged = CreateTable("db", "staged", {{"stage-create", true}, {"properties", {{"p", "1"}}}});
  ASSERT_EQ(staged.status, 200) << staged.raw;
  EXPECT_FALSE(staged.body.contains("metadata-location")) << staged.raw;
  EXPECT_EQ(staged.body["metadata"]["location"], warehouse_ + "/db/staged");
  ExpectError(Send("GET", "/iceberg/v1/namespaces/db/tables/staged"), 404, "NoSuchTableException", "staged");

  // The client's create transaction: assert-create and the updates that build the staged metadata.
  const json& m = staged.body["metadata"];
  json commit = {{"requirements", {{{"type", "assert-create"}}}},
                 {"updates",
                  {{{"action", "assign-uuid"}, {"uuid", m["table-uuid"]}},
                   {{"action", "upgrade-format-version"}, {"format-version", 2}},
                   {{"action", "add-schema"}, {"schema", m["schemas"][0]}},
                   {{"action", "set-current-schema"}, {"schema-id", -1}},
                   {{"action", "add-spec"}, {"spec", m["partition-specs"][0]}},
                   {{"action", "set-default-spec"}, {"spec-id", -1}},
                   {{"action", "add-sort-order"}, {"sort-order", m["sort-orders"][0]}},
                   {{"action", "set-default-sort-order"}, {"sort-order-id", -1}},
                   {{"action", "set-location"}, {"location", m["location"]}},
                   {{"action", "set-properties"}, {"updates", m["properties"]}}}}};
  Reply committed = Post("/iceberg/v1/namespaces/db/tables/staged", commit);
  ASSERT_EQ(committed.status, 200) << committed.raw;
  Reply loaded = Send("GET", "/iceberg/v1/namespaces/db/tables/staged");
  ASSERT_EQ(loaded.status, 200) << loaded.raw;
  EXPECT_EQ(loaded.body["metadata"]["table-uuid"], m["table-uuid"]);
  EXPECT_EQ(loaded.body["metadata"]["properties"]["p"], "1");
  // A second create transaction loses: the table exists now.
  ExpectError(Post("/iceberg/v1/namespaces/db/tables/staged", commit), 409, "CommitFailedException", "exists");
  ExpectError(CreateTable("db", "staged", {{"stage-create", true}}), 409, "AlreadyExistsException", "db.staged");
}

TEST_F(RestCatalogServerTest, DropWithPurgeDeletesTheFilesAndWithoutKeepsThem) {
  ASSERT_EQ(CreateNamespace({"db"}).status, 200);
  Reply kept = CreateTable("db", "kept");
  Reply purged = CreateTable("db", "purged");
  ASSERT_EQ(kept.status, 200);
  ASSERT_EQ(purged.status, 200);
  EXPECT_EQ(Send("DELETE", "/iceberg/v1/namespaces/db/tables/kept").status, 204);
  EXPECT_EQ(Send("DELETE", "/iceberg/v1/namespaces/db/tables/purged?purgeRequested=true").status, 204);
  EXPECT_TRUE(fs::exists(kept.body["metadata-location"].get<std::string>()));
  EXPECT_FALSE(fs::exists(purged.body["metadata-location"].get<std::string>()));
  ExpectError(Send("GET", "/iceberg/v1/namespaces/db/tables/purged"), 404, "NoSuchTableException", "purged");
  ExpectError(Send("DELETE", "/iceberg/v1/namespaces/db/tables/purged"), 404, "NoSuchTableException", "purged");
}

TEST_F(RestCatalogServerTest, RenameMovesATableAndNamesWhatIsMissing) {
  ASSERT_EQ(CreateNamespace({"a"}).status, 200);
  ASSERT_EQ(CreateNamespace({"b"}).status, 200);
  ASSERT_EQ(CreateTable("a", "t").status, 200);
  ASSERT_EQ(CreateTable("b", "taken").status, 200);
  auto rename = [&](json from_ns, std::string from, json to_ns, std::string to) {
    return Post("/iceberg/v1/tables/rename", {{"source", {{"namespace", from_ns}, {"name", from}}},
                                              {"destination", {{"namespace", to_ns}, {"name", to}}}});
  };
  EXPECT_EQ(rename({"a"}, "t", {"b"}, "u").status, 204);
  ExpectError(Send("GET", "/iceberg/v1/namespaces/a/tables/t"), 404, "NoSuchTableException", "a.t");
  EXPECT_EQ(Send("GET", "/iceberg/v1/namespaces/b/tables/u").status, 200);
  ExpectError(rename({"a"}, "t", {"b"}, "v"), 404, "NoSuchTableException", "a.t");
  ExpectError(rename({"b"}, "u", {"nope"}, "u"), 404, "NoSuchNamespaceException", "nope");
  ExpectError(rename({"b"}, "u", {"b"}, "taken"), 409, "AlreadyExistsException", "b.taken");
  ExpectError(Post("/iceberg/v1/tables/rename", {{"source", {{"namespace", {"b"}}, {"name", "u"}}}}), 400,
              "BadRequestException", "'destination' are required");
}

TEST_F(RestCatalogServerTest, TransactionsCommitAllTablesOrNone) {
  ASSERT_EQ(CreateNamespace({"db"}).status, 200);
  Reply t1 = CreateTable("db", "t1");
  Reply t2 = CreateTable("db", "t2");
  ASSERT_EQ(t1.status, 200);
  ASSERT_EQ(t2.status, 200);
  auto change = [](std::string name, std::string uuid, std::string value) {
    return json{{"identifier", {{"namespace", {"db"}}, {"name", name}}},
                {"requirements", {{{"type", "assert-table-uuid"}, {"uuid", uuid}}}},
                {"updates", {{{"action", "set-properties"}, {"updates", {{"v", value}}}}}}};
  };
  std::string u1 = t1.body["metadata"]["table-uuid"], u2 = t2.body["metadata"]["table-uuid"];
  EXPECT_EQ(Post("/iceberg/v1/transactions/commit", {{"table-changes", {change("t1", u1, "1"), change("t2", u2, "1")}}})
                .status,
            204);
  EXPECT_EQ(Send("GET", "/iceberg/v1/namespaces/db/tables/t1").body["metadata"]["properties"]["v"], "1");
  EXPECT_EQ(Send("GET", "/iceberg/v1/namespaces/db/tables/t2").body["metadata"]["properties"]["v"], "1");

  // t2's requirement fails (wrong uuid): t1 must not change either.
  ExpectError(
      Post("/iceberg/v1/transactions/commit", {{"table-changes", {change("t1", u1, "2"), change("t2", u1, "2")}}}), 409,
      "CommitFailedException", "Requirement failed");
  EXPECT_EQ(Send("GET", "/iceberg/v1/namespaces/db/tables/t1").body["metadata"]["properties"]["v"], "1");
  ExpectError(Post("/iceberg/v1/transactions/commit",
                   {{"table-changes", {{{"requirements", json::array()}, {"updates", json::array()}}}}}),
              400, "BadRequestException", "table-changes[0]: missing required field 'identifier'");
  ExpectError(Post("/iceberg/v1/transactions/commit", {{"table-changes", {change("missing", u1, "1")}}}), 404,
              "NoSuchTableException", "missing");
}

TEST_F(RestCatalogServerTest, TheRefComesFromTheBasePathOrThePrefix) {
  ASSERT_EQ(CreateNamespace({"db"}).status, 200);
  ASSERT_TRUE(main_->store().CreateRef("dev", Reference::Type::kBranch, "main").ok());
  ASSERT_EQ(CreateTable("db", "on_dev", json::object(), "/iceberg/dev/v1").status, 200);
  ExpectError(Send("GET", "/iceberg/v1/namespaces/db/tables/on_dev"), 404, "NoSuchTableException", "on_dev");
  EXPECT_EQ(Send("GET", "/iceberg/main/v1/namespaces/db/tables").body["identifiers"], json::array());
  EXPECT_EQ(Send("GET", "/iceberg/v1/dev/namespaces/db/tables/on_dev").status, 200);       // spec {prefix}
  EXPECT_EQ(Send("GET", "/iceberg/v1/dev%7Cwh/namespaces/db/tables/on_dev").status, 200);  // Nessie "ref|warehouse"
  EXPECT_EQ(Send("GET", "/iceberg/dev/v1/dev/namespaces/db/tables/on_dev").status, 200);
  ExpectError(Send("GET", "/iceberg/dev/v1/main/namespaces"), 400, "BadRequestException", "two refs");
  ExpectError(Send("GET", "/iceberg/nope/v1/namespaces"), 404, "NoSuchReferenceException", "nope");
  ExpectError(Send("GET", "/iceberg/nope/v1/config"), 404, "NoSuchReferenceException", "nope");

  // A tag is read-only.
  ASSERT_TRUE(main_->store().CreateRef("v1", Reference::Type::kTag, "dev").ok());
  EXPECT_EQ(Send("GET", "/iceberg/v1/namespaces/db/tables/on_dev").status, 404);
  EXPECT_EQ(Send("GET", "/iceberg/v1/v1/namespaces/db/tables/on_dev").status, 200);
  ExpectError(CreateTable("db", "x", json::object(), "/iceberg/v1/v1"), 400, "BadRequestException", "read-only");
}

TEST_F(RestCatalogServerTest, BearerTokenIsRequiredWhenConfigured) {
  MakeServer("s3cret");
  ExpectError(Send("GET", "/iceberg/v1/config"), 401, "NotAuthorizedException", "requires a bearer token");
  ExpectError(Send("GET", "/iceberg/v1/config", "", {{"authorization", "Bearer wrong"}}), 401, "NotAuthorizedException",
              "not valid");
  ExpectError(Send("GET", "/iceberg/v1/config", "", {{"authorization", "Basic s3cret"}}), 401, "NotAuthorizedException",
              "not valid");
  EXPECT_EQ(Send("GET", "/iceberg/v1/config", "", {{"authorization", "Bearer s3cret"}}).status, 200);
  EXPECT_EQ(Send("GET", "/iceberg/v1/namespaces", "", {{"authorization", "bearer s3cret"}}).status, 200);
}

// The same server behind a real HttpServer, reached with a real HTTP client: routing, HEAD without a body, %1F in
// paths, and a malformed body that does not stop the server.
TEST_F(RestCatalogServerTest, ServesOverHttp) {
  io::EventLoop loop(1);
  io::HttpServer http(loop, "catalog");
  server_->Register(http);
  auto bound = http.Listen({"127.0.0.1", 0});
  ASSERT_TRUE(bound.ok()) << bound.status().ToString();
  std::thread thread([&] { loop.Run(); });
  std::string base = "http://127.0.0.1:" + std::to_string(bound->port) + "/iceberg/v1";
  io::HttpClient client;
  std::vector<std::pair<std::string, std::string>> headers = {{"Content-Type", "application/json"}};

  auto config = client.Send("GET", base + "/config", {});
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->status, 200);
  auto bad = client.Send("POST", base + "/namespaces", headers, "{not json");
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ(bad->status, 400);
  EXPECT_NE(bad->body.find("BadRequestException"), std::string::npos) << bad->body;
  auto created = client.Send("POST", base + "/namespaces", headers, R"({"namespace":["a","b c"]})");
  ASSERT_TRUE(created.ok());
  EXPECT_EQ(created->status, 404) << "parent a does not exist yet: " << created->body;
  ASSERT_EQ(client.Send("POST", base + "/namespaces", headers, R"({"namespace":["a"]})")->status, 200);
  ASSERT_EQ(client.Send("POST", base + "/namespaces", headers, R"({"namespace":["a","b c"]})")->status, 200);
  auto head = client.Send("HEAD", base + "/namespaces/a%1Fb%20c", {});
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->status, 204);
  EXPECT_EQ(head->body, "");
  auto loaded = client.Send("GET", base + "/namespaces/a%1Fb%20c", {});
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(json::parse(loaded->body)["namespace"], json({"a", "b c"}));

  http.Stop();
  loop.Stop();
  thread.join();
}

}  // namespace
}  // namespace floe::catalog
