#include "floe/formats/parquet/parquet_writer.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <system_error>
#include <thread>
#include <type_traits>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "floe/base/version.h"
#include "floe/formats/parquet/page_compression.h"
#include "floe/formats/parquet/parquet_format.h"
#include "floe/formats/parquet/rle_bit_packed.h"

namespace floe::parquet {

using formats::ColumnType;
using formats::ColumnVector;
using formats::DataType;
using formats::Field;

namespace {

// --- types ---

// Iceberg's Parquet type mapping (apache/iceberg format/spec.md, "Parquet"): decimal(P, S) is INT32 for P <= 9 and
// INT64 for P <= 18, annotated DECIMAL(P, S). floe's columns hold every decimal as an unscaled int64 (column_vector.h).
bool IsInt32Decimal(const DataType& t) {
  return t.id == ColumnType::kDecimal && t.precision <= 9;
}

Type PhysicalType(const DataType& t) {
  switch (t.id) {
    case ColumnType::kBoolean: return Type::kBoolean;
    case ColumnType::kInt32:
    case ColumnType::kDate: return Type::kInt32;
    case ColumnType::kDecimal: return IsInt32Decimal(t) ? Type::kInt32 : Type::kInt64;
    case ColumnType::kInt64:
    case ColumnType::kTimestamp:
    case ColumnType::kTimestampTz: return Type::kInt64;
    case ColumnType::kFloat: return Type::kFloat;
    case ColumnType::kDouble: return Type::kDouble;
    case ColumnType::kString:
    case ColumnType::kBinary: return Type::kByteArray;
  }
  return Type::kByteArray;
}

// Bytes of one PLAIN value of a fixed-width column: its physical width (4 for an INT32 decimal, whose int64 values
// are written as their low 4 bytes, little-endian; Write has checked that they fit).
size_t PlainWidth(const DataType& t) {
  return IsInt32Decimal(t) ? 4 : static_cast<size_t>(formats::FixedWidth(t.id));
}

SchemaElement ToSchemaElement(const Field& f) {
  SchemaElement e;
  e.name = f.name;
  e.type = PhysicalType(f.type);
  e.repetition_type = f.nullable ? FieldRepetitionType::kOptional : FieldRepetitionType::kRequired;
  if (f.field_id >= 0) e.field_id = f.field_id;
  LogicalType logical;
  switch (f.type.id) {
    case ColumnType::kString:
      e.converted_type = ConvertedType::kUtf8;
      logical.kind = LogicalType::Kind::kString;
      e.logical_type = logical;
      break;
    case ColumnType::kDate:
      e.converted_type = ConvertedType::kDate;
      logical.kind = LogicalType::Kind::kDate;
      e.logical_type = logical;
      break;
    case ColumnType::kTimestamp:
    case ColumnType::kTimestampTz:
      logical.kind = LogicalType::Kind::kTimestamp;
      logical.is_adjusted_to_utc = f.type.id == ColumnType::kTimestampTz;
      logical.unit = TimeUnit::kMicros;
      e.logical_type = logical;
      // The legacy annotation means "UTC-adjusted"; only then is it written (as parquet-cpp does).
      if (f.type.id == ColumnType::kTimestampTz) e.converted_type = ConvertedType::kTimestampMicros;
      break;
    case ColumnType::kDecimal:
      e.converted_type = ConvertedType::kDecimal;
      e.precision = f.type.precision;
      e.scale = f.type.scale;
      logical.kind = LogicalType::Kind::kDecimal;
      logical.decimal_precision = f.type.precision;
      logical.decimal_scale = f.type.scale;
      e.logical_type = logical;
      break;
    default: break;
  }
  return e;
}

// --- statistics ---

// Min and max of a page, a chunk or a whole file, for statistics, in the type's own order (unsigned bytes for
// strings; NaN left out and counted; a zero minimum written -0.0 and a zero maximum +0.0, as parquet.thrift's
// ColumnOrder asks), PLAIN-encoded in the physical type.
class MinMax {
 public:
  explicit MinMax(const DataType& type) : type_(type) {}

  // Adds the non-null values of rows [begin, end) of `v`.
  void AddRange(const ColumnVector& v, size_t begin, size_t end) {
    const uint8_t* valid = v.validity().empty() ? nullptr : v.validity().data();
    switch (type_.id) {
      case ColumnType::kBoolean: TrackInts(v.values<uint8_t>(), valid, begin, end); break;
      case ColumnType::kInt32:
      case ColumnType::kDate: TrackInts(v.values<int32_t>(), valid, begin, end); break;
      case ColumnType::kInt64:
      case ColumnType::kTimestamp:
      case ColumnType::kTimestampTz:
      case ColumnType::kDecimal: TrackInts(v.values<int64_t>(), valid, begin, end); break;
      case ColumnType::kFloat: TrackReals(v.values<float>(), valid, begin, end); break;
      case ColumnType::kDouble: TrackReals(v.values<double>(), valid, begin, end); break;
      case ColumnType::kString:
      case ColumnType::kBinary:
        for (size_t i = begin; i < end; ++i) {
          if (valid != nullptr && valid[i] == 0) continue;
          TrackString(v.string(i));
        }
        break;
    }
  }

  // Adds the other tracker's bounds and NaN count (of the same type).
  void Merge(const MinMax& o) {
    nans_ += o.nans_;
    if (!o.has_) return;
    if (!has_) {
      const int64_t nans = nans_;
      *this = o;
      nans_ = nans;
      return;
    }
    switch (type_.id) {
      case ColumnType::kBoolean: MergeFixed<uint8_t>(o); break;
      case ColumnType::kInt32:
      case ColumnType::kDate: MergeFixed<int32_t>(o); break;
      case ColumnType::kInt64:
      case ColumnType::kTimestamp:
      case ColumnType::kTimestampTz:
      case ColumnType::kDecimal: MergeFixed<int64_t>(o); break;
      case ColumnType::kFloat: MergeFixed<float>(o); break;
      case ColumnType::kDouble: MergeFixed<double>(o); break;
      case ColumnType::kString:
      case ColumnType::kBinary:
        TrackString(o.min_s_);
        TrackString(o.max_s_);
        break;
    }
  }

  bool has() const { return has_; }
  int64_t nans() const { return nans_; }
  // PLAIN encodings of the bounds (no length prefix for strings).
  std::string min() const { return Encode(true); }
  std::string max() const { return Encode(false); }

 private:
  // Branch-free loops (selects rather than jumps) over four independent lanes, so that the comparisons of one
  // value do not wait for the previous value's: statistics are computed for every page of every column.
  static constexpr size_t kLanes = 4;

  template <typename T>
  void TrackInts(const T* p, const uint8_t* valid, size_t begin, size_t end) {
    T lo[kLanes], hi[kLanes];
    for (size_t k = 0; k < kLanes; ++k) {
      lo[k] = std::numeric_limits<T>::max();
      hi[k] = std::numeric_limits<T>::lowest();
    }
    bool any = end > begin;
    size_t i = begin;
    if (valid == nullptr) {
      for (; i + kLanes <= end; i += kLanes) {
        for (size_t k = 0; k < kLanes; ++k) {
          lo[k] = std::min(lo[k], p[i + k]);
          hi[k] = std::max(hi[k], p[i + k]);
        }
      }
      for (; i < end; ++i) {
        lo[0] = std::min(lo[0], p[i]);
        hi[0] = std::max(hi[0], p[i]);
      }
    } else {
      uint8_t seen = 0;
      for (; i < end; ++i) {
        const bool take = valid[i] != 0;
        const size_t k = i % kLanes;
        lo[k] = take ? std::min(lo[k], p[i]) : lo[k];
        hi[k] = take ? std::max(hi[k], p[i]) : hi[k];
        seen |= valid[i];
      }
      any = seen != 0;
    }
    if (!any) return;
    for (size_t k = 1; k < kLanes; ++k) {
      lo[0] = std::min(lo[0], lo[k]);
      hi[0] = std::max(hi[0], hi[k]);
    }
    Include(lo[0], hi[0]);
  }
  template <typename T>
  void TrackReals(const T* p, const uint8_t* valid, size_t begin, size_t end) {
    // A comparison with NaN is false, so NaNs (and nulls, read as NaN) never become a bound.
    T lo[kLanes], hi[kLanes];
    for (size_t k = 0; k < kLanes; ++k) {
      lo[k] = std::numeric_limits<T>::infinity();
      hi[k] = -std::numeric_limits<T>::infinity();
    }
    int64_t nans = 0;
    size_t i = begin;
#if defined(__SSE2__)
    if (valid == nullptr) {
      // minpd/maxpd return their second operand when either is NaN, which is the select below, two or four values at
      // once; an unordered compare gives -1 per NaN, subtracted to count them.
      if constexpr (std::is_same_v<T, double>) {
        __m128d vlo = _mm_set1_pd(lo[0]), vhi = _mm_set1_pd(hi[0]);
        __m128i vnan = _mm_setzero_si128();
        for (; i + 2 <= end; i += 2) {
          const __m128d x = _mm_loadu_pd(p + i);
          vlo = _mm_min_pd(x, vlo);
          vhi = _mm_max_pd(x, vhi);
          vnan = _mm_sub_epi64(vnan, _mm_castpd_si128(_mm_cmpunord_pd(x, x)));
        }
        alignas(16) double l[2], h[2];
        alignas(16) int64_t n[2];
        _mm_store_pd(l, vlo);
        _mm_store_pd(h, vhi);
        _mm_store_si128(reinterpret_cast<__m128i*>(n), vnan);
        lo[0] = l[0];
        lo[1] = l[1];
        hi[0] = h[0];
        hi[1] = h[1];
        nans += n[0] + n[1];
      } else {
        __m128 vlo = _mm_set1_ps(lo[0]), vhi = _mm_set1_ps(hi[0]);
        __m128i vnan = _mm_setzero_si128();
        for (; i + 4 <= end; i += 4) {
          const __m128 x = _mm_loadu_ps(p + i);
          vlo = _mm_min_ps(x, vlo);
          vhi = _mm_max_ps(x, vhi);
          vnan = _mm_sub_epi32(vnan, _mm_castps_si128(_mm_cmpunord_ps(x, x)));
        }
        alignas(16) float l[4], h[4];
        alignas(16) int32_t n[4];
        _mm_store_ps(l, vlo);
        _mm_store_ps(h, vhi);
        _mm_store_si128(reinterpret_cast<__m128i*>(n), vnan);
        for (size_t k = 0; k < kLanes; ++k) {
          lo[k] = l[k];
          hi[k] = h[k];
          nans += n[k];  // at most a page's rows / 4 per lane: no overflow
        }
      }
    }
#endif
    if (valid == nullptr) {
      for (; i + kLanes <= end; i += kLanes) {
        for (size_t k = 0; k < kLanes; ++k) {
          const T x = p[i + k];
          lo[k] = x < lo[k] ? x : lo[k];
          hi[k] = x > hi[k] ? x : hi[k];
          nans += x != x;
        }
      }
      for (; i < end; ++i) {
        const T x = p[i];
        lo[0] = x < lo[0] ? x : lo[0];
        hi[0] = x > hi[0] ? x : hi[0];
        nans += x != x;
      }
    } else {
      const T nan = std::numeric_limits<T>::quiet_NaN();
      for (; i < end; ++i) {
        const size_t k = i % kLanes;
        const T x = valid[i] != 0 ? p[i] : nan;
        lo[k] = x < lo[k] ? x : lo[k];
        hi[k] = x > hi[k] ? x : hi[k];
        nans += (valid[i] != 0) & (p[i] != p[i]);
      }
    }
    nans_ += nans;
    for (size_t k = 1; k < kLanes; ++k) {
      lo[0] = lo[k] < lo[0] ? lo[k] : lo[0];
      hi[0] = hi[k] > hi[0] ? hi[k] : hi[0];
    }
    T low = lo[0], high = hi[0];
    if (low > high) return;  // nothing but nulls and NaNs
    if (low == 0) low = static_cast<T>(-0.0);
    if (high == 0) high = static_cast<T>(0.0);
    Include(low, high);
  }
  template <typename T>
  void Include(T lo, T hi) {
    if (has_) {
      T cur_lo, cur_hi;
      std::memcpy(&cur_lo, min_, sizeof(T));
      std::memcpy(&cur_hi, max_, sizeof(T));
      if (!(lo < cur_lo)) lo = cur_lo;
      if (!(hi > cur_hi)) hi = cur_hi;
    }
    std::memcpy(min_, &lo, sizeof(T));
    std::memcpy(max_, &hi, sizeof(T));
    has_ = true;
  }
  template <typename T>
  void MergeFixed(const MinMax& o) {
    T lo, hi;
    std::memcpy(&lo, o.min_, sizeof(T));
    std::memcpy(&hi, o.max_, sizeof(T));
    Include(lo, hi);
  }
  void TrackString(std::string_view s) {
    if (!has_ || s < min_s_) min_s_.assign(s);
    if (!has_ || s > max_s_) max_s_.assign(s);
    has_ = true;
  }
  std::string Encode(bool lower) const {
    if (formats::IsVariableWidth(type_.id)) return lower ? min_s_ : max_s_;
    // The physical type's PLAIN bytes: an INT32 decimal's low 4 bytes (little-endian, so the first 4).
    return std::string(lower ? min_ : max_, PlainWidth(type_));
  }

  DataType type_;
  bool has_ = false;
  int64_t nans_ = 0;
  char min_[8] = {};
  char max_[8] = {};
  std::string min_s_, max_s_;
};

bool IsReal(const DataType& t) {
  return t.id == ColumnType::kFloat || t.id == ColumnType::kDouble;
}

Statistics MakeStatistics(const MinMax& mm, int64_t nulls, const DataType& type, bool legacy_too) {
  Statistics s;
  s.null_count = nulls;
  if (IsReal(type)) s.nan_count = mm.nans();  // TYPE_ORDER floats: always, so readers know min/max skip no NaN
  if (mm.has()) {
    s.min_value = mm.min();
    s.max_value = mm.max();
    if (legacy_too) {  // the deprecated min/max: only for types whose order is signed, as parquet-cpp writes them
      s.min = *s.min_value;
      s.max = *s.max_value;
    }
  }
  return s;
}

// --- page-level bounds ---

// The length of the longest prefix of `s` of at most `limit` bytes that does not split a UTF-8 sequence.
size_t Utf8Prefix(std::string_view s, size_t limit) {
  size_t n = std::min(limit, s.size());
  while (n > 0 && n < s.size() && (static_cast<uint8_t>(s[n]) & 0xC0) == 0x80) --n;
  return n;
}

// A lower bound of `s` of at most `limit` bytes: a prefix (whole characters for UTF-8).
std::string TruncateLower(std::string_view s, size_t limit, bool utf8) {
  return std::string(s.substr(0, utf8 ? Utf8Prefix(s, limit) : limit));
}

// An upper bound of `s` of at most `limit` bytes, or nullopt when there is none that short (all 0xFF bytes, or
// only the largest code points): a prefix whose last byte (binary) or character (UTF-8) is incremented and the rest
// dropped, so that it is greater than every string starting with the prefix.
std::optional<std::string> TruncateUpper(std::string_view s, size_t limit, bool utf8) {
  if (!utf8) {
    std::string p(s.substr(0, limit));
    while (!p.empty()) {
      auto& last = reinterpret_cast<unsigned char&>(p.back());
      if (last != 0xFF) {
        ++last;
        return p;
      }
      p.pop_back();
    }
    return std::nullopt;
  }
  std::string p(s.substr(0, Utf8Prefix(s, limit)));
  while (!p.empty()) {
    // The last character: its start, and its code point.
    size_t at = p.size() - 1;
    while (at > 0 && (static_cast<uint8_t>(p[at]) & 0xC0) == 0x80) --at;
    const auto* b = reinterpret_cast<const uint8_t*>(p.data() + at);
    const size_t len = p.size() - at;
    uint32_t cp = len == 1 ? b[0] : len == 2 ? b[0] & 0x1Fu : len == 3 ? b[0] & 0x0Fu : b[0] & 0x07u;
    for (size_t i = 1; i < len; ++i) cp = cp << 6 | (b[i] & 0x3Fu);
    uint32_t next = cp + 1;
    if (next >= 0xD800 && next <= 0xDFFF) next = 0xE000;  // no surrogates in UTF-8
    p.resize(at);
    if (next > 0x10FFFF) continue;  // the largest character: carry into the one before
    if (next < 0x80) {
      p.push_back(static_cast<char>(next));
    } else if (next < 0x800) {
      p.push_back(static_cast<char>(0xC0 | next >> 6));
      p.push_back(static_cast<char>(0x80 | (next & 0x3F)));
    } else if (next < 0x10000) {
      p.push_back(static_cast<char>(0xE0 | next >> 12));
      p.push_back(static_cast<char>(0x80 | (next >> 6 & 0x3F)));
      p.push_back(static_cast<char>(0x80 | (next & 0x3F)));
    } else {
      p.push_back(static_cast<char>(0xF0 | next >> 18));
      p.push_back(static_cast<char>(0x80 | (next >> 12 & 0x3F)));
      p.push_back(static_cast<char>(0x80 | (next >> 6 & 0x3F)));
      p.push_back(static_cast<char>(0x80 | (next & 0x3F)));
    }
    if (p.size() <= limit) return p;  // a longer encoding of the next character may not fit; then carry
    p.resize(at);
  }
  return std::nullopt;
}

// Orders two PLAIN-encoded bounds of a column of `type` (<0, 0, >0), in its TYPE_ORDER.
int CompareBounds(const DataType& type, std::string_view a, std::string_view b) {
  auto cmp = [&](auto tag) {
    using T = decltype(tag);
    T x, y;
    std::memcpy(&x, a.data(), sizeof(T));
    std::memcpy(&y, b.data(), sizeof(T));
    return x < y ? -1 : y < x ? 1 : 0;
  };
  switch (type.id) {
    case ColumnType::kBoolean: return cmp(uint8_t{});
    case ColumnType::kInt32:
    case ColumnType::kDate: return cmp(int32_t{});
    case ColumnType::kDecimal: return IsInt32Decimal(type) ? cmp(int32_t{}) : cmp(int64_t{});
    case ColumnType::kInt64:
    case ColumnType::kTimestamp:
    case ColumnType::kTimestampTz: return cmp(int64_t{});
    case ColumnType::kFloat: return cmp(float{});
    case ColumnType::kDouble: return cmp(double{});
    case ColumnType::kString:
    case ColumnType::kBinary: return a.compare(b) < 0 ? -1 : a.compare(b) > 0 ? 1 : 0;
  }
  return 0;
}

// The page index of one column chunk, built page by page as the chunk is written (PageIndex.md): an OffsetIndex
// always, a ColumnIndex unless a page that is not all nulls has no bounds (only NaNs), which TYPE_ORDER leaves no
// way to describe, so parquet.thrift says to write none for the chunk.
struct ChunkPageIndex {
  OffsetIndex offsets;
  std::optional<ColumnIndex> columns;
};

class PageIndexBuilder {
 public:
  explicit PageIndexBuilder(const DataType& type) : type_(type) { index_.columns.emplace(); }

  // Adds a page at `loc` with `present` non-null values, whose header carries `stats` (bounds possibly truncated,
  // absent when the page has none).
  void AddPage(PageLocation loc, const Statistics& stats, int64_t present) {
    index_.offsets.page_locations.push_back(loc);
    if (!index_.columns) return;
    ColumnIndex& ci = *index_.columns;
    const bool null_page = present == 0;
    if (!null_page && !(stats.min_value && stats.max_value)) {
      index_.columns.reset();
      return;
    }
    ci.null_pages.push_back(null_page);
    ci.null_counts.push_back(*stats.null_count);
    if (stats.nan_count) ci.nan_counts.push_back(*stats.nan_count);
    if (null_page) {
      ci.min_values.emplace_back();
      ci.max_values.emplace_back();
      return;
    }
    ci.min_values.push_back(*stats.min_value);
    ci.max_values.push_back(*stats.max_value);
    if (last_ >= 0) {
      const auto& lo = ci.min_values;
      const auto& hi = ci.max_values;
      const int by_min = CompareBounds(type_, lo.back(), lo[static_cast<size_t>(last_)]);
      const int by_max = CompareBounds(type_, hi.back(), hi[static_cast<size_t>(last_)]);
      ascending_ = ascending_ && by_min >= 0 && by_max >= 0;
      descending_ = descending_ && by_min <= 0 && by_max <= 0;
    }
    last_ = static_cast<int64_t>(ci.min_values.size()) - 1;
  }

  ChunkPageIndex Finish() {
    if (index_.columns) {
      // As parquet-cpp decides it: all equal counts as ascending; no page with bounds is unordered.
      index_.columns->boundary_order = last_ < 0     ? BoundaryOrder::kUnordered
                                       : ascending_  ? BoundaryOrder::kAscending
                                       : descending_ ? BoundaryOrder::kDescending
                                                     : BoundaryOrder::kUnordered;
    }
    return std::move(index_);
  }

 private:
  DataType type_;
  ChunkPageIndex index_;
  int64_t last_ = -1;  // the last page with bounds
  bool ascending_ = true, descending_ = true;
};

// --- dictionaries ---

// The dictionary of one column chunk: distinct values in first-seen order and each non-null row's index.
struct Dictionary {
  std::string plain;                    // the dictionary page body: PLAIN values
  uint32_t size = 0;                    // distinct values
  std::unique_ptr<uint32_t[]> indices;  // per non-null row, in row order (not zeroed: only [0, count) is set)
  size_t count = 0;                     // indices set
  std::vector<uint32_t> first_row;      // per distinct value, a row holding it (for the chunk's min/max)
};

// Spreads all 64 bits over the low ones that pick a slot: the two halves of a 128-bit product, folded. (A
// multiply-shift finalizer alone clustered decimal-looking doubles such as humidities badly.)
inline uint64_t Mix64(uint64_t x) {
  const unsigned __int128 p = static_cast<unsigned __int128>(x) * 0x9E3779B97F4A7C15ULL;
  return static_cast<uint64_t>(p >> 64) ^ static_cast<uint64_t>(p);
}

// A hash of short byte strings (sensor ids, names, codes) from at most two overlapping word loads; longer strings
// fold every 8 bytes.
uint64_t HashBytes(const char* p, size_t n) {
  uint64_t a = 0, b = 0;
  if (n > 16) {
    uint64_t h = n;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
      uint64_t w;
      std::memcpy(&w, p + i, 8);
      h = Mix64(h ^ w) * 0x9E3779B97F4A7C15ULL;
    }
    std::memcpy(&b, p + n - 8, 8);
    return Mix64(h ^ b);
  }
  if (n >= 8) {
    std::memcpy(&a, p, 8);
    std::memcpy(&b, p + n - 8, 8);
  } else if (n >= 4) {
    uint32_t x, y;
    std::memcpy(&x, p, 4);
    std::memcpy(&y, p + n - 4, 4);
    a = x;
    b = y;
  } else if (n > 0) {
    a = static_cast<uint8_t>(p[0]) | static_cast<uint32_t>(static_cast<uint8_t>(p[n / 2])) << 8 |
        static_cast<uint32_t>(static_cast<uint8_t>(p[n - 1])) << 16;
  }
  return Mix64(a ^ Mix64(b ^ (n * 0x9E3779B97F4A7C15ULL)));
}

// Equality of two byte strings of length n, with word loads for the short ones dictionaries mostly hold.
inline bool EqualBytes(const char* a, const char* b, size_t n) {
  if (n >= 8 && n <= 16) {
    uint64_t a0, a1, b0, b1;
    std::memcpy(&a0, a, 8);
    std::memcpy(&b0, b, 8);
    std::memcpy(&a1, a + n - 8, 8);
    std::memcpy(&b1, b + n - 8, 8);
    return ((a0 ^ b0) | (a1 ^ b1)) == 0;
  }
  if (n >= 4 && n < 8) {
    uint32_t a0, a1, b0, b1;
    std::memcpy(&a0, a, 4);
    std::memcpy(&b0, b, 4);
    std::memcpy(&a1, a + n - 4, 4);
    std::memcpy(&b1, b + n - 4, 4);
    return ((a0 ^ b0) | (a1 ^ b1)) == 0;
  }
  return std::memcmp(a, b, n) == 0;
}

constexpr uint32_t kEmptySlot = UINT32_MAX;

// Value -> dictionary index: open addressing with linear probing, at most a quarter full (dictionaries are small
// next to their chunk, and a lookup that hits in its first slot is a branch predicted right: at half load, probe
// sequences made dictionary building the writer's largest cost). A slot holds the key (the value's raw bits, or a
// string's hash) beside the index, so a probe touches one cache line; strings are compared only when their hashes
// are equal.
class DictionaryIndex {
 public:
  DictionaryIndex() { Rehash(1024); }

  static uint64_t Hash(uint64_t bits) { return Mix64(bits); }
  static uint64_t Hash(std::string_view s) { return HashBytes(s.data(), s.size()); }

  // The index of the fixed-width value with raw bits `key` (and hash Hash(key)), inserting it as `next` when new
  // (*inserted says which).
  uint32_t FindOrInsert(uint64_t key, uint64_t hash, uint32_t next, bool* inserted) {
    size_t slot = hash & mask_;
    while (slots_[slot].id != kEmptySlot) {
      if (slots_[slot].key == key) {
        *inserted = false;
        return slots_[slot].id;
      }
      slot = (slot + 1) & mask_;
    }
    return Insert(slot, key, next, inserted);
  }

  // The same for a string; keys_[id] holds the strings by index (views into the column, which outlives this).
  uint32_t FindOrInsert(std::string_view s, uint64_t hash, uint32_t next, bool* inserted) {
    size_t slot = hash & mask_;
    while (slots_[slot].id != kEmptySlot) {
      if (slots_[slot].key == hash) {
        const std::string_view k = keys_[slots_[slot].id];
        if (k.size() == s.size() && EqualBytes(k.data(), s.data(), s.size())) {
          *inserted = false;
          return slots_[slot].id;
        }
      }
      slot = (slot + 1) & mask_;
    }
    keys_.push_back(s);
    return Insert(slot, hash, next, inserted);
  }

 private:
  struct Slot {
    uint64_t key;  // a fixed-width value's bits; a string's hash
    uint32_t id;
  };

  uint32_t Insert(size_t slot, uint64_t key, uint32_t next, bool* inserted) {
    slots_[slot] = {key, next};
    *inserted = true;
    if (++size_ * 4 > slots_.size()) Rehash(slots_.size() * 2);
    return next;
  }

  void Rehash(size_t capacity) {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(capacity, Slot{0, kEmptySlot});
    mask_ = capacity - 1;
    const bool strings = !keys_.empty();
    for (const Slot& s : old) {
      if (s.id == kEmptySlot) continue;
      size_t slot = (strings ? s.key : Mix64(s.key)) & mask_;
      while (slots_[slot].id != kEmptySlot) slot = (slot + 1) & mask_;
      slots_[slot] = s;
    }
  }

  std::vector<Slot> slots_;
  std::vector<std::string_view> keys_;
  size_t mask_ = 0;
  size_t size_ = 0;
};

// A column whose first kSampleValues values are more than half distinct would overflow the dictionary limit or
// gain nothing from it: PLAIN is chosen then without building the rest.
constexpr size_t kSampleValues = 65536;

// Builds the dictionary of rows [begin, end); `key(i)` is row i's key (raw bits or a string view) and `append(i)`
// appends its PLAIN encoding to the dictionary page.
template <typename KeyOf, typename AppendPlain>
bool BuildDictionaryOf(const uint8_t* valid, size_t begin, size_t end, int64_t limit, KeyOf key, AppendPlain append,
                       Dictionary* d) {
  DictionaryIndex ids;
  uint32_t* out = d->indices.get();
  size_t count = 0;
  bool inserted = false;
  for (size_t i = begin; i < end; ++i) {
    if (valid != nullptr && valid[i] == 0) continue;
    const auto k = key(i);
    const uint32_t id = ids.FindOrInsert(k, DictionaryIndex::Hash(k), d->size, &inserted);
    if (inserted) {
      ++d->size;
      d->first_row.push_back(static_cast<uint32_t>(i));
      append(i);
      if (static_cast<int64_t>(d->plain.size()) > limit) return false;
    }
    out[count++] = id;
    if (count == kSampleValues && d->size > kSampleValues / 2) return false;
  }
  d->count = count;
  return true;
}

// Builds the chunk's dictionary, or returns false when it would pass `limit` bytes or is not worth it.
bool BuildDictionary(const ColumnVector& v, size_t begin, size_t end, int64_t limit, Dictionary* d) {
  d->indices.reset(new uint32_t[end - begin]);
  const uint8_t* valid = v.validity().empty() ? nullptr : v.validity().data();
  if (formats::IsVariableWidth(v.type().id)) {
    const int64_t* offsets = v.offsets().data();
    const char* bytes = v.bytes().data();
    auto key = [&](size_t i) {
      return std::string_view(bytes + offsets[i], static_cast<size_t>(offsets[i + 1] - offsets[i]));
    };
    auto append = [&](size_t i) {
      const std::string_view s = key(i);
      const uint32_t len = static_cast<uint32_t>(s.size());
      d->plain.append(reinterpret_cast<const char*>(&len), 4);
      d->plain.append(s);
    };
    return BuildDictionaryOf(valid, begin, end, limit, key, append, d);
  }
  const uint8_t* base = v.data();
  const size_t plain_width = PlainWidth(v.type());  // an INT32 decimal's dictionary holds the low 4 bytes
  auto append = [&](size_t i) {
    d->plain.append(reinterpret_cast<const char*>(base) + i * static_cast<size_t>(v.width()), plain_width);
  };
  switch (v.width()) {
    case 4: {
      auto key = [&](size_t i) {
        uint32_t bits;
        std::memcpy(&bits, base + i * 4, 4);
        return uint64_t{bits};
      };
      return BuildDictionaryOf(valid, begin, end, limit, key, append, d);
    }
    case 8: {
      auto key = [&](size_t i) {
        uint64_t bits;
        std::memcpy(&bits, base + i * 8, 8);
        return bits;
      };
      return BuildDictionaryOf(valid, begin, end, limit, key, append, d);
    }
    default: return false;  // booleans are always PLAIN
  }
}

// --- column chunks ---

// Writes one column chunk of a row group, rows [begin, end) of `column`, at the end of `*out` (the file, or a
// buffer appended to it later: offsets in the metadata are relative to `base`, the file offset of out->data()).
class ColumnChunkWriter {
 public:
  ColumnChunkWriter(const Field& field, const ColumnVector& column, size_t begin, size_t end,
                    const ParquetWriterOptions& options, std::string* out, int64_t base)
      : field_(field), v_(column), begin_(begin), end_(end), options_(options), out_(out), base_(base) {}

  // Appends the chunk and fills *chunk (its metadata) and *page_index (its pages' locations and bounds, offsets
  // relative to `base` like the metadata's); adds its counts to *stats and its bounds to *bounds.
  Status Write(ColumnFileStats* stats, MinMax* bounds, ColumnChunk* chunk, ChunkPageIndex* page_index) {
    ColumnMetaData md;
    md.type = PhysicalType(field_.type);
    md.path_in_schema = {field_.name};
    md.codec = options_.codec;
    md.num_values = static_cast<int64_t>(end_ - begin_);
    const int64_t chunk_start = Offset();

    Dictionary dict;
    use_dict_ = options_.dictionary && field_.type.id != ColumnType::kBoolean && end_ > begin_ &&
                BuildDictionary(v_, begin_, end_, options_.dictionary_page_bytes, &dict);
    if (use_dict_) {
      md.dictionary_page_offset = chunk_start;
      PageHeader h;
      h.type = PageType::kDictionaryPage;
      DictionaryPageHeader dh;
      dh.num_values = static_cast<int32_t>(dict.size);
      dh.encoding = Encoding::kPlain;
      h.dictionary_page_header = dh;
      FLOE_RETURN_IF_ERROR(WritePage(h, dict.plain, &md));
      index_width_ = std::max(1, BitWidthOf(dict.size > 0 ? dict.size - 1 : 0));
    }
    md.data_page_offset = Offset();

    // Pages: at most page_rows rows and about page_bytes of encoded values each.
    const uint8_t* valid = v_.validity().empty() ? nullptr : v_.validity().data();
    size_t row = begin_;
    size_t dict_pos = 0;  // next index in dict.indices
    int64_t chunk_nulls = 0;
    MinMax chunk_mm(field_.type);
    PageIndexBuilder index(field_.type);
    const DictionaryOrder order = use_dict_ ? OrderDictionary(dict) : DictionaryOrder{};
    RleBitPackedEncoder levels(1);
    RleBitPackedEncoder indices(index_width_);
    std::string body;
    do {
      const size_t page_start = row;
      const size_t page_end = PageEnd(row, valid);
      const size_t n = page_end - page_start;
      size_t nulls = 0;
      if (valid != nullptr) {
        for (size_t r = page_start; r < page_end; ++r) nulls += valid[r] == 0;
      }
      const size_t present = n - nulls;
      // The page's bounds; the chunk's are theirs merged, so the values are looked at once.
      MinMax page_mm(field_.type);
      if (!order.by_rank.empty()) {
        PageBoundsFromRanks(dict, order, dict_pos, present, &page_mm);
      } else {
        page_mm.AddRange(v_, page_start, page_end);
      }
      body.clear();
      if (field_.nullable) {
        // Definition levels: 1 for a value, 0 for a null, behind their 4-byte length (a v1 data page).
        const size_t len_at = body.size();
        body.append(4, '\0');
        if (nulls == 0) {
          levels.PutRepeated(1, n);
        } else {
          level_buffer_.resize(n);
          for (size_t i = 0; i < n; ++i) level_buffer_[i] = valid[page_start + i] != 0;
          levels.PutBatch(level_buffer_.data(), n);
        }
        levels.Finish(&body);
        const uint32_t len = static_cast<uint32_t>(body.size() - len_at - 4);
        std::memcpy(body.data() + len_at, &len, 4);
      }
      if (use_dict_) {
        body.push_back(static_cast<char>(index_width_));
        indices.PutBatch(dict.indices.get() + dict_pos, present);
        dict_pos += present;
        indices.Finish(&body);
      } else {
        AppendPlainValues(page_start, page_end, valid, nulls, &body);
      }
      PageHeader h;
      h.type = PageType::kDataPage;
      DataPageHeader dp;
      dp.num_values = static_cast<int32_t>(n);
      dp.encoding = use_dict_ ? Encoding::kRleDictionary : Encoding::kPlain;
      dp.definition_level_encoding = Encoding::kRle;
      dp.repetition_level_encoding = Encoding::kRle;
      dp.statistics = MakeStatistics(page_mm, static_cast<int64_t>(nulls), field_.type, LegacyStats());
      TruncatePageBounds(&*dp.statistics);
      h.data_page_header = std::move(dp);
      const int64_t page_at = Offset();
      FLOE_RETURN_IF_ERROR(WritePage(h, body, &md));
      if (options_.page_index) {
        index.AddPage(
            PageLocation{page_at, static_cast<int32_t>(Offset() - page_at), static_cast<int64_t>(page_start - begin_)},
            *h.data_page_header->statistics, static_cast<int64_t>(present));
      }
      chunk_mm.Merge(page_mm);
      chunk_nulls += static_cast<int64_t>(nulls);
      row = page_end;
    } while (row < end_);

    md.encodings = use_dict_ ? std::vector<Encoding>{Encoding::kPlain, Encoding::kRle, Encoding::kRleDictionary}
                             : std::vector<Encoding>{Encoding::kPlain, Encoding::kRle};
    md.statistics = MakeStatistics(chunk_mm, chunk_nulls, field_.type, LegacyStats());
    if (options_.page_index) *page_index = index.Finish();

    stats->values += static_cast<int64_t>(end_ - begin_);
    stats->nulls += chunk_nulls;
    stats->compressed_bytes += md.total_compressed_size;
    bounds->Merge(chunk_mm);
    if (bounds->has()) {
      stats->has_bounds = true;
      stats->lower = bounds->min();
      stats->upper = bounds->max();
    }

    chunk->file_offset = chunk_start;
    chunk->meta_data = std::move(md);
    return Status::Ok();
  }

 private:
  // The dictionary's ids in the column's order, when that spares comparing a string per row: each page's bounds
  // are then the values of its lowest- and highest-ranked index. Only for strings and binary (fixed-width values
  // compare as cheaply as ranks do), and only when sorting the dictionary costs less than a row-by-row scan.
  struct DictionaryOrder {
    std::vector<uint32_t> rank;     // per id
    std::vector<uint32_t> by_rank;  // per rank, the id; empty: scan the rows instead
  };
  DictionaryOrder OrderDictionary(const Dictionary& dict) const {
    DictionaryOrder o;
    if (!formats::IsVariableWidth(field_.type.id) || dict.size < 2) return o;
    const size_t log2 = static_cast<size_t>(BitWidthOf(dict.size));
    if (static_cast<size_t>(dict.size) * log2 > dict.count) return o;
    o.by_rank.resize(dict.size);
    for (uint32_t id = 0; id < dict.size; ++id) o.by_rank[id] = id;
    std::sort(o.by_rank.begin(), o.by_rank.end(),
              [&](uint32_t a, uint32_t b) { return v_.string(dict.first_row[a]) < v_.string(dict.first_row[b]); });
    o.rank.resize(dict.size);
    for (uint32_t k = 0; k < dict.size; ++k) o.rank[o.by_rank[k]] = k;
    return o;
  }
  void PageBoundsFromRanks(const Dictionary& dict, const DictionaryOrder& o, size_t from, size_t count,
                           MinMax* page) const {
    if (count == 0) return;
    const uint32_t* idx = dict.indices.get() + from;
    const uint32_t* rank = o.rank.data();
    uint32_t lo = UINT32_MAX, hi = 0;
    for (size_t i = 0; i < count; ++i) {
      const uint32_t r = rank[idx[i]];
      lo = std::min(lo, r);
      hi = std::max(hi, r);
    }
    const size_t lo_row = dict.first_row[o.by_rank[lo]], hi_row = dict.first_row[o.by_rank[hi]];
    page->AddRange(v_, lo_row, lo_row + 1);
    page->AddRange(v_, hi_row, hi_row + 1);
  }

  // Page bounds of strings and binary longer than options.page_stats_max_bytes become shorter bounds (the header's
  // and the column index's alike), flagged inexact; an upper bound that cannot be shortened stays whole.
  void TruncatePageBounds(Statistics* s) const {
    const auto limit = static_cast<size_t>(options_.page_stats_max_bytes);
    if (!formats::IsVariableWidth(field_.type.id) || options_.page_stats_max_bytes <= 0) return;
    const bool utf8 = field_.type.id == ColumnType::kString;
    if (s->min_value && s->min_value->size() > limit) {
      s->min_value = TruncateLower(*s->min_value, limit, utf8);
      s->is_min_value_exact = false;
    }
    if (s->max_value && s->max_value->size() > limit) {
      if (auto up = TruncateUpper(*s->max_value, limit, utf8)) {
        s->max_value = std::move(*up);
        s->is_max_value_exact = false;
      }
    }
  }

  int64_t Offset() const { return base_ + static_cast<int64_t>(out_->size()); }

  bool LegacyStats() const {
    // The deprecated min/max are signed comparisons; strings and binary sort unsigned, so they get only
    // min_value/max_value.
    return !formats::IsVariableWidth(field_.type.id);
  }

  // Where the page starting at `row` ends: after page_rows rows, or at the first multiple of 256 rows where its
  // values reach page_bytes.
  size_t PageEnd(size_t row, const uint8_t* valid) const {
    const size_t limit = std::min(end_, row + static_cast<size_t>(std::max<int64_t>(options_.page_rows, 1)));
    const size_t page_bytes = static_cast<size_t>(std::max<int64_t>(options_.page_bytes, 1));
    if (use_dict_) {
      // Indices take about index_width_ bits a row.
      const size_t by_bytes = std::max<size_t>(256, page_bytes * 8 / static_cast<size_t>(index_width_));
      return std::min(limit, row + by_bytes);
    }
    const bool is_bool = field_.type.id == ColumnType::kBoolean;
    const bool var = formats::IsVariableWidth(field_.type.id);
    const size_t width = var ? 0 : PlainWidth(field_.type);
    const int64_t* offsets = var ? v_.offsets().data() : nullptr;
    size_t bytes = 0, present_total = 0;
    for (size_t r = row; r < limit;) {
      const size_t block_end = std::min(limit, (r | 255) + 1);
      size_t present = block_end - r;
      if (valid != nullptr) {
        present = 0;
        for (size_t i = r; i < block_end; ++i) present += valid[i] != 0;
      }
      present_total += present;
      if (is_bool) {
        bytes = present_total / 8;
      } else if (var) {
        bytes += 4 * present + static_cast<size_t>(offsets[block_end] - offsets[r]);  // a null's string is empty
      } else {
        bytes += present * width;
      }
      r = block_end;
      if ((r & 255) == 0 && bytes >= page_bytes) return r;
    }
    return limit;
  }

  // PLAIN values of the non-null rows of [begin, end) (`nulls` of them null).
  void AppendPlainValues(size_t begin, size_t end, const uint8_t* valid, size_t nulls, std::string* out) const {
    const auto present = [&](size_t r) { return valid == nullptr || valid[r] != 0; };
    if (field_.type.id == ColumnType::kBoolean) {
      const uint8_t* p = v_.values<uint8_t>();
      uint8_t byte = 0;
      int bits = 0;
      for (size_t r = begin; r < end; ++r) {
        if (!present(r)) continue;
        byte |= static_cast<uint8_t>((p[r] != 0 ? 1 : 0) << bits);
        if (++bits == 8) {
          out->push_back(static_cast<char>(byte));
          byte = 0;
          bits = 0;
        }
      }
      if (bits > 0) out->push_back(static_cast<char>(byte));
      return;
    }
    if (formats::IsVariableWidth(field_.type.id)) {
      const int64_t* offsets = v_.offsets().data();
      const char* bytes = v_.bytes().data();
      size_t total = 0;
      for (size_t r = begin; r < end; ++r) {
        if (present(r)) total += 4 + static_cast<size_t>(offsets[r + 1] - offsets[r]);
      }
      size_t at = out->size();
      out->resize(at + total);
      char* dst = out->data();
      for (size_t r = begin; r < end; ++r) {
        if (!present(r)) continue;
        const uint32_t len = static_cast<uint32_t>(offsets[r + 1] - offsets[r]);
        std::memcpy(dst + at, &len, 4);
        std::memcpy(dst + at + 4, bytes + offsets[r], len);
        at += 4 + len;
      }
      return;
    }
    const size_t width = static_cast<size_t>(v_.width());
    const size_t plain = PlainWidth(field_.type);
    const char* base = reinterpret_cast<const char*>(v_.data());
    if (nulls == 0 && plain == width) {
      out->append(base + begin * width, (end - begin) * width);
      return;
    }
    const size_t at = out->size();
    out->resize(at + (end - begin - nulls) * plain);
    char* dst = out->data() + at;
    for (size_t r = begin; r < end; ++r) {
      if (!present(r)) continue;
      std::memcpy(dst, base + r * width, plain);  // the low bytes of a narrowed decimal
      dst += plain;
    }
  }

  // Sets the page sizes in `h` and appends the page.
  Status WritePage(PageHeader& h, std::string_view body, ColumnMetaData* md) {
    compressed_.clear();
    FLOE_RETURN_IF_ERROR(CompressPage(options_.codec, body, &compressed_, options_.compression_level)
                             .WithContext(fmt::format("column {}", field_.name)));
    h.uncompressed_page_size = static_cast<int32_t>(body.size());
    h.compressed_page_size = static_cast<int32_t>(compressed_.size());
    header_.clear();
    SerializePageHeader(h, &header_);
    out_->append(header_);
    out_->append(compressed_);
    md->total_uncompressed_size += static_cast<int64_t>(header_.size() + body.size());
    md->total_compressed_size += static_cast<int64_t>(header_.size() + compressed_.size());
    return Status::Ok();
  }

  const Field& field_;
  const ColumnVector& v_;
  size_t begin_, end_;
  const ParquetWriterOptions& options_;
  std::string* out_;
  int64_t base_;
  bool use_dict_ = false;
  int index_width_ = 1;
  std::vector<uint8_t> level_buffer_;
  std::string compressed_;
  std::string header_;
};

// 10^p for p in 0..18.
int64_t PowerOfTen(int p) {
  int64_t v = 1;
  for (int i = 0; i < p; ++i) v *= 10;
  return v;
}

}  // namespace

struct ParquetWriter::State {
  FileMetaData footer;
  std::vector<MinMax> bounds;        // per column, over the row groups written so far
  std::vector<std::string> buffers;  // per column: its chunk while row groups are encoded on several threads
  std::vector<std::vector<ChunkPageIndex>> page_indexes;  // per row group, per column; written by Finish
  size_t rows_coming = 0;  // rows of the batch being written that are not encoded yet (for reserving)
};

ParquetWriter::ParquetWriter(formats::Schema schema, ParquetWriterOptions options)
    : schema_(std::move(schema)), options_(std::move(options)), state_(std::make_shared<State>()) {
  for (const Field& f : schema_.fields) {
    pending_.emplace_back(f.type);
    state_->bounds.emplace_back(f.type);
  }
  stats_.resize(schema_.fields.size());
  file_ = "PAR1";
}

Status ParquetWriter::Write(const std::vector<ColumnVector>& batch) {
  if (batch.size() != schema_.fields.size()) {
    return Status::InvalidArgument(
        fmt::format("parquet writer: a batch of {} columns for a schema of {}", batch.size(), schema_.fields.size()));
  }
  const size_t rows = batch.empty() ? 0 : batch[0].size();
  for (size_t c = 0; c < batch.size(); ++c) {
    const Field& f = schema_.fields[c];
    if (batch[c].type() != f.type) {
      return Status::InvalidArgument(fmt::format("parquet writer: column {} is {}, the schema says {}", f.name,
                                                 formats::TypeToString(batch[c].type()),
                                                 formats::TypeToString(f.type)));
    }
    if (batch[c].size() != rows) {
      return Status::InvalidArgument(fmt::format("parquet writer: column {} has {} rows, column {} has {}", f.name,
                                                 batch[c].size(), schema_.fields[0].name, rows));
    }
    if (!f.nullable && batch[c].null_count() > 0) {
      for (size_t r = 0; r < rows; ++r) {
        if (batch[c].IsNull(r)) {
          return Status::InvalidArgument(
              fmt::format("parquet writer: row {} of required column {} is null", r, f.name));
        }
      }
    }
    if (f.type.id == ColumnType::kDecimal && f.type.precision >= 1 && f.type.precision <= 18) {
      // The unscaled value must have at most `precision` digits; an INT32 decimal's must also fit its 4 bytes,
      // which 9 digits always do.
      const int64_t bound = PowerOfTen(f.type.precision);
      const int64_t* v = batch[c].values<int64_t>();
      for (size_t r = 0; r < rows; ++r) {
        if (v[r] >= bound || v[r] <= -bound) {
          return Status::InvalidArgument(
              fmt::format("parquet writer: row {} of column {}: unscaled value {} has more digits than {} holds", r,
                          f.name, v[r], formats::TypeToString(f.type)));
        }
      }
    } else if (f.type.id == ColumnType::kDecimal) {
      return Status::InvalidArgument(fmt::format("parquet writer: column {} is {}: decimals of precision 1 to 18 only",
                                                 f.name, formats::TypeToString(f.type)));
    }
  }
  size_t done = 0;
  // Whole row groups go straight from the batch; only a remainder is copied to wait for more rows.
  const size_t group = static_cast<size_t>(options_.row_group_rows);
  while (pending_[0].size() == 0 && rows - done >= group) {
    state_->rows_coming = rows - done - group;
    FLOE_RETURN_IF_ERROR(WriteRowGroup(batch, done, done + group));
    done += group;
  }
  state_->rows_coming = 0;
  while (done < rows) {
    const size_t room = group - pending_[0].size();
    const size_t take = std::min(room, rows - done);
    for (size_t c = 0; c < batch.size(); ++c) pending_[c].AppendRange(batch[c], done, done + take);
    done += take;
    if (pending_[0].size() >= group) FLOE_RETURN_IF_ERROR(FlushRowGroup());
  }
  rows_ += static_cast<int64_t>(rows);
  return Status::Ok();
}

Status ParquetWriter::FlushRowGroup() {
  if (pending_.empty() || pending_[0].size() == 0) return Status::Ok();
  FLOE_RETURN_IF_ERROR(WriteRowGroup(pending_, 0, pending_[0].size()));
  for (auto& c : pending_) c.Clear();
  return Status::Ok();
}

Status ParquetWriter::WriteRowGroup(const std::vector<formats::ColumnVector>& columns, size_t begin, size_t end) {
  RowGroup rg;
  rg.num_rows = static_cast<int64_t>(end - begin);
  const size_t start = file_.size();
  rg.file_offset = static_cast<int64_t>(start);
  rg.ordinal = static_cast<int16_t>(state_->footer.row_groups.size());
  rg.total_byte_size = 0;
  rg.total_compressed_size = 0;
  const size_t ncols = columns.size();
  rg.columns.resize(ncols);
  std::vector<ChunkPageIndex> page_indexes(ncols);
  const size_t threads = std::min<size_t>(static_cast<size_t>(std::max(options_.threads, 1)), ncols);
  if (threads <= 1) {
    for (size_t c = 0; c < ncols; ++c) {
      ColumnChunkWriter w(schema_.fields[c], columns[c], begin, end, options_, &file_, 0);
      FLOE_RETURN_IF_ERROR(w.Write(&stats_[c], &state_->bounds[c], &rg.columns[c], &page_indexes[c]));
    }
  } else {
    // Each column chunk into its own buffer (offsets relative to it), then the buffers in column order: the same
    // bytes as one thread writes.
    state_->buffers.resize(ncols);
    std::vector<Status> results(ncols);
    std::atomic<size_t> next{0};
    auto work = [&] {
      for (size_t c = next++; c < ncols; c = next++) {
        state_->buffers[c].clear();
        ColumnChunkWriter w(schema_.fields[c], columns[c], begin, end, options_, &state_->buffers[c], 0);
        results[c] = w.Write(&stats_[c], &state_->bounds[c], &rg.columns[c], &page_indexes[c]);
      }
    };
    std::vector<std::thread> helpers;
    for (size_t t = 1; t < threads; ++t) {
      try {
        helpers.emplace_back(work);
      } catch (const std::system_error&) {
        break;  // no more threads to be had: the calling thread does the rest
      }
    }
    work();
    for (auto& t : helpers) t.join();
    for (size_t c = 0; c < ncols; ++c) {
      FLOE_RETURN_IF_ERROR(results[c]);
      const auto shift = static_cast<int64_t>(file_.size());
      ColumnChunk& cc = rg.columns[c];
      ColumnMetaData& md = *cc.meta_data;
      cc.file_offset += shift;
      md.data_page_offset += shift;
      if (md.dictionary_page_offset) *md.dictionary_page_offset += shift;
      for (PageLocation& loc : page_indexes[c].offsets.page_locations) loc.offset += shift;
      file_.append(state_->buffers[c]);
    }
  }
  for (const ColumnChunk& cc : rg.columns) {
    rg.total_byte_size += cc.meta_data->total_uncompressed_size;
    *rg.total_compressed_size += cc.meta_data->total_compressed_size;
  }
  state_->footer.row_groups.push_back(std::move(rg));
  if (options_.page_index) state_->page_indexes.push_back(std::move(page_indexes));
  // Room for the rest of the batch at this group's size, so that the file is not copied as it grows.
  if (state_->rows_coming > 0 && end > begin) {
    const size_t group_bytes = file_.size() - start;
    const size_t want = file_.size() + state_->rows_coming * group_bytes / (end - begin) * 11 / 10 + group_bytes;
    if (want > file_.capacity()) file_.reserve(want);
  }
  return Status::Ok();
}

Result<std::string> ParquetWriter::Finish() {
  FLOE_RETURN_IF_ERROR(FlushRowGroup());
  FileMetaData& md = state_->footer;
  md.version = 2;
  SchemaElement root;
  root.name = "schema";
  root.num_children = static_cast<int32_t>(schema_.fields.size());
  md.schema.push_back(root);
  for (const Field& f : schema_.fields) md.schema.push_back(ToSchemaElement(f));
  md.num_rows = rows_;
  for (const auto& [k, v] : options_.key_value_metadata) md.key_value_metadata.push_back(KeyValue{k, v});
  md.created_by = fmt::format("floe version {} (build {})", Version(), GitCommit());
  md.column_orders.assign(schema_.fields.size(), ColumnOrder{});
  if (options_.page_index) {
    // All column indexes, then all offset indexes, each row group by row group and column by column (as parquet-cpp
    // and parquet-java lay them out, so that a reader fetches each kind in one read).
    std::string bytes;
    for (size_t g = 0; g < state_->page_indexes.size(); ++g) {
      for (size_t c = 0; c < state_->page_indexes[g].size(); ++c) {
        const auto& ci = state_->page_indexes[g][c].columns;
        if (!ci) continue;
        bytes.clear();
        SerializeColumnIndex(*ci, &bytes);
        md.row_groups[g].columns[c].column_index_offset = static_cast<int64_t>(file_.size());
        md.row_groups[g].columns[c].column_index_length = static_cast<int32_t>(bytes.size());
        file_.append(bytes);
      }
    }
    for (size_t g = 0; g < state_->page_indexes.size(); ++g) {
      for (size_t c = 0; c < state_->page_indexes[g].size(); ++c) {
        bytes.clear();
        SerializeOffsetIndex(state_->page_indexes[g][c].offsets, &bytes);
        md.row_groups[g].columns[c].offset_index_offset = static_cast<int64_t>(file_.size());
        md.row_groups[g].columns[c].offset_index_length = static_cast<int32_t>(bytes.size());
        file_.append(bytes);
      }
    }
  }
  std::string footer;
  SerializeFileMetaData(md, &footer);
  file_.append(footer);
  const uint32_t len = static_cast<uint32_t>(footer.size());
  file_.append(reinterpret_cast<const char*>(&len), 4);
  file_.append("PAR1");
  return std::move(file_);
}

}  // namespace floe::parquet
