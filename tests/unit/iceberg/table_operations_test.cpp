#include "floe/iceberg/table_operations.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "floe/iceberg/table_updates.h"
#include "iceberg_test_util.h"

namespace floe::iceberg {
namespace {

namespace fs = std::filesystem;

using testing::Field;

class TableOperationsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("floe-tableops-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    io_ = std::make_shared<io::LocalFileIO>();
  }
  void TearDown() override { fs::remove_all(dir_); }

  CreateTableOptions Options() {
    CreateTableOptions o;
    o.schema = Schema(0, {Field(1, "sensor_id", true, Type::Primitive(TypeId::kString)),
                          Field(2, "ts", true, Type::Primitive(TypeId::kTimestampTz))});
    o.spec = PartitionSpec{0, {{2, 1000, "ts_day", Transform::Day()}}};
    o.location = (dir_ / "db" / "t").string();
    return o;
  }

  fs::path dir_;
  std::shared_ptr<io::FileIO> io_;
};

TEST_F(TableOperationsTest, CreateWritesVersionOneAndTheHint) {
  FileSystemTableOperations ops(io_, (dir_ / "db" / "t").string(), "db.t");
  EXPECT_EQ(ops.Load().status().code(), StatusCode::kNotFound);
  auto created = CreateTable(ops, Options());
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ(created->metadata_location, (dir_ / "db/t/metadata/v1.metadata.json").string());
  EXPECT_TRUE(fs::exists(dir_ / "db/t/metadata/v1.metadata.json"));
  EXPECT_EQ(*io_->Read((dir_ / "db/t/metadata/version-hint.text").string()), "1");
  auto loaded = ops.Load();
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->metadata.table_uuid, created->metadata.table_uuid);
  EXPECT_EQ(CreateTable(ops, Options()).status().code(), StatusCode::kAlreadyExists);
}

TEST_F(TableOperationsTest, AStaleBaseIsAConflictAndChangesNothing) {
  FileSystemTableOperations ops(io_, (dir_ / "db" / "t").string(), "db.t");
  ASSERT_TRUE(CreateTable(ops, Options()).ok());
  auto base = ops.Load();
  ASSERT_TRUE(base.ok());
  TableMetadata a = base->metadata;
  a.properties["writer"] = "a";
  TableMetadata b = base->metadata;
  b.properties["writer"] = "b";
  ASSERT_TRUE(ops.Commit(&*base, a).ok());
  auto lost = ops.Commit(&*base, b);
  EXPECT_EQ(lost.status().code(), StatusCode::kConflict);
  EXPECT_NE(lost.status().message().find("another writer committed version 2 first"), std::string::npos)
      << lost.status().message();
  EXPECT_EQ(ops.Load()->metadata.properties.at("writer"), "a");
}

TEST_F(TableOperationsTest, ALaggingHintIsOvertakenAndAMissingOneListed) {
  FileSystemTableOperations ops(io_, (dir_ / "db" / "t").string(), "db.t");
  ASSERT_TRUE(CreateTable(ops, Options()).ok());
  ASSERT_TRUE(UpdateProperties(ops, {{"k", "1"}}).ok());
  ASSERT_TRUE(UpdateProperties(ops, {{"k", "2"}}).ok());
  // A writer that died before updating the hint.
  ASSERT_TRUE(io_->Write((dir_ / "db/t/metadata/version-hint.text").string(), "1").ok());
  EXPECT_EQ(ops.Load()->metadata_location, ops.MetadataFile(3));
  fs::remove(dir_ / "db/t/metadata/version-hint.text");
  EXPECT_EQ(ops.Load()->metadata_location, ops.MetadataFile(3));
  EXPECT_EQ(ops.Load()->metadata.properties.at("k"), "2");
  // The metadata log records the earlier versions.
  auto m = ops.Load()->metadata;
  ASSERT_EQ(m.metadata_log.size(), 2u);
  EXPECT_EQ(m.metadata_log[0].metadata_file, ops.MetadataFile(1));
  EXPECT_EQ(m.metadata_log[1].metadata_file, ops.MetadataFile(2));
}

TEST_F(TableOperationsTest, CorruptMetadataIsNamedAndNotBuiltUpon) {
  FileSystemTableOperations ops(io_, (dir_ / "db" / "t").string(), "db.t");
  ASSERT_TRUE(CreateTable(ops, Options()).ok());
  ASSERT_TRUE(io_->Write(ops.MetadataFile(2), "{\"format-version\": 2, \"table-uu").ok());
  auto loaded = ops.Load();
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().code(), StatusCode::kCorruption);
  EXPECT_NE(loaded.status().message().find("v2.metadata.json"), std::string::npos) << loaded.status().message();
  EXPECT_FALSE(UpdateProperties(ops, {{"k", "1"}}).ok());
  EXPECT_FALSE(fs::exists(ops.MetadataFile(3)));
}

TEST_F(TableOperationsTest, StaticTablesAreReadOnly) {
  FileSystemTableOperations ops(io_, (dir_ / "db" / "t").string(), "db.t");
  auto created = CreateTable(ops, Options());
  ASSERT_TRUE(created.ok());
  StaticTableOperations fixed(io_, created->metadata_location);
  auto loaded = fixed.Load();
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->metadata.table_uuid, created->metadata.table_uuid);
  EXPECT_EQ(fixed.Commit(&*loaded, loaded->metadata).status().code(), StatusCode::kUnsupported);
}

TEST(MetadataFileVersion, ReadsBothNamingSchemes) {
  EXPECT_EQ(MetadataFileVersion("/w/t/metadata/v12.metadata.json"), 12);
  EXPECT_EQ(MetadataFileVersion("s3://b/t/metadata/00003-6b6e5a4b-2d7c-4c1e-9f3a-0d2f8e1c5a77.metadata.json"), 3);
  EXPECT_EQ(MetadataFileVersion("/w/t/metadata/snap-1.avro"), -1);
  EXPECT_EQ(MetadataFileVersion("/w/t/metadata/vx.metadata.json"), -1);
}

}  // namespace
}  // namespace floe::iceberg
