// GET /events: line-delimited JSON, parsed one line at a time as it arrives.
#include "operator/docker/client.h"
#include "operator/docker/json_lines.h"

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
  return StreamJsonLines(client, req, idle_timeout, "docker events", cfg_.endpoint,
                         [&](std::string_view line, Status* err) {
                           Event ev;
                           *err = ParseEvent(line, &ev);
                           return err->ok() && on_event(ev);
                         });
}

}  // namespace dw::docker
