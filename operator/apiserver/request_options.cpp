#include "operator/apiserver/request_options.h"

#include <set>

#include "operator/common/base64.h"

namespace dw::apiserver {

namespace {

const std::set<std::string>& ExtraFieldLabels(const schema::ResourceInfo& r) {
  static const std::set<std::string> kNone;
  static const std::set<std::string> kEvents = {
      "involvedObject.kind", "involvedObject.namespace", "involvedObject.name",
      "involvedObject.uid", "involvedObject.apiVersion", "involvedObject.resourceVersion",
      "involvedObject.fieldPath", "reason", "reportingComponent", "type"};
  static const std::set<std::string> kSecrets = {"type"};
  static const std::set<std::string> kNamespaces = {"status.phase"};
  if (!r.group.empty()) return kNone;
  if (r.plural == "events") return kEvents;
  if (r.plural == "secrets") return kSecrets;
  if (r.plural == "namespaces") return kNamespaces;
  return kNone;
}

}  // namespace

std::string EncodeContinue(const std::string& last_key, int64_t rv) {
  json::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  d.AddMember("v", "dockward/v1", a);
  d.AddMember("rv", rv, a);
  d.AddMember("start", json::Str(last_key, a), a);
  return Base64UrlEncode(json::Serialize(d));
}

Status DecodeContinue(const std::string& token, std::string* last_key) {
  std::string raw;
  json::Document d;
  if (!Base64UrlDecode(token, &raw) || !json::Parse(raw, &d).ok() ||
      json::GetString(d, "v") != "dockward/v1" || !json::Find(d, "start"))
    return Status::BadRequest("continue key is not valid: malformed token");
  *last_key = json::GetString(d, "start");
  return Status::OK();
}

Status ParseListQuery(const schema::ResourceInfo& r, const HttpRequest& req, ListQuery* q) {
  Status st = meta::LabelSelector::Parse(req.Query("labelSelector"), &q->labels);
  if (!st.ok()) return Status::BadRequest("unable to parse requirement: " + st.message());
  st = meta::FieldSelector::Parse(req.Query("fieldSelector"), &q->fields);
  if (!st.ok()) return Status::BadRequest(st.message());
  const auto& extra = ExtraFieldLabels(r);
  for (const auto& fr : q->fields.requirements()) {
    if (fr.field != "metadata.name" && fr.field != "metadata.namespace" && !extra.count(fr.field))
      return Status::BadRequest("field label not supported: " + fr.field);
  }
  std::string limit = req.Query("limit");
  if (!limit.empty()) {
    try {
      q->limit = std::stoll(limit);
    } catch (...) {
      return Status::BadRequest("limit must be an integer");
    }
    if (q->limit < 0) q->limit = 0;
  }
  std::string cont = req.Query("continue");
  if (!cont.empty()) DW_RETURN_IF_ERROR(DecodeContinue(cont, &q->continue_token));
  return Status::OK();
}

Status ParseDeleteOptions(const HttpRequest& req, DeleteOptions* o) {
  if (!req.body.empty()) {
    json::Document d;
    Status st = json::Parse(req.body, &d);
    if (!st.ok() || !d.IsObject()) return Status::BadRequest("invalid DeleteOptions body: " + st.message());
    o->propagation = json::GetString(d, "propagationPolicy");
    if (const json::Value* orphan = json::Find(d, "orphanDependents"); orphan && orphan->IsBool() && o->propagation.empty())
      o->propagation = orphan->GetBool() ? "Orphan" : "Background";
    if (const json::Value* pre = json::Find(d, "preconditions")) {
      o->precondition_uid = json::GetString(*pre, "uid");
      o->precondition_rv = json::GetString(*pre, "resourceVersion");
    }
    if (const json::Value* dr = json::Find(d, "dryRun"); dr && dr->IsArray())
      for (const auto& v : dr->GetArray())
        if (v.IsString() && std::string(v.GetString()) == "All") o->dry_run = true;
  }
  std::string pp = req.Query("propagationPolicy");
  if (!pp.empty()) o->propagation = pp;
  if (req.Query("dryRun") == "All") o->dry_run = true;
  if (!o->propagation.empty() && o->propagation != "Background" && o->propagation != "Foreground" &&
      o->propagation != "Orphan")
    return Status::Invalid("propagationPolicy: Unsupported value: \"" + o->propagation +
                               "\": supported values: \"Foreground\", \"Background\", \"Orphan\"",
                           {{"FieldValueNotSupported", "propagationPolicy", "Unsupported value"}});
  return Status::OK();
}

}  // namespace dw::apiserver
