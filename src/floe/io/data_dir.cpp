#include "floe/io/data_dir.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <string>

namespace floe::io {

Result<DataDir> DataDir::Open(const std::string& path) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) return Status::IoError(fmt::format("data dir {}: cannot create: {}", path, ec.message()));
  if (!std::filesystem::is_directory(path, ec)) {
    return Status::InvalidArgument(fmt::format("data dir {}: exists but is not a directory", path));
  }
  std::string lock_path = path + "/LOCK";
  int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Status::FromErrno(errno, fmt::format("data dir {}: cannot open {}", path, lock_path));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    char buf[32] = {};
    ssize_t n = ::pread(fd, buf, sizeof(buf) - 1, 0);
    ::close(fd);
    std::string holder = n > 0 ? fmt::format(" (pid {})", std::string(buf, static_cast<size_t>(n))) : "";
    if (err == EWOULDBLOCK) {
      return Status::Unavailable(fmt::format(
          "data dir {}: in use by another floe process{}; stop it or pass a different --data-dir", path, holder));
    }
    return Status::FromErrno(err, fmt::format("data dir {}: cannot lock {}", path, lock_path));
  }
  std::string pid = std::to_string(::getpid());
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
    int err = errno;
    ::close(fd);
    return Status::FromErrno(err, fmt::format("data dir {}: cannot write {}", path, lock_path));
  }
  return DataDir(path, fd);
}

DataDir::DataDir(DataDir&& other) noexcept : path_(std::move(other.path_)), lock_fd_(other.lock_fd_) {
  other.lock_fd_ = -1;
}

DataDir& DataDir::operator=(DataDir&& other) noexcept {
  if (this != &other) {
    if (lock_fd_ >= 0) ::close(lock_fd_);
    path_ = std::move(other.path_);
    lock_fd_ = other.lock_fd_;
    other.lock_fd_ = -1;
  }
  return *this;
}

DataDir::~DataDir() {
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

}  // namespace floe::io
