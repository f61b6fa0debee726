#include "floe/sql/parser.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace floe::sql {
namespace {

std::string ReadJob(const std::string& name) {
  std::ifstream in(std::string(FLOE_SQL_TEST_DIR) + "/jobs/" + name);
  EXPECT_TRUE(in.good()) << name;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<StatementPtr> MustParse(std::string_view sql) {
  auto statements = ParseScript(sql);
  EXPECT_TRUE(statements.ok()) << statements.status().ToString() << "\n" << sql;
  return statements.ok() ? std::move(statements).value() : std::vector<StatementPtr>{};
}

ExprPtr MustParseExpr(std::string_view sql) {
  auto e = ParseExpression(sql);
  EXPECT_TRUE(e.ok()) << e.status().ToString() << "\n" << sql;
  return e.ok() ? std::move(e).value() : nullptr;
}

std::string ParseError(std::string_view sql) {
  auto statements = ParseScript(sql);
  EXPECT_FALSE(statements.ok()) << sql;
  if (statements.ok()) return "";
  EXPECT_EQ(statements.status().code(), StatusCode::kInvalidArgument);
  return statements.status().message();
}

// parse(print(parse(x))) == parse(x), and printing is stable.
void ExpectRoundTrip(std::string_view sql) {
  std::vector<StatementPtr> first = MustParse(sql);
  std::string printed = ScriptToString(first);
  std::vector<StatementPtr> second = MustParse(printed);
  ASSERT_EQ(first.size(), second.size()) << printed;
  for (size_t i = 0; i < first.size(); ++i) {
    EXPECT_TRUE(first[i]->Equals(*second[i])) << "original:\n" << sql << "\nprinted:\n" << printed;
  }
  EXPECT_EQ(ScriptToString(second), printed);
}

TEST(ParserTest, ParsesTheSeedJob) {
  std::vector<StatementPtr> statements = MustParse(ReadJob("telemetry.sql"));
  ASSERT_EQ(statements.size(), 6u);
  EXPECT_EQ(statements[0]->kind(), StatementKind::kSet);
  EXPECT_EQ(statements[0]->As<SetStatement>().key, "execution.checkpointing.interval");
  EXPECT_EQ(statements[0]->As<SetStatement>().value, "1s");

  const auto& source = statements[2]->As<CreateTableStatement>();
  EXPECT_EQ(source.name.Joined(), "telemetry");
  EXPECT_EQ(source.pos.line, 6);
  ASSERT_EQ(source.columns.size(), 7u);
  EXPECT_EQ(source.columns[0].name.name, "sensor_id");
  EXPECT_EQ(source.columns[0].type->ToString(), "STRING NOT NULL");
  EXPECT_EQ(source.columns[1].comment, "event time, epoch milliseconds");
  EXPECT_EQ(source.columns[6].name.name, "ts");
  ASSERT_TRUE(source.columns[6].computed);
  EXPECT_EQ(source.columns[6].computed->ToString(), "TO_TIMESTAMP_LTZ(ts_ms, 3)");
  ASSERT_TRUE(source.watermark);
  EXPECT_EQ(source.watermark->column.name, "ts");
  EXPECT_EQ(source.watermark->expr->ToString(), "ts - INTERVAL '5' SECOND");
  ASSERT_EQ(source.options.size(), 7u);
  EXPECT_EQ(source.options[0].key, "connector");
  EXPECT_EQ(source.options[0].value, "kafka");
  EXPECT_EQ(source.options[4].value, "earliest-offset");

  const auto& sink = statements[4]->As<CreateTableStatement>();
  EXPECT_EQ(sink.name.Joined(), "sensor_10s");
  ASSERT_EQ(sink.primary_key.size(), 2u);
  EXPECT_EQ(sink.primary_key[1].name, "sensor_id");

  const auto& set = statements[5]->As<StatementSetStatement>();
  ASSERT_EQ(set.inserts.size(), 2u);
  EXPECT_EQ(set.inserts[0]->table.Joined(), "readings");
  EXPECT_EQ(set.inserts[0]->query->where->ToString(), "temperature IS NOT NULL");
  const SelectQuery& windowed = *set.inserts[1]->query;
  ASSERT_EQ(windowed.items.size(), 8u);
  EXPECT_EQ(windowed.items[3].expr->ToString(), "COUNT(*)");
  EXPECT_EQ(windowed.items[3].alias->name, "readings");
  ASSERT_TRUE(windowed.from);
  EXPECT_EQ(windowed.from->kind, TableRefKind::kWindow);
  EXPECT_EQ(windowed.from->window, WindowKind::kTumble);
  EXPECT_EQ(windowed.from->table.Joined(), "telemetry");
  EXPECT_EQ(windowed.from->time_column.name, "ts");
  EXPECT_EQ(windowed.from->size->ToString(), "INTERVAL '10' SECOND");
  EXPECT_EQ(windowed.group_by.size(), 3u);
  EXPECT_EQ(windowed.ToString(),
            "SELECT window_start, window_end, sensor_id, COUNT(*) AS readings, AVG(temperature) AS avg_temperature, "
            "MIN(temperature) AS min_temperature, MAX(temperature) AS max_temperature, AVG(humidity) AS avg_humidity "
            "FROM TABLE(TUMBLE(TABLE telemetry, DESCRIPTOR(ts), INTERVAL '10' SECOND)) "
            "GROUP BY window_start, window_end, sensor_id");
}

TEST(ParserTest, SeedJobRoundTrips) {
  ExpectRoundTrip(ReadJob("telemetry.sql"));
}

TEST(ParserTest, HopAndCumulatePositionalAndNamedArgumentsAreTheSame) {
  auto hop = MustParse("SELECT * FROM TABLE(HOP(TABLE t, DESCRIPTOR(ts), INTERVAL '5' SECOND, INTERVAL '10' SECOND))");
  auto hop_named = MustParse(
      "SELECT * FROM TABLE(HOP(DATA => TABLE t, TIMECOL => DESCRIPTOR(ts), SLIDE => INTERVAL '5' SECOND, "
      "SIZE => INTERVAL '10' SECONDS))");
  auto hop_reordered = MustParse(
      "SELECT * FROM TABLE(HOP(size => INTERVAL '10' SECOND, slide => INTERVAL '5' SECOND, "
      "timecol => DESCRIPTOR(ts), data => TABLE t))");
  ASSERT_EQ(hop.size(), 1u);
  EXPECT_TRUE(hop[0]->Equals(*hop_named[0]));
  EXPECT_TRUE(hop[0]->Equals(*hop_reordered[0]));
  const TableRef& from = *hop[0]->As<QueryStatement>().query->from;
  EXPECT_EQ(from.window, WindowKind::kHop);
  EXPECT_EQ(from.step->ToString(), "INTERVAL '5' SECOND");
  EXPECT_EQ(from.size->ToString(), "INTERVAL '10' SECOND");
  EXPECT_EQ(hop_named[0]->ToString(),
            "SELECT * FROM TABLE(HOP(TABLE t, DESCRIPTOR(ts), INTERVAL '5' SECOND, INTERVAL '10' SECOND))");

  auto cumulate = MustParse(
      "SELECT * FROM TABLE(CUMULATE(TABLE t, DESCRIPTOR(ts), INTERVAL '1' MINUTE, INTERVAL '1' HOUR, "
      "INTERVAL '5' MINUTE)) AS w");
  auto cumulate_named = MustParse(
      "SELECT * FROM TABLE(CUMULATE(DATA => TABLE t, TIMECOL => DESCRIPTOR(ts), STEP => INTERVAL '1' MINUTES, "
      "SIZE => INTERVAL '1' HOURS, OFFSET => INTERVAL '5' MINUTE)) w");
  EXPECT_TRUE(cumulate[0]->Equals(*cumulate_named[0]));
  const TableRef& c = *cumulate[0]->As<QueryStatement>().query->from;
  EXPECT_EQ(c.window, WindowKind::kCumulate);
  EXPECT_EQ(c.offset->ToString(), "INTERVAL '5' MINUTE");
  EXPECT_EQ(c.alias->name, "w");

  auto tumble_offset =
      MustParse("SELECT * FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '1' DAY, INTERVAL '-8' HOUR))");
  EXPECT_EQ(tumble_offset[0]->As<QueryStatement>().query->from->offset->ToString(), "INTERVAL '-8' HOUR");
}

TEST(ParserTest, OperatorPrecedenceIsFlinks) {
  struct Case {
    const char* sql;
    const char* parenthesized;  // the tree, every operator in parentheses
  };
  // A printer that shows the tree's shape.
  std::function<std::string(const ParsedExpression&)> shape = [&](const ParsedExpression& e) -> std::string {
    switch (e.kind()) {
      case ExprKind::kBinary: {
        const auto& b = e.As<BinaryExpr>();
        return "(" + shape(*b.left) + " " + BinaryOpSymbol(b.op) + " " + shape(*b.right) + ")";
      }
      case ExprKind::kUnary: {
        const auto& u = e.As<UnaryExpr>();
        return std::string("(") + (u.op == UnaryOp::kNot ? "NOT " : "-") + shape(*u.operand) + ")";
      }
      case ExprKind::kIs: return "(" + shape(*e.As<IsExpr>().operand) + " IS ...)";
      case ExprKind::kBetween: {
        const auto& b = e.As<BetweenExpr>();
        return "(" + shape(*b.operand) + " BETWEEN " + shape(*b.low) + " AND " + shape(*b.high) + ")";
      }
      case ExprKind::kLike:
        return "(" + shape(*e.As<LikeExpr>().operand) + " LIKE " + shape(*e.As<LikeExpr>().pattern) + ")";
      case ExprKind::kInList: return "(" + shape(*e.As<InListExpr>().operand) + " IN ...)";
      default: return e.ToString();
    }
  };
  const Case cases[] = {
      {"a OR b AND c", "(a OR (b AND c))"},
      {"a AND b OR c", "((a AND b) OR c)"},
      {"NOT a AND b", "((NOT a) AND b)"},
      {"NOT a = b", "(NOT (a = b))"},
      {"NOT a IS NULL", "(NOT (a IS ...))"},
      {"a = b IS NULL", "((a = b) IS ...)"},
      {"a + b * c", "(a + (b * c))"},
      {"a - b - c", "((a - b) - c)"},
      {"a || b + c", "((a || b) + c)"},
      {"-a * b", "((-a) * b)"},
      {"a < b + 1", "(a < (b + 1))"},
      {"x BETWEEN a + 1 AND b * 2 AND c", "((x BETWEEN (a + 1) AND (b * 2)) AND c)"},
      {"a = b BETWEEN c AND d", "(a = (b BETWEEN c AND d))"},
      {"x LIKE 'a%' OR y IN (1, 2)", "((x LIKE 'a%') OR (y IN ...))"},
      {"a IS DISTINCT FROM b AND c", "((a IS DISTINCT FROM b) AND c)"},
  };
  for (const Case& c : cases) {
    ExprPtr e = MustParseExpr(c.sql);
    ASSERT_TRUE(e) << c.sql;
    EXPECT_EQ(shape(*e), c.parenthesized) << c.sql;
  }
}

TEST(ParserTest, PrintsTheFewestParenthesesThatKeepTheTree) {
  const std::pair<const char*, const char*> cases[] = {
      {"(a + b) * c", "(a + b) * c"},
      {"a + (b * c)", "a + b * c"},
      {"a - (b - c)", "a - (b - c)"},
      {"(a - b) - c", "a - b - c"},
      {"NOT (a AND b)", "NOT (a AND b)"},
      {"- (- a)", "-(-a)"},
      {"-(a + 1)", "-(a + 1)"},
      {"(a OR b) AND c", "(a OR b) AND c"},
      {"x NOT BETWEEN (a OR b) AND c", "x NOT BETWEEN (a OR b) AND c"},
      {"CASE WHEN a THEN 1 ELSE 2 END", "CASE WHEN a THEN 1 ELSE 2 END"},
      {"cast(x as decimal(10,2))", "CAST(x AS DECIMAL(10, 2))"},
      {"count(distinct x)", "COUNT(DISTINCT x)"},
      {"current_timestamp", "CURRENT_TIMESTAMP"},
      {"`select` + `a b` + `Date`", "`select` + `a b` + `Date`"},
      {"substring(s from 2 for 3)", "SUBSTRING(s, 2, 3)"},
      {"x is not true", "x IS NOT TRUE"},
      {"interval '10' seconds", "INTERVAL '10' SECOND"},
      {"INTERVAL -'5' MINUTE", "INTERVAL '-5' MINUTE"},
      {"timestamp '2024-11-25 12:00:00.5'", "TIMESTAMP '2024-11-25 12:00:00.5'"},
      {"a != b", "a <> b"},
  };
  for (const auto& [sql, printed] : cases) {
    ExprPtr e = MustParseExpr(sql);
    ASSERT_TRUE(e) << sql;
    EXPECT_EQ(e->ToString(), printed) << sql;
    ExprPtr again = MustParseExpr(e->ToString());
    ASSERT_TRUE(again) << sql;
    EXPECT_TRUE(e->Equals(*again)) << sql;
  }
}

TEST(ParserTest, StatementsRoundTrip) {
  const char* scripts[] = {
      "CREATE TEMPORARY TABLE IF NOT EXISTS cat.db.t (a INT NOT NULL COMMENT 'x', b VARCHAR(10), "
      "c DECIMAL(10, 2), e TIMESTAMP(3) WITH LOCAL TIME ZONE METADATA FROM 'timestamp' VIRTUAL, "
      "f TIMESTAMP_LTZ(3) METADATA, g AS a + 1, WATERMARK FOR e AS e - INTERVAL '1' MINUTE, "
      "CONSTRAINT pk PRIMARY KEY (a) NOT ENFORCED) COMMENT 'a table' PARTITIONED BY (b) WITH ('k' = 'v''s')",
      "CREATE TABLE t (id BIGINT PRIMARY KEY NOT ENFORCED, `select` STRING)",
      "INSERT INTO s (a, b) SELECT DISTINCT a, b FROM t AS x WHERE a > 1 ORDER BY a DESC NULLS LAST, 2 LIMIT 10",
      "SELECT t.* FROM t",
      "SELECT a FROM (SELECT a, b FROM t WHERE b LIKE 'x!%' ESCAPE '!') AS s",
      "SELECT CASE x WHEN 1 THEN 'one' WHEN 2 THEN 'two' END, TRY_CAST(y AS INT) FROM t",
      "SELECT x FROM t WHERE x NOT IN (1, 2, 3) AND y IS NOT DISTINCT FROM z",
      "SET 'table.local-time-zone' = 'Europe/Berlin'; SELECT 1;",
      "BEGIN STATEMENT SET; INSERT INTO a SELECT * FROM b; INSERT INTO c SELECT * FROM d; END;",
      "SELECT COUNT(*), SUM(DISTINCT x), 1.5E3, .5, 7., 'it''s', DATE '2024-11-25', TIME '12:30:00', TRUE, NULL "
      "FROM t GROUP BY y HAVING COUNT(*) > 1",
  };
  for (const char* sql : scripts) ExpectRoundTrip(sql);
}

TEST(ParserTest, ClientStatementSetIsTheSameAsExecuteStatementSet) {
  auto client = MustParse("BEGIN STATEMENT SET;\nINSERT INTO a SELECT x FROM b;\nEND;");
  auto execute = MustParse("EXECUTE STATEMENT SET BEGIN INSERT INTO a SELECT x FROM b; END");
  ASSERT_EQ(client.size(), 1u);
  EXPECT_TRUE(client[0]->Equals(*execute[0]));
  EXPECT_EQ(client[0]->ToString(), "EXECUTE STATEMENT SET BEGIN INSERT INTO a SELECT x FROM b; END");
}

TEST(ParserTest, TypesWithFlinksDefaults) {
  const std::pair<const char*, const char*> cases[] = {
      {"STRING", "STRING"},
      {"VARCHAR", "VARCHAR(1)"},
      {"varchar(2147483647)", "STRING"},
      {"CHAR(3)", "CHAR(3)"},
      {"BOOLEAN", "BOOLEAN"},
      {"TINYINT", "TINYINT"},
      {"SMALLINT", "SMALLINT"},
      {"INTEGER", "INT"},
      {"BIGINT NOT NULL", "BIGINT NOT NULL"},
      {"FLOAT", "FLOAT"},
      {"DOUBLE PRECISION", "DOUBLE"},
      {"DECIMAL", "DECIMAL(10, 0)"},
      {"NUMERIC(5)", "DECIMAL(5, 0)"},
      {"DECIMAL(38, 38)", "DECIMAL(38, 38)"},
      {"DATE", "DATE"},
      {"TIME", "TIME(0)"},
      {"TIMESTAMP", "TIMESTAMP(6)"},
      {"TIMESTAMP(3) WITHOUT TIME ZONE", "TIMESTAMP(3)"},
      {"TIMESTAMP(3) WITH LOCAL TIME ZONE", "TIMESTAMP_LTZ(3)"},
      {"TIMESTAMP_LTZ", "TIMESTAMP_LTZ(6)"},
      {"TIMESTAMP_LTZ(9) NOT NULL", "TIMESTAMP_LTZ(9) NOT NULL"},
      {"BYTES", "BYTES"},
      {"BINARY(16)", "BINARY(16)"},
      {"VARBINARY(100) NULL", "VARBINARY(100)"},
  };
  for (const auto& [sql, printed] : cases) {
    auto type = ParseDataType(sql);
    ASSERT_TRUE(type.ok()) << sql << ": " << type.status().ToString();
    EXPECT_EQ(type->ToString(), printed) << sql;
  }
}

TEST(ParserTest, ErrorsPointAtTheTokenWithTheReason) {
  const std::pair<const char*, const char*> cases[] = {
      {"SELECT COUNT(x FROM t", "line 1, column 16: expected ')' but found 'FROM'"},
      {"SELECT a, FROM t", "line 1, column 11: expected an expression but found 'FROM'"},
      {"SELECT a FROM t WHERE", "line 1, column 22: expected an expression but found end of input"},
      {"SELECT 1 SELECT 2", "line 1, column 10: expected ';' after the statement but found 'SELECT'"},
      {"SELECT SUM(x) OVER (PARTITION BY y) FROM t", "line 1, column 15: unsupported: window function OVER (...)"},
      {"SELECT a FROM t JOIN u ON t.a = u.a",
       "line 1, column 17: unsupported: JOIN; a query reads one table in this version of floe"},
      {"SELECT a FROM t, u",
       "line 1, column 16: unsupported: several tables in FROM (a join); a query reads one table in this version of "
       "floe"},
      {"SELECT 1 UNION ALL SELECT 2", "line 1, column 10: unsupported: UNION of queries"},
      {"SELECT a FROM t WHERE a IN (SELECT b FROM u)", "line 1, column 29: unsupported: IN (subquery)"},
      {"SELECT (SELECT 1)", "line 1, column 9: unsupported: subquery in an expression"},
      {"WITH x AS (SELECT 1) SELECT * FROM x",
       "line 1, column 1: unsupported: WITH (common table expressions); use a subquery in FROM"},
      {"INSERT INTO t VALUES (1)", "line 1, column 15: unsupported: INSERT ... VALUES; insert a query's rows"},
      {"DROP TABLE t", "line 1, column 1: unsupported: DROP statements"},
      {"CREATE VIEW v AS SELECT 1", "line 1, column 8: unsupported: CREATE VIEW; a floe job declares tables only"},
      {"CREATE TABLE t (a INT, PRIMARY KEY (a))",
       "line 1, column 39: expected NOT ENFORCED after the PRIMARY KEY but found ')'"},
      {"CREATE TABLE t (a INT PRIMARY KEY ENFORCED)",
       "line 1, column 35: unsupported: ENFORCED primary key; floe, like Flink, does not own the data: write PRIMARY "
       "KEY (...) NOT ENFORCED"},
      {"CREATE TABLE t (a INT PRIMARY KEY NOT ENFORCED, PRIMARY KEY (a) NOT ENFORCED)",
       "line 1, column 49: a table has at most one PRIMARY KEY (the first is at line 1, column 23)"},
      {"CREATE TABLE t (a STRNG)", "line 1, column 19: unknown type 'STRNG' (did you mean 'STRING'?)"},
      {"CREATE TABLE t (a ARRAY<INT>)", "line 1, column 19: unsupported: type ARRAY"},
      {"CREATE TABLE t (a DECIMAL(40, 2))", "line 1, column 27: DECIMAL precision must be between 1 and 38, got 40"},
      {"CREATE TABLE t (a DECIMAL(5, 7))", "line 1, column 30: DECIMAL scale 7 is larger than its precision 5"},
      {"CREATE TABLE t (a VARCHAR(0))", "line 1, column 27: VARCHAR length must be between 1 and 2147483647, got 0"},
      {"CREATE TABLE t (a TIMESTAMP WITH TIME ZONE)",
       "line 1, column 29: unsupported: TIMESTAMP WITH TIME ZONE; use TIMESTAMP_LTZ (WITH LOCAL TIME ZONE)"},
      {"CREATE TABLE t (a INT) WITH (connector = 'kafka')",
       "line 1, column 30: expected a quoted option key such as 'connector' but found 'connector'"},
      {"CREATE TABLE t (a INT b INT)", "line 1, column 23: expected ',' or ')' but found 'b'"},
      {"CREATE TABLE t (\n  a INT,\n  b STRNG\n)", "line 3, column 5: unknown type 'STRNG' (did you mean 'STRING'?)"},
      {"SET table.local-time-zone = 'UTC'",
       "line 1, column 5: expected a quoted key such as SET 'table.local-time-zone' = 'UTC' but found 'table'"},
      {"SELECT INTERVAL 10 SECOND",
       "line 1, column 17: expected a quoted interval value such as INTERVAL '10' SECOND but found '10'"},
      {"SELECT INTERVAL '10' WEEK",
       "line 1, column 22: expected an interval unit (SECOND, MINUTE, HOUR, DAY, MONTH or YEAR) but found 'WEEK'"},
      {"SELECT INTERVAL '1 10' DAY TO HOUR",
       "line 1, column 28: unsupported: interval qualifier DAY TO ...; write the interval in one unit, e.g. INTERVAL "
       "'90' MINUTE"},
      {"SELECT * FROM TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '1' SECOND)",
       "line 1, column 15: a table function in FROM is written TABLE(TUMBLE(...)), as in FROM TABLE(TUMBLE(TABLE t, "
       "DESCRIPTOR(ts), INTERVAL '10' SECOND))"},
      {"SELECT * FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts)))",
       "line 1, column 51: TUMBLE is missing its SIZE argument: write TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '10' "
       "SECOND)"},
      {"SELECT * FROM TABLE(HOP(TABLE t, DESCRIPTOR(ts), INTERVAL '10' SECOND))",
       "line 1, column 70: HOP is missing its SIZE argument: write HOP(TABLE t, DESCRIPTOR(ts), INTERVAL '5' SECOND, "
       "INTERVAL '10' SECOND)"},
      {"SELECT * FROM TABLE(TUMBLE(DATA => TABLE t, TIMECOL => DESCRIPTOR(ts), WIDTH => INTERVAL '1' SECOND))",
       "line 1, column 72: unknown parameter WIDTH of TUMBLE; it takes DATA, TIMECOL, SIZE and OFFSET"},
      {"SELECT * FROM TABLE(TUMBLE(TABLE t, TIMECOL => DESCRIPTOR(ts), SIZE => INTERVAL '1' SECOND))",
       "line 1, column 48: mix of named and positional arguments in TUMBLE; name all or none"},
      {"SELECT * FROM TABLE(TUMBLE(t, DESCRIPTOR(ts), INTERVAL '1' SECOND))",
       "line 1, column 28: expected TABLE <name> as TUMBLE's DATA argument"},
      {"SELECT * FROM TABLE(TUMBLE(TABLE t, ts, INTERVAL '1' SECOND))",
       "line 1, column 37: expected DESCRIPTOR(<time column>) as TUMBLE's TIMECOL argument"},
      {"SELECT * FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts, ts2), INTERVAL '1' SECOND))",
       "line 1, column 50: a window's DESCRIPTOR names exactly one time column"},
      {"SELECT * FROM TABLE(SESSION(TABLE t, DESCRIPTOR(ts), INTERVAL '1' SECOND))",
       "line 1, column 21: unsupported: SESSION windows; use TUMBLE, HOP or CUMULATE"},
      {"SELECT * FROM TABLE(TUMBLE(TABLE (SELECT 1), DESCRIPTOR(ts), INTERVAL '1' SECOND))",
       "line 1, column 34: unsupported: a subquery as the window's data; name a table"},
      {"SELECT a FROM t FOR SYSTEM_TIME AS OF x",
       "line 1, column 17: unsupported: FOR SYSTEM_TIME AS OF (temporal joins)"},
      {"SELECT EXTRACT(HOUR FROM ts) FROM t", "line 1, column 8: unsupported: EXTRACT(...) with its keyword syntax"},
      {"SELECT COUNT(*) FILTER (WHERE x > 1) FROM t",
       "line 1, column 17: unsupported: aggregate FILTER (WHERE ...); use CASE inside the aggregate"},
      {"SELECT a FROM t GROUP BY ROLLUP(a)", "line 1, column 26: unsupported: GROUP BY ROLLUP"},
      {"EXECUTE STATEMENT SET BEGIN SELECT 1; END",
       "line 1, column 29: expected INSERT INTO (a statement set holds INSERT statements only) but found 'SELECT'"},
      {"EXECUTE STATEMENT SET BEGIN INSERT INTO a SELECT 1 END",
       "line 1, column 52: expected ';' after the INSERT but found 'END'"},
      {"BEGIN STATEMENT SET; END;", "line 1, column 22: empty statement set: add INSERT INTO statements before END"},
  };
  for (const auto& [sql, message] : cases) EXPECT_EQ(ParseError(sql), message) << sql;
}

TEST(ParserTest, ParseStatementWantsExactlyOne) {
  EXPECT_TRUE(ParseStatement("SELECT 1;").ok());
  auto two = ParseStatement("SELECT 1; SELECT 2");
  ASSERT_FALSE(two.ok());
  EXPECT_EQ(two.status().message(), "line 1, column 11: unexpected 'SELECT' after the end");
  auto none = ParseStatement("  ");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().message(),
            "line 1, column 3: expected a statement (CREATE TABLE, INSERT INTO, SELECT, SET or EXECUTE STATEMENT SET) "
            "but found end of input");
}

TEST(ParserTest, RefusesNestingDeeperThanItsLimitInsteadOfOverflowingTheStack) {
  std::string deep_parens = "SELECT " + std::string(100000, '(') + "1" + std::string(100000, ')');
  EXPECT_EQ(ParseError(deep_parens),
            "line 1, column 507: expression or query nested too deeply (more than 500 levels)");
  std::string long_chain = "SELECT 1";
  for (int i = 0; i < 100000; ++i) long_chain += "+1";
  EXPECT_EQ(ParseError(long_chain).substr(0, 20), "line 1, column 1004:");
  std::string deep_subqueries = "SELECT * FROM ";
  for (int i = 0; i < 1000; ++i) deep_subqueries += "(SELECT * FROM ";
  EXPECT_NE(ParseError(deep_subqueries).find("nested too deeply"), std::string::npos);
  // Within the limit, deep trees are fine.
  std::string ok_chain = "SELECT 1";
  for (int i = 0; i < 400; ++i) ok_chain += " + 1";
  EXPECT_EQ(MustParse(ok_chain).size(), 1u);
}

TEST(ParserTest, EmptyScriptsAndEmptyStatementsAreFine) {
  EXPECT_TRUE(MustParse("").empty());
  EXPECT_TRUE(MustParse(" ;; -- nothing\n").empty());
  EXPECT_EQ(MustParse("SELECT 1;;SELECT 2").size(), 2u);
}

}  // namespace
}  // namespace floe::sql
