// Variable-length integers as the Kafka protocol and record format use them (the protocol guide's "unsigned
// varint", "varint" and "varlong"; the same encoding as Protocol Buffers).
//
// An unsigned varint is LEB128: 7 bits per byte, least significant group first, the high bit of each byte set when
// more bytes follow. A signed varint (32 bits) or varlong (64 bits) is first ZigZag-mapped to unsigned
// (0, -1, 1, -2, ... -> 0, 1, 2, 3, ...) so that small negative numbers stay short. Kafka records use the signed
// forms for every length and delta; flexible protocol versions use the unsigned form for compact lengths.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace floe {

inline constexpr size_t kMaxVarint32Bytes = 5;
inline constexpr size_t kMaxVarint64Bytes = 10;

constexpr uint32_t ZigZagEncode32(int32_t v) {
  return (static_cast<uint32_t>(v) << 1) ^ static_cast<uint32_t>(v >> 31);
}
constexpr int32_t ZigZagDecode32(uint32_t v) {
  return static_cast<int32_t>((v >> 1) ^ (~(v & 1) + 1));
}
constexpr uint64_t ZigZagEncode64(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
constexpr int64_t ZigZagDecode64(uint64_t v) {
  return static_cast<int64_t>((v >> 1) ^ (~(v & 1) + 1));
}

// The number of bytes the encodings of `v` take.
constexpr size_t UnsignedVarintSize(uint64_t v) {
  size_t n = 1;
  for (; v >= 0x80; v >>= 7) ++n;
  return n;
}
constexpr size_t VarintSize(int32_t v) {
  return UnsignedVarintSize(ZigZagEncode32(v));
}
constexpr size_t VarlongSize(int64_t v) {
  return UnsignedVarintSize(ZigZagEncode64(v));
}

// Writes the encoding of `v` to `out`, which must have room for kMaxVarint64Bytes; returns the bytes written.
inline size_t EncodeUnsignedVarint(uint64_t v, uint8_t* out) {
  size_t n = 0;
  for (; v >= 0x80; v >>= 7) out[n++] = static_cast<uint8_t>(v | 0x80);
  out[n++] = static_cast<uint8_t>(v);
  return n;
}

inline void AppendUnsignedVarint(std::vector<uint8_t>* out, uint64_t v) {
  uint8_t buf[kMaxVarint64Bytes];
  out->insert(out->end(), buf, buf + EncodeUnsignedVarint(v, buf));
}
inline void AppendVarint(std::vector<uint8_t>* out, int32_t v) {
  AppendUnsignedVarint(out, ZigZagEncode32(v));
}
inline void AppendVarlong(std::vector<uint8_t>* out, int64_t v) {
  AppendUnsignedVarint(out, ZigZagEncode64(v));
}

namespace varint_internal {

template <typename T>
inline bool DecodeUnsigned(std::span<const uint8_t> in, size_t* pos, T* value) {
  constexpr int kBits = sizeof(T) * 8;
  constexpr int kLastShift = (kBits / 7) * 7;  // 28 for 32 bits, 63 for 64
  size_t p = *pos;
  T result = 0;
  for (int shift = 0; shift <= kLastShift; shift += 7) {
    if (p >= in.size()) return false;
    const uint8_t b = in[p++];
    // The last byte allowed may carry only the bits left of the type's width, and must end the value.
    if (shift == kLastShift && (b >> (kBits - kLastShift)) != 0) return false;
    result |= static_cast<T>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) {
      *value = result;
      *pos = p;
      return true;
    }
  }
  return false;
}

}  // namespace varint_internal

// Each decoder reads one value from `in` at byte `*pos`. On success it stores the value, advances `*pos` past it
// and returns true. It returns false, touching neither `*pos` nor `*value`, when `in` ends inside the value or the
// encoding is too long for the type (more than 5 bytes for 32 bits or 10 for 64, or a last byte carrying bits beyond
// the type's width). Padded encodings that still fit, such as 0x80 0x00 for 0, are accepted, as Kafka accepts them.
inline bool DecodeUnsignedVarint32(std::span<const uint8_t> in, size_t* pos, uint32_t* value) {
  return varint_internal::DecodeUnsigned(in, pos, value);
}
inline bool DecodeUnsignedVarint64(std::span<const uint8_t> in, size_t* pos, uint64_t* value) {
  return varint_internal::DecodeUnsigned(in, pos, value);
}
inline bool DecodeVarint(std::span<const uint8_t> in, size_t* pos, int32_t* value) {
  uint32_t u;
  if (!DecodeUnsignedVarint32(in, pos, &u)) return false;
  *value = ZigZagDecode32(u);
  return true;
}
inline bool DecodeVarlong(std::span<const uint8_t> in, size_t* pos, int64_t* value) {
  uint64_t u;
  if (!DecodeUnsignedVarint64(in, pos, &u)) return false;
  *value = ZigZagDecode64(u);
  return true;
}

// After a decoder failed at `pos`, tells why: true if `in` ended inside the value (truncated input), false if the
// encoding was too long. `max_bytes` is kMaxVarint32Bytes or kMaxVarint64Bytes, as for the decoder that failed.
inline bool VarintTruncated(std::span<const uint8_t> in, size_t pos, size_t max_bytes) {
  if (pos >= in.size()) return true;
  if (in.size() - pos >= max_bytes) return false;
  for (size_t p = pos; p < in.size(); ++p) {
    if ((in[p] & 0x80) == 0) return false;
  }
  return true;
}

}  // namespace floe
