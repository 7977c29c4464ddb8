#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include <fmt/core.h>

namespace kairos {

// Expected failures are values (STYLE.md #5). Stored values of StatusCode must not change.
enum class StatusCode : uint8_t {
  kOk = 0,
  kInvalidArgument = 1,     // bad input: a malformed number, an impossible bar, a bad rule
  kNotFound = 2,            // a symbol, a file, an id that does not exist
  kAlreadyExists = 3,       // a unique thing created twice
  kFailedPrecondition = 4,  // the system is not in a state that allows the operation
  kOutOfRange = 5,          // a date outside a calendar's coverage, an index past the end
  kCorruption = 6,          // stored data failed a checksum or a structural check
  kIOError = 7,             // the operating system said no
  kUnavailable = 8,         // a remote peer did not answer; may succeed on retry
  kInternal = 9,            // a third-party library failed in a way we did not expect
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }
  static Status InvalidArgument(std::string m) {
    return {StatusCode::kInvalidArgument, std::move(m)};
  }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
  static Status FailedPrecondition(std::string m) {
    return {StatusCode::kFailedPrecondition, std::move(m)};
  }
  static Status OutOfRange(std::string m) { return {StatusCode::kOutOfRange, std::move(m)}; }
  static Status Corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }
  static Status IOError(std::string m) { return {StatusCode::kIOError, std::move(m)}; }
  static Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "invalid argument: <message>", or "OK".
  std::string ToString() const;

  // Returns a copy whose message is "<context>: <message>".
  Status WithContext(std::string_view context) const;

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_;
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

}  // namespace kairos

#define KAIROS_STATUS_CONCAT_INNER_(a, b) a##b
#define KAIROS_STATUS_CONCAT_(a, b) KAIROS_STATUS_CONCAT_INNER_(a, b)

// Returns from the enclosing function if `expr` (a Status) is not OK.
#define KAIROS_RETURN_IF_ERROR(expr)                 \
  do {                                               \
    ::kairos::Status kairos_status_ = (expr);        \
    if (!kairos_status_.ok()) return kairos_status_; \
  } while (0)
