#include "floe/iceberg/table_updates.h"

#include <gtest/gtest.h>

#include "table_test_util.h"

namespace floe::iceberg {
namespace {

using testing::RacingOps;
using testing::Summary;
using testing::TableTest;

using TableUpdates = TableTest;

TEST_F(TableUpdates, FastAppendAddsAManifestAndCounts) {
  auto first = AppendFiles(*ops_, {File("a", 20000, 10), File("b", 20001, 5)});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto second = AppendFiles(*ops_, {File("c", 20001, 7, 50)});
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  TableMetadata m = Current();
  ASSERT_EQ(m.snapshots.size(), 2u);
  const Snapshot& s = *m.CurrentSnapshot();
  EXPECT_EQ(s.sequence_number, 2);
  EXPECT_EQ(m.last_sequence_number, 2);
  EXPECT_EQ(s.parent_snapshot_id, m.snapshots[0].snapshot_id);
  EXPECT_EQ(Summary(s, "operation"), "append");
  EXPECT_EQ(Summary(s, "added-data-files"), "1");
  EXPECT_EQ(Summary(s, "added-records"), "7");
  EXPECT_EQ(Summary(s, "added-files-size"), "50");
  EXPECT_EQ(Summary(s, "changed-partition-count"), "1");
  EXPECT_EQ(Summary(s, "total-records"), "22");
  EXPECT_EQ(Summary(s, "total-data-files"), "3");
  EXPECT_EQ(Summary(s, "total-files-size"), "250");
  EXPECT_EQ(m.refs.at("main").snapshot_id, s.snapshot_id);
  ASSERT_EQ(m.snapshot_log.size(), 2u);
  auto manifests = SnapshotManifests(*io_, s);
  ASSERT_TRUE(manifests.ok());
  ASSERT_EQ(manifests->size(), 2u);
  EXPECT_EQ((*manifests)[0].sequence_number, 2);  // the new manifest comes first
  EXPECT_EQ((*manifests)[1].sequence_number, 1);
  EXPECT_EQ(LivePaths(m),
            (std::vector<std::string>{"/data/ts_day=2024-10-04/a.parquet", "/data/ts_day=2024-10-05/b.parquet",
                                      "/data/ts_day=2024-10-05/c.parquet"}));
  auto live = LiveEntries(*io_, m, s);
  for (const ManifestEntry& e : *live) {
    EXPECT_EQ(*e.sequence_number, e.data_file.file_path.ends_with("c.parquet") ? 2 : 1);
  }
}

TEST_F(TableUpdates, AppendRetriesOnAFreshBaseAndLosesNothing) {
  FileSystemTableOperations other(io_, location(), "db.t");
  DataFile theirs = File("theirs", 20000, 3);
  RacingOps racing(*ops_, [&] { ASSERT_TRUE(AppendFiles(other, {theirs}).ok()); });
  auto mine = AppendFiles(racing, {File("mine", 20000, 4)});
  ASSERT_TRUE(mine.ok()) << mine.status().ToString();
  EXPECT_EQ(racing.commits, 2);
  TableMetadata m = Current();
  EXPECT_EQ(LivePaths(m), (std::vector<std::string>{"/data/ts_day=2024-10-04/mine.parquet",
                                                    "/data/ts_day=2024-10-04/theirs.parquet"}));
  EXPECT_EQ(Summary(*m.CurrentSnapshot(), "total-records"), "7");
  // The losing attempt's manifest list and manifest were deleted: every avro file is reachable.
  int avro = 0;
  auto listed = io_->List(location() + "/metadata/");
  ASSERT_TRUE(listed.ok());
  for (const auto& f : *listed) avro += f.path.ends_with(".avro");
  EXPECT_EQ(avro, 4);  // two snapshots, each a manifest list and one new manifest
}

TEST_F(TableUpdates, ExpectedSnapshotMismatchIsAConflictWithoutRetry) {
  ASSERT_TRUE(AppendFiles(*ops_, {File("a", 20000, 1)}).ok());
  CommitOptions options;
  options.expected_snapshot_id = 0;  // "the branch is still empty"
  options.summary = {{"floe.checkpoint-id", "7"}};
  auto r = AppendFiles(*ops_, {File("b", 20000, 1)}, options);
  EXPECT_EQ(r.status().code(), StatusCode::kConflict);
  options.expected_snapshot_id = Current().current_snapshot_id;
  r = AppendFiles(*ops_, {File("b", 20000, 1)}, options);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Summary(*r->metadata.CurrentSnapshot(), "floe.checkpoint-id"), "7");
}

TEST_F(TableUpdates, RewriteReplacesFilesAndKeepsTheOthers) {
  DataFile a = File("a", 20000, 10), b = File("b", 20000, 5), c = File("c", 20001, 1);
  ASSERT_TRUE(AppendFiles(*ops_, {a, b}).ok());
  ASSERT_TRUE(AppendFiles(*ops_, {c}).ok());
  auto r = RewriteFiles(*ops_, {a.file_path, b.file_path}, {File("ab", 20000, 15)});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  TableMetadata m = Current();
  const Snapshot& s = *m.CurrentSnapshot();
  EXPECT_EQ(Summary(s, "operation"), "replace");
  EXPECT_EQ(Summary(s, "deleted-data-files"), "2");
  EXPECT_EQ(Summary(s, "deleted-records"), "15");
  EXPECT_EQ(Summary(s, "total-records"), "16");
  EXPECT_EQ(Summary(s, "total-data-files"), "2");
  EXPECT_EQ(LivePaths(m),
            (std::vector<std::string>{"/data/ts_day=2024-10-04/ab.parquet", "/data/ts_day=2024-10-05/c.parquet"}));
  // The previous snapshot still sees the old files (time travel).
  EXPECT_EQ(LivePaths(m, m.SnapshotById(*s.parent_snapshot_id)).size(), 3u);
  // Replacing a file that is gone is a conflict, and nothing is committed.
  auto again = RewriteFiles(*ops_, {a.file_path}, {File("a2", 20000, 10)});
  EXPECT_EQ(again.status().code(), StatusCode::kConflict);
  EXPECT_NE(again.status().message().find("a.parquet is no longer in the table"), std::string::npos);
  EXPECT_EQ(Current().snapshots.size(), 3u);
}

TEST_F(TableUpdates, RewriteRetriesWhenAConcurrentAppendDidNotTouchItsFiles) {
  DataFile a = File("a", 20000, 10);
  ASSERT_TRUE(AppendFiles(*ops_, {a}).ok());
  FileSystemTableOperations other(io_, location(), "db.t");
  DataFile late = File("late", 20000, 2);
  RacingOps racing(*ops_, [&] { ASSERT_TRUE(AppendFiles(other, {late}).ok()); });
  auto r = RewriteFiles(racing, {a.file_path}, {File("a-compacted", 20000, 10)});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(LivePaths(Current()), (std::vector<std::string>{"/data/ts_day=2024-10-04/a-compacted.parquet",
                                                            "/data/ts_day=2024-10-04/late.parquet"}));
}

TEST_F(TableUpdates, OverwriteAndDelete) {
  ASSERT_TRUE(AppendFiles(*ops_, {File("a", 20000, 1), File("b", 20001, 2)}).ok());
  auto day = [](int32_t d) {
    return [d](const DataFile& f) { return f.partition[0] && f.partition[0]->as_int() == d; };
  };
  auto r = OverwriteFiles(*ops_, day(20000), {File("a2", 20000, 3)});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Summary(*r->metadata.CurrentSnapshot(), "operation"), "overwrite");
  EXPECT_EQ(LivePaths(Current()),
            (std::vector<std::string>{"/data/ts_day=2024-10-04/a2.parquet", "/data/ts_day=2024-10-05/b.parquet"}));
  r = OverwriteFiles(*ops_, day(20001), {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Summary(*r->metadata.CurrentSnapshot(), "operation"), "delete");
  EXPECT_EQ(Summary(*r->metadata.CurrentSnapshot(), "total-records"), "3");
  EXPECT_EQ(LivePaths(Current()), (std::vector<std::string>{"/data/ts_day=2024-10-04/a2.parquet"}));
}

TEST_F(TableUpdates, BranchesMoveIndependently) {
  ASSERT_TRUE(AppendFiles(*ops_, {File("a", 20000, 1)}).ok());
  CommitOptions dev;
  dev.branch = "dev";
  auto r = AppendFiles(*ops_, {File("d", 20000, 1)}, dev);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  TableMetadata m = Current();
  EXPECT_EQ(LivePaths(m), (std::vector<std::string>{"/data/ts_day=2024-10-04/a.parquet"}));
  EXPECT_EQ(LivePaths(m, m.SnapshotForRef("dev")), (std::vector<std::string>{"/data/ts_day=2024-10-04/d.parquet"}));
  EXPECT_EQ(m.snapshot_log.size(), 1u);  // only main's history
}

TEST_F(TableUpdates, SchemaEvolution) {
  SchemaUpdate u;
  u.AddColumn("humidity", Type::Primitive(TypeId::kFloat), "relative, percent")
      .RenameColumn("temperature", "temperature_c");
  auto r = UpdateSchema(*ops_, u);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const Schema& s = r->metadata.CurrentSchema();
  EXPECT_EQ(s.schema_id(), 1);
  EXPECT_EQ(s.FindByName("humidity")->id, 4);
  EXPECT_EQ(s.FindByName("humidity")->doc, "relative, percent");
  EXPECT_FALSE(s.FindByName("humidity")->required);
  EXPECT_EQ(s.FindByName("temperature_c")->id, 3);
  EXPECT_EQ(r->metadata.last_column_id, 4);
  ASSERT_TRUE(UpdateSchema(*ops_, SchemaUpdate().UpdateColumnType("humidity", Type::Primitive(TypeId::kDouble))).ok());
  EXPECT_EQ(Current().CurrentSchema().FindById(4)->type->id, TypeId::kDouble);
  EXPECT_EQ(Current().schemas.size(), 3u);

  auto bad = UpdateSchema(*ops_, SchemaUpdate().UpdateColumnType("sensor_id", Type::Primitive(TypeId::kLong)));
  EXPECT_EQ(bad.status().message(),
            "schema update: column 'sensor_id': cannot change type string to long (allowed: int to long, float to "
            "double, widening a decimal's precision)");
  EXPECT_EQ(UpdateSchema(*ops_, SchemaUpdate().DeleteColumn("ts")).status().message(),
            "schema update: column 'ts' is used by partition field 'ts_day' of spec 0");
  EXPECT_EQ(UpdateSchema(*ops_, SchemaUpdate().AddColumn("humidity", Type::Primitive(TypeId::kInt))).status().message(),
            "schema update: column 'humidity' already exists");
  EXPECT_EQ(UpdateSchema(*ops_, SchemaUpdate().RenameColumn("nope", "x")).status().message(),
            "schema update: column 'nope' does not exist");
  // Deleting the added column goes back to an identical earlier schema, which is reused.
  auto back = UpdateSchema(*ops_, SchemaUpdate().DeleteColumn("humidity").RenameColumn("temperature_c", "temperature"));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->metadata.current_schema_id, 0);
  EXPECT_EQ(back->metadata.last_column_id, 4);  // ids are never reused
}

TEST_F(TableUpdates, NestedColumnsCanBeAddedAndRenamed) {
  auto location = Type::Struct({testing::Field(0, "lat", false, Type::Primitive(TypeId::kDouble))});
  auto r = UpdateSchema(*ops_, SchemaUpdate().AddColumn("location", location));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->metadata.CurrentSchema().FindByName("location.lat")->id, 5);  // fresh ids for nested fields
  r = UpdateSchema(*ops_, SchemaUpdate().AddColumn("lon", Type::Primitive(TypeId::kDouble), "", "location"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->metadata.CurrentSchema().FindByName("location.lon")->id, 6);
  r = UpdateSchema(*ops_, SchemaUpdate().RenameColumn("location.lat", "latitude"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->metadata.CurrentSchema().FindByName("location.latitude")->id, 5);
}

TEST(AssignFreshIds, RenumbersDepthFirstAndFollowsTheSpec) {
  Schema s(
      0, {testing::Field(10, "a", true, Type::Primitive(TypeId::kLong)),
          testing::Field(20, "b", false, Type::Struct({testing::Field(30, "c", false, Type::Primitive(TypeId::kInt))})),
          testing::Field(40, "d", false, Type::Primitive(TypeId::kDate))});
  PartitionSpec spec{0, {{40, 1000, "d_month", Transform::Month()}}};
  Schema fresh = AssignFreshIds(s, &spec);
  EXPECT_EQ(fresh.FindByName("a")->id, 1);
  EXPECT_EQ(fresh.FindByName("b")->id, 2);
  EXPECT_EQ(fresh.FindByName("d")->id, 3);
  EXPECT_EQ(fresh.FindByName("b.c")->id, 4);
  EXPECT_EQ(spec.fields[0].source_id, 3);
}

}  // namespace
}  // namespace floe::iceberg
