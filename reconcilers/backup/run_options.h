// The seams of the Backup and Restore reconcilers: the run functions (the
// real runner by default; unit tests inject doubles that write real files),
// how a container's labels are read, and the timings that tests shorten.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <string>

#include "operator/common/status.h"
#include "operator/docker/client.h"
#include "operator/runtime/client.h"
#include "reconcilers/backup/backup_runner.h"
#include "reconcilers/backup/notifier.h"
#include "reconcilers/backup/policy_spec.h"
#include "reconcilers/backup/restore_runner.h"

namespace dw::backup {

using BackupFn = std::function<Status(docker::DockerClient&, const BackupJob&, const RunControl&,
                                      BackupOutcome*)>;
using RestoreFn = std::function<Status(docker::DockerClient&, const RestoreJob&, const RunControl&,
                                       RestoreOutcome*)>;
using RestoreTestFn = std::function<Status(docker::DockerClient&, const RestoreTestJob&,
                                           const RunControl&, std::string* check_output)>;
using InspectLabelsFn = std::function<Status(docker::DockerClient&, const std::string& container,
                                             std::map<std::string, std::string>* labels)>;

// Config.Labels of the container, by Docker inspect.
Status InspectContainerLabels(docker::DockerClient& docker, const std::string& container,
                              std::map<std::string, std::string>* labels);

struct RunOptions {
  BackupFn run_backup = RunBackup;
  RestoreFn run_restore = RunRestore;
  RestoreTestFn run_restore_test = RunRestoreTest;
  InspectLabelsFn inspect_labels = InspectContainerLabels;
  std::chrono::milliseconds slot_requeue{5000};       // Pending without a host slot
  std::chrono::milliseconds progress_interval{2000};  // status.progress writes
  std::chrono::milliseconds cancel_wait{10000};       // deletion waits this long per reconcile
  NotifierOptions notifier;
};

// Reads BackupPolicy ns/name and parses its spec. NotFound when absent.
Status LoadPolicy(runtime::Client* client, const std::string& ns, const std::string& name,
                  PolicySpec* out);

}  // namespace dw::backup
