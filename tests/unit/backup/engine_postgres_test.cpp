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

const DatabaseEngine& Pg() {
  const DatabaseEngine* e = FindEngine("postgres");
  REQUIRE(e != nullptr);
  return *e;
}

BackupTarget OneDb(std::string db, std::string user = "app") {
  BackupTarget t;
  t.engine = "postgres";
  t.databases = {std::move(db)};
  t.user = std::move(user);
  return t;
}

}  // namespace

TEST_CASE("postgres single-database dump argv and env", "[engine][postgres]") {
  ExecSpec spec;
  REQUIRE(Pg().DumpCommand(OneDb("shop"), Credentials{"ignored", "s3cret"}, &spec).ok());
  CHECK(spec.argv == Argv{"pg_dump", "--format=plain", "--no-password", "-U", "app", "-d", "shop"});
  CHECK(spec.env == Argv{"PGPASSWORD=s3cret"});
  CHECK(spec.user.empty());
}

TEST_CASE("postgres user falls back to credentials then to postgres", "[engine][postgres]") {
  ExecSpec spec;
  REQUIRE(Pg().DumpCommand(OneDb("shop", ""), Credentials{"owner", ""}, &spec).ok());
  CHECK(spec.argv == Argv{"pg_dump", "--format=plain", "--no-password", "-U", "owner", "-d", "shop"});
  CHECK(spec.env.empty());
  REQUIRE(Pg().DumpCommand(OneDb("shop", ""), Credentials{}, &spec).ok());
  CHECK(spec.argv[4] == "postgres");
}

TEST_CASE("postgres all-databases uses pg_dumpall", "[engine][postgres]") {
  BackupTarget t;
  t.engine = "postgres";
  t.all_databases = true;
  ExecSpec spec;
  REQUIRE(Pg().DumpCommand(t, Credentials{"", "pw"}, &spec).ok());
  CHECK(spec.argv == Argv{"pg_dumpall", "--no-password", "-U", "postgres"});
  CHECK(spec.env == Argv{"PGPASSWORD=pw"});
}

TEST_CASE("postgres restore plans", "[engine][postgres]") {
  RestorePlan plan;
  REQUIRE(Pg().RestoreCommand(OneDb("shop"), Credentials{"", "pw"}, &plan).ok());
  REQUIRE(plan.steps.size() == 1);
  CHECK(plan.steps[0].kind == RestoreStep::Kind::kExecWithDump);
  CHECK(plan.steps[0].exec.argv ==
        Argv{"psql", "-v", "ON_ERROR_STOP=1", "--no-password", "-U", "app", "-d", "shop"});
  CHECK(plan.steps[0].exec.env == Argv{"PGPASSWORD=pw"});

  BackupTarget all;
  all.all_databases = true;
  REQUIRE(Pg().RestoreCommand(all, Credentials{}, &plan).ok());
  REQUIRE(plan.steps.size() == 1);
  CHECK(plan.steps[0].exec.argv == Argv{"psql", "--no-password", "-U", "postgres", "-d", "postgres"});
  CHECK_FALSE(plan.note.empty());
}

TEST_CASE("postgres version command", "[engine][postgres]") {
  ExecSpec spec;
  REQUIRE(Pg().VersionCommand(&spec).ok());
  CHECK(spec.argv == Argv{"pg_dump", "--version"});
}

TEST_CASE("postgres rejects bad target shapes", "[engine][postgres]") {
  ExecSpec spec;
  BackupTarget two = OneDb("a");
  two.databases.push_back("b");
  auto st = Pg().DumpCommand(two, Credentials{}, &spec);
  CHECK(st.code() == Code::kInvalid);
  CHECK(st.message().find("exactly one database") != std::string::npos);

  BackupTarget none;
  CHECK(Pg().DumpCommand(none, Credentials{}, &spec).code() == Code::kInvalid);

  BackupTarget both = OneDb("a");
  both.all_databases = true;
  CHECK(Pg().DumpCommand(both, Credentials{}, &spec).message().find("not both") != std::string::npos);

  BackupTarget path = OneDb("a");
  path.sqlite_path = "/x.db";
  CHECK(Pg().DumpCommand(path, Credentials{}, &spec).code() == Code::kInvalid);
}

TEST_CASE("postgres re-validates values that bypass the label parser", "[engine][postgres]") {
  ExecSpec spec;
  for (std::string bad : std::vector<std::string>{"-c", "--help", "host=evil.example", "x;rm -rf /", "$(id)", "a b",
                          std::string("a\0b", 3), std::string(64, 'a')}) {
    INFO(bad);
    CHECK(Pg().DumpCommand(OneDb(bad), Credentials{}, &spec).code() == Code::kInvalid);
    CHECK(Pg().DumpCommand(OneDb("shop", bad), Credentials{}, &spec).code() == Code::kInvalid);
    CHECK(Pg().DumpCommand(OneDb("shop", ""), Credentials{bad, ""}, &spec).code() == Code::kInvalid);
  }
}

TEST_CASE("a password with NUL is rejected without echoing it", "[engine][postgres]") {
  ExecSpec spec;
  auto st = Pg().DumpCommand(OneDb("shop"), Credentials{"", std::string("top\0secret", 10)}, &spec);
  CHECK(st.code() == Code::kInvalid);
  CHECK(st.message().find("top") == std::string::npos);
}

TEST_CASE("postgres picks the cluster check for all-databases", "[engine][postgres]") {
  const std::string single =
      "--\n-- PostgreSQL database dump\n--\n\nSELECT 1;\n\n--\n-- PostgreSQL database dump complete\n--\n\n";
  BackupTarget all;
  all.all_databases = true;
  auto cluster_check = Pg().NewDumpCheck(all);
  cluster_check->Update(single);
  CHECK_FALSE(cluster_check->Finish().ok());
  auto db_check = Pg().NewDumpCheck(OneDb("shop"));
  db_check->Update(single);
  CHECK(db_check->Finish().ok());
}
