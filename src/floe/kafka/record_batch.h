// Reading, checking, stamping and building Kafka record batches (message format v2). The byte layout is described
// once, in record_batch_format.h.
//
// A `batch` argument is always exactly one batch: its span ends where batchLength says the batch ends. Errors are
// Corruption (the bytes are not a valid batch: they came from a bad client, a bad disk or a bug) or Unsupported (a
// valid batch floe does not handle: an older magic, a compressed batch for DecodeRecords), and name the field and
// its byte offset from the start of the batch.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "floe/base/status.h"
#include "floe/kafka/record_batch_format.h"

namespace floe::kafka {

// The header fields of one batch, as stored.
struct RecordBatchHeader {
  int64_t base_offset = 0;
  int32_t batch_length = 0;
  int32_t partition_leader_epoch = kNoPartitionLeaderEpoch;
  int8_t magic = kMagicV2;
  uint32_t crc = 0;
  int16_t attributes = 0;
  int32_t last_offset_delta = 0;
  int64_t base_timestamp = 0;
  int64_t max_timestamp = 0;
  int64_t producer_id = kNoProducerId;
  int16_t producer_epoch = kNoProducerEpoch;
  int32_t base_sequence = kNoSequence;
  int32_t records_count = 0;

  // Decodes and checks the header of `batch`: at least the header's bytes, magic 2 (else Unsupported naming the
  // magic), batchLength >= 49 and equal to batch.size() - 12, a known compression codec, recordsCount >= 0 and
  // lastOffsetDelta >= 0. Does not check the crc (VerifyCrc) or look at the records (DecodeRecords).
  static Result<RecordBatchHeader> Parse(std::span<const uint8_t> batch);

  CompressionType compression() const { return static_cast<CompressionType>(attributes & kCompressionCodecMask); }
  TimestampType timestamp_type() const {
    return (attributes & kTimestampTypeBit) ? TimestampType::kLogAppendTime : TimestampType::kCreateTime;
  }
  bool is_transactional() const { return (attributes & kTransactionalBit) != 0; }
  bool is_control() const { return (attributes & kControlBit) != 0; }
  bool has_delete_horizon() const { return (attributes & kDeleteHorizonBit) != 0; }
  // The offset of the last record; wraps rather than overflowing on nonsense input.
  int64_t last_offset() const {
    return static_cast<int64_t>(static_cast<uint64_t>(base_offset) + static_cast<uint64_t>(last_offset_delta));
  }
  // 12 + batchLength: the bytes the batch occupies.
  size_t size_in_bytes() const { return kLogOverhead + static_cast<size_t>(batch_length); }
};

// "none", "gzip", "snappy", "lz4", "zstd".
std::string_view CompressionTypeName(CompressionType type);

// The CRC-32C of bytes 21 to the end of `batch`, the value the crc field must hold. batch.size() must be at least
// kRecordBatchHeaderSize.
uint32_t ComputeBatchCrc(std::span<const uint8_t> batch);

// OK if the crc field of `batch` matches its bytes; else Corruption with the stored and computed values in hex.
// Fails likewise if `batch` is shorter than the header.
Status VerifyCrc(std::span<const uint8_t> batch);

// Splits the `records` field of a produce request (or of a log segment read) into its batches, each `batch`-sized
// by its batchLength, in order. Each batch still needs Parse and VerifyCrc. Empty input gives no batches. A batch
// cut short at the end, or a negative batchLength, is Corruption naming the batch's index and byte offset: a
// produce request must not carry a partial batch.
Result<std::vector<std::span<const uint8_t>>> SplitBatches(std::span<const uint8_t> records);

// --- In-place stamping by the broker on append. `batch` must have passed RecordBatchHeader::Parse. ---

// Sets baseOffset (the offsets of all records shift with it). The crc does not cover it, so it stays valid.
void SetBaseOffset(std::span<uint8_t> batch, int64_t base_offset);
// Sets partitionLeaderEpoch. The crc does not cover it, so it stays valid.
void SetPartitionLeaderEpoch(std::span<uint8_t> batch, int32_t epoch);
// Marks the batch LogAppendTime with `timestamp_ms` as its maxTimestamp, then rewrites the crc, as a Kafka broker
// does for a topic with message.timestamp.type=LogAppendTime. Readers then take every record's timestamp to be
// maxTimestamp; the per-record deltas are left as the producer wrote them.
void SetLogAppendTime(std::span<uint8_t> batch, int64_t timestamp_ms);
// Recomputes the crc field from the batch's bytes; call after changing anything from attributes on.
void RewriteCrc(std::span<uint8_t> batch);

// --- Records of an uncompressed batch, for tests and tools. ---

// One decoded record. The views point into the batch passed to DecodeRecords, which must outlive them.
struct Record {
  int64_t offset = 0;     // baseOffset + offsetDelta
  int64_t timestamp = 0;  // baseTimestamp + timestampDelta, or maxTimestamp for a LogAppendTime batch
  std::optional<std::string_view> key;
  std::optional<std::string_view> value;
  std::vector<std::pair<std::string_view, std::optional<std::string_view>>> headers;
};

// Parses `batch` (as RecordBatchHeader::Parse) and decodes its recordsCount records, which must fill the batch
// exactly. Does not check the crc, so a tool can still look inside a damaged batch. Unsupported for a compressed
// batch; Corruption naming the record's index and byte offset for a malformed record.
Result<std::vector<Record>> DecodeRecords(std::span<const uint8_t> batch);

// --- Building uncompressed batches, for tests and tools. ---

struct RecordInput {
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::vector<std::pair<std::string, std::optional<std::string>>> headers;
  int64_t timestamp = 0;  // milliseconds since the epoch
};

struct BatchOptions {
  int64_t base_offset = 0;
  int32_t partition_leader_epoch = kNoPartitionLeaderEpoch;
  int64_t producer_id = kNoProducerId;
  int16_t producer_epoch = kNoProducerEpoch;
  int32_t base_sequence = kNoSequence;
  bool is_transactional = false;
  TimestampType timestamp_type = TimestampType::kCreateTime;
};

// An uncompressed v2 batch of `records` with offset deltas 0, 1, 2, ... and a valid crc, laid out byte for byte as
// the Java client's MemoryRecordsBuilder lays it out: baseTimestamp is the first record's timestamp and
// maxTimestamp the largest (both -1 for an empty batch). With kLogAppendTime only the attribute bit is set; use
// SetLogAppendTime to stamp a time as a broker would.
std::vector<uint8_t> BuildRecordBatch(const std::vector<RecordInput>& records, const BatchOptions& options = {});

}  // namespace floe::kafka
