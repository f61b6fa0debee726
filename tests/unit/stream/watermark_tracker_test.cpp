#include "floe/stream/watermark_tracker.h"

#include <gtest/gtest.h>

namespace floe::stream {
namespace {

constexpr int64_t kNone = WatermarkTracker::kNoWatermark;

TEST(WatermarkTrackerTest, NoWatermarkBeforeAnyRecord) {
  WatermarkTracker tracker(/*out_of_orderness_ms=*/2000, /*idle_timeout_ms=*/0);
  EXPECT_EQ(tracker.Current(0), kNone);
  tracker.AddPartition(0, 0);
  EXPECT_EQ(tracker.Current(100), kNone);
}

TEST(WatermarkTrackerTest, WatermarkIsMaxEventTimeMinusDelayWithoutMinusOne) {
  WatermarkTracker tracker(2000, 0);
  tracker.AddPartition(0, 0);
  tracker.Observe(0, 1000, 1);
  EXPECT_EQ(tracker.Current(1), -1000);
  tracker.Observe(0, 5000, 2);
  tracker.Observe(0, 3000, 3);  // out of order: the maximum stays
  EXPECT_EQ(tracker.Current(3), 3000);
}

TEST(WatermarkTrackerTest, MinimumOverActivePartitions) {
  WatermarkTracker tracker(1000, 0);
  tracker.AddPartition(0, 0);
  tracker.AddPartition(1, 0);
  tracker.Observe(0, 10000, 1);
  tracker.Observe(1, 4000, 1);
  EXPECT_EQ(tracker.Current(1), 3000);
  tracker.Observe(1, 20000, 2);
  EXPECT_EQ(tracker.Current(2), 9000);
}

TEST(WatermarkTrackerTest, PartitionWithoutRecordsHoldsWatermarkBack) {
  WatermarkTracker tracker(0, /*idle_timeout_ms=*/0);
  tracker.AddPartition(0, 0);
  tracker.AddPartition(1, 0);
  tracker.Observe(0, 10000, 1);
  // Without an idle timeout a silent partition is never idle, however long it stays silent.
  EXPECT_EQ(tracker.Current(1), kNone);
  EXPECT_EQ(tracker.Current(1'000'000'000), kNone);
}

TEST(WatermarkTrackerTest, IdlePartitionExcludedAfterTimeout) {
  WatermarkTracker tracker(1000, /*idle_timeout_ms=*/5000);
  tracker.AddPartition(0, 0);
  tracker.AddPartition(1, 0);
  tracker.Observe(0, 10000, 100);
  tracker.Observe(1, 2000, 100);
  EXPECT_EQ(tracker.Current(100), 1000);
  // Partition 0 keeps receiving records; partition 1 goes silent at wall time 100.
  tracker.Observe(0, 30000, 5099);
  EXPECT_EQ(tracker.Current(5099), 1000);  // 4999 ms of silence: not idle yet
  EXPECT_FALSE(tracker.Partitions(5099)[1].idle);
  EXPECT_EQ(tracker.Current(5100), 29000);  // 5000 ms of silence: idle
  auto partitions = tracker.Partitions(5100);
  ASSERT_EQ(partitions.size(), 2u);
  EXPECT_FALSE(partitions[0].idle);
  EXPECT_TRUE(partitions[1].idle);
  EXPECT_EQ(partitions[1].max_event_time_ms, 2000);
  EXPECT_EQ(partitions[1].watermark_ms, 1000);
}

TEST(WatermarkTrackerTest, NeverStartedPartitionBecomesIdleTimeoutAfterItWasAdded) {
  WatermarkTracker tracker(0, 5000);
  tracker.AddPartition(0, 0);
  tracker.AddPartition(1, 3000);
  tracker.Observe(0, 10000, 3000);
  tracker.Observe(0, 10000, 7000);
  EXPECT_EQ(tracker.Current(7999), kNone);  // partition 1 was added at 3000: silent for 4999 ms
  EXPECT_EQ(tracker.Current(8000), 10000);
}

TEST(WatermarkTrackerTest, RejoiningPartitionDoesNotMoveWatermarkBackwards) {
  WatermarkTracker tracker(1000, 5000);
  tracker.AddPartition(0, 0);
  tracker.AddPartition(1, 0);
  tracker.Observe(0, 10000, 0);
  tracker.Observe(1, 10000, 0);
  tracker.Observe(0, 21000, 6000);
  EXPECT_EQ(tracker.Current(6000), 20000);  // partition 1 idle
  // Partition 1 rejoins far behind: the watermark stays at 20000 ...
  tracker.Observe(1, 5000, 6001);
  EXPECT_EQ(tracker.Current(6001), 20000);
  EXPECT_FALSE(tracker.Partitions(6001)[1].idle);
  // ... and does not advance while partition 1 is behind it, even when partition 0 moves on ...
  tracker.Observe(0, 40000, 6002);
  EXPECT_EQ(tracker.Current(6002), 20000);
  // ... until partition 1 catches up.
  tracker.Observe(1, 26000, 6003);
  EXPECT_EQ(tracker.Current(6003), 25000);
}

TEST(WatermarkTrackerTest, AllIdleTakesTheLargestWatermark) {
  WatermarkTracker tracker(0, 1000);
  tracker.AddPartition(0, 0);
  tracker.AddPartition(1, 0);
  tracker.Observe(0, 7000, 10);
  tracker.Observe(1, 9000, 10);
  EXPECT_EQ(tracker.Current(10), 7000);
  EXPECT_EQ(tracker.Current(5000), 9000);  // both idle: the largest, as Flink's StatusWatermarkValve
  auto partitions = tracker.Partitions(5000);
  EXPECT_TRUE(partitions[0].idle);
  EXPECT_TRUE(partitions[1].idle);
  tracker.Observe(0, 8000, 6000);  // partition 0 is back, behind: the watermark does not move back
  EXPECT_EQ(tracker.Current(6000), 9000);
}

TEST(WatermarkTrackerTest, AnEmptyPartitionGoingIdleWithTheOthersDoesNotHoldTheWatermark) {
  // A burst on partition 0, nothing ever on partition 1; both go idle at the same moment.
  WatermarkTracker tracker(5000, 1000);
  tracker.AddPartition(0, 0);
  tracker.AddPartition(1, 0);
  tracker.Observe(0, 60000, 0);
  EXPECT_EQ(tracker.Current(0), kNone);
  EXPECT_EQ(tracker.Current(1000), 55000);
}

TEST(WatermarkTrackerTest, AllIdleBeforeAnyRecordHasNoWatermark) {
  WatermarkTracker tracker(0, 1000);
  tracker.AddPartition(0, 0);
  EXPECT_EQ(tracker.Current(5000), kNone);
}

TEST(WatermarkTrackerTest, ObserveAddsUnknownPartition) {
  WatermarkTracker tracker(0, 0);
  tracker.Observe(3, 500, 0);
  EXPECT_EQ(tracker.partition_count(), 1u);
  EXPECT_EQ(tracker.Current(0), 500);
  auto partitions = tracker.Partitions(0);
  ASSERT_EQ(partitions.size(), 1u);
  EXPECT_EQ(partitions[0].partition, 3);
  EXPECT_EQ(partitions[0].max_event_time_ms, 500);
}

TEST(WatermarkTrackerTest, AddPartitionTwiceKeepsState) {
  WatermarkTracker tracker(0, 0);
  tracker.AddPartition(0, 0);
  tracker.Observe(0, 500, 0);
  tracker.AddPartition(0, 10);
  EXPECT_EQ(tracker.Partitions(10)[0].max_event_time_ms, 500);
  EXPECT_EQ(tracker.Current(10), 500);
}

TEST(WatermarkTrackerTest, DelayBelowMinimumTimeMeansNoWatermark) {
  WatermarkTracker tracker(1000, 0);
  tracker.Observe(0, kNone + 10, 0);
  EXPECT_EQ(tracker.Current(0), kNone);
}

TEST(WatermarkTrackerTest, SnapshotRestoreRoundTripRestartsIdleTimers) {
  WatermarkTracker tracker(1000, 5000);
  tracker.AddPartition(0, 0);
  tracker.AddPartition(2, 0);
  tracker.Observe(0, 12000, 0);
  tracker.Observe(2, 8000, 0);
  ASSERT_EQ(tracker.Current(0), 7000);
  std::string snapshot = tracker.Snapshot();

  WatermarkTracker restored(1000, 5000);
  restored.AddPartition(7, 0);  // dropped by Restore
  ASSERT_TRUE(restored.Restore(snapshot, /*now_ms=*/100000).ok());
  EXPECT_EQ(restored.last(), 7000);
  auto partitions = restored.Partitions(100000);
  ASSERT_EQ(partitions.size(), 2u);
  EXPECT_EQ(partitions[0].partition, 0);
  EXPECT_EQ(partitions[0].max_event_time_ms, 12000);
  EXPECT_EQ(partitions[1].partition, 2);
  EXPECT_EQ(partitions[1].max_event_time_ms, 8000);
  EXPECT_FALSE(partitions[1].idle);  // the timer restarted at 100000
  EXPECT_EQ(restored.Current(100000), 7000);
  restored.Observe(0, 20000, 104000);
  EXPECT_EQ(restored.Current(104999), 7000);
  EXPECT_EQ(restored.Current(105000), 19000);  // partition 2 idle 5000 ms after the restore
  EXPECT_EQ(restored.Snapshot().size(), snapshot.size());
}

TEST(WatermarkTrackerTest, CorruptSnapshotRejectedAndStateKept) {
  WatermarkTracker tracker(0, 0);
  tracker.Observe(0, 1000, 0);
  tracker.Observe(1, 2000, 0);
  ASSERT_EQ(tracker.Current(0), 1000);
  std::string good = tracker.Snapshot();

  WatermarkTracker target(0, 0);
  target.Observe(5, 42, 0);
  ASSERT_EQ(target.Current(0), 42);
  for (size_t i = 0; i < good.size(); ++i) {
    std::string bad = good;
    bad[i] = static_cast<char>(bad[i] ^ 0x20);
    Status s = target.Restore(bad, 0);
    EXPECT_EQ(s.code(), StatusCode::kCorruption) << "byte " << i;
  }
  Status truncated = target.Restore(std::string_view(good).substr(0, good.size() - 1), 0);
  EXPECT_EQ(truncated.code(), StatusCode::kCorruption);
  EXPECT_NE(truncated.message().find("length"), std::string::npos) << truncated.message();
  Status magic = target.Restore("FLWAxxxxxxxxxxxxxxxxxxxxxxxxx", 0);
  EXPECT_EQ(magic.code(), StatusCode::kCorruption);
  EXPECT_NE(magic.message().find("magic"), std::string::npos) << magic.message();
  EXPECT_EQ(target.Restore("", 0).code(), StatusCode::kCorruption);
  // Nothing changed.
  EXPECT_EQ(target.last(), 42);
  ASSERT_EQ(target.partition_count(), 1u);
  EXPECT_EQ(target.Partitions(0)[0].partition, 5);
}

}  // namespace
}  // namespace floe::stream
