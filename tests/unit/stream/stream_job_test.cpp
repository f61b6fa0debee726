// The job layer: planning (job_plan.h), checkpoint files (checkpoint_store.h), the exactly-once Iceberg sink
// (iceberg_sink.h) and whole jobs over an in-process broker and catalog (job.h, pipeline.h).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "floe/broker/broker.h"
#include "floe/catalog/embedded_catalog.h"
#include "floe/iceberg/table_maintenance.h"
#include "floe/iceberg/table_scan.h"
#include "floe/iceberg/table_updates.h"
#include "floe/kafka/record_batch.h"
#include "floe/sql/binder.h"
#include "floe/stream/broker_source.h"
#include "floe/stream/checkpoint_store.h"
#include "floe/stream/iceberg_sink.h"
#include "floe/stream/job.h"
#include "floe/stream/job_plan.h"

namespace floe::stream {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    path_ =
        fs::temp_directory_path() / ("floe-stream-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string str() const { return path_.string(); }

 private:
  static inline int counter_ = 0;
  fs::path path_;
};

Result<JobPlan> Plan(const std::string& sql, std::unique_ptr<sql::BoundScript>* keep) {
  auto bound = sql::BindScript(sql);
  if (!bound.ok()) return bound.status();
  *keep = std::make_unique<sql::BoundScript>(std::move(*bound));
  return PlanJob(**keep);
}

const char* kSource = R"(
CREATE TABLE src (sensor_id STRING, ts BIGINT, temperature DOUBLE,
  event_time AS TO_TIMESTAMP_LTZ(ts, 3), WATERMARK FOR event_time AS event_time - INTERVAL '2' SECOND)
WITH ('connector'='kafka', 'topic'='t', 'format'='json', 'scan.startup.mode'='earliest-offset');
CREATE TABLE out1 (window_start TIMESTAMP(3), window_end TIMESTAMP(3), sensor_id STRING, n BIGINT, mx DOUBLE)
WITH ('connector'='iceberg', 'catalog-database'='db', 'catalog-table'='w');
)";

TEST(JobPlanTest, SeedJobPlansTwoPipelinesWithTheirOptions) {
  std::unique_ptr<sql::BoundScript> script;
  auto plan = Plan(std::string(SeedJobSql()), &script);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->checkpoint_interval_ms, 1000);
  ASSERT_EQ(plan->pipelines.size(), 2u);
  const PipelinePlan& raw = plan->pipelines[0];
  const PipelinePlan& win = plan->pipelines[1];
  EXPECT_EQ(raw.name, "readings");
  EXPECT_EQ(raw.sink_table.ToString(), "telemetry.readings");
  EXPECT_EQ(win.sink_table.ToString(), "telemetry.sensor_10s");
  EXPECT_EQ(win.kafka.topic, "telemetry");
  EXPECT_EQ(win.kafka.bootstrap, "localhost:9092");
  EXPECT_EQ(win.kafka.group_id, "floe-telemetry");
  EXPECT_EQ(win.kafka.startup, StartupModeSpec::kEarliest);
  EXPECT_EQ(win.kafka.idle_timeout_ms, 5000);
  EXPECT_EQ(win.late_topic, "telemetry-late");
  EXPECT_EQ(win.dead_letter_topic, "telemetry-dead-letter");
  EXPECT_TRUE(win.insert->query.window_aggregate);
  EXPECT_FALSE(raw.insert->query.aggregated);
}

TEST(JobPlanTest, StatusIntervalIsASettingWithAFloor) {
  const std::string insert =
      "INSERT INTO out1 SELECT window_start, window_end, sensor_id, COUNT(*), MAX(temperature) FROM "
      "TABLE(TUMBLE(TABLE src, DESCRIPTOR(event_time), INTERVAL '10' SECOND)) GROUP BY window_start, window_end, "
      "sensor_id;";
  std::unique_ptr<sql::BoundScript> script;
  auto plain = Plan(std::string(kSource) + insert, &script);
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  EXPECT_EQ(plain->status_interval_ms, 1000);
  auto fine = Plan("SET 'floe.status.interval' = '100 ms';" + std::string(kSource) + insert, &script);
  ASSERT_TRUE(fine.ok()) << fine.status().ToString();
  EXPECT_EQ(fine->status_interval_ms, 100);
  auto too_fine = Plan("SET 'floe.status.interval' = '5 ms';" + std::string(kSource) + insert, &script);
  ASSERT_FALSE(too_fine.ok());
  EXPECT_EQ(too_fine.status().message(), "SET 'floe.status.interval': at least 10 ms");
  auto junk = Plan("SET 'floe.status.interval' = 'often';" + std::string(kSource) + insert, &script);
  ASSERT_FALSE(junk.ok());
  EXPECT_EQ(junk.status().message().rfind("SET 'floe.status.interval': ", 0), 0u) << junk.status().message();
}

TEST(JobPlanTest, RefusesWhatItCannotRunWithThePosition) {
  std::unique_ptr<sql::BoundScript> script;
  auto no_window = Plan(std::string(kSource) +
                            "INSERT INTO out1 SELECT TIMESTAMP '2024-01-01 00:00:00', TIMESTAMP '2024-01-01 00:00:00',"
                            " sensor_id, COUNT(*), MAX(temperature) FROM src GROUP BY sensor_id;",
                        &script);
  ASSERT_FALSE(no_window.ok());
  EXPECT_NE(no_window.status().message().find("updating aggregation"), std::string::npos)
      << no_window.status().message();
  EXPECT_EQ(no_window.status().message().rfind("line 7, column 1", 0), 0u) << no_window.status().message();

  std::string not_kafka = kSource;
  not_kafka.replace(not_kafka.find("'connector'='kafka'"), 19, "'connector'='datagen'");
  auto bad_connector = Plan(not_kafka +
                                "INSERT INTO out1 SELECT window_start, window_end, sensor_id, COUNT(*), "
                                "MAX(temperature) FROM TABLE(TUMBLE(TABLE src, DESCRIPTOR(event_time), "
                                "INTERVAL '10' SECOND)) GROUP BY window_start, window_end, sensor_id;",
                            &script);
  ASSERT_FALSE(bad_connector.ok());
  EXPECT_NE(bad_connector.status().message().find("connector 'datagen' is not supported"), std::string::npos)
      << bad_connector.status().message();

  auto none = Plan(kSource, &script);
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("no INSERT"), std::string::npos);

  auto bad_interval = Plan(std::string("SET 'execution.checkpointing.interval' = 'soon';") + kSource +
                               "INSERT INTO out1 SELECT window_start, window_end, sensor_id, COUNT(*), "
                               "MAX(temperature) FROM TABLE(TUMBLE(TABLE src, DESCRIPTOR(event_time), "
                               "INTERVAL '10' SECOND)) GROUP BY window_start, window_end, sensor_id;",
                           &script);
  ASSERT_FALSE(bad_interval.ok());
  EXPECT_NE(bad_interval.status().message().find("'soon'"), std::string::npos) << bad_interval.status().message();
}

TEST(JobPlanTest, DurationsReadLikeFlinks) {
  EXPECT_EQ(*ParseDurationMs("5 s"), 5000);
  EXPECT_EQ(*ParseDurationMs("500ms"), 500);
  EXPECT_EQ(*ParseDurationMs("250"), 250);
  EXPECT_EQ(*ParseDurationMs("2 min"), 120000);
  EXPECT_EQ(*ParseDurationMs("1 h"), 3600000);
  EXPECT_FALSE(ParseDurationMs("five seconds").ok());
  auto unit = ParseDurationMs("3 fortnights");
  ASSERT_FALSE(unit.ok());
  EXPECT_NE(unit.status().message().find("unknown time unit"), std::string::npos);
}

TEST(CheckpointStoreTest, SavesLoadsPrunesAndRejectsDamage) {
  TempDir dir;
  CheckpointStore store(dir.str() + "/p");
  ASSERT_TRUE(store.Init().ok());
  ASSERT_TRUE(store.Save(1, "one").ok());
  ASSERT_TRUE(store.Save(2, std::string("two\0bytes", 9)).ok());
  EXPECT_EQ(*store.Load(1), "one");
  EXPECT_EQ(*store.Load(2), std::string("two\0bytes", 9));
  auto missing = store.Load(3);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(store.PruneExcept(2).ok());
  EXPECT_FALSE(store.Load(1).ok());
  {
    std::fstream f(store.PathOf(2), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(-1, std::ios::end);
    f.put('X');
  }
  auto damaged = store.Load(2);
  ASSERT_FALSE(damaged.ok());
  EXPECT_EQ(damaged.status().code(), StatusCode::kCorruption);
  EXPECT_NE(damaged.status().message().find("CRC32C"), std::string::npos);
}

TEST(SourceOffsetsTest, RoundTripAndErrors) {
  SourceOffsets o;
  o["telemetry"][0] = 10;
  o["telemetry"][2] = 7;
  o["a.b-c"][1] = 0;
  EXPECT_EQ(FormatSourceOffsets(o), "a.b-c:1=0,telemetry:0=10,telemetry:2=7");
  EXPECT_EQ(*ParseSourceOffsets(FormatSourceOffsets(o)), o);
  EXPECT_TRUE(ParseSourceOffsets("")->empty());
  EXPECT_FALSE(ParseSourceOffsets("telemetry=3").ok());
  EXPECT_FALSE(ParseSourceOffsets("telemetry:x=3").ok());
}

struct Catalog {
  TempDir dir;
  std::unique_ptr<catalog::EmbeddedCatalog> catalog;
  Catalog() {
    catalog::EmbeddedCatalogOptions o;
    o.warehouse = dir.str() + "/warehouse";
    auto c = catalog::EmbeddedCatalog::Open(dir.str(), o);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    catalog = std::move(*c);
  }
};

std::shared_ptr<const sql::TableDefinition> SinkDefinition(const std::string& sql, const std::string& name) {
  auto bound = sql::BindScript(sql);
  EXPECT_TRUE(bound.ok()) << bound.status().ToString();
  return bound->catalog.Find(name);
}

// Every row of a table as text, one string per row ("v1|v2|..."), in scan order.
std::vector<std::string> ScanRows(catalog::Catalog& cat, const std::string& table) {
  auto id = catalog::TableIdentifier::Parse(table);
  auto state = cat.LoadTable(*id);
  EXPECT_TRUE(state.ok()) << state.status().ToString();
  auto io = cat.FileIOFor(state->metadata.location);
  auto scan = iceberg::TableScan::Plan(**io, state->metadata, {});
  EXPECT_TRUE(scan.ok()) << scan.status().ToString();
  std::vector<std::string> rows;
  Status s = scan->Read(**io, [&](std::vector<formats::ColumnVector>&& cols) {
    for (size_t r = 0; r < (cols.empty() ? 0 : cols[0].size()); ++r) {
      std::string line;
      for (size_t c = 0; c < cols.size(); ++c) {
        if (c) line += "|";
        const formats::ColumnVector& v = cols[c];
        if (v.IsNull(r)) {
          line += "NULL";
          continue;
        }
        switch (v.type().id) {
          case formats::ColumnType::kString: line += std::string(v.string(r)); break;
          case formats::ColumnType::kDouble: line += fmt::format("{}", v.value<double>(r)); break;
          case formats::ColumnType::kInt64:
          case formats::ColumnType::kTimestamp:
          case formats::ColumnType::kTimestampTz: line += std::to_string(v.value<int64_t>(r)); break;
          case formats::ColumnType::kInt32: line += std::to_string(v.value<int32_t>(r)); break;
          default: line += "?";
        }
      }
      rows.push_back(line);
    }
    return Status::Ok();
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
  return rows;
}

TEST(IcebergSinkTest, CreatesTheTableCommitsCheckpointsAndRefusesASecondWriter) {
  Catalog cat;
  auto def = SinkDefinition(
      "CREATE TABLE w (window_start TIMESTAMP(3) NOT NULL, sensor_id STRING, n BIGINT) WITH ('connector'='iceberg')",
      "w");
  IcebergSinkOptions o;
  o.job_id = "j";
  o.pipeline = "w";
  o.table = *catalog::TableIdentifier::Parse("db.w");
  auto sink = IcebergSink::Open(cat.catalog.get(), *def, o);
  ASSERT_TRUE(sink.ok()) << sink.status().ToString();
  EXPECT_FALSE((*sink)->LastCommittedCheckpoint()->has_value());

  auto state = cat.catalog->LoadTable(o.table);
  ASSERT_TRUE(state.ok());
  const iceberg::PartitionSpec& spec = state->metadata.DefaultSpec();
  ASSERT_EQ(spec.fields.size(), 1u);
  EXPECT_EQ(spec.fields[0].transform.ToString(), "day");
  EXPECT_EQ(spec.fields[0].name, "window_start_day");
  EXPECT_TRUE(state->metadata.CurrentSchema().FindByName("window_start")->required);

  Row row = {Datum::Int(1'700'000'000'000'000), Datum::String("s-1"), Datum::Int(3)};
  ASSERT_TRUE((*sink)->Write(row).ok());
  Row bad = {Datum::Null(), Datum::String("s-2"), Datum::Int(1)};
  Status null_status = (*sink)->Write(bad);
  ASSERT_FALSE(null_status.ok());
  EXPECT_NE(null_status.message().find("NOT NULL column 'window_start'"), std::string::npos) << null_status.message();

  SourceOffsets offsets;
  offsets["t"][0] = 42;
  auto snap = (*sink)->Commit(1, 0, offsets, 1234);
  ASSERT_TRUE(snap.ok()) << snap.status().ToString();
  auto last = (*sink)->LastCommittedCheckpoint();
  ASSERT_TRUE(last.ok() && last->has_value());
  EXPECT_EQ((*last)->checkpoint_id, 1);
  EXPECT_EQ((*last)->offsets, offsets);
  EXPECT_EQ((*last)->watermark_ms, 1234);
  EXPECT_EQ(ScanRows(*cat.catalog, "db.w"), std::vector<std::string>{"1700000000000000|s-1|3"});

  // A second instance that recovered checkpoint 1 commits 2; the first, still believing 1 is newest, is refused.
  auto other = IcebergSink::Open(cat.catalog.get(), *def, o);
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE((*other)->Write(row).ok());
  offsets["t"][0] = 50;
  ASSERT_TRUE((*other)->Commit(2, 1, offsets, std::nullopt).ok());
  ASSERT_TRUE((*sink)->Write(row).ok());
  auto refused = (*sink)->Commit(2, 1, offsets, std::nullopt);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kConflict);
  EXPECT_NE(refused.status().message().find("another instance"), std::string::npos) << refused.status().message();
  EXPECT_EQ(ScanRows(*cat.catalog, "db.w").size(), 2u);
}

TEST(IcebergSinkTest, AnExistingTableMustFitTheDefinition) {
  Catalog cat;
  IcebergSinkOptions o;
  o.job_id = "j";
  o.pipeline = "w";
  o.table = *catalog::TableIdentifier::Parse("db.w");
  auto first = SinkDefinition("CREATE TABLE w (a STRING, n BIGINT) WITH ('connector'='iceberg')", "w");
  ASSERT_TRUE(IcebergSink::Open(cat.catalog.get(), *first, o).ok());
  auto wrong_type = SinkDefinition("CREATE TABLE w (a STRING, n BOOLEAN) WITH ('connector'='iceberg')", "w");
  auto r = IcebergSink::Open(cat.catalog.get(), *wrong_type, o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("column 'n' is long in the Iceberg table but BOOLEAN"), std::string::npos)
      << r.status().message();
  auto extra = SinkDefinition("CREATE TABLE w (a STRING, n BIGINT, z INT) WITH ('connector'='iceberg')", "w");
  r = IcebergSink::Open(cat.catalog.get(), *extra, o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("no column 'z'"), std::string::npos) << r.status().message();
}

TEST(IcebergSinkTest, TheCheckpointSurvivesOtherWritersAndSnapshotExpiry) {
  Catalog cat;
  auto def = SinkDefinition("CREATE TABLE w (a STRING, n BIGINT) WITH ('connector'='iceberg')", "w");
  IcebergSinkOptions o;
  o.job_id = "j";
  o.pipeline = "w";
  o.table = *catalog::TableIdentifier::Parse("db.w");
  auto sink = IcebergSink::Open(cat.catalog.get(), *def, o);
  ASSERT_TRUE(sink.ok()) << sink.status().ToString();
  ASSERT_TRUE((*sink)->Write(Row{Datum::String("x"), Datum::Int(1)}).ok());
  SourceOffsets offsets;
  offsets["t"][0] = 7;
  offsets["t"][1] = 9;
  ASSERT_TRUE((*sink)->Commit(1, 0, offsets, 500).ok());

  // Another writer commits an empty append, then every snapshot but the current (foreign) one expires: the
  // checkpoint's snapshot is gone, the table property still says where the job is.
  auto io = cat.catalog->FileIOFor(cat.dir.str());
  ASSERT_TRUE(io.ok());
  catalog::CatalogTableOperations ops(*cat.catalog, o.table, *io);
  ASSERT_TRUE(iceberg::AppendFiles(ops, {}).ok());
  iceberg::ExpireOptions eo;
  eo.retain_last = 1;
  eo.older_than_ms = INT64_MAX;
  auto expired = iceberg::ExpireSnapshots(ops, eo);
  ASSERT_TRUE(expired.ok()) << expired.status().ToString();
  auto state = cat.catalog->LoadTable(o.table);
  ASSERT_EQ(state->metadata.snapshots.size(), 1u);
  EXPECT_EQ(state->metadata.properties.at("floe.checkpoint.j.w"), "checkpoint=1;watermark=500;offsets=t:0=7,t:1=9");

  auto again = IcebergSink::Open(cat.catalog.get(), *def, o);
  ASSERT_TRUE(again.ok());
  auto last = (*again)->LastCommittedCheckpoint();
  ASSERT_TRUE(last.ok() && last->has_value()) << last.status().ToString();
  EXPECT_EQ((*last)->checkpoint_id, 1);
  EXPECT_EQ((*last)->offsets, offsets);
  EXPECT_EQ((*last)->watermark_ms, 500);
  // And the next checkpoint commits on top of the foreign snapshot.
  ASSERT_TRUE((*again)->Write(Row{Datum::String("y"), Datum::Int(2)}).ok());
  ASSERT_TRUE((*again)->Commit(2, 1, offsets, std::nullopt).ok());
  std::vector<std::string> rows = ScanRows(*cat.catalog, "db.w");  // x's file is still live: expiry removes snapshots
  std::sort(rows.begin(), rows.end());
  EXPECT_EQ(rows, (std::vector<std::string>{"x|1", "y|2"}));

  EXPECT_FALSE(ParseCheckpointProperty("watermark=1").ok());
  EXPECT_FALSE(ParseCheckpointProperty("checkpoint=x").ok());
}

// Runs posted functions on one thread: the broker's network thread in these tests.
class BrokerThread {
 public:
  BrokerThread() : thread_([this] { Loop(); }) {}
  ~BrokerThread() {
    {
      std::lock_guard<std::mutex> l(mu_);
      done_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  void Post(std::function<void()> fn) {
    {
      std::lock_guard<std::mutex> l(mu_);
      q_.push_back(std::move(fn));
    }
    cv_.notify_all();
  }

 private:
  void Loop() {
    std::unique_lock<std::mutex> l(mu_);
    for (;;) {
      cv_.wait(l, [&] { return done_ || !q_.empty(); });
      if (q_.empty() && done_) return;
      auto fn = std::move(q_.front());
      q_.pop_front();
      l.unlock();
      fn();
      l.lock();
    }
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> q_;
  bool done_ = false;
  std::thread thread_;
};

// What the job tests run on: an embedded catalog, an in-process broker with topic "t", and the thread the job's
// broker calls are posted to. Members are destroyed in reverse order: that thread stops before the broker closes.
struct LocalStack {
  Catalog cat;
  TempDir broker_dir;
  std::unique_ptr<broker::Broker> broker;
  BrokerThread broker_thread;

  // Opens the broker and creates topic "t" with `partitions` partitions.
  Status Open(int32_t partitions) {
    FLOE_ASSIGN_OR_RETURN(broker, broker::Broker::Open(broker_dir.str(), broker::BrokerConfig{}));
    return broker->CreateTopic("t", partitions, {}).status();
  }

  // Starts job `id` running `sql` against the broker, its sinks in `cat` and its state under `cat`'s directory.
  Result<std::unique_ptr<Job>> StartJob(const std::string& id, const std::string& sql) {
    JobOptions o;
    o.job_id = id;
    o.sql = sql;
    o.sql_origin = id + ".sql";
    o.data_dir = cat.dir.str();
    o.env.catalog = cat.catalog.get();
    o.env.local_broker = broker.get();
    o.env.run_on_broker_thread = [this](std::function<void()> fn) { broker_thread.Post(std::move(fn)); };
    return Job::Start(std::move(o));
  }
};

void Produce(broker::Broker& b, const std::string& topic, int32_t partition, const std::vector<std::string>& values) {
  std::vector<kafka::RecordInput> records;
  for (const std::string& v : values) {
    kafka::RecordInput r;
    r.key = "k";
    r.value = v;
    r.timestamp = 1;
    records.push_back(r);
  }
  std::vector<uint8_t> batch = kafka::BuildRecordBatch(records);
  auto appended = b.FindPartition(topic, partition)->Append(batch, 0);
  ASSERT_TRUE(appended.ok()) << appended.status().ToString();
}

std::string Event(const std::string& sensor, int64_t ts, double temperature) {
  return fmt::format(R"({{"sensor_id":"{}","ts":{},"temperature":{}}})", sensor, ts, temperature);
}

TEST(JobTest, WindowsOverAnInProcessBrokerAreExactlyOnceAcrossARestart) {
  LocalStack stack;
  Status opened = stack.Open(1);
  ASSERT_TRUE(opened.ok()) << opened.ToString();
  Catalog& cat = stack.cat;
  broker::Broker& b = *stack.broker;

  const std::string sql = std::string("SET 'execution.checkpointing.interval' = '50 ms';") + kSource +
                          "INSERT INTO out1 SELECT window_start, window_end, sensor_id, COUNT(*), MAX(temperature) "
                          "FROM TABLE(TUMBLE(TABLE src, DESCRIPTOR(event_time), INTERVAL '10' SECOND)) "
                          "WHERE temperature > -100 GROUP BY window_start, window_end, sensor_id;";
  auto start_job = [&]() { return stack.StartJob("test", sql); };
  auto wait_rows = [&](size_t n) {
    for (int i = 0; i < 400; ++i) {
      auto state = cat.catalog->LoadTable(*catalog::TableIdentifier::Parse("db.w"));
      if (state.ok() && ScanRows(*cat.catalog, "db.w").size() >= n) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    return false;
  };

  // Window [0, 10 s) of s-1: three events; s-2 one; then an event at 12 s moves the watermark to 10 s and closes it.
  Produce(b, "t", 0,
          {Event("s-1", 1000, 20.5), Event("s-2", 2000, 18), Event("s-1", 3000, 21.5), "{bad json",
           Event("s-1", 9999, 19), Event("s-1", 12000, 30)});
  {
    auto job = start_job();
    ASSERT_TRUE(job.ok()) << job.status().ToString();
    ASSERT_TRUE(wait_rows(2));
    auto status = (*job)->Statuses();
    (*job)->Stop();
    status = (*job)->Statuses();
    ASSERT_EQ(status.size(), 1u);
    EXPECT_EQ(status[0].events_in, 6);
    EXPECT_EQ(status[0].bad_events, 1);
    EXPECT_EQ(status[0].rows_out, 2);
  }
  // A late event for the closed window, and more events for [10 s, 20 s); the restarted job continues from its
  // checkpoint: the window [10 s, 20 s) keeps the event at 12 s from before the restart.
  Produce(b, "t", 0, {Event("s-1", 5000, 99), Event("s-1", 15000, 31), Event("s-1", 25000, 1)});
  {
    auto job = start_job();
    ASSERT_TRUE(job.ok()) << job.status().ToString();
    ASSERT_TRUE(wait_rows(3));
    (*job)->Stop();
    auto status = (*job)->Statuses();
    EXPECT_EQ(status[0].events_in, 3);
    EXPECT_EQ(status[0].late_events, 1);
  }
  std::vector<std::string> rows = ScanRows(*cat.catalog, "db.w");
  std::sort(rows.begin(), rows.end());
  EXPECT_EQ(rows,
            (std::vector<std::string>{"0|10000000|s-1|3|21.5", "0|10000000|s-2|1|18", "10000000|20000000|s-1|2|31"}));
  // The late event is on the late topic, the bad one on the dead-letter topic.
  auto late = b.FindPartition("t-late", 0);
  ASSERT_NE(late, nullptr);
  int64_t late_records = 0;
  for (int32_t p = 0; (late = b.FindPartition("t-late", p)) != nullptr; ++p) late_records += late->next_offset();
  EXPECT_EQ(late_records, 1);
  int64_t dead_records = 0;
  for (int32_t p = 0; auto* d = b.FindPartition("t-dead-letter", p); ++p) dead_records += d->next_offset();
  EXPECT_EQ(dead_records, 1);
}

TEST(JobTest, TheSinkCompactsSmallFilesWithoutLosingOrRepeatingRows) {
  LocalStack stack;
  Status opened = stack.Open(1);
  ASSERT_TRUE(opened.ok()) << opened.ToString();
  Catalog& cat = stack.cat;
  broker::Broker& b = *stack.broker;
  const std::string sql =
      std::string(
          "SET 'execution.checkpointing.interval' = '20 ms'; SET 'floe.compaction.interval' = '10 ms';"
          "SET 'floe.compaction.min-files' = '3'; SET 'floe.snapshot.retain-last' = '5';"
          "SET 'floe.snapshot.max-age' = '0 ms';") +
      kSource +
      "CREATE TABLE raw (sensor_id STRING, ts BIGINT) WITH ('connector'='iceberg', "
      "'catalog-database'='db', 'catalog-table'='raw', 'format-version'='2');"
      "INSERT INTO raw SELECT sensor_id, ts FROM src;";
  auto job = stack.StartJob("compact", sql);
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  // Ten slices, each committed on its own (a checkpoint apart): ten small files in one partition, then compacted.
  for (int i = 0; i < 10; ++i) {
    Produce(b, "t", 0, {Event("s-1", 1000 + i, 1), Event("s-2", 2000 + i, 2)});
    std::this_thread::sleep_for(std::chrono::milliseconds(60));
  }
  // Stop once every row is committed and a compaction has happened (Stop takes a last checkpoint of what was read,
  // not of what is still in the topic).
  bool compacted = false;
  size_t rows_in_table = 0;
  for (int i = 0; i < 400 && !(compacted && rows_in_table == 20); ++i) {
    auto state = cat.catalog->LoadTable(*catalog::TableIdentifier::Parse("db.raw"));
    ASSERT_TRUE(state.ok());
    for (const auto& s : state->metadata.snapshots) compacted = compacted || s.operation() == "replace";
    rows_in_table = ScanRows(*cat.catalog, "db.raw").size();
    if (!compacted || rows_in_table != 20) std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  EXPECT_TRUE(compacted);
  (*job)->Stop();
  std::vector<std::string> rows = ScanRows(*cat.catalog, "db.raw");
  std::sort(rows.begin(), rows.end());
  std::vector<std::string> want;
  for (int i = 0; i < 10; ++i) {
    want.push_back("s-1|" + std::to_string(1000 + i));
    want.push_back("s-2|" + std::to_string(2000 + i));
  }
  std::sort(want.begin(), want.end());
  EXPECT_EQ(rows, want);
  // Old snapshots expired, and the job still finds its checkpoint behind the compaction's snapshot.
  auto state = cat.catalog->LoadTable(*catalog::TableIdentifier::Parse("db.raw"));
  EXPECT_LE(state->metadata.snapshots.size(), 6u);
  IcebergSinkOptions so;
  so.job_id = "compact";
  so.pipeline = "raw";
  so.table = *catalog::TableIdentifier::Parse("db.raw");
  auto def = SinkDefinition("CREATE TABLE raw (sensor_id STRING, ts BIGINT) WITH ('connector'='iceberg')", "raw");
  auto sink = IcebergSink::Open(cat.catalog.get(), *def, so);
  ASSERT_TRUE(sink.ok());
  auto last = (*sink)->LastCommittedCheckpoint();
  ASSERT_TRUE(last.ok() && last->has_value());
  EXPECT_EQ((*last)->offsets.at("t").at(0), 20);
}

TEST(JobTest, HopAndCumulateWindowsWithDistinctFiltersAndExpressions) {
  LocalStack stack;
  Status opened = stack.Open(1);
  ASSERT_TRUE(opened.ok()) << opened.ToString();
  Catalog& cat = stack.cat;
  broker::Broker& b = *stack.broker;
  const std::string sql = std::string("SET 'execution.checkpointing.interval' = '20 ms';") + kSource + R"(
CREATE TABLE hop (window_start TIMESTAMP(3), window_end TIMESTAMP(3), sensor STRING, n BIGINT, total DOUBLE)
  WITH ('connector'='iceberg', 'catalog-database'='db', 'catalog-table'='hop');
CREATE TABLE cum (window_start TIMESTAMP(3), window_end TIMESTAMP(3), sensor STRING, n BIGINT, total DOUBLE)
  WITH ('connector'='iceberg', 'catalog-database'='db', 'catalog-table'='cum');
INSERT INTO hop
SELECT window_start, window_end, UPPER(sensor_id), COUNT(DISTINCT temperature), SUM(temperature * 2) / 2
FROM TABLE(HOP(TABLE src, DESCRIPTOR(event_time), INTERVAL '5' SECOND, INTERVAL '10' SECOND))
WHERE sensor_id <> 's-2'
GROUP BY window_start, window_end, sensor_id;
INSERT INTO cum
SELECT window_start, window_end, sensor_id, COUNT(*), SUM(temperature)
FROM TABLE(CUMULATE(TABLE src, DESCRIPTOR(event_time), INTERVAL '5' SECOND, INTERVAL '10' SECOND))
WHERE sensor_id = 's-1'
GROUP BY window_start, window_end, sensor_id
HAVING COUNT(*) > 0;
)";
  auto job = stack.StartJob("windows", sql);
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  // s-1 at 1 s, 6 s (twice, same temperature: DISTINCT counts it once), 12 s; s-2 at 30 s moves the watermark to 28 s.
  Produce(b, "t", 0,
          {Event("s-1", 1000, 20), Event("s-1", 6000, 22), Event("s-1", 6500, 22), Event("s-1", 12000, 24),
           Event("s-2", 30000, 5)});
  auto count_rows = [&](const std::string& table) {
    auto state = cat.catalog->LoadTable(*catalog::TableIdentifier::Parse(table));
    return state.ok() ? ScanRows(*cat.catalog, table).size() : 0u;
  };
  for (int i = 0; i < 400 && (count_rows("db.hop") < 4 || count_rows("db.cum") < 4); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  (*job)->Stop();
  std::vector<std::string> hop = ScanRows(*cat.catalog, "db.hop");
  std::sort(hop.begin(), hop.end());
  EXPECT_EQ(hop, (std::vector<std::string>{"-5000000|5000000|S-1|1|20", "0|10000000|S-1|2|64",
                                           "10000000|20000000|S-1|1|24", "5000000|15000000|S-1|2|68"}));
  std::vector<std::string> cum = ScanRows(*cat.catalog, "db.cum");
  std::sort(cum.begin(), cum.end());
  EXPECT_EQ(cum, (std::vector<std::string>{"0|10000000|s-1|3|64", "0|5000000|s-1|1|20", "10000000|15000000|s-1|1|24",
                                           "10000000|20000000|s-1|1|24"}));
}

// Every record of a side-output topic (all partitions) as JSON, read back through a BrokerSource.
std::vector<nlohmann::json> ReadSideOutput(broker::Broker& b, const std::string& topic) {
  std::vector<nlohmann::json> out;
  if (b.FindTopic(topic) == nullptr) return out;
  BrokerSourceOptions o;
  o.topic = topic;
  BrokerSource source(b, o, [](std::function<void()> fn) { fn(); });
  auto count = source.PartitionCount();
  EXPECT_TRUE(count.ok());
  std::map<int32_t, int64_t> from;
  for (int32_t p = 0; p < *count; ++p) from[p] = 0;
  EXPECT_TRUE(source.Assign(from).ok());
  for (;;) {
    auto n = source.Poll(0, 1000, [&](const SourceRecord& r) { out.push_back(nlohmann::json::parse(*r.value)); });
    EXPECT_TRUE(n.ok()) << n.status().ToString();
    if (!n.ok() || *n == 0) return out;
  }
}

// Appends `values` to one partition in record batches of `per_batch`.
void ProduceInBatches(broker::Broker& b, const std::string& topic, int32_t partition,
                      const std::vector<std::string>& values, size_t per_batch) {
  for (size_t i = 0; i < values.size(); i += per_batch) {
    Produce(
        b, topic, partition,
        std::vector<std::string>(values.begin() + static_cast<std::ptrdiff_t>(i),
                                 values.begin() + static_cast<std::ptrdiff_t>(std::min(values.size(), i + per_batch))));
  }
}

// Decoding runs on a second thread a batch ahead of aggregation (pipeline.cpp): with many Poll batches in one
// partition, events must still reach the windows in offset order (else events of an earlier batch would be late
// behind a later batch's watermark), and each side output must carry the record it came from.
TEST(PipelineTest, DecodingAheadOfAggregationKeepsOrderWindowsAndSideOutputs) {
  LocalStack stack;
  Status opened = stack.Open(1);
  ASSERT_TRUE(opened.ok()) << opened.ToString();
  Catalog& cat = stack.cat;
  broker::Broker& b = *stack.broker;

  // 30,000 events 10 ms apart (three Polls of at most 8192 and more), a bad one every 997th offset, and one event
  // for the first window after the watermark has long passed it.
  std::vector<std::string> values;
  std::map<int64_t, int64_t> counts;  // window start (ms) -> events
  std::set<int64_t> bad_offsets;
  int64_t late_offset = -1;
  int64_t max_ts = 0;
  for (int64_t i = 0; i < 30000; ++i) {
    const int64_t offset = static_cast<int64_t>(values.size());
    if (offset % 997 == 5) {
      values.push_back(fmt::format("{{bad json {}", offset));
      bad_offsets.insert(offset);
    }
    if (i == 25000) {
      late_offset = static_cast<int64_t>(values.size());
      values.push_back(Event("s-1", 1, 99));
    }
    const int64_t ts = i * 10;
    values.push_back(Event("s-1", ts, static_cast<double>(i % 50)));
    ++counts[ts / 10000 * 10000];
    max_ts = ts;
  }
  ProduceInBatches(b, "t", 0, values, 700);

  const std::string sql = std::string("SET 'execution.checkpointing.interval' = '50 ms';") + kSource +
                          "INSERT INTO out1 SELECT window_start, window_end, sensor_id, COUNT(*), MAX(temperature) "
                          "FROM TABLE(TUMBLE(TABLE src, DESCRIPTOR(event_time), INTERVAL '10' SECOND)) "
                          "GROUP BY window_start, window_end, sensor_id;";
  std::vector<std::string> want;
  const int64_t watermark = max_ts - 2000;
  for (const auto& [start, n] : counts) {
    if (start + 10000 <= watermark)
      want.push_back(fmt::format("{}|{}|s-1|{}|49", start * 1000, (start + 10000) * 1000, n));
  }
  std::sort(want.begin(), want.end());

  auto job = stack.StartJob("order", sql);
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  for (int i = 0; i < 800; ++i) {
    auto state = cat.catalog->LoadTable(*catalog::TableIdentifier::Parse("db.w"));
    if (state.ok() && ScanRows(*cat.catalog, "db.w").size() >= want.size()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  (*job)->Stop();
  auto status = (*job)->Statuses();
  ASSERT_EQ(status.size(), 1u);
  EXPECT_EQ(status[0].events_in, static_cast<int64_t>(values.size()));
  EXPECT_EQ(status[0].bad_events, static_cast<int64_t>(bad_offsets.size()));
  EXPECT_EQ(status[0].late_events, 1);
  std::vector<std::string> rows = ScanRows(*cat.catalog, "db.w");
  std::sort(rows.begin(), rows.end());
  EXPECT_EQ(rows, want);

  std::vector<nlohmann::json> dead = ReadSideOutput(b, "t-dead-letter");
  ASSERT_EQ(dead.size(), bad_offsets.size());
  auto bad = bad_offsets.begin();
  for (const nlohmann::json& j : dead) {
    EXPECT_EQ(j.at("offset").get<int64_t>(), *bad);
    EXPECT_EQ(j.at("raw").get<std::string>(), fmt::format("{{bad json {}", *bad));
    ++bad;
  }
  std::vector<nlohmann::json> late = ReadSideOutput(b, "t-late");
  ASSERT_EQ(late.size(), 1u);
  EXPECT_EQ(late[0].at("offset").get<int64_t>(), late_offset);
  EXPECT_EQ(late[0].at("raw").get<std::string>(), Event("s-1", 1, 99));
}

// A stop while records are in flight between the source, the decoding thread and the sink: the last checkpoint's
// positions cover exactly the rows in the table (records polled but not processed are neither committed nor
// skipped), and a restart from it completes every partition exactly once. Each row's payload `n` equals its record's
// offset, so a row paired with the wrong record shows.
TEST(PipelineTest, AStopMidStreamCommitsExactlyTheProcessedRecordsAndARestartCompletesThem) {
  LocalStack stack;
  Status opened = stack.Open(3);
  ASSERT_TRUE(opened.ok()) << opened.ToString();
  Catalog& cat = stack.cat;
  broker::Broker& b = *stack.broker;

  const int64_t per_partition = 6000;
  std::set<std::string> want;  // "partition|offset|n" of the rows the table must end with
  auto kept = [](int64_t offset) { return offset % 101 != 7 && offset % 89 != 3; };
  for (int32_t p = 0; p < 3; ++p) {
    std::vector<std::string> values;
    for (int64_t offset = 0; offset < per_partition; ++offset) {
      if (offset % 101 == 7) {
        values.push_back("[1]");  // not an object: dead-lettered
      } else if (offset % 89 == 3) {
        values.push_back(fmt::format(R"({{"sensor_id":"s-{}","n":-1}})", p));  // filtered out by WHERE
      } else {
        values.push_back(fmt::format(R"({{"sensor_id":"s-{}","n":{}}})", p, offset));
      }
      if (kept(offset)) want.insert(fmt::format("{}|{}|{}", p, offset, offset));
    }
    ProduceInBatches(b, "t", p, values, 500);
  }
  const std::string sql = R"(SET 'execution.checkpointing.interval' = '20 ms';
CREATE TABLE src (sensor_id STRING, n BIGINT, part INT METADATA FROM 'partition' VIRTUAL,
  off BIGINT METADATA FROM 'offset' VIRTUAL)
WITH ('connector'='kafka', 'topic'='t', 'format'='json', 'scan.startup.mode'='earliest-offset');
CREATE TABLE raw (p INT, o BIGINT, n BIGINT) WITH ('connector'='iceberg', 'catalog-database'='db', 'catalog-table'='raw');
INSERT INTO raw SELECT part, off, n FROM src WHERE n >= 0;
)";
  auto start_job = [&]() { return stack.StartJob("stop", sql); };
  auto committed_offsets = [&]() -> std::map<int32_t, int64_t> {
    IcebergSinkOptions so;
    so.job_id = "stop";
    so.pipeline = "raw";
    so.table = *catalog::TableIdentifier::Parse("db.raw");
    auto def = SinkDefinition("CREATE TABLE raw (p INT, o BIGINT, n BIGINT) WITH ('connector'='iceberg')", "raw");
    auto sink = IcebergSink::Open(cat.catalog.get(), *def, so);
    EXPECT_TRUE(sink.ok()) << sink.status().ToString();
    auto last = (*sink)->LastCommittedCheckpoint();
    EXPECT_TRUE(last.ok()) << last.status().ToString();
    if (!last.ok() || !last->has_value()) return {};  // stopped before anything was read
    return (*last)->offsets.at("t");
  };

  // First run: stopped at once, wherever the records in flight are then (any point will do: what is checked holds at
  // every one).
  int64_t remaining = 0;
  {
    auto job = start_job();
    ASSERT_TRUE(job.ok()) << job.status().ToString();
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    (*job)->Stop();
    auto status = (*job)->Statuses();
    const std::map<int32_t, int64_t> offsets = committed_offsets();
    int64_t processed = 0;
    std::set<std::string> expect;
    for (const auto& [p, next] : offsets) {
      processed += next;
      for (int64_t offset = 0; offset < next; ++offset) {
        if (kept(offset)) expect.insert(fmt::format("{}|{}|{}", p, offset, offset));
      }
    }
    EXPECT_EQ(status[0].events_in, processed);
    remaining = 3 * per_partition - processed;
    std::vector<std::string> rows = ScanRows(*cat.catalog, "db.raw");
    EXPECT_EQ(std::set<std::string>(rows.begin(), rows.end()), expect);
    EXPECT_EQ(rows.size(), expect.size());
  }
  // Second run: from the checkpoint to the end.
  {
    auto job = start_job();
    ASSERT_TRUE(job.ok()) << job.status().ToString();
    for (int i = 0; i < 1200 && (*job)->Statuses()[0].events_in < remaining; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    (*job)->Stop();
    EXPECT_EQ((*job)->Statuses()[0].events_in, remaining);
  }
  std::vector<std::string> rows = ScanRows(*cat.catalog, "db.raw");
  EXPECT_EQ(rows.size(), want.size());
  EXPECT_EQ(std::set<std::string>(rows.begin(), rows.end()), want);
  const std::map<int32_t, int64_t> offsets = committed_offsets();
  EXPECT_EQ(offsets, (std::map<int32_t, int64_t>{{0, per_partition}, {1, per_partition}, {2, per_partition}}));
}

}  // namespace
}  // namespace floe::stream
