// The status of a PluginPolicy as plain data (what one pass found and did),
// and its JSON form (crds/pluginpolicy.yaml status). Building the JSON is
// kept apart from the pass so the shape is unit-testable without a server.
#pragma once

#include <string>
#include <vector>

#include "operator/json/json.h"
#include "reconcilers/pluginpolicy/package_check.h"
#include "reconcilers/pluginpolicy/policy_diff.h"
#include "reconcilers/pluginpolicy/wire.h"

namespace dw::pluginpolicy {

struct PackageRow {
  std::string name;
  bool managed = false;
  int installed = -1;               // index into CommunityReport::packages, -1: not installed
  std::vector<std::string> drift;   // after this pass's writes
  std::string reason;               // of the last failed write or refusal
  std::string message;
};

struct CommunityReport {
  std::string id;
  std::string name;
  bool read = false;     // policy and packages were read
  std::string reason;    // why not (CommunityError ...), "" when read
  std::string message;
  bool manages_policy = false;
  wire::Policy policy;                    // as the server holds it after this pass
  std::vector<std::string> policy_drift;  // as observed, before any correction
  bool policy_in_sync = true;             // after this pass
  std::string policy_reason;              // failed policy write
  std::string policy_message;
  std::vector<wire::Package> packages;    // as the server holds them after this pass
  std::vector<PackageRow> rows;           // declared first, then unlisted
  bool InSync() const;
  bool HasRefusals() const;               // a package write or install refused
};

json::Value PackageCheckJson(const PackageCheck& c, json::Allocator& a);
json::Value CommunityJson(const CommunityReport& r, json::Allocator& a);

}  // namespace dw::pluginpolicy
