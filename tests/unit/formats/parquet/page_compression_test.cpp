#include "floe/formats/parquet/page_compression.h"

#include <gtest/gtest.h>

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

std::string BigEndian32(uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8), static_cast<char>(v)};
}

constexpr CompressionCodec kSupported[] = {CompressionCodec::kUncompressed, CompressionCodec::kSnappy,
                                           CompressionCodec::kGzip,         CompressionCodec::kZstd,
                                           CompressionCodec::kLz4Raw,       CompressionCodec::kLz4};

Status Decompress(CompressionCodec codec, std::string_view in, size_t size, std::string* out) {
  out->assign(size, '\xEE');
  return DecompressPage(codec, in, out->data(), size);
}

// The test vectors in this directory were made once with pyarrow 26.0.1: pq.write_table on small tables (required
// columns, use_dictionary=False, data page v1, no statistics), then each data page body was cut out of the file by
// parsing the Thrift page header in Python. Here: an INT64 column of (i * i) % 1000 for i in 0..63, whose
// uncompressed page is its 512-byte PLAIN encoding, written with each codec.
std::string PyarrowPlainPage() {
  std::string page;
  for (int64_t i = 0; i < 64; ++i) {
    const int64_t v = (i * i) % 1000;
    page.append(reinterpret_cast<const char*>(&v), 8);
  }
  return page;
}

constexpr std::string_view kPyarrowSnappy =
    "800400000d0100010d0800040d0800090d0800100d0800190d0800240d0800310d0800400d0800510d0800640d0800790d080090"
    "0d0800a90d0800c40d0800e10d08117900210d8100440d0800690d0800900d0800b90d0800e40d08041102094100400d0800710d"
    "0800a40d0800d90d08041003092800490d0800840d0800c10d080018091f0400590d08009c0d0811a000280d7000710d0800bc0d"
    "0800090d6000580d0800a90d0800fc0d0800510d6000a80d083140047400090100d109070400300d5000910d0800f40d0800590d"
    "4800c00d0800290d4800940d08115000880d4800f90d08006c0d4000e10d0811a000d10d483c4c03000000000000c90300000000"
    "0000";
constexpr std::string_view kPyarrowGzip =
    "1f8b08000000000002035dd0210f01711c06e0e3946b34a24da0f10d04c5a65c735db129364517c4b389a2e03e824d60534451bc"
    "cd47506c82e029e75f9ef47bdf77ff20f8bd122b8c5865832df6d867cc09974c99f1ca3c28163739e094298f7cb256d6cf39f77c"
    "b01afe1c72c50beb6624dcfded6beb9bf3c448fe98193f8ce51fc2e2ff2d786757de862f2672ceecc8d9fee5adf9e6cc7d5e2aee"
    "bb73e4fec62f09d70f2700020000";
constexpr std::string_view kPyarrowZstd =
    "28b52ffd600001dd050064060000010004000900100019002400310040005100640079009000a900c400e100010021446990b9e4"
    "11024071a4d910034984c11800599ce1280171bc090258a9fc5103a8190074d1300191f45902c0290394190088f96c01e15802d1"
    "4c03c9030000000000003f20e0d703331b2d8b8199653130b3d1b2189859160333cb62606646cb922fb3d1b2e43b30b32cf90ecc"
    "2c4bbe0333cb922f33a365c9975916926fc95a730db7d1461b6db4d1461bed68a38d36da68a30da50d";
constexpr std::string_view kPyarrowLz4Raw =
    "13000100130108001304080013090800131008001319080013240800133108001340080013510800136408001379080013900800"
    "13a9080013c4080013e108000479001321080013440800136908001390080013b9080013e4080022110241001340080013710800"
    "13a4080013d908002210032800134908001384080013c1080012181f002300590800139c080004a000132870001371080013bc08"
    "00130960001358080013a9080013fc08001351600013a808000440011374600013d10800133050001391080013f4080013594800"
    "13c0080013294800139408000450001388480013f90800136c400013e1080004a00013d14800134c400080c903000000000000";

TEST(PageCompressionTest, DecompressesPyarrowPages) {
  const std::string plain = PyarrowPlainPage();
  const std::pair<CompressionCodec, std::string_view> pages[] = {{CompressionCodec::kSnappy, kPyarrowSnappy},
                                                                 {CompressionCodec::kGzip, kPyarrowGzip},
                                                                 {CompressionCodec::kZstd, kPyarrowZstd},
                                                                 {CompressionCodec::kLz4Raw, kPyarrowLz4Raw}};
  for (const auto& [codec, hex] : pages) {
    std::string out;
    Status s = Decompress(codec, Unhex(hex), plain.size(), &out);
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(out, plain) << CodecName(codec);
  }
}

TEST(PageCompressionTest, Lz4ReadsHadoopFramingAndFallsBackToARawBlock) {
  const std::string plain = PyarrowPlainPage();
  const std::string raw = Unhex(kPyarrowLz4Raw);
  std::string out;
  // One Hadoop block: big-endian uncompressed and compressed lengths, then the raw block.
  Status s = Decompress(CompressionCodec::kLz4, BigEndian32(512) + BigEndian32(raw.size()) + raw, 512, &out);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(out, plain);
  // A bare raw block under the LZ4 name, as older parquet-cpp wrote.
  s = Decompress(CompressionCodec::kLz4, raw, 512, &out);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(out, plain);
  // Two Hadoop blocks.
  std::string half1, half2;
  ASSERT_TRUE(CompressPage(CompressionCodec::kLz4Raw, std::string_view(plain).substr(0, 200), &half1).ok());
  ASSERT_TRUE(CompressPage(CompressionCodec::kLz4Raw, std::string_view(plain).substr(200), &half2).ok());
  const std::string framed =
      BigEndian32(200) + BigEndian32(half1.size()) + half1 + BigEndian32(312) + BigEndian32(half2.size()) + half2;
  s = Decompress(CompressionCodec::kLz4, framed, 512, &out);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(out, plain);
  // Neither form.
  s = Decompress(CompressionCodec::kLz4, BigEndian32(512) + BigEndian32(raw.size() + 5) + raw, 512, &out);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("neither Hadoop-framed LZ4 nor a raw LZ4 block"), std::string::npos) << s.message();
}

TEST(PageCompressionTest, WritesHadoopFramedLz4InBlocksOf128KiB) {
  std::string plain(300 * 1024, '\0');
  for (size_t i = 0; i < plain.size(); ++i) plain[i] = static_cast<char>(i % 251);
  std::string enc;
  ASSERT_TRUE(CompressPage(CompressionCodec::kLz4, plain, &enc).ok());
  ASSERT_GE(enc.size(), 8u);
  EXPECT_EQ(enc.substr(0, 4), BigEndian32(128 * 1024));
  std::string out;
  ASSERT_TRUE(Decompress(CompressionCodec::kLz4, enc, plain.size(), &out).ok());
  EXPECT_EQ(out, plain);
  // Hadoop-framed, not a raw block: LZ4_RAW cannot read it.
  EXPECT_FALSE(Decompress(CompressionCodec::kLz4Raw, enc, plain.size(), &out).ok());
}

TEST(PageCompressionTest, EmptyLz4PagesAreOneEmptyBlock) {
  std::string raw, hadoop, out;
  ASSERT_TRUE(CompressPage(CompressionCodec::kLz4Raw, "", &raw).ok());
  EXPECT_EQ(raw, std::string(1, '\0'));
  ASSERT_TRUE(CompressPage(CompressionCodec::kLz4, "", &hadoop).ok());
  EXPECT_EQ(hadoop, BigEndian32(0) + BigEndian32(1) + std::string(1, '\0'));
  EXPECT_TRUE(Decompress(CompressionCodec::kLz4Raw, raw, 0, &out).ok());
  EXPECT_TRUE(Decompress(CompressionCodec::kLz4, hadoop, 0, &out).ok());
  EXPECT_TRUE(Decompress(CompressionCodec::kLz4, raw, 0, &out).ok());
}

TEST(PageCompressionTest, GzipAcceptsConcatenatedMembers) {
  const std::string plain = PyarrowPlainPage();
  std::string two;
  ASSERT_TRUE(CompressPage(CompressionCodec::kGzip, std::string_view(plain).substr(0, 100), &two).ok());
  ASSERT_TRUE(CompressPage(CompressionCodec::kGzip, std::string_view(plain).substr(100), &two).ok());
  std::string out;
  Status s = Decompress(CompressionCodec::kGzip, two, plain.size(), &out);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(out, plain);
  EXPECT_EQ(static_cast<uint8_t>(two[0]), 0x1f);  // the gzip magic
  EXPECT_EQ(static_cast<uint8_t>(two[1]), 0x8b);
}

std::string MakePage(size_t n, bool compressible, std::mt19937_64& rng) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i)
    s[i] = compressible ? static_cast<char>("floe parquet page "[(i / 3) % 18]) : static_cast<char>(rng());
  return s;
}

TEST(PageCompressionTest, EveryCodecRoundTripsPagesOfManySizes) {
  std::mt19937_64 rng(17);
  for (CompressionCodec codec : kSupported) {
    for (size_t n : {0, 1, 2, 100, 4096, 65537, 300000}) {
      for (bool compressible : {true, false}) {
        const std::string page = MakePage(n, compressible, rng);
        std::string enc = "keep";  // CompressPage appends
        Status s = CompressPage(codec, page, &enc);
        ASSERT_TRUE(s.ok()) << s.ToString();
        ASSERT_EQ(enc.substr(0, 4), "keep");
        if (compressible && n >= 4096 && codec != CompressionCodec::kUncompressed) {
          EXPECT_LT(enc.size(), n / 4) << CodecName(codec);
        }
        std::string out;
        s = Decompress(codec, std::string_view(enc).substr(4), n, &out);
        ASSERT_TRUE(s.ok()) << s.ToString() << " n=" << n;
        ASSERT_EQ(out, page) << CodecName(codec) << " n=" << n;
      }
    }
  }
}

TEST(PageCompressionTest, LevelsFollowPyarrowDefaults) {
  EXPECT_EQ(DefaultCompressionLevel(CompressionCodec::kZstd), 1);
  EXPECT_EQ(DefaultCompressionLevel(CompressionCodec::kGzip), 9);
  EXPECT_EQ(DefaultCompressionLevel(CompressionCodec::kSnappy), 0);
  std::mt19937_64 rng(2);
  std::string page;
  for (int i = 0; i < 20000; ++i) page += std::to_string(rng() % 5000 * 3) + ",";
  std::string level0, level1, level19;
  ASSERT_TRUE(CompressPage(CompressionCodec::kZstd, page, &level0).ok());
  ASSERT_TRUE(CompressPage(CompressionCodec::kZstd, page, &level1, 1).ok());
  ASSERT_TRUE(CompressPage(CompressionCodec::kZstd, page, &level19, 19).ok());
  EXPECT_EQ(level0, level1);
  EXPECT_LT(level19.size(), level1.size());
  for (int level : {-5, 1, 3, 22}) {
    std::string enc, out;
    ASSERT_TRUE(CompressPage(CompressionCodec::kZstd, page, &enc, level).ok()) << level;
    ASSERT_TRUE(Decompress(CompressionCodec::kZstd, enc, page.size(), &out).ok());
    EXPECT_EQ(out, page);
  }
  for (int level : {1, 6, 9}) {
    std::string enc, out;
    ASSERT_TRUE(CompressPage(CompressionCodec::kGzip, page, &enc, level).ok()) << level;
    ASSERT_TRUE(Decompress(CompressionCodec::kGzip, enc, page.size(), &out).ok());
    EXPECT_EQ(out, page);
  }
  std::string hc, fast, out;
  ASSERT_TRUE(CompressPage(CompressionCodec::kLz4Raw, page, &fast).ok());
  ASSERT_TRUE(CompressPage(CompressionCodec::kLz4Raw, page, &hc, 9).ok());
  EXPECT_LT(hc.size(), fast.size());
  ASSERT_TRUE(Decompress(CompressionCodec::kLz4Raw, hc, page.size(), &out).ok());
  EXPECT_EQ(out, page);
}

TEST(PageCompressionTest, RejectsLevelsACodecDoesNotHave) {
  std::string out;
  EXPECT_EQ(CompressPage(CompressionCodec::kGzip, "x", &out, 10).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CompressPage(CompressionCodec::kZstd, "x", &out, 23).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CompressPage(CompressionCodec::kLz4Raw, "x", &out, 13).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CompressPage(CompressionCodec::kSnappy, "x", &out, 3).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CompressPage(CompressionCodec::kUncompressed, "x", &out, 1).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(out.empty());
}

TEST(PageCompressionTest, BrotliLzoAndUnknownCodecsAreUnsupported) {
  std::string out(10, '\0');
  for (auto codec : {CompressionCodec::kBrotli, CompressionCodec::kLzo, static_cast<CompressionCodec>(42)}) {
    Status s = CompressPage(codec, "abc", &out);
    EXPECT_EQ(s.code(), StatusCode::kUnsupported);
    s = DecompressPage(codec, "abc", out.data(), 3);
    EXPECT_EQ(s.code(), StatusCode::kUnsupported);
  }
  Status s = DecompressPage(CompressionCodec::kBrotli, "abc", out.data(), 3);
  EXPECT_NE(s.message().find("BROTLI"), std::string::npos) << s.message();
}

// --- Corrupt and mismatched input: always an error naming the codec, never a crash or an overrun. ---

TEST(PageCompressionCorruptionTest, WrongUncompressedSizesAreCaught) {
  std::mt19937_64 rng(4);
  const std::string page = MakePage(5000, true, rng);
  for (CompressionCodec codec : kSupported) {
    std::string enc;
    ASSERT_TRUE(CompressPage(codec, page, &enc).ok());
    for (size_t size : {size_t{0}, size_t{4999}, size_t{5001}, size_t{100000}}) {
      // The output buffer is exactly `size` bytes, so that ASan catches any write past it.
      std::vector<char> out(size);
      Status s = DecompressPage(codec, enc, out.data(), size);
      EXPECT_EQ(s.code(), StatusCode::kCorruption) << CodecName(codec) << " size " << size;
      EXPECT_NE(s.message().find(CodecName(codec)), std::string::npos) << s.message();
    }
  }
  std::vector<char> out(4999);
  Status s = DecompressPage(
      CompressionCodec::kZstd,
      [&] {
        std::string enc;
        (void)CompressPage(CompressionCodec::kZstd, page, &enc);
        return enc;
      }(),
      out.data(), out.size());
  EXPECT_NE(s.message().find("more bytes than the page header says"), std::string::npos) << s.message();
}

TEST(PageCompressionCorruptionTest, TruncatedAndTrailingBytesAreCaught) {
  std::mt19937_64 rng(5);
  const std::string page = MakePage(3000, false, rng);
  for (CompressionCodec codec : kSupported) {
    std::string enc;
    ASSERT_TRUE(CompressPage(codec, page, &enc).ok());
    std::vector<char> out(page.size());
    for (size_t cut : {size_t{0}, size_t{1}, enc.size() / 2, enc.size() - 1}) {
      Status s = DecompressPage(codec, std::string_view(enc).substr(0, cut), out.data(), out.size());
      EXPECT_EQ(s.code(), StatusCode::kCorruption) << CodecName(codec) << " cut at " << cut;
    }
    if (codec != CompressionCodec::kLz4Raw && codec != CompressionCodec::kLz4) {
      // A raw LZ4 block has no end marker beyond its last literals, so extra bytes are not always detectable.
      Status s = DecompressPage(codec, enc + "junk", out.data(), out.size());
      EXPECT_EQ(s.code(), StatusCode::kCorruption) << CodecName(codec) << ": " << s.ToString();
    }
  }
}

TEST(PageCompressionCorruptionTest, RandomGarbageAndFlippedBytesNeverCrash) {
  std::mt19937_64 rng(6);
  const std::string page = MakePage(2000, true, rng);
  for (CompressionCodec codec : kSupported) {
    std::string good;
    ASSERT_TRUE(CompressPage(codec, page, &good).ok());
    for (int iter = 0; iter < 400; ++iter) {
      std::string data = good;
      if (iter % 4 == 0) {
        data.resize(rng() % 300);
        for (char& c : data) c = static_cast<char>(rng());
      } else {
        for (int k = 1 + rng() % 3; k > 0 && !data.empty(); --k) data[rng() % data.size()] ^= 1 << (rng() % 8);
      }
      const size_t size = iter % 3 == 0 ? rng() % 4000 : page.size();
      std::vector<char> out(size);
      Status s = DecompressPage(codec, data, out.data(), size);
      if (s.ok() && size == page.size()) {
        // Codecs without checksums may decode flipped literals; only the size is guaranteed then.
        SUCCEED();
      }
    }
  }
}

TEST(PageCompressionCorruptionTest, ErrorMessagesNameCodecAndSizes) {
  std::vector<char> out(16);
  Status s = DecompressPage(CompressionCodec::kGzip, "not gzip at all", out.data(), out.size());
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("GZIP: decompressing a 15-byte page into 16 bytes failed"), std::string::npos)
      << s.message();
  s = DecompressPage(CompressionCodec::kUncompressed, "short", out.data(), out.size());
  EXPECT_NE(s.message().find("UNCOMPRESSED"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("holds 5 bytes, not the 16"), std::string::npos) << s.message();
  s = DecompressPage(CompressionCodec::kSnappy, "\xff\xff\xff\xff\xff\xff", out.data(), out.size());
  EXPECT_NE(s.message().find("SNAPPY"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace floe::parquet
