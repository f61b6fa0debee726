#include "floe/base/crc32c.h"

#include <array>
#include <cstring>

namespace floe {
namespace {

constexpr uint32_t kReflectedPolynomial = 0x82F63B78;

// kTables[0] is the byte-at-a-time table; kTables[k][b] is the CRC of byte b followed by k zero bytes, which lets
// the slice-by-8 loop fold eight input bytes with eight independent lookups.
constexpr std::array<std::array<uint32_t, 256>, 8> MakeTables() {
  std::array<std::array<uint32_t, 256>, 8> t{};
  for (uint32_t b = 0; b < 256; ++b) {
    uint32_t crc = b;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ ((crc & 1) ? kReflectedPolynomial : 0);
    t[0][b] = crc;
  }
  for (uint32_t b = 0; b < 256; ++b) {
    for (int k = 1; k < 8; ++k) t[k][b] = (t[k - 1][b] >> 8) ^ t[0][t[k - 1][b] & 0xff];
  }
  return t;
}

constexpr auto kTables = MakeTables();

inline uint32_t LoadLittle32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 | static_cast<uint32_t>(p[2]) << 16 |
         static_cast<uint32_t>(p[3]) << 24;
}

}  // namespace

uint32_t Crc32cExtendSoftware(uint32_t crc, std::span<const uint8_t> data) {
  const uint8_t* p = data.data();
  size_t n = data.size();
  uint32_t c = ~crc;
  for (; n >= 8; n -= 8, p += 8) {
    const uint32_t lo = c ^ LoadLittle32(p);
    const uint32_t hi = LoadLittle32(p + 4);
    c = kTables[7][lo & 0xff] ^ kTables[6][(lo >> 8) & 0xff] ^ kTables[5][(lo >> 16) & 0xff] ^ kTables[4][lo >> 24] ^
        kTables[3][hi & 0xff] ^ kTables[2][(hi >> 8) & 0xff] ^ kTables[1][(hi >> 16) & 0xff] ^ kTables[0][hi >> 24];
  }
  for (; n > 0; --n, ++p) c = (c >> 8) ^ kTables[0][(c ^ *p) & 0xff];
  return ~c;
}

#if defined(__x86_64__)

bool Crc32cHardwareAvailable() {
  // __builtin_cpu_init makes the check safe even if called before static constructors have run.
  static const bool available = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("sse4.2") != 0;
  }();
  return available;
}

// The crc32 instruction folds 8 bytes per call; unaligned 8-byte loads are cheap on x86-64, so there is no need to
// align the start. (Three interleaved streams would be faster on long inputs; one stream already runs at several
// GB/s, far more than a broker's network.)
__attribute__((target("sse4.2"))) uint32_t Crc32cExtendHardware(uint32_t crc, std::span<const uint8_t> data) {
  const uint8_t* p = data.data();
  size_t n = data.size();
  uint64_t c = ~crc;
  for (; n >= 8; n -= 8, p += 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);
    c = __builtin_ia32_crc32di(c, word);
  }
  uint32_t c32 = static_cast<uint32_t>(c);
  if (n >= 4) {
    uint32_t word;
    std::memcpy(&word, p, 4);
    c32 = __builtin_ia32_crc32si(c32, word);
    n -= 4;
    p += 4;
  }
  for (; n > 0; --n, ++p) c32 = __builtin_ia32_crc32qi(c32, *p);
  return ~c32;
}

uint32_t Crc32cExtend(uint32_t crc, std::span<const uint8_t> data) {
  return Crc32cHardwareAvailable() ? Crc32cExtendHardware(crc, data) : Crc32cExtendSoftware(crc, data);
}

#else

bool Crc32cHardwareAvailable() {
  return false;
}
uint32_t Crc32cExtendHardware(uint32_t crc, std::span<const uint8_t> data) {
  return Crc32cExtendSoftware(crc, data);
}
uint32_t Crc32cExtend(uint32_t crc, std::span<const uint8_t> data) {
  return Crc32cExtendSoftware(crc, data);
}

#endif

uint32_t Crc32c(std::span<const uint8_t> data) {
  return Crc32cExtend(0, data);
}

}  // namespace floe
