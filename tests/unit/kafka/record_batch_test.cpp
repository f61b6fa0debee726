#include "floe/kafka/record_batch.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <random>

#include "floe/base/crc32c.h"

namespace floe::kafka {
namespace {

// Whether `text` contains `part`, printing `text` when it does not.
::testing::AssertionResult Contains(std::string_view text, std::string_view part) {
  if (text.find(part) != std::string_view::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "\"" << text << "\" does not contain \"" << part << "\"";
}

// Batches written by the Apache Kafka Java client (kafka-clients 4.4.0: MemoryRecords.withRecords, the builder its
// producer uses) from the records of MixedRecords() below. tests/interop/test_record_batch_vectors.py regenerates
// each `java-vector` with the pinned client and fails if it differs from the bytes here.

// java-vector plain: MixedRecords(), base offset 0, no producer id, CreateTime.
constexpr std::string_view kJavaPlain =
    "000000000000000000000072ffffffff022e2f5dbb0000000000030000018bcfe568000000018bcfe56807ffffffffffffffffffffffffff"
    "ff00000004240000001073656e736f722d310832312e350018000e02010c6e6f206b65790032001304046b3301040a747261636506616263"
    "0a656d707479010c000206000000";
// java-vector idempotent: MixedRecords()[0] from producer id 4242, epoch 3, base sequence 17.
constexpr std::string_view kJavaIdempotent =
    "000000000000000000000044ffffffff0234532a850000000000000000018bcfe568000000018bcfe56800000000000000109200030000"
    "001100000001240000001073656e736f722d310832312e3500";
// java-vector transactional: MixedRecords()[0..1] from transactional producer id 77, epoch 1, base sequence 0.
constexpr std::string_view kJavaTransactional =
    "000000000000000000000051ffffffff02c2426f8c0010000000010000018bcfe568000000018bcfe56807000000000000004d000100"
    "00000000000002240000001073656e736f722d310832312e350018000e02010c6e6f206b657900";
// java-vector appended: the plain batch after DefaultRecordBatch.setLastOffset(1003), setPartitionLeaderEpoch(5) and
// setMaxTimestamp(LOG_APPEND_TIME, 1700000001234), as a Kafka broker stamps it on append.
constexpr std::string_view kJavaAppended =
    "00000000000003e8000000720000000502e1c57def0008000000030000018bcfe568000000018bcfe56cd2ffffffffffffffffffffffffff"
    "ff00000004240000001073656e736f722d310832312e350018000e02010c6e6f206b65790032001304046b3301040a747261636506616263"
    "0a656d707479010c000206000000";
// java-vector many: ManyRecords() as one batch; its crc and size.
constexpr uint32_t kJavaManyCrc = 0xd694c583;
constexpr size_t kJavaManySize = 52008;

std::vector<uint8_t> FromHex(std::string_view hex) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<uint8_t>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

std::string Hex(std::span<const uint8_t> bytes) {
  std::string out;
  char buf[3];
  for (uint8_t b : bytes) {
    std::snprintf(buf, sizeof(buf), "%02x", b);
    out += buf;
  }
  return out;
}

std::vector<RecordInput> MixedRecords() {
  return {
      {.key = "sensor-1", .value = "21.5", .headers = {}, .timestamp = 1700000000000},
      {.key = std::nullopt, .value = "no key", .headers = {}, .timestamp = 1700000000007},
      {.key = "k3",
       .value = std::nullopt,
       .headers = {{"trace", "abc"}, {"empty", std::nullopt}},
       .timestamp = 1699999999990},  // earlier than the first: a negative timestampDelta
      {.key = "", .value = "", .headers = {}, .timestamp = 1700000000001},
  };
}

// Offset deltas, lengths and timestamp deltas past one varint byte.
std::vector<RecordInput> ManyRecords() {
  std::vector<RecordInput> out;
  for (int i = 0; i < 300; ++i) {
    out.push_back({.key = "key-" + std::to_string(i),
                   .value = std::string(static_cast<size_t>(i), 'v'),
                   .headers = {{"i", std::to_string(i)}},
                   .timestamp = 1700000000000 + 1000LL * i});
  }
  return out;
}

void ExpectRecordsEqual(const std::vector<Record>& got, const std::vector<RecordInput>& want, int64_t base_offset) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    SCOPED_TRACE("record " + std::to_string(i));
    EXPECT_EQ(got[i].offset, base_offset + static_cast<int64_t>(i));
    EXPECT_EQ(got[i].timestamp, want[i].timestamp);
    EXPECT_EQ(got[i].key, want[i].key);
    EXPECT_EQ(got[i].value, want[i].value);
    ASSERT_EQ(got[i].headers.size(), want[i].headers.size());
    for (size_t h = 0; h < want[i].headers.size(); ++h) {
      EXPECT_EQ(got[i].headers[h].first, want[i].headers[h].first);
      EXPECT_EQ(got[i].headers[h].second, want[i].headers[h].second);
    }
  }
}

// Overwrites a big-endian field of a test batch.
void Poke(std::vector<uint8_t>& batch, size_t offset, uint64_t value, size_t size) {
  for (size_t i = size; i-- > 0; value >>= 8) batch[offset + i] = static_cast<uint8_t>(value);
}

TEST(RecordBatchTest, FormatConstantsMatchTheSpec) {
  EXPECT_EQ(kRecordBatchHeaderSize, 61u);
  EXPECT_EQ(kMinBatchLength, 49);
  EXPECT_EQ(kRecordsCountOffset + 4, kRecordBatchHeaderSize);
  EXPECT_EQ(kCrcOffset + 4, kAttributesOffset);
}

TEST(RecordBatchTest, BuildsTheJavaClientsBytes) {
  EXPECT_EQ(Hex(BuildRecordBatch(MixedRecords())), kJavaPlain);
  std::vector<RecordInput> first = {MixedRecords()[0]};
  EXPECT_EQ(Hex(BuildRecordBatch(first, {.producer_id = 4242, .producer_epoch = 3, .base_sequence = 17})),
            kJavaIdempotent);
  std::vector<RecordInput> two = {MixedRecords()[0], MixedRecords()[1]};
  EXPECT_EQ(Hex(BuildRecordBatch(
                two, {.producer_id = 77, .producer_epoch = 1, .base_sequence = 0, .is_transactional = true})),
            kJavaTransactional);
}

TEST(RecordBatchTest, ParsesAndDecodesTheJavaClientsBatch) {
  const std::vector<uint8_t> batch = FromHex(kJavaPlain);
  auto header = RecordBatchHeader::Parse(batch);
  ASSERT_TRUE(header.ok()) << header.status().ToString();
  EXPECT_EQ(header->base_offset, 0);
  EXPECT_EQ(header->batch_length, 114);
  EXPECT_EQ(header->size_in_bytes(), batch.size());
  EXPECT_EQ(header->partition_leader_epoch, -1);
  EXPECT_EQ(header->magic, 2);
  EXPECT_EQ(header->crc, 0x2e2f5dbbu);
  EXPECT_EQ(header->compression(), CompressionType::kNone);
  EXPECT_EQ(header->timestamp_type(), TimestampType::kCreateTime);
  EXPECT_FALSE(header->is_transactional());
  EXPECT_FALSE(header->is_control());
  EXPECT_FALSE(header->has_delete_horizon());
  EXPECT_EQ(header->last_offset_delta, 3);
  EXPECT_EQ(header->last_offset(), 3);
  EXPECT_EQ(header->base_timestamp, 1700000000000);
  EXPECT_EQ(header->max_timestamp, 1700000000007);
  EXPECT_EQ(header->producer_id, -1);
  EXPECT_EQ(header->producer_epoch, -1);
  EXPECT_EQ(header->base_sequence, -1);
  EXPECT_EQ(header->records_count, 4);
  EXPECT_TRUE(VerifyCrc(batch).ok());
  auto records = DecodeRecords(batch);
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  ExpectRecordsEqual(*records, MixedRecords(), 0);

  const std::vector<uint8_t> txn = FromHex(kJavaTransactional);
  auto txn_header = RecordBatchHeader::Parse(txn);
  ASSERT_TRUE(txn_header.ok());
  EXPECT_TRUE(txn_header->is_transactional());
  EXPECT_EQ(txn_header->producer_id, 77);
  EXPECT_EQ(txn_header->producer_epoch, 1);
  EXPECT_EQ(txn_header->base_sequence, 0);
  EXPECT_TRUE(VerifyCrc(txn).ok());
}

TEST(RecordBatchTest, StampsTheJavaBatchLikeAKafkaBroker) {
  std::vector<uint8_t> batch = FromHex(kJavaPlain);
  SetBaseOffset(batch, 1000);
  SetPartitionLeaderEpoch(batch, 5);
  EXPECT_TRUE(VerifyCrc(batch).ok()) << "baseOffset and partitionLeaderEpoch are outside the crc";
  SetLogAppendTime(batch, 1700000001234);
  EXPECT_EQ(Hex(batch), kJavaAppended);
  EXPECT_TRUE(VerifyCrc(batch).ok());

  auto header = RecordBatchHeader::Parse(batch);
  ASSERT_TRUE(header.ok());
  EXPECT_EQ(header->timestamp_type(), TimestampType::kLogAppendTime);
  EXPECT_EQ(header->max_timestamp, 1700000001234);
  EXPECT_EQ(header->base_timestamp, 1700000000000) << "baseTimestamp stays the producer's";
  auto records = DecodeRecords(batch);
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  ASSERT_EQ(records->size(), 4u);
  for (size_t i = 0; i < records->size(); ++i) {
    EXPECT_EQ((*records)[i].offset, 1000 + static_cast<int64_t>(i));
    EXPECT_EQ((*records)[i].timestamp, 1700000001234) << "LogAppendTime replaces every record's timestamp";
  }
}

TEST(RecordBatchTest, ManyRecordsMatchTheJavaClientAndRoundTrip) {
  const std::vector<RecordInput> input = ManyRecords();
  const std::vector<uint8_t> batch = BuildRecordBatch(input, {.base_offset = 5000});
  EXPECT_EQ(batch.size(), kJavaManySize);
  auto header = RecordBatchHeader::Parse(batch);
  ASSERT_TRUE(header.ok()) << header.status().ToString();
  EXPECT_EQ(header->crc, kJavaManyCrc) << "the crc does not cover baseOffset, so it matches Java's at offset 0";
  EXPECT_EQ(header->last_offset(), 5299);
  EXPECT_EQ(header->records_count, 300);
  EXPECT_EQ(header->max_timestamp, 1700000000000 + 299000);
  auto records = DecodeRecords(batch);
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  ExpectRecordsEqual(*records, input, 5000);
}

TEST(RecordBatchTest, RoundTripsKeysNullsHeadersAndLargeValues) {
  std::vector<RecordInput> input = MixedRecords();
  input.push_back({.key = std::string(200000, 'k'), .value = std::string(1 << 20, 'x'), .headers = {}, .timestamp = 1});
  input.push_back(
      {.key = std::nullopt, .value = std::nullopt, .headers = {{"", ""}, {"a", std::nullopt}}, .timestamp = -1});
  const BatchOptions options{.base_offset = 42,
                             .partition_leader_epoch = 9,
                             .producer_id = 123456789012,
                             .producer_epoch = 7,
                             .base_sequence = 1000,
                             .is_transactional = true};
  const std::vector<uint8_t> batch = BuildRecordBatch(input, options);
  EXPECT_TRUE(VerifyCrc(batch).ok());
  auto header = RecordBatchHeader::Parse(batch);
  ASSERT_TRUE(header.ok()) << header.status().ToString();
  EXPECT_EQ(header->base_offset, 42);
  EXPECT_EQ(header->partition_leader_epoch, 9);
  EXPECT_EQ(header->producer_id, 123456789012);
  EXPECT_EQ(header->producer_epoch, 7);
  EXPECT_EQ(header->base_sequence, 1000);
  EXPECT_TRUE(header->is_transactional());
  EXPECT_EQ(header->base_timestamp, 1700000000000);
  EXPECT_EQ(header->max_timestamp, 1700000000007);
  EXPECT_EQ(header->last_offset_delta, 5);
  auto records = DecodeRecords(batch);
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  ExpectRecordsEqual(*records, input, 42);
}

TEST(RecordBatchTest, EmptyBatchIsAHeaderWithNoRecords) {
  const std::vector<uint8_t> batch = BuildRecordBatch({});
  ASSERT_EQ(batch.size(), kRecordBatchHeaderSize);
  auto header = RecordBatchHeader::Parse(batch);
  ASSERT_TRUE(header.ok()) << header.status().ToString();
  EXPECT_EQ(header->batch_length, kMinBatchLength);
  EXPECT_EQ(header->records_count, 0);
  EXPECT_EQ(header->base_timestamp, -1);
  EXPECT_TRUE(VerifyCrc(batch).ok());
  auto records = DecodeRecords(batch);
  ASSERT_TRUE(records.ok());
  EXPECT_TRUE(records->empty());
}

TEST(RecordBatchTest, CrcMismatchNamesStoredAndComputedValues) {
  std::vector<uint8_t> batch = FromHex(kJavaPlain);
  batch.back() ^= 0x01;
  const uint32_t computed = Crc32c(std::span<const uint8_t>(batch).subspan(kAttributesOffset));
  Status st = VerifyCrc(batch);
  ASSERT_EQ(st.code(), StatusCode::kCorruption);
  char expected[160];
  std::snprintf(expected, sizeof(expected),
                "record batch crc mismatch: crc at byte 17 is 0x2e2f5dbb, but bytes 21-125 compute to 0x%08x",
                computed);
  EXPECT_EQ(st.message(), expected);
}

TEST(RecordBatchTest, CrcDetectsAnyChangedByteFromAttributesOn) {
  const std::vector<uint8_t> good = FromHex(kJavaPlain);
  for (size_t i = kCrcOffset; i < good.size(); ++i) {
    std::vector<uint8_t> bad = good;
    bad[i] ^= 0x40;
    EXPECT_EQ(VerifyCrc(bad).code(), StatusCode::kCorruption) << "byte " << i;
  }
  for (size_t i = 0; i < kMagicOffset; ++i) {  // baseOffset, batchLength, partitionLeaderEpoch
    std::vector<uint8_t> changed = good;
    changed[i] ^= 0x40;
    EXPECT_TRUE(VerifyCrc(changed).ok()) << "byte " << i << " is not covered by the crc";
  }
  EXPECT_EQ(VerifyCrc(std::span<const uint8_t>(good).first(60)).code(), StatusCode::kCorruption);
}

TEST(RecordBatchTest, EveryTruncationIsCorruptionSayingTruncated) {
  const std::vector<uint8_t> batch = FromHex(kJavaPlain);
  for (size_t len = 0; len < batch.size(); ++len) {
    std::span<const uint8_t> cut(batch.data(), len);
    auto header = RecordBatchHeader::Parse(cut);
    ASSERT_FALSE(header.ok()) << len;
    EXPECT_EQ(header.status().code(), StatusCode::kCorruption) << len;
    EXPECT_TRUE(Contains(header.status().message(), "truncated")) << len;
    EXPECT_FALSE(DecodeRecords(cut).ok()) << len;
  }
  EXPECT_EQ(RecordBatchHeader::Parse(std::span<const uint8_t>(batch).first(100)).status().message(),
            "record batch truncated: batchLength 114 at byte 8 makes the batch 126 bytes, but only 100 are present");
  EXPECT_EQ(RecordBatchHeader::Parse(std::span<const uint8_t>(batch).first(5)).status().message(),
            "record batch truncated: 5 bytes, too few even for baseOffset and batchLength (the header is 61 bytes)");
}

TEST(RecordBatchTest, BytesAfterTheBatchAreRejected) {
  std::vector<uint8_t> batch = FromHex(kJavaPlain);
  batch.push_back(0);
  auto header = RecordBatchHeader::Parse(batch);
  ASSERT_EQ(header.status().code(), StatusCode::kCorruption);
  EXPECT_TRUE(Contains(header.status().message(), "makes the batch 126 bytes, but 127 were given"));
}

TEST(RecordBatchTest, OlderMagicIsUnsupportedAndNamed) {
  std::vector<uint8_t> batch = FromHex(kJavaPlain);
  batch[kMagicOffset] = 1;
  auto header = RecordBatchHeader::Parse(batch);
  ASSERT_EQ(header.status().code(), StatusCode::kUnsupported);
  EXPECT_TRUE(Contains(header.status().message(), "magic 1 at byte 16 is not supported"));
  // A v0 message set entry is shorter than a v2 header; its magic is still at byte 16.
  std::vector<uint8_t> v0(26, 0);
  Poke(v0, kBatchLengthOffset, 14, 4);
  auto legacy = RecordBatchHeader::Parse(v0);
  ASSERT_EQ(legacy.status().code(), StatusCode::kUnsupported);
  EXPECT_TRUE(Contains(legacy.status().message(), "magic 0"));
}

TEST(RecordBatchTest, InvalidHeaderFieldsNameFieldAndOffset) {
  const std::vector<uint8_t> good = FromHex(kJavaPlain);
  struct Case {
    size_t offset;
    uint64_t value;
    size_t size;
    std::string message;
  };
  const std::vector<Case> cases = {
      {kBatchLengthOffset, 48, 4, "batchLength 48 at byte 8 is less than 49"},
      {kRecordsCountOffset, 0xFFFFFFFF, 4, "recordsCount -1 at byte 57 is negative"},
      {kLastOffsetDeltaOffset, 0x80000000, 4, "lastOffsetDelta -2147483648 at byte 23 is negative"},
      {kAttributesOffset, 0x0007, 2, "attributes 0x0007 at byte 21 name compression codec 7, which does not exist"},
  };
  for (const Case& c : cases) {
    std::vector<uint8_t> batch = good;
    Poke(batch, c.offset, c.value, c.size);
    if (c.offset == kBatchLengthOffset) batch.resize(kLogOverhead + c.value);
    auto header = RecordBatchHeader::Parse(batch);
    ASSERT_FALSE(header.ok()) << c.message;
    EXPECT_EQ(header.status().code(), StatusCode::kCorruption);
    EXPECT_TRUE(Contains(header.status().message(), c.message));
  }
}

TEST(RecordBatchTest, DecodingCompressedBatchIsUnsupported) {
  std::vector<uint8_t> batch = FromHex(kJavaPlain);
  Poke(batch, kAttributesOffset, static_cast<uint64_t>(CompressionType::kGzip), 2);
  RewriteCrc(batch);
  ASSERT_TRUE(VerifyCrc(batch).ok());
  auto header = RecordBatchHeader::Parse(batch);
  ASSERT_TRUE(header.ok());
  EXPECT_EQ(header->compression(), CompressionType::kGzip);
  auto records = DecodeRecords(batch);
  ASSERT_EQ(records.status().code(), StatusCode::kUnsupported);
  EXPECT_TRUE(Contains(records.status().message(), "compressed with gzip"));
}

TEST(RecordBatchTest, RecordsCountMustMatchTheRecords) {
  std::vector<uint8_t> batch = FromHex(kJavaPlain);
  Poke(batch, kRecordsCountOffset, 5, 4);
  EXPECT_EQ(DecodeRecords(batch).status().message(),
            "record batch: record 4: the batch ends at byte 126 after 4 of its recordsCount 5 records");
  Poke(batch, kRecordsCountOffset, 3, 4);
  EXPECT_EQ(DecodeRecords(batch).status().message(),
            "record batch: 7 bytes follow the last of its recordsCount 3 records, from byte 119 to the end");
}

TEST(RecordBatchTest, MalformedRecordNamesRecordAndByte) {
  std::vector<uint8_t> batch = FromHex(kJavaPlain);
  batch[kRecordsOffset] = 0xfe;  // record 0 length 127 (two varint bytes), more than the batch holds
  batch[kRecordsOffset + 1] = 0x01;
  EXPECT_EQ(DecodeRecords(batch).status().message(),
            "record batch: record 0: length 127 at byte 61 does not fit in the batch (63 bytes left)");
  batch = FromHex(kJavaPlain);
  batch[kRecordsOffset] = 0x7e;  // record 0 length 63: fits in the batch, but not what the fields take
  EXPECT_EQ(DecodeRecords(batch).status().message(),
            "record batch: record 0: length 63 at byte 61 says the record ends at byte 125, but its fields end at "
            "byte 80");
  batch = FromHex(kJavaPlain);
  // Record 0 is 18 bytes at byte 61: length, attributes, timestampDelta, offsetDelta, then keyLength at byte 65.
  batch[65] = 0x03;  // keyLength -2
  EXPECT_EQ(DecodeRecords(batch).status().message(),
            "record batch: record 0: key length -2 at byte 65 is invalid (-1 means null; nothing else may be "
            "negative)");
  batch[65] = 0x7e;  // keyLength 63
  EXPECT_TRUE(Contains(DecodeRecords(batch).status().message(),
                       "record 0: key length 63 at byte 65 runs past the end of the record"));
  batch = FromHex(kJavaPlain);
  batch[kRecordsOffset] = 0x22;  // record 0 length 17, one byte short: its headersCount is cut off
  EXPECT_EQ(DecodeRecords(batch).status().message(),
            "record batch: record 0: headersCount at byte 79 is cut off by the end of the record");
}

TEST(RecordBatchTest, CorruptBytesNeverCrashTheDecoder) {
  const std::vector<uint8_t> good = BuildRecordBatch(MixedRecords());
  for (size_t i = 0; i < good.size(); ++i) {
    for (uint8_t v : {uint8_t{0x00}, uint8_t{0xFF}, uint8_t{0x7F}, uint8_t{0x80}, uint8_t(good[i] ^ 1)}) {
      std::vector<uint8_t> bad = good;
      bad[i] = v;
      auto records = DecodeRecords(bad);  // ok or an error; ASan and UBSan watch for anything worse
      if (!records.ok()) {
        EXPECT_FALSE(records.status().message().empty());
      }
    }
  }
  std::mt19937 rng(3);
  for (int trial = 0; trial < 2000; ++trial) {
    std::vector<uint8_t> bad = good;
    for (int k = 0; k < 4; ++k)
      bad[kRecordsOffset + rng() % (bad.size() - kRecordsOffset)] = static_cast<uint8_t>(rng());
    (void)DecodeRecords(bad);
  }
}

TEST(RecordBatchTest, SetLogAppendTimeKeepsCrcValid) {
  std::vector<uint8_t> batch = BuildRecordBatch(ManyRecords(), {.base_offset = 7});
  SetLogAppendTime(batch, 1800000000000);
  ASSERT_TRUE(VerifyCrc(batch).ok());
  auto header = RecordBatchHeader::Parse(batch);
  ASSERT_TRUE(header.ok());
  EXPECT_EQ(header->timestamp_type(), TimestampType::kLogAppendTime);
  EXPECT_EQ(header->max_timestamp, 1800000000000);
  SetLogAppendTime(batch, 1800000000001);  // stamping again (a retried append) stays valid too
  EXPECT_TRUE(VerifyCrc(batch).ok());
}

TEST(RecordBatchTest, SetBaseOffsetAndEpochKeepCrc) {
  std::vector<uint8_t> batch = BuildRecordBatch(MixedRecords());
  const uint32_t crc = RecordBatchHeader::Parse(batch)->crc;
  SetBaseOffset(batch, 0x123456789A);
  SetPartitionLeaderEpoch(batch, 77);
  auto header = RecordBatchHeader::Parse(batch);
  ASSERT_TRUE(header.ok());
  EXPECT_EQ(header->base_offset, 0x123456789A);
  EXPECT_EQ(header->partition_leader_epoch, 77);
  EXPECT_EQ(header->crc, crc);
  EXPECT_TRUE(VerifyCrc(batch).ok());
  EXPECT_EQ(DecodeRecords(batch)->back().offset, 0x123456789A + 3);
}

TEST(RecordBatchTest, SplitBatchesFindsEachBatch) {
  const std::vector<uint8_t> a = BuildRecordBatch(MixedRecords());
  const std::vector<uint8_t> b = BuildRecordBatch(ManyRecords());
  const std::vector<uint8_t> c = FromHex(kJavaIdempotent);
  std::vector<uint8_t> all = a;
  all.insert(all.end(), b.begin(), b.end());
  all.insert(all.end(), c.begin(), c.end());
  auto batches = SplitBatches(all);
  ASSERT_TRUE(batches.ok()) << batches.status().ToString();
  ASSERT_EQ(batches->size(), 3u);
  EXPECT_EQ(Hex((*batches)[0]), Hex(a));
  EXPECT_EQ(Hex((*batches)[1]), Hex(b));
  EXPECT_EQ(Hex((*batches)[2]), Hex(c));
  for (auto batch : *batches) {
    EXPECT_TRUE(RecordBatchHeader::Parse(batch).ok());
    EXPECT_TRUE(VerifyCrc(batch).ok());
  }
  auto none = SplitBatches({});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST(RecordBatchTest, SplitBatchesRejectsTruncatedTail) {
  const std::vector<uint8_t> a = BuildRecordBatch(MixedRecords());
  std::vector<uint8_t> all = a;
  all.insert(all.end(), a.begin(), a.end());
  all.insert(all.end(), a.begin(), a.end());
  all.pop_back();
  auto cut = SplitBatches(all);
  ASSERT_EQ(cut.status().code(), StatusCode::kCorruption);
  EXPECT_EQ(cut.status().message(),
            "records: batch 2 at byte 252 is truncated: batchLength 114 at byte 260 makes it 126 bytes, but only 125 "
            "remain");

  std::vector<uint8_t> stub = a;
  stub.insert(stub.end(), {0, 0, 0, 0, 0});
  auto tail = SplitBatches(stub);
  ASSERT_EQ(tail.status().code(), StatusCode::kCorruption);
  EXPECT_EQ(tail.status().message(),
            "records: batch 1 at byte 126 is truncated: 5 bytes remain, fewer than the 12 of baseOffset and "
            "batchLength");

  std::vector<uint8_t> negative = a;
  Poke(negative, kBatchLengthOffset, 0xFFFFFFFF, 4);
  EXPECT_TRUE(Contains(SplitBatches(negative).status().message(), "batchLength -1 at byte 8 is negative"));
}

}  // namespace
}  // namespace floe::kafka
