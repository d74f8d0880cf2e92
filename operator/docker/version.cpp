#include "operator/docker/version.h"

#include <charconv>

namespace dw::docker {

namespace {

bool ParseNumber(std::string_view s, int* out) {
  if (s.empty() || s.size() > 6 || s[0] < '0' || s[0] > '9') return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

Status ParseApiVersion(std::string_view text, ApiVersion* out) {
  auto dot = text.find('.');
  if (dot == std::string_view::npos ||
      !ParseNumber(text.substr(0, dot), &out->major) ||
      !ParseNumber(text.substr(dot + 1), &out->minor))
    return Status::BadRequest("invalid Docker API version \"" + std::string(text) + "\"");
  return Status::OK();
}

Status NegotiateApiVersion(std::string_view server_version, const std::string& endpoint,
                           ApiVersion* out) {
  ApiVersion server, max, min;
  Status st = ParseApiVersion(server_version, &server);
  if (!st.ok()) return Status::BadRequest("docker daemon " + endpoint + ": " + st.message());
  ParseApiVersion(kMaxApiVersion, &max);
  ParseApiVersion(kMinApiVersion, &min);
  if (server < min)
    return Status::Invalid("docker daemon " + endpoint + " speaks API " + server.ToString() +
                           " but dockward needs at least " + min.ToString());
  *out = std::min(server, max);
  return Status::OK();
}

}  // namespace dw::docker
