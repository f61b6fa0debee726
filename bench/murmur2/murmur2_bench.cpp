// Partitioning cost: murmur2 of sensor keys, the work every keyed produce does per record.
// Same keys and loop as bench/murmur2/Murmur2Bench.java (Kafka's Utils.murmur2), so the two figures compare.
// Prints {"keys_per_second": X, "checksum": N}; the checksum must equal the Java run's.

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "floe/base/murmur2.h"

int main(int argc, char** argv) {
  const int keys = 100000;
  const int rounds = argc > 1 ? std::atoi(argv[1]) : 200;
  std::vector<std::string> key_list;
  key_list.reserve(keys);
  char buf[16];
  for (int i = 0; i < keys; ++i) {
    std::snprintf(buf, sizeof(buf), "s-%05d", i);
    key_list.emplace_back(buf);
  }
  int64_t checksum = 0;
  // Warm-up round, as the JVM gets one too.
  for (const auto& k : key_list) checksum += floe::PartitionForKey(k, 3);
  checksum = 0;
  auto start = std::chrono::steady_clock::now();
  for (int r = 0; r < rounds; ++r) {
    for (const auto& k : key_list) checksum += floe::PartitionForKey(k, 3);
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("{\"keys_per_second\": %.0f, \"checksum\": %lld}\n", static_cast<double>(keys) * rounds / seconds,
              static_cast<long long>(checksum));
  return 0;
}
