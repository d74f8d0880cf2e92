// What the StackLimits reconciler needs from the process around it.
#pragma once

#include <functional>

#include "operator/common/clock.h"
#include "operator/runtime/client.h"
#include "operator/runtime/event_recorder.h"
#include "reconcilers/dockerhost/host_registry.h"

namespace dw::stacklimits {

struct StackDeps {
  runtime::Client* client = nullptr;
  runtime::EventRecorder* recorder = nullptr;  // may be null in unit tests
  dockerhost::HostRegistry* hosts = nullptr;
  std::function<clock::TimePoint()> now = [] { return clock::Now(); };
};

}  // namespace dw::stacklimits
