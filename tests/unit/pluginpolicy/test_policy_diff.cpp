// PolicyDrift, DiffPackages and EffectOf: what counts as drift, in which
// order rows come, and what a package may do under a community's policy.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "reconcilers/pluginpolicy/policy_diff.h"

using dw::pluginpolicy::DeclaredPackage;
using dw::pluginpolicy::DiffPackages;
using dw::pluginpolicy::EffectOf;
using dw::pluginpolicy::PackageDiff;
using dw::pluginpolicy::PolicyDrift;
namespace json = dw::json;
namespace wire = dw::pluginpolicy::wire;
using Strings = std::vector<std::string>;

namespace {

const std::string kPinned(64, 'a');
const std::string kOther(64, 'b');

wire::Policy FullPolicy() {
  wire::Policy p;
  p.trust = wire::TrustPolicy::kSignedOnly;
  p.install_sources = {wire::InstallSource::kUpload, wire::InstallSource::kRegistry};
  p.registry_allowlist = {"registry.example", "*.cdn.example"};
  p.trusted_publishers = {{"acme", "key-acme"}, {"globex", "key-globex"}};
  p.allow_outbound_http = true;
  p.http_egress_allowlist = {"api.example", "hooks.example"};
  p.allow_background_jobs = true;
  return p;
}

DeclaredPackage Declared(const std::string& name, const std::string& sha, bool active = true,
                         const char* settings = nullptr) {
  DeclaredPackage d;
  d.name = name;
  d.registry_url = "https://registry.example/" + name;
  d.sha256 = sha;
  d.active = active;
  if (settings != nullptr) {
    d.has_settings = true;
    REQUIRE(json::Parse(settings, &d.settings).ok());
  }
  return d;
}

wire::Package Installed(const std::string& name, const std::string& sha, bool active = true,
                        const char* settings = "{}") {
  wire::Package p;
  p.id = "id-" + name + "-" + sha.substr(0, 4);
  p.name = name;
  p.sha256 = sha;
  p.active = active;
  REQUIRE(json::Parse(settings, &p.settings).ok());
  return p;
}

// Row names in order, for order checks: declared name or installed name.
Strings Names(const std::vector<PackageDiff>& rows) {
  Strings out;
  for (const auto& r : rows) out.push_back(r.declared ? r.declared->name : r.installed->name);
  return out;
}

}  // namespace

TEST_CASE("PolicyDrift: equal policies do not drift", "[pluginpolicy][diff]") {
  CHECK(PolicyDrift(FullPolicy(), FullPolicy()).empty());
  CHECK(PolicyDrift(wire::Policy{}, wire::Policy{}).empty());
}

TEST_CASE("PolicyDrift: lists compare as sets, hostnames case-insensitively", "[pluginpolicy][diff]") {
  wire::Policy want = FullPolicy();
  wire::Policy have = FullPolicy();
  have.install_sources = {wire::InstallSource::kRegistry, wire::InstallSource::kUpload, wire::InstallSource::kRegistry};
  have.registry_allowlist = {"*.CDN.example", "Registry.Example", "registry.example"};
  have.trusted_publishers = {{"globex", "key-globex"}, {"acme", "key-acme"}};
  have.http_egress_allowlist = {"HOOKS.example", "api.EXAMPLE"};
  CHECK(PolicyDrift(want, have) == Strings{});
  CHECK(PolicyDrift(have, want) == Strings{});

  SECTION("a publisher's key is compared exactly (base64 is case-sensitive)") {
    have.trusted_publishers = {{"acme", "KEY-ACME"}, {"globex", "key-globex"}};
    CHECK(PolicyDrift(want, have) == Strings{"trustedPublishers"});
  }
  SECTION("a publisher's name is compared exactly") {
    have.trusted_publishers = {{"Acme", "key-acme"}, {"globex", "key-globex"}};
    CHECK(PolicyDrift(want, have) == Strings{"trustedPublishers"});
  }
  SECTION("a missing or extra element is drift") {
    have.registry_allowlist = {"registry.example"};
    have.http_egress_allowlist = {"api.example", "hooks.example", "evil.example"};
    CHECK(PolicyDrift(want, have) == Strings{"registryAllowlist", "outboundHttp.allowlist"});
  }
}

TEST_CASE("PolicyDrift: each field has its CRD name", "[pluginpolicy][diff]") {
  const wire::Policy want = FullPolicy();
  struct Case {
    void (*edit)(wire::Policy&);
    std::string name;
  };
  const std::vector<Case> cases = {
      {[](wire::Policy& p) { p.trust = wire::TrustPolicy::kAllowUnsigned; }, "trustPolicy"},
      {[](wire::Policy& p) { p.install_sources = {wire::InstallSource::kRegistry}; }, "installSources"},
      {[](wire::Policy& p) { p.registry_allowlist.push_back("other.example"); }, "registryAllowlist"},
      {[](wire::Policy& p) { p.trusted_publishers.pop_back(); }, "trustedPublishers"},
      {[](wire::Policy& p) { p.allow_outbound_http = false; }, "outboundHttp.enabled"},
      {[](wire::Policy& p) { p.http_egress_allowlist.clear(); }, "outboundHttp.allowlist"},
      {[](wire::Policy& p) { p.allow_background_jobs = false; }, "backgroundJobs"},
  };
  wire::Policy all = want;
  for (const auto& c : cases) {
    wire::Policy have = want;
    c.edit(have);
    INFO(c.name);
    CHECK(PolicyDrift(want, have) == Strings{c.name});
    c.edit(all);
  }
  CHECK(PolicyDrift(want, all) == Strings{"trustPolicy", "installSources", "registryAllowlist", "trustedPublishers",
                                          "outboundHttp.enabled", "outboundHttp.allowlist", "backgroundJobs"});
}

TEST_CASE("DiffPackages: one drift name per difference", "[pluginpolicy][diff]") {
  SECTION("in sync: same sha256, active and settings (member order ignored)") {
    std::vector<DeclaredPackage> want;
    want.push_back(Declared("hello", kPinned, true, R"({"a": 1, "b": {"c": [1, 2]}})"));
    std::vector<wire::Package> have;
    have.push_back(Installed("hello", kPinned, true, R"({"b": {"c": [1, 2]}, "a": 1.0})"));
    auto rows = DiffPackages(want, have, true);
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].declared == &want[0]);
    CHECK(rows[0].installed == &have[0]);
    CHECK(rows[0].drift == Strings{});
    CHECK(rows[0].in_sync());
    CHECK_FALSE(rows[0].needs_install());
  }
  SECTION("missing") {
    std::vector<DeclaredPackage> want;
    want.push_back(Declared("hello", kPinned, true, "{}"));
    auto rows = DiffPackages(want, {}, false);
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].installed == nullptr);
    CHECK(rows[0].drift == Strings{"missing"});
    CHECK_FALSE(rows[0].in_sync());
    CHECK(rows[0].needs_install());
  }
  SECTION("sha256") {
    std::vector<DeclaredPackage> want;
    want.push_back(Declared("hello", kPinned));
    std::vector<wire::Package> have;
    have.push_back(Installed("hello", kOther));
    auto rows = DiffPackages(want, have, false);
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].installed == &have[0]);
    CHECK(rows[0].drift == Strings{"sha256"});
    CHECK(rows[0].needs_install());
  }
  SECTION("active, either way") {
    std::vector<DeclaredPackage> want;
    want.push_back(Declared("on", kPinned, true));
    want.push_back(Declared("off", kPinned, false));
    std::vector<wire::Package> have;
    have.push_back(Installed("off", kPinned, true));
    have.push_back(Installed("on", kPinned, false));
    auto rows = DiffPackages(want, have, false);
    REQUIRE(rows.size() == 2);
    CHECK(rows[0].installed == &have[1]);
    CHECK(rows[0].drift == Strings{"active"});
    CHECK(rows[1].installed == &have[0]);
    CHECK(rows[1].drift == Strings{"active"});
    CHECK_FALSE(rows[0].needs_install());
    CHECK_FALSE(rows[1].needs_install());
  }
  SECTION("settings, only when the spec declares them") {
    std::vector<DeclaredPackage> want;
    want.push_back(Declared("declared", kPinned, true, R"({"greeting": "hi"})"));
    want.push_back(Declared("empty", kPinned, true, "{}"));
    want.push_back(Declared("untouched", kPinned, true));
    std::vector<wire::Package> have;
    have.push_back(Installed("declared", kPinned, true, R"({"greeting": "hello"})"));
    have.push_back(Installed("empty", kPinned, true, R"({"greeting": "hello"})"));
    have.push_back(Installed("untouched", kPinned, true, R"({"greeting": "hello"})"));
    auto rows = DiffPackages(want, have, false);
    REQUIRE(rows.size() == 3);
    CHECK(rows[0].drift == Strings{"settings"});
    CHECK(rows[1].drift == Strings{"settings"});
    CHECK(rows[2].drift == Strings{});
    CHECK_FALSE(rows[0].needs_install());
  }
  SECTION("several differences, in a fixed order") {
    std::vector<DeclaredPackage> want;
    want.push_back(Declared("hello", kPinned, false, R"({"n": 1})"));
    std::vector<wire::Package> have;
    have.push_back(Installed("hello", kOther, true, R"({"n": 2})"));
    auto rows = DiffPackages(want, have, false);
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].drift == Strings{"sha256", "active", "settings"});
    CHECK(rows[0].needs_install());
  }
}

TEST_CASE("DiffPackages: unlisted packages are reported, drift only when pruned", "[pluginpolicy][diff]") {
  std::vector<DeclaredPackage> want;
  want.push_back(Declared("beta", kPinned));
  want.push_back(Declared("alpha", kPinned));
  want.push_back(Declared("gamma", kPinned));
  std::vector<wire::Package> have;
  have.push_back(Installed("extra-on", kOther, true));
  have.push_back(Installed("alpha", kPinned));
  have.push_back(Installed("extra-off", kOther, false));
  have.push_back(Installed("beta", kPinned));

  auto rows = DiffPackages(want, have, false);
  // Declared in spec order, then unlisted in the server's order.
  REQUIRE(Names(rows) == Strings{"beta", "alpha", "gamma", "extra-on", "extra-off"});
  CHECK(rows[0].installed == &have[3]);
  CHECK(rows[1].installed == &have[1]);
  CHECK(rows[2].drift == Strings{"missing"});
  CHECK(rows[3].declared == nullptr);
  CHECK(rows[3].installed == &have[0]);
  CHECK(rows[3].drift == Strings{});
  CHECK(rows[4].declared == nullptr);
  CHECK(rows[4].installed == &have[2]);
  CHECK(rows[4].drift == Strings{});

  auto pruned = DiffPackages(want, have, true);
  REQUIRE(Names(pruned) == Strings{"beta", "alpha", "gamma", "extra-on", "extra-off"});
  CHECK(pruned[3].drift == Strings{"unlisted"});
  CHECK_FALSE(pruned[3].in_sync());
  CHECK_FALSE(pruned[3].needs_install());  // an unlisted package is never installed
  CHECK(pruned[4].drift == Strings{});     // already inactive: nothing to prune
  CHECK(pruned[0].drift == Strings{});
}

TEST_CASE("DiffPackages: several records of one name, the pinned sha256 wins", "[pluginpolicy][diff]") {
  std::vector<DeclaredPackage> want;
  want.push_back(Declared("hello", kPinned));

  SECTION("pinned record after another one") {
    std::vector<wire::Package> have;
    have.push_back(Installed("hello", kOther, false));
    have.push_back(Installed("hello", kPinned, true));
    auto rows = DiffPackages(want, have, true);
    // Both records belong to the declared package: none is "unlisted".
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].installed == &have[1]);
    CHECK(rows[0].drift == Strings{});
  }
  SECTION("pinned record first") {
    std::vector<wire::Package> have;
    have.push_back(Installed("hello", kPinned, true));
    have.push_back(Installed("hello", kOther, true));
    auto rows = DiffPackages(want, have, true);
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].installed == &have[0]);
    CHECK(rows[0].drift == Strings{});
  }
  SECTION("no record has the pin: the first one is compared") {
    const std::string third(64, 'c');
    std::vector<wire::Package> have;
    have.push_back(Installed("hello", kOther, false));
    have.push_back(Installed("hello", third, true));
    auto rows = DiffPackages(want, have, true);
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].installed == &have[0]);
    CHECK(rows[0].drift == Strings{"sha256", "active"});
  }
}

TEST_CASE("IsCronHook and GrantsOutboundHttp", "[pluginpolicy][diff]") {
  CHECK(wire::IsCronHook("cron.minute"));
  CHECK(wire::IsCronHook("cron.hourly"));
  CHECK(wire::IsCronHook("cron.daily"));
  CHECK_FALSE(wire::IsCronHook("cron"));
  CHECK_FALSE(wire::IsCronHook("cronjob"));
  CHECK_FALSE(wire::IsCronHook("message.cron.x"));
  CHECK_FALSE(wire::IsCronHook("on_message"));
  CHECK(wire::GrantsOutboundHttp("http"));
  CHECK_FALSE(wire::GrantsOutboundHttp("https"));
  CHECK_FALSE(wire::GrantsOutboundHttp("storage"));
  CHECK_FALSE(wire::GrantsOutboundHttp(""));
}

TEST_CASE("EffectOf: hooks under the background-jobs switch", "[pluginpolicy][diff]") {
  wire::Package pkg = Installed("hello", kPinned, true);
  pkg.hooks = {"on_message", "cron.hourly", "on_join", "cron.daily"};
  wire::Policy policy;

  SECTION("without background jobs the cron hooks are suppressed") {
    policy.allow_background_jobs = false;
    auto e = EffectOf(pkg, policy);
    CHECK(e.effective_hooks == Strings{"on_message", "on_join"});
    CHECK(e.suppressed_hooks == Strings{"cron.hourly", "cron.daily"});
  }
  SECTION("with background jobs every hook fires") {
    policy.allow_background_jobs = true;
    auto e = EffectOf(pkg, policy);
    CHECK(e.effective_hooks == Strings{"on_message", "cron.hourly", "on_join", "cron.daily"});
    CHECK(e.suppressed_hooks == Strings{});
  }
  SECTION("an inactive package fires nothing") {
    pkg.active = false;
    policy.allow_background_jobs = true;
    auto e = EffectOf(pkg, policy);
    CHECK(e.effective_hooks == Strings{});
    CHECK(e.suppressed_hooks == Strings{});
    // Its cron hooks are still reported as held back by the policy.
    policy.allow_background_jobs = false;
    e = EffectOf(pkg, policy);
    CHECK(e.effective_hooks == Strings{});
    CHECK(e.suppressed_hooks == Strings{"cron.hourly", "cron.daily"});
  }
}

TEST_CASE("EffectOf: outbound HTTP needs the capability AND the policy", "[pluginpolicy][diff]") {
  wire::Package pkg = Installed("hello", kPinned, true);
  wire::Policy on;
  on.allow_outbound_http = true;
  wire::Policy off;
  off.allow_outbound_http = false;

  pkg.capabilities = {"storage", "http"};
  CHECK(EffectOf(pkg, on).outbound_http);
  CHECK_FALSE(EffectOf(pkg, off).outbound_http);

  pkg.capabilities = {"storage"};
  CHECK_FALSE(EffectOf(pkg, on).outbound_http);
  pkg.capabilities = {};
  CHECK_FALSE(EffectOf(pkg, on).outbound_http);
  pkg.capabilities = {"HTTP", "http-client"};
  CHECK_FALSE(EffectOf(pkg, on).outbound_http);
}
