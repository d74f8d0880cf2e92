// Builders shared by the StackLimits unit tests: findings and container facts
// of the example lab stack (project "dwlab", containers named
// PROJECT_SERVICE_1 as docker-compose v1 names them), a scratch directory,
// and an exact JSON comparison that prints both sides on failure.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <catch2/catch.hpp>

#include "operator/json/json.h"
#include "reconcilers/stacklimits/facts.h"
#include "reconcilers/stacklimits/finding.h"

namespace dw::stacklimits::testing {

constexpr int64_t kMi = 1 << 20;

inline Finding LabFinding(const std::string& service, const std::string& rule,
                          const std::string& subject = "", const std::string& project = "dwlab") {
  Finding f;
  f.project = project;
  f.service = service;
  f.container = project + "_" + service + "_1";
  f.rule = rule;
  f.subject = subject;
  return f;
}

// LabFinding with the judgement filled in, as the rule engine writes it.
inline Finding Judged(const std::string& service, const std::string& rule, const std::string& subject,
                      Severity severity, const std::string& observed, const std::string& desired,
                      bool fixable_live = false, const std::string& project = "dwlab") {
  Finding f = LabFinding(service, rule, subject, project);
  f.severity = severity;
  f.observed = observed;
  f.desired = desired;
  f.fixable_live = fixable_live;
  return f;
}

inline ContainerFacts LabContainer(const std::string& service, const std::string& state,
                                   const std::string& project = "dwlab") {
  ContainerFacts c;
  c.project = project;
  c.service = service;
  c.container = project + "_" + service + "_1";
  c.state = state;
  return c;
}

inline void RequireJson(const json::Value& actual, const char* expected_text) {
  json::Document expected;
  REQUIRE(json::Parse(expected_text, &expected).ok());
  INFO("actual:   " << json::Serialize(actual));
  INFO("expected: " << json::Serialize(expected));
  REQUIRE(json::Equal(actual, expected));
}

// A fresh directory under /tmp, removed with everything in it when the
// test case ends.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    char tmpl[] = "/tmp/dw_stacklimits_XXXXXX";
    REQUIRE(mkdtemp(tmpl));
    path = tmpl;
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string Write(const std::string& name, const std::string& text) const {
    std::ofstream(path / name) << text;
    return (path / name).string();
  }
};

}  // namespace dw::stacklimits::testing
