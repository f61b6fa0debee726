// The Kafka record batch, message format v2 (magic 2, Kafka 0.11+): the unit a producer sends, the broker stores
// and a consumer fetches. Spec: https://kafka.apache.org/documentation/#recordbatch ("Message Format" > "Record
// Batch" and "Record"). Shared by the reader and writer in record_batch.h; described here once.
//
// A batch is a 61-byte header followed by the records. All integers are big-endian:
//
//   offset size field
//        0    8 baseOffset            offset of the first record; the broker assigns it on append
//        8    4 batchLength           bytes after this field, so the whole batch is 12 + batchLength bytes
//       12    4 partitionLeaderEpoch  set by the broker on append (-1 from producers)
//       16    1 magic                 2
//       17    4 crc                   CRC-32C (floe/base/crc32c.h) of bytes 21 to the end of the batch
//       21    2 attributes            see the bits below
//       23    4 lastOffsetDelta       offset of the last record minus baseOffset
//       27    8 baseTimestamp         timestamp of the first record (or the delete horizon, see below)
//       35    8 maxTimestamp          largest record timestamp, or the broker's time for LogAppendTime
//       43    8 producerId            -1 unless idempotent or transactional
//       51    2 producerEpoch         -1 unless idempotent or transactional
//       53    4 baseSequence          -1 unless idempotent or transactional
//       57    4 recordsCount
//       61      records               recordsCount records; compressed as a whole when attributes say so
//
// The crc covers everything after it but not baseOffset, batchLength, partitionLeaderEpoch or magic, so a broker
// can assign offsets and stamp its leader epoch without recomputing it; changing attributes or maxTimestamp (for
// LogAppendTime) requires a new crc.
//
// Each record, after decompression, is (varint = zigzag varint, varlong = zigzag varlong, floe/base/varint.h):
//
//   length varint            bytes of the record after this field
//   attributes int8          unused, 0
//   timestampDelta varlong   timestamp minus baseTimestamp
//   offsetDelta varint       offset minus baseOffset
//   keyLength varint, key    -1 for a null key
//   valueLength varint, value  -1 for a null value
//   headersCount varint, then per header: keyLength varint, key (never null), valueLength varint (-1 null), value
#pragma once

#include <cstddef>
#include <cstdint>

namespace floe::kafka {

// Header field offsets from the start of the batch.
inline constexpr size_t kBaseOffsetOffset = 0;
inline constexpr size_t kBatchLengthOffset = 8;
inline constexpr size_t kPartitionLeaderEpochOffset = 12;
inline constexpr size_t kMagicOffset = 16;
inline constexpr size_t kCrcOffset = 17;
inline constexpr size_t kAttributesOffset = 21;
inline constexpr size_t kLastOffsetDeltaOffset = 23;
inline constexpr size_t kBaseTimestampOffset = 27;
inline constexpr size_t kMaxTimestampOffset = 35;
inline constexpr size_t kProducerIdOffset = 43;
inline constexpr size_t kProducerEpochOffset = 51;
inline constexpr size_t kBaseSequenceOffset = 53;
inline constexpr size_t kRecordsCountOffset = 57;
inline constexpr size_t kRecordsOffset = 61;

inline constexpr size_t kRecordBatchHeaderSize = 61;
// baseOffset and batchLength: the bytes not counted by batchLength ("log overhead" in Kafka).
inline constexpr size_t kLogOverhead = 12;
// The smallest valid batchLength: a header with no records.
inline constexpr int32_t kMinBatchLength = static_cast<int32_t>(kRecordBatchHeaderSize - kLogOverhead);  // 49
// The CRC-32C covers the batch from here to its end.
inline constexpr size_t kCrcCoveredOffset = kAttributesOffset;

inline constexpr int8_t kMagicV2 = 2;

// attributes bits.
inline constexpr int16_t kCompressionCodecMask = 0x07;  // bits 0-2, a CompressionType
inline constexpr int16_t kTimestampTypeBit = 0x08;      // bit 3: 0 CreateTime, 1 LogAppendTime
inline constexpr int16_t kTransactionalBit = 0x10;      // bit 4
inline constexpr int16_t kControlBit = 0x20;            // bit 5: the batch holds one control record (commit/abort)
inline constexpr int16_t kDeleteHorizonBit = 0x40;      // bit 6: baseTimestamp is the compaction delete horizon

enum class CompressionType : int8_t { kNone = 0, kGzip = 1, kSnappy = 2, kLz4 = 3, kZstd = 4 };
enum class TimestampType : int8_t { kCreateTime = 0, kLogAppendTime = 1 };

// Values of the producer fields when the producer is neither idempotent nor transactional.
inline constexpr int64_t kNoProducerId = -1;
inline constexpr int16_t kNoProducerEpoch = -1;
inline constexpr int32_t kNoSequence = -1;
// partitionLeaderEpoch as producers send it.
inline constexpr int32_t kNoPartitionLeaderEpoch = -1;

}  // namespace floe::kafka
