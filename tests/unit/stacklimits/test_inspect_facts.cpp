// FactsFromInspect against inspect documents captured from a real dockerd
// 20.10.24 (testdata/inspect_*.json):
//   inspect_priv: docker create --privileged --cap-add NET_ADMIN --cap-add
//     CAP_SYS_TIME --network none --pid host --ipc host --security-opt
//     no-new-privileges:false --log-opt max-size=10m --log-opt max-file=3
//     -v /var/run/docker.sock:/var/run/docker.sock:ro -v data1:/data
//     -e ADMIN_PASSWORD=... -e SMTP_HOST='{{SMTP_HOST}}' -e EMPTY= (compose
//     labels) --restart on-failure:7 --memory 64m --memory-reservation 32m
//     --cpu-quota 50000 --pids-limit 64 --health-cmd true   (created)
//   inspect_bare: --cpus 1.5 --memory 128m --memory-swap -1 (created)
//   inspect_run: docker run with a healthcheck, unless-stopped,
//     no-new-privileges, and no Env at all (null)   (running, healthy)
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "reconcilers/stacklimits/inspect_facts.h"

using namespace dw;
using namespace dw::stacklimits;

namespace {

std::string Testdata(const std::string& name) {
  std::string dir = __FILE__;
  dir = dir.substr(0, dir.rfind('/'));
  std::ifstream in(dir + "/testdata/" + name);
  REQUIRE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

ContainerFacts FromFile(const std::string& name) {
  json::Document d;
  REQUIRE(json::Parse(Testdata(name), &d).ok());
  ContainerFacts f;
  Status st = FactsFromInspect(d, &f);
  INFO(st.ToString());
  REQUIRE(st.ok());
  return f;
}

ContainerFacts FromJson(const std::string& text) {
  json::Document d;
  REQUIRE(json::Parse(text, &d).ok());
  ContainerFacts f;
  REQUIRE(FactsFromInspect(d, &f).ok());
  return f;
}

}  // namespace

TEST_CASE("FactsFromInspect: privileged created container", "[inspect_facts]") {
  ContainerFacts f = FromFile("inspect_priv.json");
  CHECK(f.container == "sl-priv");
  CHECK(f.id == "168e8783271169fbea8570513e587f0c74c479a7d77eb1e973af5f3f6c6788f4");
  CHECK(f.image == "dwtest/bb:1");
  CHECK(f.state == "created");
  CHECK(f.health == "none");  // a healthcheck, but never started
  CHECK(f.project == "dwlab");
  CHECK(f.service == "vmprov");
  CHECK_FALSE(f.one_off);
  CHECK(f.labels.at("tmpl") == "{{ LABEL_VAR }}");
  CHECK(f.privileged);
  CHECK(f.cap_add == std::vector<std::string>{"CAP_NET_ADMIN", "CAP_SYS_TIME"});  // docker adds CAP_
  CHECK(f.network_mode == "none");
  CHECK(f.pid_mode == "host");
  CHECK(f.ipc_mode == "host");
  CHECK(f.uts_mode == "");
  CHECK(f.userns_mode == "");
  CHECK(f.security_opt == std::vector<std::string>{"no-new-privileges:false", "label=disable"});
  CHECK(f.has_healthcheck);
  CHECK(f.healthcheck_known);
  CHECK(f.log_driver == "json-file");
  CHECK(f.log_opts == std::map<std::string, std::string>{{"max-file", "3"}, {"max-size", "10m"}});
  REQUIRE(f.mounts.size() == 2);
  CHECK(f.mounts[0].type == "bind");
  CHECK(f.mounts[0].source == "/var/run/docker.sock");
  CHECK(f.mounts[0].destination == "/var/run/docker.sock");
  CHECK(f.mounts[1].type == "volume");
  CHECK(f.mounts[1].destination == "/data");
  REQUIRE(f.env.size() == 3);
  CHECK(f.env[0].first == "SMTP_HOST");
  CHECK(*f.env[0].second == "{{SMTP_HOST}}");
  CHECK(f.env[1].first == "EMPTY");
  REQUIRE(f.env[1].second.has_value());
  CHECK(f.env[1].second->empty());
  CHECK(f.env[2].first == "ADMIN_PASSWORD");
  CHECK(*f.env[2].second == "s3cr3t-XYZZY");
  CHECK(f.cmd == std::vector<std::string>{"sleep", "1000"});
  CHECK(f.entrypoint.empty());
  CHECK(f.restart_policy == "on-failure");
  CHECK(f.restart_max_retries == 7);
  CHECK(f.memory == 67108864);
  CHECK(f.memory_swap == 134217728);  // the daemon doubled it
  CHECK(f.memory_reservation == 33554432);
  CHECK(f.cpu_quota == 50000);
  CHECK(f.cpu_period == 0);
  CHECK(f.nano_cpus == 500000000);  // 50000 / the default period 100000
  CHECK(f.pids_limit == 64);
}

TEST_CASE("FactsFromInspect: bare container with nulls", "[inspect_facts]") {
  ContainerFacts f = FromFile("inspect_bare.json");
  CHECK(f.container == "sl-bare");
  CHECK(f.project == "");
  CHECK(f.service == "");
  CHECK_FALSE(f.privileged);
  CHECK(f.cap_add.empty());       // null in the document
  CHECK(f.security_opt.empty());  // null
  CHECK_FALSE(f.has_healthcheck);
  CHECK(f.ipc_mode == "private");
  CHECK(f.log_driver == "json-file");
  CHECK(f.log_opts.empty());
  CHECK(f.mounts.empty());
  CHECK(f.restart_policy == "no");
  CHECK(f.memory == 134217728);
  CHECK(f.memory_swap == -1);
  CHECK(f.nano_cpus == 1500000000);
  CHECK(f.cpu_quota == 0);
  CHECK(f.pids_limit == 0);  // null = unlimited
  REQUIRE(f.env.size() == 1);
  CHECK(f.env[0].first == "QUEUE");
}

TEST_CASE("FactsFromInspect: running healthy container", "[inspect_facts]") {
  ContainerFacts f = FromFile("inspect_run.json");
  CHECK(f.state == "running");
  CHECK(f.health == "healthy");
  CHECK(f.has_healthcheck);
  CHECK(f.restart_policy == "unless-stopped");
  CHECK(f.security_opt == std::vector<std::string>{"no-new-privileges"});
  CHECK(f.env.empty());  // Env is null: the imported image sets no PATH
  CHECK(f.memory == 0);
  CHECK(f.nano_cpus == 0);
}

TEST_CASE("FactsFromInspect: CPU quota with an explicit period, one-off, NONE healthcheck", "[inspect_facts]") {
  ContainerFacts f = FromJson(R"({
    "Id": "abc", "Name": "/dwlab_web_run_1",
    "State": {"Status": "exited", "Health": {"Status": "unhealthy"}},
    "Config": {"Image": "nginx", "Env": ["A=b=c", "NOVALUE"],
               "Healthcheck": {"Test": ["NONE"]},
               "Entrypoint": ["/docker-entrypoint.sh"], "Cmd": null,
               "Labels": {"com.docker.compose.project": "dwlab", "com.docker.compose.service": "web",
                          "com.docker.compose.oneoff": "True"}},
    "HostConfig": {"CpuQuota": 150000, "CpuPeriod": 50000, "NanoCpus": 0, "PidsLimit": -1,
                   "NetworkMode": "container:abc", "LogConfig": {"Type": "local", "Config": null},
                   "RestartPolicy": {"Name": "", "MaximumRetryCount": 0}},
    "Mounts": null})");
  CHECK(f.container == "dwlab_web_run_1");
  CHECK(f.one_off);
  CHECK(f.health == "unhealthy");
  CHECK_FALSE(f.has_healthcheck);  // Test ["NONE"] disables the image's one
  CHECK(f.nano_cpus == 3000000000);
  CHECK(f.cpu_period == 50000);
  CHECK(f.pids_limit == -1);
  CHECK(f.network_mode == "container:abc");
  CHECK(f.log_driver == "local");
  CHECK(f.log_opts.empty());
  CHECK(f.restart_policy == "");
  CHECK(f.entrypoint == std::vector<std::string>{"/docker-entrypoint.sh"});
  CHECK(f.cmd.empty());
  REQUIRE(f.env.size() == 2);
  CHECK(*f.env[0].second == "b=c");  // split at the first '='
  CHECK_FALSE(f.env[1].second.has_value());
}

TEST_CASE("FactsFromInspect: NanoCpus wins over the quota", "[inspect_facts]") {
  ContainerFacts f = FromJson(R"({"Name": "/x", "Config": {},
    "HostConfig": {"NanoCpus": 250000000, "CpuQuota": 0}})");
  CHECK(f.nano_cpus == 250000000);
  CHECK(f.health == "none");  // no State at all
  CHECK(f.state == "");
}

TEST_CASE("FactsFromInspect: rejects documents that are not container inspects", "[inspect_facts]") {
  for (const char* bad : {R"([])", R"({"Id": "x"})", R"({"Config": {}, "HostConfig": null})",
                          R"({"Config": [], "HostConfig": {}})"}) {
    INFO(bad);
    json::Document d;
    REQUIRE(json::Parse(bad, &d).ok());
    ContainerFacts f;
    f.container = "keep";
    Status st = FactsFromInspect(d, &f);
    CHECK_FALSE(st.ok());
    CHECK(f.container == "keep");
  }
}
