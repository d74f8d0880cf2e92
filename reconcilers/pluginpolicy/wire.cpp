// Wire mapping of the community server: the single place for its spellings.
// Every inferred name is marked (I) in docs/pluginpolicy-wire.md.
#include "reconcilers/pluginpolicy/wire.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <array>

#include "operator/common/base64.h"

namespace dw::pluginpolicy::wire {

namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

// Field names of the policy object (mirror the community settings keys).
constexpr char kTrust[] = "plugin_trust_policy";
constexpr char kSources[] = "plugin_install_sources";
constexpr char kRegistryAllow[] = "plugin_registry_allowlist";
constexpr char kPublishers[] = "plugin_trusted_publishers";
constexpr char kOutbound[] = "plugin_allow_outbound_http";
constexpr char kEgressAllow[] = "plugin_http_egress_allowlist";
constexpr char kBackground[] = "plugin_allow_background_jobs";

constexpr size_t kMaxMessage = 2048;

void Key(Writer& w, std::string_view k) { w.Key(k.data(), static_cast<rapidjson::SizeType>(k.size())); }
void Str(Writer& w, std::string_view s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); }

void StrArray(Writer& w, std::string_view key, const std::vector<std::string>& items) {
  Key(w, key);
  w.StartArray();
  for (const auto& s : items) Str(w, s);
  w.EndArray();
}

const char* WireName(TrustPolicy p) { return p == TrustPolicy::kSignedOnly ? "signed_only" : "allow_unsigned"; }
const char* WireName(InstallSource s) { return s == InstallSource::kUpload ? "upload" : "registry"; }

Status Missing(std::string_view field, const char* what) {
  return Status::Invalid(std::string(field) + ": " + what);
}

Status GetStr(const json::Value& obj, std::string_view key, bool required, std::string* out) {
  const json::Value* v = json::Find(obj, key);
  if (v == nullptr || v->IsNull()) return required ? Missing(key, "required") : Status::OK();
  if (!v->IsString()) return Missing(key, "must be a string");
  out->assign(v->GetString(), v->GetStringLength());
  return Status::OK();
}

Status GetBoolField(const json::Value& obj, std::string_view key, bool required, bool* out) {
  const json::Value* v = json::Find(obj, key);
  if (v == nullptr || v->IsNull()) return required ? Missing(key, "required") : Status::OK();
  if (!v->IsBool()) return Missing(key, "must be a boolean");
  *out = v->GetBool();
  return Status::OK();
}

Status GetStrArray(const json::Value& obj, std::string_view key, std::vector<std::string>* out) {
  out->clear();
  const json::Value* v = json::Find(obj, key);
  if (v == nullptr || v->IsNull()) return Status::OK();  // absent list == empty list
  if (!v->IsArray()) return Missing(key, "must be an array of strings");
  for (const auto& e : v->GetArray()) {
    if (!e.IsString()) return Missing(key, "must be an array of strings");
    out->emplace_back(e.GetString(), e.GetStringLength());
  }
  return Status::OK();
}

Status DecodePublishers(const json::Value& obj, std::vector<Publisher>* out) {
  out->clear();
  const json::Value* v = json::Find(obj, kPublishers);
  if (v == nullptr || v->IsNull()) return Status::OK();
  if (!v->IsArray()) return Missing(kPublishers, "must be an array");
  for (const auto& e : v->GetArray()) {
    if (!e.IsObject()) return Missing(kPublishers, "entries must be objects");
    Publisher p;
    DW_RETURN_IF_ERROR(GetStr(e, "name", true, &p.name));
    DW_RETURN_IF_ERROR(GetStr(e, "public_key", true, &p.public_key));
    out->push_back(std::move(p));
  }
  return Status::OK();
}

Status DecodeSources(const json::Value& obj, std::vector<InstallSource>* out) {
  std::vector<std::string> names;
  DW_RETURN_IF_ERROR(GetStrArray(obj, kSources, &names));
  out->clear();
  for (const auto& n : names) {
    if (n == "upload") out->push_back(InstallSource::kUpload);
    else if (n == "registry") out->push_back(InstallSource::kRegistry);
    else return Missing(kSources, ("unknown source \"" + n + "\"").c_str());
  }
  return Status::OK();
}

// Copies an optional JSON member into `doc`; `want_object` refuses other types.
Status CopyJson(const json::Value& obj, std::string_view key, bool want_object, json::Document* doc) {
  const json::Value* v = json::Find(obj, key);
  if (v == nullptr || v->IsNull()) {
    if (want_object) doc->SetObject();
    else doc->SetNull();
    return Status::OK();
  }
  if (want_object && !v->IsObject()) return Missing(key, "must be an object");
  doc->CopyFrom(*v, doc->GetAllocator());
  return Status::OK();
}

// ---- error classification tables ----

struct ReasonRow {
  Reason reason;
  const char* code;
  const char* message_prefix;  // for servers that send only `error`
  ErrorKind kind;
};

// Order matters for prefix matching: longer, more specific prefixes first.
constexpr std::array<ReasonRow, 20> kReasons{{
    {Reason::kInvalidCredentials, "invalid_credentials", "invalid credentials", ErrorKind::kUnauthorized},
    {Reason::kUnauthorized, "unauthorized", "missing or invalid token", ErrorKind::kUnauthorized},
    {Reason::kMissingPermission, "forbidden", "missing permission", ErrorKind::kForbidden},
    {Reason::kCommunityNotFound, "community_not_found", "community not found", ErrorKind::kNotFound},
    {Reason::kPackageNotFound, "package_not_found", "package not found", ErrorKind::kNotFound},
    {Reason::kInvalidPolicy, "invalid_policy", nullptr, ErrorKind::kInvalid},
    {Reason::kUploadForbidden, "upload_forbidden", "plugin policy forbids uploads", ErrorKind::kInvalid},
    {Reason::kRegistryForbidden, "registry_forbidden", "plugin policy forbids registry installs",
     ErrorKind::kInvalid},
    {Reason::kRegistryNotAllowed, "registry_not_allowed", nullptr, ErrorKind::kInvalid},
    {Reason::kRegistryBlockedAddress, "registry_blocked_address", nullptr, ErrorKind::kInvalid},
    {Reason::kRegistryFetchFailed, "registry_fetch_failed", "registry fetch failed", ErrorKind::kInvalid},
    {Reason::kSignatureRequired, "signature_required", "signed-only policy: package is unsigned",
     ErrorKind::kInvalid},
    {Reason::kSignatureInvalid, "signature_invalid", "signature does not verify", ErrorKind::kInvalid},
    {Reason::kPublisherUntrusted, "publisher_untrusted", nullptr, ErrorKind::kInvalid},
    {Reason::kSha256Mismatch, "sha256_mismatch", "bundle sha256 does not match", ErrorKind::kInvalid},
    {Reason::kInvalidBundle, "invalid_bundle", "bundle:", ErrorKind::kInvalid},
    {Reason::kAlreadyInstalled, "already_installed", "package already installed", ErrorKind::kInvalid},
    {Reason::kTooLarge, "too_large", "bundle too large", ErrorKind::kInvalid},
    {Reason::kSettingsInvalid, "settings_invalid", "settings", ErrorKind::kInvalid},
    {Reason::kBadRequest, "bad_request", nullptr, ErrorKind::kInvalid},
}};

ErrorKind KindOfStatus(int status) {
  if (status == 401) return ErrorKind::kUnauthorized;
  if (status == 403) return ErrorKind::kForbidden;
  if (status == 404) return ErrorKind::kNotFound;
  if (status >= 400 && status < 500) return ErrorKind::kInvalid;
  return ErrorKind::kServerError;  // 5xx and anything unexpected (1xx/3xx)
}

// Keeps printable text and '\n'; caps the length so a hostile server cannot
// bloat conditions or events.
std::string Sanitise(std::string_view in) {
  std::string out;
  out.reserve(std::min(in.size(), kMaxMessage));
  for (char c : in) {
    if (out.size() >= kMaxMessage) {
      out += "...";
      break;
    }
    unsigned char u = static_cast<unsigned char>(c);
    if (c == '\n' || c == '\t' || u >= 0x20) out += (c == '\t' ? ' ' : c);
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

bool HasPrefix(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

}  // namespace

// ---- routes ----

bool IsSafeId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string LoginPath() { return "/api/auth/login"; }
std::string CommunitiesPath() { return "/api/communities"; }
std::string PolicyPath(std::string_view c) { return "/api/communities/" + std::string(c) + "/plugin-policy"; }
std::string PackagesPath(std::string_view c) { return "/api/communities/" + std::string(c) + "/plugin-packages"; }
std::string InstallRegistryPath(std::string_view c) { return PackagesPath(c) + "/install-registry"; }
std::string PackagePath(std::string_view c, std::string_view id) { return PackagesPath(c) + "/" + std::string(id); }

// ---- enums ----

bool TrustPolicyFromCrd(std::string_view s, TrustPolicy* out) {
  if (s == "signed-only") *out = TrustPolicy::kSignedOnly;
  else if (s == "allow-unsigned") *out = TrustPolicy::kAllowUnsigned;
  else return false;
  return true;
}

bool InstallSourceFromCrd(std::string_view s, InstallSource* out) {
  if (s == "upload") *out = InstallSource::kUpload;
  else if (s == "registry") *out = InstallSource::kRegistry;
  else return false;
  return true;
}

const char* CrdName(TrustPolicy p) { return p == TrustPolicy::kSignedOnly ? "signed-only" : "allow-unsigned"; }
const char* CrdName(InstallSource s) { return s == InstallSource::kUpload ? "upload" : "registry"; }
const char* CrdName(PackageSource s) {
  switch (s) {
    case PackageSource::kUpload: return "upload";
    case PackageSource::kRegistry: return "registry";
    default: return "unknown";
  }
}

// ---- policy ----

std::string EncodePolicy(const Policy& p) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  Key(w, kTrust);
  w.String(WireName(p.trust));
  Key(w, kSources);
  w.StartArray();
  for (InstallSource s : p.install_sources) w.String(WireName(s));
  w.EndArray();
  StrArray(w, kRegistryAllow, p.registry_allowlist);
  Key(w, kPublishers);
  w.StartArray();
  for (const auto& pub : p.trusted_publishers) {
    w.StartObject();
    Key(w, "name");
    Str(w, pub.name);
    Key(w, "public_key");
    Str(w, pub.public_key);
    w.EndObject();
  }
  w.EndArray();
  Key(w, kOutbound);
  w.Bool(p.allow_outbound_http);
  StrArray(w, kEgressAllow, p.http_egress_allowlist);
  Key(w, kBackground);
  w.Bool(p.allow_background_jobs);
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

Status DecodePolicy(const json::Value& v, Policy* out) {
  if (!v.IsObject()) return Status::Invalid("plugin policy: expected a JSON object");
  Policy p;
  std::string trust;
  DW_RETURN_IF_ERROR(GetStr(v, kTrust, true, &trust));
  if (trust == "signed_only") p.trust = TrustPolicy::kSignedOnly;
  else if (trust == "allow_unsigned") p.trust = TrustPolicy::kAllowUnsigned;
  else return Missing(kTrust, ("unknown value \"" + trust + "\"").c_str());
  DW_RETURN_IF_ERROR(DecodeSources(v, &p.install_sources));
  DW_RETURN_IF_ERROR(GetStrArray(v, kRegistryAllow, &p.registry_allowlist));
  DW_RETURN_IF_ERROR(DecodePublishers(v, &p.trusted_publishers));
  DW_RETURN_IF_ERROR(GetBoolField(v, kOutbound, false, &p.allow_outbound_http));
  DW_RETURN_IF_ERROR(GetStrArray(v, kEgressAllow, &p.http_egress_allowlist));
  // The seed names this key and its default (false): absent means disabled.
  DW_RETURN_IF_ERROR(GetBoolField(v, kBackground, false, &p.allow_background_jobs));
  *out = std::move(p);
  return Status::OK();
}

// ---- packages ----

Status DecodePackage(const json::Value& v, Package* out) {
  if (!v.IsObject()) return Status::Invalid("plugin package: expected a JSON object");
  Package p;
  DW_RETURN_IF_ERROR(GetStr(v, "id", true, &p.id));
  DW_RETURN_IF_ERROR(GetStr(v, "name", true, &p.name));
  DW_RETURN_IF_ERROR(GetStr(v, "version", false, &p.version));
  DW_RETURN_IF_ERROR(GetStr(v, "publisher", false, &p.publisher));
  DW_RETURN_IF_ERROR(GetStr(v, "sha256", true, &p.sha256));
  DW_RETURN_IF_ERROR(GetBoolField(v, "signature_present", false, &p.signature_present));
  DW_RETURN_IF_ERROR(GetBoolField(v, "signature_verified", false, &p.signature_verified));
  std::string source;
  DW_RETURN_IF_ERROR(GetStr(v, "source", false, &source));
  p.source = source == "upload" ? PackageSource::kUpload
             : source == "registry" ? PackageSource::kRegistry
                                    : PackageSource::kUnknown;
  DW_RETURN_IF_ERROR(GetStr(v, "registry_url", false, &p.registry_url));
  DW_RETURN_IF_ERROR(GetBoolField(v, "active", false, &p.active));
  DW_RETURN_IF_ERROR(CopyJson(v, "settings", true, &p.settings));
  const json::Value* m = json::Find(v, "manifest");
  if (m != nullptr && !m->IsNull()) {
    if (!m->IsObject()) return Missing("manifest", "must be an object");
    DW_RETURN_IF_ERROR(GetStrArray(*m, "hooks", &p.hooks));
    DW_RETURN_IF_ERROR(GetStrArray(*m, "capabilities", &p.capabilities));
    DW_RETURN_IF_ERROR(CopyJson(*m, "settings_schema", false, &p.settings_schema));
  }
  *out = std::move(p);
  return Status::OK();
}

Status DecodePackages(const json::Value& v, std::vector<Package>* out) {
  if (!v.IsArray()) return Status::Invalid("plugin packages: expected a JSON array");
  out->clear();
  out->reserve(v.Size());
  for (const auto& e : v.GetArray()) {
    Package p;
    Status st = DecodePackage(e, &p);
    if (!st.ok()) return Status::Invalid("plugin packages[" + std::to_string(out->size()) + "]: " + st.message());
    out->push_back(std::move(p));
  }
  return Status::OK();
}

Status DecodeBundleManifest(std::string_view bundle, BundleManifest* out) {
  json::Document d;
  if (!json::Parse(bundle, &d).ok() || !d.IsObject()) return Status::Invalid("bundle: not a JSON object");
  const json::Value* m = json::Find(d, "manifest");
  if (m == nullptr || !m->IsObject()) return Status::Invalid("bundle: manifest: must be an object");
  BundleManifest b;
  Status st = GetStr(*m, "name", true, &b.name);
  if (st.ok()) st = GetStr(*m, "version", false, &b.version);
  if (st.ok()) st = GetStr(*m, "publisher", false, &b.publisher);
  if (st.ok()) st = GetStrArray(*m, "hooks", &b.hooks);
  if (st.ok()) st = GetStrArray(*m, "capabilities", &b.capabilities);
  if (!st.ok()) return Status::Invalid("bundle: manifest: " + st.message());
  *out = std::move(b);
  return Status::OK();
}

bool IsCronHook(std::string_view hook) { return hook.rfind("cron.", 0) == 0; }

bool GrantsOutboundHttp(std::string_view capability) { return capability == "http"; }

Status DecodeCommunities(const json::Value& v, std::vector<Community>* out) {
  if (!v.IsArray()) return Status::Invalid("communities: expected a JSON array");
  out->clear();
  for (const auto& e : v.GetArray()) {
    if (!e.IsObject()) return Status::Invalid("communities: entries must be objects");
    Community c;
    DW_RETURN_IF_ERROR(GetStr(e, "id", true, &c.id));
    DW_RETURN_IF_ERROR(GetStr(e, "name", false, &c.name));
    out->push_back(std::move(c));
  }
  return Status::OK();
}

// ---- request bodies ----

std::string EncodeLogin(std::string_view username, std::string_view password) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  Key(w, "username");
  Str(w, username);
  Key(w, "password");
  Str(w, password);
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

Status DecodeLoginToken(const json::Value& v, std::string* token) {
  std::string t;
  if (!v.IsObject()) return Status::Invalid("login response: expected a JSON object");
  DW_RETURN_IF_ERROR(GetStr(v, "token", true, &t));
  if (t.empty()) return Status::Invalid("login response: token is empty");
  *token = std::move(t);
  return Status::OK();
}

std::string EncodeUpload(std::string_view bundle, std::string_view signature) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  Key(w, "bundle_base64");
  Str(w, Base64Encode(bundle));
  if (!signature.empty()) {
    Key(w, "signature_base64");
    Str(w, Base64Encode(signature));
  }
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

std::string EncodeInstallRegistry(std::string_view url, std::string_view sha256) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  Key(w, "url");
  Str(w, url);
  if (!sha256.empty()) {
    Key(w, "sha256");
    Str(w, sha256);
  }
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

std::string EncodePackageUpdate(std::optional<bool> active, const json::Value* settings) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  if (active.has_value()) {
    Key(w, "active");
    w.Bool(*active);
  }
  if (settings != nullptr) {
    Key(w, "settings");
    settings->Accept(w);
  }
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

// ---- errors ----

const char* ErrorKindName(ErrorKind k) {
  switch (k) {
    case ErrorKind::kOk: return "OK";
    case ErrorKind::kUnauthorized: return "Unauthorized";
    case ErrorKind::kForbidden: return "Forbidden";
    case ErrorKind::kNotFound: return "NotFound";
    case ErrorKind::kInvalid: return "Invalid";
    case ErrorKind::kUnavailable: return "Unavailable";
    case ErrorKind::kServerError: return "ServerError";
  }
  return "Unknown";
}

const char* ReasonName(Reason r) {
  if (r == Reason::kNone) return "";
  for (const auto& row : kReasons) {
    if (row.reason == r) return row.code;
  }
  return "unknown";
}

std::string CallError::ToString() const {
  std::string s = ErrorKindName(kind);
  if (http_status != 0) {
    s += " (HTTP " + std::to_string(http_status);
    if (reason != Reason::kNone && reason != Reason::kUnknown) s += std::string(" ") + ReasonName(reason);
    s += ")";
  }
  if (!message.empty()) s += ": " + message;
  return s;
}

CallError ClassifyResponse(int http_status, std::string_view body) {
  CallError e;
  e.http_status = http_status;
  e.reason = Reason::kUnknown;
  std::string code;
  json::Document doc;
  if (json::Parse(body, &doc).ok() && doc.IsObject()) {
    e.message = Sanitise(json::GetString(doc, "error"));
    code = json::GetString(doc, "code");
  }
  const ReasonRow* match = nullptr;
  for (const auto& row : kReasons) {
    if (!code.empty() && code == row.code) match = &row;
  }
  if (match == nullptr && code.empty() && !e.message.empty()) {
    for (const auto& row : kReasons) {
      if (row.message_prefix != nullptr && HasPrefix(e.message, row.message_prefix)) {
        match = &row;
        break;
      }
    }
  }
  if (match != nullptr) {
    e.reason = match->reason;
    e.kind = match->kind;
  } else {
    e.kind = KindOfStatus(http_status);
  }
  // A 5xx stays a server error whatever the body claims, except the server's
  // own report that a third-party registry failed (not the server's health).
  if (http_status >= 500 && e.reason != Reason::kRegistryFetchFailed) e.kind = ErrorKind::kServerError;
  if (e.kind == ErrorKind::kOk) e.kind = ErrorKind::kServerError;
  if (e.message.empty()) e.message = "HTTP " + std::to_string(http_status);
  return e;
}

CallError ClassifyTransport(const Status& st) {
  CallError e;
  e.kind = ErrorKind::kUnavailable;
  e.reason = Reason::kNone;
  e.message = Sanitise(st.message());
  return e;
}

}  // namespace dw::pluginpolicy::wire
