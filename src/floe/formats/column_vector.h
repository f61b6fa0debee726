// Columns in memory: the unit the Parquet writer takes, the Parquet reader produces, and the query engine
// computes on. One ColumnVector holds one column of a batch: a typed array of values (Arrow-like: fixed-width
// values back to back; strings as offsets into one byte buffer) and, when the column has nulls, a validity byte per
// row. Types are the table types floe supports (Iceberg's primitive types that telemetry needs).
#pragma once

#include <cassert>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
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

// std::allocator, except that a container's resize() leaves the new elements default-initialized (unset bytes)
// instead of zeroing them: for buffers whose every byte the code filling them writes anyway.
template <typename T>
struct UninitializedAllocator : std::allocator<T> {
  template <typename U>
  struct rebind {
    using other = UninitializedAllocator<U>;
  };
  UninitializedAllocator() = default;
  template <typename U>
  UninitializedAllocator(const UninitializedAllocator<U>&) noexcept {}  // NOLINT(google-explicit-constructor)
  template <typename U>
  void construct(U* p) noexcept(std::is_nothrow_default_constructible_v<U>) {
    ::new (static_cast<void*>(p)) U;
  }
  template <typename U, typename... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};

// The bytes of a column's fixed-width values. resize() does not zero them (see UninitializedAllocator).
using FixedBytes = std::vector<uint8_t, UninitializedAllocator<uint8_t>>;

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
  // Appends rows [begin, end) of `src`, a column of the same type.
  void AppendRange(const ColumnVector& src, size_t begin, size_t end);

  // Replaces the contents wholesale: `rows` rows whose fixed-width values are `fixed` (rows * width bytes, zero
  // where null; copied) or whose strings are `offsets` (rows + 1 entries) into `bytes`; `validity` is empty (no
  // nulls) or one byte per row.
  void Assign(size_t rows, std::vector<uint8_t> validity, std::vector<uint8_t> fixed, std::vector<int64_t> offsets,
              std::string bytes);
  // The same for a fixed-width column whose values are moved in whole: the bulk path of code that fills a FixedBytes
  // buffer itself (the Parquet reader), which then is neither zeroed first nor copied.
  void AssignFixed(size_t rows, std::vector<uint8_t> validity, FixedBytes fixed);

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
  FixedBytes fixed_;
  std::vector<int64_t> offsets_{0};
  std::string bytes_;
};

}  // namespace floe::formats
