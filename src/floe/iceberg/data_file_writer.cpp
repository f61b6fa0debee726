#include "floe/iceberg/data_file_writer.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <set>
#include <unordered_map>
#include <utility>

#include "floe/base/uuid.h"
#include "floe/formats/parquet/parquet_reader.h"
#include "floe/iceberg/literal_codec.h"
#include "floe/iceberg/table_metadata.h"
#include "floe/iceberg/transforms.h"

namespace floe::iceberg {

using formats::ColumnType;
using formats::ColumnVector;
using formats::DataType;

namespace {

std::string FieldLabel(int32_t id, std::string_view name) {
  return fmt::format("field {} ({})", id, name);
}

// Bytes of the first `n` characters of UTF-8 `s` (a character: a lead byte and its continuation bytes).
size_t Utf8PrefixBytes(std::string_view s, int n) {
  size_t i = 0;
  for (int chars = 0; i < s.size(); ++chars) {
    if (chars == n) return i;
    ++i;
    while (i < s.size() && (static_cast<uint8_t>(s[i]) & 0xc0) == 0x80) ++i;
  }
  return s.size();
}

// Decodes UTF-8 into code points; false when `s` is not well-formed.
bool DecodeUtf8(std::string_view s, std::vector<uint32_t>* out) {
  for (size_t i = 0; i < s.size();) {
    const uint8_t c = static_cast<uint8_t>(s[i]);
    int extra = 0;
    uint32_t cp = 0;
    if (c < 0x80) {
      cp = c;
    } else if ((c & 0xe0) == 0xc0) {
      extra = 1;
      cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      extra = 2;
      cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      extra = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (extra > 0 && i + static_cast<size_t>(extra) >= s.size()) return false;
    for (int k = 1; k <= extra; ++k) {
      const uint8_t cc = static_cast<uint8_t>(s[i + static_cast<size_t>(k)]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    // Overlong forms, surrogates and values past U+10FFFF would not encode back to the same bytes.
    if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) || (extra == 3 && cp < 0x10000) || cp > 0x10ffff ||
        (cp >= 0xd800 && cp <= 0xdfff)) {
      return false;
    }
    out->push_back(cp);
    i += static_cast<size_t>(extra) + 1;
  }
  return true;
}

void EncodeUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xc0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xe0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else {
    out->push_back(static_cast<char>(0xf0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  }
}

// The smallest byte string greater than every string starting with `prefix`: the prefix with its last byte that is
// not 0xff incremented and the bytes after it dropped; nullopt when every byte is 0xff.
std::optional<std::string> IncrementBytes(std::string prefix) {
  while (!prefix.empty()) {
    const uint8_t last = static_cast<uint8_t>(prefix.back());
    if (last != 0xff) {
      prefix.back() = static_cast<char>(last + 1);
      return prefix;
    }
    prefix.pop_back();
  }
  return std::nullopt;
}

// The value of a fixed-width integral column as int64 (int32 and date widened).
int64_t IntegralAt(const ColumnVector& v, size_t row) {
  switch (v.type().id) {
    case ColumnType::kInt32:
    case ColumnType::kDate: return v.value<int32_t>(row);
    default: return v.value<int64_t>(row);
  }
}

// Row `row` (non-null) of `v` as a Literal of the Iceberg type `type`.
Literal LiteralAt(const ColumnVector& v, size_t row, const TypePtr& type) {
  switch (v.type().id) {
    case ColumnType::kBoolean: return Literal::Of(type, v.value<uint8_t>(row) != 0);
    case ColumnType::kInt32:
    case ColumnType::kDate: return Literal::Of(type, v.value<int32_t>(row));
    case ColumnType::kInt64:
    case ColumnType::kTimestamp:
    case ColumnType::kTimestampTz: return Literal::Of(type, v.value<int64_t>(row));
    case ColumnType::kDecimal: return Literal::Of(type, DecimalValue{v.value<int64_t>(row)});
    case ColumnType::kFloat: return Literal::Of(type, v.value<float>(row));
    case ColumnType::kDouble: return Literal::Of(type, v.value<double>(row));
    case ColumnType::kString:
    case ColumnType::kBinary: return Literal::Of(type, std::string(v.string(row)));
  }
  return Literal::Of(type, false);
}

// The literal of an integral column type for value `v` (see IntegralAt).
Literal IntegralLiteral(const TypePtr& type, int64_t v) {
  switch (type->id) {
    case TypeId::kInt:
    case TypeId::kDate: return Literal::Of(type, static_cast<int32_t>(v));
    case TypeId::kDecimal: return Literal::Of(type, DecimalValue{v});
    default: return Literal::Of(type, v);
  }
}

// Rows [begin, end) of `columns`.
std::vector<ColumnVector> Slice(const std::vector<ColumnVector>& columns, size_t begin, size_t end) {
  std::vector<ColumnVector> out;
  out.reserve(columns.size());
  const size_t n = end - begin;
  for (const ColumnVector& c : columns) {
    ColumnVector& o = out.emplace_back(c.type());
    std::vector<uint8_t> validity;
    if (!c.validity().empty()) validity.assign(c.validity().begin() + begin, c.validity().begin() + end);
    if (formats::IsVariableWidth(c.type().id)) {
      const int64_t base = c.offsets()[begin];
      std::vector<int64_t> offsets(n + 1);
      for (size_t i = 0; i <= n; ++i) offsets[i] = c.offsets()[begin + i] - base;
      o.Assign(n, std::move(validity), {}, std::move(offsets),
               c.bytes().substr(static_cast<size_t>(base), static_cast<size_t>(c.offsets()[end] - base)));
    } else {
      const size_t w = static_cast<size_t>(c.width());
      o.Assign(n, std::move(validity), std::vector<uint8_t>(c.data() + begin * w, c.data() + end * w), {}, {});
    }
  }
  return out;
}

// The rows `rows` (ascending) of `columns`.
std::vector<ColumnVector> Take(const std::vector<ColumnVector>& columns, const std::vector<uint32_t>& rows) {
  std::vector<ColumnVector> out;
  out.reserve(columns.size());
  const size_t n = rows.size();
  for (const ColumnVector& c : columns) {
    ColumnVector& o = out.emplace_back(c.type());
    std::vector<uint8_t> validity;
    if (c.null_count() > 0) {
      validity.resize(n);
      for (size_t i = 0; i < n; ++i) validity[i] = c.validity()[rows[i]];
    }
    if (formats::IsVariableWidth(c.type().id)) {
      std::vector<int64_t> offsets(n + 1, 0);
      size_t total = 0;
      for (size_t i = 0; i < n; ++i) total += c.string(rows[i]).size();
      std::string bytes;
      bytes.reserve(total);
      for (size_t i = 0; i < n; ++i) {
        bytes.append(c.string(rows[i]));
        offsets[i + 1] = static_cast<int64_t>(bytes.size());
      }
      o.Assign(n, std::move(validity), {}, std::move(offsets), std::move(bytes));
    } else {
      const size_t w = static_cast<size_t>(c.width());
      std::vector<uint8_t> fixed(n * w);
      for (size_t i = 0; i < n; ++i) std::memcpy(fixed.data() + i * w, c.data() + rows[i] * w, w);
      o.Assign(n, std::move(validity), std::move(fixed), {}, {});
    }
  }
  return out;
}

// Exact bounds of a float or double column: NaN left out, -0.0 below +0.0 (the spec's order).
struct FloatTracker {
  bool has = false;
  double lower = 0;
  double upper = 0;
  int64_t nans = 0;

  void Add(double x) {
    if (std::isnan(x)) {
      ++nans;
      return;
    }
    if (!has || x < lower || (x == lower && std::signbit(x) && !std::signbit(lower))) lower = x;
    if (!has || x > upper || (x == upper && !std::signbit(x) && std::signbit(upper))) upper = x;
    has = true;
  }
};

// Maps a partition field's source values to small ids, one per distinct transform result, calling ApplyTransform
// as rarely as it can: an order-preserving transform of an integral column maps a contiguous range of values to
// each result, so the range around a new value is found once (by galloping and bisection over the transform) and
// later rows are looked up in the ranges; other transforms memoise results by the value's bytes.
class PartitionFieldMapper {
 public:
  PartitionFieldMapper(PartitionField field, TypePtr source_type, ColumnType column_type)
      : field_(std::move(field)), source_type_(std::move(source_type)) {
    const bool integral = column_type == ColumnType::kInt32 || column_type == ColumnType::kDate ||
                          column_type == ColumnType::kInt64 || column_type == ColumnType::kTimestamp ||
                          column_type == ColumnType::kTimestampTz || column_type == ColumnType::kDecimal;
    ranged_ = integral && (field_.transform.PreservesOrder() || field_.transform.kind == TransformKind::kVoid);
    if (column_type == ColumnType::kInt32 || column_type == ColumnType::kDate) {
      domain_lo_ = INT32_MIN;
      domain_hi_ = INT32_MAX;
    } else if (column_type == ColumnType::kDecimal) {
      __int128 max = 1;
      for (int i = 0; i < source_type_->precision; ++i) max *= 10;
      domain_hi_ = static_cast<int64_t>(max - 1);
      domain_lo_ = -domain_hi_;
    }
  }

  // Sets ids[r] for every row of `column`.
  Status Map(const ColumnVector& column, std::vector<int32_t>* ids) {
    const size_t n = column.size();
    ids->resize(n);
    for (size_t r = 0; r < n; ++r) {
      if (column.IsNull(r)) {
        if (null_id_ < 0) {
          FLOE_ASSIGN_OR_RETURN(auto result, Apply(std::nullopt));
          FLOE_ASSIGN_OR_RETURN(null_id_, IdOf(std::move(result)));
        }
        (*ids)[r] = null_id_;
        continue;
      }
      if (ranged_) {
        const int64_t v = IntegralAt(column, r);
        if (has_last_range_ && v >= last_lo_ && v <= last_range_.hi) {  // the common case: the last row's range
          (*ids)[r] = last_range_.id;
          continue;
        }
        FLOE_ASSIGN_OR_RETURN((*ids)[r], RangedId(v));
      } else {
        FLOE_ASSIGN_OR_RETURN((*ids)[r], MemoId(column, r));
      }
    }
    return Status::Ok();
  }

  const std::optional<Literal>& result(int32_t id) const { return results_[static_cast<size_t>(id)]; }

 private:
  struct Range {
    int64_t hi;
    int32_t id;
  };
  static constexpr size_t kMaxCached = 1 << 16;

  Result<std::optional<Literal>> Apply(const std::optional<Literal>& value) {
    auto r = ApplyTransform(field_.transform, value);
    if (!r.ok()) {
      return r.status().WithContext(fmt::format("partition field {} ({}) = {}({}) of {}", field_.field_id, field_.name,
                                                field_.transform.ToString(), field_.source_id,
                                                value ? value->ToString() : "null"));
    }
    return r;
  }

  Result<int32_t> IdOf(std::optional<Literal> result) {
    std::string key = result ? "v" + SerializeValue(*result) : "n";
    auto [it, inserted] = result_ids_.try_emplace(std::move(key), static_cast<int32_t>(results_.size()));
    if (inserted) results_.push_back(std::move(result));
    return it->second;
  }

  Result<int32_t> RangedId(int64_t v) {
    if (has_last_range_ && v >= last_lo_ && v <= last_range_.hi) return last_range_.id;
    auto it = ranges_.upper_bound(v);
    if (it != ranges_.begin()) {
      --it;
      if (v <= it->second.hi) {
        SetLastRange(it->first, it->second);
        return it->second.id;
      }
    }
    FLOE_ASSIGN_OR_RETURN(auto result, Apply(IntegralLiteral(source_type_, v)));
    // The values that give the same result form one range around v: find its ends. A probe that fails counts as
    // outside; the range found then only gets smaller, never wrong, since both its ends were seen to give `result`.
    auto same = [&](int64_t x) {
      auto r = ApplyTransform(field_.transform, IntegralLiteral(source_type_, x));
      return r.ok() && r->has_value() == result.has_value() && (!result || **r == *result);
    };
    const int64_t lo = RangeEnd(v, -1, domain_lo_, same);
    const int64_t hi = RangeEnd(v, +1, domain_hi_, same);
    FLOE_ASSIGN_OR_RETURN(int32_t id, IdOf(std::move(result)));
    if (ranges_.size() >= kMaxCached) ranges_.clear();
    ranges_.insert_or_assign(lo, Range{hi, id});
    SetLastRange(lo, Range{hi, id});
    return id;
  }

  void SetLastRange(int64_t lo, Range range) {
    has_last_range_ = true;
    last_lo_ = lo;
    last_range_ = range;
  }

  // The farthest value from v in direction `dir` (up to `limit`) such that every value between gives v's result.
  template <typename Same>
  static int64_t RangeEnd(int64_t v, int dir, int64_t limit, const Same& same) {
    __int128 in = v;  // known to give the result
    __int128 out = 0;
    bool found_out = false;
    for (__int128 step = 1;; step *= 2) {
      __int128 probe = v + dir * step;
      if ((dir < 0 && probe <= limit) || (dir > 0 && probe >= limit)) {
        probe = limit;
        if (probe == in) return static_cast<int64_t>(in);
        if (same(static_cast<int64_t>(probe))) return static_cast<int64_t>(probe);
        out = probe;
        found_out = true;
        break;
      }
      if (!same(static_cast<int64_t>(probe))) {
        out = probe;
        found_out = true;
        break;
      }
      in = probe;
    }
    if (!found_out) return static_cast<int64_t>(in);
    while ((in > out ? in - out : out - in) > 1) {
      const __int128 mid = out + (in - out) / 2;
      if (same(static_cast<int64_t>(mid))) {
        in = mid;
      } else {
        out = mid;
      }
    }
    return static_cast<int64_t>(in);
  }

  Result<int32_t> MemoId(const ColumnVector& column, size_t r) {
    std::string_view key = formats::IsVariableWidth(column.type().id)
                               ? column.string(r)
                               : std::string_view(reinterpret_cast<const char*>(column.data()) + r * column.width(),
                                                  static_cast<size_t>(column.width()));
    if (has_last_key_ && key == last_key_) return last_key_id_;
    last_key_.assign(key);
    has_last_key_ = true;
    if (auto it = memo_.find(last_key_); it != memo_.end()) {
      last_key_id_ = it->second;
      return last_key_id_;
    }
    FLOE_ASSIGN_OR_RETURN(auto result, Apply(LiteralAt(column, r, source_type_)));
    FLOE_ASSIGN_OR_RETURN(last_key_id_, IdOf(std::move(result)));
    if (memo_.size() >= kMaxCached) memo_.clear();
    memo_.emplace(last_key_, last_key_id_);
    return last_key_id_;
  }

  PartitionField field_;
  TypePtr source_type_;
  bool ranged_ = false;
  int64_t domain_lo_ = INT64_MIN;
  int64_t domain_hi_ = INT64_MAX;
  // Distinct results (nullopt: null) and their ids, keyed by "n" or "v" + serialized value.
  std::vector<std::optional<Literal>> results_;
  std::map<std::string, int32_t> result_ids_;
  int32_t null_id_ = -1;
  // Ranged: lo -> [lo, hi] and the id of its result.
  std::map<int64_t, Range> ranges_;
  bool has_last_range_ = false;  // the range the last lookup hit, by value (the mapper moves)
  int64_t last_lo_ = 0;
  Range last_range_{0, 0};
  // Memoised: value bytes -> id.
  std::unordered_map<std::string, int32_t> memo_;
  std::string last_key_;
  bool has_last_key_ = false;
  int32_t last_key_id_ = 0;
};

// PLAIN-encoded bound (parquet::ColumnFileStats) of a column as Iceberg's binary single value; nullopt when there
// is none (a string whose upper bound cannot be truncated).
std::optional<std::string> IcebergBound(const DataType& type, const std::string& plain, bool lower) {
  auto fixed = [&](auto zero) {
    decltype(zero) v{};
    std::memcpy(&v, plain.data(), std::min(sizeof(v), plain.size()));
    return v;
  };
  switch (type.id) {
    case ColumnType::kBoolean: return SerializeValue(Literal::Boolean(fixed(uint8_t{}) != 0));
    case ColumnType::kInt32: return SerializeValue(Literal::Int(fixed(int32_t{})));
    case ColumnType::kDate: return SerializeValue(Literal::Date(fixed(int32_t{})));
    case ColumnType::kInt64: return SerializeValue(Literal::Long(fixed(int64_t{})));
    case ColumnType::kTimestamp: return SerializeValue(Literal::Timestamp(fixed(int64_t{})));
    case ColumnType::kTimestampTz: return SerializeValue(Literal::TimestampTz(fixed(int64_t{})));
    case ColumnType::kDecimal: {
      // Parquet stores decimal(P<=9) as INT32 and wider ones as INT64: the PLAIN bound is 4 or 8 bytes, sign-extended
      // here (a 4-byte -628.25 copied into a zeroed int64 would read as 42949044.71).
      const int64_t unscaled = plain.size() == 4 ? static_cast<int64_t>(fixed(int32_t{})) : fixed(int64_t{});
      return SerializeValue(Literal::Decimal(unscaled, type.precision, type.scale));
    }
    case ColumnType::kFloat: return SerializeValue(Literal::Float(fixed(float{})));
    case ColumnType::kDouble: return SerializeValue(Literal::Double(fixed(double{})));
    case ColumnType::kString:
    case ColumnType::kBinary: {
      const bool is_string = type.id == ColumnType::kString;
      if (lower) return TruncateLowerBound(plain, is_string);
      return TruncateUpperBound(plain, is_string);
    }
  }
  return std::nullopt;
}

}  // namespace

// --- types ---

Result<DataType> ToColumnType(const Type& type) {
  switch (type.id) {
    case TypeId::kBoolean: return DataType{ColumnType::kBoolean};
    case TypeId::kInt: return DataType{ColumnType::kInt32};
    case TypeId::kLong: return DataType{ColumnType::kInt64};
    case TypeId::kFloat: return DataType{ColumnType::kFloat};
    case TypeId::kDouble: return DataType{ColumnType::kDouble};
    case TypeId::kDate: return DataType{ColumnType::kDate};
    case TypeId::kTimestamp: return DataType{ColumnType::kTimestamp};
    case TypeId::kTimestampTz: return DataType{ColumnType::kTimestampTz};
    case TypeId::kString: return DataType{ColumnType::kString};
    case TypeId::kBinary: return DataType{ColumnType::kBinary};
    case TypeId::kDecimal:
      if (type.precision >= 1 && type.precision <= 18) {
        return DataType{ColumnType::kDecimal, type.precision, type.scale};
      }
      return Status::Unsupported(
          fmt::format("type {} is not supported in data files: floe's columns hold decimals "
                      "of precision up to 18",
                      type.ToString()));
    default: break;
  }
  return Status::Unsupported(
      fmt::format("type {} is not supported in data files: floe's columns hold boolean, int, long, float, double, "
                  "decimal(P<=18,S), date, timestamp, timestamptz, string and binary",
                  type.ToString()));
}

TypePtr ToIcebergType(const DataType& type) {
  switch (type.id) {
    case ColumnType::kBoolean: return Type::Primitive(TypeId::kBoolean);
    case ColumnType::kInt32: return Type::Primitive(TypeId::kInt);
    case ColumnType::kInt64: return Type::Primitive(TypeId::kLong);
    case ColumnType::kFloat: return Type::Primitive(TypeId::kFloat);
    case ColumnType::kDouble: return Type::Primitive(TypeId::kDouble);
    case ColumnType::kString: return Type::Primitive(TypeId::kString);
    case ColumnType::kBinary: return Type::Primitive(TypeId::kBinary);
    case ColumnType::kDate: return Type::Primitive(TypeId::kDate);
    case ColumnType::kTimestamp: return Type::Primitive(TypeId::kTimestamp);
    case ColumnType::kTimestampTz: return Type::Primitive(TypeId::kTimestampTz);
    case ColumnType::kDecimal: return Type::Decimal(type.precision, type.scale);
  }
  return Type::Primitive(TypeId::kBinary);
}

Result<formats::Schema> ToColumnSchema(const Schema& schema) {
  formats::Schema out;
  for (const NestedField& f : schema.fields()) {
    auto type = ToColumnType(*f.type);
    if (!type.ok()) return type.status().WithContext(FieldLabel(f.id, f.name));
    out.fields.push_back(formats::Field{f.name, *type, !f.required, f.id});
  }
  return out;
}

Result<Schema> FromColumnSchema(const formats::Schema& columns) {
  std::set<int32_t> used;
  std::set<std::string_view> names;
  for (const formats::Field& f : columns.fields) {
    if (!names.insert(f.name).second) {
      return Status::InvalidArgument(fmt::format("column schema: two columns are named {}", f.name));
    }
    if (f.field_id >= 0 && !used.insert(f.field_id).second) {
      return Status::InvalidArgument(
          fmt::format("column schema: field id {} is used twice (column {})", f.field_id, f.name));
    }
  }
  std::vector<NestedField> fields;
  int32_t next = 1;
  for (const formats::Field& f : columns.fields) {
    NestedField nf;
    if (f.field_id >= 0) {
      nf.id = f.field_id;
    } else {
      while (used.count(next) > 0) ++next;
      nf.id = next;
      used.insert(next);
    }
    nf.name = f.name;
    nf.required = !f.nullable;
    nf.type = ToIcebergType(f.type);
    fields.push_back(std::move(nf));
  }
  return Schema(0, std::move(fields));
}

// --- bounds ---

std::string TruncateLowerBound(std::string_view value, bool is_string, int length) {
  const size_t n = is_string ? Utf8PrefixBytes(value, length) : std::min(value.size(), static_cast<size_t>(length));
  return std::string(value.substr(0, n));
}

std::optional<std::string> TruncateUpperBound(std::string_view value, bool is_string, int length) {
  if (!is_string) {
    if (value.size() <= static_cast<size_t>(length)) return std::string(value);
    return IncrementBytes(std::string(value.substr(0, static_cast<size_t>(length))));
  }
  const size_t n = Utf8PrefixBytes(value, length);
  if (n == value.size()) return std::string(value);
  std::vector<uint32_t> cps;
  if (!DecodeUtf8(value.substr(0, n), &cps)) {
    return IncrementBytes(std::string(value.substr(0, n)));  // not UTF-8: bytes order it all the same
  }
  // The last character that has a successor (skipping the surrogate range, which UTF-8 cannot hold) is
  // incremented and what follows it dropped.
  while (!cps.empty()) {
    uint32_t next = cps.back() + 1;
    if (next == 0xd800) next = 0xe000;
    if (next <= 0x10ffff) {
      cps.back() = next;
      std::string out;
      for (uint32_t cp : cps) EncodeUtf8(cp, &out);
      return out;
    }
    cps.pop_back();
  }
  return std::nullopt;
}

// --- DataFileWriter ---

namespace {

// A Parquet file being filled for one partition.
struct OpenFile {
  OpenFile(formats::Schema columns, parquet::ParquetWriterOptions options, std::string path)
      : writer(std::move(columns), std::move(options)), path(std::move(path)) {}
  parquet::ParquetWriter writer;
  std::string path;
  int64_t buffered_bytes = 0;  // in-memory size of the rows the Parquet writer still buffers
  std::vector<FloatTracker> floats;

  int64_t EncodedRows() const { return writer.column_stats().empty() ? 0 : writer.column_stats()[0].values; }
  int64_t EncodedBytes() const {
    int64_t total = 0;
    for (const auto& s : writer.column_stats()) total += s.compressed_bytes;
    return total;
  }
  int64_t EstimatedBytes() const { return EncodedBytes() + buffered_bytes; }
};

struct Partition {
  PartitionValues values;
  std::string path;  // "" for an unpartitioned table, else "name=value/.../"
  std::unique_ptr<OpenFile> file;
};

}  // namespace

struct DataFileWriter::State {
  io::FileIO* io = nullptr;
  Schema schema;
  PartitionSpec spec;
  formats::Schema columns;
  std::string data_location;  // without a trailing '/'
  DataFileWriterOptions options;
  bool partitioned = false;
  std::vector<int> source_columns;  // per partition field: its source's column index
  std::vector<PartitionFieldMapper> mappers;
  std::vector<Partition> partitions;
  std::vector<int32_t> partition_of_id;                       // one partition field: result id -> partition
  std::unordered_map<std::string, int32_t> partition_of_key;  // several: packed result ids -> partition
  int file_count = 0;
  std::vector<DataFile> written;
  Status broken;  // the first error; the writer refuses to go on after one
  bool finished = false;

  // Scratch, kept across batches.
  std::vector<std::vector<int32_t>> ids;
  std::vector<int32_t> row_partition;

  Status Validate(const std::vector<ColumnVector>& batch) const;
  Status WriteBatch(const std::vector<ColumnVector>& batch);
  Result<int32_t> PartitionOf(const std::vector<int32_t>& key_ids);
  Status Append(Partition& p, const std::vector<ColumnVector>& rows);
  Status OpenNew(Partition& p);
  Status Close(Partition& p);
};

DataFileWriter::DataFileWriter(std::unique_ptr<State> state) : state_(std::move(state)) {}
DataFileWriter::DataFileWriter(DataFileWriter&&) noexcept = default;
DataFileWriter& DataFileWriter::operator=(DataFileWriter&&) noexcept = default;
DataFileWriter::~DataFileWriter() = default;

const std::string& DataFileWriter::file_prefix() const {
  return state_->options.file_prefix;
}

Result<DataFileWriter> DataFileWriter::Make(io::FileIO* io, const Schema& schema, const PartitionSpec& spec,
                                            std::string data_location, DataFileWriterOptions options) {
  if (io == nullptr) return Status::InvalidArgument("data file writer: no FileIO");
  if (schema.fields().empty()) return Status::InvalidArgument("data file writer: the schema has no fields");
  if (options.target_file_bytes <= 0) {
    return Status::InvalidArgument(
        fmt::format("data file writer: target file size {} bytes must be positive", options.target_file_bytes));
  }
  if (options.parquet.row_group_rows <= 0) {
    return Status::InvalidArgument(
        fmt::format("data file writer: row group size {} rows must be positive", options.parquet.row_group_rows));
  }
  auto state = std::make_unique<State>();
  state->io = io;
  state->schema = schema;
  state->spec = spec;
  FLOE_ASSIGN_OR_RETURN(state->columns, ToColumnSchema(schema));
  FLOE_RETURN_IF_ERROR(spec.PartitionType(schema).status().WithContext(
      fmt::format("data file writer: partition spec {}", spec.spec_id)));
  while (!data_location.empty() && data_location.back() == '/') data_location.pop_back();
  state->data_location = std::move(data_location);
  if (options.file_prefix.empty()) options.file_prefix = "00000-0-" + NewUuid();
  // As Java does: the table schema in the footer, for readers that want the Iceberg types.
  options.parquet.key_value_metadata.emplace_back("iceberg.schema", SchemaToJson(schema));
  state->options = std::move(options);
  state->partitioned = !spec.unpartitioned();
  if (state->partitioned) {
    for (const PartitionField& pf : spec.fields) {
      int column = -1;
      for (size_t c = 0; c < schema.fields().size(); ++c) {
        if (schema.fields()[c].id == pf.source_id) column = static_cast<int>(c);
      }
      if (column < 0) {
        return Status::InvalidArgument(fmt::format(
            "data file writer: partition field {} ({}): source field {} is not a top-level column of the schema",
            pf.field_id, pf.name, pf.source_id));
      }
      state->source_columns.push_back(column);
      state->mappers.emplace_back(pf, schema.fields()[static_cast<size_t>(column)].type,
                                  state->columns.fields[static_cast<size_t>(column)].type.id);
    }
    state->ids.resize(spec.fields.size());
  } else {
    Partition p;
    p.values.assign(spec.fields.size(), std::nullopt);
    state->partitions.push_back(std::move(p));
  }
  return DataFileWriter(std::move(state));
}

Status DataFileWriter::Write(const std::vector<ColumnVector>& batch) {
  State& s = *state_;
  if (s.finished) return Status::InvalidArgument("data file writer: Write after Finish");
  if (!s.broken.ok()) return s.broken;
  // A batch that does not fit the schema changes nothing; any later failure may leave files half-filled.
  FLOE_RETURN_IF_ERROR(s.Validate(batch));
  Status st = s.WriteBatch(batch);
  if (!st.ok()) s.broken = st;
  return st;
}

Status DataFileWriter::State::Validate(const std::vector<ColumnVector>& batch) const {
  if (batch.size() != columns.fields.size()) {
    return Status::InvalidArgument(
        fmt::format("data file writer: a batch of {} columns for a schema of {}", batch.size(), columns.fields.size()));
  }
  const size_t rows = batch[0].size();
  for (size_t c = 0; c < batch.size(); ++c) {
    const formats::Field& f = columns.fields[c];
    if (batch[c].type() != f.type) {
      return Status::InvalidArgument(fmt::format("data file writer: {}: column of type {}, the schema says {}",
                                                 FieldLabel(f.field_id, f.name), formats::TypeToString(batch[c].type()),
                                                 formats::TypeToString(f.type)));
    }
    if (batch[c].size() != rows) {
      return Status::InvalidArgument(fmt::format("data file writer: {}: {} rows, {} has {}",
                                                 FieldLabel(f.field_id, f.name), batch[c].size(),
                                                 FieldLabel(columns.fields[0].field_id, columns.fields[0].name), rows));
    }
    if (!f.nullable && batch[c].null_count() > 0) {
      size_t r = 0;
      while (!batch[c].IsNull(r)) ++r;
      return Status::InvalidArgument(
          fmt::format("data file writer: {}: row {} is null in a required field", FieldLabel(f.field_id, f.name), r));
    }
  }
  return Status::Ok();
}

Status DataFileWriter::State::WriteBatch(const std::vector<ColumnVector>& batch) {
  const size_t rows = batch[0].size();
  if (rows == 0) return Status::Ok();
  if (!partitioned) return Append(partitions[0], batch);

  for (size_t k = 0; k < mappers.size(); ++k) {
    FLOE_RETURN_IF_ERROR(mappers[k].Map(batch[static_cast<size_t>(source_columns[k])], &ids[k]));
  }
  // Each row's partition; a run of rows with the same results resolves once.
  row_partition.resize(rows);
  std::vector<int32_t> key(mappers.size());
  int32_t current = -1;
  for (size_t r = 0; r < rows; ++r) {
    bool same = current >= 0;
    for (size_t k = 0; k < mappers.size(); ++k) {
      if (ids[k][r] != key[k]) {
        key[k] = ids[k][r];
        same = false;
      }
    }
    if (!same) {
      FLOE_ASSIGN_OR_RETURN(current, PartitionOf(key));
    }
    row_partition[r] = current;
  }
  // One partition (the usual case for a batch of telemetry): the batch goes as it is.
  const int32_t first = row_partition[0];
  if (std::all_of(row_partition.begin(), row_partition.end(), [&](int32_t p) { return p == first; })) {
    return Append(partitions[static_cast<size_t>(first)], batch);
  }
  std::vector<std::vector<uint32_t>> rows_of(partitions.size());
  std::vector<int32_t> order;
  for (size_t r = 0; r < rows; ++r) {
    auto& list = rows_of[static_cast<size_t>(row_partition[r])];
    if (list.empty()) order.push_back(row_partition[r]);
    list.push_back(static_cast<uint32_t>(r));
  }
  for (int32_t p : order) {
    FLOE_RETURN_IF_ERROR(Append(partitions[static_cast<size_t>(p)], Take(batch, rows_of[static_cast<size_t>(p)])));
  }
  return Status::Ok();
}

Result<int32_t> DataFileWriter::State::PartitionOf(const std::vector<int32_t>& key_ids) {
  int32_t* slot = nullptr;
  if (key_ids.size() == 1) {
    const size_t id = static_cast<size_t>(key_ids[0]);
    if (partition_of_id.size() <= id) partition_of_id.resize(id + 1, -1);
    slot = &partition_of_id[id];
  } else {
    std::string packed(reinterpret_cast<const char*>(key_ids.data()), key_ids.size() * sizeof(int32_t));
    slot = &partition_of_key.try_emplace(std::move(packed), -1).first->second;
  }
  if (*slot >= 0) return *slot;
  Partition p;
  for (size_t k = 0; k < mappers.size(); ++k) p.values.push_back(mappers[k].result(key_ids[k]));
  p.path = PartitionPath(spec, p.values);
  if (!p.path.empty() && p.path.back() != '/') p.path.push_back('/');
  partitions.push_back(std::move(p));
  *slot = static_cast<int32_t>(partitions.size() - 1);
  return *slot;
}

Status DataFileWriter::State::OpenNew(Partition& p) {
  ++file_count;
  std::string path = fmt::format("{}/{}{}-{:05d}.parquet", data_location, p.path, options.file_prefix, file_count);
  p.file = std::make_unique<OpenFile>(columns, options.parquet, std::move(path));
  p.file->floats.resize(columns.fields.size());
  return Status::Ok();
}

Status DataFileWriter::State::Append(Partition& p, const std::vector<ColumnVector>& batch) {
  const size_t n = batch[0].size();
  const int64_t group = options.parquet.row_group_rows;
  const int64_t target = options.target_file_bytes;
  // The in-memory size of a row: fixed widths, plus each string's bytes and PLAIN length.
  int64_t fixed_row_bytes = 0;
  std::vector<const ColumnVector*> strings;
  for (const ColumnVector& c : batch) {
    if (formats::IsVariableWidth(c.type().id)) {
      fixed_row_bytes += 4;
      strings.push_back(&c);
    } else {
      fixed_row_bytes += c.width();
    }
  }
  size_t row = 0;
  while (row < n) {
    if (!p.file) FLOE_RETURN_IF_ERROR(OpenNew(p));
    OpenFile& f = *p.file;
    // Rows up to the end of the row group being buffered (its size is known once encoded), or until the file
    // reaches the target size.
    const int64_t buffered_rows = f.writer.rows() - f.EncodedRows();
    const size_t room = static_cast<size_t>(group - buffered_rows);
    const int64_t estimate = f.EstimatedBytes();
    size_t take = 0;
    int64_t bytes = 0;
    if (strings.empty()) {
      const int64_t to_target = std::max<int64_t>(1, (target - estimate + fixed_row_bytes - 1) / fixed_row_bytes);
      take = std::min({n - row, room, static_cast<size_t>(to_target)});
      bytes = static_cast<int64_t>(take) * fixed_row_bytes;
    } else {
      while (row + take < n && take < room) {
        const size_t r = row + take;
        bytes += fixed_row_bytes;
        for (const ColumnVector* s : strings) bytes += s->offsets()[r + 1] - s->offsets()[r];
        ++take;
        if (estimate + bytes >= target) break;
      }
    }
    Status st = take == n ? f.writer.Write(batch) : f.writer.Write(Slice(batch, row, row + take));
    if (!st.ok()) return st.WithContext(fmt::format("data file {}", f.path));
    f.buffered_bytes = f.writer.rows() == f.EncodedRows() ? 0 : f.buffered_bytes + bytes;
    for (size_t c = 0; c < batch.size(); ++c) {
      const ColumnVector& v = batch[c];
      if (v.type().id != ColumnType::kFloat && v.type().id != ColumnType::kDouble) continue;
      FloatTracker& t = f.floats[c];
      for (size_t r = row; r < row + take; ++r) {
        if (v.IsNull(r)) continue;
        t.Add(v.type().id == ColumnType::kFloat ? static_cast<double>(v.value<float>(r)) : v.value<double>(r));
      }
    }
    row += take;
    if (f.EstimatedBytes() >= target) FLOE_RETURN_IF_ERROR(Close(p));
  }
  return Status::Ok();
}

Status DataFileWriter::State::Close(Partition& p) {
  std::unique_ptr<OpenFile> f = std::move(p.file);
  FLOE_ASSIGN_OR_RETURN(std::string bytes, f->writer.Finish());
  FLOE_RETURN_IF_ERROR(io->Write(f->path, bytes).WithContext("data file writer"));

  DataFile df;
  df.file_path = f->path;
  df.file_format = "PARQUET";
  df.spec_id = spec.spec_id;
  df.partition = p.values;
  df.record_count = f->writer.rows();
  df.file_size_in_bytes = static_cast<int64_t>(bytes.size());
  const auto& stats = f->writer.column_stats();
  for (size_t c = 0; c < columns.fields.size(); ++c) {
    const formats::Field& field = columns.fields[c];
    const int32_t id = field.field_id;
    const parquet::ColumnFileStats& st = stats[c];
    df.column_sizes[id] = st.compressed_bytes;
    df.value_counts[id] = st.values;
    df.null_value_counts[id] = st.nulls;
    if (field.type.id == ColumnType::kFloat || field.type.id == ColumnType::kDouble) {
      // floe's Parquet writer leaves NaN out of its bounds too, but writes a zero bound as -0.0 (lower) and +0.0
      // (upper) as the Parquet spec asks; the exact bounds are tracked here instead.
      const FloatTracker& t = f->floats[c];
      df.nan_value_counts[id] = t.nans;
      if (t.has) {
        const bool is_float = field.type.id == ColumnType::kFloat;
        df.lower_bounds[id] =
            SerializeValue(is_float ? Literal::Float(static_cast<float>(t.lower)) : Literal::Double(t.lower));
        df.upper_bounds[id] =
            SerializeValue(is_float ? Literal::Float(static_cast<float>(t.upper)) : Literal::Double(t.upper));
      }
      continue;
    }
    if (!st.has_bounds) continue;
    if (auto lower = IcebergBound(field.type, st.lower, true)) df.lower_bounds[id] = std::move(*lower);
    if (auto upper = IcebergBound(field.type, st.upper, false)) df.upper_bounds[id] = std::move(*upper);
  }
  // Split offsets: where each row group starts, from the footer just written.
  auto reader = parquet::ParquetReader::Open(bytes, f->path);
  if (!reader.ok()) return reader.status().WithContext("data file writer: reading back the footer");
  for (const parquet::RowGroup& rg : reader->metadata().row_groups) {
    if (rg.columns.empty() || !rg.columns[0].meta_data) continue;
    const parquet::ColumnMetaData& md = *rg.columns[0].meta_data;
    int64_t start = md.data_page_offset;
    if (md.dictionary_page_offset && *md.dictionary_page_offset > 0)
      start = std::min(start, *md.dictionary_page_offset);
    df.split_offsets.push_back(start);
  }
  std::sort(df.split_offsets.begin(), df.split_offsets.end());
  written.push_back(std::move(df));
  return Status::Ok();
}

Result<std::vector<DataFile>> DataFileWriter::Finish() {
  State& s = *state_;
  if (s.finished) return Status::InvalidArgument("data file writer: Finish called twice");
  if (!s.broken.ok()) return s.broken;
  s.finished = true;
  for (Partition& p : s.partitions) {
    if (!p.file) continue;
    Status st = s.Close(p);
    if (!st.ok()) {
      s.broken = st;
      return st;
    }
  }
  return std::move(s.written);
}

}  // namespace floe::iceberg
