#include "floe/iceberg/table_maintenance.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "table_test_util.h"

namespace floe::iceberg {
namespace {

namespace fs = std::filesystem;
using testing::TableTest;

using TableMaintenance = TableTest;

TEST_F(TableMaintenance, ExpireKeepsTheLastSnapshotsAndDeletesWhatOnlyExpiredOnesReached) {
  DataFile a = File("a", 20000, 10), b = File("b", 20000, 5);
  ASSERT_TRUE(AppendFiles(*ops_, {a}).ok());
  ASSERT_TRUE(AppendFiles(*ops_, {b}).ok());
  const std::string first_list = Current().snapshots[0].manifest_list;
  // Compaction replaces a and b; the snapshots that still read them are then expired.
  DataFile ab = File("ab", 20000, 15);
  ASSERT_TRUE(RewriteFiles(*ops_, {a.file_path, b.file_path}, {ab}).ok());
  ExpireOptions options;
  options.older_than_ms = NowMs() + 1;  // everything is old enough...
  options.retain_last = 1;              // ...but the current snapshot stays
  auto r = ExpireSnapshots(*ops_, options);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->expired_snapshot_ids.size(), 2u);
  EXPECT_EQ(r->deleted_data_files, 2);
  EXPECT_EQ(r->deleted_bytes, 200);
  EXPECT_EQ(r->deleted_manifest_lists, 2);
  EXPECT_FALSE(fs::exists(a.file_path));
  EXPECT_FALSE(fs::exists(b.file_path));
  EXPECT_FALSE(fs::exists(first_list));
  EXPECT_TRUE(fs::exists(ab.file_path));
  TableMetadata m = Current();
  ASSERT_EQ(m.snapshots.size(), 1u);
  EXPECT_EQ(m.snapshot_log.size(), 1u);
  EXPECT_EQ(LivePaths(m), (std::vector<std::string>{"/data/ts_day=2024-10-04/ab.parquet"}));
  // Nothing left to expire: no commit.
  const std::string location_before = ops_->Load()->metadata_location;
  r = ExpireSnapshots(*ops_, options);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->expired_snapshot_ids.empty());
  EXPECT_EQ(ops_->Load()->metadata_location, location_before);
}

TEST_F(TableMaintenance, ExpireSparesFilesRetainedSnapshotsStillRead) {
  DataFile a = File("a", 20000, 10);
  ASSERT_TRUE(AppendFiles(*ops_, {a}).ok());
  ASSERT_TRUE(AppendFiles(*ops_, {File("b", 20000, 5)}).ok());
  ExpireOptions options;
  options.older_than_ms = NowMs() + 1;
  auto r = ExpireSnapshots(*ops_, options);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->expired_snapshot_ids.size(), 1u);
  EXPECT_EQ(r->deleted_data_files, 0);  // a is live in the current snapshot
  EXPECT_EQ(r->deleted_manifests, 0);   // and so is the manifest that adds it
  EXPECT_TRUE(fs::exists(a.file_path));
  EXPECT_EQ(LivePaths(Current()).size(), 2u);
}

TEST_F(TableMaintenance, ExpireNeverDropsSnapshotsThatRefsNameOrThatAreRecent) {
  ASSERT_TRUE(AppendFiles(*ops_, {File("a", 20000, 1)}).ok());
  ASSERT_TRUE(AppendFiles(*ops_, {File("b", 20000, 1)}).ok());
  ExpireOptions options;
  options.older_than_ms = 0;  // nothing is that old
  auto r = ExpireSnapshots(*ops_, options);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->expired_snapshot_ids.empty());
  // A tag on the first snapshot keeps it.
  auto base = ops_->Load();
  TableMetadata tagged = base->metadata;
  SnapshotRef tag;
  tag.snapshot_id = tagged.snapshots[0].snapshot_id;
  tag.is_branch = false;
  tagged.refs["v1"] = tag;
  PrepareCommit(&*base, NowMs(), &tagged);
  ASSERT_TRUE(ops_->Commit(&*base, tagged).ok());
  options.older_than_ms = NowMs() + 1;
  r = ExpireSnapshots(*ops_, options);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->expired_snapshot_ids.empty());
  EXPECT_EQ(Current().snapshots.size(), 2u);
}

TEST_F(TableMaintenance, OrphansAreFilesNoMetadataReaches) {
  ASSERT_TRUE(AppendFiles(*ops_, {File("a", 20000, 1)}).ok());
  // A writer that crashed before committing leaves a data file and a manifest behind.
  DataFile lost = File("lost", 20000, 1, 42);
  ASSERT_TRUE(io_->Write(location() + "/metadata/crashed-m0.avro", "not committed").ok());
  OrphanOptions options;
  options.dry_run = true;
  options.older_than_ms = NowMs() + 1000;
  auto r = DeleteOrphanFiles(*ops_, options);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::vector<std::string> orphans = r->orphans;
  std::sort(orphans.begin(), orphans.end());
  EXPECT_EQ(orphans, (std::vector<std::string>{lost.file_path, location() + "/metadata/crashed-m0.avro"}));
  EXPECT_TRUE(fs::exists(lost.file_path));  // dry run
  // Young files are spared (a commit may be in flight).
  options.dry_run = false;
  options.older_than_ms = NowMs() - 60'000;
  r = DeleteOrphanFiles(*ops_, options);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->orphans.empty());
  options.older_than_ms = NowMs() + 1000;
  r = DeleteOrphanFiles(*ops_, options);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->orphans.size(), 2u);
  EXPECT_EQ(r->bytes, 42 + 13);
  EXPECT_FALSE(fs::exists(lost.file_path));
  // The table is intact.
  EXPECT_EQ(LivePaths(Current()), (std::vector<std::string>{"/data/ts_day=2024-10-04/a.parquet"}));
  auto reachable = ReachableFiles(*io_, *ops_->Load());
  ASSERT_TRUE(reachable.ok());
  for (const std::string& f : *reachable) EXPECT_TRUE(fs::exists(f)) << f;
}

}  // namespace
}  // namespace floe::iceberg
