#include "floe/iceberg/table_maintenance.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <set>

#include "floe/iceberg/data_file_reader.h"
#include "floe/iceberg/data_file_writer.h"
#include "floe/iceberg/literal_codec.h"
#include "floe/iceberg/table_updates.h"

namespace floe::iceberg {
namespace {

constexpr int64_t kDayMs = 24LL * 3600 * 1000;

int64_t LongProperty(const TableMetadata& m, std::string_view key, int64_t fallback) {
  const std::string v = m.Property(key, "");
  int64_t out = fallback;
  if (!v.empty()) {
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
    if (ec != std::errc() || p != v.data() + v.size()) out = fallback;
  }
  return out;
}

// A location without its scheme's variations, so that "file:/x", "file:///x" and "/x" compare equal.
std::string NormalizeLocation(std::string_view location) {
  if (location.starts_with("file://"))
    location.remove_prefix(7);
  else if (location.starts_with("file:"))
    location.remove_prefix(5);
  std::string out;
  out.reserve(location.size());
  for (size_t i = 0; i < location.size(); ++i) {
    // Collapse repeated slashes after the scheme ("s3://b//k" stays distinct from the scheme's "//").
    if (location[i] == '/' && !out.empty() && out.back() == '/' &&
        !(i >= 2 && location[i - 1] == '/' && location[i - 2] == ':')) {
      continue;
    }
    out.push_back(location[i]);
  }
  if (out.starts_with("s3a://")) out = "s3://" + out.substr(6);
  return out;
}

struct SnapshotFiles {
  std::set<std::string> manifests;
  std::map<std::string, int64_t> data_files;  // path -> size
};

struct FileRef {
  std::string path;
  int64_t size;
  bool live;
};

// The manifests and live data files of each snapshot, reading each manifest once.
class FileCollector {
 public:
  FileCollector(io::FileIO& io, const TableMetadata& m) : io_(io), m_(m) {}

  // Adds the manifests of `s` and the data files its manifests name: live ones only, or also the ones recorded as
  // deleted (`with_deleted`).
  Status Collect(const Snapshot& s, bool with_deleted, SnapshotFiles* out) {
    FLOE_ASSIGN_OR_RETURN(std::vector<ManifestFile> manifests, SnapshotManifests(io_, s));
    for (const ManifestFile& mf : manifests) {
      out->manifests.insert(mf.manifest_path);
      auto it = cache_.find(mf.manifest_path);
      if (it == cache_.end()) {
        const PartitionSpec* spec = m_.SpecById(mf.partition_spec_id);
        if (!spec) {
          return Status::Corruption("manifest " + mf.manifest_path + " has partition spec " +
                                    std::to_string(mf.partition_spec_id) + ", which the table does not define");
        }
        FLOE_ASSIGN_OR_RETURN(std::string bytes, io_.Read(mf.manifest_path));
        FLOE_ASSIGN_OR_RETURN(std::vector<ManifestEntry> entries, ReadManifest(bytes, mf, m_.CurrentSchema(), *spec));
        std::vector<FileRef> files;
        for (const ManifestEntry& e : entries) {
          files.push_back(
              {e.data_file.file_path, e.data_file.file_size_in_bytes, e.status != ManifestEntryStatus::kDeleted});
        }
        it = cache_.emplace(mf.manifest_path, std::move(files)).first;
      }
      for (const FileRef& f : it->second) {
        if (f.live || with_deleted) out->data_files.emplace(f.path, f.size);
      }
    }
    return Status::Ok();
  }

 private:
  io::FileIO& io_;
  const TableMetadata& m_;
  std::map<std::string, std::vector<FileRef>> cache_;
};

}  // namespace

Result<ExpireResult> ExpireSnapshots(TableOperations& ops, const ExpireOptions& options) {
  Status last;
  for (int attempt = 0; attempt < std::max(1, options.max_attempts); ++attempt) {
    FLOE_ASSIGN_OR_RETURN(TableState base, ops.Load());
    const TableMetadata& m = base.metadata;
    const int64_t now = NowMs();
    const int64_t older_than =
        options.older_than_ms.value_or(now - LongProperty(m, "history.expire.max-snapshot-age-ms", 5 * kDayMs));
    const int retain_last = std::max<int>(
        1, options.retain_last.value_or(static_cast<int>(LongProperty(m, "history.expire.min-snapshots-to-keep", 1))));

    // Retained: every ref's snapshot, the newest `retain_last` ancestors of each branch, and anything newer than
    // the cut-off.
    std::set<int64_t> retained;
    for (const auto& [name, ref] : m.refs) {
      retained.insert(ref.snapshot_id);
      if (!ref.is_branch) continue;
      int kept = 0;
      const int keep = std::max(retain_last, ref.min_snapshots_to_keep.value_or(0));
      for (const Snapshot* s = m.SnapshotById(ref.snapshot_id); s && kept < keep;
           s = s->parent_snapshot_id ? m.SnapshotById(*s->parent_snapshot_id) : nullptr) {
        retained.insert(s->snapshot_id);
        ++kept;
      }
    }
    ExpireResult result;
    TableMetadata next = m;
    next.snapshots.clear();
    for (const Snapshot& s : m.snapshots) {
      if (retained.count(s.snapshot_id) || s.timestamp_ms >= older_than) {
        next.snapshots.push_back(s);
      } else {
        result.expired_snapshot_ids.push_back(s.snapshot_id);
      }
    }
    if (result.expired_snapshot_ids.empty()) return result;
    std::set<int64_t> kept_ids;
    for (const Snapshot& s : next.snapshots) kept_ids.insert(s.snapshot_id);
    next.snapshot_log.erase(std::remove_if(next.snapshot_log.begin(), next.snapshot_log.end(),
                                           [&](const SnapshotLogEntry& e) { return !kept_ids.count(e.snapshot_id); }),
                            next.snapshot_log.end());
    // Files that only expired snapshots reach go: data files an expired snapshot names (live, or deleted by it)
    // that no retained snapshot has live. Every manifest is read before the commit, so a table whose manifests
    // cannot be read is not changed at all; and reading a manifest of a retained snapshot must not fail quietly:
    // a file it names would otherwise be deleted.
    FileCollector collector(ops.io(), m);
    SnapshotFiles keep, drop;
    if (options.delete_files) {
      for (const Snapshot& s : m.snapshots) {
        const bool kept = kept_ids.count(s.snapshot_id) > 0;
        FLOE_RETURN_IF_ERROR(collector.Collect(s, /*with_deleted=*/!kept, kept ? &keep : &drop));
      }
    }
    PrepareCommit(&base, now, &next);
    Result<TableState> committed = ops.Commit(&base, next);
    if (!committed.ok()) {
      last = committed.status();
      if (last.code() == StatusCode::kConflict) continue;
      return last;
    }
    if (!options.delete_files) return result;
    std::vector<std::string> deletions;
    for (const auto& [path, size] : drop.data_files) {
      if (!keep.data_files.count(path)) {
        deletions.push_back(path);
        ++result.deleted_data_files;
        result.deleted_bytes += size;
      }
    }
    for (const std::string& path : drop.manifests) {
      if (!keep.manifests.count(path)) {
        deletions.push_back(path);
        ++result.deleted_manifests;
      }
    }
    for (const Snapshot& s : m.snapshots) {
      if (!kept_ids.count(s.snapshot_id)) {
        deletions.push_back(s.manifest_list);
        ++result.deleted_manifest_lists;
      }
    }
    FLOE_RETURN_IF_ERROR(ops.io().DeleteMany(deletions));
    return result;
  }
  return last;
}

Result<std::vector<std::string>> ReachableFiles(io::FileIO& io, const TableState& state) {
  const TableMetadata& m = state.metadata;
  std::vector<std::string> out;
  out.push_back(state.metadata_location);
  for (const MetadataLogEntry& e : m.metadata_log) out.push_back(e.metadata_file);
  FileCollector collector(io, m);
  SnapshotFiles files;
  for (const Snapshot& s : m.snapshots) {
    out.push_back(s.manifest_list);
    FLOE_RETURN_IF_ERROR(collector.Collect(s, /*with_deleted=*/true, &files));
  }
  out.insert(out.end(), files.manifests.begin(), files.manifests.end());
  for (const auto& [path, size] : files.data_files) out.push_back(path);
  return out;
}

Result<OrphanResult> DeleteOrphanFiles(TableOperations& ops, const OrphanOptions& options) {
  FLOE_ASSIGN_OR_RETURN(TableState state, ops.Load());
  FLOE_ASSIGN_OR_RETURN(std::vector<std::string> reachable, ReachableFiles(ops.io(), state));
  std::set<std::string> known;
  for (const std::string& path : reachable) known.insert(NormalizeLocation(path));
  const int64_t older_than = options.older_than_ms.value_or(NowMs() - 3 * kDayMs);
  std::string prefix = state.metadata.location;
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  prefix += "/";
  FLOE_ASSIGN_OR_RETURN(std::vector<io::FileInfo> files, ops.io().List(prefix));
  OrphanResult result;
  for (const io::FileInfo& f : files) {
    const std::string name = f.path.substr(f.path.rfind('/') + 1);
    if (name == "version-hint.text") continue;
    if (known.count(NormalizeLocation(f.path)) || f.mtime_ms >= older_than) continue;
    // A newer metadata file than the one loaded belongs to a commit that raced with this cleanup.
    if (name.ends_with(".metadata.json") &&
        MetadataFileVersion(f.path) > MetadataFileVersion(state.metadata_location)) {
      continue;
    }
    result.orphans.push_back(f.path);
    result.bytes += f.size;
  }
  if (!options.dry_run) FLOE_RETURN_IF_ERROR(ops.io().DeleteMany(result.orphans));
  return result;
}

Result<CompactResult> CompactTable(TableOperations& ops, const CompactOptions& options) {
  FLOE_ASSIGN_OR_RETURN(TableState base, ops.Load());
  const TableMetadata& m = base.metadata;
  CompactResult result;
  const Snapshot* head = m.SnapshotForRef(options.branch);
  if (!head) return result;
  const int64_t target = std::max<int64_t>(
      1, options.target_file_bytes.value_or(LongProperty(m, "write.target-file-size-bytes", int64_t{512} << 20)));
  const int64_t small = options.small_file_bytes.value_or(target / 4 * 3);
  FLOE_ASSIGN_OR_RETURN(std::vector<ManifestEntry> live, LiveEntries(ops.io(), m, *head));

  // Small data files by spec and partition, in manifest order.
  std::map<std::string, std::vector<const DataFile*>> groups;
  for (const ManifestEntry& e : live) {
    const DataFile& f = e.data_file;
    if (f.content != FileContent::kData || f.file_size_in_bytes >= small) continue;
    std::string key = std::to_string(f.spec_id);
    for (const auto& v : f.partition) key += v ? "\x1fv" + SerializeValue(*v) : std::string("\x1fn");
    groups[key].push_back(&f);
  }
  std::string data_location = m.Property("write.data.path", "");
  if (data_location.empty()) data_location = m.location + "/data";
  const Schema& schema = m.CurrentSchema();
  std::optional<NameMapping> mapping;
  if (const std::string text = m.Property("schema.name-mapping.default", ""); !text.empty()) {
    FLOE_ASSIGN_OR_RETURN(mapping, ParseNameMapping(text));
  }
  std::vector<std::string> deleted;
  std::vector<DataFile> added;
  auto cleanup = [&] {
    std::vector<std::string> paths;
    for (const DataFile& f : added) paths.push_back(f.file_path);
    (void)ops.io().DeleteMany(paths);
  };
  for (const auto& [key, files] : groups) {
    if (static_cast<int>(files.size()) < std::max(2, options.min_input_files)) continue;
    const PartitionSpec* spec = m.SpecById(files[0]->spec_id);
    if (!spec) return Status::Corruption("data file " + files[0]->file_path + " has an unknown partition spec");
    DataFileWriterOptions writer_options;
    writer_options.target_file_bytes = target;
    auto writer = DataFileWriter::Make(&ops.io(), schema, *spec, data_location, writer_options);
    if (!writer.ok()) {
      cleanup();
      return writer.status();
    }
    for (const DataFile* f : files) {
      auto reader = DataFileReader::Open(&ops.io(), *f, schema, mapping ? &*mapping : nullptr);
      Status st = reader.status();
      for (int rg = 0; st.ok() && rg < reader->row_groups(); ++rg) {
        auto batch = reader->ReadRowGroup(rg);
        st = batch.ok() ? writer->Write(*batch) : batch.status();
      }
      if (!st.ok()) {
        cleanup();
        return st.WithContext("compact " + ops.name());
      }
      deleted.push_back(f->file_path);
      result.rewritten_bytes += f->file_size_in_bytes;
      result.rows += f->record_count;
    }
    auto written = writer->Finish();
    if (!written.ok()) {
      cleanup();
      return written.status();
    }
    for (DataFile& f : *written) {
      result.added_bytes += f.file_size_in_bytes;
      added.push_back(std::move(f));
    }
    result.rewritten_files += static_cast<int64_t>(files.size());
    ++result.partitions;
  }
  if (deleted.empty()) return result;
  result.added_files = static_cast<int64_t>(added.size());
  CommitOptions commit;
  commit.branch = options.branch;
  commit.max_attempts = options.max_attempts;
  auto committed = RewriteFiles(ops, deleted, added, commit);
  if (!committed.ok()) {
    cleanup();
    return committed.status();
  }
  result.snapshot_id = committed->metadata.SnapshotForRef(options.branch)->snapshot_id;
  return result;
}

}  // namespace floe::iceberg
