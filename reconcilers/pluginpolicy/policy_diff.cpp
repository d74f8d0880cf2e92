#include "reconcilers/pluginpolicy/policy_diff.h"

#include <algorithm>
#include <cctype>
#include <set>

namespace dw::pluginpolicy {

namespace {

std::set<std::string> FoldedSet(const std::vector<std::string>& v) {
  std::set<std::string> out;
  for (std::string s : v) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    out.insert(std::move(s));
  }
  return out;
}

template <typename T>
std::set<T> AsSet(const std::vector<T>& v) {
  return std::set<T>(v.begin(), v.end());
}

std::set<std::pair<std::string, std::string>> PublisherSet(const std::vector<wire::Publisher>& v) {
  std::set<std::pair<std::string, std::string>> out;
  for (const auto& p : v) out.emplace(p.name, p.public_key);
  return out;
}

bool Contains(const std::vector<std::string>& v, const char* s) { return std::find(v.begin(), v.end(), s) != v.end(); }

}  // namespace

std::vector<std::string> PolicyDrift(const wire::Policy& want, const wire::Policy& have) {
  std::vector<std::string> d;
  if (want.trust != have.trust) d.push_back("trustPolicy");
  if (AsSet(want.install_sources) != AsSet(have.install_sources)) d.push_back("installSources");
  if (FoldedSet(want.registry_allowlist) != FoldedSet(have.registry_allowlist)) d.push_back("registryAllowlist");
  if (PublisherSet(want.trusted_publishers) != PublisherSet(have.trusted_publishers)) {
    d.push_back("trustedPublishers");
  }
  if (want.allow_outbound_http != have.allow_outbound_http) d.push_back("outboundHttp.enabled");
  if (FoldedSet(want.http_egress_allowlist) != FoldedSet(have.http_egress_allowlist)) {
    d.push_back("outboundHttp.allowlist");
  }
  if (want.allow_background_jobs != have.allow_background_jobs) d.push_back("backgroundJobs");
  return d;
}

bool PackageDiff::needs_install() const {
  return declared != nullptr && (Contains(drift, "missing") || Contains(drift, "sha256"));
}

std::vector<PackageDiff> DiffPackages(const std::vector<DeclaredPackage>& want,
                                      const std::vector<wire::Package>& have, bool prune_unlisted) {
  std::vector<PackageDiff> out;
  std::set<const wire::Package*> matched;
  for (const auto& d : want) {
    PackageDiff row;
    row.declared = &d;
    for (const auto& p : have) {
      if (p.name != d.name) continue;
      matched.insert(&p);
      if (row.installed == nullptr || (p.sha256 == d.sha256 && row.installed->sha256 != d.sha256)) row.installed = &p;
    }
    if (row.installed == nullptr) {
      row.drift.push_back("missing");
    } else {
      if (row.installed->sha256 != d.sha256) row.drift.push_back("sha256");
      if (row.installed->active != d.active) row.drift.push_back("active");
      if (d.has_settings && !json::Equal(d.settings, row.installed->settings)) row.drift.push_back("settings");
    }
    out.push_back(std::move(row));
  }
  for (const auto& p : have) {
    if (matched.count(&p)) continue;
    PackageDiff row;
    row.installed = &p;
    if (p.active && prune_unlisted) row.drift.push_back("unlisted");
    out.push_back(std::move(row));
  }
  return out;
}

PackageEffect EffectOf(const wire::Package& pkg, const wire::Policy& policy) {
  PackageEffect e;
  for (const auto& h : pkg.hooks) {
    const bool cron = wire::IsCronHook(h);
    if (cron && !policy.allow_background_jobs) {
      e.suppressed_hooks.push_back(h);
    } else if (pkg.active) {
      e.effective_hooks.push_back(h);
    }
  }
  e.outbound_http = policy.allow_outbound_http &&
                    std::any_of(pkg.capabilities.begin(), pkg.capabilities.end(),
                                [](const std::string& c) { return wire::GrantsOutboundHttp(c); });
  return e;
}

}  // namespace dw::pluginpolicy
