#include "reconcilers/backup/runner_exec.h"

#include <algorithm>

namespace dw::backup {
namespace {

using Steady = std::chrono::steady_clock;

void AppendEscaped(std::string_view in, bool keep_newlines, std::string* out) {
  static const char* kHex = "0123456789abcdef";
  for (unsigned char c : in) {
    if ((c >= 0x20 && c != 0x7f) || c == '\t' || (keep_newlines && c == '\n')) {
      out->push_back(static_cast<char>(c));
    } else {
      out->append("\\x");
      out->push_back(kHex[c >> 4]);
      out->push_back(kHex[c & 15]);
    }
  }
}

}  // namespace

RunGuard::RunGuard(const RunControl& control, std::chrono::seconds timeout)
    : cancel_(control.cancel), timeout_(timeout), deadline_(Steady::now() + timeout) {}

bool RunGuard::Stopped() const {
  return (cancel_ && cancel_->load(std::memory_order_relaxed)) || Steady::now() >= deadline_;
}

Status RunGuard::Reason(std::string_view what) const {
  if (cancel_ && cancel_->load(std::memory_order_relaxed))
    return Status::Timeout(std::string(what) + " cancelled");
  return Status::Timeout(std::string(what) + " timed out after " +
                         std::to_string(timeout_.count()) + "s");
}

ProgressTicker::ProgressTicker(const RunControl& control)
    : control_(control), last_(Steady::now()) {}

void ProgressTicker::Add(size_t bytes) {
  bytes_ += bytes;
  if (!control_.on_progress) return;
  auto now = Steady::now();
  auto elapsed = now - last_;
  if (elapsed < control_.progress_interval) return;
  double seconds = std::chrono::duration<double>(elapsed).count();
  control_.on_progress(RunProgress{bytes_, static_cast<double>(bytes_ - last_bytes_) / seconds});
  last_ = now;
  last_bytes_ = bytes_;
}

void OutputTail::Append(std::string_view data) {
  if (data.size() >= cap_) {
    buf_.assign(data.substr(data.size() - cap_));
    return;
  }
  size_t keep = std::min(buf_.size(), cap_ - data.size());
  buf_.erase(0, buf_.size() - keep);
  buf_.append(data);
}

std::string OutputTail::Text() const {
  std::string out;
  AppendEscaped(buf_, true, &out);
  return out;
}

std::string OutputTail::LastLine() const {
  size_t end = buf_.find_last_not_of("\r\n \t");
  if (end == std::string::npos) return "";
  size_t start = buf_.find_last_of('\n', end);
  start = start == std::string::npos ? 0 : start + 1;
  std::string out;
  AppendEscaped(std::string_view(buf_).substr(start, end + 1 - start), false, &out);
  return out;
}

Status RunExec(docker::DockerClient& docker, const std::string& container, const ExecSpec& spec,
               const RunGuard& guard, const ExecStreams& streams, ExecOutcome* out) {
  if (spec.argv.empty()) return Status::Internal("engine produced an empty command");
  docker::ExecSpec ds;
  ds.argv = spec.argv;
  ds.env = spec.env;
  ds.user = spec.user;
  ds.attach_stdin = static_cast<bool>(streams.stdin_source);
  Status sink_error;
  bool stopped = false;
  auto keep_going = [&] {
    if (!sink_error.ok() || (streams.stdin_error && !streams.stdin_error->ok())) return false;
    if (guard.Stopped()) stopped = true;
    return !stopped;
  };
  docker::ExecIO io;
  io.stdin_source = streams.stdin_source;
  io.idle_timeout = guard.timeout();
  io.on_stdout = [&](std::string_view d) {
    if (streams.on_stdout) {
      sink_error = streams.on_stdout(d);
    } else {
      out->stdout_tail.Append(d);
    }
    return keep_going();
  };
  io.on_stderr = [&](std::string_view d) {
    out->stderr_tail.Append(d);
    return keep_going();
  };
  std::string exec_id;
  DW_RETURN_IF_ERROR(docker.CreateExec(container, ds, &exec_id));
  docker::ExecResult result;
  DW_RETURN_IF_ERROR(docker.StartExec(exec_id, io, &result));
  DW_RETURN_IF_ERROR(sink_error);
  if (streams.stdin_error) DW_RETURN_IF_ERROR(*streams.stdin_error);
  if (stopped || guard.Stopped()) return guard.Reason(spec.argv[0]);
  return docker.InspectExecExitCode(exec_id, &out->exit_code);
}

Status CheckExit(const ExecSpec& spec, const ExecOutcome& outcome) {
  if (outcome.exit_code == 0) return Status::OK();
  std::string line = outcome.stderr_tail.LastLine();
  if (line.empty()) line = outcome.stdout_tail.LastLine();
  if (line.empty()) line = "(no output)";
  return Status::Internal(spec.argv[0] + " exited with " + std::to_string(outcome.exit_code) +
                          ": " + line);
}

}  // namespace dw::backup
