#include "floe/formats/parquet/delta_encoding.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "floe/base/varint.h"

namespace floe::parquet {
namespace {

std::string Unhex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  return out;
}

std::string Uleb(uint64_t v) {
  uint8_t buf[kMaxVarint64Bytes];
  return std::string(reinterpret_cast<char*>(buf), EncodeUnsignedVarint(v, buf));
}

// A column of strings in the decoders' layout.
struct Strings {
  std::vector<int64_t> offsets;
  std::string bytes;
  std::vector<std::string> ToVector() const {
    std::vector<std::string> out;
    for (size_t i = 0; i + 1 < offsets.size(); ++i)
      out.push_back(bytes.substr(offsets[i], offsets[i + 1] - offsets[i]));
    return out;
  }
};
Strings FromVector(const std::vector<std::string>& values) {
  Strings s;
  s.offsets.push_back(0);
  for (const auto& v : values) {
    s.bytes += v;
    s.offsets.push_back(static_cast<int64_t>(s.bytes.size()));
  }
  return s;
}

// The data pages below were written by pyarrow 26.0.1 (use_dictionary=False, compression='none', data page v1,
// required columns, so that the page body is exactly the encoded values) and cut out of the files by parsing the
// page headers; the generator script is not kept, its inputs are the Expected* functions.

// DELTA_BINARY_PACKED INT32: 156 values over two blocks of 128, ending with the INT32 extremes, whose deltas wrap.
constexpr std::string_view kPyarrowDeltaInt32 =
    "8001049c01e707f50d0b0b0b0b1247947958aa4800188dd10242aa2f0828366019982fc204a1dfb8a523c0da83879ac3978f69a3"
    "4f38d88e625a868e4519213d98d9993d324585fb982669049985950a449bb1182c18649a9070e2029267c82944d0f98b4ba2c588"
    "1779a7313cf996267ac49ecd28a55da858927e5283957dd9224b08ba8d592a82ab3958a83874b99834ea0483e908a664e018948c"
    "c203999fb82352407a8f679ac28f4f69a13fac799a4272c1a505e9262d18d9959affffffff0f20000000cffcff7f150000805b03"
    "0080d1feff7f2ffeff7f75010080d3000080310000808fffff7fedfeff7f33020080a9fdff7fef0000804d000080abffff7f09ff"
    "ff7f4f020080c5fdff7f0b01008069000080c7ffff7f24ffffff010000800000000005000080fbffffffffffff7f000000000000"
    "0000000000000000000000000000";
std::vector<int32_t> ExpectedDeltaInt32() {
  std::vector<int32_t> v;
  for (int64_t i = 0; i < 150; ++i) v.push_back(static_cast<int32_t>((i * i * 7919) % 1000 - 500));
  constexpr int32_t kMin = std::numeric_limits<int32_t>::min(), kMax = std::numeric_limits<int32_t>::max();
  v.insert(v.end(), {kMax, kMin, 0, 5, kMin, kMax});
  return v;
}

// DELTA_BINARY_PACKED INT64: 22 values beyond 32 bits. Arrow writes INT64 in blocks of 256 values.
constexpr std::string_view kPyarrowDeltaInt64 =
    "8002041600ffff9fc4a101240000000000303105000013530000a853040080eb60000030310500006237000040ec060000135300"
    "0098980200809c7c00003031050000b11b000050a70800001353000088dd0000804d9800003031050000000000006062baffffeb"
    "240800440c0500000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000";
std::vector<int64_t> ExpectedDeltaInt64() {
  std::vector<int64_t> v;
  for (int64_t i = 0; i < 20; ++i) v.push_back(((i * 104729) % 100003) * (i % 3 ? 1 : -1) * (int64_t{1} << 17));
  v.insert(v.end(), {-5, 3});
  return v;
}

// DELTA_LENGTH_BYTE_ARRAY and DELTA_BYTE_ARRAY string columns.
constexpr std::string_view kPyarrowDeltaLength =
    "8001040c004506000000e439b63c108ee856020000000000000000000000000000006168656c6c6f776f726c6448656c6c6f2c20"
    "506172717565742178787878787878787878787878787878787878787878787878787878787878787878787878787878c3a974c3"
    "a961626361626461626364656667687a7a";
std::vector<std::string> ExpectedDeltaLengthStrings() {
  return {"",    "a",        "hello", "world", "Hello, Parquet!", std::string(40, 'x'), "\xc3\xa9t\xc3\xa9", "abc",
          "abd", "abcdefgh", "",      "zz"};
}
constexpr std::string_view kPyarrowDeltaByteArray =
    "8001040e000b04000000487926769890030000000000000000008001040e08090400000093045566364708000000000000000000"
    "617869736c65626162626c6579686f6f6463617270657473646f676d617a65627261";
std::vector<std::string> ExpectedDeltaByteArrayStrings() {
  return {"axis", "axle", "babble", "babyhood", "baby", "baby",  "",
          "c",    "car",  "carpet", "carpets",  "dog",  "dogma", "zebra"};
}

// BYTE_STREAM_SPLIT FLOAT and DOUBLE columns of the same 8 numbers.
constexpr std::string_view kPyarrowSplitFloat = "000000d0ca6000000000000ff2420000c010004949a280283fc00040718d7f42";
constexpr std::string_view kPyarrowSplitDouble =
    "0000006eeaa00000000000868cc200000000001ba0eb0000000000f039fe0000000000f9594b0000000000213e480000f8020009"
    "29b4f0453fc0004046b97f40";
const double kSplitNumbers[] = {1.5, -2.25, 0.0, 3.14159, 1e30, -1e-30, INFINITY, 42.0};

template <typename T>
std::vector<T> DecodeInts(std::string_view data, size_t* consumed) {
  std::vector<T> out;
  Status s = DecodeDeltaBinaryPacked(data, 1 << 20, &out, consumed);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

// --- DELTA_BINARY_PACKED ---

// Encodings.md, "Delta Encoding", example 2 (7, 5, 3, 1, 2, 3, 4, 5) in a valid block shape: deltas -2 -2 -2 1 1 1 1,
// min delta -2, relative deltas 0 0 0 3 3 3 3 packed on 2 bits into one miniblock of 32 values. pyarrow writes the
// same bytes.
TEST(DeltaBinaryPackedTest, SpecExampleInTheSmallestValidBlock) {
  const std::string expected = Unhex("800104080e0302000000c03f000000000000");
  std::string enc;
  const std::vector<int32_t> values = {7, 5, 3, 1, 2, 3, 4, 5};
  EncodeDeltaBinaryPacked(values, &enc);
  EXPECT_EQ(enc, expected);
  size_t consumed = 0;
  EXPECT_EQ(DecodeInts<int32_t>(expected, &consumed), values);
  EXPECT_EQ(consumed, expected.size());
  // Example 1: 1 2 3 4 5 is all min delta: every miniblock has bit width 0 and no data.
  enc.clear();
  EncodeDeltaBinaryPacked(std::vector<int32_t>{1, 2, 3, 4, 5}, &enc);
  EXPECT_EQ(enc, Unhex("80010405020200000000"));
}

TEST(DeltaBinaryPackedTest, ReadsAndWritesPyarrowInt32ByteForByte) {
  const std::string page = Unhex(kPyarrowDeltaInt32);
  size_t consumed = 0;
  EXPECT_EQ(DecodeInts<int32_t>(page, &consumed), ExpectedDeltaInt32());
  EXPECT_EQ(consumed, page.size());
  std::string enc;
  EncodeDeltaBinaryPacked(ExpectedDeltaInt32(), &enc);
  EXPECT_EQ(enc, page);
}

TEST(DeltaBinaryPackedTest, ReadsAndWritesPyarrowInt64ByteForByte) {
  const std::string page = Unhex(kPyarrowDeltaInt64);
  size_t consumed = 0;
  EXPECT_EQ(DecodeInts<int64_t>(page, &consumed), ExpectedDeltaInt64());
  EXPECT_EQ(consumed, page.size());
  std::string enc;
  EncodeDeltaBinaryPacked(ExpectedDeltaInt64(), &enc, {.block_size = 256, .miniblocks = 4});
  EXPECT_EQ(enc, page);
}

TEST(DeltaBinaryPackedTest, OneValueIsAHeaderOnly) {
  size_t consumed = 0;
  EXPECT_EQ(DecodeInts<int32_t>(Unhex("8001040154"), &consumed), std::vector<int32_t>{42});  // pyarrow's page
  EXPECT_EQ(consumed, 5u);
  std::string enc;
  EncodeDeltaBinaryPacked(std::vector<int32_t>{42}, &enc);
  EXPECT_EQ(enc, Unhex("8001040154"));
  enc.clear();
  EncodeDeltaBinaryPacked(std::vector<int64_t>{}, &enc);
  EXPECT_TRUE(DecodeInts<int64_t>(enc, &consumed).empty());
  EXPECT_EQ(consumed, enc.size());
}

template <typename T>
std::vector<T> MakeInts(size_t n, int pattern, std::mt19937_64& rng) {
  std::vector<T> v(n);
  T x = static_cast<T>(rng());
  for (size_t i = 0; i < n; ++i) {
    switch (pattern) {
      case 0: v[i] = static_cast<T>(rng()); break;  // full range: deltas wrap, widths reach the type's
      case 1: v[i] = x; break;                      // constant
      case 2: v[i] = static_cast<T>(1000 + 3 * i); break;
      case 3:  // jitter around a value, wrapping at the type's ends
        v[i] = static_cast<T>(static_cast<std::make_unsigned_t<T>>(x) + rng() % 200 - 100);
        break;
      case 4: v[i] = i % 2 ? std::numeric_limits<T>::min() : std::numeric_limits<T>::max(); break;
      default: v[i] = static_cast<T>(i * i) * (i % 5 == 0 ? -1 : 1);  // growing magnitudes, sign changes
    }
  }
  return v;
}

template <typename T>
void RoundTripInts() {
  std::mt19937_64 rng(sizeof(T));
  const DeltaBlockShape shapes[] = {{128, 4}, {256, 4}, {128, 1}, {512, 16}, {256, 8}};
  for (size_t n : {0, 1, 2, 31, 32, 33, 127, 128, 129, 200, 513, 1000, 5000}) {
    for (int pattern = 0; pattern < 6; ++pattern) {
      for (const auto& shape : shapes) {
        const std::vector<T> values = MakeInts<T>(n, pattern, rng);
        std::string enc = "xy";
        EncodeDeltaBinaryPacked(values, &enc, shape);
        enc += "trailing";  // the stream ends by itself
        std::vector<T> got = {7};
        size_t consumed = 0;
        Status s = DecodeDeltaBinaryPacked(std::string_view(enc).substr(2), n, &got, &consumed);
        ASSERT_TRUE(s.ok()) << s.ToString() << " n=" << n << " pattern=" << pattern;
        ASSERT_EQ(consumed, enc.size() - 2 - 8) << "n=" << n << " pattern=" << pattern;
        got.erase(got.begin());  // decoders append
        ASSERT_EQ(got, values) << "n=" << n << " pattern=" << pattern << " block=" << shape.block_size;
      }
    }
  }
}

TEST(DeltaBinaryPackedTest, RoundTripsInt32OfManySizesPatternsAndBlockShapes) {
  RoundTripInts<int32_t>();
}
TEST(DeltaBinaryPackedTest, RoundTripsInt64OfManySizesPatternsAndBlockShapes) {
  RoundTripInts<int64_t>();
}

TEST(DeltaBinaryPackedTest, AcceptsALastMiniblockWithoutItsPadding) {
  std::string enc;
  const std::vector<int32_t> values = {1, 100, 5, 7000, -3};  // 4 deltas in a 32-value miniblock
  EncodeDeltaBinaryPacked(values, &enc);
  // The miniblock's padding is all after the 4 deltas' bits; keep only those bits' bytes.
  const int width = static_cast<uint8_t>(enc[7]);
  const size_t header_and_block_start = enc.size() - 32 * width / 8;
  const std::string cut = enc.substr(0, header_and_block_start + (4 * width + 7) / 8);
  size_t consumed = 0;
  EXPECT_EQ(DecodeInts<int32_t>(cut, &consumed), values);
  EXPECT_EQ(consumed, cut.size());
}

// --- Hostile DELTA_BINARY_PACKED input ---

std::string DeltaHeader(uint64_t block, uint64_t miniblocks, uint64_t count, uint64_t first_zigzag) {
  return Uleb(block) + Uleb(miniblocks) + Uleb(count) + Uleb(first_zigzag);
}

template <typename T>
void ExpectCorrupt(const std::string& data, std::string_view message_part, size_t max_values = 1000) {
  std::vector<T> out = {1, 2};
  size_t consumed = 0;
  Status s = DecodeDeltaBinaryPacked(data, max_values, &out, &consumed);
  EXPECT_EQ(s.code(), StatusCode::kCorruption) << s.ToString();
  EXPECT_NE(s.message().find(message_part), std::string::npos) << s.message();
  EXPECT_EQ(out.size(), 2u) << "a failed decode must leave the output as it was";
}

TEST(DeltaBinaryPackedCorruptionTest, RejectsBadHeaders) {
  ExpectCorrupt<int32_t>("", "header is cut off");
  ExpectCorrupt<int32_t>(Uleb(128) + Uleb(4) + Uleb(3), "header is cut off");
  ExpectCorrupt<int32_t>(std::string(11, '\x80'), "header is cut off");  // a varint longer than 10 bytes
  ExpectCorrupt<int32_t>(DeltaHeader(100, 4, 1, 0), "invalid block shape");
  ExpectCorrupt<int32_t>(DeltaHeader(128, 0, 1, 0), "invalid block shape");
  ExpectCorrupt<int32_t>(DeltaHeader(128, 3, 1, 0), "invalid block shape");
  ExpectCorrupt<int32_t>(DeltaHeader(128, 8, 1, 0), "invalid block shape");  // miniblocks of 16
  ExpectCorrupt<int32_t>(DeltaHeader(uint64_t{1} << 40, 1, 1, 0), "invalid block shape");
  ExpectCorrupt<int32_t>(DeltaHeader(128, 4, 1001, 0), "more than the 1000 expected");
  ExpectCorrupt<int32_t>(DeltaHeader(128, 4, ~uint64_t{0} >> 1, 0), "more than the 1000 expected");
  ExpectCorrupt<int32_t>(DeltaHeader(128, 4, 1, ZigZagEncode64(int64_t{1} << 31)), "first value");
}

TEST(DeltaBinaryPackedCorruptionTest, RejectsBadBlocks) {
  const std::string h = DeltaHeader(128, 4, 10, 0);
  ExpectCorrupt<int32_t>(h, "min delta is cut off");
  ExpectCorrupt<int32_t>(h + Uleb(ZigZagEncode64(int64_t{1} << 33)), "does not fit the type");
  ExpectCorrupt<int32_t>(h + Uleb(0) + std::string("\x01\x00", 2), "bit widths are cut off");
  ExpectCorrupt<int32_t>(h + Uleb(0) + std::string("\x21\x00\x00\x00", 4), "bit width 33 exceeds the type's 32");
  ExpectCorrupt<int64_t>(h + Uleb(0) + std::string("\x41\x00\x00\x00", 4), "bit width 65 exceeds the type's 64");
  // Width 8 needs 32 bytes for the miniblock (9 values' 9 bytes at the least); 5 are there.
  ExpectCorrupt<int32_t>(h + Uleb(0) + std::string("\x08\x00\x00\x00", 4) + "abcde", "cut off");
  // A header that claims many values with data for one block only.
  ExpectCorrupt<int64_t>(DeltaHeader(128, 4, 500, 0) + Uleb(0) + std::string(4, '\0'), "min delta is cut off");
}

TEST(DeltaBinaryPackedCorruptionTest, TruncationsFailOrDecodeTheTruthAndGarbageNeverCrashes) {
  std::mt19937_64 rng(99);
  const std::vector<int64_t> values = MakeInts<int64_t>(300, 0, rng);
  std::string enc;
  EncodeDeltaBinaryPacked(values, &enc);
  for (size_t len = 0; len < enc.size(); ++len) {
    std::vector<int64_t> out;
    size_t consumed = 0;
    Status s = DecodeDeltaBinaryPacked(std::string_view(enc).substr(0, len), values.size(), &out, &consumed);
    if (s.ok()) {
      EXPECT_EQ(out, values) << "a truncation to " << len << " bytes decoded to wrong values";
    }
  }
  for (int iter = 0; iter < 3000; ++iter) {
    std::string data(rng() % 64, '\0');
    for (char& c : data) c = static_cast<char>(rng());
    if (iter % 2) data = DeltaHeader(128 << (rng() % 3), 1 << (rng() % 3), rng() % 700, rng() % 100) + data;
    std::vector<int32_t> out32;
    std::vector<int64_t> out64;
    size_t consumed = 0;
    (void)DecodeDeltaBinaryPacked(data, 1000, &out32, &consumed);
    (void)DecodeDeltaBinaryPacked(data, 1000, &out64, &consumed);
  }
}

// --- DELTA_LENGTH_BYTE_ARRAY and DELTA_BYTE_ARRAY ---

TEST(DeltaLengthByteArrayTest, SpecExample) {
  // Encodings.md: "Hello", "World", "Foobar", "ABCDEF" -> DeltaEncoding(5, 5, 6, 6) "HelloWorldFoobarABCDEF".
  const Strings in = FromVector({"Hello", "World", "Foobar", "ABCDEF"});
  std::string enc;
  ASSERT_TRUE(EncodeDeltaLengthByteArray(in.offsets, in.bytes, &enc).ok());
  std::string lengths;
  EncodeDeltaBinaryPacked(std::vector<int32_t>{5, 5, 6, 6}, &lengths);
  EXPECT_EQ(enc, lengths + "HelloWorldFoobarABCDEF");
}

TEST(DeltaLengthByteArrayTest, ReadsAndWritesPyarrowByteForByte) {
  const std::string page = Unhex(kPyarrowDeltaLength);
  Strings got;
  size_t consumed = 0;
  Status s = DecodeDeltaLengthByteArray(page, 100, &got.offsets, &got.bytes, &consumed);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(got.ToVector(), ExpectedDeltaLengthStrings());
  EXPECT_EQ(got.offsets.front(), 0);
  EXPECT_EQ(consumed, page.size());
  const Strings in = FromVector(ExpectedDeltaLengthStrings());
  std::string enc;
  ASSERT_TRUE(EncodeDeltaLengthByteArray(in.offsets, in.bytes, &enc).ok());
  EXPECT_EQ(enc, page);
}

TEST(DeltaByteArrayTest, SpecExample) {
  // Encodings.md: "axis", "axle", "babble", "babyhood" -> prefixes 0 2 0 3, suffixes 4 2 6 5, "axislebabbleyhood".
  const Strings in = FromVector({"axis", "axle", "babble", "babyhood"});
  std::string enc;
  ASSERT_TRUE(EncodeDeltaByteArray(in.offsets, in.bytes, &enc).ok());
  std::string expected;
  EncodeDeltaBinaryPacked(std::vector<int32_t>{0, 2, 0, 3}, &expected);
  EncodeDeltaBinaryPacked(std::vector<int32_t>{4, 2, 6, 5}, &expected);
  EXPECT_EQ(enc, expected + "axislebabbleyhood");
}

TEST(DeltaByteArrayTest, ReadsAndWritesPyarrowByteForByte) {
  const std::string page = Unhex(kPyarrowDeltaByteArray);
  Strings got;
  size_t consumed = 0;
  Status s = DecodeDeltaByteArray(page, 100, &got.offsets, &got.bytes, &consumed);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(got.ToVector(), ExpectedDeltaByteArrayStrings());
  EXPECT_EQ(consumed, page.size());
  const Strings in = FromVector(ExpectedDeltaByteArrayStrings());
  std::string enc;
  ASSERT_TRUE(EncodeDeltaByteArray(in.offsets, in.bytes, &enc).ok());
  EXPECT_EQ(enc, page);
}

std::vector<std::string> MakeStrings(size_t n, std::mt19937_64& rng) {
  std::vector<std::string> v;
  std::string prev;
  for (size_t i = 0; i < n; ++i) {
    std::string s;
    switch (rng() % 4) {
      case 0: break;  // empty
      case 1: s = prev.substr(0, rng() % (prev.size() + 1)) + std::string(rng() % 5, 'a' + rng() % 26); break;
      case 2: s = std::string(rng() % 300, static_cast<char>(rng())); break;
      default:
        s.resize(rng() % 20);
        for (char& c : s) c = static_cast<char>(rng());
    }
    v.push_back(s);
    prev = s;
  }
  return v;
}

TEST(DeltaByteArrayTest, BothEncodingsRoundTripRandomStringsAndAppendPageAfterPage) {
  std::mt19937_64 rng(5);
  for (bool front_coded : {false, true}) {
    Strings column;  // two pages appended into one column
    std::vector<std::string> expected;
    for (size_t n : {0, 1, 2, 100, 129, 1000}) {
      const std::vector<std::string> values = MakeStrings(n, rng);
      const Strings in = FromVector(values);
      std::string enc;
      ASSERT_TRUE((front_coded ? EncodeDeltaByteArray(in.offsets, in.bytes, &enc)
                               : EncodeDeltaLengthByteArray(in.offsets, in.bytes, &enc))
                      .ok());
      enc += "tail";
      size_t consumed = 0;
      Status s = front_coded ? DecodeDeltaByteArray(enc, n, &column.offsets, &column.bytes, &consumed)
                             : DecodeDeltaLengthByteArray(enc, n, &column.offsets, &column.bytes, &consumed);
      ASSERT_TRUE(s.ok()) << s.ToString();
      EXPECT_EQ(consumed, enc.size() - 4);
      expected.insert(expected.end(), values.begin(), values.end());
      ASSERT_EQ(column.ToVector(), expected) << (front_coded ? "DELTA_BYTE_ARRAY" : "DELTA_LENGTH_BYTE_ARRAY");
      ASSERT_EQ(column.offsets.back(), static_cast<int64_t>(column.bytes.size()));
    }
  }
}

TEST(DeltaByteArrayTest, EncodersTakeASliceOfAColumn) {
  const Strings in = FromVector({"skip", "carpet", "carpets", "dog"});
  std::string enc;
  ASSERT_TRUE(EncodeDeltaByteArray(std::span<const int64_t>(in.offsets).subspan(1, 3), in.bytes, &enc).ok());
  Strings got;
  size_t consumed = 0;
  ASSERT_TRUE(DecodeDeltaByteArray(enc, 10, &got.offsets, &got.bytes, &consumed).ok());
  EXPECT_EQ(got.ToVector(), (std::vector<std::string>{"carpet", "carpets"}));
  std::vector<int64_t> bad = {0, 5, 3};
  EXPECT_EQ(EncodeDeltaLengthByteArray(bad, "abcde", &enc).code(), StatusCode::kInvalidArgument);
  bad = {0, 9};
  EXPECT_EQ(EncodeDeltaByteArray(bad, "abcde", &enc).code(), StatusCode::kInvalidArgument);
}

std::string Lengths(std::vector<int32_t> v) {
  std::string out;
  EncodeDeltaBinaryPacked(v, &out);
  return out;
}

void ExpectStringsCorrupt(bool front_coded, const std::string& data, std::string_view message_part,
                          size_t max_bytes = size_t{1} << 30) {
  Strings got;
  size_t consumed = 0;
  Status s = front_coded ? DecodeDeltaByteArray(data, 1000, &got.offsets, &got.bytes, &consumed, max_bytes)
                         : DecodeDeltaLengthByteArray(data, 1000, &got.offsets, &got.bytes, &consumed);
  EXPECT_EQ(s.code(), StatusCode::kCorruption) << s.ToString();
  EXPECT_NE(s.message().find(message_part), std::string::npos) << s.message();
  EXPECT_LE(got.offsets.size(), 1u);
  EXPECT_TRUE(got.bytes.empty());
}

TEST(DeltaByteArrayCorruptionTest, RejectsImpossibleLengths) {
  ExpectStringsCorrupt(false, Lengths({3, -1}) + "abcdef", "negative length");
  ExpectStringsCorrupt(false, Lengths({3, 4}) + "abcdef", "ends past the 6 bytes");
  ExpectStringsCorrupt(false, Lengths({2147483647, 2147483647, 2147483647}) + "x", "ends past");
  ExpectStringsCorrupt(true, Lengths({0, 5}) + Lengths({2, 1}) + "abc", "prefix of 5 bytes");
  ExpectStringsCorrupt(true, Lengths({1, 0}) + Lengths({2, 1}) + "abc", "prefix of 1 bytes");
  ExpectStringsCorrupt(true, Lengths({0, -1}) + Lengths({2, 1}) + "abc", "negative");
  ExpectStringsCorrupt(true, Lengths({0, 0}) + Lengths({2, 2}) + "abc", "ends past the 3 bytes");
  ExpectStringsCorrupt(true, Lengths({0, 0}) + Lengths({1}) + "abc", "2 prefix lengths but 1 suffix");
  // Each value repeats the previous one and adds a byte: 1000 values from a few bytes grow quadratically.
  std::vector<int32_t> prefixes(1000), suffixes(1000, 1);
  for (int i = 0; i < 1000; ++i) prefixes[i] = i;
  ExpectStringsCorrupt(true, Lengths(prefixes) + Lengths(suffixes) + std::string(1000, 'z'), "limit of 100000", 100000);
}

TEST(DeltaByteArrayCorruptionTest, RandomGarbageNeverCrashes) {
  std::mt19937_64 rng(8);
  const Strings in = FromVector(MakeStrings(200, rng));
  std::string good;
  ASSERT_TRUE(EncodeDeltaByteArray(in.offsets, in.bytes, &good).ok());
  for (int iter = 0; iter < 3000; ++iter) {
    std::string data = good.substr(0, rng() % (good.size() + 1));
    for (int k = rng() % 4; k > 0 && !data.empty(); --k) data[rng() % data.size()] = static_cast<char>(rng());
    Strings got;
    size_t consumed = 0;
    (void)DecodeDeltaByteArray(data, 1000, &got.offsets, &got.bytes, &consumed, 1 << 20);
    Strings got2;
    (void)DecodeDeltaLengthByteArray(data, 1000, &got2.offsets, &got2.bytes, &consumed);
  }
}

// --- BYTE_STREAM_SPLIT ---

TEST(ByteStreamSplitTest, SpecExample) {
  // Encodings.md: AA BB CC DD | 00 11 22 33 | A3 B4 C5 D6 -> AA 00 A3 BB 11 B4 CC 22 C5 DD 33 D6.
  const std::string values = Unhex("aabbccdd00112233a3b4c5d6");
  std::string enc;
  EncodeByteStreamSplit(values.data(), 4, 3, &enc);
  EXPECT_EQ(enc, Unhex("aa00a3bb11b4cc22c5dd33d6"));
  std::string back(12, '\0');
  size_t n = 0;
  ASSERT_TRUE(DecodeByteStreamSplit(enc, 4, back.data(), &n).ok());
  EXPECT_EQ(n, 3u);
  EXPECT_EQ(back, values);
}

TEST(ByteStreamSplitTest, ReadsAndWritesPyarrowFloatsAndDoubles) {
  std::vector<float> floats;
  std::vector<double> doubles;
  for (double d : kSplitNumbers) {
    floats.push_back(static_cast<float>(d));
    doubles.push_back(d);
  }
  std::vector<float> got_f = {9.0f};
  ASSERT_TRUE(DecodeByteStreamSplit(Unhex(kPyarrowSplitFloat), &got_f).ok());
  got_f.erase(got_f.begin());
  EXPECT_EQ(got_f, floats);
  std::vector<double> got_d;
  ASSERT_TRUE(DecodeByteStreamSplit(Unhex(kPyarrowSplitDouble), &got_d).ok());
  EXPECT_EQ(got_d, doubles);
  std::string enc;
  EncodeByteStreamSplit(std::span<const float>(floats), &enc);
  EXPECT_EQ(enc, Unhex(kPyarrowSplitFloat));
  enc.clear();
  EncodeByteStreamSplit(std::span<const double>(doubles), &enc);
  EXPECT_EQ(enc, Unhex(kPyarrowSplitDouble));
}

TEST(ByteStreamSplitTest, RoundTripsAnyWidth) {
  std::mt19937_64 rng(11);
  for (size_t width : {1, 2, 3, 4, 5, 8, 12, 16}) {
    for (size_t n : {0, 1, 7, 1000}) {
      std::string values(width * n, '\0');
      for (char& c : values) c = static_cast<char>(rng());
      std::string enc;
      EncodeByteStreamSplit(values.data(), width, n, &enc);
      std::string back(values.size(), '\0');
      size_t got = 99;
      ASSERT_TRUE(DecodeByteStreamSplit(enc, width, back.data(), &got).ok());
      EXPECT_EQ(got, n);
      EXPECT_EQ(back, values) << "width " << width << " n " << n;
    }
  }
}

TEST(ByteStreamSplitTest, RejectsDataThatIsNotWholeValues) {
  std::vector<double> out = {1.0};
  Status s = DecodeByteStreamSplit(std::string(12, 'x'), &out);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("12 bytes"), std::string::npos) << s.message();
  EXPECT_EQ(out.size(), 1u);
  size_t n = 0;
  EXPECT_EQ(DecodeByteStreamSplit("abc", 0, nullptr, &n).code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace floe::parquet
