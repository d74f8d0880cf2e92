// RunBackup: one backup of one target, end to end, with no API objects
// involved: run the engine's dump tool inside the container by Docker exec
// (argv only), stream stdout through the DumpCheck and the ArtifactWriter
// (count, hash, compress, encrypt, atomic file + sidecar), then verify.
// Memory stays bounded by the pipeline's fixed buffers whatever the dump
// size. The Backup reconciler calls it on its own thread; `dockward`'s
// benchmark calls it directly.
//
// Failure semantics (the caller retries only what IsTransient says):
//  - Docker transport errors come back as the Docker client returned them
//    (Unavailable / Timeout are transient);
//  - the dump tool exiting non-zero: Internal "pg_dump exited with 1: <last
//    stderr line>" (stderr is kept to its last 4 KiB, control characters
//    escaped; credentials never travel in argv, so they cannot appear);
//  - an incomplete dump (DumpCheck), a checksum or content verification
//    failure: Corruption;
//  - a full disk: IOError naming the path;
//  - cancel or timeout: Timeout / "cancelled".
// On any failure no file is left under the final name or the temp name.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "operator/common/status.h"
#include "operator/docker/client.h"
#include "reconcilers/backup/artifact_writer.h"
#include "reconcilers/backup/engine.h"

namespace dw::backup {

struct BackupJob {
  std::string host;       // DockerHost name, recorded in the sidecar
  std::string container;  // container name or id
  const DatabaseEngine* engine = nullptr;
  BackupTarget target;
  Credentials credentials;
  std::string dir;            // destination directory (created if missing)
  std::string artifact_name;  // file name inside dir
  ArtifactOptions options;
  bool verify_checksum = true;  // re-read the file, compare size + SHA-256
  bool verify_content = true;   // the engine's DumpCheck on the stream (cut-off dumps fail)
  bool verify_decode = false;   // decrypt + decompress the file, compare plaintext SHA-256
  std::chrono::seconds timeout{3600};
};

struct RunProgress {
  uint64_t bytes = 0;             // plaintext bytes so far
  double bytes_per_second = 0;    // over the last interval
};

struct RunControl {
  const std::atomic<bool>* cancel = nullptr;  // set -> stop soon, clean up
  std::function<void(const RunProgress&)> on_progress;  // from the run's thread
  std::chrono::milliseconds progress_interval{2000};
};

struct BackupOutcome {
  ArtifactMetadata metadata;  // complete: sizes, sha256s, tool versions, times
  std::string path;           // final artifact path
  std::string sidecar_path;
  std::string stderr_tail;    // the dump tool's stderr (warnings), bounded
};

Status RunBackup(docker::DockerClient& docker, const BackupJob& job, const RunControl& control,
                 BackupOutcome* out);

}  // namespace dw::backup
