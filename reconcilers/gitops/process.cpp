#include "reconcilers/gitops/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace dw::gitops {

namespace {

void CloseFd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

// Reads what is available; appends up to the cap. False at EOF or error.
bool Drain(int fd, std::string* into, size_t cap) {
  char buf[16384];
  ssize_t n = ::read(fd, buf, sizeof(buf));
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return true;
  if (n <= 0) return false;
  size_t room = into->size() < cap ? cap - into->size() : 0;
  into->append(buf, std::min<size_t>(room, static_cast<size_t>(n)));
  return true;
}

}  // namespace

Status RunProcess(const std::vector<std::string>& argv, const ProcessOptions& opts,
                  ProcessResult* out) {
  *out = ProcessResult{};
  if (argv.empty()) return Status::Internal("RunProcess: empty argv");
  // Everything the child needs is built before fork: after it, only
  // async-signal-safe calls are allowed in a threaded process.
  std::vector<char*> cargv, cenv;
  for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  for (const auto& e : opts.env) cenv.push_back(const_cast<char*>(e.c_str()));
  cenv.push_back(nullptr);

  int out_pipe[2] = {-1, -1}, err_pipe[2] = {-1, -1};
  if (::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0) {
    int e = errno;
    CloseFd(out_pipe[0]), CloseFd(out_pipe[1]), CloseFd(err_pipe[0]), CloseFd(err_pipe[1]);
    return Status::Internal(std::string("pipe: ") + std::strerror(e));
  }
  // execvpe looks the program up on this process's PATH, not the child's.
  pid_t pid = ::fork();
  if (pid < 0) {
    int e = errno;
    CloseFd(out_pipe[0]), CloseFd(out_pipe[1]), CloseFd(err_pipe[0]), CloseFd(err_pipe[1]);
    return Status::Internal(std::string("fork: ") + std::strerror(e));
  }
  if (pid == 0) {
    ::setpgid(0, 0);  // a group of its own: the deadline kills helpers too
    int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, 0);
    ::dup2(out_pipe[1], 1);
    ::dup2(err_pipe[1], 2);
    ::syscall(SYS_close_range, 3U, ~0U, 0U);  // no server socket or file leaks into git
    if (!opts.cwd.empty() && ::chdir(opts.cwd.c_str()) != 0) ::_exit(126);
    ::execvpe(cargv[0], cargv.data(), cenv.data());
    ::_exit(127);
  }
  ::setpgid(pid, pid);  // also from the parent: no race with a fast exit
  CloseFd(out_pipe[1]);
  CloseFd(err_pipe[1]);

  auto deadline = std::chrono::steady_clock::now() + opts.timeout;
  bool out_open = true, err_open = true, cancelled = false;
  while (out_open || err_open) {
    if (opts.cancel && opts.cancel->load()) {
      cancelled = true;
      break;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      out->timed_out = true;
      break;
    }
    pollfd fds[2];
    nfds_t n = 0;
    if (out_open) fds[n++] = {out_pipe[0], POLLIN, 0};
    if (err_open) fds[n++] = {err_pipe[0], POLLIN, 0};
    int r = ::poll(fds, n, static_cast<int>(std::min<int64_t>(left.count(), 100)));
    if (r < 0 && errno != EINTR) break;
    for (nfds_t i = 0; r > 0 && i < n; ++i) {
      if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      bool is_out = fds[i].fd == out_pipe[0];
      if (!Drain(fds[i].fd, is_out ? &out->out : &out->err, opts.output_cap)) (is_out ? out_open : err_open) = false;
    }
  }
  if (out->timed_out || cancelled) ::kill(-pid, SIGKILL);
  CloseFd(out_pipe[0]);
  CloseFd(err_pipe[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) out->exit_code = WEXITSTATUS(status);
  if (cancelled) return Status::Unavailable(argv[0] + " was cancelled");
  if (out->timed_out)
    return Status::Timeout(argv[0] + " did not finish within " + std::to_string(opts.timeout.count() / 1000) + "s");
  if (out->exit_code == 127 && out->err.empty()) return Status::Internal("cannot run " + argv[0]);
  return Status::OK();
}

}  // namespace dw::gitops
