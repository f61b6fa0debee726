// Test helpers: Kafka record batches compressed with each codec exactly as Kafka clients write them
// (floe/kafka/record_codec.h describes the formats), built with the codec libraries themselves. Shared by
// kafka/record_codec_test.cpp and stream/broker_source_test.cpp.
#pragma once

#include <gtest/gtest.h>
#include <lz4frame.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <span>
#include <string>
#include <vector>

#include "floe/kafka/record_batch.h"

namespace floe::kafka::test_batches {

// The test's own compressors, writing each codec's stream as Kafka clients do (record_codec.h).
enum class Codec { kGzip, kSnappyRaw, kSnappyXerial, kLz4, kLz4WithSizeAndChecksum, kZstd, kZstdWithSize };

inline std::string CodecName(Codec c) {
  switch (c) {
    case Codec::kGzip: return "gzip";
    case Codec::kSnappyRaw: return "snappy_raw";
    case Codec::kSnappyXerial: return "snappy_xerial";
    case Codec::kLz4: return "lz4";
    case Codec::kLz4WithSizeAndChecksum: return "lz4_size_checksum";
    case Codec::kZstd: return "zstd";
    case Codec::kZstdWithSize: return "zstd_size";
  }
  return "?";
}

inline CompressionType TypeOf(Codec c) {
  switch (c) {
    case Codec::kGzip: return CompressionType::kGzip;
    case Codec::kSnappyRaw:
    case Codec::kSnappyXerial: return CompressionType::kSnappy;
    case Codec::kLz4:
    case Codec::kLz4WithSizeAndChecksum: return CompressionType::kLz4;
    case Codec::kZstd:
    case Codec::kZstdWithSize: return CompressionType::kZstd;
  }
  return CompressionType::kNone;
}

inline std::vector<uint8_t> Gzip(std::span<const uint8_t> in) {
  z_stream zs{};
  EXPECT_EQ(deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::vector<uint8_t> out(deflateBound(&zs, in.size()) + 64);
  zs.next_in = const_cast<Bytef*>(in.data());
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = out.data();
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

inline std::vector<uint8_t> SnappyBlock(std::span<const uint8_t> in) {
  std::string out;
  snappy::Compress(reinterpret_cast<const char*>(in.data()), in.size(), &out);
  return {out.begin(), out.end()};
}

inline void AppendBig32(std::vector<uint8_t>* out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out->push_back(static_cast<uint8_t>(v >> shift));
}

// snappy-java's SnappyOutputStream: header, then 32 KiB input blocks, each (BE length, raw snappy block).
inline std::vector<uint8_t> SnappyXerial(std::span<const uint8_t> in, size_t block_size = 32 * 1024) {
  std::vector<uint8_t> out = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0};
  AppendBig32(&out, 1);
  AppendBig32(&out, 1);
  for (size_t pos = 0; pos < in.size(); pos += block_size) {
    std::vector<uint8_t> block = SnappyBlock(in.subspan(pos, std::min(block_size, in.size() - pos)));
    AppendBig32(&out, static_cast<uint32_t>(block.size()));
    out.insert(out.end(), block.begin(), block.end());
  }
  return out;
}

inline std::vector<uint8_t> Lz4Frame(std::span<const uint8_t> in, bool size_and_checksum) {
  LZ4F_preferences_t prefs{};
  prefs.frameInfo.blockSizeID = LZ4F_max64KB;  // what the Java client writes
  prefs.frameInfo.blockMode = LZ4F_blockIndependent;
  if (size_and_checksum) {
    prefs.frameInfo.contentSize = in.size();
    prefs.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled;
    prefs.frameInfo.blockChecksumFlag = LZ4F_blockChecksumEnabled;
  }
  std::vector<uint8_t> out(LZ4F_compressFrameBound(in.size(), &prefs));
  const size_t n = LZ4F_compressFrame(out.data(), out.size(), in.data(), in.size(), &prefs);
  EXPECT_FALSE(LZ4F_isError(n)) << LZ4F_getErrorName(n);
  out.resize(n);
  return out;
}

inline std::vector<uint8_t> Zstd(std::span<const uint8_t> in, bool with_size) {
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, with_size ? 1 : 0);
  std::vector<uint8_t> out(ZSTD_compressBound(in.size()));
  size_t n = 0;
  if (with_size) {
    n = ZSTD_compress2(cctx, out.data(), out.size(), in.data(), in.size());
  } else {
    // Streamed, as librdkafka and zstd-jni do: the frame header has no content size.
    ZSTD_inBuffer input{in.data(), in.size(), 0};
    ZSTD_outBuffer output{out.data(), out.size(), 0};
    n = ZSTD_compressStream2(cctx, &output, &input, ZSTD_e_end);
    EXPECT_EQ(n, 0u);
    n = output.pos;
  }
  EXPECT_FALSE(ZSTD_isError(n));
  ZSTD_freeCCtx(cctx);
  out.resize(n);
  EXPECT_EQ(ZSTD_getFrameContentSize(out.data(), out.size()), with_size ? in.size() : ZSTD_CONTENTSIZE_UNKNOWN);
  return out;
}

inline std::vector<uint8_t> Compress(Codec c, std::span<const uint8_t> in) {
  switch (c) {
    case Codec::kGzip: return Gzip(in);
    case Codec::kSnappyRaw: return SnappyBlock(in);
    case Codec::kSnappyXerial: return SnappyXerial(in);
    case Codec::kLz4: return Lz4Frame(in, false);
    case Codec::kLz4WithSizeAndChecksum: return Lz4Frame(in, true);
    case Codec::kZstd: return Zstd(in, false);
    case Codec::kZstdWithSize: return Zstd(in, true);
  }
  return {};
}

inline void SetAttributes(std::vector<uint8_t>* batch, int16_t attributes) {
  (*batch)[kAttributesOffset] = static_cast<uint8_t>(static_cast<uint16_t>(attributes) >> 8);
  (*batch)[kAttributesOffset + 1] = static_cast<uint8_t>(attributes);
}

inline int16_t Attributes(const std::vector<uint8_t>& batch) {
  return static_cast<int16_t>((batch[kAttributesOffset] << 8) | batch[kAttributesOffset + 1]);
}

// Replaces a batch's records field with `records` (already compressed), fixing batchLength and the crc.
inline std::vector<uint8_t> WithRecordsField(std::vector<uint8_t> batch, std::span<const uint8_t> records,
                                             CompressionType type) {
  batch.resize(kRecordsOffset);
  batch.insert(batch.end(), records.begin(), records.end());
  const auto length = static_cast<uint32_t>(batch.size() - kLogOverhead);
  for (int i = 0; i < 4; ++i) batch[kBatchLengthOffset + i] = static_cast<uint8_t>(length >> (24 - 8 * i));
  SetAttributes(&batch, static_cast<int16_t>((Attributes(batch) & ~kCompressionCodecMask) | static_cast<int>(type)));
  RewriteCrc(batch);
  return batch;
}

// The batch BuildRecordBatch makes of `records`, with its records field compressed by `codec`.
inline std::vector<uint8_t> CompressedBatch(Codec codec, const std::vector<RecordInput>& records,
                                            const BatchOptions& options = {}) {
  std::vector<uint8_t> plain = BuildRecordBatch(records, options);
  const std::vector<uint8_t> compressed = Compress(codec, std::span<const uint8_t>(plain).subspan(kRecordsOffset));
  return WithRecordsField(std::move(plain), compressed, TypeOf(codec));
}

}  // namespace floe::kafka::test_batches
