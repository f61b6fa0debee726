// Flink's 'format' = 'json' for stream tables: decoding a Kafka record's value (one JSON object) into a row of the
// table's physical columns, and encoding rows as JSON objects (the late-event and dead-letter side outputs).
//
// Options (WITH (...) of the table, as Flink names them):
//   'json.fail-on-missing-field'       'true' | 'false' (default): a field the object lacks is an error, not NULL
//   'json.ignore-parse-errors'         'true' | 'false' (default): a field that does not convert becomes NULL
//   'json.timestamp-format.standard'   'SQL' (default) | 'ISO-8601': the text of TIMESTAMP and TIMESTAMP_LTZ values
// The two booleans cannot both be true (Flink refuses that pair too). Flink's encoding-only options
// ('json.encode.decimal-as-plain-number', 'json.encode.ignore-null-fields', 'json.map-null-key.mode',
// 'json.map-null-key.literal') and 'json.decode.json-parser.enabled' are accepted and have no effect on decoding;
// any other 'json.*' key is an error (a misspelt option should not be silently ignored).
//
// Decoding (Flink's JsonToRowDataConverters / JsonParserToRowDataConverters), by column type:
//   any type          JSON null, or a missing field, is NULL (a missing field is an error under fail-on-missing-field;
//                     JSON null never is). Fields are matched by name, case-sensitively; other fields are ignored;
//                     when a name repeats, the last occurrence wins.
//   BOOLEAN           true/false, or the strings "true"/"false" (any case, surrounding spaces ignored). Flink turns
//                     any other string into FALSE (Boolean.parseBoolean); floe rejects it, since a silent FALSE is
//                     worse than a dead-lettered event.
//   TINYINT..BIGINT,  a JSON number or a string holding one (Flink parses strings with Integer.parseInt & co.). The
//   INTERVAL types    value must be integral (1e3 and 42.0 are fine, 42.5 is an error: Flink would truncate it) and
//                     within the type's range.
//   FLOAT, DOUBLE     a JSON number, or a string with a number or NaN, Infinity, -Infinity (as Java's parseDouble
//                     reads them; the encoder writes non-finite values that way). FLOAT rounds to float precision.
//   DECIMAL(p, s)     a JSON number or numeric string, converted exactly from its text (never through a double), then
//                     rounded to s fractional digits HALF_UP and checked against p digits: Flink's
//                     DecimalData.fromBigDecimal, which does setScale(s, HALF_UP) and yields NULL when the precision
//                     overflows. floe does the same: an overflowing value is NULL, not an error.
//   CHAR, VARCHAR     a JSON string (unescaped); a number or boolean gives its JSON text ("21.50", "true") and an
//                     object or array its JSON text without insignificant whitespace, as Flink does. Lengths are not
//                     checked or truncated (Flink's format does not either).
//   BINARY, VARBINARY a base64 string (standard alphabet, padded), as Jackson reads binary values.
//   DATE              "yyyy-MM-dd".
//   TIME(p)           "HH:mm:ss" with an optional fraction of 1-9 digits.
//   TIMESTAMP(p)      SQL: "yyyy-MM-dd HH:mm:ss[.f]"; ISO-8601: "yyyy-MM-ddTHH:mm[:ss[.f]]" (java.time's
//                     ISO_LOCAL_DATE_TIME, where seconds are optional).
//   TIMESTAMP_LTZ(p)  the same followed by 'Z' (the instant in UTC): "2024-11-25 12:30:00.123Z", "2024-11-25T12:30Z".
//                     A number (epoch millis) is an error, as in Flink: use a BIGINT column and TO_TIMESTAMP_LTZ.
// Date and time text is checked strictly (2023-02-30 is an error; java.time's SMART resolver would clamp it to
// 02-28). Fractions beyond the column's precision (and beyond microseconds, floe's resolution) are truncated.
//
// Errors are InvalidArgument, phrased for the dead-letter output:
//   field 'temperature': expected a number for DOUBLE, got boolean true
//   field 'temperature': "hot" is not a number (DOUBLE)        (numeric strings are accepted, so this is the form)
//   field 'ts': 1.5 is not an integer (BIGINT)
//   field 'humidity' is missing (json.fail-on-missing-field is true)
//   malformed JSON at byte 7: syntax error while parsing object key - unexpected '}'; expected string literal
//                     (`{"a":1,}`: the byte, from 0, where the parser noticed the mistake)
//   the event is not a JSON object (got array)
// Under ignore-parse-errors a field-level error makes that field NULL and decoding goes on; an event that is not a
// JSON object at all is still an error, and Flink's option says to skip such events: the source drops it instead
// of dead-lettering it.
//
// Decoding uses simdjson's On-Demand parser on a reused padded buffer: once warm it allocates nothing per event
// (strings go into the row's Datums, which keep their capacity). On-Demand runs the kernel chosen at compile time
// (without -march flags simdjson's portable one): about 4-5 million telemetry events/s/core measured that way, with
// -O2. A consequence of On-Demand: values of fields the table does not declare are skipped over, not validated, so
// `{"a":1,"junk":tru}` decodes (Flink's Jackson would reject it); structure (brackets, strings, UTF-8) and the
// values of declared fields are always checked.
//
// Encoding (Flink's RowDataToJsonConverters with Jackson's defaults): one compact object, fields in column order,
// NULL as null. Numbers as JSON numbers (FLOAT and DOUBLE in their shortest round-trip form, whole numbers with
// ".0" as Java writes them: 21.53, 1013.0, 1e+21);
// NaN and infinities as the strings "NaN", "Infinity", "-Infinity" (Jackson's QUOTE_NON_NUMERIC_NUMBERS, on by
// default); DECIMAL as a plain number with its scale's digits (12.30; Flink's 'json.encode.decimal-as-plain-number'
// = true: Flink's default may write 1.0E-7); strings escaped as Jackson does (\" \\ \b \f \n \r \t, other control
// characters \u00XX; invalid UTF-8 replaced by U+FFFD so the output is always valid JSON); binary as base64; DATE
// "yyyy-MM-dd"; TIME and TIMESTAMP as java.time's formatters print them: the fraction has as many digits as needed
// and none for a whole second ("2024-11-25 12:30:00.12", "2024-11-25 12:30:00"), TIMESTAMP_LTZ with 'Z'.
// decode(encode(row)) gives back the row for every type.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "floe/base/status.h"
#include "floe/sql/table_catalog.h"
#include "floe/sql/types.h"
#include "floe/stream/datum.h"

namespace floe::stream {

struct JsonFormatOptions {
  enum TimestampStandard { kSql, kIso8601 };

  bool fail_on_missing_field = false;
  bool ignore_parse_errors = false;
  TimestampStandard timestamp_standard = kSql;
};

// Reads the table's 'json.*' options. InvalidArgument naming the table, option, value and allowed values for a bad
// value or an unknown 'json.*' key.
Result<JsonFormatOptions> ParseJsonFormatOptions(const sql::TableDefinition& table);

// Decodes JSON objects into rows of one table's physical columns. One decoder per thread; it keeps its parser and
// buffers from event to event.
class JsonRowDecoder {
 public:
  // A decoder for the physical columns of `table`. Unsupported for a column whose type has no JSON form (NULL).
  static Result<JsonRowDecoder> Make(const sql::TableDefinition& table, JsonFormatOptions options);

  JsonRowDecoder(JsonRowDecoder&&) noexcept;
  JsonRowDecoder& operator=(JsonRowDecoder&&) noexcept;
  ~JsonRowDecoder();

  // Sets (*row)[i] for every physical column i of the table from `json` (one JSON object); other entries of *row
  // are not touched. *row is grown to the table's column count if it is shorter. On error (described above) the
  // physical entries of *row are unspecified.
  Status Decode(std::string_view json, Row* row);

  const JsonFormatOptions& options() const;

 private:
  struct Impl;
  explicit JsonRowDecoder(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Encodes rows as JSON objects, one field per column.
class JsonRowEncoder {
 public:
  // InvalidArgument when `names` and `types` differ in length or a name repeats.
  static Result<JsonRowEncoder> Make(std::vector<std::string> names, std::vector<sql::DataType> types,
                                     JsonFormatOptions::TimestampStandard timestamp_standard = JsonFormatOptions::kSql);

  // Replaces *out with the JSON object for `row`, which has one datum per column (datums of the columns' types).
  // Reuses out's capacity.
  void Encode(const Row& row, std::string* out) const;

  const std::vector<std::string>& names() const { return names_; }
  const std::vector<sql::DataType>& types() const { return types_; }

 private:
  JsonRowEncoder() = default;

  std::vector<std::string> names_;
  std::vector<sql::DataType> types_;
  std::vector<std::string> prefixes_;  // `{"name":` for the first column, `,"name":` for the others
  JsonFormatOptions::TimestampStandard timestamp_standard_ = JsonFormatOptions::kSql;
};

}  // namespace floe::stream
