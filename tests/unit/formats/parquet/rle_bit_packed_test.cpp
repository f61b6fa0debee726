#include "floe/formats/parquet/rle_bit_packed.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

namespace floe::parquet {
namespace {

std::string Unhex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  return out;
}

std::string Bytes(std::initializer_list<uint8_t> b) {
  return std::string(b.begin(), b.end());
}

std::string Encode(const std::vector<uint32_t>& values, int bit_width) {
  RleBitPackedEncoder enc(bit_width);
  for (uint32_t v : values) enc.Put(v);
  std::string out;
  enc.Finish(&out);
  return out;
}

// Decodes `n` values, asking for them `chunk` at a time.
Status Decode(std::string_view data, int bit_width, size_t n, size_t chunk, std::vector<uint32_t>* out) {
  RleBitPackedDecoder dec(data, bit_width);
  out->assign(n, 0xdeadbeef);
  for (size_t i = 0; i < n; i += chunk) FLOE_RETURN_IF_ERROR(dec.Get(out->data() + i, std::min(chunk, n - i)));
  return Status::Ok();
}

// Encodings.md, "Run Length Encoding / Bit-Packing Hybrid", note 1: 0..7 with bit width 3.
TEST(BitPackingTest, PacksTheSpecExampleLsbFirst) {
  const uint32_t values[8] = {0, 1, 2, 3, 4, 5, 6, 7};
  uint8_t packed[3];
  PackBitGroups(values, 3, 1, packed);
  EXPECT_EQ(packed[0], 0b10001000);
  EXPECT_EQ(packed[1], 0b11000110);
  EXPECT_EQ(packed[2], 0b11111010);
  uint32_t back[8];
  UnpackBitGroups(packed, 3, 1, back);
  EXPECT_EQ(std::vector<uint32_t>(back, back + 8), std::vector<uint32_t>(values, values + 8));
}

TEST(BitPackingTest, RoundTripsEveryWidthUpTo64) {
  std::mt19937_64 rng(7);
  for (int w = 0; w <= 64; ++w) {
    for (size_t groups : {1, 2, 5, 40}) {
      const uint64_t mask = w == 64 ? ~uint64_t{0} : (uint64_t{1} << w) - 1;
      std::vector<uint64_t> in(8 * groups);
      for (auto& v : in) v = rng() & mask;
      std::vector<uint8_t> packed(groups * w + 1, 0xAB);
      PackBitGroups(in.data(), w, groups, packed.data());
      EXPECT_EQ(packed.back(), 0xAB) << "wrote past " << groups * w << " bytes at width " << w;
      // Unpack from an exactly sized heap block, so that ASan sees any read past it.
      const std::vector<uint8_t> exact(packed.begin(), packed.end() - 1);
      std::vector<uint64_t> out(in.size());
      UnpackBitGroups(exact.data(), w, groups, out.data());
      EXPECT_EQ(out, in) << "width " << w << " groups " << groups;
      if (w <= 32) {
        std::vector<uint32_t> in32(in.begin(), in.end()), out32(in.size());
        std::vector<uint8_t> packed32(groups * w);
        PackBitGroups(in32.data(), w, groups, packed32.data());
        EXPECT_EQ(packed32, exact);
        UnpackBitGroups(packed32.data(), w, groups, out32.data());
        EXPECT_EQ(out32, in32);
      }
      if (w <= 16) {
        std::vector<uint16_t> out16(in.size());
        UnpackBitGroups(exact.data(), w, groups, out16.data());
        EXPECT_TRUE(std::equal(out16.begin(), out16.end(), in.begin())) << "width " << w;
      }
      if (w <= 8) {
        std::vector<uint8_t> out8(in.size());
        UnpackBitGroups(exact.data(), w, groups, out8.data());
        EXPECT_TRUE(std::equal(out8.begin(), out8.end(), in.begin())) << "width " << w;
      }
    }
  }
}

TEST(BitPackingTest, BitWidthOfMaxValue) {
  EXPECT_EQ(BitWidthOf(0), 0);
  EXPECT_EQ(BitWidthOf(1), 1);
  EXPECT_EQ(BitWidthOf(2), 2);
  EXPECT_EQ(BitWidthOf(7), 3);
  EXPECT_EQ(BitWidthOf(8), 4);
  EXPECT_EQ(BitWidthOf(0xFFFFFFFF), 32);
  EXPECT_EQ(BitWidthOf(~uint64_t{0}), 64);
}

TEST(RleBitPackedEncoderTest, WritesRepeatsAsOneRleRun) {
  EXPECT_EQ(Encode(std::vector<uint32_t>(100, 0), 1), Bytes({0xC8, 0x01, 0x00}));       // varint(100 << 1), value 0
  EXPECT_EQ(Encode(std::vector<uint32_t>(10, 0x1234), 13), Bytes({0x14, 0x34, 0x12}));  // 2-byte value
  EXPECT_EQ(Encode(std::vector<uint32_t>(8, 5), 32), Bytes({0x10, 0x05, 0x00, 0x00, 0x00}));
  EXPECT_EQ(Encode(std::vector<uint32_t>(3, 1), 1), Bytes({0x06, 0x01}));     // a short tail of one value
  EXPECT_EQ(Encode(std::vector<uint32_t>(1000, 0), 0), Bytes({0xD0, 0x0F}));  // width 0: no value bytes
  EXPECT_EQ(Encode({}, 5), "");
}

TEST(RleBitPackedEncoderTest, BitPacksMixedValuesInPaddedGroupsOf8) {
  // 0..7 at width 3 is one group: header (1 << 1) | 1, then the spec's three bytes.
  EXPECT_EQ(Encode({0, 1, 2, 3, 4, 5, 6, 7}, 3), Bytes({0x03, 0x88, 0xC6, 0xFA}));
  // 1, 0, 1 padded with zeros to a group of 8.
  EXPECT_EQ(Encode({1, 0, 1}, 1), Bytes({0x03, 0x05}));
}

TEST(RleBitPackedEncoderTest, EndsBitPackedRunsAfter63Groups) {
  std::vector<uint32_t> alternating(64 * 8);
  for (size_t i = 0; i < alternating.size(); ++i) alternating[i] = i % 2;
  const std::string enc = Encode(alternating, 1);
  // 63 groups (header 127), then one more group (header 3).
  ASSERT_EQ(enc.size(), 1 + 63 + 1 + 1u);
  EXPECT_EQ(static_cast<uint8_t>(enc[0]), 127);
  EXPECT_EQ(static_cast<uint8_t>(enc[64]), 3);
}

// Definition levels of pyarrow 26's nullable INT32 column x, where row i is null if i % 7 == 3, 40 <= i < 60 or
// i % 11 == 0 (the generator is described in page_compression_test.cpp). Data page v1, so the levels carry the
// 4-byte length prefix; the plain values 1 and 2 follow them.
constexpr std::string_view kPyarrowDefLevelsV1 = "0e0000000bf6f3bd7ebd28000bbfdfede77b0100000002000000";

std::vector<uint32_t> PyarrowDefLevels() {
  std::vector<uint32_t> levels(100);
  for (int i = 0; i < 100; ++i) levels[i] = (i % 7 == 3 || (i >= 40 && i < 60) || i % 11 == 0) ? 0 : 1;
  return levels;
}

// The RLE_DICTIONARY data page of pyarrow's INT32 column 100 + idx(i): a bit-width byte, then the indices.
constexpr std::string_view kPyarrowDictIndices = "030988464423a211d188684434924c04090b162c58b060c182050b1600";

std::vector<uint32_t> PyarrowDictIndices() {
  // The dictionary holds the values in order of first appearance: 100, 102, 104, 101, 103.
  const uint32_t position[5] = {0, 3, 1, 4, 2};
  std::vector<uint32_t> indices(100);
  for (int i = 0; i < 100; ++i) indices[i] = position[i < 30 ? (i * 7) % 5 : (i < 70 ? 3 : i % 3)];
  return indices;
}

TEST(RleBitPackedDecoderTest, ReadsPyarrowDefinitionLevelsFromAV1Page) {
  const std::string page = Unhex(kPyarrowDefLevelsV1);
  size_t consumed = 0;
  auto levels = SplitLengthPrefixed(page, &consumed);
  ASSERT_TRUE(levels.ok()) << levels.status().ToString();
  EXPECT_EQ(consumed, 4 + 14u);
  EXPECT_EQ(levels->size(), 14u);
  for (size_t chunk : {1, 3, 8, 100}) {
    std::vector<uint32_t> got;
    ASSERT_TRUE(Decode(*levels, 1, 100, chunk, &got).ok());
    EXPECT_EQ(got, PyarrowDefLevels()) << "chunk " << chunk;
  }
}

TEST(RleBitPackedEncoderTest, MatchesPyarrowDefinitionLevelsByteForByte) {
  EXPECT_EQ(Encode(PyarrowDefLevels(), 1), Unhex(kPyarrowDefLevelsV1).substr(4, 14));
}

TEST(RleBitPackedDecoderTest, ReadsPyarrowDictionaryIndices) {
  const std::string page = Unhex(kPyarrowDictIndices);
  const int bit_width = static_cast<uint8_t>(page[0]);
  ASSERT_EQ(bit_width, 3);
  std::vector<uint32_t> got;
  ASSERT_TRUE(Decode(std::string_view(page).substr(1), bit_width, 100, 100, &got).ok());
  EXPECT_EQ(got, PyarrowDictIndices());
  EXPECT_EQ(Encode(PyarrowDictIndices(), 3), page.substr(1));
}

// Value patterns that exercise both run kinds and their boundaries.
std::vector<uint32_t> MakeValues(size_t n, int bit_width, int pattern, std::mt19937& rng) {
  const uint32_t mask = bit_width == 32 ? ~0u : (1u << bit_width) - 1;
  std::vector<uint32_t> v(n);
  uint32_t current = rng() & mask;
  for (size_t i = 0; i < n; ++i) {
    switch (pattern) {
      case 0: v[i] = rng() & mask; break;  // random
      case 1: v[i] = mask; break;          // one run of the widest value
      case 2:                              // runs of random lengths
        if (rng() % 13 == 0) current = rng() & mask;
        v[i] = current;
        break;
      default:  // mostly one value, with outliers, like definition levels of a sparse column
        v[i] = rng() % 17 == 0 ? (rng() & mask) : (mask >> 1);
    }
  }
  return v;
}

TEST(RleBitPackedTest, RoundTripsRandomDataOfManySizesAndWidths) {
  std::mt19937 rng(42);
  for (int w : {0, 1, 2, 3, 7, 8, 9, 13, 16, 17, 31, 32}) {
    for (size_t n : {0, 1, 7, 8, 9, 15, 16, 63, 64, 65, 504, 505, 1000, 4097}) {
      for (int pattern = 0; pattern < 4; ++pattern) {
        const std::vector<uint32_t> values = MakeValues(n, w, pattern, rng);
        RleBitPackedEncoder enc(w);
        for (uint32_t v : values) enc.Put(v);
        const size_t estimate = enc.EstimatedSize();
        std::string data = "prefix";
        enc.Finish(&data);
        data = data.substr(6);
        EXPECT_LE(data.size(), estimate) << "w=" << w << " n=" << n;
        for (size_t chunk : {size_t{1}, size_t{5}, size_t{8}, size_t{37}, n + 1}) {
          std::vector<uint32_t> got;
          Status s = Decode(data, w, n, chunk, &got);
          ASSERT_TRUE(s.ok()) << s.ToString() << " w=" << w << " n=" << n << " pattern=" << pattern;
          ASSERT_EQ(got, values) << "w=" << w << " n=" << n << " pattern=" << pattern << " chunk=" << chunk;
        }
        if (w <= 16) {
          std::vector<uint16_t> got16(n);
          RleBitPackedDecoder dec(data, w);
          ASSERT_TRUE(dec.Get(got16.data(), n).ok());
          EXPECT_TRUE(std::equal(got16.begin(), got16.end(), values.begin()));
        }
        if (w <= 8) {
          std::vector<uint8_t> got8(n);
          RleBitPackedDecoder dec(data, w);
          ASSERT_TRUE(dec.Get(got8.data(), n).ok());
          EXPECT_TRUE(std::equal(got8.begin(), got8.end(), values.begin()));
        }
        // The encoder is reusable after Finish.
        for (uint32_t v : values) enc.Put(v);
        std::string again;
        enc.Finish(&again);
        EXPECT_EQ(again, data);
      }
    }
  }
}

// The bulk forms must write exactly what Put writes value by value, however the values are split between calls.
TEST(RleBitPackedEncoderTest, BatchAndRepeatedPutsWriteTheSameBytesAsPut) {
  std::mt19937 rng(7);
  for (int w : {0, 1, 2, 3, 8, 9, 17, 32}) {
    for (size_t n : {0, 1, 7, 8, 9, 63, 64, 65, 504, 505, 513, 1000, 4097}) {
      for (int pattern = 0; pattern < 4; ++pattern) {
        const std::vector<uint32_t> values = MakeValues(n, w, pattern, rng);
        const std::string expected = Encode(values, w);
        for (size_t split : {size_t{1}, size_t{3}, size_t{8}, size_t{13}, size_t{64}, n + 1}) {
          RleBitPackedEncoder enc(w);
          size_t i = 0;
          while (i < n) {
            size_t k = std::min(split, n - i);
            // Some pieces go through PutRepeated when they are one value repeated.
            if (k > 1 &&
                std::all_of(values.begin() + i, values.begin() + i + k, [&](uint32_t x) { return x == values[i]; })) {
              enc.PutRepeated(values[i], k);
            } else if (k == 1) {
              enc.Put(values[i]);
            } else {
              enc.PutBatch(values.data() + i, k);
            }
            i += k;
          }
          std::string got;
          enc.Finish(&got);
          ASSERT_EQ(got, expected) << "w=" << w << " n=" << n << " pattern=" << pattern << " split=" << split;
          if (w <= 8) {
            std::vector<uint8_t> narrow(values.begin(), values.end());
            RleBitPackedEncoder enc8(w);
            for (size_t j = 0; j < n; j += split) enc8.PutBatch(narrow.data() + j, std::min(split, n - j));
            std::string got8;
            enc8.Finish(&got8);
            ASSERT_EQ(got8, expected) << "uint8 w=" << w << " n=" << n << " pattern=" << pattern;
          }
        }
      }
    }
  }
}

TEST(RleBitPackedEncoderTest, RepeatsLongerThanOneRunHoldsAreSplit) {
  // Encodings.md: a run holds at most 2^31 - 1 values. 2^31 + 5 zeros at width 1 are such a run, then the 6 left
  // over as a short run of their own.
  RleBitPackedEncoder enc(1);
  enc.PutRepeated(0, (size_t{1} << 31) + 5);
  std::string got;
  enc.Finish(&got);
  // varint((2^31 - 1) << 1) = fe ff ff ff 0f, value 0; then varint(6 << 1) = 0c, value 0.
  EXPECT_EQ(got, Bytes({0xFE, 0xFF, 0xFF, 0xFF, 0x0F, 0x00, 0x0C, 0x00}));
}

TEST(RleBitPackedDecoderTest, SkipsAcrossRunKinds) {
  std::mt19937 rng(3);
  const std::vector<uint32_t> values = MakeValues(3000, 5, 2, rng);
  const std::string data = Encode(values, 5);
  RleBitPackedDecoder dec(data, 5);
  size_t pos = 0;
  for (size_t step : {3, 1, 17, 8, 250, 64, 1000}) {
    ASSERT_TRUE(dec.Skip(step).ok());
    pos += step;
    uint32_t v;
    ASSERT_TRUE(dec.Get(&v, 1).ok());
    EXPECT_EQ(v, values[pos]) << pos;
    ++pos;
  }
  EXPECT_EQ(dec.values_read(), pos);
  EXPECT_FALSE(dec.Skip(values.size()).ok());
}

TEST(RleBitPackedDecoderTest, PeeksRepeatedRunsWithoutConsumingThem) {
  std::vector<uint32_t> values(16, 2);  // an RLE run of 16 after a bit-packed group
  values.insert(values.begin(), {0, 1, 2, 3, 0, 1, 2, 3});
  const std::string data = Encode(values, 2);
  RleBitPackedDecoder dec(data, 2);
  uint32_t v = 99;
  EXPECT_EQ(dec.PeekRepeatedRun(&v), 0u);  // bit-packed first
  ASSERT_TRUE(dec.Skip(8).ok());
  EXPECT_EQ(dec.PeekRepeatedRun(&v), 16u);
  EXPECT_EQ(v, 2u);
  ASSERT_TRUE(dec.Skip(10).ok());
  EXPECT_EQ(dec.PeekRepeatedRun(&v), 6u);
  ASSERT_TRUE(dec.Skip(6).ok());
  EXPECT_EQ(dec.PeekRepeatedRun(&v), 0u);  // ended
}

TEST(RleBitPackedDecoderTest, ARunLongerThanAskedForIsServedInPieces) {
  const std::string data = Bytes({0xFE, 0xFF, 0xFF, 0xFF, 0x0F, 0x01});  // a run of 2^31 - 1 ones
  RleBitPackedDecoder dec(data, 1);
  std::vector<uint32_t> out(1000);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(dec.Get(out.data(), out.size()).ok());
  EXPECT_EQ(out, std::vector<uint32_t>(1000, 1));
  uint32_t v;
  EXPECT_EQ(dec.PeekRepeatedRun(&v), (size_t{1} << 31) - 1 - 5000);
}

// --- Hostile input: every malformed stream is a Corruption, never a crash or a read past the data. ---

void ExpectCorrupt(const std::string& data, int bit_width, size_t n, std::string_view message_part) {
  std::vector<uint32_t> out(n);
  RleBitPackedDecoder dec(data, bit_width);
  Status s = dec.Get(out.data(), n);
  EXPECT_EQ(s.code(), StatusCode::kCorruption) << s.ToString();
  EXPECT_NE(s.message().find(message_part), std::string::npos) << s.message();
}

TEST(RleBitPackedCorruptionTest, DataEndingEarlySaysHowManyValuesItHeld) {
  ExpectCorrupt("", 3, 1, "ended after 0 values");
  ExpectCorrupt(Bytes({0x06, 0x01}), 1, 4, "ended after 3 values");
  std::vector<uint32_t> out(10);
  const std::string three_ones = Bytes({0x06, 0x01});
  RleBitPackedDecoder dec(three_ones, 1);
  EXPECT_FALSE(dec.Get(out.data(), 10).ok());
  EXPECT_EQ(out[0], 1u);  // the values before the end are delivered
  EXPECT_EQ(dec.values_read(), 3u);
}

TEST(RleBitPackedCorruptionTest, MalformedRunHeaders) {
  ExpectCorrupt(Bytes({0x80}), 1, 1, "cut off");                                  // varint without its end
  ExpectCorrupt(Bytes({0x80, 0x80, 0x80, 0x80, 0x80, 0x01}), 1, 1, "at most 5");  // too long
  ExpectCorrupt(Bytes({0xFF, 0xFF, 0xFF, 0xFF, 0x7F}), 1, 1, "at most 5");        // beyond 32 bits
  ExpectCorrupt(Bytes({0x00, 0x01}), 1, 1, "zero-length run");
  ExpectCorrupt(Bytes({0x01}), 1, 1, "zero-length run");
}

TEST(RleBitPackedCorruptionTest, RleValuesCutOffOrTooWide) {
  ExpectCorrupt(Bytes({0x10, 0x34}), 13, 1, "value is cut off");
  ExpectCorrupt(Bytes({0x10, 0x02}), 1, 1, "does not fit in 1 bits");
}

TEST(RleBitPackedCorruptionTest, BitPackedRunsRunningPastTheEnd) {
  // Declares 2 groups of width 8 (16 bytes) but holds 10: the first 10 values are readable.
  std::string data = Bytes({0x05});
  for (int i = 0; i < 10; ++i) data.push_back(static_cast<char>(i + 1));
  std::vector<uint32_t> out(10);
  RleBitPackedDecoder dec(data, 8);
  ASSERT_TRUE(dec.Get(out.data(), 10).ok());
  EXPECT_EQ(out[9], 10u);
  uint32_t v;
  Status s = dec.Get(&v, 1);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("ended after 10 values"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("bit-packed run is cut off"), std::string::npos) << s.message();
  // A header that promises 2^30 groups in a few bytes.
  ExpectCorrupt(Bytes({0xFF, 0xFF, 0xFF, 0xFF, 0x07, 0xAA}), 3, 100, "ended after 2 values");
}

TEST(RleBitPackedCorruptionTest, WidthsOutsideTheRangeAreRejected) {
  ExpectCorrupt(Bytes({0x02, 0x00}), 33, 1, "outside 0..32");
  std::vector<uint8_t> small(1);
  const std::string data = Bytes({0x02, 0x00, 0x01});
  RleBitPackedDecoder dec(data, 9);
  EXPECT_EQ(dec.Get(small.data(), 1).code(), StatusCode::kInvalidArgument);
}

TEST(RleBitPackedCorruptionTest, RandomGarbageNeverCrashes) {
  std::mt19937 rng(1234);
  for (int iter = 0; iter < 3000; ++iter) {
    std::string data(rng() % 40, '\0');
    for (char& c : data) c = static_cast<char>(rng());
    const int w = rng() % 33;
    RleBitPackedDecoder dec(data, w);
    std::vector<uint32_t> out(1 + rng() % 600);
    for (int k = 0; k < 4; ++k) {
      if (!dec.Get(out.data(), out.size()).ok()) break;
      uint32_t v;
      dec.PeekRepeatedRun(&v);
    }
  }
}

TEST(SplitLengthPrefixedTest, RejectsShortPagesAndOverlongLengths) {
  size_t consumed = 0;
  EXPECT_EQ(SplitLengthPrefixed(Bytes({0x01, 0x00}), &consumed).status().code(), StatusCode::kCorruption);
  auto r = SplitLengthPrefixed(Bytes({0x03, 0x00, 0x00, 0x00, 0xAA, 0xBB}), &consumed);
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
  EXPECT_NE(r.status().message().find("says 3 bytes but only 2 follow"), std::string::npos);
  EXPECT_EQ(SplitLengthPrefixed(Bytes({0xFF, 0xFF, 0xFF, 0xFF, 0xAA}), &consumed).status().code(),
            StatusCode::kCorruption);
  auto empty = SplitLengthPrefixed(Bytes({0x00, 0x00, 0x00, 0x00, 0xAA}), &consumed);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
  EXPECT_EQ(consumed, 4u);
}

}  // namespace
}  // namespace floe::parquet
