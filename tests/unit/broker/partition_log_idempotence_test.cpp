// Idempotent producers through the partition log: retries are not written twice, out-of-order and fenced batches
// not at all, and the state survives both a clean reopen (snapshot) and a crash (replay of the log).
#include <gtest/gtest.h>

#include <filesystem>

#include "floe/broker/partition_log.h"
#include "floe/kafka/record_batch.h"

namespace floe::broker {
namespace {

std::vector<uint8_t> IdempotentBatch(int64_t pid, int16_t epoch, int32_t seq, int records) {
  std::vector<kafka::RecordInput> in;
  for (int i = 0; i < records; ++i) {
    kafka::RecordInput r;
    r.key = "k";
    r.value = "v" + std::to_string(seq + i);
    r.timestamp = 1000 + seq + i;
    in.push_back(r);
  }
  kafka::BatchOptions o;
  o.producer_id = pid;
  o.producer_epoch = epoch;
  o.base_sequence = seq;
  return kafka::BuildRecordBatch(in, o);
}

class IdempotenceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (std::filesystem::temp_directory_path() / ("floe-idem-" + std::to_string(::getpid()) + "-" +
                                                      ::testing::UnitTest::GetInstance()->current_test_info()->name()))
               .string();
    std::filesystem::remove_all(dir_);
    Reopen();
  }
  void TearDown() override {
    log_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Reopen() {
    log_.reset();
    auto log = PartitionLog::Open(dir_, {});
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    log_ = std::move(*log);
  }
  AppendResult Append(std::vector<uint8_t> batch) {
    auto r = log_->Append(batch, 0);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : AppendResult{};
  }

  std::string dir_;
  std::unique_ptr<PartitionLog> log_;
};

TEST_F(IdempotenceTest, RetryIsAnsweredWithTheOriginalOffsetsAndNotWritten) {
  EXPECT_EQ(Append(IdempotentBatch(5, 0, 0, 3)).base_offset, 0);
  EXPECT_EQ(Append(IdempotentBatch(5, 0, 3, 2)).base_offset, 3);
  AppendResult retry = Append(IdempotentBatch(5, 0, 0, 3));
  EXPECT_EQ(retry.sequence, SequenceCheck::kDuplicate);
  EXPECT_EQ(retry.base_offset, 0);
  EXPECT_EQ(retry.last_offset, 2);
  EXPECT_EQ(log_->next_offset(), 5);
}

TEST_F(IdempotenceTest, GapsAndFencedEpochsAreRejectedAndNothingIsWritten) {
  Append(IdempotentBatch(5, 1, 0, 3));
  AppendResult gap = Append(IdempotentBatch(5, 1, 7, 1));
  EXPECT_EQ(gap.sequence, SequenceCheck::kOutOfOrder);
  EXPECT_NE(gap.sequence_error.find("expected sequence 3, got 7"), std::string::npos) << gap.sequence_error;
  AppendResult fenced = Append(IdempotentBatch(5, 0, 3, 1));
  EXPECT_EQ(fenced.sequence, SequenceCheck::kFencedEpoch);
  EXPECT_EQ(log_->next_offset(), 3);
}

TEST_F(IdempotenceTest, StateSurvivesACleanReopen) {
  Append(IdempotentBatch(9, 0, 0, 4));
  ASSERT_TRUE(log_->Close().ok());
  Reopen();
  EXPECT_EQ(Append(IdempotentBatch(9, 0, 0, 4)).sequence, SequenceCheck::kDuplicate);
  EXPECT_EQ(Append(IdempotentBatch(9, 0, 4, 1)).base_offset, 4);
}

TEST_F(IdempotenceTest, StateIsReplayedFromTheLogAfterACrash) {
  Append(IdempotentBatch(9, 0, 0, 4));
  ASSERT_TRUE(log_->Close().ok());
  Reopen();
  Append(IdempotentBatch(9, 0, 4, 2));  // after the snapshot, which still says offset 4
  // The crash image: the files as they are now, while the log is open (no clean-shutdown marker, stale snapshot).
  std::string crashed = dir_ + "-crashed";
  std::filesystem::remove_all(crashed);
  std::filesystem::copy(dir_, crashed, std::filesystem::copy_options::recursive);
  ASSERT_FALSE(std::filesystem::exists(crashed + "/clean-shutdown"));
  log_.reset();
  std::filesystem::remove_all(dir_);
  std::filesystem::rename(crashed, dir_);
  Reopen();
  EXPECT_EQ(Append(IdempotentBatch(9, 0, 4, 2)).sequence, SequenceCheck::kDuplicate);
  EXPECT_EQ(Append(IdempotentBatch(9, 0, 6, 1)).base_offset, 6);
}

TEST_F(IdempotenceTest, CorruptSnapshotFallsBackToReplayingTheLog) {
  Append(IdempotentBatch(3, 0, 0, 2));
  ASSERT_TRUE(log_->Close().ok());
  {
    std::FILE* f = std::fopen((dir_ + "/producer-state.snapshot").c_str(), "r+b");
    ASSERT_NE(f, nullptr);
    std::fseek(f, 8, SEEK_SET);
    std::fputc(0x55, f);
    std::fclose(f);
  }
  Reopen();
  EXPECT_EQ(Append(IdempotentBatch(3, 0, 0, 2)).sequence, SequenceCheck::kDuplicate);
}

}  // namespace
}  // namespace floe::broker
