// AWS Signature Version 4: signs an HTTP request with HMAC-SHA256 so that S3 (or any AWS-style service) accepts it.
//
// Implements "Create a signed AWS API request" of the IAM user guide (canonical request, string to sign, signing
// key, Authorization header) with the S3 rules of "Authenticating Requests: Using the Authorization Header":
// the path is URI-encoded once, with '/' kept, and never normalised (S3 keys may contain "//" or "."); the payload
// hash is the real SHA-256 of the body, sent in x-amz-content-sha256 (floe never uses UNSIGNED-PAYLOAD).
// Tested against AWS's published test suite and the S3 examples (tests/unit/io/aws_sigv4_test.cpp).
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace floe::io {

struct AwsCredentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // temporary credentials (STS) only; sent as x-amz-security-token and signed
};

// One request as SigV4 sees it. Every header in `headers` is signed, so list exactly the headers that will be sent
// (at least `host`); names may be in any case and may repeat (repeated values are joined with ',').
struct SigV4Request {
  std::string method;  // "GET", "PUT", ...
  std::string path;    // decoded, starting with '/': "/bucket/dir/a b.parquet"; encoded by AwsUriEncode(keep '/')
  std::vector<std::pair<std::string, std::string>> query;    // decoded name/value pairs, any order
  std::vector<std::pair<std::string, std::string>> headers;  // name/value as sent
  std::string payload_hash;                                  // lowercase hex SHA-256 of the body
};

// Lowercase hex of bytes.
std::string HexEncode(std::string_view bytes);
// SHA-256 of `data` as 64 lowercase hex digits. The hash of the empty string is kEmptyPayloadSha256.
std::string Sha256Hex(std::string_view data);
inline constexpr std::string_view kEmptyPayloadSha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
// HMAC-SHA256 of `data` under `key`: 32 raw bytes.
std::string HmacSha256(std::string_view key, std::string_view data);

// Percent-encodes everything but the unreserved characters A-Z a-z 0-9 - . _ ~ as %XY (uppercase hex), byte by
// byte, so UTF-8 becomes %E1%88%B4. With `keep_slash`, '/' stays as is (object key paths); query names and values
// encode it as %2F.
std::string AwsUriEncode(std::string_view s, bool keep_slash);
// Decodes %XY escapes (and nothing else; '+' stays '+'). Malformed escapes are kept verbatim.
std::string UriDecode(std::string_view s);

// "20150830T123600Z" (ISO 8601 basic, UTC), the x-amz-date format; its first 8 characters are the scope date.
std::string AmzDate(std::chrono::system_clock::time_point t);

// The canonical query string: names and values encoded, pairs sorted by name then value, "name=value" joined with
// '&' (an empty value gives "name="). It is also a valid query string to send.
std::string CanonicalQueryString(const std::vector<std::pair<std::string, std::string>>& query);
// "host;range;x-amz-date": lowercase header names, sorted, deduplicated.
std::string SignedHeaders(const SigV4Request& request);
// The six lines of the canonical request: method, encoded path, canonical query, canonical headers (lowercase
// name, value trimmed with inner whitespace runs collapsed to one space), signed headers, payload hash.
std::string CanonicalRequest(const SigV4Request& request);
// "YYYYMMDD/region/service/aws4_request".
std::string CredentialScope(std::string_view amz_date, std::string_view region, std::string_view service);
// "AWS4-HMAC-SHA256\n<amz_date>\n<scope>\n<hex sha256 of the canonical request>".
std::string StringToSign(std::string_view amz_date, std::string_view region, std::string_view service,
                         std::string_view canonical_request);
// kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request"): 32 raw bytes.
std::string SigningKey(std::string_view secret_access_key, std::string_view date, std::string_view region,
                       std::string_view service);

// Adds x-amz-date (and x-amz-security-token when the credentials have a session token) to `request->headers` and
// returns the Authorization header value:
// "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/s3/aws4_request, SignedHeaders=..., Signature=<64 hex>".
// `signature_out`, when given, receives the bare signature.
std::string SignRequest(SigV4Request* request, const AwsCredentials& credentials, std::string_view region,
                        std::string_view service, std::string_view amz_date, std::string* signature_out = nullptr);

}  // namespace floe::io
