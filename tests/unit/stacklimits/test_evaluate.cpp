// The rule engine: one table of facts per rule, exact findings, and the
// planted integration stack of issue4_design.md §5 as facts (13 findings).
#include <catch2/catch.hpp>

#include <fstream>
#include <set>
#include <sstream>

#include "operator/json/yaml.h"
#include "reconcilers/stacklimits/evaluate.h"
#include "reconcilers/stacklimits/inspect_facts.h"

using namespace dw;
using namespace dw::stacklimits;

namespace {

StackPolicy Policy(const std::string& yaml) {
  json::Document d;
  REQUIRE(yaml::ParseOne(yaml, {}, &d).ok());
  StackPolicy p;
  Status st = ParseStackPolicy(d, &p);
  INFO(st.ToString());
  REQUIRE(st.ok());
  return p;
}

// A container that passes every rule of AllRules() below: the design's
// `x-good` anchor.
ContainerFacts Good(const std::string& service) {
  ContainerFacts c;
  c.project = "dwlab";
  c.service = service;
  c.container = "dwlab_" + service + "_1";
  c.image = "dwtest/busybox:1";
  c.state = "running";
  c.health = "healthy";
  c.labels = {{"com.docker.compose.project", "dwlab"}, {"com.docker.compose.service", service}};
  c.network_mode = "none";
  c.security_opt = {"no-new-privileges:true"};
  c.has_healthcheck = true;
  c.log_driver = "json-file";
  c.log_opts = {{"max-size", "1m"}, {"max-file", "2"}};
  c.cmd = {"sleep", "100000"};
  c.restart_policy = "unless-stopped";
  c.memory = 64 << 20;
  c.memory_swap = 64 << 20;
  c.nano_cpus = 500000000;
  c.pids_limit = 64;
  return c;
}

const char* kAllRules = R"(
projects: [dwlab]
limits:
  defaults: {memory: 64Mi, cpus: "0.5", pids: 64}
  services:
    hungry: {memory: 256Mi}
rules:
  - {name: privileged, severity: Critical,
     exceptions: [{service: kvm, reason: needs /dev/kvm for libvirt}]}
  - {name: capabilities, severity: High}
  - {name: hostNamespaces}
  - {name: noNewPrivileges}
  - {name: healthcheck}
  - {name: logRotation}
  - {name: dockerSocket, severity: High}
  - {name: socketProxyPermissions, severity: High}
  - {name: plaintextSecrets, severity: High}
  - {name: templatePlaceholders, severity: High}
  - {name: restartPolicy, severity: Low}
  - {name: limits}
)";

std::vector<Finding> Run(const StackPolicy& p, const ContainerFacts& c) { return Evaluate(p, {c}); }

// Findings of one rule only, so a table row is not disturbed by the others.
std::vector<Finding> RunRule(const std::string& rule_yaml, const ContainerFacts& c) {
  return Run(Policy("projects: [dwlab]\nrules: [" + rule_yaml + "]\n"), c);
}

std::string Dump(const std::vector<Finding>& fs) {
  std::string out;
  for (const auto& f : fs) out += f.service + "/" + f.rule + "/" + f.subject + " ";
  return out;
}

// Every text field of a finding, for the secret-leak checks.
std::string AllText(const std::vector<Finding>& fs) {
  std::string out;
  for (const auto& f : fs) {
    out += f.project + "|" + f.service + "|" + f.container + "|" + f.rule + "|" + f.subject + "|" + f.observed +
           "|" + f.desired + "|" + f.message + "|" + f.exemption_reason + "\n";
  }
  return out;
}

}  // namespace

TEST_CASE("Evaluate: a compliant container has no findings", "[evaluate]") {
  StackPolicy p = Policy(kAllRules);
  CHECK(Run(p, Good("web")).empty());
}

TEST_CASE("RuleCatalogue: every rule, its liveness and CIS ids", "[evaluate]") {
  const auto& cat = RuleCatalogue();
  REQUIRE(cat.size() == 12);
  std::set<std::string> names;
  for (const auto& r : cat) {
    names.insert(r.name);
    CHECK(std::string(r.summary).size() > 10);
    CHECK(r.live == (std::string(r.name) == "restartPolicy" || std::string(r.name) == "limits"));
  }
  CHECK(names.size() == 12);
  REQUIRE(FindRule("privileged") != nullptr);
  CHECK(std::vector<std::string>(FindRule("privileged")->cis.begin(), FindRule("privileged")->cis.end()) ==
        std::vector<std::string>{"5.5"});
  CHECK(FindRule("hostNamespaces")->cis.size() == 5);
  CHECK(FindRule("logRotation")->cis.empty());
  CHECK(FindRule("nope") == nullptr);
}

TEST_CASE("privileged: one finding; capabilities are not repeated", "[evaluate]") {
  StackPolicy p = Policy(kAllRules);
  ContainerFacts c = Good("vmprov");
  c.privileged = true;
  c.cap_add = {"SYS_ADMIN", "NET_ADMIN"};
  auto fs = Run(p, c);
  REQUIRE(fs.size() == 1);
  const Finding& f = fs[0];
  CHECK(f.project == "dwlab");
  CHECK(f.service == "vmprov");
  CHECK(f.container == "dwlab_vmprov_1");
  CHECK(f.rule == "privileged");
  CHECK(f.subject == "");
  CHECK(f.severity == Severity::kCritical);
  CHECK(f.observed == "true");
  CHECK(f.desired == "false");
  CHECK_FALSE(f.fixable_live);
  CHECK(f.cis == std::vector<std::string>{"5.5"});
  CHECK_FALSE(f.exempted);
  CHECK(f.message == "The container runs privileged, with every capability and all host devices.");

  // Without the privileged rule, capabilities still sees the added ones.
  auto caps = RunRule("{name: capabilities}", c);
  CHECK(Dump(caps) == "vmprov/capabilities/NET_ADMIN vmprov/capabilities/SYS_ADMIN ");
}

TEST_CASE("privileged: an exception waives it, keyed by service and project", "[evaluate]") {
  StackPolicy p = Policy(R"(
projects: [dwlab, other]
rules:
  - name: privileged
    exceptions:
      - {service: kvm, reason: needs /dev/kvm}
      - {service: vm, project: other, reason: lab only}
)");
  ContainerFacts kvm = Good("kvm");
  kvm.privileged = true;
  auto fs = Run(p, kvm);
  REQUIRE(fs.size() == 1);
  CHECK(fs[0].exempted);
  CHECK(fs[0].exemption_reason == "needs /dev/kvm");

  ContainerFacts vm = Good("vm");
  vm.privileged = true;
  fs = Run(p, vm);  // project dwlab: the exception is for project other
  REQUIRE(fs.size() == 1);
  CHECK_FALSE(fs[0].exempted);
  CHECK(fs[0].exemption_reason == "");
  vm.project = "other";
  fs = Run(p, vm);
  REQUIRE(fs.size() == 1);
  CHECK(fs[0].exempted);
  CHECK(fs[0].exemption_reason == "lab only");
}

TEST_CASE("capabilities: normalised, one finding each, only forbidden ones", "[evaluate]") {
  ContainerFacts c = Good("netadmin");
  c.cap_add = {"CAP_NET_ADMIN", "net_admin", "CHOWN", "all", "Sys_Time"};
  auto fs = RunRule("{name: capabilities, severity: High}", c);
  REQUIRE(fs.size() == 3);
  CHECK(fs[0].subject == "ALL");
  CHECK(fs[1].subject == "NET_ADMIN");
  CHECK(fs[2].subject == "SYS_TIME");
  CHECK(fs[1].observed == "added");
  CHECK(fs[1].desired == "not added");
  CHECK(fs[1].severity == Severity::kHigh);
  CHECK(fs[1].cis == std::vector<std::string>{"5.4"});
  CHECK(fs[1].message == "The container adds the forbidden capability NET_ADMIN.");
  // A custom list replaces the default one.
  fs = RunRule("{name: capabilities, forbidden: [chown]}", c);
  CHECK(Dump(fs) == "netadmin/capabilities/CHOWN ");
}

TEST_CASE("hostNamespaces: host only, per namespace CIS id", "[evaluate]") {
  ContainerFacts c = Good("h");
  c.network_mode = "host";
  c.pid_mode = "host";
  c.ipc_mode = "container:abc";  // shares another container's, not the host's
  c.uts_mode = "host";
  c.userns_mode = "host";
  auto fs = RunRule("{name: hostNamespaces}", c);  // user is opt-in
  REQUIRE(fs.size() == 3);
  CHECK(fs[0].subject == "network");
  CHECK(fs[0].cis == std::vector<std::string>{"5.10"});
  CHECK(fs[1].subject == "pid");
  CHECK(fs[1].cis == std::vector<std::string>{"5.16"});
  CHECK(fs[2].subject == "uts");
  CHECK(fs[2].cis == std::vector<std::string>{"5.21"});
  CHECK(fs[0].observed == "host");
  CHECK(fs[0].message == "The container shares the host's network namespace.");
  fs = RunRule("{name: hostNamespaces, namespaces: [user, ipc]}", c);
  REQUIRE(fs.size() == 1);
  CHECK(fs[0].subject == "user");
  CHECK(fs[0].cis == std::vector<std::string>{"5.31"});
}

TEST_CASE("noNewPrivileges: accepted spellings and violations", "[evaluate]") {
  struct Row {
    std::vector<std::string> opts;
    std::string observed;  // "" = compliant
  };
  std::vector<Row> rows = {
      {{"no-new-privileges"}, ""},
      {{"no-new-privileges:true"}, ""},
      {{"label=disable", "no-new-privileges=true"}, ""},
      {{}, "not set"},
      {{"seccomp=unconfined"}, "not set"},
      {{"no-new-privileges:false"}, "no-new-privileges:false"},
      {{"no-new-privileges:true", "no-new-privileges:false"}, "no-new-privileges:false"},  // last wins
  };
  for (const auto& row : rows) {
    ContainerFacts c = Good("n");
    c.security_opt = row.opts;
    auto fs = RunRule("{name: noNewPrivileges}", c);
    INFO(row.observed);
    if (row.observed.empty()) {
      CHECK(fs.empty());
    } else {
      REQUIRE(fs.size() == 1);
      CHECK(fs[0].observed == row.observed);
      CHECK(fs[0].desired == "no-new-privileges:true");
      CHECK(fs[0].cis == std::vector<std::string>{"5.26"});
    }
  }
}

TEST_CASE("healthcheck: missing is a finding, unknown (lint) is not", "[evaluate]") {
  ContainerFacts c = Good("h");
  c.has_healthcheck = false;
  auto fs = RunRule("{name: healthcheck}", c);
  REQUIRE(fs.size() == 1);
  CHECK(fs[0].observed == "none");
  CHECK(fs[0].cis == std::vector<std::string>{"5.27"});
  c.healthcheck_known = false;
  CHECK(RunRule("{name: healthcheck}", c).empty());
}

TEST_CASE("logRotation: drivers, max-size and max-file", "[evaluate]") {
  struct Row {
    std::string driver;
    std::map<std::string, std::string> opts;
    std::string observed;  // "" = compliant
  };
  std::vector<Row> rows = {
      {"json-file", {{"max-size", "10m"}}, ""},
      {"", {{"max-size", "10m"}}, ""},  // daemon default json-file
      {"local", {}, ""},
      {"journald", {}, ""},
      {"json-file", {}, "json-file without max-size"},
      {"", {}, "json-file without max-size"},
      {"json-file", {{"max-size", "-1"}}, "json-file without max-size"},
      {"json-file", {{"max-size", "50m"}}, "json-file max-size 50m"},
      {"json-file", {{"max-size", "10m"}, {"max-file", "9"}}, "json-file max-file 9"},
      {"json-file", {{"max-size", "1k"}, {"max-file", "3"}}, ""},
      {"syslog", {}, "syslog"},
      {"none", {}, "none"},
  };
  const std::string rule = "{name: logRotation, maxSize: 10m, maxFile: 3}";
  for (const auto& row : rows) {
    ContainerFacts c = Good("l");
    c.log_driver = row.driver;
    c.log_opts = row.opts;
    auto fs = RunRule(rule, c);
    INFO(row.driver << " -> " << row.observed);
    if (row.observed.empty()) {
      CHECK(fs.empty());
    } else {
      REQUIRE(fs.size() == 1);
      CHECK(fs[0].observed == row.observed);
      CHECK(fs[0].desired == "json-file, local or journald, json-file max-size <= 10Mi, max-file <= 3");
      CHECK(fs[0].cis.empty());
      CHECK_FALSE(fs[0].fixable_live);
    }
  }
  // Without maxSize any max-size is enough.
  ContainerFacts c = Good("l");
  c.log_opts = {{"max-size", "1g"}, {"max-file", "100"}};
  CHECK(RunRule("{name: logRotation}", c).empty());
}

TEST_CASE("dockerSocket: bind mounts of docker.sock, proxies exempt", "[evaluate]") {
  ContainerFacts c = Good("sockmount");
  c.mounts = {{"volume", "/var/lib/docker/volumes/x/_data", "/data"},
              {"bind", "/var/run/docker.sock", "/var/run/docker.sock"},
              {"bind", "/run/docker.sock", "/sock/host.sock"}};
  auto fs = RunRule("{name: dockerSocket, severity: High}", c);
  REQUIRE(fs.size() == 2);
  CHECK(fs[0].subject == "/sock/host.sock");
  CHECK(fs[0].observed == "/run/docker.sock:/sock/host.sock");
  CHECK(fs[1].subject == "/var/run/docker.sock");
  CHECK(fs[1].observed == "/var/run/docker.sock:/var/run/docker.sock");
  CHECK(fs[1].cis == std::vector<std::string>{"5.32"});
  CHECK(fs[1].severity == Severity::kHigh);
  // A volume named like the socket is not a bind of the host socket.
  ContainerFacts v = Good("v");
  v.mounts = {{"volume", "docker.sock", "/x"}};
  CHECK(RunRule("{name: dockerSocket}", v).empty());
  // Socket proxies: by label, or by image glob.
  ContainerFacts proxy = c;
  proxy.labels["dockward.io/socket-proxy"] = "true";
  CHECK(RunRule("{name: dockerSocket}", proxy).empty());
  proxy = c;
  proxy.image = "tecnativa/docker-socket-proxy:0.1";
  CHECK(RunRule("{name: dockerSocket}", proxy).empty());
  CHECK(RunRule("{name: dockerSocket, proxyImages: ['my/*']}", proxy).size() == 2);
}

TEST_CASE("socketProxyPermissions: only proxies, only enabled forbidden keys", "[evaluate]") {
  ContainerFacts c = Good("sockproxy");
  c.labels["dockward.io/socket-proxy"] = "true";
  c.env = {{"CONTAINERS", "1"}, {"POST", "1"}, {"EXEC", "0"}, {"BUILD", "true"}, {"SYSTEM", std::nullopt},
           {"SWARM", "1"}, {"SWARM", "0"}};  // the later SWARM wins
  auto fs = RunRule("{name: socketProxyPermissions, severity: High}", c);
  REQUIRE(fs.size() == 2);
  CHECK(fs[0].subject == "BUILD");
  CHECK(fs[0].observed == "BUILD=true");
  CHECK(fs[1].subject == "POST");
  CHECK(fs[1].observed == "POST=1");
  CHECK(fs[1].desired == "POST=0");
  CHECK_FALSE(fs[1].fixable_live);
  CHECK(fs[1].cis.empty());
  CHECK(fs[1].message == "The socket proxy allows POST, which gives its clients control of the host.");
  // Not a proxy: not audited.
  ContainerFacts plain = c;
  plain.labels.erase("dockward.io/socket-proxy");
  CHECK(RunRule("{name: socketProxyPermissions}", plain).empty());
  // Custom list, matched against upper-case keys.
  CHECK(Dump(RunRule("{name: socketProxyPermissions, forbiddenPermissions: [containers]}", c)) ==
        "sockproxy/socketProxyPermissions/CONTAINERS ");
}

TEST_CASE("plaintextSecrets: names, exemptions, and the value never leaks", "[evaluate]") {
  const std::string secret = "hunter2-VERY-DISTINCTIVE-9f8e7d";
  ContainerFacts c = Good("secrets");
  c.env = {{"ADMIN_PASSWORD", secret},
           {"db_password", secret},             // case-insensitive
           {"DB_PASSWORD_FILE", "/run/secrets/db"},
           {"API_TOKEN_FILE", secret},          // _FILE names a path
           {"GITHUB_TOKEN", "/run/secrets/gh"},  // a secret file path
           {"SMTP_SECRET", ""},                 // empty
           {"REDIS_PASSWD", std::nullopt},      // lint: value from the shell
           {"MY_API_KEY", secret},
           {"QUEUE", secret},
           {"ADMIN_PASSWORD", secret}};  // repeated: reported once
  auto fs = RunRule("{name: plaintextSecrets, severity: High}", c);
  REQUIRE(fs.size() == 3);
  CHECK(fs[0].subject == "ADMIN_PASSWORD");
  CHECK(fs[0].observed == "ADMIN_PASSWORD=<redacted>");
  CHECK(fs[0].desired == "ADMIN_PASSWORD_FILE=/run/secrets/...");
  CHECK(fs[1].subject == "MY_API_KEY");
  CHECK(fs[2].subject == "db_password");
  CHECK(fs[0].severity == Severity::kHigh);
  CHECK(AllText(fs).find(secret) == std::string::npos);
  CHECK(AllText(fs).find("hunter2") == std::string::npos);

  // Custom patterns replace the defaults.
  fs = RunRule("{name: plaintextSecrets, namePatterns: ['QUE?E']}", c);
  REQUIRE(fs.size() == 1);
  CHECK(fs[0].subject == "QUEUE");
  CHECK(AllText(fs).find(secret) == std::string::npos);
}

TEST_CASE("templatePlaceholders: where they are, never what the value was", "[evaluate]") {
  const std::string secret = "pw-SHOULD-NOT-APPEAR-31337";
  ContainerFacts c = Good("templated");
  c.env = {{"SMTP_HOST", "{{SMTP_HOST}}"},
           {"DB_PASSWORD", secret + "{{ DB_SUFFIX }}"},
           {"LOWER", "{{lower_case}}"},  // Go/Helm templates: not matched by default
           {"EMPTY", std::nullopt}};
  c.cmd = {"run", "--host={{SMTP_HOST}}"};
  c.entrypoint = {"/entry", "{{ENTRY}}"};
  c.labels["traefik.http.routers.x.rule"] = "Host(`{{ .Name }}`)";
  c.labels["x"] = "{{SMTP_HOST}}";
  auto fs = RunRule("{name: templatePlaceholders, severity: High}", c);
  REQUIRE(fs.size() == 3);
  CHECK(fs[0].subject == "DB_SUFFIX");
  CHECK(fs[0].observed == "env DB_PASSWORD");
  CHECK(fs[1].subject == "ENTRY");
  CHECK(fs[1].observed == "entrypoint");
  CHECK(fs[2].subject == "SMTP_HOST");
  CHECK(fs[2].observed == "env SMTP_HOST, command, label x");
  CHECK(fs[2].desired == "resolved");
  CHECK(fs[2].message ==
        "The template placeholder SMTP_HOST was never resolved (env SMTP_HOST, command, label x), so the service "
        "gets it literally.");
  CHECK(AllText(fs).find(secret) == std::string::npos);

  // A custom pattern with a capture group names the variable by the group.
  ContainerFacts d = Good("t");
  d.env = {{"A", "x <<host>> y"}};
  fs = RunRule("{name: templatePlaceholders, pattern: '<<([a-z]+)>>'}", d);
  REQUIRE(fs.size() == 1);
  CHECK(fs[0].subject == "host");
  CHECK(fs[0].observed == "env A");
}

TEST_CASE("restartPolicy: allowed list and capped retries, fixable live", "[evaluate]") {
  struct Row {
    std::string name;
    int retries;
    std::string observed;  // "" = compliant
  };
  const std::string rule = "{name: restartPolicy, severity: Low}";
  for (const Row& row : std::vector<Row>{{"unless-stopped", 0, ""},
                                         {"always", 0, ""},
                                         {"on-failure", 0, ""},
                                         {"no", 0, "no"},
                                         {"", 0, "no"}}) {
    ContainerFacts c = Good("r");
    c.restart_policy = row.name;
    c.restart_max_retries = row.retries;
    auto fs = RunRule(rule, c);
    INFO(row.name);
    if (row.observed.empty()) {
      CHECK(fs.empty());
    } else {
      REQUIRE(fs.size() == 1);
      CHECK(fs[0].observed == row.observed);
      CHECK(fs[0].desired == "unless-stopped");
      CHECK(fs[0].fixable_live);
      CHECK(fs[0].severity == Severity::kLow);
      CHECK(fs[0].cis == std::vector<std::string>{"5.15"});
    }
  }
  // CIS 5.15: on-failure with at most 5 retries.
  const std::string cis = "{name: restartPolicy, allowed: [on-failure], maxRetries: 5}";
  for (const Row& row : std::vector<Row>{{"on-failure", 5, ""},
                                         {"on-failure", 3, ""},
                                         {"on-failure", 7, "on-failure:7"},
                                         {"on-failure", 0, "on-failure (unlimited retries)"},
                                         {"always", 0, "always"}}) {
    ContainerFacts c = Good("r");
    c.restart_policy = row.name;
    c.restart_max_retries = row.retries;
    auto fs = RunRule(cis, c);
    INFO(row.name << ":" << row.retries);
    if (row.observed.empty()) {
      CHECK(fs.empty());
    } else {
      REQUIRE(fs.size() == 1);
      CHECK(fs[0].observed == row.observed);
      CHECK(fs[0].desired == "on-failure:5");
    }
  }
}

TEST_CASE("limits: one finding per resource, human readable, fixable live", "[evaluate]") {
  StackPolicy p = Policy(R"(
projects: [dwlab]
limits:
  defaults: {memory: 64Mi, memoryReservation: 32Mi, cpus: "0.5", pids: 64}
)");
  ContainerFacts c = Good("bare");
  c.memory = 0;
  c.memory_swap = 0;
  c.nano_cpus = 0;
  c.pids_limit = -1;
  auto fs = Run(p, c);
  // No memorySwap finding without a memory limit: fixing memory sets both.
  REQUIRE(fs.size() == 4);
  CHECK(fs[0].subject == "cpus");
  CHECK(fs[0].observed == "unlimited");
  CHECK(fs[0].desired == "0.5");
  CHECK(fs[0].cis == std::vector<std::string>{"5.12"});
  CHECK(fs[1].subject == "memory");
  CHECK(fs[1].observed == "unlimited");
  CHECK(fs[1].desired == "64Mi");
  CHECK(fs[1].cis == std::vector<std::string>{"5.11"});
  CHECK(fs[1].message == "The memory limit is unlimited but the policy wants 64Mi.");
  CHECK(fs[2].subject == "memoryReservation");
  CHECK(fs[2].observed == "unlimited");
  CHECK(fs[2].desired == "32Mi");
  CHECK(fs[2].cis.empty());
  CHECK(fs[3].subject == "pids");
  CHECK(fs[3].observed == "unlimited");
  CHECK(fs[3].desired == "64");
  CHECK(fs[3].cis == std::vector<std::string>{"5.29"});
  for (const auto& f : fs) {
    CHECK(f.rule == "limits");
    CHECK(f.fixable_live);
    CHECK(f.severity == Severity::kMedium);
  }
}

TEST_CASE("limits: drift in either direction, swap as Docker applies it", "[evaluate]") {
  StackPolicy p = Policy("projects: [dwlab]\nlimits: {defaults: {memory: 64Mi, cpus: '0.5', pids: 64}}\n");
  ContainerFacts c = Good("web");
  c.memory = 96 << 20;  // docker update --memory 96m --memory-swap 96m
  c.memory_swap = 96 << 20;
  auto fs = Run(p, c);
  REQUIRE(fs.size() == 2);
  CHECK(fs[0].subject == "memory");
  CHECK(fs[0].observed == "96Mi");
  CHECK(fs[1].subject == "memorySwap");
  CHECK(fs[1].observed == "96Mi");
  CHECK(fs[1].desired == "64Mi");
  CHECK(fs[1].cis == std::vector<std::string>{"5.11"});

  c = Good("web");
  c.memory_swap = 0;  // lint: mem_limit without memswap_limit -> Docker allows 2x
  fs = Run(p, c);
  REQUIRE(fs.size() == 1);
  CHECK(fs[0].subject == "memorySwap");
  CHECK(fs[0].observed == "128Mi");
  c.memory_swap = -1;
  fs = Run(p, c);
  REQUIRE(fs.size() == 1);
  CHECK(fs[0].observed == "unlimited");

  c = Good("web");
  c.nano_cpus = 250000000;  // lower than the policy is drift too
  c.pids_limit = 128;
  fs = Run(p, c);
  CHECK(Dump(fs) == "web/limits/cpus web/limits/pids ");
  CHECK(fs[0].observed == "0.25");
  CHECK(fs[1].observed == "128");

  // Per-service override.
  StackPolicy q = Policy("projects: [dwlab]\nlimits: {defaults: {memory: 64Mi}, services: {hungry: {memory: 256Mi}}}\n");
  ContainerFacts h = Good("hungry");
  h.memory = h.memory_swap = 256 << 20;
  CHECK(Run(q, h).empty());
  CHECK(Dump(Run(q, Good("hungry"))) == "hungry/limits/memory hungry/limits/memorySwap ");
}

TEST_CASE("limits: not checked without spec.limits even when listed", "[evaluate]") {
  ContainerFacts c = Good("bare");
  c.memory = 0;
  CHECK(RunRule("{name: limits}", c).empty());
}

TEST_CASE("Evaluate: only listed rules run", "[evaluate]") {
  ContainerFacts c = Good("x");
  c.privileged = true;
  c.has_healthcheck = false;
  CHECK(Dump(RunRule("{name: healthcheck}", c)) == "x/healthcheck/ ");
  CHECK(Run(Policy("projects: [dwlab]\n"), c).empty());
}

TEST_CASE("Evaluate: the planted stack gives exactly the 13 expected findings", "[evaluate]") {
  StackPolicy p = Policy(kAllRules);
  std::vector<ContainerFacts> stack;
  stack.push_back(Good("web"));
  ContainerFacts worker = Good("worker");
  worker.env = {{"QUEUE", "jobs"}, {"DB_PASSWORD_FILE", "/run/secrets/db"}};
  stack.push_back(worker);
  ContainerFacts hungry = Good("hungry");
  hungry.memory = hungry.memory_swap = 256 << 20;
  stack.push_back(hungry);
  ContainerFacts kvm = Good("kvm");
  kvm.privileged = true;
  kvm.state = "created";
  stack.push_back(kvm);
  ContainerFacts vmprov = Good("vmprov");
  vmprov.privileged = true;
  vmprov.state = "created";
  stack.push_back(vmprov);
  ContainerFacts netadmin = Good("netadmin");
  netadmin.cap_add = {"NET_ADMIN"};
  stack.push_back(netadmin);
  ContainerFacts sockmount = Good("sockmount");
  sockmount.mounts = {{"bind", "/var/run/docker.sock", "/var/run/docker.sock"}};
  stack.push_back(sockmount);
  ContainerFacts sockproxy = Good("sockproxy");
  sockproxy.labels["dockward.io/socket-proxy"] = "true";
  sockproxy.mounts = sockmount.mounts;
  sockproxy.env = {{"CONTAINERS", "1"}, {"POST", "1"}, {"EXEC", "0"}};
  stack.push_back(sockproxy);
  ContainerFacts secrets = Good("secrets");
  secrets.env = {{"ADMIN_PASSWORD", "hunter2"}};
  stack.push_back(secrets);
  ContainerFacts templated = Good("templated");
  templated.env = {{"SMTP_HOST", "{{SMTP_HOST}}"}};
  stack.push_back(templated);
  ContainerFacts bare;
  bare.project = "dwlab";
  bare.service = "bare";
  bare.container = "dwlab_bare_1";
  bare.network_mode = "none";
  bare.log_driver = "json-file";
  bare.restart_policy = "no";
  bare.cmd = {"sleep", "100000"};
  stack.push_back(bare);

  auto fs = Evaluate(p, stack);
  CHECK(Dump(fs) ==
        "bare/healthcheck/ bare/limits/cpus bare/limits/memory bare/limits/pids bare/logRotation/ "
        "bare/noNewPrivileges/ bare/restartPolicy/ kvm/privileged/ netadmin/capabilities/NET_ADMIN "
        "secrets/plaintextSecrets/ADMIN_PASSWORD sockmount/dockerSocket//var/run/docker.sock "
        "sockproxy/socketProxyPermissions/POST templated/templatePlaceholders/SMTP_HOST vmprov/privileged/ ");
  int open = 0, exempted = 0, live = 0;
  for (const auto& f : fs) {
    (f.exempted ? exempted : open)++;
    if (f.fixable_live) ++live;
  }
  CHECK(open == 13);
  CHECK(exempted == 1);  // kvm, reported as skip
  CHECK(live == 4);      // restartPolicy and three limits on bare
  CHECK(AllText(fs).find("hunter2") == std::string::npos);
  // Sorted by key and deterministic.
  CHECK(Dump(Evaluate(p, {stack.rbegin(), stack.rend()})) == Dump(fs));
}

TEST_CASE("Evaluate: a real inspect document end to end", "[evaluate]") {
  std::string dir = __FILE__;
  dir = dir.substr(0, dir.rfind('/'));
  std::ifstream in(dir + "/testdata/inspect_priv.json");
  REQUIRE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  json::Document d;
  REQUIRE(json::Parse(ss.str(), &d).ok());
  ContainerFacts c;
  REQUIRE(FactsFromInspect(d, &c).ok());
  StackPolicy p = Policy(kAllRules);
  auto fs = Evaluate(p, {c});
  // Privileged (capabilities folded into it), host pid+ipc, no-new-privileges
  // false, the socket, the plain password, two placeholders (env and label),
  // on-failure is allowed, memory swap doubled, 0.5 CPUs and 64 pids match.
  CHECK(Dump(fs) ==
        "vmprov/dockerSocket//var/run/docker.sock vmprov/hostNamespaces/ipc vmprov/hostNamespaces/pid "
        "vmprov/limits/memorySwap vmprov/noNewPrivileges/ vmprov/plaintextSecrets/ADMIN_PASSWORD "
        "vmprov/privileged/ vmprov/templatePlaceholders/LABEL_VAR vmprov/templatePlaceholders/SMTP_HOST ");
  CHECK(AllText(fs).find("s3cr3t-XYZZY") == std::string::npos);
  for (const auto& f : fs) {
    CHECK(f.container == "sl-priv");
    CHECK(f.fixable_live == (f.rule == "limits"));
  }
}
