// Status and Result<T>: the one error style across floe's library boundaries (no exceptions cross them).
//
// A Status is either OK or a code plus a message that says what failed, on which input, and what the user can do,
// e.g. "config /etc/floe.toml: line 3: unknown key 'broker.no_such_key'".
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace floe {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,  // the caller's input is wrong: bad flag, bad config, malformed request
  kNotFound,         // a named thing does not exist: file, topic, table
  kAlreadyExists,
  kCorruption,   // stored data failed a check: CRC, magic, truncated structure
  kIoError,      // the OS refused: open, read, write, bind
  kConflict,     // optimistic concurrency lost: someone else committed first
  kUnavailable,  // a peer or resource is temporarily not reachable
  kUnsupported,  // valid but not implemented: a protocol version, a SQL construct
  kInternal,     // a bug in floe
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
  static Status Corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }
  static Status IoError(std::string m) { return {StatusCode::kIoError, std::move(m)}; }
  static Status Conflict(std::string m) { return {StatusCode::kConflict, std::move(m)}; }
  static Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
  static Status Unsupported(std::string m) { return {StatusCode::kUnsupported, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }
  // An IoError whose message ends with the OS's explanation of errno.
  static Status FromErrno(int err, std::string context);

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "IoError: open /x: No such file or directory"; "OK" for success.
  std::string ToString() const;

  // Returns a copy whose message is prefixed with `context: `, for adding where an error happened.
  Status WithContext(std::string_view context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Result<T> holds a T or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!std::get<Status>(v_).ok() && "Result constructed from an OK Status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace floe

// Propagates a non-OK Status from an expression returning Status.
#define FLOE_RETURN_IF_ERROR(expr)               \
  do {                                           \
    ::floe::Status floe_status_ = (expr);        \
    if (!floe_status_.ok()) return floe_status_; \
  } while (0)

#define FLOE_CONCAT_INNER(a, b) a##b
#define FLOE_CONCAT(a, b) FLOE_CONCAT_INNER(a, b)
// `FLOE_ASSIGN_OR_RETURN(auto x, Foo());` binds the value of a Result or returns its Status.
#define FLOE_ASSIGN_OR_RETURN(lhs, expr) FLOE_ASSIGN_OR_RETURN_IMPL(FLOE_CONCAT(floe_result_, __LINE__), lhs, expr)
#define FLOE_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                               \
  if (!tmp.ok()) return tmp.status();              \
  lhs = std::move(tmp).value()
