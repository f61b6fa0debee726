#include "floe/stream/window_aggregator.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <type_traits>
#include <unordered_set>

#include "floe/base/crc32c.h"

namespace floe::stream {

using sql::DataType;
using sql::TypeId;

namespace window_internal {
namespace {

// --- Little-endian fixed-width encoding of accumulators, and a bounds-checked reader with a sticky error. ---

template <typename T>
void PutFixed(std::string* out, T v) {
  using U = std::make_unsigned_t<T>;
  char buf[sizeof(T)];
  auto u = static_cast<U>(v);
  for (size_t i = 0; i < sizeof(T); ++i) buf[i] = static_cast<char>(static_cast<uint8_t>(u >> (8 * i)));
  out->append(buf, sizeof(T));
}

void PutInt128(std::string* out, Int128 v) {
  auto u = static_cast<unsigned __int128>(v);
  PutFixed<uint64_t>(out, static_cast<uint64_t>(u));
  PutFixed<uint64_t>(out, static_cast<uint64_t>(u >> 64));
}

void PutDouble(std::string* out, double d) {
  uint64_t bits;
  std::memcpy(&bits, &d, sizeof bits);
  PutFixed<uint64_t>(out, bits);
}

}  // namespace

class Reader {
 public:
  explicit Reader(std::string_view in, size_t pos) : in_(in), pos_(pos) {}

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  size_t pos() const { return pos_; }
  size_t remaining() const { return in_.size() - pos_; }

  template <typename T>
  T Fixed(const char* what) {
    using U = std::make_unsigned_t<T>;
    if (!ok()) return T{};
    if (remaining() < sizeof(T)) {
      Fail(what, "the bytes end early");
      return T{};
    }
    U u = 0;
    for (size_t i = 0; i < sizeof(T); ++i) u |= static_cast<U>(static_cast<uint8_t>(in_[pos_ + i])) << (8 * i);
    pos_ += sizeof(T);
    return static_cast<T>(u);
  }
  double Double(const char* what) {
    uint64_t bits = Fixed<uint64_t>(what);
    double d;
    std::memcpy(&d, &bits, sizeof d);
    return d;
  }
  Int128 Int128Value(const char* what) {
    auto lo = static_cast<unsigned __int128>(Fixed<uint64_t>(what));
    auto hi = static_cast<unsigned __int128>(Fixed<uint64_t>(what));
    return static_cast<Int128>((hi << 64) | lo);
  }
  bool Flag(const char* what) {
    uint8_t v = Fixed<uint8_t>(what);
    if (v > 1) Fail(what, "flag byte " + std::to_string(v) + " is not 0 or 1");
    return v == 1;
  }
  void ReadDatum(const DataType& type, Datum* out, const char* what) {
    if (!ok()) return;
    Status s = DecodeDatum(in_, &pos_, type, out);
    if (!s.ok()) Fail(what, s.message());
  }
  void Fail(const std::string& what, const std::string& why) {
    if (ok()) error_ = what + " at byte " + std::to_string(pos_) + ": " + why;
  }

 private:
  std::string_view in_;
  size_t pos_;
  std::string error_;
};

namespace {

constexpr uint64_t kMaxAccumulatorSetSize = uint64_t{1} << 40;

// 10^n for 0 <= n <= 38 as Int128.
Int128 Pow10(int n) {
  Int128 v = 1;
  for (int i = 0; i < n; ++i) v *= 10;
  return v;
}

bool FitsPrecision(Int128 v, int precision) {
  Int128 limit = Pow10(std::clamp(precision, 1, 38));
  return v < limit && v > -limit;
}

// round_half_up(sum * 10^extra_scale / count), or false when the quotient has more than `precision` digits.
bool DivideHalfUp(Int128 sum, int64_t count, int extra_scale, int precision, Int128* out) {
  using U = unsigned __int128;
  bool negative = sum < 0;
  U a = negative ? U{0} - static_cast<U>(sum) : static_cast<U>(sum);
  U c = static_cast<U>(count);
  U q = a / c;
  U r = a % c;
  const U limit = static_cast<U>(Pow10(std::clamp(precision, 1, 38)));
  for (int k = 0; k < extra_scale; ++k) {
    if (q >= limit) return false;  // q * 10 stays below 2^127 while q < 10^38
    r *= 10;                       // r < count < 2^63: no overflow
    q = q * 10 + r / c;
    r %= c;
  }
  if (2 * r >= c) ++q;
  if (q >= limit) return false;
  *out = negative ? -static_cast<Int128>(q) : static_cast<Int128>(q);
  return true;
}

bool IsIntRep(TypeId id) {
  switch (id) {
    case TypeId::kTinyInt:
    case TypeId::kSmallInt:
    case TypeId::kInt:
    case TypeId::kBigInt:
    case TypeId::kDate:
    case TypeId::kTime:
    case TypeId::kTimestamp:
    case TypeId::kTimestampLtz:
    case TypeId::kIntervalDayTime:
    case TypeId::kIntervalYearMonth: return true;
    default: return false;
  }
}

// An exact integer as the narrower Java type a Flink cast produces (two's complement truncation).
int64_t NarrowTo(TypeId id, int64_t v) {
  switch (id) {
    case TypeId::kTinyInt: return static_cast<int8_t>(v);
    case TypeId::kSmallInt: return static_cast<int16_t>(v);
    case TypeId::kInt: return static_cast<int32_t>(v);
    default: return v;
  }
}

template <typename T>
size_t VectorBytes(const std::vector<T>& v) {
  return v.capacity() * sizeof(T);
}

// Bytes a datum's string keeps on the heap beyond the Datum itself (libstdc++ keeps up to 15 bytes inline).
size_t StringHeapBytes(const Datum& d) {
  return d.s.capacity() > 15 ? d.s.capacity() + 1 : 0;
}

}  // namespace

// One aggregate's accumulators for every group of a window, as columns indexed by group id.
class AggState {
 public:
  virtual ~AggState() = default;
  // Appends the accumulator of a new, empty group.
  virtual void AddGroup() = 0;
  // Accumulates one value into group g: a non-null value (COUNT(*): any datum).
  virtual void Update(uint32_t g, const Datum& v) = 0;
  virtual void Result(uint32_t g, Datum* out) const = 0;
  virtual void Encode(uint32_t g, std::string* out) const = 0;
  // Reads group g's accumulator (g was just appended by AddGroup); errors go to the reader.
  virtual void Decode(Reader* r, uint32_t g) = 0;
  virtual size_t Bytes() const = 0;
};

namespace {

class CountState final : public AggState {
 public:
  void AddGroup() override { n_.push_back(0); }
  void Update(uint32_t g, const Datum&) override { ++n_[g]; }
  void Result(uint32_t g, Datum* out) const override { out->SetInt(n_[g]); }
  void Encode(uint32_t g, std::string* out) const override { PutFixed<int64_t>(out, n_[g]); }
  void Decode(Reader* r, uint32_t g) override {
    n_[g] = r->Fixed<int64_t>("COUNT accumulator");
    if (n_[g] < 0) r->Fail("COUNT accumulator", "negative count " + std::to_string(n_[g]));
  }
  size_t Bytes() const override { return VectorBytes(n_); }

 private:
  std::vector<int64_t> n_;
};

// SUM of exact integers: BIGINT that wraps like Java's long.
class SumIntState final : public AggState {
 public:
  void AddGroup() override {
    sum_.push_back(0);
    has_.push_back(0);
  }
  void Update(uint32_t g, const Datum& v) override {
    sum_[g] = static_cast<int64_t>(static_cast<uint64_t>(sum_[g]) + static_cast<uint64_t>(v.i));
    has_[g] = 1;
  }
  void Result(uint32_t g, Datum* out) const override {
    if (has_[g]) {
      out->SetInt(sum_[g]);
    } else {
      out->SetNull();
    }
  }
  void Encode(uint32_t g, std::string* out) const override {
    PutFixed<uint8_t>(out, has_[g]);
    PutFixed<int64_t>(out, sum_[g]);
  }
  void Decode(Reader* r, uint32_t g) override {
    has_[g] = r->Flag("SUM accumulator");
    sum_[g] = r->Fixed<int64_t>("SUM accumulator");
  }
  size_t Bytes() const override { return VectorBytes(sum_) + VectorBytes(has_); }

 private:
  std::vector<int64_t> sum_;
  std::vector<uint8_t> has_;
};

// SUM of FLOAT or DOUBLE, in the result type's arithmetic.
class SumDoubleState final : public AggState {
 public:
  explicit SumDoubleState(bool is_float) : is_float_(is_float) {}
  void AddGroup() override {
    sum_.push_back(0);
    has_.push_back(0);
  }
  void Update(uint32_t g, const Datum& v) override {
    double s = sum_[g] + v.d;
    sum_[g] = is_float_ ? static_cast<double>(static_cast<float>(s)) : s;
    has_[g] = 1;
  }
  void Result(uint32_t g, Datum* out) const override {
    if (has_[g]) {
      out->SetDouble(sum_[g]);
    } else {
      out->SetNull();
    }
  }
  void Encode(uint32_t g, std::string* out) const override {
    PutFixed<uint8_t>(out, has_[g]);
    PutDouble(out, sum_[g]);
  }
  void Decode(Reader* r, uint32_t g) override {
    has_[g] = r->Flag("SUM accumulator");
    sum_[g] = r->Double("SUM accumulator");
  }
  size_t Bytes() const override { return VectorBytes(sum_) + VectorBytes(has_); }

 private:
  bool is_float_;
  std::vector<double> sum_;
  std::vector<uint8_t> has_;
};

// SUM of DECIMAL: the unscaled sum at the result scale; NULL for good once it leaves the result's precision.
class SumDecimalState final : public AggState {
 public:
  SumDecimalState(int arg_scale, const DataType& result)
      : rescale_(Pow10(result.scale - arg_scale)), precision_(result.precision) {}
  void AddGroup() override {
    sum_.push_back(0);
    state_.push_back(kEmpty);
  }
  void Update(uint32_t g, const Datum& v) override {
    if (state_[g] == kOverflow) return;
    Int128 x;
    Int128 s;
    if (__builtin_mul_overflow(v.dec, rescale_, &x) || __builtin_add_overflow(sum_[g], x, &s) ||
        !FitsPrecision(s, precision_)) {
      state_[g] = kOverflow;
      return;
    }
    sum_[g] = s;
    state_[g] = kValue;
  }
  void Result(uint32_t g, Datum* out) const override {
    if (state_[g] == kValue) {
      out->SetDecimal(sum_[g]);
    } else {
      out->SetNull();
    }
  }
  void Encode(uint32_t g, std::string* out) const override {
    PutFixed<uint8_t>(out, state_[g]);
    PutInt128(out, sum_[g]);
  }
  void Decode(Reader* r, uint32_t g) override {
    state_[g] = r->Fixed<uint8_t>("SUM accumulator");
    if (state_[g] > kOverflow) r->Fail("SUM accumulator", "state byte " + std::to_string(state_[g]) + " is not 0..2");
    sum_[g] = r->Int128Value("SUM accumulator");
  }
  size_t Bytes() const override { return VectorBytes(sum_) + VectorBytes(state_); }

 private:
  static constexpr uint8_t kEmpty = 0, kValue = 1, kOverflow = 2;
  Int128 rescale_;
  int precision_;
  std::vector<Int128> sum_;
  std::vector<uint8_t> state_;
};

// AVG of exact integers, as Flink's: a wrapping int64 sum divided by the count (truncating toward zero), cast to the
// argument's type.
class AvgIntState final : public AggState {
 public:
  explicit AvgIntState(TypeId result) : result_(result) {}
  void AddGroup() override {
    sum_.push_back(0);
    count_.push_back(0);
  }
  void Update(uint32_t g, const Datum& v) override {
    sum_[g] = static_cast<int64_t>(static_cast<uint64_t>(sum_[g]) + static_cast<uint64_t>(v.i));
    ++count_[g];
  }
  void Result(uint32_t g, Datum* out) const override {
    if (count_[g] == 0) {
      out->SetNull();
    } else {
      out->SetInt(NarrowTo(result_, sum_[g] / count_[g]));
    }
  }
  void Encode(uint32_t g, std::string* out) const override {
    PutFixed<int64_t>(out, count_[g]);
    PutFixed<int64_t>(out, sum_[g]);
  }
  void Decode(Reader* r, uint32_t g) override {
    count_[g] = r->Fixed<int64_t>("AVG accumulator");
    if (count_[g] < 0) r->Fail("AVG accumulator", "negative count " + std::to_string(count_[g]));
    sum_[g] = r->Fixed<int64_t>("AVG accumulator");
  }
  size_t Bytes() const override { return VectorBytes(sum_) + VectorBytes(count_); }

 private:
  TypeId result_;
  std::vector<int64_t> sum_;
  std::vector<int64_t> count_;
};

class AvgDoubleState final : public AggState {
 public:
  explicit AvgDoubleState(bool is_float) : is_float_(is_float) {}
  void AddGroup() override {
    sum_.push_back(0);
    count_.push_back(0);
  }
  void Update(uint32_t g, const Datum& v) override {
    sum_[g] += v.d;
    ++count_[g];
  }
  void Result(uint32_t g, Datum* out) const override {
    if (count_[g] == 0) {
      out->SetNull();
      return;
    }
    double mean = sum_[g] / static_cast<double>(count_[g]);
    out->SetDouble(is_float_ ? static_cast<double>(static_cast<float>(mean)) : mean);
  }
  void Encode(uint32_t g, std::string* out) const override {
    PutFixed<int64_t>(out, count_[g]);
    PutDouble(out, sum_[g]);
  }
  void Decode(Reader* r, uint32_t g) override {
    count_[g] = r->Fixed<int64_t>("AVG accumulator");
    if (count_[g] < 0) r->Fail("AVG accumulator", "negative count " + std::to_string(count_[g]));
    sum_[g] = r->Double("AVG accumulator");
  }
  size_t Bytes() const override { return VectorBytes(sum_) + VectorBytes(count_); }

 private:
  bool is_float_;
  std::vector<double> sum_;
  std::vector<int64_t> count_;
};

// AVG of DECIMAL(p, s): the sum as DECIMAL(38, s) (Flink's sum type; NULL once it overflows), divided by the count
// and rounded HALF_UP to the result scale.
class AvgDecimalState final : public AggState {
 public:
  AvgDecimalState(int arg_scale, const DataType& result)
      : extra_scale_(result.scale - arg_scale), precision_(result.precision) {}
  void AddGroup() override {
    sum_.push_back(0);
    count_.push_back(0);
    overflow_.push_back(0);
  }
  void Update(uint32_t g, const Datum& v) override {
    ++count_[g];
    if (overflow_[g]) return;
    Int128 s;
    if (__builtin_add_overflow(sum_[g], v.dec, &s) || !FitsPrecision(s, DataType::kMaxDecimalPrecision)) {
      overflow_[g] = 1;
      return;
    }
    sum_[g] = s;
  }
  void Result(uint32_t g, Datum* out) const override {
    Int128 mean;
    if (count_[g] == 0 || overflow_[g] || !DivideHalfUp(sum_[g], count_[g], extra_scale_, precision_, &mean)) {
      out->SetNull();
    } else {
      out->SetDecimal(mean);
    }
  }
  void Encode(uint32_t g, std::string* out) const override {
    PutFixed<int64_t>(out, count_[g]);
    PutFixed<uint8_t>(out, overflow_[g]);
    PutInt128(out, sum_[g]);
  }
  void Decode(Reader* r, uint32_t g) override {
    count_[g] = r->Fixed<int64_t>("AVG accumulator");
    if (count_[g] < 0) r->Fail("AVG accumulator", "negative count " + std::to_string(count_[g]));
    overflow_[g] = r->Flag("AVG accumulator");
    sum_[g] = r->Int128Value("AVG accumulator");
  }
  size_t Bytes() const override { return VectorBytes(sum_) + VectorBytes(count_) + VectorBytes(overflow_); }

 private:
  int extra_scale_;
  int precision_;
  std::vector<Int128> sum_;
  std::vector<int64_t> count_;
  std::vector<uint8_t> overflow_;
};

// Flink's order of doubles, as DatumCompare has it: NaN equals NaN and is above every number; -0.0 equals 0.0.
int CompareDoubles(double a, double b) {
  const bool an = std::isnan(a), bn = std::isnan(b);
  if (an || bn) return an == bn ? 0 : (an ? 1 : -1);
  return a < b ? -1 : (a > b ? 1 : 0);
}

// How MinMaxState reads, writes, orders and encodes one representation of Datum (DatumCompare's order for it).
struct IntRep {
  using T = int64_t;
  static T Get(const Datum& d) { return d.i; }
  static void Set(Datum* d, T v) { d->SetInt(v); }
  static int Compare(T a, T b) { return a < b ? -1 : (a > b ? 1 : 0); }
  static void Put(std::string* out, T v) { PutFixed<int64_t>(out, v); }
  static T Read(Reader* r) { return r->Fixed<int64_t>("MIN/MAX accumulator"); }
};
struct DoubleRep {
  using T = double;
  static T Get(const Datum& d) { return d.d; }
  static void Set(Datum* d, T v) { d->SetDouble(v); }
  static int Compare(T a, T b) { return CompareDoubles(a, b); }
  static void Put(std::string* out, T v) { PutDouble(out, v); }
  static T Read(Reader* r) { return r->Double("MIN/MAX accumulator"); }
};
struct DecimalRep {
  using T = Int128;
  static T Get(const Datum& d) { return d.dec; }
  static void Set(Datum* d, T v) { d->SetDecimal(v); }
  static int Compare(T a, T b) { return a < b ? -1 : (a > b ? 1 : 0); }
  static void Put(std::string* out, T v) { PutInt128(out, v); }
  static T Read(Reader* r) { return r->Int128Value("MIN/MAX accumulator"); }
};

// MIN / MAX of a fixed-width representation (integers, dates, times, timestamps, intervals; FLOAT and DOUBLE;
// DECIMAL): the value and a has-value flag, a tenth of a Datum's size. Keeps the first of equal values, as
// MinMaxDatumState does.
template <typename Rep>
class MinMaxState final : public AggState {
 public:
  explicit MinMaxState(bool is_max) : is_max_(is_max) {}
  void AddGroup() override {
    v_.push_back(typename Rep::T{});
    has_.push_back(0);
  }
  void Update(uint32_t g, const Datum& v) override {
    typename Rep::T x = Rep::Get(v);
    if (!has_[g]) {
      v_[g] = x;
      has_[g] = 1;
      return;
    }
    int c = Rep::Compare(x, v_[g]);
    if (is_max_ ? c > 0 : c < 0) v_[g] = x;
  }
  void Result(uint32_t g, Datum* out) const override {
    if (has_[g]) {
      Rep::Set(out, v_[g]);
    } else {
      out->SetNull();
    }
  }
  void Encode(uint32_t g, std::string* out) const override {
    PutFixed<uint8_t>(out, has_[g]);
    Rep::Put(out, v_[g]);
  }
  void Decode(Reader* r, uint32_t g) override {
    has_[g] = r->Flag("MIN/MAX accumulator");
    v_[g] = Rep::Read(r);
  }
  size_t Bytes() const override { return VectorBytes(v_) + VectorBytes(has_); }

 private:
  bool is_max_;
  std::vector<typename Rep::T> v_;
  std::vector<uint8_t> has_;
};

// MIN / MAX of strings, bytes and booleans, ordered by DatumCompare; a null datum means no value yet.
class MinMaxDatumState final : public AggState {
 public:
  MinMaxDatumState(bool is_max, const DataType& type) : is_max_(is_max), type_(type) {}
  void AddGroup() override { v_.emplace_back(); }
  void Update(uint32_t g, const Datum& v) override {
    Datum& best = v_[g];
    if (best.null) {
      best = v;
      return;
    }
    int c = DatumCompare(v, best, type_);
    if (is_max_ ? c > 0 : c < 0) best = v;  // copy-assignment reuses the string's capacity
  }
  void Result(uint32_t g, Datum* out) const override { *out = v_[g]; }
  void Encode(uint32_t g, std::string* out) const override { EncodeDatum(v_[g], type_, out); }
  void Decode(Reader* r, uint32_t g) override { r->ReadDatum(type_, &v_[g], "MIN/MAX accumulator"); }
  size_t Bytes() const override {
    size_t n = VectorBytes(v_);
    for (const Datum& d : v_) n += StringHeapBytes(d);
    return n;
  }

 private:
  bool is_max_;
  DataType type_;
  std::vector<Datum> v_;
};

struct DatumHasher {
  DataType type;
  size_t operator()(const Datum& d) const { return DatumHash(d, type); }
};
struct DatumEq {
  DataType type;
  bool operator()(const Datum& a, const Datum& b) const { return DatumEquals(a, b, type); }
};
using DistinctSet = std::unordered_set<Datum, DatumHasher, DatumEq>;

// The DISTINCT form of COUNT, SUM or AVG: a per-group set of the values seen; only a value's first occurrence
// reaches the inner accumulator. A group's set is created with its first value.
class DistinctState final : public AggState {
 public:
  DistinctState(const DataType& type, std::unique_ptr<AggState> inner) : type_(type), inner_(std::move(inner)) {}
  void AddGroup() override {
    inner_->AddGroup();
    sets_.emplace_back();
  }
  void Update(uint32_t g, const Datum& v) override {
    std::unique_ptr<DistinctSet>& set = sets_[g];
    if (!set) set = std::make_unique<DistinctSet>(0, DatumHasher{type_}, DatumEq{type_});
    if (set->find(v) != set->end()) return;
    set->insert(v);
    inner_->Update(g, v);
  }
  void Result(uint32_t g, Datum* out) const override { inner_->Result(g, out); }
  void Encode(uint32_t g, std::string* out) const override {
    inner_->Encode(g, out);
    const DistinctSet* set = sets_[g].get();
    PutFixed<uint64_t>(out, set ? set->size() : 0);
    if (!set) return;
    for (const Datum& d : *set) EncodeDatum(d, type_, out);
  }
  void Decode(Reader* r, uint32_t g) override {
    inner_->Decode(r, g);
    uint64_t n = r->Fixed<uint64_t>("DISTINCT set size");
    if (!r->ok() || n == 0) return;
    // Each value takes at least one byte: a larger count cannot be real.
    if (n > r->remaining() || n > kMaxAccumulatorSetSize) {
      r->Fail("DISTINCT set size",
              std::to_string(n) + " values cannot fit in the " + std::to_string(r->remaining()) + " bytes left");
      return;
    }
    auto set = std::make_unique<DistinctSet>(0, DatumHasher{type_}, DatumEq{type_});
    Datum d;
    for (uint64_t i = 0; i < n && r->ok(); ++i) {
      r->ReadDatum(type_, &d, "DISTINCT value");
      if (r->ok() && !set->insert(d).second) r->Fail("DISTINCT value", "a value appears twice in one set");
    }
    sets_[g] = std::move(set);
  }
  size_t Bytes() const override {
    size_t n = inner_->Bytes() + VectorBytes(sets_);
    for (const auto& set : sets_) {
      if (!set) continue;
      // A node holds the datum, the next pointer and the cached hash; the bucket array one pointer per bucket.
      n +=
          sizeof(DistinctSet) + set->bucket_count() * sizeof(void*) + set->size() * (sizeof(Datum) + 2 * sizeof(void*));
      for (const Datum& d : *set) n += StringHeapBytes(d);
    }
    return n;
  }

 private:
  DataType type_;
  std::unique_ptr<AggState> inner_;
  std::vector<std::unique_ptr<DistinctSet>> sets_;
};

std::unique_ptr<AggState> MakeAggState(const AggregateSpec& a) {
  std::unique_ptr<AggState> state;
  const DataType& arg = a.arg_type;
  const DataType& result = a.result_type;
  if (a.function == "COUNT") {
    state = std::make_unique<CountState>();
  } else if (a.function == "SUM") {
    if (arg.is_exact_integer()) {
      state = std::make_unique<SumIntState>();
    } else if (arg.is_decimal()) {
      state = std::make_unique<SumDecimalState>(arg.scale, result);
    } else {
      state = std::make_unique<SumDoubleState>(result.id == TypeId::kFloat);
    }
  } else if (a.function == "AVG") {
    if (arg.is_exact_integer()) {
      state = std::make_unique<AvgIntState>(result.id);
    } else if (arg.is_decimal()) {
      state = std::make_unique<AvgDecimalState>(arg.scale, result);
    } else {
      state = std::make_unique<AvgDoubleState>(result.id == TypeId::kFloat);
    }
  } else {
    bool is_max = a.function == "MAX";
    if (IsIntRep(arg.id)) {
      state = std::make_unique<MinMaxState<IntRep>>(is_max);
    } else if (arg.is_approximate()) {
      state = std::make_unique<MinMaxState<DoubleRep>>(is_max);
    } else if (arg.is_decimal()) {
      state = std::make_unique<MinMaxState<DecimalRep>>(is_max);
    } else {
      state = std::make_unique<MinMaxDatumState>(is_max, arg);
    }
    return state;  // MIN/MAX DISTINCT is MIN/MAX
  }
  if (a.distinct && !a.star) state = std::make_unique<DistinctState>(arg, std::move(state));
  return state;
}

}  // namespace

// One window's groups: keys flat in `keys` (key_count per group), an open-addressing index of group ids, and one
// AggState column per aggregate.
class WindowState {
 public:
  WindowState(int64_t start, int64_t end) : start(start), end(end) {}

  // The group of `probe` (whose hash is `hash`), appended when absent.
  uint32_t FindOrAdd(const Row& probe, uint64_t hash, const std::vector<DataType>& types) {
    const size_t nk = types.size();
    if (index.empty()) index.assign(16, 0);
    size_t mask = index.size() - 1;
    size_t i = hash & mask;
    for (;;) {
      uint32_t slot = index[i];
      if (slot == 0) break;
      uint32_t g = slot - 1;
      if (hashes[g] == hash) {
        const Datum* stored = keys.data() + g * nk;
        bool equal = true;
        for (size_t k = 0; k < nk && equal; ++k) equal = DatumEquals(stored[k], probe[k], types[k]);
        if (equal) return g;
      }
      i = (i + 1) & mask;
    }
    uint32_t g = num_groups++;
    index[i] = g + 1;
    hashes.push_back(hash);
    keys.insert(keys.end(), probe.begin(), probe.begin() + static_cast<ptrdiff_t>(nk));
    for (auto& agg : aggs) agg->AddGroup();
    // Linear probing stays short below a 3/4 load.
    if (uint64_t{num_groups} * 4 > uint64_t{index.size()} * 3) Grow();
    return g;
  }

  size_t Bytes() const {
    size_t n = sizeof(WindowState) + VectorBytes(keys) + VectorBytes(hashes) + VectorBytes(index) + VectorBytes(aggs);
    for (const Datum& d : keys) n += StringHeapBytes(d);
    for (const auto& agg : aggs) n += agg->Bytes();
    return n;
  }

  const int64_t start;
  const int64_t end;
  uint32_t num_groups = 0;
  std::vector<Datum> keys;
  std::vector<uint64_t> hashes;  // per group
  std::vector<uint32_t> index;   // power-of-two size; 0 = empty, else group id + 1
  std::vector<std::unique_ptr<AggState>> aggs;

 private:
  void Grow() {
    std::vector<uint32_t> bigger(index.size() * 2, 0);
    size_t mask = bigger.size() - 1;
    for (uint32_t g = 0; g < num_groups; ++g) {
      size_t i = hashes[g] & mask;
      while (bigger[i] != 0) i = (i + 1) & mask;
      bigger[i] = g + 1;
    }
    index.swap(bigger);
  }
};

}  // namespace window_internal

using window_internal::AggState;
using window_internal::Reader;
using window_internal::WindowState;

namespace {

// Snapshot: "FLWA" u32 version u64 body_length body u32 crc32c(body).
constexpr char kMagic[4] = {'F', 'L', 'W', 'A'};
constexpr uint32_t kVersion = 1;
constexpr size_t kHeaderBytes = 4 + 4 + 8;

template <typename F>
void ForEachWindow(const WindowSpec& spec, int64_t ts, F&& fn) {
  switch (spec.kind) {
    case sql::WindowKind::kTumble: {
      int64_t start = WindowAggregator::WindowStart(ts, spec.offset_ms, spec.size_ms);
      fn(start, start + spec.size_ms);
      return;
    }
    case sql::WindowKind::kHop: {
      int64_t last_start = WindowAggregator::WindowStart(ts, spec.offset_ms, spec.step_ms);
      for (int64_t start = last_start; start > ts - spec.size_ms; start -= spec.step_ms) {
        fn(start, start + spec.size_ms);
      }
      return;
    }
    case sql::WindowKind::kCumulate: {
      int64_t start = WindowAggregator::WindowStart(ts, spec.offset_ms, spec.size_ms);
      int64_t last_end = start + spec.size_ms;
      int64_t first_end = WindowAggregator::WindowStart(ts, spec.offset_ms, spec.step_ms) + spec.step_ms;
      for (int64_t end = first_end; end <= last_end; end += spec.step_ms) fn(start, end);
      return;
    }
  }
}

void PutType(std::string* out, const DataType& t) {
  window_internal::PutFixed<uint8_t>(out, static_cast<uint8_t>(t.id));
  window_internal::PutFixed<int32_t>(out, t.precision);
  window_internal::PutFixed<int32_t>(out, t.scale);
  window_internal::PutFixed<int32_t>(out, t.length);
}

}  // namespace

int64_t WindowAggregator::WindowStart(int64_t ts, int64_t offset, int64_t size) {
  int64_t remainder = (ts - offset) % size;
  return remainder < 0 ? ts - (remainder + size) : ts - remainder;
}

std::vector<WindowBounds> WindowAggregator::WindowsOf(const WindowSpec& spec, int64_t event_time_ms) {
  std::vector<WindowBounds> out;
  ForEachWindow(spec, event_time_ms, [&](int64_t start, int64_t end) { out.push_back({start, end}); });
  return out;
}

Status WindowAggregator::Check(const WindowSpec& spec, const std::vector<AggregateSpec>& aggregates) {
  const char* kind = sql::WindowKindName(spec.kind);
  if (spec.size_ms <= 0) {
    return Status::InvalidArgument(std::string(kind) + " window size must be positive, got " +
                                   std::to_string(spec.size_ms) + " ms");
  }
  if (spec.kind != sql::WindowKind::kTumble) {
    const char* step_name = spec.kind == sql::WindowKind::kHop ? "slide" : "step";
    if (spec.step_ms <= 0) {
      return Status::InvalidArgument(std::string(kind) + " window " + step_name + " must be positive, got " +
                                     std::to_string(spec.step_ms) + " ms");
    }
    if (spec.size_ms % spec.step_ms != 0) {
      return Status::InvalidArgument(std::string(kind) + " window size " + std::to_string(spec.size_ms) +
                                     " ms must be an integral multiple of the " + step_name + " " +
                                     std::to_string(spec.step_ms) + " ms");
    }
  }
  for (size_t i = 0; i < aggregates.size(); ++i) {
    const AggregateSpec& a = aggregates[i];
    const DataType& arg = a.arg_type;
    const DataType& result = a.result_type;
    std::string where = "aggregate " + std::to_string(i) + " (" + a.function + "): ";
    auto bad = [&](const std::string& why) { return Status::InvalidArgument(where + why); };
    if (a.function != "COUNT" && a.function != "SUM" && a.function != "AVG" && a.function != "MIN" &&
        a.function != "MAX") {
      return bad("unknown aggregate function; floe has COUNT, SUM, AVG, MIN and MAX");
    }
    if (a.star) {
      if (a.function != "COUNT") return bad("only COUNT takes *");
      if (a.distinct) return bad("COUNT(DISTINCT *) is not valid");
    }
    if (a.function == "COUNT") {
      if (result.id != TypeId::kBigInt) return bad("COUNT returns BIGINT, not " + result.Name());
      continue;
    }
    if (arg.is_null()) return bad("the argument has no type");
    if (a.function == "SUM" || a.function == "AVG") {
      if (!arg.is_numeric()) return bad("needs a numeric argument, got " + arg.Name());
      bool sum = a.function == "SUM";
      if (arg.is_exact_integer() && !(sum ? result.id == TypeId::kBigInt : result.id == arg.id)) {
        return bad("of " + arg.Name() + " returns " + (sum ? std::string("BIGINT") : arg.Name()) + ", not " +
                   result.Name());
      }
      if (arg.is_decimal() && (!result.is_decimal() || result.scale < arg.scale || result.scale > 38 ||
                               result.precision < 1 || result.precision > 38)) {
        return bad("of " + arg.Name() + " needs a DECIMAL result with a scale of at least " +
                   std::to_string(arg.scale) + ", got " + result.Name());
      }
      if (arg.is_approximate() && !result.is_approximate()) {
        return bad("of " + arg.Name() + " returns FLOAT or DOUBLE, not " + result.Name());
      }
      continue;
    }
    if (result.id != arg.id) return bad("returns its argument's type " + arg.Name() + ", not " + result.Name());
  }
  return Status::Ok();
}

WindowAggregator::WindowAggregator(WindowSpec spec, std::vector<DataType> key_types,
                                   std::vector<AggregateSpec> aggregates)
    : spec_(spec), key_types_(std::move(key_types)), aggregates_(std::move(aggregates)) {
  scratch_keys_.resize(key_types_.size());
  scratch_results_.resize(aggregates_.size());
}

WindowAggregator::~WindowAggregator() = default;

std::unique_ptr<WindowState> WindowAggregator::NewWindow(int64_t start, int64_t end) const {
  auto window = std::make_unique<WindowState>(start, end);
  window->aggs.reserve(aggregates_.size());
  for (const AggregateSpec& a : aggregates_) window->aggs.push_back(window_internal::MakeAggState(a));
  return window;
}

WindowState* WindowAggregator::FindOrCreateWindow(int64_t start, int64_t end) {
  auto [it, inserted] = windows_.try_emplace(WindowKey{end, start});
  if (inserted) it->second = NewWindow(start, end);
  return it->second.get();
}

uint64_t WindowAggregator::HashKeys(const Row& keys) const {
  uint64_t h = 0x9e3779b97f4a7c15ULL;
  for (size_t k = 0; k < key_types_.size(); ++k) {
    h = (h ^ DatumHash(keys[k], key_types_[k])) * 0xff51afd7ed558ccdULL;
    h ^= h >> 29;
  }
  // murmur3's fmix64, so that the index's low bits depend on every key bit.
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

void WindowAggregator::AddToWindow(WindowState* window, uint64_t key_hash, const Row& keys, const Row& args) {
  uint32_t g = window->FindOrAdd(keys, key_hash, key_types_);
  for (size_t i = 0; i < aggregates_.size(); ++i) {
    if (aggregates_[i].star) {
      static const Datum kRow;  // COUNT(*) counts rows, whatever the argument
      window->aggs[i]->Update(g, kRow);
    } else if (!args[i].null) {
      window->aggs[i]->Update(g, args[i]);
    }
  }
}

WindowAggregator::AddResult WindowAggregator::Add(int64_t event_time_ms, const Row& keys, const Row& args) {
  AddResult result;
  const uint64_t hash = HashKeys(keys);
  ForEachWindow(spec_, event_time_ms, [&](int64_t start, int64_t end) {
    if (end - 1 <= watermark_) {
      ++result.late;
      if (result.late == 1 || end > result.late_window_end) result.late_window_end = end;
      return;
    }
    WindowState* window = last_window_;
    if (window == nullptr || window->start != start || window->end != end) {
      window = FindOrCreateWindow(start, end);
      last_window_ = window;
    }
    AddToWindow(window, hash, keys, args);
    ++result.added;
  });
  return result;
}

void WindowAggregator::AdvanceWatermark(int64_t watermark, const EmitFn& emit) {
  if (watermark > watermark_) watermark_ = watermark;
  std::vector<uint32_t> order;
  const size_t nk = key_types_.size();
  while (!windows_.empty()) {
    auto it = windows_.begin();
    if (it->first.first - 1 > watermark_) break;
    WindowState& w = *it->second;
    order.resize(w.num_groups);
    std::iota(order.begin(), order.end(), 0u);
    if (nk > 0) {
      std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
        const Datum* ka = w.keys.data() + a * nk;
        const Datum* kb = w.keys.data() + b * nk;
        for (size_t k = 0; k < nk; ++k) {
          int c = DatumCompare(ka[k], kb[k], key_types_[k]);
          if (c != 0) return c < 0;
        }
        return false;
      });
    }
    for (uint32_t g : order) {
      // The window is freed below, so its keys can be moved out.
      for (size_t k = 0; k < nk; ++k) scratch_keys_[k] = std::move(w.keys[g * nk + k]);
      for (size_t i = 0; i < aggregates_.size(); ++i) w.aggs[i]->Result(g, &scratch_results_[i]);
      emit(w.start, w.end, scratch_keys_, scratch_results_);
    }
    if (last_window_ == &w) last_window_ = nullptr;
    windows_.erase(it);
  }
}

size_t WindowAggregator::groups() const {
  size_t n = 0;
  for (const auto& [key, window] : windows_) n += window->num_groups;
  return n;
}

size_t WindowAggregator::EstimatedStateBytes() const {
  // A std::map node: three pointers and a color beside the key and the value.
  constexpr size_t kMapNodeBytes = 4 * sizeof(void*) + sizeof(WindowKey) + sizeof(std::unique_ptr<WindowState>);
  size_t n = 0;
  for (const auto& [key, window] : windows_) n += kMapNodeBytes + window->Bytes();
  return n;
}

void WindowAggregator::EncodeShape(std::string* out) const {
  using window_internal::PutFixed;
  PutFixed<uint8_t>(out, static_cast<uint8_t>(spec_.kind));
  PutFixed<int64_t>(out, spec_.size_ms);
  PutFixed<int64_t>(out, spec_.kind == sql::WindowKind::kTumble ? 0 : spec_.step_ms);
  PutFixed<int64_t>(out, spec_.offset_ms);
  PutFixed<uint32_t>(out, static_cast<uint32_t>(key_types_.size()));
  for (const DataType& t : key_types_) PutType(out, t);
  PutFixed<uint32_t>(out, static_cast<uint32_t>(aggregates_.size()));
  for (const AggregateSpec& a : aggregates_) {
    PutFixed<uint32_t>(out, static_cast<uint32_t>(a.function.size()));
    out->append(a.function);
    PutFixed<uint8_t>(out, a.distinct ? 1 : 0);
    PutFixed<uint8_t>(out, a.star ? 1 : 0);
    PutType(out, a.star ? DataType() : a.arg_type);
    PutType(out, a.result_type);
  }
}

// Body: shape (EncodeShape), i64 watermark, u64 window_count, then per window in firing order: i64 start, i64 end,
// u32 group_count, and per group its keys (EncodeDatum) followed by each aggregate's accumulator.
std::string WindowAggregator::Snapshot() const {
  using window_internal::PutFixed;
  std::string body;
  EncodeShape(&body);
  PutFixed<int64_t>(&body, watermark_);
  PutFixed<uint64_t>(&body, windows_.size());
  const size_t nk = key_types_.size();
  for (const auto& [key, window] : windows_) {
    PutFixed<int64_t>(&body, window->start);
    PutFixed<int64_t>(&body, window->end);
    PutFixed<uint32_t>(&body, window->num_groups);
    for (uint32_t g = 0; g < window->num_groups; ++g) {
      for (size_t k = 0; k < nk; ++k) EncodeDatum(window->keys[g * nk + k], key_types_[k], &body);
      for (const auto& agg : window->aggs) agg->Encode(g, &body);
    }
  }
  std::string out(kMagic, sizeof(kMagic));
  PutFixed<uint32_t>(&out, kVersion);
  PutFixed<uint64_t>(&out, body.size());
  out.append(body);
  PutFixed<uint32_t>(&out, Crc32c(body));
  return out;
}

Status WindowAggregator::Restore(std::string_view bytes) {
  auto bad = [&](const std::string& why) {
    return Status::Corruption("window aggregator snapshot (" + std::to_string(bytes.size()) + " bytes): " + why);
  };
  if (bytes.size() < kHeaderBytes + 4) return bad("too short for the header and checksum");
  if (std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0) return bad("bad magic, not a window state snapshot");
  Reader header(bytes, 4);
  uint32_t version = header.Fixed<uint32_t>("version");
  uint64_t body_length = header.Fixed<uint64_t>("body length");
  if (version != kVersion) {
    return bad("unsupported version " + std::to_string(version) + " (this build reads " + std::to_string(kVersion) +
               ")");
  }
  if (body_length != bytes.size() - kHeaderBytes - 4) {
    return bad("the header's body length " + std::to_string(body_length) + " does not match the " +
               std::to_string(bytes.size() - kHeaderBytes - 4) + " bytes present");
  }
  std::string_view body = bytes.substr(kHeaderBytes, body_length);
  Reader crc_reader(bytes, kHeaderBytes + body_length);
  uint32_t stored_crc = crc_reader.Fixed<uint32_t>("crc32c");
  if (stored_crc != Crc32c(body)) return bad("crc32c mismatch");

  std::string shape;
  EncodeShape(&shape);
  if (body.substr(0, std::min(shape.size(), body.size())) != shape) {
    return Status::InvalidArgument(
        "window aggregator snapshot was written for a different window, keys or aggregates than this job's; the "
        "job's query changed since the checkpoint");
  }
  // Offsets in errors count from the start of the snapshot.
  Reader r(bytes.substr(0, kHeaderBytes + body_length), kHeaderBytes + shape.size());
  int64_t watermark = r.Fixed<int64_t>("watermark");
  uint64_t window_count = r.Fixed<uint64_t>("window count");
  // Every window takes at least 20 bytes.
  if (r.ok() && window_count > r.remaining() / 20) {
    return bad("window count " + std::to_string(window_count) + " cannot fit in the bytes left");
  }
  std::map<WindowKey, std::unique_ptr<WindowState>> windows;
  const size_t nk = key_types_.size();
  Row keys(nk);
  for (uint64_t w = 0; w < window_count && r.ok(); ++w) {
    int64_t start = r.Fixed<int64_t>("window start");
    int64_t end = r.Fixed<int64_t>("window end");
    uint32_t group_count = r.Fixed<uint32_t>("group count");
    if (!r.ok()) break;
    std::string where = "window [" + std::to_string(start) + ", " + std::to_string(end) + ")";
    if (end <= start) return bad(where + ": end is not after start");
    if (end - 1 <= watermark) return bad(where + ": already fired at watermark " + std::to_string(watermark));
    auto [it, inserted] = windows.try_emplace(WindowKey{end, start});
    if (!inserted) return bad(where + " appears twice");
    it->second = NewWindow(start, end);
    WindowState& window = *it->second;
    for (uint32_t g = 0; g < group_count && r.ok(); ++g) {
      for (size_t k = 0; k < nk; ++k) r.ReadDatum(key_types_[k], &keys[k], "group key");
      if (!r.ok()) break;
      uint32_t before = window.num_groups;
      uint32_t index = window.FindOrAdd(keys, HashKeys(keys), key_types_);
      if (window.num_groups == before)
        return bad(where + ": group " + std::to_string(g) + " repeats group " + std::to_string(index) + "'s keys");
      for (const auto& agg : window.aggs) agg->Decode(&r, index);
    }
    if (!r.ok()) return bad(where + ": " + r.error());
  }
  if (!r.ok()) return bad(r.error());
  if (r.remaining() != 0) return bad(std::to_string(r.remaining()) + " unexpected bytes after the last window");
  windows_ = std::move(windows);
  watermark_ = watermark;
  last_window_ = nullptr;
  return Status::Ok();
}

}  // namespace floe::stream
