// Where a Backup's or Restore's target comes from and where its artifact
// goes: the object specs as structs, the merge of container labels with the
// spec's overrides, credentials and the encryption key from Secrets, and the
// artifact naming scheme.
//
// Artifact naming (documented for users and retention):
//   DIR  = <policy destination>/<host>/<target name>/
//   FILE = <target name>-<UTC yyyymmddThhmmssZ>.<kind>[.zst|.gz][.enc]
// with kind "rdb" for Redis and "sql" for every other engine (all of them
// dump SQL text), the compression's extension, and ".enc" when the artifact
// is AES-256-GCM encrypted. The target name is the container's "name" label,
// else the container name.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "operator/common/clock.h"
#include "operator/common/status.h"
#include "operator/json/json.h"
#include "operator/runtime/client.h"
#include "reconcilers/backup/backup_runner.h"
#include "reconcilers/backup/encryption_key.h"
#include "reconcilers/backup/policy_spec.h"
#include "reconcilers/backup/target_labels.h"

namespace dw::backup {

// Backup.spec.
struct BackupSpec {
  std::string policy_name, host, container, engine;
  std::vector<std::string> databases;  // empty: the labels decide
  bool dry_run = false;
};
Status ParseBackupSpec(const json::Value& backup, BackupSpec* out);

// Restore.spec.
struct RestoreSpec {
  std::string backup_name, artifact_path, policy_name;
  std::string host = "local";
  std::string container, database, engine;
};
Status ParseRestoreSpec(const json::Value& restore, RestoreSpec* out);

// "sql" / "rdb" + compression + ".enc": e.g. ".sql.zst.enc".
std::string ArtifactExtension(std::string_view engine, Compression c, bool encrypted);
// "<name>-20260102T030405Z<ext>".
std::string ArtifactFileName(const std::string& target_name, clock::TimePoint t, std::string_view ext);
// "<destination>/<host>/<target name>" (no trailing slash).
std::string ArtifactDir(const std::string& destination, const std::string& host,
                        const std::string& target_name);

// Container labels with the spec's overrides: `engine` (when set) replaces
// the engine label, `databases` (when non-empty) the labelled databases.
// The engine then validates the combination.
Status MergeTarget(const std::map<std::string, std::string>& labels, std::string_view prefix,
                   const std::string& engine, const std::vector<std::string>& databases,
                   ParsedTarget* out);

// Credentials from the Secret `secret` in `ns`: key "password" required,
// "username" optional. An empty `secret` gives empty credentials.
Status ReadCredentials(runtime::Client* client, const std::string& ns, const std::string& secret,
                       Credentials* out);
// The policy's encryption key, if it has one.
Status ReadEncryptionKey(runtime::Client* client, const std::string& ns, const PolicySpec& policy,
                         std::optional<EncryptionKey>* out);

// Everything a backup run needs, resolved from API objects and labels.
struct ResolvedBackup {
  BackupJob job;
  ExecSpec dump;                      // the dump command (for dry runs)
  std::vector<std::string> warnings;  // from the labels
};
Status ResolveBackup(runtime::Client* client, const std::string& ns, const BackupSpec& spec,
                     const PolicySpec& policy, const std::map<std::string, std::string>& labels,
                     clock::TimePoint now, ResolvedBackup* out);

// "would run pg_dump --format=plain ... for databases [app] in container db
//  on host local into /backups/local/db/db-...sql.zst" — argv only; the
// environment (where passwords travel) is never shown.
std::string DryRunMessage(const ResolvedBackup& r);

}  // namespace dw::backup
