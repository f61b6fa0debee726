#include "floe/base/byte_buffer.h"

#include <fmt/format.h>

namespace floe {

Status ByteReader::status() const {
  if (ok()) return Status::Ok();
  return Status::InvalidArgument(error_);
}

void ByteReader::Fail(std::string_view what, std::string_view why) {
  if (!ok()) return;
  error_ = fmt::format("{} at byte {}: {}", what, pos_, why);
  if (error_.empty()) error_ = "decode failed";
}

uint64_t ByteReader::ReadUnsignedVarlong(std::string_view what) {
  if (!ok()) return 0;
  uint64_t value = 0;
  for (int shift = 0; shift < 70; shift += 7) {
    if (pos_ >= data_.size()) {
      Fail(what, "truncated varint");
      return 0;
    }
    uint8_t b = data_[pos_++];
    if (shift == 63 && (b & 0x7e)) {
      Fail(what, "varint overflows 64 bits");
      return 0;
    }
    value |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) return value;
  }
  Fail(what, "varint longer than 10 bytes");
  return 0;
}

uint32_t ByteReader::ReadUnsignedVarint(std::string_view what) {
  size_t start = pos_;
  uint64_t v = ReadUnsignedVarlong(what);
  if (ok() && (v > 0xffffffffu || pos_ - start > 5)) {
    Fail(what, "varint overflows 32 bits");
    return 0;
  }
  return static_cast<uint32_t>(v);
}

int32_t ByteReader::ReadVarint(std::string_view what) {
  uint32_t u = ReadUnsignedVarint(what);
  return static_cast<int32_t>((u >> 1) ^ (~(u & 1) + 1));
}

int64_t ByteReader::ReadVarlong(std::string_view what) {
  uint64_t u = ReadUnsignedVarlong(what);
  return static_cast<int64_t>((u >> 1) ^ (~(u & 1) + 1));
}

std::span<const uint8_t> ByteReader::ReadSpan(size_t n, std::string_view what) {
  if (!ok()) return {};
  if (remaining() < n) {
    Fail(what, fmt::format("truncated (needs {} bytes, {} left)", n, remaining()));
    return {};
  }
  auto s = data_.subspan(pos_, n);
  pos_ += n;
  return s;
}

}  // namespace floe
