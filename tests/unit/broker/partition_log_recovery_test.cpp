// Recovery and corruption: what PartitionLog::Open does with a log that was not closed cleanly, with a torn or
// damaged tail, and with missing or damaged index files. A crash is simulated by closing the log and deleting the
// clean-shutdown marker (or by copying the directory of a log that is still open), then damaging the files.
#include <gtest/gtest.h>

#include <filesystem>

#include "floe/broker/partition_log.h"
#include "partition_log_for_tests.h"

namespace floe::broker {
namespace {

using testing::AppendOk;
using testing::Exists;
using testing::FileSize;
using testing::FlipByte;
using testing::MakeBatch;
using testing::Marker;
using testing::OpenOk;
using testing::ReadAll;
using testing::ReadFile;
using testing::ReadRecord;
using testing::SegmentBases;
using testing::SegmentFile;
using testing::TempDir;
using testing::TruncateFile;
using testing::Value;

// Every batch in these tests has 3 records, so all batches have the same size.
constexpr int kRecordsPerBatch = 3;
int64_t BatchSize() {
  return static_cast<int64_t>(MakeBatch(kRecordsPerBatch).size());
}

class PartitionLogRecoveryTest : public ::testing::Test {
 protected:
  PartitionLogRecoveryTest() { options_.index_interval_bytes = 0; }  // index every batch: the index is exercised

  std::string dir() const { return tmp_.log_dir(); }
  std::string ActiveLog() const { return SegmentFile(dir(), SegmentBases(dir()).back(), ".log"); }

  // Writes `batches` batches of 3 records (values v0, v1, ...), then closes the log and deletes the marker, as if
  // the process had died with everything written.
  void WriteThenCrash(int batches) {
    auto log = OpenOk(dir(), options_);
    ASSERT_TRUE(log);
    for (int i = 0; i < batches; ++i) {
      AppendOk(*log, MakeBatch(kRecordsPerBatch, 1000 + i, 0, kRecordsPerBatch * i));
    }
    ASSERT_TRUE(log->Close().ok());
    Crash();
  }
  void Crash() const { ASSERT_TRUE(std::filesystem::remove(Marker(dir()))); }

  // Opens the log and checks it holds exactly offsets [start, next) with the values WriteThenCrash wrote.
  std::unique_ptr<PartitionLog> OpenAndExpect(int64_t start, int64_t next) {
    auto log = OpenOk(dir(), options_);
    if (!log) return nullptr;
    EXPECT_EQ(log->log_start_offset(), start);
    EXPECT_EQ(log->next_offset(), next);
    std::vector<ReadRecord> all = ReadAll(*log);
    EXPECT_EQ(static_cast<int64_t>(all.size()), next - start);
    for (size_t i = 0; i < all.size(); ++i) {
      const int64_t o = start + static_cast<int64_t>(i);
      EXPECT_EQ(all[i].offset, o);
      EXPECT_EQ(all[i].value, Value(o));
    }
    // Every offset reads from its own batch (the rebuilt index must not point past the cut).
    for (int64_t o = start; o < next; ++o) {
      Result<ReadResult> r = log->Read(o, 1);
      EXPECT_TRUE(r.ok()) << r.status().ToString();
      if (!r.ok()) continue;
      std::vector<ReadRecord> records = testing::DecodeAll(r->bytes);
      EXPECT_EQ(records.size(), static_cast<size_t>(kRecordsPerBatch));
      if (!records.empty()) {
        EXPECT_EQ(records.front().offset, o - (o - start) % kRecordsPerBatch);
      }
    }
    return log;
  }

  // Appending after recovery continues at the right offset, and a clean reopen keeps it.
  void ExpectAppendsContinueAt(std::unique_ptr<PartitionLog> log, int64_t next) {
    ASSERT_TRUE(log);
    AppendResult r = AppendOk(*log, MakeBatch(kRecordsPerBatch, 5000, 0, static_cast<int>(next)));
    EXPECT_EQ(r.base_offset, next);
    EXPECT_EQ(r.last_offset, next + kRecordsPerBatch - 1);
    ASSERT_TRUE(log->Close().ok());
    log = OpenOk(dir(), options_);
    ASSERT_TRUE(log);
    EXPECT_EQ(log->next_offset(), next + kRecordsPerBatch);
    std::vector<ReadRecord> all = ReadAll(*log);
    ASSERT_FALSE(all.empty());
    EXPECT_EQ(all.back().offset, next + kRecordsPerBatch - 1);
    EXPECT_EQ(all.back().value, Value(next + kRecordsPerBatch - 1));
  }

  TempDir tmp_;
  PartitionLogOptions options_;
};

TEST_F(PartitionLogRecoveryTest, IntactLogAfterCrashKeepsEveryBatch) {
  WriteThenCrash(10);
  const int64_t size = FileSize(ActiveLog());
  auto log = OpenAndExpect(0, 30);
  EXPECT_EQ(FileSize(ActiveLog()), size);
  ExpectAppendsContinueAt(std::move(log), 30);
}

TEST_F(PartitionLogRecoveryTest, TornTailMidBatchIsTruncatedAndEarlierBatchesKept) {
  WriteThenCrash(10);
  TruncateFile(ActiveLog(), 10 * BatchSize() - BatchSize() / 2);
  auto log = OpenAndExpect(0, 27);
  EXPECT_EQ(FileSize(ActiveLog()), 9 * BatchSize());
  EXPECT_EQ(log->size_bytes(), 9 * BatchSize());
  ExpectAppendsContinueAt(std::move(log), 27);
}

TEST_F(PartitionLogRecoveryTest, TornTailInsideABatchHeaderIsTruncated) {
  WriteThenCrash(10);
  TruncateFile(ActiveLog(), 9 * BatchSize() + 20);
  auto log = OpenAndExpect(0, 27);
  EXPECT_EQ(FileSize(ActiveLog()), 9 * BatchSize());
  ExpectAppendsContinueAt(std::move(log), 27);
}

TEST_F(PartitionLogRecoveryTest, FlippedByteInTheLastBatchPayloadIsCaughtByTheCrc) {
  WriteThenCrash(10);
  FlipByte(ActiveLog(), 10 * BatchSize() - 3);  // inside the last record's value
  ::testing::internal::CaptureStderr();
  auto log = OpenAndExpect(0, 27);
  const std::string logged = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(logged.find(fmt::format("partition log {}: crc mismatch in batch at position {} (offset 27): expected 0x",
                                    ActiveLog(), 9 * BatchSize())),
            std::string::npos)
      << logged;
  EXPECT_NE(logged.find("; truncating the torn tail"), std::string::npos) << logged;
  EXPECT_EQ(FileSize(ActiveLog()), 9 * BatchSize());
  ExpectAppendsContinueAt(std::move(log), 27);
}

TEST_F(PartitionLogRecoveryTest, FlippedByteInAMiddleBatchTruncatesFromThatBatchOn) {
  // Like Kafka, recovery keeps the valid prefix: the batches after a bad one are unreachable by offset.
  WriteThenCrash(10);
  FlipByte(ActiveLog(), 4 * BatchSize() + 30);  // batch 4's attributes/lastOffsetDelta, covered by the CRC
  auto log = OpenAndExpect(0, 12);
  EXPECT_EQ(FileSize(ActiveLog()), 4 * BatchSize());
  ExpectAppendsContinueAt(std::move(log), 12);
}

TEST_F(PartitionLogRecoveryTest, ZeroFilledTailIsTruncated) {
  // A file system may leave zeroed blocks after the last write that reached the disk.
  WriteThenCrash(5);
  testing::AppendToFile(ActiveLog(), std::vector<uint8_t>(4096, 0));
  auto log = OpenAndExpect(0, 15);
  EXPECT_EQ(FileSize(ActiveLog()), 5 * BatchSize());
  ExpectAppendsContinueAt(std::move(log), 15);
}

TEST_F(PartitionLogRecoveryTest, TailWithAnImpossibleBatchLengthIsTruncated) {
  WriteThenCrash(5);
  std::vector<uint8_t> garbage = MakeBatch(kRecordsPerBatch);
  garbage[8] = 0x7f;  // batchLength near 2^31
  testing::AppendToFile(ActiveLog(), garbage);
  auto log = OpenAndExpect(0, 15);
  EXPECT_EQ(FileSize(ActiveLog()), 5 * BatchSize());
}

TEST_F(PartitionLogRecoveryTest, ABatchWithTheWrongBaseOffsetEndsTheValidLog) {
  // A stale but self-consistent batch (valid CRC) from an earlier life of the file must not be taken as new data.
  WriteThenCrash(5);
  testing::AppendToFile(ActiveLog(), MakeBatch(kRecordsPerBatch));  // baseOffset 0 again, valid CRC
  auto log = OpenAndExpect(0, 15);
  EXPECT_EQ(FileSize(ActiveLog()), 5 * BatchSize());
}

TEST_F(PartitionLogRecoveryTest, CrashCopyOfAnOpenLogRecoversEverythingWritten) {
  options_.flush = FlushPolicy::kEveryBatch;
  options_.segment_bytes = 4 * BatchSize();
  auto log = OpenOk(dir(), options_);
  ASSERT_TRUE(log);
  for (int i = 0; i < 10; ++i) AppendOk(*log, MakeBatch(kRecordsPerBatch, 1000, 0, kRecordsPerBatch * i));
  // The files as a crash would leave them: no marker, the active segment's time index not sealed.
  TempDir copy;
  std::filesystem::create_directories(copy.log_dir());
  std::filesystem::copy(dir(), copy.log_dir(), std::filesystem::copy_options::recursive);
  ASSERT_FALSE(Exists(Marker(copy.log_dir())));
  auto recovered = OpenOk(copy.log_dir(), options_);
  ASSERT_TRUE(recovered);
  EXPECT_EQ(recovered->next_offset(), 30);
  EXPECT_EQ(recovered->segment_count(), 3u);
  EXPECT_EQ(ReadAll(*recovered), ReadAll(*log));
}

TEST_F(PartitionLogRecoveryTest, UncleanShutdownAfterRollsTruncatesOnlyTheActiveSegment) {
  options_.segment_bytes = 4 * BatchSize();
  WriteThenCrash(10);  // segments at 0, 12, 24 (two batches)
  ASSERT_EQ(SegmentBases(dir()), (std::vector<int64_t>{0, 12, 24}));
  const int64_t sealed_size = FileSize(SegmentFile(dir(), 12, ".log"));
  TruncateFile(ActiveLog(), BatchSize() + 7);
  auto log = OpenAndExpect(0, 27);
  EXPECT_EQ(log->segment_count(), 3u);
  EXPECT_EQ(FileSize(SegmentFile(dir(), 12, ".log")), sealed_size);
  ExpectAppendsContinueAt(std::move(log), 27);
}

TEST_F(PartitionLogRecoveryTest, ActiveSegmentTornToNothingRestartsAtItsBaseOffset) {
  options_.segment_bytes = 4 * BatchSize();
  WriteThenCrash(10);
  TruncateFile(ActiveLog(), 10);
  auto log = OpenAndExpect(0, 24);
  EXPECT_EQ(FileSize(SegmentFile(dir(), 24, ".log")), 0);
  EXPECT_EQ(FileSize(SegmentFile(dir(), 24, ".index")), 0);
  EXPECT_EQ(FileSize(SegmentFile(dir(), 24, ".timeindex")), 0);
  ExpectAppendsContinueAt(std::move(log), 24);
}

TEST_F(PartitionLogRecoveryTest, TornActiveSegmentIsRecoveredEvenWithTheCleanMarker) {
  // The marker promises a clean close, but the headers are still walked to find the end; a torn one is cut.
  WriteThenCrash(6);
  ASSERT_TRUE(OpenOk(dir(), options_)->Close().ok());  // marker present again
  ASSERT_TRUE(Exists(Marker(dir())));
  TruncateFile(ActiveLog(), 6 * BatchSize() - 1);
  auto log = OpenAndExpect(0, 15);
  ExpectAppendsContinueAt(std::move(log), 15);
}

TEST_F(PartitionLogRecoveryTest, OpenRemovesTheMarkerSoThatACrashLeavesItAbsent) {
  WriteThenCrash(1);
  auto log = OpenOk(dir(), options_);
  ASSERT_TRUE(log);
  EXPECT_FALSE(Exists(Marker(dir())));
  ASSERT_TRUE(log->Close().ok());
  EXPECT_TRUE(Exists(Marker(dir())));
  log = OpenOk(dir(), options_);
  ASSERT_TRUE(log);
  EXPECT_FALSE(Exists(Marker(dir())));
}

// Index files of every segment, to compare after a rebuild.
std::vector<std::vector<uint8_t>> IndexFiles(const std::string& dir) {
  std::vector<std::vector<uint8_t>> out;
  for (int64_t base : SegmentBases(dir)) {
    out.push_back(ReadFile(SegmentFile(dir, base, ".index")));
    out.push_back(ReadFile(SegmentFile(dir, base, ".timeindex")));
  }
  return out;
}

class PartitionLogIndexRebuildTest : public PartitionLogRecoveryTest {
 protected:
  PartitionLogIndexRebuildTest() {
    options_.segment_bytes = 4 * BatchSize();
    options_.index_interval_bytes = static_cast<int32_t>(BatchSize() / 2);
  }
  // Ten batches (segments 0, 12, 24) closed cleanly; returns the index files as written.
  std::vector<std::vector<uint8_t>> WriteAndClose() {
    auto log = OpenOk(dir(), options_);
    EXPECT_TRUE(log);
    if (!log) return {};
    for (int i = 0; i < 10; ++i) {
      AppendOk(*log, MakeBatch(kRecordsPerBatch, 1000 + 10 * i, 1, kRecordsPerBatch * i));
    }
    EXPECT_TRUE(log->Close().ok());
    return IndexFiles(dir());
  }
  void ExpectTimestampLookups(PartitionLog& log) {
    EXPECT_EQ(log.OffsetForTimestamp(1000).value(), 0);
    EXPECT_EQ(log.OffsetForTimestamp(1000 + 10 * 5 + 2).value(), 17);
    EXPECT_EQ(log.OffsetForTimestamp(1000 + 10 * 9 + 3).value(), -1);
  }
};

TEST_F(PartitionLogIndexRebuildTest, DeletedIndexFilesAreRebuiltIdentically) {
  const std::vector<std::vector<uint8_t>> written = WriteAndClose();
  for (int64_t base : SegmentBases(dir())) {
    ASSERT_TRUE(std::filesystem::remove(SegmentFile(dir(), base, ".index")));
    ASSERT_TRUE(std::filesystem::remove(SegmentFile(dir(), base, ".timeindex")));
  }
  auto log = OpenAndExpect(0, 30);
  ASSERT_TRUE(log);
  ExpectTimestampLookups(*log);
  ASSERT_TRUE(log->Close().ok());
  EXPECT_EQ(IndexFiles(dir()), written);
}

TEST_F(PartitionLogIndexRebuildTest, IndexWithAPartialEntryIsRebuilt) {
  const std::vector<std::vector<uint8_t>> written = WriteAndClose();
  testing::AppendToFile(SegmentFile(dir(), 0, ".index"), {1, 2, 3});
  testing::AppendToFile(SegmentFile(dir(), 12, ".timeindex"), {1, 2, 3, 4, 5});
  auto log = OpenAndExpect(0, 30);
  ASSERT_TRUE(log);
  ExpectTimestampLookups(*log);
  ASSERT_TRUE(log->Close().ok());
  EXPECT_EQ(IndexFiles(dir()), written);
}

TEST_F(PartitionLogIndexRebuildTest, IndexEntriesPointingIntoTheMiddleOfABatchAreRebuilt) {
  const std::vector<std::vector<uint8_t>> written = WriteAndClose();
  const std::string index = SegmentFile(dir(), 12, ".index");
  std::vector<uint8_t> bytes = ReadFile(index);
  ASSERT_GE(bytes.size(), 8u);
  bytes[bytes.size() - 1] += 5;  // the last entry's position, now inside a batch
  testing::WriteFile(index, bytes);
  auto log = OpenAndExpect(0, 30);
  ASSERT_TRUE(log);
  ASSERT_TRUE(log->Close().ok());
  EXPECT_EQ(IndexFiles(dir()), written);
}

TEST_F(PartitionLogIndexRebuildTest, IndexesCutToWholeEntriesAreRebuilt) {
  const std::vector<std::vector<uint8_t>> written = WriteAndClose();
  for (int64_t base : SegmentBases(dir())) {
    TruncateFile(SegmentFile(dir(), base, ".index"), 0);
    TruncateFile(SegmentFile(dir(), base, ".timeindex"), 0);
  }
  auto log = OpenAndExpect(0, 30);
  ASSERT_TRUE(log);
  ExpectTimestampLookups(*log);
  ASSERT_TRUE(log->Close().ok());
  EXPECT_EQ(IndexFiles(dir()), written);
}

TEST_F(PartitionLogIndexRebuildTest, IndexFilesWithoutALogAreDeleted) {
  WriteAndClose();
  const std::string orphan = SegmentFile(dir(), 99, ".index");
  testing::WriteFile(orphan, std::vector<uint8_t>(8, 0));
  auto log = OpenAndExpect(0, 30);
  EXPECT_FALSE(Exists(orphan));
  EXPECT_EQ(log->segment_count(), 3u);
}

TEST_F(PartitionLogIndexRebuildTest, DamageInASealedSegmentIsReportedNotTruncated) {
  // Only the active segment can be torn by a crash (a segment is synced before the next one is created), so damage
  // in an older one is Corruption for a person to look at, never silently cut.
  WriteAndClose();
  const std::string sealed = SegmentFile(dir(), 12, ".log");
  TruncateFile(sealed, FileSize(sealed) - 5);
  std::filesystem::remove(SegmentFile(dir(), 12, ".index"));
  Result<std::unique_ptr<PartitionLog>> log = PartitionLog::Open(dir(), options_);
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.status().code(), StatusCode::kCorruption);
  EXPECT_NE(log.status().message().find(sealed), std::string::npos) << log.status().message();
  EXPECT_NE(log.status().message().find("at position"), std::string::npos) << log.status().message();
  EXPECT_EQ(FileSize(sealed), 4 * BatchSize() - 5);
  EXPECT_TRUE(Exists(Marker(dir())));  // a failed Open changes nothing
}

}  // namespace
}  // namespace floe::broker
