// Idempotent producers: the sequence-number state of one partition, as Kafka's ProducerStateManager keeps it.
//
// Each producer id has an epoch and the sequence ranges and offsets of its last five appended batches (a producer
// has at most five requests in flight). A batch is accepted when its first sequence follows the last one; a batch
// equal to one of the five is a retry of something already written and is answered with the original offsets
// instead of being written twice; anything else is out of order. A lower epoch is fenced.
//
// The table is rebuilt on open from a snapshot (`producer-state.snapshot`, written at clean close and at segment
// roll) plus the batches appended after it. Snapshot format, all big-endian:
//   magic "FLPS" | version int16 = 1 | next_offset int64 | count int32 |
//   count × (producer_id int64 | epoch int16 | last_timestamp int64 | n int8 | n × (first_seq int32 | last_seq int32 |
//   first_offset int64 | last_offset int64)) | crc32c uint32 of everything before it
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "floe/base/status.h"

namespace floe::broker {

inline constexpr size_t kMaxRememberedBatches = 5;

// The sequence number of a batch's last record: its base sequence plus lastOffsetDelta, wrapping from INT32_MAX to
// 0 as Kafka's sequences do.
inline int32_t LastSequence(int32_t base_sequence, int32_t last_offset_delta) {
  return static_cast<int32_t>((static_cast<int64_t>(base_sequence) + last_offset_delta) % (int64_t{INT32_MAX} + 1));
}

struct BatchSequence {
  int32_t first_seq = 0;
  int32_t last_seq = 0;
  int64_t first_offset = 0;
  int64_t last_offset = 0;
  bool operator==(const BatchSequence&) const = default;
};

struct ProducerEntry {
  int16_t epoch = 0;
  int64_t last_timestamp = -1;
  std::deque<BatchSequence> batches;  // oldest first, at most kMaxRememberedBatches
  bool operator==(const ProducerEntry&) const = default;
};

enum class SequenceCheck {
  kOk,               // append it
  kDuplicate,        // already appended: answer with the remembered offsets
  kOutOfOrder,       // OUT_OF_ORDER_SEQUENCE_NUMBER
  kFencedEpoch,      // INVALID_PRODUCER_EPOCH: an older epoch of a producer that has moved on
  kUnknownProducer,  // UNKNOWN_PRODUCER_ID: no state for this id and the sequence does not start at 0
};

class ProducerStateTable {
 public:
  // Checks a batch of producer `pid` (>= 0) at `epoch` carrying sequences first_seq..last_seq. For kDuplicate,
  // *duplicate is the batch appended before; for errors, *why says what was expected.
  SequenceCheck Check(int64_t pid, int16_t epoch, int32_t first_seq, int32_t last_seq, BatchSequence* duplicate,
                      std::string* why) const;
  // Records an appended batch (after Check said kOk, or when replaying the log).
  void Record(int64_t pid, int16_t epoch, int32_t first_seq, int32_t last_seq, int64_t first_offset,
              int64_t last_offset, int64_t timestamp);
  // Forgets producers whose last batch is older than `min_timestamp` (producer.id.expiration.ms).
  void ExpireBefore(int64_t min_timestamp);
  void Clear() { producers_.clear(); }
  size_t size() const { return producers_.size(); }
  const std::map<int64_t, ProducerEntry>& producers() const { return producers_; }

  // The snapshot of this table as of `next_offset` (the offset the table covers up to, exclusive).
  std::vector<uint8_t> Serialize(int64_t next_offset) const;
  // Loads a snapshot; returns its next_offset. Corruption names what was wrong.
  Result<int64_t> Deserialize(std::span<const uint8_t> bytes);

  bool operator==(const ProducerStateTable&) const = default;

 private:
  std::map<int64_t, ProducerEntry> producers_;
};

}  // namespace floe::broker
