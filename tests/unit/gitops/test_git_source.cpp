// GitSource against real repositories made here: branches, tags, commits,
// the default branch, new commits, missing refs, and the process runner's
// deadline; the askpass helper is run the way git runs it.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "reconcilers/gitops/git_source.h"
#include "reconcilers/gitops/process.h"
#include "tests/unit/gitops/git_fixture.h"

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
