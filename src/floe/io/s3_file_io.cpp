#include "floe/io/s3_file_io.h"

#include <curl/curl.h>
#include <openssl/evp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <map>
#include <random>
#include <thread>

#include "floe/io/aws_sigv4.h"

namespace floe::io {

namespace {

constexpr std::string_view kS3Namespace = "http://s3.amazonaws.com/doc/2006-03-01/";
constexpr int kMaxDeleteKeys = 1000;  // DeleteObjects' limit per request
constexpr int kMaxRetryDelayMs = 5000;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

bool ParseInt64(std::string_view s, int64_t* out) {
  s = Trim(s);
  if (s.empty() || s.size() > 18) return false;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

// application/x-www-form-urlencoded decoding: what S3 means by encoding-type=url ('+' is a space).
std::string FormDecode(std::string_view s) {
  std::string plus_as_space(s);
  std::replace(plus_as_space.begin(), plus_as_space.end(), '+', ' ');
  return UriDecode(plus_as_space);
}

void AppendUtf8(std::string* out, uint32_t cp) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Finds the next element named `tag` at or after `from`: sets the range of its contents. False when none.
bool XmlNext(std::string_view xml, std::string_view tag, size_t from, size_t* content_begin, size_t* content_end,
             size_t* element_end) {
  std::string open = "<";
  open += tag;
  size_t pos = from;
  while ((pos = xml.find(open, pos)) != std::string_view::npos) {
    size_t after = pos + open.size();
    if (after >= xml.size()) return false;
    char c = xml[after];
    if (c != '>' && c != '/' && c != ' ' && c != '\t' && c != '\r' && c != '\n') {
      pos = after;  // a longer name that starts with `tag`
      continue;
    }
    size_t gt = xml.find('>', after);
    if (gt == std::string_view::npos) return false;
    if (xml[gt - 1] == '/') {  // <tag/> or <tag attr="x"/>
      *content_begin = *content_end = gt + 1;
      *element_end = gt + 1;
      return true;
    }
    std::string close = "</";
    close += tag;
    close += '>';
    size_t end = xml.find(close, gt + 1);
    if (end == std::string_view::npos) return false;
    *content_begin = gt + 1;
    *content_end = end;
    *element_end = end + close.size();
    return true;
  }
  return false;
}

std::string Base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::string Md5Base64(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, EVP_md5(), nullptr);
  return Base64(std::string_view(reinterpret_cast<const char*>(digest), len));
}

// The query string as sent: encoded like the canonical one, but a parameter without a value is sent bare
// ("?uploads"), as the S3 documentation writes it.
std::string UrlQuery(const std::vector<std::pair<std::string, std::string>>& query) {
  std::string out;
  for (const auto& [name, value] : query) {
    out += out.empty() ? '?' : '&';
    out += AwsUriEncode(name, false);
    if (!value.empty()) {
      out += '=';
      out += AwsUriEncode(value, false);
    }
  }
  return out;
}

bool IsIpLiteral(std::string_view host) {
  if (!host.empty() && host.front() == '[') return true;  // [::1]
  int dots = 0;
  for (char c : host) {
    if (c == '.') {
      ++dots;
    } else if (c < '0' || c > '9') {
      return false;
    }
  }
  return dots == 3;
}

bool RetryableCurlError(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM: return true;
    default: return false;
  }
}

bool RetryableHttpStatus(long status) {
  return status >= 500 || status == 429;
}

bool RetryableS3Code(std::string_view code) {
  return code == "InternalError" || code == "SlowDown" || code == "ServiceUnavailable" || code == "RequestTimeout";
}

std::string LocationOf(const S3Location& loc) {
  return loc.scheme + "://" + loc.bucket + "/" + loc.key;
}

}  // namespace

// --- XML ---

std::string XmlUnescape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '&') {
      out.push_back(text[i]);
      continue;
    }
    size_t semi = text.find(';', i);
    if (semi == std::string_view::npos || semi - i > 12) {
      out.push_back('&');
      continue;
    }
    std::string_view ent = text.substr(i + 1, semi - i - 1);
    if (ent == "amp") {
      out.push_back('&');
    } else if (ent == "lt") {
      out.push_back('<');
    } else if (ent == "gt") {
      out.push_back('>');
    } else if (ent == "quot") {
      out.push_back('"');
    } else if (ent == "apos") {
      out.push_back('\'');
    } else if (ent.size() > 1 && ent[0] == '#') {
      uint32_t cp = 0;
      bool hex = ent[1] == 'x' || ent[1] == 'X';
      std::string_view digits = ent.substr(hex ? 2 : 1);
      bool ok = !digits.empty();
      for (char c : digits) {
        int d = -1;
        if (c >= '0' && c <= '9') d = c - '0';
        if (hex && c >= 'a' && c <= 'f') d = c - 'a' + 10;
        if (hex && c >= 'A' && c <= 'F') d = c - 'A' + 10;
        if (d < 0 || cp > 0x10FFFF) {
          ok = false;
          break;
        }
        cp = cp * (hex ? 16 : 10) + static_cast<uint32_t>(d);
      }
      if (!ok || cp > 0x10FFFF) {
        out.push_back('&');
        continue;
      }
      AppendUtf8(&out, cp);
    } else {
      out.push_back('&');
      continue;
    }
    i = semi;
  }
  return out;
}

std::string XmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      case '\r': out += "&#13;"; break;  // kept: a raw CR would be normalised away by the XML parser
      default: out.push_back(c);
    }
  }
  return out;
}

std::optional<std::string> XmlFirst(std::string_view xml, std::string_view tag) {
  size_t b = 0, e = 0, end = 0;
  if (!XmlNext(xml, tag, 0, &b, &e, &end)) return std::nullopt;
  return XmlUnescape(xml.substr(b, e - b));
}

std::vector<std::string_view> XmlAll(std::string_view xml, std::string_view tag) {
  std::vector<std::string_view> out;
  size_t from = 0, b = 0, e = 0, end = 0;
  while (XmlNext(xml, tag, from, &b, &e, &end)) {
    out.push_back(xml.substr(b, e - b));
    from = end;
  }
  return out;
}

// --- Wire format ---

Result<S3Location> ParseS3Location(std::string_view location) {
  S3Location loc;
  std::string_view rest;
  if (location.substr(0, 5) == "s3://") {
    loc.scheme = "s3";
    rest = location.substr(5);
  } else if (location.substr(0, 6) == "s3a://") {
    loc.scheme = "s3a";
    rest = location.substr(6);
  } else {
    return Status::InvalidArgument("not an S3 location (s3://bucket/key): " + std::string(location));
  }
  size_t slash = rest.find('/');
  loc.bucket = std::string(rest.substr(0, slash));
  if (slash != std::string_view::npos) loc.key = std::string(rest.substr(slash + 1));
  if (loc.bucket.empty()) return Status::InvalidArgument("S3 location without a bucket: " + std::string(location));
  for (char c : loc.bucket) {
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
    if (!ok) {
      return Status::InvalidArgument("S3 location " + std::string(location) + ": invalid bucket name '" + loc.bucket +
                                     "'");
    }
  }
  return loc;
}

Result<S3Target> ResolveS3Target(const FileIOConfig& config, std::string_view bucket, std::string_view key) {
  std::string scheme = "https";
  std::string authority;  // host[:port]
  bool aws = config.endpoint.empty();
  if (aws) {
    authority = "s3." + (config.region.empty() ? std::string("us-east-1") : config.region) + ".amazonaws.com";
  } else {
    std::string_view ep = config.endpoint;
    size_t sep = ep.find("://");
    if (sep == std::string_view::npos) {
      return Status::InvalidArgument("S3 endpoint '" + config.endpoint +
                                     "' has no scheme: write http://host:port or https://host");
    }
    scheme = Lower(ep.substr(0, sep));
    if (scheme != "http" && scheme != "https") {
      return Status::InvalidArgument("S3 endpoint '" + config.endpoint + "': scheme must be http or https");
    }
    std::string_view rest = ep.substr(sep + 3);
    size_t slash = rest.find('/');
    if (slash != std::string_view::npos) {
      if (rest.substr(slash) != "/") {
        return Status::InvalidArgument("S3 endpoint '" + config.endpoint + "' has a path; give scheme://host[:port]");
      }
      rest = rest.substr(0, slash);
    }
    if (rest.empty()) return Status::InvalidArgument("S3 endpoint '" + config.endpoint + "' has no host");
    authority = std::string(rest);
  }
  std::string host_only = authority;
  if (!authority.empty() && authority.front() == '[') {
    host_only = authority.substr(0, authority.find(']') + 1);
  } else if (size_t colon = authority.rfind(':'); colon != std::string::npos) {
    host_only = authority.substr(0, colon);
  }
  bool path_style = config.path_style.value_or(!aws);
  S3Target t;
  if (path_style) {
    t.host = authority;
    t.path = "/" + std::string(bucket);
    if (!key.empty()) t.path += "/" + std::string(key);
  } else {
    if (IsIpLiteral(host_only)) {
      return Status::InvalidArgument("S3 endpoint '" + config.endpoint +
                                     "' is an IP address, which virtual-host style cannot prefix with a bucket "
                                     "name: use path style or a host name");
    }
    t.host = std::string(bucket) + "." + authority;
    t.path = "/" + std::string(key);
  }
  t.base_url = scheme + "://" + t.host;
  return t;
}

S3Error ParseS3Error(std::string_view body) {
  S3Error e;
  size_t b = 0, end = 0, stop = 0;
  if (!XmlNext(body, "Error", 0, &b, &end, &stop)) return e;
  std::string_view inner = body.substr(b, end - b);
  e.code = XmlFirst(inner, "Code").value_or("");
  e.message = XmlFirst(inner, "Message").value_or("");
  e.request_id = XmlFirst(inner, "RequestId").value_or("");
  return e;
}

Result<int64_t> ParseIso8601Millis(std::string_view text) {
  text = Trim(text);
  int year = 0, mon = 0, day = 0, hour = 0, min = 0, sec = 0, consumed = 0;
  std::string s(text);
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &year, &mon, &day, &hour, &min, &sec, &consumed) != 6 ||
      mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60) {
    return Status::Corruption("not an ISO 8601 UTC time: '" + s + "'");
  }
  int64_t millis = 0;
  std::string_view tail = text.substr(static_cast<size_t>(consumed));
  if (!tail.empty() && tail.front() == '.') {
    tail.remove_prefix(1);
    int digits = 0;
    while (!tail.empty() && tail.front() >= '0' && tail.front() <= '9') {
      if (digits < 3) millis = millis * 10 + (tail.front() - '0');
      ++digits;
      tail.remove_prefix(1);
    }
    for (; digits < 3; ++digits) millis *= 10;
  }
  if (!(tail.empty() || tail == "Z" || tail == "+00:00")) {
    return Status::Corruption("not an ISO 8601 UTC time: '" + s + "'");
  }
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = mon - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = min;
  tm.tm_sec = sec;
  return static_cast<int64_t>(timegm(&tm)) * 1000 + millis;
}

Result<S3ListPage> ParseListObjectsV2(std::string_view body) {
  if (body.find("<ListBucketResult") == std::string_view::npos) {
    return Status::Corruption("not a ListObjectsV2 response: '" + std::string(body.substr(0, 200)) + "'");
  }
  S3ListPage page;
  // Only the top level's fields: the listing's own <EncodingType>, <IsTruncated> and token come after or between
  // the <Contents> elements, whose children have other names.
  bool url_encoded = XmlFirst(body, "EncodingType").value_or("") == "url";
  for (std::string_view contents : XmlAll(body, "Contents")) {
    S3ObjectSummary obj;
    auto key = XmlFirst(contents, "Key");
    if (!key) return Status::Corruption("ListObjectsV2 response: <Contents> without <Key>");
    obj.key = url_encoded ? FormDecode(*key) : *key;
    auto size = XmlFirst(contents, "Size");
    if (!size || !ParseInt64(*size, &obj.size)) {
      return Status::Corruption("ListObjectsV2 response: bad <Size> for key '" + obj.key + "'");
    }
    if (auto modified = XmlFirst(contents, "LastModified")) {
      auto ms = ParseIso8601Millis(*modified);
      if (!ms.ok()) return ms.status().WithContext("ListObjectsV2 response: key '" + obj.key + "'");
      obj.mtime_ms = *ms;
    }
    page.objects.push_back(std::move(obj));
  }
  page.truncated = Trim(XmlFirst(body, "IsTruncated").value_or("false")) == "true";
  page.next_continuation_token = XmlFirst(body, "NextContinuationToken").value_or("");
  return page;
}

Result<std::string> ParseUploadId(std::string_view body) {
  auto id = XmlFirst(body, "UploadId");
  if (!id || id->empty()) {
    return Status::Corruption("CreateMultipartUpload response without <UploadId>: '" +
                              std::string(body.substr(0, 200)) + "'");
  }
  return *id;
}

// --- HTTP over libcurl ---

struct S3FileIO::Request {
  std::string method;  // GET HEAD PUT POST DELETE
  std::string bucket;
  std::string key;
  std::vector<std::pair<std::string, std::string>> query;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers, all signed
  std::string_view body;
  // CompleteMultipartUpload may answer 200 and then report an error in the body.
  bool error_may_hide_in_200 = false;
};

struct S3FileIO::Response {
  long status = 0;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // lowercase names
  bool reserve_body = false;  // GET: size the body buffer from Content-Length (a HEAD's would be the object's)

  std::string Header(std::string_view name) const {
    for (const auto& [n, v] : headers) {
      if (n == name) return v;
    }
    return {};
  }
};

class S3FileIO::Connection {
 public:
  explicit Connection(const FileIOConfig& config) {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    curl_ = curl_easy_init();
    for (const std::string& entry : config.resolve) resolve_ = curl_slist_append(resolve_, entry.c_str());
  }
  ~Connection() {
    if (curl_ != nullptr) curl_easy_cleanup(curl_);
    curl_slist_free_all(resolve_);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // One HTTP exchange. Returns the libcurl result; fills `response` and, on failure, `error`.
  CURLcode Perform(const FileIOConfig& config, const std::string& url, const std::string& method,
                   const std::vector<std::string>& header_lines, std::string_view body, Response* response,
                   std::string* error) {
    if (curl_ == nullptr) {
      *error = "curl_easy_init failed";
      return CURLE_FAILED_INIT;
    }
    // reset() forgets the options of the last request but keeps the connection cache: keep-alive.
    curl_easy_reset(curl_);
    char errbuf[CURL_ERROR_SIZE] = {0};
    curl_easy_setopt(curl_, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl_, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(curl_, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(config.connect_timeout_ms));
    curl_easy_setopt(curl_, CURLOPT_TIMEOUT_MS, static_cast<long>(config.request_timeout_ms));
    curl_easy_setopt(curl_, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
    if (resolve_ != nullptr) curl_easy_setopt(curl_, CURLOPT_RESOLVE, resolve_);
    if (!config.ca_bundle.empty()) curl_easy_setopt(curl_, CURLOPT_CAINFO, config.ca_bundle.c_str());

    response->status = 0;
    response->body.clear();
    response->headers.clear();
    response->reserve_body = method == "GET";
    curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, &Connection::OnBody);
    curl_easy_setopt(curl_, CURLOPT_WRITEDATA, response);
    curl_easy_setopt(curl_, CURLOPT_HEADERFUNCTION, &Connection::OnHeader);
    curl_easy_setopt(curl_, CURLOPT_HEADERDATA, response);

    UploadCursor cursor{body, 0};
    if (method == "HEAD") {
      curl_easy_setopt(curl_, CURLOPT_NOBODY, 1L);
    } else if (method == "GET") {
      curl_easy_setopt(curl_, CURLOPT_HTTPGET, 1L);
    } else if (method == "PUT") {
      curl_easy_setopt(curl_, CURLOPT_UPLOAD, 1L);
      curl_easy_setopt(curl_, CURLOPT_READFUNCTION, &Connection::OnRead);
      curl_easy_setopt(curl_, CURLOPT_READDATA, &cursor);
      curl_easy_setopt(curl_, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(body.size()));
    } else if (method == "POST") {
      curl_easy_setopt(curl_, CURLOPT_POST, 1L);
      curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, body.data());
      curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    } else {
      curl_easy_setopt(curl_, CURLOPT_CUSTOMREQUEST, method.c_str());
    }

    curl_slist* headers = nullptr;
    for (const std::string& line : header_lines) headers = curl_slist_append(headers, line.c_str());
    curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, headers);

    CURLcode rc = curl_easy_perform(curl_);
    curl_slist_free_all(headers);
    if (rc == CURLE_OK) {
      curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &response->status);
    } else {
      *error = errbuf[0] != '\0' ? std::string(errbuf) : std::string(curl_easy_strerror(rc));
    }
    return rc;
  }

 private:
  struct UploadCursor {
    std::string_view data;
    size_t offset;
  };

  static size_t OnBody(char* ptr, size_t size, size_t nmemb, void* userdata) {
    auto* response = static_cast<Response*>(userdata);
    response->body.append(ptr, size * nmemb);
    return size * nmemb;
  }

  static size_t OnHeader(char* ptr, size_t size, size_t nmemb, void* userdata) {
    auto* response = static_cast<Response*>(userdata);
    std::string_view line(ptr, size * nmemb);
    if (line.substr(0, 5) == "HTTP/") {
      response->headers.clear();  // a new response (after 100 Continue)
      return line.size();
    }
    size_t colon = line.find(':');
    if (colon != std::string_view::npos) {
      std::string name = Lower(Trim(line.substr(0, colon)));
      std::string value(Trim(line.substr(colon + 1)));
      if (name == "content-length" && response->reserve_body) {
        int64_t n = 0;
        if (ParseInt64(value, &n) && n < (int64_t{1} << 34)) response->body.reserve(static_cast<size_t>(n));
      }
      response->headers.emplace_back(std::move(name), std::move(value));
    }
    return line.size();
  }

  static size_t OnRead(char* buffer, size_t size, size_t nitems, void* userdata) {
    auto* cursor = static_cast<UploadCursor*>(userdata);
    size_t n = std::min(size * nitems, cursor->data.size() - cursor->offset);
    std::memcpy(buffer, cursor->data.data() + cursor->offset, n);
    cursor->offset += n;
    return n;
  }

  CURL* curl_ = nullptr;
  curl_slist* resolve_ = nullptr;
};

// --- S3FileIO ---

Result<std::unique_ptr<S3FileIO>> S3FileIO::Make(const FileIOConfig& config) {
  FLOE_RETURN_IF_ERROR(config.Validate());
  return std::unique_ptr<S3FileIO>(new S3FileIO(config));
}

S3FileIO::S3FileIO(FileIOConfig config)
    : config_(std::move(config)), connection_(std::make_unique<Connection>(config_)) {}

S3FileIO::~S3FileIO() = default;

namespace {

// The Status for a non-2xx answer (or a 200 carrying an <Error>): the HTTP status, S3's Code and Message, a hint.
Status HttpError(std::string_view op, std::string_view location, long status, std::string_view body,
                 std::string_view bucket_region) {
  S3Error err = ParseS3Error(body);
  std::string m(op);
  m += ' ';
  m += location;
  m += ": HTTP ";
  m += std::to_string(status);
  if (!err.code.empty()) {
    m += ' ';
    m += err.code;
    std::string_view message = Trim(err.message);
    if (!message.empty() && message.back() == '.') message.remove_suffix(1);  // more follows
    if (!message.empty()) {
      m += ": ";
      m += message;
    }
  } else if (status == 404) {
    m += " (no such object or bucket)";
  } else if (status == 403) {
    m += " (access denied)";
  } else if (status == 301 || status == 307) {
    m += " (the bucket is served by another endpoint)";
  }
  if (status == 403) {
    m += "; check the credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), the region and the "
         "bucket policy";
  }
  if (!bucket_region.empty()) {
    m += "; the bucket is in region ";
    m += bucket_region;
  }
  if (!err.request_id.empty()) {
    m += " (request id ";
    m += err.request_id;
    m += ')';
  }
  StatusCode code = StatusCode::kIoError;
  if (status == 404) {
    code = StatusCode::kNotFound;
  } else if (status == 400 || status == 401 || status == 403 || status == 301 || status == 307 || status == 416) {
    code = StatusCode::kInvalidArgument;
  } else if (status == 409 || status == 412) {
    code = StatusCode::kConflict;
  } else if (RetryableHttpStatus(status) || RetryableS3Code(err.code)) {
    code = StatusCode::kUnavailable;
  }
  return Status(code, std::move(m));
}

int BackoffMs(const FileIOConfig& config, int attempt) {
  static thread_local std::mt19937 rng{std::random_device{}()};
  int64_t cap = std::min<int64_t>(kMaxRetryDelayMs, int64_t{config.retry_base_delay_ms} << std::min(attempt, 20));
  if (cap <= 0) return 0;
  // "Equal jitter": half fixed, half random, so retries from many writers spread out.
  std::uniform_int_distribution<int64_t> dist(cap / 2, cap);
  return static_cast<int>(dist(rng));
}

}  // namespace

Result<S3FileIO::Response> S3FileIO::Send(const Request& request, std::string_view op, std::string_view location,
                                          int* attempts) {
  FLOE_ASSIGN_OR_RETURN(S3Target target, ResolveS3Target(config_, request.bucket, request.key));
  std::string url = target.base_url + AwsUriEncode(target.path, true) + UrlQuery(request.query);
  std::string payload_hash = Sha256Hex(request.body);
  AwsCredentials credentials{config_.access_key_id, config_.secret_access_key, config_.session_token};
  std::string region = config_.region.empty() ? "us-east-1" : config_.region;

  std::lock_guard<std::mutex> lock(mu_);
  Response response;
  for (int attempt = 0;; ++attempt) {
    if (attempts != nullptr) *attempts = attempt + 1;
    bool last = attempt >= config_.max_retries;
    SigV4Request sig;
    sig.method = request.method;
    sig.path = target.path;
    sig.query = request.query;
    sig.payload_hash = payload_hash;
    sig.headers.emplace_back("host", target.host);
    sig.headers.emplace_back("x-amz-content-sha256", payload_hash);
    for (const auto& h : request.headers) sig.headers.push_back(h);
    std::vector<std::string> lines;
    if (!credentials.access_key_id.empty()) {
      std::string auth = SignRequest(&sig, credentials, region, "s3", AmzDate(std::chrono::system_clock::now()));
      lines.push_back("Authorization: " + auth);
    }
    for (const auto& [name, value] : sig.headers) lines.push_back(name + ": " + value);
    lines.emplace_back("Expect:");  // no 100-continue round trip before a body
    if (request.method == "POST") lines.emplace_back("Content-Type: application/xml");

    std::string curl_error;
    CURLcode rc = connection_->Perform(config_, url, request.method, lines, request.body, &response, &curl_error);
    if (rc != CURLE_OK) {
      if (!last && RetryableCurlError(rc)) {
        std::this_thread::sleep_for(std::chrono::milliseconds(BackoffMs(config_, attempt)));
        continue;
      }
      std::string m =
          std::string(op) + " " + std::string(location) + ": " + request.method + " " + url + ": " + curl_error;
      if (attempt > 0) m += " (after " + std::to_string(attempt + 1) + " attempts)";
      return RetryableCurlError(rc) ? Status::Unavailable(std::move(m)) : Status::IoError(std::move(m));
    }
    bool ok = response.status >= 200 && response.status < 300;
    if (ok && request.error_may_hide_in_200) {
      std::string_view head = std::string_view(response.body).substr(0, 256);
      if (head.find("<Error>") != std::string_view::npos || head.find("<Error ") != std::string_view::npos) ok = false;
    }
    if (ok) return response;
    S3Error err = ParseS3Error(response.body);
    bool retryable = RetryableHttpStatus(response.status) || RetryableS3Code(err.code);
    if (!last && retryable) {
      std::this_thread::sleep_for(std::chrono::milliseconds(BackoffMs(config_, attempt)));
      continue;
    }
    Status s = HttpError(op, location, response.status, response.body, response.Header("x-amz-bucket-region"));
    if (attempt > 0) s = Status(s.code(), s.message() + " (after " + std::to_string(attempt + 1) + " attempts)");
    return s;
  }
}

Result<std::string> S3FileIO::Read(std::string_view path) {
  FLOE_ASSIGN_OR_RETURN(S3Location loc, ParseS3Location(path));
  Request req{"GET", loc.bucket, loc.key, {}, {}, {}, false};
  FLOE_ASSIGN_OR_RETURN(Response resp, Send(req, "read", path));
  return std::move(resp.body);
}

Result<std::string> S3FileIO::ReadRange(std::string_view path, int64_t offset, int64_t length) {
  FLOE_ASSIGN_OR_RETURN(S3Location loc, ParseS3Location(path));
  if (offset < 0 || length < 0) {
    return Status::InvalidArgument("read " + std::string(path) + ": invalid range offset " + std::to_string(offset) +
                                   " length " + std::to_string(length));
  }
  if (length == 0) {
    // Nothing to transfer, but a missing object is still an error, as it is locally.
    FLOE_RETURN_IF_ERROR(Size(path).status());
    return std::string();
  }
  std::string range = "bytes=" + std::to_string(offset) + "-" + std::to_string(offset + length - 1);
  Request req{"GET", loc.bucket, loc.key, {}, {{"range", range}}, {}, false};
  auto resp = Send(req, "read", path);
  if (!resp.ok()) {
    const std::string& m = resp.status().message();
    if (m.find("HTTP 416") != std::string::npos) {
      std::string prefix = "read " + std::string(path) + ": ";
      return Status::InvalidArgument(prefix + "range starts at offset " + std::to_string(offset) +
                                     ", at or past the end of the object: " +
                                     (m.compare(0, prefix.size(), prefix) == 0 ? m.substr(prefix.size()) : m));
    }
    return resp.status();
  }
  if (resp->status == 206) return std::move(resp->body);
  // 200: the server ignored Range and sent the whole object.
  std::string& all = resp->body;
  if (offset >= static_cast<int64_t>(all.size())) {
    return Status::InvalidArgument("read " + std::string(path) + ": range starts at offset " + std::to_string(offset) +
                                   ", at or past the end of the object (size " + std::to_string(all.size()) + ")");
  }
  return all.substr(static_cast<size_t>(offset), static_cast<size_t>(length));
}

Result<int64_t> S3FileIO::Size(std::string_view path) {
  FLOE_ASSIGN_OR_RETURN(S3Location loc, ParseS3Location(path));
  Request req{"HEAD", loc.bucket, loc.key, {}, {}, {}, false};
  FLOE_ASSIGN_OR_RETURN(Response resp, Send(req, "size", path));
  int64_t size = 0;
  if (!ParseInt64(resp.Header("content-length"), &size)) {
    return Status::Corruption("size " + std::string(path) + ": HEAD response without a valid Content-Length");
  }
  return size;
}

Status S3FileIO::Write(std::string_view path, std::string_view data) {
  FLOE_ASSIGN_OR_RETURN(S3Location loc, ParseS3Location(path));
  if (loc.key.empty()) return Status::InvalidArgument("write " + std::string(path) + ": no object key");
  if (static_cast<int64_t>(data.size()) > config_.multipart_threshold) return WriteMultipart(path, loc, data);
  Request req{"PUT", loc.bucket, loc.key, {}, {}, data, false};
  return Send(req, "write", path).status();
}

Status S3FileIO::WriteIfAbsent(std::string_view path, std::string_view data) {
  FLOE_ASSIGN_OR_RETURN(S3Location loc, ParseS3Location(path));
  if (loc.key.empty()) return Status::InvalidArgument("write " + std::string(path) + " if absent: no object key");
  // S3 conditional writes (If-None-Match: *) on PutObject; one PUT whatever the size, as a conditional multipart
  // upload would only check at CompleteMultipartUpload, after every part was sent.
  Request req{"PUT", loc.bucket, loc.key, {}, {{"if-none-match", "*"}}, data, false};
  int attempts = 0;
  auto resp = Send(req, "write if absent", path, &attempts);
  if (resp.ok()) return Status::Ok();
  const Status& s = resp.status();
  const std::string& m = s.message();
  if (m.find("HTTP 412") != std::string::npos) {
    if (attempts > 1) {
      // An earlier attempt may have created the object and lost its answer (a timeout, a 5xx after the write): the
      // object is ours when it holds exactly our bytes.
      auto existing = Read(path);
      if (existing.ok() && *existing == data) return Status::Ok();
    }
    return Status::AlreadyExists(m);
  }
  if (m.find("HTTP 409") != std::string::npos) {
    return Status::Conflict(m + "; another conditional write of this object was in flight, retry");
  }
  return s;
}

Status S3FileIO::WriteMultipart(std::string_view location, const S3Location& loc, std::string_view data) {
  const int64_t size = static_cast<int64_t>(data.size());
  int64_t part_size = std::max(config_.part_size, (size + FileIOConfig::kMaxParts - 1) / FileIOConfig::kMaxParts);

  Request create{"POST", loc.bucket, loc.key, {{"uploads", ""}}, {}, {}, false};
  FLOE_ASSIGN_OR_RETURN(Response created, Send(create, "write (CreateMultipartUpload)", location));
  FLOE_ASSIGN_OR_RETURN(std::string upload_id, ParseUploadId(created.body));

  auto abort = [&](Status cause) -> Status {
    Request req{"DELETE", loc.bucket, loc.key, {{"uploadId", upload_id}}, {}, {}, false};
    Status aborted = Send(req, "write (AbortMultipartUpload)", location).status();
    std::string m = cause.message() + "; multipart upload " + upload_id;
    m += aborted.ok() ? " aborted"
                      : " NOT aborted (" + aborted.message() +
                            "): its parts stay billed until a "
                            "lifecycle rule removes them";
    return Status(cause.code(), std::move(m));
  };

  std::string complete = "<CompleteMultipartUpload xmlns=\"" + std::string(kS3Namespace) + "\">";
  int part_number = 1;
  for (int64_t offset = 0; offset < size; offset += part_size, ++part_number) {
    std::string_view part = data.substr(static_cast<size_t>(offset), static_cast<size_t>(part_size));
    Request put{"PUT", loc.bucket, loc.key, {{"partNumber", std::to_string(part_number)}, {"uploadId", upload_id}},
                {},    part,       false};
    auto resp = Send(put, "write (UploadPart " + std::to_string(part_number) + ")", location);
    if (!resp.ok()) return abort(resp.status());
    std::string etag = resp->Header("etag");
    if (etag.empty()) {
      return abort(Status::Corruption("write " + std::string(location) + ": UploadPart " + std::to_string(part_number) +
                                      " answered without an ETag"));
    }
    complete +=
        "<Part><PartNumber>" + std::to_string(part_number) + "</PartNumber><ETag>" + XmlEscape(etag) + "</ETag></Part>";
  }
  complete += "</CompleteMultipartUpload>";
  Request done{"POST", loc.bucket, loc.key, {{"uploadId", upload_id}}, {}, complete, true};
  auto resp = Send(done, "write (CompleteMultipartUpload)", location);
  if (!resp.ok()) return abort(resp.status());
  return Status::Ok();
}

Result<std::vector<FileInfo>> S3FileIO::List(std::string_view prefix) {
  FLOE_ASSIGN_OR_RETURN(S3Location loc, ParseS3Location(prefix));
  std::vector<FileInfo> out;
  std::string token;
  for (int page_no = 0;; ++page_no) {
    Request req{"GET", loc.bucket, "", {{"list-type", "2"}, {"encoding-type", "url"}}, {}, {}, false};
    if (!loc.key.empty()) req.query.emplace_back("prefix", loc.key);
    if (!token.empty()) req.query.emplace_back("continuation-token", token);
    FLOE_ASSIGN_OR_RETURN(Response resp, Send(req, "list", prefix));
    auto page = ParseListObjectsV2(resp.body);
    if (!page.ok()) return page.status().WithContext("list " + std::string(prefix));
    for (S3ObjectSummary& obj : page->objects) {
      out.push_back(
          FileInfo{LocationOf(S3Location{loc.scheme, loc.bucket, std::move(obj.key)}), obj.size, obj.mtime_ms});
    }
    if (!page->truncated) break;
    if (page->next_continuation_token.empty() || page->next_continuation_token == token) {
      return Status::Corruption("list " + std::string(prefix) + ": page " + std::to_string(page_no + 1) +
                                " is truncated but gives no new continuation token");
    }
    token = std::move(page->next_continuation_token);
  }
  std::sort(out.begin(), out.end(), [](const FileInfo& a, const FileInfo& b) { return a.path < b.path; });
  return out;
}

Status S3FileIO::Delete(std::string_view path) {
  FLOE_ASSIGN_OR_RETURN(S3Location loc, ParseS3Location(path));
  if (loc.key.empty()) return Status::InvalidArgument("delete " + std::string(path) + ": no object key");
  Request req{"DELETE", loc.bucket, loc.key, {}, {}, {}, false};
  auto resp = Send(req, "delete", path);
  if (!resp.ok() && resp.status().code() == StatusCode::kNotFound &&
      resp.status().message().find("NoSuchBucket") == std::string::npos) {
    return Status::Ok();  // S3 answers 204 for a missing key; other servers 404 NoSuchKey
  }
  return resp.status();
}

Status S3FileIO::DeleteMany(const std::vector<std::string>& paths) {
  Status first;
  auto note = [&](Status s) {
    if (!s.ok() && first.ok()) first = std::move(s);
  };
  std::map<std::string, std::vector<S3Location>> by_bucket;
  for (const std::string& p : paths) {
    auto loc = ParseS3Location(p);
    if (!loc.ok()) {
      note(loc.status().WithContext("delete"));
      continue;
    }
    if (loc->key.empty()) {
      note(Status::InvalidArgument("delete " + p + ": no object key"));
      continue;
    }
    by_bucket[loc->bucket].push_back(std::move(*loc));
  }
  for (const auto& [bucket, locs] : by_bucket) {
    for (size_t begin = 0; begin < locs.size(); begin += kMaxDeleteKeys) {
      size_t end = std::min(locs.size(), begin + kMaxDeleteKeys);
      std::string body = "<Delete xmlns=\"" + std::string(kS3Namespace) + "\"><Quiet>true</Quiet>";
      for (size_t i = begin; i < end; ++i) body += "<Object><Key>" + XmlEscape(locs[i].key) + "</Key></Object>";
      body += "</Delete>";
      std::string what =
          std::to_string(end - begin) + " objects in bucket " + bucket + " (first " + LocationOf(locs[begin]) + ")";
      Request req{"POST", bucket, "", {{"delete", ""}}, {{"content-md5", Md5Base64(body)}}, body, false};
      auto resp = Send(req, "delete", what);
      if (!resp.ok()) {
        note(resp.status());
        continue;
      }
      // Quiet mode lists only the failures.
      for (std::string_view e : XmlAll(resp->body, "Error")) {
        std::string code = XmlFirst(e, "Code").value_or("");
        if (code == "NoSuchKey") continue;
        std::string key = XmlFirst(e, "Key").value_or("");
        note(Status::IoError("delete " + LocationOf(S3Location{locs[begin].scheme, bucket, key}) + ": " + code + ": " +
                             XmlFirst(e, "Message").value_or("")));
      }
    }
  }
  return first;
}

}  // namespace floe::io
