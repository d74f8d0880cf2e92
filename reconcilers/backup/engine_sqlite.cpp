#include "reconcilers/backup/engine_sqlite.h"

#include "reconcilers/backup/dump_check.h"
#include "reconcilers/backup/target_labels.h"

namespace dw::backup {

Status SqliteEngine::Validate(const BackupTarget& t) const {
  if (t.sqlite_path.empty()) return Status::Invalid("sqlite: path (the database file) is required");
  if (!t.databases.empty() || t.all_databases) {
    return Status::Invalid("sqlite: databases and all-databases do not apply; set path");
  }
  return ValidateAbsolutePath("path", t.sqlite_path);
}

Status SqliteEngine::DumpCommand(const BackupTarget& t, const Credentials&, ExecSpec* out) const {
  DW_RETURN_IF_ERROR(Validate(t));
  *out = ExecSpec{{"sqlite3", "-readonly", t.sqlite_path, ".dump"}, {}, ""};
  return Status::OK();
}

Status SqliteEngine::RestoreCommand(const BackupTarget& t, const Credentials&,
                                    RestorePlan* out) const {
  DW_RETURN_IF_ERROR(Validate(t));
  const std::string tmp = RestoreTempPath(t.sqlite_path);
  *out = RestorePlan{};
  RestoreStep clear{RestoreStep::Kind::kExec, ExecSpec{{"rm", "-f", "--", tmp}, {}, ""}, ""};
  RestoreStep load{RestoreStep::Kind::kExecWithDump, ExecSpec{{"sqlite3", "-bail", tmp}, {}, ""}, ""};
  RestoreStep swap{RestoreStep::Kind::kExec, ExecSpec{{"mv", "-f", "--", tmp, t.sqlite_path}, {}, ""}, ""};
  out->steps = {std::move(clear), std::move(load), std::move(swap)};
  out->note = "stop writers of the database first: the file is replaced by rename, and a "
              "stale -wal/-shm next to it must not belong to the old file";
  return Status::OK();
}

Status SqliteEngine::VersionCommand(ExecSpec* out) const {
  *out = ExecSpec{{"sqlite3", "--version"}, {}, ""};
  return Status::OK();
}

std::unique_ptr<DumpCheck> SqliteEngine::NewDumpCheck(const BackupTarget&) const {
  return NewSqliteDumpCheck();
}

// SQLite has no server: "ready" means sqlite3 runs and can open the file
// (creating an empty one in a fresh container, which the restore replaces).
Status SqliteEngine::ReadyCommand(const BackupTarget& t, const Credentials&, ExecSpec* out) const {
  DW_RETURN_IF_ERROR(Validate(t));
  *out = ExecSpec{{"sqlite3", t.sqlite_path, "select 1"}, {}, ""};
  return Status::OK();
}

// -readonly: a check query must never change the restored database.
Status SqliteEngine::CheckCommand(const BackupTarget& t, const Credentials&,
                                  const std::string& query, ExecSpec* out) const {
  DW_RETURN_IF_ERROR(Validate(t));
  std::string q;
  DW_RETURN_IF_ERROR(ResolveCheckQuery(name(), query, &q));
  *out = ExecSpec{{"sqlite3", "-readonly", "-bail", t.sqlite_path, q}, {}, ""};
  return Status::OK();
}

}  // namespace dw::backup
