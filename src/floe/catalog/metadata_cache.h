// Table metadata files by location, parsed and as JSON text, shared by every catalog and catalog server in the
// process: a load or commit neither reads and parses the current metadata file again nor encodes it again for a REST
// response (at a few hundred snapshots the JSON is 100+ KB; parsing and encoding it were most of the catalog's CPU per
// request).
//
// Sharing is safe because a metadata file never changes once written: names are <version>-<random uuid>, the catalog
// writes each once, and a commit that loses its race deletes its file before anything could cache it (only files a
// store commit points at, or that were read through such a pointer, are added). Purged files are erased. Bounded by
// bytes (the JSON's size, twice: text and parsed form); least recently used goes first.
#pragma once

#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "floe/iceberg/table_metadata.h"
#include "floe/iceberg/table_operations.h"

namespace floe::catalog {

class MetadataCache {
 public:
  static constexpr size_t kMaxBytes = size_t{128} << 20;

  // The process's cache.
  static MetadataCache& Shared();

  // The parsed metadata of the file at `location`, or nullptr.
  std::shared_ptr<const iceberg::TableMetadata> Find(const std::string& location);
  // Adds the file at `location`: its metadata and its JSON text (what the file holds). A location already cached
  // keeps its entry.
  void Add(const std::string& location, iceberg::TableMetadata metadata, std::string json);
  // The JSON of `state.metadata`: the cached text of its file, or encoded now (and cached, when it has a location).
  std::shared_ptr<const std::string> Json(const iceberg::TableState& state);
  void Erase(const std::string& location);

 private:
  struct Entry {
    std::shared_ptr<const iceberg::TableMetadata> metadata;
    std::shared_ptr<const std::string> json;
    std::list<std::string>::iterator lru;
  };

  void AddLocked(const std::string& location, std::shared_ptr<const iceberg::TableMetadata> metadata,
                 std::shared_ptr<const std::string> json);
  void EraseLocked(std::string location);  // by value: it may be the list's own element

  std::mutex mu_;
  std::list<std::string> lru_;  // most recently used first
  std::unordered_map<std::string, Entry> entries_;
  size_t bytes_ = 0;
};

}  // namespace floe::catalog
