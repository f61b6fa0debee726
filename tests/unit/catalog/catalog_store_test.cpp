// CatalogStore: references, commits and their log, content-level and ref-level conflicts, branches and tags from
// commits, reads as of a commit, diff, merge, reopening, and a process killed in the middle of committing.
#include "floe/catalog/catalog_store.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

namespace floe::catalog {
namespace {

class CatalogStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("floe-catalog-store-" + std::to_string(::getpid()) + "-" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    Reopen();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::string db_path() const { return CatalogStore::DatabasePath(dir_.string()); }
  void Reopen() {
    store_.reset();
    auto s = CatalogStore::Open(db_path());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
  }

  static CommitMeta Meta(std::string message, std::string author = "alice") {
    return {std::move(author), std::move(message)};
  }
  static Content Table(const std::string& location) { return Content::Table(location, "uuid-" + location); }

  // Commits and expects success; returns the commit id.
  std::string Commit(const std::string& branch, std::vector<Operation> ops, const std::string& message = "change") {
    auto id = store_->Commit(branch, std::nullopt, ops, Meta(message));
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return id.ok() ? *id : std::string();
  }
  // A namespace "db" and tables db.<name> at the given locations, in one commit.
  std::string Seed(const std::string& branch, const std::map<std::string, std::string>& tables) {
    std::vector<Operation> ops{Operation::Create({"db"}, Content::NamespaceWith({{"owner", "alice"}}))};
    for (const auto& [name, location] : tables) ops.push_back(Operation::Create({"db", name}, Table(location)));
    return Commit(branch, ops, "seed");
  }
  // The table location under db.<name> at `at`, or "<absent>".
  std::string LocationAt(const std::string& at, const std::string& name) {
    auto c = store_->Get(at, {"db", name});
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    if (!c.ok()) return "<error>";
    return *c ? (*c)->metadata_location : "<absent>";
  }
  std::string Head(const std::string& ref) {
    auto r = store_->GetRef(ref);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->head : std::string();
  }
  size_t LogLength(const std::string& at) {
    auto log = store_->Log(at, CatalogStore::kMaxLogEntries);
    EXPECT_TRUE(log.ok()) << log.status().ToString();
    return log.ok() ? log->size() : 0;
  }

  std::filesystem::path dir_;
  std::unique_ptr<CatalogStore> store_;
};

TEST_F(CatalogStoreTest, ANewStoreHasBranchMainAtARootCommit) {
  EXPECT_TRUE(std::filesystem::exists(dir_ / "catalog" / "catalog.db"));
  auto refs = store_->ListRefs();
  ASSERT_TRUE(refs.ok());
  ASSERT_EQ(refs->size(), 1u);
  EXPECT_EQ((*refs)[0].name, "main");
  EXPECT_TRUE((*refs)[0].is_branch());
  EXPECT_EQ((*refs)[0].head.size(), 64u);
  auto log = store_->Log("main", 10);
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(log->size(), 1u);
  EXPECT_EQ((*log)[0].id, (*refs)[0].head);
  EXPECT_EQ((*log)[0].parent, "");
  EXPECT_TRUE((*log)[0].operations.empty());
  auto empty = store_->List("main", {});
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

TEST_F(CatalogStoreTest, CommitsAreLoggedNewestFirstWithTheirOperations) {
  const std::string root = Head("main");
  const std::string c1 = Seed("main", {{"t1", "loc-1"}});
  const std::string c2 = Commit("main", {Operation::Replace({"db", "t1"}, Table("loc-1"), Table("loc-2"))}, "append");
  const std::string c3 = Commit("main", {Operation::Delete({"db", "t1"})}, "drop");
  EXPECT_EQ(Head("main"), c3);
  auto log = store_->Log("main", 10);
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(log->size(), 4u);
  EXPECT_EQ((*log)[0].id, c3);
  EXPECT_EQ((*log)[0].parent, c2);
  EXPECT_EQ((*log)[0].message, "drop");
  EXPECT_EQ((*log)[0].author, "alice");
  ASSERT_EQ((*log)[0].operations.size(), 1u);
  EXPECT_EQ((*log)[0].operations[0].kind, Operation::Kind::kDelete);
  EXPECT_EQ((*log)[0].operations[0].key, (ContentKey{"db", "t1"}));
  EXPECT_EQ((*log)[1].id, c2);
  ASSERT_EQ((*log)[1].operations.size(), 1u);
  EXPECT_EQ((*log)[1].operations[0].content, Table("loc-2"));
  EXPECT_EQ((*log)[2].id, c1);
  EXPECT_EQ((*log)[2].operations.size(), 2u);
  EXPECT_EQ((*log)[3].id, root);
  EXPECT_GE((*log)[0].time_ms, (*log)[2].time_ms);
  EXPECT_GT((*log)[2].time_ms, 1'600'000'000'000);
  // A limit cuts the log; a commit id starts it elsewhere.
  auto two = store_->Log("main", 2);
  ASSERT_TRUE(two.ok());
  ASSERT_EQ(two->size(), 2u);
  EXPECT_EQ((*two)[1].id, c2);
  auto from_c2 = store_->Log(c2, 10);
  ASSERT_TRUE(from_c2.ok());
  EXPECT_EQ(from_c2->size(), 3u);
}

TEST_F(CatalogStoreTest, ContentChecksAreConflictsThatWriteNothing) {
  Seed("main", {{"t1", "loc-1"}});
  const std::string head = Head("main");
  // Based on a stale location: another writer moved the table to loc-2 first.
  Commit("main", {Operation::Replace({"db", "t1"}, Table("loc-1"), Table("loc-2"))});
  auto stale = store_->Commit("main", std::nullopt, {Operation::Replace({"db", "t1"}, Table("loc-1"), Table("loc-3"))},
                              Meta("late"));
  ASSERT_EQ(stale.status().code(), StatusCode::kConflict);
  EXPECT_EQ(stale.status().message(),
            "commit to main: db.t1 changed: expected table at loc-1, it is now table at loc-2");
  EXPECT_EQ(LocationAt("main", "t1"), "loc-2");

  auto exists = store_->Commit("main", std::nullopt, {Operation::Create({"db", "t1"}, Table("x"))}, Meta("create"));
  ASSERT_EQ(exists.status().code(), StatusCode::kConflict);
  EXPECT_EQ(exists.status().message(), "commit to main: db.t1 already exists (table at loc-2)");

  auto gone = store_->Commit("main", std::nullopt, {Operation::Delete({"db", "nope"})}, Meta("drop"));
  ASSERT_EQ(gone.status().code(), StatusCode::kConflict);
  EXPECT_EQ(gone.status().message(), "commit to main: cannot delete db.nope: it does not exist");

  // One failing operation fails the whole commit: the good one is not applied either.
  auto mixed = store_->Commit(
      "main", std::nullopt,
      {Operation::Create({"db", "t2"}, Table("loc-t2")), Operation::Replace({"db", "t1"}, Table("loc-1"), Table("z"))},
      Meta("mixed"));
  ASSERT_EQ(mixed.status().code(), StatusCode::kConflict);
  EXPECT_EQ(LocationAt("main", "t2"), "<absent>");
  EXPECT_EQ(LogLength("main"), 3u);
  EXPECT_NE(Head("main"), head);
}

TEST_F(CatalogStoreTest, AnExpectedHeadThatMovedIsConflict) {
  const std::string c1 = Seed("main", {{"t1", "loc-1"}});
  auto ok = store_->Commit("main", c1, {Operation::Put({"db", "t2"}, Table("loc-t2"))}, Meta("on c1"));
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  auto moved = store_->Commit("main", c1, {Operation::Put({"db", "t3"}, Table("loc-t3"))}, Meta("also on c1"));
  ASSERT_EQ(moved.status().code(), StatusCode::kConflict);
  EXPECT_EQ(moved.status().message(), "commit to main: branch main moved: expected it at " + c1.substr(0, 12) +
                                          ", it is at " + ok->substr(0, 12));
  EXPECT_EQ(LocationAt("main", "t3"), "<absent>");
}

TEST_F(CatalogStoreTest, NamespacesMustExistAndMustBeEmptyToGo) {
  auto orphan = store_->Commit("main", std::nullopt, {Operation::Put({"db", "t"}, Table("l"))}, Meta("x"));
  ASSERT_EQ(orphan.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(orphan.status().message(), "namespace db does not exist on branch main (db.t needs it)");
  Seed("main", {{"t", "l"}});
  auto under_table = store_->Commit("main", std::nullopt, {Operation::Put({"db", "t", "x"}, Table("l"))}, Meta("x"));
  EXPECT_EQ(under_table.status().code(), StatusCode::kInvalidArgument);
  auto non_empty = store_->Commit("main", std::nullopt, {Operation::Delete({"db"})}, Meta("x"));
  ASSERT_EQ(non_empty.status().code(), StatusCode::kConflict);
  EXPECT_EQ(non_empty.status().message(), "namespace db is not empty on branch main: it holds db.t");
  // Both in one commit is fine.
  Commit("main", {Operation::Delete({"db", "t"}), Operation::Delete({"db"})});
  auto all = store_->List("main", {}, true);
  ASSERT_TRUE(all.ok());
  EXPECT_TRUE(all->empty());
}

TEST_F(CatalogStoreTest, MalformedCommitsAreInvalidArgument) {
  Seed("main", {});
  ASSERT_TRUE(store_->CreateRef("v1", Reference::Type::kTag, "main").ok());
  auto tag = store_->Commit("v1", std::nullopt, {Operation::Put({"db", "t"}, Table("l"))}, Meta("x"));
  ASSERT_EQ(tag.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(tag.status().message(),
            "commit to v1: 'v1' is a tag, which is read-only; commit to a branch (a tag moves only by assigning it)");
  EXPECT_EQ(store_->Commit("nope", std::nullopt, {Operation::Put({"db", "t"}, Table("l"))}, Meta("x")).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(store_->Commit("main", std::nullopt, {}, Meta("x")).status().message(),
            "commit to main: a commit needs at least one operation");
  auto twice =
      store_->Commit("main", std::nullopt,
                     {Operation::Put({"db", "t"}, Table("a")), Operation::Put({"db", "t"}, Table("b"))}, Meta("x"));
  EXPECT_EQ(twice.status().message(), "commit to main: operations[1]: key db.t appears twice in one commit");
  EXPECT_EQ(store_->Commit("main", std::nullopt, {Operation::Put({"db", ""}, Table("a"))}, Meta("x")).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(
      store_->Commit("main", std::nullopt, {Operation::Put({"db", "a\nb"}, Table("a"))}, Meta("x")).status().code(),
      StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->Commit("main", std::nullopt, {Operation::Put({"db", "t"}, Table(""))}, Meta("x")).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->CreateRef("deadbeef", Reference::Type::kBranch, "main").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->CreateRef("-x", Reference::Type::kBranch, "main").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->CreateRef("a b", Reference::Type::kBranch, "main").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->CreateRef("main", Reference::Type::kBranch, "main").status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(store_->CreateRef("dev", Reference::Type::kBranch, "nope").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->CreateRef("dev", Reference::Type::kBranch, "0123456789abcdef").status().code(),
            StatusCode::kNotFound);
}

TEST_F(CatalogStoreTest, BranchesAndTagsFromRefsAndCommitsAndReadsAsOfACommit) {
  const std::string c1 = Seed("main", {{"t1", "loc-1"}});
  const std::string c2 = Commit("main", {Operation::Replace({"db", "t1"}, Table("loc-1"), Table("loc-2"))});
  const std::string c3 = Commit("main", {Operation::Create({"db", "t2"}, Table("loc-t2"))});

  // A commit on dev is invisible on main.
  ASSERT_TRUE(store_->CreateRef("dev", Reference::Type::kBranch, "main").ok());
  EXPECT_EQ(Head("dev"), c3);
  Commit("dev", {Operation::Replace({"db", "t1"}, Table("loc-2"), Table("loc-dev"))});
  EXPECT_EQ(LocationAt("dev", "t1"), "loc-dev");
  EXPECT_EQ(LocationAt("main", "t1"), "loc-2");

  // Reads as of a commit that no ref points at replay history; a unique prefix and "ref@commit" work too.
  EXPECT_EQ(LocationAt(c1, "t1"), "loc-1");
  EXPECT_EQ(LocationAt(c1, "t2"), "<absent>");
  EXPECT_EQ(LocationAt(c2.substr(0, 10), "t1"), "loc-2");
  EXPECT_EQ(LocationAt("main@" + c1, "t1"), "loc-1");
  auto listed = store_->List(c1, {"db"});
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].first, (ContentKey{"db", "t1"}));
  auto resolved = store_->ResolveCommit(c2.substr(0, 8));
  ASSERT_TRUE(resolved.ok());
  EXPECT_EQ(*resolved, c2);

  // A tag and a branch at an old commit hold that commit's contents.
  ASSERT_TRUE(store_->CreateRef("v1", Reference::Type::kTag, c1).ok());
  ASSERT_TRUE(store_->CreateRef("fix", Reference::Type::kBranch, c1).ok());
  EXPECT_EQ(LocationAt("v1", "t1"), "loc-1");
  EXPECT_EQ(LocationAt("fix", "t2"), "<absent>");
  Commit("fix", {Operation::Create({"db", "t3"}, Table("loc-t3"))});
  EXPECT_EQ(LocationAt("fix", "t3"), "loc-t3");
  EXPECT_EQ(LocationAt("v1", "t3"), "<absent>");
  EXPECT_EQ(LocationAt("main", "t3"), "<absent>");

  auto refs = store_->ListRefs();
  ASSERT_TRUE(refs.ok());
  std::vector<std::string> names;
  for (const Reference& r : *refs) names.push_back(r.name + (r.is_branch() ? "" : " (tag)"));
  EXPECT_EQ(names, (std::vector<std::string>{"dev", "fix", "main", "v1 (tag)"}));
  EXPECT_EQ(store_->Get("nope", {"db"}).status().message(), "reference 'nope' does not exist in the catalog");
}

TEST_F(CatalogStoreTest, AssignAndDeleteReferences) {
  const std::string c1 = Seed("main", {{"t1", "loc-1"}});
  const std::string c2 = Commit("main", {Operation::Replace({"db", "t1"}, Table("loc-1"), Table("loc-2"))});
  ASSERT_TRUE(store_->CreateRef("v1", Reference::Type::kTag, c1).ok());
  // A tag moves by assignment and then reads the new commit.
  auto moved = store_->AssignRef("v1", "main", c1.substr(0, 12));
  ASSERT_TRUE(moved.ok()) << moved.status().ToString();
  EXPECT_EQ(moved->head, c2);
  EXPECT_EQ(LocationAt("v1", "t1"), "loc-2");
  EXPECT_EQ(store_->AssignRef("v1", c1, c1).status().code(), StatusCode::kConflict);
  // A branch moved back to an old commit: its contents are rematerialized.
  ASSERT_TRUE(store_->CreateRef("dev", Reference::Type::kBranch, "main").ok());
  ASSERT_TRUE(store_->AssignRef("dev", c1).ok());
  EXPECT_EQ(LocationAt("dev", "t1"), "loc-1");
  EXPECT_EQ(store_->DeleteRef("dev", c2).code(), StatusCode::kConflict);
  ASSERT_TRUE(store_->DeleteRef("dev", c1).ok());
  EXPECT_EQ(store_->GetRef("dev").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->DeleteRef("dev").code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->DeleteRef("main").message(), "delete reference main: the default branch cannot be deleted");
  // Its commits stay readable by id.
  EXPECT_EQ(LocationAt(c1, "t1"), "loc-1");
}

TEST_F(CatalogStoreTest, DiffListsTheKeysWhoseValuesDiffer) {
  Seed("main", {{"t1", "loc-1"}, {"t2", "loc-2"}});
  ASSERT_TRUE(store_->CreateRef("dev", Reference::Type::kBranch, "main").ok());
  Commit("dev", {Operation::Replace({"db", "t1"}, Table("loc-1"), Table("loc-1b")), Operation::Delete({"db", "t2"}),
                 Operation::Create({"db", "t3"}, Table("loc-3"))});
  auto diff = store_->Diff("main", "dev");
  ASSERT_TRUE(diff.ok()) << diff.status().ToString();
  ASSERT_EQ(diff->size(), 3u);
  EXPECT_EQ((*diff)[0].key, (ContentKey{"db", "t1"}));
  EXPECT_EQ((*diff)[0].from->metadata_location, "loc-1");
  EXPECT_EQ((*diff)[0].to->metadata_location, "loc-1b");
  EXPECT_EQ((*diff)[1].key, (ContentKey{"db", "t2"}));
  EXPECT_FALSE((*diff)[1].to);
  EXPECT_EQ((*diff)[2].key, (ContentKey{"db", "t3"}));
  EXPECT_FALSE((*diff)[2].from);
  auto same = store_->Diff("main", "main");
  ASSERT_TRUE(same.ok());
  EXPECT_TRUE(same->empty());
}

TEST_F(CatalogStoreTest, MergeAppliesTheSourcesChangesSinceTheCommonAncestor) {
  Seed("main", {{"t1", "loc-1"}, {"t2", "loc-2"}});
  ASSERT_TRUE(store_->CreateRef("dev", Reference::Type::kBranch, "main").ok());
  Commit("dev", {Operation::Replace({"db", "t1"}, Table("loc-1"), Table("loc-1-dev"))});
  Commit("dev", {Operation::Create({"db", "t3"}, Table("loc-3-dev"))});
  Commit("main", {Operation::Replace({"db", "t2"}, Table("loc-2"), Table("loc-2-main"))});
  const std::string dev_head = Head("dev");

  auto merged = store_->Merge("dev", "main", std::nullopt, Meta(""));
  ASSERT_TRUE(merged.ok()) << merged.status().ToString();
  EXPECT_EQ(Head("main"), *merged);
  EXPECT_EQ(LocationAt("main", "t1"), "loc-1-dev");
  EXPECT_EQ(LocationAt("main", "t2"), "loc-2-main");  // the target's own change stays
  EXPECT_EQ(LocationAt("main", "t3"), "loc-3-dev");
  EXPECT_EQ(LocationAt("dev", "t2"), "loc-2");  // the source is unchanged
  auto log = store_->Log("main", 1);
  ASSERT_TRUE(log.ok());
  EXPECT_EQ((*log)[0].merged_from, dev_head);
  EXPECT_EQ((*log)[0].message, "merge dev into main");
  EXPECT_EQ((*log)[0].operations.size(), 2u);

  // Merging again brings nothing: main already has everything of dev.
  auto again = store_->Merge("dev", "main", std::nullopt, Meta("again"));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *merged);
  // A later change of t1 on dev merges cleanly: the previous merge is the new common ancestor.
  Commit("dev", {Operation::Replace({"db", "t1"}, Table("loc-1-dev"), Table("loc-1-dev2"))});
  auto second = store_->Merge("dev", "main", *merged, Meta("second"));
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(LocationAt("main", "t1"), "loc-1-dev2");
  EXPECT_EQ(store_->Merge("dev", "main", *merged, Meta("stale")).status().code(), StatusCode::kConflict);
}

TEST_F(CatalogStoreTest, MergeOfKeysChangedOnBothSidesIsConflictNamingThem) {
  Seed("main", {{"t1", "loc-1"}, {"t2", "loc-2"}, {"t3", "loc-3"}});
  ASSERT_TRUE(store_->CreateRef("dev", Reference::Type::kBranch, "main").ok());
  const std::string base = Head("main");
  Commit("dev", {Operation::Replace({"db", "t1"}, Table("loc-1"), Table("dev-1")), Operation::Delete({"db", "t2"}),
                 Operation::Replace({"db", "t3"}, Table("loc-3"), Table("dev-3"))});
  Commit("main", {Operation::Replace({"db", "t1"}, Table("loc-1"), Table("main-1")),
                  Operation::Replace({"db", "t2"}, Table("loc-2"), Table("main-2"))});
  const std::string main_head = Head("main");
  auto merged = store_->Merge("dev", "main", std::nullopt, Meta("merge"));
  ASSERT_EQ(merged.status().code(), StatusCode::kConflict);
  EXPECT_EQ(merged.status().message(), "merge dev into main: changed on both since their common ancestor " +
                                           base.substr(0, 12) + ": db.t1, db.t2");
  EXPECT_EQ(Head("main"), main_head);
  EXPECT_EQ(LocationAt("main", "t3"), "loc-3");  // nothing of the merge landed
  EXPECT_EQ(store_->Merge("dev", "v9", std::nullopt, Meta("x")).status().code(), StatusCode::kNotFound);
}

TEST_F(CatalogStoreTest, ConcurrentCommitsAreEachAppliedOnceAndRacingReplacesHaveOneWinner) {
  Seed("main", {{"shared", "loc-0"}});
  constexpr int kThreads = 6;
  constexpr int kCommits = 8;
  std::atomic<int> failures{0};
  std::atomic<int> replace_wins{0};
  std::atomic<int> replace_conflicts{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kCommits; ++i) {
        const std::string name = "t" + std::to_string(t) + "-" + std::to_string(i);
        if (!store_->Commit("main", std::nullopt, {Operation::Create({"db", name}, Table(name))}, Meta(name)).ok()) {
          failures.fetch_add(1);
        }
      }
      // Every thread bases a change of db.shared on loc-0: one of them wins.
      auto r = store_->Commit("main", std::nullopt,
                              {Operation::Replace({"db", "shared"}, Table("loc-0"), Table("by-" + std::to_string(t)))},
                              Meta("replace"));
      (r.ok() ? replace_wins : replace_conflicts).fetch_add(1);
      if (!r.ok() && r.status().code() != StatusCode::kConflict) failures.fetch_add(1);
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(replace_wins.load(), 1);
  EXPECT_EQ(replace_conflicts.load(), kThreads - 1);
  auto all = store_->List("main", {"db"});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), static_cast<size_t>(kThreads * kCommits + 1));
  EXPECT_EQ(LogLength("main"), static_cast<size_t>(kThreads * kCommits + 3));  // root, seed, creates, one replace
}

TEST_F(CatalogStoreTest, ReopeningKeepsEverything) {
  Seed("main", {{"t1", "loc-1"}});
  ASSERT_TRUE(store_->CreateRef("dev", Reference::Type::kBranch, "main").ok());
  const std::string dev = Commit("dev", {Operation::Create({"db", "t2"}, Table("loc-2"))});
  auto log_before = store_->Log("dev", 100);
  ASSERT_TRUE(log_before.ok());
  Reopen();
  EXPECT_EQ(Head("dev"), dev);
  EXPECT_EQ(LocationAt("dev", "t2"), "loc-2");
  EXPECT_EQ(LocationAt("main", "t2"), "<absent>");
  auto log_after = store_->Log("dev", 100);
  ASSERT_TRUE(log_after.ok());
  ASSERT_EQ(log_after->size(), log_before->size());
  for (size_t i = 0; i < log_after->size(); ++i) EXPECT_EQ((*log_after)[i].id, (*log_before)[i].id);
  auto ns = store_->Get("main", {"db"});
  ASSERT_TRUE(ns.ok() && *ns);
  auto props = (*ns)->NamespaceProperties();
  ASSERT_TRUE(props.ok());
  EXPECT_EQ(*props, (Properties{{"owner", "alice"}}));
}

TEST_F(CatalogStoreTest, FilesThatAreNotCatalogsAreRefused) {
  store_.reset();
  const std::string garbage = (dir_ / "garbage.db").string();
  std::ofstream(garbage) << std::string(4096, 'x');
  auto g = CatalogStore::Open(garbage);
  EXPECT_EQ(g.status().code(), StatusCode::kCorruption) << g.status().ToString();

  const std::string other = (dir_ / "other.db").string();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(other.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE t (x INTEGER)", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  auto o = CatalogStore::Open(other);
  ASSERT_EQ(o.status().code(), StatusCode::kCorruption);
  EXPECT_EQ(o.status().message(),
            other + ": this SQLite database is not a floe catalog (it has no catalog_meta table)");
}

// A child process commits in a loop, reporting each acknowledged commit on a pipe, and is killed with SIGKILL in the
// middle of it. Reopened, the store holds every acknowledged commit (at most one more, the one in flight), each
// commit whole, and the materialized contents equal the log replayed.
TEST_F(CatalogStoreTest, AProcessKilledWhileCommittingLeavesTheLastCommittedState) {
  Seed("main", {});
  store_.reset();  // the child opens its own connection; never share one across fork
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(fds[0]);
    auto store = CatalogStore::Open(db_path());
    if (!store.ok()) ::_exit(2);
    for (int i = 1;; ++i) {
      // Two keys per commit that must agree: the counter and the table it names.
      std::vector<Operation> ops{
          Operation::Put({"db", "counter"}, Content::NamespaceWith({{"n", std::to_string(i)}})),
          Operation::Put({"db", "t" + std::to_string(i % 5)}, Content::Table("loc-" + std::to_string(i), "u"))};
      if (!(*store)->Commit("main", std::nullopt, ops, {"child", "commit " + std::to_string(i)}).ok()) ::_exit(3);
      if (::write(fds[1], &i, sizeof i) != sizeof i) ::_exit(4);
    }
  }
  ::close(fds[1]);
  int acknowledged = 0;
  while (acknowledged < 40) {
    int n = 0;
    if (::read(fds[0], &n, sizeof n) != sizeof n) break;
    acknowledged = n;
  }
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  // Acknowledgements still in the pipe were sent before the kill.
  int n = 0;
  while (::read(fds[0], &n, sizeof n) == sizeof n) acknowledged = n;
  ::close(fds[0]);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the child exited by itself with " << WEXITSTATUS(status);
  ASSERT_GE(acknowledged, 40);

  Reopen();
  auto counter = store_->Get("main", {"db", "counter"});
  ASSERT_TRUE(counter.ok() && *counter);
  auto props = (*counter)->NamespaceProperties();
  ASSERT_TRUE(props.ok());
  const int last = std::stoi(props->at("n"));
  EXPECT_GE(last, acknowledged);
  EXPECT_LE(last, acknowledged + 1);
  // The last commit is whole: its table was written with it.
  EXPECT_EQ(LocationAt("main", "t" + std::to_string(last % 5)), "loc-" + std::to_string(last));
  // The log: the seed, the root and one commit per counter value, each with its two operations; replayed, it gives
  // exactly the materialized contents.
  auto log = store_->Log("main", CatalogStore::kMaxLogEntries);
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(log->size(), static_cast<size_t>(last) + 2);
  std::map<ContentKey, Content> replayed;
  for (auto it = log->rbegin(); it != log->rend(); ++it) {
    for (const Operation& op : it->operations) {
      if (op.kind == Operation::Kind::kPut) {
        replayed[op.key] = op.content;
      } else {
        replayed.erase(op.key);
      }
    }
  }
  auto all = store_->List("main", {}, true);
  ASSERT_TRUE(all.ok());
  std::map<ContentKey, Content> materialized(all->begin(), all->end());
  EXPECT_EQ(replayed, materialized);
  // And it takes commits again.
  Commit("main", {Operation::Delete({"db", "t0"})});
}

}  // namespace
}  // namespace floe::catalog
