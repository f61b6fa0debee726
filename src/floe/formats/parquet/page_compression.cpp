#include "floe/formats/parquet/page_compression.h"

#include <lz4.h>
#include <lz4hc.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>

namespace floe::parquet {
namespace {

constexpr size_t kMaxPageSize = std::numeric_limits<int32_t>::max();
// Hadoop's Lz4Codec reads blocks into a 256 KiB buffer by default; smaller blocks stay readable there.
constexpr size_t kHadoopLz4BlockSize = 128 * 1024;

std::string Name(CompressionCodec codec) {
  return std::string(CodecName(codec));
}

Status Failed(CompressionCodec codec, size_t in_size, size_t out_size, const std::string& what) {
  return Status::Corruption(Name(codec) + ": decompressing a " + std::to_string(in_size) + "-byte page into " +
                            std::to_string(out_size) + " bytes failed: " + what);
}

std::string SizeMismatch(size_t got, size_t want) {
  return "it holds " + std::to_string(got) + " bytes, not the " + std::to_string(want) + " the page header says";
}

// One compression and one decompression context per thread, reused across pages.
struct ZstdContexts {
  std::unique_ptr<ZSTD_CCtx, size_t (*)(ZSTD_CCtx*)> c{ZSTD_createCCtx(), &ZSTD_freeCCtx};
  std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> d{ZSTD_createDCtx(), &ZSTD_freeDCtx};
};
ZstdContexts& Zstd() {
  thread_local ZstdContexts contexts;
  return contexts;
}

uint32_t LoadBigEndian32(const char* p) {
  const auto* b = reinterpret_cast<const uint8_t*>(p);
  return (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | uint32_t{b[3]};
}
void AppendBigEndian32(std::string* out, uint32_t v) {
  const char b[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
                     static_cast<char>(v)};
  out->append(b, 4);
}

// Appends a raw LZ4 block; level < 3 is the fast compressor, 3..12 HC.
Status Lz4Compress(std::string_view in, std::string* out, int level) {
  if (in.empty()) {
    out->push_back('\0');  // the empty block: one token with no literals and no match
    return Status::Ok();
  }
  const size_t at = out->size();
  out->resize(at + LZ4_compressBound(static_cast<int>(in.size())));
  const int cap = static_cast<int>(out->size() - at);
  const int n = level < LZ4HC_CLEVEL_MIN
                    ? LZ4_compress_default(in.data(), out->data() + at, static_cast<int>(in.size()), cap)
                    : LZ4_compress_HC(in.data(), out->data() + at, static_cast<int>(in.size()), cap, level);
  if (n <= 0) {
    out->resize(at);
    return Status::Internal("LZ4: compressing a " + std::to_string(in.size()) + "-byte page failed");
  }
  out->resize(at + n);
  return Status::Ok();
}

Status GzipCompress(std::string_view in, std::string* out, int level) {
  z_stream s{};
  // 16 + 15: a gzip wrapper around a deflate stream with a 32 KiB window.
  if (deflateInit2(&s, level, Z_DEFLATED, 16 + 15, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return Status::Internal("GZIP: deflateInit2 failed");
  }
  const size_t at = out->size();
  out->resize(at + deflateBound(&s, static_cast<uLong>(in.size())));
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  s.avail_in = static_cast<uInt>(in.size());
  s.next_out = reinterpret_cast<Bytef*>(out->data() + at);
  s.avail_out = static_cast<uInt>(out->size() - at);
  const int r = deflate(&s, Z_FINISH);
  const size_t n = s.total_out;
  deflateEnd(&s);
  if (r != Z_STREAM_END) {
    out->resize(at);
    return Status::Internal("GZIP: deflate did not finish (zlib code " + std::to_string(r) + ")");
  }
  out->resize(at + n);
  return Status::Ok();
}

Status GzipDecompress(std::string_view in, char* out, size_t size) {
  constexpr auto kCodec = CompressionCodec::kGzip;
  z_stream s{};
  // 32 + 15: accept a gzip or a zlib wrapper.
  if (inflateInit2(&s, 32 + 15) != Z_OK) return Status::Internal("GZIP: inflateInit2 failed");
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  s.avail_in = static_cast<uInt>(in.size());
  s.next_out = reinterpret_cast<Bytef*>(out);
  s.avail_out = static_cast<uInt>(size);
  std::string problem;
  while (true) {
    const int r = inflate(&s, Z_NO_FLUSH);
    if (r == Z_STREAM_END) {
      if (s.avail_in == 0) break;
      // Another gzip member follows (writers that compress in pieces concatenate them).
      if (inflateReset(&s) != Z_OK) {
        problem = "cannot start the next gzip member";
        break;
      }
      continue;
    }
    // Z_OK means progress was made; with input left, go on (Z_BUF_ERROR follows if no progress is possible).
    if (r == Z_OK && s.avail_in > 0) continue;
    if (r == Z_OK || r == Z_BUF_ERROR) {
      problem = r == Z_BUF_ERROR && s.avail_out == 0 ? "the data decompresses to more bytes than the page header says"
                                                     : "the compressed data is cut off";
    } else {
      problem =
          std::string(s.msg != nullptr ? s.msg : "corrupt deflate data") + " (zlib code " + std::to_string(r) + ")";
    }
    break;
  }
  const size_t produced = size - s.avail_out;
  inflateEnd(&s);
  if (!problem.empty()) return Failed(kCodec, in.size(), size, problem);
  if (produced != size) return Failed(kCodec, in.size(), size, SizeMismatch(produced, size));
  return Status::Ok();
}

// Hadoop-framed LZ4; false unless the blocks fill exactly `size` bytes from all of `in`.
bool TryHadoopLz4(std::string_view in, char* out, size_t size) {
  size_t pos = 0, produced = 0;
  while (in.size() - pos >= 8) {
    const uint32_t raw_len = LoadBigEndian32(in.data() + pos);
    const uint32_t compressed_len = LoadBigEndian32(in.data() + pos + 4);
    pos += 8;
    if (compressed_len > in.size() - pos || raw_len > size - produced) return false;
    const int n = LZ4_decompress_safe(in.data() + pos, out + produced, static_cast<int>(compressed_len),
                                      static_cast<int>(raw_len));
    if (n < 0 || static_cast<uint32_t>(n) != raw_len) return false;
    pos += compressed_len;
    produced += raw_len;
  }
  return pos == in.size() && produced == size;
}

Status CheckNoLevel(CompressionCodec codec, int level) {
  if (level == 0) return Status::Ok();
  return Status::InvalidArgument("compression level " + std::to_string(level) + " given for " + Name(codec) +
                                 ", which has no levels; leave it at 0");
}

}  // namespace

int DefaultCompressionLevel(CompressionCodec codec) {
  switch (codec) {
    case CompressionCodec::kZstd: return 1;
    case CompressionCodec::kGzip: return 9;
    case CompressionCodec::kLz4:
    case CompressionCodec::kLz4Raw: return 1;
    default: return 0;
  }
}

Status CompressPage(CompressionCodec codec, std::string_view in, std::string* out, int level) {
  if (in.size() > kMaxPageSize) {
    return Status::InvalidArgument(Name(codec) + ": a page of " + std::to_string(in.size()) +
                                   " bytes exceeds Parquet's limit of 2^31 - 1");
  }
  if (level == 0) level = DefaultCompressionLevel(codec);
  switch (codec) {
    case CompressionCodec::kUncompressed:
      FLOE_RETURN_IF_ERROR(CheckNoLevel(codec, level));
      out->append(in);
      return Status::Ok();
    case CompressionCodec::kSnappy: {
      FLOE_RETURN_IF_ERROR(CheckNoLevel(codec, level));
      const size_t at = out->size();
      out->resize(at + snappy::MaxCompressedLength(in.size()));
      size_t n = 0;
      snappy::RawCompress(in.data(), in.size(), out->data() + at, &n);
      out->resize(at + n);
      return Status::Ok();
    }
    case CompressionCodec::kGzip:
      if (level < 1 || level > 9) {
        return Status::InvalidArgument("GZIP: compression level " + std::to_string(level) + " is outside 1..9");
      }
      return GzipCompress(in, out, level);
    case CompressionCodec::kZstd: {
      if (level < ZSTD_minCLevel() || level > ZSTD_maxCLevel()) {
        return Status::InvalidArgument("ZSTD: compression level " + std::to_string(level) + " is outside " +
                                       std::to_string(ZSTD_minCLevel()) + ".." + std::to_string(ZSTD_maxCLevel()));
      }
      ZSTD_CCtx* cctx = Zstd().c.get();
      if (cctx == nullptr) return Status::Internal("ZSTD: cannot allocate a compression context");
      const size_t at = out->size();
      out->resize(at + ZSTD_compressBound(in.size()));
      const size_t n = ZSTD_compressCCtx(cctx, out->data() + at, out->size() - at, in.data(), in.size(), level);
      if (ZSTD_isError(n)) {
        out->resize(at);
        return Status::Internal(std::string("ZSTD: compressing failed: ") + ZSTD_getErrorName(n));
      }
      out->resize(at + n);
      return Status::Ok();
    }
    case CompressionCodec::kLz4Raw:
    case CompressionCodec::kLz4: {
      if (level < 1 || level > LZ4HC_CLEVEL_MAX) {
        return Status::InvalidArgument(Name(codec) + ": compression level " + std::to_string(level) +
                                       " is outside 1..12");
      }
      if (codec == CompressionCodec::kLz4Raw) return Lz4Compress(in, out, level);
      // Hadoop framing: one frame per block of at most kHadoopLz4BlockSize input bytes. An empty page still gets
      // one frame (holding an empty LZ4 block), as readers that fall back to a raw block reject no bytes at all.
      size_t pos = 0;
      do {
        const std::string_view block = in.substr(pos, kHadoopLz4BlockSize);
        const size_t header_at = out->size();
        AppendBigEndian32(out, static_cast<uint32_t>(block.size()));
        AppendBigEndian32(out, 0);
        FLOE_RETURN_IF_ERROR(Lz4Compress(block, out, level));
        const auto compressed = static_cast<uint32_t>(out->size() - header_at - 8);
        std::string len;
        AppendBigEndian32(&len, compressed);
        out->replace(header_at + 4, 4, len);
        pos += block.size();
      } while (pos < in.size());
      return Status::Ok();
    }
    case CompressionCodec::kBrotli:
    case CompressionCodec::kLzo:
      return Status::Unsupported(Name(codec) + " page compression is not supported; use ZSTD, SNAPPY, GZIP or LZ4_RAW");
  }
  return Status::Unsupported("unknown compression codec " + std::to_string(static_cast<int32_t>(codec)));
}

Status DecompressPage(CompressionCodec codec, std::string_view in, char* out, size_t uncompressed_size) {
  if (in.size() > kMaxPageSize || uncompressed_size > kMaxPageSize) {
    return Failed(codec, in.size(), uncompressed_size, "page sizes are limited to 2^31 - 1 bytes");
  }
  switch (codec) {
    case CompressionCodec::kUncompressed:
      if (in.size() != uncompressed_size) {
        return Failed(codec, in.size(), uncompressed_size, SizeMismatch(in.size(), uncompressed_size));
      }
      if (!in.empty()) std::memcpy(out, in.data(), in.size());
      return Status::Ok();
    case CompressionCodec::kSnappy: {
      size_t n = 0;
      if (!snappy::GetUncompressedLength(in.data(), in.size(), &n)) {
        return Failed(codec, in.size(), uncompressed_size, "the snappy length header is corrupt");
      }
      if (n != uncompressed_size)
        return Failed(codec, in.size(), uncompressed_size, SizeMismatch(n, uncompressed_size));
      if (!snappy::RawUncompress(in.data(), in.size(), out)) {
        return Failed(codec, in.size(), uncompressed_size, "corrupt snappy data");
      }
      return Status::Ok();
    }
    case CompressionCodec::kGzip: return GzipDecompress(in, out, uncompressed_size);
    case CompressionCodec::kZstd: {
      ZSTD_DCtx* dctx = Zstd().d.get();
      if (dctx == nullptr) return Status::Internal("ZSTD: cannot allocate a decompression context");
      const size_t n = ZSTD_decompressDCtx(dctx, out, uncompressed_size, in.data(), in.size());
      if (ZSTD_isError(n)) {
        const bool too_big = ZSTD_getErrorCode(n) == ZSTD_error_dstSize_tooSmall;
        return Failed(codec, in.size(), uncompressed_size,
                      too_big ? "the data decompresses to more bytes than the page header says"
                              : std::string(ZSTD_getErrorName(n)));
      }
      if (n != uncompressed_size)
        return Failed(codec, in.size(), uncompressed_size, SizeMismatch(n, uncompressed_size));
      return Status::Ok();
    }
    case CompressionCodec::kLz4Raw: {
      if (in.empty() && uncompressed_size == 0) return Status::Ok();
      const int n =
          LZ4_decompress_safe(in.data(), out, static_cast<int>(in.size()), static_cast<int>(uncompressed_size));
      if (n < 0) {
        return Failed(codec, in.size(), uncompressed_size,
                      "corrupt LZ4 block, or one that decompresses to more bytes than the page header says");
      }
      if (static_cast<size_t>(n) != uncompressed_size) {
        return Failed(codec, in.size(), uncompressed_size, SizeMismatch(n, uncompressed_size));
      }
      return Status::Ok();
    }
    case CompressionCodec::kLz4: {
      if (TryHadoopLz4(in, out, uncompressed_size)) return Status::Ok();
      if (!in.empty()) {
        const int n =
            LZ4_decompress_safe(in.data(), out, static_cast<int>(in.size()), static_cast<int>(uncompressed_size));
        if (n >= 0 && static_cast<size_t>(n) == uncompressed_size) return Status::Ok();
      }
      return Failed(codec, in.size(), uncompressed_size,
                    "the data is neither Hadoop-framed LZ4 nor a raw LZ4 block of that size");
    }
    case CompressionCodec::kBrotli:
    case CompressionCodec::kLzo:
      return Status::Unsupported(Name(codec) +
                                 " page compression is not supported; rewrite the file with ZSTD, "
                                 "SNAPPY, GZIP or LZ4_RAW");
  }
  return Status::Unsupported("unknown compression codec " + std::to_string(static_cast<int32_t>(codec)));
}

}  // namespace floe::parquet
