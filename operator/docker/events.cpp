// GET /events: line-delimited JSON, parsed one line at a time as it arrives.
#include "operator/docker/client.h"
#include "operator/docker/errors.h"

namespace dw::docker {

Status ParseEvent(std::string_view line, Event* out) {
  json::Document doc;
  DW_RETURN_IF_ERROR(json::Parse(line, &doc));
  if (!doc.IsObject()) return Status::BadRequest("docker event is not a JSON object");
  out->type = json::GetString(doc, "Type");
  out->action = json::GetString(doc, "Action");
  out->time_nano = json::GetInt(doc, "timeNano");
  out->attributes.clear();
  out->id.clear();
  if (const auto* actor = json::Find(doc, "Actor")) {
    out->id = json::GetString(*actor, "ID");
    if (const auto* attrs = json::Find(*actor, "Attributes"); attrs && attrs->IsObject())
      for (const auto& m : attrs->GetObject())
        if (m.value.IsString()) out->attributes[m.name.GetString()] = m.value.GetString();
  }
  if (out->id.empty()) out->id = json::GetString(doc, "id");  // pre-1.22 field
  return Status::OK();
}

Status DockerClient::StreamEvents(http::Client* client, const Filters& filters,
                                  const std::string& since,
                                  const std::function<bool(const Event&)>& on_event,
                                  std::chrono::milliseconds idle_timeout) {
  DW_RETURN_IF_ERROR(EnsureNegotiated());
  std::string query;
  std::string fq = FiltersQuery(filters);
  if (!fq.empty()) query += "&" + fq;
  if (!since.empty()) query += "&since=" + http::QueryEscape(since);
  http::Request req;
  req.target = Prefix() + "/events" + (query.empty() ? "" : "?" + query.substr(1));
  std::string pending;  // an incomplete line carried to the next fragment
  Status parse_error;
  http::Response head;
  std::string error_body;
  auto on_data = [&](std::string_view d) {
    if (head.status >= 300) {  // an error document, not events
      if (error_body.size() < 4096) error_body.append(d);
      return true;
    }
    pending.append(d);
    size_t start = 0, nl;
    while ((nl = pending.find('\n', start)) != std::string::npos) {
      std::string_view line(pending.data() + start, nl - start);
      start = nl + 1;
      if (line.empty()) continue;
      Event ev;
      parse_error = ParseEvent(line, &ev);
      if (!parse_error.ok() || !on_event(ev)) return false;
    }
    pending.erase(0, start);
    return true;
  };
  DW_RETURN_IF_ERROR(client->Stream(req, on_data, &head, idle_timeout));
  if (head.status >= 300) return StatusFromResponse(head.status, error_body, cfg_.endpoint);
  if (!parse_error.ok())
    return Status::Internal("docker events from " + cfg_.endpoint + ": " + parse_error.message());
  return Status::OK();
}

}  // namespace dw::docker
