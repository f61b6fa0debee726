#include "floe/broker/producer_state.h"

#include <gtest/gtest.h>

namespace floe::broker {
namespace {

TEST(ProducerStateTest, NewProducerMustStartAtSequenceZero) {
  ProducerStateTable t;
  BatchSequence dup;
  std::string why;
  EXPECT_EQ(t.Check(7, 0, 0, 9, &dup, &why), SequenceCheck::kOk);
  EXPECT_EQ(t.Check(7, 0, 5, 9, &dup, &why), SequenceCheck::kUnknownProducer);
  EXPECT_NE(why.find("starts at sequence 5, not 0"), std::string::npos) << why;
}

TEST(ProducerStateTest, RetriedBatchIsADuplicateWithItsOriginalOffsets) {
  ProducerStateTable t;
  t.Record(7, 0, 0, 9, 100, 109, 1);
  t.Record(7, 0, 10, 19, 110, 119, 2);
  BatchSequence dup;
  std::string why;
  EXPECT_EQ(t.Check(7, 0, 0, 9, &dup, &why), SequenceCheck::kDuplicate);
  EXPECT_EQ(dup.first_offset, 100);
  EXPECT_EQ(t.Check(7, 0, 20, 29, &dup, &why), SequenceCheck::kOk);
  EXPECT_EQ(t.Check(7, 0, 25, 29, &dup, &why), SequenceCheck::kOutOfOrder);
  EXPECT_NE(why.find("expected sequence 20, got 25"), std::string::npos) << why;
}

TEST(ProducerStateTest, OnlyTheLastFiveBatchesAreRemembered) {
  ProducerStateTable t;
  for (int i = 0; i < 7; ++i) t.Record(1, 0, i * 10, i * 10 + 9, i * 10, i * 10 + 9, i);
  BatchSequence dup;
  std::string why;
  EXPECT_EQ(t.Check(1, 0, 20, 29, &dup, &why), SequenceCheck::kDuplicate);
  EXPECT_EQ(t.Check(1, 0, 10, 19, &dup, &why), SequenceCheck::kOutOfOrder);
}

TEST(ProducerStateTest, EpochsFenceOlderAndRestartSequences) {
  ProducerStateTable t;
  t.Record(1, 3, 0, 4, 0, 4, 0);
  BatchSequence dup;
  std::string why;
  EXPECT_EQ(t.Check(1, 2, 5, 9, &dup, &why), SequenceCheck::kFencedEpoch);
  EXPECT_EQ(t.Check(1, 4, 0, 4, &dup, &why), SequenceCheck::kOk);
  EXPECT_EQ(t.Check(1, 4, 5, 9, &dup, &why), SequenceCheck::kOutOfOrder);
}

TEST(ProducerStateTest, SequenceWrapsAtInt32Max) {
  ProducerStateTable t;
  t.Record(1, 0, 2147483640, 2147483647, 0, 7, 0);
  BatchSequence dup;
  std::string why;
  EXPECT_EQ(t.Check(1, 0, 0, 3, &dup, &why), SequenceCheck::kOk);
}

TEST(ProducerStateTest, SnapshotRoundTripsAndDetectsCorruption) {
  ProducerStateTable t;
  t.Record(1, 0, 0, 9, 0, 9, 5);
  t.Record(2, 3, 0, 0, 10, 10, 6);
  std::vector<uint8_t> bytes = t.Serialize(11);
  ProducerStateTable back;
  auto covered = back.Deserialize(bytes);
  ASSERT_TRUE(covered.ok()) << covered.status().ToString();
  EXPECT_EQ(*covered, 11);
  EXPECT_TRUE(back == t);
  bytes[10] ^= 1;
  ProducerStateTable bad;
  auto st = bad.Deserialize(bytes);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.status().message().find("crc mismatch"), std::string::npos);
  bytes.resize(5);
  EXPECT_FALSE(bad.Deserialize(bytes).ok());
}

TEST(ProducerStateTest, ExpiryForgetsSilentProducers) {
  ProducerStateTable t;
  t.Record(1, 0, 0, 0, 0, 0, 100);
  t.Record(2, 0, 0, 0, 1, 1, 900);
  t.ExpireBefore(500);
  EXPECT_EQ(t.size(), 1u);
  EXPECT_EQ(t.producers().count(2), 1u);
}

}  // namespace
}  // namespace floe::broker
