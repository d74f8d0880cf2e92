// GitSource against real repositories made here: branches, tags, commits,
// the default branch, new commits, missing refs, and the process runner's
// deadline; the askpass helper is run the way git runs it; HTTPS against a
// real TLS server with a private CA (ca.crt) and without it.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <algorithm>

#include "reconcilers/gitops/git_source.h"
#include "reconcilers/gitops/process.h"
#include "tests/unit/gitops/git_fixture.h"
#include "tests/unit/gitops/tls_fixture.h"

namespace dw::gitops {
namespace {

using testing::GitFixture;

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST_CASE("git source: follows a branch by path and by file:// URL", "[git]") {
  GitFixture g;
  g.Write("deploy/a.yaml", "one\n");
  std::string c1 = g.Commit("one");
  GitSource src(GitSourceOptions{g.cache()});
  FetchResult r;
  Status st = src.Fetch("default", "repo", g.origin(), GitRef{RefKind::kBranch, "main"}, {}, &r);
  INFO(st.ToString());
  REQUIRE(st.ok());
  CHECK(r.commit == c1);
  CHECK(r.revision == "main@sha1:" + c1);
  CHECK(Read(r.worktree + "/deploy/a.yaml") == "one\n");

  g.Write("deploy/a.yaml", "two\n");
  g.Write("deploy/b.yaml", "b\n");
  std::string c2 = g.Commit("two");
  st = src.Fetch("default", "repo", "file://" + g.origin(), GitRef{RefKind::kBranch, "main"}, {}, &r);
  INFO(st.ToString());
  REQUIRE(st.ok());
  CHECK(r.commit == c2);
  CHECK(Read(r.worktree + "/deploy/a.yaml") == "two\n");

  g.Remove("deploy/b.yaml");
  std::string c3 = g.Commit("three");
  REQUIRE(src.Fetch("default", "repo", g.origin(), GitRef{RefKind::kBranch, "main"}, {}, &r).ok());
  CHECK(r.commit == c3);
  CHECK_FALSE(std::filesystem::exists(r.worktree + "/deploy/b.yaml"));  // no leftovers of older commits
}

TEST_CASE("git source: default branch, tag and commit", "[git]") {
  GitFixture g;
  g.Write("x.yaml", "v1\n");
  std::string c1 = g.Commit("v1");
  g.Tag("v1.0");
  g.Write("x.yaml", "v2\n");
  std::string c2 = g.Commit("v2");
  g.Write("x.yaml", "other\n");
  std::string c3 = g.Commit("other", "feature");
  GitSource src(GitSourceOptions{g.cache()});
  FetchResult r;

  REQUIRE(src.Fetch("ns", "d", g.origin(), GitRef{}, {}, &r).ok());
  CHECK(r.revision == "main@sha1:" + c2);

  REQUIRE(src.Fetch("ns", "t", g.origin(), GitRef{RefKind::kTag, "v1.0"}, {}, &r).ok());
  CHECK(r.revision == "v1.0@sha1:" + c1);
  CHECK(Read(r.worktree + "/x.yaml") == "v1\n");

  REQUIRE(src.Fetch("ns", "c", g.origin(), GitRef{RefKind::kCommit, c3}, {}, &r).ok());
  CHECK(r.revision == "sha1:" + c3);
  CHECK(Read(r.worktree + "/x.yaml") == "other\n");

  REQUIRE(src.Fetch("ns", "f", g.origin(), GitRef{RefKind::kBranch, "feature"}, {}, &r).ok());
  CHECK(r.commit == c3);
}

TEST_CASE("git source: missing refs and repositories are clear errors", "[git]") {
  GitFixture g;
  g.Commit("empty");
  GitSource src(GitSourceOptions{g.cache()});
  FetchResult r;
  Status st = src.Fetch("ns", "b", g.origin(), GitRef{RefKind::kBranch, "nope"}, {}, &r);
  CHECK(st.IsNotFound());
  CHECK(st.message().find("branch \"nope\" not found") != std::string::npos);
  st = src.Fetch("ns", "c", g.origin(), GitRef{RefKind::kCommit, std::string(40, 'a')}, {}, &r);
  CHECK(st.IsNotFound());
  st = src.Fetch("ns", "m", g.root() + "/missing.git", GitRef{RefKind::kBranch, "main"}, {}, &r);
  CHECK_FALSE(st.ok());
  CHECK(st.message().find("git fetch") != std::string::npos);
}

TEST_CASE("git source: Forget removes the checkout", "[git]") {
  GitFixture g;
  g.Commit("c");
  GitSource src(GitSourceOptions{g.cache()});
  FetchResult r;
  REQUIRE(src.Fetch("ns", "gone", g.origin(), GitRef{}, {}, &r).ok());
  REQUIRE(std::filesystem::exists(r.worktree));
  src.Forget("ns", "gone");
  CHECK_FALSE(std::filesystem::exists(r.worktree));
}

TEST_CASE("git source: URL credentials are redacted from messages", "[git]") {
  CHECK(RedactUrlCredentials("fatal: unable to access 'https://bob:s3cret@git.example.org/r.git/': 403") ==
        "fatal: unable to access 'https://***@git.example.org/r.git/': 403");
  CHECK(RedactUrlCredentials("https://git.example.org/r.git") == "https://git.example.org/r.git");
  CHECK(RedactUrlCredentials("a git://h/x and https://u@h/y") == "a git://h/x and https://***@h/y");
}

TEST_CASE("git source: the askpass helper answers from its environment only", "[git]") {
  GitFixture g;
  // A fetch with credentials writes the helper; the fetch itself (a local
  // path) never asks, so it succeeds.
  g.Commit("c");
  GitSource src(GitSourceOptions{g.cache()});
  FetchResult r;
  REQUIRE(src.Fetch("ns", "cred", g.origin(), GitRef{}, GitCredentials{"bob", "s3cret"}, &r).ok());
  std::string helper = g.cache() + "/askpass.sh";
  REQUIRE(std::filesystem::exists(helper));
  CHECK(Read(helper).find("s3cret") == std::string::npos);
  struct stat sb {};
  REQUIRE(::stat(helper.c_str(), &sb) == 0);
  CHECK((sb.st_mode & 0777) == 0700);

  ProcessOptions po;
  po.env = {"PATH=/usr/bin:/bin", "DW_GIT_USERNAME=bob", "DW_GIT_PASSWORD=s3cret"};
  ProcessResult res;
  REQUIRE(RunProcess({helper, "Username for 'https://h': "}, po, &res).ok());
  CHECK(res.out == "bob\n");
  REQUIRE(RunProcess({helper, "Password for 'https://bob@h': "}, po, &res).ok());
  CHECK(res.out == "s3cret\n");
}

TEST_CASE("git source: the CA goes on argv as a file path, with an empty CA path", "[git]") {
  auto argv = GitArgv("git", "/c/ns/n/.git/dockward-ca.crt", "/c/ns/n", {"fetch"});
  auto has = [&](const std::string& a) { return std::find(argv.begin(), argv.end(), a) != argv.end(); };
  CHECK(has("http.sslCAInfo=/c/ns/n/.git/dockward-ca.crt"));
  CHECK(has("http.sslCAPath=/c/ns/n/.git/dockward-ca.crt.d"));
  CHECK(argv.back() == "fetch");
  argv = GitArgv("git", "", "/c/ns/n", {"fetch"});
  for (const auto& a : argv) CHECK(a.find("sslCA") == std::string::npos);
}

TEST_CASE("git source: https trusts exactly the ca.crt it is given", "[git][tls]") {
  GitFixture g;
  g.Write("x.yaml", "over tls\n");
  std::string c1 = g.Commit("c1");
  g.Git({"update-server-info"}, g.origin());  // git's dumb HTTP protocol, served as plain files
  testing::TlsFixture tls(g.root() + "/tls");
  const int port = tls.Serve(g.root());
  const std::string url = "https://127.0.0.1:" + std::to_string(port) + "/origin.git";
  const GitRef main{RefKind::kBranch, "main"};
  GitSource src(GitSourceOptions{g.cache()});
  FetchResult r;

  GitCredentials with_ca;
  with_ca.ca_pem = tls.ca_pem();
  Status st = src.Fetch("ns", "ca", url, main, with_ca, &r);
  INFO(st.ToString());
  REQUIRE(st.ok());
  CHECK(r.commit == c1);
  CHECK(Read(r.worktree + "/x.yaml") == "over tls\n");
  const std::string ca_file = r.worktree + "/.git/dockward-ca.crt";
  CHECK(Read(ca_file) == tls.ca_pem());
  struct stat sb {};
  REQUIRE(::stat(ca_file.c_str(), &sb) == 0);
  CHECK((sb.st_mode & 0777) == 0600);
  CHECK(std::filesystem::is_empty(ca_file + ".d"));

  // The system store does not know the test CA: a clear TLS error, with the hint.
  st = src.Fetch("ns", "system", url, main, {}, &r);
  CHECK(st.code() == Code::kUnavailable);
  CHECK(st.message().find("certificate") != std::string::npos);
  CHECK(st.message().find("ca.crt") != std::string::npos);

  // Another CA is not enough, even with the right one in GIT_SSL_CAINFO:
  // the Secret's CA is the only one trusted.
  ::setenv("GIT_SSL_CAINFO", tls.ca_file().c_str(), 1);
  GitCredentials other;
  other.ca_pem = tls.other_ca_pem();
  st = src.Fetch("ns", "other", url, main, other, &r);
  ::unsetenv("GIT_SSL_CAINFO");
  CHECK_FALSE(st.ok());
  CHECK(st.message().find("not signed by the ca.crt") != std::string::npos);

  // A new commit with the CA; then without it the CA file is gone.
  g.Write("x.yaml", "two\n");
  std::string c2 = g.Commit("c2");
  g.Git({"update-server-info"}, g.origin());
  REQUIRE(src.Fetch("ns", "ca", url, main, with_ca, &r).ok());
  CHECK(r.commit == c2);
  CHECK_FALSE(src.Fetch("ns", "ca", url, main, {}, &r).ok());
  CHECK_FALSE(std::filesystem::exists(ca_file));
  CHECK_FALSE(std::filesystem::exists(ca_file + ".d"));
  tls.Stop();
}

TEST_CASE("process: deadline kills the process group, output is captured", "[process]") {
  ProcessOptions po;
  po.env = {"PATH=/usr/bin:/bin"};
  ProcessResult res;
  REQUIRE(RunProcess({"sh", "-c", "echo out; echo err >&2; exit 3"}, po, &res).ok());
  CHECK(res.exit_code == 3);
  CHECK(res.out == "out\n");
  CHECK(res.err == "err\n");

  po.timeout = std::chrono::milliseconds(300);
  auto start = std::chrono::steady_clock::now();
  Status st = RunProcess({"sh", "-c", "sleep 30 & sleep 30"}, po, &res);
  CHECK(st.code() == Code::kTimeout);
  CHECK(res.timed_out);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));

  // Cancellation kills a running command within ~100 ms.
  std::atomic<bool> cancel{false};
  po.timeout = std::chrono::seconds(30);
  po.cancel = &cancel;
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    cancel.store(true);
  });
  start = std::chrono::steady_clock::now();
  st = RunProcess({"sleep", "30"}, po, &res);
  stopper.join();
  CHECK(st.code() == Code::kUnavailable);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
  po.cancel = nullptr;

  // The parent's environment is not inherited.
  ::setenv("DW_TEST_SECRET", "leak", 1);
  po.timeout = std::chrono::seconds(5);
  REQUIRE(RunProcess({"sh", "-c", "echo \"[$DW_TEST_SECRET]\""}, po, &res).ok());
  CHECK(res.out == "[]\n");
}

}  // namespace
}  // namespace dw::gitops
