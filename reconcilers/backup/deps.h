// What the backup reconcilers (BackupPolicy, Backup, Restore) need from the
// process around them. Tests build it from an InProcessClient over an
// in-memory registry and a fake wall clock; `dockward serve` from the real
// ones.
#pragma once

#include <functional>

#include "operator/common/clock.h"
#include "operator/runtime/client.h"
#include "operator/runtime/event_recorder.h"
#include "reconcilers/dockerhost/host_registry.h"

namespace dw::backup {

struct BackupDeps {
  runtime::Client* client = nullptr;
  runtime::EventRecorder* recorder = nullptr;  // may be null in unit tests
  dockerhost::HostRegistry* hosts = nullptr;
  std::function<clock::TimePoint()> now = [] { return clock::Now(); };  // wall clock
};

}  // namespace dw::backup
