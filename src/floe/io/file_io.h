// FileIO: whole-object storage for the lake (Iceberg metadata JSON, manifests, Parquet data files), on a local file
// system or on S3.
//
// Locations are plain paths ("/data/lake/t/metadata/v1.json", relative paths too), file:// URIs ("file:///data/x";
// the Hadoop form "file:/data/x" is accepted), or S3 URIs ("s3://bucket/key", "s3a://bucket/key"). A FileIO from
// ForPath() serves every location of the same kind, so one S3 FileIO reaches every bucket its credentials allow.
//
// Objects are written whole and never appear half-written: the local FileIO writes a temporary file, fsyncs it and
// renames it over the target (WriteIfAbsent: hard-links it to the target); S3 makes an object visible only when its
// PUT or its multipart upload completes.
// Errors name the operation, the location and the reason (the OS's, or the HTTP status and S3's error Code and
// Message), e.g. "NotFound: read s3://lake/t/v1.json: HTTP 404 NoSuchKey: The specified key does not exist.".
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "floe/base/status.h"

namespace floe::io {

// One object found by List().
struct FileInfo {
  std::string path;      // a full location in the form of the listed prefix: "s3://b/t/data/0.parquet"
  int64_t size = 0;      // bytes
  int64_t mtime_ms = 0;  // last modification, milliseconds since the Unix epoch
};

// How to reach S3, and how to write to it. Defaults are set here and nowhere else; FromEnvironment() fills in what
// the usual AWS environment variables say, and a caller overrides fields after that (explicit settings win).
struct FileIOConfig {
  static constexpr int64_t kMiB = 1024 * 1024;
  static constexpr int64_t kMinPartSize = 5 * kMiB;  // S3's minimum for every part but the last
  static constexpr int kMaxParts = 10000;            // S3's maximum number of parts of one upload

  // "http://127.0.0.1:9000" or "https://minio.example:9000" (no path). Empty: AWS, https://s3.<region>.amazonaws.com.
  std::string endpoint;
  std::string region;  // empty: us-east-1
  std::string access_key_id;
  std::string secret_access_key;  // with an empty access key id requests are sent unsigned (public buckets)
  std::string session_token;      // for temporary (STS) credentials
  // true: http://endpoint/bucket/key; false: virtual-host style, http://bucket.endpoint/key. Unset: path style for
  // a custom endpoint (MinIO, moto, Ceph mostly expect it), virtual-host style for AWS.
  std::optional<bool> path_style;
  // Objects larger than this are written with a multipart upload of `part_size` parts (raised when the object
  // would need more than kMaxParts); smaller ones with one PUT. part_size must be at least kMinPartSize.
  int64_t multipart_threshold = 8 * kMiB;
  int64_t part_size = 8 * kMiB;
  int connect_timeout_ms = 10'000;
  int request_timeout_ms = 300'000;  // one HTTP request, transfer included (a part, a GET of a whole object)
  // Network errors, HTTP 5xx and 429 are retried up to max_retries more times, with exponential backoff from
  // retry_base_delay_ms (doubling, with jitter, capped at 5 s). Other errors are returned at once.
  int max_retries = 4;
  int retry_base_delay_ms = 100;
  // Fixed name resolution, libcurl's "HOST:PORT:ADDRESS" (e.g. "bucket.s3.test:9000:127.0.0.1"), for tests and
  // for endpoints that DNS does not know.
  std::vector<std::string> resolve;
  std::string ca_bundle;  // a PEM file of CA certificates for https endpoints; empty: the system's

  // Reads AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION (else AWS_DEFAULT_REGION) and
  // AWS_ENDPOINT_URL_S3 (else AWS_ENDPOINT_URL) and AWS_CA_BUNDLE; everything else keeps its default.
  static FileIOConfig FromEnvironment();
  // InvalidArgument naming the field when a value cannot work (part size below 5 MiB, a malformed endpoint...).
  Status Validate() const;
};

// The storage interface. Implementations document their thread-safety: the local one is safe to share; the S3 one
// serialises calls on one connection (use one per thread for parallel transfers).
class FileIO {
 public:
  virtual ~FileIO() = default;

  // A FileIO for `location`'s kind: local for plain paths and file:// URIs, S3 for s3:// and s3a://.
  // InvalidArgument for other schemes (naming the location) and for an invalid config (S3 only).
  static Result<std::unique_ptr<FileIO>> ForPath(std::string_view location, const FileIOConfig& config);

  // The whole object. NotFound when it does not exist.
  virtual Result<std::string> Read(std::string_view path) = 0;
  // Up to `length` bytes from `offset`: fewer when the object ends first. InvalidArgument when offset is at or past
  // the end (and length > 0), or negative; NotFound when the object does not exist.
  virtual Result<std::string> ReadRange(std::string_view path, int64_t offset, int64_t length) = 0;
  // The object's size in bytes. NotFound when it does not exist.
  virtual Result<int64_t> Size(std::string_view path) = 0;
  // Creates or replaces the object with `data`, atomically: readers see the old object or the new one, never part.
  // Local: parent directories are created. S3: multipart above the threshold, aborted when any step fails.
  virtual Status Write(std::string_view path, std::string_view data) = 0;
  // Creates the object with `data` only if no object exists at `path`, atomically: of concurrent callers exactly one
  // succeeds, the others get AlreadyExists, and readers never see part of it. This is the commit primitive of a
  // file-system table (the writer of vN.metadata.json wins). Local: parent directories are created; a temporary file
  // is hard-linked to the target (link(2) fails with EEXIST when it exists). S3: one PUT with "If-None-Match: *"
  // (never multipart, so at most S3's 5 GiB PUT limit); HTTP 412 PreconditionFailed is AlreadyExists, 409
  // ConditionalRequestConflict (a concurrent conditional write in flight) is Conflict. When a retried PUT meets 412,
  // an earlier attempt may have created the object: it is read back, and identical bytes count as success.
  virtual Status WriteIfAbsent(std::string_view path, std::string_view data) = 0;
  // Every object whose location starts with `prefix`, at any depth, sorted by path. S3: a key prefix
  // ("s3://b/t/data/" or "s3://b/t/da"). Local: everything under the directory `prefix` names, or, when it names no
  // directory, the files whose path starts with it. A prefix that matches nothing gives an empty list.
  virtual Result<std::vector<FileInfo>> List(std::string_view prefix) = 0;
  // Removes the object. A missing object is not an error.
  virtual Status Delete(std::string_view path) = 0;
  // Removes every object in `paths` (S3: DeleteObjects, 1000 keys a request). Missing objects are not errors;
  // the first failure is returned after trying them all.
  virtual Status DeleteMany(const std::vector<std::string>& paths) = 0;
};

// The local file system. Stateless, so safe to share between threads.
class LocalFileIO final : public FileIO {
 public:
  Result<std::string> Read(std::string_view path) override;
  Result<std::string> ReadRange(std::string_view path, int64_t offset, int64_t length) override;
  Result<int64_t> Size(std::string_view path) override;
  Status Write(std::string_view path, std::string_view data) override;
  Status WriteIfAbsent(std::string_view path, std::string_view data) override;
  Result<std::vector<FileInfo>> List(std::string_view prefix) override;
  Status Delete(std::string_view path) override;
  Status DeleteMany(const std::vector<std::string>& paths) override;

  // The file system path of a plain path or file:// URI; InvalidArgument for anything else.
  static Result<std::string> ToFsPath(std::string_view location);
};

// True for "s3://..." and "s3a://...".
bool IsS3Location(std::string_view location);

}  // namespace floe::io
