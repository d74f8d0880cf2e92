#include "operator/common/status.h"

namespace dw {

int HttpCode(Code code) {
  switch (code) {
    case Code::kOk: return 200;
    case Code::kNotFound: return 404;
    case Code::kAlreadyExists: return 409;
    case Code::kConflict: return 409;
    case Code::kInvalid: return 422;
    case Code::kBadRequest: return 400;
    case Code::kUnauthorized: return 401;
    case Code::kForbidden: return 403;
    case Code::kGone: return 410;
    case Code::kTooLarge: return 413;
    case Code::kMethodNotAllowed: return 405;
    case Code::kUnsupportedMediaType: return 415;
    case Code::kNotAcceptable: return 406;
    case Code::kTimeout: return 504;
    case Code::kUnavailable: return 503;
    case Code::kInternal:
    case Code::kIOError:
    case Code::kCorruption: return 500;
  }
  return 500;
}

const char* ReasonOf(Code code) {
  switch (code) {
    case Code::kOk: return "";
    case Code::kNotFound: return "NotFound";
    case Code::kAlreadyExists: return "AlreadyExists";
    case Code::kConflict: return "Conflict";
    case Code::kInvalid: return "Invalid";
    case Code::kBadRequest: return "BadRequest";
    case Code::kUnauthorized: return "Unauthorized";
    case Code::kForbidden: return "Forbidden";
    case Code::kGone: return "Expired";
    case Code::kTooLarge: return "RequestEntityTooLarge";
    case Code::kMethodNotAllowed: return "MethodNotAllowed";
    case Code::kUnsupportedMediaType: return "UnsupportedMediaType";
    case Code::kNotAcceptable: return "NotAcceptable";
    case Code::kTimeout: return "Timeout";
    case Code::kUnavailable: return "ServiceUnavailable";
    case Code::kInternal:
    case Code::kIOError:
    case Code::kCorruption: return "InternalError";
  }
  return "InternalError";
}

Code CodeFromReason(const std::string& reason, int http_code) {
  static const Code kAll[] = {Code::kNotFound, Code::kAlreadyExists, Code::kConflict,
                              Code::kInvalid, Code::kBadRequest, Code::kUnauthorized,
                              Code::kForbidden, Code::kGone, Code::kTooLarge,
                              Code::kMethodNotAllowed, Code::kUnsupportedMediaType,
                              Code::kNotAcceptable, Code::kTimeout, Code::kUnavailable};
  for (Code c : kAll)
    if (reason == ReasonOf(c)) return c;
  for (Code c : kAll)
    if (http_code == HttpCode(c)) return c;
  if (http_code >= 200 && http_code < 300) return Code::kOk;
  return Code::kInternal;
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string s = ReasonOf(code_);
  s += ": ";
  s += message_;
  for (const auto& c : causes_) {
    s += "\n  * ";
    if (!c.field.empty()) s += c.field + ": ";
    s += c.message;
  }
  return s;
}

}  // namespace dw
