// RunRestore: streams an artifact back into a database container: verify
// the file against its sidecar, open it (decrypt, decompress), and execute
// the engine's RestorePlan, feeding the plaintext dump to the restore
// tool's stdin by Docker exec (argv only), or placing it as a file through
// the Docker archive API where the engine needs that (Redis).
//
// RunRestoreTest: the optional verification step of a BackupPolicy: start a
// throw-away container (same image, command, environment and read-only
// binds as the source unless overridden; no network; labelled
// dockward.io/restore-test=true), wait for the engine to accept queries,
// restore the artifact into it, run the check query, and always remove the
// container again.
#pragma once

#include <optional>
#include <string>

#include "operator/common/status.h"
#include "operator/docker/client.h"
#include "reconcilers/backup/artifact_metadata.h"
#include "reconcilers/backup/backup_runner.h"
#include "reconcilers/backup/encryption_key.h"
#include "reconcilers/backup/engine.h"

namespace dw::backup {

struct RestoreJob {
  std::string container;  // target container name or id
  const DatabaseEngine* engine = nullptr;
  BackupTarget target;  // databases[0] (if any) is the database restored into
  Credentials credentials;
  std::string artifact_path;
  ArtifactMetadata metadata;          // the sidecar of artifact_path
  std::optional<EncryptionKey> key;   // required when the artifact is encrypted
  std::chrono::seconds timeout{3600};
};

struct RestoreOutcome {
  uint64_t bytes = 0;  // plaintext bytes streamed into the container
  std::string note;    // the plan's caveat, if any (e.g. Redis AOF)
  std::string stderr_tail;
};

Status RunRestore(docker::DockerClient& docker, const RestoreJob& job, const RunControl& control,
                  RestoreOutcome* out);

struct RestoreTestJob {
  std::string source_container;  // cloned: image, cmd, entrypoint, env, user, ro binds
  std::string image;             // overrides the source's image when set
  std::string check_query;       // empty: the engine's default check
  RestoreJob restore;            // restore.container is ignored (the throw-away one)
  std::chrono::seconds ready_timeout{120};
};

Status RunRestoreTest(docker::DockerClient& docker, const RestoreTestJob& job,
                      const RunControl& control, std::string* check_output);

}  // namespace dw::backup
