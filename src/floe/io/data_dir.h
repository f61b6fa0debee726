// The data directory: created on first use and locked for the life of the process, so two floe processes never
// write the same logs, catalog or checkpoints (the LOCK file, as LevelDB does).
#pragma once

#include <string>

#include "floe/base/status.h"

namespace floe::io {

class DataDir {
 public:
  // Creates `path` (and parents) if missing and takes an exclusive lock on `path/LOCK`. Fails with Unavailable
  // naming the other process when the directory is already in use.
  static Result<DataDir> Open(const std::string& path);

  DataDir(DataDir&& other) noexcept;
  DataDir& operator=(DataDir&& other) noexcept;
  DataDir(const DataDir&) = delete;
  DataDir& operator=(const DataDir&) = delete;
  ~DataDir();  // releases the lock

  const std::string& path() const { return path_; }

 private:
  DataDir(std::string path, int fd) : path_(std::move(path)), lock_fd_(fd) {}
  std::string path_;
  int lock_fd_ = -1;
};

}  // namespace floe::io
