// Avro object container files (Apache Avro 1.11 specification, "Object Container Files"): how Iceberg stores
// manifests and manifest lists.
//
//   header  "Obj" 0x01; the file metadata, encoded as a map of bytes: "avro.schema" (the schema's JSON),
//           "avro.codec" ("null" if absent) and user keys (Iceberg: "schema", "schema-id", "partition-spec",
//           "partition-spec-id", "format-version", "content"); a 16-byte random sync marker
//   blocks  a long record count; a long byte size of the records as stored; the records, binary-encoded one after
//           another and compressed whole by the codec; the sync marker again
//
// Codecs: "null" and "deflate" (raw RFC 1951 deflate: no zlib header, no checksum), the two every implementation
// must read. The optional "snappy", "zstandard", "bzip2" and "xz" are refused as Unsupported.
//
// The reader takes hostile input: it checks the magic, parses the schema, and for each block checks the count and
// size against the bytes left, the sync marker, that the records fill the block exactly, and decodes with
// AvroDecoder's limits; an inflated block may not pass AvroReaderOptions::max_block_bytes. Errors are Corruption and
// say where: "m0.avro: block 3 at byte 4096: sync marker mismatch". The format has no footer, so a file cut exactly
// at a block boundary reads as a valid shorter file; Iceberg records each manifest's length in the manifest list
// (manifest_length) for the caller to compare.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "floe/base/status.h"
#include "floe/formats/avro/avro_schema.h"
#include "floe/formats/avro/avro_value.h"

namespace floe::avro {

enum class AvroCodec : uint8_t { kNull, kDeflate };

// "null", "deflate".
std::string_view AvroCodecName(AvroCodec codec);
// The codec called `name` in "avro.codec"; Unsupported for the specification's optional codecs and unknown names.
Result<AvroCodec> ParseAvroCodec(std::string_view name);

inline constexpr size_t kAvroSyncSize = 16;
using AvroSyncMarker = std::array<uint8_t, kAvroSyncSize>;

// File metadata in file order. Values are bytes (Iceberg's are UTF-8 JSON or numbers as text).
using AvroMetadata = std::vector<std::pair<std::string, std::string>>;

struct AvroWriterOptions {
  AvroCodec codec = AvroCodec::kNull;
  int deflate_level = 6;  // zlib's 1 (fast) to 9 (small); -1 is zlib's default (6)
  // A block is written once its encoded records reach block_bytes (before compression), or block_records records
  // (0: no count limit). Avro Java's default sync interval is 64000 bytes.
  size_t block_bytes = 64000;
  size_t block_records = 0;
  // Random unless given (tests use a fixed one for reproducible bytes).
  std::optional<AvroSyncMarker> sync_marker;
};

// Writes an object container file into memory.
class AvroWriter {
 public:
  // `metadata` is written after avro.schema and avro.codec. InvalidArgument for a key starting with "avro."
  // (reserved by the specification), a duplicate key, or an option out of range.
  static Result<AvroWriter> Make(AvroSchema schema, AvroMetadata metadata = {}, AvroWriterOptions options = {});

  // Encodes `record` (a datum of the schema's root type) into the current block. InvalidArgument if it does not fit
  // the schema, and then nothing of it is written.
  Status Append(const AvroDatum& record);
  // Writes the last block and returns the whole file. The writer takes no records after this.
  Result<std::string> Finish();

  const AvroSchema& schema() const { return schema_; }
  const AvroSyncMarker& sync_marker() const { return sync_; }
  int64_t records() const { return records_; }

 private:
  AvroWriter() = default;
  Status FlushBlock();

  AvroSchema schema_;
  AvroWriterOptions options_;
  AvroSyncMarker sync_{};
  std::string out_;
  std::string block_;  // encoded records of the current block
  std::string compressed_;
  int64_t block_records_ = 0;
  int64_t records_ = 0;
  bool finished_ = false;
};

struct AvroReaderOptions {
  // The most bytes a block may inflate to.
  size_t max_block_bytes = size_t{256} << 20;
  AvroDecodeLimits limits;
};

// Reads an object container file from memory, record by record, with the writer's schema.
class AvroReader {
 public:
  // Parses the header of `data` (the whole file, which must outlive the reader). `name` (the file's path) starts
  // every error message; "avro" if empty. Corruption for a file that is not Avro or has a corrupt header,
  // Unsupported for a codec other than null and deflate.
  static Result<AvroReader> Open(std::string_view data, std::string name = "", AvroReaderOptions options = {});

  const AvroSchema& schema() const { return schema_; }
  AvroCodec codec() const { return codec_; }
  const AvroMetadata& metadata() const { return metadata_; }
  // The value of metadata key `key`, or nullptr.
  const std::string* FindMetadata(std::string_view key) const;
  const AvroSyncMarker& sync_marker() const { return sync_; }

  // Reads the next record into *record: true, or false at the end of the file. After an error every call returns
  // that error.
  Result<bool> Next(AvroDatum* record);
  // Appends every remaining record to *records.
  Status ReadAll(std::vector<AvroDatum>* records);

 private:
  AvroReader() = default;
  Status LoadBlock();
  Status BlockError(std::string_view why) const;
  std::string_view BlockData() const;

  std::string_view data_;
  std::string name_;
  AvroReaderOptions options_;
  AvroSchema schema_;
  AvroCodec codec_ = AvroCodec::kNull;
  AvroMetadata metadata_;
  AvroSyncMarker sync_{};
  bool root_may_be_empty_ = false;

  size_t next_block_ = 0;  // file offset of the next block
  int64_t block_index_ = -1;
  size_t block_start_ = 0;        // file offset of the current block
  size_t block_data_offset_ = 0;  // file offset of its records (null codec)
  size_t block_data_size_ = 0;
  bool block_inflated_ = false;  // records are in inflated_
  std::string inflated_;
  size_t block_pos_ = 0;  // position within the block's records
  int64_t block_count_ = 0;
  int64_t block_left_ = 0;
  AvroDecoder decoder_{std::string_view()};
  Status error_;
};

}  // namespace floe::avro
