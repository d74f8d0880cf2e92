#include <catch2/catch.hpp>

#include "reconcilers/backup/engine_registry.h"
#include "reconcilers/backup/engine_sqlite.h"

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

const DatabaseEngine& Sqlite() {
  const DatabaseEngine* e = FindEngine("sqlite");
  REQUIRE(e != nullptr);
  return *e;
}

BackupTarget AtPath(std::string path) {
  BackupTarget t;
  t.engine = "sqlite";
  t.sqlite_path = std::move(path);
  return t;
}

}  // namespace

TEST_CASE("sqlite dump passes the path as one argv element", "[engine][sqlite]") {
  ExecSpec spec;
  REQUIRE(Sqlite().DumpCommand(AtPath("/data/app.db"), Credentials{"u", "p"}, &spec).ok());
  CHECK(spec.argv == Argv{"sqlite3", "-readonly", "/data/app.db", ".dump"});
  CHECK(spec.env.empty());
  // Shell metacharacters are harmless in one argv element: kept verbatim.
  REQUIRE(Sqlite().DumpCommand(AtPath("/data/$(reboot) it's;.db"), Credentials{}, &spec).ok());
  CHECK(spec.argv == Argv{"sqlite3", "-readonly", "/data/$(reboot) it's;.db", ".dump"});
}

TEST_CASE("sqlite rejects hostile or unusable paths", "[engine][sqlite]") {
  ExecSpec spec;
  for (std::string bad : std::vector<std::string>{"", "app.db", "-readonly", "--help", "/data/a\nb.db", "/data/a\rb.db",
                          std::string("/data/a\0b.db", 12), "/data/../etc/passwd", "/data/./x",
                          "/data/", "/" + std::string(5000, 'a')}) {
    INFO(bad);
    auto st = Sqlite().DumpCommand(AtPath(bad), Credentials{}, &spec);
    CHECK(st.code() == Code::kInvalid);
    CHECK(st.message().find('\n') == std::string::npos);
  }
  BackupTarget with_db = AtPath("/data/app.db");
  with_db.databases = {"main"};
  CHECK(Sqlite().DumpCommand(with_db, Credentials{}, &spec).code() == Code::kInvalid);
}

TEST_CASE("sqlite restore builds a fresh file and renames it", "[engine][sqlite]") {
  RestorePlan plan;
  REQUIRE(Sqlite().RestoreCommand(AtPath("/data/app.db"), Credentials{}, &plan).ok());
  REQUIRE(plan.steps.size() == 3);
  CHECK(plan.steps[0].kind == RestoreStep::Kind::kExec);
  CHECK(plan.steps[0].exec.argv == Argv{"rm", "-f", "--", "/data/app.db.dockward-restore"});
  CHECK(plan.steps[1].kind == RestoreStep::Kind::kExecWithDump);
  CHECK(plan.steps[1].exec.argv == Argv{"sqlite3", "-bail", "/data/app.db.dockward-restore"});
  CHECK(plan.steps[2].kind == RestoreStep::Kind::kExec);
  CHECK(plan.steps[2].exec.argv ==
        Argv{"mv", "-f", "--", "/data/app.db.dockward-restore", "/data/app.db"});

  ExecSpec v;
  REQUIRE(Sqlite().VersionCommand(&v).ok());
  CHECK(v.argv == Argv{"sqlite3", "--version"});
}
