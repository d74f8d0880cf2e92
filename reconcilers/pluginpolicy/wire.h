// Wire mapping of the community server's plugin API (docs/pluginpolicy-wire.md).
// This is the ONLY place that knows paths, JSON field names, enum spellings
// and error codes of the server; everything else works on the typed structs
// below. Most of the contract is inferred (the server's source is not
// available), so adapting to the real server must be a change to this file.
// Pure functions: no I/O, no logging; decoders never trust the server's JSON
// shape and fail with Status::Invalid naming the field.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "operator/common/status.h"
#include "operator/json/json.h"

namespace dw::pluginpolicy::wire {

// ---- Routes ----------------------------------------------------------------
// Community and package ids are embedded verbatim after a character check
// (UUID-ish: hex, dash); callers validate ids before calling (IsSafeId).
bool IsSafeId(std::string_view id);
std::string LoginPath();
std::string CommunitiesPath();
std::string PolicyPath(std::string_view community);
std::string PackagesPath(std::string_view community);
std::string InstallRegistryPath(std::string_view community);
std::string PackagePath(std::string_view community, std::string_view package_id);

// ---- Policy ----------------------------------------------------------------
enum class TrustPolicy { kSignedOnly, kAllowUnsigned };
enum class InstallSource { kUpload, kRegistry };

// CRD spellings ("signed-only", "upload") <-> enums; false on unknown values.
bool TrustPolicyFromCrd(std::string_view s, TrustPolicy* out);
bool InstallSourceFromCrd(std::string_view s, InstallSource* out);
const char* CrdName(TrustPolicy p);
const char* CrdName(InstallSource s);

struct Publisher {
  std::string name;
  std::string public_key;  // base64 of the raw 32-byte Ed25519 key
  bool operator==(const Publisher&) const = default;
};

// The server's policy object, in the order of the settings keys it mirrors.
struct Policy {
  TrustPolicy trust = TrustPolicy::kSignedOnly;
  std::vector<InstallSource> install_sources;
  std::vector<std::string> registry_allowlist;
  std::vector<Publisher> trusted_publishers;
  bool allow_outbound_http = false;
  std::vector<std::string> http_egress_allowlist;
  bool allow_background_jobs = false;
  bool operator==(const Policy&) const = default;
};

std::string EncodePolicy(const Policy& p);
Status DecodePolicy(const json::Value& v, Policy* out);

// ---- Packages --------------------------------------------------------------
enum class PackageSource { kUpload, kRegistry, kUnknown };
const char* CrdName(PackageSource s);  // "upload" | "registry" | "unknown"

// One installed package as the server reports it. Move-only (owns JSON).
struct Package {
  std::string id;
  std::string name;
  std::string version;
  std::string publisher;
  std::string sha256;
  bool signature_present = false;
  bool signature_verified = false;
  PackageSource source = PackageSource::kUnknown;
  std::string registry_url;
  std::vector<std::string> hooks;
  std::vector<std::string> capabilities;
  json::Document settings_schema;  // null when the manifest declares none
  bool active = false;
  json::Document settings;  // object; empty object when none
};

Status DecodePackage(const json::Value& v, Package* out);
Status DecodePackages(const json::Value& v, std::vector<Package>* out);

// What a bundle's manifest declares (the bundle format of
// docs/pluginpolicy-wire.md: JSON {"manifest": {...}, "wasm_base64": ...}).
struct BundleManifest {
  std::string name;
  std::string version;
  std::string publisher;
  std::vector<std::string> hooks;
  std::vector<std::string> capabilities;
};
// Invalid naming the field when the bytes are not such a bundle.
Status DecodeBundleManifest(std::string_view bundle, BundleManifest* out);

// Hook and capability semantics (seed): cron hooks ("cron.minute", ...) fire
// only when the policy allows background jobs; the "http" capability is
// what asks for outbound HTTP.
bool IsCronHook(std::string_view hook);
bool GrantsOutboundHttp(std::string_view capability);

struct Community {
  std::string id;
  std::string name;
};
Status DecodeCommunities(const json::Value& v, std::vector<Community>* out);

// ---- Request bodies --------------------------------------------------------
std::string EncodeLogin(std::string_view username, std::string_view password);
// The token from a login response; Invalid if absent or empty.
Status DecodeLoginToken(const json::Value& v, std::string* token);
// Raw bundle and detached signature bytes (empty: unsigned), base64-encoded here.
std::string EncodeUpload(std::string_view bundle, std::string_view signature);
// sha256 empty: not sent.
std::string EncodeInstallRegistry(std::string_view url, std::string_view sha256);
// Either part may be absent; settings must be an object when present.
std::string EncodePackageUpdate(std::optional<bool> active, const json::Value* settings);

// ---- Errors ----------------------------------------------------------------
// What the caller should do about a failed call. Forbidden means missing
// permission (authz) only; a POLICY refusal of a package (upload_forbidden,
// 403) is kInvalid, because it concerns that request, not the server's health.
enum class ErrorKind { kOk, kUnauthorized, kForbidden, kNotFound, kInvalid, kUnavailable, kServerError };
const char* ErrorKindName(ErrorKind k);  // "Unauthorized", ...

// The server's stable reasons (its `code` field, or recognised by message).
enum class Reason {
  kNone,
  kInvalidCredentials,
  kUnauthorized,
  kMissingPermission,
  kCommunityNotFound,
  kPackageNotFound,
  kInvalidPolicy,
  kUploadForbidden,
  kRegistryForbidden,
  kRegistryNotAllowed,
  kRegistryBlockedAddress,
  kRegistryFetchFailed,
  kSignatureRequired,
  kSignatureInvalid,
  kPublisherUntrusted,
  kSha256Mismatch,
  kInvalidBundle,
  kAlreadyInstalled,
  kTooLarge,
  kSettingsInvalid,
  kBadRequest,
  kUnknown,  // an error we could not attribute: classified by HTTP status
};
const char* ReasonName(Reason r);  // wire code spelling, "" for kNone

struct CallError {
  ErrorKind kind = ErrorKind::kOk;
  Reason reason = Reason::kNone;
  int http_status = 0;  // 0: transport failure
  std::string message;  // server's stable message (sanitised) or transport error
  bool ok() const { return kind == ErrorKind::kOk; }
  // "Forbidden (HTTP 403 upload_forbidden): plugin policy forbids uploads"
  std::string ToString() const;
};

// Classifies an HTTP error response: by `code` first, then by message prefix
// (servers that send only `error`), then by status. Never fails: unparsable
// bodies yield "HTTP <status>". Messages keep line breaks (settings errors are
// one per line) but lose other control characters and are length-capped.
CallError ClassifyResponse(int http_status, std::string_view body);
// A transport failure (connect, TLS, timeout) from http::Client.
CallError ClassifyTransport(const Status& st);

}  // namespace dw::pluginpolicy::wire
