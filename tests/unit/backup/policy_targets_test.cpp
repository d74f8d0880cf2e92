#include <catch2/catch.hpp>

#include "reconcilers/backup/contract.h"
#include "reconcilers/backup/target_labels.h"
#include "reconcilers/backup/target_resolver.h"

using dw::backup::ContainerName;
using dw::backup::PolicySpec;
using dw::backup::ResolvedTarget;
using dw::backup::ResolveTargets;
using dw::backup::SelectContainer;
using dw::backup::TargetKey;
using dw::docker::ContainerSummary;

namespace {

ContainerSummary C(const std::string& name, std::map<std::string, std::string> labels) {
  ContainerSummary c;
  c.id = "id-" + name;
  c.names = {"/" + name};
  c.labels = std::move(labels);
  return c;
}

PolicySpec Spec(const std::string& selector = "") {
  PolicySpec s;
  s.label_prefix = "dockward.io/backup.";
  if (!selector.empty()) {
    REQUIRE(dw::meta::LabelSelector::Parse(selector, &s.selector).ok());
    s.selector_empty = false;
  }
  return s;
}

}  // namespace

TEST_CASE("container names drop the leading slash and fall back to the id", "[policy_targets]") {
  CHECK(ContainerName(C("db", {})) == "db");
  ContainerSummary unnamed;
  unnamed.id = "abc123";
  CHECK(ContainerName(unnamed) == "abc123");
}

TEST_CASE("only containers with an engine label that match the selector are selected",
          "[policy_targets]") {
  auto any = Spec();
  CHECK(SelectContainer(any, C("a", {{"dockward.io/backup.engine", "postgres"}})));
  CHECK(SelectContainer(any, C("b", {{"baktainer.db.engine", "mysql"}})));
  CHECK_FALSE(SelectContainer(any, C("c", {{"app", "web"}})));
  CHECK_FALSE(SelectContainer(any, C("d", {{"other.prefix/engine", "postgres"}})));

  auto prod = Spec("env=prod,tier notin (scratch)");
  CHECK(SelectContainer(prod, C("a", {{"dockward.io/backup.engine", "postgres"}, {"env", "prod"}})));
  CHECK_FALSE(SelectContainer(prod, C("a", {{"dockward.io/backup.engine", "postgres"}, {"env", "dev"}})));
  CHECK_FALSE(SelectContainer(prod, C("a", {{"dockward.io/backup.engine", "postgres"},
                                            {"env", "prod"}, {"tier", "scratch"}})));
  // The selector alone never selects a container without an engine label.
  CHECK_FALSE(SelectContainer(prod, C("a", {{"env", "prod"}})));

  auto custom = Spec();
  custom.label_prefix = "example.com/bk.";
  CHECK(SelectContainer(custom, C("a", {{"example.com/bk.engine", "redis"}})));
  CHECK_FALSE(SelectContainer(custom, C("a", {{"dockward.io/backup.engine", "redis"}})));
}

TEST_CASE("selected containers become sorted targets with keys", "[policy_targets]") {
  std::vector<ContainerSummary> cs = {
      C("zeta", {{"dockward.io/backup.engine", "mysql"}, {"dockward.io/backup.databases", "app,audit"}}),
      C("alpha", {{"baktainer.db.engine", "mysql"}, {"baktainer.db.name", "shop"}, {"baktainer.name", "shopdb"}}),
      C("web", {{"app", "nginx"}}),
  };
  auto ts = ResolveTargets(Spec(), "local", cs);
  REQUIRE(ts.size() == 2);
  CHECK(ts[0].container == "alpha");
  CHECK(ts[0].host == "local");
  CHECK(ts[0].engine == "mysql");
  CHECK(ts[0].name == "shopdb");
  CHECK(ts[0].databases == std::vector<std::string>{"shop"});
  CHECK(ts[0].key == TargetKey("local", "alpha", "shopdb"));
  CHECK(ts[0].valid());
  CHECK(ts[1].container == "zeta");
  CHECK(ts[1].name == "zeta");
  CHECK(ts[1].databases == std::vector<std::string>{"app", "audit"});
  CHECK(ts[1].key == TargetKey("local", "zeta", "zeta"));
  CHECK(ts[1].key.size() == 16);
}

TEST_CASE("all-databases targets have no database list", "[policy_targets]") {
  auto ts = ResolveTargets(Spec(), "h", {C("pg", {{"dockward.io/backup.engine", "postgres"},
                                                   {"dockward.io/backup.all-databases", "true"}})});
  REQUIRE(ts.size() == 1);
  CHECK(ts[0].valid());
  CHECK(ts[0].databases.empty());
}

TEST_CASE("hostile label values become a quoted error, never a target", "[policy_targets]") {
  const std::vector<std::string> hostile = {"; rm -rf /", "$(reboot)", "a\nb", "`id`",
                                            std::string(5000, 'x'), "\"quoted\""};
  for (const auto& v : hostile) {
    auto ts = ResolveTargets(Spec(), "local",
                             {C("db", {{"dockward.io/backup.engine", "postgres"},
                                       {"dockward.io/backup.databases", v}})});
    REQUIRE(ts.size() == 1);
    INFO(ts[0].error);
    CHECK_FALSE(ts[0].valid());
    CHECK(ts[0].key.empty());
    CHECK(ts[0].name == "db");
    CHECK(ts[0].error.find("dockward.io/backup.databases") != std::string::npos);
    CHECK(ts[0].error.find('\n') == std::string::npos);
    CHECK(ts[0].error.size() < 400);
    // The value only ever appears through QuoteForMessage (escaped, bounded).
    CHECK(ts[0].error.find(dw::backup::QuoteForMessage(v)) != std::string::npos);
  }
  auto unknown = ResolveTargets(Spec(), "local", {C("db", {{"dockward.io/backup.engine", "oracle"}})});
  REQUIRE(unknown.size() == 1);
  CHECK_FALSE(unknown[0].valid());
}
