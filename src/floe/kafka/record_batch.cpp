#include "floe/kafka/record_batch.h"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <type_traits>

#include "floe/base/crc32c.h"
#include "floe/base/varint.h"

namespace floe::kafka {
namespace {

template <typename T>
T LoadBig(std::span<const uint8_t> bytes, size_t pos) {
  using U = std::make_unsigned_t<T>;
  U v = 0;
  for (size_t i = 0; i < sizeof(T); ++i) v = static_cast<U>((v << 8) | bytes[pos + i]);
  return static_cast<T>(v);
}

template <typename T>
void StoreBig(std::span<uint8_t> bytes, size_t pos, T value) {
  using U = std::make_unsigned_t<T>;
  U v = static_cast<U>(value);
  for (size_t i = sizeof(T); i-- > 0;) {
    bytes[pos + i] = static_cast<uint8_t>(v);
    v = static_cast<U>(v >> 8);
  }
}

template <typename T>
void AppendBig(std::vector<uint8_t>* out, T value) {
  const size_t pos = out->size();
  out->resize(pos + sizeof(T));
  StoreBig(std::span<uint8_t>(*out), pos, value);
}

// Offsets and timestamps are computed modulo 2^64, so nonsense input gives nonsense values rather than undefined
// behaviour.
int64_t WrappingAdd(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}
int64_t WrappingSub(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) - static_cast<uint64_t>(b));
}

Status UnsupportedMagic(int8_t magic) {
  return Status::Unsupported(
      fmt::format("record batch magic {} at byte {} is not supported: floe reads only message format v2 (magic 2, "
                  "Kafka 0.11 and later); configure the client to produce v2 batches",
                  magic, kMagicOffset));
}

// Reads the fields of the records region of one batch, with errors that name the record and the byte offset
// (from the start of the batch) where decoding failed.
class RecordCursor {
 public:
  explicit RecordCursor(std::span<const uint8_t> batch) : batch_(batch) {}

  size_t pos() const { return pos_; }
  void set_pos(size_t pos) { pos_ = pos; }
  // Reads stop at `end`, the end of the current record.
  void set_end(size_t end) { end_ = end; }
  void set_record(int32_t index) { record_ = index; }

  Status Varint(std::string_view what, int32_t* v) {
    size_t p = pos_;
    if (DecodeVarint(batch_.first(end_), &p, v)) {
      pos_ = p;
      return Status::Ok();
    }
    return VarintError(what, kMaxVarint32Bytes);
  }
  Status Varlong(std::string_view what, int64_t* v) {
    size_t p = pos_;
    if (DecodeVarlong(batch_.first(end_), &p, v)) {
      pos_ = p;
      return Status::Ok();
    }
    return VarintError(what, kMaxVarint64Bytes);
  }
  Status Int8(std::string_view what, int8_t* v) {
    if (pos_ >= end_) return Error(fmt::format("{} at byte {} is past the end of the record", what, pos_));
    *v = static_cast<int8_t>(batch_[pos_++]);
    return Status::Ok();
  }
  // A length-prefixed string; `nullable` allows length -1, read as nullopt. `what` names it in errors, with
  // `header` (if not -1) the index of the header it belongs to.
  Status String(std::string_view what, int32_t header, bool nullable, std::optional<std::string_view>* out) {
    const size_t at = pos_;
    int32_t length = 0;
    size_t p = pos_;
    if (!DecodeVarint(batch_.first(end_), &p, &length)) {
      return VarintError(fmt::format("{}{} length", HeaderPrefix(header), what), kMaxVarint32Bytes);
    }
    pos_ = p;
    if (length == -1 && nullable) {
      out->reset();
      return Status::Ok();
    }
    if (length < 0) {
      return Error(fmt::format("{}{} length {} at byte {} is invalid ({})", HeaderPrefix(header), what, length, at,
                               nullable ? "-1 means null; nothing else may be negative" : "it may not be null"));
    }
    if (static_cast<size_t>(length) > end_ - pos_) {
      return Error(fmt::format("{}{} length {} at byte {} runs past the end of the record ({} bytes left)",
                               HeaderPrefix(header), what, length, at, end_ - pos_));
    }
    *out = std::string_view(reinterpret_cast<const char*>(batch_.data() + pos_), static_cast<size_t>(length));
    pos_ += static_cast<size_t>(length);
    return Status::Ok();
  }

  Status Error(std::string_view message) const {
    return Status::Corruption(fmt::format("record batch: record {}: {}", record_, message));
  }

 private:
  static std::string HeaderPrefix(int32_t header) { return header < 0 ? "" : fmt::format("header {} ", header); }

  Status VarintError(std::string_view what, size_t max_bytes) const {
    if (VarintTruncated(batch_.first(end_), pos_, max_bytes)) {
      return Error(fmt::format("{} at byte {} is cut off by the end of the record", what, pos_));
    }
    return Error(fmt::format("{} at byte {} is a varint longer than {} bytes", what, pos_, max_bytes));
  }

  std::span<const uint8_t> batch_;
  size_t pos_ = 0;
  size_t end_ = 0;
  int32_t record_ = 0;
};

// The smallest encoded record: a 1-byte length, then attributes, timestampDelta, offsetDelta, keyLength,
// valueLength and headersCount of one byte each. Bounds the memory reserved for a claimed recordsCount.
constexpr size_t kMinRecordSize = 7;

Status DecodeRecord(RecordCursor& in, const RecordBatchHeader& header, Record* out) {
  const size_t start = in.pos();
  int32_t length = 0;
  FLOE_RETURN_IF_ERROR(in.Varint("length", &length));
  const size_t body = in.pos();
  if (length < 0 || static_cast<size_t>(length) > header.size_in_bytes() - body) {
    return in.Error(fmt::format("length {} at byte {} does not fit in the batch ({} bytes left)", length, start,
                                header.size_in_bytes() - body));
  }
  const size_t end = body + static_cast<size_t>(length);
  in.set_end(end);

  int8_t attributes = 0;
  int64_t timestamp_delta = 0;
  int32_t offset_delta = 0;
  FLOE_RETURN_IF_ERROR(in.Int8("attributes", &attributes));
  FLOE_RETURN_IF_ERROR(in.Varlong("timestampDelta", &timestamp_delta));
  FLOE_RETURN_IF_ERROR(in.Varint("offsetDelta", &offset_delta));
  FLOE_RETURN_IF_ERROR(in.String("key", -1, /*nullable=*/true, &out->key));
  FLOE_RETURN_IF_ERROR(in.String("value", -1, /*nullable=*/true, &out->value));
  const size_t headers_at = in.pos();
  int32_t headers_count = 0;
  FLOE_RETURN_IF_ERROR(in.Varint("headersCount", &headers_count));
  if (headers_count < 0) {
    return in.Error(fmt::format("headersCount {} at byte {} is negative", headers_count, headers_at));
  }
  // Each header takes at least 2 bytes; do not trust the count for the allocation.
  out->headers.reserve(std::min<size_t>(static_cast<size_t>(headers_count), (end - in.pos()) / 2));
  for (int32_t h = 0; h < headers_count; ++h) {
    std::optional<std::string_view> key;
    std::optional<std::string_view> value;
    FLOE_RETURN_IF_ERROR(in.String("key", h, /*nullable=*/false, &key));
    FLOE_RETURN_IF_ERROR(in.String("value", h, /*nullable=*/true, &value));
    out->headers.emplace_back(*key, value);
  }
  if (in.pos() != end) {
    return in.Error(fmt::format("length {} at byte {} says the record ends at byte {}, but its fields end at byte {}",
                                length, start, end, in.pos()));
  }
  out->offset = WrappingAdd(header.base_offset, offset_delta);
  out->timestamp = header.timestamp_type() == TimestampType::kLogAppendTime
                       ? header.max_timestamp
                       : WrappingAdd(header.base_timestamp, timestamp_delta);
  return Status::Ok();
}

void AppendString(std::vector<uint8_t>* out, std::optional<std::string_view> s) {
  if (!s) {
    AppendVarint(out, -1);
    return;
  }
  AppendVarint(out, static_cast<int32_t>(s->size()));
  out->insert(out->end(), s->begin(), s->end());
}

}  // namespace

Result<RecordBatchHeader> RecordBatchHeader::Parse(std::span<const uint8_t> batch) {
  if (batch.size() < kLogOverhead) {
    return Status::Corruption(fmt::format(
        "record batch truncated: {} bytes, too few even for baseOffset and batchLength (the header is {} bytes)",
        batch.size(), kRecordBatchHeaderSize));
  }
  if (batch.size() > kMagicOffset && static_cast<int8_t>(batch[kMagicOffset]) != kMagicV2) {
    return UnsupportedMagic(static_cast<int8_t>(batch[kMagicOffset]));
  }
  RecordBatchHeader h;
  h.batch_length = LoadBig<int32_t>(batch, kBatchLengthOffset);
  if (h.batch_length < kMinBatchLength) {
    return Status::Corruption(
        fmt::format("record batch batchLength {} at byte {} is less than {}, the size of a header without records",
                    h.batch_length, kBatchLengthOffset, kMinBatchLength));
  }
  if (h.size_in_bytes() > batch.size()) {
    return Status::Corruption(fmt::format(
        "record batch truncated: batchLength {} at byte {} makes the batch {} bytes, but only {} are present",
        h.batch_length, kBatchLengthOffset, h.size_in_bytes(), batch.size()));
  }
  if (h.size_in_bytes() < batch.size()) {
    return Status::Corruption(fmt::format(
        "record batch has {} bytes after its end: batchLength {} at byte {} makes the batch {} bytes, but {} were "
        "given",
        batch.size() - h.size_in_bytes(), h.batch_length, kBatchLengthOffset, h.size_in_bytes(), batch.size()));
  }
  h.base_offset = LoadBig<int64_t>(batch, kBaseOffsetOffset);
  h.partition_leader_epoch = LoadBig<int32_t>(batch, kPartitionLeaderEpochOffset);
  h.magic = LoadBig<int8_t>(batch, kMagicOffset);
  h.crc = LoadBig<uint32_t>(batch, kCrcOffset);
  h.attributes = LoadBig<int16_t>(batch, kAttributesOffset);
  h.last_offset_delta = LoadBig<int32_t>(batch, kLastOffsetDeltaOffset);
  h.base_timestamp = LoadBig<int64_t>(batch, kBaseTimestampOffset);
  h.max_timestamp = LoadBig<int64_t>(batch, kMaxTimestampOffset);
  h.producer_id = LoadBig<int64_t>(batch, kProducerIdOffset);
  h.producer_epoch = LoadBig<int16_t>(batch, kProducerEpochOffset);
  h.base_sequence = LoadBig<int32_t>(batch, kBaseSequenceOffset);
  h.records_count = LoadBig<int32_t>(batch, kRecordsCountOffset);

  const int codec = h.attributes & kCompressionCodecMask;
  if (codec > static_cast<int>(CompressionType::kZstd)) {
    return Status::Corruption(fmt::format(
        "record batch attributes 0x{:04x} at byte {} name compression codec {}, which does not exist (0-4 are none, "
        "gzip, snappy, lz4, zstd)",
        static_cast<uint16_t>(h.attributes), kAttributesOffset, codec));
  }
  if (h.last_offset_delta < 0) {
    return Status::Corruption(fmt::format("record batch lastOffsetDelta {} at byte {} is negative", h.last_offset_delta,
                                          kLastOffsetDeltaOffset));
  }
  if (h.records_count < 0) {
    return Status::Corruption(
        fmt::format("record batch recordsCount {} at byte {} is negative", h.records_count, kRecordsCountOffset));
  }
  return h;
}

std::string_view CompressionTypeName(CompressionType type) {
  switch (type) {
    case CompressionType::kNone: return "none";
    case CompressionType::kGzip: return "gzip";
    case CompressionType::kSnappy: return "snappy";
    case CompressionType::kLz4: return "lz4";
    case CompressionType::kZstd: return "zstd";
  }
  return "unknown";
}

uint32_t ComputeBatchCrc(std::span<const uint8_t> batch) {
  assert(batch.size() >= kRecordBatchHeaderSize);
  return Crc32c(batch.subspan(kCrcCoveredOffset));
}

Status VerifyCrc(std::span<const uint8_t> batch) {
  if (batch.size() < kRecordBatchHeaderSize) {
    return Status::Corruption(fmt::format("record batch truncated: {} bytes, fewer than the {}-byte header",
                                          batch.size(), kRecordBatchHeaderSize));
  }
  const uint32_t stored = LoadBig<uint32_t>(batch, kCrcOffset);
  const uint32_t computed = ComputeBatchCrc(batch);
  if (stored != computed) {
    return Status::Corruption(
        fmt::format("record batch crc mismatch: crc at byte {} is 0x{:08x}, but bytes {}-{} compute to 0x{:08x}",
                    kCrcOffset, stored, kCrcCoveredOffset, batch.size() - 1, computed));
  }
  return Status::Ok();
}

Result<std::vector<std::span<const uint8_t>>> SplitBatches(std::span<const uint8_t> records) {
  std::vector<std::span<const uint8_t>> batches;
  size_t pos = 0;
  for (size_t index = 0; pos < records.size(); ++index) {
    const size_t remaining = records.size() - pos;
    if (remaining < kLogOverhead) {
      return Status::Corruption(
          fmt::format("records: batch {} at byte {} is truncated: {} bytes remain, fewer than the {} of baseOffset and "
                      "batchLength",
                      index, pos, remaining, kLogOverhead));
    }
    const int32_t batch_length = LoadBig<int32_t>(records, pos + kBatchLengthOffset);
    if (batch_length < 0) {
      return Status::Corruption(fmt::format("records: batch {} at byte {}: batchLength {} at byte {} is negative",
                                            index, pos, batch_length, pos + kBatchLengthOffset));
    }
    const size_t size = kLogOverhead + static_cast<size_t>(batch_length);
    if (size > remaining) {
      return Status::Corruption(
          fmt::format("records: batch {} at byte {} is truncated: batchLength {} at byte {} makes it {} bytes, but "
                      "only {} remain",
                      index, pos, batch_length, pos + kBatchLengthOffset, size, remaining));
    }
    batches.push_back(records.subspan(pos, size));
    pos += size;
  }
  return batches;
}

void SetBaseOffset(std::span<uint8_t> batch, int64_t base_offset) {
  assert(batch.size() >= kRecordBatchHeaderSize);
  StoreBig(batch, kBaseOffsetOffset, base_offset);
}

void SetPartitionLeaderEpoch(std::span<uint8_t> batch, int32_t epoch) {
  assert(batch.size() >= kRecordBatchHeaderSize);
  StoreBig(batch, kPartitionLeaderEpochOffset, epoch);
}

void SetLogAppendTime(std::span<uint8_t> batch, int64_t timestamp_ms) {
  assert(batch.size() >= kRecordBatchHeaderSize);
  const int16_t attributes = LoadBig<int16_t>(batch, kAttributesOffset);
  StoreBig(batch, kAttributesOffset, static_cast<int16_t>(attributes | kTimestampTypeBit));
  StoreBig(batch, kMaxTimestampOffset, timestamp_ms);
  RewriteCrc(batch);
}

void RewriteCrc(std::span<uint8_t> batch) {
  assert(batch.size() >= kRecordBatchHeaderSize);
  StoreBig(batch, kCrcOffset, ComputeBatchCrc(batch));
}

Result<std::vector<Record>> DecodeRecords(std::span<const uint8_t> batch) {
  FLOE_ASSIGN_OR_RETURN(RecordBatchHeader header, RecordBatchHeader::Parse(batch));
  if (header.compression() != CompressionType::kNone) {
    return Status::Unsupported(fmt::format(
        "record batch at base offset {} is compressed with {} (attributes 0x{:04x} at byte {}); floe decodes records "
        "only of uncompressed batches",
        header.base_offset, CompressionTypeName(header.compression()), static_cast<uint16_t>(header.attributes),
        kAttributesOffset));
  }
  std::vector<Record> records;
  records.reserve(
      std::min<size_t>(static_cast<size_t>(header.records_count), (batch.size() - kRecordsOffset) / kMinRecordSize));
  RecordCursor in(batch);
  in.set_pos(kRecordsOffset);
  for (int32_t i = 0; i < header.records_count; ++i) {
    in.set_record(i);
    if (in.pos() == batch.size()) {
      return in.Error(fmt::format("the batch ends at byte {} after {} of its recordsCount {} records", batch.size(), i,
                                  header.records_count));
    }
    in.set_end(batch.size());
    Record record;
    FLOE_RETURN_IF_ERROR(DecodeRecord(in, header, &record));
    records.push_back(std::move(record));
  }
  if (in.pos() != batch.size()) {
    return Status::Corruption(
        fmt::format("record batch: {} bytes follow the last of its recordsCount {} records, from byte {} to the end",
                    batch.size() - in.pos(), header.records_count, in.pos()));
  }
  return records;
}

std::vector<uint8_t> BuildRecordBatch(const std::vector<RecordInput>& records, const BatchOptions& options) {
  int64_t base_timestamp = -1;
  int64_t max_timestamp = -1;
  if (!records.empty()) {
    base_timestamp = records.front().timestamp;
    max_timestamp = records.front().timestamp;
    for (const RecordInput& r : records) max_timestamp = std::max(max_timestamp, r.timestamp);
  }
  int16_t attributes = static_cast<int16_t>(CompressionType::kNone);
  if (options.timestamp_type == TimestampType::kLogAppendTime) attributes |= kTimestampTypeBit;
  if (options.is_transactional) attributes |= kTransactionalBit;

  std::vector<uint8_t> out;
  out.reserve(kRecordBatchHeaderSize + records.size() * 16);
  AppendBig(&out, options.base_offset);
  AppendBig(&out, int32_t{0});  // batchLength, patched below
  AppendBig(&out, options.partition_leader_epoch);
  AppendBig(&out, kMagicV2);
  AppendBig(&out, uint32_t{0});  // crc, patched below
  AppendBig(&out, attributes);
  AppendBig(&out, static_cast<int32_t>(records.empty() ? 0 : records.size() - 1));
  AppendBig(&out, base_timestamp);
  AppendBig(&out, max_timestamp);
  AppendBig(&out, options.producer_id);
  AppendBig(&out, options.producer_epoch);
  AppendBig(&out, options.base_sequence);
  AppendBig(&out, static_cast<int32_t>(records.size()));
  assert(out.size() == kRecordBatchHeaderSize);

  std::vector<uint8_t> body;
  for (size_t i = 0; i < records.size(); ++i) {
    const RecordInput& r = records[i];
    body.clear();
    body.push_back(0);  // attributes
    AppendVarlong(&body, WrappingSub(r.timestamp, base_timestamp));
    AppendVarint(&body, static_cast<int32_t>(i));
    AppendString(&body, r.key);
    AppendString(&body, r.value);
    AppendVarint(&body, static_cast<int32_t>(r.headers.size()));
    for (const auto& [key, value] : r.headers) {
      AppendString(&body, key);
      AppendString(&body, value);
    }
    AppendVarint(&out, static_cast<int32_t>(body.size()));
    out.insert(out.end(), body.begin(), body.end());
  }

  StoreBig(std::span<uint8_t>(out), kBatchLengthOffset, static_cast<int32_t>(out.size() - kLogOverhead));
  RewriteCrc(out);
  return out;
}

}  // namespace floe::kafka
