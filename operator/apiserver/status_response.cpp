#include "operator/apiserver/status_response.h"

#include "operator/json/json.h"

namespace dw::apiserver {

std::string StatusJson(const Status& st, const StatusDetails& sd) {
  json::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  d.AddMember("kind", "Status", a);
  d.AddMember("apiVersion", "v1", a);
  d.AddMember("metadata", json::Value(rapidjson::kObjectType), a);
  d.AddMember("status", st.ok() ? "Success" : "Failure", a);
  d.AddMember("message", json::Str(st.message(), a), a);
  d.AddMember("reason", json::Str(ReasonOf(st.code()), a), a);
  bool has_ref = !sd.name.empty() || !sd.kind.empty();
  if (!st.ok() && (has_ref || !st.causes().empty())) {
    json::Value details(rapidjson::kObjectType);
    if (!sd.name.empty()) details.AddMember("name", json::Str(sd.name, a), a);
    if (!sd.group.empty()) details.AddMember("group", json::Str(sd.group, a), a);
    if (!sd.kind.empty()) details.AddMember("kind", json::Str(sd.kind, a), a);
    json::Value causes(rapidjson::kArrayType);
    for (const auto& c : st.causes()) {
      json::Value cv(rapidjson::kObjectType);
      cv.AddMember("reason", json::Str(c.type, a), a);
      cv.AddMember("message", json::Str(c.message, a), a);
      cv.AddMember("field", json::Str(c.field, a), a);
      causes.PushBack(cv, a);
    }
    if (!causes.Empty()) details.AddMember("causes", causes, a);
    d.AddMember("details", details, a);
  }
  d.AddMember("code", HttpCode(st.code()), a);
  return json::Serialize(d);
}

int WriteStatus(ResponseWriter& w, const Status& st, const StatusDetails& details) {
  int code = HttpCode(st.code());
  w.Send(code, "application/json", StatusJson(st, details));
  return code;
}

}  // namespace dw::apiserver
