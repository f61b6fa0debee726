// Columns in memory: the unit the Parquet writer takes, the Parquet reader produces, and the query engine
// computes on. One ColumnVector holds one column of a batch: a typed array of values (Arrow-like: fixed-width
// values back to back; strings as offsets into one byte buffer) and, when the column has nulls, a validity byte per
// row. Types are the table types floe supports (Iceberg's primitive types that telemetry needs).
#pragma once

#include <cassert>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace floe::formats {

enum class ColumnType {
  kBoolean,
  kInt32,
  kInt64,
  kFloat,
  kDouble,
  kString,  // UTF-8
  kBinary,
  kDate,         // days since 1970-01-01, int32
  kTimestamp,    // microseconds since 1970-01-01 00:00:00, no time zone, int64
  kTimestampTz,  // microseconds since the epoch, UTC, int64
  kDecimal,      // unscaled int64 (precision <= 18)
};

struct DataType {
  ColumnType id = ColumnType::kInt64;
  int32_t precision = 0;  // kDecimal only
  int32_t scale = 0;      // kDecimal only

  bool operator==(const DataType&) const = default;
};

// "int", "string", "timestamp", "timestamptz", "decimal(9,2)": Iceberg's names for the types.
std::string TypeToString(const DataType& type);

// Bytes per value of a fixed-width type (bool: 1); 0 for strings and binary.
int FixedWidth(ColumnType type);
inline bool IsVariableWidth(ColumnType type) {
  return type == ColumnType::kString || type == ColumnType::kBinary;
}

struct Field {
  std::string name;
  DataType type;
  bool nullable = true;
  int32_t field_id = -1;  // Iceberg field id; -1 when the column has none
};

struct Schema {
  std::vector<Field> fields;

  // Index of the field called `name`, or -1.
  int FindField(std::string_view name) const;
};

class ColumnVector {
 public:
  explicit ColumnVector(DataType type = {}) : type_(type), width_(FixedWidth(type.id)) {}

  const DataType& type() const { return type_; }
  size_t size() const { return size_; }
  size_t null_count() const { return null_count_; }
  bool IsNull(size_t row) const { return !validity_.empty() && validity_[row] == 0; }
  // One byte per row, 1 = value present; empty when no row is null.
  const std::vector<uint8_t>& validity() const { return validity_; }

  // Fixed-width values (T matches the type: int32_t for kInt32/kDate, int64_t for kInt64/kTimestamp*/kDecimal,
  // float, double, uint8_t for kBoolean). Null rows hold zero.
  template <typename T>
  const T* values() const {
    assert(sizeof(T) == static_cast<size_t>(width_));
    return reinterpret_cast<const T*>(fixed_.data());
  }
  // The fixed-width values as raw bytes, width() bytes per row.
  const uint8_t* data() const { return fixed_.data(); }
  int width() const { return width_; }
  template <typename T>
  T value(size_t row) const {
    T v;
    std::memcpy(&v, fixed_.data() + row * width_, sizeof(T));
    return v;
  }
  // Variable-width values: bytes of row i are bytes()[offsets()[i], offsets()[i+1]).
  std::string_view string(size_t row) const {
    return std::string_view(bytes_).substr(static_cast<size_t>(offsets_[row]),
                                           static_cast<size_t>(offsets_[row + 1] - offsets_[row]));
  }
  const std::vector<int64_t>& offsets() const { return offsets_; }
  const std::string& bytes() const { return bytes_; }

  template <typename T>
  void Append(T v) {
    assert(sizeof(T) == static_cast<size_t>(width_));
    const size_t at = fixed_.size();
    fixed_.resize(at + sizeof(T));
    std::memcpy(fixed_.data() + at, &v, sizeof(T));
    MarkValid();
  }
  void AppendString(std::string_view s) {
    bytes_.append(s);
    offsets_.push_back(static_cast<int64_t>(bytes_.size()));
    MarkValid();
  }
  void AppendNull();

  // Appends `n` fixed-width values at once (the reader's bulk path); `valid` may be null (all valid).
  void AppendFixed(const void* data, size_t n, const uint8_t* valid = nullptr);

  // Replaces the contents wholesale (the reader's bulk path): `rows` rows whose fixed-width values are `fixed`
  // (rows * width bytes, zero where null) or whose strings are `offsets` (rows + 1 entries) into `bytes`; `validity`
  // is empty (no nulls) or one byte per row.
  void Assign(size_t rows, std::vector<uint8_t> validity, std::vector<uint8_t> fixed, std::vector<int64_t> offsets,
              std::string bytes);

  void Reserve(size_t rows, size_t string_bytes = 0);
  void Clear();

  bool operator==(const ColumnVector& o) const;

 private:
  void MarkValid() {
    if (!validity_.empty()) validity_.push_back(1);
    ++size_;
  }

  DataType type_;
  int width_;
  size_t size_ = 0;
  size_t null_count_ = 0;
  std::vector<uint8_t> validity_;
  std::vector<uint8_t> fixed_;
  std::vector<int64_t> offsets_{0};
  std::string bytes_;
};

}  // namespace floe::formats
