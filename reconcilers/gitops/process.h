// RunProcess: runs one program from an argv array (never a shell), with a
// chosen environment (the parent's is NOT inherited, so no unrelated secret
// reaches the child), stdin from /dev/null, stdout and stderr captured up to
// a cap, and a deadline after which the whole process group is killed.
// Safe to call from several threads at once (fork + exec, nothing between
// them but async-signal-safe calls).
#pragma once

#include <atomic>
#include <chrono>
#include <string>
#include <vector>

#include "operator/common/status.h"

namespace dw::gitops {

struct ProcessOptions {
  std::vector<std::string> env;  // "KEY=value" entries: the child's entire environment
  std::string cwd;               // "" = inherit
  std::chrono::milliseconds timeout{60000};
  size_t output_cap = 1 << 20;   // per stream; the rest is read and dropped
  // When set (checked every 100 ms), the process group is killed and
  // RunProcess returns Unavailable: a server shutting down does not wait
  // for a slow fetch.
  const std::atomic<bool>* cancel = nullptr;
};

struct ProcessResult {
  int exit_code = -1;     // -1 when killed by a signal
  bool timed_out = false;
  std::string out, err;
};

// OK when the program ran (whatever its exit code); Timeout when it was
// killed at the deadline; Unavailable when cancelled; Internal when it could
// not be started.
Status RunProcess(const std::vector<std::string>& argv, const ProcessOptions& opts,
                  ProcessResult* out);

}  // namespace dw::gitops
