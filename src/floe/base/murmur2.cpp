#include "floe/base/murmur2.h"

#include <cstring>

namespace floe {

// MurmurHash2 (Austin Appleby), 32-bit, in the variant Kafka uses: little-endian 4-byte blocks and the tail mixed
// with fall-through, all arithmetic modulo 2^32.
int32_t Murmur2(std::span<const uint8_t> data) {
  constexpr uint32_t kSeed = 0x9747b28c;
  constexpr uint32_t m = 0x5bd1e995;
  constexpr int r = 24;
  const size_t length = data.size();
  uint32_t h = kSeed ^ static_cast<uint32_t>(length);
  const uint8_t* p = data.data();
  const size_t blocks = length / 4;
  for (size_t i = 0; i < blocks; ++i, p += 4) {
    uint32_t k = static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 | static_cast<uint32_t>(p[2]) << 16 |
                 static_cast<uint32_t>(p[3]) << 24;
    k *= m;
    k ^= k >> r;
    k *= m;
    h *= m;
    h ^= k;
  }
  switch (length % 4) {
    case 3: h ^= static_cast<uint32_t>(p[2]) << 16; [[fallthrough]];
    case 2: h ^= static_cast<uint32_t>(p[1]) << 8; [[fallthrough]];
    case 1: h ^= static_cast<uint32_t>(p[0]); h *= m;
  }
  h ^= h >> 13;
  h *= m;
  h ^= h >> 15;
  return static_cast<int32_t>(h);
}

}  // namespace floe
