// TableOperations: where a table's current metadata lives and how a new version replaces it, atomically.
//
// Every change to an Iceberg table is an optimistic commit: a writer reads the current metadata (the base), writes
// new data and manifest files, and asks to swap the table's pointer from the base to a new metadata file. The swap
// succeeds only if nobody else committed in between; otherwise it is a Conflict and the writer starts again from the
// fresh base (or gives up, when its change no longer applies). Implementations:
//   - FileSystemTableOperations: a table in a directory or S3 prefix, as Iceberg's HadoopTableOperations lays it out:
//     <location>/metadata/v<N>.metadata.json, one per version, and version-hint.text holding the latest N. Version N+1
//     is created with FileIO::WriteIfAbsent, so of two writers racing for it exactly one wins.
//   - StaticTableOperations: one metadata file, read-only (a table addressed by its metadata location).
//   - the catalog's (src/floe/catalog/), which keeps the pointer in its store.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "floe/base/status.h"
#include "floe/iceberg/table_metadata.h"
#include "floe/io/file_io.h"

namespace floe::iceberg {

struct TableState {
  TableMetadata metadata;
  std::string metadata_location;
};

class TableOperations {
 public:
  virtual ~TableOperations() = default;

  // The table's current state. NotFound when there is no table; Corruption when its metadata cannot be read.
  virtual Result<TableState> Load() = 0;
  // Makes `updated` the current metadata if the current one is still `base` (nullptr: the table must not exist yet).
  // Writes the metadata file. Conflict when another writer committed first (nothing changed then); AlreadyExists
  // when creating a table that exists.
  virtual Result<TableState> Commit(const TableState* base, const TableMetadata& updated) = 0;
  // The FileIO for the table's files.
  virtual io::FileIO& io() = 0;
  // The table's name for messages ("telemetry.sensor_10s", or a metadata location).
  virtual std::string name() const = 0;
};

// What every commit does to the new metadata before it is written: the previous metadata file goes to the metadata
// log (trimmed to the table property write.metadata.previous-versions-max, default 100), and last-updated-ms is
// set to at least `now_ms` and to no less than the base's.
void PrepareCommit(const TableState* base, int64_t now_ms, TableMetadata* updated);

class FileSystemTableOperations final : public TableOperations {
 public:
  // The table at `location` (a directory path, file:// or s3:// URI). `name` is for messages.
  FileSystemTableOperations(std::shared_ptr<io::FileIO> io, std::string location, std::string name);

  Result<TableState> Load() override;
  Result<TableState> Commit(const TableState* base, const TableMetadata& updated) override;
  io::FileIO& io() override { return *io_; }
  std::string name() const override { return name_; }

  const std::string& location() const { return location_; }
  // "<location>/metadata/v<version>.metadata.json".
  std::string MetadataFile(int64_t version) const;

 private:
  Result<int64_t> CurrentVersion();

  std::shared_ptr<io::FileIO> io_;
  std::string location_;
  std::string name_;
};

class StaticTableOperations final : public TableOperations {
 public:
  StaticTableOperations(std::shared_ptr<io::FileIO> io, std::string metadata_location);

  Result<TableState> Load() override;
  // Unsupported: a table addressed by a metadata file cannot move.
  Result<TableState> Commit(const TableState* base, const TableMetadata& updated) override;
  io::FileIO& io() override { return *io_; }
  std::string name() const override { return metadata_location_; }

 private:
  std::shared_ptr<io::FileIO> io_;
  std::string metadata_location_;
};

// The version N of a ".../v<N>.metadata.json" or ".../<N>-<uuid>.metadata.json" file name, or -1.
int64_t MetadataFileVersion(std::string_view location);

// Reads and parses a metadata file. NotFound when it is missing, Corruption (naming the file) when it is not valid.
Result<TableMetadata> ReadTableMetadata(io::FileIO& io, std::string_view location);

// The milliseconds since the epoch now.
int64_t NowMs();

}  // namespace floe::iceberg
