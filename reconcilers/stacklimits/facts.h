// ContainerFacts: the one model the rule engine sees. Both front ends produce
// it: `docker inspect` at runtime (inspect_facts.h) and a compose service in
// `dockward lint` (compose_facts.h). Because rules only read this struct, lint
// and the runtime audit can disagree only in how facts are extracted, and that
// extraction has its own tests.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace dw::stacklimits {

struct MountFact {
  std::string type;  // "bind", "volume", "tmpfs"
  std::string source, destination;
};

struct ContainerFacts {
  std::string project, service;  // compose labels / compose file
  std::string container;         // container name without '/'; lint: "<project>_<service>_1"
  std::string id;                // runtime only
  std::string image;
  std::string state;   // running, created, exited, restarting, paused... ("" in lint)
  std::string health;  // healthy, unhealthy, starting, none
  bool one_off = false;  // `docker-compose run` containers are not counted as expected
  std::map<std::string, std::string> labels;

  bool privileged = false;
  std::vector<std::string> cap_add;  // as written ("NET_ADMIN", "CAP_SYS_ADMIN", "all")
  std::string network_mode, pid_mode, ipc_mode, uts_mode, userns_mode;
  std::vector<std::string> security_opt;
  // false: no healthcheck, or test ["NONE"]. Lint cannot see the image's
  // HEALTHCHECK: it is unknown there unless the compose file says.
  bool has_healthcheck = false;
  bool healthcheck_known = true;
  std::string log_driver;  // "" = daemon default
  std::map<std::string, std::string> log_opts;
  std::vector<MountFact> mounts;
  // Environment in order; the value is absent for a lint `KEY` entry whose
  // value comes from the shell. Values stay in memory: never copied into a
  // Finding, status, event or log.
  std::vector<std::pair<std::string, std::optional<std::string>>> env;
  std::vector<std::string> cmd, entrypoint;
  std::string restart_policy;  // "", "no", "always", "unless-stopped", "on-failure"
  int restart_max_retries = 0;

  // Limits as Docker stores them; 0 = not set (unlimited).
  int64_t memory = 0;
  int64_t memory_swap = 0;  // -1 = unlimited swap, 0 = default (twice memory)
  int64_t memory_reservation = 0;
  int64_t nano_cpus = 0;  // effective: NanoCpus, or CpuQuota*1e9/CpuPeriod
  int64_t cpu_quota = 0, cpu_period = 0;  // raw, so Enforce keeps the mechanism in use
  int64_t pids_limit = 0;  // 0 or -1 = unlimited
};

}  // namespace dw::stacklimits
