#include "floe/io/file_io.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "floe/io/s3_file_io.h"

namespace floe::io {

namespace {

// Temporary files of an unfinished Write() start with this; List() never reports them.
constexpr std::string_view kTempPrefix = ".floe-tmp-";

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? std::string() : std::string(v);
}

// NotFound for a missing file (or a missing directory on its path), IoError for the rest.
Status OsError(int err, std::string_view op, std::string_view path) {
  std::string m(op);
  m += ' ';
  m += path;
  m += ": ";
  m += std::strerror(err);
  if (err == ENOENT || err == ENOTDIR) return Status::NotFound(std::move(m));
  return Status::IoError(std::move(m));
}

// The scheme of "scheme://..." or "file:/...", lowercased; empty for a plain path.
std::string SchemeOf(std::string_view location) {
  size_t colon = location.find(':');
  if (colon == std::string_view::npos || colon == 0) return {};
  for (size_t i = 0; i < colon; ++i) {
    char c = location[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (i > 0 && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'));
    if (!ok) return {};
  }
  std::string scheme(location.substr(0, colon));
  for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string_view rest = location.substr(colon + 1);
  if (rest.substr(0, 2) == "//" || (scheme == "file" && rest.substr(0, 1) == "/")) return scheme;
  return {};
}

int64_t MtimeMillis(const struct stat& st) {
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1'000'000;
}

// Writes all of `data` to `fd`, retrying short writes and EINTR.
int WriteAll(int fd, std::string_view data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    done += static_cast<size_t>(n);
  }
  return 0;
}

// Reads up to `length` bytes at `offset` (to the end of the file when length < 0).
Result<std::string> ReadFd(int fd, int64_t offset, int64_t length, std::string_view path) {
  std::string out;
  if (length > 0) out.reserve(static_cast<size_t>(length));
  char buf[1 << 16];
  while (length < 0 || static_cast<int64_t>(out.size()) < length) {
    size_t want = sizeof(buf);
    if (length >= 0) want = std::min<size_t>(want, static_cast<size_t>(length) - out.size());
    ssize_t n = ::pread(fd, buf, want, offset + static_cast<int64_t>(out.size()));
    if (n < 0) {
      if (errno == EINTR) continue;
      return OsError(errno, "read", path);
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int Close() {
    int rc = ::close(fd_);
    fd_ = -1;
    return rc == 0 ? 0 : errno;
  }

 private:
  int fd_;
};

// Opens `fs_path` for reading; InvalidArgument for a directory.
Result<int> OpenForRead(const std::string& fs_path, std::string_view location, struct stat* st) {
  int fd = ::open(fs_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return OsError(errno, "read", location);
  if (::fstat(fd, st) != 0) {
    int err = errno;
    ::close(fd);
    return OsError(err, "read", location);
  }
  if (S_ISDIR(st->st_mode)) {
    ::close(fd);
    return Status::InvalidArgument("read " + std::string(location) + ": is a directory, not a file");
  }
  return fd;
}

}  // namespace

// --- FileIOConfig ---

FileIOConfig FileIOConfig::FromEnvironment() {
  FileIOConfig c;
  c.access_key_id = Env("AWS_ACCESS_KEY_ID");
  c.secret_access_key = Env("AWS_SECRET_ACCESS_KEY");
  c.session_token = Env("AWS_SESSION_TOKEN");
  c.region = Env("AWS_REGION");
  if (c.region.empty()) c.region = Env("AWS_DEFAULT_REGION");
  c.endpoint = Env("AWS_ENDPOINT_URL_S3");
  if (c.endpoint.empty()) c.endpoint = Env("AWS_ENDPOINT_URL");
  c.ca_bundle = Env("AWS_CA_BUNDLE");
  return c;
}

Status FileIOConfig::Validate() const {
  if (part_size < kMinPartSize) {
    return Status::InvalidArgument("S3 part size " + std::to_string(part_size) + " is below S3's minimum of " +
                                   std::to_string(kMinPartSize) + " bytes (5 MiB)");
  }
  if (multipart_threshold < 0) {
    return Status::InvalidArgument("S3 multipart threshold " + std::to_string(multipart_threshold) + " is negative");
  }
  if (connect_timeout_ms <= 0 || request_timeout_ms <= 0) {
    return Status::InvalidArgument("S3 timeouts must be positive (connect " + std::to_string(connect_timeout_ms) +
                                   " ms, request " + std::to_string(request_timeout_ms) + " ms)");
  }
  if (max_retries < 0 || retry_base_delay_ms < 0) {
    return Status::InvalidArgument("S3 retries and retry delay must not be negative");
  }
  if (access_key_id.empty() != secret_access_key.empty()) {
    return Status::InvalidArgument(access_key_id.empty()
                                       ? "S3 secret access key given without an access key id (AWS_ACCESS_KEY_ID)"
                                       : "S3 access key id given without a secret access key "
                                         "(AWS_SECRET_ACCESS_KEY)");
  }
  // The endpoint and the addressing style are checked by resolving a request target.
  auto target = ResolveS3Target(*this, "bucket", "");
  return target.ok() ? Status::Ok() : target.status();
}

// --- FileIO ---

bool IsS3Location(std::string_view location) {
  std::string scheme = SchemeOf(location);
  return scheme == "s3" || scheme == "s3a";
}

Result<std::unique_ptr<FileIO>> FileIO::ForPath(std::string_view location, const FileIOConfig& config) {
  std::string scheme = SchemeOf(location);
  if (scheme == "s3" || scheme == "s3a") {
    FLOE_ASSIGN_OR_RETURN(auto s3, S3FileIO::Make(config));
    return std::unique_ptr<FileIO>(std::move(s3));
  }
  if (scheme.empty() || scheme == "file") {
    FLOE_RETURN_IF_ERROR(LocalFileIO::ToFsPath(location).status());
    return std::unique_ptr<FileIO>(std::make_unique<LocalFileIO>());
  }
  return Status::InvalidArgument("unsupported location " + std::string(location) + ": scheme '" + scheme +
                                 "' is not one of: a plain path, file://, s3://, s3a://");
}

// --- LocalFileIO ---

Result<std::string> LocalFileIO::ToFsPath(std::string_view location) {
  std::string scheme = SchemeOf(location);
  if (scheme.empty()) {
    if (location.empty()) return Status::InvalidArgument("empty path");
    return std::string(location);
  }
  if (scheme != "file") {
    return Status::InvalidArgument("not a local path: " + std::string(location));
  }
  std::string_view rest = location.substr(5);  // after "file:"
  if (rest.substr(0, 2) == "//") {
    rest.remove_prefix(2);
    // file:///x (empty authority) or file://localhost/x.
    if (rest.substr(0, 9) == "localhost") rest.remove_prefix(9);
    if (rest.empty() || rest.front() != '/') {
      return Status::InvalidArgument("file URI with a remote host is not supported: " + std::string(location));
    }
  }
  return std::string(rest);
}

Result<std::string> LocalFileIO::Read(std::string_view path) {
  FLOE_ASSIGN_OR_RETURN(std::string fs_path, ToFsPath(path));
  struct stat st {};
  FLOE_ASSIGN_OR_RETURN(int raw_fd, OpenForRead(fs_path, path, &st));
  Fd fd(raw_fd);
  return ReadFd(fd.get(), 0, -1, path);
}

Result<std::string> LocalFileIO::ReadRange(std::string_view path, int64_t offset, int64_t length) {
  FLOE_ASSIGN_OR_RETURN(std::string fs_path, ToFsPath(path));
  if (offset < 0 || length < 0) {
    return Status::InvalidArgument("read " + std::string(path) + ": invalid range offset " + std::to_string(offset) +
                                   " length " + std::to_string(length));
  }
  struct stat st {};
  FLOE_ASSIGN_OR_RETURN(int raw_fd, OpenForRead(fs_path, path, &st));
  Fd fd(raw_fd);
  if (length == 0) return std::string();
  if (offset >= st.st_size) {
    return Status::InvalidArgument("read " + std::string(path) + ": range starts at offset " + std::to_string(offset) +
                                   ", at or past the end of the file (size " + std::to_string(st.st_size) + ")");
  }
  return ReadFd(fd.get(), offset, length, path);
}

Result<int64_t> LocalFileIO::Size(std::string_view path) {
  FLOE_ASSIGN_OR_RETURN(std::string fs_path, ToFsPath(path));
  struct stat st {};
  if (::stat(fs_path.c_str(), &st) != 0) return OsError(errno, "size", path);
  if (S_ISDIR(st.st_mode)) {
    return Status::InvalidArgument("size " + std::string(path) + ": is a directory, not a file");
  }
  return static_cast<int64_t>(st.st_size);
}

namespace {

// A temporary file beside `path`'s target holding `data`, written and fsynced, ready to be renamed or linked into
// place. The parent directories are created.
struct StagedFile {
  std::string fs_path;  // the target
  std::string dir;      // its directory
  std::string tmp;      // the temporary file
};

Result<StagedFile> Stage(std::string_view op, std::string_view path, std::string_view data) {
  FLOE_ASSIGN_OR_RETURN(std::string fs_path, LocalFileIO::ToFsPath(path));
  std::filesystem::path target(fs_path);
  std::string name = target.filename().string();
  if (name.empty() || name == "." || name == "..") {
    return Status::InvalidArgument(std::string(op) + " " + std::string(path) + ": not a file name");
  }
  std::filesystem::path dir = target.parent_path();
  if (dir.empty()) dir = ".";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return Status::IoError(std::string(op) + " " + std::string(path) + ": cannot create directory " + dir.string() +
                           ": " + ec.message());
  }
  // The temporary file lives beside the target so that rename() and link() stay on one file system; pid and counter
  // keep concurrent writers (threads or processes) apart.
  static std::atomic<uint64_t> counter{0};
  std::string tmp = (dir / (std::string(kTempPrefix) + std::to_string(::getpid()) + "-" +
                            std::to_string(counter.fetch_add(1)) + "-" + name.substr(0, 128)))
                        .string();
  int raw = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (raw < 0) {
    int err = errno;
    return Status::IoError(std::string(op) + " " + std::string(path) + ": create temporary file " + tmp + ": " +
                           std::strerror(err));
  }
  Fd fd(raw);
  int err = 0;
  const char* step = "";
  if ((err = WriteAll(fd.get(), data)) != 0) {
    step = "write";
  } else if (::fsync(fd.get()) != 0) {
    err = errno;
    step = "fsync";
  } else if ((err = fd.Close()) != 0) {
    step = "close";
  }
  if (err != 0) {
    ::unlink(tmp.c_str());
    return Status::IoError(std::string(op) + " " + std::string(path) + ": " + step + ": " + std::strerror(err));
  }
  return StagedFile{std::move(fs_path), dir.string(), std::move(tmp)};
}

// Makes a rename or link in `dir` durable.
Status SyncDirectory(std::string_view op, std::string_view path, const std::string& dir) {
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    int rc = ::fsync(dfd);
    int fsync_err = errno;
    ::close(dfd);
    if (rc != 0 && fsync_err != EINVAL) {
      return Status::IoError(std::string(op) + " " + std::string(path) + ": fsync directory " + dir + ": " +
                             std::strerror(fsync_err));
    }
  }
  return Status::Ok();
}

}  // namespace

Status LocalFileIO::Write(std::string_view path, std::string_view data) {
  FLOE_ASSIGN_OR_RETURN(StagedFile staged, Stage("write", path, data));
  if (::rename(staged.tmp.c_str(), staged.fs_path.c_str()) != 0) {
    int err = errno;
    ::unlink(staged.tmp.c_str());
    return Status::IoError("write " + std::string(path) + ": rename: " + std::strerror(err));
  }
  return SyncDirectory("write", path, staged.dir);
}

Status LocalFileIO::WriteIfAbsent(std::string_view path, std::string_view data) {
  FLOE_ASSIGN_OR_RETURN(StagedFile staged, Stage("write if absent", path, data));
  // link(2) creates the name only when it is free, and the file it names is already complete. File systems without
  // hard links get renameat2(RENAME_NOREPLACE), which promises the same.
  int err = 0;
  if (::link(staged.tmp.c_str(), staged.fs_path.c_str()) != 0) {
    err = errno;
    if (err == EPERM || err == ENOTSUP || err == EOPNOTSUPP || err == EMLINK) {
      err = ::renameat2(AT_FDCWD, staged.tmp.c_str(), AT_FDCWD, staged.fs_path.c_str(), RENAME_NOREPLACE) == 0 ? 0
                                                                                                               : errno;
    }
  }
  ::unlink(staged.tmp.c_str());  // after a successful renameat2 it is gone already
  if (err == EEXIST) {
    return Status::AlreadyExists("write if absent " + std::string(path) + ": the file exists");
  }
  if (err != 0) return Status::IoError("write if absent " + std::string(path) + ": link: " + std::strerror(err));
  return SyncDirectory("write if absent", path, staged.dir);
}

Result<std::vector<FileInfo>> LocalFileIO::List(std::string_view prefix) {
  FLOE_ASSIGN_OR_RETURN(std::string fs_prefix, ToFsPath(prefix));
  // Results are spelled like the prefix: the prefix's own text plus the rest of the file system path.
  std::string_view spelled_base = prefix.substr(0, prefix.size() - fs_prefix.size());
  std::vector<FileInfo> out;

  struct stat st {};
  bool is_dir = ::stat(fs_prefix.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
  std::string root;   // the directory to walk
  std::string match;  // files must start with this
  if (is_dir) {
    root = fs_prefix;
    match = fs_prefix;
  } else {
    size_t slash = fs_prefix.rfind('/');
    root = slash == std::string::npos ? std::string() : fs_prefix.substr(0, slash + 1);
    match = fs_prefix;
  }

  // Walks `dir` (a path ending in '/' or empty for the working directory) depth-first.
  std::vector<std::string> stack{root};
  while (!stack.empty()) {
    std::string dir = std::move(stack.back());
    stack.pop_back();
    DIR* d = ::opendir(dir.empty() ? "." : dir.c_str());
    if (d == nullptr) {
      if (errno == ENOENT || errno == ENOTDIR) continue;  // nothing there (or removed meanwhile)
      int err = errno;
      return Status::IoError("list " + std::string(prefix) + ": open directory " + (dir.empty() ? "." : dir) + ": " +
                             std::strerror(err));
    }
    while (struct dirent* e = ::readdir(d)) {
      std::string_view name = e->d_name;
      if (name == "." || name == ".." || name.substr(0, kTempPrefix.size()) == kTempPrefix) continue;
      std::string child = dir;
      if (!child.empty() && child.back() != '/') child += '/';
      child += name;
      struct stat cst {};
      if (::stat(child.c_str(), &cst) != 0) continue;  // removed meanwhile, or a dangling symlink
      if (S_ISDIR(cst.st_mode)) {
        // Only directories that can hold matches: below the prefix, or a prefix of it.
        std::string as_dir = child + "/";
        if (as_dir.compare(0, std::min(as_dir.size(), match.size()), match, 0, std::min(as_dir.size(), match.size())) ==
            0) {
          stack.push_back(std::move(as_dir));
        }
        continue;
      }
      if (!S_ISREG(cst.st_mode)) continue;
      if (child.compare(0, match.size(), match) != 0) continue;
      FileInfo info;
      info.path = std::string(spelled_base) + child;
      info.size = static_cast<int64_t>(cst.st_size);
      info.mtime_ms = MtimeMillis(cst);
      out.push_back(std::move(info));
    }
    ::closedir(d);
  }
  std::sort(out.begin(), out.end(), [](const FileInfo& a, const FileInfo& b) { return a.path < b.path; });
  return out;
}

Status LocalFileIO::Delete(std::string_view path) {
  FLOE_ASSIGN_OR_RETURN(std::string fs_path, ToFsPath(path));
  if (::unlink(fs_path.c_str()) != 0) {
    if (errno == ENOENT) return Status::Ok();
    if (errno == EISDIR) return Status::InvalidArgument("delete " + std::string(path) + ": is a directory");
    return OsError(errno, "delete", path);
  }
  return Status::Ok();
}

Status LocalFileIO::DeleteMany(const std::vector<std::string>& paths) {
  Status first;
  for (const std::string& p : paths) {
    Status s = Delete(p);
    if (!s.ok() && first.ok()) first = s;
  }
  return first;
}

}  // namespace floe::io
