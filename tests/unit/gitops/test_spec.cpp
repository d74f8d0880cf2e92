#include <catch2/catch.hpp>

#include "operator/json/json.h"
#include "reconcilers/gitops/spec.h"

namespace dw::gitops {
namespace {

json::Document Spec(const std::string& text) {
  json::Document d;
  REQUIRE(json::Parse(text, &d).ok());
  return d;
}

TEST_CASE("gitops spec: Go durations", "[spec]") {
  std::chrono::milliseconds d;
  REQUIRE(ParseGoDuration("5m", &d));
  CHECK(d == std::chrono::minutes(5));
  REQUIRE(ParseGoDuration("1h30m", &d));
  CHECK(d == std::chrono::minutes(90));
  REQUIRE(ParseGoDuration("1.5s", &d));
  CHECK(d == std::chrono::milliseconds(1500));
  REQUIRE(ParseGoDuration("250ms", &d));
  CHECK(d == std::chrono::milliseconds(250));
  CHECK_FALSE(ParseGoDuration("", &d));
  CHECK_FALSE(ParseGoDuration("5", &d));
  CHECK_FALSE(ParseGoDuration("0s", &d));
  CHECK_FALSE(ParseGoDuration("1.s", &d));
  CHECK_FALSE(ParseGoDuration("5d", &d));
}

TEST_CASE("gitops spec: repository paths stay inside", "[spec]") {
  std::string p;
  REQUIRE(NormalizeRepoPath("./", &p));
  CHECK(p == "");
  REQUIRE(NormalizeRepoPath("./deploy//prod/", &p));
  CHECK(p == "deploy/prod");
  CHECK_FALSE(NormalizeRepoPath("../etc", &p));
  CHECK_FALSE(NormalizeRepoPath("a/../../b", &p));
  CHECK_FALSE(NormalizeRepoPath("/etc", &p));
}

TEST_CASE("gitops spec: URLs", "[spec]") {
  CHECK(CheckUrl("/srv/git/ops.git").ok());
  CHECK(CheckUrl("file:///srv/git/ops.git").ok());
  CHECK(CheckUrl("git://127.0.0.1:9418/ops.git").ok());
  CHECK(CheckUrl("https://git.example.org/ops.git").ok());
  CHECK(CheckUrl("ssh://git@example.org/ops.git").message().find("SSH is not supported") != std::string::npos);
  CHECK_FALSE(CheckUrl("-uexploit").ok());
  CHECK_FALSE(CheckUrl("ext::sh -c id").ok());
  CHECK_FALSE(CheckUrl("relative/path").ok());
  CHECK_FALSE(CheckUrl("https://x/\nfoo").ok());
}

TEST_CASE("gitops spec: parse with defaults", "[spec]") {
  GitRepositorySpec s;
  REQUIRE(ParseGitRepositorySpec(Spec(R"({"url":"/srv/r.git"})"), &s).ok());
  CHECK(s.ref.kind == RefKind::kDefault);
  CHECK(s.path == "");
  CHECK(s.interval == std::chrono::minutes(5));
  CHECK_FALSE(s.prune);
  CHECK_FALSE(s.suspend);

  REQUIRE(ParseGitRepositorySpec(Spec(R"({"url":"git://h/r","ref":{"tag":"v1.2"},"path":"./deploy",
      "interval":"30s","prune":true,"suspend":true,"secretRef":{"name":"creds"}})"), &s).ok());
  CHECK(s.ref.kind == RefKind::kTag);
  CHECK(s.ref.name == "v1.2");
  CHECK(s.path == "deploy");
  CHECK(s.interval == std::chrono::seconds(30));
  CHECK(s.prune);
  CHECK(s.suspend);
  CHECK(s.secret_name == "creds");
}

TEST_CASE("gitops spec: refused specs name the field", "[spec]") {
  GitRepositorySpec s;
  Status st = ParseGitRepositorySpec(Spec(R"({"url":"/r","ref":{"branch":"-evil"}})"), &s);
  CHECK(st.message().find("spec.ref.branch") != std::string::npos);
  st = ParseGitRepositorySpec(Spec(R"({"url":"/r","ref":{"branch":"a..b"}})"), &s);
  CHECK_FALSE(st.ok());
  st = ParseGitRepositorySpec(Spec(R"({"url":"/r","ref":{"branch":"main","tag":"v1"}})"), &s);
  CHECK(st.message().find("at most one") != std::string::npos);
  st = ParseGitRepositorySpec(Spec(R"({"url":"/r","ref":{"commit":"abc"}})"), &s);
  CHECK(st.message().find("spec.ref.commit") != std::string::npos);
  st = ParseGitRepositorySpec(Spec(R"({"url":"/r","path":"../x"})"), &s);
  CHECK(st.message().find("spec.path") != std::string::npos);
  st = ParseGitRepositorySpec(Spec(R"({"url":"/r","interval":"soon"})"), &s);
  CHECK(st.message().find("spec.interval") != std::string::npos);
}

}  // namespace
}  // namespace dw::gitops
