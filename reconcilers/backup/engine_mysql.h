// MySQL and MariaDB: mysqldump / mariadb-dump with --single-transaction (a
// consistent InnoDB snapshot without locking), routines, triggers and events;
// restored with the mysql / mariadb client from stdin. The dump always uses
// --databases or --all-databases, so it carries its own CREATE DATABASE/USE
// and the restore needs no database argument. Password via MYSQL_PWD (read
// by both clients), never argv.
// MariaDB uses the mariadb-* names (present since 10.5; the mysql* aliases
// are gone from the 11.x images).
// Option safety: names are identifiers (no leading '-'), one argv element
// each after --databases.
#pragma once

#include "reconcilers/backup/engine.h"

namespace dw::backup {

class MySqlEngine final : public DatabaseEngine {
 public:
  enum class Flavor { kMySql, kMariaDb };
  explicit MySqlEngine(Flavor flavor) : flavor_(flavor) {}

  std::string_view name() const override { return flavor_ == Flavor::kMySql ? "mysql" : "mariadb"; }
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

 private:
  const char* DumpTool() const { return flavor_ == Flavor::kMySql ? "mysqldump" : "mariadb-dump"; }
  const char* Client() const { return flavor_ == Flavor::kMySql ? "mysql" : "mariadb"; }
  const char* Admin() const { return flavor_ == Flavor::kMySql ? "mysqladmin" : "mariadb-admin"; }

  Flavor flavor_;
};

}  // namespace dw::backup
