// Deterministic pseudo-random values for the generated Fill() test helpers (see generate.py).
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "floe/kafka/protocol_types.h"

namespace floe::kafka {

class TestRng {
 public:
  explicit TestRng(uint64_t seed) : state_(seed * 0x9E3779B97F4A7C15ull + 1) {}
  uint64_t Next() {
    // splitmix64
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  bool Bool() { return Next() & 1; }
  std::string String() {
    std::string s(Next() % 12, 'x');
    for (char& c : s) c = static_cast<char>('a' + Next() % 26);
    return s;
  }
  RecordsRef Records() {
    static const uint8_t kBytes[64] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    return RecordsRef{std::span<const uint8_t>(kBytes, Next() % sizeof(kBytes)), false};
  }

 private:
  uint64_t state_;
};

}  // namespace floe::kafka
