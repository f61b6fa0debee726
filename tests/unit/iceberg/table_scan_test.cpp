#include "floe/iceberg/table_scan.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "floe/iceberg/data_file_writer.h"
#include "floe/iceberg/table_maintenance.h"
#include "table_test_util.h"

namespace floe::iceberg {
namespace {

using formats::ColumnType;
using formats::ColumnVector;
using testing::Summary;
using testing::TableTest;

constexpr int64_t kDayMicros = 86'400'000'000;
constexpr int32_t kDay = 20000;  // 2024-10-04

// Real Parquet data: the fixture's table (sensor_id, ts, temperature; day(ts)).
class TableScanTest : public TableTest {
 protected:
  // Appends rows (sensor i, day offset, temperature) in one commit; returns the snapshot id.
  int64_t Append(const std::vector<std::tuple<std::string, int, std::optional<double>>>& rows) {
    TableMetadata m = Current();
    auto writer = DataFileWriter::Make(io_.get(), m.CurrentSchema(), m.DefaultSpec(), location() + "/data");
    EXPECT_TRUE(writer.ok()) << writer.status().ToString();
    std::vector<ColumnVector> batch;
    batch.emplace_back(formats::DataType{ColumnType::kString});
    batch.emplace_back(formats::DataType{ColumnType::kTimestampTz});
    batch.emplace_back(formats::DataType{ColumnType::kDouble});
    int n = 0;
    for (const auto& [sensor, day, temperature] : rows) {
      batch[0].AppendString(sensor);
      batch[1].Append<int64_t>((kDay + day) * kDayMicros + (n++) * 1'000'000);
      if (temperature) {
        batch[2].Append<double>(*temperature);
      } else {
        batch[2].AppendNull();
      }
    }
    EXPECT_TRUE(writer->Write(batch).ok());
    auto files = writer->Finish();
    EXPECT_TRUE(files.ok()) << files.status().ToString();
    auto committed = AppendFiles(*ops_, *files);
    EXPECT_TRUE(committed.ok()) << committed.status().ToString();
    return *committed->metadata.current_snapshot_id;
  }

  // Every row the scan returns as "sensor|temperature" strings, sorted.
  std::vector<std::string> Rows(const ScanOptions& options, ScanMetrics* metrics = nullptr, int parallelism = 1) {
    auto scan = TableScan::Plan(*io_, Current(), options);
    EXPECT_TRUE(scan.ok()) << scan.status().ToString();
    if (!scan.ok()) return {};
    std::vector<std::string> out;
    Status st = scan->Read(
        *io_,
        [&](std::vector<ColumnVector>&& batch) {
          for (size_t r = 0; r < batch[0].size(); ++r) {
            std::string row;
            for (size_t c = 0; c < batch.size(); ++c) {
              if (c) row += "|";
              const ColumnVector& col = batch[c];
              if (col.IsNull(r)) {
                row += "null";
              } else if (col.type().id == ColumnType::kString) {
                row += col.string(r);
              } else if (col.type().id == ColumnType::kDouble) {
                row += std::to_string(col.value<double>(r));
              } else {
                row += std::to_string(col.value<int64_t>(r));
              }
            }
            out.push_back(row);
          }
          return Status::Ok();
        },
        parallelism);
    EXPECT_TRUE(st.ok()) << st.ToString();
    if (metrics) *metrics = scan->metrics();
    std::sort(out.begin(), out.end());
    return out;
  }

  static ScanOptions Where(const std::string& filter, std::vector<std::string> columns = {"sensor_id", "temperature"}) {
    ScanOptions o;
    o.columns = std::move(columns);
    if (!filter.empty()) {
      auto parsed = ParseFilter(filter);
      EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
      o.filter = *parsed;
    }
    return o;
  }
};

TEST_F(TableScanTest, AnEmptyTableScansToNothing) {
  auto scan = TableScan::Plan(*io_, Current(), {});
  ASSERT_TRUE(scan.ok());
  EXPECT_FALSE(scan->snapshot_id());
  EXPECT_TRUE(Rows({}).empty());
}

TEST_F(TableScanTest, ReadsEveryRowAndProjects) {
  Append({{"s-1", 0, 20.5}, {"s-2", 0, std::nullopt}, {"s-3", 1, -3.25}});
  Append({{"s-4", 2, 30.0}});
  EXPECT_EQ(Rows(Where("")), (std::vector<std::string>{"s-1|20.500000", "s-2|null", "s-3|-3.250000", "s-4|30.000000"}));
  EXPECT_EQ(Rows(Where("", {"temperature"})).size(), 4u);
  auto bad = TableScan::Plan(*io_, Current(), Where("", {"nope"}));
  EXPECT_EQ(bad.status().message(), "scan: unknown column 'nope'; the table has: sensor_id, ts, temperature");
}

TEST_F(TableScanTest, FiltersPruneFilesAndReturnExactlyTheMatchingRows) {
  Append({{"s-1", 0, 20.5}, {"s-2", 0, 21.0}});
  Append({{"s-3", 1, 40.0}, {"s-4", 1, 41.0}});
  Append({{"s-5", 2, std::nullopt}});
  ScanMetrics metrics;
  // Partition pruning: one day.
  EXPECT_EQ(Rows(Where("ts >= '2024-10-05T00:00:00Z' AND ts < '2024-10-06T00:00:00Z'"), &metrics),
            (std::vector<std::string>{"s-3|40.000000", "s-4|41.000000"}));
  EXPECT_EQ(metrics.manifests, 3);  // one per append, each of one day: their partition summaries prune them
  EXPECT_EQ(metrics.manifests_skipped, 2);
  EXPECT_EQ(metrics.files, 1);
  // Metrics pruning: the temperature bounds of the first file exclude it; the residual filters rows.
  EXPECT_EQ(Rows(Where("temperature > 40.5"), &metrics), (std::vector<std::string>{"s-4|41.000000"}));
  EXPECT_EQ(metrics.files_skipped_by_metrics, 2);  // day 0 (max 21) and day 2 (all null)
  // The filter's column need not be projected.
  EXPECT_EQ(Rows(Where("temperature < 21", {"sensor_id"})), (std::vector<std::string>{"s-1"}));
  EXPECT_EQ(Rows(Where("temperature IS NULL")), (std::vector<std::string>{"s-5|null"}));
  EXPECT_EQ(Rows(Where("sensor_id IN ('s-2', 's-5') OR temperature = 40")),
            (std::vector<std::string>{"s-2|21.000000", "s-3|40.000000", "s-5|null"}));
  EXPECT_EQ(Rows(Where("sensor_id LIKE 's-%' AND NOT temperature >= 21")), (std::vector<std::string>{"s-1|20.500000"}));
  // Read on threads: the same rows.
  EXPECT_EQ(Rows(Where("")), Rows(Where(""), nullptr, 3));
  auto bad = TableScan::Plan(*io_, Current(), Where("temperature > 'hot'"));
  EXPECT_FALSE(bad.ok());
}

TEST_F(TableScanTest, TimeTravelBySnapshotTimestampAndRef) {
  const int64_t first = Append({{"s-1", 0, 1.0}});
  const int64_t t_first = Current().SnapshotById(first)->timestamp_ms;
  Append({{"s-2", 0, 2.0}});
  ScanOptions o = Where("");
  o.snapshot_id = first;
  EXPECT_EQ(Rows(o), (std::vector<std::string>{"s-1|1.000000"}));
  o.snapshot_id.reset();
  o.as_of_timestamp_ms = t_first;
  EXPECT_EQ(Rows(o), (std::vector<std::string>{"s-1|1.000000"}));
  o.as_of_timestamp_ms = t_first - 1;
  EXPECT_EQ(TableScan::Plan(*io_, Current(), o).status().code(), StatusCode::kNotFound);
  o.as_of_timestamp_ms.reset();
  o.ref = "main";
  EXPECT_EQ(Rows(o).size(), 2u);
  o.ref = "nope";
  EXPECT_EQ(TableScan::Plan(*io_, Current(), o).status().message(), "scan: the table has no branch or tag 'nope'");
  o.ref.reset();
  o.snapshot_id = 12345;
  EXPECT_EQ(TableScan::Plan(*io_, Current(), o).status().message(), "scan: the table has no snapshot 12345");
}

TEST_F(TableScanTest, OldFilesReadWithTheEvolvedSchema) {
  Append({{"s-1", 0, 1.0}});
  ASSERT_TRUE(
      UpdateSchema(
          *ops_,
          SchemaUpdate().AddColumn("humidity", Type::Primitive(TypeId::kDouble)).RenameColumn("temperature", "temp_c"))
          .ok());
  EXPECT_EQ(Rows(Where("", {"sensor_id", "temp_c", "humidity"})), (std::vector<std::string>{"s-1|1.000000|null"}));
  EXPECT_EQ(Rows(Where("humidity IS NULL", {"sensor_id"})), (std::vector<std::string>{"s-1"}));
  EXPECT_TRUE(Rows(Where("humidity > 1", {"sensor_id"})).empty());
}

TEST_F(TableScanTest, CompactionMergesSmallFilesAndKeepsEveryRow) {
  for (int i = 0; i < 6; ++i) Append({{"s-" + std::to_string(i), i % 2, i * 1.5}});
  const std::vector<std::string> before = Rows(Where(""));
  ASSERT_EQ(Current().CurrentSnapshot()->FindSummary("total-data-files")->c_str(), std::string("6"));
  CompactOptions options;
  options.min_input_files = 2;
  auto r = CompactTable(*ops_, options);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->partitions, 2);
  EXPECT_EQ(r->rewritten_files, 6);
  EXPECT_EQ(r->added_files, 2);
  EXPECT_EQ(r->rows, 6);
  TableMetadata m = Current();
  EXPECT_EQ(Summary(*m.CurrentSnapshot(), "operation"), "replace");
  EXPECT_EQ(Summary(*m.CurrentSnapshot(), "total-data-files"), "2");
  EXPECT_EQ(Summary(*m.CurrentSnapshot(), "total-records"), "6");
  EXPECT_EQ(Rows(Where("")), before);
  // Nothing left to do: no commit.
  auto again = CompactTable(*ops_, options);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->snapshot_id);
  // After expiring the old snapshots, the small files are gone from disk and the table still reads the same.
  ExpireOptions expire;
  expire.older_than_ms = NowMs() + 1;
  auto expired = ExpireSnapshots(*ops_, expire);
  ASSERT_TRUE(expired.ok()) << expired.status().ToString();
  EXPECT_EQ(expired->deleted_data_files, 6);
  EXPECT_EQ(Rows(Where("")), before);
  OrphanOptions orphans;
  orphans.older_than_ms = NowMs() + 1000;
  auto o = DeleteOrphanFiles(*ops_, orphans);
  ASSERT_TRUE(o.ok());
  EXPECT_TRUE(o->orphans.empty()) << o->orphans[0];
}

TEST_F(TableScanTest, AMissingDataFileIsNamed) {
  Append({{"s-1", 0, 1.0}});
  auto scan = TableScan::Plan(*io_, Current(), {});
  ASSERT_TRUE(scan.ok());
  ASSERT_EQ(scan->tasks().size(), 1u);
  std::filesystem::remove(scan->tasks()[0].file.file_path);
  Status st = scan->Read(*io_, [](std::vector<ColumnVector>&&) { return Status::Ok(); });
  EXPECT_EQ(st.code(), StatusCode::kNotFound);
  EXPECT_NE(st.message().find(scan->tasks()[0].file.file_path), std::string::npos) << st.message();
}

}  // namespace
}  // namespace floe::iceberg
