#include <catch2/catch.hpp>

#include <fcntl.h>
#include <rapidjson/document.h>
#include <unistd.h>

#include <cstdio>
#include <regex>
#include <sstream>
#include <thread>
#include <vector>

#include "operator/common/log.h"

namespace {

// Runs `fn` with fd 2 redirected to a temp file and returns what was written.
template <typename Fn>
std::string CaptureStderr(Fn fn) {
  char path[] = "/tmp/dw_log_test_XXXXXX";
  int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  unlink(path);
  int saved = dup(2);
  dup2(fd, 2);
  fn();
  dup2(saved, 2);
  close(saved);
  std::string out;
  char buf[4096];
  lseek(fd, 0, SEEK_SET);
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  close(fd);
  return out;
}

std::vector<std::string> Lines(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

}  // namespace

TEST_CASE("log: one JSON object per line with fixed keys first", "[log]") {
  dw::log::SetLevel(dw::log::Level::kInfo);
  std::string out = CaptureStderr([] {
    dw::log::Info("serving", {{"addr", "127.0.0.1:6443"}, {"tls", "true"}});
  });
  REQUIRE(out.back() == '\n');
  auto lines = Lines(out);
  REQUIRE(lines.size() == 1);
  std::regex shape(
      R"re(^\{"ts":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z","level":"info","msg":"serving","addr":"127\.0\.0\.1:6443","tls":"true"\}$)re");
  CHECK(std::regex_match(lines[0], shape));
}

TEST_CASE("log: values are JSON-escaped", "[log]") {
  dw::log::SetLevel(dw::log::Level::kDebug);
  std::string out = CaptureStderr([] {
    dw::log::Warn("quote\" back\\slash\nnewline", {{"k\"ey", "tab\there \x01 ü"}, {"msg", "shadow"}});
  });
  auto lines = Lines(out);
  REQUIRE(lines.size() == 1);  // the newline in msg is escaped, not written raw
  rapidjson::Document d;
  d.Parse(lines[0].c_str());
  REQUIRE_FALSE(d.HasParseError());
  CHECK(std::string(d["level"].GetString()) == "warn");
  CHECK(std::string(d["msg"].GetString()) == "quote\" back\\slash\nnewline");
  CHECK(std::string(d["k\"ey"].GetString()) == "tab\there \x01 ü");
  CHECK(d.MemberCount() == 4);  // a field named "msg" cannot shadow the message
}

TEST_CASE("log: level filtering", "[log]") {
  dw::log::SetLevel(dw::log::Level::kWarn);
  CHECK_FALSE(dw::log::Enabled(dw::log::Level::kDebug));
  CHECK_FALSE(dw::log::Enabled(dw::log::Level::kInfo));
  CHECK(dw::log::Enabled(dw::log::Level::kWarn));
  CHECK(dw::log::Enabled(dw::log::Level::kError));
  std::string out = CaptureStderr([] {
    dw::log::Debug("d");
    dw::log::Info("i");
    dw::log::Warn("w");
    dw::log::Error("e");
  });
  auto lines = Lines(out);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].find(R"("level":"warn","msg":"w")") != std::string::npos);
  CHECK(lines[1].find(R"("level":"error","msg":"e")") != std::string::npos);
  dw::log::SetLevel(dw::log::Level::kInfo);
}

TEST_CASE("log: concurrent writers never interleave lines", "[log]") {
  dw::log::SetLevel(dw::log::Level::kInfo);
  std::string big(2000, 'x');
  std::string out = CaptureStderr([&] {
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < 200; ++i) dw::log::Info("m", {{"t", std::to_string(t)}, {"pad", big}});
      });
    }
    for (auto& th : threads) th.join();
  });
  auto lines = Lines(out);
  REQUIRE(lines.size() == 800);
  for (const auto& l : lines) {
    rapidjson::Document d;
    d.Parse(l.c_str());
    REQUIRE_FALSE(d.HasParseError());
    REQUIRE(d["pad"].GetStringLength() == 2000);
  }
}
