#include "floe/base/uuid.h"

#include <random>

namespace floe {
namespace {

std::mt19937_64& Generator() {
  thread_local std::mt19937_64 gen = [] {
    std::random_device rd;
    std::seed_seq seq{rd(), rd(), rd(), rd(), rd(), rd(), rd(), rd()};
    return std::mt19937_64(seq);
  }();
  return gen;
}

}  // namespace

UuidBytes NewUuidBytes() {
  UuidBytes b;
  const uint64_t hi = Generator()();
  const uint64_t lo = Generator()();
  for (int i = 0; i < 8; ++i) {
    b[i] = static_cast<uint8_t>(hi >> (56 - 8 * i));
    b[8 + i] = static_cast<uint8_t>(lo >> (56 - 8 * i));
  }
  b[6] = static_cast<uint8_t>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<uint8_t>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  return b;
}

std::string UuidToString(const UuidBytes& uuid) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  s.reserve(36);
  for (size_t i = 0; i < uuid.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) s.push_back('-');
    s.push_back(kHex[uuid[i] >> 4]);
    s.push_back(kHex[uuid[i] & 15]);
  }
  return s;
}

std::string NewUuid() {
  return UuidToString(NewUuidBytes());
}

int64_t NewPositiveId() {
  while (true) {
    const int64_t id = static_cast<int64_t>(Generator()() >> 1);
    if (id != 0) return id;
  }
}

}  // namespace floe
