#include "reconcilers/pluginpolicy/policy_spec.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "reconcilers/pluginpolicy/url.h"

namespace dw::pluginpolicy {

namespace {

Status Bad(const std::string& path, const std::string& why) { return Status::Invalid("spec." + path + ": " + why); }

Status ReadString(const json::Value& obj, const char* key, const std::string& path, bool required,
                  std::string* out) {
  const json::Value* v = json::Find(obj, key);
  if (v == nullptr || v->IsNull()) return required ? Bad(path + key, "required") : Status::OK();
  if (!v->IsString()) return Bad(path + key, "must be a string");
  out->assign(v->GetString(), v->GetStringLength());
  if (required && out->empty()) return Bad(path + key, "must not be empty");
  return Status::OK();
}

// A wrong type is refused rather than read as the default: "active": "false"
// must not quietly mean active.
Status ReadBool(const json::Value& obj, const char* key, const std::string& path, bool def, bool* out) {
  const json::Value* v = json::Find(obj, key);
  if (v == nullptr || v->IsNull()) {
    *out = def;
    return Status::OK();
  }
  if (!v->IsBool()) return Bad(path + key, "must be true or false");
  *out = v->GetBool();
  return Status::OK();
}

Status ReadStrings(const json::Value& obj, const char* key, const std::string& path,
                   std::vector<std::string>* out) {
  out->clear();
  const json::Value* v = json::Find(obj, key);
  if (v == nullptr || v->IsNull()) return Status::OK();
  if (!v->IsArray()) return Bad(path + key, "must be a list of strings");
  for (const auto& e : v->GetArray()) {
    if (!e.IsString()) return Bad(path + key, "must be a list of strings");
    out->emplace_back(e.GetString(), e.GetStringLength());
  }
  return Status::OK();
}

Status ReadSecretRef(const json::Value& obj, const char* key, const std::string& path,
                     std::optional<SecretKeyRef>* out) {
  const json::Value* v = json::Find(obj, key);
  if (v == nullptr || v->IsNull()) return Status::OK();
  if (!v->IsObject()) return Bad(path + key, "must be an object");
  SecretKeyRef ref;
  DW_RETURN_IF_ERROR(ReadString(*v, "name", path + key + ".", true, &ref.name));
  DW_RETURN_IF_ERROR(ReadString(*v, "key", path + key + ".", false, &ref.key));
  *out = ref;
  return Status::OK();
}

Status ReadSeconds(const json::Value& obj, const char* key, const std::string& path, int64_t lo, int64_t hi,
                   std::chrono::milliseconds* out) {
  const json::Value* v = json::Find(obj, key);
  if (v == nullptr || v->IsNull()) return Status::OK();
  if (!v->IsInt64() || v->GetInt64() < lo || v->GetInt64() > hi) {
    return Bad(path + key, "must be an integer from " + std::to_string(lo) + " to " + std::to_string(hi));
  }
  *out = std::chrono::seconds(v->GetInt64());
  return Status::OK();
}

Status ParsePolicy(const json::Value& v, wire::Policy* out) {
  if (!v.IsObject()) return Bad("policy", "must be an object");
  wire::Policy p;
  std::string trust = "signed-only";
  DW_RETURN_IF_ERROR(ReadString(v, "trustPolicy", "policy.", false, &trust));
  if (!wire::TrustPolicyFromCrd(trust, &p.trust)) return Bad("policy.trustPolicy", "unknown value \"" + trust + "\"");
  std::vector<std::string> sources{"registry"};
  if (json::Find(v, "installSources")) DW_RETURN_IF_ERROR(ReadStrings(v, "installSources", "policy.", &sources));
  for (const auto& s : sources) {
    wire::InstallSource src;
    if (!wire::InstallSourceFromCrd(s, &src)) return Bad("policy.installSources", "unknown value \"" + s + "\"");
    if (std::find(p.install_sources.begin(), p.install_sources.end(), src) == p.install_sources.end()) {
      p.install_sources.push_back(src);
    }
  }
  DW_RETURN_IF_ERROR(ReadStrings(v, "registryAllowlist", "policy.", &p.registry_allowlist));
  if (const json::Value* tp = json::Find(v, "trustedPublishers"); tp && !tp->IsNull()) {
    if (!tp->IsArray()) return Bad("policy.trustedPublishers", "must be a list");
    for (rapidjson::SizeType i = 0; i < tp->Size(); ++i) {
      const std::string path = "policy.trustedPublishers[" + std::to_string(i) + "].";
      if (!(*tp)[i].IsObject()) return Bad(path.substr(0, path.size() - 1), "must be an object");
      wire::Publisher pub;
      DW_RETURN_IF_ERROR(ReadString((*tp)[i], "name", path, true, &pub.name));
      DW_RETURN_IF_ERROR(ReadString((*tp)[i], "publicKey", path, true, &pub.public_key));
      p.trusted_publishers.push_back(std::move(pub));
    }
  }
  if (const json::Value* oh = json::Find(v, "outboundHttp"); oh && !oh->IsNull()) {
    if (!oh->IsObject()) return Bad("policy.outboundHttp", "must be an object");
    DW_RETURN_IF_ERROR(ReadBool(*oh, "enabled", "policy.outboundHttp.", false, &p.allow_outbound_http));
    DW_RETURN_IF_ERROR(ReadStrings(*oh, "allowlist", "policy.outboundHttp.", &p.http_egress_allowlist));
  }
  DW_RETURN_IF_ERROR(ReadBool(v, "backgroundJobs", "policy.", false, &p.allow_background_jobs));
  *out = std::move(p);
  return Status::OK();
}

Status ParsePackage(const json::Value& v, size_t i, DeclaredPackage* out) {
  const std::string path = "packages[" + std::to_string(i) + "].";
  if (!v.IsObject()) return Bad(path.substr(0, path.size() - 1), "must be an object");
  DeclaredPackage d;
  DW_RETURN_IF_ERROR(ReadString(v, "name", path, true, &d.name));
  const json::Value* src = json::Find(v, "source");
  if (src == nullptr || !src->IsObject()) return Bad(path + "source", "required");
  DW_RETURN_IF_ERROR(ReadString(*src, "registryUrl", path + "source.", false, &d.registry_url));
  DW_RETURN_IF_ERROR(ReadString(*src, "artifact", path + "source.", false, &d.artifact));
  if (d.registry_url.empty() == d.artifact.empty()) {
    return Bad(path + "source", "exactly one of registryUrl and artifact must be set");
  }
  if (!d.artifact.empty() && d.artifact[0] != '/') return Bad(path + "source.artifact", "must be an absolute path");
  DW_RETURN_IF_ERROR(ReadString(v, "sha256", path, true, &d.sha256));
  if (d.sha256.size() != 64 ||
      d.sha256.find_first_not_of("0123456789abcdef") != std::string::npos) {
    return Bad(path + "sha256", "must be 64 lowercase hex digits");
  }
  DW_RETURN_IF_ERROR(ReadString(v, "publisher", path, false, &d.publisher));
  DW_RETURN_IF_ERROR(ReadBool(v, "active", path, true, &d.active));
  if (const json::Value* s = json::Find(v, "settings"); s && !s->IsNull()) {
    if (!s->IsObject()) return Bad(path + "settings", "must be an object");
    d.has_settings = true;
    d.settings.CopyFrom(*s, d.settings.GetAllocator());
  }
  *out = std::move(d);
  return Status::OK();
}

Status ParseFetch(const json::Value& spec, PluginPolicySpec* out) {
  const json::Value* f = json::Find(spec, "fetch");
  if (f == nullptr || f->IsNull()) return Status::OK();
  if (!f->IsObject()) return Bad("fetch", "must be an object");
  FetchPolicy& fp = out->fetch;
  DW_RETURN_IF_ERROR(ReadSeconds(*f, "timeoutSeconds", "fetch.", 1, 600, &fp.total_timeout));
  DW_RETURN_IF_ERROR(ReadSeconds(*f, "connectTimeoutSeconds", "fetch.", 1, 120, &fp.connect_timeout));
  DW_RETURN_IF_ERROR(ReadSeconds(*f, "readTimeoutSeconds", "fetch.", 1, 600, &fp.read_idle_timeout));
  if (const json::Value* r = json::Find(*f, "maxRedirects"); r && !r->IsNull()) {
    if (!r->IsInt() || r->GetInt() < 0 || r->GetInt() > 10) return Bad("fetch.maxRedirects", "must be 0 to 10");
    fp.max_redirects = r->GetInt();
  }
  if (const json::Value* b = json::Find(*f, "maxBytes"); b && !b->IsNull()) {
    if (!b->IsInt64() || b->GetInt64() < 1) return Bad("fetch.maxBytes", "must be a positive integer");
    fp.max_bytes = static_cast<uint64_t>(b->GetInt64());
  }
  DW_RETURN_IF_ERROR(ReadBool(*f, "allowHttp", "fetch.", false, &fp.allow_http));
  return ReadSecretRef(*f, "caSecretRef", "fetch.", &out->fetch_ca);
}

}  // namespace

Status ParsePluginPolicySpec(const json::Value& spec, PluginPolicySpec* out) {
  if (!spec.IsObject()) return Status::Invalid("spec: must be an object");
  PluginPolicySpec s;
  s.fetch.max_bytes = 50ull << 20;  // the CRD's default, for specs written before defaulting
  const json::Value* server = json::Find(spec, "server");
  if (server == nullptr || !server->IsObject()) return Bad("server", "required");
  DW_RETURN_IF_ERROR(ReadString(*server, "url", "server.", true, &s.server_url));
  if (s.server_url.rfind("https://", 0) != 0 && s.server_url.rfind("http://", 0) != 0) {
    return Bad("server.url", "must start with https:// or http://");
  }
  // Credentials come from the Secret only: one in the URL would reach every
  // transport error, and so conditions, Events and logs.
  Url server_url;
  if (!ParseUrl(s.server_url, &server_url).ok()) return Bad("server.url", "is not a valid URL");
  if (!server_url.userinfo.empty()) {
    return Bad("server.url", "must not carry credentials (user:password@); use credentialsSecretRef");
  }
  std::optional<SecretKeyRef> creds;
  DW_RETURN_IF_ERROR(ReadSecretRef(*server, "credentialsSecretRef", "server.", &creds));
  if (!creds) return Bad("server.credentialsSecretRef", "required");
  s.credentials = *creds;
  DW_RETURN_IF_ERROR(ReadSecretRef(*server, "caSecretRef", "server.", &s.server_ca));

  DW_RETURN_IF_ERROR(ReadStrings(spec, "communities", "", &s.communities));
  DW_RETURN_IF_ERROR(ReadBool(spec, "allCommunities", "", false, &s.all_communities));
  if (s.all_communities == !s.communities.empty()) {
    return Bad("communities", "exactly one of communities and allCommunities must be set");
  }
  std::set<std::string> seen;
  for (const auto& id : s.communities) {
    if (!wire::IsSafeId(id)) return Bad("communities", "\"" + id + "\" is not a community id (UUID)");
    // UUIDs name the same community in either case.
    std::string folded = id;
    std::transform(folded.begin(), folded.end(), folded.begin(), [](unsigned char c) { return std::tolower(c); });
    if (!seen.insert(folded).second) return Bad("communities", "\"" + id + "\" is listed twice");
  }
  std::string mode = "Audit";
  DW_RETURN_IF_ERROR(ReadString(spec, "mode", "", false, &mode));
  if (mode != "Audit" && mode != "Enforce") return Bad("mode", "must be Audit or Enforce");
  s.mode = mode == "Enforce" ? PolicyMode::kEnforce : PolicyMode::kAudit;

  if (const json::Value* p = json::Find(spec, "policy"); p && !p->IsNull()) {
    s.manages_policy = true;
    DW_RETURN_IF_ERROR(ParsePolicy(*p, &s.policy));
  }
  if (const json::Value* pk = json::Find(spec, "packages"); pk && !pk->IsNull()) {
    if (!pk->IsArray()) return Bad("packages", "must be a list");
    std::set<std::string> names;
    for (rapidjson::SizeType i = 0; i < pk->Size(); ++i) {
      DeclaredPackage d;
      DW_RETURN_IF_ERROR(ParsePackage((*pk)[i], i, &d));
      if (!names.insert(d.name).second) return Bad("packages", "package \"" + d.name + "\" is declared twice");
      s.packages.push_back(std::move(d));
    }
  }
  DW_RETURN_IF_ERROR(ParseFetch(spec, &s));
  s.fetch.allowlist = s.policy.registry_allowlist;
  if (const json::Value* iv = json::Find(spec, "intervalSeconds"); iv && !iv->IsNull()) {
    if (!iv->IsInt64() || iv->GetInt64() < 5 || iv->GetInt64() > 86400) {
      return Bad("intervalSeconds", "must be an integer from 5 to 86400");
    }
    s.interval = std::chrono::seconds(iv->GetInt64());
  }
  DW_RETURN_IF_ERROR(ReadBool(spec, "pruneUnlisted", "", false, &s.prune_unlisted));
  *out = std::move(s);
  return Status::OK();
}

}  // namespace dw::pluginpolicy
