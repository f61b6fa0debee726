// The on-disk format of committed consumer-group offsets, shared by GroupOffsetLog's writer and its replay.
//
// Kafka keeps group state in the compacted topic __consumer_offsets; floe, one node without replication, keeps only
// the committed offsets, in one append-only file replayed on start:
//
//   <data_dir>/kafka/__consumer_offsets/offsets.log
//
//   file    := record*
//   record  := length:uint32  crc:uint32  body[length]        all integers big-endian
//              crc is the CRC-32C (floe/base/crc32c.h) of body
//   body    := version:int8 (= 0)  type:int8  group:string  payload
//   type 1 kCommit        payload := count:int32  count × entry      (later records win, per topic-partition)
//              entry      := topic:string  partition:int32  offset:int64  leader_epoch:int32  commit_time_ms:int64
//                            metadata:nullable_string
//   type 2 kDeleteGroup   payload := (empty)                         forget every offset of the group
//   type 3 kDeleteOffsets payload := count:int32  count × { topic:string  partition:int32 }
//   string          := length:int16  bytes        (UTF-8, as Kafka's STRING)
//   nullable_string := length:int16  bytes        (length -1: null)
//
// One OffsetCommit request is one kCommit record, so a request is recovered whole or not at all.
//
// Recovery: records are replayed in order; replay stops at the first record that is incomplete or whose CRC does not
// match (a write torn by a crash or power loss). The file is truncated there, so what follows is dropped and new
// records are appended after the last good one. A well-formed record of an unknown version or type is Corruption
// (a newer floe wrote it): floe refuses to start rather than lose offsets.
//
// Compaction: when the file grows past both `compact_bytes` and twice its size after the last compaction, the live
// offsets are written as one kCommit record per group to offsets.log.tmp, which is fsynced, renamed over
// offsets.log, and the directory fsynced. A crash at any point leaves either the old or the new file whole (a stale
// offsets.log.tmp is deleted on open).
#pragma once

#include <cstdint>

namespace floe::broker::group_offsets_format {

inline constexpr char kFileName[] = "offsets.log";
inline constexpr char kTempFileName[] = "offsets.log.tmp";

inline constexpr int kRecordHeaderSize = 8;  // length + crc
inline constexpr int8_t kVersion = 0;

enum class RecordType : int8_t {
  kCommit = 1,
  kDeleteGroup = 2,
  kDeleteOffsets = 3,
};

}  // namespace floe::broker::group_offsets_format
