#include "floe/ingest/telemetry_json.h"

#include <fmt/format.h>

#include <cstring>

namespace floe::ingest {

namespace {

// Writes the decimal digits of `v` (v >= 0), at least `min_digits` of them; returns the count.
size_t WriteUnsigned(uint64_t v, int min_digits, char* out) {
  char tmp[24];
  int n = 0;
  do {
    tmp[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (n < min_digits) tmp[n++] = '0';
  for (int i = 0; i < n; ++i) out[i] = tmp[n - 1 - i];
  return static_cast<size_t>(n);
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
  size_t n = FormatFixed(value, decimals, out);
  // The exact decimal is the shortest repr of the nearest double: drop trailing zeros, keep one digit.
  while (out[n - 1] == '0' && out[n - 2] != '.') --n;
  return n;
}

size_t FormatEventJson(const TelemetryEvent& e, char* out) {
  size_t n = AppendLiteral(out, "{\"sensor_id\":\"");
  n += FormatSensorId(e.sensor, out + n);
  n += AppendLiteral(out + n, "\",\"ts\":");
  if (e.ts_ms < 0) out[n++] = '-';
  n += WriteUnsigned(static_cast<uint64_t>(e.ts_ms < 0 ? -e.ts_ms : e.ts_ms), 1, out + n);
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
