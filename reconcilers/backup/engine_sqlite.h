// SQLite: `sqlite3 -readonly PATH .dump` (plain SQL on stdout). -readonly
// matters: without it a wrong path makes sqlite3 create an empty database
// and "successfully" dump nothing. Restore builds a fresh file next to the
// original and renames it over it, so a failed restore leaves the old file.
// Option safety: PATH is validated absolute ('/' first, so never an option),
// without control characters, and is its own argv element.
#pragma once

#include "reconcilers/backup/engine.h"

namespace dw::backup {

class SqliteEngine final : public DatabaseEngine {
 public:
  std::string_view name() const override { return "sqlite"; }
  Status Validate(const BackupTarget& target) const override;
  Status DumpCommand(const BackupTarget& target, const Credentials& creds,
                     ExecSpec* out) const override;
  Status RestoreCommand(const BackupTarget& target, const Credentials& creds,
                        RestorePlan* out) const override;
  Status VersionCommand(ExecSpec* out) const override;
  std::unique_ptr<DumpCheck> NewDumpCheck(const BackupTarget& target) const override;
  Status ReadyCommand(const BackupTarget& target, const Credentials& creds,
                      ExecSpec* out) const override;
  Status CheckCommand(const BackupTarget& target, const Credentials& creds,
                      const std::string& query, ExecSpec* out) const override;

  // Where RestoreCommand builds the new database before the rename.
  static std::string RestoreTempPath(const std::string& path) { return path + ".dockward-restore"; }
};

}  // namespace dw::backup
