// PluginPolicySpec: the typed form of a PluginPolicy's spec (crds/pluginpolicy.yaml).
// Parsing trusts nothing the API server's schema already promised: a spec
// that slipped past validation (or a future CRD) still fails here with a
// field path instead of reaching a community server half-understood.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "operator/common/status.h"
#include "operator/json/json.h"
#include "reconcilers/pluginpolicy/fetcher.h"
#include "reconcilers/pluginpolicy/wire.h"

namespace dw::pluginpolicy {

struct SecretKeyRef {
  std::string name;
  std::string key;  // "" = the field's documented default
};

enum class PolicyMode { kAudit, kEnforce };

struct DeclaredPackage {
  std::string name;
  std::string registry_url;  // exactly one of registry_url and artifact is set
  std::string artifact;      // absolute path on the dockward host
  std::string sha256;        // lowercase hex
  std::string publisher;     // "" = not pinned
  bool active = true;
  bool has_settings = false;  // false: the server's settings are left alone
  json::Document settings;    // an object when has_settings
  bool from_registry() const { return !registry_url.empty(); }
};

struct PluginPolicySpec {
  std::string server_url;
  SecretKeyRef credentials;  // key "": token, else username + password
  std::optional<SecretKeyRef> server_ca;
  std::vector<std::string> communities;  // empty with all_communities
  bool all_communities = false;
  PolicyMode mode = PolicyMode::kAudit;
  bool manages_policy = false;  // spec.policy present
  wire::Policy policy;
  std::vector<DeclaredPackage> packages;
  // allowlist = policy.registry_allowlist; ca_pem is filled from fetch_ca.
  FetchPolicy fetch;
  std::optional<SecretKeyRef> fetch_ca;
  std::chrono::seconds interval{300};
  bool prune_unlisted = false;
};

// Invalid with a "spec.packages[2].sha256: ..." style message.
Status ParsePluginPolicySpec(const json::Value& spec, PluginPolicySpec* out);

}  // namespace dw::pluginpolicy
