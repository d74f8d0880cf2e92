#include <catch2/catch.hpp>

#include "reconcilers/backup/engine_registry.h"
#include "reconcilers/backup/target_labels.h"

using dw::Code;
using dw::backup::BackupTarget;
using dw::backup::Credentials;
using dw::backup::ExecSpec;
using dw::backup::LabelSource;
using dw::backup::ParsedTarget;
using dw::backup::ParseTargetLabels;
using Labels = std::map<std::string, std::string>;
using Argv = std::vector<std::string>;

namespace {

ParsedTarget MustParse(const Labels& labels, std::string_view prefix = "") {
  ParsedTarget out;
  auto st = ParseTargetLabels(labels, prefix, &out);
  INFO(st.ToString());
  REQUIRE(st.ok());
  return out;
}

dw::Status ParseError(const Labels& labels) {
  ParsedTarget out;
  return ParseTargetLabels(labels, "", &out);
}

const std::vector<std::string>& HostileValues() {
  static const std::vector<std::string> values = {
      "; rm -rf /", "$(reboot)", "`id`", "a'b", "a\"b", "a\nb", "a\rb", std::string("a\0b", 3),
      std::string(10240, 'a'), "--help", "-c", "-", "a b", "", "a=b", "a|b", "a&b", "a>b", "\xc3\xa9t\xc3\xa9"};
  return values;
}

}  // namespace

TEST_CASE("dockward labels fill every field", "[labels]") {
  ParsedTarget p = MustParse({{"dockward.io/backup.engine", "postgres"},
                              {"dockward.io/backup.databases", "shop"},
                              {"dockward.io/backup.user", "app"},
                              {"dockward.io/backup.credentials-secret", "shop-db.creds"},
                              {"dockward.io/backup.name", "shop-prod"},
                              {"unrelated", "; rm -rf /"}});
  const BackupTarget& t = p.target;
  CHECK(t.engine == "postgres");
  CHECK(t.databases == Argv{"shop"});
  CHECK_FALSE(t.all_databases);
  CHECK(t.user == "app");
  CHECK(t.credentials_secret == "shop-db.creds");
  CHECK(t.name == "shop-prod");
  CHECK(t.source == LabelSource::kDockward);
  CHECK(p.warnings.empty());
}

TEST_CASE("the label prefix is configurable", "[labels]") {
  Labels labels = {{"acme.io/db.engine", "mysql"}, {"acme.io/db.databases", "a, b ,c"},
                   {"dockward.io/backup.engine", "redis"}};
  ParsedTarget p = MustParse(labels, "acme.io/db.");
  CHECK(p.target.engine == "mysql");
  CHECK(p.target.databases == Argv{"a", "b", "c"});
}

TEST_CASE("baktainer-only labels work", "[labels][baktainer]") {
  ParsedTarget p = MustParse({{"baktainer.backup", "true"},
                              {"baktainer.db.engine", "postgresql"},
                              {"baktainer.db.name", "shop"},
                              {"baktainer.db.user", "app"},
                              {"baktainer.name", "legacy"}});
  CHECK(p.target.engine == "postgres");
  CHECK(p.target.databases == Argv{"shop"});
  CHECK(p.target.user == "app");
  CHECK(p.target.name == "legacy");
  CHECK(p.target.source == LabelSource::kBaktainer);

  ParsedTarget all = MustParse({{"baktainer.db.engine", "postgres"}, {"baktainer.db.all", "true"}});
  CHECK(all.target.all_databases);

  ParsedTarget lite = MustParse({{"baktainer.db.engine", "sqlite"}, {"baktainer.db.name", "/data/app.db"}});
  CHECK(lite.target.sqlite_path == "/data/app.db");
  CHECK(lite.target.databases.empty());
}

TEST_CASE("with both label sets, dockward's win per field", "[labels][baktainer]") {
  ParsedTarget p = MustParse({{"baktainer.db.engine", "mysql"},
                              {"baktainer.db.name", "old"},
                              {"baktainer.db.user", "legacy"},
                              {"dockward.io/backup.engine", "mariadb"},
                              {"dockward.io/backup.databases", "new"}});
  CHECK(p.target.engine == "mariadb");
  CHECK(p.target.databases == Argv{"new"});
  CHECK(p.target.user == "legacy");
  CHECK(p.target.source == LabelSource::kMixed);

  ParsedTarget lite = MustParse({{"baktainer.db.engine", "sqlite"},
                                 {"baktainer.db.name", "/old.db"},
                                 {"dockward.io/backup.path", "/new.db"}});
  CHECK(lite.target.sqlite_path == "/new.db");
}

TEST_CASE("password labels are ignored with a warning", "[labels][baktainer]") {
  ParsedTarget p = MustParse({{"baktainer.db.engine", "mysql"},
                              {"baktainer.db.name", "shop"},
                              {"baktainer.db.password", "hunter2"},
                              {"dockward.io/backup.password", "hunter3"}});
  REQUIRE(p.warnings.size() == 2);
  CHECK(p.warnings[0].find("\"baktainer.db.password\" is ignored") != std::string::npos);
  CHECK(p.warnings[1].find("\"dockward.io/backup.password\" is ignored") != std::string::npos);
  for (const auto& w : p.warnings) CHECK(w.find("hunter") == std::string::npos);
  // The password must not reach any command either.
  ExecSpec spec;
  REQUIRE(dw::backup::FindEngine("mysql")->DumpCommand(p.target, Credentials{}, &spec).ok());
  for (const auto& a : spec.argv) CHECK(a.find("hunter") == std::string::npos);
  CHECK(spec.env.empty());
}

TEST_CASE("every hostile value of every label is rejected naming the label", "[labels][hostile]") {
  // Base label sets that parse cleanly; each hostile value replaces one label.
  const Labels pg = {{"dockward.io/backup.engine", "postgres"}, {"dockward.io/backup.databases", "shop"}};
  const Labels bak = {{"baktainer.db.engine", "postgres"}, {"baktainer.db.name", "shop"}};
  const std::vector<std::pair<Labels, std::string>> cases = {
      {pg, "dockward.io/backup.engine"},   {pg, "dockward.io/backup.databases"},
      {pg, "dockward.io/backup.user"},     {pg, "dockward.io/backup.all-databases"},
      {pg, "dockward.io/backup.name"},     {pg, "dockward.io/backup.credentials-secret"},
      {bak, "baktainer.db.engine"},        {bak, "baktainer.db.name"},
      {bak, "baktainer.db.user"},          {bak, "baktainer.db.all"},
      {bak, "baktainer.name"},
  };
  for (const auto& [base, label] : cases) {
    for (const auto& value : HostileValues()) {
      Labels labels = base;
      labels[label] = value;
      auto st = ParseError(labels);
      INFO(label << " = " << dw::backup::QuoteForMessage(value) << " -> " << st.ToString());
      REQUIRE(st.code() == Code::kInvalid);
      CHECK(st.message().find("\"" + label + "\"") != std::string::npos);
      CHECK(st.message().find('\n') == std::string::npos);
      CHECK(st.message().find('\0') == std::string::npos);
      CHECK(st.message().size() < 400);
    }
  }
}

TEST_CASE("hostile sqlite paths are rejected or stay one argv element", "[labels][hostile]") {
  for (const auto& value : HostileValues()) {
    Labels labels = {{"dockward.io/backup.engine", "sqlite"}, {"dockward.io/backup.path", value}};
    auto st = ParseError(labels);
    INFO(dw::backup::QuoteForMessage(value));
    CHECK(st.code() == Code::kInvalid);  // none of them is an absolute path
    CHECK(st.message().find("\"dockward.io/backup.path\"") != std::string::npos);
  }
  // Absolute but full of shell syntax: accepted, and passed verbatim as one element.
  const std::string odd = "/data/x; rm -rf / $(reboot) `id` 'q\".db";
  ParsedTarget p = MustParse({{"dockward.io/backup.engine", "sqlite"}, {"dockward.io/backup.path", odd}});
  ExecSpec spec;
  REQUIRE(dw::backup::FindEngine("sqlite")->DumpCommand(p.target, Credentials{}, &spec).ok());
  CHECK(spec.argv == Argv{"sqlite3", "-readonly", odd, ".dump"});
  for (std::string bad : std::vector<std::string>{"/data/\n.db", "/data/../x.db", "/" + std::string(4096, 'a')}) {
    CHECK(ParseError({{"dockward.io/backup.engine", "sqlite"}, {"dockward.io/backup.path", bad}}).code() ==
          Code::kInvalid);
  }
}

TEST_CASE("rule messages are exact", "[labels]") {
  auto st = ParseError({{"dockward.io/backup.engine", "postgres"}, {"dockward.io/backup.databases", "-c"}});
  CHECK(st.message() ==
        "label \"dockward.io/backup.databases\": value \"-c\" rejected: must match "
        "^[A-Za-z0-9_][A-Za-z0-9_$.-]{0,62}$ (letters, digits, _ $ . -; 1-63 characters; "
        "not starting with '-')");
  st = ParseError({{"baktainer.db.engine", "mongodb"}});
  CHECK(st.message() == "label \"baktainer.db.engine\": value \"mongodb\" rejected: unsupported "
                        "engine; supported: postgres, mysql, mariadb, sqlite, redis");
  st = ParseError({{"dockward.io/backup.engine", "postgres"}, {"dockward.io/backup.user", "a\nb"}});
  CHECK(st.message().find("value \"a\\x0ab\" rejected") != std::string::npos);
  st = ParseError({{"dockward.io/backup.engine", "postgres"},
                   {"dockward.io/backup.databases", std::string(10240, 'x')}});
  CHECK(st.message().find("(10240 bytes, truncated)") != std::string::npos);
  st = ParseError({{"dockward.io/backup.engine", "postgres"}, {"dockward.io/backup.all-databases", "yes"}});
  CHECK(st.message() == "label \"dockward.io/backup.all-databases\": value \"yes\" rejected: must be "
                        "\"true\" or \"false\"");
}

TEST_CASE("label combinations", "[labels]") {
  CHECK(ParseError({}).message() ==
        "no engine label: set \"dockward.io/backup.engine\" (or \"baktainer.db.engine\")");
  CHECK(ParseError({{"dockward.io/backup.engine", "postgres"}}).code() == Code::kInvalid);
  CHECK(ParseError({{"dockward.io/backup.engine", "postgres"}, {"dockward.io/backup.databases", "a,,b"}})
            .code() == Code::kInvalid);
  CHECK(ParseError({{"dockward.io/backup.engine", "mysql"}, {"dockward.io/backup.databases", "a,a"}})
            .message().find("listed twice") != std::string::npos);
  CHECK(ParseError({{"dockward.io/backup.engine", "sqlite"}}).message() ==
        "sqlite: path (the database file) is required");
  ParsedTarget r = MustParse({{"dockward.io/backup.engine", "redis"}});
  CHECK(r.target.engine == "redis");
  CHECK(ParseError({{"dockward.io/backup.engine", "mysql"}, {"dockward.io/backup.databases", "a"},
                    {"dockward.io/backup.all-databases", "true"}})
            .message().find("not both") != std::string::npos);
}
