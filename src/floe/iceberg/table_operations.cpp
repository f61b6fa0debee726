#include "floe/iceberg/table_operations.h"

#include <algorithm>
#include <charconv>
#include <chrono>

namespace floe::iceberg {
namespace {

constexpr std::string_view kMetadataSuffix = ".metadata.json";

std::string JoinPath(std::string_view base, std::string_view child) {
  std::string out(base);
  while (!out.empty() && out.back() == '/') out.pop_back();
  return out + "/" + std::string(child);
}

int64_t ParseVersion(std::string_view digits) {
  int64_t v = -1;
  if (digits.empty()) return -1;
  auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
  if (ec != std::errc() || p != digits.data() + digits.size() || v < 0) return -1;
  return v;
}

}  // namespace

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void PrepareCommit(const TableState* base, int64_t now_ms, TableMetadata* updated) {
  int64_t ts = std::max(updated->last_updated_ms, now_ms);
  if (base) {
    ts = std::max(ts, base->metadata.last_updated_ms);
    updated->metadata_log = base->metadata.metadata_log;
    updated->metadata_log.push_back({base->metadata.last_updated_ms, base->metadata_location});
    int64_t keep = 100;
    const std::string max = updated->Property("write.metadata.previous-versions-max", "100");
    std::from_chars(max.data(), max.data() + max.size(), keep);
    keep = std::max<int64_t>(keep, 1);
    if (static_cast<int64_t>(updated->metadata_log.size()) > keep) {
      updated->metadata_log.erase(updated->metadata_log.begin(),
                                  updated->metadata_log.end() - static_cast<std::ptrdiff_t>(keep));
    }
  }
  updated->last_updated_ms = ts;
}

int64_t MetadataFileVersion(std::string_view location) {
  const size_t slash = location.rfind('/');
  std::string_view file = slash == std::string_view::npos ? location : location.substr(slash + 1);
  if (!file.ends_with(kMetadataSuffix)) return -1;
  file.remove_suffix(kMetadataSuffix.size());
  if (file.starts_with("v")) return ParseVersion(file.substr(1));
  const size_t dash = file.find('-');
  return ParseVersion(file.substr(0, dash));
}

Result<TableMetadata> ReadTableMetadata(io::FileIO& io, std::string_view location) {
  FLOE_ASSIGN_OR_RETURN(std::string json, io.Read(location));
  return ParseTableMetadata(json, location);
}

FileSystemTableOperations::FileSystemTableOperations(std::shared_ptr<io::FileIO> io, std::string location,
                                                     std::string name)
    : io_(std::move(io)), location_(std::move(location)), name_(std::move(name)) {
  while (location_.size() > 1 && location_.back() == '/') location_.pop_back();
}

std::string FileSystemTableOperations::MetadataFile(int64_t version) const {
  return JoinPath(location_, "metadata/v" + std::to_string(version) + std::string(kMetadataSuffix));
}

Result<int64_t> FileSystemTableOperations::CurrentVersion() {
  // The hint may lag behind (a writer dies between creating v<N> and updating the hint, or two writers race on it),
  // so it is only where the search starts: the current version is the highest v<N> that exists.
  int64_t version = -1;
  auto hint = io_->Read(JoinPath(location_, "metadata/version-hint.text"));
  if (hint.ok()) {
    std::string_view text = *hint;
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.remove_suffix(1);
    version = ParseVersion(text);
  } else if (hint.status().code() != StatusCode::kNotFound) {
    return hint.status();
  }
  if (version < 1) {
    FLOE_ASSIGN_OR_RETURN(std::vector<io::FileInfo> files, io_->List(JoinPath(location_, "metadata/")));
    for (const io::FileInfo& f : files) {
      const std::string_view path = f.path;
      const size_t slash = path.rfind('/');
      const std::string_view file = path.substr(slash + 1);
      if (file.starts_with("v")) version = std::max(version, MetadataFileVersion(path));
    }
    if (version < 1) return Status::NotFound("table " + name_ + ": no metadata under " + location_ + "/metadata");
  } else {
    auto exists = io_->Size(MetadataFile(version));
    if (!exists.ok()) {
      if (exists.status().code() != StatusCode::kNotFound) return exists.status();
      return Status::Corruption("table " + name_ + ": version-hint.text names version " + std::to_string(version) +
                                " but " + MetadataFile(version) + " does not exist");
    }
  }
  while (true) {
    auto next = io_->Size(MetadataFile(version + 1));
    if (!next.ok()) {
      if (next.status().code() == StatusCode::kNotFound) break;
      return next.status();
    }
    ++version;
  }
  return version;
}

Result<TableState> FileSystemTableOperations::Load() {
  FLOE_ASSIGN_OR_RETURN(int64_t version, CurrentVersion());
  TableState state;
  state.metadata_location = MetadataFile(version);
  FLOE_ASSIGN_OR_RETURN(state.metadata, ReadTableMetadata(*io_, state.metadata_location));
  return state;
}

Result<TableState> FileSystemTableOperations::Commit(const TableState* base, const TableMetadata& updated) {
  int64_t version = 1;
  if (base) {
    const int64_t base_version = MetadataFileVersion(base->metadata_location);
    if (base_version < 1) {
      return Status::InvalidArgument("table " + name_ + ": base metadata " + base->metadata_location +
                                     " is not a v<N>.metadata.json file of this table");
    }
    version = base_version + 1;
  }
  FLOE_RETURN_IF_ERROR(updated.Validate());
  TableState next;
  next.metadata = updated;
  next.metadata_location = MetadataFile(version);
  const std::string json = TableMetadataToJson(next.metadata);
  Status written = io_->WriteIfAbsent(next.metadata_location, json);
  if (written.code() == StatusCode::kAlreadyExists) {
    if (!base) return Status::AlreadyExists("table " + name_ + " already exists at " + location_);
    return Status::Conflict("table " + name_ + ": another writer committed version " + std::to_string(version) +
                            " first (base " + base->metadata_location + ")");
  }
  FLOE_RETURN_IF_ERROR(written);
  // The hint only speeds up the next Load; a failure to write it loses nothing.
  (void)io_->Write(JoinPath(location_, "metadata/version-hint.text"), std::to_string(version));
  return next;
}

StaticTableOperations::StaticTableOperations(std::shared_ptr<io::FileIO> io, std::string metadata_location)
    : io_(std::move(io)), metadata_location_(std::move(metadata_location)) {}

Result<TableState> StaticTableOperations::Load() {
  TableState state;
  state.metadata_location = metadata_location_;
  FLOE_ASSIGN_OR_RETURN(state.metadata, ReadTableMetadata(*io_, metadata_location_));
  return state;
}

Result<TableState> StaticTableOperations::Commit(const TableState*, const TableMetadata&) {
  return Status::Unsupported("table " + metadata_location_ +
                             " is addressed by its metadata file and cannot be changed; address it by its "
                             "warehouse or catalog instead");
}

}  // namespace floe::iceberg
