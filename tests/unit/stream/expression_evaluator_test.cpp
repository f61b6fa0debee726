#include "floe/stream/expression_evaluator.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "floe/sql/binder.h"

namespace floe::stream {
namespace {

using sql::DataType;

constexpr const char* kTable =
    "CREATE TABLE t (a INT, b DOUBLE, s STRING, ts TIMESTAMP(3), d DECIMAL(10, 2), n BIGINT, f FLOAT, dt DATE, "
    "bo BOOLEAN, ltz TIMESTAMP_LTZ(3), tm TIME(0), bin BYTES, ti TINYINT, si SMALLINT, d2 DECIMAL(38, 10), "
    "ms BIGINT) WITH ('connector' = 'kafka');\n";

constexpr int64_t kTs = 1'732'537'800'123'000;  // 2024-11-25 12:30:00.123

Row DefaultRow() {
  return {Datum::Int(42),
          Datum::Double(21.5),
          Datum::String("hello"),
          Datum::Int(kTs),
          Datum::Decimal(1230),  // 12.30
          Datum::Int(10'000'000'000),
          Datum::Double(1.5),
          Datum::Int(20052),  // 2024-11-25
          Datum::Bool(true),
          Datum::Int(kTs),
          Datum::Int(45'000'000'000),  // 12:30:00
          Datum::String("\x0a\xff"),
          Datum::Int(100),
          Datum::Int(30000),
          Datum::Decimal(static_cast<Int128>(123456789) * 10'000'000'000 + 5),  // 123456789.0000000005
          Datum::Int(1'732'537'800'123)};
}

Row NullRow() {
  return Row(16, Datum::Null());
}

// Binds "SELECT <expr> FROM t [WHERE <where>]" and compiles the projection (or the WHERE clause).
Result<CompiledExpression> CompileSelect(std::string_view expr, bool where = false) {
  std::string sql = std::string(kTable) +
                    (where ? "SELECT 1 FROM t WHERE " + std::string(expr) : "SELECT " + std::string(expr) + " FROM t");
  Result<sql::BoundScript> script = sql::BindScript(sql);
  if (!script.ok()) return Status::InvalidArgument("bind: " + script.status().message());
  const sql::BoundQuery& q = script->queries.at(0);
  return CompiledExpression::Compile(where ? q.where : q.projections.at(0));
}

// The result as text ("43", "NULL", "hello"), or "ERROR: <message>" / "COMPILE: <message>".
std::string Eval(std::string_view expr, const Row& row = DefaultRow()) {
  Result<CompiledExpression> e = CompileSelect(expr);
  if (!e.ok()) return "COMPILE: " + e.status().message();
  Datum out;
  Status st = e->Evaluate(row, &out);
  if (!st.ok()) return "ERROR: " + st.message();
  return DatumToString(out, e->type());
}

std::string EvalNull(std::string_view expr) {
  return Eval(expr, NullRow());
}

std::string TypeOf(std::string_view expr) {
  Result<CompiledExpression> e = CompileSelect(expr);
  return e.ok() ? e->type().ToString() : "COMPILE: " + e.status().message();
}

bool Filter(std::string_view predicate, const Row& row = DefaultRow()) {
  Result<CompiledExpression> e = CompileSelect(predicate, /*where=*/true);
  EXPECT_TRUE(e.ok()) << e.status().message();
  if (!e.ok()) return false;
  bool keep = false;
  Status st = e->EvaluateFilter(row, &keep);
  EXPECT_TRUE(st.ok()) << st.message();
  return keep;
}

TEST(ExpressionEvaluatorTest, ColumnsAndLiterals) {
  EXPECT_EQ(Eval("a"), "42");
  EXPECT_EQ(Eval("s"), "hello");
  EXPECT_EQ(Eval("ts"), "2024-11-25 12:30:00.123");
  EXPECT_EQ(Eval("d"), "12.30");
  EXPECT_EQ(Eval("'lit'"), "lit");
  EXPECT_EQ(Eval("TRUE"), "TRUE");
  EXPECT_EQ(EvalNull("a"), "NULL");
}

TEST(ExpressionEvaluatorTest, IntegerArithmeticWrapsAndTruncates) {
  EXPECT_EQ(Eval("a + 1"), "43");
  EXPECT_EQ(Eval("a - 50"), "-8");
  EXPECT_EQ(Eval("a * 2"), "84");
  EXPECT_EQ(Eval("a / 5"), "8");
  EXPECT_EQ(Eval("-7 / 2"), "-3");
  EXPECT_EQ(Eval("a % 5"), "2");
  EXPECT_EQ(Eval("-7 % 3"), "-1");
  EXPECT_EQ(Eval("7 % -3"), "1");
  EXPECT_EQ(Eval("MOD(a, 5)"), "2");
  EXPECT_EQ(Eval("-a"), "-42");
  EXPECT_EQ(Eval("n * 2"), "20000000000");
  // INT arithmetic wraps as Java's int does.
  EXPECT_EQ(Eval("a * 100000000"), "-94967296");
  EXPECT_EQ(Eval("CAST(a AS BIGINT) * 100000000"), "4200000000");
  EXPECT_EQ(EvalNull("a + 1"), "NULL");
  EXPECT_EQ(TypeOf("ti + ti"), "TINYINT");
  EXPECT_EQ(Eval("ti + ti"), "-56");  // 200 wraps in TINYINT
}

TEST(ExpressionEvaluatorTest, DivisionByZeroNamesTheOperation) {
  EXPECT_EQ(Eval("a / 0"), "ERROR: division by zero: 42 / 0");
  EXPECT_EQ(Eval("a % 0"), "ERROR: division by zero: 42 % 0");
  EXPECT_EQ(Eval("MOD(a, 0)"), "ERROR: division by zero: MOD(42, 0)");
  EXPECT_EQ(Eval("d / 0"), "ERROR: division by zero: 12.30 / 0");
  EXPECT_EQ(Eval("b / 0"), "Infinity");
  EXPECT_EQ(Eval("b / 0 - b / 0"), "NaN");
  // A constant expression that fails stays a runtime error (not a compile error) and is raised per row.
  Result<CompiledExpression> e = CompileSelect("1 / 0");
  ASSERT_TRUE(e.ok()) << e.status().message();
  Datum out;
  EXPECT_EQ(e->Evaluate(DefaultRow(), &out).code(), StatusCode::kInvalidArgument);
}

TEST(ExpressionEvaluatorTest, ApproximateArithmetic) {
  EXPECT_EQ(Eval("b + 1"), "22.5");
  EXPECT_EQ(Eval("b * 2"), "43.0");
  EXPECT_EQ(Eval("b / 4"), "5.375");
  EXPECT_EQ(Eval("a + b"), "63.5");
  EXPECT_EQ(TypeOf("f + f"), "FLOAT");
  EXPECT_EQ(Eval("f + CAST(0.1 AS FLOAT)"), "1.6");
  EXPECT_EQ(Eval("-b"), "-21.5");
}

TEST(ExpressionEvaluatorTest, DecimalArithmeticIsExact) {
  EXPECT_EQ(TypeOf("d + d"), "DECIMAL(11, 2)");
  EXPECT_EQ(Eval("d + d"), "24.60");
  EXPECT_EQ(Eval("d - 0.005"), "12.295");
  EXPECT_EQ(Eval("d * d"), "151.2900");
  EXPECT_EQ(TypeOf("d / 3"), "DECIMAL(21, 13)");
  EXPECT_EQ(Eval("d / 3"), "4.1000000000000");
  EXPECT_EQ(Eval("CAST(1 AS DECIMAL(10, 0)) / 3"), "0.33333333333");
  EXPECT_EQ(Eval("CAST(2 AS DECIMAL(10, 0)) / 3"), "0.66666666667");  // HALF_UP
  EXPECT_EQ(Eval("d % 5"), "2.30");
  EXPECT_EQ(Eval("-d"), "-12.30");
  EXPECT_EQ(Eval("0.1 + 0.2"), "0.3");
  EXPECT_EQ(Eval("d + a"), "54.30");
  // Large operands go through 256-bit intermediates.
  EXPECT_EQ(TypeOf("d2 * d2"), "DECIMAL(38, 6)");
  EXPECT_EQ(Eval("d2 * d2"), "15241578750190521.123457");  // 15241578750190521.1234567890000000000025
  EXPECT_EQ(Eval("d2 / d2"), "1.000000");
  // A result beyond the precision is NULL, as Flink's DecimalData.
  EXPECT_EQ(Eval("CAST(99999999999999999999999999999999999999 AS DECIMAL(38, 0)) + 1"), "NULL");
}

TEST(ExpressionEvaluatorTest, Comparisons) {
  EXPECT_EQ(Eval("a = 42"), "TRUE");
  EXPECT_EQ(Eval("a <> 42"), "FALSE");
  EXPECT_EQ(Eval("a < 43"), "TRUE");
  EXPECT_EQ(Eval("a <= 41"), "FALSE");
  EXPECT_EQ(Eval("a > b"), "TRUE");
  EXPECT_EQ(Eval("a >= 42.0"), "TRUE");
  EXPECT_EQ(Eval("s = 'hello'"), "TRUE");
  EXPECT_EQ(Eval("s < 'help'"), "TRUE");
  EXPECT_EQ(Eval("d = 12.3"), "TRUE");
  EXPECT_EQ(Eval("ts > TIMESTAMP '2024-11-25 12:30:00'"), "TRUE");
  EXPECT_EQ(Eval("dt = DATE '2024-11-25'"), "TRUE");
  EXPECT_EQ(Eval("bo = TRUE"), "TRUE");
  EXPECT_EQ(EvalNull("a = 1"), "NULL");
  EXPECT_EQ(EvalNull("a IS DISTINCT FROM 1"), "TRUE");
  EXPECT_EQ(EvalNull("a IS NOT DISTINCT FROM NULL"), "TRUE");
  EXPECT_EQ(Eval("a IS DISTINCT FROM 42"), "FALSE");
  // IEEE comparison: NaN is unequal to everything, itself included.
  EXPECT_EQ(Eval("CAST('NaN' AS DOUBLE) = CAST('NaN' AS DOUBLE)"), "FALSE");
  EXPECT_EQ(Eval("CAST('NaN' AS DOUBLE) <> 1.0E0"), "TRUE");
  EXPECT_EQ(Eval("CAST('NaN' AS DOUBLE) > 1.0E0"), "FALSE");
}

TEST(ExpressionEvaluatorTest, ThreeValuedLogic) {
  Row row = NullRow();
  row[0] = Datum::Int(1);  // a = 1; bo is NULL
  EXPECT_EQ(Eval("bo AND FALSE", row), "FALSE");
  EXPECT_EQ(Eval("bo AND TRUE", row), "NULL");
  EXPECT_EQ(Eval("FALSE AND bo", row), "FALSE");
  EXPECT_EQ(Eval("bo OR TRUE", row), "TRUE");
  EXPECT_EQ(Eval("bo OR FALSE", row), "NULL");
  EXPECT_EQ(Eval("NOT bo", row), "NULL");
  EXPECT_EQ(Eval("NOT (a = 1)", row), "FALSE");
  EXPECT_EQ(Eval("bo IS NULL", row), "TRUE");
  EXPECT_EQ(Eval("bo IS NOT NULL", row), "FALSE");
  EXPECT_EQ(Eval("bo IS TRUE", row), "FALSE");
  EXPECT_EQ(Eval("bo IS NOT TRUE", row), "TRUE");
  EXPECT_EQ(Eval("bo IS FALSE", row), "FALSE");
  EXPECT_EQ(Eval("bo IS NOT FALSE", row), "TRUE");
  EXPECT_EQ(Eval("bo IS UNKNOWN", row), "TRUE");
  EXPECT_EQ(Eval("bo IS TRUE"), "TRUE");
  // AND stops at FALSE: the division is never evaluated.
  EXPECT_EQ(Eval("a = 0 AND 10 / (a - 42) > 1"), "FALSE");
}

TEST(ExpressionEvaluatorTest, BetweenAndIn) {
  EXPECT_EQ(Eval("a BETWEEN 40 AND 50"), "TRUE");
  EXPECT_EQ(Eval("a BETWEEN 43 AND 50"), "FALSE");
  EXPECT_EQ(Eval("a NOT BETWEEN 43 AND 50"), "TRUE");
  EXPECT_EQ(Eval("a BETWEEN 43 AND NULL"), "FALSE");
  EXPECT_EQ(Eval("a BETWEEN 40 AND NULL"), "NULL");
  EXPECT_EQ(EvalNull("a BETWEEN 1 AND 2"), "NULL");
  EXPECT_EQ(Eval("a IN (1, 42, 3)"), "TRUE");
  EXPECT_EQ(Eval("a IN (1, 2)"), "FALSE");
  EXPECT_EQ(Eval("a NOT IN (1, 2)"), "TRUE");
  EXPECT_EQ(Eval("a IN (1, NULL)"), "NULL");
  EXPECT_EQ(Eval("a IN (42, NULL)"), "TRUE");
  EXPECT_EQ(Eval("a NOT IN (1, NULL)"), "NULL");
  EXPECT_EQ(EvalNull("a IN (1, 2)"), "NULL");
  EXPECT_EQ(Eval("s IN ('x', 'hello')"), "TRUE");
  EXPECT_EQ(Eval("a IN (a + 0, 7)"), "TRUE");
}

TEST(ExpressionEvaluatorTest, Like) {
  EXPECT_EQ(Eval("s LIKE 'hello'"), "TRUE");
  EXPECT_EQ(Eval("s LIKE 'he%'"), "TRUE");
  EXPECT_EQ(Eval("s LIKE '%llo'"), "TRUE");
  EXPECT_EQ(Eval("s LIKE '%ll%'"), "TRUE");
  EXPECT_EQ(Eval("s LIKE 'h_llo'"), "TRUE");
  EXPECT_EQ(Eval("s LIKE 'h_l%o'"), "TRUE");
  EXPECT_EQ(Eval("s LIKE 'H%'"), "FALSE");
  EXPECT_EQ(Eval("s LIKE '%x%'"), "FALSE");
  EXPECT_EQ(Eval("s LIKE '_'"), "FALSE");
  EXPECT_EQ(Eval("s NOT LIKE 'he%'"), "FALSE");
  EXPECT_EQ(Eval("'a%b' LIKE 'a!%b' ESCAPE '!'"), "TRUE");
  EXPECT_EQ(Eval("'axb' LIKE 'a!%b' ESCAPE '!'"), "FALSE");
  EXPECT_EQ(Eval("'a_b' LIKE 'a\\_b' ESCAPE '\\'"), "TRUE");
  // '_' is one character, not one byte.
  EXPECT_EQ(Eval("'\xc3\xa9t\xc3\xa9' LIKE '_t_'"), "TRUE");
  EXPECT_EQ(Eval("'abcabd' LIKE '%ab_'"), "TRUE");
  EXPECT_EQ(Eval("'aaa' LIKE '%a%a%a%'"), "TRUE");
  EXPECT_EQ(Eval("'aa' LIKE '%a%a%a%'"), "FALSE");
  EXPECT_EQ(EvalNull("s LIKE 'a%'"), "NULL");
  EXPECT_EQ(Eval("s LIKE s"), "TRUE");  // a pattern that is not a constant
  EXPECT_EQ(Eval("s LIKE 'a!' ESCAPE '!'"), "COMPILE: LIKE pattern 'a!' ends with the escape character");
  EXPECT_EQ(Eval("s LIKE 'a' ESCAPE '!!'"), "COMPILE: LIKE's escape must be one character, got '!!'");
}

TEST(ExpressionEvaluatorTest, CaseAndNullFunctions) {
  EXPECT_EQ(Eval("CASE WHEN a > 40 THEN 'big' WHEN a > 10 THEN 'mid' ELSE 'small' END"), "big");
  EXPECT_EQ(Eval("CASE WHEN a > 50 THEN 'big' WHEN a > 10 THEN 'mid' ELSE 'small' END"), "mid");
  EXPECT_EQ(Eval("CASE WHEN a > 50 THEN 'big' END"), "NULL");
  EXPECT_EQ(Eval("CASE a WHEN 1 THEN 'one' WHEN 42 THEN 'answer' END"), "answer");
  EXPECT_EQ(EvalNull("CASE WHEN bo THEN 1 ELSE 2 END"), "2");
  EXPECT_EQ(EvalNull("COALESCE(a, 7)"), "7");
  EXPECT_EQ(Eval("COALESCE(a, 7)"), "42");
  EXPECT_EQ(EvalNull("COALESCE(a, n, 9)"), "9");
  EXPECT_EQ(EvalNull("IFNULL(s, 'dflt')"), "dflt");
  EXPECT_EQ(Eval("NULLIF(a, 42)"), "NULL");
  EXPECT_EQ(Eval("NULLIF(a, 1)"), "42");
  EXPECT_EQ(Eval("IF(a > 40, 'y', 'n')"), "y");
  EXPECT_EQ(EvalNull("IF(bo, 'y', 'n')"), "n");
  EXPECT_EQ(Eval("GREATEST(a, 7, 99)"), "99");
  EXPECT_EQ(Eval("LEAST(a, 7, 99)"), "7");
  EXPECT_EQ(Eval("GREATEST(s, 'world')"), "world");
  EXPECT_EQ(Eval("GREATEST(a, NULL)"), "NULL");
  // COALESCE evaluates lazily: the failing branch is never reached.
  EXPECT_EQ(Eval("COALESCE(a, 1 / (a - 42))"), "42");
}

TEST(ExpressionEvaluatorTest, NumericFunctions) {
  EXPECT_EQ(Eval("ABS(-a)"), "42");
  EXPECT_EQ(Eval("ABS(-d)"), "12.30");
  EXPECT_EQ(Eval("ABS(-b)"), "21.5");
  EXPECT_EQ(Eval("SIGN(-a)"), "-1");
  EXPECT_EQ(Eval("SIGN(d)"), "1.00");
  EXPECT_EQ(Eval("SIGN(0.0E0)"), "0.0");
  EXPECT_EQ(Eval("FLOOR(b)"), "21.0");
  EXPECT_EQ(Eval("CEIL(b)"), "22.0");
  EXPECT_EQ(Eval("FLOOR(-d)"), "-13");
  EXPECT_EQ(Eval("CEILING(d)"), "13");
  EXPECT_EQ(TypeOf("CEIL(d)"), "DECIMAL(9, 0)");
  EXPECT_EQ(Eval("FLOOR(a)"), "42");
  EXPECT_EQ(Eval("ROUND(d, 1)"), "12.3");
  EXPECT_EQ(Eval("ROUND(12.345, 2)"), "12.35");
  EXPECT_EQ(Eval("ROUND(-12.345, 2)"), "-12.35");
  EXPECT_EQ(Eval("ROUND(d)"), "12");
  EXPECT_EQ(Eval("ROUND(d, -1)"), "10");
  EXPECT_EQ(Eval("ROUND(2.675E0, 2)"), "2.68");  // from the shortest decimal form, as BigDecimal.valueOf
  EXPECT_EQ(Eval("ROUND(b, 0)"), "22.0");
  EXPECT_EQ(Eval("ROUND(-2.5E0, 0)"), "-3.0");
  EXPECT_EQ(Eval("ROUND(a, -1)"), "40");
  EXPECT_EQ(Eval("ROUND(45, -1)"), "50");
  EXPECT_EQ(Eval("ROUND(b, a - 41)"), "21.5");
  EXPECT_EQ(Eval("POWER(2, 10)"), "1024.0");
  EXPECT_EQ(Eval("SQRT(16)"), "4.0");
  EXPECT_EQ(Eval("SQRT(-1)"), "NaN");
  EXPECT_EQ(Eval("EXP(0)"), "1.0");
  EXPECT_EQ(Eval("LN(1)"), "0.0");
  EXPECT_EQ(Eval("LOG10(1000)"), "3.0");
  EXPECT_EQ(Eval("LOG2(8)"), "3.0");
  EXPECT_EQ(Eval("LOG(2, 8)"), "3.0");
  EXPECT_EQ(Eval("LOG(1)"), "0.0");
  EXPECT_EQ(EvalNull("SQRT(b)"), "NULL");
}

TEST(ExpressionEvaluatorTest, StringFunctions) {
  EXPECT_EQ(Eval("UPPER(s)"), "HELLO");
  EXPECT_EQ(Eval("LOWER('HeLLo')"), "hello");
  EXPECT_EQ(Eval("UPPER('stra\xc3\x9f\x65 \xc3\xa9t\xc3\xa9')"), "STRA\xc3\x9f\x45 \xc3\x89T\xc3\x89");
  EXPECT_EQ(Eval("INITCAP('hello wORLD-foo bar1x')"), "Hello World-Foo Bar1x");
  EXPECT_EQ(Eval("TRIM('  x y  ')"), "x y");
  EXPECT_EQ(Eval("LTRIM('  x  ')"), "x  ");
  EXPECT_EQ(Eval("RTRIM('  x  ')"), "  x");
  EXPECT_EQ(Eval("CHAR_LENGTH(s)"), "5");
  EXPECT_EQ(Eval("CHARACTER_LENGTH('\xc3\xa9t\xc3\xa9')"), "3");
  EXPECT_EQ(Eval("s || ' world'"), "hello world");
  EXPECT_EQ(Eval("CONCAT(s, '-', 'x')"), "hello-x");
  EXPECT_EQ(EvalNull("CONCAT(s, 'x')"), "NULL");
  EXPECT_EQ(EvalNull("CONCAT_WS('-', 'a', s, 'b')"), "a-b");
  EXPECT_EQ(Eval("CONCAT_WS('-', 'a', s)"), "a-hello");
  EXPECT_EQ(Eval("SUBSTRING(s, 2)"), "ello");
  EXPECT_EQ(Eval("SUBSTRING(s, 2, 3)"), "ell");
  EXPECT_EQ(Eval("SUBSTR(s, 0, 2)"), "he");
  EXPECT_EQ(Eval("SUBSTRING(s, -3)"), "llo");
  EXPECT_EQ(Eval("SUBSTRING(s, 10)"), "");
  EXPECT_EQ(Eval("SUBSTRING('\xc3\xa9t\xc3\xa9', 2, 2)"), "t\xc3\xa9");
  EXPECT_EQ(Eval("SUBSTRING(s FROM 2 FOR 2)"), "el");
  EXPECT_EQ(Eval("SUBSTRING(s, 1, a - 43)"), "ERROR: SUBSTRING('hello', 1, -1): the length must not be negative");
  EXPECT_EQ(Eval("REPLACE(s, 'l', 'L')"), "heLLo");
  EXPECT_EQ(Eval("REPLACE(s, '', 'x')"), "hello");
  EXPECT_EQ(Eval("LPAD(s, 8, 'ab')"), "abahello");
  EXPECT_EQ(Eval("RPAD(s, 8, 'ab')"), "helloaba");
  EXPECT_EQ(Eval("LPAD(s, 3, 'ab')"), "hel");
  EXPECT_EQ(Eval("LPAD(s, -1, 'ab')"), "NULL");
  EXPECT_EQ(Eval("RPAD(s, 8, '')"), "NULL");
  EXPECT_EQ(Eval("REGEXP_EXTRACT('foo123bar45', '([a-z]+)([0-9]+)', 2)"), "123");
  EXPECT_EQ(Eval("REGEXP_EXTRACT('foo123bar45', '[0-9]+')"), "123");
  EXPECT_EQ(Eval("REGEXP_EXTRACT(s, '[0-9]+')"), "NULL");
  EXPECT_EQ(Eval("REGEXP_EXTRACT(s, '(l+)', 5)"), "NULL");
  EXPECT_EQ(Eval("REGEXP_REPLACE(s, 'l+', 'L')"), "heLo");
  EXPECT_EQ(Eval("REGEXP_REPLACE('a1b22', '([0-9]+)', '<$1>')"), "a<1>b<22>");
  EXPECT_EQ(Eval("REGEXP_REPLACE(s, s, 'x')"), "x");  // a pattern compiled per row
  EXPECT_EQ(Eval("REGEXP_REPLACE(s, '(', 'x')").rfind("COMPILE: REGEXP_REPLACE: invalid regular expression '('", 0),
            0u);
  EXPECT_EQ(EvalNull("UPPER(s)"), "NULL");
}

TEST(ExpressionEvaluatorTest, CastBetweenNumbers) {
  EXPECT_EQ(Eval("CAST(a AS BIGINT)"), "42");
  EXPECT_EQ(Eval("CAST(a AS DOUBLE)"), "42.0");
  EXPECT_EQ(Eval("CAST(b AS INT)"), "21");
  EXPECT_EQ(Eval("CAST(-b AS INT)"), "-21");
  EXPECT_EQ(Eval("CAST(d AS INT)"), "12");
  EXPECT_EQ(Eval("CAST(-d AS INT)"), "-12");
  EXPECT_EQ(Eval("CAST(d AS DOUBLE)"), "12.3");
  EXPECT_EQ(Eval("CAST(b AS DECIMAL(5, 0))"), "22");  // HALF_UP
  EXPECT_EQ(Eval("CAST(d AS DECIMAL(5, 1))"), "12.3");
  EXPECT_EQ(Eval("CAST(12.35 AS DECIMAL(5, 1))"), "12.4");
  EXPECT_EQ(Eval("CAST(-12.35 AS DECIMAL(5, 1))"), "-12.4");
  EXPECT_EQ(Eval("CAST(0.1E0 AS DECIMAL(10, 3))"), "0.100");
  EXPECT_EQ(Eval("CAST(a AS DECIMAL(3, 1))"), "42.0");
  EXPECT_EQ(Eval("CAST(a AS DECIMAL(2, 1))"), "NULL");  // beyond the precision
  EXPECT_EQ(Eval("CAST(n AS INT)"), "ERROR: CAST(10000000000 AS INT) failed: out of range [-2147483648, 2147483647]");
  EXPECT_EQ(Eval("CAST(a * 10 AS TINYINT)"), "ERROR: CAST(420 AS TINYINT) failed: out of range [-128, 127]");
  EXPECT_EQ(Eval("CAST(si AS TINYINT)"), "ERROR: CAST(30000 AS TINYINT) failed: out of range [-128, 127]");
  EXPECT_EQ(Eval("CAST(1.0E19 AS BIGINT)"),
            "ERROR: CAST(1.0E19 AS BIGINT) failed: out of range [-9223372036854775808, 9223372036854775807]");
  EXPECT_EQ(Eval("CAST(CAST('NaN' AS DOUBLE) AS INT)"), "ERROR: CAST(NaN AS INT) failed: not a finite number");
  EXPECT_EQ(Eval("TRY_CAST(n AS INT)"), "NULL");
  EXPECT_EQ(Eval("CAST(b AS FLOAT)"), "21.5");
  EXPECT_EQ(Eval("CAST(bo AS INT)"), "1");
  EXPECT_EQ(Eval("CAST(a AS BOOLEAN)"), "TRUE");
  EXPECT_EQ(Eval("CAST(0 AS BOOLEAN)"), "FALSE");
  EXPECT_EQ(EvalNull("CAST(a AS BIGINT)"), "NULL");
}

TEST(ExpressionEvaluatorTest, CastFromAndToStrings) {
  EXPECT_EQ(Eval("CAST(' 12 ' AS INT)"), "12");
  EXPECT_EQ(Eval("CAST('-7' AS BIGINT)"), "-7");
  EXPECT_EQ(Eval("CAST('1.9' AS INT)"), "1");
  EXPECT_EQ(Eval("CAST('abc' AS INT)"), "ERROR: CAST('abc' AS INT) failed: not a number");
  EXPECT_EQ(Eval("TRY_CAST('abc' AS INT)"), "NULL");
  EXPECT_EQ(Eval("CAST('99999999999' AS INT)"),
            "ERROR: CAST('99999999999' AS INT) failed: out of range [-2147483648, 2147483647]");
  EXPECT_EQ(Eval("CAST('2.5' AS DOUBLE)"), "2.5");
  EXPECT_EQ(Eval("CAST('1e3' AS DOUBLE)"), "1000.0");
  EXPECT_EQ(Eval("CAST('-Infinity' AS DOUBLE)"), "-Infinity");
  EXPECT_EQ(Eval("CAST('x1' AS DOUBLE)"), "ERROR: CAST('x1' AS DOUBLE) failed: not a number");
  EXPECT_EQ(Eval("CAST('12.345' AS DECIMAL(10, 2))"), "12.35");
  EXPECT_EQ(Eval("CAST('-1.5e2' AS DECIMAL(10, 2))"), "-150.00");
  EXPECT_EQ(Eval("CAST('123456' AS DECIMAL(4, 2))"), "NULL");
  EXPECT_EQ(Eval("CAST('1.2.3' AS DECIMAL(4, 2))"), "ERROR: CAST('1.2.3' AS DECIMAL(4, 2)) failed: not a number");
  EXPECT_EQ(Eval("CAST('TRUE' AS BOOLEAN)"), "TRUE");
  EXPECT_EQ(Eval("CAST('no' AS BOOLEAN)"), "FALSE");
  EXPECT_EQ(Eval("CAST('maybe' AS BOOLEAN)").rfind("ERROR: CAST('maybe' AS BOOLEAN) failed: not a boolean", 0), 0u);
  EXPECT_EQ(Eval("CAST('2024-02-29' AS DATE)"), "2024-02-29");
  EXPECT_EQ(Eval("CAST('2023-02-29' AS DATE)").rfind("ERROR: CAST('2023-02-29' AS DATE) failed", 0), 0u);
  EXPECT_EQ(Eval("CAST('2024-11-25 12:30:00.123456' AS TIMESTAMP(3))"), "2024-11-25 12:30:00.123");
  EXPECT_EQ(Eval("CAST('2024-11-25T12:30' AS TIMESTAMP(0))"), "2024-11-25 12:30:00");
  EXPECT_EQ(Eval("CAST('2024-11-25' AS TIMESTAMP_LTZ(3))"), "2024-11-25 00:00:00.000");
  EXPECT_EQ(Eval("CAST('12:30:05' AS TIME)"), "12:30:05");
  EXPECT_EQ(Eval("TRY_CAST('12:99' AS TIME)"), "NULL");
  EXPECT_EQ(Eval("CAST(a AS STRING)"), "42");
  EXPECT_EQ(Eval("CAST(b AS STRING)"), "21.5");
  EXPECT_EQ(Eval("CAST(d AS STRING)"), "12.30");
  EXPECT_EQ(Eval("CAST(bo AS STRING)"), "TRUE");
  EXPECT_EQ(Eval("CAST(ts AS STRING)"), "2024-11-25 12:30:00.123");
  EXPECT_EQ(Eval("CAST(dt AS STRING)"), "2024-11-25");
  EXPECT_EQ(Eval("CAST(s AS VARCHAR(3))"), "hel");
  EXPECT_EQ(Eval("CAST(s AS CHAR(7))"), "hello  ");
  EXPECT_EQ(Eval("CAST('\xc3\xa9t\xc3\xa9' AS VARCHAR(2))"), "\xc3\xa9t");
  EXPECT_EQ(Eval("CAST(s AS BYTES)"), "x'68656c6c6f'");
  EXPECT_EQ(Eval("CAST(s AS BINARY(6))"), "x'68656c6c6f00'");
  EXPECT_EQ(Eval("CAST(CAST(s AS BYTES) AS STRING)"), "hello");
  EXPECT_EQ(Eval("CAST(INTERVAL '10' SECOND AS STRING)"), "+0 00:00:10.000");
}

TEST(ExpressionEvaluatorTest, CastBetweenDatetimes) {
  EXPECT_EQ(Eval("CAST(ts AS DATE)"), "2024-11-25");
  EXPECT_EQ(Eval("CAST(ts AS TIME)"), "12:30:00");
  EXPECT_EQ(Eval("CAST(ts AS TIMESTAMP(0))"), "2024-11-25 12:30:00");
  EXPECT_EQ(Eval("CAST(ts AS TIMESTAMP_LTZ(3))"), "2024-11-25 12:30:00.123");
  EXPECT_EQ(Eval("CAST(ltz AS TIMESTAMP(3))"), "2024-11-25 12:30:00.123");
  EXPECT_EQ(Eval("CAST(dt AS TIMESTAMP(3))"), "2024-11-25 00:00:00.000");
  EXPECT_EQ(Eval("CAST(TIMESTAMP '1969-12-31 23:59:59.999' AS DATE)"), "1969-12-31");
  EXPECT_EQ(Eval("CAST(1700000000 AS TIMESTAMP(0))"), "2023-11-14 22:13:20");
}

TEST(ExpressionEvaluatorTest, TimestampFunctions) {
  EXPECT_EQ(Eval("TO_TIMESTAMP_LTZ(ms, 3)"), "2024-11-25 12:30:00.123");
  EXPECT_EQ(Eval("TO_TIMESTAMP_LTZ(ms)"), "2024-11-25 12:30:00.123");
  EXPECT_EQ(Eval("TO_TIMESTAMP_LTZ(1732537800, 0)"), "2024-11-25 12:30:00.000");
  EXPECT_EQ(Eval("TO_TIMESTAMP_LTZ(-1, 3)"), "1969-12-31 23:59:59.999");
  EXPECT_EQ(TypeOf("TO_TIMESTAMP_LTZ(ms, 3)"), "TIMESTAMP_LTZ(3)");
  EXPECT_EQ(Eval("TO_TIMESTAMP('2024-11-25 12:30:00')"), "2024-11-25 12:30:00.000");
  EXPECT_EQ(Eval("TO_TIMESTAMP('25/11/2024 12-30', 'dd/MM/yyyy HH-mm')"), "2024-11-25 12:30:00.000");
  EXPECT_EQ(Eval("TO_TIMESTAMP('20241125123000123', 'yyyyMMddHHmmssSSS')"), "2024-11-25 12:30:00.123");
  EXPECT_EQ(Eval("TO_TIMESTAMP('not a time')"), "NULL");
  EXPECT_EQ(Eval("TO_TIMESTAMP('2024-13-01 00:00:00')"), "NULL");
  EXPECT_EQ(Eval("TO_DATE('2024-11-25')"), "2024-11-25");
  EXPECT_EQ(Eval("TO_DATE('11/25/2024', 'MM/dd/yyyy')"), "2024-11-25");
  EXPECT_EQ(Eval("DATE_FORMAT(ts, 'yyyy-MM-dd HH:mm:ss')"), "2024-11-25 12:30:00");
  EXPECT_EQ(Eval("DATE_FORMAT(ts, 'yyyy/MM/dd HH:mm:ss.SSS')"), "2024/11/25 12:30:00.123");
  EXPECT_EQ(Eval("DATE_FORMAT(ts, 'EEE, d MMM yy h:mm a')"), "Mon, 25 Nov 24 12:30 PM");
  EXPECT_EQ(Eval("DATE_FORMAT(ts, 'EEEE MMMM D ''day''')"), "Monday November 330 day");
  EXPECT_EQ(Eval("DATE_FORMAT(ltz, 'HH:mm')"), "12:30");
  EXPECT_EQ(Eval("DATE_FORMAT('2024-11-25 01:02:03', 'HH.mm.ss')"), "01.02.03");
  EXPECT_EQ(Eval("DATE_FORMAT(ts, 'yyyy-QQ')")
                .rfind("COMPILE: DATE_FORMAT: datetime pattern 'yyyy-QQ' has the "
                       "unsupported letter 'Q'",
                       0),
            0u);
  EXPECT_EQ(Eval("UNIX_TIMESTAMP('2024-11-25 12:30:00')"), "1732537800");
  EXPECT_EQ(Eval("UNIX_TIMESTAMP('2024-11-25', 'yyyy-MM-dd')"), "1732492800");
  EXPECT_EQ(Eval("UNIX_TIMESTAMP('garbage')"), "-9223372036854775808");  // Flink's Long.MIN_VALUE
  EXPECT_EQ(Eval("FROM_UNIXTIME(1732537800)"), "2024-11-25 12:30:00");
  EXPECT_EQ(Eval("FROM_UNIXTIME(0, 'yyyy')"), "1970");
  EXPECT_EQ(Eval("YEAR(ts)"), "2024");
  EXPECT_EQ(Eval("MONTH(dt)"), "11");
  EXPECT_EQ(Eval("DAYOFMONTH(ts)"), "25");
  EXPECT_EQ(Eval("HOUR(ts)"), "12");
  EXPECT_EQ(Eval("MINUTE(tm)"), "30");
  EXPECT_EQ(Eval("SECOND(TIMESTAMP '2024-01-01 00:00:59')"), "59");
  EXPECT_EQ(EvalNull("YEAR(ts)"), "NULL");
}

TEST(ExpressionEvaluatorTest, WallClockFunctionsReadTheClockPerEvaluation) {
  Result<CompiledExpression> e = CompileSelect("CURRENT_TIMESTAMP");
  ASSERT_TRUE(e.ok()) << e.status().message();
  Datum out;
  ASSERT_TRUE(e->Evaluate(DefaultRow(), &out).ok());
  EXPECT_FALSE(out.null);
  EXPECT_GT(out.i, kTs);       // after the test was written
  EXPECT_EQ(out.i % 1000, 0);  // milliseconds
  Result<CompiledExpression> date = CompileSelect("CURRENT_DATE");
  ASSERT_TRUE(date.ok());
  ASSERT_TRUE(date->Evaluate(DefaultRow(), &out).ok());
  EXPECT_GE(out.i, 20052);
  EXPECT_EQ(Eval("UNIX_TIMESTAMP() > 1732537800"), "TRUE");
  EXPECT_EQ(Eval("LOCALTIMESTAMP > ts"), "TRUE");
  EXPECT_EQ(Eval("NOW() > ltz"), "TRUE");
  EXPECT_EQ(Eval("CURRENT_TIME IS NOT NULL"), "TRUE");
}

TEST(ExpressionEvaluatorTest, DatetimeIntervalArithmetic) {
  EXPECT_EQ(Eval("ts + INTERVAL '10' SECOND"), "2024-11-25 12:30:10.123");
  EXPECT_EQ(Eval("ts - INTERVAL '1' DAY"), "2024-11-24 12:30:00.123");
  EXPECT_EQ(Eval("INTERVAL '2' HOUR + ts"), "2024-11-25 14:30:00.123");
  EXPECT_EQ(Eval("ts + INTERVAL '3' MONTH"), "2025-02-25 12:30:00.123");
  EXPECT_EQ(Eval("TIMESTAMP '2024-01-31 00:00:00' + INTERVAL '1' MONTH"), "2024-02-29 00:00:00");
  EXPECT_EQ(Eval("dt + INTERVAL '1' YEAR"), "2025-11-25");
  EXPECT_EQ(Eval("dt - INTERVAL '30' DAY"), "2024-10-26");
  EXPECT_EQ(Eval("tm + INTERVAL '12' HOUR"), "00:30:00");
  EXPECT_EQ(Eval("ltz - INTERVAL '0.5' SECOND"), "2024-11-25 12:29:59.623");
  EXPECT_EQ(Eval("INTERVAL '1' MINUTE + INTERVAL '1' SECOND"), "+0 00:01:01.000");
  EXPECT_EQ(Eval("INTERVAL '1' MINUTE * 3"), "+0 00:03:00.000");
  EXPECT_EQ(Eval("INTERVAL '1' MINUTE / 4"), "+0 00:00:15.000");
  EXPECT_EQ(Eval("-INTERVAL '1' YEAR"), "-1-00");
  EXPECT_EQ(EvalNull("ts + INTERVAL '1' SECOND"), "NULL");
}

TEST(ExpressionEvaluatorTest, FilterTreatsNullAsFalse) {
  EXPECT_TRUE(Filter("a > 40"));
  EXPECT_FALSE(Filter("a > 50"));
  EXPECT_FALSE(Filter("a > 40", NullRow()));
  EXPECT_TRUE(Filter("a IS NULL", NullRow()));
  EXPECT_TRUE(Filter("s LIKE 'h%' AND b < 100"));
}

TEST(ExpressionEvaluatorTest, ContextBasesAndForbiddenReferences) {
  Result<sql::BoundScript> script = sql::BindScript(std::string(kTable) + "SELECT a, COUNT(*) + 1 FROM t GROUP BY a");
  ASSERT_TRUE(script.ok()) << script.status().message();
  const sql::BoundQuery& q = script->queries[0];
  // Group row: [key0, agg0].
  Result<CompiledExpression> key =
      CompiledExpression::Compile(q.projections[0], {.column_base = -1, .group_base = 0, .aggregate_base = 1});
  Result<CompiledExpression> agg =
      CompiledExpression::Compile(q.projections[1], {.column_base = -1, .group_base = 0, .aggregate_base = 1});
  ASSERT_TRUE(key.ok()) << key.status().message();
  ASSERT_TRUE(agg.ok()) << agg.status().message();
  Row group_row = {Datum::Int(7), Datum::Int(99)};
  Datum out;
  ASSERT_TRUE(key->Evaluate(group_row, &out).ok());
  EXPECT_EQ(out.i, 7);
  ASSERT_TRUE(agg->Evaluate(group_row, &out).ok());
  EXPECT_EQ(out.i, 100);
  // With the default context, group and aggregate references are not allowed.
  Result<CompiledExpression> bad = CompiledExpression::Compile(q.projections[1]);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInternal);
  // column_base shifts column references.
  Result<CompiledExpression> shifted = CompileSelect("a + 1");
  ASSERT_TRUE(shifted.ok());
  Result<sql::BoundScript> s2 = sql::BindScript(std::string(kTable) + "SELECT a + 1 FROM t");
  ASSERT_TRUE(s2.ok());
  Result<CompiledExpression> e = CompiledExpression::Compile(s2->queries[0].projections[0], {.column_base = 2});
  ASSERT_TRUE(e.ok());
  ASSERT_TRUE(e->Evaluate({Datum::Null(), Datum::Null(), Datum::Int(5)}, &out).ok());
  EXPECT_EQ(out.i, 6);
  // A row that is too short is an Internal error, not a crash.
  EXPECT_EQ(e->Evaluate({Datum::Int(1)}, &out).code(), StatusCode::kInternal);
}

TEST(ExpressionEvaluatorTest, ConstantSubexpressionsAreFoldedOnce) {
  // Folding must not change results: a constant CAST and a constant call next to a column.
  EXPECT_EQ(Eval("ts > CAST('2024-01-01 00:00:00' AS TIMESTAMP(3))"), "TRUE");
  EXPECT_EQ(Eval("a + (1 + 2) * 3"), "51");
  EXPECT_EQ(Eval("UPPER('abc') || s"), "ABChello");
}

}  // namespace
}  // namespace floe::stream
