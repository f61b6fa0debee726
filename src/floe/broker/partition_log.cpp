#include "floe/broker/partition_log.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <filesystem>
#include <limits>
#include <map>
#include <optional>

#include "floe/base/byte_buffer.h"
#include "floe/base/logging.h"
#include "floe/kafka/record_batch.h"
#include "floe/kafka/record_batch_format.h"
#include "floe/kafka/record_codec.h"

namespace floe::broker {
namespace {

using kafka::kLogOverhead;
using kafka::kMinBatchLength;
using kafka::kRecordBatchHeaderSize;

constexpr std::string_view kCleanShutdownName = "clean-shutdown";
constexpr std::string_view kProducerSnapshotName = "producer-state.snapshot";
// Kafka's producer.id.expiration.ms: an idempotent producer silent for a day is forgotten.
constexpr int64_t kProducerIdExpirationMs = 24LL * 3600 * 1000;
constexpr std::string_view kLogSuffix = ".log";
constexpr std::string_view kIndexSuffix = ".index";
constexpr std::string_view kTimeIndexSuffix = ".timeindex";
constexpr size_t kIndexEntrySize = 8;       // int32 relative offset, int32 position
constexpr size_t kTimeIndexEntrySize = 12;  // int64 timestamp, int32 relative offset
// Index positions and relative offsets are int32, so a segment holds at most this many bytes and offsets.
constexpr int64_t kMaxInt32 = std::numeric_limits<int32_t>::max();

struct OffsetIndexEntry {
  int32_t relative_offset;
  int32_t position;
};

struct TimeIndexEntry {
  int64_t timestamp;
  int32_t relative_offset;
};

// The header fields the log needs, decoded from a batch's first 61 bytes (the rest of the batch is not read).
struct StoredHeader {
  int64_t base_offset = 0;
  int32_t batch_length = 0;
  int8_t magic = 0;
  uint32_t crc = 0;
  int16_t attributes = 0;
  int32_t last_offset_delta = 0;
  int64_t max_timestamp = -1;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  int32_t base_sequence = -1;

  int64_t size() const { return static_cast<int64_t>(kLogOverhead) + batch_length; }
  int64_t last_offset() const { return base_offset + last_offset_delta; }
};

StoredHeader DecodeStoredHeader(std::span<const uint8_t> bytes) {
  ByteReader r(bytes);
  StoredHeader h;
  h.base_offset = r.ReadInt64("baseOffset");
  h.batch_length = r.ReadInt32("batchLength");
  r.Skip(4, "partitionLeaderEpoch");
  h.magic = r.ReadInt8("magic");
  h.crc = r.ReadUint32("crc");
  h.attributes = r.ReadInt16("attributes");
  h.last_offset_delta = r.ReadInt32("lastOffsetDelta");
  r.Skip(8, "baseTimestamp");
  h.max_timestamp = r.ReadInt64("maxTimestamp");
  h.producer_id = r.ReadInt64("producerId");
  h.producer_epoch = r.ReadInt16("producerEpoch");
  h.base_sequence = r.ReadInt32("baseSequence");
  return h;
}

std::string SegmentPath(const std::string& dir, int64_t base_offset, std::string_view suffix) {
  return fmt::format("{}/{:020d}{}", dir, base_offset, suffix);
}

// "00000000000000000042.log" -> 42 for suffix ".log"; nullopt for anything else.
std::optional<int64_t> ParseSegmentName(std::string_view name, std::string_view suffix) {
  if (name.size() != 20 + suffix.size() || !name.ends_with(suffix)) return std::nullopt;
  int64_t base = 0;
  auto [end, ec] = std::from_chars(name.data(), name.data() + 20, base);
  if (ec != std::errc() || end != name.data() + 20 || base < 0) return std::nullopt;
  return base;
}

Result<int> OpenFd(const std::string& path, int flags) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC, 0644);
  if (fd < 0) return Status::FromErrno(errno, fmt::format("partition log {}: open", path));
  return fd;
}

void CloseFd(int* fd) {
  if (*fd >= 0) ::close(*fd);
  *fd = -1;
}

Result<int64_t> FileSize(int fd, const std::string& path) {
  struct stat st;
  if (::fstat(fd, &st) != 0) return Status::FromErrno(errno, fmt::format("partition log {}: stat", path));
  return static_cast<int64_t>(st.st_size);
}

// Reads up to buf.size() bytes at `pos`; fewer only at the end of the file.
Result<size_t> PreadUpTo(int fd, std::span<uint8_t> buf, int64_t pos, const std::string& path) {
  size_t done = 0;
  while (done < buf.size()) {
    ssize_t n = ::pread(fd, buf.data() + done, buf.size() - done, static_cast<off_t>(pos + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::FromErrno(errno,
                               fmt::format("partition log {}: read of {} bytes at position {}", path, buf.size(), pos));
    }
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  return done;
}

Status PreadExact(int fd, std::span<uint8_t> buf, int64_t pos, const std::string& path) {
  FLOE_ASSIGN_OR_RETURN(size_t n, PreadUpTo(fd, buf, pos, path));
  if (n != buf.size()) {
    return Status::Corruption(
        fmt::format("partition log {}: read of {} bytes at position {} found only {}: the file is shorter than the "
                    "log expects (was it truncated by something else?)",
                    path, buf.size(), pos, n));
  }
  return Status::Ok();
}

Status PwriteAll(int fd, std::span<const uint8_t> data, int64_t pos, const std::string& path) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::pwrite(fd, data.data() + done, data.size() - done, static_cast<off_t>(pos + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::FromErrno(
          errno, fmt::format("partition log {}: write of {} bytes at position {}", path, data.size(), pos));
    }
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

Status Truncate(int fd, int64_t size, const std::string& path) {
  if (::ftruncate(fd, static_cast<off_t>(size)) != 0) {
    return Status::FromErrno(errno, fmt::format("partition log {}: truncate to {} bytes", path, size));
  }
  return Status::Ok();
}

Status SyncFd(int fd, const std::string& path) {
  if (fd >= 0 && ::fdatasync(fd) != 0)
    return Status::FromErrno(errno, fmt::format("partition log {}: fdatasync", path));
  return Status::Ok();
}

// Makes creations and deletions of files in `dir` durable.
Status SyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::FromErrno(errno, fmt::format("partition log {}: open directory", dir));
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return Status::FromErrno(err, fmt::format("partition log {}: fsync directory", dir));
  return Status::Ok();
}

Status RemoveFile(const std::string& path, bool missing_ok) {
  if (::unlink(path.c_str()) != 0 && !(missing_ok && errno == ENOENT)) {
    return Status::FromErrno(errno, fmt::format("partition log {}: delete", path));
  }
  return Status::Ok();
}

// Where a walk over a segment's batches stopped.
struct WalkEnd {
  int64_t position = 0;      // the end of the last good batch
  int64_t next_offset = -1;  // the last good batch's last offset + 1; -1 if there was none
  std::string problem;       // why the walk stopped before the end of the file; empty at a clean end
};

}  // namespace

// One segment: its .log and the in-memory copy of its sparse indexes. The .index and .timeindex files stay open
// only while the segment is active (or being rebuilt); a sealed segment's indexes are read once, at Open.
struct PartitionLog::Segment {
  int64_t base_offset = 0;
  std::string log_path;
  std::string index_path;
  std::string time_index_path;
  int log_fd = -1;
  int index_fd = -1;
  int time_index_fd = -1;

  int64_t size = 0;         // bytes of whole batches in the .log
  int64_t next_offset = 0;  // one past the last offset stored here; base_offset when empty
  int64_t max_timestamp = -1;
  int64_t offset_of_max_timestamp = -1;  // last offset of the batch that first reached max_timestamp
  int64_t roll_clock_ms = -1;            // when the first batch was appended; -1 when unknown
  int64_t bytes_since_index = 0;
  std::vector<OffsetIndexEntry> index;
  std::vector<TimeIndexEntry> time_index;
  size_t index_persisted = 0;  // entries already written to the files
  size_t time_index_persisted = 0;

  // What Append restores when a write fails.
  struct Mark {
    int64_t size, next_offset, max_timestamp, offset_of_max_timestamp, bytes_since_index;
    size_t index_entries, time_index_entries;
  };

  Segment(const std::string& dir, int64_t base)
      : base_offset(base),
        log_path(SegmentPath(dir, base, kLogSuffix)),
        index_path(SegmentPath(dir, base, kIndexSuffix)),
        time_index_path(SegmentPath(dir, base, kTimeIndexSuffix)),
        next_offset(base) {}
  Segment(const Segment&) = delete;
  Segment& operator=(const Segment&) = delete;
  ~Segment() { CloseFiles(); }

  // A new, empty segment; fails if its .log already exists.
  static Result<std::unique_ptr<Segment>> Create(const std::string& dir, int64_t base) {
    auto seg = std::make_unique<Segment>(dir, base);
    FLOE_ASSIGN_OR_RETURN(seg->log_fd, OpenFd(seg->log_path, O_RDWR | O_CREAT | O_EXCL));
    FLOE_ASSIGN_OR_RETURN(seg->index_fd, OpenFd(seg->index_path, O_RDWR | O_CREAT | O_TRUNC));
    FLOE_ASSIGN_OR_RETURN(seg->time_index_fd, OpenFd(seg->time_index_path, O_RDWR | O_CREAT | O_TRUNC));
    return seg;
  }

  // An existing segment with its files open; nothing read yet.
  static Result<std::unique_ptr<Segment>> OpenExisting(const std::string& dir, int64_t base) {
    auto seg = std::make_unique<Segment>(dir, base);
    FLOE_ASSIGN_OR_RETURN(seg->log_fd, OpenFd(seg->log_path, O_RDWR));
    FLOE_ASSIGN_OR_RETURN(seg->index_fd, OpenFd(seg->index_path, O_RDWR | O_CREAT));
    FLOE_ASSIGN_OR_RETURN(seg->time_index_fd, OpenFd(seg->time_index_path, O_RDWR | O_CREAT));
    return seg;
  }

  void CloseIndexFiles() {
    CloseFd(&index_fd);
    CloseFd(&time_index_fd);
  }
  void CloseFiles() {
    CloseFd(&log_fd);
    CloseIndexFiles();
  }

  int32_t Relative(int64_t offset) const { return static_cast<int32_t>(offset - base_offset); }
  int64_t LastIndexedTimestamp() const { return time_index.empty() ? -1 : time_index.back().timestamp; }

  void Reset() {
    size = 0;
    next_offset = base_offset;
    max_timestamp = -1;
    offset_of_max_timestamp = -1;
    bytes_since_index = 0;
    index.clear();
    time_index.clear();
    index_persisted = 0;
    time_index_persisted = 0;
  }

  // Accounts for the batch at `position` (appended or found by a scan), adding index entries as Kafka's
  // LogSegment.append does: an entry for a batch once more than `interval` bytes were written since the last one.
  void Track(int64_t position, int64_t batch_size, int64_t last_offset, int64_t batch_max_timestamp, int32_t interval) {
    if (batch_max_timestamp > max_timestamp) {
      max_timestamp = batch_max_timestamp;
      offset_of_max_timestamp = last_offset;
    }
    if (bytes_since_index > interval) {
      index.push_back({Relative(last_offset), static_cast<int32_t>(position)});
      if (max_timestamp > LastIndexedTimestamp()) {
        time_index.push_back({max_timestamp, Relative(offset_of_max_timestamp)});
      }
      bytes_since_index = 0;
    }
    bytes_since_index += batch_size;
    size = position + batch_size;
    next_offset = last_offset + 1;
  }

  // The final time index entry of a segment that is being rolled or closed: its max timestamp, so that a later
  // Open knows the segment's max timestamp without reading the log.
  void SealTimeIndex() {
    if (max_timestamp > LastIndexedTimestamp()) {
      time_index.push_back({max_timestamp, Relative(offset_of_max_timestamp)});
    }
  }

  // Writes the index entries not yet in the files.
  Status PersistIndexes() {
    if (index_persisted < index.size()) {
      std::vector<uint8_t> bytes;
      ByteWriter w(&bytes);
      for (size_t i = index_persisted; i < index.size(); ++i) {
        w.WriteInt32(index[i].relative_offset);
        w.WriteInt32(index[i].position);
      }
      FLOE_RETURN_IF_ERROR(
          PwriteAll(index_fd, bytes, static_cast<int64_t>(index_persisted * kIndexEntrySize), index_path));
      index_persisted = index.size();
    }
    if (time_index_persisted < time_index.size()) {
      std::vector<uint8_t> bytes;
      ByteWriter w(&bytes);
      for (size_t i = time_index_persisted; i < time_index.size(); ++i) {
        w.WriteInt64(time_index[i].timestamp);
        w.WriteInt32(time_index[i].relative_offset);
      }
      FLOE_RETURN_IF_ERROR(PwriteAll(
          time_index_fd, bytes, static_cast<int64_t>(time_index_persisted * kTimeIndexEntrySize), time_index_path));
      time_index_persisted = time_index.size();
    }
    return Status::Ok();
  }

  // Replaces the index files with the in-memory entries (after a rebuild) and syncs them.
  Status RewriteIndexes() {
    FLOE_RETURN_IF_ERROR(Truncate(index_fd, 0, index_path));
    FLOE_RETURN_IF_ERROR(Truncate(time_index_fd, 0, time_index_path));
    index_persisted = 0;
    time_index_persisted = 0;
    FLOE_RETURN_IF_ERROR(PersistIndexes());
    FLOE_RETURN_IF_ERROR(SyncFd(index_fd, index_path));
    return SyncFd(time_index_fd, time_index_path);
  }

  Status Sync() {
    FLOE_RETURN_IF_ERROR(SyncFd(log_fd, log_path));
    FLOE_RETURN_IF_ERROR(SyncFd(index_fd, index_path));
    return SyncFd(time_index_fd, time_index_path);
  }

  Mark GetMark() const {
    return {size,         next_offset,      max_timestamp, offset_of_max_timestamp, bytes_since_index,
            index.size(), time_index.size()};
  }

  // Undoes a failed append: the files and the in-memory state go back to `m`. Best effort; the append's own error
  // is what the caller reports.
  void RollBack(const Mark& m) {
    (void)Truncate(log_fd, m.size, log_path);
    size = m.size;
    next_offset = m.next_offset;
    max_timestamp = m.max_timestamp;
    offset_of_max_timestamp = m.offset_of_max_timestamp;
    bytes_since_index = m.bytes_since_index;
    index.resize(m.index_entries);
    time_index.resize(m.time_index_entries);
    if (index_persisted > index.size()) {
      index_persisted = index.size();
      (void)Truncate(index_fd, static_cast<int64_t>(index_persisted * kIndexEntrySize), index_path);
    }
    if (time_index_persisted > time_index.size()) {
      time_index_persisted = time_index.size();
      (void)Truncate(time_index_fd, static_cast<int64_t>(time_index_persisted * kTimeIndexEntrySize), time_index_path);
    }
  }

  // The position of a batch at or before the one holding `offset`: the largest index entry whose offset is
  // <= offset, else the start of the segment.
  int64_t PositionFor(int64_t offset) const {
    auto it = std::upper_bound(index.begin(), index.end(), offset, [this](int64_t o, const OffsetIndexEntry& e) {
      return o < base_offset + e.relative_offset;
    });
    return it == index.begin() ? 0 : std::prev(it)->position;
  }

  Result<StoredHeader> ReadHeader(int64_t position) const {
    std::array<uint8_t, kRecordBatchHeaderSize> bytes;
    FLOE_RETURN_IF_ERROR(PreadExact(log_fd, bytes, position, log_path));
    return DecodeStoredHeader(bytes);
  }

  // The header at `position` of a segment whose batches were checked when it was opened; Corruption if it does
  // not fit in the segment after all.
  Result<StoredHeader> ReadCheckedHeader(int64_t position) const {
    if (size - position < static_cast<int64_t>(kRecordBatchHeaderSize)) {
      return Status::Corruption(
          fmt::format("partition log {}: batch header at position {} runs past the end of the "
                      "segment ({} bytes)",
                      log_path, position, size));
    }
    FLOE_ASSIGN_OR_RETURN(StoredHeader h, ReadHeader(position));
    if (h.batch_length < kMinBatchLength || h.size() > size - position) {
      return Status::Corruption(
          fmt::format("partition log {}: batch at position {} has batchLength {}, which does not fit in the segment "
                      "({} bytes)",
                      log_path, position, h.batch_length, size));
    }
    return h;
  }

  // Walks the batches of the .log from `position` to `file_size`, checking each one's structure (the header fits,
  // batchLength >= 49 and within the file, magic 2, lastOffsetDelta >= 0, offsets continuing from
  // `expected_base`, or from the first batch when it is -1) and, with `verify_crc`, its CRC-32C and full header.
  // Calls visit(header, position) for each good batch; stops at the first bad one and says why.
  template <typename Visit>
  Result<WalkEnd> Walk(int64_t position, int64_t file_size, int64_t expected_base, bool verify_crc, Visit visit) const {
    WalkEnd end;
    end.position = position;
    std::vector<uint8_t> batch;
    while (position < file_size) {
      const int64_t left = file_size - position;
      const std::string where = expected_base >= 0 ? fmt::format("at position {} (offset {})", position, expected_base)
                                                   : fmt::format("at position {}", position);
      if (left < static_cast<int64_t>(kRecordBatchHeaderSize)) {
        end.problem = fmt::format("torn batch header {}: {} bytes remain, fewer than the {}-byte header", where, left,
                                  kRecordBatchHeaderSize);
        break;
      }
      FLOE_ASSIGN_OR_RETURN(StoredHeader h, ReadHeader(position));
      if (h.batch_length < kMinBatchLength) {
        end.problem = fmt::format("bad batchLength in batch {}: {} is less than {}, the size of an empty batch", where,
                                  h.batch_length, kMinBatchLength);
      } else if (h.size() > left) {
        end.problem = fmt::format("torn batch {}: batchLength {} makes it {} bytes, but only {} remain in the file",
                                  where, h.batch_length, h.size(), left);
      } else if (h.magic != kafka::kMagicV2) {
        end.problem = fmt::format("bad magic in batch {}: {}, expected {}", where, h.magic, kafka::kMagicV2);
      } else if (h.last_offset_delta < 0) {
        end.problem = fmt::format("bad lastOffsetDelta in batch {}: {} is negative", where, h.last_offset_delta);
      } else if (expected_base >= 0 && h.base_offset != expected_base) {
        end.problem = fmt::format("offset gap in batch {}: baseOffset is {}, but the previous batch ends at offset {}",
                                  where, h.base_offset, expected_base - 1);
      } else if (verify_crc) {
        batch.resize(static_cast<size_t>(h.size()));
        FLOE_RETURN_IF_ERROR(PreadExact(log_fd, batch, position, log_path));
        const uint32_t computed = kafka::ComputeBatchCrc(batch);
        if (computed != h.crc) {
          end.problem =
              fmt::format("crc mismatch in batch {}: expected 0x{:08x}, computed 0x{:08x}", where, h.crc, computed);
        } else if (Result<kafka::RecordBatchHeader> parsed = kafka::RecordBatchHeader::Parse(batch); !parsed.ok()) {
          end.problem = fmt::format("bad header in batch {}: {}", where, parsed.status().message());
        }
      }
      if (!end.problem.empty()) break;
      visit(h, position);
      position += h.size();
      expected_base = h.last_offset() + 1;
      end.position = position;
      end.next_offset = expected_base;
    }
    return end;
  }

  // Loads the index files of a cleanly written segment and checks them against the .log: sizes a multiple of the
  // entry size, entries increasing, the last offset entry pointing at the start of the batch it names; then walks
  // the batches after the last offset entry (headers only) to find the segment's end, checking on the way that
  // no batch there should have had an entry (so a deleted or cut index is noticed) and that the time index holds
  // the segment's max timestamp (its final entry). False with `*why` when anything is off: the caller rebuilds
  // the indexes by scanning.
  Result<bool> LoadIndexes(int32_t interval, std::string* why) {
    Reset();
    FLOE_ASSIGN_OR_RETURN(int64_t file_size, FileSize(log_fd, log_path));
    FLOE_ASSIGN_OR_RETURN(int64_t index_size, FileSize(index_fd, index_path));
    FLOE_ASSIGN_OR_RETURN(int64_t time_index_size, FileSize(time_index_fd, time_index_path));
    if (index_size % kIndexEntrySize != 0) {
      *why = fmt::format("{}: size {} is not a multiple of {}", index_path, index_size, kIndexEntrySize);
      return false;
    }
    if (time_index_size % kTimeIndexEntrySize != 0) {
      *why = fmt::format("{}: size {} is not a multiple of {}", time_index_path, time_index_size, kTimeIndexEntrySize);
      return false;
    }
    std::vector<uint8_t> bytes(static_cast<size_t>(index_size));
    FLOE_RETURN_IF_ERROR(PreadExact(index_fd, bytes, 0, index_path));
    ByteReader r(bytes);
    for (int64_t i = 0; i < index_size / static_cast<int64_t>(kIndexEntrySize); ++i) {
      OffsetIndexEntry e;
      e.relative_offset = r.ReadInt32("relative offset");
      e.position = r.ReadInt32("position");
      const bool increasing =
          index.empty() || (e.relative_offset > index.back().relative_offset && e.position > index.back().position);
      if (e.relative_offset < 0 || e.position < 0 || e.position >= file_size || !increasing) {
        *why = fmt::format("{}: entry {} (relative offset {}, position {}) is out of order or outside the {}-byte log",
                           index_path, i, e.relative_offset, e.position, file_size);
        return false;
      }
      index.push_back(e);
    }
    bytes.assign(static_cast<size_t>(time_index_size), 0);
    FLOE_RETURN_IF_ERROR(PreadExact(time_index_fd, bytes, 0, time_index_path));
    ByteReader tr(bytes);
    for (int64_t i = 0; i < time_index_size / static_cast<int64_t>(kTimeIndexEntrySize); ++i) {
      TimeIndexEntry e;
      e.timestamp = tr.ReadInt64("timestamp");
      e.relative_offset = tr.ReadInt32("relative offset");
      const bool increasing = time_index.empty() || (e.timestamp > time_index.back().timestamp &&
                                                     e.relative_offset >= time_index.back().relative_offset);
      if (e.relative_offset < 0 || !increasing) {
        *why = fmt::format("{}: entry {} (timestamp {}, relative offset {}) is out of order", time_index_path, i,
                           e.timestamp, e.relative_offset);
        return false;
      }
      time_index.push_back(e);
    }

    int64_t start = 0;
    int64_t expected_base = base_offset;
    if (!index.empty()) {
      start = index.back().position;
      if (file_size - start < static_cast<int64_t>(kRecordBatchHeaderSize)) {
        *why = fmt::format("{}: last entry points at position {}, too near the end of the {}-byte log", index_path,
                           start, file_size);
        return false;
      }
      FLOE_ASSIGN_OR_RETURN(StoredHeader h, ReadHeader(start));
      if (h.magic != kafka::kMagicV2 || h.last_offset() != base_offset + index.back().relative_offset) {
        *why = fmt::format(
            "{}: last entry says offset {} ends the batch at position {}, but the log has a batch "
            "ending at offset {} there",
            index_path, base_offset + index.back().relative_offset, start, h.last_offset());
        return false;
      }
      expected_base = h.base_offset;
    }
    int64_t tail_max_timestamp = -1;
    int64_t unindexed_position = -1;  // a batch Track would have indexed
    FLOE_ASSIGN_OR_RETURN(WalkEnd end, Walk(start, file_size, expected_base, /*verify_crc=*/false,
                                            [&](const StoredHeader& h, int64_t position) {
                                              tail_max_timestamp = std::max(tail_max_timestamp, h.max_timestamp);
                                              if (position - start > interval && unindexed_position < 0) {
                                                unindexed_position = position;
                                              }
                                            }));
    if (!end.problem.empty()) {
      *why = fmt::format("{}: {}", log_path, end.problem);
      return false;
    }
    if (unindexed_position >= 0) {
      *why = fmt::format("{}: has no entry for the batch at position {}, {} bytes after the last one", index_path,
                         unindexed_position, unindexed_position - start);
      return false;
    }
    if (tail_max_timestamp > LastIndexedTimestamp()) {
      *why = fmt::format("{}: ends before the segment's max timestamp {}", time_index_path, tail_max_timestamp);
      return false;
    }
    size = end.position;
    next_offset = end.next_offset >= 0 ? end.next_offset : base_offset;
    if (!time_index.empty() && base_offset + time_index.back().relative_offset >= next_offset) {
      *why = fmt::format("{}: last entry names offset {}, beyond the segment's last offset {}", time_index_path,
                         base_offset + time_index.back().relative_offset, next_offset - 1);
      return false;
    }
    if (!time_index.empty()) {
      max_timestamp = time_index.back().timestamp;
      offset_of_max_timestamp = base_offset + time_index.back().relative_offset;
    }
    bytes_since_index = size - start;
    index_persisted = index.size();
    time_index_persisted = time_index.size();
    return true;
  }

  // Rebuilds the in-memory indexes by walking every batch from the start of the .log; with `verify_crc`, checks
  // each batch's CRC as well. Returns where the good batches end and why the walk stopped there, if it did.
  Result<WalkEnd> Scan(int32_t interval, bool verify_crc) {
    Reset();
    FLOE_ASSIGN_OR_RETURN(int64_t file_size, FileSize(log_fd, log_path));
    return Walk(0, file_size, base_offset, verify_crc, [&](const StoredHeader& h, int64_t position) {
      Track(position, h.size(), h.last_offset(), h.max_timestamp, interval);
    });
  }
};

PartitionLog::PartitionLog(std::string dir, PartitionLogOptions options)
    : dir_(std::move(dir)), options_(std::move(options)) {}

PartitionLog::~PartitionLog() {
  std::lock_guard lock(mu_);
  if (closed_) return;
  Status s = CloseLocked();
  if (!s.ok()) FLOE_LOG_ERROR("partition log close failed", {{"dir", dir_}, {"error", s.ToString()}});
}

Result<std::unique_ptr<PartitionLog>> PartitionLog::Open(const std::string& dir, const PartitionLogOptions& options) {
  if (options.segment_bytes < static_cast<int64_t>(kRecordBatchHeaderSize) || options.segment_bytes > kMaxInt32) {
    return Status::InvalidArgument(fmt::format("partition log {}: segment_bytes {} must be between {} and {}", dir,
                                               options.segment_bytes, kRecordBatchHeaderSize, kMaxInt32));
  }
  if (options.segment_ms <= 0) {
    return Status::InvalidArgument(
        fmt::format("partition log {}: segment_ms {} must be positive", dir, options.segment_ms));
  }
  if (options.index_interval_bytes < 0) {
    return Status::InvalidArgument(fmt::format("partition log {}: index_interval_bytes {} must not be negative", dir,
                                               options.index_interval_bytes));
  }
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::IoError(fmt::format("partition log {}: cannot create the directory: {}", dir, ec.message()));

  std::unique_ptr<PartitionLog> log(new PartitionLog(dir, options));
  std::lock_guard lock(log->mu_);
  Status s = log->LoadLocked();
  if (!s.ok()) {
    log->closed_ = true;  // the destructor must not write the clean-shutdown marker
    log->segments_.clear();
    return s;
  }
  return log;
}

Status PartitionLog::LoadLocked() {
  // Segment files by base offset. Index files without a .log are left over from a deletion cut short.
  std::map<int64_t, bool> bases;  // base offset -> has a .log
  std::vector<std::string> index_files;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir_, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (auto base = ParseSegmentName(name, kLogSuffix)) {
      bases[*base] = true;
    } else if (auto ibase = ParseSegmentName(name, kIndexSuffix)) {
      bases.try_emplace(*ibase, false);
    } else if (auto tbase = ParseSegmentName(name, kTimeIndexSuffix)) {
      bases.try_emplace(*tbase, false);
    }
  }
  if (ec) return Status::IoError(fmt::format("partition log {}: cannot list the directory: {}", dir_, ec.message()));
  for (auto it = bases.begin(); it != bases.end();) {
    if (it->second) {
      ++it;
      continue;
    }
    FLOE_LOG_WARN("partition log: deleting index files that have no .log", {{"dir", dir_}, {"base_offset", it->first}});
    FLOE_RETURN_IF_ERROR(RemoveFile(SegmentPath(dir_, it->first, kIndexSuffix), /*missing_ok=*/true));
    FLOE_RETURN_IF_ERROR(RemoveFile(SegmentPath(dir_, it->first, kTimeIndexSuffix), /*missing_ok=*/true));
    it = bases.erase(it);
  }

  const std::string marker = fmt::format("{}/{}", dir_, kCleanShutdownName);
  const bool clean = ::access(marker.c_str(), F_OK) == 0;
  const int32_t interval = options_.index_interval_bytes;

  if (bases.empty()) {
    FLOE_ASSIGN_OR_RETURN(auto seg, Segment::Create(dir_, 0));
    segments_.push_back(std::move(seg));
    FLOE_RETURN_IF_ERROR(SyncDir(dir_));
  }
  size_t i = 0;
  for (const auto& [base, has_log] : bases) {
    const bool active = ++i == bases.size();
    FLOE_ASSIGN_OR_RETURN(auto seg, Segment::OpenExisting(dir_, base));
    std::string why;
    FLOE_ASSIGN_OR_RETURN(bool loaded, (active && !clean) ? Result<bool>(false) : seg->LoadIndexes(interval, &why));
    if (!active) {
      if (!loaded) {
        FLOE_LOG_WARN("partition log: rebuilding the indexes of a segment", {{"file", seg->log_path}, {"reason", why}});
        FLOE_ASSIGN_OR_RETURN(WalkEnd end, seg->Scan(interval, /*verify_crc=*/false));
        if (!end.problem.empty()) {
          // Only the active segment can have a torn tail: a segment is fdatasync'ed before the next one is created.
          return Status::Corruption(fmt::format(
              "partition log {}: {}; this segment is not the last one, so its damage is not a torn write and floe "
              "will not truncate it: restore the partition from a replica or move this segment and the ones after it "
              "out of {}",
              seg->log_path, end.problem, dir_));
        }
        seg->SealTimeIndex();
        FLOE_RETURN_IF_ERROR(seg->RewriteIndexes());
      }
      seg->CloseIndexFiles();
    } else if (!loaded) {
      if (clean) {
        FLOE_LOG_WARN("partition log: scanning the active segment despite a clean shutdown",
                      {{"file", seg->log_path}, {"reason", why}});
      }
      FLOE_ASSIGN_OR_RETURN(int64_t file_size, FileSize(seg->log_fd, seg->log_path));
      FLOE_ASSIGN_OR_RETURN(WalkEnd end, seg->Scan(interval, /*verify_crc=*/true));
      if (end.position < file_size) {
        FLOE_LOG_WARN(fmt::format("partition log {}: {}; truncating the torn tail", seg->log_path, end.problem),
                      {{"file", seg->log_path},
                       {"position", end.position},
                       {"bytes_cut", file_size - end.position},
                       {"next_offset", seg->next_offset}});
        FLOE_RETURN_IF_ERROR(Truncate(seg->log_fd, end.position, seg->log_path));
        FLOE_RETURN_IF_ERROR(SyncFd(seg->log_fd, seg->log_path));
      }
      FLOE_RETURN_IF_ERROR(seg->RewriteIndexes());
    }
    if (!segments_.empty()) {
      const Segment& prev = *segments_.back();
      if (prev.next_offset > seg->base_offset) {
        return Status::Corruption(
            fmt::format("partition log {}: holds offsets up to {}, but the next segment {} starts at offset {}: the "
                        "segments overlap; move the one that does not belong out of {}",
                        prev.log_path, prev.next_offset - 1, seg->log_path, seg->base_offset, dir_));
      }
      if (prev.next_offset < seg->base_offset) {
        FLOE_LOG_WARN("partition log: offsets missing between segments",
                      {{"file", prev.log_path}, {"last_offset", prev.next_offset - 1}, {"next_file", seg->log_path}});
      }
    }
    segments_.push_back(std::move(seg));
  }

  Segment& active = *segments_.back();
  if (active.size > 0) {
    // The roll clock of a segment from an earlier run is its first batch's maxTimestamp, as Kafka does.
    FLOE_ASSIGN_OR_RETURN(StoredHeader first, active.ReadHeader(0));
    active.roll_clock_ms = first.max_timestamp >= 0 ? first.max_timestamp : -1;
  }
  log_start_offset_ = segments_.front()->base_offset;
  next_offset_ = active.next_offset;
  FLOE_RETURN_IF_ERROR(LoadProducerStateLocked());
  if (clean) {
    // From here until Close a crash must leave the marker absent, so its removal has to be durable.
    FLOE_RETURN_IF_ERROR(RemoveFile(marker, /*missing_ok=*/true));
    FLOE_RETURN_IF_ERROR(SyncDir(dir_));
  }
  return Status::Ok();
}

ProducerStateTable PartitionLog::producer_state() const {
  std::lock_guard lock(mu_);
  return producers_;
}

Status PartitionLog::WriteProducerSnapshotLocked() {
  const std::string path = fmt::format("{}/{}", dir_, kProducerSnapshotName);
  const std::string tmp = path + ".tmp";
  std::vector<uint8_t> bytes = producers_.Serialize(next_offset_);
  FLOE_ASSIGN_OR_RETURN(int fd, OpenFd(tmp, O_WRONLY | O_CREAT | O_TRUNC));
  Status s = PwriteAll(fd, bytes, 0, tmp);
  if (s.ok()) s = SyncFd(fd, tmp);
  ::close(fd);
  FLOE_RETURN_IF_ERROR(s);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    return Status::FromErrno(errno, fmt::format("partition log {}: rename {} to {}", dir_, tmp, path));
  }
  return SyncDir(dir_);
}

Status PartitionLog::LoadProducerStateLocked() {
  const std::string path = fmt::format("{}/{}", dir_, kProducerSnapshotName);
  producers_.Clear();
  int64_t from = log_start_offset_;
  std::vector<uint8_t> bytes;
  if (Result<int> fd = OpenFd(path, O_RDONLY); fd.ok()) {
    Result<int64_t> size = FileSize(*fd, path);
    if (size.ok() && *size < (int64_t{64} << 20)) {
      bytes.resize(static_cast<size_t>(*size));
      if (!PreadExact(*fd, bytes, 0, path).ok()) bytes.clear();
    }
    ::close(*fd);
  }
  if (!bytes.empty()) {
    Result<int64_t> covered = producers_.Deserialize(bytes);
    if (!covered.ok()) {
      FLOE_LOG_WARN("partition log: ignoring the producer state snapshot, replaying the log instead",
                    {{"file", path}, {"reason", covered.status().message()}});
      producers_.Clear();
    } else if (*covered < log_start_offset_ || *covered > next_offset_) {
      FLOE_LOG_WARN("partition log: producer state snapshot does not match the log, replaying the log instead",
                    {{"file", path}, {"snapshot_offset", *covered}, {"log_end", next_offset_}});
      producers_.Clear();
    } else {
      from = *covered;
    }
  }
  // Replay the batch headers from `from` to the end: only the active segment after a roll-time snapshot.
  for (const auto& seg : segments_) {
    if (seg->next_offset <= from) continue;
    FLOE_ASSIGN_OR_RETURN(int64_t file_size, FileSize(seg->log_fd, seg->log_path));
    int64_t start = seg->base_offset <= from ? seg->PositionFor(from) : 0;
    FLOE_ASSIGN_OR_RETURN(WalkEnd end,
                          seg->Walk(start, file_size, -1, /*verify_crc=*/false, [&](const StoredHeader& h, int64_t) {
                            if (h.producer_id < 0 || h.last_offset() < from) return;
                            const int32_t last_seq = LastSequence(h.base_sequence, h.last_offset_delta);
                            producers_.Record(h.producer_id, h.producer_epoch, h.base_sequence, last_seq, h.base_offset,
                                              h.last_offset(), h.max_timestamp);
                          }));
    if (!end.problem.empty()) {
      return Status::Corruption(
          fmt::format("partition log {}: replaying producer state: {}", seg->log_path, end.problem));
    }
  }
  return Status::Ok();
}

Status PartitionLog::CheckOpenLocked() const {
  if (closed_) return Status::Unavailable(fmt::format("partition log {}: closed", dir_));
  return Status::Ok();
}

Status PartitionLog::RollLocked(std::string_view reason) {
  Segment& old = *segments_.back();
  old.SealTimeIndex();
  FLOE_RETURN_IF_ERROR(old.PersistIndexes());
  FLOE_RETURN_IF_ERROR(old.Sync());
  FLOE_ASSIGN_OR_RETURN(auto seg, Segment::Create(dir_, next_offset_));
  old.CloseIndexFiles();
  // A snapshot at each roll bounds the replay after a crash to the active segment.
  FLOE_RETURN_IF_ERROR(WriteProducerSnapshotLocked());
  FLOE_LOG_INFO("segment rolled", {{"dir", dir_}, {"base_offset", next_offset_}, {"reason", reason}});
  segments_.push_back(std::move(seg));
  return SyncDir(dir_);
}

Result<AppendResult> PartitionLog::Append(std::span<uint8_t> batches, int64_t now_ms, int64_t log_append_time_ms) {
  std::lock_guard lock(mu_);
  FLOE_RETURN_IF_ERROR(CheckOpenLocked());
  if (batches.empty()) return Status::InvalidArgument(fmt::format("partition log {}: append of no batches", dir_));
  Result<std::vector<std::span<const uint8_t>>> spans = kafka::SplitBatches(batches);
  if (!spans.ok()) return spans.status().WithContext(fmt::format("partition log {}: append", dir_));
  std::vector<kafka::RecordBatchHeader> headers;
  headers.reserve(spans->size());
  int64_t offset_count = 0;
  for (size_t i = 0; i < spans->size(); ++i) {
    Result<kafka::RecordBatchHeader> h = kafka::RecordBatchHeader::Parse((*spans)[i]);
    if (!h.ok()) return h.status().WithContext(fmt::format("partition log {}: append: batch {}", dir_, i));
    offset_count += static_cast<int64_t>(h->last_offset_delta) + 1;
    headers.push_back(*h);
  }
  const int64_t total = static_cast<int64_t>(batches.size());
  const int64_t last_offset = next_offset_ + offset_count - 1;

  // Idempotent producers. Batches of one append are checked in order against the state as it would be after the
  // earlier ones, so a multi-batch request from one producer chains correctly; nothing is written unless all pass.
  bool idempotent = false;
  for (const kafka::RecordBatchHeader& h : headers) idempotent |= h.producer_id >= 0;
  if (idempotent) {
    ProducerStateTable scratch;
    const ProducerStateTable* state = &producers_;
    if (headers.size() > 1) {
      scratch = producers_;
      state = &scratch;
    }
    int64_t offset = next_offset_;
    for (size_t i = 0; i < headers.size(); ++i) {
      const kafka::RecordBatchHeader& h = headers[i];
      const int64_t batch_last = offset + h.last_offset_delta;
      if (h.producer_id >= 0) {
        const int32_t last_seq = LastSequence(h.base_sequence, h.last_offset_delta);
        BatchSequence dup;
        std::string why;
        SequenceCheck check = state->Check(h.producer_id, h.producer_epoch, h.base_sequence, last_seq, &dup, &why);
        if (check == SequenceCheck::kDuplicate && headers.size() == 1) {
          AppendResult result;
          result.sequence = check;
          result.base_offset = dup.first_offset;
          result.last_offset = dup.last_offset;
          return result;
        }
        if (check != SequenceCheck::kOk) {
          AppendResult result;
          result.sequence = check == SequenceCheck::kDuplicate ? SequenceCheck::kOutOfOrder : check;
          result.sequence_error =
              check == SequenceCheck::kDuplicate
                  ? fmt::format("batch {} repeats an earlier batch inside a request of {} batches", i, headers.size())
                  : why;
          return result;
        }
        if (state == &scratch) {
          scratch.Record(h.producer_id, h.producer_epoch, h.base_sequence, last_seq, offset, batch_last,
                         h.max_timestamp);
        }
      }
      offset = batch_last + 1;
    }
  }

  // All batches of one append go into one segment, as in Kafka.
  if (segments_.back()->size > 0) {
    const Segment& active = *segments_.back();
    std::string reason;
    if (active.size + total > options_.segment_bytes) {
      reason = fmt::format("segment_bytes {} reached", options_.segment_bytes);
    } else if (active.roll_clock_ms >= 0 && now_ms - active.roll_clock_ms > options_.segment_ms) {
      reason = fmt::format("segment_ms {} passed", options_.segment_ms);
    } else if (last_offset - active.base_offset > kMaxInt32) {
      reason = "relative offsets would overflow the index";
    }
    if (!reason.empty()) FLOE_RETURN_IF_ERROR(RollLocked(reason));
  }
  Segment& seg = *segments_.back();
  if (seg.size + total > kMaxInt32 || last_offset - seg.base_offset > kMaxInt32) {
    return Status::InvalidArgument(
        fmt::format("partition log {}: append of {} bytes and {} offsets does not fit in one segment (at most {} of "
                    "each)",
                    dir_, total, offset_count, kMaxInt32));
  }

  // Stamp offsets (and LogAppendTime) in place; the CRC does not cover baseOffset, SetLogAppendTime rewrites it.
  int64_t offset = next_offset_;
  size_t pos = 0;
  for (const kafka::RecordBatchHeader& h : headers) {
    std::span<uint8_t> batch = batches.subspan(pos, h.size_in_bytes());
    kafka::SetBaseOffset(batch, offset);
    if (log_append_time_ms >= 0) kafka::SetLogAppendTime(batch, log_append_time_ms);
    offset += static_cast<int64_t>(h.last_offset_delta) + 1;
    pos += h.size_in_bytes();
  }

  const Segment::Mark mark = seg.GetMark();
  Status s = PwriteAll(seg.log_fd, batches, seg.size, seg.log_path);
  if (s.ok()) {
    int64_t position = mark.size;
    int64_t batch_base = next_offset_;
    for (const kafka::RecordBatchHeader& h : headers) {
      const int64_t batch_last = batch_base + h.last_offset_delta;
      seg.Track(position, static_cast<int64_t>(h.size_in_bytes()), batch_last,
                log_append_time_ms >= 0 ? log_append_time_ms : h.max_timestamp, options_.index_interval_bytes);
      position += static_cast<int64_t>(h.size_in_bytes());
      batch_base = batch_last + 1;
    }
    s = seg.PersistIndexes();
  }
  if (s.ok() && options_.flush == FlushPolicy::kEveryBatch) s = SyncFd(seg.log_fd, seg.log_path);
  if (!s.ok()) {
    seg.RollBack(mark);
    return s;
  }
  if (mark.size == 0 || seg.roll_clock_ms < 0) seg.roll_clock_ms = now_ms;
  if (idempotent) {
    int64_t batch_base = next_offset_;
    for (const kafka::RecordBatchHeader& h : headers) {
      const int64_t batch_last = batch_base + h.last_offset_delta;
      if (h.producer_id >= 0) {
        const int32_t last_seq = LastSequence(h.base_sequence, h.last_offset_delta);
        producers_.Record(h.producer_id, h.producer_epoch, h.base_sequence, last_seq, batch_base, batch_last,
                          h.max_timestamp);
      }
      batch_base = batch_last + 1;
    }
  }

  AppendResult result;
  result.base_offset = next_offset_;
  result.last_offset = offset - 1;
  result.log_append_time_ms = log_append_time_ms >= 0 ? log_append_time_ms : -1;
  next_offset_ = offset;
  return result;
}

LogSlice& LogSlice::operator=(LogSlice&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(o.fd_, -1);
    position_ = o.position_;
    size_ = o.size_;
  }
  return *this;
}

LogSlice::~LogSlice() {
  if (fd_ >= 0) ::close(fd_);
}

Result<ReadResult> PartitionLog::Read(int64_t offset, size_t max_bytes) {
  ReadResult result;
  FLOE_RETURN_IF_ERROR(ReadInto(offset, max_bytes, &result));
  return result;
}

Status PartitionLog::ReadInto(int64_t offset, size_t max_bytes, ReadResult* out, size_t slice_from) {
  std::lock_guard lock(mu_);
  FLOE_RETURN_IF_ERROR(CheckOpenLocked());
  if (offset < log_start_offset_ || offset > next_offset_) {
    return Status::NotFound(fmt::format("partition log {}: offset {} is out of range: the log holds offsets {} to {}",
                                        dir_, offset, log_start_offset_, next_offset_ - 1));
  }
  ReadResult& result = *out;
  result.bytes.clear();
  result.slices.clear();
  result.high_watermark = next_offset_;
  result.log_start_offset = log_start_offset_;
  if (offset == next_offset_) return Status::Ok();

  auto it = std::upper_bound(segments_.begin(), segments_.end(), offset,
                             [](int64_t o, const std::unique_ptr<Segment>& s) { return o < s->base_offset; });
  size_t i = static_cast<size_t>(std::prev(it) - segments_.begin());
  int64_t position = segments_[i]->PositionFor(offset);
  bool as_slices = false;
  if (slice_from != std::numeric_limits<size_t>::max()) {
    int64_t available = segments_[i]->size - position;
    for (size_t j = i + 1; j < segments_.size(); ++j) available += segments_[j]->size;
    as_slices = std::min<uint64_t>(static_cast<uint64_t>(available), max_bytes) >= slice_from;
  }
  size_t taken_before = 0;  // bytes of the segments already read
  bool full = false;
  for (; i < segments_.size() && !full; ++i, position = 0) {
    const Segment& seg = *segments_[i];
    int64_t start = -1;  // the first wanted batch in this segment
    while (position < seg.size) {
      FLOE_ASSIGN_OR_RETURN(StoredHeader h, seg.ReadCheckedHeader(position));
      if (start < 0) {
        if (h.last_offset() < offset) {
          position += h.size();
          continue;
        }
        start = position;
      }
      const size_t taken = taken_before + static_cast<size_t>(position - start);
      if (taken > 0 && taken + static_cast<size_t>(h.size()) > max_bytes) {
        full = true;
        break;
      }
      position += h.size();
    }
    if (start >= 0 && position > start) {
      const size_t n = static_cast<size_t>(position - start);
      if (as_slices) {
        int fd = ::fcntl(seg.log_fd, F_DUPFD_CLOEXEC, 0);
        if (fd < 0) return Status::FromErrno(errno, fmt::format("partition log {}: dup for sending", seg.log_path));
        result.slices.emplace_back(fd, start, n);
      } else {
        const size_t at = result.bytes.size();
        result.bytes.resize(at + n);
        FLOE_RETURN_IF_ERROR(PreadExact(seg.log_fd, std::span<uint8_t>(result.bytes).subspan(at), start, seg.log_path));
      }
      taken_before += n;
    }
  }
  return Status::Ok();
}

Result<int64_t> PartitionLog::OffsetForTimestamp(int64_t timestamp_ms) {
  std::lock_guard lock(mu_);
  FLOE_RETURN_IF_ERROR(CheckOpenLocked());
  std::vector<uint8_t> batch;
  for (const auto& segment : segments_) {
    const Segment& seg = *segment;
    // Every record of an earlier segment is older: the answer is in the first segment that reaches the timestamp.
    if (seg.max_timestamp < timestamp_ms) continue;
    // A time index entry (T, o) with T < timestamp_ms says nothing up to offset o reaches it; start after o.
    int64_t position = 0;
    auto te = std::lower_bound(seg.time_index.begin(), seg.time_index.end(), timestamp_ms,
                               [](const TimeIndexEntry& e, int64_t t) { return e.timestamp < t; });
    if (te != seg.time_index.begin()) {
      position = seg.PositionFor(seg.base_offset + std::prev(te)->relative_offset + 1);
    }
    while (position < seg.size) {
      FLOE_ASSIGN_OR_RETURN(StoredHeader h, seg.ReadCheckedHeader(position));
      if (h.max_timestamp >= timestamp_ms) {
        batch.resize(static_cast<size_t>(h.size()));
        FLOE_RETURN_IF_ERROR(PreadExact(seg.log_fd, batch, position, seg.log_path));
        FLOE_ASSIGN_OR_RETURN(kafka::RecordBatchHeader header, kafka::RecordBatchHeader::Parse(batch));
        // The exact record, as Apache Kafka answers, also inside a compressed batch (decompressed here: a
        // ListOffsets by time is rare, and the batch is at most max.message.bytes).
        (void)header;
        kafka::RecordBatchDecoder decoder;
        Status decoded = decoder.Decode(batch);
        if (!decoded.ok()) {
          return decoded.WithContext(
              fmt::format("partition log {}: batch at position {} (offset {})", seg.log_path, position, h.base_offset));
        }
        for (const kafka::Record& r : decoder.records()) {
          if (r.timestamp >= timestamp_ms) return r.offset;
        }
      }
      position += h.size();
    }
  }
  return int64_t{-1};
}

Status PartitionLog::Flush() {
  std::lock_guard lock(mu_);
  FLOE_RETURN_IF_ERROR(CheckOpenLocked());
  Segment& active = *segments_.back();
  FLOE_RETURN_IF_ERROR(active.PersistIndexes());
  return active.Sync();
}

Status PartitionLog::ApplyRetention(int64_t now_ms) {
  std::lock_guard lock(mu_);
  FLOE_RETURN_IF_ERROR(CheckOpenLocked());
  producers_.ExpireBefore(now_ms - kProducerIdExpirationMs);
  bool deleted = false;
  while (segments_.size() > 1) {
    Segment& oldest = *segments_.front();
    std::string reason;
    const int64_t total = SizeBytesLocked();
    if (options_.retention_bytes >= 0 && total > options_.retention_bytes) {
      reason = fmt::format("the log is {} bytes, over retention_bytes {}", total, options_.retention_bytes);
    } else if (options_.retention_ms >= 0) {
      int64_t newest = oldest.max_timestamp;
      if (newest < 0) {
        // No record timestamps: the file's modification time stands in, as in Kafka.
        struct stat st;
        if (::fstat(oldest.log_fd, &st) != 0) {
          return Status::FromErrno(errno, fmt::format("partition log {}: stat", oldest.log_path));
        }
        newest = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1000000;
      }
      if (newest < now_ms - options_.retention_ms) {
        reason = fmt::format("its newest timestamp {} is older than retention_ms {}", newest, options_.retention_ms);
      }
    }
    if (reason.empty()) break;
    FLOE_LOG_INFO("deleting segment", {{"file", oldest.log_path}, {"reason", reason}});
    // The .log first: index files left behind by a crash here are deleted by the next Open.
    FLOE_RETURN_IF_ERROR(RemoveFile(oldest.log_path, /*missing_ok=*/false));
    FLOE_RETURN_IF_ERROR(RemoveFile(oldest.index_path, /*missing_ok=*/true));
    FLOE_RETURN_IF_ERROR(RemoveFile(oldest.time_index_path, /*missing_ok=*/true));
    segments_.erase(segments_.begin());
    log_start_offset_ = segments_.front()->base_offset;
    deleted = true;
  }
  if (deleted) FLOE_RETURN_IF_ERROR(SyncDir(dir_));
  return Status::Ok();
}

Status PartitionLog::CloseLocked() {
  closed_ = true;
  Segment& active = *segments_.back();
  active.SealTimeIndex();
  Status s = active.PersistIndexes();
  if (s.ok()) s = active.Sync();
  if (s.ok()) s = WriteProducerSnapshotLocked();
  segments_.clear();
  FLOE_RETURN_IF_ERROR(s);  // no marker: the next Open scans the active segment
  const std::string marker = fmt::format("{}/{}", dir_, kCleanShutdownName);
  FLOE_ASSIGN_OR_RETURN(int fd, OpenFd(marker, O_WRONLY | O_CREAT | O_TRUNC));
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return Status::FromErrno(err, fmt::format("partition log {}: fsync", marker));
  return SyncDir(dir_);
}

Status PartitionLog::Close() {
  std::lock_guard lock(mu_);
  if (closed_) return Status::Ok();
  return CloseLocked();
}

Status PartitionLog::DeleteAll() {
  std::lock_guard lock(mu_);
  closed_ = true;
  segments_.clear();
  std::error_code ec;
  std::vector<std::string> files;
  for (std::filesystem::directory_iterator it(dir_, ec), end; !ec && it != end; it.increment(ec)) {
    files.push_back(it->path().string());
  }
  if (ec) return Status::IoError(fmt::format("partition log {}: cannot list the directory: {}", dir_, ec.message()));
  for (const std::string& f : files) FLOE_RETURN_IF_ERROR(RemoveFile(f, /*missing_ok=*/true));
  if (::rmdir(dir_.c_str()) != 0) return Status::FromErrno(errno, fmt::format("partition log {}: rmdir", dir_));
  return Status::Ok();
}

int64_t PartitionLog::SizeBytesLocked() const {
  int64_t total = 0;
  for (const auto& seg : segments_) total += seg->size;
  return total;
}

int64_t PartitionLog::log_start_offset() const {
  std::lock_guard lock(mu_);
  return log_start_offset_;
}

int64_t PartitionLog::next_offset() const {
  std::lock_guard lock(mu_);
  return next_offset_;
}

int64_t PartitionLog::size_bytes() const {
  std::lock_guard lock(mu_);
  return SizeBytesLocked();
}

size_t PartitionLog::segment_count() const {
  std::lock_guard lock(mu_);
  return segments_.size();
}

}  // namespace floe::broker
