#include <catch2/catch.hpp>

#include "operator/runtime/conditions.h"
#include "reconcilers/stacklimits/stack_status.h"
#include "tests/unit/stacklimits/lab_fixture.h"

using namespace dw::stacklimits;
namespace json = dw::json;
using dw::clock::TimePoint;
using dw::stacklimits::testing::Judged;
using dw::stacklimits::testing::LabContainer;
using dw::stacklimits::testing::RequireJson;

namespace {

const TimePoint kT0 = TimePoint(std::chrono::seconds(1795435200));  // 2026-11-23T12:00:00Z

ContainerFacts C(const std::string& service, const std::string& state, const std::string& health,
                 const std::string& project = "dwlab") {
  ContainerFacts c = LabContainer(service, state, project);
  c.health = health;
  return c;
}

// The lab's audit in miniature: a compliant service, one with limit drift
// and a non-live finding, an exempted privileged one, one enforced earlier.
AuditResult LabAudit() {
  AuditResult a;
  a.containers = {C("bare", "running", "none"), C("hungry", "running", "healthy"),
                  C("kvm", "created", "none"), C("web", "running", "healthy")};
  Finding hc = Judged("bare", "healthcheck", "", Severity::kMedium, "none", "healthcheck", false);
  hc.cis = {"5.27"};
  hc.message = "no healthcheck";
  Finding mem = Judged("bare", "limits", "memory", Severity::kMedium, "0", "64Mi", true);
  mem.cis = {"5.11"};
  Finding rp = Judged("bare", "restartPolicy", "", Severity::kLow, "no", "unless-stopped", true);
  Finding kvm = Judged("kvm", "privileged", "", Severity::kCritical, "true", "false", false);
  kvm.exempted = true;
  kvm.exemption_reason = "needs /dev/kvm";
  a.findings = {hc, mem, rp, kvm};
  a.last_enforcement["dwlab/hungry"] = {"2026-11-23T11:59:00Z", "dwlab_hungry_1", "Updated",
                                        {"memory", "memorySwap"}, "memory 0 -> 256Mi"};
  ServiceRecommendation r;
  r.peak.memory = 100663296 - 100;  // rounds up to 96Mi
  r.peak.cpus = 0.12345;
  r.peak.pids = 7;
  r.peak.samples = 31;
  r.proposal.memory = 116 * 1048576;
  r.proposal.nano_cpus = 150000000;
  r.proposal.pids = 32;
  r.window_start = "2026-11-23T11:55:00Z";
  r.complete = true;
  a.recommendations["dwlab/hungry"] = r;
  return a;
}

StackPolicy AuditPolicy() {
  StackPolicy p;
  p.projects = {"dwlab"};
  return p;
}

const json::Value& Cond(const json::Value& status, const std::string& type) {
  const json::Value* c = dw::runtime::FindCondition(status, type);
  REQUIRE(c != nullptr);
  return *c;
}

std::string CondField(const json::Value& status, const std::string& type, const char* field) {
  return json::GetString(Cond(status, type), field);
}

}  // namespace

TEST_CASE("ApplyAuditStatus writes the exact service rows and summary", "[stack_status]") {
  json::Document doc(rapidjson::kObjectType);
  REQUIRE(ApplyAuditStatus(AuditPolicy(), LabAudit(), 3, doc, doc.GetAllocator(), kT0));
  RequireJson(*json::Find(doc, "services"), R"J([
    {"name":"bare","project":"dwlab","containers":1,"running":1,"expected":1,"health":"none",
     "violations":[
       {"rule":"healthcheck","severity":"Medium","observed":"none","desired":"healthcheck",
        "fixableLive":false,"container":"dwlab_bare_1","message":"no healthcheck","cis":["5.27"]},
       {"rule":"limits","severity":"Medium","observed":"0","desired":"64Mi","fixableLive":true,
        "container":"dwlab_bare_1","subject":"memory","cis":["5.11"]},
       {"rule":"restartPolicy","severity":"Low","observed":"no","desired":"unless-stopped",
        "fixableLive":true,"container":"dwlab_bare_1"}]},
    {"name":"hungry","project":"dwlab","containers":1,"running":1,"expected":1,"health":"healthy",
     "lastEnforcement":{"time":"2026-11-23T11:59:00Z","container":"dwlab_hungry_1","action":"Updated",
                        "fields":["memory","memorySwap"],"message":"memory 0 -> 256Mi"},
     "recommended":{"memory":"116Mi","cpus":"0.15","pids":32,"peakMemory":"96Mi","peakCpus":"0.123",
                    "peakPids":7,"samples":31,"windowStart":"2026-11-23T11:55:00Z","complete":true}},
    {"name":"kvm","project":"dwlab","containers":1,"running":0,"expected":1,"health":"none",
     "exempted":[{"rule":"privileged","container":"dwlab_kvm_1","reason":"needs /dev/kvm"}]},
    {"name":"web","project":"dwlab","containers":1,"running":1,"expected":1,"health":"healthy"}
  ])J");
  RequireJson(*json::Find(doc, "summary"), R"J({"services":4,"containers":4,"violations":3,
    "unhealthy":0,"drifted":2,"needsRecreate":1,"exempted":1})J");
  REQUIRE(json::GetInt(doc, "observedGeneration") == 3);
}

TEST_CASE("ApplyAuditStatus sets the four conditions with short messages", "[stack_status]") {
  json::Document doc(rapidjson::kObjectType);
  ApplyAuditStatus(AuditPolicy(), LabAudit(), 3, doc, doc.GetAllocator(), kT0);
  RequireJson(*json::Find(doc, "conditions"), R"J([
    {"type":"Ready","status":"True","reason":"Audited","message":"Audit: 4 containers in 4 services",
     "lastTransitionTime":"2026-11-23T12:00:00Z","observedGeneration":3},
    {"type":"Compliant","status":"False","reason":"Violations",
     "message":"3 violations: 2 Medium, 1 Low (1 exempted)",
     "lastTransitionTime":"2026-11-23T12:00:00Z","observedGeneration":3},
    {"type":"Healthy","status":"False","reason":"NotRunning","message":"service kvm: 0/1 running",
     "lastTransitionTime":"2026-11-23T12:00:00Z","observedGeneration":3},
    {"type":"Drifted","status":"True","reason":"Drift",
     "message":"bare: memory 0 -> 64Mi, restartPolicy no -> unless-stopped",
     "lastTransitionTime":"2026-11-23T12:00:00Z","observedGeneration":3}
  ])J");
}

TEST_CASE("An identical pass changes nothing, even later", "[stack_status]") {
  json::Document doc(rapidjson::kObjectType);
  REQUIRE(ApplyAuditStatus(AuditPolicy(), LabAudit(), 3, doc, doc.GetAllocator(), kT0));
  std::string first = json::Serialize(doc);
  REQUIRE_FALSE(ApplyAuditStatus(AuditPolicy(), LabAudit(), 3, doc, doc.GetAllocator(),
                                 kT0 + std::chrono::minutes(10)));
  REQUIRE(json::Serialize(doc) == first);
}

TEST_CASE("A new generation alone is a change", "[stack_status]") {
  json::Document doc(rapidjson::kObjectType);
  ApplyAuditStatus(AuditPolicy(), LabAudit(), 3, doc, doc.GetAllocator(), kT0);
  REQUIRE(ApplyAuditStatus(AuditPolicy(), LabAudit(), 4, doc, doc.GetAllocator(), kT0));
  REQUIRE(json::GetInt(doc, "observedGeneration") == 4);
  REQUIRE(json::GetInt(Cond(doc, "Ready"), "observedGeneration") == 4);
}

TEST_CASE("Fixing the findings flips Compliant and Drifted and moves their transition time",
          "[stack_status]") {
  json::Document doc(rapidjson::kObjectType);
  AuditResult audit = LabAudit();
  ApplyAuditStatus(AuditPolicy(), audit, 3, doc, doc.GetAllocator(), kT0);
  audit.findings.erase(audit.findings.begin(), audit.findings.begin() + 3);  // keep the exemption
  auto later = kT0 + std::chrono::minutes(1);
  REQUIRE(ApplyAuditStatus(AuditPolicy(), audit, 3, doc, doc.GetAllocator(), later));
  REQUIRE(CondField(doc, "Compliant", "status") == "True");
  REQUIRE(CondField(doc, "Compliant", "reason") == "NoViolations");
  REQUIRE(CondField(doc, "Compliant", "message") == "no open violations (1 exempted)");
  REQUIRE(CondField(doc, "Compliant", "lastTransitionTime") == "2026-11-23T12:01:00Z");
  REQUIRE(CondField(doc, "Drifted", "status") == "False");
  REQUIRE(CondField(doc, "Drifted", "reason") == "NoDrift");
  REQUIRE(CondField(doc, "Drifted", "lastTransitionTime") == "2026-11-23T12:01:00Z");
  // Ready kept its verdict, so its transition time stays.
  REQUIRE(CondField(doc, "Ready", "lastTransitionTime") == "2026-11-23T12:00:00Z");
  const json::Value& bare = (*json::Find(doc, "services"))[0];
  REQUIRE(json::GetString(bare, "name") == "bare");
  REQUIRE(json::Find(bare, "violations") == nullptr);  // empty arrays are omitted
  RequireJson(*json::Find(doc, "summary"), R"J({"services":4,"containers":4,"violations":0,
    "unhealthy":0,"drifted":0,"needsRecreate":0,"exempted":1})J");
}

TEST_CASE("ApplyAuditStatus keeps status fields it does not own", "[stack_status]") {
  json::Document doc;
  REQUIRE(json::Parse(R"J({"recommendWindow":{"x":1},"services":[{"name":"gone"}]})J", &doc).ok());
  ApplyAuditStatus(AuditPolicy(), LabAudit(), 1, doc, doc.GetAllocator(), kT0);
  RequireJson(*json::Find(doc, "recommendWindow"), R"J({"x":1})J");
  REQUIRE((*json::Find(doc, "services")).Size() == 4);
}

TEST_CASE("Health aggregates to the worst replica", "[stack_status]") {
  struct Case {
    std::vector<std::string> health;
    const char* want;
  };
  std::vector<Case> cases = {
      {{"healthy", "unhealthy", "starting"}, "unhealthy"},
      {{"healthy", "starting"}, "starting"},
      {{"none", "healthy"}, "healthy"},
      {{"none", "none"}, "none"},
      {{""}, "none"},
  };
  for (const auto& tc : cases) {
    AuditResult audit;
    for (size_t i = 0; i < tc.health.size(); ++i) {
      ContainerFacts c = C("api", "running", tc.health[i]);
      c.container = "dwlab_api_" + std::to_string(i + 1);
      audit.containers.push_back(c);
    }
    json::Document doc(rapidjson::kObjectType);
    ApplyAuditStatus(AuditPolicy(), audit, 1, doc, doc.GetAllocator(), kT0);
    const json::Value& row = (*json::Find(doc, "services"))[0];
    INFO(tc.want);
    REQUIRE(json::GetString(row, "health") == tc.want);
    REQUIRE(json::GetInt(row, "containers") == static_cast<int64_t>(tc.health.size()));
  }
}

TEST_CASE("Healthy condition reasons", "[stack_status]") {
  auto healthy = [](const AuditResult& audit) {
    json::Document doc(rapidjson::kObjectType);
    ApplyAuditStatus(AuditPolicy(), audit, 1, doc, doc.GetAllocator(), kT0);
    const json::Value& c = Cond(doc, "Healthy");
    return json::GetString(c, "status") + "/" + json::GetString(c, "reason") + "/" +
           json::GetString(c, "message");
  };
  SECTION("all running and healthy") {
    AuditResult a;
    a.containers = {C("web", "running", "healthy"), C("db", "running", "none")};
    REQUIRE(healthy(a) == "True/AllHealthy/2 services running all expected containers");
  }
  SECTION("unhealthy wins over not running, both named") {
    AuditResult a;
    a.containers = {C("web", "exited", "none"), C("db", "running", "unhealthy")};
    REQUIRE(healthy(a) == "False/Unhealthy/service db: unhealthy; service web: 0/1 running");
  }
  SECTION("starting") {
    AuditResult a;
    a.containers = {C("web", "running", "starting")};
    REQUIRE(healthy(a) == "False/Starting/service web: starting");
  }
  SECTION("a stopped unhealthy replica reports both problems") {
    AuditResult a;
    a.containers = {C("web", "exited", "unhealthy")};
    REQUIRE(healthy(a) == "False/Unhealthy/service web: 0/1 running, unhealthy");
  }
  SECTION("one-off containers are not expected") {
    AuditResult a;
    ContainerFacts run = C("web", "exited", "none");
    run.one_off = true;
    run.container = "dwlab_web_run_1";
    a.containers = {C("web", "running", "healthy"), run};
    REQUIRE(healthy(a) == "True/AllHealthy/1 service running all expected containers");
    json::Document doc(rapidjson::kObjectType);
    ApplyAuditStatus(AuditPolicy(), a, 1, doc, doc.GetAllocator(), kT0);
    const json::Value& row = (*json::Find(doc, "services"))[0];
    REQUIRE(json::GetInt(row, "containers") == 2);
    REQUIRE(json::GetInt(row, "running") == 1);
    REQUIRE(json::GetInt(row, "expected") == 1);
  }
  SECTION("several projects are named with the project") {
    AuditResult a;
    a.containers = {C("web", "exited", "none", "shop"), C("web", "running", "none", "blog")};
    REQUIRE(healthy(a) == "False/NotRunning/service shop/web: 0/1 running");
  }
  SECTION("long lists are cut after five services") {
    AuditResult a;
    for (char s = 'a'; s <= 'g'; ++s) a.containers.push_back(C(std::string(1, s), "exited", "none"));
    REQUIRE(healthy(a) ==
            "False/NotRunning/service a: 0/1 running; service b: 0/1 running; service c: 0/1 "
            "running; service d: 0/1 running; service e: 0/1 running; and 2 more");
  }
}

TEST_CASE("No covered container: Healthy is Unknown and services is removed", "[stack_status]") {
  json::Document doc(rapidjson::kObjectType);
  ApplyAuditStatus(AuditPolicy(), LabAudit(), 1, doc, doc.GetAllocator(), kT0);
  REQUIRE(ApplyAuditStatus(AuditPolicy(), AuditResult{}, 1, doc, doc.GetAllocator(), kT0));
  REQUIRE(json::Find(doc, "services") == nullptr);
  REQUIRE(CondField(doc, "Healthy", "status") == "Unknown");
  REQUIRE(CondField(doc, "Healthy", "reason") == "NoServices");
  REQUIRE(CondField(doc, "Compliant", "status") == "True");
  REQUIRE(CondField(doc, "Ready", "message") == "Audit: 0 containers in 0 services");
  RequireJson(*json::Find(doc, "summary"), R"J({"services":0,"containers":0,"violations":0,
    "unhealthy":0,"drifted":0,"needsRecreate":0,"exempted":0})J");
}

TEST_CASE("Compliant counts severities from Critical down", "[stack_status]") {
  AuditResult a;
  a.containers = {C("x", "running", "none")};
  a.findings = {Judged("x", "privileged", "", Severity::kCritical, "true", "false", false),
                Judged("x", "capabilities", "NET_ADMIN", Severity::kHigh, "NET_ADMIN", "", false),
                Judged("x", "capabilities", "SYS_ADMIN", Severity::kHigh, "SYS_ADMIN", "", false),
                Judged("x", "restartPolicy", "", Severity::kLow, "no", "always", true)};
  json::Document doc(rapidjson::kObjectType);
  ApplyAuditStatus(AuditPolicy(), a, 1, doc, doc.GetAllocator(), kT0);
  REQUIRE(CondField(doc, "Compliant", "message") == "4 violations: 1 Critical, 2 High, 1 Low");
  a.findings.resize(1);
  ApplyAuditStatus(AuditPolicy(), a, 1, doc, doc.GetAllocator(), kT0);
  REQUIRE(CondField(doc, "Compliant", "message") == "1 violation: 1 Critical");
}

TEST_CASE("Drifted names each service once per distinct change", "[stack_status]") {
  AuditResult a;
  a.containers = {C("api", "running", "none"), C("api", "running", "none"), C("db", "running", "none")};
  a.containers[1].container = "dwlab_api_2";
  Finding m1 = Judged("api", "limits", "memory", Severity::kMedium, "0", "64Mi", true);
  Finding m2 = m1;
  m2.container = "dwlab_api_2";
  Finding pids = Judged("db", "limits", "pids", Severity::kMedium, "unlimited", "64", true);
  Finding cap = Judged("db", "capabilities", "NET_ADMIN", Severity::kHigh, "NET_ADMIN", "", false);
  a.findings = {m1, m2, cap, pids};
  StackPolicy p = AuditPolicy();
  p.mode = Mode::kEnforce;
  json::Document doc(rapidjson::kObjectType);
  ApplyAuditStatus(p, a, 1, doc, doc.GetAllocator(), kT0);
  REQUIRE(CondField(doc, "Drifted", "message") == "api: memory 0 -> 64Mi; db: pids unlimited -> 64");
  REQUIRE(CondField(doc, "Ready", "message") == "Enforce: 3 containers in 2 services");
  REQUIRE(json::GetInt(*json::Find(doc, "summary"), "drifted") == 3);
  REQUIRE(json::GetInt(*json::Find(doc, "summary"), "needsRecreate") == 1);
}

TEST_CASE("ServiceKey joins project and service", "[stack_status]") {
  REQUIRE(ServiceKey("dwlab", "web") == "dwlab/web");
}
