#include "floe/ingest/telemetry_json.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cstring>

namespace floe::ingest {

namespace {

// "00" "01" ... "99": two digits per division, half the divisions of a digit-by-digit loop. Formatting is most of
// `floe produce`'s own time per event.
constexpr char kDigitPairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

constexpr uint64_t kPowersOf10[20] = {1ULL,
                                      10ULL,
                                      100ULL,
                                      1000ULL,
                                      10000ULL,
                                      100000ULL,
                                      1000000ULL,
                                      10000000ULL,
                                      100000000ULL,
                                      1000000000ULL,
                                      10000000000ULL,
                                      100000000000ULL,
                                      1000000000000ULL,
                                      10000000000000ULL,
                                      100000000000000ULL,
                                      1000000000000000ULL,
                                      10000000000000000ULL,
                                      100000000000000000ULL,
                                      1000000000000000000ULL,
                                      10000000000000000000ULL};

// log10 from the bit length (1233 / 4096 ~ log10(2)), corrected by one comparison: no division.
int DecimalDigits(uint64_t v) {
  const int t = (std::bit_width(v | 1) * 1233) >> 12;
  return t + 1 - ((v | 1) < kPowersOf10[t] ? 1 : 0);
}

// Writes the decimal digits of `v`, exactly `digits` of them (zero-padded on the left; `digits` must be at least
// DecimalDigits(v)), back to front.
void WriteDigits(uint64_t v, int digits, char* out) {
  char* p = out + digits;
  while (v >= 100) {
    const size_t pair = static_cast<size_t>(v % 100) * 2;
    v /= 100;
    *--p = kDigitPairs[pair + 1];
    *--p = kDigitPairs[pair];
  }
  if (v >= 10) {
    const size_t pair = static_cast<size_t>(v) * 2;
    *--p = kDigitPairs[pair + 1];
    *--p = kDigitPairs[pair];
  } else {
    *--p = static_cast<char>('0' + v);
  }
  while (p > out) *--p = '0';
}

// Writes the decimal digits of `v` (v >= 0), at least `min_digits` of them; returns the count.
size_t WriteUnsigned(uint64_t v, int min_digits, char* out) {
  const int digits = std::max(DecimalDigits(v), min_digits);
  WriteDigits(v, digits, out);
  return static_cast<size_t>(digits);
}

constexpr int64_t kPow10[] = {1, 10, 100, 1000};

size_t AppendLiteral(char* out, std::string_view s) {
  std::memcpy(out, s.data(), s.size());
  return s.size();
}

}  // namespace

size_t FormatSensorId(int32_t sensor, char* out) {
  out[0] = 's';
  out[1] = '-';
  return 2 + WriteUnsigned(static_cast<uint64_t>(sensor < 0 ? 0 : sensor), 5, out + 2);
}

size_t FormatFixed(int64_t value, int decimals, char* out) {
  size_t n = 0;
  uint64_t mag = value < 0 ? static_cast<uint64_t>(-(value + 1)) + 1 : static_cast<uint64_t>(value);
  if (value < 0) out[n++] = '-';
  const uint64_t scale = static_cast<uint64_t>(kPow10[decimals]);
  n += WriteUnsigned(mag / scale, 1, out + n);
  out[n++] = '.';
  n += WriteUnsigned(mag % scale, decimals, out + n);
  return n;
}

size_t FormatFixedShortest(int64_t value, int decimals, char* out) {
  // The exact decimal is the shortest repr of the nearest double: no trailing zeros, but one digit after the point.
  size_t n = 0;
  const uint64_t mag = value < 0 ? static_cast<uint64_t>(-(value + 1)) + 1 : static_cast<uint64_t>(value);
  if (value < 0) out[n++] = '-';
  const uint64_t scale = static_cast<uint64_t>(kPow10[decimals]);
  n += WriteUnsigned(mag / scale, 1, out + n);
  out[n++] = '.';
  uint64_t frac = mag % scale;
  if (frac == 0) {
    out[n++] = '0';
    return n;
  }
  int digits = decimals;
  while (frac % 10 == 0) {
    frac /= 10;
    --digits;
  }
  WriteDigits(frac, digits, out + n);
  return n + static_cast<size_t>(digits);
}

size_t FormatEventJson(const TelemetryEvent& e, char* out) {
  char id[kMaxSensorIdBytes];
  return FormatEventJson(e, std::string_view(id, FormatSensorId(e.sensor, id)), out);
}

size_t FormatEventJson(const TelemetryEvent& e, std::string_view sensor_id, char* out) {
  size_t n = AppendLiteral(out, "{\"sensor_id\":\"");
  n += AppendLiteral(out + n, sensor_id);
  n += AppendLiteral(out + n, "\",\"ts\":");
  // Consecutive events mostly share their timestamp (every sensor reads at the same instants): its 13 digits are
  // written once and copied after.
  struct LastTimestamp {
    bool valid = false;
    int64_t ts_ms = 0;
    char text[24];
    size_t len = 0;
  };
  thread_local LastTimestamp last;
  if (!last.valid || e.ts_ms != last.ts_ms) {
    last.len = 0;
    if (e.ts_ms < 0) last.text[last.len++] = '-';
    const uint64_t mag = e.ts_ms < 0 ? static_cast<uint64_t>(-(e.ts_ms + 1)) + 1 : static_cast<uint64_t>(e.ts_ms);
    last.len += WriteUnsigned(mag, 1, last.text + last.len);
    last.ts_ms = e.ts_ms;
    last.valid = true;
  }
  n += AppendLiteral(out + n, std::string_view(last.text, last.len));
  n += AppendLiteral(out + n, ",\"temperature\":");
  n += FormatFixedShortest(e.temperature_centi, 2, out + n);
  n += AppendLiteral(out + n, ",\"humidity\":");
  n += FormatFixedShortest(e.humidity_deci, 1, out + n);
  n += AppendLiteral(out + n, ",\"pressure\":");
  n += FormatFixedShortest(e.pressure_deci, 1, out + n);
  n += AppendLiteral(out + n, ",\"battery\":");
  n += FormatFixedShortest(e.battery_milli, 3, out + n);
  out[n++] = '}';
  return n;
}

namespace {

// A cursor over one event's JSON; the first failure sticks and names the field and byte offset.
class EventReader {
 public:
  explicit EventReader(std::string_view json) : s_(json) {}

  bool Literal(std::string_view lit) {
    if (!error_.empty()) return false;
    if (s_.substr(pos_, lit.size()) != lit) return Fail(fmt::format("expected '{}'", lit));
    pos_ += lit.size();
    return true;
  }

  // A JSON number with at most `decimals` fraction digits, returned scaled by 10^decimals.
  bool Fixed(int decimals, int64_t* out) {
    if (!error_.empty()) return false;
    const size_t start = pos_;
    bool negative = false;
    if (pos_ < s_.size() && s_[pos_] == '-') {
      negative = true;
      ++pos_;
    }
    int64_t whole = 0;
    int digits = 0;
    while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') {
      if (++digits > 15) return Fail("number too long", start);
      whole = whole * 10 + (s_[pos_++] - '0');
    }
    if (digits == 0) return Fail("expected a number", start);
    int64_t frac = 0;
    int frac_digits = 0;
    if (pos_ < s_.size() && s_[pos_] == '.') {
      ++pos_;
      while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') {
        if (++frac_digits > decimals) return Fail(fmt::format("more than {} decimals", decimals), start);
        frac = frac * 10 + (s_[pos_++] - '0');
      }
      if (frac_digits == 0) return Fail("expected digits after '.'", start);
    }
    int64_t v = whole * kPow10[decimals] + frac * kPow10[decimals - frac_digits];
    *out = negative ? -v : v;
    return true;
  }

  bool SensorId(int32_t* sensor) {
    if (!error_.empty()) return false;
    const size_t end = s_.find('"', pos_);
    if (end == std::string_view::npos) return Fail("unterminated sensor_id");
    auto id = ParseSensorId(s_.substr(pos_, end - pos_));
    if (!id.ok()) return Fail(id.status().message());
    *sensor = *id;
    pos_ = end;
    return true;
  }

  Status Finish() {
    if (error_.empty() && pos_ != s_.size()) Fail("trailing bytes after the object");
    if (error_.empty()) return Status::Ok();
    return Status::InvalidArgument(error_);
  }

 private:
  bool Fail(std::string why, size_t at = std::string_view::npos) {
    if (error_.empty()) {
      error_ = fmt::format("telemetry event: byte {}: {}", at == std::string_view::npos ? pos_ : at, why);
    }
    return false;
  }

  std::string_view s_;
  size_t pos_ = 0;
  std::string error_;
};

}  // namespace

Result<int32_t> ParseSensorId(std::string_view id) {
  if (id.size() < 7 || id.size() > 12 || id[0] != 's' || id[1] != '-') {
    return Status::InvalidArgument(fmt::format("sensor id '{}' is not s-NNNNN", id));
  }
  int64_t v = 0;
  for (char c : id.substr(2)) {
    if (c < '0' || c > '9') return Status::InvalidArgument(fmt::format("sensor id '{}' is not s-NNNNN", id));
    v = v * 10 + (c - '0');
  }
  if (v > INT32_MAX) return Status::InvalidArgument(fmt::format("sensor id '{}' is out of range", id));
  return static_cast<int32_t>(v);
}

Result<TelemetryEvent> ParseEventJson(std::string_view json) {
  EventReader r(json);
  TelemetryEvent e;
  int64_t v = 0;
  r.Literal("{\"sensor_id\":\"");
  r.SensorId(&e.sensor);
  r.Literal("\",\"ts\":");
  if (r.Fixed(0, &v)) e.ts_ms = v;
  r.Literal(",\"temperature\":");
  if (r.Fixed(2, &v)) e.temperature_centi = static_cast<int32_t>(v);
  r.Literal(",\"humidity\":");
  if (r.Fixed(1, &v)) e.humidity_deci = static_cast<int32_t>(v);
  r.Literal(",\"pressure\":");
  if (r.Fixed(1, &v)) e.pressure_deci = static_cast<int32_t>(v);
  r.Literal(",\"battery\":");
  if (r.Fixed(3, &v)) e.battery_milli = static_cast<int32_t>(v);
  r.Literal("}");
  FLOE_RETURN_IF_ERROR(r.Finish());
  return e;
}

}  // namespace floe::ingest
