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
  std::string user;
  DW_RETURN_IF_ERROR(BeginLoginExec(t, creds, "", "REDISCLI_AUTH", out, &user));
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

Status RedisEngine::ReadyCommand(const BackupTarget& t, const Credentials& creds,
                                 ExecSpec* out) const {
  DW_RETURN_IF_ERROR(Validate(t));
  std::string user;
  DW_RETURN_IF_ERROR(BeginLoginExec(t, creds, "", "REDISCLI_AUTH", out, &user));
  out->argv = {"redis-cli"};
  if (!user.empty()) out->argv.insert(out->argv.end(), {"--user", user});
  out->argv.push_back("ping");
  return Status::OK();
}

// redis-cli takes a command as separate words; splitting on blanks is the
// whole syntax (no quoting), and ValidateCheckQuery keeps the first word
// from being read as an option.
Status RedisEngine::CheckCommand(const BackupTarget& t, const Credentials& creds,
                                 const std::string& query, ExecSpec* out) const {
  DW_RETURN_IF_ERROR(Validate(t));
  std::string q;
  DW_RETURN_IF_ERROR(ResolveCheckQuery(name(), query, &q));
  DW_RETURN_IF_ERROR(ReadyCommand(t, creds, out));
  out->argv.pop_back();  // "ping"
  size_t i = 0;
  while (i < q.size()) {
    size_t start = q.find_first_not_of(" \t", i);
    if (start == std::string::npos) break;
    size_t end = q.find_first_of(" \t", start);
    if (end == std::string::npos) end = q.size();
    out->argv.push_back(q.substr(start, end - start));
    i = end;
  }
  return Status::OK();
}

}  // namespace dw::backup
