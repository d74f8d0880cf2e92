// The exec plumbing RunBackup, RunRestore and RunRestoreTest share: run one
// engine command inside a container with a cancel flag and a deadline
// checked on every chunk of traffic, keep a bounded, escaped tail of its
// output for messages, and turn a non-zero exit into one clear error.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "operator/common/status.h"
#include "operator/docker/client.h"
#include "reconcilers/backup/backup_runner.h"
#include "reconcilers/backup/engine.h"

namespace dw::backup {

// Cancel flag + deadline of one run. Cheap enough to ask on every chunk.
class RunGuard {
 public:
  RunGuard(const RunControl& control, std::chrono::seconds timeout);
  // True once cancelled or past the deadline.
  bool Stopped() const;
  // Why Stopped() is true: Timeout "cancelled" or "timed out after Ns".
  Status Reason(std::string_view what) const;
  std::chrono::seconds timeout() const { return timeout_; }

 private:
  const std::atomic<bool>* cancel_;
  std::chrono::seconds timeout_;
  std::chrono::steady_clock::time_point deadline_;
};

// Emits RunProgress through control.on_progress at most once per interval,
// with the rate measured over that interval.
class ProgressTicker {
 public:
  explicit ProgressTicker(const RunControl& control);
  void Add(size_t bytes);
  uint64_t bytes() const { return bytes_; }

 private:
  const RunControl& control_;
  uint64_t bytes_ = 0, last_bytes_ = 0;
  std::chrono::steady_clock::time_point last_;
};

// Keeps the last `cap` bytes of a stream. Text() escapes every control
// byte except newline and tab as \xNN (a hostile tool cannot forge log
// lines or terminal sequences); LastLine() is the last non-empty line.
class OutputTail {
 public:
  explicit OutputTail(size_t cap = 4096) : cap_(cap) {}
  void Append(std::string_view data);
  std::string Text() const;
  std::string LastLine() const;

 private:
  size_t cap_;
  std::string buf_;
};

struct ExecStreams {
  // Plaintext output; an error stops the exec and is returned. Null: the
  // output is only kept in ExecOutcome::stdout_tail.
  std::function<Status(std::string_view)> on_stdout;
  // Input for the command's stdin (docker::ExecIO::stdin_source). The
  // source reports its own failure through `stdin_error`.
  std::function<size_t(char*, size_t)> stdin_source;
  const Status* stdin_error = nullptr;
};

struct ExecOutcome {
  int exit_code = -1;
  OutputTail stdout_tail{64 * 1024};
  OutputTail stderr_tail{4096};
};

// Runs `spec` in `container` to its end. Returns the Docker transport
// error, the on_stdout or stdin error, or the guard's reason when stopped;
// OK means the command ran and `out->exit_code` is its exit status. An
// exec abandoned early is not waited for (its exit code stays -1).
Status RunExec(docker::DockerClient& docker, const std::string& container, const ExecSpec& spec,
               const RunGuard& guard, const ExecStreams& streams, ExecOutcome* out);

// Internal "<tool> exited with <code>: <last stderr line>" unless exit 0.
Status CheckExit(const ExecSpec& spec, const ExecOutcome& outcome);

}  // namespace dw::backup
