#include "floe/broker/group_offset_log.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <limits>

#include "floe/base/byte_buffer.h"
#include "floe/base/crc32c.h"
#include "floe/base/logging.h"
#include "floe/broker/group_offsets_format.h"

namespace floe::broker {

namespace fs = std::filesystem;
namespace fmtx = group_offsets_format;
using fmtx::RecordType;

namespace {

constexpr size_t kMaxString = std::numeric_limits<int16_t>::max();

Status CheckString(std::string_view s, std::string_view what) {
  if (s.size() > kMaxString) {
    return Status::InvalidArgument(fmt::format(
        "group offsets: {} is {} bytes, longer than the {} the offsets log stores", what, s.size(), kMaxString));
  }
  return Status::Ok();
}

void WriteString(ByteWriter& w, std::string_view s) {
  w.WriteInt16(static_cast<int16_t>(s.size()));
  w.WriteBytes(s);
}

void WriteNullableString(ByteWriter& w, const std::optional<std::string>& s) {
  if (!s) {
    w.WriteInt16(-1);
  } else {
    WriteString(w, *s);
  }
}

std::string ReadString(ByteReader& r, std::string_view what) {
  int16_t n = r.ReadInt16(what);
  if (n < 0) {
    r.Fail(what, "negative length");
    return {};
  }
  auto bytes = r.ReadSpan(static_cast<size_t>(n), what);
  return std::string(bytes.begin(), bytes.end());
}

std::optional<std::string> ReadNullableString(ByteReader& r, std::string_view what) {
  int16_t n = r.ReadInt16(what);
  if (n == -1) return std::nullopt;
  if (n < 0) {
    r.Fail(what, "negative length");
    return std::nullopt;
  }
  auto bytes = r.ReadSpan(static_cast<size_t>(n), what);
  return std::string(bytes.begin(), bytes.end());
}

// Starts a record: reserves the header, writes version, type and group. FinishRecord fills the header.
void StartRecord(ByteWriter& w, RecordType type, std::string_view group) {
  w.WriteUint32(0);
  w.WriteUint32(0);
  w.WriteInt8(fmtx::kVersion);
  w.WriteInt8(static_cast<int8_t>(type));
  WriteString(w, group);
}

void FinishRecord(std::vector<uint8_t>& out, size_t start) {
  const size_t body = start + fmtx::kRecordHeaderSize;
  std::span<const uint8_t> bytes(out.data() + body, out.size() - body);
  uint32_t length = static_cast<uint32_t>(bytes.size());
  uint32_t crc = Crc32c(bytes);
  for (int i = 0; i < 4; ++i) {
    out[start + i] = static_cast<uint8_t>(length >> (24 - 8 * i));
    out[start + 4 + i] = static_cast<uint8_t>(crc >> (24 - 8 * i));
  }
}

Status AppendCommitRecord(std::vector<uint8_t>& out, std::string_view group,
                          const std::vector<GroupOffsetLog::Entry>& entries) {
  FLOE_RETURN_IF_ERROR(CheckString(group, "group id"));
  for (const auto& e : entries) {
    FLOE_RETURN_IF_ERROR(CheckString(e.topic, "topic"));
    if (e.value.metadata) FLOE_RETURN_IF_ERROR(CheckString(*e.value.metadata, "commit metadata"));
  }
  size_t start = out.size();
  ByteWriter w(&out);
  StartRecord(w, RecordType::kCommit, group);
  w.WriteInt32(static_cast<int32_t>(entries.size()));
  for (const auto& e : entries) {
    WriteString(w, e.topic);
    w.WriteInt32(e.partition);
    w.WriteInt64(e.value.offset);
    w.WriteInt32(e.value.leader_epoch);
    w.WriteInt64(e.value.commit_time_ms);
    WriteNullableString(w, e.value.metadata);
  }
  FinishRecord(out, start);
  return Status::Ok();
}

// Applies one record body to `groups`. Corruption for an unknown version or type or a body that does not parse
// (its CRC matched, so floe did not write it this way).
Status ApplyRecord(std::span<const uint8_t> body, std::map<std::string, GroupOffsets>* groups) {
  ByteReader r(body);
  int8_t version = r.ReadInt8("version");
  int8_t type = r.ReadInt8("type");
  if (r.ok() && version != fmtx::kVersion) {
    return Status::Corruption(fmt::format("record version {} is not {} (written by a newer floe?)", version,
                                          static_cast<int>(fmtx::kVersion)));
  }
  std::string group = ReadString(r, "group");
  switch (static_cast<RecordType>(type)) {
    case RecordType::kCommit: {
      int32_t count = r.ReadInt32("count");
      if (count < 0) r.Fail("count", "negative");
      GroupOffsets& offsets = (*groups)[group];
      for (int32_t i = 0; i < count && r.ok(); ++i) {
        std::string topic = ReadString(r, "topic");
        int32_t partition = r.ReadInt32("partition");
        CommittedOffset c;
        c.offset = r.ReadInt64("offset");
        c.leader_epoch = r.ReadInt32("leader_epoch");
        c.commit_time_ms = r.ReadInt64("commit_time_ms");
        c.metadata = ReadNullableString(r, "metadata");
        if (r.ok()) offsets[topic][partition] = std::move(c);
      }
      if (offsets.empty()) groups->erase(group);
      break;
    }
    case RecordType::kDeleteGroup: groups->erase(group); break;
    case RecordType::kDeleteOffsets: {
      int32_t count = r.ReadInt32("count");
      if (count < 0) r.Fail("count", "negative");
      auto it = groups->find(group);
      for (int32_t i = 0; i < count && r.ok(); ++i) {
        std::string topic = ReadString(r, "topic");
        int32_t partition = r.ReadInt32("partition");
        if (!r.ok() || it == groups->end()) continue;
        auto t = it->second.find(topic);
        if (t == it->second.end()) continue;
        t->second.erase(partition);
        if (t->second.empty()) it->second.erase(t);
      }
      if (it != groups->end() && it->second.empty()) groups->erase(it);
      break;
    }
    default:
      if (r.ok()) return Status::Corruption(fmt::format("unknown record type {} (written by a newer floe?)", type));
  }
  if (!r.ok()) return Status::Corruption(r.status().message());
  if (r.remaining() != 0) return Status::Corruption(fmt::format("{} bytes after the record's fields", r.remaining()));
  return Status::Ok();
}

Status WriteAll(int fd, const uint8_t* data, size_t n, const std::string& path) {
  while (n > 0) {
    ssize_t w = ::write(fd, data, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return Status::FromErrno(errno, fmt::format("group offsets {}: write", path));
    }
    data += w;
    n -= static_cast<size_t>(w);
  }
  return Status::Ok();
}

Status SyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::FromErrno(errno, fmt::format("group offsets {}: open directory", dir));
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return Status::FromErrno(err, fmt::format("group offsets {}: fsync directory", dir));
  return Status::Ok();
}

}  // namespace

GroupOffsetLog::GroupOffsetLog(std::string dir, Options options)
    : dir_(std::move(dir)), path_((fs::path(dir_) / fmtx::kFileName).string()), options_(options) {}

GroupOffsetLog::~GroupOffsetLog() {
  (void)Close();
}

Result<std::unique_ptr<GroupOffsetLog>> GroupOffsetLog::Open(const std::string& dir, const Options& options,
                                                             Recovered* recovered) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::IoError(fmt::format("group offsets: cannot create {}: {}", dir, ec.message()));
  // A temp file is left only by a compaction that crashed before its rename: the log itself is whole.
  fs::remove(fs::path(dir) / fmtx::kTempFileName, ec);

  std::unique_ptr<GroupOffsetLog> log(new GroupOffsetLog(dir, options));
  log->fd_ = ::open(log->path_.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log->fd_ < 0) return Status::FromErrno(errno, fmt::format("group offsets {}: open", log->path_));

  struct stat st;
  if (::fstat(log->fd_, &st) != 0) return Status::FromErrno(errno, fmt::format("group offsets {}: stat", log->path_));
  std::vector<uint8_t> data(static_cast<size_t>(st.st_size));
  size_t got = 0;
  while (got < data.size()) {
    ssize_t n = ::pread(log->fd_, data.data() + got, data.size() - got, static_cast<off_t>(got));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::FromErrno(errno, fmt::format("group offsets {}: read", log->path_));
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  data.resize(got);

  *recovered = Recovered{};
  size_t pos = 0;
  while (pos < data.size()) {
    if (data.size() - pos < static_cast<size_t>(fmtx::kRecordHeaderSize)) break;
    ByteReader h(std::span<const uint8_t>(data).subspan(pos, fmtx::kRecordHeaderSize));
    uint32_t length = h.ReadUint32("length");
    uint32_t crc = h.ReadUint32("crc");
    if (length > data.size() - pos - fmtx::kRecordHeaderSize) break;  // torn: the body was not fully written
    std::span<const uint8_t> body(data.data() + pos + fmtx::kRecordHeaderSize, length);
    if (Crc32c(body) != crc) break;  // torn or damaged: drop it and everything after
    Status applied = ApplyRecord(body, &recovered->groups);
    if (!applied.ok()) {
      return applied.WithContext(fmt::format("group offsets {}: record at byte {}", log->path_, pos));
    }
    ++recovered->records;
    pos += fmtx::kRecordHeaderSize + length;
  }
  if (pos < data.size()) {
    recovered->dropped_bytes = static_cast<int64_t>(data.size() - pos);
    FLOE_LOG_WARN("group offsets: dropping a torn or corrupt tail",
                  {{"file", log->path_}, {"at_byte", pos}, {"dropped_bytes", recovered->dropped_bytes}});
    if (::ftruncate(log->fd_, static_cast<off_t>(pos)) != 0) {
      return Status::FromErrno(errno, fmt::format("group offsets {}: truncate to {} bytes", log->path_, pos));
    }
    if (::fdatasync(log->fd_) != 0) {
      return Status::FromErrno(errno, fmt::format("group offsets {}: fdatasync", log->path_));
    }
  }
  log->size_ = static_cast<int64_t>(pos);
  log->size_after_compaction_ = log->size_;
  return log;
}

Status GroupOffsetLog::Append(const std::vector<uint8_t>& record) {
  if (fd_ < 0) return Status::Unavailable(fmt::format("group offsets {}: closed", path_));
  Status st = WriteAll(fd_, record.data(), record.size(), path_);
  if (!st.ok()) {
    // Take back a partial write, so the next record does not follow garbage.
    if (::ftruncate(fd_, static_cast<off_t>(size_)) != 0) {
      FLOE_LOG_ERROR("group offsets: cannot truncate a failed write", {{"file", path_}, {"error", errno}});
    }
    return st;
  }
  size_ += static_cast<int64_t>(record.size());
  if (options_.flush == FlushPolicy::kEveryBatch) return Sync();
  return Status::Ok();
}

Status GroupOffsetLog::AppendCommit(std::string_view group, const std::vector<Entry>& entries) {
  std::vector<uint8_t> record;
  FLOE_RETURN_IF_ERROR(AppendCommitRecord(record, group, entries));
  return Append(record);
}

Status GroupOffsetLog::AppendDeleteGroup(std::string_view group) {
  FLOE_RETURN_IF_ERROR(CheckString(group, "group id"));
  std::vector<uint8_t> record;
  ByteWriter w(&record);
  StartRecord(w, RecordType::kDeleteGroup, group);
  FinishRecord(record, 0);
  return Append(record);
}

Status GroupOffsetLog::AppendDeleteOffsets(std::string_view group,
                                           const std::vector<std::pair<std::string, int32_t>>& partitions) {
  FLOE_RETURN_IF_ERROR(CheckString(group, "group id"));
  for (const auto& [topic, _] : partitions) FLOE_RETURN_IF_ERROR(CheckString(topic, "topic"));
  std::vector<uint8_t> record;
  ByteWriter w(&record);
  StartRecord(w, RecordType::kDeleteOffsets, group);
  w.WriteInt32(static_cast<int32_t>(partitions.size()));
  for (const auto& [topic, partition] : partitions) {
    WriteString(w, topic);
    w.WriteInt32(partition);
  }
  FinishRecord(record, 0);
  return Append(record);
}

bool GroupOffsetLog::ShouldCompact() const {
  return fd_ >= 0 && size_ > options_.compact_bytes && size_ > 2 * size_after_compaction_;
}

Status GroupOffsetLog::Compact(const std::map<std::string, GroupOffsets>& live) {
  if (fd_ < 0) return Status::Unavailable(fmt::format("group offsets {}: closed", path_));
  std::vector<uint8_t> content;
  for (const auto& [group, offsets] : live) {
    std::vector<Entry> entries;
    for (const auto& [topic, partitions] : offsets) {
      for (const auto& [partition, value] : partitions) entries.push_back({topic, partition, value});
    }
    if (!entries.empty()) FLOE_RETURN_IF_ERROR(AppendCommitRecord(content, group, entries));
  }
  const std::string tmp = (fs::path(dir_) / fmtx::kTempFileName).string();
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::FromErrno(errno, fmt::format("group offsets {}: open", tmp));
  Status st = WriteAll(fd, content.data(), content.size(), tmp);
  if (st.ok() && ::fdatasync(fd) != 0) st = Status::FromErrno(errno, fmt::format("group offsets {}: fdatasync", tmp));
  ::close(fd);
  if (st.ok() && ::rename(tmp.c_str(), path_.c_str()) != 0) {
    st = Status::FromErrno(errno, fmt::format("group offsets: rename {} to {}", tmp, path_));
  }
  if (!st.ok()) {
    ::unlink(tmp.c_str());
    return st;
  }
  // The new file is in place: switch to it before anything else can fail.
  int new_fd = ::open(path_.c_str(), O_RDWR | O_APPEND | O_CLOEXEC);
  if (new_fd < 0) {
    Status open_st = Status::FromErrno(errno, fmt::format("group offsets {}: reopen after compaction", path_));
    ::close(fd_);
    fd_ = -1;
    return open_st;
  }
  const int64_t before = size_;
  ::close(fd_);
  fd_ = new_fd;
  size_ = static_cast<int64_t>(content.size());
  size_after_compaction_ = size_;
  FLOE_LOG_INFO("group offsets compacted", {{"file", path_}, {"bytes_before", before}, {"bytes_after", size_}});
  return SyncDir(dir_);
}

Status GroupOffsetLog::Sync() {
  if (fd_ < 0) return Status::Ok();
  if (::fdatasync(fd_) != 0) return Status::FromErrno(errno, fmt::format("group offsets {}: fdatasync", path_));
  return Status::Ok();
}

Status GroupOffsetLog::Close() {
  if (fd_ < 0) return Status::Ok();
  Status st = Sync();
  ::close(fd_);
  fd_ = -1;
  return st;
}

}  // namespace floe::broker
