#include "floe/iceberg/iceberg_types.h"

#include <algorithm>
#include <bit>
#include <cctype>
#include <charconv>
#include <cstring>
#include <set>
#include <unordered_set>

#include "floe/base/civil_time.h"

namespace floe::iceberg {
namespace {

struct PrimitiveName {
  TypeId id;
  std::string_view name;
};

constexpr PrimitiveName kPrimitiveNames[] = {
    {TypeId::kBoolean, "boolean"},
    {TypeId::kInt, "int"},
    {TypeId::kLong, "long"},
    {TypeId::kFloat, "float"},
    {TypeId::kDouble, "double"},
    {TypeId::kDate, "date"},
    {TypeId::kTime, "time"},
    {TypeId::kTimestamp, "timestamp"},
    {TypeId::kTimestampTz, "timestamptz"},
    {TypeId::kTimestampNs, "timestamp_ns"},
    {TypeId::kTimestampTzNs, "timestamptz_ns"},
    {TypeId::kString, "string"},
    {TypeId::kUuid, "uuid"},
    {TypeId::kBinary, "binary"},
};

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool ParseInt32(std::string_view s, int32_t* out) {
  s = Trim(s);
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

void AppendFieldString(const NestedField& f, std::string* out) {
  *out += std::to_string(f.id) + ": " + f.name + ": " + (f.required ? "required " : "optional ") +
          (f.type ? f.type->ToString() : "?");
}

const NestedField* FindByIdIn(const std::vector<NestedField>& fields, int32_t id) {
  for (const NestedField& f : fields) {
    if (f.id == id) return &f;
    if (f.type && f.type->is_nested()) {
      if (const NestedField* found = FindByIdIn(f.type->fields, id)) return found;
    }
  }
  return nullptr;
}

bool NameOfIn(const std::vector<NestedField>& fields, int32_t id, const std::string& prefix, std::string* out) {
  for (const NestedField& f : fields) {
    std::string name = prefix.empty() ? f.name : prefix + "." + f.name;
    if (f.id == id) {
      *out = name;
      return true;
    }
    if (f.type && f.type->is_nested() && NameOfIn(f.type->fields, id, name, out)) return true;
  }
  return false;
}

void MaxIdIn(const std::vector<NestedField>& fields, int32_t* max_id) {
  for (const NestedField& f : fields) {
    *max_id = std::max(*max_id, f.id);
    if (f.type && f.type->is_nested()) MaxIdIn(f.type->fields, max_id);
  }
}

Status ValidateFields(const std::vector<NestedField>& fields, const std::string& path, std::set<int32_t>* ids) {
  std::unordered_set<std::string> names;
  for (const NestedField& f : fields) {
    const std::string name = path.empty() ? f.name : path + "." + f.name;
    if (!f.type) return Status::InvalidArgument("schema: field '" + name + "' has no type");
    if (!ids->insert(f.id).second) {
      return Status::InvalidArgument("schema: field id " + std::to_string(f.id) + " of '" + name +
                                     "' is used by another field");
    }
    if (!names.insert(f.name).second) {
      return Status::InvalidArgument("schema: field name '" + name + "' appears twice");
    }
    if (f.type->is_nested()) FLOE_RETURN_IF_ERROR(ValidateFields(f.type->fields, name, ids));
  }
  return Status::Ok();
}

template <typename T>
int CompareNumbers(T a, T b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

// Floats in the spec's order: -NaN < -inf < ... < -0 < 0 < ... < inf < NaN, which is the order of the bits
// mapped so that negative numbers sort below positive ones.
template <typename F, typename U>
int CompareFloats(F a, F b) {
  auto key = [](F f) {
    U u = std::bit_cast<U>(f);
    constexpr U kSign = U{1} << (sizeof(U) * 8 - 1);
    return (u & kSign) ? ~u : (u | kSign);
  };
  return CompareNumbers(key(a), key(b));
}

std::string TwoDigits(int64_t v) {
  std::string s = std::to_string(v);
  return s.size() < 2 ? "0" + s : s;
}

std::string DateString(int64_t days) {
  const CivilDate c = CivilFromDays(days);
  std::string year = std::to_string(c.year < 0 ? -c.year : c.year);
  while (year.size() < 4) year = "0" + year;
  return (c.year < 0 ? "-" : "") + year + "-" + TwoDigits(c.month) + "-" + TwoDigits(c.day);
}

// "HH:MM:SS" with a fraction of `digits` digits when `fraction` is non-zero.
std::string TimeOfDay(int64_t seconds_of_day, int64_t fraction, int digits) {
  std::string s = TwoDigits(seconds_of_day / 3600) + ":" + TwoDigits(seconds_of_day / 60 % 60) + ":" +
                  TwoDigits(seconds_of_day % 60);
  if (fraction != 0) {
    std::string f = std::to_string(fraction);
    while (static_cast<int>(f.size()) < digits) f = "0" + f;
    s += "." + f;
  }
  return s;
}

std::string TimestampString(int64_t value, int64_t units_per_second, int digits) {
  const int64_t seconds = FloorDiv(value, units_per_second);
  const int64_t fraction = value - seconds * units_per_second;
  const int64_t days = FloorDiv(seconds, 86400);
  return DateString(days) + "T" + TimeOfDay(seconds - days * 86400, fraction, digits);
}

}  // namespace

std::string Int128ToString(__int128 v) {
  if (v == 0) return "0";
  const bool negative = v < 0;
  unsigned __int128 u = negative ? -static_cast<unsigned __int128>(v) : static_cast<unsigned __int128>(v);
  std::string s;
  while (u > 0) {
    s.push_back(static_cast<char>('0' + static_cast<int>(u % 10)));
    u /= 10;
  }
  if (negative) s.push_back('-');
  std::reverse(s.begin(), s.end());
  return s;
}

std::string Type::ToString() const {
  switch (id) {
    case TypeId::kDecimal: return "decimal(" + std::to_string(precision) + "," + std::to_string(scale) + ")";
    case TypeId::kFixed: return "fixed[" + std::to_string(length) + "]";
    case TypeId::kStruct: {
      std::string s = "struct<";
      for (size_t i = 0; i < fields.size(); ++i) {
        if (i) s += ", ";
        AppendFieldString(fields[i], &s);
      }
      return s + ">";
    }
    case TypeId::kList:
      return "list<" + (fields.empty() || !fields[0].type ? std::string("?") : fields[0].type->ToString()) + ">";
    case TypeId::kMap:
      if (fields.size() != 2 || !fields[0].type || !fields[1].type) return "map<?>";
      return "map<" + fields[0].type->ToString() + ", " + fields[1].type->ToString() + ">";
    default:
      for (const PrimitiveName& p : kPrimitiveNames) {
        if (p.id == id) return std::string(p.name);
      }
      return "?";
  }
}

Result<TypePtr> Type::ParsePrimitive(std::string_view name) {
  const std::string_view text = Trim(name);
  for (const PrimitiveName& p : kPrimitiveNames) {
    if (text == p.name) return Primitive(p.id);
  }
  if (text.starts_with("decimal(") && text.ends_with(")")) {
    std::string_view inner = text.substr(8, text.size() - 9);
    const size_t comma = inner.find(',');
    int32_t p = 0, s = 0;
    if (comma != std::string_view::npos && ParseInt32(inner.substr(0, comma), &p) &&
        ParseInt32(inner.substr(comma + 1), &s)) {
      if (p < 1 || p > 38 || s < 0 || s > p) {
        return Status::InvalidArgument("type '" + std::string(text) +
                                       "': decimal precision must be 1..38 and scale 0..precision");
      }
      return Decimal(p, s);
    }
  }
  if (text.starts_with("fixed[") && text.ends_with("]")) {
    int32_t length = 0;
    if (ParseInt32(text.substr(6, text.size() - 7), &length) && length > 0) return Fixed(length);
  }
  return Status::InvalidArgument("unknown type '" + std::string(text) + "'");
}

TypePtr Type::Primitive(TypeId id) {
  // One shared instance per parameterless primitive.
  static const auto* kTypes = [] {
    auto* types = new std::vector<TypePtr>();
    for (int i = 0; i <= static_cast<int>(TypeId::kMap); ++i) {
      auto t = std::make_shared<Type>();
      t->id = static_cast<TypeId>(i);
      types->push_back(std::move(t));
    }
    return types;
  }();
  return (*kTypes)[static_cast<size_t>(id)];
}

TypePtr Type::Decimal(int32_t precision, int32_t scale) {
  auto t = std::make_shared<Type>();
  t->id = TypeId::kDecimal;
  t->precision = precision;
  t->scale = scale;
  return t;
}

TypePtr Type::Fixed(int32_t length) {
  auto t = std::make_shared<Type>();
  t->id = TypeId::kFixed;
  t->length = length;
  return t;
}

TypePtr Type::Struct(std::vector<NestedField> fields) {
  auto t = std::make_shared<Type>();
  t->id = TypeId::kStruct;
  t->fields = std::move(fields);
  return t;
}

TypePtr Type::List(int32_t element_id, bool element_required, TypePtr element) {
  auto t = std::make_shared<Type>();
  t->id = TypeId::kList;
  NestedField f;
  f.id = element_id;
  f.name = "element";
  f.required = element_required;
  f.type = std::move(element);
  t->fields.push_back(std::move(f));
  return t;
}

TypePtr Type::Map(int32_t key_id, TypePtr key, int32_t value_id, bool value_required, TypePtr value) {
  auto t = std::make_shared<Type>();
  t->id = TypeId::kMap;
  NestedField k;
  k.id = key_id;
  k.name = "key";
  k.required = true;
  k.type = std::move(key);
  NestedField v;
  v.id = value_id;
  v.name = "value";
  v.required = value_required;
  v.type = std::move(value);
  t->fields.push_back(std::move(k));
  t->fields.push_back(std::move(v));
  return t;
}

bool Type::operator==(const Type& other) const {
  return id == other.id && precision == other.precision && scale == other.scale && length == other.length &&
         fields == other.fields;
}

bool NestedField::operator==(const NestedField& other) const {
  const bool types_equal = (type == other.type) || (type && other.type && *type == *other.type);
  return id == other.id && name == other.name && required == other.required && types_equal && doc == other.doc &&
         initial_default_json == other.initial_default_json && write_default_json == other.write_default_json;
}

Schema::Schema(int32_t schema_id, std::vector<NestedField> fields, std::vector<int32_t> identifier_field_ids)
    : schema_id_(schema_id), fields_(std::move(fields)), identifier_field_ids_(std::move(identifier_field_ids)) {}

const NestedField* Schema::FindById(int32_t id) const {
  return FindByIdIn(fields_, id);
}

const NestedField* Schema::FindByName(std::string_view name) const {
  const std::vector<NestedField>* fields = &fields_;
  const NestedField* found = nullptr;
  while (true) {
    const size_t dot = name.find('.');
    const std::string_view part = name.substr(0, dot);
    found = nullptr;
    for (const NestedField& f : *fields) {
      if (f.name == part) {
        found = &f;
        break;
      }
    }
    // A top-level name may itself contain dots; prefer an exact match of the whole remaining name.
    if (dot != std::string_view::npos) {
      for (const NestedField& f : *fields) {
        if (f.name == name) return &f;
      }
    }
    if (!found || dot == std::string_view::npos) return found;
    if (!found->type || found->type->id != TypeId::kStruct) return nullptr;
    fields = &found->type->fields;
    name.remove_prefix(dot + 1);
  }
}

std::string Schema::NameOf(int32_t id) const {
  std::string out;
  NameOfIn(fields_, id, "", &out);
  return out;
}

int32_t Schema::HighestFieldId() const {
  int32_t max_id = 0;
  MaxIdIn(fields_, &max_id);
  return max_id;
}

Status Schema::Validate() const {
  std::set<int32_t> ids;
  FLOE_RETURN_IF_ERROR(ValidateFields(fields_, "", &ids));
  for (int32_t id : identifier_field_ids_) {
    const NestedField* f = FindById(id);
    if (!f) return Status::InvalidArgument("schema: identifier field id " + std::to_string(id) + " does not exist");
    if (!f->required || !f->type->is_primitive()) {
      return Status::InvalidArgument("schema: identifier field '" + NameOf(id) +
                                     "' must be a required primitive column");
    }
  }
  return Status::Ok();
}

bool Schema::SameStructure(const Schema& other) const {
  return fields_ == other.fields_ && identifier_field_ids_ == other.identifier_field_ids_;
}

Literal Literal::Boolean(bool v) {
  return Of(Type::Primitive(TypeId::kBoolean), v);
}
Literal Literal::Int(int32_t v) {
  return Of(Type::Primitive(TypeId::kInt), v);
}
Literal Literal::Long(int64_t v) {
  return Of(Type::Primitive(TypeId::kLong), v);
}
Literal Literal::Float(float v) {
  return Of(Type::Primitive(TypeId::kFloat), v);
}
Literal Literal::Double(double v) {
  return Of(Type::Primitive(TypeId::kDouble), v);
}
Literal Literal::Date(int32_t days) {
  return Of(Type::Primitive(TypeId::kDate), days);
}
Literal Literal::Time(int64_t micros) {
  return Of(Type::Primitive(TypeId::kTime), micros);
}
Literal Literal::Timestamp(int64_t micros) {
  return Of(Type::Primitive(TypeId::kTimestamp), micros);
}
Literal Literal::TimestampTz(int64_t micros) {
  return Of(Type::Primitive(TypeId::kTimestampTz), micros);
}
Literal Literal::String(std::string v) {
  return Of(Type::Primitive(TypeId::kString), std::move(v));
}
Literal Literal::Binary(std::string v) {
  return Of(Type::Primitive(TypeId::kBinary), std::move(v));
}
Literal Literal::Decimal(__int128 unscaled, int32_t precision, int32_t scale) {
  return Of(Type::Decimal(precision, scale), DecimalValue{unscaled});
}

std::string Literal::ToString() const {
  static constexpr char kHex[] = "0123456789abcdef";
  switch (type_id()) {
    case TypeId::kBoolean: return as_bool() ? "true" : "false";
    case TypeId::kInt: return std::to_string(as_int());
    case TypeId::kLong: return std::to_string(as_long());
    case TypeId::kFloat:
    case TypeId::kDouble: {
      const double v = type_id() == TypeId::kFloat ? static_cast<double>(as_float()) : as_double();
      char buf[64];
      auto [p, ec] = type_id() == TypeId::kFloat ? std::to_chars(buf, buf + sizeof buf, as_float())
                                                 : std::to_chars(buf, buf + sizeof buf, v);
      (void)ec;
      return std::string(buf, p);
    }
    case TypeId::kDate: return DateString(as_int());
    case TypeId::kTime: return TimeOfDay(as_long() / 1'000'000, as_long() % 1'000'000, 6);
    case TypeId::kTimestamp: return TimestampString(as_long(), 1'000'000, 6);
    case TypeId::kTimestampTz: return TimestampString(as_long(), 1'000'000, 6) + "Z";
    case TypeId::kTimestampNs: return TimestampString(as_long(), 1'000'000'000, 9);
    case TypeId::kTimestampTzNs: return TimestampString(as_long(), 1'000'000'000, 9) + "Z";
    case TypeId::kDecimal: {
      std::string digits = Int128ToString(as_decimal().unscaled);
      const bool negative = !digits.empty() && digits[0] == '-';
      if (negative) digits.erase(0, 1);
      const int scale = type->scale;
      if (scale > 0) {
        while (static_cast<int>(digits.size()) <= scale) digits = "0" + digits;
        digits.insert(digits.size() - static_cast<size_t>(scale), ".");
      }
      return (negative ? "-" : "") + digits;
    }
    case TypeId::kString: return as_bytes();
    case TypeId::kUuid: {
      std::string s;
      const std::string& b = as_bytes();
      for (size_t i = 0; i < b.size(); ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) s.push_back('-');
        s.push_back(kHex[static_cast<uint8_t>(b[i]) >> 4]);
        s.push_back(kHex[static_cast<uint8_t>(b[i]) & 15]);
      }
      return s;
    }
    default: {
      std::string s;
      for (char c : as_bytes()) {
        s.push_back(kHex[static_cast<uint8_t>(c) >> 4]);
        s.push_back(kHex[static_cast<uint8_t>(c) & 15]);
      }
      return s;
    }
  }
}

bool Literal::operator==(const Literal& other) const {
  if (!type || !other.type || !(*type == *other.type)) return false;
  if (value.index() != other.value.index()) return false;
  if (std::holds_alternative<float>(value)) {
    return std::bit_cast<uint32_t>(as_float()) == std::bit_cast<uint32_t>(other.as_float());
  }
  if (std::holds_alternative<double>(value)) {
    return std::bit_cast<uint64_t>(as_double()) == std::bit_cast<uint64_t>(other.as_double());
  }
  return value == other.value;
}

int CompareLiterals(const Literal& a, const Literal& b) {
  if (a.value.index() != b.value.index()) return CompareNumbers(a.value.index(), b.value.index());
  return std::visit(
      [&](const auto& x) -> int {
        using T = std::decay_t<decltype(x)>;
        const T& y = std::get<T>(b.value);
        if constexpr (std::is_same_v<T, float>) {
          return CompareFloats<float, uint32_t>(x, y);
        } else if constexpr (std::is_same_v<T, double>) {
          return CompareFloats<double, uint64_t>(x, y);
        } else if constexpr (std::is_same_v<T, std::string>) {
          // Unsigned bytes, which is also the order of UTF-8 code points.
          const int c = std::memcmp(x.data(), y.data(), std::min(x.size(), y.size()));
          if (c != 0) return c < 0 ? -1 : 1;
          return CompareNumbers(x.size(), y.size());
        } else {
          return CompareNumbers(x, y);
        }
      },
      a.value);
}

}  // namespace floe::iceberg
