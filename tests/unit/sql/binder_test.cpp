#include "floe/sql/binder.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "floe/sql/parser.h"

namespace floe::sql {
namespace {

std::string ReadJob(const std::string& name) {
  std::ifstream in(std::string(FLOE_SQL_TEST_DIR) + "/jobs/" + name);
  EXPECT_TRUE(in.good()) << name;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

BoundScript MustBind(std::string_view sql) {
  auto script = BindScript(sql);
  EXPECT_TRUE(script.ok()) << script.status().ToString();
  return script.ok() ? std::move(script).value() : BoundScript{};
}

std::string BindError(std::string_view sql) {
  auto script = BindScript(sql);
  EXPECT_FALSE(script.ok()) << sql;
  if (script.ok()) return "";
  EXPECT_EQ(script.status().code(), StatusCode::kInvalidArgument);
  return script.status().message();
}

constexpr const char* kSensors =
    "CREATE TABLE sensors (id STRING, temp DOUBLE, ts_ms BIGINT, ts AS TO_TIMESTAMP_LTZ(ts_ms, 3), "
    "WATERMARK FOR ts AS ts - INTERVAL '2' SECOND);\n";

TEST(BinderTest, BindsTheSeedJob) {
  BoundScript job = MustBind(ReadJob("telemetry.sql"));
  ASSERT_EQ(job.catalog.tables().size(), 3u);
  ASSERT_EQ(job.settings.size(), 2u);
  EXPECT_EQ(*job.FindSetting("table.local-time-zone"), "UTC");

  auto telemetry = job.catalog.Find("telemetry");
  ASSERT_TRUE(telemetry);
  int ts = telemetry->FindColumn("ts");
  ASSERT_EQ(ts, 6);
  const TableColumn& ts_column = telemetry->columns[6];
  EXPECT_EQ(ts_column.kind, ColumnKind::kComputed);
  EXPECT_EQ(ts_column.type.ToString(), "TIMESTAMP_LTZ(3)");
  EXPECT_TRUE(ts_column.time_attribute);
  EXPECT_EQ(ts_column.expression->ToString(), "TO_TIMESTAMP_LTZ(ts_ms#1, 3)");
  ASSERT_TRUE(telemetry->watermark);
  EXPECT_EQ(telemetry->watermark->column, 6);
  EXPECT_EQ(telemetry->watermark->delay_ms, 5000);
  EXPECT_EQ(*telemetry->FindOption("scan.startup.mode"), "earliest-offset");
  EXPECT_EQ(telemetry->FindOption("no.such.option"), nullptr);

  auto sink = job.catalog.Find("sensor_10s");
  ASSERT_TRUE(sink);
  EXPECT_EQ(sink->primary_key, (std::vector<int>{0, 2}));

  ASSERT_EQ(job.inserts.size(), 2u);
  const BoundInsert& archive = job.inserts[0];
  EXPECT_EQ(archive.sink->name, "readings");
  EXPECT_EQ(archive.target_columns, (std::vector<int>{0, 1, 2, 3, 4, 5}));
  EXPECT_FALSE(archive.query.aggregated);
  EXPECT_EQ(archive.query.where->ToString(), "(temperature#2 IS NOT NULL)");
  EXPECT_EQ(archive.query.projections[1]->ToString(), "ts#6");

  const BoundInsert& windows = job.inserts[1];
  const BoundQuery& q = windows.query;
  ASSERT_EQ(q.from.kind, BoundSourceKind::kWindow);
  EXPECT_EQ(q.from.window->kind, WindowKind::kTumble);
  EXPECT_EQ(q.from.window->time_column, 6);
  EXPECT_EQ(q.from.window->size_ms, 10'000);
  ASSERT_EQ(q.from.columns.size(), 10u);
  EXPECT_EQ(q.from.columns[7].name, "window_start");
  EXPECT_EQ(q.from.columns[7].type.ToString(), "TIMESTAMP(3) NOT NULL");
  EXPECT_EQ(q.from.columns[9].name, "window_time");
  EXPECT_EQ(q.from.columns[9].type.ToString(), "TIMESTAMP_LTZ(3) NOT NULL");
  EXPECT_TRUE(q.from.columns[9].time_attribute);
  EXPECT_FALSE(q.from.columns[6].time_attribute);  // ts is a plain timestamp after the window
  EXPECT_TRUE(q.aggregated);
  EXPECT_TRUE(q.window_aggregate);
  EXPECT_EQ(q.window_start_key, 0);
  EXPECT_EQ(q.window_end_key, 1);
  ASSERT_EQ(q.group_keys.size(), 3u);
  ASSERT_EQ(q.aggregates.size(), 5u);
  EXPECT_EQ(q.aggregates[0].ToString(), "COUNT(*)");
  EXPECT_EQ(q.aggregates[1].ToString(), "AVG(temperature#2)");
  EXPECT_EQ(q.aggregates[4].ToString(), "AVG(humidity#3)");
  std::vector<std::string> types;
  for (const BoundColumn& c : q.output) types.push_back(c.name + " " + c.type.ToString());
  EXPECT_EQ(types,
            (std::vector<std::string>{"window_start TIMESTAMP(3) NOT NULL", "window_end TIMESTAMP(3) NOT NULL",
                                      "sensor_id STRING NOT NULL", "readings BIGINT NOT NULL", "avg_temperature DOUBLE",
                                      "min_temperature DOUBLE", "max_temperature DOUBLE", "avg_humidity DOUBLE"}));
}

TEST(BinderTest, BindsHopAndCumulateWindows) {
  BoundScript hop = MustBind(std::string(kSensors) +
                             "SELECT window_start, id, MAX(temp) FROM TABLE(HOP(TABLE sensors, DESCRIPTOR(ts), "
                             "INTERVAL '5' SECOND, INTERVAL '1' MINUTE)) GROUP BY window_start, window_end, id");
  ASSERT_EQ(hop.queries.size(), 1u);
  const BoundWindow& w = *hop.queries[0].from.window;
  EXPECT_EQ(w.kind, WindowKind::kHop);
  EXPECT_EQ(w.step_ms, 5'000);
  EXPECT_EQ(w.size_ms, 60'000);
  EXPECT_TRUE(hop.queries[0].window_aggregate);

  BoundScript cumulate = MustBind(std::string(kSensors) +
                                  "SELECT window_end, SUM(temp) FROM TABLE(CUMULATE(DATA => TABLE sensors, "
                                  "TIMECOL => DESCRIPTOR(ts), STEP => INTERVAL '1' HOUR, SIZE => INTERVAL '1' DAY, "
                                  "OFFSET => INTERVAL '-8' HOUR)) GROUP BY window_start, window_end");
  const BoundWindow& c = *cumulate.queries[0].from.window;
  EXPECT_EQ(c.kind, WindowKind::kCumulate);
  EXPECT_EQ(c.step_ms, 3'600'000);
  EXPECT_EQ(c.size_ms, 86'400'000);
  EXPECT_EQ(c.offset_ms, -8 * 3'600'000);
}

TEST(BinderTest, GroupingWithoutWindowBoundsIsNotAWindowAggregate) {
  BoundScript s = MustBind(std::string(kSensors) +
                           "SELECT id, COUNT(*) FROM TABLE(TUMBLE(TABLE sensors, DESCRIPTOR(ts), INTERVAL '1' "
                           "SECOND)) GROUP BY window_start, id");
  EXPECT_TRUE(s.queries[0].aggregated);
  EXPECT_FALSE(s.queries[0].window_aggregate);
  EXPECT_EQ(s.queries[0].window_start_key, -1);
}

TEST(BinderTest, TheBriefsErrorsAtTheirPositions) {
  const std::string temp_table = "CREATE TABLE telemetry (sensor_id STRING, temp DOUBLE, ts TIMESTAMP(3));\n";
  EXPECT_EQ(BindError(temp_table + "SELECT tempx FROM telemetry"),
            "line 2, column 8: unknown column 'tempx' in table telemetry (did you mean 'temp'?)");
  EXPECT_EQ(BindError(temp_table + "SELECT * FROM telemetry WHERE sensor_id = 42"),
            "line 2, column 41: type mismatch: cannot compare STRING with INT");
  EXPECT_EQ(BindError(temp_table + "SELECT window_start, COUNT(*)\n"
                                   "FROM TABLE(TUMBLE(TABLE telemetry, DESCRIPTOR(ts), INTERVAL '10' SECOND))\n"
                                   "GROUP BY window_start, window_end"),
            "line 3, column 47: TUMBLE's DESCRIPTOR column 'ts' is not a time attribute: declare WATERMARK FOR ts");
  EXPECT_EQ(BindError(temp_table + "SELECT COUNT(*) OVER (PARTITION BY sensor_id) FROM telemetry"),
            "line 2, column 17: unsupported: window function OVER (...)");
  EXPECT_EQ(BindError(temp_table + "SELECT COUNT(temp FROM telemetry"),
            "line 2, column 19: expected ')' but found 'FROM'");
}

TEST(BinderTest, BindsStatementByStatementAgainstTheTablesSoFar) {
  Binder binder;
  auto create = ParseStatement("CREATE TABLE t (a INT, b STRING)");
  ASSERT_TRUE(create.ok());
  auto bound = binder.Bind(**create);
  ASSERT_TRUE(bound.ok()) << bound.status().ToString();
  ASSERT_TRUE(bound->table);
  EXPECT_TRUE(binder.catalog().Find("t"));

  auto again = binder.Bind(**ParseStatement("CREATE TABLE IF NOT EXISTS t (x INT)"));
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->table);  // skipped: the first declaration stays
  EXPECT_EQ(binder.catalog().Find("t")->columns.size(), 2u);

  auto query = binder.Bind(**ParseStatement("SELECT b, a + 1 AS c FROM t"));
  ASSERT_TRUE(query.ok()) << query.status().ToString();
  EXPECT_EQ(query->query->output[1].name, "c");
  EXPECT_EQ(query->query->projections[1]->ToString(), "(a#0 + 1)");
}

TEST(BinderTest, EveryPrefixOfTheSeedJobBindsOrFailsWithAPosition) {
  std::string job = ReadJob("telemetry.sql");
  int failures = 0;
  for (size_t n = 0; n <= job.size(); ++n) {
    auto script = BindScript(std::string_view(job).substr(0, n));
    if (script.ok()) continue;
    ++failures;
    ASSERT_EQ(script.status().code(), StatusCode::kInvalidArgument) << n;
    ASSERT_EQ(script.status().message().rfind("line ", 0), 0u) << n << ": " << script.status().message();
  }
  EXPECT_GT(failures, 0);
}

TEST(BinderTest, ImplicitWideningOnInsertBecomesACast) {
  BoundScript s = MustBind(
      "CREATE TABLE src (i INT, f FLOAT, ts TIMESTAMP(3));\n"
      "CREATE TABLE dst (l BIGINT, d DOUBLE, t TIMESTAMP_LTZ(3), n STRING);\n"
      "INSERT INTO dst SELECT i, f, ts, NULL FROM src");
  const BoundQuery& q = s.inserts[0].query;
  EXPECT_EQ(q.projections[0]->ToString(), "CAST(i#0 AS BIGINT)");
  EXPECT_EQ(q.projections[1]->ToString(), "CAST(f#1 AS DOUBLE)");
  EXPECT_EQ(q.projections[2]->ToString(), "CAST(ts#2 AS TIMESTAMP_LTZ(3))");
  EXPECT_EQ(q.projections[3]->ToString(), "CAST(NULL AS STRING)");
  EXPECT_EQ(q.output[0].type.ToString(), "BIGINT");
}

}  // namespace
}  // namespace floe::sql
