// Where a pipeline keeps the state of its checkpoints: one file per checkpoint id, `chk-<id>.state` in the pipeline's
// state directory, written before the Iceberg commit that names the id (iceberg_sink.h). A file is written to a
// temporary name, synced and renamed into place, so a checkpoint file is whole or absent; its contents carry a magic
// and a CRC32C so a damaged file is an error, never wrong state.
//
// Files of ids above the last committed one belong to checkpoints whose commit did not happen (a crash in between):
// they are never read, and Prune removes them with the ones below.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "floe/base/status.h"

namespace floe::stream {

class CheckpointStore {
 public:
  explicit CheckpointStore(std::string dir) : dir_(std::move(dir)) {}

  // Creates the directory when missing.
  Status Init();
  // Writes the state of checkpoint `id` durably.
  Status Save(int64_t id, std::string_view state);
  // The state of checkpoint `id`. NotFound naming the file when there is none; Corruption when it is damaged.
  Result<std::string> Load(int64_t id) const;
  // Removes every checkpoint file except `keep`'s.
  Status PruneExcept(int64_t keep);

  std::string PathOf(int64_t id) const;
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
};

}  // namespace floe::stream
