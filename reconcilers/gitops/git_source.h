// GitSource: fetches one GitRepository's ref into a cache directory and
// checks the resolved commit out there, with git run from argv arrays only.
//
// Layout: CACHE/<namespace>/<name>/ is an ordinary (non-bare) repository,
// reused between syncs so a fetch only transfers new objects. Fetches name
// an explicit refspec into refs/dw/..., so no remote is configured and a
// changed URL simply fetches from the new place.
//
// Hardening: git runs with a minimal environment (no user or system config,
// no terminal prompt, no credential helper), only the file, git, http and
// https transports, and a deadline per command (the process group is killed).
//
// Credentials (https): the username and password go to git through
// GIT_ASKPASS, a fixed script in CACHE that prints $DW_GIT_USERNAME or
// $DW_GIT_PASSWORD. The values live only in the environment of that git
// process (readable by the same user through /proc, never in argv, so never
// in `ps`), never on disk and never in a message: git's output is passed on
// with URL userinfo redacted. (`-c http.extraHeader=...` would put the
// secret on the command line, which `ps` shows to every user.)
//
// A private CA (the Secret's ca.crt) is written to .git/dockward-ca.crt in
// the repository's cache dir (0600; a public certificate, but it is the
// Secret's content) and named on the command line with
// -c http.sslCAInfo=FILE, together with an empty http.sslCAPath and without
// the host's GIT_SSL_CAINFO / SSL_CERT_* variables, so git trusts exactly
// that CA for this repository; without one, the system store.
//
// Not thread-safe for the same (namespace, name); distinct ones may run at
// once (the controller's work queue never runs one key twice at a time).
#pragma once

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <vector>

#include "operator/common/status.h"
#include "reconcilers/gitops/spec.h"

namespace dw::gitops {

struct GitCredentials {
  std::string username, password;
  std::string ca_pem;  // PEM; "" = trust the system store
  bool has_login() const { return !username.empty() || !password.empty(); }
};

struct GitSourceOptions {
  // Created (0700) when missing. "" = a fresh mkdtemp directory under
  // $TMPDIR (or /tmp), made at the first fetch (re-cloned after a restart).
  std::string cache_dir;
  std::chrono::milliseconds fetch_timeout{std::chrono::seconds(120)};
  std::chrono::milliseconds local_timeout{std::chrono::seconds(30)};
  std::string git = "git";
};

struct FetchResult {
  std::string commit;    // 40 hex
  std::string revision;  // "main@sha1:<commit>", "v1@sha1:<commit>" or "sha1:<commit>"
  std::string worktree;  // the checkout of `commit`
};

class GitSource {
 public:
  explicit GitSource(GitSourceOptions opts) : opts_(std::move(opts)) {}
  GitSource(const GitSource&) = delete;
  GitSource& operator=(const GitSource&) = delete;

  // Fetches `ref` of `url` and checks it out. Errors (Unavailable for
  // transport failures, NotFound for a missing ref, Timeout) carry git's own
  // words with secrets and URL credentials removed.
  Status Fetch(const std::string& ns, const std::string& name, const std::string& url, const GitRef& ref,
               const GitCredentials& creds, FetchResult* out);
  // Removes the cache of one GitRepository (it was deleted).
  void Forget(const std::string& ns, const std::string& name);
  // Kills running git commands and fails every later Fetch (shutdown).
  void Cancel() { cancelled_.store(true); }
  bool cancelled() const { return cancelled_.load(); }


 private:
  struct Invocation;
  Status Git(const Invocation& inv, std::string* stdout_text);
  Status EnsureRepo(const std::string& dir);
  Status EnsureAskpass(std::string* path);
  // Writes (or, for "", removes) the repository's CA file; *file = its path or "".
  Status SyncCaFile(const std::string& repo_dir, const std::string& pem, std::string* file);
  Status DefaultBranch(const Invocation& base, const std::string& url, std::string* branch);
  // The cache directory, made on first use when none was configured.
  Status CacheDir(std::string* out);

  GitSourceOptions opts_;
  std::mutex mu_;  // guards opts_.cache_dir while it is chosen
  std::atomic<bool> cancelled_{false};
};

// The argv of one git command: `git`, the hardening config, the CA options
// when `ca_file` is set, `-C dir` when set, then `args`.
std::vector<std::string> GitArgv(const std::string& git, const std::string& ca_file, const std::string& dir,
                                 const std::vector<std::string>& args);

// "https://user:token@host/x" -> "https://***@host/x" everywhere in `text`.
std::string RedactUrlCredentials(const std::string& text);

}  // namespace dw::gitops
