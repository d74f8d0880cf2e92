#include "reconcilers/pluginpolicy/policy_status.h"

namespace dw::pluginpolicy {

namespace {

json::Value Strings(const std::vector<std::string>& v, json::Allocator& a) {
  json::Value arr(rapidjson::kArrayType);
  for (const auto& s : v) arr.PushBack(json::Str(s, a), a);
  return arr;
}

void SetStrings(json::Value& obj, const char* key, const std::vector<std::string>& v, json::Allocator& a) {
  json::Value arr = Strings(v, a);
  json::SetValue(obj, key, arr, a);
}

void SetIfNotEmpty(json::Value& obj, const char* key, const std::string& v, json::Allocator& a) {
  if (!v.empty()) json::SetString(obj, key, v, a);
}

json::Value PackageRowJson(const CommunityReport& r, const PackageRow& row, json::Allocator& a) {
  json::Value o(rapidjson::kObjectType);
  json::SetString(o, "name", row.name, a);
  json::SetBool(o, "managed", row.managed, a);
  json::SetBool(o, "installed", row.installed >= 0, a);
  json::SetBool(o, "inSync", row.drift.empty() && row.reason.empty(), a);
  if (!row.drift.empty()) SetStrings(o, "drift", row.drift, a);
  if (row.installed >= 0) {
    const wire::Package& p = r.packages[static_cast<size_t>(row.installed)];
    json::SetString(o, "id", p.id, a);
    SetIfNotEmpty(o, "version", p.version, a);
    json::SetString(o, "sha256", p.sha256, a);
    SetIfNotEmpty(o, "publisher", p.publisher, a);
    json::SetBool(o, "signaturePresent", p.signature_present, a);
    json::SetBool(o, "signatureVerified", p.signature_verified, a);
    json::SetString(o, "source", wire::CrdName(p.source), a);
    SetIfNotEmpty(o, "registryUrl", p.registry_url, a);
    json::SetBool(o, "active", p.active, a);
    SetStrings(o, "hooks", p.hooks, a);
    SetStrings(o, "capabilities", p.capabilities, a);
    PackageEffect e = EffectOf(p, r.policy);
    SetStrings(o, "effectiveHooks", e.effective_hooks, a);
    SetStrings(o, "suppressedHooks", e.suppressed_hooks, a);
    json::SetBool(o, "outboundHttp", e.outbound_http, a);
  }
  SetIfNotEmpty(o, "reason", row.reason, a);
  SetIfNotEmpty(o, "message", row.message, a);
  return o;
}

}  // namespace

bool CommunityReport::InSync() const {
  if (!read || !policy_in_sync) return false;
  for (const auto& row : rows) {
    if (!row.drift.empty() || !row.reason.empty()) return false;
  }
  return true;
}

bool CommunityReport::HasRefusals() const {
  if (!policy_reason.empty()) return true;
  for (const auto& row : rows) {
    if (!row.reason.empty()) return true;
  }
  return false;
}

json::Value PackageCheckJson(const PackageCheck& c, json::Allocator& a) {
  json::Value o(rapidjson::kObjectType);
  json::SetString(o, "name", c.name, a);
  json::SetString(o, "source", c.source, a);
  SetIfNotEmpty(o, "registryUrl", c.registry_url, a);
  SetIfNotEmpty(o, "sha256", c.sha256, a);
  SetIfNotEmpty(o, "publisher", c.publisher, a);
  SetIfNotEmpty(o, "version", c.version, a);
  json::SetBool(o, "signaturePresent", c.signature_present, a);
  json::SetBool(o, "signatureVerified", c.signature_verified, a);
  json::SetBool(o, "verified", c.verified, a);
  json::SetInt(o, "bytes", static_cast<int64_t>(c.bytes), a);
  SetIfNotEmpty(o, "reason", c.reason, a);
  SetIfNotEmpty(o, "message", c.message, a);
  return o;
}

json::Value CommunityJson(const CommunityReport& r, json::Allocator& a) {
  json::Value o(rapidjson::kObjectType);
  json::SetString(o, "id", r.id, a);
  SetIfNotEmpty(o, "name", r.name, a);
  json::SetBool(o, "inSync", r.InSync(), a);
  SetIfNotEmpty(o, "reason", r.reason.empty() ? r.policy_reason : r.reason, a);
  SetIfNotEmpty(o, "message", r.message.empty() ? r.policy_message : r.message, a);
  if (!r.read) return o;
  json::SetBool(o, "policyInSync", r.policy_in_sync, a);
  if (!r.policy_drift.empty()) SetStrings(o, "policyDrift", r.policy_drift, a);
  json::Value eff(rapidjson::kObjectType);
  json::SetString(eff, "trustPolicy", wire::CrdName(r.policy.trust), a);
  json::SetBool(eff, "outboundHttp", r.policy.allow_outbound_http, a);
  SetStrings(eff, "outboundHttpAllowlist", r.policy.http_egress_allowlist, a);
  json::SetBool(eff, "backgroundJobs", r.policy.allow_background_jobs, a);
  json::SetValue(o, "effective", eff, a);
  json::Value pk(rapidjson::kArrayType);
  for (const auto& row : r.rows) pk.PushBack(PackageRowJson(r, row, a), a);
  json::SetValue(o, "packages", pk, a);
  return o;
}

}  // namespace dw::pluginpolicy
