// EmbeddedCatalog: namespaces, tables created, loaded, committed, dropped and renamed over a CatalogStore; racing
// commits to one table; multi-table transactions; the iceberg writers (AppendFiles, CompactTable) through
// CatalogTableOperations; and branches: a commit on dev is invisible on main until merged.
#include "floe/catalog/embedded_catalog.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <regex>
#include <thread>

#include "floe/iceberg/data_file_writer.h"
#include "floe/iceberg/table_maintenance.h"
#include "floe/iceberg/table_scan.h"

namespace floe::catalog {
namespace {

using iceberg::NestedField;
using iceberg::Type;
using iceberg::TypeId;

constexpr int64_t kDayMicros = 86'400'000'000;
constexpr int32_t kDay = 20000;  // 2024-10-04

NestedField Field(int32_t id, std::string name, bool required, iceberg::TypePtr type) {
  NestedField f;
  f.id = id;
  f.name = std::move(name);
  f.required = required;
  f.type = std::move(type);
  return f;
}

class EmbeddedCatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("floe-embedded-catalog-" + std::to_string(::getpid()) + "-" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    EmbeddedCatalogOptions options;
    options.warehouse = warehouse();
    options.io_config = io::FileIOConfig{};
    auto c = EmbeddedCatalog::Open((dir_ / "data").string(), options);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    catalog_ = std::move(c).value();
  }
  void TearDown() override {
    catalog_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::string warehouse() const { return (dir_ / "warehouse").string(); }
  static CommitMeta Meta(std::string message = "") { return {"tester", std::move(message)}; }

  // sensor_id, ts, temperature, partitioned by day(ts); ids deliberately not 1, 2, 3 (the catalog renumbers them).
  static CreateTableRequest Request(std::string name) {
    CreateTableRequest r;
    r.name = std::move(name);
    r.schema = iceberg::Schema(0, {Field(10, "sensor_id", true, Type::Primitive(TypeId::kString)),
                                   Field(20, "ts", true, Type::Primitive(TypeId::kTimestampTz)),
                                   Field(30, "temperature", false, Type::Primitive(TypeId::kDouble))});
    r.spec = iceberg::PartitionSpec{0, {{20, 1000, "ts_day", iceberg::Transform::Day()}}};
    r.properties = {{"owner", "tester"}};
    return r;
  }

  iceberg::TableState CreateTable(const Namespace& ns, const std::string& name) {
    auto created = catalog_->CreateTable(ns, Request(name), Meta());
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    return created.ok() ? *created : iceberg::TableState{};
  }
  void CreateNamespace(const Namespace& ns, const Properties& properties = {}) {
    Status s = catalog_->CreateNamespace(ns, properties, Meta());
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  iceberg::TableState Load(const TableIdentifier& id, EmbeddedCatalog* catalog = nullptr) {
    auto s = (catalog ? catalog : catalog_.get())->LoadTable(id);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? *s : iceberg::TableState{};
  }

  // Files under `dir` (recursively), by name relative to it, sorted.
  static std::vector<std::string> Files(const std::filesystem::path& dir) {
    std::vector<std::string> out;
    if (!std::filesystem::exists(dir)) return out;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
      if (e.is_regular_file()) out.push_back(std::filesystem::relative(e.path(), dir).string());
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  // The updates of a fast append of nothing: a new snapshot on main (the manifest list need not exist for the
  // catalog, which never reads it), with the requirement that main is still where `base` had it.
  static TableCommit AppendCommit(const TableIdentifier& id, const iceberg::TableMetadata& base, int64_t snapshot_id) {
    iceberg::Snapshot snapshot;
    snapshot.snapshot_id = snapshot_id;
    snapshot.parent_snapshot_id = base.current_snapshot_id;
    snapshot.sequence_number = base.last_sequence_number + 1;
    snapshot.timestamp_ms = iceberg::NowMs();
    snapshot.manifest_list = base.location + "/metadata/snap-" + std::to_string(snapshot_id) + ".avro";
    snapshot.summary = {{"operation", "append"}};
    snapshot.schema_id = base.current_schema_id;
    TableCommit commit;
    commit.table = id;
    iceberg::TableRequirement uuid;
    uuid.kind = iceberg::TableRequirement::Kind::kAssertTableUuid;
    uuid.uuid = base.table_uuid;
    iceberg::TableRequirement ref;
    ref.kind = iceberg::TableRequirement::Kind::kAssertRefSnapshotId;
    ref.ref = "main";
    ref.snapshot_id = base.current_snapshot_id;
    commit.requirements = {uuid, ref};
    iceberg::TableUpdate add;
    add.action = "add-snapshot";
    add.snapshot = snapshot;
    iceberg::TableUpdate set;
    set.action = "set-snapshot-ref";
    set.ref_name = "main";
    set.ref.snapshot_id = snapshot_id;
    set.ref.is_branch = true;
    commit.updates = {add, set};
    return commit;
  }

  static TableCommit SetProperty(const TableIdentifier& id, const std::string& key, const std::string& value) {
    TableCommit commit;
    commit.table = id;
    iceberg::TableUpdate u;
    u.action = "set-properties";
    u.updates = {{key, value}};
    commit.updates = {u};
    return commit;
  }

  std::filesystem::path dir_;
  std::unique_ptr<EmbeddedCatalog> catalog_;
};

TEST_F(EmbeddedCatalogTest, NamespacesNestAndHoldProperties) {
  CreateNamespace({"prod"}, {{"owner", "ops"}});
  CreateNamespace({"prod", "telemetry"});
  CreateNamespace({"dev"});
  EXPECT_EQ(catalog_->CreateNamespace({"prod"}, {}, Meta()).code(), StatusCode::kAlreadyExists);
  Status orphan = catalog_->CreateNamespace({"nope", "x"}, {}, Meta());
  EXPECT_EQ(orphan.code(), StatusCode::kNotFound);
  EXPECT_EQ(orphan.message(), "create namespace nope.x: namespace nope does not exist on main");

  auto top = catalog_->ListNamespaces({});
  ASSERT_TRUE(top.ok());
  EXPECT_EQ(*top, (std::vector<Namespace>{{"dev"}, {"prod"}}));
  auto under = catalog_->ListNamespaces({"prod"});
  ASSERT_TRUE(under.ok());
  EXPECT_EQ(*under, (std::vector<Namespace>{{"prod", "telemetry"}}));
  EXPECT_EQ(catalog_->ListNamespaces({"nope"}).status().code(), StatusCode::kNotFound);

  ASSERT_TRUE(catalog_->UpdateNamespaceProperties({"prod"}, {"owner"}, {{"tier", "gold"}}, Meta()).ok());
  auto props = catalog_->LoadNamespace({"prod"});
  ASSERT_TRUE(props.ok());
  EXPECT_EQ(*props, (Properties{{"tier", "gold"}}));
  Status both = catalog_->UpdateNamespaceProperties({"prod"}, {"tier"}, {{"tier", "x"}}, Meta());
  EXPECT_EQ(both.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(both.message(), "update namespace prod: property 'tier' is both removed and updated");
  EXPECT_EQ(catalog_->LoadNamespace({"nope"}).status().message(), "namespace nope does not exist on main");

  Status full = catalog_->DropNamespace({"prod"}, Meta());
  EXPECT_EQ(full.code(), StatusCode::kConflict);
  EXPECT_EQ(full.message(), "namespace prod is not empty: it holds prod.telemetry");
  ASSERT_TRUE(catalog_->DropNamespace({"prod", "telemetry"}, Meta()).ok());
  ASSERT_TRUE(catalog_->DropNamespace({"prod"}, Meta()).ok());
  EXPECT_EQ(catalog_->DropNamespace({"prod"}, Meta()).code(), StatusCode::kNotFound);
  // Every change was one commit on main, with its message.
  auto log = catalog_->store().Log("main", 100);
  ASSERT_TRUE(log.ok());
  EXPECT_EQ(log->size(), 7u);  // root + 3 creates + 1 update + 2 drops
  EXPECT_EQ((*log)[0].message, "drop namespace prod");
  EXPECT_EQ((*log)[0].author, "tester");
}

TEST_F(EmbeddedCatalogTest, CreatedTablesGetFreshIdsAndAVersionOneMetadataFile) {
  CreateNamespace({"db"});
  const iceberg::TableState created = CreateTable({"db"}, "t");
  EXPECT_EQ(created.metadata.location, warehouse() + "/db/t");
  EXPECT_TRUE(std::regex_match(created.metadata_location,
                               std::regex(warehouse() + "/db/t/metadata/00001-[0-9a-f-]{36}\\.metadata\\.json")))
      << created.metadata_location;
  EXPECT_TRUE(std::filesystem::exists(created.metadata_location));
  const iceberg::Schema& schema = created.metadata.CurrentSchema();
  ASSERT_EQ(schema.fields().size(), 3u);
  EXPECT_EQ(schema.fields()[0].id, 1);
  EXPECT_EQ(schema.fields()[1].id, 2);
  EXPECT_EQ(schema.fields()[2].id, 3);
  EXPECT_EQ(created.metadata.DefaultSpec().fields[0].source_id, 2);  // follows the renumbered ts
  EXPECT_EQ(created.metadata.properties.at("owner"), "tester");

  const iceberg::TableState loaded = Load({{"db"}, "t"});
  EXPECT_EQ(loaded.metadata_location, created.metadata_location);
  EXPECT_EQ(loaded.metadata.table_uuid, created.metadata.table_uuid);
  auto exists = catalog_->TableExists({{"db"}, "t"});
  ASSERT_TRUE(exists.ok());
  EXPECT_TRUE(*exists);

  CreateTableRequest elsewhere = Request("u");
  elsewhere.location = (dir_ / "elsewhere" / "u").string() + "/";
  auto u = catalog_->CreateTable({"db"}, elsewhere, Meta());
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  EXPECT_EQ(u->metadata.location, (dir_ / "elsewhere" / "u").string());

  auto tables = catalog_->ListTables({"db"});
  ASSERT_TRUE(tables.ok());
  EXPECT_EQ(*tables, (std::vector<TableIdentifier>{{{"db"}, "t"}, {{"db"}, "u"}}));
  EXPECT_EQ(catalog_->CreateTable({"db"}, Request("t"), Meta()).status().message(), "table db.t already exists");
  EXPECT_EQ(catalog_->CreateTable({"nope"}, Request("t"), Meta()).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(catalog_->LoadTable({{"db"}, "nope"}).status().message(), "table db.nope does not exist on main");
  EXPECT_EQ(catalog_->LoadTable({{"db"}, "nope"}).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(catalog_->ListTables({"nope"}).status().code(), StatusCode::kNotFound);
  Status ns_not_empty = catalog_->DropNamespace({"db"}, Meta());
  EXPECT_EQ(ns_not_empty.code(), StatusCode::kConflict);
  EXPECT_EQ(ns_not_empty.message(), "namespace db is not empty: it holds db.t and 1 more");
}

TEST_F(EmbeddedCatalogTest, CommitTableWritesTheNextMetadataFileAndMovesThePointer) {
  CreateNamespace({"db"});
  const TableIdentifier id{{"db"}, "t"};
  const iceberg::TableState v1 = CreateTable({"db"}, "t");
  auto v2 = catalog_->CommitTable(AppendCommit(id, v1.metadata, 101), Meta());
  ASSERT_TRUE(v2.ok()) << v2.status().ToString();
  EXPECT_TRUE(std::regex_match(v2->metadata_location,
                               std::regex(warehouse() + "/db/t/metadata/00002-[0-9a-f-]{36}\\.metadata\\.json")));
  EXPECT_EQ(v2->metadata.current_snapshot_id, 101);
  ASSERT_EQ(v2->metadata.metadata_log.size(), 1u);
  EXPECT_EQ(v2->metadata.metadata_log[0].metadata_file, v1.metadata_location);
  EXPECT_EQ(Load(id).metadata_location, v2->metadata_location);

  // A requirement that no longer holds: Conflict, and no metadata file is left behind.
  auto stale = catalog_->CommitTable(AppendCommit(id, v1.metadata, 102), Meta());
  ASSERT_EQ(stale.status().code(), StatusCode::kConflict);
  EXPECT_EQ(Files(dir_ / "warehouse" / "db" / "t" / "metadata").size(), 2u);
  EXPECT_EQ(Load(id).metadata.current_snapshot_id, 101);
  // Updates that do not apply are InvalidArgument; unknown tables NotFound.
  TableCommit bad = SetProperty(id, "a", "b");
  bad.updates[0].action = "set-current-schema";
  bad.updates[0].id = 42;
  EXPECT_EQ(catalog_->CommitTable(bad, Meta()).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(catalog_->CommitTable(SetProperty({{"db"}, "nope"}, "a", "b"), Meta()).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(Files(dir_ / "warehouse" / "db" / "t" / "metadata").size(), 2u);
}

TEST_F(EmbeddedCatalogTest, ACommitWithAssertCreateCreatesTheTable) {
  CreateNamespace({"db"});
  iceberg::CreateTableOptions options;
  CreateTableRequest r = Request("staged");
  options.spec = r.spec;
  options.schema = iceberg::AssignFreshIds(r.schema, &options.spec, &options.sort_order);
  options.location = warehouse() + "/db/staged";
  auto metadata = iceberg::NewTableMetadata(options, iceberg::NowMs());
  ASSERT_TRUE(metadata.ok());
  TableCommit commit;
  commit.table = {{"db"}, "staged"};
  commit.updates = iceberg::DiffMetadata(nullptr, *metadata);
  commit.requirements = iceberg::RequirementsFor(nullptr, commit.updates);
  auto created = catalog_->CommitTable(commit, Meta());
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ(created->metadata.table_uuid, metadata->table_uuid);
  EXPECT_EQ(Load(commit.table).metadata_location, created->metadata_location);
  auto again = catalog_->CommitTable(commit, Meta());
  EXPECT_EQ(again.status().code(), StatusCode::kConflict);
}

TEST_F(EmbeddedCatalogTest, TwoRacingCommitsOnOneTableOneWinsAndNothingIsLost) {
  CreateNamespace({"db"});
  const TableIdentifier id{{"db"}, "t"};
  const iceberg::TableState base = CreateTable({"db"}, "t");
  std::atomic<int> ready{0};
  Result<iceberg::TableState> results[2] = {Status::Internal("not run"), Status::Internal("not run")};
  std::vector<std::thread> threads;
  for (int i = 0; i < 2; ++i) {
    threads.emplace_back([&, i] {
      ready.fetch_add(1);
      while (ready.load() < 2) {
      }
      results[i] =
          catalog_->CommitTable(AppendCommit(id, base.metadata, 1000 + i), Meta("writer " + std::to_string(i)));
    });
  }
  for (std::thread& t : threads) t.join();
  const int winner = results[0].ok() ? 0 : 1;
  const int loser = 1 - winner;
  ASSERT_TRUE(results[winner].ok()) << results[winner].status().ToString();
  ASSERT_EQ(results[loser].status().code(), StatusCode::kConflict) << results[loser].status().ToString();
  // The table is the winner's; the loser's metadata file is gone.
  const iceberg::TableState now = Load(id);
  EXPECT_EQ(now.metadata_location, results[winner]->metadata_location);
  EXPECT_EQ(now.metadata.current_snapshot_id, 1000 + winner);
  EXPECT_EQ(Files(dir_ / "warehouse" / "db" / "t" / "metadata").size(), 2u);
  // The loser retries on the fresh base and lands on top: both snapshots are in the table.
  auto retried = catalog_->CommitTable(AppendCommit(id, now.metadata, 1000 + loser), Meta());
  ASSERT_TRUE(retried.ok()) << retried.status().ToString();
  EXPECT_EQ(retried->metadata.snapshots.size(), 2u);
  EXPECT_EQ(retried->metadata.SnapshotById(1000 + loser)->parent_snapshot_id, 1000 + winner);
}

TEST_F(EmbeddedCatalogTest, ConcurrentAppendersThroughCatalogTableOperationsLoseNoSnapshot) {
  CreateNamespace({"db"});
  const TableIdentifier id{{"db"}, "t"};
  CreateTable({"db"}, "t");
  constexpr int kThreads = 3;
  constexpr int kAppends = 4;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto io = catalog_->FileIOFor(warehouse());
      if (!io.ok()) {
        failures.fetch_add(1);
        return;
      }
      CatalogTableOperations ops(*catalog_, id, *io, {"appender", ""});
      for (int i = 0; i < kAppends; ++i) {
        iceberg::DataFile f;
        f.file_path =
            warehouse() + "/db/t/data/ts_day=2024-10-04/f-" + std::to_string(t) + "-" + std::to_string(i) + ".parquet";
        f.partition = {iceberg::Literal::Date(kDay)};
        f.record_count = 1;
        f.file_size_in_bytes = 10;
        iceberg::CommitOptions options;
        options.max_attempts = 100;
        auto r = iceberg::AppendFiles(ops, {f}, options);
        if (!r.ok()) {
          ADD_FAILURE() << r.status().ToString();
          failures.fetch_add(1);
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  ASSERT_EQ(failures.load(), 0);
  const iceberg::TableState now = Load(id);
  ASSERT_EQ(now.metadata.snapshots.size(), static_cast<size_t>(kThreads * kAppends));
  EXPECT_EQ(*now.metadata.CurrentSnapshot()->FindSummary("total-data-files"), std::to_string(kThreads * kAppends));
  // One metadata file per committed version, none from lost attempts.
  size_t metadata_files = 0;
  for (const std::string& f : Files(dir_ / "warehouse" / "db" / "t" / "metadata")) {
    if (f.ends_with(".metadata.json")) ++metadata_files;
  }
  EXPECT_EQ(metadata_files, static_cast<size_t>(kThreads * kAppends + 1));
}

TEST_F(EmbeddedCatalogTest, TransactionsAreAllOrNothing) {
  CreateNamespace({"db"});
  const TableIdentifier a{{"db"}, "a"};
  const TableIdentifier b{{"db"}, "b"};
  const iceberg::TableState a1 = CreateTable({"db"}, "a");
  const iceberg::TableState b1 = CreateTable({"db"}, "b");
  // b's requirement fails (its uuid is not that): a is not changed either, and no metadata file stays.
  TableCommit bad_b = AppendCommit(b, b1.metadata, 7);
  bad_b.requirements[0].uuid = "00000000-0000-0000-0000-000000000000";
  Status failed = catalog_->CommitTransaction({AppendCommit(a, a1.metadata, 5), bad_b}, Meta());
  EXPECT_EQ(failed.code(), StatusCode::kConflict) << failed.ToString();
  EXPECT_EQ(Load(a).metadata_location, a1.metadata_location);
  EXPECT_EQ(Load(b).metadata_location, b1.metadata_location);
  EXPECT_EQ(Files(dir_ / "warehouse" / "db" / "a" / "metadata").size(), 1u);
  EXPECT_EQ(Files(dir_ / "warehouse" / "db" / "b" / "metadata").size(), 1u);
  EXPECT_EQ(catalog_->CommitTransaction({SetProperty(a, "k", "v"), SetProperty(a, "k", "w")}, Meta()).code(),
            StatusCode::kInvalidArgument);

  const size_t commits_before = catalog_->store().Log("main", 100)->size();
  Status ok =
      catalog_->CommitTransaction({AppendCommit(a, a1.metadata, 5), AppendCommit(b, b1.metadata, 7)}, Meta("both"));
  ASSERT_TRUE(ok.ok()) << ok.ToString();
  EXPECT_EQ(Load(a).metadata.current_snapshot_id, 5);
  EXPECT_EQ(Load(b).metadata.current_snapshot_id, 7);
  auto log = catalog_->store().Log("main", 100);
  ASSERT_TRUE(log.ok());
  EXPECT_EQ(log->size(), commits_before + 1);  // one catalog commit for both tables
  EXPECT_EQ((*log)[0].message, "both");
  EXPECT_EQ((*log)[0].operations.size(), 2u);
}

TEST_F(EmbeddedCatalogTest, AppendAndCompactThroughCatalogTableOperations) {
  CreateNamespace({"db"});
  const TableIdentifier id{{"db"}, "t"};
  CreateTable({"db"}, "t");
  auto io = catalog_->FileIOFor(warehouse());
  ASSERT_TRUE(io.ok());
  CatalogTableOperations ops(*catalog_, id, *io, {"writer", "append"});
  EXPECT_EQ(ops.name(), "db.t");
  for (int i = 0; i < 4; ++i) {
    iceberg::TableMetadata m = Load(id).metadata;
    auto writer = iceberg::DataFileWriter::Make(io->get(), m.CurrentSchema(), m.DefaultSpec(), m.location + "/data");
    ASSERT_TRUE(writer.ok()) << writer.status().ToString();
    std::vector<formats::ColumnVector> batch;
    batch.emplace_back(formats::DataType{formats::ColumnType::kString});
    batch.emplace_back(formats::DataType{formats::ColumnType::kTimestampTz});
    batch.emplace_back(formats::DataType{formats::ColumnType::kDouble});
    batch[0].AppendString("s-" + std::to_string(i));
    batch[1].Append<int64_t>(kDay * kDayMicros + i * 1'000'000);
    batch[2].Append<double>(i * 1.5);
    ASSERT_TRUE(writer->Write(batch).ok());
    auto files = writer->Finish();
    ASSERT_TRUE(files.ok()) << files.status().ToString();
    auto appended = iceberg::AppendFiles(ops, *files);
    ASSERT_TRUE(appended.ok()) << appended.status().ToString();
  }
  iceberg::CompactOptions options;
  options.min_input_files = 2;
  auto compacted = iceberg::CompactTable(ops, options);
  ASSERT_TRUE(compacted.ok()) << compacted.status().ToString();
  EXPECT_EQ(compacted->rewritten_files, 4);
  EXPECT_EQ(compacted->added_files, 1);
  const iceberg::TableState now = Load(id);
  EXPECT_EQ(now.metadata.CurrentSnapshot()->operation(), "replace");
  EXPECT_EQ(*now.metadata.CurrentSnapshot()->FindSummary("total-records"), "4");
  EXPECT_EQ(now.metadata.snapshots.size(), 5u);
  // Every writer commit was a catalog commit on main.
  auto log = catalog_->store().Log("main", 100);
  ASSERT_TRUE(log.ok());
  EXPECT_EQ(log->size(), 8u);  // root, namespace, create, 4 appends, compaction
  EXPECT_EQ((*log)[0].author, "writer");
  // Rows read back through a scan of the catalog's current metadata.
  auto scan = iceberg::TableScan::Plan(**io, now.metadata, {});
  ASSERT_TRUE(scan.ok());
  int64_t rows = 0;
  ASSERT_TRUE(scan->Read(**io,
                         [&](std::vector<formats::ColumnVector>&& b) {
                           rows += static_cast<int64_t>(b[0].size());
                           return Status::Ok();
                         })
                  .ok());
  EXPECT_EQ(rows, 4);
  // Creating through the operations finds the table.
  EXPECT_EQ(ops.Commit(nullptr, now.metadata).status().code(), StatusCode::kAlreadyExists);
}

TEST_F(EmbeddedCatalogTest, DropTableKeepsOrPurgesTheFiles) {
  CreateNamespace({"db"});
  const TableIdentifier kept{{"db"}, "kept"};
  const TableIdentifier purged{{"db"}, "purged"};
  const iceberg::TableState k1 = CreateTable({"db"}, "kept");
  const iceberg::TableState p1 = CreateTable({"db"}, "purged");
  ASSERT_TRUE(catalog_->CommitTable(SetProperty(purged, "a", "b"), Meta()).ok());
  ASSERT_TRUE(catalog_->DropTable(kept, false, Meta()).ok());
  EXPECT_EQ(catalog_->LoadTable(kept).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(std::filesystem::exists(k1.metadata_location));

  // Another branch still holds the table: a purge would break it.
  ASSERT_TRUE(catalog_->store().CreateRef("dev", Reference::Type::kBranch, "main").ok());
  Status shared = catalog_->DropTable(purged, true, Meta());
  EXPECT_EQ(shared.code(), StatusCode::kConflict);
  EXPECT_EQ(shared.message(),
            "drop table db.purged with purge: its files are also used on dev; drop it there first, or drop without "
            "purge");
  auto dev = catalog_->AtRef("dev");
  ASSERT_TRUE(dev.ok());
  ASSERT_TRUE((*dev)->DropTable(purged, false, Meta()).ok());
  ASSERT_TRUE(catalog_->DropTable(purged, true, Meta()).ok());
  EXPECT_EQ(catalog_->LoadTable(purged).status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(std::filesystem::exists(p1.metadata_location));
  EXPECT_TRUE(Files(dir_ / "warehouse" / "db" / "purged").empty());
  EXPECT_EQ(catalog_->DropTable(purged, false, Meta()).code(), StatusCode::kNotFound);
}

TEST_F(EmbeddedCatalogTest, RenameMovesTheKeyAndKeepsTheMetadata) {
  CreateNamespace({"db"});
  CreateNamespace({"archive"});
  const iceberg::TableState t = CreateTable({"db"}, "t");
  CreateTable({"db"}, "other");
  const TableIdentifier from{{"db"}, "t"};
  const TableIdentifier to{{"archive"}, "t2"};
  EXPECT_EQ(catalog_->RenameTable(from, {{"db"}, "other"}, Meta()).code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(catalog_->RenameTable(from, {{"nope"}, "x"}, Meta()).code(), StatusCode::kNotFound);
  EXPECT_EQ(catalog_->RenameTable({{"db"}, "nope"}, to, Meta()).code(), StatusCode::kNotFound);
  ASSERT_TRUE(catalog_->RenameTable(from, to, Meta()).ok());
  EXPECT_EQ(catalog_->LoadTable(from).status().code(), StatusCode::kNotFound);
  const iceberg::TableState moved = Load(to);
  EXPECT_EQ(moved.metadata_location, t.metadata_location);
  EXPECT_EQ(moved.metadata.table_uuid, t.metadata.table_uuid);
  // It commits under its new name.
  ASSERT_TRUE(catalog_->CommitTable(SetProperty(to, "renamed", "yes"), Meta()).ok());
  EXPECT_EQ(Load(to).metadata.properties.at("renamed"), "yes");
}

TEST_F(EmbeddedCatalogTest, ACommitOnDevIsInvisibleOnMainUntilMerged) {
  CreateNamespace({"db"});
  const TableIdentifier id{{"db"}, "t"};
  const iceberg::TableState v1 = CreateTable({"db"}, "t");
  ASSERT_TRUE(catalog_->store().CreateRef("dev", Reference::Type::kBranch, "main").ok());
  auto dev = catalog_->AtRef("dev");
  ASSERT_TRUE(dev.ok());
  EXPECT_FALSE((*dev)->read_only());
  auto on_dev = (*dev)->CommitTable(AppendCommit(id, v1.metadata, 77), Meta("on dev"));
  ASSERT_TRUE(on_dev.ok()) << on_dev.status().ToString();
  EXPECT_EQ(Load(id, dev->get()).metadata.current_snapshot_id, 77);
  EXPECT_EQ(Load(id).metadata_location, v1.metadata_location);
  EXPECT_FALSE(Load(id).metadata.current_snapshot_id);

  auto merged = catalog_->store().Merge("dev", "main", std::nullopt, Meta());
  ASSERT_TRUE(merged.ok()) << merged.status().ToString();
  EXPECT_EQ(Load(id).metadata_location, on_dev->metadata_location);
  EXPECT_EQ(Load(id).metadata.current_snapshot_id, 77);

  // A tag, and a commit id, read the past and take no commits.
  const std::string before_merge = catalog_->store().Log("main", 2)->at(1).id;
  ASSERT_TRUE(catalog_->store().CreateRef("v1", Reference::Type::kTag, before_merge).ok());
  auto tag = catalog_->AtRef("v1");
  ASSERT_TRUE(tag.ok());
  EXPECT_TRUE((*tag)->read_only());
  EXPECT_EQ(Load(id, tag->get()).metadata_location, v1.metadata_location);
  Status refused = (*tag)->CreateNamespace({"x"}, {}, Meta());
  EXPECT_EQ(refused.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(refused.message(), "catalog is bound to 'v1', a tag or commit, which is read-only: commit to a branch");
  auto at_commit = catalog_->AtRef(before_merge.substr(0, 12));
  ASSERT_TRUE(at_commit.ok()) << at_commit.status().ToString();
  EXPECT_TRUE((*at_commit)->read_only());
  EXPECT_EQ(Load(id, at_commit->get()).metadata_location, v1.metadata_location);
  EXPECT_EQ((*at_commit)->CommitTable(SetProperty(id, "a", "b"), Meta()).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(catalog_->AtRef("nope").status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace floe::catalog
