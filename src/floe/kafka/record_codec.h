// Decoding every record of a Kafka v2 record batch, whatever its compression, for consumers (the stream job's
// sources and tools). record_batch.h reads uncompressed batches only and allocates per call; this decoder handles
// all five codecs and reuses its buffers, so a warm decoder allocates nothing per batch or per record.
//
// The compressed form of a batch is the whole `records` field (format in record_batch_format.h), compressed as one
// stream; the 61-byte header stays uncompressed. Codecs, as Kafka clients write them:
//   gzip    an RFC 1952 gzip stream (Java's GZIPOutputStream, librdkafka's zlib deflate with a gzip header);
//           concatenated members are accepted.
//   snappy  either one raw snappy block (what librdkafka writes) or the snappy-java "xerial" framing the Java client
//           writes: the 8 bytes "\x82SNAPPY\0", int32 version, int32 minimum compatible version (16 bytes in all),
//           then blocks of (int32 big-endian compressed length, raw snappy block). Input starting with the xerial
//           magic is read as xerial and, should that fail, as one raw block (a raw block could in principle start
//           with those bytes), as librdkafka does.
//   lz4     the LZ4 frame format (lz4frame, magic 0x184D2204), with a correct header checksum as magic 2 requires
//           (KAFKA-3160 concerned only the older message formats). Concatenated frames are accepted.
//   zstd    RFC 8878 zstd frames (one or more), with or without the content size in the frame header.
//
// Transactions: a control batch (a transaction's commit or abort marker) yields no records. The records of
// transactional batches are returned whether their transaction committed or aborted, i.e. read_uncommitted: floe's
// broker has no transactions, and a consumer of another broker that needs read_committed must ask that broker for it
// (isolation.level) and filter with the aborted-transactions list of the fetch response, which this decoder does not
// see.
//
// Errors are Corruption naming the batch's base offset, the codec and what was wrong (a bad crc, a stream the codec
// rejects, a decompressed size over the limit, a malformed record with its index and byte position).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "floe/base/status.h"
#include "floe/kafka/record_batch.h"

namespace floe::kafka {

// The most bytes one batch's records may decompress to before the batch is refused as a zip bomb. Kafka's own
// limits are per batch too (max.message.bytes bounds the compressed size); 64 MiB is far above any batch a sane
// producer builds from a 1 MiB compressed batch.
inline constexpr size_t kDefaultMaxDecompressedBatchBytes = 64u << 20;

struct RecordDecoderOptions {
  size_t max_decompressed_bytes = kDefaultMaxDecompressedBatchBytes;
  // Check the batch's CRC-32C before decoding. Consumers do by default (Kafka's check.crcs=true): it catches
  // damage on disk or in transit that the codecs might not.
  bool verify_crc = true;
};

// Decodes one batch at a time. The records it returns are views into the batch (uncompressed batches) or into the
// decoder's scratch buffer (compressed ones): they stay valid until the next Decode call or the decoder's
// destruction, and, for an uncompressed batch, only while the batch's bytes do. Buffers grow to the largest batch
// seen and are kept: once warm, Decode allocates nothing (a record's headers vector only grows when a record has
// more headers than the record in the same position of any earlier batch).
//
// Not thread-safe; use one decoder per thread (or per partition).
class RecordBatchDecoder {
 public:
  explicit RecordBatchDecoder(RecordDecoderOptions options = {});
  ~RecordBatchDecoder();
  RecordBatchDecoder(const RecordBatchDecoder&) = delete;
  RecordBatchDecoder& operator=(const RecordBatchDecoder&) = delete;
  RecordBatchDecoder(RecordBatchDecoder&&) noexcept;
  RecordBatchDecoder& operator=(RecordBatchDecoder&&) noexcept;

  // Parses `batch` (exactly one batch, as RecordBatchHeader::Parse requires), checks its crc when asked, and
  // decodes its records. On error, header() and records() are unspecified (records() may be empty).
  Status Decode(std::span<const uint8_t> batch);

  // The header of the last decoded batch.
  const RecordBatchHeader& header() const { return header_; }
  // The records of the last decoded batch, in batch order (offsets ascending); none for a control batch.
  std::span<const Record> records() const { return {records_.data(), count_}; }

  // For tests: the capacity of the decompression buffer in bytes.
  size_t scratch_capacity() const { return scratch_capacity_; }

 private:
  struct Codecs;  // zlib, zstd and lz4 decompression contexts, created on first use and reused

  // Decompresses `in` with the batch's codec into scratch_; sets *out to the decompressed bytes.
  Status Decompress(std::span<const uint8_t> in, std::span<const uint8_t>* out);
  Status Gunzip(std::span<const uint8_t> in, size_t* size);
  Status Unsnappy(std::span<const uint8_t> in, size_t* size);
  Status UnsnappyXerial(std::span<const uint8_t> in, size_t* size);
  Status Unlz4(std::span<const uint8_t> in, size_t* size);
  Status Unzstd(std::span<const uint8_t> in, size_t* size);
  // Makes scratch_ hold at least `bytes` (at most the limit), keeping its first `keep` bytes.
  void Reserve(size_t bytes, size_t keep);
  // Grows scratch_ for streaming codecs that filled it: Corruption once it already holds the limit.
  Status GrowFull(size_t produced);
  Status DecodeRecordsFrom(std::span<const uint8_t> records);
  Status Error(std::string_view what) const;

  RecordDecoderOptions options_;
  RecordBatchHeader header_;
  std::unique_ptr<Codecs> codecs_;
  std::unique_ptr<uint8_t[]> scratch_;
  size_t scratch_capacity_ = 0;
  std::vector<Record> records_;  // grows, never shrinks: its elements' headers vectors keep their capacity
  size_t count_ = 0;             // records of the current batch, a prefix of records_
};

}  // namespace floe::kafka
