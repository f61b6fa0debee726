#include "floe/kafka/record_codec.h"

#include <fmt/format.h>
#include <lz4frame.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "floe/base/varint.h"

namespace floe::kafka {
namespace {

// snappy-java's SnappyOutputStream header: magic, then version and minimum compatible version (int32 each).
constexpr uint8_t kXerialMagic[8] = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0};
constexpr size_t kXerialHeaderSize = 16;

// The smallest encoded record (length, attributes, timestampDelta, offsetDelta, keyLength, valueLength and
// headersCount of one byte each): bounds the records a claimed recordsCount can need.
constexpr size_t kMinRecordSize = 7;

// Where the first streaming output buffer starts: typical Kafka compression ratios are 2-5x.
constexpr size_t kMinScratchBytes = 4096;

uint32_t LoadBig32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

int64_t WrappingAdd(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}

// Reads the records region (the batch's bytes after the header, or their decompressed form). Every failure is
// described by a static string plus numbers, so the successful path formats nothing.
class RecordReader {
 public:
  explicit RecordReader(std::span<const uint8_t> in) : in_(in), end_(in.size()) {}

  size_t pos() const { return pos_; }
  size_t end() const { return end_; }
  void set_end(size_t end) { end_ = end; }
  const char* error() const { return error_; }
  size_t error_pos() const { return error_pos_; }

  bool Varint(const char* what, int32_t* v) {
    size_t p = pos_;
    if (!DecodeVarint(in_.first(end_), &p, v)) return Fail(what, kMaxVarint32Bytes);
    pos_ = p;
    return true;
  }
  bool Varlong(const char* what, int64_t* v) {
    size_t p = pos_;
    if (!DecodeVarlong(in_.first(end_), &p, v)) return Fail(what, kMaxVarint64Bytes);
    pos_ = p;
    return true;
  }
  bool Byte(const char* what) {
    if (pos_ >= end_) return Fail(what, 0);
    ++pos_;
    return true;
  }
  // A varint length and that many bytes; -1 is null when `nullable`.
  bool String(const char* what, bool nullable, std::optional<std::string_view>* out) {
    const size_t at = pos_;
    int32_t length = 0;
    if (!Varint(what, &length)) return false;
    if (length == -1 && nullable) {
      out->reset();
      return true;
    }
    if (length < 0) {
      error_ = nullable ? "a length below -1" : "a negative length (this string may not be null)";
      error_field_ = what;
      error_pos_ = at;
      return false;
    }
    if (static_cast<size_t>(length) > end_ - pos_) {
      error_ = "a length that runs past the end of the record";
      error_field_ = what;
      error_pos_ = at;
      return false;
    }
    *out = std::string_view(reinterpret_cast<const char*>(in_.data() + pos_), static_cast<size_t>(length));
    pos_ += static_cast<size_t>(length);
    return true;
  }
  const char* error_field() const { return error_field_; }
  void SetError(const char* field, const char* error, size_t at) {
    error_field_ = field;
    error_ = error;
    error_pos_ = at;
  }

 private:
  bool Fail(const char* what, size_t max_bytes) {
    error_field_ = what;
    error_pos_ = pos_;
    if (max_bytes == 0 || VarintTruncated(in_.first(end_), pos_, max_bytes)) {
      error_ = "cut off by the end of the record";
    } else {
      error_ = "a varint longer than the type allows";
    }
    return false;
  }

  std::span<const uint8_t> in_;
  size_t pos_ = 0;
  size_t end_;
  const char* error_ = "";
  const char* error_field_ = "";
  size_t error_pos_ = 0;
};

}  // namespace

struct RecordBatchDecoder::Codecs {
  z_stream zlib{};
  bool zlib_ready = false;
  ZSTD_DCtx* zstd = nullptr;
  LZ4F_dctx* lz4 = nullptr;

  ~Codecs() {
    if (zlib_ready) inflateEnd(&zlib);
    ZSTD_freeDCtx(zstd);
    if (lz4 != nullptr) LZ4F_freeDecompressionContext(lz4);
  }
};

RecordBatchDecoder::RecordBatchDecoder(RecordDecoderOptions options) : options_(options) {
  options_.max_decompressed_bytes = std::max<size_t>(options_.max_decompressed_bytes, 1);
}
RecordBatchDecoder::~RecordBatchDecoder() = default;
RecordBatchDecoder::RecordBatchDecoder(RecordBatchDecoder&&) noexcept = default;
RecordBatchDecoder& RecordBatchDecoder::operator=(RecordBatchDecoder&&) noexcept = default;

Status RecordBatchDecoder::Error(std::string_view what) const {
  return Status::Corruption(fmt::format("record batch at base offset {} ({}): {}", header_.base_offset,
                                        CompressionTypeName(header_.compression()), what));
}

Status RecordBatchDecoder::Decode(std::span<const uint8_t> batch) {
  count_ = 0;
  Result<RecordBatchHeader> parsed = RecordBatchHeader::Parse(batch);
  if (!parsed.ok()) {
    if (batch.size() >= kBatchLengthOffset) {
      const uint64_t base = (uint64_t{LoadBig32(batch.data())} << 32) | LoadBig32(batch.data() + 4);
      return parsed.status().WithContext(fmt::format("record batch at base offset {}", static_cast<int64_t>(base)));
    }
    return parsed.status();
  }
  header_ = *parsed;
  if (options_.verify_crc) {
    Status crc = VerifyCrc(batch);
    if (!crc.ok()) return Error(crc.message());
  }
  // A control batch holds one control record (a transaction marker), which is not data.
  if (header_.is_control()) return Status::Ok();
  std::span<const uint8_t> records = batch.subspan(kRecordsOffset);
  if (header_.compression() != CompressionType::kNone) FLOE_RETURN_IF_ERROR(Decompress(records, &records));
  return DecodeRecordsFrom(records);
}

void RecordBatchDecoder::Reserve(size_t bytes, size_t keep) {
  if (bytes <= scratch_capacity_) return;
  const size_t capacity =
      std::min(std::max(bytes, scratch_capacity_ * 2), std::max(bytes, options_.max_decompressed_bytes));
  // Not make_unique: that would zero the bytes, which the codec overwrites anyway.
  std::unique_ptr<uint8_t[]> grown(new uint8_t[capacity]);
  if (keep > 0) std::memcpy(grown.get(), scratch_.get(), keep);
  scratch_ = std::move(grown);
  scratch_capacity_ = capacity;
}

Status RecordBatchDecoder::GrowFull(size_t produced) {
  if (produced >= options_.max_decompressed_bytes) {
    return Error(
        fmt::format("the records decompress to more than {} bytes, the limit per batch (a corrupt or malicious batch; "
                    "RecordDecoderOptions::max_decompressed_bytes)",
                    options_.max_decompressed_bytes));
  }
  Reserve(std::min(options_.max_decompressed_bytes, std::max(kMinScratchBytes, scratch_capacity_ * 2)), produced);
  return Status::Ok();
}

Status RecordBatchDecoder::Decompress(std::span<const uint8_t> in, std::span<const uint8_t>* out) {
  if (!codecs_) codecs_ = std::make_unique<Codecs>();
  size_t size = 0;
  switch (header_.compression()) {
    case CompressionType::kNone: *out = in; return Status::Ok();
    case CompressionType::kGzip: FLOE_RETURN_IF_ERROR(Gunzip(in, &size)); break;
    case CompressionType::kSnappy: FLOE_RETURN_IF_ERROR(Unsnappy(in, &size)); break;
    case CompressionType::kLz4: FLOE_RETURN_IF_ERROR(Unlz4(in, &size)); break;
    case CompressionType::kZstd: FLOE_RETURN_IF_ERROR(Unzstd(in, &size)); break;
  }
  *out = std::span<const uint8_t>(scratch_.get(), size);
  return Status::Ok();
}

// The first output buffer for a streaming codec: what is already there, or a guess from the compressed size.
static size_t FirstGuess(size_t compressed, size_t limit) {
  return std::min(limit, std::max(kMinScratchBytes, compressed * 4));
}

Status RecordBatchDecoder::Gunzip(std::span<const uint8_t> in, size_t* size) {
  z_stream& zs = codecs_->zlib;
  if (!codecs_->zlib_ready) {
    zs = z_stream{};
    // 16 + 15: a gzip wrapper (not zlib's) around a deflate stream with up to a 32 KiB window.
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) return Error("zlib cannot allocate an inflate stream");
    codecs_->zlib_ready = true;
  } else if (inflateReset(&zs) != Z_OK) {
    return Error("zlib cannot reset its inflate stream");
  }
  Reserve(FirstGuess(in.size(), options_.max_decompressed_bytes), 0);
  zs.next_in = const_cast<Bytef*>(in.data());
  zs.avail_in = static_cast<uInt>(in.size());
  size_t produced = 0;
  for (;;) {
    if (produced == scratch_capacity_) FLOE_RETURN_IF_ERROR(GrowFull(produced));
    zs.next_out = scratch_.get() + produced;
    zs.avail_out = static_cast<uInt>(std::min<size_t>(scratch_capacity_ - produced, UINT32_MAX));
    const uInt before = zs.avail_out;
    const int r = inflate(&zs, Z_NO_FLUSH);
    produced += before - zs.avail_out;
    if (r == Z_STREAM_END) {
      if (zs.avail_in == 0) break;
      // Another gzip member follows (concatenated gzip streams are one stream by RFC 1952).
      if (inflateReset(&zs) != Z_OK) return Error("zlib cannot reset its inflate stream");
      continue;
    }
    if (r == Z_OK) continue;
    if (r == Z_BUF_ERROR && zs.avail_out == 0) continue;  // out of room: grow and go on
    if (r == Z_BUF_ERROR) {
      return Error(
          fmt::format("the gzip stream is cut off: its {} bytes end before the stream does "
                      "({} bytes decompressed)",
                      in.size(), produced));
    }
    return Error(fmt::format("not a valid gzip stream at compressed byte {}: {}", in.size() - zs.avail_in,
                             zs.msg != nullptr ? zs.msg : "zlib error " + std::to_string(r)));
  }
  *size = produced;
  return Status::Ok();
}

Status RecordBatchDecoder::Unsnappy(std::span<const uint8_t> in, size_t* size) {
  const bool xerial =
      in.size() >= sizeof kXerialMagic && std::memcmp(in.data(), kXerialMagic, sizeof kXerialMagic) == 0;
  if (xerial) {
    Status st = UnsnappyXerial(in, size);
    if (st.ok()) return st;
    // A raw block that happens to start with the magic (its length varint and first tag) is still a raw block.
    size_t length = 0;
    if (snappy::GetUncompressedLength(reinterpret_cast<const char*>(in.data()), in.size(), &length) &&
        length <= options_.max_decompressed_bytes) {
      Reserve(std::max<size_t>(length, 1), 0);
      if (snappy::RawUncompress(reinterpret_cast<const char*>(in.data()), in.size(),
                                reinterpret_cast<char*>(scratch_.get()))) {
        *size = length;
        return Status::Ok();
      }
    }
    return st;
  }
  size_t length = 0;
  if (!snappy::GetUncompressedLength(reinterpret_cast<const char*>(in.data()), in.size(), &length)) {
    return Error(
        fmt::format("the raw snappy block of {} bytes does not start with a valid uncompressed length", in.size()));
  }
  if (length > options_.max_decompressed_bytes) {
    return Error(
        fmt::format("the raw snappy block claims {} uncompressed bytes, more than the limit of {} per batch "
                    "(RecordDecoderOptions::max_decompressed_bytes)",
                    length, options_.max_decompressed_bytes));
  }
  Reserve(std::max<size_t>(length, 1), 0);
  if (!snappy::RawUncompress(reinterpret_cast<const char*>(in.data()), in.size(),
                             reinterpret_cast<char*>(scratch_.get()))) {
    return Error(
        fmt::format("the raw snappy block of {} bytes (claiming {} uncompressed) is corrupt", in.size(), length));
  }
  *size = length;
  return Status::Ok();
}

Status RecordBatchDecoder::UnsnappyXerial(std::span<const uint8_t> in, size_t* size) {
  if (in.size() < kXerialHeaderSize) {
    return Error(fmt::format("the xerial snappy framing is cut off: {} bytes, fewer than its {}-byte header", in.size(),
                             kXerialHeaderSize));
  }
  size_t pos = kXerialHeaderSize;
  size_t produced = 0;
  for (int block = 0; pos < in.size(); ++block) {
    if (in.size() - pos < 4) {
      return Error(fmt::format("xerial snappy block {}: its length at compressed byte {} is cut off", block, pos));
    }
    const uint32_t length = LoadBig32(in.data() + pos);
    pos += 4;
    if (length > in.size() - pos) {
      return Error(
          fmt::format("xerial snappy block {}: length {} at compressed byte {} runs past the end ({} bytes "
                      "left)",
                      block, length, pos - 4, in.size() - pos));
    }
    const char* data = reinterpret_cast<const char*>(in.data() + pos);
    size_t n = 0;
    if (!snappy::GetUncompressedLength(data, length, &n)) {
      return Error(
          fmt::format("xerial snappy block {} at compressed byte {} does not start with a valid "
                      "uncompressed length",
                      block, pos));
    }
    if (n > options_.max_decompressed_bytes - produced) {
      return Error(fmt::format(
          "xerial snappy block {} at compressed byte {} takes the records past {} decompressed bytes, the limit per "
          "batch (RecordDecoderOptions::max_decompressed_bytes)",
          block, pos, options_.max_decompressed_bytes));
    }
    Reserve(std::max<size_t>(produced + n, 1), produced);
    if (!snappy::RawUncompress(data, length, reinterpret_cast<char*>(scratch_.get() + produced))) {
      return Error(
          fmt::format("xerial snappy block {} at compressed byte {} ({} bytes) is corrupt", block, pos, length));
    }
    produced += n;
    pos += length;
  }
  *size = produced;
  return Status::Ok();
}

Status RecordBatchDecoder::Unlz4(std::span<const uint8_t> in, size_t* size) {
  if (codecs_->lz4 == nullptr) {
    if (LZ4F_isError(LZ4F_createDecompressionContext(&codecs_->lz4, LZ4F_VERSION))) {
      codecs_->lz4 = nullptr;
      return Error("lz4 cannot allocate a decompression context");
    }
  } else {
    LZ4F_resetDecompressionContext(codecs_->lz4);  // an earlier batch may have failed mid-frame
  }
  Reserve(FirstGuess(in.size(), options_.max_decompressed_bytes), 0);
  size_t pos = 0;
  size_t produced = 0;
  for (;;) {
    if (produced == scratch_capacity_) FLOE_RETURN_IF_ERROR(GrowFull(produced));
    size_t dst = scratch_capacity_ - produced;
    size_t src = in.size() - pos;
    const size_t r = LZ4F_decompress(codecs_->lz4, scratch_.get() + produced, &dst, in.data() + pos, &src, nullptr);
    if (LZ4F_isError(r)) {
      return Error(fmt::format("not a valid LZ4 frame at compressed byte {}: {}", pos, LZ4F_getErrorName(r)));
    }
    pos += src;
    produced += dst;
    if (r == 0) {
      if (pos == in.size()) break;
      continue;  // another frame follows
    }
    if (pos == in.size() && produced < scratch_capacity_) {
      return Error(
          fmt::format("the LZ4 frame is cut off: its {} bytes end before the frame does ({} bytes "
                      "decompressed)",
                      in.size(), produced));
    }
  }
  *size = produced;
  return Status::Ok();
}

Status RecordBatchDecoder::Unzstd(std::span<const uint8_t> in, size_t* size) {
  if (codecs_->zstd == nullptr) {
    codecs_->zstd = ZSTD_createDCtx();
    if (codecs_->zstd == nullptr) return Error("zstd cannot allocate a decompression context");
  } else {
    ZSTD_DCtx_reset(codecs_->zstd, ZSTD_reset_session_only);
  }
  // librdkafka and the Java client stream their frames, so the content size is often absent; when present it sizes
  // the buffer at once (and refuses a bomb before any work).
  const unsigned long long content = ZSTD_getFrameContentSize(in.data(), in.size());
  if (content != ZSTD_CONTENTSIZE_UNKNOWN && content != ZSTD_CONTENTSIZE_ERROR) {
    if (content > options_.max_decompressed_bytes) {
      return Error(
          fmt::format("the zstd frame declares {} content bytes, more than the limit of {} per batch "
                      "(RecordDecoderOptions::max_decompressed_bytes)",
                      content, options_.max_decompressed_bytes));
    }
    Reserve(std::max<size_t>(static_cast<size_t>(content), 1), 0);
  } else {
    Reserve(FirstGuess(in.size(), options_.max_decompressed_bytes), 0);
  }
  ZSTD_inBuffer input{in.data(), in.size(), 0};
  size_t produced = 0;
  for (;;) {
    if (produced == scratch_capacity_) FLOE_RETURN_IF_ERROR(GrowFull(produced));
    ZSTD_outBuffer output{scratch_.get(), scratch_capacity_, produced};
    const size_t r = ZSTD_decompressStream(codecs_->zstd, &output, &input);
    produced = output.pos;
    if (ZSTD_isError(r)) {
      return Error(fmt::format("not a valid zstd stream at compressed byte {}: {}", input.pos, ZSTD_getErrorName(r)));
    }
    if (input.pos == input.size) {
      if (r == 0) break;  // the last frame is complete
      if (output.pos < output.size) {
        return Error(
            fmt::format("the zstd frame is cut off: its {} bytes end before the frame does ({} bytes "
                        "decompressed)",
                        in.size(), produced));
      }
    }
  }
  *size = produced;
  return Status::Ok();
}

Status RecordBatchDecoder::DecodeRecordsFrom(std::span<const uint8_t> records) {
  const bool compressed = header_.compression() != CompressionType::kNone;
  // Positions in errors: from the start of the batch when it is uncompressed, else in the decompressed records.
  const size_t shown_base = compressed ? 0 : kRecordsOffset;
  const char* region = compressed ? "of the decompressed records" : "of the batch";
  const auto count = static_cast<size_t>(header_.records_count);
  if (count > records.size() / kMinRecordSize) {
    return Error(fmt::format("recordsCount {} at byte {} is more than {} bytes of records can hold", count,
                             kRecordsCountOffset, records.size()));
  }
  if (records_.size() < count) records_.resize(count);

  RecordReader in(records);
  int32_t previous_delta = -1;
  for (size_t i = 0; i < count; ++i) {
    Record& rec = records_[i];
    const size_t start = in.pos();
    in.set_end(records.size());
    int32_t length = 0;
    bool ok = in.Varint("length", &length);
    if (ok && (length < 0 || static_cast<size_t>(length) > records.size() - in.pos())) {
      in.SetError("length", "a length that runs past the end of the records", start);
      ok = false;
    }
    int64_t timestamp_delta = 0;
    int32_t offset_delta = 0;
    int32_t headers_count = 0;
    if (ok) {
      in.set_end(in.pos() + static_cast<size_t>(length));
      ok = in.Byte("attributes") && in.Varlong("timestampDelta", &timestamp_delta) &&
           in.Varint("offsetDelta", &offset_delta) && in.String("key", true, &rec.key) &&
           in.String("value", true, &rec.value);
    }
    if (ok) {
      const size_t at = in.pos();
      ok = in.Varint("headersCount", &headers_count);
      if (ok && headers_count < 0) {
        in.SetError("headersCount", "a negative count", at);
        ok = false;
      }
    }
    rec.headers.clear();
    for (int32_t h = 0; ok && h < headers_count; ++h) {
      std::optional<std::string_view> key;
      std::optional<std::string_view> value;
      ok = in.String("header key", false, &key) && in.String("header value", true, &value);
      if (ok) rec.headers.emplace_back(*key, value);
    }
    if (ok && in.pos() != in.end()) {
      in.SetError("length", "a length longer than the record's fields", start);
      ok = false;
    }
    if (!ok) {
      return Error(fmt::format("record {} at byte {} {}: {} at byte {} is {}", i, start + shown_base, region,
                               in.error_field(), in.error_pos() + shown_base, in.error()));
    }
    // Offsets rise within a batch and stay in its range (a compacted batch may have gaps, never a step back): a
    // consumer resumes after the last offset it saw, so a wild delta would make it skip or repeat records.
    if (offset_delta < 0 || offset_delta > header_.last_offset_delta || (i > 0 && offset_delta <= previous_delta)) {
      return Error(fmt::format(
          "record {} at byte {} {}: offsetDelta {} is not above the previous record's ({}) and "
          "within lastOffsetDelta {}",
          i, start + shown_base, region, offset_delta, i > 0 ? previous_delta : -1, header_.last_offset_delta));
    }
    previous_delta = offset_delta;
    in.set_end(records.size());
    rec.offset = WrappingAdd(header_.base_offset, offset_delta);
    rec.timestamp = header_.timestamp_type() == TimestampType::kLogAppendTime
                        ? header_.max_timestamp
                        : WrappingAdd(header_.base_timestamp, timestamp_delta);
  }
  if (in.pos() != records.size()) {
    return Error(fmt::format("{} bytes {} follow the last of its recordsCount {} records, from byte {}",
                             records.size() - in.pos(), region, count, in.pos() + shown_base));
  }
  count_ = count;
  return Status::Ok();
}

}  // namespace floe::kafka
