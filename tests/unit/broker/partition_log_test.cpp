#include "floe/broker/partition_log.h"

#include <gtest/gtest.h>

#include <thread>

#include "partition_log_for_tests.h"

namespace floe::broker {
namespace {

using testing::AppendOk;
using testing::BatchBaseOffsets;
using testing::DecodeAll;
using testing::Exists;
using testing::MakeBatch;
using testing::MakeBatchWithTimestamps;
using testing::OpenOk;
using testing::ReadAll;
using testing::ReadFile;
using testing::ReadRecord;
using testing::SegmentBases;
using testing::SegmentFile;
using testing::TempDir;
using testing::Value;

// The size of MakeBatch(n) for every n used with it below (all values are short and the same length per digit).
int64_t BatchSize(int records) {
  return static_cast<int64_t>(MakeBatch(records).size());
}

TEST(PartitionLogTest, AppendAssignsConsecutiveOffsetsAcrossManyBatchesAndReadReturnsThem) {
  TempDir tmp;
  PartitionLogOptions options;
  options.index_interval_bytes = 256;
  auto log = OpenOk(tmp.log_dir(), options);
  ASSERT_TRUE(log);
  std::vector<ReadRecord> expected;
  int64_t next = 0;
  for (int i = 0; i < 200; ++i) {
    const int count = 1 + i % 5;
    AppendResult r = AppendOk(*log, MakeBatch(count, 1000 + next, 1, static_cast<int>(next)), 0);
    EXPECT_EQ(r.base_offset, next);
    EXPECT_EQ(r.last_offset, next + count - 1);
    EXPECT_EQ(r.log_append_time_ms, -1);
    for (int k = 0; k < count; ++k) {
      expected.push_back({next + k, Value(next + k), 1000 + next + k});
    }
    next += count;
  }
  EXPECT_EQ(log->next_offset(), next);
  EXPECT_EQ(log->log_start_offset(), 0);
  EXPECT_EQ(ReadAll(*log, 0), expected);
  // Every offset reads back starting at its own batch.
  for (int64_t o = 0; o < next; o += 7) {
    std::vector<ReadRecord> from = ReadAll(*log, o);
    ASSERT_FALSE(from.empty());
    EXPECT_LE(from.front().offset, o);
    EXPECT_GT(from.front().offset + 5, o);
    EXPECT_EQ(from.back().offset, next - 1);
  }
}

TEST(PartitionLogTest, OneAppendOfSeveralBatchesAssignsOffsetsAcrossThem) {
  TempDir tmp;
  auto log = OpenOk(tmp.log_dir());
  ASSERT_TRUE(log);
  AppendOk(*log, MakeBatch(1));
  std::vector<uint8_t> batches;
  for (int count : {2, 3, 1}) {
    std::vector<uint8_t> b = MakeBatch(count);
    batches.insert(batches.end(), b.begin(), b.end());
  }
  AppendResult r = AppendOk(*log, batches);
  EXPECT_EQ(r.base_offset, 1);
  EXPECT_EQ(r.last_offset, 6);
  EXPECT_EQ(log->next_offset(), 7);
  Result<ReadResult> read = log->Read(1, SIZE_MAX);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(BatchBaseOffsets(read->bytes), (std::vector<int64_t>{1, 3, 6}));
}

TEST(PartitionLogTest, ReadFromTheMiddleOfABatchReturnsThatWholeBatch) {
  for (int32_t interval : {0, 4096}) {
    TempDir tmp;
    PartitionLogOptions options;
    options.index_interval_bytes = interval;  // 0 indexes every batch but the first, so the index is used
    auto log = OpenOk(tmp.log_dir(), options);
    ASSERT_TRUE(log);
    for (int i = 0; i < 20; ++i) AppendOk(*log, MakeBatch(10));
    Result<ReadResult> r = log->Read(57, 1);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(BatchBaseOffsets(r->bytes), std::vector<int64_t>{50}) << "interval " << interval;
    std::vector<ReadRecord> records = DecodeAll(r->bytes);
    ASSERT_EQ(records.size(), 10u);
    EXPECT_EQ(records.front().offset, 50);
    EXPECT_EQ(records.back().offset, 59);
    EXPECT_EQ(r->high_watermark, 200);
    EXPECT_EQ(r->log_start_offset, 0);
    // The last offset of a batch and the first offset of the next one.
    r = log->Read(59, 1);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(BatchBaseOffsets(r->bytes), std::vector<int64_t>{50});
    r = log->Read(60, 1);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(BatchBaseOffsets(r->bytes), std::vector<int64_t>{60});
  }
}

TEST(PartitionLogTest, ReadStopsBeforeMaxBytesButReturnsAtLeastOneBatch) {
  TempDir tmp;
  auto log = OpenOk(tmp.log_dir());
  ASSERT_TRUE(log);
  for (int i = 0; i < 5; ++i) AppendOk(*log, MakeBatch(3));
  const size_t s = static_cast<size_t>(BatchSize(3));
  auto batches_read = [&](size_t max_bytes) {
    Result<ReadResult> r = log->Read(0, max_bytes);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->bytes.size() % s, 0u);
    return r->bytes.size() / s;
  };
  EXPECT_EQ(batches_read(0), 1u);
  EXPECT_EQ(batches_read(1), 1u);
  EXPECT_EQ(batches_read(s), 1u);
  EXPECT_EQ(batches_read(2 * s - 1), 1u);
  EXPECT_EQ(batches_read(2 * s), 2u);
  EXPECT_EQ(batches_read(3 * s + 5), 3u);
  EXPECT_EQ(batches_read(SIZE_MAX), 5u);
}

TEST(PartitionLogTest, RollsBySizeIntoNewSegmentsAndReadsCrossThem) {
  TempDir tmp;
  PartitionLogOptions options;
  options.segment_bytes = 3 * BatchSize(2) + 10;  // three batches per segment
  options.index_interval_bytes = 0;
  auto log = OpenOk(tmp.log_dir(), options);
  ASSERT_TRUE(log);
  for (int i = 0; i < 10; ++i) AppendOk(*log, MakeBatch(2, 1000, 1, 2 * i));
  EXPECT_EQ(log->segment_count(), 4u);
  EXPECT_EQ(SegmentBases(tmp.log_dir()), (std::vector<int64_t>{0, 6, 12, 18}));
  for (int64_t base : {0, 6, 12, 18}) {
    EXPECT_TRUE(Exists(SegmentFile(tmp.log_dir(), base, ".index")));
    EXPECT_TRUE(Exists(SegmentFile(tmp.log_dir(), base, ".timeindex")));
  }
  EXPECT_EQ(testing::FileSize(SegmentFile(tmp.log_dir(), 6, ".log")), 3 * BatchSize(2));
  EXPECT_EQ(log->size_bytes(), 10 * BatchSize(2));

  std::vector<ReadRecord> all = ReadAll(*log, 0);
  ASSERT_EQ(all.size(), 20u);
  for (int64_t o = 0; o < 20; ++o) {
    EXPECT_EQ(all[static_cast<size_t>(o)].offset, o);
    EXPECT_EQ(all[static_cast<size_t>(o)].value, Value(o));
  }
  // From the middle of the second segment into the rest.
  std::vector<ReadRecord> from9 = ReadAll(*log, 9);
  ASSERT_FALSE(from9.empty());
  EXPECT_EQ(from9.front().offset, 8);
  EXPECT_EQ(from9.size(), 12u);
  // A small max_bytes stops at the segment's batches.
  Result<ReadResult> r = log->Read(5, 2 * static_cast<size_t>(BatchSize(2)));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(BatchBaseOffsets(r->bytes), (std::vector<int64_t>{4, 6}));
}

// What a slice holds, read back through its own descriptor.
std::vector<uint8_t> SliceBytes(const LogSlice& slice) {
  std::vector<uint8_t> out(slice.size());
  size_t done = 0;
  while (done < out.size()) {
    ssize_t n = ::pread(slice.fd(), out.data() + done, out.size() - done, static_cast<off_t>(slice.position() + done));
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  out.resize(done);
  return out;
}

std::vector<uint8_t> Concat(const std::vector<LogSlice>& slices) {
  std::vector<uint8_t> all;
  for (const LogSlice& s : slices) {
    std::vector<uint8_t> b = SliceBytes(s);
    all.insert(all.end(), b.begin(), b.end());
  }
  return all;
}

TEST(PartitionLogTest, LargeReadsComeAsFileSlicesWithTheSameBytesAsACopyingRead) {
  TempDir tmp;
  PartitionLogOptions options;
  options.segment_bytes = 3 * BatchSize(2) + 10;  // three batches per segment
  auto log = OpenOk(tmp.log_dir(), options);
  ASSERT_TRUE(log);
  for (int i = 0; i < 10; ++i) AppendOk(*log, MakeBatch(2, 1000, 1, 2 * i));
  const size_t s = static_cast<size_t>(BatchSize(2));
  for (int64_t from : {0, 5, 9, 19}) {
    for (size_t max_bytes : {s, 2 * s, 5 * s, 100 * s}) {
      SCOPED_TRACE(fmt::format("from {} max_bytes {}", from, max_bytes));
      Result<ReadResult> copied = log->Read(from, max_bytes);
      ASSERT_TRUE(copied.ok());
      ReadResult sliced;
      ASSERT_TRUE(log->ReadInto(from, max_bytes, &sliced, 1).ok());  // any read of a byte or more as slices
      EXPECT_TRUE(sliced.bytes.empty());
      EXPECT_EQ(Concat(sliced.slices), copied->bytes);
      EXPECT_EQ(sliced.size(), copied->bytes.size());
      EXPECT_EQ(sliced.high_watermark, 20);
      // One slice per segment touched: from offset 5 with room for everything, segments 0 (offset 4-5), 6, 12, 18.
      if (from == 5 && max_bytes == 100 * s) EXPECT_EQ(sliced.slices.size(), 4u);
    }
  }
  // Below the threshold (what the log holds from the wanted batch, capped at max_bytes) the read copies.
  ReadResult small;
  ASSERT_TRUE(log->ReadInto(18, 100 * s, &small, 2 * s + 1).ok());
  EXPECT_TRUE(small.slices.empty());
  EXPECT_EQ(BatchBaseOffsets(small.bytes), (std::vector<int64_t>{18}));
  ASSERT_TRUE(log->ReadInto(0, s, &small, 2 * s).ok());
  EXPECT_TRUE(small.slices.empty());
  EXPECT_EQ(BatchBaseOffsets(small.bytes), (std::vector<int64_t>{0}));
  // The same ReadResult reused for a sliced read drops what it held before.
  ASSERT_TRUE(log->ReadInto(0, 2 * s, &small, 2 * s).ok());
  EXPECT_TRUE(small.bytes.empty());
  EXPECT_EQ(BatchBaseOffsets(Concat(small.slices)), (std::vector<int64_t>{0, 2}));
  // At the end of the log there is nothing to send.
  ASSERT_TRUE(log->ReadInto(20, 100 * s, &small, 1).ok());
  EXPECT_TRUE(small.slices.empty());
  EXPECT_TRUE(small.bytes.empty());
}

TEST(PartitionLogTest, ASliceStaysReadableAfterRetentionDeletesItsSegment) {
  TempDir tmp;
  PartitionLogOptions options;
  const int64_t s = BatchSize(2);
  options.segment_bytes = s;  // one batch per segment
  options.retention_bytes = 2 * s;
  options.retention_ms = -1;
  auto log = OpenOk(tmp.log_dir(), options);
  ASSERT_TRUE(log);
  for (int i = 0; i < 5; ++i) AppendOk(*log, MakeBatch(2, 1000, 1, 2 * i));
  Result<ReadResult> copied = log->Read(0, static_cast<size_t>(3 * s));
  ASSERT_TRUE(copied.ok());
  ReadResult sliced;
  ASSERT_TRUE(log->ReadInto(0, static_cast<size_t>(3 * s), &sliced, 1).ok());
  ASSERT_EQ(sliced.slices.size(), 3u);
  ASSERT_TRUE(log->ApplyRetention(0).ok());
  EXPECT_EQ(log->log_start_offset(), 6);
  EXPECT_FALSE(Exists(SegmentFile(tmp.log_dir(), 0, ".log")));
  EXPECT_EQ(Concat(sliced.slices), copied->bytes);
  // And after the whole log is deleted and closed.
  ASSERT_TRUE(log->DeleteAll().ok());
  EXPECT_EQ(Concat(sliced.slices), copied->bytes);
}

TEST(PartitionLogTest, MovedSlicesCloseTheirDescriptorOnce) {
  TempDir tmp;
  auto log = OpenOk(tmp.log_dir(), PartitionLogOptions{});
  ASSERT_TRUE(log);
  AppendOk(*log, MakeBatch(2));
  ReadResult r;
  ASSERT_TRUE(log->ReadInto(0, 1 << 20, &r, 1).ok());
  ASSERT_EQ(r.slices.size(), 1u);
  const int fd = r.slices[0].fd();
  ASSERT_GE(fd, 0);
  LogSlice moved = std::move(r.slices[0]);
  EXPECT_EQ(r.slices[0].fd(), -1);
  EXPECT_EQ(moved.fd(), fd);
  r.slices.clear();
  EXPECT_NE(::fcntl(fd, F_GETFD), -1);  // still open: the moved-to slice owns it
  { LogSlice gone = std::move(moved); }
  EXPECT_EQ(::fcntl(fd, F_GETFD), -1);  // closed with its owner
}

TEST(PartitionLogTest, AnOversizedAppendGoesIntoAnEmptySegmentAndTheNextAppendRolls) {
  TempDir tmp;
  PartitionLogOptions options;
  options.segment_bytes = 100;
  auto log = OpenOk(tmp.log_dir(), options);
  ASSERT_TRUE(log);
  ASSERT_GT(BatchSize(10), 100);
  AppendOk(*log, MakeBatch(10));
  EXPECT_EQ(log->segment_count(), 1u);
  AppendOk(*log, MakeBatch(10));
  EXPECT_EQ(log->segment_count(), 2u);
  EXPECT_EQ(SegmentBases(tmp.log_dir()), (std::vector<int64_t>{0, 10}));
}

TEST(PartitionLogTest, RollsWhenTheActiveSegmentsFirstBatchIsOlderThanSegmentMs) {
  TempDir tmp;
  PartitionLogOptions options;
  options.segment_ms = 1000;
  auto log = OpenOk(tmp.log_dir(), options);
  ASSERT_TRUE(log);
  AppendOk(*log, MakeBatch(2), /*now_ms=*/10'000);
  AppendOk(*log, MakeBatch(2), /*now_ms=*/10'900);
  AppendOk(*log, MakeBatch(2), /*now_ms=*/11'000);  // exactly segment_ms: not more than it
  EXPECT_EQ(log->segment_count(), 1u);
  AppendOk(*log, MakeBatch(2), /*now_ms=*/11'001);
  EXPECT_EQ(log->segment_count(), 2u);
  EXPECT_EQ(SegmentBases(tmp.log_dir()), (std::vector<int64_t>{0, 6}));
  // The new segment's clock starts at its own first append.
  AppendOk(*log, MakeBatch(2), /*now_ms=*/12'000);
  EXPECT_EQ(log->segment_count(), 2u);
  AppendOk(*log, MakeBatch(2), /*now_ms=*/12'002);
  EXPECT_EQ(log->segment_count(), 3u);
}

TEST(PartitionLogTest, ReopenAfterCleanCloseKeepsEverything) {
  TempDir tmp;
  PartitionLogOptions options;
  options.segment_bytes = 4 * BatchSize(3);
  options.index_interval_bytes = 100;
  std::vector<ReadRecord> before;
  std::vector<std::vector<uint8_t>> index_files;
  {
    auto log = OpenOk(tmp.log_dir(), options);
    ASSERT_TRUE(log);
    for (int i = 0; i < 13; ++i) AppendOk(*log, MakeBatch(3, 5000 + 10 * i, 1, 3 * i));
    before = ReadAll(*log, 0);
    ASSERT_TRUE(log->Close().ok());
    EXPECT_TRUE(Exists(testing::Marker(tmp.log_dir())));
    EXPECT_FALSE(log->Read(0, 1).ok());
  }
  for (int64_t base : SegmentBases(tmp.log_dir()))
    index_files.push_back(ReadFile(SegmentFile(tmp.log_dir(), base, ".index")));

  auto log = OpenOk(tmp.log_dir(), options);
  ASSERT_TRUE(log);
  EXPECT_FALSE(Exists(testing::Marker(tmp.log_dir())));
  EXPECT_EQ(log->next_offset(), 39);
  EXPECT_EQ(log->segment_count(), 4u);
  EXPECT_EQ(ReadAll(*log, 0), before);
  // The indexes were loaded, not rewritten differently.
  size_t i = 0;
  for (int64_t base : SegmentBases(tmp.log_dir())) {
    EXPECT_EQ(ReadFile(SegmentFile(tmp.log_dir(), base, ".index")), index_files[i++]) << base;
  }
  EXPECT_EQ(log->OffsetForTimestamp(5000 + 10 * 7 + 1).value(), 22);
  // Appends continue after the last offset, in the same active segment until it is full.
  AppendResult r = AppendOk(*log, MakeBatch(3, 9000, 1, 39));
  EXPECT_EQ(r.base_offset, 39);
  EXPECT_EQ(log->segment_count(), 4u);  // the active segment held one batch and had room
  log.reset();                          // the destructor closes cleanly
  EXPECT_TRUE(Exists(testing::Marker(tmp.log_dir())));
  log = OpenOk(tmp.log_dir(), options);
  ASSERT_TRUE(log);
  EXPECT_EQ(log->next_offset(), 42);
  std::vector<ReadRecord> all = ReadAll(*log, 0);
  ASSERT_EQ(all.size(), 42u);
  EXPECT_EQ(all.back(), (ReadRecord{41, Value(41), 9002}));
}

TEST(PartitionLogTest, ReadBelowLogStartOrBeyondTheEndIsNotFound) {
  TempDir tmp;
  auto log = OpenOk(tmp.log_dir());
  ASSERT_TRUE(log);
  Result<ReadResult> empty = log->Read(0, 100);
  ASSERT_TRUE(empty.ok()) << empty.status().ToString();
  EXPECT_TRUE(empty->bytes.empty());
  EXPECT_EQ(empty->high_watermark, 0);
  for (int i = 0; i < 3; ++i) AppendOk(*log, MakeBatch(2));
  EXPECT_EQ(log->Read(-1, 100).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(log->Read(7, 100).status().code(), StatusCode::kNotFound);
  EXPECT_NE(log->Read(7, 100).status().message().find("offset 7 is out of range"), std::string::npos)
      << log->Read(7, 100).status().message();
  Result<ReadResult> at_end = log->Read(6, 100);
  ASSERT_TRUE(at_end.ok());
  EXPECT_TRUE(at_end->bytes.empty());
  EXPECT_EQ(at_end->high_watermark, 6);
}

TEST(PartitionLogTest, RetentionBySizeDeletesOldestSegmentsAndMovesLogStart) {
  TempDir tmp;
  PartitionLogOptions options;
  const int64_t s = BatchSize(2);
  options.segment_bytes = s;  // one batch per segment
  options.retention_bytes = 3 * s + s / 2;
  options.retention_ms = -1;
  auto log = OpenOk(tmp.log_dir(), options);
  ASSERT_TRUE(log);
  for (int i = 0; i < 10; ++i) AppendOk(*log, MakeBatch(2, 1000, 1, 2 * i));
  ASSERT_EQ(log->segment_count(), 10u);
  ASSERT_TRUE(log->ApplyRetention(0).ok());
  EXPECT_EQ(log->segment_count(), 3u);  // deleted while the total was over 3.5 batches
  EXPECT_EQ(log->size_bytes(), 3 * s);
  EXPECT_EQ(log->log_start_offset(), 14);
  EXPECT_EQ(SegmentBases(tmp.log_dir()), (std::vector<int64_t>{14, 16, 18}));
  EXPECT_FALSE(Exists(SegmentFile(tmp.log_dir(), 0, ".index")));
  EXPECT_FALSE(Exists(SegmentFile(tmp.log_dir(), 0, ".timeindex")));
  EXPECT_EQ(log->Read(13, 100).status().code(), StatusCode::kNotFound);
  Result<ReadResult> r = log->Read(14, 1);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->log_start_offset, 14);
  EXPECT_EQ(BatchBaseOffsets(r->bytes), std::vector<int64_t>{14});
  // The log start survives a reopen: it is the first segment's base offset.
  ASSERT_TRUE(log->Close().ok());
  log = OpenOk(tmp.log_dir(), options);
  ASSERT_TRUE(log);
  EXPECT_EQ(log->log_start_offset(), 14);
  EXPECT_EQ(log->next_offset(), 20);
}

TEST(PartitionLogTest, RetentionByTimeDeletesSegmentsWhoseNewestRecordIsOlder) {
  TempDir tmp;
  PartitionLogOptions options;
  options.segment_bytes = BatchSize(2);
  options.retention_ms = 2500;
  auto log = OpenOk(tmp.log_dir(), options);
  ASSERT_TRUE(log);
  // Segment i holds timestamps 1000*(i+1) and 1000*(i+1)+1.
  for (int i = 0; i < 5; ++i) AppendOk(*log, MakeBatch(2, 1000 * (i + 1), 1, 2 * i));
  ASSERT_EQ(log->segment_count(), 5u);
  ASSERT_TRUE(log->ApplyRetention(/*now_ms=*/4000).ok());  // deletes newest < 1500: only segment 0
  EXPECT_EQ(log->log_start_offset(), 2);
  ASSERT_TRUE(log->ApplyRetention(/*now_ms=*/5600).ok());  // newest < 3100: segments 1 and 2
  EXPECT_EQ(log->log_start_offset(), 6);
  EXPECT_EQ(SegmentBases(tmp.log_dir()), (std::vector<int64_t>{6, 8}));
  ASSERT_TRUE(log->ApplyRetention(/*now_ms=*/1'000'000).ok());  // all expired, but the active one stays
  EXPECT_EQ(log->segment_count(), 1u);
  EXPECT_EQ(log->log_start_offset(), 8);
  EXPECT_EQ(ReadAll(*log).front().offset, 8);
}

TEST(PartitionLogTest, RetentionByTimeUsesTheSealedTimeIndexAfterReopen) {
  TempDir tmp;
  PartitionLogOptions options;
  options.segment_bytes = BatchSize(2);
  options.retention_ms = 2500;
  {
    auto log = OpenOk(tmp.log_dir(), options);
    ASSERT_TRUE(log);
    for (int i = 0; i < 5; ++i) AppendOk(*log, MakeBatch(2, 1000 * (i + 1)));
  }
  auto log = OpenOk(tmp.log_dir(), options);
  ASSERT_TRUE(log);
  ASSERT_TRUE(log->ApplyRetention(/*now_ms=*/5600).ok());
  EXPECT_EQ(log->log_start_offset(), 6);
}

TEST(PartitionLogTest, RetentionNeverDeletesTheActiveSegment) {
  TempDir tmp;
  PartitionLogOptions options;
  options.retention_bytes = 0;
  options.retention_ms = 0;
  auto log = OpenOk(tmp.log_dir(), options);
  ASSERT_TRUE(log);
  AppendOk(*log, MakeBatch(3, 1));
  ASSERT_TRUE(log->ApplyRetention(1'000'000).ok());
  EXPECT_EQ(log->segment_count(), 1u);
  EXPECT_EQ(log->log_start_offset(), 0);
  EXPECT_EQ(ReadAll(*log).size(), 3u);
}

TEST(PartitionLogTest, OffsetForTimestampFindsTheExactRecordInMultiRecordBatches) {
  TempDir tmp;
  PartitionLogOptions options;
  options.segment_bytes = 4 * BatchSize(5);
  options.index_interval_bytes = 0;
  auto log = OpenOk(tmp.log_dir(), options);
  ASSERT_TRUE(log);
  // Offset o has timestamp 1000 + 10 * o; 20 batches of 5 records over 5 segments.
  for (int i = 0; i < 20; ++i) AppendOk(*log, MakeBatch(5, 1000 + 50 * i, 10));
  ASSERT_EQ(log->segment_count(), 5u);
  auto check = [&](PartitionLog& l) {
    EXPECT_EQ(l.OffsetForTimestamp(0).value(), 0);
    EXPECT_EQ(l.OffsetForTimestamp(1000).value(), 0);
    EXPECT_EQ(l.OffsetForTimestamp(1001).value(), 1);
    EXPECT_EQ(l.OffsetForTimestamp(1035).value(), 4);
    EXPECT_EQ(l.OffsetForTimestamp(1040).value(), 4);
    EXPECT_EQ(l.OffsetForTimestamp(1041).value(), 5);
    EXPECT_EQ(l.OffsetForTimestamp(1000 + 10 * 63 - 3).value(), 63);
    EXPECT_EQ(l.OffsetForTimestamp(1000 + 10 * 99).value(), 99);
    EXPECT_EQ(l.OffsetForTimestamp(1000 + 10 * 99 + 1).value(), -1);
  };
  check(*log);
  ASSERT_TRUE(log->Close().ok());
  log = OpenOk(tmp.log_dir(), options);
  ASSERT_TRUE(log);
  check(*log);
}

TEST(PartitionLogTest, OffsetForTimestampReturnsTheFirstRecordAtOrAfterItWhenTimestampsAreOutOfOrder) {
  TempDir tmp;
  auto log = OpenOk(tmp.log_dir());
  ASSERT_TRUE(log);
  AppendOk(*log, MakeBatchWithTimestamps({100, 300, 200}));
  AppendOk(*log, MakeBatchWithTimestamps({150, 400}));
  EXPECT_EQ(log->OffsetForTimestamp(250).value(), 1);
  EXPECT_EQ(log->OffsetForTimestamp(301).value(), 4);
  EXPECT_EQ(log->OffsetForTimestamp(401).value(), -1);
}

TEST(PartitionLogTest, LogAppendTimeStampingKeepsTheCrcValid) {
  TempDir tmp;
  auto log = OpenOk(tmp.log_dir());
  ASSERT_TRUE(log);
  AppendOk(*log, MakeBatch(2, 1000));
  AppendResult r = AppendOk(*log, MakeBatch(4, 1000), /*now_ms=*/0, /*log_append_time_ms=*/777'000);
  EXPECT_EQ(r.base_offset, 2);
  EXPECT_EQ(r.log_append_time_ms, 777'000);
  Result<ReadResult> read = log->Read(3, SIZE_MAX);
  ASSERT_TRUE(read.ok());
  Result<kafka::RecordBatchHeader> h = kafka::RecordBatchHeader::Parse(read->bytes);
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_TRUE(kafka::VerifyCrc(read->bytes).ok()) << kafka::VerifyCrc(read->bytes).ToString();
  EXPECT_EQ(h->timestamp_type(), kafka::TimestampType::kLogAppendTime);
  EXPECT_EQ(h->max_timestamp, 777'000);
  EXPECT_EQ(h->base_offset, 2);
  for (const ReadRecord& rec : DecodeAll(read->bytes)) EXPECT_EQ(rec.timestamp, 777'000);
  EXPECT_EQ(log->OffsetForTimestamp(2000).value(), 2);
  EXPECT_EQ(log->OffsetForTimestamp(777'000).value(), 2);
}

TEST(PartitionLogTest, SparseIndexEntriesPointAtTheBatchesTheyName) {
  TempDir tmp;
  PartitionLogOptions options;
  options.index_interval_bytes = 300;
  auto log = OpenOk(tmp.log_dir(), options);
  ASSERT_TRUE(log);
  for (int i = 0; i < 50; ++i) AppendOk(*log, MakeBatch(1 + i % 4, 1000 + i));
  ASSERT_TRUE(log->Flush().ok());
  const std::string dir = tmp.log_dir();
  auto entries = testing::ReadOffsetIndex(SegmentFile(dir, 0, ".index"));
  ASSERT_GT(entries.size(), 5u);
  std::vector<uint8_t> segment = ReadFile(SegmentFile(dir, 0, ".log"));
  int32_t previous_position = 0;
  for (auto [relative_offset, position] : entries) {
    // Kafka's rule: more than index_interval_bytes since the previous entry.
    EXPECT_GT(position - previous_position, 300);
    previous_position = position;
    auto batch = std::span<const uint8_t>(segment).subspan(static_cast<size_t>(position));
    Result<std::vector<std::span<const uint8_t>>> split = kafka::SplitBatches(batch);
    ASSERT_TRUE(split.ok());
    Result<kafka::RecordBatchHeader> h = kafka::RecordBatchHeader::Parse(split->front());
    ASSERT_TRUE(h.ok());
    EXPECT_EQ(h->last_offset(), relative_offset);  // base offset 0: relative == absolute
  }
  EXPECT_EQ(testing::FileSize(SegmentFile(dir, 0, ".timeindex")) % 12, 0);
  EXPECT_GT(testing::FileSize(SegmentFile(dir, 0, ".timeindex")), 0);
}

TEST(PartitionLogTest, AppendRejectsATruncatedBatchAndLeavesTheLogUnchanged) {
  TempDir tmp;
  auto log = OpenOk(tmp.log_dir());
  ASSERT_TRUE(log);
  AppendOk(*log, MakeBatch(2));
  std::vector<uint8_t> bad = MakeBatch(3);
  bad.resize(bad.size() - 1);
  Result<AppendResult> r = log->Append(bad, 0);
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
  EXPECT_NE(r.status().message().find(tmp.log_dir()), std::string::npos) << r.status().message();
  EXPECT_EQ(log->Append({}, 0).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(log->next_offset(), 2);
  EXPECT_EQ(log->size_bytes(), BatchSize(2));
  EXPECT_EQ(AppendOk(*log, MakeBatch(1)).base_offset, 2);
}

TEST(PartitionLogTest, FlushEveryBatchPolicyAppendsAndReads) {
  TempDir tmp;
  PartitionLogOptions options;
  options.flush = FlushPolicy::kEveryBatch;
  auto log = OpenOk(tmp.log_dir(), options);
  ASSERT_TRUE(log);
  for (int i = 0; i < 5; ++i) AppendOk(*log, MakeBatch(2));
  ASSERT_TRUE(log->Flush().ok());
  EXPECT_EQ(ReadAll(*log).size(), 10u);
}

TEST(PartitionLogTest, ConcurrentAppendsAndReadsSeeConsecutiveOffsets) {
  TempDir tmp;
  PartitionLogOptions options;
  options.segment_bytes = 20 * BatchSize(2);
  options.index_interval_bytes = 128;
  auto log = OpenOk(tmp.log_dir(), options);
  ASSERT_TRUE(log);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) AppendOk(*log, MakeBatch(2));
    });
  }
  threads.emplace_back([&] {
    for (int i = 0; i < 50; ++i) {
      Result<ReadResult> r = log->Read(0, 4096);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      DecodeAll(r->bytes);
    }
  });
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(log->next_offset(), 400);
  std::vector<ReadRecord> all = ReadAll(*log, 0);
  ASSERT_EQ(all.size(), 400u);
  for (size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i].offset, static_cast<int64_t>(i));
}

TEST(PartitionLogTest, DeleteAllRemovesEveryFileAndTheDirectory) {
  TempDir tmp;
  PartitionLogOptions options;
  options.segment_bytes = BatchSize(2);
  auto log = OpenOk(tmp.log_dir(), options);
  ASSERT_TRUE(log);
  for (int i = 0; i < 3; ++i) AppendOk(*log, MakeBatch(2));
  ASSERT_TRUE(log->DeleteAll().ok());
  EXPECT_FALSE(Exists(tmp.log_dir()));
  std::vector<uint8_t> batch = MakeBatch(1);
  EXPECT_EQ(log->Append(batch, 0).status().code(), StatusCode::kUnavailable);
  log.reset();  // no marker written into a deleted directory
  EXPECT_FALSE(Exists(tmp.log_dir()));
}

TEST(PartitionLogTest, OpenRejectsInvalidOptions) {
  TempDir tmp;
  PartitionLogOptions options;
  options.segment_bytes = 10;
  EXPECT_EQ(PartitionLog::Open(tmp.log_dir(), options).status().code(), StatusCode::kInvalidArgument);
  options.segment_bytes = 1LL << 32;
  EXPECT_EQ(PartitionLog::Open(tmp.log_dir(), options).status().code(), StatusCode::kInvalidArgument);
  options = {};
  options.index_interval_bytes = -1;
  EXPECT_EQ(PartitionLog::Open(tmp.log_dir(), options).status().code(), StatusCode::kInvalidArgument);
}

TEST(PartitionLogTest, MethodsAfterCloseAreUnavailable) {
  TempDir tmp;
  auto log = OpenOk(tmp.log_dir());
  ASSERT_TRUE(log);
  ASSERT_TRUE(log->Close().ok());
  ASSERT_TRUE(log->Close().ok());  // idempotent
  std::vector<uint8_t> batch = MakeBatch(1);
  EXPECT_EQ(log->Append(batch, 0).status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(log->Read(0, 1).status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(log->OffsetForTimestamp(0).status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(log->Flush().code(), StatusCode::kUnavailable);
  EXPECT_EQ(log->ApplyRetention(0).code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace floe::broker
