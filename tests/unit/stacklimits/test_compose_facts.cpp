#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "reconcilers/stacklimits/compose_facts.h"
#include "tests/unit/stacklimits/lab_fixture.h"

using namespace dw;
using namespace dw::stacklimits;
using dw::stacklimits::testing::TempDir;

namespace {

struct Loaded {
  Status status;
  std::vector<ContainerFacts> facts;
  std::vector<ComposeNote> notes;
  const ContainerFacts& Get(const std::string& service) const {
    for (const auto& c : facts)
      if (c.service == service) return c;
    FAIL("no service " << service);
    return facts.front();
  }
};

Loaded Load(const TempDir& dir, const std::string& compose, ComposeOptions opts = {}) {
  opts.files = {dir.Write("docker-compose.yml", compose)};
  if (opts.project.empty()) opts.project = "proj";
  Loaded l;
  l.status = LoadComposeFacts(opts, &l.facts, &l.notes);
  return l;
}

Loaded LoadOk(const TempDir& dir, const std::string& compose, ComposeOptions opts = {}) {
  Loaded l = Load(dir, compose, std::move(opts));
  INFO(l.status.message());
  REQUIRE(l.status.ok());
  return l;
}

using Env = std::vector<std::pair<std::string, std::optional<std::string>>>;

}  // namespace

TEST_CASE("compose facts: the example's anchor-based compliant service", "[compose][facts]") {
  TempDir d;
  Loaded l = LoadOk(d,
                    "version: \"2.4\"\n"
                    "x-good: &good\n"
                    "  image: dwtest/busybox:1\n"
                    "  network_mode: none\n"
                    "  mem_limit: 64m\n"
                    "  memswap_limit: 64m\n"
                    "  cpus: 0.5\n"
                    "  pids_limit: 64\n"
                    "  restart: unless-stopped\n"
                    "  security_opt: [no-new-privileges:true]\n"
                    "  healthcheck:\n"
                    "    test: [CMD, \"true\"]\n"
                    "    interval: 2s\n"
                    "  logging:\n"
                    "    driver: json-file\n"
                    "    options: {max-size: 1m, max-file: \"2\"}\n"
                    "  command: sleep 100000\n"
                    "services:\n"
                    "  web:\n"
                    "    <<: *good\n"
                    "    labels: {dw.test/tier: good}\n");
  REQUIRE(l.facts.size() == 1);
  const ContainerFacts& c = l.facts[0];
  CHECK(c.project == "proj");
  CHECK(c.service == "web");
  CHECK(c.container == "proj_web_1");
  CHECK(c.image == "dwtest/busybox:1");
  CHECK(c.state.empty());
  CHECK(c.network_mode == "none");
  CHECK(c.memory == 64 * 1024 * 1024);
  CHECK(c.memory_swap == 64 * 1024 * 1024);
  CHECK(c.nano_cpus == 500000000);
  CHECK(c.pids_limit == 64);
  CHECK(c.restart_policy == "unless-stopped");
  CHECK(c.security_opt == std::vector<std::string>{"no-new-privileges:true"});
  CHECK(c.has_healthcheck);
  CHECK(c.healthcheck_known);
  CHECK(c.log_driver == "json-file");
  CHECK(c.log_opts == std::map<std::string, std::string>{{"max-file", "2"}, {"max-size", "1m"}});
  CHECK(c.cmd == std::vector<std::string>{"sleep", "100000"});
  CHECK(c.labels.at("dw.test/tier") == "good");
  CHECK(c.labels.at("com.docker.compose.project") == "proj");
  CHECK(c.labels.at("com.docker.compose.service") == "web");
  CHECK_FALSE(c.privileged);
  CHECK(c.env.empty());
  CHECK(l.notes.empty());
}

TEST_CASE("compose facts: a bare service has runtime defaults", "[compose][facts]") {
  TempDir d;
  Loaded l = LoadOk(d, "version: '2.4'\nservices:\n  bare:\n    image: busybox\n    command: [sleep, '1']\n");
  const ContainerFacts& c = l.Get("bare");
  CHECK(c.restart_policy == "no");
  CHECK(c.memory == 0);
  CHECK(c.nano_cpus == 0);
  CHECK(c.pids_limit == 0);
  CHECK(c.log_driver.empty());
  CHECK(c.log_opts.empty());
  CHECK_FALSE(c.has_healthcheck);
  CHECK(c.healthcheck_known);  // assumed absent from the image unless --image-healthcheck
  CHECK(c.cmd == std::vector<std::string>{"sleep", "1"});
}

TEST_CASE("compose facts: security keys", "[compose][facts]") {
  TempDir d;
  Loaded l = LoadOk(d,
                    "version: '2.4'\n"
                    "services:\n"
                    "  a:\n"
                    "    image: x\n"
                    "    privileged: true\n"
                    "    cap_add: [NET_ADMIN, CAP_SYS_TIME]\n"
                    "    network_mode: host\n"
                    "    pid: host\n"
                    "    ipc: host\n"
                    "    uts: host\n"
                    "    userns_mode: host\n"
                    "  b:\n"
                    "    image: x\n"
                    "    privileged: 'yes'\n"  // YAML 1.1 spelling, as PyYAML reads it
                    "    network_mode: 'container:a'\n");
  const ContainerFacts& a = l.Get("a");
  CHECK(a.privileged);
  CHECK(a.cap_add == std::vector<std::string>{"NET_ADMIN", "CAP_SYS_TIME"});
  CHECK(a.network_mode == "host");
  CHECK(a.pid_mode == "host");
  CHECK(a.ipc_mode == "host");
  CHECK(a.uts_mode == "host");
  CHECK(a.userns_mode == "host");
  const ContainerFacts& b = l.Get("b");
  CHECK(b.privileged);
  CHECK(b.network_mode == "container:a");
  CHECK(b.pid_mode.empty());
}

TEST_CASE("compose facts: healthcheck forms", "[compose][facts]") {
  TempDir d;
  ComposeOptions opts;
  opts.images_with_healthcheck = {"withhc"};
  Loaded l = LoadOk(d,
                    "version: '2.4'\n"
                    "services:\n"
                    "  list: {image: x, healthcheck: {test: [CMD-SHELL, 'curl -f localhost']}}\n"
                    "  str: {image: x, healthcheck: {test: 'curl -f localhost'}}\n"
                    "  none: {image: x, healthcheck: {test: [NONE]}}\n"
                    "  disabled: {image: x, healthcheck: {disable: true}}\n"
                    "  timing_only: {image: x, healthcheck: {interval: 5s}}\n"
                    "  image_hc: {image: 'withhc:latest'}\n"
                    "  image_hc_disabled: {image: withhc, healthcheck: {disable: true}}\n",
                    opts);
  CHECK(l.Get("list").has_healthcheck);
  CHECK(l.Get("str").has_healthcheck);
  CHECK_FALSE(l.Get("none").has_healthcheck);
  CHECK(l.Get("none").healthcheck_known);
  CHECK_FALSE(l.Get("disabled").has_healthcheck);
  CHECK(l.Get("disabled").healthcheck_known);
  CHECK_FALSE(l.Get("timing_only").has_healthcheck);
  CHECK(l.Get("timing_only").healthcheck_known);
  CHECK(l.Get("image_hc").has_healthcheck);
  CHECK(l.Get("image_hc").healthcheck_known);
  CHECK_FALSE(l.Get("image_hc_disabled").has_healthcheck);
}

TEST_CASE("compose facts: logging and the v1 log keys", "[compose][facts]") {
  TempDir d;
  Loaded l = LoadOk(d,
                    "version: '2.4'\n"
                    "services:\n"
                    "  a: {image: x, logging: {driver: local}}\n"
                    "  b: {image: x, logging: {options: {max-size: 10m, max-file: 3}}}\n"
                    "  c: {image: x, log_driver: syslog, log_opt: {tag: app}}\n");
  CHECK(l.Get("a").log_driver == "local");
  CHECK(l.Get("a").log_opts.empty());
  CHECK(l.Get("b").log_driver.empty());
  CHECK(l.Get("b").log_opts == std::map<std::string, std::string>{{"max-file", "3"}, {"max-size", "10m"}});
  CHECK(l.Get("c").log_driver == "syslog");
  CHECK(l.Get("c").log_opts.at("tag") == "app");
}

TEST_CASE("compose facts: volumes short and long forms", "[compose][facts]") {
  TempDir d;
  ComposeOptions opts;
  opts.env = {{"HOME", "/home/u"}};
  Loaded l = LoadOk(d,
                    "version: '2.4'\n"
                    "services:\n"
                    "  a:\n"
                    "    image: x\n"
                    "    volumes:\n"
                    "      - ${DW_DOCKER_SOCK:-/var/run/docker.sock}:/var/run/docker.sock:ro\n"
                    "      - ./conf:/etc/app\n"
                    "      - ~/data:/data\n"
                    "      - named:/srv\n"
                    "      - /anon\n"
                    "      - type: bind\n"
                    "        source: /run/docker.sock\n"
                    "        target: /sock\n"
                    "      - {type: tmpfs, target: /tmp}\n"
                    "      - {source: vol, target: /v}\n",
                    opts);
  const auto& m = l.Get("a").mounts;
  REQUIRE(m.size() == 8);
  CHECK(m[0].type == "bind");
  CHECK(m[0].source == "/var/run/docker.sock");
  CHECK(m[0].destination == "/var/run/docker.sock");
  CHECK(m[1].type == "bind");
  CHECK(m[1].source == (d.path / "conf").string());
  CHECK(m[1].destination == "/etc/app");
  CHECK(m[2].source == "/home/u/data");
  CHECK(m[3].type == "volume");
  CHECK(m[3].source == "named");
  CHECK(m[4].type == "volume");
  CHECK(m[4].source.empty());
  CHECK(m[4].destination == "/anon");
  CHECK(m[5].type == "bind");
  CHECK(m[5].source == "/run/docker.sock");
  CHECK(m[5].destination == "/sock");
  CHECK(m[6].type == "tmpfs");
  CHECK(m[6].destination == "/tmp");
  CHECK(m[7].type == "volume");
  CHECK(m[7].source == "vol");
  CHECK(l.notes.empty());  // DW_DOCKER_SOCK has a default: no note
}

TEST_CASE("compose facts: environment list, map, env_file and shell values", "[compose][facts]") {
  TempDir d;
  d.Write("app.env", "# vars\nFROM_FILE=1\nOVERRIDDEN=file\nSHELL_ONLY\n");
  ComposeOptions opts;
  opts.env = {{"SHELL_ONLY", "sh"}, {"FROM_SHELL", "s2"}};
  Loaded l = LoadOk(d,
                    "version: '2.4'\n"
                    "services:\n"
                    "  list:\n"
                    "    image: x\n"
                    "    env_file: app.env\n"
                    "    environment:\n"
                    "      - QUEUE=${DW_QUEUE:-jobs}\n"
                    "      - OVERRIDDEN=env\n"
                    "      - FROM_SHELL\n"
                    "      - NOT_IN_SHELL\n"
                    "      - EMPTY=\n"
                    "  map:\n"
                    "    image: x\n"
                    "    environment:\n"
                    "      ADMIN_PASSWORD: hunter2\n"
                    "      PORT: 8080\n"
                    "      RATIO: 0.5\n"
                    "      DEBUG: true\n"
                    "      FROM_SHELL:\n"
                    "      NOT_IN_SHELL: ~\n",
                    opts);
  Env want_list = {{"FROM_FILE", "1"},      {"OVERRIDDEN", "env"}, {"SHELL_ONLY", "sh"},
                   {"QUEUE", "jobs"},       {"FROM_SHELL", "s2"},  {"NOT_IN_SHELL", std::nullopt},
                   {"EMPTY", std::string()}};
  CHECK(l.Get("list").env == want_list);
  Env want_map = {{"ADMIN_PASSWORD", "hunter2"}, {"PORT", "8080"},        {"RATIO", "0.5"},
                  {"DEBUG", "true"},             {"FROM_SHELL", "s2"},    {"NOT_IN_SHELL", std::nullopt}};
  CHECK(l.Get("map").env == want_map);
}

TEST_CASE("compose facts: missing env_file is an error with its line", "[compose][facts]") {
  TempDir d;
  Loaded l = Load(d, "version: '2.4'\nservices:\n  a:\n    image: x\n    env_file: [nope.env]\n");
  REQUIRE_FALSE(l.status.ok());
  CHECK(l.status.message().find("docker-compose.yml:5: service \"a\": env_file: ") != std::string::npos);
  CHECK(l.status.message().find("nope.env") != std::string::npos);
}

TEST_CASE("compose facts: command, entrypoint and placeholders kept verbatim", "[compose][facts]") {
  TempDir d;
  Loaded l = LoadOk(d,
                    "version: '2.4'\n"
                    "services:\n"
                    "  a:\n"
                    "    image: x\n"
                    "    entrypoint: /bin/sh -c\n"
                    "    command: \"echo 'a b' \\\"c d\\\" {{TOKEN}} $$HOME\"\n"
                    "    environment:\n"
                    "      - SMTP_HOST={{SMTP_HOST}}\n"
                    "    labels:\n"
                    "      - traefik.rule=Host(`{{ .Name }}`)\n"
                    "      - bare\n");
  const ContainerFacts& c = l.Get("a");
  CHECK(c.entrypoint == std::vector<std::string>{"/bin/sh", "-c"});
  CHECK(c.cmd == std::vector<std::string>{"echo", "a b", "c d", "{{TOKEN}}", "$HOME"});
  CHECK(c.env == Env{{"SMTP_HOST", "{{SMTP_HOST}}"}});
  CHECK(c.labels.at("traefik.rule") == "Host(`{{ .Name }}`)");
  CHECK(c.labels.at("bare") == "");
}

TEST_CASE("compose facts: restart forms", "[compose][facts]") {
  TempDir d;
  Loaded l = LoadOk(d,
                    "version: '2.4'\n"
                    "services:\n"
                    "  a: {image: x, restart: always}\n"
                    "  b: {image: x, restart: 'on-failure:5'}\n"
                    "  c: {image: x, restart: 'no'}\n"
                    "  d: {image: x, deploy: {restart_policy: {condition: on-failure, max_attempts: 3}}}\n");
  CHECK(l.Get("a").restart_policy == "always");
  CHECK(l.Get("b").restart_policy == "on-failure");
  CHECK(l.Get("b").restart_max_retries == 5);
  CHECK(l.Get("c").restart_policy == "no");
  CHECK(l.Get("d").restart_policy == "on-failure");
  CHECK(l.Get("d").restart_max_retries == 3);

  Loaded bad = Load(d, "version: '2.4'\nservices:\n  a: {image: x, restart: sometimes}\n");
  REQUIRE_FALSE(bad.status.ok());
  CHECK(bad.status.message().find("docker-compose.yml:3: service \"a\": restart: invalid restart policy") !=
        std::string::npos);
}

TEST_CASE("compose facts: legacy limit keys and binary units", "[compose][facts]") {
  TempDir d;
  Loaded l = LoadOk(d,
                    "version: '2.4'\n"
                    "services:\n"
                    "  a: {image: x, mem_limit: 2g, memswap_limit: -1, mem_reservation: 512k, cpus: '1.5', pids_limit: 100}\n"
                    "  b: {image: x, mem_limit: 1073741824, cpu_quota: 50000, cpu_period: 100000}\n"
                    "  c: {image: x, cpu_quota: 25000}\n"
                    "  e: {image: x, mem_limit: 1.5G, memswap_limit: 3g}\n");
  const ContainerFacts& a = l.Get("a");
  CHECK(a.memory == 2LL * 1024 * 1024 * 1024);  // binary, not 2e9
  CHECK(a.memory_swap == -1);
  CHECK(a.memory_reservation == 512 * 1024);
  CHECK(a.nano_cpus == 1500000000);
  CHECK(a.pids_limit == 100);
  const ContainerFacts& b = l.Get("b");
  CHECK(b.memory == 1073741824);
  CHECK(b.cpu_quota == 50000);
  CHECK(b.cpu_period == 100000);
  CHECK(b.nano_cpus == 500000000);
  CHECK(l.Get("c").nano_cpus == 250000000);  // default period 100000
  CHECK(l.Get("e").memory == 1610612736);
  CHECK(l.Get("e").memory_swap == 3LL * 1024 * 1024 * 1024);

  Loaded bad = Load(d, "version: '2.4'\nservices:\n  a:\n    image: x\n    mem_limit: lots\n");
  REQUIRE_FALSE(bad.status.ok());
  CHECK(bad.status.message().find("docker-compose.yml:5: service \"a\": mem_limit: ") != std::string::npos);
}

TEST_CASE("compose facts: deploy.resources per compose flavor", "[compose][facts]") {
  TempDir d;
  std::string compose =
      "version: '3.8'\n"
      "services:\n"
      "  a:\n"
      "    image: x\n"
      "    deploy:\n"
      "      resources:\n"
      "        limits: {memory: 128M, cpus: '0.25', pids: 50}\n"
      "        reservations: {memory: 64M}\n"
      "  both:\n"
      "    image: x\n"
      "    mem_limit: 32m\n"
      "    deploy: {resources: {limits: {memory: 128M}}}\n";
  for (ComposeFlavor f : {ComposeFlavor::kV2, ComposeFlavor::kV1Compat}) {
    ComposeOptions opts;
    opts.flavor = f;
    Loaded l = LoadOk(d, compose, opts);
    const ContainerFacts& a = l.Get("a");
    CHECK(a.memory == 128 * 1024 * 1024);
    CHECK(a.nano_cpus == 250000000);
    CHECK(a.pids_limit == 50);
    CHECK(a.memory_reservation == 64 * 1024 * 1024);
    CHECK(l.Get("both").memory == 32 * 1024 * 1024);  // legacy wins
    REQUIRE(l.notes.size() == 1);
    CHECK(l.notes[0].service == "both");
    CHECK(l.notes[0].line == 12);
    CHECK(l.notes[0].message == "deploy.resources.limits.memory is overridden by mem_limit");
  }
  ComposeOptions v1;
  v1.flavor = ComposeFlavor::kV1;
  Loaded l = LoadOk(d, compose, v1);
  CHECK(l.Get("a").memory == 0);
  CHECK(l.Get("a").nano_cpus == 0);
  CHECK(l.Get("a").pids_limit == 0);
  CHECK(l.Get("a").memory_reservation == 0);
  CHECK(l.Get("both").memory == 32 * 1024 * 1024);
  REQUIRE(l.notes.size() == 5);
  CHECK(l.notes[0].service == "a");
  CHECK(l.notes[0].line == 7);
  CHECK(l.notes[0].message == "deploy.resources.limits.memory is ignored by docker-compose 1.x (use --compatibility)");
}

TEST_CASE("compose facts: project name, container_name and unset-variable notes", "[compose][facts]") {
  TempDir d;
  std::filesystem::create_directory(d.path / "My Stack.v2");
  std::string file = (d.path / "My Stack.v2" / "dc.yml").string();
  std::ofstream(file) << "version: '2.4'\nservices:\n  web:\n    image: \"nginx:${TAG}\"\n  db:\n"
                         "    image: pg\n    container_name: the-db\n";
  ComposeOptions opts;
  opts.files = {file};
  std::vector<ContainerFacts> facts;
  std::vector<ComposeNote> notes;
  REQUIRE(LoadComposeFacts(opts, &facts, &notes).ok());
  REQUIRE(facts.size() == 2);
  CHECK(facts[0].project == "mystackv2");
  CHECK(facts[0].container == "mystackv2_web_1");
  CHECK(facts[0].image == "nginx:");
  CHECK(facts[1].container == "the-db");
  REQUIRE(notes.size() == 1);
  CHECK(notes[0].file == file);
  CHECK(notes[0].line == 4);
  CHECK(notes[0].service == "web");

  // COMPOSE_PROJECT_NAME and TAG from the .env next to the first file.
  std::ofstream(d.path / "My Stack.v2" / ".env") << "COMPOSE_PROJECT_NAME=FromEnv\nTAG=1.25\n";
  facts.clear();
  notes.clear();
  REQUIRE(LoadComposeFacts(opts, &facts, &notes).ok());
  CHECK(facts[0].project == "fromenv");
  CHECK(facts[0].image == "nginx:1.25");
  CHECK(notes.empty());

  // The process environment beats .env; --env-file replaces .env.
  opts.env = {{"TAG", "shell"}};
  facts.clear();
  REQUIRE(LoadComposeFacts(opts, &facts, &notes).ok());
  CHECK(facts[0].image == "nginx:shell");
  opts.env.clear();
  opts.env_file = d.Write("other.env", "TAG=other\n");
  facts.clear();
  REQUIRE(LoadComposeFacts(opts, &facts, &notes).ok());
  CHECK(facts[0].image == "nginx:other");
  CHECK(facts[0].project == "mystackv2");
  opts.env_file = (d.path / "absent.env").string();
  CHECK_FALSE(LoadComposeFacts(opts, &facts, &notes).ok());
}
