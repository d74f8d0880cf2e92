// Redis: `redis-cli --rdb -` streams a fresh RDB snapshot to stdout. Writing
// to "-" needs redis-cli >= 7.0; older clients treat "-" as a file name.
// The password travels in REDISCLI_AUTH; an ACL user, if any, is --user.
// An RDB cannot be fed to a running server: restore is stop the container,
// place the file as the data directory's dump.rdb (Docker archive API,
// default /data/dump.rdb as in the official image), start the container.
// If the server runs with appendonly yes it loads the AOF instead and ignores
// the RDB; the plan's note says so.
// Option safety: the user is an identifier (no leading '-'), own argv element.
#pragma once

#include "reconcilers/backup/engine.h"

namespace dw::backup {

class RedisEngine final : public DatabaseEngine {
 public:
  static constexpr std::string_view kRdbPath = "/data/dump.rdb";

  std::string_view name() const override { return "redis"; }
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
