#include "reconcilers/backup/engine_postgres.h"

#include "reconcilers/backup/dump_check.h"

namespace dw::backup {
namespace {
constexpr std::string_view kDefaultUser = "postgres";
}

Status PostgresEngine::Validate(const BackupTarget& t) const {
  if (!t.sqlite_path.empty()) return Status::Invalid("postgres: path applies only to sqlite");
  if (t.all_databases && !t.databases.empty()) {
    return Status::Invalid("postgres: set either databases or all-databases, not both");
  }
  if (!t.all_databases && t.databases.size() != 1) {
    return Status::Invalid(
        "postgres: pg_dump dumps exactly one database per run: name one database, "
        "set all-databases=true, or use one target per database");
  }
  DW_RETURN_IF_ERROR(ValidateDatabases(t));
  std::string user;
  return ResolveUser(t, Credentials{}, kDefaultUser, &user);
}

Status PostgresEngine::DumpCommand(const BackupTarget& t, const Credentials& creds,
                                   ExecSpec* out) const {
  DW_RETURN_IF_ERROR(Validate(t));
  std::string user;
  DW_RETURN_IF_ERROR(BeginLoginExec(t, creds, kDefaultUser, "PGPASSWORD", out, &user));
  if (t.all_databases) {
    out->argv = {"pg_dumpall", "--no-password", "-U", user};
  } else {
    out->argv = {"pg_dump", "--format=plain", "--no-password", "-U", user, "-d", t.databases[0]};
  }
  return Status::OK();
}

Status PostgresEngine::RestoreCommand(const BackupTarget& t, const Credentials& creds,
                                      RestorePlan* out) const {
  DW_RETURN_IF_ERROR(Validate(t));
  *out = RestorePlan{};
  std::string user;
  RestoreStep step;
  step.kind = RestoreStep::Kind::kExecWithDump;
  DW_RETURN_IF_ERROR(BeginLoginExec(t, creds, kDefaultUser, "PGPASSWORD", &step.exec, &user));
  if (t.all_databases) {
    // A cluster dump recreates roles that already exist in any fresh cluster
    // (at least the bootstrap superuser), so stopping at the first error
    // would make every cluster restore fail.
    step.exec.argv = {"psql", "--no-password", "-U", user, "-d", "postgres"};
    out->note = "cluster restore: errors such as 'role already exists' are expected and "
                "do not stop the restore; check the psql output";
  } else {
    step.exec.argv = {"psql", "-v", "ON_ERROR_STOP=1", "--no-password", "-U", user,
                      "-d", t.databases[0]};
    out->note = "the database must exist and be empty; the restore stops at the first error";
  }
  out->steps.push_back(std::move(step));
  return Status::OK();
}

Status PostgresEngine::VersionCommand(ExecSpec* out) const {
  *out = ExecSpec{{"pg_dump", "--version"}, {}, ""};
  return Status::OK();
}

std::unique_ptr<DumpCheck> PostgresEngine::NewDumpCheck(const BackupTarget& t) const {
  return NewPostgresDumpCheck(t.all_databases);
}

// Over the default unix socket, like the restore itself: servers run with
// networking off (listen_addresses='') must count as ready. Caveat: the
// official image's first-start initialisation runs a temporary server on the
// socket, so a restore test right after a first start can race it.
Status PostgresEngine::ReadyCommand(const BackupTarget& t, const Credentials& creds,
                                    ExecSpec* out) const {
  DW_RETURN_IF_ERROR(Validate(t));
  std::string user;
  DW_RETURN_IF_ERROR(BeginLoginExec(t, creds, kDefaultUser, "", out, &user));
  const std::string db = t.all_databases ? "postgres" : t.databases[0];
  out->argv = {"pg_isready", "-U", user, "-d", db};
  return Status::OK();
}

Status PostgresEngine::CheckCommand(const BackupTarget& t, const Credentials& creds,
                                    const std::string& query, ExecSpec* out) const {
  DW_RETURN_IF_ERROR(Validate(t));
  std::string q;
  DW_RETURN_IF_ERROR(ResolveCheckQuery(name(), query, &q));
  std::string user;
  DW_RETURN_IF_ERROR(BeginLoginExec(t, creds, kDefaultUser, "PGPASSWORD", out, &user));
  const std::string db = t.all_databases ? "postgres" : t.databases[0];
  out->argv = {"psql", "-X", "--no-password", "-v", "ON_ERROR_STOP=1", "--no-align",
               "--tuples-only", "-U", user, "-d", db, "-c", q};
  return Status::OK();
}

}  // namespace dw::backup
