#include "floe/ingest/event_chunk.h"

#include <string_view>

#include "floe/base/murmur2.h"
#include "floe/ingest/telemetry_json.h"

namespace floe::ingest {

static_assert(kMaxSensorIdBytes == 16, "SensorRoutes::kKeyStride");

SensorRoutes::SensorRoutes(int32_t sensors, int32_t partitions) : partitions_(partitions) {
  keys_.resize(static_cast<size_t>(sensors) * kKeyStride);
  key_lens_.resize(static_cast<size_t>(sensors));
  partition_.resize(static_cast<size_t>(sensors));
  for (int32_t s = 0; s < sensors; ++s) {
    char* key = &keys_[static_cast<size_t>(s) * kKeyStride];
    const size_t len = FormatSensorId(s, key);
    key_lens_[static_cast<size_t>(s)] = static_cast<uint8_t>(len);
    partition_[static_cast<size_t>(s)] = PartitionForKey(std::string_view(key, len), partitions);
  }
}

void EventChunk::Fill(TelemetryGenerator& gen, const SensorRoutes& routes, int64_t n) {
  const size_t count = static_cast<size_t>(n);
  const int32_t partitions = routes.partitions();
  if (bytes_.size() < count * kMaxEventJsonBytes) bytes_.resize(count * kMaxEventJsonBytes);
  events_.resize(count);
  messages_.resize(count);
  // A stable counting sort by partition: count, prefix sums, place.
  group_begin_.assign(static_cast<size_t>(partitions) + 1, 0);
  size_t pos = 0;
  for (size_t i = 0; i < count; ++i) {
    const TelemetryEvent e = gen.Next();
    const std::string_view id(routes.key(e.sensor), routes.key_len(e.sensor));
    const uint32_t len = static_cast<uint32_t>(FormatEventJson(e, id, &bytes_[pos]));
    events_[i] = Formatted{e.sensor, static_cast<uint32_t>(pos), len};
    pos += len;
    ++group_begin_[static_cast<size_t>(routes.partition(e.sensor)) + 1];
  }
  value_bytes_ = static_cast<int64_t>(pos);
  for (size_t p = 0; p < static_cast<size_t>(partitions); ++p) group_begin_[p + 1] += group_begin_[p];
  cursor_.assign(group_begin_.begin(), group_begin_.end() - 1);
  for (const Formatted& f : events_) {
    rd_kafka_message_t& m = messages_[cursor_[static_cast<size_t>(routes.partition(f.sensor))]++];
    m = rd_kafka_message_t{};
    m.partition = routes.partition(f.sensor);
    m.payload = &bytes_[f.offset];
    m.len = f.len;
    m.key = const_cast<char*>(routes.key(f.sensor));  // librdkafka copies keys; it never writes through this
    m.key_len = routes.key_len(f.sensor);
  }
}

rd_kafka_message_t* EventChunk::group(int32_t partition, int* size) {
  const size_t begin = group_begin_[static_cast<size_t>(partition)];
  *size = static_cast<int>(group_begin_[static_cast<size_t>(partition) + 1] - begin);
  return messages_.data() + begin;
}

}  // namespace floe::ingest
