// ParsePluginPolicySpec: a full spec lands in the right fields, defaults
// match the CRD, and every refusal names the field path.
#include <catch2/catch.hpp>

#include <rapidjson/pointer.h>

#include <chrono>
#include <string>
#include <vector>

#include "reconcilers/pluginpolicy/policy_spec.h"

using dw::Code;
using dw::Status;
using dw::pluginpolicy::ParsePluginPolicySpec;
using dw::pluginpolicy::PluginPolicySpec;
using dw::pluginpolicy::PolicyMode;
namespace json = dw::json;
namespace wire = dw::pluginpolicy::wire;
using namespace std::chrono_literals;

namespace {

const std::string kCommunityA = "11111111-2222-3333-4444-555555555555";
const std::string kCommunityB = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
const std::string kShaA(64, 'a');
const std::string kShaB = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const std::string kKey = std::string(43, 'K') + "=";

// Every field of the CRD set to a non-default value.
const std::string kFullSpec = R"({
  "server": {"url": "https://community.example",
             "credentialsSecretRef": {"name": "creds", "key": "apitoken"},
             "caSecretRef": {"name": "server-ca"}},
  "communities": [")" + kCommunityA + R"(", ")" + kCommunityB + R"("],
  "mode": "Enforce",
  "policy": {
    "trustPolicy": "allow-unsigned",
    "installSources": ["upload", "registry", "upload"],
    "registryAllowlist": ["registry.example", "*.cdn.example"],
    "trustedPublishers": [{"name": "acme", "publicKey": ")" + kKey + R"("}],
    "outboundHttp": {"enabled": true, "allowlist": ["api.example"]},
    "backgroundJobs": true
  },
  "packages": [
    {"name": "hello", "source": {"registryUrl": "https://registry.example/hello.bundle"},
     "sha256": ")" + kShaA + R"(", "publisher": "acme", "active": false,
     "settings": {"greeting": "hi", "limits": {"n": 2}}},
    {"name": "local", "source": {"artifact": "/var/lib/dockward/local.bundle"},
     "sha256": ")" + kShaB + R"("}
  ],
  "fetch": {"timeoutSeconds": 60, "connectTimeoutSeconds": 5, "readTimeoutSeconds": 7,
            "maxRedirects": 2, "maxBytes": 1000, "allowHttp": true,
            "caSecretRef": {"name": "registry-ca", "key": "bundle.pem"}},
  "intervalSeconds": 60,
  "pruneUnlisted": true
})";

const std::string kMinimalSpec = R"({
  "server": {"url": "http://community.test", "credentialsSecretRef": {"name": "creds"}},
  "allCommunities": true
})";

// A spec document edited through JSON pointers, so each refusal case is
// the full spec with one field broken.
struct Spec {
  json::Document doc;
  explicit Spec(const std::string& text = kFullSpec) { REQUIRE(json::Parse(text, &doc).ok()); }
  Spec& Set(const char* pointer, const std::string& value_json) {
    json::Document v;
    REQUIRE(json::Parse(value_json, &v).ok());
    json::Value copy(v, doc.GetAllocator());
    rapidjson::Pointer(pointer).Set(doc, copy);
    return *this;
  }
  Spec& Erase(const char* pointer) {
    REQUIRE(rapidjson::Pointer(pointer).Erase(doc));
    return *this;
  }
  Status Parse(PluginPolicySpec* out) const { return ParsePluginPolicySpec(doc, out); }
  // The refusal message, or "(accepted)"; a refusal must be Invalid. Not a
  // REQUIRE, so one accepted case does not hide the ones after it.
  std::string Refusal() const {
    PluginPolicySpec out;
    Status st = Parse(&out);
    if (st.ok()) return "(accepted)";
    CHECK(st.code() == Code::kInvalid);
    return st.message();
  }
};

}  // namespace

TEST_CASE("spec: a full spec parses into the right fields", "[pluginpolicy][spec]") {
  PluginPolicySpec s;
  {
    // The parsed settings must own their memory: the source is gone below.
    Spec src;
    REQUIRE(src.Parse(&s).ok());
  }
  CHECK(s.server_url == "https://community.example");
  CHECK(s.credentials.name == "creds");
  CHECK(s.credentials.key == "apitoken");
  REQUIRE(s.server_ca.has_value());
  CHECK(s.server_ca->name == "server-ca");
  CHECK(s.server_ca->key == "");
  CHECK(s.communities == std::vector<std::string>{kCommunityA, kCommunityB});
  CHECK_FALSE(s.all_communities);
  CHECK(s.mode == PolicyMode::kEnforce);

  CHECK(s.manages_policy);
  CHECK(s.policy.trust == wire::TrustPolicy::kAllowUnsigned);
  // Duplicates collapse, first-seen order kept.
  CHECK(s.policy.install_sources ==
        std::vector<wire::InstallSource>{wire::InstallSource::kUpload, wire::InstallSource::kRegistry});
  CHECK(s.policy.registry_allowlist == std::vector<std::string>{"registry.example", "*.cdn.example"});
  REQUIRE(s.policy.trusted_publishers.size() == 1);
  CHECK(s.policy.trusted_publishers[0].name == "acme");
  CHECK(s.policy.trusted_publishers[0].public_key == kKey);
  CHECK(s.policy.allow_outbound_http);
  CHECK(s.policy.http_egress_allowlist == std::vector<std::string>{"api.example"});
  CHECK(s.policy.allow_background_jobs);

  REQUIRE(s.packages.size() == 2);
  const auto& hello = s.packages[0];
  CHECK(hello.name == "hello");
  CHECK(hello.registry_url == "https://registry.example/hello.bundle");
  CHECK(hello.artifact == "");
  CHECK(hello.from_registry());
  CHECK(hello.sha256 == kShaA);
  CHECK(hello.publisher == "acme");
  CHECK_FALSE(hello.active);
  CHECK(hello.has_settings);
  json::Document want_settings;
  REQUIRE(json::Parse(R"({"limits": {"n": 2}, "greeting": "hi"})", &want_settings).ok());
  CHECK(json::Serialize(hello.settings) == R"({"greeting":"hi","limits":{"n":2}})");
  CHECK(json::Equal(hello.settings, want_settings));
  const auto& local = s.packages[1];
  CHECK(local.name == "local");
  CHECK(local.registry_url == "");
  CHECK(local.artifact == "/var/lib/dockward/local.bundle");
  CHECK_FALSE(local.from_registry());
  CHECK(local.sha256 == kShaB);
  CHECK(local.publisher == "");
  CHECK(local.active);
  CHECK_FALSE(local.has_settings);

  CHECK(s.fetch.total_timeout == 60000ms);
  CHECK(s.fetch.connect_timeout == 5000ms);
  CHECK(s.fetch.read_idle_timeout == 7000ms);
  CHECK(s.fetch.max_redirects == 2);
  CHECK(s.fetch.max_bytes == 1000u);
  CHECK(s.fetch.allow_http);
  CHECK(s.fetch.ca_pem == "");  // filled from the Secret by the reconciler
  REQUIRE(s.fetch_ca.has_value());
  CHECK(s.fetch_ca->name == "registry-ca");
  CHECK(s.fetch_ca->key == "bundle.pem");
  CHECK(s.interval == 60s);
  CHECK(s.prune_unlisted);
}

TEST_CASE("spec: the registry allowlist is the fetch allowlist", "[pluginpolicy][spec]") {
  PluginPolicySpec s;
  REQUIRE(Spec().Set("/policy/registryAllowlist", R"(["a.example", "*.b.example", "C.example"])").Parse(&s).ok());
  CHECK(s.fetch.allowlist == std::vector<std::string>{"a.example", "*.b.example", "C.example"});
  CHECK(s.fetch.allowlist == s.policy.registry_allowlist);

  // Without a policy nothing is allowlisted: every registry fetch is refused.
  PluginPolicySpec none;
  REQUIRE(Spec().Erase("/policy").Parse(&none).ok());
  CHECK(none.fetch.allowlist.empty());
}

TEST_CASE("spec: defaults follow the CRD", "[pluginpolicy][spec]") {
  PluginPolicySpec s;
  REQUIRE(Spec(kMinimalSpec).Parse(&s).ok());
  CHECK(s.server_url == "http://community.test");
  CHECK(s.credentials.name == "creds");
  CHECK(s.credentials.key == "");
  CHECK_FALSE(s.server_ca.has_value());
  CHECK(s.all_communities);
  CHECK(s.communities.empty());
  CHECK(s.mode == PolicyMode::kAudit);
  CHECK_FALSE(s.manages_policy);  // no spec.policy: the servers' policies are left alone
  CHECK(s.policy == wire::Policy{});
  CHECK(s.packages.empty());
  CHECK(s.interval == 300s);
  CHECK_FALSE(s.prune_unlisted);
  CHECK(s.fetch.total_timeout == 30000ms);
  CHECK(s.fetch.connect_timeout == 10000ms);
  CHECK(s.fetch.read_idle_timeout == 10000ms);
  CHECK(s.fetch.max_redirects == 3);
  CHECK(s.fetch.max_bytes == 52428800u);
  CHECK_FALSE(s.fetch.allow_http);
  CHECK(s.fetch.allowlist.empty());
  CHECK_FALSE(s.fetch_ca.has_value());

  SECTION("an empty policy object is managed, with the CRD's policy defaults") {
    PluginPolicySpec p;
    REQUIRE(Spec(kMinimalSpec).Set("/policy", "{}").Parse(&p).ok());
    CHECK(p.manages_policy);
    CHECK(p.policy.trust == wire::TrustPolicy::kSignedOnly);
    CHECK(p.policy.install_sources == std::vector<wire::InstallSource>{wire::InstallSource::kRegistry});
    CHECK(p.policy.registry_allowlist.empty());
    CHECK(p.policy.trusted_publishers.empty());
    CHECK_FALSE(p.policy.allow_outbound_http);
    CHECK(p.policy.http_egress_allowlist.empty());
    CHECK_FALSE(p.policy.allow_background_jobs);
  }
  SECTION("an explicitly empty installSources list stays empty") {
    PluginPolicySpec p;
    REQUIRE(Spec(kMinimalSpec).Set("/policy", R"({"installSources": []})").Parse(&p).ok());
    CHECK(p.policy.install_sources.empty());
  }
  SECTION("a null policy is an absent one") {
    PluginPolicySpec p;
    REQUIRE(Spec(kMinimalSpec).Set("/policy", "null").Parse(&p).ok());
    CHECK_FALSE(p.manages_policy);
  }
  SECTION("a package's defaults: active, settings left alone, publisher not pinned") {
    PluginPolicySpec p;
    REQUIRE(Spec(kMinimalSpec)
                .Set("/packages", R"([{"name": "p", "source": {"registryUrl": "https://r.example/p"},
                                       "sha256": ")" + kShaA + R"("}])")
                .Parse(&p)
                .ok());
    REQUIRE(p.packages.size() == 1);
    CHECK(p.packages[0].active);
    CHECK_FALSE(p.packages[0].has_settings);
    CHECK(p.packages[0].publisher == "");
  }
}

TEST_CASE("spec: boundary values are accepted", "[pluginpolicy][spec]") {
  PluginPolicySpec s;
  REQUIRE(Spec()
              .Set("/intervalSeconds", "5")
              .Set("/fetch/timeoutSeconds", "600")
              .Set("/fetch/connectTimeoutSeconds", "120")
              .Set("/fetch/readTimeoutSeconds", "1")
              .Set("/fetch/maxRedirects", "0")
              .Set("/fetch/maxBytes", "1")
              .Parse(&s)
              .ok());
  CHECK(s.interval == 5s);
  CHECK(s.fetch.total_timeout == 600000ms);
  CHECK(s.fetch.connect_timeout == 120000ms);
  CHECK(s.fetch.read_idle_timeout == 1000ms);
  CHECK(s.fetch.max_redirects == 0);
  CHECK(s.fetch.max_bytes == 1u);
  REQUIRE(Spec().Set("/intervalSeconds", "86400").Set("/fetch/maxRedirects", "10").Parse(&s).ok());
  CHECK(s.interval == 86400s);
  CHECK(s.fetch.max_redirects == 10);
  // Community ids compare as UUIDs (either case), and either case is accepted.
  REQUIRE(Spec().Set("/communities/1", "\"AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE\"").Parse(&s).ok());
  CHECK(s.communities[1] == "AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE");
}

TEST_CASE("spec: a refused spec leaves the output untouched", "[pluginpolicy][spec]") {
  PluginPolicySpec s;
  s.server_url = "https://before.example";
  REQUIRE_FALSE(Spec().Set("/intervalSeconds", "1").Parse(&s).ok());
  CHECK(s.server_url == "https://before.example");
  CHECK(s.packages.empty());
}

TEST_CASE("spec: every refusal names the field path", "[pluginpolicy][spec]") {
  struct Case {
    Spec spec;
    std::string message;
  };
  auto edit = [](const char* pointer, const std::string& value) { return std::move(Spec().Set(pointer, value)); };
  auto erase = [](const char* pointer) { return std::move(Spec().Erase(pointer)); };
  const std::string both = "spec.communities: exactly one of communities and allCommunities must be set";
  const std::string source = "spec.packages[0].source: exactly one of registryUrl and artifact must be set";
  const std::string hex = "spec.packages[1].sha256: must be 64 lowercase hex digits";
  std::vector<Case> cases;
  // communities / allCommunities
  cases.push_back({edit("/allCommunities", "true"), both});
  cases.push_back({erase("/communities"), both});
  cases.push_back({edit("/communities", "[]"), both});
  cases.push_back({edit("/allCommunities", "\"yes\""), "spec.allCommunities: must be true or false"});
  cases.push_back({edit("/communities/1", "\"not-a-uuid\""),
                   "spec.communities: \"not-a-uuid\" is not a community id (UUID)"});
  cases.push_back({edit("/communities/1", "\"../../admin\""),
                   "spec.communities: \"../../admin\" is not a community id (UUID)"});
  cases.push_back({edit("/communities/1", "\"\""), "spec.communities: \"\" is not a community id (UUID)"});
  cases.push_back({edit("/communities/1", "\"" + kCommunityA + "\""),
                   "spec.communities: \"" + kCommunityA + "\" is listed twice"});
  // The same UUID in another case is the same community.
  cases.push_back({std::move(Spec().Set("/communities/0", "\"" + kCommunityB + "\"")
                                .Set("/communities/1", "\"AAAAAAAA-bbbb-cccc-dddd-eeeeeeeeeeee\"")),
                   "spec.communities: \"AAAAAAAA-bbbb-cccc-dddd-eeeeeeeeeeee\" is listed twice"});
  cases.push_back({edit("/communities", "\"" + kCommunityA + "\""), "spec.communities: must be a list of strings"});
  cases.push_back({edit("/communities/0", "7"), "spec.communities: must be a list of strings"});
  // server
  cases.push_back({erase("/server"), "spec.server: required"});
  cases.push_back({edit("/server/url", "\"ftp://community.example\""),
                   "spec.server.url: must start with https:// or http://"});
  cases.push_back({erase("/server/url"), "spec.server.url: required"});
  cases.push_back({edit("/server/url", "\"https://admin:pw@community.example\""),
                   "spec.server.url: must not carry credentials (user:password@); use credentialsSecretRef"});
  cases.push_back({edit("/server/url", "\"https://\""), "spec.server.url: is not a valid URL"});
  cases.push_back({erase("/server/credentialsSecretRef"), "spec.server.credentialsSecretRef: required"});
  cases.push_back({edit("/server/credentialsSecretRef/name", "\"\""),
                   "spec.server.credentialsSecretRef.name: must not be empty"});
  cases.push_back({edit("/server/caSecretRef", "\"server-ca\""), "spec.server.caSecretRef: must be an object"});
  // mode
  cases.push_back({edit("/mode", "\"enforce\""), "spec.mode: must be Audit or Enforce"});
  cases.push_back({edit("/mode", "1"), "spec.mode: must be a string"});
  // policy
  cases.push_back({edit("/policy", "[]"), "spec.policy: must be an object"});
  cases.push_back({edit("/policy/trustPolicy", "\"signed_only\""),
                   "spec.policy.trustPolicy: unknown value \"signed_only\""});
  cases.push_back({edit("/policy/installSources/1", "\"git\""), "spec.policy.installSources: unknown value \"git\""});
  cases.push_back({edit("/policy/registryAllowlist", "\"registry.example\""),
                   "spec.policy.registryAllowlist: must be a list of strings"});
  cases.push_back({edit("/policy/trustedPublishers/0", "\"acme\""),
                   "spec.policy.trustedPublishers[0]: must be an object"});
  cases.push_back({erase("/policy/trustedPublishers/0/publicKey"),
                   "spec.policy.trustedPublishers[0].publicKey: required"});
  cases.push_back({edit("/policy/trustedPublishers/0/name", "\"\""),
                   "spec.policy.trustedPublishers[0].name: must not be empty"});
  cases.push_back({edit("/policy/outboundHttp", "true"), "spec.policy.outboundHttp: must be an object"});
  cases.push_back({edit("/policy/outboundHttp/enabled", "\"true\""),
                   "spec.policy.outboundHttp.enabled: must be true or false"});
  cases.push_back({edit("/policy/outboundHttp/allowlist/0", "1"),
                   "spec.policy.outboundHttp.allowlist: must be a list of strings"});
  cases.push_back({edit("/policy/backgroundJobs", "1"), "spec.policy.backgroundJobs: must be true or false"});
  // packages
  cases.push_back({edit("/packages", "{}"), "spec.packages: must be a list"});
  cases.push_back({edit("/packages/1", "\"local\""), "spec.packages[1]: must be an object"});
  cases.push_back({erase("/packages/1/name"), "spec.packages[1].name: required"});
  cases.push_back({edit("/packages/1/name", "\"hello\""), "spec.packages: package \"hello\" is declared twice"});
  cases.push_back({erase("/packages/0/source"), "spec.packages[0].source: required"});
  cases.push_back({edit("/packages/0/source/artifact", "\"/srv/hello.bundle\""), source});
  cases.push_back({edit("/packages/0/source", "{}"), source});
  cases.push_back({edit("/packages/0/source/registryUrl", "\"\""), source});
  cases.push_back({edit("/packages/1/source/artifact", "\"bundles/local.bundle\""),
                   "spec.packages[1].source.artifact: must be an absolute path"});
  cases.push_back({erase("/packages/1/sha256"), "spec.packages[1].sha256: required"});
  cases.push_back({edit("/packages/1/sha256", "\"" + std::string(63, 'a') + "\""), hex});
  cases.push_back({edit("/packages/1/sha256", "\"" + std::string(65, 'a') + "\""), hex});
  cases.push_back({edit("/packages/1/sha256", "\"" + std::string(64, 'A') + "\""), hex});
  cases.push_back({edit("/packages/1/sha256", "\"" + std::string(63, 'a') + "g\""), hex});
  cases.push_back({edit("/packages/0/active", "\"false\""), "spec.packages[0].active: must be true or false"});
  cases.push_back({edit("/packages/0/settings", "[1, 2]"), "spec.packages[0].settings: must be an object"});
  cases.push_back({edit("/packages/0/settings", "\"greeting=hi\""), "spec.packages[0].settings: must be an object"});
  // intervalSeconds
  const std::string interval = "spec.intervalSeconds: must be an integer from 5 to 86400";
  cases.push_back({edit("/intervalSeconds", "4"), interval});
  cases.push_back({edit("/intervalSeconds", "86401"), interval});
  cases.push_back({edit("/intervalSeconds", "-300"), interval});
  cases.push_back({edit("/intervalSeconds", "\"60\""), interval});
  cases.push_back({edit("/intervalSeconds", "60.5"), interval});
  cases.push_back({edit("/pruneUnlisted", "\"true\""), "spec.pruneUnlisted: must be true or false"});
  // fetch
  cases.push_back({edit("/fetch", "30"), "spec.fetch: must be an object"});
  cases.push_back({edit("/fetch/timeoutSeconds", "0"), "spec.fetch.timeoutSeconds: must be an integer from 1 to 600"});
  cases.push_back({edit("/fetch/timeoutSeconds", "601"), "spec.fetch.timeoutSeconds: must be an integer from 1 to 600"});
  cases.push_back({edit("/fetch/connectTimeoutSeconds", "121"),
                   "spec.fetch.connectTimeoutSeconds: must be an integer from 1 to 120"});
  cases.push_back({edit("/fetch/connectTimeoutSeconds", "0"),
                   "spec.fetch.connectTimeoutSeconds: must be an integer from 1 to 120"});
  cases.push_back({edit("/fetch/readTimeoutSeconds", "0"),
                   "spec.fetch.readTimeoutSeconds: must be an integer from 1 to 600"});
  cases.push_back({edit("/fetch/readTimeoutSeconds", "601"),
                   "spec.fetch.readTimeoutSeconds: must be an integer from 1 to 600"});
  cases.push_back({edit("/fetch/maxRedirects", "11"), "spec.fetch.maxRedirects: must be 0 to 10"});
  cases.push_back({edit("/fetch/maxRedirects", "-1"), "spec.fetch.maxRedirects: must be 0 to 10"});
  cases.push_back({edit("/fetch/maxBytes", "0"), "spec.fetch.maxBytes: must be a positive integer"});
  cases.push_back({edit("/fetch/maxBytes", "-5"), "spec.fetch.maxBytes: must be a positive integer"});
  cases.push_back({edit("/fetch/allowHttp", "\"yes\""), "spec.fetch.allowHttp: must be true or false"});
  cases.push_back({erase("/fetch/caSecretRef/name"), "spec.fetch.caSecretRef.name: required"});

  for (size_t i = 0; i < cases.size(); ++i) {
    INFO("case " << i << ": " << json::Serialize(cases[i].spec.doc));
    CHECK(cases[i].spec.Refusal() == cases[i].message);
  }

  json::Document not_object;
  REQUIRE(json::Parse("[]", &not_object).ok());
  PluginPolicySpec out;
  Status st = ParsePluginPolicySpec(not_object, &out);
  CHECK(st.code() == Code::kInvalid);
  CHECK(st.message() == "spec: must be an object");
}
