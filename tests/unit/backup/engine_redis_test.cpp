#include <catch2/catch.hpp>

#include "reconcilers/backup/engine_registry.h"

using dw::Code;
using dw::backup::BackupTarget;
using dw::backup::Credentials;
using dw::backup::DatabaseEngine;
using dw::backup::ExecSpec;
using dw::backup::FindEngine;
using dw::backup::RestorePlan;
using dw::backup::RestoreStep;
using Argv = std::vector<std::string>;

namespace {
const DatabaseEngine& Redis() {
  const DatabaseEngine* e = FindEngine("redis");
  REQUIRE(e != nullptr);
  return *e;
}
}  // namespace

TEST_CASE("redis dump streams an RDB to stdout", "[engine][redis]") {
  BackupTarget t;
  t.engine = "redis";
  ExecSpec spec;
  REQUIRE(Redis().DumpCommand(t, Credentials{}, &spec).ok());
  CHECK(spec.argv == Argv{"redis-cli", "--rdb", "-"});
  CHECK(spec.env.empty());

  REQUIRE(Redis().DumpCommand(t, Credentials{"backup", "pw"}, &spec).ok());
  CHECK(spec.argv == Argv{"redis-cli", "--user", "backup", "--rdb", "-"});
  CHECK(spec.env == Argv{"REDISCLI_AUTH=pw"});
}

TEST_CASE("redis rejects databases, paths and hostile users", "[engine][redis]") {
  ExecSpec spec;
  BackupTarget dbs;
  dbs.databases = {"0"};
  CHECK(Redis().DumpCommand(dbs, Credentials{}, &spec).code() == Code::kInvalid);
  BackupTarget path;
  path.sqlite_path = "/data/dump.rdb";
  CHECK(Redis().DumpCommand(path, Credentials{}, &spec).code() == Code::kInvalid);
  for (std::string bad : {"--rdb", "-h", "a b", "$(id)"}) {
    BackupTarget t;
    t.user = bad;
    CHECK(Redis().DumpCommand(t, Credentials{}, &spec).code() == Code::kInvalid);
  }
}

TEST_CASE("redis restore is stop, copy, start", "[engine][redis]") {
  RestorePlan plan;
  REQUIRE(Redis().RestoreCommand(BackupTarget{}, Credentials{}, &plan).ok());
  REQUIRE(plan.steps.size() == 3);
  CHECK(plan.steps[0].kind == RestoreStep::Kind::kStopContainer);
  CHECK(plan.steps[1].kind == RestoreStep::Kind::kCopyDumpToFile);
  CHECK(plan.steps[1].path == "/data/dump.rdb");
  CHECK(plan.steps[2].kind == RestoreStep::Kind::kStartContainer);
  CHECK(plan.note.find("appendonly") != std::string::npos);

  ExecSpec v;
  REQUIRE(Redis().VersionCommand(&v).ok());
  CHECK(v.argv == Argv{"redis-cli", "--version"});
}

TEST_CASE("registry knows exactly the supported engines", "[engine][registry]") {
  CHECK(dw::backup::SupportedEngineList() == "postgres, mysql, mariadb, sqlite, redis");
  for (auto name : dw::backup::SupportedEngines()) {
    const DatabaseEngine* e = FindEngine(name);
    REQUIRE(e != nullptr);
    CHECK(e->name() == name);
  }
  CHECK(FindEngine("postgresql") == FindEngine("postgres"));
  CHECK(FindEngine("mongodb") == nullptr);
  CHECK(FindEngine("Postgres") == nullptr);
  const DatabaseEngine* e = nullptr;
  auto st = dw::backup::LookupEngine("mongodb", &e);
  CHECK(st.code() == Code::kInvalid);
  CHECK(st.message() == "engine \"mongodb\" is not supported; supported: postgres, mysql, mariadb, sqlite, redis");
}
