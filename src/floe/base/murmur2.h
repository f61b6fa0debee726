// Kafka's murmur2 hash and its default partitioner for keyed records.
//
// The Java client (org.apache.kafka.common.utils.Utils.murmur2, seed 0x9747b28c) is the reference: a record with a
// key goes to `toPositive(murmur2(key)) % partitions`, where toPositive clears the sign bit. librdkafka's
// "murmur2_random" partitioner matches it. floe must agree with both so that a sensor's events land on the same
// partition whichever client produced them.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace floe {

// Kafka's murmur2 of `data`, as a signed 32-bit value like Java's int.
int32_t Murmur2(std::span<const uint8_t> data);
inline int32_t Murmur2(std::string_view s) {
  return Murmur2(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
}

// The partition Kafka's default partitioner picks for a non-null key. `partitions` must be positive.
inline int32_t PartitionForKey(std::string_view key, int32_t partitions) {
  return static_cast<int32_t>((static_cast<uint32_t>(Murmur2(key)) & 0x7fffffffu) % static_cast<uint32_t>(partitions));
}

}  // namespace floe
