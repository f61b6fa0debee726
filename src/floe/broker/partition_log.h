// One topic-partition's durable log: Kafka's on-disk layout, so Kafka's own tools could read it.
//
// Directory `<data_dir>/kafka/<topic>-<partition>/` holds segments named by their base offset (20 digits):
//   00000000000000000000.log        record batches exactly as produced, offsets assigned, back to back
//   00000000000000000000.index      sparse offset index: (int32 relative offset, int32 file position) big-endian,
//                                   one entry per `index_interval_bytes` of log; as in Kafka the offset is the last
//                                   offset of the batch that starts at the position
//   00000000000000000000.timeindex  sparse time index: (int64 timestamp, int32 relative offset) big-endian, an entry
//                                   when a batch raises the segment's max timestamp and index_interval_bytes passed;
//                                   the offset is the last offset of the batch holding that max timestamp. A segment
//                                   gets a final entry with its max timestamp when it is rolled or the log closed.
//   clean-shutdown                  present only while the log is closed cleanly
// Only the active (last) segment takes appends. On Open after an unclean shutdown the active segment is scanned
// batch by batch (length and CRC-32C checked) and truncated after the last valid batch; its indexes are rebuilt.
//
// Thread-safety: all methods may be called from any thread; an internal mutex serialises them.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "floe/base/status.h"
#include "floe/broker/producer_state.h"

namespace floe::broker {

enum class FlushPolicy {
  kEveryBatch,  // fdatasync before a produce is acknowledged: an acknowledged batch survives power loss
  kInterval,    // fdatasync every flush_interval_ms: at most that much acknowledged data lost on power loss
  kOs,          // leave it to the OS page cache (Kafka's default): survives a process crash, not a power loss
};

struct PartitionLogOptions {
  int64_t segment_bytes = 1LL << 30;              // roll when the active segment would exceed this
  int64_t segment_ms = 7LL * 24 * 3600 * 1000;    // roll when the active segment's first batch is older than this
  int64_t retention_bytes = -1;                   // delete oldest segments beyond this total size; -1 = unlimited
  int64_t retention_ms = 7LL * 24 * 3600 * 1000;  // delete segments whose newest record is older; -1 = forever
  int32_t index_interval_bytes = 4096;
  FlushPolicy flush = FlushPolicy::kOs;
  int64_t flush_interval_ms = 1000;  // for kInterval (the caller runs the timer and calls Flush)
};

struct AppendResult {
  int64_t base_offset = -1;         // offset assigned to the first record of the first batch
  int64_t last_offset = -1;         // offset of the last record of the last batch
  int64_t log_append_time_ms = -1;  // when log_append_time was requested, the time stamped; else -1
  // Idempotent producers: kOk when appended; kDuplicate when the batches were appended before (base_offset and
  // last_offset are the original ones and nothing was written); otherwise nothing was written and
  // `sequence_error` says why.
  SequenceCheck sequence = SequenceCheck::kOk;
  std::string sequence_error;
};

// A range of one segment's .log, to be sent as it is (sendfile). It owns a descriptor of its own (a dup of the
// segment's), so the range stays readable when retention or DeleteTopics closes and unlinks the segment before it is
// sent: the bytes of a range never change once written.
class LogSlice {
 public:
  LogSlice(int fd, int64_t position, size_t size) : fd_(fd), position_(position), size_(size) {}
  LogSlice(LogSlice&& o) noexcept : fd_(std::exchange(o.fd_, -1)), position_(o.position_), size_(o.size_) {}
  LogSlice& operator=(LogSlice&& o) noexcept;
  LogSlice(const LogSlice&) = delete;
  LogSlice& operator=(const LogSlice&) = delete;
  ~LogSlice();

  int fd() const { return fd_; }
  int64_t position() const { return position_; }
  size_t size() const { return size_; }

 private:
  int fd_ = -1;
  int64_t position_ = 0;
  size_t size_ = 0;
};

struct ReadResult {
  // Whole batches, starting with the one that contains the requested offset: in `bytes`, or, when the read was
  // large enough to be sent from the files (ReadInto's slice_from), in `slices` (in log order) with `bytes` empty.
  std::vector<uint8_t> bytes;
  std::vector<LogSlice> slices;
  int64_t high_watermark = 0;  // the next offset to be assigned
  int64_t log_start_offset = 0;

  size_t size() const {
    size_t n = bytes.size();
    for (const LogSlice& s : slices) n += s.size();
    return n;
  }
};

class PartitionLog {
 public:
  // Opens the log in `dir`, creating it if missing, recovering after an unclean shutdown as described above. Index
  // files that are missing or do not match the log are rebuilt. Damage in a segment other than the active one is
  // not a torn write: Corruption naming the file and position, and nothing is truncated.
  static Result<std::unique_ptr<PartitionLog>> Open(const std::string& dir, const PartitionLogOptions& options);
  ~PartitionLog();  // closes cleanly (flush, clean-shutdown marker) if Close was not called

  // Batches from idempotent producers (producerId >= 0) are checked against the partition's producer state first
  // (producer_state.h): a retried batch is not written twice, an out-of-order or fenced one not at all.
  // Appends `batches` (one or more v2 record batches, back to back, already validated by the caller): rewrites each
  // batch's baseOffset (and, when `log_append_time_ms` >= 0, sets LogAppendTime and rewrites the CRC) in place,
  // writes them to the active segment, rolls first if needed, updates the indexes. Flushes before returning under
  // FlushPolicy::kEveryBatch. `now_ms` drives segment_ms rolling (for a segment from an earlier run, its first
  // batch's maxTimestamp stands in for the time of its first append, as in Kafka). All batches of one call go into
  // one segment. After Close or DeleteAll, this and the other methods return Unavailable.
  Result<AppendResult> Append(std::span<uint8_t> batches, int64_t now_ms, int64_t log_append_time_ms = -1);

  // Reads whole batches starting with the batch that contains `offset`, stopping before the batch that would take
  // the total over `max_bytes` (but always at least one batch, as Kafka does for progress). `offset` ==
  // next_offset() gives empty bytes. OutOfRange status (StatusCode::kNotFound) for offset < log_start_offset() or
  // > next_offset().
  Result<ReadResult> Read(int64_t offset, size_t max_bytes);
  // Read into `out`, reusing the capacity of out->bytes (which is cleared first, as are out->slices): no allocation
  // once warm. When the read is expected to reach `slice_from` bytes (what the log holds from the wanted batch on,
  // capped at max_bytes), the batches are not copied: out->slices get one range per segment, for the caller to
  // send with sendfile.
  Status ReadInto(int64_t offset, size_t max_bytes, ReadResult* out,
                  size_t slice_from = std::numeric_limits<size_t>::max());

  // The first offset whose record timestamp (batch maxTimestamp granularity is acceptable only for
  // single-record batches; for multi-record uncompressed batches find the exact record) is >= timestamp_ms, or -1
  // if none. For a compressed batch it is the batch's base offset. ListOffsets' special timestamps (-1 latest,
  // -2 earliest) are the caller's to map to next_offset() and log_start_offset().
  Result<int64_t> OffsetForTimestamp(int64_t timestamp_ms);

  Status Flush();  // fdatasync the active segment and its indexes
  // Deletes whole old segments, oldest first, while the log is larger than retention_bytes or the oldest segment's
  // newest timestamp (its file's mtime if it has none) is older than now_ms - retention_ms; never the active one.
  Status ApplyRetention(int64_t now_ms);
  Status Close();  // flush, write the clean-shutdown marker; the log is unusable afterwards
  // Deletes every file of this log and its directory (DeleteTopics). The log is unusable afterwards.
  Status DeleteAll();

  int64_t log_start_offset() const;
  int64_t next_offset() const;  // the log end offset, also the high watermark on a single node
  int64_t size_bytes() const;
  size_t segment_count() const;
  // A copy of the idempotent producers' state (tests, tools).
  ProducerStateTable producer_state() const;
  const std::string& dir() const { return dir_; }

 private:
  struct Segment;  // one .log with its .index and .timeindex; defined in partition_log.cpp
  PartitionLog(std::string dir, PartitionLogOptions options);

  Status LoadLocked();  // lists, opens and recovers the segments (Open)
  Status CheckOpenLocked() const;
  // Seals the active segment (final time index entry, fdatasync) and starts a new one at next_offset_.
  Status RollLocked(std::string_view reason);
  Status CloseLocked();
  int64_t SizeBytesLocked() const;
  // Loads producer-state.snapshot if it is valid and replays the batches after it (Open).
  Status LoadProducerStateLocked();
  Status WriteProducerSnapshotLocked();

  std::string dir_;
  PartitionLogOptions options_;
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Segment>> segments_;  // by base offset; the last is active
  int64_t log_start_offset_ = 0;                    // the first segment's base offset
  int64_t next_offset_ = 0;
  bool closed_ = false;
  ProducerStateTable producers_;
};

}  // namespace floe::broker
