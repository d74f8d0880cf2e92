// Real git repositories for the GitOps tests: a scratch directory with a
// working repository ("work") whose commits are pushed to a bare one
// ("origin.git"), which the code under test fetches from by path or file://.
#pragma once

#include <stdlib.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "reconcilers/gitops/process.h"

namespace dw::gitops::testing {

class GitFixture {
 public:
  GitFixture() {
    char tmpl[] = "/tmp/dwgit-XXXXXX";
    REQUIRE(::mkdtemp(tmpl) != nullptr);
    root_ = tmpl;
    Git({"init", "-q", "--bare", "-b", "main", origin()}, "");
    Git({"init", "-q", "-b", "main", work()}, "");
  }
  ~GitFixture() {
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }

  const std::string& root() const { return root_; }
  std::string origin() const { return root_ + "/origin.git"; }
  std::string work() const { return root_ + "/work"; }
  std::string cache() const { return root_ + "/cache"; }

  // Runs git with a fixed identity; REQUIREs success; returns stdout.
  std::string Git(std::vector<std::string> args, const std::string& dir = "") {
    std::vector<std::string> argv{"git", "-c", "user.name=dw test", "-c", "user.email=dw@test", "-c",
                                  "init.defaultBranch=main"};
    if (!dir.empty()) {
      argv.push_back("-C");
      argv.push_back(dir);
    }
    argv.insert(argv.end(), args.begin(), args.end());
    ProcessOptions po;
    po.env = {std::string("PATH=") + ::getenv("PATH"), "HOME=" + root_, "GIT_CONFIG_NOSYSTEM=1", "LC_ALL=C"};
    ProcessResult res;
    Status st = RunProcess(argv, po, &res);
    INFO(res.err);
    REQUIRE(st.ok());
    REQUIRE(res.exit_code == 0);
    return res.out;
  }

  void Write(const std::string& rel, const std::string& text) {
    std::filesystem::path p = std::filesystem::path(work()) / rel;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::trunc) << text;
  }
  void Remove(const std::string& rel) { std::filesystem::remove(std::filesystem::path(work()) / rel); }

  // Commits everything in work and pushes `branch`; returns the commit sha.
  std::string Commit(const std::string& msg, const std::string& branch = "main") {
    Git({"add", "-A"}, work());
    Git({"commit", "-q", "--allow-empty", "-m", msg}, work());
    Git({"push", "-q", "--force", origin(), "HEAD:refs/heads/" + branch}, work());
    return Head();
  }
  std::string Head() {
    std::string sha = Git({"rev-parse", "HEAD"}, work());
    while (!sha.empty() && sha.back() == '\n') sha.pop_back();
    return sha;
  }
  void Tag(const std::string& name) {
    Git({"tag", "-f", name}, work());
    Git({"push", "-q", "--force", origin(), "refs/tags/" + name}, work());
  }

 private:
  std::string root_;
};

}  // namespace dw::gitops::testing
