// DatabaseEngine: one small strategy per database engine that knows how to
// spell its dump, restore and version commands and how to recognise a
// complete dump. Engines do no I/O: they return argv arrays that the backup
// reconciler runs inside the container through Docker exec (never a shell),
// so a value from a label can only ever be one argv element.
//
// Promises of every engine:
//  - every value taken from a BackupTarget is re-validated before use
//    (targets may come from a policy spec as well as from labels), so an
//    argv element never starts with '-' unless the engine put it there;
//  - passwords travel only in ExecSpec::env, never in argv;
//  - the same target always yields the same argv (tests compare exactly).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "operator/common/status.h"

namespace dw::backup {

class DumpCheck;

// Where the settings of a target came from (for status and events).
enum class LabelSource { kNone, kDockward, kBaktainer, kMixed };

// Per-container backup settings, parsed from labels (target_labels.h) or
// written in a BackupPolicy.
struct BackupTarget {
  std::string engine;                  // registry name: postgres, mysql, ...
  std::vector<std::string> databases;  // empty with all_databases
  bool all_databases = false;
  std::string user;                    // database user; empty: credentials/default
  std::string sqlite_path;             // absolute path of the SQLite file
  std::string credentials_secret;      // Secret name holding the password
  std::string name;                    // artifact name; empty: container name
  LabelSource source = LabelSource::kNone;
};

// Resolved from the Secret named by credentials_secret; never logged.
struct Credentials {
  std::string username;  // used when the target names no user
  std::string password;  // empty: no password variable is set
};

// One command to run inside the container.
struct ExecSpec {
  std::vector<std::string> argv;
  std::vector<std::string> env;  // "NAME=value"; secrets go here, never argv
  std::string user;              // container OS user; empty: image default
};

// A restore is a short sequence of steps because not every engine can read a
// dump from stdin (Redis loads an RDB file only at start-up).
struct RestoreStep {
  enum class Kind {
    kExec,               // run `exec`, stdin closed
    kExecWithDump,       // run `exec` with the plaintext dump on stdin
    kStopContainer,      // docker stop
    kCopyDumpToFile,     // put the dump at `path` (Docker archive API)
    kStartContainer,     // docker start
  };
  Kind kind = Kind::kExec;
  ExecSpec exec;     // for kExec / kExecWithDump
  std::string path;  // for kCopyDumpToFile
};

struct RestorePlan {
  std::vector<RestoreStep> steps;
  std::string note;  // caveats to show the user (e.g. Redis AOF)
};

class DatabaseEngine {
 public:
  virtual ~DatabaseEngine() = default;

  // Registry name ("postgres", "mysql", "mariadb", "sqlite", "redis").
  virtual std::string_view name() const = 0;

  // Engine-specific rules on top of the label syntax (e.g. SQLite needs a
  // path, PostgreSQL dumps one database per pg_dump run).
  virtual Status Validate(const BackupTarget& target) const = 0;

  // The command that writes the whole dump to stdout.
  virtual Status DumpCommand(const BackupTarget& target, const Credentials& creds,
                             ExecSpec* out) const = 0;

  // How to load a dump produced by DumpCommand back into the container.
  virtual Status RestoreCommand(const BackupTarget& target, const Credentials& creds,
                                RestorePlan* out) const = 0;

  // Prints the dump tool's version, recorded in the metadata sidecar.
  virtual Status VersionCommand(ExecSpec* out) const = 0;

  // A fresh checker for the plaintext dump of `target`.
  virtual std::unique_ptr<DumpCheck> NewDumpCheck(const BackupTarget& target) const = 0;

  // Exits 0 once the server accepts connections (the restore test polls it
  // in a fresh container before restoring).
  virtual Status ReadyCommand(const BackupTarget& target, const Credentials& creds,
                              ExecSpec* out) const = 0;

  // Runs `query` against the restored data and prints the result. The query
  // is one argv element (Redis: split on whitespace into words), never a
  // shell line; it is checked with ValidateCheckQuery first. Empty: the
  // engine's default check (see DefaultCheckQuery).
  virtual Status CheckCommand(const BackupTarget& target, const Credentials& creds,
                              const std::string& query, ExecSpec* out) const = 0;
};

// Helpers shared by the engines (defined in engine_registry.cpp).
// The database user: target.user, else creds.username, else `fallback`
// (may be empty: no user option); validated with ValidateIdentifier.
Status ResolveUser(const BackupTarget& target, const Credentials& creds,
                   std::string_view fallback, std::string* out);
// Appends "VAR=password" when a password is set. Rejects a password with a
// NUL byte (it cannot travel in an environment); never echoes the password.
Status AppendPasswordEnv(std::string_view var, const Credentials& creds,
                         std::vector<std::string>* env);
// Validates every database name with ValidateIdentifier.
Status ValidateDatabases(const BackupTarget& target);
// The common start of a command that logs in to the database: resets `out`,
// resolves the user (ResolveUser with `fallback_user`) and, when
// `password_var` is not empty, puts the password there (AppendPasswordEnv).
Status BeginLoginExec(const BackupTarget& target, const Credentials& creds,
                      std::string_view fallback_user, std::string_view password_var,
                      ExecSpec* out, std::string* user);
// `query`, or the engine's DefaultCheckQuery when empty, checked with
// ValidateCheckQuery.
Status ResolveCheckQuery(std::string_view engine, const std::string& query, std::string* out);

// The check run when a policy names no query (engine_query.cpp):
// postgres/mysql/mariadb "SELECT 1", sqlite "PRAGMA integrity_check",
// redis "DBSIZE".
std::string_view DefaultCheckQuery(std::string_view engine);
// Rules for a check query (engine_query.cpp). Every engine: at most 4096
// bytes, no control characters (NUL, newline, ...), not starting with '-'
// (it would be read as an option). Per engine, the client's own escape
// hatches to a shell or the file system are refused: sqlite3 dot-commands
// (".shell"), psql backslash commands ("\!"), and for mysql/mariadb any
// backslash ("\!") or a leading client command word ("system", "source").
Status ValidateCheckQuery(std::string_view engine, std::string_view query);

}  // namespace dw::backup
