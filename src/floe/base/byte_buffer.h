// Big-endian reading and writing of protocol bytes, with the varints Kafka uses (unsigned LEB128 and zigzag).
//
// ByteReader is bounds-checked and its errors are sticky: after the first failure every read returns zero values and
// does nothing, and `status()` says what failed and at which byte. Decoders read a whole message, then check once.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "floe/base/status.h"

namespace floe {

// std::byteswap is C++23; GCC 12 has the builtins.
template <typename T>
constexpr T ByteSwap(T v) {
  if constexpr (sizeof(T) == 1) {
    return v;
  } else if constexpr (sizeof(T) == 2) {
    return static_cast<T>(__builtin_bswap16(static_cast<uint16_t>(v)));
  } else if constexpr (sizeof(T) == 4) {
    return static_cast<T>(__builtin_bswap32(static_cast<uint32_t>(v)));
  } else {
    static_assert(sizeof(T) == 8);
    return static_cast<T>(__builtin_bswap64(static_cast<uint64_t>(v)));
  }
}

class ByteReader {
 public:
  explicit ByteReader(std::span<const uint8_t> data) : data_(data) {}

  bool ok() const { return error_.empty(); }
  // OK, or InvalidArgument: "<what> at byte <pos>: <why>".
  Status status() const;
  size_t position() const { return pos_; }
  size_t remaining() const { return data_.size() - pos_; }
  std::span<const uint8_t> data() const { return data_; }

  // Records the first failure; later reads return zeros.
  void Fail(std::string_view what, std::string_view why);

  int8_t ReadInt8(std::string_view what) { return static_cast<int8_t>(ReadBig<uint8_t>(what)); }
  int16_t ReadInt16(std::string_view what) { return static_cast<int16_t>(ReadBig<uint16_t>(what)); }
  uint16_t ReadUint16(std::string_view what) { return ReadBig<uint16_t>(what); }
  int32_t ReadInt32(std::string_view what) { return static_cast<int32_t>(ReadBig<uint32_t>(what)); }
  uint32_t ReadUint32(std::string_view what) { return ReadBig<uint32_t>(what); }
  int64_t ReadInt64(std::string_view what) { return static_cast<int64_t>(ReadBig<uint64_t>(what)); }
  double ReadFloat64(std::string_view what) { return std::bit_cast<double>(ReadBig<uint64_t>(what)); }
  bool ReadBool(std::string_view what) { return ReadBig<uint8_t>(what) != 0; }

  // Unsigned LEB128, at most 5 bytes for 32 bits and 10 for 64.
  uint32_t ReadUnsignedVarint(std::string_view what);
  uint64_t ReadUnsignedVarlong(std::string_view what);
  // Zigzag-encoded signed values.
  int32_t ReadVarint(std::string_view what);
  int64_t ReadVarlong(std::string_view what);

  // The next n bytes, without copying; empty on failure.
  std::span<const uint8_t> ReadSpan(size_t n, std::string_view what);
  void Skip(size_t n, std::string_view what) { ReadSpan(n, what); }

 private:
  template <typename T>
  T ReadBig(std::string_view what) {
    if (!ok()) return 0;
    if (remaining() < sizeof(T)) {
      Fail(what, "truncated");
      return 0;
    }
    T v;
    std::memcpy(&v, data_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    if constexpr (sizeof(T) > 1) v = ByteSwap(v);
    return v;
  }

  std::span<const uint8_t> data_;
  size_t pos_ = 0;
  std::string error_;
};

// Appends big-endian values to a growable buffer. Never fails.
class ByteWriter {
 public:
  // Writes into its own buffer (see buffer()).
  ByteWriter() = default;
  // Appends to *out, which must outlive the writer.
  explicit ByteWriter(std::vector<uint8_t>* out) : out_(out) {}
  ByteWriter(const ByteWriter&) = delete;
  ByteWriter& operator=(const ByteWriter&) = delete;

  void WriteInt8(int8_t v) { out_->push_back(static_cast<uint8_t>(v)); }
  void WriteBool(bool v) { out_->push_back(v ? 1 : 0); }
  void WriteInt16(int16_t v) { WriteBig(static_cast<uint16_t>(v)); }
  void WriteUint16(uint16_t v) { WriteBig(v); }
  void WriteInt32(int32_t v) { WriteBig(static_cast<uint32_t>(v)); }
  void WriteUint32(uint32_t v) { WriteBig(v); }
  void WriteInt64(int64_t v) { WriteBig(static_cast<uint64_t>(v)); }
  void WriteFloat64(double v) { WriteBig(std::bit_cast<uint64_t>(v)); }
  void WriteUnsignedVarint(uint64_t v) {
    while (v >= 0x80) {
      out_->push_back(static_cast<uint8_t>(v | 0x80));
      v >>= 7;
    }
    out_->push_back(static_cast<uint8_t>(v));
  }
  void WriteVarint(int32_t v) { WriteUnsignedVarint((static_cast<uint32_t>(v) << 1) ^ static_cast<uint32_t>(v >> 31)); }
  void WriteVarlong(int64_t v) {
    WriteUnsignedVarint((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
  }
  void WriteBytes(std::span<const uint8_t> b) { out_->insert(out_->end(), b.begin(), b.end()); }
  void WriteBytes(std::string_view s) { out_->insert(out_->end(), s.begin(), s.end()); }

  // A gap: `size` bytes that belong at `position` of the output but that the writer does not hold, because the
  // caller sends them from elsewhere (a Kafka fetch response's records, sent from the log file with sendfile).
  struct Gap {
    size_t position;  // in the buffer: the gap comes before the byte at this index
    size_t size;
  };
  // Marks `n` bytes at the current position as a gap: nothing is written, gaps() and gap_bytes() record it.
  void WriteGap(size_t n) {
    gaps_.push_back({out_->size(), n});
    gap_bytes_ += n;
  }
  const std::vector<Gap>& gaps() const { return gaps_; }
  size_t gap_bytes() const { return gap_bytes_; }

  size_t size() const { return out_->size(); }
  std::vector<uint8_t>& buffer() { return *out_; }
  // Overwrites 4 bytes at `pos` (for length prefixes written after the content).
  void PatchInt32(size_t pos, int32_t v) {
    uint32_t be = ByteSwap(static_cast<uint32_t>(v));
    std::memcpy(out_->data() + pos, &be, 4);
  }

 private:
  template <typename T>
  void WriteBig(T v) {
    T be = ByteSwap(v);
    size_t at = out_->size();
    out_->resize(at + sizeof(T));
    std::memcpy(out_->data() + at, &be, sizeof(T));
  }

  std::vector<uint8_t> own_;
  std::vector<uint8_t>* out_ = &own_;
  std::vector<Gap> gaps_;
  size_t gap_bytes_ = 0;
};

}  // namespace floe
