// ReadyCommand / CheckCommand of every engine (used by the restore test),
// and the check-query rules that keep a query one argv element with no way
// back to a shell.
#include <catch2/catch.hpp>

#include "reconcilers/backup/engine_registry.h"

using dw::Code;
using dw::backup::BackupTarget;
using dw::backup::Credentials;
using dw::backup::DatabaseEngine;
using dw::backup::DefaultCheckQuery;
using dw::backup::ExecSpec;
using dw::backup::FindEngine;
using dw::backup::ValidateCheckQuery;
using Argv = std::vector<std::string>;

namespace {

const DatabaseEngine& Engine(const char* name) {
  const DatabaseEngine* e = FindEngine(name);
  REQUIRE(e != nullptr);
  return *e;
}

BackupTarget Target(std::string engine, std::vector<std::string> dbs, std::string user = "") {
  BackupTarget t;
  t.engine = std::move(engine);
  t.databases = std::move(dbs);
  t.user = std::move(user);
  return t;
}

BackupTarget Sqlite(std::string path) {
  BackupTarget t;
  t.engine = "sqlite";
  t.sqlite_path = std::move(path);
  return t;
}

}  // namespace

TEST_CASE("postgres ready and check commands", "[engine][runner]") {
  ExecSpec spec;
  REQUIRE(Engine("postgres").ReadyCommand(Target("postgres", {"shop"}, "app"),
                                          Credentials{"", "pw"}, &spec).ok());
  CHECK(spec.argv == Argv{"pg_isready", "-U", "app", "-d", "shop"});
  CHECK(spec.env.empty());  // pg_isready never authenticates

  REQUIRE(Engine("postgres").CheckCommand(Target("postgres", {"shop"}, "app"),
                                          Credentials{"", "pw"},
                                          "SELECT count(*) FROM orders; -- x", &spec).ok());
  CHECK(spec.argv == Argv{"psql", "-X", "--no-password", "-v", "ON_ERROR_STOP=1", "--no-align",
                          "--tuples-only", "-U", "app", "-d", "shop", "-c",
                          "SELECT count(*) FROM orders; -- x"});
  CHECK(spec.env == Argv{"PGPASSWORD=pw"});

  BackupTarget all;
  all.engine = "postgres";
  all.all_databases = true;
  REQUIRE(Engine("postgres").CheckCommand(all, Credentials{}, "", &spec).ok());
  CHECK(spec.argv == Argv{"psql", "-X", "--no-password", "-v", "ON_ERROR_STOP=1", "--no-align",
                          "--tuples-only", "-U", "postgres", "-d", "postgres", "-c", "SELECT 1"});
  REQUIRE(Engine("postgres").ReadyCommand(all, Credentials{}, &spec).ok());
  CHECK(spec.argv == Argv{"pg_isready", "-U", "postgres", "-d", "postgres"});
}

TEST_CASE("mysql and mariadb ready and check commands", "[engine][runner]") {
  ExecSpec spec;
  REQUIRE(Engine("mysql").ReadyCommand(Target("mysql", {"shop"}), Credentials{"", "pw"}, &spec).ok());
  CHECK(spec.argv == Argv{"mysqladmin", "-u", "root", "ping"});
  CHECK(spec.env == Argv{"MYSQL_PWD=pw"});
  REQUIRE(Engine("mariadb").ReadyCommand(Target("mariadb", {"shop"}, "bk"), Credentials{}, &spec).ok());
  CHECK(spec.argv == Argv{"mariadb-admin", "-u", "bk", "ping"});
  CHECK(spec.env.empty());

  REQUIRE(Engine("mariadb").CheckCommand(Target("mariadb", {"shop", "crm"}, "bk"),
                                         Credentials{"", "pw"}, "select count(*) from t", &spec)
              .ok());
  CHECK(spec.argv == Argv{"mariadb", "--batch", "--skip-column-names", "-u", "bk", "-D", "shop",
                          "-e", "select count(*) from t"});
  CHECK(spec.env == Argv{"MYSQL_PWD=pw"});

  BackupTarget all;
  all.engine = "mysql";
  all.all_databases = true;
  REQUIRE(Engine("mysql").CheckCommand(all, Credentials{}, "", &spec).ok());
  CHECK(spec.argv == Argv{"mysql", "--batch", "--skip-column-names", "-u", "root", "-e", "SELECT 1"});
}

TEST_CASE("sqlite ready and check commands", "[engine][runner]") {
  ExecSpec spec;
  REQUIRE(Engine("sqlite").ReadyCommand(Sqlite("/data/app.db"), Credentials{}, &spec).ok());
  CHECK(spec.argv == Argv{"sqlite3", "/data/app.db", "select 1"});
  REQUIRE(Engine("sqlite").CheckCommand(Sqlite("/data/app.db"), Credentials{}, "", &spec).ok());
  CHECK(spec.argv == Argv{"sqlite3", "-readonly", "-bail", "/data/app.db", "PRAGMA integrity_check"});
  REQUIRE(Engine("sqlite").CheckCommand(Sqlite("/data/app.db"), Credentials{},
                                        "select count(*) from t where x = '$(id)'", &spec).ok());
  CHECK(spec.argv.back() == "select count(*) from t where x = '$(id)'");
  CHECK(Engine("sqlite").ReadyCommand(Sqlite("relative.db"), Credentials{}, &spec).code() ==
        Code::kInvalid);
}

TEST_CASE("redis ready and check commands split the query into words", "[engine][runner]") {
  BackupTarget t;
  t.engine = "redis";
  ExecSpec spec;
  REQUIRE(Engine("redis").ReadyCommand(t, Credentials{}, &spec).ok());
  CHECK(spec.argv == Argv{"redis-cli", "ping"});
  REQUIRE(Engine("redis").CheckCommand(t, Credentials{}, "", &spec).ok());
  CHECK(spec.argv == Argv{"redis-cli", "DBSIZE"});
  t.user = "backup";
  REQUIRE(Engine("redis").CheckCommand(t, Credentials{"", "pw"}, "  GET \tuser:1  -x ", &spec).ok());
  CHECK(spec.argv == Argv{"redis-cli", "--user", "backup", "GET", "user:1", "-x"});
  CHECK(spec.env == Argv{"REDISCLI_AUTH=pw"});
}

TEST_CASE("default check queries", "[engine][runner]") {
  CHECK(DefaultCheckQuery("postgres") == "SELECT 1");
  CHECK(DefaultCheckQuery("mysql") == "SELECT 1");
  CHECK(DefaultCheckQuery("mariadb") == "SELECT 1");
  CHECK(DefaultCheckQuery("sqlite") == "PRAGMA integrity_check");
  CHECK(DefaultCheckQuery("redis") == "DBSIZE");
}

TEST_CASE("check queries that could reach a shell or an option are rejected", "[engine][runner]") {
  struct Case {
    const char* engine;
    std::string query;
  };
  const std::vector<Case> bad = {
      {"postgres", std::string("SELECT 1\0; x", 12)},
      {"postgres", "SELECT 1\n\\! id"},
      {"postgres", "\\! rm -rf /"},
      {"postgres", "  \\copy t to '/tmp/x'"},
      {"postgres", "--help"},
      {"postgres", "   "},
      {"postgres", std::string(4097, 'x')},
      {"sqlite", ".shell rm -rf /"},
      {"sqlite", " .system id"},
      {"sqlite", "-cmd"},
      {"mysql", "system rm -rf /"},
      {"mysql", "SYSTEM id"},
      {"mariadb", "source /etc/passwd"},
      {"mariadb", "select 1; \\! id"},
      {"mysql", "tee /tmp/out"},
      {"redis", "-h evil.example"},
      {"redis", "GET a\rSET b"},
  };
  for (const auto& c : bad) {
    CAPTURE(c.engine, c.query);
    dw::Status st = ValidateCheckQuery(c.engine, c.query);
    CHECK(st.code() == Code::kInvalid);
    CHECK(st.message().find("check query") != std::string::npos);
  }
  // The same rules hold through CheckCommand, and no argv is produced.
  ExecSpec spec;
  CHECK(Engine("postgres").CheckCommand(Target("postgres", {"shop"}), Credentials{}, "\\! id",
                                        &spec).code() == Code::kInvalid);
  CHECK(Engine("redis").CheckCommand(BackupTarget{}, Credentials{}, "--rdb /tmp/x", &spec).code() ==
        Code::kInvalid);
}

TEST_CASE("ordinary check queries with quotes and shell metacharacters pass as one element",
          "[engine][runner]") {
  for (const char* q : {"SELECT count(*) FROM t WHERE name = '; rm -rf /'",
                        "SELECT '$(reboot)' || `x`", "select 1 -- comment", "SELECT\t1"}) {
    CAPTURE(q);
    CHECK(ValidateCheckQuery("postgres", q).ok());
    CHECK(ValidateCheckQuery("sqlite", q).ok());
  }
  CHECK(ValidateCheckQuery("mysql", "select count(*) from system_users").ok());
  CHECK(ValidateCheckQuery("mysql", "SELECT 'a;b'").ok());
  CHECK(ValidateCheckQuery("redis", "DBSIZE").ok());
}
