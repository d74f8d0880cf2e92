// Status: the result type that crosses layer boundaries (store, registry,
// apiserver, cli). Exceptions never cross a layer; a Status does.
// Codes map one-to-one onto Kubernetes StatusReason values so the apiserver
// can turn any Status into a metav1.Status object without guessing.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace dw {

enum class Code {
  kOk = 0,
  kNotFound,               // 404 NotFound
  kAlreadyExists,          // 409 AlreadyExists
  kConflict,               // 409 Conflict (stale resourceVersion)
  kInvalid,                // 422 Invalid (with field causes)
  kBadRequest,             // 400 BadRequest (malformed body, bad query)
  kUnauthorized,           // 401 Unauthorized
  kForbidden,              // 403 Forbidden
  kGone,                   // 410 Expired (watch/list from a compacted rv)
  kTooLarge,               // 413 RequestEntityTooLarge
  kMethodNotAllowed,       // 405 MethodNotAllowed
  kUnsupportedMediaType,   // 415 UnsupportedMediaType
  kNotAcceptable,          // 406 NotAcceptable
  kTimeout,                // 504 Timeout
  kUnavailable,            // 503 ServiceUnavailable
  kInternal,               // 500 InternalError
  kIOError,                // 500 InternalError (disk, fsync, ENOSPC)
  kCorruption,             // 500 InternalError (store file damaged)
};

// One failing field, as in metav1.StatusCause.
struct FieldCause {
  std::string type;     // FieldValueRequired, FieldValueInvalid, FieldValueNotSupported,
                        // FieldValueTypeInvalid, FieldValueDuplicate, FieldValueTooLong,
                        // FieldValueForbidden, FieldManagerConflict
  std::string field;    // e.g. "spec.schedule" or "spec.targets[0].engine"
  std::string message;  // human readable, never contains secret values
};

class Status {
 public:
  Status() = default;
  Status(Code code, std::string message, std::vector<FieldCause> causes = {})
      : code_(code), message_(std::move(message)), causes_(std::move(causes)) {}

  static Status OK() { return Status(); }
  static Status NotFound(std::string m) { return Status(Code::kNotFound, std::move(m)); }
  static Status AlreadyExists(std::string m) { return Status(Code::kAlreadyExists, std::move(m)); }
  static Status Conflict(std::string m) { return Status(Code::kConflict, std::move(m)); }
  static Status Invalid(std::string m, std::vector<FieldCause> c = {}) {
    return Status(Code::kInvalid, std::move(m), std::move(c));
  }
  static Status BadRequest(std::string m) { return Status(Code::kBadRequest, std::move(m)); }
  static Status Unauthorized(std::string m) { return Status(Code::kUnauthorized, std::move(m)); }
  static Status Forbidden(std::string m) { return Status(Code::kForbidden, std::move(m)); }
  static Status Gone(std::string m) { return Status(Code::kGone, std::move(m)); }
  static Status TooLarge(std::string m) { return Status(Code::kTooLarge, std::move(m)); }
  static Status Internal(std::string m) { return Status(Code::kInternal, std::move(m)); }
  static Status IOError(std::string m) { return Status(Code::kIOError, std::move(m)); }
  static Status Corruption(std::string m) { return Status(Code::kCorruption, std::move(m)); }
  static Status Unavailable(std::string m) { return Status(Code::kUnavailable, std::move(m)); }
  static Status Timeout(std::string m) { return Status(Code::kTimeout, std::move(m)); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  const std::vector<FieldCause>& causes() const { return causes_; }
  std::vector<FieldCause>& mutable_causes() { return causes_; }

  bool IsNotFound() const { return code_ == Code::kNotFound; }
  bool IsConflict() const { return code_ == Code::kConflict; }
  bool IsAlreadyExists() const { return code_ == Code::kAlreadyExists; }

  // "NotFound: backuppolicies.dockward.io \"x\" not found" style text for logs/CLI.
  std::string ToString() const;

 private:
  Code code_ = Code::kOk;
  std::string message_;
  std::vector<FieldCause> causes_;
};

// HTTP status code and Kubernetes reason string for a Code.
int HttpCode(Code code);
const char* ReasonOf(Code code);
// Inverse of ReasonOf/HttpCode, for clients decoding a metav1.Status.
Code CodeFromReason(const std::string& reason, int http_code);

}  // namespace dw

// Propagates a non-OK Status to the caller.
#define DW_RETURN_IF_ERROR(expr)          \
  do {                                    \
    ::dw::Status _dw_st = (expr);         \
    if (!_dw_st.ok()) return _dw_st;      \
  } while (0)
