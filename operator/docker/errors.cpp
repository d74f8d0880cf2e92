#include "operator/docker/errors.h"

#include "operator/json/json.h"

namespace dw::docker {

namespace {

// Docker's message, or the raw body (trimmed, bounded) when it is not JSON.
std::string MessageOf(std::string_view body) {
  json::Document doc;
  if (json::Parse(body, &doc).ok() && doc.IsObject()) {
    std::string m = json::GetString(doc, "message");
    if (!m.empty()) return m;
  }
  std::string raw(body.substr(0, 512));
  while (!raw.empty() && (raw.back() == '\n' || raw.back() == '\r' || raw.back() == ' '))
    raw.pop_back();
  return raw;
}

}  // namespace

Status StatusFromResponse(int http_status, std::string_view body, const std::string& endpoint) {
  if (http_status >= 200 && http_status < 300) return Status::OK();
  std::string msg = MessageOf(body);
  if (msg.empty()) msg = "HTTP " + std::to_string(http_status);
  switch (http_status) {
    case 400: return Status::BadRequest(msg);
    case 401: return Status::Unauthorized(msg);
    case 403: return Status::Forbidden(msg);
    case 404: return Status::NotFound(msg);
    case 409: return Status::Conflict(msg);
    default: break;
  }
  if (http_status >= 500)
    return Status::Unavailable("docker daemon " + endpoint + ": " + msg + " (HTTP " +
                               std::to_string(http_status) + ")");
  return Status::BadRequest(msg + " (HTTP " + std::to_string(http_status) + ")");
}

bool IsTransient(const Status& st) {
  return st.code() == Code::kUnavailable || st.code() == Code::kTimeout;
}

}  // namespace dw::docker
