#include "floe/broker/producer_state.h"

#include <fmt/format.h>

#include <limits>

#include "floe/base/byte_buffer.h"
#include "floe/base/crc32c.h"

namespace floe::broker {

namespace {

constexpr char kMagic[4] = {'F', 'L', 'P', 'S'};
constexpr int16_t kVersion = 1;

// Sequences wrap from INT32_MAX to 0, as in Kafka.
int32_t NextSeq(int32_t seq) {
  return seq == std::numeric_limits<int32_t>::max() ? 0 : seq + 1;
}

}  // namespace

SequenceCheck ProducerStateTable::Check(int64_t pid, int16_t epoch, int32_t first_seq, int32_t last_seq,
                                        BatchSequence* duplicate, std::string* why) const {
  auto it = producers_.find(pid);
  if (it == producers_.end()) {
    if (first_seq == 0) return SequenceCheck::kOk;
    *why = fmt::format("producer {} is unknown to this partition and its batch starts at sequence {}, not 0", pid,
                       first_seq);
    return SequenceCheck::kUnknownProducer;
  }
  const ProducerEntry& e = it->second;
  if (epoch < e.epoch) {
    *why = fmt::format("producer {} epoch {} is older than the current epoch {}", pid, epoch, e.epoch);
    return SequenceCheck::kFencedEpoch;
  }
  if (epoch > e.epoch) {
    // A new epoch starts its sequences over.
    if (first_seq == 0) return SequenceCheck::kOk;
    *why = fmt::format("producer {} started epoch {} at sequence {}, not 0", pid, epoch, first_seq);
    return SequenceCheck::kOutOfOrder;
  }
  for (const BatchSequence& b : e.batches) {
    if (b.first_seq == first_seq && b.last_seq == last_seq) {
      *duplicate = b;
      return SequenceCheck::kDuplicate;
    }
  }
  if (e.batches.empty()) {
    if (first_seq == 0) return SequenceCheck::kOk;
    *why = fmt::format("producer {} epoch {} has no batches here and sent sequence {}, not 0", pid, epoch, first_seq);
    return SequenceCheck::kOutOfOrder;
  }
  int32_t expected = NextSeq(e.batches.back().last_seq);
  if (first_seq == expected) return SequenceCheck::kOk;
  *why = fmt::format("producer {} epoch {}: expected sequence {}, got {}", pid, epoch, expected, first_seq);
  return SequenceCheck::kOutOfOrder;
}

void ProducerStateTable::Record(int64_t pid, int16_t epoch, int32_t first_seq, int32_t last_seq, int64_t first_offset,
                                int64_t last_offset, int64_t timestamp) {
  ProducerEntry& e = producers_[pid];
  if (epoch != e.epoch) {
    e.epoch = epoch;
    e.batches.clear();
  }
  e.batches.push_back({first_seq, last_seq, first_offset, last_offset});
  while (e.batches.size() > kMaxRememberedBatches) e.batches.pop_front();
  if (timestamp > e.last_timestamp) e.last_timestamp = timestamp;
}

void ProducerStateTable::ExpireBefore(int64_t min_timestamp) {
  for (auto it = producers_.begin(); it != producers_.end();) {
    if (it->second.last_timestamp < min_timestamp) {
      it = producers_.erase(it);
    } else {
      ++it;
    }
  }
}

std::vector<uint8_t> ProducerStateTable::Serialize(int64_t next_offset) const {
  std::vector<uint8_t> out;
  ByteWriter w(&out);
  w.WriteBytes(std::string_view(kMagic, 4));
  w.WriteInt16(kVersion);
  w.WriteInt64(next_offset);
  w.WriteInt32(static_cast<int32_t>(producers_.size()));
  for (const auto& [pid, e] : producers_) {
    w.WriteInt64(pid);
    w.WriteInt16(e.epoch);
    w.WriteInt64(e.last_timestamp);
    w.WriteInt8(static_cast<int8_t>(e.batches.size()));
    for (const BatchSequence& b : e.batches) {
      w.WriteInt32(b.first_seq);
      w.WriteInt32(b.last_seq);
      w.WriteInt64(b.first_offset);
      w.WriteInt64(b.last_offset);
    }
  }
  w.WriteUint32(Crc32c(out));
  return out;
}

Result<int64_t> ProducerStateTable::Deserialize(std::span<const uint8_t> bytes) {
  if (bytes.size() < 4 + 2 + 8 + 4 + 4) {
    return Status::Corruption(fmt::format("producer state snapshot: {} bytes is too short", bytes.size()));
  }
  uint32_t stored = static_cast<uint32_t>(bytes[bytes.size() - 4]) << 24 |
                    static_cast<uint32_t>(bytes[bytes.size() - 3]) << 16 |
                    static_cast<uint32_t>(bytes[bytes.size() - 2]) << 8 | bytes[bytes.size() - 1];
  uint32_t computed = Crc32c(bytes.first(bytes.size() - 4));
  if (stored != computed) {
    return Status::Corruption(
        fmt::format("producer state snapshot: crc mismatch (stored 0x{:08x}, computed 0x{:08x})", stored, computed));
  }
  ByteReader r(bytes.first(bytes.size() - 4));
  auto magic = r.ReadSpan(4, "magic");
  if (!std::equal(magic.begin(), magic.end(), kMagic)) return Status::Corruption("producer state snapshot: bad magic");
  int16_t version = r.ReadInt16("version");
  if (version != kVersion) {
    return Status::Unsupported(fmt::format("producer state snapshot: version {} (floe reads {})", version, kVersion));
  }
  int64_t next_offset = r.ReadInt64("next_offset");
  int32_t count = r.ReadInt32("count");
  std::map<int64_t, ProducerEntry> producers;
  for (int32_t i = 0; i < count && r.ok(); ++i) {
    int64_t pid = r.ReadInt64("producer_id");
    ProducerEntry e;
    e.epoch = r.ReadInt16("epoch");
    e.last_timestamp = r.ReadInt64("last_timestamp");
    int8_t n = r.ReadInt8("batch count");
    if (n < 0 || static_cast<size_t>(n) > kMaxRememberedBatches) r.Fail("batch count", "out of range");
    for (int8_t j = 0; j < n && r.ok(); ++j) {
      BatchSequence b;
      b.first_seq = r.ReadInt32("first_seq");
      b.last_seq = r.ReadInt32("last_seq");
      b.first_offset = r.ReadInt64("first_offset");
      b.last_offset = r.ReadInt64("last_offset");
      e.batches.push_back(b);
    }
    producers[pid] = std::move(e);
  }
  if (r.ok() && r.remaining() != 0) r.Fail("snapshot", "trailing bytes");
  if (!r.ok()) return r.status().WithContext("producer state snapshot");
  producers_ = std::move(producers);
  return next_offset;
}

}  // namespace floe::broker
