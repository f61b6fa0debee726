// The durable store of consumer groups' committed offsets: an append-only file of CRC-checked records, replayed on
// open and compacted when it grows. The format is described in group_offsets_format.h.
//
// The log only writes and replays; the GroupCoordinator owns the live offsets in memory and decides what to append.
//
// Thread-safety: none; the GroupCoordinator calls it from the network thread only.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "floe/base/status.h"
#include "floe/broker/partition_log.h"

namespace floe::broker {

// One committed offset of a group for one topic-partition, as OffsetCommit stores it and OffsetFetch returns it.
struct CommittedOffset {
  int64_t offset = -1;
  int32_t leader_epoch = -1;
  std::optional<std::string> metadata;
  int64_t commit_time_ms = 0;

  bool operator==(const CommittedOffset&) const = default;
};

// A group's committed offsets: topic -> partition -> offset.
using GroupOffsets = std::map<std::string, std::map<int32_t, CommittedOffset>>;

class GroupOffsetLog {
 public:
  struct Options {
    // kEveryBatch: fdatasync before a commit is acknowledged; kInterval: the owner calls Sync() periodically;
    // kOs: the page cache (a commit survives a process crash, not a power loss).
    FlushPolicy flush = FlushPolicy::kOs;
    // Compact when the file is larger than this and more than twice its size after the last compaction.
    int64_t compact_bytes = 16LL << 20;
  };

  // What Open found.
  struct Recovered {
    std::map<std::string, GroupOffsets> groups;  // group id -> its offsets (groups without offsets left out)
    int64_t records = 0;                         // records replayed
    int64_t dropped_bytes = 0;                   // bytes of a torn or corrupt tail, truncated away
  };

  // Opens `<dir>/offsets.log`, creating the directory and the file when missing, and replays it into *recovered.
  // A torn tail is truncated (and counted in recovered->dropped_bytes); a record of an unknown version or type is
  // Corruption.
  static Result<std::unique_ptr<GroupOffsetLog>> Open(const std::string& dir, const Options& options,
                                                      Recovered* recovered);
  ~GroupOffsetLog();
  GroupOffsetLog(const GroupOffsetLog&) = delete;
  GroupOffsetLog& operator=(const GroupOffsetLog&) = delete;

  struct Entry {
    std::string topic;
    int32_t partition = 0;
    CommittedOffset value;
  };
  // Appends one record. On failure nothing is appended (a partial write is truncated away).
  Status AppendCommit(std::string_view group, const std::vector<Entry>& entries);
  Status AppendDeleteGroup(std::string_view group);
  Status AppendDeleteOffsets(std::string_view group, const std::vector<std::pair<std::string, int32_t>>& partitions);

  // Whether the file has grown enough that Compact() should be called.
  bool ShouldCompact() const;
  // Replaces the file with one holding exactly `live` (atomically: temp file, fsync, rename, fsync directory).
  // On failure the old file stays in use.
  Status Compact(const std::map<std::string, GroupOffsets>& live);

  // fdatasync of the file.
  Status Sync();
  // Syncs and closes; later appends fail. Idempotent.
  Status Close();

  int64_t size_bytes() const { return size_; }
  const std::string& path() const { return path_; }

 private:
  GroupOffsetLog(std::string dir, Options options);
  Status Append(const std::vector<uint8_t>& record);

  std::string dir_;
  std::string path_;
  Options options_;
  int fd_ = -1;
  int64_t size_ = 0;
  int64_t size_after_compaction_ = 0;
};

}  // namespace floe::broker
