#include <catch2/catch.hpp>

#include "reconcilers/backup/dump_check.h"
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

const DatabaseEngine& Engine(const char* name) {
  const DatabaseEngine* e = FindEngine(name);
  REQUIRE(e != nullptr);
  return *e;
}

BackupTarget Dbs(std::vector<std::string> dbs) {
  BackupTarget t;
  t.engine = "mysql";
  t.databases = std::move(dbs);
  return t;
}

}  // namespace

TEST_CASE("mysql dump of named databases", "[engine][mysql]") {
  ExecSpec spec;
  BackupTarget t = Dbs({"shop", "crm"});
  t.user = "backup";
  REQUIRE(Engine("mysql").DumpCommand(t, Credentials{"x", "pw"}, &spec).ok());
  CHECK(spec.argv == Argv{"mysqldump", "--single-transaction", "--routines", "--triggers",
                          "--events", "-u", "backup", "--databases", "shop", "crm"});
  CHECK(spec.env == Argv{"MYSQL_PWD=pw"});
}

TEST_CASE("mariadb dump of all databases uses mariadb-dump", "[engine][mysql]") {
  ExecSpec spec;
  BackupTarget t;
  t.all_databases = true;
  REQUIRE(Engine("mariadb").DumpCommand(t, Credentials{}, &spec).ok());
  CHECK(spec.argv == Argv{"mariadb-dump", "--single-transaction", "--routines", "--triggers",
                          "--events", "-u", "root", "--all-databases"});
  CHECK(spec.env.empty());
}

TEST_CASE("mysql and mariadb restore and version", "[engine][mysql]") {
  RestorePlan plan;
  REQUIRE(Engine("mysql").RestoreCommand(Dbs({"shop"}), Credentials{"admin", "pw"}, &plan).ok());
  REQUIRE(plan.steps.size() == 1);
  CHECK(plan.steps[0].kind == RestoreStep::Kind::kExecWithDump);
  CHECK(plan.steps[0].exec.argv == Argv{"mysql", "-u", "admin"});
  CHECK(plan.steps[0].exec.env == Argv{"MYSQL_PWD=pw"});
  REQUIRE(Engine("mariadb").RestoreCommand(Dbs({"shop"}), Credentials{}, &plan).ok());
  CHECK(plan.steps[0].exec.argv == Argv{"mariadb", "-u", "root"});

  ExecSpec v;
  REQUIRE(Engine("mysql").VersionCommand(&v).ok());
  CHECK(v.argv == Argv{"mysqldump", "--version"});
  REQUIRE(Engine("mariadb").VersionCommand(&v).ok());
  CHECK(v.argv == Argv{"mariadb-dump", "--version"});
}

TEST_CASE("mysql rejects bad shapes and hostile names", "[engine][mysql]") {
  ExecSpec spec;
  CHECK(Engine("mysql").DumpCommand(Dbs({}), Credentials{}, &spec).code() == Code::kInvalid);
  BackupTarget both = Dbs({"a"});
  both.all_databases = true;
  CHECK(Engine("mysql").DumpCommand(both, Credentials{}, &spec).code() == Code::kInvalid);
  for (std::string bad : {"--all-databases", "-e", "a`id`", "a'b", "a\nb", ""}) {
    INFO(bad);
    auto st = Engine("mariadb").DumpCommand(Dbs({"ok", bad}), Credentials{}, &spec);
    CHECK(st.code() == Code::kInvalid);
    CHECK(st.message().find("databases") != std::string::npos);
  }
}

TEST_CASE("mysql dump check names the engine", "[engine][mysql]") {
  auto check = Engine("mariadb").NewDumpCheck(Dbs({"a"}));
  check->Update("-- MariaDB dump 10.19\nINSERT INTO t VALUES (1);\n");
  auto st = check->Finish();
  CHECK_FALSE(st.ok());
  CHECK(st.message().rfind("mariadb dump is incomplete", 0) == 0);
}
