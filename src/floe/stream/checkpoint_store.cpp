#include "floe/stream/checkpoint_store.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "floe/base/crc32c.h"

namespace floe::stream {
namespace {

constexpr std::string_view kMagic = "FLOECHK1";  // then u32 crc32c of the state, u64 length, the state

void PutFixed(std::string* out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
uint64_t GetFixed(std::string_view in, size_t pos, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= static_cast<uint64_t>(static_cast<uint8_t>(in[pos + i])) << (8 * i);
  return v;
}

Status WriteAllAndSync(const std::string& path, std::string_view data) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::FromErrno(errno, "checkpoint file " + path);
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      Status s = Status::FromErrno(errno, "writing checkpoint file " + path);
      ::close(fd);
      return s;
    }
    done += static_cast<size_t>(n);
  }
  if (::fdatasync(fd) != 0) {
    Status s = Status::FromErrno(errno, "syncing checkpoint file " + path);
    ::close(fd);
    return s;
  }
  ::close(fd);
  return Status::Ok();
}

Status SyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::FromErrno(errno, "checkpoint directory " + dir);
  ::fsync(fd);
  ::close(fd);
  return Status::Ok();
}

}  // namespace

std::string CheckpointStore::PathOf(int64_t id) const {
  return fmt::format("{}/chk-{}.state", dir_, id);
}

Status CheckpointStore::Init() {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) return Status::IoError(fmt::format("creating checkpoint directory {}: {}", dir_, ec.message()));
  return Status::Ok();
}

Status CheckpointStore::Save(int64_t id, std::string_view state) {
  std::string file;
  file.reserve(state.size() + 20);
  file.append(kMagic);
  PutFixed(&file, Crc32c(state), 4);
  PutFixed(&file, state.size(), 8);
  file.append(state);
  const std::string path = PathOf(id);
  const std::string tmp = path + ".tmp";
  FLOE_RETURN_IF_ERROR(WriteAllAndSync(tmp, file));
  if (std::rename(tmp.c_str(), path.c_str()) != 0) return Status::FromErrno(errno, "renaming checkpoint file " + tmp);
  return SyncDir(dir_);
}

Result<std::string> CheckpointStore::Load(int64_t id) const {
  const std::string path = PathOf(id);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status::NotFound("checkpoint file " + path + " does not exist");
    return Status::FromErrno(errno, "checkpoint file " + path);
  }
  std::string data;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      Status s = Status::FromErrno(errno, "reading checkpoint file " + path);
      ::close(fd);
      return s;
    }
    if (n == 0) break;
    data.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  const size_t header = kMagic.size() + 12;
  if (data.size() < header || std::string_view(data).substr(0, kMagic.size()) != kMagic) {
    return Status::Corruption("checkpoint file " + path + " does not start with " + std::string(kMagic));
  }
  const uint32_t crc = static_cast<uint32_t>(GetFixed(data, kMagic.size(), 4));
  const uint64_t len = GetFixed(data, kMagic.size() + 4, 8);
  if (len != data.size() - header) {
    return Status::Corruption(fmt::format("checkpoint file {}: header says {} bytes of state, the file has {}", path,
                                          len, data.size() - header));
  }
  std::string state = data.substr(header);
  if (Crc32c(state) != crc) return Status::Corruption("checkpoint file " + path + ": CRC32C mismatch");
  return state;
}

Status CheckpointStore::PruneExcept(int64_t keep) {
  std::error_code ec;
  const std::string keep_name = fmt::format("chk-{}.state", keep);
  for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("chk-", 0) != 0 || name == keep_name) continue;
    std::filesystem::remove(entry.path(), ec);
  }
  return Status::Ok();
}

}  // namespace floe::stream
