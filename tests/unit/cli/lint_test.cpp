#include <catch2/catch.hpp>

#include <filesystem>
#include <sstream>

#include "operator/cli/lint.h"
#include "reconcilers/stacklimits/compose_load.h"

using namespace dw;
using namespace dw::cli;

namespace {

const std::string kHead =
    "apiVersion: dockward.io/v1alpha1\n"
    "kind: StackLimits\n"
    "metadata:\n"
    "  name: p1\n"
    "spec:\n"
    "  projects: [dwlab]\n";

Status Load(const std::string& text, stacklimits::StackPolicy* p, std::string want = "") {
  std::string name;
  std::vector<std::string> warnings;
  return LoadLintPolicy(text, "policy.yaml", want, p, &name, &warnings);
}

std::filesystem::path Examples() {
  return std::filesystem::path(__FILE__).parent_path() / ".." / ".." / ".." / "examples" / "stacklimits";
}

struct LintRun {
  int code = -1;
  Status status;
  std::string out, err;
};

LintRun Run(std::vector<std::string> positional, std::map<std::string, std::vector<std::string>> flags) {
  Env env;
  env.args.verb = "lint";
  env.args.positional = std::move(positional);
  env.args.flags = std::move(flags);
  std::ostringstream out, err;
  env.out = &out;
  env.err = &err;
  LintRun r;
  r.status = RunLint(env, &r.code);
  r.out = out.str();
  r.err = err.str();
  return r;
}

}  // namespace

TEST_CASE("lint policy: the example policy is admitted and parsed", "[lint]") {
  std::string text;
  REQUIRE(stacklimits::ReadTextFile((Examples() / "policy.yaml").string(), &text).ok());
  stacklimits::StackPolicy p;
  Status st = Load(text, &p);
  INFO(st.message());
  REQUIRE(st.ok());
  CHECK(p.projects == std::vector<std::string>{"dwlab"});
  CHECK(p.rules.size() == 12);
  REQUIRE(p.Rule("privileged"));
  CHECK(p.Rule("privileged")->severity == stacklimits::Severity::kCritical);
  CHECK(p.Rule("privileged")->exceptions.size() == 1);
}

TEST_CASE("lint policy: an exception without a reason fails like admission", "[lint]") {
  stacklimits::StackPolicy p;
  Status st = Load(kHead +
                       "  rules:\n"
                       "    - name: privileged\n"
                       "      exceptions:\n"
                       "        - service: kvm\n",
                   &p);
  REQUIRE_FALSE(st.ok());
  CHECK(st.code() == Code::kInvalid);
  CHECK(st.message().rfind("policy.yaml:10: StackLimits.dockward.io \"p1\" is invalid: ", 0) == 0);
  CHECK(st.message().find("spec.rules[0].exceptions[0].reason") != std::string::npos);

  st = Load(kHead +
                "  rules:\n"
                "    - name: privileged\n"
                "      exceptions:\n"
                "        - {service: kvm, reason: '   '}\n",
            &p);
  REQUIRE_FALSE(st.ok());
  CHECK(st.message().find("spec.rules[0].exceptions[0].reason") != std::string::npos);
}

TEST_CASE("lint policy: schema errors and unknown rule names", "[lint]") {
  stacklimits::StackPolicy p;
  Status st = Load(kHead + "  rules:\n    - name: noSuchRule\n", &p);
  REQUIRE_FALSE(st.ok());
  CHECK(st.message().rfind("policy.yaml:8: ", 0) == 0);
  CHECK(st.message().find("spec.rules[0].name") != std::string::npos);
}

TEST_CASE("lint policy: picking the manifest among several documents", "[lint]") {
  std::string two = "apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n---\n" + kHead +
                    "---\napiVersion: dockward.io/v1alpha1\nkind: StackLimits\nmetadata: {name: p2}\nspec: {projects: [other]}\n";
  stacklimits::StackPolicy p;
  Status st = Load(two, &p);
  REQUIRE_FALSE(st.ok());
  CHECK(st.message() == "policy.yaml: several StackLimits manifests (p1, p2): choose one with --policy-name");
  REQUIRE(Load(two, &p, "p2").ok());
  CHECK(p.projects == std::vector<std::string>{"other"});
  REQUIRE(Load(two, &p, "p1").ok());
  CHECK(p.projects == std::vector<std::string>{"dwlab"});
  st = Load(two, &p, "p3");
  REQUIRE_FALSE(st.ok());
  CHECK(st.message() == "policy.yaml: no StackLimits manifest named \"p3\"");
  st = Load("apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n", &p);
  CHECK(st.message() == "policy.yaml: no StackLimits manifest");
  st = Load("kind: StackLimits\napiVersion: dockward.io/v9\nmetadata: {name: a}\n", &p);
  REQUIRE_FALSE(st.ok());
  CHECK(st.message() == "policy.yaml:2: no StackLimits in apiVersion \"dockward.io/v9\"");
}

TEST_CASE("lint: the example stack gives the 13 planted findings and exit 1", "[lint]") {
  std::string compose = (Examples() / "docker-compose.yml").string();
  std::string policy = (Examples() / "policy.yaml").string();
  LintRun r = Run({compose}, {{"policy", {policy}}, {"project-name", {"dwlab"}}, {"output", {"json"}}});
  INFO(r.status.message() << "\n" << r.err);
  REQUIRE(r.status.ok());
  CHECK(r.code == 1);
  json::Document doc;
  REQUIRE(json::Parse(r.out, &doc).ok());
  REQUIRE(doc.IsArray());
  std::vector<std::string> open, exempt;
  for (const auto& f : doc.GetArray()) {
    std::string key = json::GetString(f, "service") + "/" + json::GetString(f, "rule") + "/" +
                      json::GetString(f, "subject");
    (json::GetBool(f, "exempted") ? exempt : open).push_back(key);
    CHECK(json::GetString(f, "project") == "dwlab");
    CHECK(json::GetString(f, "container") == "dwlab_" + json::GetString(f, "service") + "_1");
  }
  std::sort(open.begin(), open.end());
  std::vector<std::string> want = {
      "bare/healthcheck/",        "bare/limits/cpus",      "bare/limits/memory",
      "bare/limits/pids",         "bare/logRotation/",     "bare/noNewPrivileges/",
      "bare/restartPolicy/",      "netadmin/capabilities/NET_ADMIN",
      "secrets/plaintextSecrets/ADMIN_PASSWORD", "sockmount/dockerSocket//var/run/docker.sock",
      "sockproxy/socketProxyPermissions/POST",   "templated/templatePlaceholders/SMTP_HOST",
      "vmprov/privileged/"};
  CHECK(open == want);
  CHECK(exempt == std::vector<std::string>{"kvm/privileged/"});
  CHECK(r.out.find("hunter2") == std::string::npos);  // secret values never printed
}

TEST_CASE("lint: --fail-on, project selection and output formats", "[lint]") {
  std::string compose = (Examples() / "docker-compose.yml").string();
  std::string policy = (Examples() / "policy.yaml").string();
  // Only privileged (vmprov) is Critical.
  LintRun crit = Run({compose}, {{"policy", {policy}}, {"project-name", {"dwlab"}}, {"fail-on", {"critical"}}});
  REQUIRE(crit.status.ok());
  CHECK(crit.code == 1);
  CHECK(crit.out.find("vmprov") != std::string::npos);

  // Another project name: the policy selects nothing, so nothing fails.
  LintRun other = Run({compose}, {{"policy", {policy}}, {"project-name", {"other"}}});
  REQUIRE(other.status.ok());
  CHECK(other.code == 0);
  CHECK(other.out == "No findings.\n");
  CHECK(other.err.find("selects no service of project \"other\"") != std::string::npos);

  LintRun report = Run({compose}, {{"policy", {policy}}, {"project-name", {"dwlab"}}, {"output", {"policyreport"}}});
  REQUIRE(report.status.ok());
  json::Document doc;
  REQUIRE(yaml::ParseOne(report.out, {}, &doc).ok());
  CHECK(json::GetString(doc, "apiVersion") == "wgpolicyk8s.io/v1alpha2");
  CHECK(json::GetString(doc, "kind") == "PolicyReport");
}

TEST_CASE("lint: bad input exits 2", "[lint]") {
  std::string compose = (Examples() / "docker-compose.yml").string();
  std::string policy = (Examples() / "policy.yaml").string();
  LintRun r = Run({compose}, {});
  CHECK_FALSE(r.status.ok());
  CHECK(r.code == 2);
  r = Run({}, {{"policy", {policy}}});
  CHECK(r.code == 2);
  r = Run({compose}, {{"policy", {"/nonexistent/policy.yaml"}}});
  CHECK(r.code == 2);
  CHECK(r.status.message().find("/nonexistent/policy.yaml") != std::string::npos);
  r = Run({"/nonexistent/dc.yml"}, {{"policy", {policy}}});
  CHECK(r.code == 2);
  r = Run({compose}, {{"policy", {policy}}, {"compose", {"v3"}}});
  CHECK(r.code == 2);
  r = Run({compose}, {{"policy", {policy}}, {"fail-on", {"Severe"}}});
  CHECK(r.code == 2);
  r = Run({compose}, {{"policy", {policy}}, {"output", {"xml"}}});
  CHECK(r.code == 2);
}
