#include "reconcilers/gitops/git_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "reconcilers/gitops/process.h"

namespace dw::gitops {

namespace fs = std::filesystem;

namespace {

constexpr const char* kSourceRef = "refs/dw/source";
// Inside .git, so `git clean` of the worktree leaves them alone.
constexpr const char* kCaFile = "/.git/dockward-ca.crt";
// An empty directory: curl's default CA path (/etc/ssl/certs) would
// otherwise be trusted next to ca.crt.
constexpr const char* kCaPathSuffix = ".d";

// A fixed script: what it prints comes from its environment, set per call.
constexpr const char* kAskpass =
    "#!/bin/sh\n"
    "# dockward GitRepository credentials: prints what git asks for from the\n"
    "# environment of this one git process. Holds no secret itself.\n"
    "case \"$1\" in\n"
    "  [Uu]sername*) printf '%s\\n' \"$DW_GIT_USERNAME\" ;;\n"
    "  *) printf '%s\\n' \"$DW_GIT_PASSWORD\" ;;\n"
    "esac\n";

const std::vector<std::string>& HardeningConfig() {
  static const std::vector<std::string> kConfig = {
      "protocol.allow=never",        "protocol.file.allow=always", "protocol.git.allow=always",
      "protocol.http.allow=always",  "protocol.https.allow=always", "credential.helper=",
      "core.hooksPath=/dev/null",    "fetch.recurseSubmodules=false", "submodule.recurse=false",
      "gc.auto=0",                   "advice.detachedHead=false",  "init.defaultBranch=main",
      "http.lowSpeedLimit=1000",     "http.lowSpeedTime=30",       "core.fsmonitor=false"};
  return kConfig;
}

// The last non-empty lines of git's stderr, as one line.
std::string Tail(const std::string& err) {
  std::vector<std::string> lines;
  std::istringstream in(err);
  for (std::string l; std::getline(in, l);) {
    while (!l.empty() && (l.back() == '\r' || l.back() == ' ')) l.pop_back();
    if (!l.empty()) lines.push_back(l);
  }
  std::string out;
  size_t from = lines.size() > 3 ? lines.size() - 3 : 0;
  for (size_t i = from; i < lines.size(); ++i) out += (out.empty() ? "" : "; ") + lines[i];
  if (out.size() > 600) out = out.substr(0, 600) + "...";
  return out;
}

bool MentionsTls(const std::string& err) {
  for (const char* w : {"certificate", "SSL", "TLS", "gnutls", "handshake"})
    if (err.find(w) != std::string::npos) return true;
  return false;
}

// Creates `path` with mode 0600 from the start (no window with wider
// permissions), then renames it into place.
Status WritePrivateFile(const std::string& path, const std::string& text) {
  std::string tmp = path + ".tmp";
  ::unlink(tmp.c_str());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return Status::IOError("cannot create " + tmp);
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n <= 0) {
      ::close(fd);
      ::unlink(tmp.c_str());
      return Status::IOError("cannot write " + tmp);
    }
    done += static_cast<size_t>(n);
  }
  if (::close(fd) != 0 || ::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return Status::IOError("cannot write " + path);
  }
  return Status::OK();
}

Status EnsureDirs(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::IOError("cannot create " + dir + ": " + ec.message());
  ::chmod(dir.c_str(), 0700);
  return Status::OK();
}

}  // namespace

std::string RedactUrlCredentials(const std::string& text) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    size_t p = text.find("://", i);
    if (p == std::string::npos) break;
    size_t host = p + 3;
    size_t end = host;
    while (end < text.size() && text[end] != '/' && text[end] != ' ' && text[end] != '\'' && text[end] != '"' &&
           text[end] != '\n')
      ++end;
    size_t at = text.rfind('@', end == host ? host : end - 1);
    out += text.substr(i, host - i);
    if (at != std::string::npos && at >= host && at < end) {
      out += "***";
      out += text.substr(at, end - at);
    } else {
      out += text.substr(host, end - host);
    }
    i = end;
  }
  out += text.substr(std::min(i, text.size()));
  return out;
}

std::vector<std::string> GitArgv(const std::string& git, const std::string& ca_file, const std::string& dir,
                                 const std::vector<std::string>& args) {
  std::vector<std::string> argv{git};
  for (const auto& c : HardeningConfig()) {
    argv.push_back("-c");
    argv.push_back(c);
  }
  if (!ca_file.empty()) {
    // A path, not a secret: fine on the command line.
    argv.insert(argv.end(), {"-c", "http.sslCAInfo=" + ca_file, "-c", "http.sslCAPath=" + ca_file + kCaPathSuffix});
  }
  if (!dir.empty()) {
    argv.push_back("-C");
    argv.push_back(dir);
  }
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

struct GitSource::Invocation {
  std::vector<std::string> args;  // after "git -c ... [-C dir]"
  std::string dir;                // -C
  bool network = false;
  const GitCredentials* creds = nullptr;
  std::string askpass;
  std::string ca_file;  // "" = the system store
};

Status GitSource::Git(const Invocation& inv, std::string* stdout_text) {
  std::vector<std::string> argv = GitArgv(opts_.git, inv.ca_file, inv.dir, inv.args);

  ProcessOptions po;
  po.timeout = inv.network ? opts_.fetch_timeout : opts_.local_timeout;
  po.cancel = &cancelled_;
  const char* path = std::getenv("PATH");
  po.env = {std::string("PATH=") + (path ? path : "/usr/local/bin:/usr/bin:/bin"),
            "HOME=" + opts_.cache_dir,
            "LC_ALL=C",
            "GIT_TERMINAL_PROMPT=0",
            "GIT_CONFIG_NOSYSTEM=1",
            "GIT_CONFIG_GLOBAL=/dev/null",
            "GIT_SSH_COMMAND=false"};
  // Proxies and extra CAs are host configuration git needs to reach a server;
  // the CA variables are left out when the Secret names the one CA to trust
  // (GIT_SSL_CAINFO would override http.sslCAInfo).
  for (const char* k : {"http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "no_proxy", "NO_PROXY"}) {
    if (const char* v = std::getenv(k)) po.env.push_back(std::string(k) + "=" + v);
  }
  if (inv.ca_file.empty()) {
    for (const char* k : {"GIT_SSL_CAINFO", "SSL_CERT_FILE", "SSL_CERT_DIR"})
      if (const char* v = std::getenv(k)) po.env.push_back(std::string(k) + "=" + v);
  }
  if (inv.creds && inv.creds->has_login()) {
    po.env.push_back("GIT_ASKPASS=" + inv.askpass);
    po.env.push_back("DW_GIT_USERNAME=" + inv.creds->username);
    po.env.push_back("DW_GIT_PASSWORD=" + inv.creds->password);
  }
  ProcessResult res;
  std::string what = "git " + (inv.args.empty() ? std::string() : inv.args[0]);
  Status st = RunProcess(argv, po, &res);
  if (st.code() == Code::kTimeout)
    return Status::Timeout(what + " did not finish within " + std::to_string(po.timeout.count() / 1000) + "s");
  if (st.code() == Code::kUnavailable) return Status::Unavailable(what + ": cancelled (shutting down)");
  if (!st.ok()) return Status::Internal(what + ": " + st.message());
  if (res.exit_code != 0) {
    std::string msg = RedactUrlCredentials(Tail(res.err));
    if (inv.creds && !inv.creds->password.empty() && msg.find(inv.creds->password) != std::string::npos)
      msg = "(output withheld: it contained the credentials)";
    if (msg.empty()) msg = "exit code " + std::to_string(res.exit_code);
    if (inv.network && MentionsTls(res.err))
      msg += inv.ca_file.empty()
                 ? " (TLS: the server's certificate is not trusted by the system store; for a private CA, "
                   "put its certificate in the secretRef Secret as ca.crt)"
                 : " (TLS: the server's certificate is not signed by the ca.crt of the secretRef Secret)";
    if (res.err.find("couldn't find remote ref") != std::string::npos) return Status::NotFound(what + ": " + msg);
    return Status::Unavailable(what + ": " + msg);
  }
  if (stdout_text) *stdout_text = std::move(res.out);
  return Status::OK();
}

Status GitSource::EnsureRepo(const std::string& dir) {
  if (fs::exists(dir + "/.git/HEAD")) return Status::OK();
  std::error_code ec;
  fs::remove_all(dir, ec);  // a half-made cache from an interrupted init
  DW_RETURN_IF_ERROR(EnsureDirs(dir));
  Invocation inv;
  inv.args = {"init", "-q", dir};
  return Git(inv, nullptr);
}

Status GitSource::EnsureAskpass(std::string* path) {
  *path = opts_.cache_dir + "/askpass.sh";
  std::ifstream in(*path);
  std::stringstream have;
  have << in.rdbuf();
  if (in && have.str() == kAskpass) return Status::OK();
  std::string tmp = *path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << kAskpass;
    if (!out.flush()) return Status::IOError("cannot write " + tmp);
  }
  ::chmod(tmp.c_str(), 0700);
  std::error_code ec;
  fs::rename(tmp, *path, ec);
  if (ec) return Status::IOError("cannot write " + *path + ": " + ec.message());
  return Status::OK();
}

Status GitSource::SyncCaFile(const std::string& repo_dir, const std::string& pem, std::string* file) {
  const std::string path = repo_dir + kCaFile;
  const std::string capath = path + kCaPathSuffix;
  std::error_code ec;
  if (pem.empty()) {
    file->clear();
    fs::remove(path, ec);
    fs::remove_all(capath, ec);
    return Status::OK();
  }
  *file = path;
  // Always empty: whatever appeared there would be trusted too.
  if (fs::is_directory(capath, ec) && !fs::is_empty(capath, ec)) fs::remove_all(capath, ec);
  DW_RETURN_IF_ERROR(EnsureDirs(capath));
  std::ifstream in(path);
  std::stringstream have;
  have << in.rdbuf();
  if (in && have.str() == pem) {
    ::chmod(path.c_str(), 0600);
    return Status::OK();
  }
  return WritePrivateFile(path, pem);
}

Status GitSource::DefaultBranch(const Invocation& base, const std::string& url, std::string* branch) {
  Invocation inv = base;
  inv.args = {"ls-remote", "--symref", "--", url, "HEAD"};
  std::string out;
  DW_RETURN_IF_ERROR(Git(inv, &out));
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) {
    const std::string prefix = "ref: refs/heads/";
    if (line.rfind(prefix, 0) != 0) continue;
    size_t tab = line.find('\t');
    *branch = line.substr(prefix.size(), tab == std::string::npos ? std::string::npos : tab - prefix.size());
    if (!branch->empty()) return Status::OK();
  }
  return Status::NotFound("the repository has no default branch (is it empty?)");
}

Status GitSource::CacheDir(std::string* out) {
  std::lock_guard<std::mutex> l(mu_);
  if (opts_.cache_dir.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    std::string tmpl = std::string(tmp && *tmp ? tmp : "/tmp") + "/dockward-gitops-XXXXXX";
    if (!::mkdtemp(tmpl.data())) return Status::IOError("cannot create a GitOps cache directory " + tmpl);
    opts_.cache_dir = tmpl;
  }
  *out = opts_.cache_dir;
  return EnsureDirs(opts_.cache_dir);
}

Status GitSource::Fetch(const std::string& ns, const std::string& name, const std::string& url,
                        const GitRef& ref, const GitCredentials& creds, FetchResult* out) {
  DW_RETURN_IF_ERROR(CheckUrl(url));
  if (cancelled_.load()) return Status::Unavailable("git: cancelled (shutting down)");
  std::string cache;
  DW_RETURN_IF_ERROR(CacheDir(&cache));
  const std::string dir = cache + "/" + ns + "/" + name;
  DW_RETURN_IF_ERROR(EnsureRepo(dir));

  Invocation net;
  net.dir = dir;
  net.network = true;
  net.creds = &creds;
  if (creds.has_login()) DW_RETURN_IF_ERROR(EnsureAskpass(&net.askpass));
  DW_RETURN_IF_ERROR(SyncCaFile(dir, creds.ca_pem, &net.ca_file));
  Invocation local;
  local.dir = dir;

  std::string label;  // the part of the revision before '@'
  std::string commit;
  auto rev_parse = [&](const std::string& rev, std::string* sha) {
    Invocation inv = local;
    inv.args = {"rev-parse", "--verify", "-q", rev + "^{commit}"};
    std::string text;
    Status st = Git(inv, &text);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    *sha = text;
    return st;
  };

  switch (ref.kind) {
    case RefKind::kDefault:
    case RefKind::kBranch:
    case RefKind::kTag: {
      std::string remote_ref;
      if (ref.kind == RefKind::kTag) {
        label = ref.name;
        remote_ref = "refs/tags/" + ref.name;
      } else {
        label = ref.name;
        if (ref.kind == RefKind::kDefault) DW_RETURN_IF_ERROR(DefaultBranch(net, url, &label));
        remote_ref = "refs/heads/" + label;
      }
      Invocation inv = net;
      inv.args = {"fetch", "-q", "--no-tags", "--force", "--", url, "+" + remote_ref + ":" + kSourceRef};
      Status st = Git(inv, nullptr);
      if (st.IsNotFound())
        return Status::NotFound(std::string(ref.kind == RefKind::kTag ? "tag \"" : "branch \"") + label +
                                "\" not found in " + RedactUrlCredentials(url));
      DW_RETURN_IF_ERROR(st);
      DW_RETURN_IF_ERROR(rev_parse(kSourceRef, &commit));
      break;
    }
    case RefKind::kCommit: {
      if (!rev_parse(ref.name, &commit).ok()) {
        Invocation inv = net;
        inv.args = {"fetch", "-q", "--no-tags", "--force", "--", url, "+refs/heads/*:refs/dw/heads/*",
                    "+refs/tags/*:refs/dw/tags/*"};
        DW_RETURN_IF_ERROR(Git(inv, nullptr));
        if (!rev_parse(ref.name, &commit).ok())
          return Status::NotFound("commit " + ref.name + " not found on any branch or tag of " +
                                  RedactUrlCredentials(url));
      }
      break;
    }
  }
  if (commit.size() != 40) return Status::Internal("git rev-parse returned \"" + commit + "\"");

  Invocation co = local;
  co.args = {"checkout", "-q", "--force", "--detach", commit, "--"};
  DW_RETURN_IF_ERROR(Git(co, nullptr));
  Invocation clean = local;
  clean.args = {"clean", "-q", "-ffdx"};
  DW_RETURN_IF_ERROR(Git(clean, nullptr));

  out->commit = commit;
  out->revision = (label.empty() ? "" : label + "@") + "sha1:" + commit;
  out->worktree = dir;
  return Status::OK();
}

void GitSource::Forget(const std::string& ns, const std::string& name) {
  std::string cache;
  {
    std::lock_guard<std::mutex> l(mu_);
    cache = opts_.cache_dir;
  }
  if (cache.empty() || ns.empty() || name.empty()) return;
  std::error_code ec;
  fs::remove_all(cache + "/" + ns + "/" + name, ec);
}

}  // namespace dw::gitops
