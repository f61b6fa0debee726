#include "floe/stream/watermark_tracker.h"

#include <algorithm>
#include <cstring>
#include <type_traits>

#include "floe/base/crc32c.h"

namespace floe::stream {
namespace {

// Snapshot format, version 1, little-endian:
//   "FLWM"  u8 version  u32 partition_count  i64 watermark
//   partition_count x { i32 partition  i64 max_event_time_ms }
//   u32 crc32c of every byte before it
constexpr char kMagic[4] = {'F', 'L', 'W', 'M'};
constexpr uint8_t kVersion = 1;
constexpr size_t kHeaderBytes = 4 + 1 + 4 + 8;
constexpr size_t kPartitionBytes = 4 + 8;
// Partition ids index a vector; a snapshot naming a larger id is not one we wrote.
constexpr int64_t kMaxPartitionId = 1 << 24;

template <typename T>
void PutFixed(std::string* out, T v) {
  char buf[sizeof(T)];
  auto u = static_cast<std::make_unsigned_t<T>>(v);
  for (size_t i = 0; i < sizeof(T); ++i) buf[i] = static_cast<char>((u >> (8 * i)) & 0xff);
  out->append(buf, sizeof(T));
}

template <typename T>
T GetFixed(std::string_view in, size_t pos) {
  std::make_unsigned_t<T> u = 0;
  for (size_t i = 0; i < sizeof(T); ++i) {
    u |= static_cast<std::make_unsigned_t<T>>(static_cast<uint8_t>(in[pos + i])) << (8 * i);
  }
  return static_cast<T>(u);
}

}  // namespace

WatermarkTracker::WatermarkTracker(int64_t out_of_orderness_ms, int64_t idle_timeout_ms)
    : delay_ms_(std::max<int64_t>(out_of_orderness_ms, 0)), idle_timeout_ms_(std::max<int64_t>(idle_timeout_ms, 0)) {}

void WatermarkTracker::AddPartition(int32_t partition, int64_t now_ms) {
  if (partition < 0) return;
  if (static_cast<size_t>(partition) >= partitions_.size()) partitions_.resize(static_cast<size_t>(partition) + 1);
  Partition& p = partitions_[partition];
  if (p.present) return;
  p.present = true;
  p.max_event_time_ms = kNoWatermark;
  p.last_activity_ms = now_ms;
}

void WatermarkTracker::ObserveNew(int32_t partition, int64_t event_time_ms, int64_t now_ms) {
  if (partition < 0) return;
  AddPartition(partition, now_ms);
  Observe(partition, event_time_ms, now_ms);
}

bool WatermarkTracker::IsIdle(const Partition& p, int64_t now_ms) const {
  return idle_timeout_ms_ > 0 && now_ms - p.last_activity_ms >= idle_timeout_ms_;
}

int64_t WatermarkTracker::PartitionWatermark(const Partition& p) const {
  if (p.max_event_time_ms == kNoWatermark) return kNoWatermark;
  int64_t wm;
  if (__builtin_sub_overflow(p.max_event_time_ms, delay_ms_, &wm)) return kNoWatermark;
  return wm;
}

int64_t WatermarkTracker::Current(int64_t now_ms) {
  bool any_active = false;
  int64_t min = std::numeric_limits<int64_t>::max();
  int64_t max = kNoWatermark;
  for (const Partition& p : partitions_) {
    if (!p.present) continue;
    const int64_t wm = PartitionWatermark(p);
    max = std::max(max, wm);
    if (IsIdle(p, now_ms)) continue;
    any_active = true;
    min = std::min(min, wm);
  }
  const int64_t candidate = any_active ? min : max;
  if (candidate > current_) current_ = candidate;
  return current_;
}

std::vector<WatermarkTracker::PartitionInfo> WatermarkTracker::Partitions(int64_t now_ms) const {
  std::vector<PartitionInfo> out;
  for (size_t id = 0; id < partitions_.size(); ++id) {
    const Partition& p = partitions_[id];
    if (!p.present) continue;
    PartitionInfo info;
    info.partition = static_cast<int32_t>(id);
    info.max_event_time_ms = p.max_event_time_ms;
    info.watermark_ms = PartitionWatermark(p);
    info.last_activity_ms = p.last_activity_ms;
    info.idle = IsIdle(p, now_ms);
    out.push_back(info);
  }
  return out;
}

size_t WatermarkTracker::partition_count() const {
  return static_cast<size_t>(
      std::count_if(partitions_.begin(), partitions_.end(), [](const Partition& p) { return p.present; }));
}

std::string WatermarkTracker::Snapshot() const {
  std::string out(kMagic, sizeof(kMagic));
  PutFixed<uint8_t>(&out, kVersion);
  PutFixed<uint32_t>(&out, static_cast<uint32_t>(partition_count()));
  PutFixed<int64_t>(&out, current_);
  for (size_t id = 0; id < partitions_.size(); ++id) {
    if (!partitions_[id].present) continue;
    PutFixed<int32_t>(&out, static_cast<int32_t>(id));
    PutFixed<int64_t>(&out, partitions_[id].max_event_time_ms);
  }
  PutFixed<uint32_t>(&out, Crc32c(out));
  return out;
}

Status WatermarkTracker::Restore(std::string_view bytes, int64_t now_ms) {
  auto bad = [&](const std::string& why) {
    return Status::Corruption("watermark tracker snapshot (" + std::to_string(bytes.size()) + " bytes): " + why);
  };
  if (bytes.size() < kHeaderBytes + 4) return bad("too short for the header");
  if (std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0) return bad("bad magic, not a watermark snapshot");
  uint8_t version = GetFixed<uint8_t>(bytes, 4);
  if (version != kVersion) {
    return bad("unsupported version " + std::to_string(version) + " (this build reads " + std::to_string(kVersion) +
               ")");
  }
  uint32_t count = GetFixed<uint32_t>(bytes, 5);
  uint64_t expected = kHeaderBytes + uint64_t{count} * kPartitionBytes + 4;
  if (bytes.size() != expected) {
    return bad("length mismatch: " + std::to_string(count) + " partitions need " + std::to_string(expected) + " bytes");
  }
  uint32_t stored_crc = GetFixed<uint32_t>(bytes, bytes.size() - 4);
  uint32_t actual_crc = Crc32c(bytes.substr(0, bytes.size() - 4));
  if (stored_crc != actual_crc) return bad("crc32c mismatch");

  std::vector<Partition> partitions;
  int64_t watermark = GetFixed<int64_t>(bytes, 9);
  size_t pos = kHeaderBytes;
  for (uint32_t i = 0; i < count; ++i, pos += kPartitionBytes) {
    int32_t id = GetFixed<int32_t>(bytes, pos);
    if (id < 0 || id >= kMaxPartitionId) return bad("partition id " + std::to_string(id) + " out of range");
    if (static_cast<size_t>(id) >= partitions.size()) partitions.resize(static_cast<size_t>(id) + 1);
    Partition& p = partitions[id];
    if (p.present) return bad("partition " + std::to_string(id) + " appears twice");
    p.present = true;
    p.max_event_time_ms = GetFixed<int64_t>(bytes, pos + 4);
    p.last_activity_ms = now_ms;
  }
  partitions_ = std::move(partitions);
  current_ = watermark;
  return Status::Ok();
}

}  // namespace floe::stream
