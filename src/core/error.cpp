#include "core/error.hpp"

namespace gatehouse::core {

const char* CodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return "ValidationError";
    case ErrorCode::kUnauthenticated: return "Unauthorized";
    case ErrorCode::kPermissionDenied: return "InsufficientPermission";
    case ErrorCode::kNotFound: return "NotFound";
    case ErrorCode::kMethodNotAllowed: return "MethodNotAllowed";
    case ErrorCode::kAlreadyExists: return "AlreadyExists";
    case ErrorCode::kFailedPrecondition: return "FailedPrecondition";
    case ErrorCode::kPayloadTooLarge: return "PayloadTooLarge";
    case ErrorCode::kRateLimited: return "RateLimited";
    case ErrorCode::kInternal: return "InternalError";
    case ErrorCode::kUnavailable: return "ServiceUnavailable";
  }
  return "InternalError";
}

namespace {
Error Make(ErrorCode code, std::string name, std::string message, std::string internal = {}) {
  Error e;
  e.code = code;
  e.name = std::move(name);
  e.public_message = std::move(message);
  e.internal_message = std::move(internal);
  return e;
}
}  // namespace

Error InvalidArgument(std::string message, std::vector<FieldError> details) {
  Error e = Make(ErrorCode::kInvalidArgument, {}, std::move(message));
  e.details = std::move(details);
  return e;
}

Error Validation(std::vector<FieldError> details) {
  return InvalidArgument("Validation error", std::move(details));
}

Error Unauthenticated(std::string message) {
  return Make(ErrorCode::kUnauthenticated, {}, std::move(message));
}

Error PermissionDenied(std::string message, std::string name) {
  return Make(ErrorCode::kPermissionDenied, std::move(name), std::move(message));
}

Error NotFound(std::string message, std::string name) {
  return Make(ErrorCode::kNotFound, std::move(name), std::move(message));
}

Error AlreadyExists(std::string message, std::string name) {
  return Make(ErrorCode::kAlreadyExists, std::move(name), std::move(message));
}

Error FailedPrecondition(std::string message, std::string name) {
  return Make(ErrorCode::kFailedPrecondition, std::move(name), std::move(message));
}

Error RateLimited(std::string message) {
  return Make(ErrorCode::kRateLimited, {}, std::move(message));
}

Error Unavailable(std::string internal, std::string message) {
  return Make(ErrorCode::kUnavailable, {}, std::move(message), std::move(internal));
}

Error Internal(std::string internal) {
  return Make(ErrorCode::kInternal, {}, "Internal server error", std::move(internal));
}

}  // namespace gatehouse::core
