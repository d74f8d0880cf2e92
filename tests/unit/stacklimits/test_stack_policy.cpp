// ParseStackPolicy: defaults (also when the API server did not apply them, as
// in lint), limits merging, parameter ownership and the cross-field checks
// the schema cannot express.
#include <catch2/catch.hpp>

#include "operator/json/yaml.h"
#include "reconcilers/stacklimits/stack_policy.h"

using namespace dw;
using namespace dw::stacklimits;

namespace {

Status ParseYaml(const std::string& yaml, StackPolicy* out) {
  json::Document d;
  Status st = yaml::ParseOne(yaml, {}, &d);
  REQUIRE(st.ok());
  return ParseStackPolicy(d, out);
}

StackPolicy MustParse(const std::string& yaml) {
  StackPolicy p;
  Status st = ParseYaml(yaml, &p);
  INFO(st.ToString());
  REQUIRE(st.ok());
  return p;
}

// The error's field path (the one FieldCause) and message.
std::string ErrorOf(const std::string& yaml) {
  StackPolicy p;
  Status st = ParseYaml(yaml, &p);
  REQUIRE_FALSE(st.ok());
  CHECK(st.code() == Code::kInvalid);
  REQUIRE(st.causes().size() == 1);
  CHECK(st.message().rfind(st.causes()[0].field + ": ", 0) == 0);
  return st.message();
}

}  // namespace

TEST_CASE("StackPolicy: a minimal raw spec gets every default", "[stack_policy]") {
  StackPolicy p = MustParse("projects: [lab]\n");
  CHECK(p.docker_host == "local");
  CHECK(p.projects == std::vector<std::string>{"lab"});
  CHECK_FALSE(p.has_selector);
  CHECK(p.mode == Mode::kAudit);
  CHECK_FALSE(p.has_limits);
  CHECK(p.rules.empty());
  CHECK(p.Rule("privileged") == nullptr);
  CHECK(p.headroom_percent == 20);
  CHECK(p.sample_seconds == 300);
  CHECK_FALSE(p.allow_recreate);
  CHECK(p.params.forbidden_caps.size() == 11);
  CHECK(p.params.forbidden_caps[0] == "ALL");
  CHECK(p.params.namespaces == std::vector<std::string>{"network", "pid", "ipc", "uts"});
  CHECK(p.params.log_drivers == std::vector<std::string>{"json-file", "local", "journald"});
  CHECK_FALSE(p.params.log_max_size);
  CHECK_FALSE(p.params.log_max_file);
  CHECK(p.params.secret_name_patterns.size() == 6);
  CHECK(p.params.placeholder_pattern == R"(\{\{\s*[A-Z_][A-Z0-9_]*\s*\}\})");
  CHECK(p.params.restart_allowed == std::vector<std::string>{"unless-stopped", "always", "on-failure"});
  CHECK(p.params.forbidden_permissions.size() == 8);
  CHECK(p.params.proxy_images == std::vector<std::string>{"*docker-socket-proxy*"});
}

TEST_CASE("StackPolicy: the example policy", "[stack_policy]") {
  StackPolicy p = MustParse(R"(
dockerHost: edge
projects: [lab, lab2]
mode: Enforce
allowRecreate: true
recommend: {headroomPercent: 35, sampleSeconds: 60}
limits:
  defaults: {memory: 512Mi, cpus: "1", pids: 256}
  services:
    postgres: {memory: 4Gi, cpus: "2"}
rules:
  - name: privileged
    severity: Critical
    exceptions:
      - service: vm-provisioner
        reason: needs /dev/kvm
      - service: kvm
        project: lab2
        reason: isolated host
  - name: logRotation
)");
  CHECK(p.docker_host == "edge");
  CHECK(p.mode == Mode::kEnforce);
  CHECK(p.allow_recreate);
  CHECK(p.headroom_percent == 35);
  CHECK(p.sample_seconds == 60);
  REQUIRE(p.rules.size() == 3);  // limits is added
  CHECK(p.rules[0].name == "privileged");
  CHECK(p.rules[0].severity == Severity::kCritical);
  REQUIRE(p.rules[0].exceptions.size() == 2);
  CHECK(p.rules[0].exceptions[0].service == "vm-provisioner");
  CHECK(p.rules[0].exceptions[0].project == "");
  CHECK(p.rules[0].exceptions[0].reason == "needs /dev/kvm");
  CHECK(p.rules[0].exceptions[1].project == "lab2");
  CHECK(p.rules[1].name == "logRotation");
  CHECK(p.rules[1].severity == Severity::kMedium);
  REQUIRE(p.Rule("limits") != nullptr);
  CHECK(p.Rule("limits")->severity == Severity::kMedium);

  Limits web = p.LimitsFor("web");
  CHECK(*web.memory == 536870912);
  CHECK(*web.memory_swap == 536870912);  // no swap by default
  CHECK_FALSE(web.memory_reservation);
  CHECK(*web.nano_cpus == 1000000000);
  CHECK(*web.pids == 256);
  Limits pg = p.LimitsFor("postgres");
  CHECK(*pg.memory == 4294967296LL);
  CHECK(*pg.memory_swap == 4294967296LL);
  CHECK(*pg.nano_cpus == 2000000000);
  CHECK(*pg.pids == 256);  // merged field by field
}

TEST_CASE("StackPolicy: a listed limits rule keeps its severity and exceptions", "[stack_policy]") {
  StackPolicy p = MustParse(R"(
projects: [p]
limits: {defaults: {memory: 64Mi}}
rules:
  - name: limits
    severity: high
    exceptions: [{service: db, reason: tuned by hand}]
)");
  REQUIRE(p.rules.size() == 1);
  CHECK(p.rules[0].severity == Severity::kHigh);  // any case accepted
  CHECK(p.rules[0].exceptions.size() == 1);
}

TEST_CASE("StackPolicy: swap and reservation semantics", "[stack_policy]") {
  StackPolicy p = MustParse(R"(
projects: [p]
limits:
  defaults: {memory: 64Mi, memorySwap: 128Mi, memoryReservation: 32Mi}
  services:
    big: {memory: 256Mi}
    swapless: {memorySwap: 64Mi}
    free: {memorySwap: -1}
)");
  Limits d = p.LimitsFor("other");
  CHECK(*d.memory == 64 << 20);
  CHECK(*d.memory_swap == 128 << 20);
  CHECK(*d.memory_reservation == 32 << 20);
  // A service that sets memory does not inherit a swap sized for the defaults.
  Limits big = p.LimitsFor("big");
  CHECK(*big.memory == 256 << 20);
  CHECK(*big.memory_swap == 256 << 20);
  CHECK(*big.memory_reservation == 32 << 20);
  CHECK(*p.LimitsFor("swapless").memory_swap == 64 << 20);
  CHECK(*p.LimitsFor("free").memory_swap == -1);

  StackPolicy q = MustParse(R"(
projects: [p]
limits:
  defaults: {memory: 64Mi, memorySwap: -1}
  services: {big: {memory: 1Gi}}
)");
  CHECK(*q.LimitsFor("big").memory_swap == -1);  // unlimited swap still applies
  CHECK(*q.LimitsFor("x").memory_swap == -1);
}

TEST_CASE("StackPolicy: limits: {} is set but governs nothing", "[stack_policy]") {
  StackPolicy p = MustParse("projects: [p]\nlimits: {}\n");
  CHECK(p.has_limits);
  CHECK(p.LimitsFor("x").empty());
  REQUIRE(p.Rule("limits") != nullptr);
}

TEST_CASE("StackPolicy: rule parameters", "[stack_policy]") {
  StackPolicy p = MustParse(R"(
projects: [p]
rules:
  - name: capabilities
    forbidden: [cap_sys_admin, NET_RAW]
  - name: hostNamespaces
    namespaces: [network, user]
  - name: logRotation
    drivers: [json-file]
    maxSize: 10m
    maxFile: 3
  - name: plaintextSecrets
    namePatterns: ["*PASS*"]
  - name: templatePlaceholders
    pattern: '<<([a-z]+)>>'
  - name: restartPolicy
    allowed: [on-failure]
    maxRetries: 5
  - name: socketProxyPermissions
    forbiddenPermissions: [exec]
    proxyImages: ["tecnativa/*"]
  - name: dockerSocket
    proxyImages: ["my/proxy:*"]
)");
  CHECK(p.params.forbidden_caps == std::vector<std::string>{"SYS_ADMIN", "NET_RAW"});
  CHECK(p.params.namespaces == std::vector<std::string>{"network", "user"});
  CHECK(p.params.log_drivers == std::vector<std::string>{"json-file"});
  CHECK(*p.params.log_max_size == 10485760);
  CHECK(*p.params.log_max_file == 3);
  CHECK(p.params.secret_name_patterns == std::vector<std::string>{"*PASS*"});
  CHECK(p.params.placeholder_pattern == "<<([a-z]+)>>");
  CHECK(p.params.restart_allowed == std::vector<std::string>{"on-failure"});
  CHECK(*p.params.restart_max_retries == 5);
  CHECK(p.params.forbidden_permissions == std::vector<std::string>{"EXEC"});
  // Both rules may carry proxyImages: one parameter set, the last one wins.
  CHECK(p.params.proxy_images == std::vector<std::string>{"my/proxy:*"});
}

TEST_CASE("StackPolicy: selector and projects", "[stack_policy]") {
  StackPolicy p = MustParse(R"(
projects: [dwlab]
selector: {matchLabels: {dw.test/tier: good}}
)");
  CHECK(p.has_selector);
  CHECK(p.Selects({{"com.docker.compose.project", "dwlab"}, {"dw.test/tier", "good"}}));
  CHECK_FALSE(p.Selects({{"com.docker.compose.project", "dwlab"}, {"dw.test/tier", "bad"}}));
  CHECK_FALSE(p.Selects({{"com.docker.compose.project", "other"}, {"dw.test/tier", "good"}}));
  CHECK_FALSE(p.Selects({{"dw.test/tier", "good"}}));

  StackPolicy only_sel = MustParse("selector: {matchExpressions: [{key: app, operator: Exists}]}\n");
  CHECK(only_sel.Selects({{"app", "x"}}));
  CHECK_FALSE(only_sel.Selects({{"com.docker.compose.project", "dwlab"}}));

  StackPolicy only_proj = MustParse("projects: [a, b]\n");
  CHECK(only_proj.Selects({{"com.docker.compose.project", "b"}, {"com.docker.compose.oneoff", "True"}}));
  CHECK_FALSE(only_proj.Selects({{"com.docker.compose.project", "c"}}));
}

TEST_CASE("StackPolicy: names and strings", "[stack_policy]") {
  CHECK(std::string(ModeName(Mode::kRecommend)) == "Recommend");
  CHECK(std::string(SeverityName(Severity::kCritical)) == "Critical");
  Severity s = Severity::kLow;
  CHECK(ParseSeverity("CRITICAL", &s));
  CHECK(s == Severity::kCritical);
  CHECK_FALSE(ParseSeverity("urgent", &s));
  CHECK(s == Severity::kCritical);
}

TEST_CASE("StackPolicy: invalid specs name the field", "[stack_policy]") {
  CHECK(ErrorOf("mode: Audit\n") == "spec: one of projects and selector is required");
  CHECK(ErrorOf("projects: [p]\nmode: Fix\n") == "spec.mode: \"Fix\" is not one of Audit, Enforce, Recommend");
  CHECK(ErrorOf("projects: [p]\ndockerHost: ''\n") == "spec.dockerHost: must not be empty");
  CHECK(ErrorOf("projects: p\n") == "spec.projects: must be a list of strings");
  CHECK(ErrorOf(R"(
projects: [p]
rules:
  - name: privileged
  - name: healthcheck
  - name: capabilities
  - name: restartPolicy
    maxFile: 3
)") == "spec.rules[3].maxFile: only valid for rule logRotation");
  CHECK(ErrorOf("projects: [p]\nrules: [{name: capabilities, proxyImages: [x]}]\n") ==
        "spec.rules[0].proxyImages: only valid for rule socketProxyPermissions or dockerSocket");
  CHECK(ErrorOf("projects: [p]\nrules: [{name: privileged}, {name: privileged}]\n") ==
        "spec.rules[1].name: rule \"privileged\" is listed twice");
  CHECK(ErrorOf("projects: [p]\nrules: [{name: sudo}]\n") == "spec.rules[0].name: unknown rule \"sudo\"");
  CHECK(ErrorOf("projects: [p]\nrules: [{name: privileged, severity: Urgent}]\n") ==
        "spec.rules[0].severity: \"Urgent\" is not one of Low, Medium, High, Critical");
  CHECK(ErrorOf("projects: [p]\nrules: [{name: templatePlaceholders, pattern: '([a-z'}]\n").rfind(
            "spec.rules[0].pattern: invalid regular expression \"([a-z\"", 0) == 0);
  CHECK(ErrorOf("projects: [p]\nrules: [{name: hostNamespaces, namespaces: [net]}]\n") ==
        "spec.rules[0].namespaces[0]: \"net\" is not one of ipc, network, pid, user, uts");
  CHECK(ErrorOf("projects: [p]\nrules: [{name: logRotation, maxSize: ten}]\n").rfind(
            "spec.rules[0].maxSize: size \"ten\"", 0) == 0);
  CHECK(ErrorOf("projects: [p]\nrules: [{name: logRotation, maxFile: 0}]\n") ==
        "spec.rules[0].maxFile: 0 must be at least 1");
  CHECK(ErrorOf("projects: [p]\nrules: [{name: restartPolicy, allowed: [sometimes]}]\n") ==
        "spec.rules[0].allowed[0]: \"sometimes\" is not one of always, no, on-failure, unless-stopped");
  CHECK(ErrorOf("projects: [p]\nrecommend: {headroomPercent: 900}\n") ==
        "spec.recommend.headroomPercent: 900 is out of range 0-500");
}

TEST_CASE("StackPolicy: exceptions need a service and a non-blank reason", "[stack_policy]") {
  CHECK(ErrorOf("projects: [p]\nrules: [{name: privileged, exceptions: [{service: kvm, reason: '  \t'}]}]\n") ==
        "spec.rules[0].exceptions[0].reason: is required: an exception must document why");
  CHECK(ErrorOf("projects: [p]\nrules: [{name: privileged, exceptions: [{service: kvm}]}]\n") ==
        "spec.rules[0].exceptions[0].reason: is required: an exception must document why");
  CHECK(ErrorOf("projects: [p]\nrules: [{name: privileged, exceptions: [{reason: because}]}]\n") ==
        "spec.rules[0].exceptions[0].service: is required");
}

TEST_CASE("StackPolicy: limit values and pairs", "[stack_policy]") {
  CHECK(ErrorOf("projects: [p]\nlimits: {defaults: {memory: 64Mi, memoryReservation: 64Mi}}\n") ==
        "spec.limits.defaults.memoryReservation: 64Mi must be below memory 64Mi");
  CHECK(ErrorOf("projects: [p]\nlimits: {defaults: {memory: 64Mi, memorySwap: 32Mi}}\n") ==
        "spec.limits.defaults.memorySwap: 32Mi is below memory 64Mi (memorySwap is memory plus swap)");
  CHECK(ErrorOf("projects: [p]\nlimits: {defaults: {memorySwap: 32Mi}}\n") ==
        "spec.limits.defaults.memorySwap: needs memory (Docker sets swap only with a memory limit)");
  // The merged pair is checked; the message says where the other half came from.
  CHECK(ErrorOf("projects: [p]\nlimits: {defaults: {memory: 1Gi, memoryReservation: 512Mi}, "
                "services: {small: {memory: 256Mi}}}\n") ==
        "spec.limits.services.small.memory: 256Mi must be above memoryReservation 512Mi (from spec.limits.defaults)");
  CHECK(ErrorOf("projects: [p]\nlimits: {defaults: {memory: 1Gi}, services: {small: {memoryReservation: 2Gi}}}\n") ==
        "spec.limits.services.small.memoryReservation: 2Gi must be below memory 1Gi");
  CHECK(ErrorOf("projects: [p]\nlimits: {defaults: {memory: 12XB}}\n").rfind("spec.limits.defaults.memory: ", 0) == 0);
  CHECK(ErrorOf("projects: [p]\nlimits: {defaults: {memory: 0}}\n") ==
        "spec.limits.defaults.memory: must be greater than zero");
  CHECK(ErrorOf("projects: [p]\nlimits: {services: {web: {cpus: 1k}}}\n") ==
        "spec.limits.services.web.cpus: cpus \"1k\": only the suffix m (millicores) is allowed");
  CHECK(ErrorOf("projects: [p]\nlimits: {defaults: {pids: 0}}\n").rfind("spec.limits.defaults.pids: 0 is out of range 1-",
                                                                        0) == 0);
  CHECK(ErrorOf("projects: [p]\nlimits: {defaults: {pids: '5'}}\n") == "spec.limits.defaults.pids: must be an integer");
  // -1 (unlimited swap) is fine without a memory limit and is not "below memory".
  StackPolicy p = MustParse("projects: [p]\nlimits: {defaults: {memory: 64Mi, memorySwap: '-1'}}\n");
  CHECK(*p.LimitsFor("x").memory_swap == -1);
}
