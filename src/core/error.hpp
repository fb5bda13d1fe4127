// Error and Result: how every domain, store and security function reports failure.
//
//   Result<User> FindUser(std::string_view id);
//   auto user = FindUser(id);
//   if (!user) return user.error();          // propagate; http/ maps it to a status once
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace gatehouse::core {

// A small closed set, in the spirit of abseil's StatusCode. The HTTP status for each code is
// decided in exactly one place (http/envelope.cpp). When adding a value, also update
// HttpStatusFor() there and CodeName() in error.cpp.
enum class ErrorCode {
  kInvalidArgument,     // 400: the request is malformed or fails validation
  kUnauthenticated,     // 401: no or bad credentials
  kPermissionDenied,    // 403: authenticated, but not allowed
  kNotFound,            // 404
  kMethodNotAllowed,    // 405
  kAlreadyExists,       // 409: unique constraint, duplicate
  kFailedPrecondition,  // 409: the resource is in a state that forbids the action
  kPayloadTooLarge,     // 413
  kRateLimited,         // 429
  kInternal,            // 500: a bug or an unexpected failure; details only in the log
  kUnavailable,         // 503: overloaded or a dependency (the store) is down; retry later
};

// Default machine-readable name sent as the envelope's "error" field.
const char* CodeName(ErrorCode code);

// One failed field of a validation error: {"path":["roles",2],"message":"..."}.
struct FieldError {
  std::vector<std::string> path;
  std::string message;
};

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string name;              // machine code for clients, e.g. "UserNotFound"; empty = CodeName
  std::string public_message;    // safe to show to the client
  std::string internal_message;  // logged with the request id, never sent
  std::vector<FieldError> details;
  int retry_after_seconds = 0;   // > 0: tell the client when to retry (429, 503)
  // Extra response headers, e.g. X-RateLimit-* on a 429 (names as sent; values never secret).
  std::vector<std::pair<std::string, std::string>> headers{};

  const char* Name() const { return name.empty() ? CodeName(code) : name.c_str(); }
};

// Constructors for the common cases; `name` overrides the default machine code.
Error InvalidArgument(std::string message, std::vector<FieldError> details = {});
Error Validation(std::vector<FieldError> details);
Error Unauthenticated(std::string message = "Unauthorized");
Error PermissionDenied(std::string message = "Insufficient permissions",
                       std::string name = "InsufficientPermission");
Error NotFound(std::string message, std::string name = "NotFound");
Error AlreadyExists(std::string message, std::string name = "AlreadyExists");
Error FailedPrecondition(std::string message, std::string name = "FailedPrecondition");
Error RateLimited(std::string message = "Too many requests");
Error Unavailable(std::string internal, std::string message = "Service temporarily unavailable");
Error Internal(std::string internal);

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : state_(std::move(error)) {}  // NOLINT

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { assert(ok()); return std::get<0>(state_); }
  const T& value() const& { assert(ok()); return std::get<0>(state_); }
  T&& value() && { assert(ok()); return std::get<0>(std::move(state_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const& { assert(!ok()); return std::get<1>(state_); }
  Error&& error() && { assert(!ok()); return std::get<1>(std::move(state_)); }

 private:
  std::variant<T, Error> state_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const& { assert(!ok_); return error_; }
  Error&& error() && { assert(!ok_); return std::move(error_); }

 private:
  Error error_;
  bool ok_ = true;
};

using Status = Result<void>;

}  // namespace gatehouse::core
