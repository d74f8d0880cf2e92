// PostgreSQL: pg_dump (one database, plain SQL) or pg_dumpall (the cluster),
// restored with psql from stdin. The password travels in PGPASSWORD and
// --no-password makes a missing/wrong one fail instead of prompting.
// Option safety: users and databases are identifiers (no leading '-', no
// '='), each passed as the value of -U / -d in its own argv element, so
// libpq never parses a database name as a connection string.
#pragma once

#include "reconcilers/backup/engine.h"

namespace dw::backup {

class PostgresEngine final : public DatabaseEngine {
 public:
  std::string_view name() const override { return "postgres"; }
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
};

}  // namespace dw::backup
