#include "reconcilers/backup/engine_redis.h"

#include "reconcilers/backup/dump_check.h"

namespace dw::backup {

Status RedisEngine::Validate(const BackupTarget& t) const {
  if (!t.sqlite_path.empty()) return Status::Invalid("redis: path applies only to sqlite");
  if (!t.databases.empty()) {
    return Status::Invalid("redis: databases do not apply: an RDB always holds every database");
  }
  std::string user;
  return ResolveUser(t, Credentials{}, "", &user);
}

Status RedisEngine::DumpCommand(const BackupTarget& t, const Credentials& creds,
                                ExecSpec* out) const {
  DW_RETURN_IF_ERROR(Validate(t));
  *out = ExecSpec{};
  std::string user;
  DW_RETURN_IF_ERROR(ResolveUser(t, creds, "", &user));
  DW_RETURN_IF_ERROR(AppendPasswordEnv("REDISCLI_AUTH", creds, &out->env));
  out->argv = {"redis-cli"};
  if (!user.empty()) out->argv.insert(out->argv.end(), {"--user", user});
  out->argv.insert(out->argv.end(), {"--rdb", "-"});
  return Status::OK();
}

Status RedisEngine::RestoreCommand(const BackupTarget& t, const Credentials&,
                                   RestorePlan* out) const {
  DW_RETURN_IF_ERROR(Validate(t));
  *out = RestorePlan{};
  out->steps.push_back({RestoreStep::Kind::kStopContainer, {}, ""});
  out->steps.push_back({RestoreStep::Kind::kCopyDumpToFile, {}, std::string(kRdbPath)});
  out->steps.push_back({RestoreStep::Kind::kStartContainer, {}, ""});
  out->note = "Redis loads an RDB only at start-up: the container is stopped, the dump placed at " +
              std::string(kRdbPath) + " and the container started. With appendonly yes Redis "
              "loads the AOF instead; disable it for the restore.";
  return Status::OK();
}

Status RedisEngine::VersionCommand(ExecSpec* out) const {
  *out = ExecSpec{{"redis-cli", "--version"}, {}, ""};
  return Status::OK();
}

std::unique_ptr<DumpCheck> RedisEngine::NewDumpCheck(const BackupTarget&) const {
  return NewRedisRdbCheck();
}

}  // namespace dw::backup
