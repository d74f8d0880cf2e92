#include "operator/cli/api.h"

namespace dw::cli {

namespace {

// "host:port" from the server URL, as kubectl names it.
std::string HostPort(const std::string& server) {
  auto sep = server.find("://");
  std::string rest = sep == std::string::npos ? server : server.substr(sep + 3);
  return rest.substr(0, rest.find('/'));
}

// One metav1.StatusCause as kubectl prints it.
std::string CauseText(const json::Value& c) {
  std::string field = json::GetString(c, "field");
  std::string msg = json::GetString(c, "message");
  return field.empty() ? msg : field + ": " + msg;
}

Status UserErrorIfBad(const Status& st) { return st.ok() ? st : UserError(st); }

}  // namespace

Status ServerError(int http_status, const std::string& body) {
  json::Document doc;
  bool is_status = json::Parse(body, &doc).ok() && doc.IsObject() &&
                   json::GetString(doc, "kind") == "Status";
  if (!is_status) {
    Code code = CodeFromReason("", http_status);
    std::string text = body.empty() ? "the server returned HTTP " + std::to_string(http_status)
                                    : body;
    while (!text.empty() && text.back() == '\n') text.pop_back();
    return Status(code, "Error from server (" + std::string(ReasonOf(code)) + "): " + text);
  }
  std::string reason = json::GetString(doc, "reason");
  int code_num = static_cast<int>(json::GetInt(doc, "code", http_status));
  Code code = CodeFromReason(reason, code_num);
  std::string message = json::GetString(doc, "message");
  std::vector<FieldCause> causes;
  const json::Value* details = json::Find(doc, "details");
  const json::Value* jc = details ? json::Find(*details, "causes") : nullptr;
  if (jc && jc->IsArray())
    for (const auto& c : jc->GetArray())
      causes.push_back({json::GetString(c, "reason"), json::GetString(c, "field"),
                        json::GetString(c, "message")});
  if (code == Code::kInvalid && details) {
    // kubectl: The BackupPolicy "x" is invalid: one cause, or a bullet list.
    std::string kind = json::GetString(*details, "kind");
    std::string name = json::GetString(*details, "name");
    std::string text = kind.empty() && name.empty()
                           ? "The request is invalid"
                           : "The " + kind + " \"" + name + "\" is invalid";
    if (jc && jc->IsArray() && jc->Size() == 1) {
      text += ": " + CauseText((*jc)[0]);
    } else if (jc && jc->IsArray() && jc->Size() > 1) {
      text += ": ";
      for (const auto& c : jc->GetArray()) text += "\n* " + CauseText(c);
    } else if (!message.empty()) {
      text = message;
    }
    return Status(code, text, std::move(causes));
  }
  if (reason.empty()) reason = ReasonOf(code);
  return Status(code, "Error from server (" + reason + "): " + message, std::move(causes));
}

ApiClient::ApiClient(const http::ClientConfig& cfg) : server_(cfg.server), http_(cfg) {}

Status ApiClient::Transport(const Status& st) const {
  if (st.message().find("connection refused") != std::string::npos)
    return Status(st.code(), "The connection to the server " + HostPort(server_) +
                                 " was refused - did you specify the right host or port?");
  return Status(st.code(), "Unable to connect to the server: " + st.message());
}

Status ApiClient::Get(const std::string& path, json::Document* out, const std::string& accept) {
  http::Request req;
  req.target = path;
  req.headers["Accept"] = accept.empty() ? "application/json" : accept;
  http::Response resp;
  Status st = http_.Do(req, &resp);
  if (!st.ok()) return Transport(st);
  if (resp.status < 200 || resp.status >= 300) return ServerError(resp.status, resp.body);
  st = json::Parse(resp.body, out);
  if (!st.ok()) return Status::Internal("error: invalid JSON from server: " + st.message());
  return Status::OK();
}

Status ApiClient::Send(const std::string& method, const std::string& path,
                       const std::string& body, const std::string& content_type,
                       json::Document* out) {
  http::Request req;
  req.method = method;
  req.target = path;
  req.body = body;
  req.headers["Accept"] = "application/json";
  if (!content_type.empty()) req.headers["Content-Type"] = content_type;
  http::Response resp;
  Status st = http_.Do(req, &resp);
  if (!st.ok()) return Transport(st);
  if (resp.status < 200 || resp.status >= 300) return ServerError(resp.status, resp.body);
  if (out && !resp.body.empty()) {
    st = json::Parse(resp.body, out);
    if (!st.ok()) return Status::Internal("error: invalid JSON from server: " + st.message());
  }
  return Status::OK();
}

Status ApiClient::Watch(
    const std::string& path, const std::string& accept,
    const std::function<bool(const std::string&, const json::Value&)>& on_event,
    std::chrono::milliseconds idle) {
  http::Request req;
  req.target = path;
  req.headers["Accept"] = accept.empty() ? "application/json" : accept;
  http::Response head;
  std::string pending;
  std::string error_body;
  Status handler_error;
  auto on_data = [&](std::string_view data) {
    if (head.status >= 300) {  // an error Status, not an event stream
      error_body.append(data);
      return true;
    }
    pending.append(data);
    size_t nl;
    // Events are one JSON document per line.
    while ((nl = pending.find('\n')) != std::string::npos) {
      std::string line = pending.substr(0, nl);
      pending.erase(0, nl + 1);
      if (line.find_first_not_of(" \r\t") == std::string::npos) continue;
      json::Document ev;
      Status st = json::Parse(line, &ev);
      if (!st.ok()) {
        handler_error = Status::Internal("error: invalid watch event: " + st.message());
        return false;
      }
      const json::Value* obj = json::Find(ev, "object");
      if (!obj) continue;
      std::string type = json::GetString(ev, "type");
      if (type == "ERROR") {
        handler_error = ServerError(static_cast<int>(json::GetInt(*obj, "code", 500)),
                                    json::Serialize(*obj));
        return false;
      }
      if (!on_event(type, *obj)) return false;
    }
    return true;
  };
  Status st = http_.Stream(req, on_data, &head, idle);
  if (!st.ok()) return Transport(st);
  if (head.status >= 300) return ServerError(head.status, error_body);
  return handler_error;
}

Status ApiClient::Discover(RestMapper* out) {
  json::Document core;
  DW_RETURN_IF_ERROR(Get("/api/v1", &core));
  DW_RETURN_IF_ERROR(UserErrorIfBad(out->AddResourceList(core)));
  json::Document groups;
  DW_RETURN_IF_ERROR(Get("/apis", &groups));
  const json::Value* arr = json::Find(groups, "groups");
  if (!arr || !arr->IsArray()) return Status::OK();
  for (const auto& g : arr->GetArray()) {
    const json::Value* pv = json::Find(g, "preferredVersion");
    std::string gv = pv ? json::GetString(*pv, "groupVersion") : "";
    if (gv.empty()) continue;
    json::Document list;
    DW_RETURN_IF_ERROR(Get("/apis/" + gv, &list));
    DW_RETURN_IF_ERROR(UserErrorIfBad(out->AddResourceList(list)));
  }
  return Status::OK();
}

}  // namespace dw::cli
