// RecreateBody: the create document keeps what was inspected and changes only
// the settings named by the findings.
#include <catch2/catch.hpp>

#include <algorithm>

#include "reconcilers/stacklimits/recreate.h"
#include "tests/unit/stacklimits/lab_fixture.h"

using namespace dw::stacklimits;
namespace json = dw::json;
using dw::stacklimits::testing::LabFinding;

namespace {

// Trimmed from a real `docker inspect` of a compose 1.29 container.
const char* kInspect = R"({
  "Id": "3f2a9c1b7d4e5f60718293a4b5c6d7e8f90123456789abcdef0123456789abcd",
  "Name": "/dwlab_netadmin_1",
  "State": {"Running": true, "Status": "running"},
  "Image": "sha256:1111",
  "Config": {
    "Hostname": "3f2a9c1b7d4e", "User": "", "Tty": false,
    "Env": ["PATH=/bin", "POST=1", "EXEC=0", "MODE=x"],
    "Cmd": ["sleep", "100000"], "Image": "dwtest/busybox:1",
    "Volumes": {"/anon": {}, "/named": {}},
    "Labels": {"com.docker.compose.project": "dwlab", "com.docker.compose.service": "netadmin",
               "dw.test/tier": "bad"}
  },
  "HostConfig": {
    "Binds": ["dwlab_data:/named:rw", "/srv/cfg:/cfg:ro"],
    "NetworkMode": "dwlab_default",
    "RestartPolicy": {"Name": "no", "MaximumRetryCount": 0},
    "CapAdd": ["NET_ADMIN", "CAP_SYS_TIME", "CHOWN"],
    "Privileged": true,
    "PidMode": "host", "IpcMode": "host", "UTSMode": "",
    "SecurityOpt": ["label=disable", "no-new-privileges:false"],
    "LogConfig": {"Type": "json-file", "Config": {"compress": "true"}},
    "Memory": 0, "MemorySwap": 0, "NanoCpus": 0, "CpuQuota": 0, "CpuPeriod": 0, "PidsLimit": null,
    "ShmSize": 67108864
  },
  "Mounts": [
    {"Type": "volume", "Name": "dwlab_data", "Source": "/var/lib/docker/volumes/dwlab_data/_data",
     "Destination": "/named", "RW": true},
    {"Type": "volume", "Name": "0a1b2c3d", "Source": "/var/lib/docker/volumes/0a1b2c3d/_data",
     "Destination": "/anon", "RW": false},
    {"Type": "bind", "Source": "/srv/cfg", "Destination": "/cfg", "RW": false}
  ],
  "NetworkSettings": {"Networks": {
    "dwlab_default": {"Aliases": ["netadmin", "3f2a9c1b7d4e"], "IPAMConfig": null},
    "dwlab_back": {"Aliases": ["na"], "IPAMConfig": {"IPv4Address": "172.30.0.9"}}
  }}
})";

Finding F(const std::string& rule, const std::string& subject = "") {
  return LabFinding("netadmin", rule, subject);
}

StackPolicy Policy() {
  StackPolicy p;
  p.params.log_drivers = {"json-file", "local", "journald"};
  p.params.restart_allowed = {"unless-stopped"};
  return p;
}

std::vector<std::string> Strings(const json::Value& arr) {
  std::vector<std::string> out;
  if (arr.IsArray())
    for (const auto& v : arr.GetArray()) out.push_back(v.GetString());
  return out;
}

struct Built {
  json::Document inspect, body;
  std::vector<std::string> changed;
  dw::Status st;
};

Built Build(const std::vector<Finding>& fixes, const StackPolicy& p = Policy()) {
  Built b;
  REQUIRE(json::Parse(kInspect, &b.inspect).ok());
  b.st = RecreateBody(b.inspect, p, fixes, &b.body, &b.changed);
  return b;
}

}  // namespace

TEST_CASE("RecreateBody with no fixes keeps config, volumes and networks", "[recreate]") {
  Built b = Build({});
  REQUIRE(b.st.ok());
  CHECK(b.changed.empty());
  const json::Value& body = b.body;
  CHECK(json::GetString(body, "Image") == "dwtest/busybox:1");
  CHECK(Strings(*json::Find(body, "Cmd")) == std::vector<std::string>{"sleep", "100000"});
  CHECK(Strings(*json::Find(body, "Env")) ==
        std::vector<std::string>{"PATH=/bin", "POST=1", "EXEC=0", "MODE=x"});
  CHECK(json::GetString(*json::Find(body, "Labels"), "dw.test/tier") == "bad");
  CHECK(json::Find(body, "Hostname") == nullptr);  // the default one follows the new id
  const json::Value& host = *json::Find(body, "HostConfig");
  CHECK(json::GetBool(host, "Privileged"));
  CHECK(json::GetInt(host, "ShmSize") == 67108864);
  // The anonymous volume is re-attached by name (read-only as it was).
  CHECK(Strings(*json::Find(host, "Binds")) ==
        std::vector<std::string>{"dwlab_data:/named:rw", "/srv/cfg:/cfg:ro", "0a1b2c3d:/anon:ro"});
  const json::Value* eps = json::FindPath(body, "NetworkingConfig.EndpointsConfig");
  REQUIRE(eps);
  CHECK(eps->MemberCount() == 2);
  CHECK(Strings(*json::FindPath(*eps, "dwlab_default.Aliases")) ==
        std::vector<std::string>{"netadmin"});  // the old short id is dropped
  CHECK(Strings(*json::FindPath(*eps, "dwlab_back.Aliases")) == std::vector<std::string>{"na"});
  CHECK(json::GetStringPath(*eps, "dwlab_back.IPAMConfig.IPv4Address") == "172.30.0.9");
  CHECK(json::FindPath(*eps, "dwlab_default.IPAMConfig") == nullptr);
}

TEST_CASE("RecreateBody corrects hardening findings", "[recreate]") {
  Built b = Build({F("privileged"), F("capabilities", "NET_ADMIN"), F("capabilities", "SYS_TIME"),
                   F("hostNamespaces", "pid"), F("hostNamespaces", "ipc"), F("noNewPrivileges"),
                   F("logRotation")});
  REQUIRE(b.st.ok());
  const json::Value& host = *json::Find(b.body, "HostConfig");
  CHECK_FALSE(json::GetBool(host, "Privileged", true));
  CHECK(Strings(*json::Find(host, "CapAdd")) == std::vector<std::string>{"CHOWN"});
  CHECK(json::GetString(host, "PidMode", "x") == "");
  CHECK(json::GetString(host, "IpcMode", "x") == "");
  CHECK(json::GetString(host, "NetworkMode") == "dwlab_default");  // untouched
  CHECK(Strings(*json::Find(host, "SecurityOpt")) ==
        std::vector<std::string>{"label=disable", "no-new-privileges:true"});
  CHECK(json::GetStringPath(host, "LogConfig.Type") == "json-file");
  const json::Value& log_cfg = *json::FindPath(host, "LogConfig.Config");
  CHECK(json::GetString(log_cfg, "max-size") == "10m");
  CHECK(json::GetString(log_cfg, "max-file") == "3");
  CHECK(json::GetString(log_cfg, "compress") == "true");  // other json-file options kept
  CHECK(b.changed == std::vector<std::string>{"privileged", "capabilities/NET_ADMIN",
                                              "capabilities/SYS_TIME", "hostNamespaces/pid",
                                              "hostNamespaces/ipc", "noNewPrivileges",
                                              "logRotation"});
}

TEST_CASE("RecreateBody log rotation follows the rule's parameters", "[recreate]") {
  StackPolicy p = Policy();
  p.params.log_max_size = 5 * (1 << 20);
  p.params.log_max_file = 2;
  Built b = Build({F("logRotation")}, p);
  CHECK(json::GetStringPath(b.body, "HostConfig.LogConfig.Config.max-size") == "5m");
  CHECK(json::GetStringPath(b.body, "HostConfig.LogConfig.Config.max-file") == "2");

  p.params.log_max_size = 1536;  // 1.5k: no whole unit
  b = Build({F("logRotation")}, p);
  CHECK(json::GetStringPath(b.body, "HostConfig.LogConfig.Config.max-size") == "1536");

  SECTION("json-file not allowed: the first allowed driver, without options") {
    p.params.log_drivers = {"local"};
    b = Build({F("logRotation")}, p);
    CHECK(json::GetStringPath(b.body, "HostConfig.LogConfig.Type") == "local");
    const json::Value* cfg = json::FindPath(b.body, "HostConfig.LogConfig.Config");
    REQUIRE(cfg);
    CHECK(cfg->MemberCount() == 0);
  }
}

TEST_CASE("RecreateBody host network becomes Docker's default network", "[recreate]") {
  json::Document inspect;
  REQUIRE(json::Parse(kInspect, &inspect).ok());
  auto& a = inspect.GetAllocator();
  json::Value& host = *json::Find(inspect, "HostConfig");
  json::SetString(host, "NetworkMode", "host", a);
  json::Document body;
  std::vector<std::string> changed;
  REQUIRE(RecreateBody(inspect, Policy(), {F("hostNamespaces", "network")}, &body, &changed).ok());
  CHECK(json::GetStringPath(body, "HostConfig.NetworkMode") == "default");
  CHECK(json::Find(body, "NetworkingConfig") == nullptr);  // no "host" endpoint carried over
  CHECK(changed == std::vector<std::string>{"hostNamespaces/network"});
}

TEST_CASE("RecreateBody turns proxy permissions off and leaves what it cannot fix", "[recreate]") {
  Built b = Build({F("socketProxyPermissions", "POST"), F("plaintextSecrets", "DB_PASSWORD"),
                   F("templatePlaceholders", "SMTP_HOST"), F("dockerSocket"), F("healthcheck")});
  REQUIRE(b.st.ok());
  CHECK(Strings(*json::Find(b.body, "Env")) ==
        std::vector<std::string>{"PATH=/bin", "POST=0", "EXEC=0", "MODE=x"});
  CHECK(b.changed == std::vector<std::string>{"socketProxyPermissions/POST"});
}

TEST_CASE("RecreateBody applies limits and restart policy when asked", "[recreate]") {
  StackPolicy p = Policy();
  p.has_limits = true;
  p.defaults.memory = 64 << 20;
  p.defaults.memory_swap = 64 << 20;
  p.defaults.nano_cpus = 500000000;
  p.defaults.pids = 64;
  Built b = Build({F("limits", "memory"), F("limits", "cpus"), F("limits", "pids"),
                   F("restartPolicy")}, p);
  const json::Value& host = *json::Find(b.body, "HostConfig");
  CHECK(json::GetInt(host, "Memory") == 67108864);
  CHECK(json::GetInt(host, "MemorySwap") == 67108864);
  CHECK(json::GetInt(host, "NanoCpus") == 500000000);
  CHECK(json::GetInt(host, "PidsLimit") == 64);
  CHECK(json::GetStringPath(host, "RestartPolicy.Name") == "unless-stopped");
}

TEST_CASE("RecreateBody skips exempted findings and rejects a bad document", "[recreate]") {
  Finding f = F("privileged");
  f.exempted = true;
  Built b = Build({f});
  CHECK(json::GetBool(*json::Find(b.body, "HostConfig"), "Privileged"));
  CHECK(b.changed.empty());

  json::Document bad, body;
  REQUIRE(json::Parse(R"({"Id": "x", "Config": {}})", &bad).ok());
  std::vector<std::string> changed;
  CHECK_FALSE(RecreateBody(bad, Policy(), {}, &body, &changed).ok());
}
