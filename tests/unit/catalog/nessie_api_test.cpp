#include "floe/catalog/nessie_api.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <zlib.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "floe/catalog/embedded_catalog.h"
#include "floe/catalog/nessie_client.h"
#include "floe/catalog/rest_catalog_server.h"
#include "floe/io/event_loop.h"
#include "floe/io/http_client.h"
#include "floe/io/http_server.h"

namespace floe::catalog {
namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;

struct Reply {
  int status = 0;
  json body;
};

// A catalog door on 127.0.0.1:<random port> serving the Nessie API and the Iceberg REST API over one store, as
// `floe catalog` does, driven over real HTTP.
class NessieApiTest : public ::testing::Test {
 protected:
  void SetUp() override { Start(""); }

  void Start(std::string token) {
    char tmpl[] = "/tmp/floe-nessie-api-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    CatalogStoreOptions store_options;
    store_options.synchronous_full = false;
    auto store = CatalogStore::Open(dir_ + "/catalog.db", store_options);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::shared_ptr<CatalogStore>(std::move(*store));

    EmbeddedCatalogOptions catalog_options;
    catalog_options.warehouse = dir_ + "/warehouse";
    auto main = EmbeddedCatalog::Create(store_, catalog_options);
    ASSERT_TRUE(main.ok()) << main.status().ToString();
    main_ = std::move(*main);
    RestCatalogServerOptions rest_options;
    rest_options.warehouse = dir_ + "/warehouse";
    rest_options.token = token;
    EmbeddedCatalog* main_catalog = main_.get();
    rest_ = std::make_unique<RestCatalogServer>(
        [main_catalog](const std::string& ref) -> Result<std::shared_ptr<Catalog>> {
          FLOE_ASSIGN_OR_RETURN(std::unique_ptr<EmbeddedCatalog> at, main_catalog->AtRef(ref));
          return std::shared_ptr<Catalog>(std::move(at));
        },
        rest_options);

    NessieApiOptions options;
    options.token = token;
    options.default_page_size = 3;  // small, so paging is exercised
    options.max_page_size = 5;
    api_ = std::make_unique<NessieApi>(store_, options);
    server_ = std::make_unique<io::HttpServer>(loop_, "catalog");
    rest_->Register(*server_);
    api_->Register(*server_);
    auto bound = server_->Listen({"127.0.0.1", 0});
    ASSERT_TRUE(bound.ok()) << bound.status().ToString();
    port_ = bound->port;
    thread_ = std::thread([this] { loop_.Run(); });
  }

  void TearDown() override {
    if (server_) server_->Stop();
    loop_.Stop();
    if (thread_.joinable()) thread_.join();
    fs::remove_all(dir_);
  }

  std::string Root() const { return "http://127.0.0.1:" + std::to_string(port_); }

  Reply Send(const std::string& method, const std::string& path, const std::string& body = "",
             const std::string& token = "", const std::string& encoding = "") {
    std::vector<std::pair<std::string, std::string>> headers = {{"Content-Type", "application/json"}};
    if (!encoding.empty()) headers.emplace_back("Content-Encoding", encoding);
    if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
    auto r = http_.Send(method, Root() + path, headers, body);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok()) return {};
    Reply reply{r->status, json()};
    if (!r->body.empty()) reply.body = json::parse(r->body, nullptr, false);
    return reply;
  }

  std::unique_ptr<NessieClient> Client(std::string url = "", std::string token = "") {
    NessieClientOptions options;
    options.token = std::move(token);
    auto client = NessieClient::Connect(url.empty() ? Root() + "/iceberg" : url, options);
    EXPECT_TRUE(client.ok()) << client.status().ToString();
    return client.ok() ? std::move(*client) : nullptr;
  }

  // A commit on `branch` creating namespace `ns` if absent and putting table ns.`name` at `location`.
  std::string PutTable(const std::string& branch, const std::string& ns, const std::string& name,
                       const std::string& location) {
    std::vector<Operation> ops;
    auto existing = store_->Get(branch, {ns});
    EXPECT_TRUE(existing.ok()) << existing.status().ToString();
    if (existing.ok() && !existing->has_value()) {
      ops.push_back(Operation::Create({ns}, Content::NamespaceWith({{"owner", "ops"}})));
    }
    ops.push_back(Operation::Put({ns, name}, Content::Table(location, "uuid-" + name)));
    auto id = store_->Commit(branch, std::nullopt, ops, CommitMeta{"tester", "put " + ns + "." + name});
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return id.ok() ? *id : "";
  }

  std::string Head(const std::string& ref) {
    auto r = store_->GetRef(ref);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->head : "";
  }

  static void ExpectError(const Reply& reply, int status, const std::string& code, const std::string& message_part) {
    EXPECT_EQ(reply.status, status) << reply.body.dump();
    ASSERT_TRUE(reply.body.is_object()) << reply.body.dump();
    EXPECT_EQ(reply.body.value("status", 0), status) << reply.body.dump();
    EXPECT_TRUE(reply.body.contains("reason") && reply.body["reason"].is_string()) << reply.body.dump();
    EXPECT_EQ(reply.body.value("errorCode", ""), code) << reply.body.dump();
    EXPECT_NE(reply.body.value("message", "").find(message_part), std::string::npos) << reply.body.dump();
  }

  std::string dir_;
  std::shared_ptr<CatalogStore> store_;
  std::unique_ptr<EmbeddedCatalog> main_;
  std::unique_ptr<RestCatalogServer> rest_;
  std::unique_ptr<NessieApi> api_;
  io::EventLoop loop_{1};
  std::unique_ptr<io::HttpServer> server_;
  std::thread thread_;
  uint16_t port_ = 0;
  io::HttpClient http_;
};

void ExpectSameLog(const std::vector<CommitRecord>& got, const std::vector<CommitRecord>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    SCOPED_TRACE("commit " + std::to_string(i));
    EXPECT_EQ(got[i].id, want[i].id);
    EXPECT_EQ(got[i].parent, want[i].parent);
    EXPECT_EQ(got[i].merged_from, want[i].merged_from);
    EXPECT_EQ(got[i].author, want[i].author);
    EXPECT_EQ(got[i].message, want[i].message);
    EXPECT_EQ(got[i].time_ms, want[i].time_ms);
    ASSERT_EQ(got[i].operations.size(), want[i].operations.size());
    for (size_t j = 0; j < got[i].operations.size(); ++j) {
      EXPECT_EQ(got[i].operations[j].kind, want[i].operations[j].kind);
      EXPECT_EQ(got[i].operations[j].key, want[i].operations[j].key);
      if (want[i].operations[j].kind == Operation::Kind::kPut) {
        EXPECT_EQ(got[i].operations[j].content, want[i].operations[j].content);
      }
    }
  }
}

TEST_F(NessieApiTest, ConfigSaysApiVersion2AndTheDefaultBranch) {
  Reply r = Send("GET", "/api/v2/config");
  ASSERT_EQ(r.status, 200) << r.body.dump();
  EXPECT_EQ(r.body["defaultBranch"], "main");
  EXPECT_EQ(r.body["maxSupportedApiVersion"], 2);
  EXPECT_EQ(r.body["actualApiVersion"], 2);
}

TEST_F(NessieApiTest, IcebergRoutesStillServeOnTheSameDoor) {
  Reply r = Send("GET", "/iceberg/v1/config");
  EXPECT_EQ(r.status, 200) << r.body.dump();
  EXPECT_TRUE(r.body.contains("defaults")) << r.body.dump();
}

TEST_F(NessieApiTest, ListsAndGetsReferencesInNessieShape) {
  std::string head = PutTable("main", "ns", "t", "/w/t/1.json");
  ASSERT_TRUE(store_->CreateRef("dev", Reference::Type::kBranch, "main").ok());
  ASSERT_TRUE(store_->CreateRef("v1", Reference::Type::kTag, "main").ok());
  Reply r = Send("GET", "/api/v2/trees");
  ASSERT_EQ(r.status, 200) << r.body.dump();
  EXPECT_EQ(r.body["hasMore"], false);
  ASSERT_EQ(r.body["references"].size(), 3u) << r.body.dump();
  EXPECT_EQ(r.body["references"][0], (json{{"type", "BRANCH"}, {"name", "dev"}, {"hash", head}}));
  EXPECT_EQ(r.body["references"][1]["name"], "main");
  EXPECT_EQ(r.body["references"][2], (json{{"type", "TAG"}, {"name", "v1"}, {"hash", head}}));

  Reply one = Send("GET", "/api/v2/trees/v1");
  ASSERT_EQ(one.status, 200) << one.body.dump();
  EXPECT_EQ(one.body["reference"], (json{{"type", "TAG"}, {"name", "v1"}, {"hash", head}}));
  Reply def = Send("GET", "/api/v2/trees/-");
  ASSERT_EQ(def.status, 200) << def.body.dump();
  EXPECT_EQ(def.body["reference"]["name"], "main");
}

TEST_F(NessieApiTest, ReferenceListPagesWithTokens) {
  for (const char* name : {"a", "b", "c", "d"}) {
    ASSERT_TRUE(store_->CreateRef(name, Reference::Type::kBranch, "main").ok());
  }
  Reply first = Send("GET", "/api/v2/trees?max-records=2");
  ASSERT_EQ(first.status, 200) << first.body.dump();
  ASSERT_EQ(first.body["references"].size(), 2u);
  ASSERT_EQ(first.body["hasMore"], true);
  Reply second = Send("GET", "/api/v2/trees?max-records=2&page-token=" + first.body["token"].get<std::string>());
  ASSERT_EQ(second.body["references"].size(), 2u);
  Reply third = Send("GET", "/api/v2/trees?max-records=2&page-token=" + second.body["token"].get<std::string>());
  ASSERT_EQ(third.body["references"].size(), 1u);
  EXPECT_EQ(third.body["hasMore"], false);
  EXPECT_EQ(third.body["references"][0]["name"], "main");
}

TEST_F(NessieApiTest, CreatesBranchesAndTagsFromANameAHashOrBoth) {
  std::string first = PutTable("main", "ns", "t", "/w/t/1.json");
  std::string second = PutTable("main", "ns", "t", "/w/t/2.json");
  Reply by_name = Send("POST", "/api/v2/trees?name=dev&type=BRANCH", R"({"type":"BRANCH","name":"main"})");
  ASSERT_EQ(by_name.status, 200) << by_name.body.dump();
  EXPECT_EQ(by_name.body["reference"], (json{{"type", "BRANCH"}, {"name", "dev"}, {"hash", second}}));
  Reply by_both = Send("POST", "/api/v2/trees?name=v1&type=tag",
                       json{{"type", "BRANCH"}, {"name", "main"}, {"hash", first}}.dump());
  ASSERT_EQ(by_both.status, 200) << by_both.body.dump();
  EXPECT_EQ(by_both.body["reference"], (json{{"type", "TAG"}, {"name", "v1"}, {"hash", first}}));
  Reply detached = Send("POST", "/api/v2/trees?name=old&type=BRANCH",
                        json{{"type", "DETACHED"}, {"name", "DETACHED"}, {"hash", first.substr(0, 12)}}.dump());
  ASSERT_EQ(detached.status, 200) << detached.body.dump();
  EXPECT_EQ(detached.body["reference"]["hash"], first);
  EXPECT_EQ(Head("old"), first);

  ExpectError(Send("POST", "/api/v2/trees?name=dev&type=BRANCH", R"({"name":"main"})"), 409, "REFERENCE_ALREADY_EXISTS",
              "a branch named 'dev' already exists");
  ExpectError(Send("POST", "/api/v2/trees?name=x&type=BRANCH", R"({"name":"nope"})"), 404, "REFERENCE_NOT_FOUND",
              "reference 'nope' does not exist");
  ExpectError(Send("POST", "/api/v2/trees?name=x&type=BRANCH", R"({"hash":"0123456789abcdef"})"), 404,
              "REFERENCE_NOT_FOUND", "commit 0123456789abcdef does not exist");
  ExpectError(Send("POST", "/api/v2/trees?name=x&type=LEAF", R"({"name":"main"})"), 400, "BAD_REQUEST",
              "expected BRANCH or TAG, got 'LEAF'");
  ExpectError(Send("POST", "/api/v2/trees?type=BRANCH", R"({"name":"main"})"), 400, "BAD_REQUEST",
              "'name' is required");
  ExpectError(Send("POST", "/api/v2/trees?name=-bad&type=BRANCH", R"({"name":"main"})"), 400, "BAD_REQUEST",
              "create branch -bad");
  ExpectError(Send("POST", "/api/v2/trees?name=x&type=BRANCH", R"({"name": 7})"), 400, "BAD_REQUEST",
              "name: expected a string");
  ExpectError(Send("POST", "/api/v2/trees?name=x&type=BRANCH", R"({"type":"BRANCH"})"), 400, "BAD_REQUEST",
              "give the source's 'name', 'hash' or both");
}

TEST_F(NessieApiTest, HistoryIsTheStoreLogInNessieShapeAndPages) {
  for (int i = 0; i < 4; ++i) PutTable("main", "ns", "t", "/w/t/" + std::to_string(i) + ".json");
  auto want = store_->Log("main", 100);
  ASSERT_TRUE(want.ok());
  ASSERT_EQ(want->size(), 5u);  // with the root commit

  Reply page = Send("GET", "/api/v2/trees/main/history?fetch=ALL&max-records=2");
  ASSERT_EQ(page.status, 200) << page.body.dump();
  ASSERT_EQ(page.body["logEntries"].size(), 2u);
  ASSERT_EQ(page.body["hasMore"], true);
  const json& e = page.body["logEntries"][0];
  EXPECT_EQ(e["commitMeta"]["hash"], (*want)[0].id);
  EXPECT_EQ(e["commitMeta"]["authors"], json::array({"tester"}));
  EXPECT_EQ(e["commitMeta"]["message"], "put ns.t");
  EXPECT_EQ(e["commitMeta"]["parentCommitHashes"], json::array({(*want)[1].id}));
  EXPECT_EQ(e["parentCommitHash"], (*want)[1].id);
  EXPECT_TRUE(e["commitMeta"]["commitTime"].get<std::string>().back() == 'Z') << e.dump();
  ASSERT_EQ(e["operations"].size(), 1u);
  EXPECT_EQ(e["operations"][0]["type"], "PUT");
  EXPECT_EQ(e["operations"][0]["key"], (json{{"elements", {"ns", "t"}}}));
  EXPECT_EQ(e["operations"][0]["content"]["type"], "ICEBERG_TABLE");
  EXPECT_EQ(e["operations"][0]["content"]["metadataLocation"], "/w/t/3.json");
  EXPECT_EQ(e["operations"][0]["content"]["id"], "uuid-t");

  Reply minimal = Send("GET", "/api/v2/trees/main/history?max-records=1");
  EXPECT_FALSE(minimal.body["logEntries"][0].contains("operations")) << minimal.body.dump();

  // Following the tokens visits every commit once, ending at the root (no parent).
  std::vector<std::string> ids;
  std::string token;
  for (int pages = 0; pages < 10; ++pages) {
    Reply r = Send("GET", "/api/v2/trees/main/history?max-records=2" + (token.empty() ? "" : "&page-token=" + token));
    ASSERT_EQ(r.status, 200) << r.body.dump();
    for (const json& entry : r.body["logEntries"]) ids.push_back(entry["commitMeta"]["hash"]);
    if (!r.body["hasMore"].get<bool>()) {
      EXPECT_FALSE(r.body["logEntries"].back().contains("parentCommitHash"));
      break;
    }
    token = r.body["token"];
  }
  ASSERT_EQ(ids.size(), want->size());
  for (size_t i = 0; i < ids.size(); ++i) EXPECT_EQ(ids[i], (*want)[i].id);

  // name@hash starts at that commit; limit-hash stops at one.
  Reply at = Send("GET", "/api/v2/trees/main@" + (*want)[2].id.substr(0, 10) + "/history?limit-hash=" + (*want)[3].id);
  ASSERT_EQ(at.status, 200) << at.body.dump();
  ASSERT_EQ(at.body["logEntries"].size(), 2u);
  EXPECT_EQ(at.body["logEntries"][1]["commitMeta"]["hash"], (*want)[3].id);
  EXPECT_EQ(at.body["hasMore"], false);
}

TEST_F(NessieApiTest, MergeAppliesReportsNothingToMergeAndRefusesConflicts) {
  PutTable("main", "ns", "t", "/w/t/1.json");
  ASSERT_TRUE(store_->CreateRef("dev", Reference::Type::kBranch, "main").ok());
  PutTable("dev", "ns", "u", "/w/u/1.json");
  const std::string before = Head("main");

  Reply merged = Send("POST", "/api/v2/trees/main@" + before + "/history/merge",
                      R"({"fromRefName":"dev","commitMeta":{"message":"bring dev","authors":["ann"]}})");
  ASSERT_EQ(merged.status, 200) << merged.body.dump();
  EXPECT_EQ(merged.body["wasApplied"], true);
  EXPECT_EQ(merged.body["wasSuccessful"], true);
  EXPECT_EQ(merged.body["targetBranch"], "main");
  EXPECT_EQ(merged.body["effectiveTargetHash"], before);
  EXPECT_EQ(merged.body["expectedHash"], before);
  const std::string head = merged.body["resultantTargetHash"];
  EXPECT_EQ(head, Head("main"));
  auto log = store_->Log("main", 1);
  ASSERT_TRUE(log.ok());
  EXPECT_EQ((*log)[0].author, "ann");
  EXPECT_EQ((*log)[0].message, "bring dev");
  EXPECT_EQ((*log)[0].merged_from, Head("dev"));
  Reply history = Send("GET", "/api/v2/trees/main/history?max-records=1");
  EXPECT_EQ(history.body["logEntries"][0]["commitMeta"]["parentCommitHashes"], json::array({before, Head("dev")}));

  Reply again = Send("POST", "/api/v2/trees/main/history/merge", R"({"fromRefName":"dev"})");
  ASSERT_EQ(again.status, 200) << again.body.dump();
  EXPECT_EQ(again.body["wasApplied"], false);
  EXPECT_EQ(again.body["resultantTargetHash"], head);

  // Both change ns.t: a conflict naming the key, and nothing changes.
  PutTable("dev", "ns", "t", "/w/t/dev.json");
  PutTable("main", "ns", "t", "/w/t/main.json");
  const std::string main_head = Head("main");
  ExpectError(Send("POST", "/api/v2/trees/main/history/merge", R"({"fromRefName":"dev"})"), 409, "REFERENCE_CONFLICT",
              "changed on both since their common ancestor");
  EXPECT_EQ(Head("main"), main_head);

  // A stale expected hash, an unknown source, a tag as target.
  ExpectError(Send("POST", "/api/v2/trees/main@" + before + "/history/merge", R"({"fromRefName":"dev"})"), 409,
              "REFERENCE_CONFLICT", "branch main moved");
  ExpectError(Send("POST", "/api/v2/trees/main/history/merge", R"({"fromRefName":"nope"})"), 404, "REFERENCE_NOT_FOUND",
              "reference 'nope' does not exist");
  ASSERT_TRUE(store_->CreateRef("v1", Reference::Type::kTag, "main").ok());
  ExpectError(Send("POST", "/api/v2/trees/v1/history/merge", R"({"fromRefName":"dev"})"), 400, "BAD_REQUEST",
              "it is a tag; merge into a branch");
  ExpectError(Send("POST", "/api/v2/trees/main/history/merge", R"({"fromRefName":"dev","dryRun":true})"), 400,
              "BAD_REQUEST", "dry-run merges are not supported");
  ExpectError(Send("POST", "/api/v2/trees/main/history/merge", R"({"fromHash":"abcdef12"})"), 400, "BAD_REQUEST",
              "missing required field 'fromRefName'");
  EXPECT_EQ(Head("main"), main_head);
}

TEST_F(NessieApiTest, DiffListsChangedKeysWithEffectiveReferencesAndPages) {
  PutTable("main", "ns", "a", "/w/a/1.json");
  PutTable("main", "ns", "b", "/w/b/1.json");
  ASSERT_TRUE(store_->CreateRef("dev", Reference::Type::kBranch, "main").ok());
  PutTable("dev", "ns", "a", "/w/a/2.json");
  for (const char* name : {"c", "d", "e"}) PutTable("dev", "ns", name, std::string("/w/") + name + "/1.json");
  ASSERT_TRUE(
      store_->Commit("dev", std::nullopt, {Operation::Delete({"ns", "b"})}, CommitMeta{"tester", "drop b"}).ok());

  Reply r = Send("GET", "/api/v2/trees/main/diff/dev");  // the default page size here is 3
  ASSERT_EQ(r.status, 200) << r.body.dump();
  EXPECT_EQ(r.body["effectiveFromReference"], (json{{"type", "BRANCH"}, {"name", "main"}, {"hash", Head("main")}}));
  EXPECT_EQ(r.body["effectiveToReference"], (json{{"type", "BRANCH"}, {"name", "dev"}, {"hash", Head("dev")}}));
  ASSERT_EQ(r.body["diffs"].size(), 3u);
  EXPECT_EQ(r.body["hasMore"], true);
  const json& changed = r.body["diffs"][0];
  EXPECT_EQ(changed["key"]["elements"], (json{"ns", "a"}));
  EXPECT_EQ(changed["from"]["metadataLocation"], "/w/a/1.json");
  EXPECT_EQ(changed["to"]["metadataLocation"], "/w/a/2.json");
  const json& removed = r.body["diffs"][1];
  EXPECT_EQ(removed["key"]["elements"], (json{"ns", "b"}));
  EXPECT_FALSE(removed.contains("to"));
  Reply rest = Send("GET", "/api/v2/trees/main/diff/dev?page-token=" + r.body["token"].get<std::string>());
  ASSERT_EQ(rest.status, 200) << rest.body.dump();
  ASSERT_EQ(rest.body["diffs"].size(), 2u);
  EXPECT_EQ(rest.body["hasMore"], false);
  EXPECT_FALSE(rest.body["diffs"][1].contains("from"));

  Reply detached = Send("GET", "/api/v2/trees/@" + Head("main") + "/diff/dev");
  ASSERT_EQ(detached.status, 200) << detached.body.dump();
  EXPECT_EQ(detached.body["effectiveFromReference"]["type"], "DETACHED");
  ExpectError(Send("GET", "/api/v2/trees/main/diff/nope"), 404, "REFERENCE_NOT_FOUND", "reference 'nope'");
}

TEST_F(NessieApiTest, DeleteChecksTheExpectedHashAndKeepsMain) {
  std::string first = PutTable("main", "ns", "t", "/w/t/1.json");
  ASSERT_TRUE(store_->CreateRef("dev", Reference::Type::kBranch, "main").ok());
  PutTable("dev", "ns", "t", "/w/t/2.json");
  ExpectError(Send("DELETE", "/api/v2/trees/dev@" + first), 409, "REFERENCE_CONFLICT", "branch dev moved");
  ExpectError(Send("DELETE", "/api/v2/trees/dev?type=TAG"), 409, "REFERENCE_CONFLICT", "it is a branch, not a tag");
  Reply deleted = Send("DELETE", "/api/v2/trees/dev@" + Head("dev"));
  ASSERT_EQ(deleted.status, 200) << deleted.body.dump();
  EXPECT_EQ(deleted.body["reference"]["name"], "dev");
  EXPECT_FALSE(store_->GetRef("dev").ok());
  ExpectError(Send("DELETE", "/api/v2/trees/main"), 400, "BAD_REQUEST", "the default branch cannot be deleted");
  ExpectError(Send("DELETE", "/api/v2/trees/dev"), 404, "REFERENCE_NOT_FOUND", "reference 'dev' does not exist");
}

TEST_F(NessieApiTest, BadInputGetsPreciseErrorsAndTheServerKeepsServing) {
  ExpectError(Send("GET", "/api/v2/trees/nope/history"), 404, "REFERENCE_NOT_FOUND",
              "reference 'nope' does not exist in the catalog");
  ExpectError(Send("GET", "/api/v2/trees/nope"), 404, "REFERENCE_NOT_FOUND", "reference 'nope' does not exist");
  ExpectError(Send("POST", "/api/v2/trees/main/history/merge", "{\"fromRefName\": "), 400, "BAD_REQUEST",
              "Merge: malformed JSON");
  ExpectError(Send("POST", "/api/v2/trees/main/history/merge", "[1]"), 400, "BAD_REQUEST",
              "Merge: expected a JSON object, got array");
  ExpectError(Send("POST", "/api/v2/trees?name=x&type=BRANCH", ""), 400, "BAD_REQUEST", "the request body is empty");
  ExpectError(Send("GET", "/api/v2/trees/main~2/history"), 400, "BAD_REQUEST", "relative commit specs");
  ExpectError(Send("GET", "/api/v2/trees/main@xyz/history"), 400, "BAD_REQUEST", "is not 8 to 64 hex digits");
  ExpectError(Send("GET", "/api/v2/trees/main/history?max-records=zero"), 400, "BAD_REQUEST",
              "max-records: expected a positive integer");
  ExpectError(Send("GET", "/api/v2/trees/main/history?page-token=garbage"), 400, "BAD_REQUEST", "page-token");
  ExpectError(Send("GET", "/api/v2/trees/main/history?filter=x"), 400, "BAD_REQUEST", "filter is not supported");
  ExpectError(Send("GET", "/api/v2/trees/main/history?fetch=SOME"), 400, "BAD_REQUEST", "expected MINIMAL or ALL");
  ExpectError(Send("GET", "/api/v2/trees/main/entries"), 501, "UNKNOWN", "does not serve");
  ExpectError(Send("PUT", "/api/v2/trees/main", "{}"), 501, "UNKNOWN", "does not serve");
  ExpectError(Send("GET", "/api/v1/trees"), 404, "UNKNOWN", "Nessie's REST API v2 under /api/v2 only");
  ExpectError(Send("DELETE", "/api/v2/config"), 405, "UNKNOWN", "not allowed");
  ExpectError(Send("GET", "/api/v2/nothing"), 404, "UNKNOWN", "no such endpoint");

  Reply ok = Send("GET", "/api/v2/trees");
  EXPECT_EQ(ok.status, 200) << ok.body.dump();
}

// An RFC 1952 gzip stream of `text`, as Java's GZIPOutputStream writes it.
std::string Gzip(const std::string& text) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&z, text.size()) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  z.avail_in = static_cast<uInt>(text.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

TEST_F(NessieApiTest, GzipRequestBodiesAreInflatedAndBadOnesRefused) {
  // Nessie's Java client compresses request bodies by default.
  Reply created =
      Send("POST", "/api/v2/trees?name=dev&type=BRANCH", Gzip(R"({"type":"BRANCH","name":"main"})"), "", "gzip");
  ASSERT_EQ(created.status, 200) << created.body.dump();
  EXPECT_EQ(created.body["reference"]["name"], "dev");
  std::string truncated = Gzip(R"({"type":"BRANCH","name":"main"})");
  truncated.resize(truncated.size() / 2);
  ExpectError(Send("POST", "/api/v2/trees?name=x&type=BRANCH", truncated, "", "gzip"), 400, "BAD_REQUEST",
              "not a valid gzip stream");
  ExpectError(Send("POST", "/api/v2/trees?name=x&type=BRANCH", "{}", "", "br"), 415, "UNSUPPORTED_MEDIA_TYPE",
              "Content-Encoding 'br' is not supported");
  ExpectError(Send("POST", "/api/v2/trees?name=x&type=BRANCH", Gzip(std::string(2 << 20, ' ')), "", "gzip"), 400,
              "BAD_REQUEST", "inflates past");
  EXPECT_FALSE(store_->GetRef("x").ok());
}

TEST_F(NessieApiTest, ClientUrlsDeriveTheApiBase) {
  EXPECT_EQ(*NessieClient::ApiUrl("http://h:19120/iceberg"), "http://h:19120/api/v2");
  EXPECT_EQ(*NessieClient::ApiUrl("http://h:19120/iceberg/"), "http://h:19120/api/v2");
  EXPECT_EQ(*NessieClient::ApiUrl("http://h:19120/iceberg/dev"), "http://h:19120/api/v2");
  EXPECT_EQ(*NessieClient::ApiUrl("http://h:19120"), "http://h:19120/api/v2");
  EXPECT_EQ(*NessieClient::ApiUrl("http://h:19120/"), "http://h:19120/api/v2");
  EXPECT_EQ(*NessieClient::ApiUrl("https://h/api/v2/"), "https://h/api/v2");
  EXPECT_EQ(*NessieClient::ApiUrl("http://proxy/lake/iceberg"), "http://proxy/lake/api/v2");
  for (const char* bad : {"h:19120/iceberg", "ftp://h/iceberg", "http://h/api/v1", "http://h/other", "http:///x",
                          "http://h/iceberg?x=1"}) {
    auto r = NessieClient::ApiUrl(bad);
    EXPECT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

TEST_F(NessieApiTest, ClientReadsWhatTheStoreHolds) {
  PutTable("main", "ns", "t", "/w/t/1.json");
  ASSERT_TRUE(store_->CreateRef("dev", Reference::Type::kBranch, "main").ok());
  PutTable("dev", "ns", "u", "/w/u/1.json");
  ASSERT_TRUE(store_->Merge("dev", "main", std::nullopt, CommitMeta{"m", "merge dev"}).ok());
  for (int i = 0; i < 7; ++i) PutTable("main", "ns", "t", "/w/t/" + std::to_string(i) + ".json");
  ASSERT_TRUE(store_->CreateRef("v1", Reference::Type::kTag, "dev").ok());
  auto client = Client();
  ASSERT_NE(client, nullptr);

  auto refs = client->ListRefs();
  auto want_refs = store_->ListRefs();
  ASSERT_TRUE(refs.ok()) << refs.status().ToString();
  ASSERT_EQ(refs->size(), want_refs->size());
  for (size_t i = 0; i < refs->size(); ++i) {
    EXPECT_EQ((*refs)[i].name, (*want_refs)[i].name);
    EXPECT_EQ((*refs)[i].type, (*want_refs)[i].type);
    EXPECT_EQ((*refs)[i].head, (*want_refs)[i].head);
  }

  // More commits than the server's page (5): the client follows tokens; the merge commit keeps merged_from.
  for (int limit : {1, 4, 12, 100}) {
    SCOPED_TRACE("limit " + std::to_string(limit));
    auto log = client->Log("main", limit);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    auto want = store_->Log("main", limit);
    ExpectSameLog(*log, *want);
  }
  auto from_commit = client->Log(Head("dev").substr(0, 12), 10);
  ASSERT_TRUE(from_commit.ok()) << from_commit.status().ToString();
  ExpectSameLog(*from_commit, *store_->Log("dev", 10));

  auto diff = client->Diff("v1", "main");
  ASSERT_TRUE(diff.ok()) << diff.status().ToString();
  auto want_diff = store_->Diff("v1", "main");
  ASSERT_EQ(diff->size(), want_diff->size());
  for (size_t i = 0; i < diff->size(); ++i) {
    EXPECT_EQ((*diff)[i].key, (*want_diff)[i].key);
    EXPECT_EQ((*diff)[i].from, (*want_diff)[i].from);
    EXPECT_EQ((*diff)[i].to, (*want_diff)[i].to);
  }
  // Namespace contents round-trip with their properties.
  auto ns_diff = client->Diff("@" + store_->Log("main", 100)->back().id, "main");
  ASSERT_TRUE(ns_diff.ok()) << ns_diff.status().ToString();
  ASSERT_FALSE(ns_diff->empty());
  EXPECT_EQ((*ns_diff)[0].key, ContentKey{"ns"});
  EXPECT_EQ(*(*ns_diff)[0].to, Content::NamespaceWith({{"owner", "ops"}}));
}

TEST_F(NessieApiTest, ClientCreatesMergesAndDeletesWithTheStoresErrors) {
  PutTable("main", "ns", "t", "/w/t/1.json");
  auto client = Client(Root());
  ASSERT_NE(client, nullptr);
  auto branch = client->CreateRef("feature/x", Reference::Type::kBranch, "main");
  ASSERT_TRUE(branch.ok()) << branch.status().ToString();
  EXPECT_EQ(branch->head, Head("main"));
  auto tag = client->CreateRef("v0", Reference::Type::kTag, Head("main").substr(0, 8));
  ASSERT_TRUE(tag.ok()) << tag.status().ToString();
  EXPECT_FALSE(tag->is_branch());

  PutTable("feature/x", "ns", "u", "/w/u/1.json");
  auto log = client->Log("feature/x", 1);
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  EXPECT_EQ((*log)[0].id, Head("feature/x"));
  const std::string before = Head("main");
  auto merged = client->Merge("feature/x", "main", before, CommitMeta{"floe", "merge feature/x into main"});
  ASSERT_TRUE(merged.ok()) << merged.status().ToString();
  EXPECT_EQ(*merged, Head("main"));
  EXPECT_NE(*merged, before);
  auto noop = client->Merge("feature/x", "main", *merged, CommitMeta{"floe", "again"});
  ASSERT_TRUE(noop.ok()) << noop.status().ToString();
  EXPECT_EQ(*noop, *merged);

  auto exists = client->CreateRef("v0", Reference::Type::kTag, "main");
  EXPECT_EQ(exists.status().code(), StatusCode::kAlreadyExists) << exists.status().ToString();
  auto missing = client->Log("nope", 5);
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound) << missing.status().ToString();
  EXPECT_NE(missing.status().message().find("reference 'nope' does not exist in the catalog"), std::string::npos);
  auto from_missing = client->CreateRef("b2", Reference::Type::kBranch, "nope");
  EXPECT_EQ(from_missing.status().code(), StatusCode::kNotFound) << from_missing.status().ToString();
  auto stale = client->Merge("feature/x", "main", before, CommitMeta{"floe", "stale"});
  EXPECT_EQ(stale.status().code(), StatusCode::kConflict) << stale.status().ToString();

  EXPECT_TRUE(client->DeleteRef("feature/x").ok());
  EXPECT_FALSE(store_->GetRef("feature/x").ok());
  EXPECT_EQ(client->DeleteRef("v0", std::string(64, 'a')).code(), StatusCode::kConflict);
}

TEST_F(NessieApiTest, ClientReportsAMissingServerAsUnavailable) {
  NessieClientOptions options;
  options.http.connect_timeout_ms = 2000;
  auto client = NessieClient::Connect("http://127.0.0.1:1/iceberg", options);
  ASSERT_TRUE(client.ok());
  auto refs = (*client)->ListRefs();
  EXPECT_EQ(refs.status().code(), StatusCode::kUnavailable) << refs.status().ToString();
}

class NessieApiTokenTest : public NessieApiTest {
 protected:
  void SetUp() override { Start("s3cret"); }
};

TEST_F(NessieApiTokenTest, RequiresTheBearerToken) {
  Reply none = Send("GET", "/api/v2/trees");
  ExpectError(none, 401, "UNKNOWN", "requires a bearer token");
  ExpectError(Send("GET", "/api/v2/trees", "", "wrong"), 401, "UNKNOWN", "not valid");
  EXPECT_EQ(Send("GET", "/api/v2/trees", "", "s3cret").status, 200);

  auto anonymous = Client();
  auto refused = anonymous->ListRefs();
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument) << refused.status().ToString();
  auto client = Client("", "s3cret");
  auto refs = client->ListRefs();
  ASSERT_TRUE(refs.ok()) << refs.status().ToString();
  EXPECT_EQ(refs->size(), 1u);
}

}  // namespace
}  // namespace floe::catalog
