#include <catch2/catch.hpp>

#include "reconcilers/stacklimits/policy_report.h"
#include "reconcilers/stacklimits/stack_status.h"
#include "tests/unit/stacklimits/lab_fixture.h"

using namespace dw::stacklimits;
namespace json = dw::json;
using dw::stacklimits::testing::Judged;
using dw::stacklimits::testing::RequireJson;

namespace {

Finding Open() {
  Finding f = Judged("netadmin", "capabilities", "NET_ADMIN", Severity::kHigh, "NET_ADMIN", "not added");
  f.message = "capability NET_ADMIN is added";
  f.cis = {"5.4"};
  return f;
}

Finding Exempt() {
  Finding f = Judged("kvm", "privileged", "", Severity::kCritical, "true", "false");
  f.cis = {"5.5"};
  f.exempted = true;
  f.exemption_reason = "needs /dev/kvm";
  return f;
}

Finding Drift() {
  Finding f = Judged("bare", "limits", "memory", Severity::kMedium, "0", "64Mi", true);
  f.cis = {"5.11"};
  return f;
}

ReportSource Lab() {
  return {"dockward-stacklimits-lab", "default", "stacklimits/lab", "2026-11-23T12:00:00.5Z"};
}

}  // namespace

TEST_CASE("BuildPolicyReport writes a wgpolicyk8s.io/v1alpha2 PolicyReport", "[policy_report]") {
  json::Document report;
  BuildPolicyReport(Lab(), {Open(), Exempt()}, 10, &report);
  RequireJson(report, R"J({
    "apiVersion":"wgpolicyk8s.io/v1alpha2","kind":"PolicyReport",
    "metadata":{"name":"dockward-stacklimits-lab","namespace":"default"},
    "summary":{"pass":8,"fail":1,"warn":0,"error":0,"skip":1},
    "results":[
      {"policy":"stacklimits/lab","rule":"privileged","result":"skip","severity":"critical",
       "category":"privileged","source":"dockward","scored":true,
       "timestamp":{"seconds":1795435200,"nanos":500000000},
       "message":"exempted: needs /dev/kvm",
       "resources":[{"apiVersion":"v1","kind":"Container","name":"dwlab_kvm_1","namespace":"dwlab"}],
       "properties":{"cis":"5.5","observed":"true","desired":"false","fixableLive":"false",
                     "service":"kvm","exemptionReason":"needs /dev/kvm"}},
      {"policy":"stacklimits/lab","rule":"capabilities","result":"fail","severity":"high",
       "category":"capabilities","source":"dockward","scored":true,
       "timestamp":{"seconds":1795435200,"nanos":500000000},
       "message":"capability NET_ADMIN is added",
       "resources":[{"apiVersion":"v1","kind":"Container","name":"dwlab_netadmin_1","namespace":"dwlab"}],
       "properties":{"cis":"5.4","observed":"NET_ADMIN","desired":"not added","fixableLive":"false",
                     "subject":"NET_ADMIN","service":"netadmin"}}
    ]})J");
}

TEST_CASE("PolicyReport summary counts a check once per container and rule", "[policy_report]") {
  Finding pids = Drift();
  pids.subject = "pids";
  pids.desired = "64";
  json::Document report;
  BuildPolicyReport(Lab(), {Drift(), pids, Open()}, 4, &report);
  RequireJson(*json::Find(report, "summary"), R"J({"pass":2,"fail":3,"warn":0,"error":0,"skip":0})J");
  REQUIRE((*json::Find(report, "results")).Size() == 3);
  // More failed checks than `checked` never gives a negative pass count.
  BuildPolicyReport(Lab(), {Drift(), Open()}, 1, &report);
  REQUIRE(json::GetInt(*json::Find(report, "summary"), "pass") == 0);
}

TEST_CASE("PolicyReport for lint: no namespace, no timestamp, no results", "[policy_report]") {
  json::Document report;
  BuildPolicyReport({"dockward-lint", "", "lint/policy.yaml", ""}, {}, 3, &report);
  RequireJson(report, R"J({
    "apiVersion":"wgpolicyk8s.io/v1alpha2","kind":"PolicyReport",
    "metadata":{"name":"dockward-lint"},
    "summary":{"pass":3,"fail":0,"warn":0,"error":0,"skip":0}})J");
  Finding f = Drift();
  f.project = "";
  f.message = "";
  BuildPolicyReport({"dockward-lint", "", "lint/policy.yaml", ""}, {f}, 3, &report);
  const json::Value& r = (*json::Find(report, "results"))[0];
  REQUIRE(json::Find(r, "timestamp") == nullptr);
  REQUIRE(json::GetString(r, "message") == "limits violated");
  RequireJson(*json::Find(r, "resources"), R"J([{"apiVersion":"v1","kind":"Container","name":"dwlab_bare_1"}])J");
  REQUIRE(json::GetStringPath(r, "properties.fixableLive") == "true");
  REQUIRE(json::GetString(r, "severity") == "medium");
}

TEST_CASE("FindingsTable aligns columns and marks exemptions", "[policy_report]") {
  REQUIRE(FindingsTable({}) == "No findings.\n");
  Finding rp = Drift();
  rp.rule = "restartPolicy";
  rp.subject = "";
  rp.severity = Severity::kLow;
  rp.observed = "no";
  rp.desired = "unless-stopped";
  std::string want =
      "PROJECT   SERVICE    CONTAINER          RULE            SUBJECT     SEVERITY   OBSERVED    DESIRED          LIVE\n"
      "dwlab     bare       dwlab_bare_1       limits          memory      Medium     0           64Mi             yes\n"
      "dwlab     bare       dwlab_bare_1       restartPolicy   -           Low        no          unless-stopped   yes\n"
      "dwlab     kvm        dwlab_kvm_1        privileged      -           Critical   true        false            no   (exempt: needs /dev/kvm)\n"
      "dwlab     netadmin   dwlab_netadmin_1   capabilities    NET_ADMIN   High       NET_ADMIN   not added        no\n";
  REQUIRE(FindingsTable({Open(), Exempt(), rp, Drift()}) == want);
}

namespace {

// A StackLimits object whose status ApplyAuditStatus wrote from `findings`.
void LabObject(const std::vector<Finding>& findings, json::Document* obj) {
  REQUIRE(json::Parse(R"J({"apiVersion":"dockward.io/v1alpha1","kind":"StackLimits",
    "metadata":{"name":"lab","namespace":"default"},
    "spec":{"projects":["dwlab"],"limits":{"defaults":{"memory":"64Mi"}},
            "rules":[{"name":"privileged","severity":"Critical"},{"name":"capabilities","severity":"High"},
                     {"name":"limits","severity":"Medium"}]}})J",
                      obj)
              .ok());
  AuditResult audit;
  for (const char* s : {"bare", "kvm", "netadmin", "web"}) {
    ContainerFacts c;
    c.project = "dwlab";
    c.service = s;
    c.container = std::string("dwlab_") + s + "_1";
    c.state = "running";
    audit.containers.push_back(c);
  }
  audit.findings = findings;
  json::Value status(rapidjson::kObjectType);
  ApplyAuditStatus(StackPolicy{}, audit, 1, status, obj->GetAllocator(), dw::clock::Now());
  json::SetValue(*obj, "status", status, obj->GetAllocator());
}

void RequireSameFinding(const Finding& got, const Finding& want) {
  INFO(want.service << " " << want.rule << " " << want.subject);
  REQUIRE(got.Key() == want.Key());
  REQUIRE(got.severity == want.severity);
  REQUIRE(got.fixable_live == want.fixable_live);
  REQUIRE(got.cis == want.cis);
  REQUIRE(got.exempted == want.exempted);
  REQUIRE(got.exemption_reason == want.exemption_reason);
  if (!want.exempted) {
    REQUIRE(got.observed == want.observed);
    REQUIRE(got.desired == want.desired);
    REQUIRE(got.message == want.message);
  }
}

}  // namespace

TEST_CASE("FindingsFromStatus inverts the status rows", "[policy_report]") {
  json::Document obj;
  LabObject({Drift(), Exempt(), Open()}, &obj);
  std::vector<Finding> got;
  int checked = -1;
  REQUIRE(FindingsFromStatus(obj, &got, &checked).ok());
  // 4 containers x (privileged, capabilities, limits): "limits" listed and set counts once.
  REQUIRE(checked == 12);
  REQUIRE(got.size() == 3);
  RequireSameFinding(got[0], Drift());
  // Exempted rows keep no severity or CIS ids: they come from spec and catalogue.
  RequireSameFinding(got[1], Exempt());
  RequireSameFinding(got[2], Open());

  json::Document report;
  BuildPolicyReport(Lab(), got, checked, &report);
  RequireJson(*json::Find(report, "summary"), R"J({"pass":9,"fail":2,"warn":0,"error":0,"skip":1})J");
}

TEST_CASE("FindingsFromStatus: object without status, and malformed status", "[policy_report]") {
  std::vector<Finding> got = {Open()};
  int checked = 7;
  json::Document obj;
  REQUIRE(json::Parse(R"J({"kind":"StackLimits","spec":{"projects":["x"]}})J", &obj).ok());
  REQUIRE(FindingsFromStatus(obj, &got, &checked).ok());
  REQUIRE(got.empty());
  REQUIRE(checked == 0);

  REQUIRE(json::Parse(R"J({"status":{"services":{}}})J", &obj).ok());
  dw::Status st = FindingsFromStatus(obj, &got, &checked);
  REQUIRE_FALSE(st.ok());
  REQUIRE(st.message() == "status.services: not an array");

  REQUIRE(json::Parse(R"J({"status":{"services":[{"name":"a","violations":[{"rule":"x","severity":"Huge"}]}]}})J",
                      &obj)
              .ok());
  st = FindingsFromStatus(obj, &got, &checked);
  REQUIRE_FALSE(st.ok());
  REQUIRE(st.message() == "status.services[0].violations[0].severity: unknown \"Huge\"");

  REQUIRE(json::Parse(R"J({"status":{"services":[{"name":"a","exempted":[{"reason":"r"}]}]}})J", &obj).ok());
  st = FindingsFromStatus(obj, &got, &checked);
  REQUIRE(st.message() == "status.services[0].exempted[0].rule: required");
}

TEST_CASE("FindingsFromStatus without spec.limits counts only listed rules", "[policy_report]") {
  json::Document obj;
  REQUIRE(json::Parse(R"J({"spec":{"rules":[{"name":"healthcheck"},{"name":"limits"}]},
    "status":{"summary":{"containers":5}}})J", &obj).ok());
  std::vector<Finding> got;
  int checked = 0;
  REQUIRE(FindingsFromStatus(obj, &got, &checked).ok());
  REQUIRE(checked == 5);
}
