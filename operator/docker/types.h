// Plain data the Docker client returns and accepts: only the fields dockward
// reads or sets. Full documents stay available as JSON where callers need more
// (InspectContainer returns the whole document).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dw::docker {

struct VersionInfo {
  std::string version;       // engine version, "20.10.24"
  std::string api_version;   // daemon's newest API, "1.41"
  std::string min_api_version;
  std::string os, arch, kernel_version;
};

struct SystemInfo {
  std::string id, name, server_version, operating_system;
  std::string system_time;  // RFC 3339 with nanoseconds, the daemon's clock
  int64_t containers = 0, containers_running = 0, images = 0;
  int64_t ncpu = 0, mem_total = 0;
};

struct ContainerSummary {
  std::string id;
  std::vector<std::string> names;  // without the leading '/'
  std::string image, state, status;
  std::map<std::string, std::string> labels;
  int64_t created = 0;
};

struct RestartPolicy {
  std::string name;  // "", "no", "always", "unless-stopped", "on-failure"
  int maximum_retry_count = 0;
};

// Resource update of a running container; unset fields are left unchanged.
struct ContainerUpdate {
  std::optional<int64_t> memory;              // bytes
  std::optional<int64_t> memory_swap;         // bytes, -1 unlimited
  std::optional<int64_t> memory_reservation;  // bytes
  std::optional<int64_t> nano_cpus;           // 1e9 = one CPU
  std::optional<int64_t> cpu_quota;           // microseconds per cpu_period
  std::optional<int64_t> cpu_period;
  std::optional<int64_t> pids_limit;          // -1 unlimited
  std::optional<RestartPolicy> restart_policy;
};

struct ContainerSpec {
  std::string name;  // optional
  std::string image;
  std::vector<std::string> cmd, entrypoint, env;
  std::map<std::string, std::string> labels;
  std::string user, working_dir;
  std::string network_mode;          // "none", "bridge", a network name
  std::vector<std::string> binds;    // "host:container[:ro]"
  std::optional<int64_t> memory;
  std::optional<RestartPolicy> restart_policy;
};

struct ExecSpec {
  std::vector<std::string> argv;  // run directly, never through a shell
  std::vector<std::string> env;   // "K=V"
  std::string user, working_dir;
  bool attach_stdin = false;      // set by Exec() when ExecIO has stdin
};

// Streams of one exec. Sinks receive output as it arrives; returning false
// stops reading (the exec keeps running in the container).
struct ExecIO {
  // Fills the buffer with the next stdin bytes and returns their count; 0
  // means end of input (the write side is then half-closed). Null: no stdin.
  // Called on the I/O thread: while it blocks, output is not read (a slow
  // source is fine; one that waits for this exec's own output would deadlock).
  // Not available over TLS (see http::Client::Hijack).
  std::function<size_t(char*, size_t)> stdin_source;
  std::function<bool(std::string_view)> on_stdout;
  std::function<bool(std::string_view)> on_stderr;
  // Longest silence from the container before the exec is given up (Timeout).
  std::chrono::milliseconds idle_timeout{std::chrono::minutes(30)};
};

struct ExecResult {
  std::string exec_id;
  int exit_code = -1;
  uint64_t stdout_bytes = 0, stderr_bytes = 0, stdin_bytes = 0;
};

struct ContainerStats {
  int64_t memory_usage = 0;  // bytes, page cache excluded as `docker stats` does
  int64_t memory_limit = 0;
  int64_t pids = 0;
  uint64_t cpu_total_ns = 0;   // container CPU time
  uint64_t system_cpu_ns = 0;  // host CPU time, same sample
  int64_t online_cpus = 0;
  double cpu_percent = 0;      // over the daemon's sampling interval, 100 = one CPU
  std::string read;            // timestamp of the sample
};

struct Event {
  std::string type;    // "container", "network", ...
  std::string action;  // "start", "die", "exec_start: cat /etc/hostname", ...
  std::string id;      // Actor.ID
  std::map<std::string, std::string> attributes;  // Actor.Attributes (name, labels, exitCode)
  int64_t time_nano = 0;
};

}  // namespace dw::docker
