#include "floe/iceberg/literal_codec.h"

#include <bit>
#include <cstring>
#include <nlohmann/json.hpp>

#include "floe/base/civil_time.h"

namespace floe::iceberg {
namespace {

template <typename T>
std::string LittleEndian(T v) {
  std::string out(sizeof(T), '\0');
  std::memcpy(out.data(), &v, sizeof(T));  // floe builds for little-endian hosts only
  return out;
}

template <typename T>
T FromLittleEndian(std::string_view bytes) {
  T v;
  std::memcpy(&v, bytes.data(), sizeof(T));
  return v;
}

// The unscaled value as big-endian two's complement in the fewest bytes that keep its sign.
std::string DecimalBytes(__int128 v) {
  std::string out;
  for (int i = 15; i >= 0; --i) out.push_back(static_cast<char>(static_cast<unsigned __int128>(v) >> (8 * i)));
  size_t start = 0;
  while (start + 1 < out.size()) {
    const uint8_t b = static_cast<uint8_t>(out[start]);
    const uint8_t next = static_cast<uint8_t>(out[start + 1]);
    if ((b == 0x00 && !(next & 0x80)) || (b == 0xff && (next & 0x80))) {
      ++start;
    } else {
      break;
    }
  }
  return out.substr(start);
}

bool IsUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const uint8_t c = static_cast<uint8_t>(s[i]);
    int n;
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      n = 1;
      cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      n = 2;
      cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    for (int k = 1; k <= n; ++k) {
      if (i + static_cast<size_t>(k) >= s.size()) return false;
      const uint8_t cc = static_cast<uint8_t>(s[i + static_cast<size_t>(k)]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
        (cp >= 0xd800 && cp <= 0xdfff)) {
      return false;
    }
    i += static_cast<size_t>(n) + 1;
  }
  return true;
}

Status WrongLength(const TypePtr& type, size_t got, std::string_view want) {
  return Status::Corruption("value of type " + type->ToString() + ": " + std::to_string(got) + " bytes, expected " +
                            std::string(want));
}

// A strict reader of the ISO-8601 forms the spec's JSON uses.
class IsoReader {
 public:
  explicit IsoReader(std::string_view s) : s_(s) {}
  bool Digits(int n, int64_t* out) {
    int64_t v = 0;
    for (int i = 0; i < n; ++i) {
      if (pos_ >= s_.size() || s_[pos_] < '0' || s_[pos_] > '9') return false;
      v = v * 10 + (s_[pos_++] - '0');
    }
    *out = v;
    return true;
  }
  bool Char(char c) {
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool Date(int64_t* days) {
    int64_t y, m, d;
    const bool negative = Char('-');
    if (!Digits(4, &y) || !Char('-') || !Digits(2, &m) || !Char('-') || !Digits(2, &d)) return false;
    if (negative) y = -y;
    const std::optional<int64_t> civil = DaysFromCivil(y, static_cast<int>(m), static_cast<int>(d));
    if (!civil) return false;
    *days = *civil;
    return true;
  }
  // "HH:MM[:SS[.fraction]]" into units of 10^-digits seconds.
  bool Time(int digits, int64_t* out) {
    int64_t h, mi, sec = 0, frac = 0;
    if (!Digits(2, &h) || !Char(':') || !Digits(2, &mi)) return false;
    if (Char(':')) {
      if (!Digits(2, &sec)) return false;
      if (Char('.')) {
        int n = 0;
        while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') {
          if (n < digits) frac = frac * 10 + (s_[pos_] - '0');
          ++n;
          ++pos_;
        }
        if (n == 0) return false;
        for (int i = n; i < digits; ++i) frac *= 10;
      }
    }
    if (h > 23 || mi > 59 || sec > 59) return false;
    int64_t unit = 1;
    for (int i = 0; i < digits; ++i) unit *= 10;
    *out = ((h * 60 + mi) * 60 + sec) * unit + frac;
    return true;
  }
  // An offset "Z", "+00:00", "-05:30" in seconds.
  bool Offset(int64_t* seconds) {
    if (Char('Z')) {
      *seconds = 0;
      return true;
    }
    const bool plus = Char('+');
    if (!plus && !Char('-')) return false;
    int64_t h, m;
    if (!Digits(2, &h) || !Char(':') || !Digits(2, &m)) return false;
    *seconds = (plus ? 1 : -1) * (h * 3600 + m * 60);
    return true;
  }
  bool AtEnd() const { return pos_ == s_.size(); }

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

Result<Literal> ParseTemporal(const TypePtr& type, std::string_view s) {
  IsoReader r(s);
  const TypeId id = type->id;
  auto fail = [&]() -> Result<Literal> {
    return Status::InvalidArgument("'" + std::string(s) + "' is not a " + type->ToString() + " value");
  };
  if (id == TypeId::kDate) {
    int64_t days;
    if (!r.Date(&days) || !r.AtEnd()) return fail();
    return Literal::Of(type, static_cast<int32_t>(days));
  }
  if (id == TypeId::kTime) {
    int64_t micros;
    if (!r.Time(6, &micros) || !r.AtEnd()) return fail();
    return Literal::Of(type, micros);
  }
  const bool nanos = id == TypeId::kTimestampNs || id == TypeId::kTimestampTzNs;
  const bool zoned = id == TypeId::kTimestampTz || id == TypeId::kTimestampTzNs;
  int64_t days, time, offset = 0;
  if (!r.Date(&days) || !r.Char('T') || !r.Time(nanos ? 9 : 6, &time)) return fail();
  if (zoned) {
    if (!r.AtEnd() && !r.Offset(&offset)) return fail();
  }
  if (!r.AtEnd()) return fail();
  const int64_t unit = nanos ? 1'000'000'000 : 1'000'000;
  return Literal::Of(type, (days * 86400 - offset) * unit + time);
}

Result<Literal> ParseDecimal(const TypePtr& type, std::string_view s) {
  auto fail = [&]() -> Result<Literal> {
    return Status::InvalidArgument("'" + std::string(s) + "' is not a " + type->ToString() + " value");
  };
  size_t i = 0;
  bool negative = false;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) negative = s[i++] == '-';
  __int128 v = 0;
  int digits = 0, scale = -1;
  for (; i < s.size(); ++i) {
    if (s[i] == '.' && scale < 0) {
      scale = 0;
      continue;
    }
    if (s[i] < '0' || s[i] > '9') return fail();
    v = v * 10 + (s[i] - '0');
    if (++digits > 38) return fail();
    if (scale >= 0) ++scale;
  }
  if (digits == 0) return fail();
  if (scale < 0) scale = 0;
  if (scale != type->scale) {
    return Status::InvalidArgument("'" + std::string(s) + "' has scale " + std::to_string(scale) + ", the type " +
                                   type->ToString() + " needs scale " + std::to_string(type->scale));
  }
  return Literal::Of(type, DecimalValue{negative ? -v : v});
}

std::string HexOf(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string s;
  for (char c : bytes) {
    s.push_back(kHex[static_cast<uint8_t>(c) >> 4]);
    s.push_back(kHex[static_cast<uint8_t>(c) & 15]);
  }
  return s;
}

bool FromHex(std::string_view hex, std::string* out) {
  if (hex.size() % 2) return false;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  out->clear();
  for (size_t i = 0; i < hex.size(); i += 2) {
    const int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out->push_back(static_cast<char>(hi * 16 + lo));
  }
  return true;
}

}  // namespace

std::string SerializeValue(const Literal& value) {
  switch (value.type_id()) {
    case TypeId::kBoolean: return std::string(1, value.as_bool() ? '\x01' : '\x00');
    case TypeId::kInt:
    case TypeId::kDate: return LittleEndian(value.as_int());
    case TypeId::kLong:
    case TypeId::kTime:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
    case TypeId::kTimestampNs:
    case TypeId::kTimestampTzNs: return LittleEndian(value.as_long());
    case TypeId::kFloat: return LittleEndian(value.as_float());
    case TypeId::kDouble: return LittleEndian(value.as_double());
    case TypeId::kDecimal: return DecimalBytes(value.as_decimal().unscaled);
    default: return value.as_bytes();
  }
}

Result<Literal> DeserializeValue(const TypePtr& type, std::string_view bytes) {
  switch (type->id) {
    case TypeId::kBoolean:
      if (bytes.size() != 1) return WrongLength(type, bytes.size(), "1");
      return Literal::Of(type, bytes[0] != 0);
    case TypeId::kInt:
    case TypeId::kDate:
      if (bytes.size() != 4) return WrongLength(type, bytes.size(), "4");
      return Literal::Of(type, FromLittleEndian<int32_t>(bytes));
    case TypeId::kLong:
    case TypeId::kTime:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
    case TypeId::kTimestampNs:
    case TypeId::kTimestampTzNs:
      // Java's readers accept a 4-byte int bound for a long column promoted from int.
      if (bytes.size() == 4 && type->id == TypeId::kLong) {
        return Literal::Of(type, static_cast<int64_t>(FromLittleEndian<int32_t>(bytes)));
      }
      if (bytes.size() != 8) return WrongLength(type, bytes.size(), "8");
      return Literal::Of(type, FromLittleEndian<int64_t>(bytes));
    case TypeId::kFloat:
      if (bytes.size() != 4) return WrongLength(type, bytes.size(), "4");
      return Literal::Of(type, FromLittleEndian<float>(bytes));
    case TypeId::kDouble:
      if (bytes.size() == 4) return Literal::Of(type, static_cast<double>(FromLittleEndian<float>(bytes)));
      if (bytes.size() != 8) return WrongLength(type, bytes.size(), "8");
      return Literal::Of(type, FromLittleEndian<double>(bytes));
    case TypeId::kDecimal: {
      if (bytes.empty() || bytes.size() > 16) return WrongLength(type, bytes.size(), "1 to 16");
      unsigned __int128 u = (static_cast<uint8_t>(bytes[0]) & 0x80) ? ~static_cast<unsigned __int128>(0) : 0;
      for (char c : bytes) u = (u << 8) | static_cast<uint8_t>(c);
      return Literal::Of(type, DecimalValue{static_cast<__int128>(u)});
    }
    case TypeId::kString:
      if (!IsUtf8(bytes)) return Status::Corruption("value of type string is not UTF-8");
      return Literal::Of(type, std::string(bytes));
    case TypeId::kUuid:
      if (bytes.size() != 16) return WrongLength(type, bytes.size(), "16");
      return Literal::Of(type, std::string(bytes));
    case TypeId::kFixed:
      if (bytes.size() != static_cast<size_t>(type->length)) {
        return WrongLength(type, bytes.size(), std::to_string(type->length));
      }
      return Literal::Of(type, std::string(bytes));
    case TypeId::kBinary: return Literal::Of(type, std::string(bytes));
    default: return Status::InvalidArgument("type " + type->ToString() + " has no single-value serialization");
  }
}

std::string ValueToJson(const Literal& value) {
  switch (value.type_id()) {
    case TypeId::kBoolean: return value.as_bool() ? "true" : "false";
    case TypeId::kInt: return std::to_string(value.as_int());
    case TypeId::kLong: return std::to_string(value.as_long());
    case TypeId::kFloat: return nlohmann::json(value.as_float()).dump();
    case TypeId::kDouble: return nlohmann::json(value.as_double()).dump();
    case TypeId::kTimestampTz:
    case TypeId::kTimestampTzNs: {
      std::string s = value.ToString();
      s.pop_back();  // "Z"
      return nlohmann::json(s + "+00:00").dump();
    }
    case TypeId::kFixed:
    case TypeId::kBinary: return nlohmann::json(HexOf(value.as_bytes())).dump();
    default: return nlohmann::json(value.ToString()).dump();
  }
}

Result<Literal> ValueFromJson(const TypePtr& type, std::string_view json) {
  nlohmann::json j = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  auto fail = [&]() -> Result<Literal> {
    return Status::InvalidArgument("JSON " + std::string(json.substr(0, 64)) + " is not a " + type->ToString() +
                                   " value");
  };
  if (j.is_discarded()) return fail();
  switch (type->id) {
    case TypeId::kBoolean:
      if (!j.is_boolean()) return fail();
      return Literal::Of(type, j.get<bool>());
    case TypeId::kInt:
      if (!j.is_number_integer()) return fail();
      if (j.get<int64_t>() < INT32_MIN || j.get<int64_t>() > INT32_MAX) return fail();
      return Literal::Of(type, static_cast<int32_t>(j.get<int64_t>()));
    case TypeId::kLong:
      if (!j.is_number_integer()) return fail();
      return Literal::Of(type, j.get<int64_t>());
    case TypeId::kFloat:
      if (!j.is_number()) return fail();
      return Literal::Of(type, j.get<float>());
    case TypeId::kDouble:
      if (!j.is_number()) return fail();
      return Literal::Of(type, j.get<double>());
    case TypeId::kDate:
    case TypeId::kTime:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
    case TypeId::kTimestampNs:
    case TypeId::kTimestampTzNs:
      if (!j.is_string()) return fail();
      return ParseTemporal(type, j.get<std::string>());
    case TypeId::kDecimal:
      if (!j.is_string()) return fail();
      return ParseDecimal(type, j.get<std::string>());
    case TypeId::kString:
      if (!j.is_string()) return fail();
      return Literal::Of(type, j.get<std::string>());
    case TypeId::kUuid: {
      if (!j.is_string()) return fail();
      std::string hex;
      for (char c : j.get<std::string>()) {
        if (c != '-') hex.push_back(c);
      }
      std::string bytes;
      if (hex.size() != 32 || !FromHex(hex, &bytes)) return fail();
      return Literal::Of(type, bytes);
    }
    case TypeId::kFixed:
    case TypeId::kBinary: {
      std::string bytes;
      if (!j.is_string() || !FromHex(j.get<std::string>(), &bytes)) return fail();
      if (type->id == TypeId::kFixed && bytes.size() != static_cast<size_t>(type->length)) return fail();
      return Literal::Of(type, bytes);
    }
    default: return fail();
  }
}

}  // namespace floe::iceberg
