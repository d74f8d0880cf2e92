#include "reconcilers/backup/engine_registry.h"

#include "reconcilers/backup/engine_mysql.h"
#include "reconcilers/backup/engine_postgres.h"
#include "reconcilers/backup/engine_redis.h"
#include "reconcilers/backup/engine_sqlite.h"
#include "reconcilers/backup/target_labels.h"

namespace dw::backup {
namespace {

struct Engines {
  PostgresEngine postgres;
  MySqlEngine mysql{MySqlEngine::Flavor::kMySql};
  MySqlEngine mariadb{MySqlEngine::Flavor::kMariaDb};
  SqliteEngine sqlite;
  RedisEngine redis;
};

const Engines& All() {
  static const Engines engines;
  return engines;
}

}  // namespace

const DatabaseEngine* FindEngine(std::string_view name) {
  const Engines& e = All();
  if (name == "postgres" || name == "postgresql") return &e.postgres;
  if (name == "mysql") return &e.mysql;
  if (name == "mariadb") return &e.mariadb;
  if (name == "sqlite") return &e.sqlite;
  if (name == "redis") return &e.redis;
  return nullptr;
}

Status LookupEngine(std::string_view name, const DatabaseEngine** out) {
  *out = FindEngine(name);
  if (*out != nullptr) return Status::OK();
  return Status::Invalid("engine " + QuoteForMessage(name) +
                         " is not supported; supported: " + SupportedEngineList());
}

const std::vector<std::string_view>& SupportedEngines() {
  static const std::vector<std::string_view> names = {"postgres", "mysql", "mariadb",
                                                      "sqlite", "redis"};
  return names;
}

Status ResolveUser(const BackupTarget& target, const Credentials& creds,
                   std::string_view fallback, std::string* out) {
  if (!target.user.empty()) {
    *out = target.user;
  } else if (!creds.username.empty()) {
    *out = creds.username;
  } else {
    *out = std::string(fallback);
  }
  if (out->empty()) return Status::OK();
  return ValidateIdentifier("user", *out);
}

Status AppendPasswordEnv(std::string_view var, const Credentials& creds,
                         std::vector<std::string>* env) {
  if (creds.password.empty()) return Status::OK();
  if (creds.password.find('\0') != std::string::npos) {
    return Status::Invalid("the password from the credentials Secret contains a NUL byte");
  }
  env->push_back(std::string(var) + "=" + creds.password);
  return Status::OK();
}

Status BeginLoginExec(const BackupTarget& target, const Credentials& creds,
                      std::string_view fallback_user, std::string_view password_var,
                      ExecSpec* out, std::string* user) {
  *out = ExecSpec{};
  DW_RETURN_IF_ERROR(ResolveUser(target, creds, fallback_user, user));
  if (password_var.empty()) return Status::OK();
  return AppendPasswordEnv(password_var, creds, &out->env);
}

Status ValidateDatabases(const BackupTarget& target) {
  for (const auto& db : target.databases) DW_RETURN_IF_ERROR(ValidateIdentifier("databases", db));
  return Status::OK();
}

std::string SupportedEngineList() {
  std::string out;
  for (std::string_view n : SupportedEngines()) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

}  // namespace dw::backup
