#include "floe/formats/parquet/rle_bit_packed.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <span>
#include <type_traits>
#include <utility>

#include "floe/base/varint.h"

namespace floe::parquet {
namespace {

static_assert(std::endian::native == std::endian::little, "bit unpacking loads little-endian words");

// One group: 8 values of W bits in W bytes. The bytes are copied into zeroed 64-bit words (one spare word so that a
// value crossing into the next word needs no branch on the last one); with W a constant the compiler turns the loop
// into fixed shifts and masks.
template <int W, typename T>
inline void Unpack8(const uint8_t* in, T* out) {
  if constexpr (W == 0) {
    for (int i = 0; i < 8; ++i) out[i] = 0;
  } else {
    constexpr uint64_t kMask = W == 64 ? ~uint64_t{0} : (uint64_t{1} << W) - 1;
    uint64_t words[W / 8 + 2] = {};
    std::memcpy(words, in, W);
#pragma GCC unroll 8
    for (int i = 0; i < 8; ++i) {
      const int bit = i * W;
      const int shift = bit % 64;
      uint64_t v = words[bit / 64] >> shift;
      if (shift + W > 64) v |= words[bit / 64 + 1] << (64 - shift);
      out[i] = static_cast<T>(v & kMask);
    }
  }
}

// The same with one unaligned 8-byte load per value, which holds any value of up to 57 bits whatever its bit
// offset. The load may reach up to 8 bytes past the group, so it is used only where that much of the input follows.
template <int W, typename T>
inline void Unpack8Overreading(const uint8_t* in, T* out) {
  constexpr uint64_t kMask = (uint64_t{1} << W) - 1;
#pragma GCC unroll 8
  for (int i = 0; i < 8; ++i) {
    uint64_t word;
    std::memcpy(&word, in + i * W / 8, 8);
    out[i] = static_cast<T>((word >> (i * W % 8)) & kMask);
  }
}

template <int W, typename T>
void UnpackGroups(const uint8_t* in, size_t num_groups, T* out) {
  size_t g = 0;
  if constexpr (W > 0 && W <= 56) {
    // Group g may overread when (g + 1) * W + 8 bytes exceed the input.
    const size_t total = num_groups * W;
    const size_t safe = total >= 8 ? (total - 8) / W : 0;
    for (; g < safe; ++g) Unpack8Overreading<W, T>(in + g * W, out + g * 8);
  }
  for (; g < num_groups; ++g) Unpack8<W, T>(in + g * W, out + g * 8);
}

template <int W, typename T>
inline void Pack8(const T* in, uint8_t* out) {
  if constexpr (W > 0) {
    constexpr uint64_t kMask = W == 64 ? ~uint64_t{0} : (uint64_t{1} << W) - 1;
    uint64_t words[W / 8 + 2] = {};
#pragma GCC unroll 8
    for (int i = 0; i < 8; ++i) {
      const int bit = i * W;
      const int shift = bit % 64;
      const uint64_t v = static_cast<uint64_t>(in[i]) & kMask;
      words[bit / 64] |= v << shift;
      if (shift + W > 64) words[bit / 64 + 1] |= v >> (64 - shift);
    }
    std::memcpy(out, words, W);
  }
}

template <int W, typename T>
void PackGroups(const T* in, size_t num_groups, uint8_t* out) {
  for (size_t g = 0; g < num_groups; ++g) Pack8<W, T>(in + g * 8, out + g * W);
}

// Tables of the specializations for widths 0 .. 8 * sizeof(T).
template <typename T>
using UnpackFn = void (*)(const uint8_t*, size_t, T*);
template <typename T>
using PackFn = void (*)(const T*, size_t, uint8_t*);

template <typename T, size_t... W>
constexpr std::array<UnpackFn<T>, sizeof...(W)> MakeUnpackTable(std::index_sequence<W...>) {
  return {&UnpackGroups<static_cast<int>(W), T>...};
}
template <typename T, size_t... W>
constexpr std::array<PackFn<T>, sizeof...(W)> MakePackTable(std::index_sequence<W...>) {
  return {&PackGroups<static_cast<int>(W), T>...};
}

template <typename T>
constexpr auto kUnpackTable = MakeUnpackTable<T>(std::make_index_sequence<sizeof(T) * 8 + 1>());
template <typename T>
constexpr auto kPackTable = MakePackTable<T>(std::make_index_sequence<sizeof(T) * 8 + 1>());

constexpr uint64_t kMaxRunLength = (uint64_t{1} << 31) - 1;  // Encodings.md: run lengths are in [1, 2^31 - 1]

}  // namespace

void UnpackBitGroups(const uint8_t* in, int bit_width, size_t num_groups, uint8_t* out) {
  kUnpackTable<uint8_t>[bit_width](in, num_groups, out);
}
void UnpackBitGroups(const uint8_t* in, int bit_width, size_t num_groups, uint16_t* out) {
  kUnpackTable<uint16_t>[bit_width](in, num_groups, out);
}
void UnpackBitGroups(const uint8_t* in, int bit_width, size_t num_groups, uint32_t* out) {
  kUnpackTable<uint32_t>[bit_width](in, num_groups, out);
}
void UnpackBitGroups(const uint8_t* in, int bit_width, size_t num_groups, uint64_t* out) {
  kUnpackTable<uint64_t>[bit_width](in, num_groups, out);
}
void PackBitGroups(const uint32_t* in, int bit_width, size_t num_groups, uint8_t* out) {
  kPackTable<uint32_t>[bit_width](in, num_groups, out);
}
void PackBitGroups(const uint64_t* in, int bit_width, size_t num_groups, uint8_t* out) {
  kPackTable<uint64_t>[bit_width](in, num_groups, out);
}

// --- Encoder ---

RleBitPackedEncoder::RleBitPackedEncoder(int bit_width)
    : bit_width_(bit_width), mask_(bit_width >= 32 ? ~uint32_t{0} : (uint32_t{1} << bit_width) - 1) {
  assert(bit_width >= 0 && bit_width <= 32);
}

void RleBitPackedEncoder::Put(uint32_t value) {
  value &= mask_;
  if (repeat_count_ > 0 && value == current_value_) {
    ++repeat_count_;
    if (repeat_count_ > 8) {
      // The run is already long enough for RLE; the value only extends it.
      if (repeat_count_ == kMaxRunLength) WriteRepeatedRun();
      return;
    }
  } else {
    if (repeat_count_ >= 8) WriteRepeatedRun();
    current_value_ = value;
    repeat_count_ = 1;
  }
  group_[num_buffered_++] = value;
  if (num_buffered_ == 8) FlushGroup();
}

void RleBitPackedEncoder::FlushGroup() {
  num_buffered_ = 0;
  if (repeat_count_ >= 8) {
    // The group is the start of an RLE run (repeats are counted from a group boundary, so all 8 are the value).
    if (bit_packed_groups_ > 0) EndBitPackedRun();
    return;
  }
  if (bit_packed_groups_ == 0) {
    bit_packed_header_ = buffer_.size();
    buffer_.push_back(0);
  }
  const size_t at = buffer_.size();
  buffer_.resize(at + bit_width_);
  PackBitGroups(group_, bit_width_, 1, reinterpret_cast<uint8_t*>(buffer_.data() + at));
  repeat_count_ = 0;
  // 63 groups is the most whose header ((63 << 1) | 1) fits in the one byte reserved for it.
  if (++bit_packed_groups_ == 63) EndBitPackedRun();
}

void RleBitPackedEncoder::EndBitPackedRun() {
  buffer_[bit_packed_header_] = static_cast<char>((bit_packed_groups_ << 1) | 1);
  bit_packed_groups_ = 0;
}

void RleBitPackedEncoder::WriteRepeatedRun() {
  uint8_t header[kMaxVarint64Bytes];
  buffer_.append(reinterpret_cast<const char*>(header), EncodeUnsignedVarint(repeat_count_ << 1, header));
  uint32_t v = current_value_;
  for (int i = 0; i < (bit_width_ + 7) / 8; ++i, v >>= 8) buffer_.push_back(static_cast<char>(v & 0xff));
  repeat_count_ = 0;
}

// The bulk forms rely on the state Put leaves between groups: with no value buffered, either the last group was
// bit-packed (repeat_count_ == 0) or an RLE run is open (repeat_count_ >= 8, its values not buffered). From there
// the next 8 values decide alone: all equal starts an RLE run, anything else is a bit-packed group.
template <typename T>
void RleBitPackedEncoder::PutBatchImpl(const T* in, size_t n) {
  size_t i = 0;
  while (i < n) {
    if (num_buffered_ > 0) {
      Put(in[i++]);
      continue;
    }
    if (repeat_count_ >= 8) {
      // Extend the open run as far as the values repeat (up to the longest run a header may hold).
      const uint32_t v = current_value_;
      const size_t limit = i + static_cast<size_t>(std::min<uint64_t>(n - i, kMaxRunLength - repeat_count_));
      size_t j = i;
      while (j < limit && (static_cast<uint32_t>(in[j]) & mask_) == v) ++j;
      repeat_count_ += j - i;
      i = j;
      if (repeat_count_ == kMaxRunLength) {
        WriteRepeatedRun();
        continue;
      }
      if (i == n) break;
      WriteRepeatedRun();  // a different value follows
    }
    if (n - i < 8) {
      Put(in[i++]);  // a tail shorter than a group is buffered as Put would
      continue;
    }
    auto all_equal = [&](const T* g) {
      const uint32_t first = static_cast<uint32_t>(g[0]) & mask_;
      bool eq = true;
      for (int k = 1; k < 8; ++k) eq &= (static_cast<uint32_t>(g[k]) & mask_) == first;
      return eq;
    };
    if (all_equal(in + i)) {
      if (bit_packed_groups_ > 0) EndBitPackedRun();
      current_value_ = static_cast<uint32_t>(in[i]) & mask_;
      repeat_count_ = 8;
      i += 8;
      continue;
    }
    // This group and the mixed groups after it, up to the 63 a bit-packed run holds.
    size_t groups = 1;
    const size_t room = 63 - bit_packed_groups_;
    while (groups < room && n - i - groups * 8 >= 8 && !all_equal(in + i + groups * 8)) ++groups;
    if (bit_packed_groups_ == 0) {
      bit_packed_header_ = buffer_.size();
      buffer_.push_back(0);
    }
    const size_t at = buffer_.size();
    buffer_.resize(at + groups * static_cast<size_t>(bit_width_));
    auto* out = reinterpret_cast<uint8_t*>(buffer_.data() + at);
    if constexpr (std::is_same_v<T, uint32_t>) {
      PackBitGroups(in + i, bit_width_, groups, out);
    } else {
      uint32_t wide[8];
      for (size_t g = 0; g < groups; ++g) {
        for (int k = 0; k < 8; ++k) wide[k] = in[i + g * 8 + k];
        PackBitGroups(wide, bit_width_, 1, out + g * static_cast<size_t>(bit_width_));
      }
    }
    i += groups * 8;
    bit_packed_groups_ += groups;
    if (bit_packed_groups_ == 63) EndBitPackedRun();
  }
}

void RleBitPackedEncoder::PutBatch(const uint32_t* values, size_t n) {
  PutBatchImpl(values, n);
}
void RleBitPackedEncoder::PutBatch(const uint8_t* values, size_t n) {
  PutBatchImpl(values, n);
}

void RleBitPackedEncoder::PutRepeated(uint32_t value, size_t count) {
  value &= mask_;
  while (count > 0) {
    if (num_buffered_ > 0) {
      Put(value);
      --count;
      continue;
    }
    if (repeat_count_ >= 8) {
      if (value == current_value_) {
        const uint64_t take = std::min<uint64_t>(count, kMaxRunLength - repeat_count_);
        repeat_count_ += take;
        count -= static_cast<size_t>(take);
        if (repeat_count_ == kMaxRunLength) WriteRepeatedRun();
        continue;
      }
      WriteRepeatedRun();
    }
    if (count < 8) {
      Put(value);
      --count;
      continue;
    }
    if (bit_packed_groups_ > 0) EndBitPackedRun();
    current_value_ = value;
    repeat_count_ = 8;
    count -= 8;
  }
}

void RleBitPackedEncoder::Finish(std::string* out) {
  if (repeat_count_ >= 8) {
    WriteRepeatedRun();  // nothing is buffered and no bit-packed run is pending
  } else if (num_buffered_ > 0) {
    if (bit_packed_groups_ == 0 && repeat_count_ == static_cast<uint64_t>(num_buffered_)) {
      WriteRepeatedRun();  // a short tail of one value is cheaper as a run than as a padded group
    } else {
      std::fill(group_ + num_buffered_, group_ + 8, 0u);
      repeat_count_ = 0;
      FlushGroup();
    }
  }
  if (bit_packed_groups_ > 0) EndBitPackedRun();
  out->append(buffer_);
  Reset();
}

void RleBitPackedEncoder::Reset() {
  buffer_.clear();
  num_buffered_ = 0;
  current_value_ = 0;
  repeat_count_ = 0;
  bit_packed_groups_ = 0;
  bit_packed_header_ = 0;
}

size_t RleBitPackedEncoder::EstimatedSize() const {
  // Pending values end as one padded group plus a one-byte header, or as an RLE run header and value.
  const size_t rle_run = kMaxVarint32Bytes + (bit_width_ + 7) / 8;
  return buffer_.size() + 1 + std::max<size_t>(bit_width_, rle_run);
}

// --- Decoder ---

RleBitPackedDecoder::RleBitPackedDecoder(std::string_view data, int bit_width)
    : pos_(reinterpret_cast<const uint8_t*>(data.data())),
      end_(pos_ + data.size()),
      begin_(pos_),
      bit_width_(bit_width),
      value_bytes_((bit_width + 7) / 8) {
  if (bit_width < 0 || bit_width > 32) {
    error_ = "bit width " + std::to_string(bit_width) + " is outside 0..32";
    bit_width_ = 0;
  }
}

bool RleBitPackedDecoder::NextRun() {
  if (!error_.empty() || pos_ == end_) return false;
  const size_t offset = pos_ - begin_;
  std::span<const uint8_t> rest(pos_, end_);
  size_t used = 0;
  uint32_t header = 0;
  if (!DecodeUnsignedVarint32(rest, &used, &header)) {
    error_ =
        VarintTruncated(rest, 0, kMaxVarint32Bytes)
            ? "run header at byte " + std::to_string(offset) + " is cut off by the end of the data"
            : "run header at byte " + std::to_string(offset) + " is not a varint of at most 5 bytes within 32 bits";
    return false;
  }
  const uint64_t count = header >> 1;
  if (count == 0) {
    error_ = "zero-length run at byte " + std::to_string(offset);
    return false;
  }
  if (header & 1) {
    pos_ += used;
    bit_packed_left_ = count * 8;
    return true;
  }
  if (static_cast<size_t>(end_ - pos_) - used < static_cast<size_t>(value_bytes_)) {
    error_ = "RLE run at byte " + std::to_string(offset) + ": its value is cut off by the end of the data";
    return false;
  }
  uint32_t value = 0;
  for (int i = 0; i < value_bytes_; ++i) value |= static_cast<uint32_t>(pos_[used + i]) << (8 * i);
  if (bit_width_ < 32 && (value >> bit_width_) != 0) {
    error_ = "RLE run at byte " + std::to_string(offset) + ": value " + std::to_string(value) + " does not fit in " +
             std::to_string(bit_width_) + " bits";
    return false;
  }
  pos_ += used + value_bytes_;
  repeat_left_ = count;
  repeat_value_ = value;
  return true;
}

bool RleBitPackedDecoder::LoadGroup() {
  const size_t avail = end_ - pos_;
  group_pos_ = 0;
  if (avail >= static_cast<size_t>(bit_width_)) {
    UnpackBitGroups(pos_, bit_width_, 1, group_);
    pos_ += bit_width_;
    group_end_ = 8;
    bit_packed_left_ -= 8;
    return true;
  }
  // The last group is cut short. Writers pad it, but the values whose bits are present are still usable.
  const size_t values = avail * 8 / bit_width_;
  if (values == 0) {
    error_ = "bit-packed run is cut off by the end of the data at byte " + std::to_string(pos_ - begin_);
    return false;
  }
  uint8_t padded[32] = {};
  std::memcpy(padded, pos_, avail);
  UnpackBitGroups(padded, bit_width_, 1, group_);
  group_end_ = static_cast<int>(values);
  error_ = "bit-packed run is cut off by the end of the data at byte " + std::to_string(end_ - begin_);
  pos_ = end_;
  bit_packed_left_ = 0;
  return true;
}

Status RleBitPackedDecoder::EndedError() const {
  std::string msg = "RLE/bit-packed hybrid data (bit width " + std::to_string(bit_width_) + ", " +
                    std::to_string(end_ - begin_) + " bytes) ended after " + std::to_string(values_read_) + " values";
  if (!error_.empty()) msg += ": " + error_;
  return Status::Corruption(std::move(msg));
}

template <typename T>
Status RleBitPackedDecoder::GetImpl(T* out, size_t n) {
  // out == nullptr skips.
  if (out != nullptr && bit_width_ > static_cast<int>(sizeof(T) * 8)) {
    return Status::InvalidArgument("RLE/bit-packed decoder: bit width " + std::to_string(bit_width_) +
                                   " does not fit a " + std::to_string(sizeof(T) * 8) + "-bit output");
  }
  size_t got = 0;
  while (got < n) {
    const size_t want = n - got;
    if (group_pos_ < group_end_) {
      const size_t k = std::min<size_t>(group_end_ - group_pos_, want);
      if (out != nullptr) {
        for (size_t i = 0; i < k; ++i) out[got + i] = static_cast<T>(group_[group_pos_ + i]);
      }
      group_pos_ += static_cast<int>(k);
      got += k;
    } else if (repeat_left_ > 0) {
      const size_t k = static_cast<size_t>(std::min<uint64_t>(repeat_left_, want));
      if (out != nullptr) std::fill(out + got, out + got + k, static_cast<T>(repeat_value_));
      repeat_left_ -= k;
      got += k;
    } else if (bit_packed_left_ > 0) {
      // Whole groups straight into the output; a partial group through group_.
      size_t groups = static_cast<size_t>(std::min<uint64_t>(bit_packed_left_ / 8, want / 8));
      if (bit_width_ > 0) groups = std::min(groups, static_cast<size_t>(end_ - pos_) / bit_width_);
      if (groups > 0) {
        if (out != nullptr) UnpackBitGroups(pos_, bit_width_, groups, out + got);
        pos_ += groups * bit_width_;
        bit_packed_left_ -= groups * 8;
        got += groups * 8;
      } else if (!LoadGroup()) {
        values_read_ += got;
        return EndedError();
      }
    } else if (!NextRun()) {
      values_read_ += got;
      return EndedError();
    }
  }
  values_read_ += n;
  return Status::Ok();
}

Status RleBitPackedDecoder::Get(uint32_t* out, size_t n) {
  return GetImpl(out, n);
}
Status RleBitPackedDecoder::Get(uint16_t* out, size_t n) {
  return GetImpl(out, n);
}
Status RleBitPackedDecoder::Get(uint8_t* out, size_t n) {
  return GetImpl(out, n);
}
Status RleBitPackedDecoder::Skip(size_t n) {
  return GetImpl<uint32_t>(nullptr, n);
}

size_t RleBitPackedDecoder::PeekRepeatedRun(uint32_t* value) {
  if (group_pos_ < group_end_ || bit_packed_left_ > 0) return 0;
  if (repeat_left_ == 0 && !NextRun()) return 0;
  if (repeat_left_ == 0) return 0;
  *value = repeat_value_;
  return static_cast<size_t>(repeat_left_);
}

Result<std::string_view> SplitLengthPrefixed(std::string_view page, size_t* consumed) {
  if (page.size() < 4) {
    return Status::Corruption("v1 page levels: " + std::to_string(page.size()) +
                              " bytes, too short for the 4-byte length prefix");
  }
  const auto* p = reinterpret_cast<const uint8_t*>(page.data());
  const uint32_t len = p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<uint32_t>(p[3]) << 24);
  if (len > page.size() - 4) {
    return Status::Corruption("v1 page levels: the length prefix says " + std::to_string(len) + " bytes but only " +
                              std::to_string(page.size() - 4) + " follow");
  }
  *consumed = 4 + static_cast<size_t>(len);
  return page.substr(4, len);
}

}  // namespace floe::parquet
