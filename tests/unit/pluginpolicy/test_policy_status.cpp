// Status JSON of a PluginPolicy: exact shapes of PackageCheckJson and
// CommunityJson, the hooks a package's row reports, CommunityReport's
// InSync/HasRefusals, and that every emitted field is one the CRD's status
// schema declares (read from the CRD compiled into the binary).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "operator/json/yaml.h"
#include "operator/schema/embedded.h"
#include "reconcilers/pluginpolicy/policy_status.h"

using dw::pluginpolicy::CommunityJson;
using dw::pluginpolicy::CommunityReport;
using dw::pluginpolicy::PackageCheck;
using dw::pluginpolicy::PackageCheckJson;
using dw::pluginpolicy::PackageRow;
namespace json = dw::json;
namespace wire = dw::pluginpolicy::wire;

namespace {

const std::string kShaA(64, 'a');
const std::string kShaB(64, 'b');

json::Document ParseJson(const std::string& text) {
  json::Document d;
  REQUIRE(json::Parse(text, &d).ok());
  return d;
}

// Structural equality, with both sides printed when it fails.
void CheckSame(const json::Value& got, const std::string& want_text) {
  json::Document want = ParseJson(want_text);
  INFO("got:  " << json::Serialize(got));
  INFO("want: " << json::Serialize(want));
  CHECK(json::Equal(got, want));
}

// spec.versions[0].schema.openAPIV3Schema.properties.status.properties of
// the embedded PluginPolicy CRD.
const json::Value& StatusSchema(json::Document* crd) {
  std::string text;
  for (const auto& [file, yaml] : dw::schema::EmbeddedCrds()) {
    if (file == "pluginpolicy.yaml") text = yaml;
  }
  REQUIRE_FALSE(text.empty());
  REQUIRE(dw::yaml::ParseOne(text, {}, crd).ok());
  const json::Value* versions = json::FindPath(*crd, "spec.versions");
  REQUIRE(versions != nullptr);
  REQUIRE(versions->IsArray());
  const json::Value* status = json::FindPath((*versions)[0], "schema.openAPIV3Schema.properties.status.properties");
  REQUIRE(status != nullptr);
  return *status;
}

// Every member of `v` is declared by `schema` with a matching type (and
// enum value), recursively; what does not conform goes to `errors`.
void Conforms(const json::Value& v, const json::Value& schema, const std::string& path,
              std::vector<std::string>* errors) {
  const std::string type = json::GetString(schema, "type");
  const bool typed = (type == "object" && v.IsObject()) || (type == "array" && v.IsArray()) ||
                     (type == "string" && v.IsString()) || (type == "boolean" && v.IsBool()) ||
                     (type == "integer" && v.IsInt64());
  if (!typed) {
    errors->push_back(path + ": not of type \"" + type + "\"");
    return;
  }
  if (const json::Value* e = json::Find(schema, "enum"); e != nullptr && e->IsArray()) {
    bool listed = false;
    for (const auto& allowed : e->GetArray()) listed = listed || json::Equal(allowed, v);
    if (!listed) errors->push_back(path + ": not one of the CRD's enum values");
  }
  if (v.IsObject()) {
    const json::Value* props = json::Find(schema, "properties");
    for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
      const std::string name(it->name.GetString(), it->name.GetStringLength());
      const json::Value* ps = props != nullptr ? json::Find(*props, name) : nullptr;
      if (ps == nullptr) {
        errors->push_back(path + "." + name + ": not in the CRD");
      } else {
        Conforms(it->value, *ps, path + "." + name, errors);
      }
    }
  }
  if (v.IsArray()) {
    const json::Value* items = json::Find(schema, "items");
    for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
      if (items == nullptr) {
        errors->push_back(path + ": array without items in the CRD");
        break;
      }
      Conforms(v[i], *items, path + "[" + std::to_string(i) + "]", errors);
    }
  }
}

std::vector<std::string> SchemaErrors(const json::Value& v, const char* status_field) {
  json::Document crd;
  const json::Value& status = StatusSchema(&crd);
  const json::Value* field = json::Find(status, status_field);
  REQUIRE(field != nullptr);
  const json::Value* items = json::Find(*field, "items");
  REQUIRE(items != nullptr);
  std::vector<std::string> errors;
  Conforms(v, *items, std::string("status.") + status_field + "[0]", &errors);
  return errors;
}

wire::Package Pkg(const std::string& id, const std::string& name, const std::string& sha, bool active) {
  wire::Package p;
  p.id = id;
  p.name = name;
  p.sha256 = sha;
  p.active = active;
  p.settings.SetObject();
  return p;
}

PackageRow Row(const std::string& name, bool managed, int installed, std::vector<std::string> drift = {},
               const std::string& reason = "", const std::string& message = "") {
  PackageRow r;
  r.name = name;
  r.managed = managed;
  r.installed = installed;
  r.drift = std::move(drift);
  r.reason = reason;
  r.message = message;
  return r;
}

// A community read in full: one managed package in sync, one declared but
// refused, one unlisted; the policy allows outbound HTTP but no background jobs.
CommunityReport FullReport() {
  CommunityReport r;
  r.id = "11111111-2222-3333-4444-555555555555";
  r.name = "General";
  r.read = true;
  r.manages_policy = true;
  r.policy.trust = wire::TrustPolicy::kSignedOnly;
  r.policy.install_sources = {wire::InstallSource::kRegistry};
  r.policy.allow_outbound_http = true;
  r.policy.http_egress_allowlist = {"api.example", "*.hooks.example"};
  r.policy.allow_background_jobs = false;
  r.policy_drift = {"backgroundJobs", "outboundHttp.enabled"};
  r.policy_in_sync = true;  // corrected by this pass

  wire::Package hello = Pkg("p-1", "hello", kShaA, true);
  hello.version = "1.2.0";
  hello.publisher = "acme";
  hello.signature_present = true;
  hello.signature_verified = true;
  hello.source = wire::PackageSource::kRegistry;
  hello.registry_url = "https://registry.example/hello.bundle";
  hello.hooks = {"on_message", "cron.hourly", "on_join"};
  hello.capabilities = {"storage", "http"};
  r.packages.push_back(std::move(hello));

  wire::Package extra = Pkg("p-2", "extra", kShaB, false);
  extra.source = wire::PackageSource::kUpload;
  extra.hooks = {"cron.daily"};
  r.packages.push_back(std::move(extra));

  r.rows.push_back(Row("hello", true, 0));
  r.rows.push_back(Row("absent", true, -1, {"missing"}, "Unsigned",
                       "not installed: signed-only policy: package is unsigned"));
  r.rows.push_back(Row("extra", false, 1));
  return r;
}

}  // namespace

TEST_CASE("status: PackageCheckJson", "[pluginpolicy][status]") {
  json::Document doc;
  auto& a = doc.GetAllocator();

  PackageCheck ok;
  ok.name = "hello";
  ok.source = "registry";
  ok.registry_url = "https://registry.example/hello.bundle";
  ok.verified = true;
  ok.sha256 = kShaA;
  ok.publisher = "acme";
  ok.version = "1.2.0";
  ok.signature_present = true;
  ok.signature_verified = true;
  ok.bytes = 5000000000ull;  // beyond 32 bits: int64 in the CRD
  json::Value got = PackageCheckJson(ok, a);
  CheckSame(got, R"({"name": "hello", "source": "registry",
                     "registryUrl": "https://registry.example/hello.bundle", "sha256": ")" + kShaA + R"(",
                     "publisher": "acme", "version": "1.2.0", "signaturePresent": true,
                     "signatureVerified": true, "verified": true, "bytes": 5000000000})");
  CHECK(SchemaErrors(got, "packages") == std::vector<std::string>{});

  // A refusal before anything was read: no empty strings, reason and message.
  PackageCheck refused;
  refused.name = "local";
  refused.source = "upload";
  refused.reason = "ArtifactUnreadable";
  refused.message = "artifact: cannot open /srv/local.bundle";
  got = PackageCheckJson(refused, a);
  CheckSame(got, R"({"name": "local", "source": "upload", "signaturePresent": false,
                     "signatureVerified": false, "verified": false, "bytes": 0,
                     "reason": "ArtifactUnreadable", "message": "artifact: cannot open /srv/local.bundle"})");
  CHECK(SchemaErrors(got, "packages") == std::vector<std::string>{});
}

TEST_CASE("status: CommunityJson of a community read in full", "[pluginpolicy][status]") {
  json::Document doc;
  const CommunityReport r = FullReport();
  json::Value got = CommunityJson(r, doc.GetAllocator());
  CheckSame(got, R"({
    "id": "11111111-2222-3333-4444-555555555555", "name": "General", "inSync": false,
    "policyInSync": true, "policyDrift": ["backgroundJobs", "outboundHttp.enabled"],
    "effective": {"trustPolicy": "signed-only", "outboundHttp": true,
                  "outboundHttpAllowlist": ["api.example", "*.hooks.example"], "backgroundJobs": false},
    "packages": [
      {"name": "hello", "managed": true, "installed": true, "inSync": true, "id": "p-1",
       "version": "1.2.0", "sha256": ")" + kShaA + R"(", "publisher": "acme",
       "signaturePresent": true, "signatureVerified": true, "source": "registry",
       "registryUrl": "https://registry.example/hello.bundle", "active": true,
       "hooks": ["on_message", "cron.hourly", "on_join"], "capabilities": ["storage", "http"],
       "effectiveHooks": ["on_message", "on_join"], "suppressedHooks": ["cron.hourly"],
       "outboundHttp": true},
      {"name": "absent", "managed": true, "installed": false, "inSync": false, "drift": ["missing"],
       "reason": "Unsigned", "message": "not installed: signed-only policy: package is unsigned"},
      {"name": "extra", "managed": false, "installed": true, "inSync": true, "id": "p-2",
       "sha256": ")" + kShaB + R"(", "signaturePresent": false, "signatureVerified": false,
       "source": "upload", "active": false, "hooks": ["cron.daily"], "capabilities": [],
       "effectiveHooks": [], "suppressedHooks": ["cron.daily"], "outboundHttp": false}
    ]})");
  CHECK(SchemaErrors(got, "communities") == std::vector<std::string>{});
}

TEST_CASE("status: hooks and outbound HTTP follow the policy the server holds", "[pluginpolicy][status]") {
  json::Document doc;
  CommunityReport r = FullReport();
  r.policy.allow_background_jobs = true;
  r.policy.allow_outbound_http = false;
  json::Value got = CommunityJson(r, doc.GetAllocator());
  const json::Value& hello = got["packages"][0];
  CheckSame(hello["effectiveHooks"], R"(["on_message", "cron.hourly", "on_join"])");
  CheckSame(hello["suppressedHooks"], "[]");
  CHECK(hello["outboundHttp"].IsFalse());
  const json::Value& extra = got["packages"][2];
  CheckSame(extra["effectiveHooks"], "[]");  // inactive: nothing fires
  CheckSame(extra["suppressedHooks"], "[]");
  CheckSame(got["effective"], R"({"trustPolicy": "signed-only", "outboundHttp": false,
                                   "outboundHttpAllowlist": ["api.example", "*.hooks.example"],
                                   "backgroundJobs": true})");
}

TEST_CASE("status: CommunityJson of a community that could not be read", "[pluginpolicy][status]") {
  json::Document doc;
  CommunityReport r;
  r.id = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
  r.read = false;
  r.reason = "CommunityError";
  r.message = "Invalid (HTTP 404 community_not_found): community not found";
  json::Value got = CommunityJson(r, doc.GetAllocator());
  // Nothing about policy or packages is claimed when nothing was read.
  CheckSame(got, R"({"id": "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", "inSync": false,
                     "reason": "CommunityError",
                     "message": "Invalid (HTTP 404 community_not_found): community not found"})");
  CHECK(SchemaErrors(got, "communities") == std::vector<std::string>{});
}

TEST_CASE("status: a refused policy write is the community's reason", "[pluginpolicy][status]") {
  json::Document doc;
  CommunityReport r;
  r.id = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
  r.read = true;
  r.manages_policy = true;
  r.policy.trust = wire::TrustPolicy::kAllowUnsigned;
  r.policy_drift = {"trustPolicy"};
  r.policy_in_sync = false;
  r.policy_reason = "InvalidPolicy";
  r.policy_message = "invalid plugin policy";
  json::Value got = CommunityJson(r, doc.GetAllocator());
  CheckSame(got, R"({"id": "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", "inSync": false,
                     "reason": "InvalidPolicy", "message": "invalid plugin policy",
                     "policyInSync": false, "policyDrift": ["trustPolicy"],
                     "effective": {"trustPolicy": "allow-unsigned", "outboundHttp": false,
                                   "outboundHttpAllowlist": [], "backgroundJobs": false},
                     "packages": []})");
  CHECK(SchemaErrors(got, "communities") == std::vector<std::string>{});

  // A community-level error wins over the policy's.
  r.reason = "CommunityError";
  r.message = "read failed";
  got = CommunityJson(r, doc.GetAllocator());
  CHECK(json::GetString(got, "reason") == "CommunityError");
  CHECK(json::GetString(got, "message") == "read failed");
}

TEST_CASE("status: the CRD check itself rejects unknown and mistyped fields", "[pluginpolicy][status]") {
  json::Document bad = ParseJson(R"({"id": "x", "insync": true, "packages": [{"name": 3, "source": "git"}]})");
  CHECK(SchemaErrors(bad, "communities") ==
        std::vector<std::string>{"status.communities[0].insync: not in the CRD",
                                 "status.communities[0].packages[0].name: not of type \"string\"",
                                 "status.communities[0].packages[0].source: not one of the CRD's enum values"});
}

TEST_CASE("status: CommunityReport::InSync and HasRefusals", "[pluginpolicy][status]") {
  CommunityReport r;
  CHECK_FALSE(r.InSync());  // not read: nothing is known to be in sync
  CHECK_FALSE(r.HasRefusals());

  r.read = true;
  CHECK(r.InSync());
  r.policy_drift = {"trustPolicy"};  // observed, then corrected
  CHECK(r.InSync());
  r.policy_in_sync = false;
  CHECK_FALSE(r.InSync());
  CHECK_FALSE(r.HasRefusals());  // drift is not a refusal
  r.policy_reason = "InvalidPolicy";
  CHECK(r.HasRefusals());

  CommunityReport p;
  p.read = true;
  p.rows.push_back(Row("hello", true, 0));
  p.rows.push_back(Row("extra", false, 1));
  CHECK(p.InSync());
  CHECK_FALSE(p.HasRefusals());
  p.rows[1].drift = {"unlisted"};
  CHECK_FALSE(p.InSync());
  CHECK_FALSE(p.HasRefusals());
  p.rows[1].drift.clear();
  p.rows[0].reason = "SettingsInvalid";  // refused, even without drift left
  CHECK_FALSE(p.InSync());
  CHECK(p.HasRefusals());

  const CommunityReport full = FullReport();
  CHECK_FALSE(full.InSync());
  CHECK(full.HasRefusals());
}
