// S3FileIO: FileIO over the S3 REST API (PutObject, also conditional with If-None-Match, GetObject with Range,
// HeadObject, DeleteObject, DeleteObjects, ListObjectsV2, CreateMultipartUpload / UploadPart /
// CompleteMultipartUpload / AbortMultipartUpload), signed with AWS Signature Version 4 (aws_sigv4.h), over libcurl.
//
// Thread-safety: one S3FileIO keeps one libcurl handle, so its connection is reused (keep-alive) from request to
// request; calls on one S3FileIO are serialised by a mutex. For parallel transfers use one S3FileIO per thread.
//
// Both addressing styles are supported: path style (http://endpoint/bucket/key) and virtual-host style
// (http://bucket.endpoint/key), see FileIOConfig::path_style.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "floe/io/file_io.h"

namespace floe::io {

struct S3Location;

class S3FileIO final : public FileIO {
 public:
  // Validates `config` (InvalidArgument naming the bad field).
  static Result<std::unique_ptr<S3FileIO>> Make(const FileIOConfig& config);
  ~S3FileIO() override;

  Result<std::string> Read(std::string_view path) override;
  Result<std::string> ReadRange(std::string_view path, int64_t offset, int64_t length) override;
  Result<int64_t> Size(std::string_view path) override;
  Status Write(std::string_view path, std::string_view data) override;
  Status WriteIfAbsent(std::string_view path, std::string_view data) override;
  Result<std::vector<FileInfo>> List(std::string_view prefix) override;
  Status Delete(std::string_view path) override;
  Status DeleteMany(const std::vector<std::string>& paths) override;

  const FileIOConfig& config() const { return config_; }

 private:
  class Connection;
  struct Request;
  struct Response;

  explicit S3FileIO(FileIOConfig config);
  // Signs and sends `request`, retrying network errors, 5xx and 429 as the config says. `op` and `location` name
  // the failure. A non-2xx answer becomes a Status carrying the HTTP status and S3's error Code and Message.
  // *attempts (when given) gets the number of requests sent.
  Result<Response> Send(const Request& request, std::string_view op, std::string_view location,
                        int* attempts = nullptr);
  Status WriteMultipart(std::string_view location, const S3Location& loc, std::string_view data);

  FileIOConfig config_;
  std::mutex mu_;
  std::unique_ptr<Connection> connection_;  // guarded by mu_
};

// --- The S3 wire format: locations, addressing and response bodies. Exposed for unit tests. ---

struct S3Location {
  std::string scheme;  // "s3" or "s3a": List() answers in the scheme it was asked in
  std::string bucket;
  std::string key;  // may be empty (a bucket-wide prefix)
};
// Splits "s3://bucket/key/with/slashes". InvalidArgument for another scheme or an empty or malformed bucket name.
Result<S3Location> ParseS3Location(std::string_view location);

// Where one request goes: URL = base_url + AwsUriEncode(path, keep '/') + query.
struct S3Target {
  std::string base_url;  // "http://127.0.0.1:9000" or "https://bucket.s3.eu-west-1.amazonaws.com"
  std::string host;      // the Host header, signed: "127.0.0.1:9000", "bucket.localhost:9000"
  std::string path;      // decoded: "/bucket/key" (path style) or "/key" (virtual-host style)
};
Result<S3Target> ResolveS3Target(const FileIOConfig& config, std::string_view bucket, std::string_view key);

// <Error><Code>NoSuchKey</Code><Message>...</Message><RequestId>...</RequestId></Error>. Fields stay empty when the
// body is not an S3 error document (HEAD responses have no body).
struct S3Error {
  std::string code;
  std::string message;
  std::string request_id;
};
S3Error ParseS3Error(std::string_view body);

struct S3ObjectSummary {
  std::string key;
  int64_t size = 0;
  int64_t mtime_ms = 0;
};
struct S3ListPage {
  std::vector<S3ObjectSummary> objects;
  bool truncated = false;
  std::string next_continuation_token;
};
// A ListObjectsV2 <ListBucketResult>. Keys are URL-decoded when the response says <EncodingType>url</EncodingType>
// (S3 then encodes a space as '+'). Corruption when the document is not a listing or a field is malformed.
Result<S3ListPage> ParseListObjectsV2(std::string_view body);
// The <UploadId> of an <InitiateMultipartUploadResult>.
Result<std::string> ParseUploadId(std::string_view body);
// "2009-10-12T17:50:30.000Z" to milliseconds since the epoch.
Result<int64_t> ParseIso8601Millis(std::string_view text);

// The text of the first <tag>...</tag> element anywhere in `xml` (entities decoded); nullopt when absent.
// `<tag/>` gives an empty string. Namespaces and attributes on the element are ignored.
std::optional<std::string> XmlFirst(std::string_view xml, std::string_view tag);
// The raw (undecoded) contents of every <tag>...</tag> element, in document order (not nested in each other).
std::vector<std::string_view> XmlAll(std::string_view xml, std::string_view tag);
std::string XmlEscape(std::string_view text);
std::string XmlUnescape(std::string_view text);

}  // namespace floe::io
