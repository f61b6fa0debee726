#include "floe/stream/json_format.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace floe::stream {
namespace {

using sql::DataType;
using sql::TypeId;

// 2024-11-25 is day 20052 since 1970-01-01 (1732492800 s).
constexpr int64_t kDay20241125 = 20052;
constexpr int64_t kMicrosPerDay = 86'400'000'000;

sql::TableDefinition MakeTable(std::vector<std::pair<std::string, DataType>> columns,
                               std::vector<std::pair<std::string, std::string>> options = {}) {
  sql::TableDefinition table;
  table.name = "events";
  for (auto& [name, type] : columns) {
    sql::TableColumn column;
    column.name = name;
    column.type = type;
    table.columns.push_back(std::move(column));
  }
  table.options = std::move(options);
  return table;
}

JsonRowDecoder MakeDecoder(const sql::TableDefinition& table, JsonFormatOptions options = {}) {
  auto decoder = JsonRowDecoder::Make(table, options);
  EXPECT_TRUE(decoder.ok()) << decoder.status().ToString();
  return std::move(decoder).value();
}

// Decodes `json` into a one-column table of `type` and returns the datum.
Result<Datum> DecodeOne(DataType type, std::string_view json, JsonFormatOptions options = {}) {
  auto table = MakeTable({{"v", type}});
  auto decoder = MakeDecoder(table, options);
  Row row(1);
  row[0] = Datum::String("sentinel");
  Status st = decoder.Decode(json, &row);
  if (!st.ok()) return st;
  return row[0];
}

std::string DecodeError(DataType type, std::string_view json, JsonFormatOptions options = {}) {
  auto r = DecodeOne(type, json, options);
  EXPECT_FALSE(r.ok()) << json;
  if (r.ok()) return "";
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  return r.status().message();
}

// Equality by the member `type` uses; NaN equals NaN.
bool SameDatum(const Datum& a, const Datum& b, const DataType& type) {
  if (a.null || b.null) return a.null == b.null;
  switch (type.id) {
    case TypeId::kBoolean: return a.b == b.b;
    case TypeId::kFloat:
    case TypeId::kDouble: return (std::isnan(a.d) && std::isnan(b.d)) || a.d == b.d;
    case TypeId::kDecimal: return a.dec == b.dec;
    case TypeId::kChar:
    case TypeId::kVarChar:
    case TypeId::kBinary:
    case TypeId::kVarBinary: return a.s == b.s;
    default: return a.i == b.i;
  }
}

// ---- Options ----

TEST(JsonFormatOptionsTest, DefaultsWhenNoJsonOptionIsGiven) {
  auto options = ParseJsonFormatOptions(MakeTable({}, {{"connector", "kafka"}, {"format", "json"}}));
  ASSERT_TRUE(options.ok()) << options.status().ToString();
  EXPECT_FALSE(options->fail_on_missing_field);
  EXPECT_FALSE(options->ignore_parse_errors);
  EXPECT_EQ(options->timestamp_standard, JsonFormatOptions::kSql);
}

TEST(JsonFormatOptionsTest, ReadsEveryOptionAndBooleansInAnyCase) {
  auto options = ParseJsonFormatOptions(
      MakeTable({}, {{"json.fail-on-missing-field", "TRUE"}, {"json.timestamp-format.standard", "ISO-8601"}}));
  ASSERT_TRUE(options.ok()) << options.status().ToString();
  EXPECT_TRUE(options->fail_on_missing_field);
  EXPECT_EQ(options->timestamp_standard, JsonFormatOptions::kIso8601);

  options = ParseJsonFormatOptions(MakeTable({}, {{"json.ignore-parse-errors", "true"},
                                                  {"json.fail-on-missing-field", "False"},
                                                  {"json.timestamp-format.standard", "SQL"}}));
  ASSERT_TRUE(options.ok()) << options.status().ToString();
  EXPECT_TRUE(options->ignore_parse_errors);
  EXPECT_FALSE(options->fail_on_missing_field);
  EXPECT_EQ(options->timestamp_standard, JsonFormatOptions::kSql);
}

TEST(JsonFormatOptionsTest, BadBooleanNamesTableOptionValueAndAllowedValues) {
  auto options = ParseJsonFormatOptions(MakeTable({}, {{"json.ignore-parse-errors", "yes"}}));
  ASSERT_FALSE(options.ok());
  EXPECT_EQ(options.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(options.status().message(),
            "table 'events': option 'json.ignore-parse-errors' = 'yes' is not valid; allowed values: 'true', 'false'");
}

TEST(JsonFormatOptionsTest, TimestampStandardIsCaseSensitiveAsInFlink) {
  auto options = ParseJsonFormatOptions(MakeTable({}, {{"json.timestamp-format.standard", "iso-8601"}}));
  ASSERT_FALSE(options.ok());
  EXPECT_EQ(options.status().message(),
            "table 'events': option 'json.timestamp-format.standard' = 'iso-8601' is not valid; allowed values: "
            "'SQL', 'ISO-8601'");
}

TEST(JsonFormatOptionsTest, UnknownJsonOptionIsAnErrorButFlinkEncodingOptionsAreAccepted) {
  auto options = ParseJsonFormatOptions(MakeTable({}, {{"json.fail-on-missing-fields", "true"}}));
  ASSERT_FALSE(options.ok());
  EXPECT_NE(options.status().message().find("unknown option 'json.fail-on-missing-fields'"), std::string::npos)
      << options.status().message();
  EXPECT_NE(options.status().message().find("'json.fail-on-missing-field'"), std::string::npos);

  options = ParseJsonFormatOptions(MakeTable(
      {}, {{"json.encode.decimal-as-plain-number", "true"}, {"json.map-null-key.mode", "DROP"}, {"scan.x", "1"}}));
  EXPECT_TRUE(options.ok()) << options.status().ToString();
}

TEST(JsonFormatOptionsTest, FailOnMissingFieldAndIgnoreParseErrorsExcludeEachOther) {
  auto options = ParseJsonFormatOptions(
      MakeTable({}, {{"json.fail-on-missing-field", "true"}, {"json.ignore-parse-errors", "true"}}));
  ASSERT_FALSE(options.ok());
  EXPECT_EQ(options.status().message(),
            "table 'events': options 'json.fail-on-missing-field' and 'json.ignore-parse-errors' cannot both be "
            "'true'");
}

// ---- Decoding ----

sql::TableDefinition TelemetryTable() {
  return MakeTable({{"sensor_id", DataType::String()},
                    {"ts", DataType::BigInt()},
                    {"temperature", DataType::Double()},
                    {"humidity", DataType::Double()},
                    {"pressure", DataType::Double()},
                    {"battery", DataType::Double()}});
}

constexpr std::string_view kTelemetryEvent =
    R"({"sensor_id":"s-00042","ts":1732480000123,"temperature":21.53,"humidity":45.2,"pressure":1013.2,"battery":0.87})";

TEST(JsonRowDecoderTest, DecodesTheTelemetryEvent) {
  auto table = TelemetryTable();
  auto decoder = MakeDecoder(table);
  Row row(table.columns.size());
  ASSERT_TRUE(decoder.Decode(kTelemetryEvent, &row).ok());
  EXPECT_EQ(row[0].s, "s-00042");
  EXPECT_EQ(row[1].i, 1732480000123);
  EXPECT_EQ(row[2].d, 21.53);
  EXPECT_EQ(row[3].d, 45.2);
  EXPECT_EQ(row[4].d, 1013.2);
  EXPECT_EQ(row[5].d, 0.87);
  for (const Datum& d : row) EXPECT_FALSE(d.null);
}

TEST(JsonRowDecoderTest, ReusesTheRowsStringCapacityFromEventToEvent) {
  auto table = TelemetryTable();
  auto decoder = MakeDecoder(table);
  Row row(table.columns.size());
  ASSERT_TRUE(decoder.Decode(R"({"sensor_id":"a-rather-long-sensor-name-0001"})", &row).ok());
  const char* storage = row[0].s.data();
  ASSERT_TRUE(decoder.Decode(R"({"sensor_id":"another-long-sensor-name-02"})", &row).ok());
  EXPECT_EQ(row[0].s, "another-long-sensor-name-02");
  EXPECT_EQ(row[0].s.data(), storage);
}

TEST(JsonRowDecoderTest, FieldsInAnyOrderExtraFieldsIgnoredLastDuplicateWins) {
  auto table = TelemetryTable();
  auto decoder = MakeDecoder(table);
  Row row(table.columns.size());
  ASSERT_TRUE(decoder
                  .Decode(R"( { "battery" : 0.5, "extra": {"nested": [1, {"x": null}], "s": "}"}, "ts": 7,
                               "sensor_id": "x", "more": [], "ts": 8, "humidity": 1, "pressure": 2,
                               "temperature": 3 } )",
                          &row)
                  .ok());
  EXPECT_EQ(row[0].s, "x");
  EXPECT_EQ(row[1].i, 8);
  EXPECT_EQ(row[2].d, 3.0);
  EXPECT_EQ(row[5].d, 0.5);
}

TEST(JsonRowDecoderTest, NamesMatchCaseSensitivelyAndEscapedKeysMatchTheirText) {
  auto table = TelemetryTable();
  auto decoder = MakeDecoder(table);
  Row row(table.columns.size());
  ASSERT_TRUE(decoder.Decode(R"({"Sensor_Id":"wrong","TS":1,"sensor\u005fid":"right"})", &row).ok());
  EXPECT_EQ(row[0].s, "right");
  EXPECT_TRUE(row[1].null);
}

TEST(JsonRowDecoderTest, MissingFieldsAndJsonNullAreNull) {
  auto table = TelemetryTable();
  auto decoder = MakeDecoder(table);
  Row row(table.columns.size(), Datum::Int(99));
  ASSERT_TRUE(decoder.Decode(R"({"sensor_id":null,"ts":5})", &row).ok());
  EXPECT_TRUE(row[0].null);
  EXPECT_EQ(row[1].i, 5);
  for (size_t i = 2; i < row.size(); ++i) EXPECT_TRUE(row[i].null) << i;
}

TEST(JsonRowDecoderTest, FailOnMissingFieldRejectsAMissingFieldButNotANullOne) {
  auto table = MakeTable({{"a", DataType::Int()}, {"b", DataType::Int()}});
  JsonFormatOptions options;
  options.fail_on_missing_field = true;
  auto decoder = MakeDecoder(table, options);
  Row row(2);
  Status st = decoder.Decode(R"({"a":1})", &row);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message(), "field 'b' is missing (json.fail-on-missing-field is true)");
  ASSERT_TRUE(decoder.Decode(R"({"a":1,"b":null})", &row).ok());
  EXPECT_TRUE(row[1].null);
}

TEST(JsonRowDecoderTest, FillsOnlyPhysicalColumnsAndGrowsTheRow) {
  auto table = MakeTable({{"sensor_id", DataType::String()},
                          {"event_time", DataType::TimestampLtz(3)},
                          {"ts", DataType::BigInt()},
                          {"doubled", DataType::BigInt()}});
  table.columns[1].kind = sql::ColumnKind::kMetadata;
  table.columns[3].kind = sql::ColumnKind::kComputed;
  auto decoder = MakeDecoder(table);
  Row row(2, Datum::Int(-1));  // shorter than the table
  ASSERT_TRUE(decoder.Decode(R"({"sensor_id":"s","event_time":"x","ts":3,"doubled":4})", &row).ok());
  ASSERT_EQ(row.size(), 4u);
  EXPECT_EQ(row[0].s, "s");
  EXPECT_EQ(row[1].i, -1);  // metadata: untouched
  EXPECT_EQ(row[2].i, 3);
  EXPECT_TRUE(row[3].null);  // computed: untouched (a fresh datum)
}

TEST(JsonRowDecoderTest, WideTablesLookNamesUpByHash) {
  std::vector<std::pair<std::string, DataType>> columns;
  std::string json = "{";
  for (int i = 0; i < 40; ++i) {
    columns.emplace_back("c" + std::to_string(i), DataType::Int());
    json += (i ? "," : "") + std::string("\"c") + std::to_string(39 - i) + "\":" + std::to_string(39 - i);
  }
  json += ",\"zzz\":1}";
  auto table = MakeTable(columns);
  auto decoder = MakeDecoder(table);
  Row row(40);
  ASSERT_TRUE(decoder.Decode(json, &row).ok());
  for (int i = 0; i < 40; ++i) EXPECT_EQ(row[static_cast<size_t>(i)].i, i);
}

TEST(JsonRowDecoderTest, Boolean) {
  EXPECT_TRUE(DecodeOne(DataType::Boolean(), R"({"v":true})")->b);
  EXPECT_FALSE(DecodeOne(DataType::Boolean(), R"({"v":false})")->b);
  EXPECT_TRUE(DecodeOne(DataType::Boolean(), R"({"v":"TRUE"})")->b);
  auto f = DecodeOne(DataType::Boolean(), R"({"v":" false "})");
  ASSERT_TRUE(f.ok());
  EXPECT_FALSE(f->null);
  EXPECT_FALSE(f->b);
  EXPECT_EQ(DecodeError(DataType::Boolean(), R"({"v":"yes"})"), "field 'v': \"yes\" is not a BOOLEAN (true or false)");
  EXPECT_EQ(DecodeError(DataType::Boolean(), R"({"v":1})"),
            "field 'v': expected true or false for BOOLEAN, got number 1");
}

TEST(JsonRowDecoderTest, IntegersInRangeFromNumbersAndNumericStrings) {
  EXPECT_EQ(DecodeOne(DataType::TinyInt(), R"({"v":127})")->i, 127);
  EXPECT_EQ(DecodeOne(DataType::TinyInt(), R"({"v":-128})")->i, -128);
  EXPECT_EQ(DecodeOne(DataType::SmallInt(), R"({"v":-32768})")->i, -32768);
  EXPECT_EQ(DecodeOne(DataType::Int(), R"({"v":2147483647})")->i, 2147483647);
  EXPECT_EQ(DecodeOne(DataType::BigInt(), R"({"v":9223372036854775807})")->i, std::numeric_limits<int64_t>::max());
  EXPECT_EQ(DecodeOne(DataType::BigInt(), R"({"v":-9223372036854775808})")->i, std::numeric_limits<int64_t>::min());
  EXPECT_EQ(DecodeOne(DataType::BigInt(), R"({"v":1e3})")->i, 1000);
  EXPECT_EQ(DecodeOne(DataType::BigInt(), R"({"v":42.000})")->i, 42);
  EXPECT_EQ(DecodeOne(DataType::BigInt(), R"({"v":-0.0})")->i, 0);
  EXPECT_EQ(DecodeOne(DataType::Int(), R"({"v":" 42 "})")->i, 42);
  EXPECT_EQ(DecodeOne(DataType::Int(), R"({"v":"+7"})")->i, 7);
  EXPECT_EQ(DecodeOne(DataType::IntervalDayTime(), R"({"v":60000})")->i, 60000);
}

TEST(JsonRowDecoderTest, IntegersOutOfRangeOrFractionalAreErrors) {
  EXPECT_EQ(DecodeError(DataType::TinyInt(), R"({"v":128})"), "field 'v': 128 is out of range for TINYINT");
  EXPECT_EQ(DecodeError(DataType::Int(), R"({"v":"2147483648"})"), "field 'v': 2147483648 is out of range for INT");
  EXPECT_EQ(DecodeError(DataType::BigInt(), R"({"v":9223372036854775808})"),
            "field 'v': 9223372036854775808 is out of range for BIGINT");
  EXPECT_EQ(DecodeError(DataType::BigInt(), R"({"v":1e19})"), "field 'v': 1e19 is out of range for BIGINT");
  EXPECT_EQ(DecodeError(DataType::BigInt(), R"({"v":1.5})"), "field 'v': 1.5 is not an integer (BIGINT)");
  EXPECT_EQ(DecodeError(DataType::Int(), R"({"v":"12abc"})"), "field 'v': \"12abc\" is not a number (INT)");
  EXPECT_EQ(DecodeError(DataType::Int(), R"({"v":[1]})"), "field 'v': expected an integer for INT, got array");
}

TEST(JsonRowDecoderTest, FloatAndDouble) {
  EXPECT_EQ(DecodeOne(DataType::Double(), R"({"v":21.53})")->d, 21.53);
  EXPECT_EQ(DecodeOne(DataType::Double(), R"({"v":-1e-300})")->d, -1e-300);
  EXPECT_EQ(DecodeOne(DataType::Double(), R"({"v":12})")->d, 12.0);
  EXPECT_EQ(DecodeOne(DataType::Double(), R"({"v":"1.25"})")->d, 1.25);
  EXPECT_EQ(DecodeOne(DataType::Float(), R"({"v":21.53})")->d, static_cast<double>(21.53f));
  EXPECT_TRUE(std::isnan(DecodeOne(DataType::Double(), R"({"v":"NaN"})")->d));
  EXPECT_EQ(DecodeOne(DataType::Double(), R"({"v":"Infinity"})")->d, std::numeric_limits<double>::infinity());
  EXPECT_EQ(DecodeOne(DataType::Double(), R"({"v":"-Infinity"})")->d, -std::numeric_limits<double>::infinity());
  EXPECT_EQ(DecodeOne(DataType::Double(), R"({"v":"1e999"})")->d, std::numeric_limits<double>::infinity());
  EXPECT_EQ(DecodeError(DataType::Double(), R"({"v":"hot"})"), "field 'v': \"hot\" is not a number (DOUBLE)");
  EXPECT_EQ(DecodeError(DataType::Double(), R"({"v":"inf"})"), "field 'v': \"inf\" is not a number (DOUBLE)");
  EXPECT_EQ(DecodeError(DataType::Double(), R"({"v":true})"),
            "field 'v': expected a number for DOUBLE, got boolean true");
}

TEST(JsonRowDecoderTest, TheBriefsErrorMessageForAStringInADoubleColumnSaysWhatItGot) {
  auto table = TelemetryTable();
  auto decoder = MakeDecoder(table);
  Row row(table.columns.size());
  Status st = decoder.Decode(R"({"sensor_id":"s-1","temperature":{"c":21}})", &row);
  EXPECT_EQ(st.message(), "field 'temperature': expected a number for DOUBLE, got object");
  st = decoder.Decode(R"({"sensor_id":"s-1","temperature":"hot"})", &row);
  EXPECT_EQ(st.message(), "field 'temperature': \"hot\" is not a number (DOUBLE)");
}

TEST(JsonRowDecoderTest, DecimalIsExactAndRoundsHalfUp) {
  const DataType d102 = DataType::Decimal(10, 2);
  EXPECT_EQ(DecodeOne(d102, R"({"v":12.345})")->dec, 1235);
  EXPECT_EQ(DecodeOne(d102, R"({"v":12.344})")->dec, 1234);
  EXPECT_EQ(DecodeOne(d102, R"({"v":-12.345})")->dec, -1235);  // HALF_UP rounds away from zero
  EXPECT_EQ(DecodeOne(d102, R"({"v":0.005})")->dec, 1);
  EXPECT_EQ(DecodeOne(d102, R"({"v":0.00499999})")->dec, 0);
  EXPECT_EQ(DecodeOne(d102, R"({"v":1e-100})")->dec, 0);
  EXPECT_EQ(DecodeOne(d102, R"({"v":1.5E2})")->dec, 15000);
  EXPECT_EQ(DecodeOne(d102, R"({"v":"  12.3 "})")->dec, 1230);
  EXPECT_EQ(DecodeOne(d102, R"({"v":".5"})")->dec, 50);
  EXPECT_EQ(DecodeOne(d102, R"({"v":99999999.99})")->dec, 9999999999);
  EXPECT_EQ(DecodeOne(DataType::Decimal(38, 0), R"({"v":12345678901234567890123456789012345678})")->dec,
            static_cast<Int128>(1234567890123456789LL) * static_cast<Int128>(10000000000000000000ULL) +
                static_cast<Int128>(123456789012345678LL));
  EXPECT_EQ(DecodeOne(DataType::Decimal(38, 18), R"({"v":0.100000000000000000000000001})")->dec,
            static_cast<Int128>(100000000000000000));
}

TEST(JsonRowDecoderTest, DecimalOverflowIsNullAsInFlink) {
  const DataType d102 = DataType::Decimal(10, 2);
  EXPECT_TRUE(DecodeOne(d102, R"({"v":100000000})")->null);
  EXPECT_TRUE(DecodeOne(d102, R"({"v":99999999.995})")->null);  // rounds up to 11 digits
  EXPECT_TRUE(DecodeOne(d102, R"({"v":1e100})")->null);
  EXPECT_EQ(DecodeError(d102, R"({"v":"12,5"})"), "field 'v': \"12,5\" is not a number (DECIMAL(10, 2))");
}

TEST(JsonRowDecoderTest, StringsTakeStringsNumbersBooleansAndNestedJsonText) {
  EXPECT_EQ(DecodeOne(DataType::String(), R"({"v":"a\"b\\c\u00e9\n"})")->s, "a\"b\\c\xc3\xa9\n");
  EXPECT_EQ(DecodeOne(DataType::String(), R"({"v":21.50})")->s, "21.50");
  EXPECT_EQ(DecodeOne(DataType::String(), R"({"v":-1e5 })")->s, "-1e5");
  EXPECT_EQ(DecodeOne(DataType::String(), R"({"v":true})")->s, "true");
  EXPECT_EQ(DecodeOne(DataType::String(), R"({"v":{ "a" : [1, 2], "b":" x y " }})")->s, R"({"a":[1,2],"b":" x y "})");
  EXPECT_EQ(DecodeOne(DataType::VarChar(3), R"({"v":[ ]})")->s, "[]");
  EXPECT_EQ(DecodeOne(DataType::Char(1), R"({"v":"longer than one"})")->s, "longer than one");  // not truncated
}

TEST(JsonRowDecoderTest, BytesAreBase64) {
  EXPECT_EQ(DecodeOne(DataType::Bytes(), R"({"v":"aGVsbG8="})")->s, "hello");
  EXPECT_EQ(DecodeOne(DataType::Bytes(), R"({"v":"AP8="})")->s, std::string("\x00\xff", 2));
  EXPECT_EQ(DecodeOne(DataType::Bytes(), R"({"v":""})")->s, "");
  auto empty = DecodeOne(DataType::Bytes(), R"({"v":""})");
  EXPECT_FALSE(empty->null);
  EXPECT_EQ(DecodeError(DataType::Bytes(), R"({"v":"aGVsbG8"})"), "field 'v': \"aGVsbG8\" is not valid base64");
  EXPECT_EQ(DecodeError(DataType::Bytes(), R"({"v":"a*=="})"), "field 'v': \"a*==\" is not valid base64");
  EXPECT_EQ(DecodeError(DataType::Bytes(), R"({"v":5})"),
            "field 'v': expected a base64 string for BYTES, got number 5");
}

TEST(JsonRowDecoderTest, DateAndTime) {
  EXPECT_EQ(DecodeOne(DataType::Date(), R"({"v":"2024-11-25"})")->i, kDay20241125);
  EXPECT_EQ(DecodeOne(DataType::Date(), R"({"v":"1969-12-31"})")->i, -1);
  EXPECT_EQ(DecodeOne(DataType::Date(), R"({"v":"2024-02-29"})")->i, kDay20241125 - 270);
  EXPECT_EQ(DecodeError(DataType::Date(), R"({"v":"2023-02-29"})"),
            "field 'v': \"2023-02-29\" is not a valid DATE: expected 'yyyy-MM-dd'");
  EXPECT_FALSE(DecodeOne(DataType::Date(), R"({"v":"2024-1-05"})").ok());
  EXPECT_FALSE(DecodeOne(DataType::Date(), R"({"v":"2024-01-05 "})").ok());
  EXPECT_EQ(DecodeError(DataType::Date(), R"({"v":20052})"), "field 'v': expected a string for DATE, got number 20052");

  EXPECT_EQ(DecodeOne(DataType::Time(3), R"({"v":"12:30:05.123456"})")->i, 45'005'123'000);
  EXPECT_EQ(DecodeOne(DataType::Time(6), R"({"v":"12:30:05.1"})")->i, 45'005'100'000);
  EXPECT_EQ(DecodeOne(DataType::Time(0), R"({"v":"23:59:59.9"})")->i, 86'399'000'000);
  EXPECT_FALSE(DecodeOne(DataType::Time(0), R"({"v":"24:00:00"})").ok());
  EXPECT_FALSE(DecodeOne(DataType::Time(0), R"({"v":"12:30"})").ok());
  EXPECT_FALSE(DecodeOne(DataType::Time(0), R"({"v":"12:30:00."})").ok());
}

TEST(JsonRowDecoderTest, TimestampInTheSqlStandard) {
  const int64_t base = kDay20241125 * kMicrosPerDay + 45'000'000'000;  // 2024-11-25 12:30:00
  EXPECT_EQ(DecodeOne(DataType::Timestamp(3), R"({"v":"2024-11-25 12:30:00.123"})")->i, base + 123'000);
  EXPECT_EQ(DecodeOne(DataType::Timestamp(3), R"({"v":"2024-11-25 12:30:00"})")->i, base);
  EXPECT_EQ(DecodeOne(DataType::Timestamp(3), R"({"v":"2024-11-25 12:30:00.123999999"})")->i, base + 123'000);
  EXPECT_EQ(DecodeOne(DataType::Timestamp(6), R"({"v":"2024-11-25 12:30:00.1234567"})")->i, base + 123'456);
  EXPECT_EQ(DecodeOne(DataType::Timestamp(3), R"({"v":"1969-12-31 23:59:59.5"})")->i, -500'000);
  EXPECT_EQ(DecodeError(DataType::Timestamp(3), R"({"v":"2024-11-25T12:30:00"})"),
            "field 'v': \"2024-11-25T12:30:00\" is not a valid TIMESTAMP(3): expected 'yyyy-MM-dd "
            "HH:mm:ss[.fffffffff]' (json.timestamp-format.standard 'SQL')");
  EXPECT_EQ(DecodeError(DataType::Timestamp(3), R"({"v":1732480000123})"),
            "field 'v': expected a string for TIMESTAMP(3), got number 1732480000123");
  EXPECT_FALSE(DecodeOne(DataType::Timestamp(3), R"({"v":"2024-11-25 12:30"})").ok());  // SQL needs seconds
}

TEST(JsonRowDecoderTest, TimestampInTheIso8601Standard) {
  JsonFormatOptions iso;
  iso.timestamp_standard = JsonFormatOptions::kIso8601;
  const int64_t base = kDay20241125 * kMicrosPerDay + 45'000'000'000;
  EXPECT_EQ(DecodeOne(DataType::Timestamp(3), R"({"v":"2024-11-25T12:30:00.123"})", iso)->i, base + 123'000);
  EXPECT_EQ(DecodeOne(DataType::Timestamp(3), R"({"v":"2024-11-25T12:30"})", iso)->i, base);
  EXPECT_FALSE(DecodeOne(DataType::Timestamp(3), R"({"v":"2024-11-25 12:30:00"})", iso).ok());
  EXPECT_EQ(DecodeOne(DataType::TimestampLtz(3), R"({"v":"2024-11-25T12:30:00.123Z"})", iso)->i, base + 123'000);
  EXPECT_FALSE(DecodeOne(DataType::TimestampLtz(3), R"({"v":"2024-11-25T12:30:00.123"})", iso).ok());
}

TEST(JsonRowDecoderTest, TimestampLtzNeedsTheZ) {
  const int64_t base = kDay20241125 * kMicrosPerDay + 45'000'000'000;
  EXPECT_EQ(DecodeOne(DataType::TimestampLtz(3), R"({"v":"2024-11-25 12:30:00.123Z"})")->i, base + 123'000);
  EXPECT_EQ(DecodeError(DataType::TimestampLtz(3), R"({"v":"2024-11-25 12:30:00.123"})"),
            "field 'v': \"2024-11-25 12:30:00.123\" is not a valid TIMESTAMP_LTZ(3): expected 'yyyy-MM-dd "
            "HH:mm:ss[.fffffffff]Z' (json.timestamp-format.standard 'SQL')");
  EXPECT_FALSE(DecodeOne(DataType::TimestampLtz(3), R"({"v":"2024-11-25 12:30:00+01:00"})").ok());
}

TEST(JsonRowDecoderTest, IgnoreParseErrorsNullsTheBadFieldAndKeepsTheOthers) {
  JsonFormatOptions options;
  options.ignore_parse_errors = true;
  auto table = TelemetryTable();
  auto decoder = MakeDecoder(table, options);
  Row row(table.columns.size());
  ASSERT_TRUE(decoder.Decode(R"({"sensor_id":"s-1","ts":"soon","temperature":"hot","humidity":1.5})", &row).ok());
  EXPECT_EQ(row[0].s, "s-1");
  EXPECT_TRUE(row[1].null);
  EXPECT_TRUE(row[2].null);
  EXPECT_EQ(row[3].d, 1.5);
  // A broken event is still an error: the source skips it.
  EXPECT_FALSE(decoder.Decode(R"({"sensor_id":"s-1",)", &row).ok());
  EXPECT_FALSE(decoder.Decode(R"([1])", &row).ok());
}

std::string EventError(std::string_view json) {
  auto table = MakeTable({{"a", DataType::Int()}, {"s", DataType::String()}});
  auto decoder = MakeDecoder(table);
  Row row(2);
  Status st = decoder.Decode(json, &row);
  EXPECT_FALSE(st.ok()) << json;
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  return st.message();
}

bool StartsWith(const std::string& s, std::string_view prefix) {
  return s.rfind(prefix, 0) == 0;
}

TEST(JsonRowDecoderTest, MalformedJsonSaysAtWhichByte) {
  std::string m = EventError(R"({"a":1,})");
  EXPECT_TRUE(StartsWith(m, "malformed JSON at byte 7: ")) << m;
  m = EventError(R"({"a": tru})");
  EXPECT_TRUE(StartsWith(m, "malformed JSON at byte 9: ")) << m;  // the parser notices at the '}'
  EXPECT_NE(m.find("invalid literal"), std::string::npos) << m;
  m = EventError(R"({"a":1)");
  EXPECT_TRUE(StartsWith(m, "malformed JSON at byte 6: ")) << m;
  m = EventError(R"({"a":1} x)");
  EXPECT_TRUE(StartsWith(m, "malformed JSON at byte 8: ")) << m;
  m = EventError(R"({"a":1}{"a":2})");
  EXPECT_TRUE(StartsWith(m, "malformed JSON at byte 7: ")) << m;
  m = EventError("{\"s\":\"\xff\"}");
  EXPECT_TRUE(StartsWith(m, "malformed JSON at byte ")) << m;
  EXPECT_NE(m.find("UTF-8"), std::string::npos) << m;
  m = EventError(R"({"a":01})");
  EXPECT_TRUE(StartsWith(m, "malformed JSON at byte ")) << m;
  m = EventError(R"({"a":nul})");
  EXPECT_TRUE(StartsWith(m, "malformed JSON at byte 8: ")) << m;
  m = EventError(R"({"s": fals})");  // a broken literal where a string was expected
  EXPECT_TRUE(StartsWith(m, "malformed JSON at byte 10: ")) << m;
}

TEST(JsonRowDecoderTest, AnEventThatIsNotAnObjectIsRejected) {
  EXPECT_EQ(EventError("[1,2]"), "the event is not a JSON object (got array)");
  EXPECT_EQ(EventError("42"), "the event is not a JSON object (got number)");
  EXPECT_EQ(EventError("\"s\""), "the event is not a JSON object (got string)");
  EXPECT_EQ(EventError("null"), "the event is not a JSON object (got null)");
  EXPECT_EQ(EventError(""), "the event is empty, not a JSON object");
  EXPECT_EQ(EventError("  \n"), "the event is empty, not a JSON object");
}

TEST(JsonRowDecoderTest, RejectsANullTypedColumn) {
  auto decoder = JsonRowDecoder::Make(MakeTable({{"n", DataType::Null()}}), {});
  ASSERT_FALSE(decoder.ok());
  EXPECT_EQ(decoder.status().code(), StatusCode::kUnsupported);
}

// ---- Encoding ----

Result<JsonRowEncoder> Encoder(std::vector<std::pair<std::string, DataType>> columns,
                               JsonFormatOptions::TimestampStandard standard = JsonFormatOptions::kSql) {
  std::vector<std::string> names;
  std::vector<DataType> types;
  for (auto& [n, t] : columns) {
    names.push_back(n);
    types.push_back(t);
  }
  return JsonRowEncoder::Make(std::move(names), std::move(types), standard);
}

TEST(JsonRowEncoderTest, WritesTheTelemetryEventAsFlinkWould) {
  auto table = TelemetryTable();
  auto encoder =
      JsonRowEncoder::Make(table.ColumnNames(), {DataType::String(), DataType::BigInt(), DataType::Double(),
                                                 DataType::Double(), DataType::Double(), DataType::Double()});
  ASSERT_TRUE(encoder.ok()) << encoder.status().ToString();
  Row row = {Datum::String("s-00042"), Datum::Int(1732480000123), Datum::Double(21.53),
             Datum::Double(45.2),      Datum::Double(1013.0),     Datum::Null()};
  std::string out = "previous contents";
  encoder->Encode(row, &out);
  EXPECT_EQ(out, R"({"sensor_id":"s-00042","ts":1732480000123,"temperature":21.53,"humidity":45.2,"pressure":1013.0,)"
                 R"("battery":null})");
}

TEST(JsonRowEncoderTest, EveryType) {
  auto encoder = Encoder({{"b", DataType::Boolean()},
                          {"t", DataType::TinyInt()},
                          {"f", DataType::Float()},
                          {"dec", DataType::Decimal(10, 2)},
                          {"neg", DataType::Decimal(5, 3)},
                          {"bin", DataType::Bytes()},
                          {"d", DataType::Date()},
                          {"tm", DataType::Time(3)},
                          {"ts", DataType::Timestamp(3)},
                          {"whole", DataType::Timestamp(3)},
                          {"ltz", DataType::TimestampLtz(6)},
                          {"iv", DataType::IntervalDayTime()}});
  ASSERT_TRUE(encoder.ok()) << encoder.status().ToString();
  const int64_t base = kDay20241125 * kMicrosPerDay + 45'000'000'000;
  Row row = {Datum::Bool(true),          Datum::Int(-5),         Datum::Double(21.53f),    Datum::Decimal(1230),
             Datum::Decimal(-5),         Datum::String("hello"), Datum::Int(kDay20241125), Datum::Int(45'005'120'000),
             Datum::Int(base + 120'000), Datum::Int(base),       Datum::Int(base + 1),     Datum::Int(60000)};
  std::string out;
  encoder->Encode(row, &out);
  EXPECT_EQ(out, R"({"b":true,"t":-5,"f":21.53,"dec":12.30,"neg":-0.005,"bin":"aGVsbG8=","d":"2024-11-25",)"
                 R"("tm":"12:30:05.12","ts":"2024-11-25 12:30:00.12","whole":"2024-11-25 12:30:00",)"
                 R"("ltz":"2024-11-25 12:30:00.000001Z","iv":60000})");
}

TEST(JsonRowEncoderTest, Iso8601TimestampsAndTimestampsBefore1970) {
  auto encoder =
      Encoder({{"ts", DataType::Timestamp(3)}, {"ltz", DataType::TimestampLtz(3)}}, JsonFormatOptions::kIso8601);
  ASSERT_TRUE(encoder.ok());
  std::string out;
  encoder->Encode({Datum::Int(-500'000), Datum::Int(kDay20241125 * kMicrosPerDay + 123'000)}, &out);
  EXPECT_EQ(out, R"({"ts":"1969-12-31T23:59:59.5","ltz":"2024-11-25T00:00:00.123Z"})");
}

TEST(JsonRowEncoderTest, NonFiniteNumbersAreQuotedAsJacksonWritesThem) {
  auto encoder = Encoder(
      {{"a", DataType::Double()}, {"b", DataType::Double()}, {"c", DataType::Float()}, {"d", DataType::Double()}});
  ASSERT_TRUE(encoder.ok());
  std::string out;
  encoder->Encode({Datum::Double(std::nan("")), Datum::Double(std::numeric_limits<double>::infinity()),
                   Datum::Double(-std::numeric_limits<double>::infinity()), Datum::Double(1e21)},
                  &out);
  EXPECT_EQ(out, R"({"a":"NaN","b":"Infinity","c":"-Infinity","d":1e+21})");
}

TEST(JsonRowEncoderTest, EscapesStringsAndNamesAndReplacesInvalidUtf8) {
  auto encoder = Encoder({{"we\"ird\\name", DataType::String()}, {"raw", DataType::String()}});
  ASSERT_TRUE(encoder.ok());
  std::string out;
  encoder->Encode(
      {Datum::String("q\"b\\s/\b\f\n\r\t\x01\x1f\x7f \xc3\xa9\xf0\x9f\x98\x80"), Datum::String("ok\xff\xc3(end")},
      &out);
  EXPECT_EQ(out,
            "{\"we\\\"ird\\\\name\":\"q\\\"b\\\\s/\\b\\f\\n\\r\\t\\u0001\\u001f\x7f \xc3\xa9\xf0\x9f\x98\x80\","
            "\"raw\":\"ok\xef\xbf\xbd\xef\xbf\xbd(end\"}");
}

TEST(JsonRowEncoderTest, RejectsMismatchedOrRepeatedColumns) {
  auto encoder = JsonRowEncoder::Make({"a", "b"}, {DataType::Int()});
  ASSERT_FALSE(encoder.ok());
  EXPECT_EQ(encoder.status().message(), "JSON encoder: 2 column names but 1 types");
  encoder = JsonRowEncoder::Make({"a", "a"}, {DataType::Int(), DataType::Int()});
  ASSERT_FALSE(encoder.ok());
  EXPECT_EQ(encoder.status().message(), "JSON encoder: column name 'a' appears twice");
  encoder = JsonRowEncoder::Make({}, {});
  ASSERT_TRUE(encoder.ok());
  std::string out;
  encoder->Encode({}, &out);
  EXPECT_EQ(out, "{}");
}

// ---- Round trip ----

void ExpectRoundTrip(JsonFormatOptions::TimestampStandard standard) {
  std::vector<std::pair<std::string, DataType>> columns = {
      {"bool", DataType::Boolean()},         {"tiny", DataType::TinyInt()},
      {"small", DataType::SmallInt()},       {"int", DataType::Int()},
      {"big", DataType::BigInt()},           {"float", DataType::Float()},
      {"double", DataType::Double()},        {"nan", DataType::Double()},
      {"inf", DataType::Double()},           {"dec", DataType::Decimal(38, 10)},
      {"dec0", DataType::Decimal(5, 0)},     {"char", DataType::Char(3)},
      {"str", DataType::String()},           {"bin", DataType::Binary(4)},
      {"bytes", DataType::Bytes()},          {"date", DataType::Date()},
      {"time", DataType::Time(6)},           {"ts", DataType::Timestamp(6)},
      {"ts_old", DataType::Timestamp(3)},    {"ltz", DataType::TimestampLtz(3)},
      {"ym", DataType::IntervalYearMonth()}, {"dt", DataType::IntervalDayTime()},
      {"null", DataType::String()}};
  Int128 big_decimal = 1;
  for (int i = 0; i < 37; ++i) big_decimal *= 10;
  big_decimal = -(big_decimal + 12345);
  Row row = {Datum::Bool(false),
             Datum::Int(-128),
             Datum::Int(32767),
             Datum::Int(-2147483648LL),
             Datum::Int(std::numeric_limits<int64_t>::min()),
             Datum::Double(static_cast<double>(3.14159f)),
             Datum::Double(0.1 + 0.2),
             Datum::Double(std::nan("")),
             Datum::Double(-std::numeric_limits<double>::infinity()),
             Datum::Decimal(big_decimal),
             Datum::Decimal(-99999),
             Datum::String("abc"),
             Datum::String("\"\\\n\x01\xe2\x82\xac{}"),
             Datum::String(std::string("\x00\x01\xfe\xff", 4)),
             Datum::String("any bytes at all \xff"),
             Datum::Int(-719162),  // 0001-01-01
             Datum::Int(86'399'999'999),
             Datum::Int(253402300799999999),  // 9999-12-31 23:59:59.999999
             Datum::Int(-1),                  // a microsecond before 1970
             Datum::Int(1732480000123000),
             Datum::Int(-14),
             Datum::Int(-86'400'000),
             Datum::Null()};
  row[18].i = -1000;  // TIMESTAMP(3): whole milliseconds
  std::vector<std::string> names;
  std::vector<DataType> types;
  for (auto& [n, t] : columns) {
    names.push_back(n);
    types.push_back(t);
  }
  auto encoder = JsonRowEncoder::Make(names, types, standard);
  ASSERT_TRUE(encoder.ok()) << encoder.status().ToString();
  std::string json;
  encoder->Encode(row, &json);

  JsonFormatOptions options;
  options.timestamp_standard = standard;
  options.fail_on_missing_field = true;
  auto table = MakeTable(columns);
  auto decoder = MakeDecoder(table, options);
  Row back(row.size());
  Status st = decoder.Decode(json, &back);
  ASSERT_TRUE(st.ok()) << st.ToString() << "\n" << json;
  for (size_t i = 0; i < row.size(); ++i) {
    EXPECT_TRUE(SameDatum(row[i], back[i], types[i])) << names[i] << " in " << json;
  }
}

TEST(JsonFormatRoundTripTest, DecodeOfEncodeGivesBackTheRowInTheSqlStandard) {
  ExpectRoundTrip(JsonFormatOptions::kSql);
}

TEST(JsonFormatRoundTripTest, DecodeOfEncodeGivesBackTheRowInIso8601) {
  ExpectRoundTrip(JsonFormatOptions::kIso8601);
}

}  // namespace
}  // namespace floe::stream
