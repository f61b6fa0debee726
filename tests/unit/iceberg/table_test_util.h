// Shared fixture for the table-level tests: a file-system table in a temporary directory, and data file entries
// whose files exist (so that deletions can be checked) without being Parquet.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <string>

#include "floe/iceberg/table_operations.h"
#include "floe/iceberg/table_updates.h"
#include "iceberg_test_util.h"

namespace floe::iceberg::testing {

// Commits `before_commit` (another writer) just before this writer's next commit, once.
class RacingOps final : public TableOperations {
 public:
  RacingOps(TableOperations& inner, std::function<void()> before_commit)
      : inner_(inner), before_(std::move(before_commit)) {}
  Result<TableState> Load() override { return inner_.Load(); }
  Result<TableState> Commit(const TableState* base, const TableMetadata& updated) override {
    ++commits;
    if (before_) {
      auto f = std::move(before_);
      before_ = nullptr;
      f();
    }
    return inner_.Commit(base, updated);
  }
  io::FileIO& io() override { return inner_.io(); }
  std::string name() const override { return inner_.name(); }
  int commits = 0;

 private:
  TableOperations& inner_;
  std::function<void()> before_;
};

class TableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("floe-table-" + std::to_string(::getpid()) + "-" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    io_ = std::make_shared<io::LocalFileIO>();
    ops_ = std::make_unique<FileSystemTableOperations>(io_, location(), "db.t");
    CreateTableOptions o;
    o.schema = Schema(0, {Field(1, "sensor_id", true, Type::Primitive(TypeId::kString)),
                          Field(2, "ts", true, Type::Primitive(TypeId::kTimestampTz)),
                          Field(3, "temperature", false, Type::Primitive(TypeId::kDouble))});
    o.spec = PartitionSpec{0, {{2, 1000, "ts_day", Transform::Day()}}};
    o.location = location();
    auto created = CreateTable(*ops_, o);
    ASSERT_TRUE(created.ok()) << created.status().ToString();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string location() const { return (dir_ / "db" / "t").string(); }

  // A data file entry for day `day` with `rows` rows; the file exists, `bytes` long.
  DataFile File(std::string name, int32_t day, int64_t rows, int64_t bytes = 100) {
    DataFile f;
    f.file_path = location() + "/data/ts_day=" + Literal::Date(day).ToString() + "/" + name + ".parquet";
    f.partition = {Literal::Date(day)};
    f.record_count = rows;
    f.file_size_in_bytes = bytes;
    EXPECT_TRUE(io_->Write(f.file_path, std::string(static_cast<size_t>(bytes), 'x')).ok());
    return f;
  }

  TableMetadata Current() {
    auto s = ops_->Load();
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s->metadata;
  }

  std::vector<std::string> LivePaths(const TableMetadata& m, const Snapshot* snapshot = nullptr) {
    std::vector<std::string> out;
    if (!snapshot) snapshot = m.CurrentSnapshot();
    if (!snapshot) return out;
    auto live = LiveEntries(*io_, m, *snapshot);
    EXPECT_TRUE(live.ok()) << live.status().ToString();
    for (const ManifestEntry& e : *live) out.push_back(e.data_file.file_path.substr(location().size()));
    std::sort(out.begin(), out.end());
    return out;
  }

  std::filesystem::path dir_;
  std::shared_ptr<io::FileIO> io_;
  std::unique_ptr<FileSystemTableOperations> ops_;
};

inline std::string Summary(const Snapshot& s, const std::string& key) {
  const std::string* v = s.FindSummary(key);
  return v ? *v : "<none>";
}

}  // namespace floe::iceberg::testing
