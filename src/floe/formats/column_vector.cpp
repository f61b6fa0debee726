#include "floe/formats/column_vector.h"

#include <fmt/format.h>

namespace floe::formats {

std::string TypeToString(const DataType& t) {
  switch (t.id) {
    case ColumnType::kBoolean: return "boolean";
    case ColumnType::kInt32: return "int";
    case ColumnType::kInt64: return "long";
    case ColumnType::kFloat: return "float";
    case ColumnType::kDouble: return "double";
    case ColumnType::kString: return "string";
    case ColumnType::kBinary: return "binary";
    case ColumnType::kDate: return "date";
    case ColumnType::kTimestamp: return "timestamp";
    case ColumnType::kTimestampTz: return "timestamptz";
    case ColumnType::kDecimal: return fmt::format("decimal({},{})", t.precision, t.scale);
  }
  return "unknown";
}

int FixedWidth(ColumnType type) {
  switch (type) {
    case ColumnType::kBoolean: return 1;
    case ColumnType::kInt32:
    case ColumnType::kDate:
    case ColumnType::kFloat: return 4;
    case ColumnType::kInt64:
    case ColumnType::kDouble:
    case ColumnType::kTimestamp:
    case ColumnType::kTimestampTz:
    case ColumnType::kDecimal: return 8;
    case ColumnType::kString:
    case ColumnType::kBinary: return 0;
  }
  return 0;
}

int Schema::FindField(std::string_view name) const {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

void ColumnVector::AppendNull() {
  if (validity_.empty()) validity_.assign(size_, 1);
  validity_.push_back(0);
  ++null_count_;
  ++size_;
  if (width_ > 0) {
    fixed_.resize(fixed_.size() + static_cast<size_t>(width_), 0);
  } else {
    offsets_.push_back(static_cast<int64_t>(bytes_.size()));
  }
}

void ColumnVector::AppendFixed(const void* data, size_t n, const uint8_t* valid) {
  assert(width_ > 0);
  const size_t at = fixed_.size();
  fixed_.resize(at + n * static_cast<size_t>(width_));
  std::memcpy(fixed_.data() + at, data, n * static_cast<size_t>(width_));
  if (valid != nullptr) {
    size_t nulls = 0;
    for (size_t i = 0; i < n; ++i) nulls += valid[i] == 0;
    if (nulls > 0 || !validity_.empty()) {
      if (validity_.empty()) validity_.assign(size_, 1);
      validity_.insert(validity_.end(), valid, valid + n);
      null_count_ += nulls;
    }
  } else if (!validity_.empty()) {
    validity_.resize(validity_.size() + n, 1);
  }
  size_ += n;
}

void ColumnVector::AppendRange(const ColumnVector& src, size_t begin, size_t end) {
  assert(src.type_ == type_ && begin <= end && end <= src.size_);
  const uint8_t* valid = src.validity_.empty() ? nullptr : src.validity_.data() + begin;
  const size_t n = end - begin;
  if (width_ > 0) {
    AppendFixed(src.fixed_.data() + begin * static_cast<size_t>(width_), n, valid);
    return;
  }
  const int64_t from = src.offsets_[begin];
  const int64_t shift = static_cast<int64_t>(bytes_.size()) - from;
  bytes_.append(src.bytes_, static_cast<size_t>(from), static_cast<size_t>(src.offsets_[end] - from));
  offsets_.reserve(offsets_.size() + n);
  for (size_t i = begin; i < end; ++i) offsets_.push_back(src.offsets_[i + 1] + shift);
  if (valid != nullptr) {
    size_t nulls = 0;
    for (size_t i = 0; i < n; ++i) nulls += valid[i] == 0;
    if (nulls > 0 || !validity_.empty()) {
      if (validity_.empty()) validity_.assign(size_, 1);
      validity_.insert(validity_.end(), valid, valid + n);
      null_count_ += nulls;
    }
  } else if (!validity_.empty()) {
    validity_.resize(validity_.size() + n, 1);
  }
  size_ += n;
}

void ColumnVector::Assign(size_t rows, std::vector<uint8_t> validity, std::vector<uint8_t> fixed,
                          std::vector<int64_t> offsets, std::string bytes) {
  size_ = rows;
  null_count_ = 0;
  for (uint8_t v : validity) null_count_ += v == 0;
  validity_ = null_count_ > 0 ? std::move(validity) : std::vector<uint8_t>{};
  fixed_.assign(fixed.begin(), fixed.end());
  offsets_ = offsets.empty() ? std::vector<int64_t>{0} : std::move(offsets);
  bytes_ = std::move(bytes);
  assert(width_ == 0 ? offsets_.size() == rows + 1 : fixed_.size() == rows * static_cast<size_t>(width_));
}

void ColumnVector::AssignFixed(size_t rows, std::vector<uint8_t> validity, FixedBytes fixed) {
  assert(width_ > 0 && fixed.size() == rows * static_cast<size_t>(width_));
  size_ = rows;
  null_count_ = 0;
  for (uint8_t v : validity) null_count_ += v == 0;
  validity_ = null_count_ > 0 ? std::move(validity) : std::vector<uint8_t>{};
  fixed_ = std::move(fixed);
  offsets_.assign(1, 0);
  bytes_.clear();
}

void ColumnVector::Reserve(size_t rows, size_t string_bytes) {
  if (width_ > 0) {
    fixed_.reserve(rows * static_cast<size_t>(width_));
  } else {
    offsets_.reserve(rows + 1);
    bytes_.reserve(string_bytes);
  }
}

void ColumnVector::Clear() {
  size_ = 0;
  null_count_ = 0;
  validity_.clear();
  fixed_.clear();
  offsets_.assign(1, 0);
  bytes_.clear();
}

bool ColumnVector::operator==(const ColumnVector& o) const {
  if (type_ != o.type_ || size_ != o.size_ || null_count_ != o.null_count_) return false;
  for (size_t i = 0; i < size_; ++i) {
    if (IsNull(i) != o.IsNull(i)) return false;
    if (IsNull(i)) continue;
    if (width_ > 0) {
      if (std::memcmp(fixed_.data() + i * width_, o.fixed_.data() + i * width_, static_cast<size_t>(width_)) != 0) {
        return false;
      }
    } else if (string(i) != o.string(i)) {
      return false;
    }
  }
  return true;
}

}  // namespace floe::formats
