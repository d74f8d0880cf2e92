#include "operator/docker/json_lines.h"

#include "operator/docker/api_counter.h"
#include "operator/docker/errors.h"

namespace dw::docker {

namespace {
// Events and stats documents are a few KiB; a "line" larger than this is
// not one of them.
constexpr size_t kMaxLine = 1 << 20;
}  // namespace

Status StreamJsonLines(http::Client* client, const http::Request& req,
                       std::chrono::milliseconds idle_timeout, const std::string& what,
                       const std::string& endpoint,
                       const std::function<bool(std::string_view line, Status* stop_error)>& on_line) {
  std::string pending;  // an incomplete line carried to the next fragment
  Status line_error;
  http::Response head;
  std::string error_body;
  auto on_data = [&](std::string_view d) {
    if (head.status >= 300) {  // an error document, not the stream
      if (error_body.size() < 4096) error_body.append(d);
      return true;
    }
    pending.append(d);
    size_t start = 0, nl;
    while ((nl = pending.find('\n', start)) != std::string::npos) {
      std::string_view line(pending.data() + start, nl - start);
      start = nl + 1;
      if (line.empty()) continue;
      if (!on_line(line, &line_error) || !line_error.ok()) return false;
    }
    pending.erase(0, start);
    if (pending.size() > kMaxLine) {
      line_error = Status::Internal("a line exceeds 1 MiB");
      return false;
    }
    return true;
  };
  NoteApiRequest();
  DW_RETURN_IF_ERROR(client->Stream(req, on_data, &head, idle_timeout));
  if (head.status >= 300) return StatusFromResponse(head.status, error_body, endpoint);
  if (!line_error.ok()) return Status::Internal(what + " from " + endpoint + ": " + line_error.message());
  return Status::OK();
}

}  // namespace dw::docker
