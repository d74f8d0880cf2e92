#include "reconcilers/backup/engine_mysql.h"

#include "reconcilers/backup/dump_check.h"

namespace dw::backup {
namespace {
constexpr std::string_view kDefaultUser = "root";
}

Status MySqlEngine::Validate(const BackupTarget& t) const {
  const std::string engine(name());
  if (!t.sqlite_path.empty()) return Status::Invalid(engine + ": path applies only to sqlite");
  if (t.all_databases && !t.databases.empty()) {
    return Status::Invalid(engine + ": set either databases or all-databases, not both");
  }
  if (!t.all_databases && t.databases.empty()) {
    return Status::Invalid(engine + ": name at least one database or set all-databases=true");
  }
  DW_RETURN_IF_ERROR(ValidateDatabases(t));
  std::string user;
  return ResolveUser(t, Credentials{}, kDefaultUser, &user);
}

Status MySqlEngine::DumpCommand(const BackupTarget& t, const Credentials& creds,
                                ExecSpec* out) const {
  DW_RETURN_IF_ERROR(Validate(t));
  std::string user;
  DW_RETURN_IF_ERROR(BeginLoginExec(t, creds, kDefaultUser, "MYSQL_PWD", out, &user));
  out->argv = {DumpTool(), "--single-transaction", "--routines", "--triggers", "--events",
               "-u", user};
  if (t.all_databases) {
    out->argv.push_back("--all-databases");
  } else {
    out->argv.push_back("--databases");
    out->argv.insert(out->argv.end(), t.databases.begin(), t.databases.end());
  }
  return Status::OK();
}

Status MySqlEngine::RestoreCommand(const BackupTarget& t, const Credentials& creds,
                                   RestorePlan* out) const {
  DW_RETURN_IF_ERROR(Validate(t));
  *out = RestorePlan{};
  std::string user;
  RestoreStep step;
  step.kind = RestoreStep::Kind::kExecWithDump;
  DW_RETURN_IF_ERROR(BeginLoginExec(t, creds, kDefaultUser, "MYSQL_PWD", &step.exec, &user));
  step.exec.argv = {Client(), "-u", user};
  out->steps.push_back(std::move(step));
  out->note = "the dump recreates its databases (CREATE DATABASE IF NOT EXISTS + USE); "
              "existing tables of the same name are dropped and replaced";
  return Status::OK();
}

Status MySqlEngine::VersionCommand(ExecSpec* out) const {
  *out = ExecSpec{{DumpTool(), "--version"}, {}, ""};
  return Status::OK();
}

std::unique_ptr<DumpCheck> MySqlEngine::NewDumpCheck(const BackupTarget&) const {
  return NewMySqlDumpCheck(std::string(name()));
}

// Over the default socket, like the restore (servers may run with
// --skip-networking). mysqladmin ping exits 0 even on "access denied": the
// server answers, which is all readiness means.
Status MySqlEngine::ReadyCommand(const BackupTarget& t, const Credentials& creds,
                                 ExecSpec* out) const {
  DW_RETURN_IF_ERROR(Validate(t));
  std::string user;
  DW_RETURN_IF_ERROR(BeginLoginExec(t, creds, kDefaultUser, "MYSQL_PWD", out, &user));
  out->argv = {Admin(), "-u", user, "ping"};
  return Status::OK();
}

Status MySqlEngine::CheckCommand(const BackupTarget& t, const Credentials& creds,
                                 const std::string& query, ExecSpec* out) const {
  DW_RETURN_IF_ERROR(Validate(t));
  std::string q;
  DW_RETURN_IF_ERROR(ResolveCheckQuery(name(), query, &q));
  std::string user;
  DW_RETURN_IF_ERROR(BeginLoginExec(t, creds, kDefaultUser, "MYSQL_PWD", out, &user));
  out->argv = {Client(), "--batch", "--skip-column-names", "-u", user};
  if (!t.all_databases) out->argv.insert(out->argv.end(), {"-D", t.databases[0]});
  out->argv.insert(out->argv.end(), {"-e", q});
  return Status::OK();
}

}  // namespace dw::backup
