#include "floe/kafka/record_codec.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "compressed_batches.h"

namespace floe::kafka {
namespace {

using namespace ::floe::kafka::test_batches;  // NOLINT(google-build-using-namespace): test helpers

::testing::AssertionResult Contains(std::string_view text, std::string_view part) {
  if (text.find(part) != std::string_view::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "\"" << text << "\" does not contain \"" << part << "\"";
}

// Records of every shape: null and empty keys and values, headers with null values, large values, negative
// timestamp deltas.
std::vector<RecordInput> MixedRecords(size_t n, size_t big_every = 97) {
  std::vector<RecordInput> out;
  std::mt19937 rng(7);
  for (size_t i = 0; i < n; ++i) {
    RecordInput r;
    if (i % 5 != 1) r.key = "sensor-" + std::to_string(i % 13);
    if (i % 11 == 3) r.key = "";
    if (i % 7 != 2) r.value = "{\"seq\":" + std::to_string(i) + ",\"temp\":" + std::to_string(rng() % 1000) + "}";
    if (i % 17 == 4) r.value = "";
    if (big_every != 0 && i % big_every == 50) r.value = std::string(40000 + i, static_cast<char>('a' + i % 26));
    if (i % 3 == 0) r.headers.push_back({"seq", std::to_string(i)});
    if (i % 9 == 0) r.headers.push_back({"trace", std::nullopt});
    r.timestamp = 1700000000000 + static_cast<int64_t>(i) * 10 - (i % 4 == 0 ? 5000 : 0);
    out.push_back(std::move(r));
  }
  return out;
}

void ExpectRecords(const RecordBatchDecoder& decoder, const std::vector<RecordInput>& want, int64_t base_offset) {
  const std::span<const Record> got = decoder.records();
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    SCOPED_TRACE("record " + std::to_string(i));
    EXPECT_EQ(got[i].offset, base_offset + static_cast<int64_t>(i));
    EXPECT_EQ(got[i].timestamp, want[i].timestamp);
    EXPECT_EQ(got[i].key.has_value(), want[i].key.has_value());
    if (got[i].key && want[i].key) {
      EXPECT_EQ(*got[i].key, *want[i].key);
    }
    EXPECT_EQ(got[i].value.has_value(), want[i].value.has_value());
    if (got[i].value && want[i].value) {
      EXPECT_EQ(*got[i].value, *want[i].value);
    }
    ASSERT_EQ(got[i].headers.size(), want[i].headers.size());
    for (size_t h = 0; h < want[i].headers.size(); ++h) {
      EXPECT_EQ(got[i].headers[h].first, want[i].headers[h].first);
      EXPECT_EQ(got[i].headers[h].second.has_value(), want[i].headers[h].second.has_value());
      if (got[i].headers[h].second && want[i].headers[h].second) {
        EXPECT_EQ(*got[i].headers[h].second, *want[i].headers[h].second);
      }
    }
  }
}

TEST(RecordCodecTest, UncompressedBatchDecodesLikeDecodeRecords) {
  const std::vector<RecordInput> records = MixedRecords(40, 0);
  BatchOptions options;
  options.base_offset = 1000;
  const std::vector<uint8_t> batch = BuildRecordBatch(records, options);
  RecordBatchDecoder decoder;
  ASSERT_TRUE(decoder.Decode(batch).ok());
  EXPECT_EQ(decoder.header().base_offset, 1000);
  ExpectRecords(decoder, records, 1000);
  // The views point into the batch: nothing was copied.
  const auto* begin = reinterpret_cast<const char*>(batch.data());
  EXPECT_GE(decoder.records()[0].key->data(), begin);
  EXPECT_LT(decoder.records()[0].key->data(), begin + batch.size());
  Result<std::vector<Record>> reference = DecodeRecords(batch);
  ASSERT_TRUE(reference.ok());
  ASSERT_EQ(reference->size(), decoder.records().size());
  for (size_t i = 0; i < reference->size(); ++i) {
    EXPECT_EQ((*reference)[i].offset, decoder.records()[i].offset);
    EXPECT_EQ((*reference)[i].timestamp, decoder.records()[i].timestamp);
    EXPECT_EQ((*reference)[i].key, decoder.records()[i].key);
    EXPECT_EQ((*reference)[i].value, decoder.records()[i].value);
    EXPECT_EQ((*reference)[i].headers, decoder.records()[i].headers);
  }
}

TEST(RecordCodecTest, OffsetDeltasOutsideTheBatchOrGoingBackAreCorruption) {
  // Two records (offset deltas 0 and 1) in a batch whose header says lastOffsetDelta is 0: the second record claims
  // an offset past the batch's range.
  std::vector<uint8_t> batch = BuildRecordBatch(MixedRecords(2, 0));
  constexpr size_t kLastOffsetDeltaAt = 23;  // baseOffset 8, batchLength 4, leaderEpoch 4, magic 1, crc 4, attributes 2
  batch[kLastOffsetDeltaAt] = batch[kLastOffsetDeltaAt + 1] = batch[kLastOffsetDeltaAt + 2] = 0;
  batch[kLastOffsetDeltaAt + 3] = 0;
  RewriteCrc(batch);
  RecordBatchDecoder decoder;
  Status s = decoder.Decode(batch);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("record 1"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("offsetDelta 1"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("lastOffsetDelta 0"), std::string::npos) << s.message();
}

class RecordCodecRoundTrip : public ::testing::TestWithParam<Codec> {};

TEST_P(RecordCodecRoundTrip, DecodesEveryRecordOfACompressedBatch) {
  // 1000 records with a few 40 KB values: several xerial blocks and lz4 blocks, and more than the decoder's first
  // buffer guess, so it has to grow.
  const std::vector<RecordInput> records = MixedRecords(1000);
  BatchOptions options;
  options.base_offset = 5000;
  const std::vector<uint8_t> batch = CompressedBatch(GetParam(), records, options);
  RecordBatchDecoder decoder;
  Status st = decoder.Decode(batch);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(decoder.header().compression(), TypeOf(GetParam()));
  ExpectRecords(decoder, records, 5000);
}

TEST_P(RecordCodecRoundTrip, SmallAndEmptyBatches) {
  for (size_t n : {size_t{0}, size_t{1}, size_t{3}}) {
    SCOPED_TRACE(n);
    const std::vector<RecordInput> records = MixedRecords(n, 0);
    const std::vector<uint8_t> batch = CompressedBatch(GetParam(), records);
    RecordBatchDecoder decoder;
    Status st = decoder.Decode(batch);
    ASSERT_TRUE(st.ok()) << st.ToString();
    ExpectRecords(decoder, records, 0);
  }
}

TEST_P(RecordCodecRoundTrip, BuffersAreReusedOnceWarm) {
  const std::vector<RecordInput> records = MixedRecords(300);
  std::vector<RecordInput> shifted = records;  // same shapes, different bytes
  for (RecordInput& r : shifted) {
    if (r.value && !r.value->empty()) (*r.value)[0] = 'X';
  }
  const std::vector<uint8_t> a = CompressedBatch(GetParam(), records);
  const std::vector<uint8_t> b = CompressedBatch(GetParam(), shifted);
  RecordBatchDecoder decoder;
  ASSERT_TRUE(decoder.Decode(a).ok());
  const size_t capacity = decoder.scratch_capacity();
  const Record* slots = decoder.records().data();
  std::vector<const void*> header_storage;
  for (const Record& r : decoder.records()) header_storage.push_back(r.headers.data());
  for (int round = 0; round < 3; ++round) {
    ASSERT_TRUE(decoder.Decode(round % 2 == 0 ? b : a).ok());
    EXPECT_EQ(decoder.scratch_capacity(), capacity);
    EXPECT_EQ(decoder.records().data(), slots);
    for (size_t i = 0; i < decoder.records().size(); ++i) {
      if (!decoder.records()[i].headers.empty()) {
        EXPECT_EQ(decoder.records()[i].headers.data(), header_storage[i]);
      }
    }
  }
  ExpectRecords(decoder, shifted, 0);
  // The decompressed bytes live in the decoder: the records do not point into the batch.
  const auto* begin = reinterpret_cast<const char*>(b.data());
  const char* key = decoder.records()[0].key->data();
  EXPECT_TRUE(key < begin || key >= begin + b.size());
}

TEST_P(RecordCodecRoundTrip, LogAppendTimeGivesEveryRecordTheMaxTimestamp) {
  const std::vector<RecordInput> records = MixedRecords(20, 0);
  std::vector<uint8_t> batch = CompressedBatch(GetParam(), records);
  SetLogAppendTime(batch, 1800000000000);
  RecordBatchDecoder decoder;
  ASSERT_TRUE(decoder.Decode(batch).ok());
  ASSERT_EQ(decoder.records().size(), 20u);
  for (const Record& r : decoder.records()) EXPECT_EQ(r.timestamp, 1800000000000);
}

TEST_P(RecordCodecRoundTrip, ZipBombIsRefusedNamingTheLimit) {
  // 2 MiB of one byte compresses to a few KB (raw snappy cannot do better than ~21x, so still small).
  std::vector<RecordInput> records(1);
  records[0].value = std::string(2u << 20, 'z');
  BatchOptions options;
  options.base_offset = 77;
  const std::vector<uint8_t> batch = CompressedBatch(GetParam(), records, options);
  RecordBatchDecoder decoder(RecordDecoderOptions{1u << 20, true});
  Status st = decoder.Decode(batch);
  ASSERT_EQ(st.code(), StatusCode::kCorruption) << st.ToString();
  EXPECT_TRUE(Contains(st.message(), "base offset 77"));
  EXPECT_TRUE(Contains(st.message(), CompressionTypeName(TypeOf(GetParam()))));
  EXPECT_TRUE(Contains(st.message(), "1048576"));
  // Under a large enough limit the same batch decodes.
  RecordBatchDecoder roomy(RecordDecoderOptions{4u << 20, true});
  ASSERT_TRUE(roomy.Decode(batch).ok());
  EXPECT_EQ(roomy.records()[0].value->size(), 2u << 20);
}

TEST_P(RecordCodecRoundTrip, CorruptStreamIsCorruptionNamingCodecAndOffset) {
  const std::vector<RecordInput> records = MixedRecords(200, 0);
  BatchOptions options;
  options.base_offset = 42;
  const std::vector<uint8_t> good = CompressedBatch(GetParam(), records, options);
  const std::span<const uint8_t> stream = std::span<const uint8_t>(good).subspan(kRecordsOffset);

  // Cut short: every codec must notice the stream ends early (or the records run short).
  std::vector<uint8_t> cut = WithRecordsField(good, stream.first(stream.size() * 2 / 3), TypeOf(GetParam()));
  RecordBatchDecoder decoder;
  Status st = decoder.Decode(cut);
  ASSERT_EQ(st.code(), StatusCode::kCorruption) << st.ToString();
  EXPECT_TRUE(Contains(st.message(), "record batch at base offset 42"));
  EXPECT_TRUE(Contains(st.message(), CompressionTypeName(TypeOf(GetParam()))));

  // A garbled stream start (the crc is rewritten, so only the codec or the record parser can tell). Garbage in the
  // middle could go unnoticed by codecs without checksums (raw snappy, lz4 and zstd as Kafka clients write them)
  // when it only changes the bytes of a value.
  std::vector<uint8_t> garbled(stream.begin(), stream.end());
  for (size_t i = 0; i < 4; ++i) garbled[i] ^= 0x5a;
  st = decoder.Decode(WithRecordsField(good, garbled, TypeOf(GetParam())));
  ASSERT_EQ(st.code(), StatusCode::kCorruption) << st.ToString();
  EXPECT_TRUE(Contains(st.message(), "base offset 42"));

  // The decoder is still usable after an error.
  st = decoder.Decode(good);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ExpectRecords(decoder, records, 42);
}

INSTANTIATE_TEST_SUITE_P(Codecs, RecordCodecRoundTrip,
                         ::testing::Values(Codec::kGzip, Codec::kSnappyRaw, Codec::kSnappyXerial, Codec::kLz4,
                                           Codec::kLz4WithSizeAndChecksum, Codec::kZstd, Codec::kZstdWithSize),
                         [](const auto& info) { return CodecName(info.param); });

TEST(RecordCodecTest, ConcatenatedStreamsAreOneStream) {
  const std::vector<RecordInput> records = MixedRecords(100, 0);
  const std::vector<uint8_t> plain = BuildRecordBatch(records);
  const std::span<const uint8_t> body = std::span<const uint8_t>(plain).subspan(kRecordsOffset);
  const size_t half = body.size() / 2;
  struct Case {
    Codec codec;
    CompressionType type;
  };
  for (Case c : {Case{Codec::kGzip, CompressionType::kGzip}, Case{Codec::kLz4, CompressionType::kLz4},
                 Case{Codec::kZstd, CompressionType::kZstd}}) {
    SCOPED_TRACE(CodecName(c.codec));
    std::vector<uint8_t> stream = Compress(c.codec, body.first(half));
    const std::vector<uint8_t> second = Compress(c.codec, body.subspan(half));
    stream.insert(stream.end(), second.begin(), second.end());
    RecordBatchDecoder decoder;
    Status st = decoder.Decode(WithRecordsField(plain, stream, c.type));
    ASSERT_TRUE(st.ok()) << st.ToString();
    ExpectRecords(decoder, records, 0);
  }
}

TEST(RecordCodecTest, XerialWithSmallBlocksAndTruncatedBlock) {
  const std::vector<RecordInput> records = MixedRecords(100, 0);
  const std::vector<uint8_t> plain = BuildRecordBatch(records);
  const std::span<const uint8_t> body = std::span<const uint8_t>(plain).subspan(kRecordsOffset);
  const std::vector<uint8_t> stream = SnappyXerial(body, 100);  // many blocks
  RecordBatchDecoder decoder;
  ASSERT_TRUE(decoder.Decode(WithRecordsField(plain, stream, CompressionType::kSnappy)).ok());
  ExpectRecords(decoder, records, 0);

  // A block length that runs past the end.
  std::vector<uint8_t> bad = stream;
  bad[16] = 0x7f;
  Status st = decoder.Decode(WithRecordsField(plain, bad, CompressionType::kSnappy));
  ASSERT_EQ(st.code(), StatusCode::kCorruption);
  EXPECT_TRUE(Contains(st.message(), "xerial snappy block 0: length"));
  EXPECT_TRUE(Contains(st.message(), "runs past the end"));
}

TEST(RecordCodecTest, RawSnappyClaimingTooMuchIsRefusedBeforeDecompressing) {
  std::vector<uint8_t> plain = BuildRecordBatch(MixedRecords(2, 0));
  // A raw block whose length varint claims 2^31 bytes.
  const std::vector<uint8_t> stream = {0x80, 0x80, 0x80, 0x80, 0x08, 0x00};
  RecordBatchDecoder decoder;
  Status st = decoder.Decode(WithRecordsField(plain, stream, CompressionType::kSnappy));
  ASSERT_EQ(st.code(), StatusCode::kCorruption);
  EXPECT_TRUE(Contains(st.message(), "claims 2147483648 uncompressed bytes"));
}

TEST(RecordCodecTest, ControlBatchYieldsNoRecords) {
  // A commit marker: key (version 0, type 1 = COMMIT), value (version 0, coordinator epoch 5).
  RecordInput marker;
  marker.key = std::string("\x00\x00\x00\x01", 4);
  marker.value = std::string("\x00\x00\x00\x00\x00\x05", 6);
  marker.timestamp = 1700000000000;
  BatchOptions options;
  options.base_offset = 9;
  options.is_transactional = true;
  options.producer_id = 12;
  options.producer_epoch = 0;
  std::vector<uint8_t> batch = BuildRecordBatch({marker}, options);
  SetAttributes(&batch, static_cast<int16_t>(Attributes(batch) | kControlBit));
  RewriteCrc(batch);
  RecordBatchDecoder decoder;
  ASSERT_TRUE(decoder.Decode(batch).ok());
  EXPECT_TRUE(decoder.header().is_control());
  EXPECT_TRUE(decoder.records().empty());
  EXPECT_EQ(decoder.header().last_offset(), 9);
}

TEST(RecordCodecTest, TransactionalRecordsAreReturned) {
  BatchOptions options;
  options.is_transactional = true;
  options.producer_id = 12;
  options.producer_epoch = 0;
  options.base_sequence = 0;
  const std::vector<RecordInput> records = MixedRecords(5, 0);
  RecordBatchDecoder decoder;
  ASSERT_TRUE(decoder.Decode(CompressedBatch(Codec::kZstd, records, options)).ok());
  EXPECT_TRUE(decoder.header().is_transactional());
  ExpectRecords(decoder, records, 0);
}

TEST(RecordCodecTest, CrcMismatchIsCorruptionUnlessCheckingIsOff) {
  const std::vector<RecordInput> records = MixedRecords(10, 0);
  BatchOptions options;
  options.base_offset = 3;
  std::vector<uint8_t> batch = CompressedBatch(Codec::kGzip, records, options);
  batch[kMaxTimestampOffset + 7] ^= 1;  // covered by the crc, harmless to the records
  RecordBatchDecoder decoder;
  Status st = decoder.Decode(batch);
  ASSERT_EQ(st.code(), StatusCode::kCorruption);
  EXPECT_TRUE(Contains(st.message(), "record batch at base offset 3 (gzip): record batch crc mismatch"));
  RecordBatchDecoder unchecked(RecordDecoderOptions{kDefaultMaxDecompressedBatchBytes, false});
  ASSERT_TRUE(unchecked.Decode(batch).ok());
  ExpectRecords(unchecked, records, 3);
}

TEST(RecordCodecTest, RecordsCountThatDoesNotMatchIsCorruption) {
  const std::vector<RecordInput> records = MixedRecords(10, 0);
  std::vector<uint8_t> batch = CompressedBatch(Codec::kLz4, records);
  // Claim 11 records: the 11th is missing.
  batch[kRecordsCountOffset + 3] = 11;
  RewriteCrc(batch);
  RecordBatchDecoder decoder;
  Status st = decoder.Decode(batch);
  ASSERT_EQ(st.code(), StatusCode::kCorruption);
  EXPECT_TRUE(Contains(st.message(), "record 10 at byte"));
  EXPECT_TRUE(Contains(st.message(), "of the decompressed records"));
  // Claim 9: bytes are left over.
  batch[kRecordsCountOffset + 3] = 9;
  RewriteCrc(batch);
  st = decoder.Decode(batch);
  ASSERT_EQ(st.code(), StatusCode::kCorruption);
  EXPECT_TRUE(Contains(st.message(), "follow the last of its recordsCount 9 records"));
  // Claim far more records than the bytes could hold: refused before reserving anything.
  batch[kRecordsCountOffset] = 0x10;
  RewriteCrc(batch);
  st = decoder.Decode(batch);
  ASSERT_EQ(st.code(), StatusCode::kCorruption);
  EXPECT_TRUE(Contains(st.message(), "more than"));
}

TEST(RecordCodecTest, MalformedRecordNamesFieldAndBatchPosition) {
  std::vector<uint8_t> batch = BuildRecordBatch(MixedRecords(3, 0));
  // Record 0's key length (after length, attributes, timestampDelta, offsetDelta: 4 bytes) becomes 63.
  batch[kRecordsOffset + 4] = 0x7e;
  RewriteCrc(batch);
  RecordBatchDecoder decoder;
  Status st = decoder.Decode(batch);
  ASSERT_EQ(st.code(), StatusCode::kCorruption);
  EXPECT_TRUE(Contains(st.message(),
                       "(none): record 0 at byte 61 of the batch: key at byte 65 is a length that runs "
                       "past the end of the record"));
}

TEST(RecordCodecTest, UnknownCodecAndTruncatedBatchAreRefusedByTheHeaderCheck) {
  std::vector<uint8_t> batch = BuildRecordBatch(MixedRecords(3, 0));
  SetAttributes(&batch, 5);
  RecordBatchDecoder decoder;
  Status st = decoder.Decode(batch);
  ASSERT_EQ(st.code(), StatusCode::kCorruption);
  EXPECT_TRUE(Contains(st.message(), "compression codec 5"));
  batch = BuildRecordBatch(MixedRecords(3, 0));
  st = decoder.Decode(std::span<const uint8_t>(batch).first(batch.size() - 1));
  ASSERT_EQ(st.code(), StatusCode::kCorruption);
  EXPECT_TRUE(Contains(st.message(), "record batch at base offset 0: record batch truncated"));
}

}  // namespace
}  // namespace floe::kafka
