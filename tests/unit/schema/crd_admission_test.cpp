// Admission of realistic objects against the shipped CRDs: the schemas say
// what the product promises, so these pin the important rules down.
#include <algorithm>
#include <catch2/catch.hpp>

#include "operator/schema/resource_info.h"
#include "operator/schema/validator.h"

using dw::schema::FieldValidation;
using dw::schema::ResourceRegistry;

namespace {

const ResourceRegistry& Reg() {
  static std::unique_ptr<ResourceRegistry> reg = [] {
    std::unique_ptr<ResourceRegistry> r;
    REQUIRE(ResourceRegistry::LoadBuiltin(&r).ok());
    return r;
  }();
  return *reg;
}

struct Admitted {
  dw::json::Document obj;
  dw::schema::AdmissionResult result;
  std::vector<std::string> Errors() const {
    std::vector<std::string> out;
    for (const auto& e : result.errors) out.push_back(e.field + ": " + e.message);
    return out;
  }
};

Admitted Admit(const std::string& kind, const std::string& text) {
  const dw::schema::ResourceInfo* info = Reg().Resolve(kind);
  REQUIRE(info != nullptr);
  Admitted a;
  REQUIRE(dw::json::Parse(text, &a.obj).ok());
  a.result = dw::schema::Admit(*info->schema, a.obj, FieldValidation::kStrict, a.obj.GetAllocator());
  return a;
}

const dw::json::Value& Spec(const Admitted& a) { return a.obj["spec"]; }

}  // namespace

TEST_CASE("crd: BackupPolicy defaults", "[schema][crd]") {
  auto a = Admit("bp", R"({"apiVersion":"dockward.io/v1alpha1","kind":"BackupPolicy","metadata":{"name":"p"},
      "spec":{"schedule":"0 3 * * *","destination":{"path":"/backups"},"retention":{"daily":7}}})");
  INFO(dw::json::Serialize(a.obj));
  CHECK(a.Errors().empty());
  const auto& s = Spec(a);
  CHECK(dw::json::GetString(s, "compression") == "zstd");
  CHECK(dw::json::GetString(s, "concurrencyPolicy") == "Forbid");
  CHECK(dw::json::GetString(s, "timeZone") == "UTC");
  CHECK(dw::json::GetString(s, "labelPrefix") == "dockward.io/backup.");
  CHECK(dw::json::GetInt(s, "timeoutSeconds") == 3600);
  CHECK(dw::json::GetInt(s, "maxConcurrentPerHost") == 2);
  CHECK(dw::json::GetBool(s["verify"], "checksum"));
  CHECK(dw::json::GetBool(s["verify"], "content"));
  CHECK(dw::json::GetInt(s["retry"], "attempts") == 3);
  REQUIRE(s["dockerHosts"].IsArray());
  CHECK(std::string(s["dockerHosts"][0].GetString()) == "local");
}

TEST_CASE("crd: BackupPolicy rejects bad values with Kubernetes messages", "[schema][crd]") {
  auto a = Admit("backuppolicies", R"({"spec":{"destination":{},"compression":"lz4","retention":{"daily":"abc","weekly":-1},
      "concurrencyPolicy":"Sometimes","bogus":1}})");
  // Errors follow the object's member order (the walk is document order).
  CHECK(a.Errors() == std::vector<std::string>{
      "spec.bogus: unknown field \"spec.bogus\"",
      "spec.schedule: Required value",
      "spec.destination.path: Required value",
      "spec.compression: Unsupported value: \"lz4\": supported values: \"zstd\", \"gzip\", \"none\"",
      "spec.retention.daily: Invalid value: \"string\": spec.retention.daily in body must be of type integer: \"string\"",
      "spec.retention.weekly: Invalid value: -1: spec.retention.weekly in body should be greater than or equal to 0",
      "spec.concurrencyPolicy: Unsupported value: \"Sometimes\": supported values: \"Forbid\", \"Replace\", \"Allow\""});
  CHECK(Admit("bp", R"({"spec":{"schedule":"every day","destination":{"path":"/b"}}})").Errors().size() == 1);
  CHECK(Admit("bp", R"({"spec":{"schedule":"@daily","destination":{"path":"/b"}}})").Errors().empty());
  CHECK(Admit("bp", R"({"spec":{"schedule":"*/5 * * * *","destination":{"path":"relative"}}})").Errors().size() == 1);
}

TEST_CASE("crd: Restore needs exactly one of backupName and artifactPath", "[schema][crd]") {
  CHECK(Admit("rst", R"({"spec":{"container":"db","backupName":"b1"}})").Errors().empty());
  CHECK(Admit("rst", R"({"spec":{"container":"db","artifactPath":"/b/x.zst"}})").Errors().empty());
  auto none = Admit("rst", R"({"spec":{"container":"db"}})").Errors();
  REQUIRE(none.size() == 1);
  CHECK_THAT(none[0], Catch::EndsWith("must validate one and only one schema (oneOf). Found none valid"));
  CHECK(Admit("rst", R"({"spec":{"container":"db","backupName":"b","artifactPath":"/x"}})").Errors().size() == 1);
}

TEST_CASE("crd: StackLimits quantities, rules and exceptions", "[schema][crd]") {
  auto ok = Admit("sl", R"({"spec":{"projects":["stack"],"limits":{"defaults":{"memory":"512Mi","cpus":"1.5","pids":200},
      "services":{"clickhouse":{"memory":4294967296}}},
      "rules":[{"name":"privileged","severity":"Critical","exceptions":[{"service":"vm-provisioner","reason":"needs KVM"}]}]}})");
  INFO(dw::json::Serialize(ok.obj));
  CHECK(ok.Errors().empty());
  CHECK(dw::json::GetString(Spec(ok), "mode") == "Audit");
  CHECK(dw::json::GetString(Spec(ok), "dockerHost") == "local");
  CHECK_FALSE(dw::json::GetBool(Spec(ok), "allowRecreate", true));

  auto bad = Admit("sl", R"({"spec":{"projects":["stack"],"limits":{"services":{"web":{"memory":"lots"}}},
      "rules":[{"name":"privileged","exceptions":[{"service":"x","reason":""}]},{"name":"privileged"}]}})");
  auto e = bad.Errors();
  INFO(e.size());
  for (const auto& x : e) INFO(x);
  REQUIRE(e.size() == 4);
  CHECK_THAT(e[0], Catch::StartsWith("spec.limits.services[web].memory: Invalid value: \"lots\""));
  CHECK(e[1] == "spec.rules[1]: Duplicate value: {\"name\":\"privileged\"}");
  // An empty reason is both too short and blank (the pattern \S also
  // rejects a reason of spaces, which minLength alone would let through).
  CHECK(std::count(e.begin(), e.end(),
                   "spec.rules[0].exceptions[0].reason: Invalid value: \"\": spec.rules[0].exceptions[0].reason in body should be at least 1 chars long") == 1);
  CHECK(std::count(e.begin(), e.end(),
                   "spec.rules[0].exceptions[0].reason: Invalid value: \"\": spec.rules[0].exceptions[0].reason in body should match '\\S'") == 1);
  auto blank = Admit("sl", R"({"spec":{"projects":["stack"],
      "rules":[{"name":"privileged","exceptions":[{"service":"x","reason":"   "}]}]}})");
  REQUIRE(blank.Errors().size() == 1);
  CHECK_THAT(blank.Errors()[0], Catch::Contains("should match '\\S'"));
  // Neither projects nor selector.
  CHECK(Admit("sl", R"({"spec":{"mode":"Enforce"}})").Errors().size() == 1);
}

TEST_CASE("crd: PluginPolicy keeps package settings and checks digests", "[schema][crd]") {
  auto ok = Admit("pp", R"({"spec":{"server":{"url":"https://likwid.example","credentialsSecretRef":{"name":"tok"}},
      "communities":["123e4567-e89b-12d3-a456-426614174000"],
      "policy":{"registryAllowlist":["*.registry.example","plugins.example.org"]},
      "packages":[{"name":"p","source":{"registryUrl":"https://plugins.example.org/p.tar"},
                   "sha256":")" + std::string(64, 'a') + R"(","settings":{"anything":{"nested":[1,2]}}}]}})");
  INFO(dw::json::Serialize(ok.obj));
  CHECK(ok.Errors().empty());
  const auto& pkg = Spec(ok)["packages"][0];
  CHECK(pkg["settings"]["anything"]["nested"].Size() == 2);  // preserved, not pruned
  CHECK(dw::json::GetBool(pkg, "active"));
  CHECK(dw::json::GetString(Spec(ok)["policy"], "trustPolicy") == "signed-only");

  auto bad = Admit("pp", R"({"spec":{"server":{"url":"ftp://x","credentialsSecretRef":{"name":"tok"}},"allCommunities":true,
      "packages":[{"name":"p","source":{"artifact":"/p"},"sha256":"XYZ"}]}})");
  auto e = bad.Errors();
  REQUIRE(e.size() == 2);
  CHECK(e[0] == "spec.server.url: Invalid value: \"ftp://x\": spec.server.url in body should match '^https?://'");
  CHECK_THAT(e[1], Catch::StartsWith("spec.packages[0].sha256: Invalid value: \"XYZ\""));
}

TEST_CASE("crd: GitRepository and DockerHost", "[schema][crd]") {
  auto g = Admit("gitrepo", R"({"spec":{"url":"https://git.example/x.git","ref":{"branch":"main"}}})");
  CHECK(g.Errors().empty());
  CHECK(dw::json::GetString(Spec(g), "interval") == "5m");
  CHECK(dw::json::GetString(Spec(g), "path") == "./");
  CHECK(Admit("gitrepo", R"({"spec":{"url":"https://x","interval":"5 minutes"}})").Errors().size() == 1);
  CHECK(Admit("gitrepo", R"({"spec":{"url":"https://x","ref":{"branch":"a","tag":"b"}}})").Errors() ==
        std::vector<std::string>{"spec.ref: Too many: 2: must have at most 1 items"});
  CHECK(Admit("dh", R"({"spec":{"endpoint":"http://x"}})").Errors() ==
        std::vector<std::string>{"spec.endpoint: Invalid value: \"http://x\": spec.endpoint in body should match '^(unix|tcp)://'"});
  // Status conditions: enum on status and list-map uniqueness by type.
  auto st = Admit("dh", R"({"status":{"conditions":[{"type":"Ready","status":"Maybe"},{"type":"Ready","status":"True"}]}})");
  CHECK(st.Errors() == std::vector<std::string>{
      "status.conditions[1]: Duplicate value: {\"type\":\"Ready\"}",
      "status.conditions[0].status: Unsupported value: \"Maybe\": supported values: \"True\", \"False\", \"Unknown\""});
}

TEST_CASE("crd: core Secret data must be base64", "[schema][crd]") {
  auto ok = Admit("secret", R"({"data":{"password":"aHVudGVyMg=="},"stringData":{"user":"admin"}})");
  CHECK(ok.Errors().empty());
  CHECK(dw::json::GetString(ok.obj, "type") == "Opaque");
  auto bad = Admit("secret", R"({"data":{"password":"not base64!"}})");
  REQUIRE(bad.Errors().size() == 1);
  CHECK_THAT(bad.Errors()[0], Catch::StartsWith("data[password]: Invalid value:"));
}
