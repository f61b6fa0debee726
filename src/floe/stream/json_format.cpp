#include "floe/stream/json_format.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <array>
#include <cassert>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "floe/base/json_text.h"

namespace floe::stream {

namespace {

using sql::DataType;
using sql::TypeId;
namespace od = simdjson::ondemand;

constexpr std::string_view kFailOnMissingField = "json.fail-on-missing-field";
constexpr std::string_view kIgnoreParseErrors = "json.ignore-parse-errors";
constexpr std::string_view kTimestampStandard = "json.timestamp-format.standard";
// Flink options that concern encoding, maps or the choice of Jackson parser: valid, and without effect here.
constexpr std::array<std::string_view, 5> kAcceptedWithoutEffect = {
    "json.encode.decimal-as-plain-number", "json.encode.ignore-null-fields", "json.map-null-key.mode",
    "json.map-null-key.literal", "json.decode.json-parser.enabled"};

constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kMicrosPerDay = 86'400 * kMicrosPerSecond;
constexpr size_t kMaxQuotedChars = 64;  // of a value quoted in an error message

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// Java's String.trim(): strips characters <= ' ' at both ends.
std::string_view Trim(std::string_view s) {
  while (!s.empty() && static_cast<unsigned char>(s.front()) <= ' ') s.remove_prefix(1);
  while (!s.empty() && static_cast<unsigned char>(s.back()) <= ' ') s.remove_suffix(1);
  return s;
}

// `s` as a JSON string for a message, cut to kMaxQuotedChars.
std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (size_t i = 0; i < s.size() && i < kMaxQuotedChars; ++i) {
    const char c = s[i];
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
    } else {
      out += c;
    }
  }
  out += s.size() > kMaxQuotedChars ? "\"..." : "\"";
  return out;
}

std::string Cut(std::string_view s) {
  return s.size() > kMaxQuotedChars ? std::string(s.substr(0, kMaxQuotedChars)) + "..." : std::string(s);
}

// ---- Decimal text: BigDecimal's syntax, converted exactly to a scaled 128-bit integer. ----

constexpr int kMaxInt128Digits = 38;

constexpr std::array<Int128, kMaxInt128Digits + 1> MakePowersOf10() {
  std::array<Int128, kMaxInt128Digits + 1> p{};
  p[0] = 1;
  for (size_t i = 1; i < p.size(); ++i) p[i] = p[i - 1] * 10;
  return p;
}
constexpr std::array<Int128, kMaxInt128Digits + 1> kPow10 = MakePowersOf10();

struct NumberText {
  bool negative = false;
  std::string_view int_digits;
  std::string_view frac_digits;
  int64_t exponent = 0;  // saturated at +-2^40, far beyond any precision
};

// Parses [sign] digits [. digits] [e|E [sign] digits]. `json` asks for JSON's grammar (no '+', a digit on each side
// of the point, no leading zeros); otherwise BigDecimal's (a '+' sign, "5." and ".5").
bool ParseNumberText(std::string_view s, bool json, NumberText* out) {
  size_t i = 0;
  *out = NumberText{};
  if (i < s.size() && (s[i] == '-' || (!json && s[i] == '+'))) out->negative = s[i++] == '-';
  size_t start = i;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  out->int_digits = s.substr(start, i - start);
  if (json && (out->int_digits.empty() || (out->int_digits.size() > 1 && out->int_digits[0] == '0'))) return false;
  if (i < s.size() && s[i] == '.') {
    start = ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    out->frac_digits = s.substr(start, i - start);
    if (json && out->frac_digits.empty()) return false;
  }
  if (out->int_digits.empty() && out->frac_digits.empty()) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    bool negative = false;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) negative = s[i++] == '-';
    start = i;
    int64_t e = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      e = std::min<int64_t>(e * 10 + (s[i] - '0'), int64_t{1} << 40);
      ++i;
    }
    if (i == start) return false;
    out->exponent = negative ? -e : e;
  }
  return i == s.size();
}

enum class Scaled { kOk, kOverflow, kInexact };

// n * 10^scale as an integer of at most `max_digits` digits. With `round_half_up` dropped digits round HALF_UP
// (BigDecimal.setScale(scale, HALF_UP)); without it any dropped non-zero digit is kInexact.
Scaled ToScaled(const NumberText& n, int32_t scale, int32_t max_digits, bool round_half_up, Int128* out) {
  const int64_t total = static_cast<int64_t>(n.int_digits.size() + n.frac_digits.size());
  auto digit = [&](int64_t i) {
    const size_t u = static_cast<size_t>(i);
    return u < n.int_digits.size() ? n.int_digits[u] - '0' : n.frac_digits[u - n.int_digits.size()] - '0';
  };
  // The value is digits * 10^k.
  const int64_t k = n.exponent - static_cast<int64_t>(n.frac_digits.size()) + scale;
  const int64_t keep = k >= 0 ? total : total + k;  // digits before the point after scaling; may be <= 0
  Int128 acc = 0;
  int significant = 0;
  for (int64_t i = 0; i < keep; ++i) {
    const int d = digit(i);
    if (significant == 0 && d == 0) continue;
    if (++significant > max_digits) return Scaled::kOverflow;
    acc = acc * 10 + d;
  }
  if (k > 0 && acc != 0) {
    if (significant + k > max_digits) return Scaled::kOverflow;
    acc *= kPow10[static_cast<size_t>(k)];
  }
  if (keep < total) {
    const int64_t first_dropped = std::max<int64_t>(keep, 0);
    bool nonzero = false;
    for (int64_t i = first_dropped; i < total && !nonzero; ++i) nonzero = digit(i) != 0;
    if (nonzero) {
      if (!round_half_up) return Scaled::kInexact;
      if (keep >= 0 && digit(keep) >= 5) ++acc;
      if (acc >= kPow10[static_cast<size_t>(max_digits)]) return Scaled::kOverflow;
    }
  }
  *out = n.negative ? -acc : acc;
  return Scaled::kOk;
}

// ---- Dates and times, as java.time's ISO_LOCAL_DATE and Flink's SQL_TIME_FORMAT read them (strictly). ----

bool ReadDigits(std::string_view s, size_t* pos, int count, int* out) {
  if (*pos + static_cast<size_t>(count) > s.size()) return false;
  int v = 0;
  for (int i = 0; i < count; ++i) {
    const char c = s[*pos + static_cast<size_t>(i)];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *pos += static_cast<size_t>(count);
  *out = v;
  return true;
}

bool IsLeapYear(int y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int DaysInMonth(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeapYear(y) ? 29 : kDays[m - 1];
}

// "yyyy-MM-dd" at s[*pos].
bool ParseDatePart(std::string_view s, size_t* pos, int64_t* days) {
  int y = 0, m = 0, d = 0;
  if (!ReadDigits(s, pos, 4, &y) || *pos >= s.size() || s[(*pos)++] != '-') return false;
  if (!ReadDigits(s, pos, 2, &m) || *pos >= s.size() || s[(*pos)++] != '-') return false;
  if (!ReadDigits(s, pos, 2, &d)) return false;
  if (m < 1 || m > 12 || d < 1 || d > DaysInMonth(y, m)) return false;
  *days = sql::DaysFromCivil(y, m, d);
  return true;
}

// "HH:mm:ss[.fffffffff]" at s[*pos] (with `seconds_optional`, ISO_LOCAL_TIME's "HH:mm[:ss[.f]]"); micros of the day,
// the fraction truncated to `precision` digits (at most 6).
bool ParseTimePart(std::string_view s, size_t* pos, bool seconds_optional, int32_t precision, int64_t* micros) {
  int h = 0, m = 0, sec = 0;
  if (!ReadDigits(s, pos, 2, &h) || *pos >= s.size() || s[(*pos)++] != ':') return false;
  if (!ReadDigits(s, pos, 2, &m)) return false;
  int64_t fraction_micros = 0;
  if (*pos < s.size() && s[*pos] == ':') {
    ++*pos;
    if (!ReadDigits(s, pos, 2, &sec)) return false;
    if (*pos < s.size() && s[*pos] == '.') {
      ++*pos;
      int digits = 0;
      const int keep = std::clamp(precision, 0, 6);
      while (*pos < s.size() && s[*pos] >= '0' && s[*pos] <= '9') {
        if (digits < keep) fraction_micros = fraction_micros * 10 + (s[*pos] - '0');
        ++digits;
        ++*pos;
      }
      if (digits == 0 || digits > 9) return false;
      for (int i = std::min(digits, keep); i < 6; ++i) fraction_micros *= 10;
    }
  } else if (!seconds_optional) {
    return false;
  }
  if (h > 23 || m > 59 || sec > 59) return false;
  *micros = (h * 3600 + m * 60 + sec) * kMicrosPerSecond + fraction_micros;
  return true;
}

bool ParseTimestampText(std::string_view s, JsonFormatOptions::TimestampStandard standard, bool with_z,
                        int32_t precision, int64_t* micros) {
  const bool iso = standard == JsonFormatOptions::kIso8601;
  size_t pos = 0;
  int64_t days = 0, time = 0;
  if (!ParseDatePart(s, &pos, &days)) return false;
  if (pos >= s.size() || s[pos++] != (iso ? 'T' : ' ')) return false;
  if (!ParseTimePart(s, &pos, iso, precision, &time)) return false;
  if (with_z && (pos >= s.size() || s[pos++] != 'Z')) return false;
  if (pos != s.size()) return false;
  *micros = days * kMicrosPerDay + time;
  return true;
}

// ---- Base64 (RFC 4648 standard alphabet, padded), as Jackson reads and writes binary values. ----

constexpr char kBase64Alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<int8_t, 256> MakeBase64Values() {
  std::array<int8_t, 256> v{};
  for (auto& x : v) x = -1;
  for (int i = 0; i < 64; ++i) v[static_cast<unsigned char>(kBase64Alphabet[i])] = static_cast<int8_t>(i);
  return v;
}
constexpr std::array<int8_t, 256> kBase64Values = MakeBase64Values();

bool DecodeBase64(std::string_view in, std::string* out) {
  if (in.size() % 4 != 0) return false;
  size_t padding = 0;
  if (!in.empty() && in.back() == '=') padding = in.size() >= 2 && in[in.size() - 2] == '=' ? 2 : 1;
  out->resize(in.size() / 4 * 3 - padding);
  size_t o = 0;
  for (size_t i = 0; i < in.size(); i += 4) {
    uint32_t bits = 0;
    const bool last = i + 4 == in.size();
    for (size_t j = 0; j < 4; ++j) {
      const bool pad = last && j >= 4 - padding;
      const int8_t v = pad ? 0 : kBase64Values[static_cast<unsigned char>(in[i + j])];
      if (v < 0) return false;
      bits = bits << 6 | static_cast<uint32_t>(v);
    }
    const size_t n = last ? 3 - padding : 3;
    for (size_t j = 0; j < n; ++j) (*out)[o++] = static_cast<char>(bits >> (16 - 8 * j) & 0xff);
  }
  return true;
}

void AppendBase64(std::string_view in, std::string* out) {
  size_t i = 0;
  auto byte = [&](size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(in[k])); };
  for (; i + 3 <= in.size(); i += 3) {
    const uint32_t bits = byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2);
    for (int j = 3; j >= 0; --j) out->push_back(kBase64Alphabet[bits >> (6 * j) & 63]);
  }
  if (i + 1 == in.size()) {
    const uint32_t bits = byte(i) << 16;
    out->push_back(kBase64Alphabet[bits >> 18 & 63]);
    out->push_back(kBase64Alphabet[bits >> 12 & 63]);
    out->append("==");
  } else if (i + 2 == in.size()) {
    const uint32_t bits = byte(i) << 16 | byte(i + 1) << 8;
    out->push_back(kBase64Alphabet[bits >> 18 & 63]);
    out->push_back(kBase64Alphabet[bits >> 12 & 63]);
    out->push_back(kBase64Alphabet[bits >> 6 & 63]);
    out->push_back('=');
  }
}

// ---- Malformed JSON: where and why, for the dead-letter message. ----

// simdjson says what is wrong but not where; nlohmann's SAX parser (only run for events simdjson rejected) says at
// which byte. Nothing is built: every callback just accepts.
struct ErrorLocator : nlohmann::json_sax<nlohmann::json> {
  size_t position = 0;
  std::string message;
  bool failed = false;

  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return true; }
  bool key(string_t&) override { return true; }
  bool end_object() override { return true; }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t pos, const std::string&, const nlohmann::detail::exception& ex) override {
    // `pos` counts the bytes read up to and including the one where the parser saw the mistake.
    failed = true;
    position = pos > 0 ? pos - 1 : 0;
    message = ex.what();
    return false;
  }
};

Status MalformedJson(std::string_view json, simdjson::error_code code) {
  ErrorLocator locator;
  nlohmann::json::sax_parse(json.begin(), json.end(), &locator, nlohmann::json::input_format_t::json,
                            /*strict=*/true);
  if (!locator.failed) {
    return Status::InvalidArgument(fmt::format("malformed JSON: {}", simdjson::error_message(code)));
  }
  // nlohmann's message is "[json.exception.parse_error.101] parse error at line 1, column 18: <reason>"; the byte
  // offset (from 0) replaces its line and column.
  std::string_view reason = locator.message;
  if (size_t colon = reason.find(": "); colon != std::string_view::npos) reason.remove_prefix(colon + 2);
  return Status::InvalidArgument(
      fmt::format("malformed JSON at byte {}: {}", std::min(locator.position, json.size()), reason));
}

std::string_view JsonTypeName(od::json_type type) {
  switch (type) {
    case od::json_type::array: return "array";
    case od::json_type::object: return "object";
    case od::json_type::number: return "number";
    case od::json_type::string: return "string";
    case od::json_type::boolean: return "boolean";
    case od::json_type::null: return "null";
  }
  return "value";
}

// ---- Encoding helpers. ----

// Java's Double.toString / Float.toString spelling where JSON allows it: the shortest digits that read back, with
// ".0" on whole numbers; non-finite values as Jackson's quoted "NaN", "Infinity", "-Infinity".
template <typename F>
void AppendFloating(F v, std::string* out) {
  if (std::isnan(v)) {
    out->append("\"NaN\"");
    return;
  }
  if (std::isinf(v)) {
    out->append(v > 0 ? "\"Infinity\"" : "\"-Infinity\"");
    return;
  }
  char buf[40];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  std::string_view text(buf, static_cast<size_t>(r.ptr - buf));
  out->append(text);
  if (text.find_first_of(".e") == std::string_view::npos) out->append(".0");
}

void AppendDecimal(Int128 unscaled, int32_t scale, std::string* out) {
  if (unscaled < 0) out->push_back('-');
  unsigned __int128 mag = unscaled < 0 ? -static_cast<unsigned __int128>(unscaled) : unscaled;
  char digits[48];
  size_t n = 0;
  do {
    digits[n++] = static_cast<char>('0' + static_cast<int>(mag % 10));
    mag /= 10;
  } while (mag != 0);
  while (n <= static_cast<size_t>(std::max(scale, 0))) digits[n++] = '0';  // at least one digit before the point
  for (size_t i = n; i-- > 0;) {
    out->push_back(digits[i]);
    if (scale > 0 && i == static_cast<size_t>(scale)) out->push_back('.');
  }
}

void AppendPadded(int64_t v, int width, std::string* out) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  for (int i = static_cast<int>(r.ptr - buf); i < width; ++i) out->push_back('0');
  out->append(buf, r.ptr);
}

void AppendDate(int64_t days, std::string* out) {
  int64_t y = 0;
  int m = 0, d = 0;
  sql::CivilFromDays(days, &y, &m, &d);
  AppendPadded(y, 4, out);
  out->push_back('-');
  AppendPadded(m, 2, out);
  out->push_back('-');
  AppendPadded(d, 2, out);
}

// HH:mm:ss and, if not zero, the fraction with its trailing zeros dropped (java.time's appendFraction(0, 9)).
void AppendTime(int64_t micros_of_day, std::string* out) {
  const int64_t seconds = micros_of_day / kMicrosPerSecond;
  AppendPadded(seconds / 3600, 2, out);
  out->push_back(':');
  AppendPadded(seconds / 60 % 60, 2, out);
  out->push_back(':');
  AppendPadded(seconds % 60, 2, out);
  int64_t fraction = micros_of_day % kMicrosPerSecond;
  if (fraction == 0) return;
  int width = 6;
  while (fraction % 10 == 0) {
    fraction /= 10;
    --width;
  }
  out->push_back('.');
  AppendPadded(fraction, width, out);
}

int64_t FloorDiv(int64_t a, int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}

void AppendTimestamp(int64_t micros, JsonFormatOptions::TimestampStandard standard, bool with_z, std::string* out) {
  const int64_t days = FloorDiv(micros, kMicrosPerDay);
  AppendDate(days, out);
  out->push_back(standard == JsonFormatOptions::kIso8601 ? 'T' : ' ');
  AppendTime(micros - days * kMicrosPerDay, out);
  if (with_z) out->push_back('Z');
}

}  // namespace

// ---------------------------------------------------------------------------------------------------------------

Result<JsonFormatOptions> ParseJsonFormatOptions(const sql::TableDefinition& table) {
  JsonFormatOptions options;
  auto bad = [&](std::string_view key, std::string_view value, std::string_view allowed) {
    return Status::InvalidArgument(fmt::format("table '{}': option '{}' = '{}' is not valid; allowed values: {}",
                                               table.name, key, value, allowed));
  };
  auto parse_bool = [&](std::string_view key, std::string_view value, bool* out) -> Status {
    // Flink's boolean options read "true" and "false" in any case.
    if (EqualsIgnoreCase(value, "true")) {
      *out = true;
    } else if (EqualsIgnoreCase(value, "false")) {
      *out = false;
    } else {
      return bad(key, value, "'true', 'false'");
    }
    return Status::Ok();
  };
  for (const auto& [key, value] : table.options) {
    if (!key.starts_with("json.")) continue;
    if (key == kFailOnMissingField) {
      FLOE_RETURN_IF_ERROR(parse_bool(key, value, &options.fail_on_missing_field));
    } else if (key == kIgnoreParseErrors) {
      FLOE_RETURN_IF_ERROR(parse_bool(key, value, &options.ignore_parse_errors));
    } else if (key == kTimestampStandard) {
      if (value == "SQL") {
        options.timestamp_standard = JsonFormatOptions::kSql;
      } else if (value == "ISO-8601") {
        options.timestamp_standard = JsonFormatOptions::kIso8601;
      } else {
        return bad(key, value, "'SQL', 'ISO-8601'");
      }
    } else if (std::find(kAcceptedWithoutEffect.begin(), kAcceptedWithoutEffect.end(), key) ==
               kAcceptedWithoutEffect.end()) {
      return Status::InvalidArgument(
          fmt::format("table '{}': unknown option '{}' for format 'json'; supported: '{}', '{}', '{}'", table.name, key,
                      kFailOnMissingField, kIgnoreParseErrors, kTimestampStandard));
    }
  }
  if (options.fail_on_missing_field && options.ignore_parse_errors) {
    return Status::InvalidArgument(fmt::format("table '{}': options '{}' and '{}' cannot both be 'true'", table.name,
                                               kFailOnMissingField, kIgnoreParseErrors));
  }
  return options;
}

// ---------------------------------------------------------------------------------------------------------------

struct JsonRowDecoder::Impl {
  struct Column {
    std::string name;
    DataType type;
    size_t row_index = 0;
  };

  // A field's conversion failed: either the JSON itself is bad (`json_error` set; the whole event is malformed) or
  // the value does not fit the column (`message`).
  struct FieldError {
    simdjson::error_code json_error = simdjson::SUCCESS;
    std::string message;
  };

  std::vector<Column> columns;
  JsonFormatOptions options;
  size_t row_size = 0;
  // Wide tables look names up by hash; narrow ones scan, starting after the previously matched column, so events
  // whose fields come in column order find each on the first compare.
  static constexpr size_t kHashFrom = 16;
  std::unordered_map<std::string_view, size_t> by_name;
  size_t next_hint = 0;
  std::vector<uint8_t> seen;

  od::parser parser;
  std::unique_ptr<char[]> buffer;
  size_t buffer_capacity = 0;
  FieldError error;

  size_t Find(std::string_view key) {
    if (!by_name.empty()) {
      auto it = by_name.find(key);
      return it == by_name.end() ? SIZE_MAX : it->second;
    }
    const size_t n = columns.size();
    for (size_t k = 0, c = next_hint; k < n; ++k, c = c + 1 == n ? 0 : c + 1) {
      if (columns[c].name == key) {
        next_hint = c + 1 == n ? 0 : c + 1;
        return c;
      }
    }
    return SIZE_MAX;
  }

  bool JsonFailed(simdjson::error_code code) {
    error.json_error = code;
    return false;
  }

  bool Fail(const Column& col, std::string message) {
    error.message = fmt::format("field '{}': {}", col.name, message);
    return false;
  }

  bool WrongType(const Column& col, std::string_view expected, od::value& v, od::json_type type) {
    std::string got(JsonTypeName(type));
    if (type != od::json_type::object && type != od::json_type::array) {
      // type() looked at the first byte only: a broken literal ("tru") is malformed JSON, not a wrong type.
      const std::string_view token = Trim(v.raw_json_token());
      NumberText number;
      if (type == od::json_type::boolean && token != "true" && token != "false") {
        return JsonFailed(simdjson::T_ATOM_ERROR);
      }
      if (type == od::json_type::number && !ParseNumberText(token, /*json=*/true, &number)) {
        return JsonFailed(simdjson::NUMBER_ERROR);
      }
      got += " " + Cut(token);
    }
    return Fail(col, fmt::format("expected {} for {}, got {}", expected, col.type.Name(), got));
  }

  bool GetString(od::value& v, std::string_view* out) {
    if (auto code = v.get_string().get(*out)) return JsonFailed(code);
    return true;
  }

  // The text of a JSON number, checked against JSON's grammar (simdjson checks numbers only when asked to parse).
  bool GetNumberText(od::value& v, NumberText* number, std::string_view* text) {
    *text = Trim(v.raw_json_token());
    if (!ParseNumberText(*text, /*json=*/true, number)) return JsonFailed(simdjson::NUMBER_ERROR);
    return true;
  }

  bool ConvertInteger(const Column& col, od::value& v, od::json_type type, Datum* out) {
    int64_t lo = INT64_MIN, hi = INT64_MAX;
    switch (col.type.id) {
      case TypeId::kTinyInt: lo = INT8_MIN, hi = INT8_MAX; break;
      case TypeId::kSmallInt: lo = INT16_MIN, hi = INT16_MAX; break;
      case TypeId::kInt:
      case TypeId::kIntervalYearMonth: lo = INT32_MIN, hi = INT32_MAX; break;
      default: break;
    }
    std::string_view text;
    NumberText number;
    if (type == od::json_type::number) {
      int64_t i = 0;
      if (v.get_int64().get(i) == simdjson::SUCCESS) {  // the common case: a plain integer
        if (i < lo || i > hi) return Fail(col, fmt::format("{} is out of range for {}", i, col.type.Name()));
        out->SetInt(i);
        return true;
      }
      if (!GetNumberText(v, &number, &text)) return false;
    } else if (type == od::json_type::string) {
      if (!GetString(v, &text)) return false;
      text = Trim(text);
      if (!ParseNumberText(text, /*json=*/false, &number)) {
        return Fail(col, fmt::format("{} is not a number ({})", Quote(text), col.type.Name()));
      }
    } else {
      return WrongType(col, "an integer", v, type);
    }
    Int128 value = 0;
    switch (ToScaled(number, 0, 19, /*round_half_up=*/false, &value)) {
      case Scaled::kInexact: return Fail(col, fmt::format("{} is not an integer ({})", Cut(text), col.type.Name()));
      case Scaled::kOverflow: return Fail(col, fmt::format("{} is out of range for {}", Cut(text), col.type.Name()));
      case Scaled::kOk: break;
    }
    if (value < lo || value > hi)
      return Fail(col, fmt::format("{} is out of range for {}", Cut(text), col.type.Name()));
    out->SetInt(static_cast<int64_t>(value));
    return true;
  }

  bool ConvertApproximate(const Column& col, od::value& v, od::json_type type, Datum* out) {
    double d = 0;
    if (type == od::json_type::number) {
      if (auto code = v.get_double().get(d)) return JsonFailed(code);
    } else if (type == od::json_type::string) {
      std::string_view text;
      if (!GetString(v, &text)) return false;
      std::string_view t = Trim(text);
      if (t == "NaN") {
        d = std::numeric_limits<double>::quiet_NaN();
      } else if (t == "Infinity" || t == "+Infinity") {
        d = std::numeric_limits<double>::infinity();
      } else if (t == "-Infinity") {
        d = -std::numeric_limits<double>::infinity();
      } else {
        NumberText number;  // BigDecimal's grammar is Java's decimal float syntax without the d/f suffixes
        if (!ParseNumberText(t, /*json=*/false, &number)) {
          return Fail(col, fmt::format("{} is not a number ({})", Quote(text), col.type.Name()));
        }
        if (t.front() == '+') t.remove_prefix(1);
        auto r = std::from_chars(t.data(), t.data() + t.size(), d);
        if (r.ec == std::errc::result_out_of_range) {
          // Java reads such text as an infinity or a zero; from_chars refuses. Decide by the exponent's sign.
          d = number.exponent > 0 ? std::numeric_limits<double>::infinity() : 0.0;
          if (number.negative) d = -d;
        } else if (r.ec != std::errc() || r.ptr != t.data() + t.size()) {
          return Fail(col, fmt::format("{} is not a number ({})", Quote(text), col.type.Name()));
        }
      }
    } else {
      return WrongType(col, "a number", v, type);
    }
    out->SetDouble(col.type.id == TypeId::kFloat ? static_cast<double>(static_cast<float>(d)) : d);
    return true;
  }

  bool ConvertDecimal(const Column& col, od::value& v, od::json_type type, Datum* out) {
    std::string_view text;
    NumberText number;
    if (type == od::json_type::number) {
      if (!GetNumberText(v, &number, &text)) return false;
    } else if (type == od::json_type::string) {
      if (!GetString(v, &text)) return false;
      text = Trim(text);
      if (!ParseNumberText(text, /*json=*/false, &number)) {
        return Fail(col, fmt::format("{} is not a number ({})", Quote(text), col.type.Name()));
      }
    } else {
      return WrongType(col, "a number", v, type);
    }
    Int128 unscaled = 0;
    if (ToScaled(number, col.type.scale, col.type.precision, /*round_half_up=*/true, &unscaled) == Scaled::kOk) {
      out->SetDecimal(unscaled);
    } else {
      out->SetNull();  // Flink's DecimalData.fromBigDecimal: a value that does not fit the precision is null
    }
    return true;
  }

  bool ConvertString(const Column& col, od::value& v, od::json_type type, Datum* out) {
    std::string_view text;
    switch (type) {
      case od::json_type::string:
        if (!GetString(v, &text)) return false;
        out->SetString(text);
        return true;
      case od::json_type::number: {
        NumberText number;
        if (!GetNumberText(v, &number, &text)) return false;
        out->SetString(text);
        return true;
      }
      case od::json_type::boolean: {
        bool b = false;
        if (auto code = v.get_bool().get(b)) return JsonFailed(code);
        out->SetString(b ? "true" : "false");
        return true;
      }
      case od::json_type::object:
      case od::json_type::array: {
        if (type == od::json_type::object) {
          od::object object;
          if (auto code = v.get_object().get(object)) return JsonFailed(code);
          if (auto code = object.raw_json().get(text)) return JsonFailed(code);
        } else {
          od::array array;
          if (auto code = v.get_array().get(array)) return JsonFailed(code);
          if (auto code = array.raw_json().get(text)) return JsonFailed(code);
        }
        // Flink writes the value back compactly (JsonNode.toString()); minify does the same to the original text.
        out->null = false;
        out->s.resize(text.size());
        size_t length = 0;
        if (auto code = simdjson::minify(text.data(), text.size(), out->s.data(), length)) return JsonFailed(code);
        out->s.resize(length);
        return true;
      }
      case od::json_type::null: break;
    }
    return WrongType(col, "a string", v, type);
  }

  bool ConvertBoolean(const Column& col, od::value& v, od::json_type type, Datum* out) {
    if (type == od::json_type::boolean) {
      bool b = false;
      if (auto code = v.get_bool().get(b)) return JsonFailed(code);
      out->SetBool(b);
      return true;
    }
    if (type == od::json_type::string) {
      std::string_view text;
      if (!GetString(v, &text)) return false;
      const std::string_view t = Trim(text);
      if (EqualsIgnoreCase(t, "true") || EqualsIgnoreCase(t, "false")) {
        out->SetBool(t.size() == 4);
        return true;
      }
      return Fail(col, fmt::format("{} is not a BOOLEAN (true or false)", Quote(text)));
    }
    return WrongType(col, "true or false", v, type);
  }

  bool ConvertTemporal(const Column& col, od::value& v, od::json_type type, Datum* out) {
    if (type != od::json_type::string) return WrongType(col, "a string", v, type);
    std::string_view text;
    if (!GetString(v, &text)) return false;
    const bool iso = options.timestamp_standard == JsonFormatOptions::kIso8601;
    int64_t value = 0;
    bool ok = false;
    std::string_view expected;
    switch (col.type.id) {
      case TypeId::kDate: {
        size_t pos = 0;
        ok = ParseDatePart(text, &pos, &value) && pos == text.size();
        expected = "'yyyy-MM-dd'";
        break;
      }
      case TypeId::kTime: {
        size_t pos = 0;
        ok = ParseTimePart(text, &pos, false, col.type.precision, &value) && pos == text.size();
        expected = "'HH:mm:ss[.fffffffff]'";
        break;
      }
      case TypeId::kTimestamp:
        ok = ParseTimestampText(text, options.timestamp_standard, false, col.type.precision, &value);
        expected = iso ? "'yyyy-MM-ddTHH:mm[:ss[.fffffffff]]' (json.timestamp-format.standard 'ISO-8601')"
                       : "'yyyy-MM-dd HH:mm:ss[.fffffffff]' (json.timestamp-format.standard 'SQL')";
        break;
      default:  // kTimestampLtz
        ok = ParseTimestampText(text, options.timestamp_standard, true, col.type.precision, &value);
        expected = iso ? "'yyyy-MM-ddTHH:mm[:ss[.fffffffff]]Z' (json.timestamp-format.standard 'ISO-8601')"
                       : "'yyyy-MM-dd HH:mm:ss[.fffffffff]Z' (json.timestamp-format.standard 'SQL')";
        break;
    }
    if (!ok) return Fail(col, fmt::format("{} is not a valid {}: expected {}", Quote(text), col.type.Name(), expected));
    out->SetInt(value);
    return true;
  }

  bool ConvertBinary(const Column& col, od::value& v, od::json_type type, Datum* out) {
    if (type != od::json_type::string) return WrongType(col, "a base64 string", v, type);
    std::string_view text;
    if (!GetString(v, &text)) return false;
    out->null = false;
    if (!DecodeBase64(text, &out->s)) return Fail(col, fmt::format("{} is not valid base64", Quote(text)));
    return true;
  }

  // Converts one field's value into `out`; false with `error` set when it cannot.
  bool Convert(const Column& col, od::value& v, Datum* out) {
    od::json_type type;
    if (auto code = v.type().get(type)) return JsonFailed(code);
    if (type == od::json_type::null) {
      bool is_null = false;  // type() looked at one byte; this checks the literal
      if (auto code = v.is_null().get(is_null)) return JsonFailed(code);
      if (!is_null) return JsonFailed(simdjson::N_ATOM_ERROR);
      out->SetNull();
      return true;
    }
    switch (col.type.id) {
      case TypeId::kBoolean: return ConvertBoolean(col, v, type, out);
      case TypeId::kTinyInt:
      case TypeId::kSmallInt:
      case TypeId::kInt:
      case TypeId::kBigInt:
      case TypeId::kIntervalDayTime:
      case TypeId::kIntervalYearMonth: return ConvertInteger(col, v, type, out);
      case TypeId::kFloat:
      case TypeId::kDouble: return ConvertApproximate(col, v, type, out);
      case TypeId::kDecimal: return ConvertDecimal(col, v, type, out);
      case TypeId::kChar:
      case TypeId::kVarChar: return ConvertString(col, v, type, out);
      case TypeId::kBinary:
      case TypeId::kVarBinary: return ConvertBinary(col, v, type, out);
      case TypeId::kDate:
      case TypeId::kTime:
      case TypeId::kTimestamp:
      case TypeId::kTimestampLtz: return ConvertTemporal(col, v, type, out);
      case TypeId::kNull: break;
    }
    out->SetNull();
    return true;
  }

  Status Decode(std::string_view json, Row* row) {
    if (Trim(json).empty()) return Status::InvalidArgument("the event is empty, not a JSON object");
    // simdjson reads up to SIMDJSON_PADDING bytes past the end; a record's value has no such slack, so it is copied.
    const size_t needed = json.size() + simdjson::SIMDJSON_PADDING;
    if (buffer_capacity < needed) {
      buffer_capacity = std::max(needed, buffer_capacity * 2);
      buffer = std::make_unique<char[]>(buffer_capacity);  // zeroed, so the padding is defined
    }
    std::memcpy(buffer.get(), json.data(), json.size());
    std::memset(buffer.get() + json.size(), 0, simdjson::SIMDJSON_PADDING);

    od::document doc;
    if (auto code = parser.iterate(buffer.get(), json.size(), buffer_capacity).get(doc)) {
      return MalformedJson(json, code);
    }
    od::json_type type;
    if (auto code = doc.type().get(type)) return MalformedJson(json, code);
    if (type != od::json_type::object) {
      return Status::InvalidArgument(fmt::format("the event is not a JSON object (got {})", JsonTypeName(type)));
    }
    od::object object;
    if (auto code = doc.get_object().get(object)) return MalformedJson(json, code);

    if (row->size() < row_size) row->resize(row_size);
    std::fill(seen.begin(), seen.end(), 0);
    for (const Column& col : columns) (*row)[col.row_index].SetNull();

    for (auto field_result : object) {
      od::field field;
      if (auto code = std::move(field_result).get(field)) return MalformedJson(json, code);
      // The key's bytes up to its closing quote; only a key with an escape needs unescaping (rare: a copy).
      const char* raw = field.key().raw();
      const char* end = raw;
      while (*end != '"' && *end != '\\') ++end;  // the string is closed: stage 1 checked it
      std::string_view key(raw, static_cast<size_t>(end - raw));
      if (*end == '\\') {
        if (auto code = field.unescaped_key().get(key)) return MalformedJson(json, code);
      }
      const size_t c = Find(key);
      if (c == SIZE_MAX) continue;  // not a column: the iterator skips the value
      const Column& col = columns[c];
      Datum& out = (*row)[col.row_index];
      if (!Convert(col, field.value(), &out)) {
        if (error.json_error != simdjson::SUCCESS) {
          const auto code = std::exchange(error.json_error, simdjson::SUCCESS);
          return MalformedJson(json, code);
        }
        if (!options.ignore_parse_errors) return Status::InvalidArgument(std::move(error.message));
        out.SetNull();  // Flink's json.ignore-parse-errors: the field is null
      }
      seen[c] = 1;
    }
    // Anything after the object (a second document, stray characters) leaves the iterator short of the end.
    const char* trailing = nullptr;
    if (doc.current_location().get(trailing) == simdjson::SUCCESS) {
      return MalformedJson(json, simdjson::TRAILING_CONTENT);
    }
    if (options.fail_on_missing_field) {
      for (size_t c = 0; c < columns.size(); ++c) {
        if (!seen[c]) {
          return Status::InvalidArgument(
              fmt::format("field '{}' is missing (json.fail-on-missing-field is true)", columns[c].name));
        }
      }
    }
    return Status::Ok();
  }
};

JsonRowDecoder::JsonRowDecoder(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
JsonRowDecoder::JsonRowDecoder(JsonRowDecoder&&) noexcept = default;
JsonRowDecoder& JsonRowDecoder::operator=(JsonRowDecoder&&) noexcept = default;
JsonRowDecoder::~JsonRowDecoder() = default;

Result<JsonRowDecoder> JsonRowDecoder::Make(const sql::TableDefinition& table, JsonFormatOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->row_size = table.columns.size();
  for (size_t i = 0; i < table.columns.size(); ++i) {
    const sql::TableColumn& column = table.columns[i];
    if (column.kind != sql::ColumnKind::kPhysical) continue;
    if (column.type.is_null()) {
      return Status::Unsupported(
          fmt::format("table '{}': column '{}' of type NULL cannot be read from JSON", table.name, column.name));
    }
    impl->columns.push_back({column.name, column.type, i});
  }
  impl->seen.assign(impl->columns.size(), 0);
  if (impl->columns.size() >= Impl::kHashFrom) {
    for (size_t c = 0; c < impl->columns.size(); ++c) impl->by_name.emplace(impl->columns[c].name, c);
  }
  return JsonRowDecoder(std::move(impl));
}

Status JsonRowDecoder::Decode(std::string_view json, Row* row) {
  return impl_->Decode(json, row);
}

const JsonFormatOptions& JsonRowDecoder::options() const {
  return impl_->options;
}

// ---------------------------------------------------------------------------------------------------------------

Result<JsonRowEncoder> JsonRowEncoder::Make(std::vector<std::string> names, std::vector<sql::DataType> types,
                                            JsonFormatOptions::TimestampStandard timestamp_standard) {
  if (names.size() != types.size()) {
    return Status::InvalidArgument(
        fmt::format("JSON encoder: {} column names but {} types", names.size(), types.size()));
  }
  std::unordered_set<std::string_view> unique;
  for (const std::string& name : names) {
    if (!unique.insert(name).second) {
      return Status::InvalidArgument(fmt::format("JSON encoder: column name '{}' appears twice", name));
    }
  }
  JsonRowEncoder encoder;
  for (size_t i = 0; i < names.size(); ++i) {
    std::string prefix = i == 0 ? "{" : ",";
    AppendJsonString(names[i], &prefix);
    prefix.push_back(':');
    encoder.prefixes_.push_back(std::move(prefix));
  }
  encoder.names_ = std::move(names);
  encoder.types_ = std::move(types);
  encoder.timestamp_standard_ = timestamp_standard;
  return encoder;
}

void JsonRowEncoder::Encode(const Row& row, std::string* out) const {
  assert(row.size() >= names_.size());
  out->clear();
  if (names_.empty()) {
    out->append("{}");
    return;
  }
  for (size_t i = 0; i < names_.size(); ++i) {
    out->append(prefixes_[i]);
    const Datum& d = row[i];
    const DataType& type = types_[i];
    if (d.null) {
      out->append("null");
      continue;
    }
    switch (type.id) {
      case TypeId::kNull: out->append("null"); break;
      case TypeId::kBoolean: out->append(d.b ? "true" : "false"); break;
      case TypeId::kTinyInt:
      case TypeId::kSmallInt:
      case TypeId::kInt:
      case TypeId::kBigInt:
      case TypeId::kIntervalDayTime:
      case TypeId::kIntervalYearMonth: AppendJsonInt(d.i, out); break;
      case TypeId::kFloat: AppendFloating(static_cast<float>(d.d), out); break;
      case TypeId::kDouble: AppendFloating(d.d, out); break;
      case TypeId::kDecimal: AppendDecimal(d.dec, type.scale, out); break;
      case TypeId::kChar:
      case TypeId::kVarChar: AppendJsonString(d.s, out); break;
      case TypeId::kBinary:
      case TypeId::kVarBinary:
        out->push_back('"');
        AppendBase64(d.s, out);
        out->push_back('"');
        break;
      case TypeId::kDate:
        out->push_back('"');
        AppendDate(d.i, out);
        out->push_back('"');
        break;
      case TypeId::kTime:
        out->push_back('"');
        AppendTime(d.i, out);
        out->push_back('"');
        break;
      case TypeId::kTimestamp:
      case TypeId::kTimestampLtz:
        out->push_back('"');
        AppendTimestamp(d.i, timestamp_standard_, type.id == TypeId::kTimestampLtz, out);
        out->push_back('"');
        break;
    }
  }
  out->push_back('}');
}

}  // namespace floe::stream
