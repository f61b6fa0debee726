// Checks shared by the fuzz targets: everything floe does with the `records` bytes of a produce request, with
// oracles that abort (so libFuzzer reports a crash) when two of floe's own functions disagree.
//
// For one batch: RecordBatchHeader::Parse, VerifyCrc, DecodeRecords; then, when the records decode, the records
// rebuilt with BuildRecordBatch must decode to the same keys, values, headers and timestamps, and the broker's
// in-place stamping (SetBaseOffset, SetPartitionLeaderEpoch, SetLogAppendTime) must leave a batch that parses with
// the stamped fields and a valid crc.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>
#include <vector>

#include "floe/kafka/record_batch.h"

namespace floe::kafka::fuzz {

[[noreturn]] inline void Fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "fuzz oracle failed: %s: %s\n", what, detail.c_str());
  std::fflush(stderr);
  std::abort();
}

inline void Expect(bool cond, const char* what, const std::string& detail = "") {
  if (!cond) Fail(what, detail);
}

// Records decoded from two batches agree in everything but offsets (BuildRecordBatch numbers records 0, 1, 2, ...
// while a producer's batch may carry any offsetDelta).
inline void ExpectSameRecords(const std::vector<Record>& a, const std::vector<Record>& b) {
  Expect(a.size() == b.size(), "rebuilt batch record count",
         std::to_string(a.size()) + " vs " + std::to_string(b.size()));
  for (size_t i = 0; i < a.size(); ++i) {
    const std::string at = "record " + std::to_string(i);
    Expect(a[i].key == b[i].key, "rebuilt batch key", at);
    Expect(a[i].value == b[i].value, "rebuilt batch value", at);
    Expect(a[i].headers == b[i].headers, "rebuilt batch headers", at);
    Expect(a[i].timestamp == b[i].timestamp, "rebuilt batch timestamp",
           at + ": " + std::to_string(a[i].timestamp) + " vs " + std::to_string(b[i].timestamp));
  }
}

// Everything floe does with one batch (a span sized by SplitBatches, or arbitrary bytes).
inline void CheckOneBatch(std::span<const uint8_t> batch) {
  Result<RecordBatchHeader> header = RecordBatchHeader::Parse(batch);
  Status crc = VerifyCrc(batch);
  Result<std::vector<Record>> records = DecodeRecords(batch);
  if (!header.ok()) {
    Expect(!records.ok(), "DecodeRecords accepted a batch that Parse rejects", header.status().ToString());
    return;
  }
  const RecordBatchHeader& h = *header;
  Expect(h.size_in_bytes() == batch.size(), "Parse size_in_bytes", std::to_string(h.size_in_bytes()));
  if (crc.ok()) Expect(ComputeBatchCrc(batch) == h.crc, "VerifyCrc ok but crc field differs");

  if (records.ok()) {
    Expect(h.compression() == CompressionType::kNone, "DecodeRecords decoded a compressed batch");
    Expect(records->size() == static_cast<size_t>(h.records_count), "DecodeRecords count vs recordsCount");
    std::vector<RecordInput> inputs;
    inputs.reserve(records->size());
    for (const Record& r : *records) {
      RecordInput in;
      if (r.key) in.key = std::string(*r.key);
      if (r.value) in.value = std::string(*r.value);
      for (const auto& [k, v] : r.headers) {
        in.headers.emplace_back(std::string(k), v ? std::optional<std::string>(std::string(*v)) : std::nullopt);
      }
      in.timestamp = r.timestamp;
      inputs.push_back(std::move(in));
    }
    BatchOptions options;
    options.base_offset = h.base_offset;
    std::vector<uint8_t> rebuilt = BuildRecordBatch(inputs, options);
    Status rebuilt_crc = VerifyCrc(rebuilt);
    Expect(rebuilt_crc.ok(), "BuildRecordBatch crc", rebuilt_crc.ToString());
    Result<std::vector<Record>> again = DecodeRecords(rebuilt);
    Expect(again.ok(), "DecodeRecords of a BuildRecordBatch batch", again.status().ToString());
    ExpectSameRecords(*records, *again);
  }

  // The broker's stamping on append, on a copy.
  std::vector<uint8_t> copy(batch.begin(), batch.end());
  SetBaseOffset(copy, 1234567);
  SetPartitionLeaderEpoch(copy, 7);
  Status still = VerifyCrc(copy);
  Expect(still.ok() == crc.ok(), "SetBaseOffset/SetPartitionLeaderEpoch changed the crc verdict");
  SetLogAppendTime(copy, 1700000000000);
  Status stamped_crc = VerifyCrc(copy);
  Expect(stamped_crc.ok(), "crc after SetLogAppendTime", stamped_crc.ToString());
  Result<RecordBatchHeader> stamped = RecordBatchHeader::Parse(copy);
  Expect(stamped.ok(), "Parse after stamping", stamped.status().ToString());
  Expect(stamped->base_offset == 1234567 && stamped->partition_leader_epoch == 7 &&
             stamped->max_timestamp == 1700000000000 && stamped->timestamp_type() == TimestampType::kLogAppendTime,
         "stamped fields did not read back");
  Expect(stamped->records_count == h.records_count && stamped->compression() == h.compression(),
         "stamping changed other header fields");
  if (records.ok()) {
    Result<std::vector<Record>> stamped_records = DecodeRecords(copy);
    Expect(stamped_records.ok(), "DecodeRecords after stamping", stamped_records.status().ToString());
    Expect(stamped_records->size() == records->size(), "stamped record count");
    for (size_t i = 0; i < records->size(); ++i) {
      const Record& a = (*records)[i];
      const Record& b = (*stamped_records)[i];
      Expect(a.key == b.key && a.value == b.value && a.headers == b.headers, "stamping changed record contents");
      Expect(b.timestamp == 1700000000000, "LogAppendTime record timestamp");
      Expect(static_cast<uint64_t>(b.offset) - 1234567u ==
                 static_cast<uint64_t>(a.offset) - static_cast<uint64_t>(h.base_offset),
             "SetBaseOffset shifted an offset delta");
    }
  }
}

// The `records` field of one produce partition: split into batches, check each.
inline void CheckRecordsField(std::span<const uint8_t> records) {
  Result<std::vector<std::span<const uint8_t>>> batches = SplitBatches(records);
  if (!batches.ok()) return;
  size_t total = 0;
  for (std::span<const uint8_t> b : *batches) {
    Expect(b.data() == records.data() + total, "SplitBatches: batches not contiguous");
    total += b.size();
    CheckOneBatch(b);
  }
  Expect(total == records.size(), "SplitBatches did not cover its input");
}

}  // namespace floe::kafka::fuzz
