// Helpers shared by the PartitionLog tests: a temporary directory, batches built with BuildRecordBatch, reading a
// log back as records, and raw file surgery for the recovery and corruption tests.
#pragma once

#include <fcntl.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "floe/broker/partition_log.h"
#include "floe/kafka/record_batch.h"

namespace floe::broker::testing {

// A fresh directory under $TMPDIR (or /tmp), removed with everything in it when the test ends.
class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = fmt::format("{}/floe_partition_log_XXXXXX", base != nullptr ? base : "/tmp");
    path_ = ::mkdtemp(tmpl.data()) != nullptr ? tmpl : "";
    EXPECT_FALSE(path_.empty()) << "mkdtemp failed";
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // The partition directory the tests use, as the broker lays it out.
  std::string log_dir() const { return path_ + "/kafka/telemetry-0"; }

 private:
  std::string path_;
};

// The value MakeBatch gives record `n`; fixed width, so batches of the same record count have the same size.
inline std::string Value(int64_t n) {
  return fmt::format("v{:05}", n);
}

// A batch of `count` records "k<first+i>" -> Value(first+i) with timestamps ts, ts + step, ...
inline std::vector<uint8_t> MakeBatch(int count, int64_t first_ts = 1000, int64_t step = 1, int first = 0) {
  std::vector<kafka::RecordInput> records;
  for (int i = 0; i < count; ++i) {
    kafka::RecordInput r;
    r.key = fmt::format("k{:05}", first + i);
    r.value = Value(first + i);
    r.timestamp = first_ts + i * step;
    records.push_back(std::move(r));
  }
  return kafka::BuildRecordBatch(records);
}

// A batch with the given record timestamps.
inline std::vector<uint8_t> MakeBatchWithTimestamps(const std::vector<int64_t>& timestamps) {
  std::vector<kafka::RecordInput> records;
  for (size_t i = 0; i < timestamps.size(); ++i) {
    kafka::RecordInput r;
    r.value = fmt::format("v{}", i);
    r.timestamp = timestamps[i];
    records.push_back(std::move(r));
  }
  return kafka::BuildRecordBatch(records);
}

inline AppendResult AppendOk(PartitionLog& log, std::vector<uint8_t> batch, int64_t now_ms = 0,
                             int64_t log_append_time_ms = -1) {
  Result<AppendResult> r = log.Append(batch, now_ms, log_append_time_ms);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : AppendResult{};
}

inline std::unique_ptr<PartitionLog> OpenOk(const std::string& dir, const PartitionLogOptions& options = {}) {
  Result<std::unique_ptr<PartitionLog>> r = PartitionLog::Open(dir, options);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : nullptr;
}

// One record as read back: its offset, value and timestamp, copied out of the batch.
struct ReadRecord {
  int64_t offset;
  std::string value;
  int64_t timestamp;
  bool operator==(const ReadRecord&) const = default;
};

// Every record in `bytes` (whole batches), checking each batch's header and CRC on the way.
inline std::vector<ReadRecord> DecodeAll(std::span<const uint8_t> bytes) {
  std::vector<ReadRecord> out;
  Result<std::vector<std::span<const uint8_t>>> batches = kafka::SplitBatches(bytes);
  EXPECT_TRUE(batches.ok()) << batches.status().ToString();
  if (!batches.ok()) return out;
  for (std::span<const uint8_t> batch : *batches) {
    EXPECT_TRUE(kafka::VerifyCrc(batch).ok()) << kafka::VerifyCrc(batch).ToString();
    Result<std::vector<kafka::Record>> records = kafka::DecodeRecords(batch);
    EXPECT_TRUE(records.ok()) << records.status().ToString();
    if (!records.ok()) continue;
    for (const kafka::Record& r : *records) out.push_back({r.offset, std::string(r.value.value_or("")), r.timestamp});
  }
  return out;
}

// All records from `offset` to the end of the log.
inline std::vector<ReadRecord> ReadAll(PartitionLog& log, int64_t offset = -1) {
  Result<ReadResult> r = log.Read(offset < 0 ? log.log_start_offset() : offset, SIZE_MAX);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? DecodeAll(r->bytes) : std::vector<ReadRecord>{};
}

// The base offsets of the batches in `bytes`.
inline std::vector<int64_t> BatchBaseOffsets(std::span<const uint8_t> bytes) {
  std::vector<int64_t> out;
  Result<std::vector<std::span<const uint8_t>>> batches = kafka::SplitBatches(bytes);
  EXPECT_TRUE(batches.ok()) << batches.status().ToString();
  if (!batches.ok()) return out;
  for (std::span<const uint8_t> batch : *batches) {
    Result<kafka::RecordBatchHeader> h = kafka::RecordBatchHeader::Parse(batch);
    EXPECT_TRUE(h.ok()) << h.status().ToString();
    if (h.ok()) out.push_back(h->base_offset);
  }
  return out;
}

inline std::string SegmentFile(const std::string& dir, int64_t base_offset, std::string_view suffix) {
  return fmt::format("{}/{:020d}{}", dir, base_offset, suffix);
}

// The base offsets of the .log files in `dir`, sorted.
inline std::vector<int64_t> SegmentBases(const std::string& dir) {
  std::vector<int64_t> out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (name.size() == 24 && name.ends_with(".log")) out.push_back(std::stoll(name.substr(0, 20)));
  }
  std::sort(out.begin(), out.end());
  return out;
}

inline std::vector<uint8_t> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void WriteFile(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

inline int64_t FileSize(const std::string& path) {
  return static_cast<int64_t>(std::filesystem::file_size(path));
}

inline void TruncateFile(const std::string& path, int64_t size) {
  std::filesystem::resize_file(path, static_cast<uintmax_t>(size));
}

inline void FlipByte(const std::string& path, int64_t position) {
  std::vector<uint8_t> bytes = ReadFile(path);
  ASSERT_LT(position, static_cast<int64_t>(bytes.size()));
  bytes[static_cast<size_t>(position)] ^= 0x5a;
  WriteFile(path, bytes);
}

inline void AppendToFile(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::app);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

inline bool Exists(const std::string& path) {
  return std::filesystem::exists(path);
}

inline std::string Marker(const std::string& dir) {
  return dir + "/clean-shutdown";
}

// (relative offset, position) entries of a .index file.
inline std::vector<std::pair<int32_t, int32_t>> ReadOffsetIndex(const std::string& path) {
  std::vector<uint8_t> bytes = ReadFile(path);
  std::vector<std::pair<int32_t, int32_t>> out;
  auto be32 = [&](size_t p) {
    return static_cast<int32_t>(uint32_t{bytes[p]} << 24 | uint32_t{bytes[p + 1]} << 16 | uint32_t{bytes[p + 2]} << 8 |
                                uint32_t{bytes[p + 3]});
  };
  for (size_t p = 0; p + 8 <= bytes.size(); p += 8) out.emplace_back(be32(p), be32(p + 4));
  return out;
}

}  // namespace floe::broker::testing
