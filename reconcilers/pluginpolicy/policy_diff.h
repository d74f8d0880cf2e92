// Comparisons of the declared state with what a community server holds.
// Pure functions: the reconciler decides what to write from their answers
// and status reports them, so both say the same thing.
#pragma once

#include <string>
#include <vector>

#include "reconcilers/pluginpolicy/policy_spec.h"
#include "reconcilers/pluginpolicy/wire.h"

namespace dw::pluginpolicy {

// CRD names of the policy fields that differ: trustPolicy, installSources,
// registryAllowlist, trustedPublishers, outboundHttp.enabled,
// outboundHttp.allowlist, backgroundJobs. Lists compare as sets (a server
// may reorder them; hostnames case-insensitively).
std::vector<std::string> PolicyDrift(const wire::Policy& want, const wire::Policy& have);

// One row per declared package (in spec order), then one per installed
// package the spec does not declare.
struct PackageDiff {
  const DeclaredPackage* declared = nullptr;  // null: unlisted on the server
  const wire::Package* installed = nullptr;   // null: not installed
  // "missing", "sha256", "active", "settings"; for an unlisted package,
  // "unlisted" when it is active and unlisted packages are pruned.
  std::vector<std::string> drift;
  bool in_sync() const { return drift.empty(); }
  bool needs_install() const;  // missing, or another sha256 installed
};

// When the server holds several packages of one name, the one with the
// declared sha256 wins (else the first).
std::vector<PackageDiff> DiffPackages(const std::vector<DeclaredPackage>& want,
                                      const std::vector<wire::Package>& have, bool prune_unlisted);

// What a package may do under the community's policy: hooks that fire
// (an active package's hooks, cron ones only with background jobs),
// declared cron hooks held back because background jobs are off, and
// whether it may make outbound HTTP requests (declares the capability and
// the policy enables it).
struct PackageEffect {
  std::vector<std::string> effective_hooks;
  std::vector<std::string> suppressed_hooks;
  bool outbound_http = false;
};
PackageEffect EffectOf(const wire::Package& pkg, const wire::Policy& policy);

}  // namespace dw::pluginpolicy
