#include "floe/ingest/event_chunk.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "floe/base/murmur2.h"
#include "floe/ingest/telemetry_json.h"

namespace floe::ingest {
namespace {

TelemetryOptions Options(int32_t sensors) {
  TelemetryOptions o;
  o.seed = 3;
  o.sensors = sensors;
  o.start_ms = 1732480000000;
  o.out_of_order_ms = 1500;  // disorder, so that a sensor's events are not simply every Nth one
  o.late_fraction = 0.02;
  return o;
}

std::string Key(const rd_kafka_message_t& m) {
  return std::string(static_cast<const char*>(m.key), m.key_len);
}

std::string Value(const rd_kafka_message_t& m) {
  return std::string(static_cast<const char*>(m.payload), m.len);
}

TEST(SensorRoutes, KeysAreSensorIdsAndPartitionsAreKafkasDefaultPartitioner) {
  const SensorRoutes routes(2000, 7);
  EXPECT_EQ(routes.partitions(), 7);
  std::vector<int> used(7, 0);
  for (int32_t s = 0; s < 2000; ++s) {
    char id[kMaxSensorIdBytes];
    const std::string want(id, FormatSensorId(s, id));
    ASSERT_EQ(std::string(routes.key(s), routes.key_len(s)), want);
    ASSERT_EQ(routes.partition(s), PartitionForKey(want, 7)) << want;
    ++used[static_cast<size_t>(routes.partition(s))];
  }
  for (int p = 0; p < 7; ++p) EXPECT_GT(used[static_cast<size_t>(p)], 0) << "partition " << p << " unused";
}

// Every event once, in the partition its key belongs to, each partition's messages in generation order: what makes
// one rd_kafka_produce_batch per partition keep every sensor's order.
TEST(EventChunk, GroupsTheEventsByPartitionKeepingGenerationOrder) {
  const TelemetryOptions o = Options(50);
  const SensorRoutes routes(o.sensors, 3);
  TelemetryGenerator gen(o);
  TelemetryGenerator reference(o);
  EventChunk chunk;
  for (int64_t n : {4096, 1, 777, 4096}) {  // refills of other sizes reuse the chunk
    chunk.Fill(gen, routes, n);
    ASSERT_EQ(chunk.size(), n);
    std::map<int32_t, std::vector<std::string>> want;  // partition -> JSON in generation order
    int64_t want_bytes = 0;
    for (int64_t i = 0; i < n; ++i) {
      const TelemetryEvent e = reference.Next();
      char buf[kMaxEventJsonBytes];
      const std::string json(buf, FormatEventJson(e, buf));
      want[routes.partition(e.sensor)].push_back(json);
      want_bytes += static_cast<int64_t>(json.size());
    }
    EXPECT_EQ(chunk.value_bytes(), want_bytes);
    ASSERT_EQ(chunk.partitions(), 3);
    int64_t seen = 0;
    for (int32_t p = 0; p < 3; ++p) {
      int size = -1;
      rd_kafka_message_t* m = chunk.group(p, &size);
      ASSERT_EQ(size, static_cast<int>(want[p].size())) << "partition " << p;
      for (int i = 0; i < size; ++i) {
        EXPECT_EQ(Value(m[i]), want[p][static_cast<size_t>(i)]) << "partition " << p << " message " << i;
        auto event = ParseEventJson(Value(m[i]));
        ASSERT_TRUE(event.ok());
        char id[kMaxSensorIdBytes];
        EXPECT_EQ(Key(m[i]), std::string(id, FormatSensorId(event->sensor, id)));
        EXPECT_EQ(m[i].partition, p);
        EXPECT_EQ(m[i].err, RD_KAFKA_RESP_ERR_NO_ERROR);
      }
      seen += size;
    }
    EXPECT_EQ(seen, n);
  }
}

TEST(EventChunk, OnePartitionHoldsTheWholeChunkInOrder) {
  const TelemetryOptions o = Options(10);
  const SensorRoutes routes(o.sensors, 1);
  TelemetryGenerator gen(o);
  TelemetryGenerator reference(o);
  EventChunk chunk;
  chunk.Fill(gen, routes, 100);
  int size = 0;
  rd_kafka_message_t* m = chunk.group(0, &size);
  ASSERT_EQ(size, 100);
  for (int i = 0; i < size; ++i) {
    char buf[kMaxEventJsonBytes];
    EXPECT_EQ(Value(m[i]), std::string(buf, FormatEventJson(reference.Next(), buf)));
  }
}

}  // namespace
}  // namespace floe::ingest
