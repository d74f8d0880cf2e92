// What the PluginPolicy reconciler needs from the process around it.
#pragma once

#include <functional>
#include <string>

#include "operator/common/clock.h"
#include "operator/runtime/client.h"
#include "operator/runtime/event_recorder.h"
#include "reconcilers/pluginpolicy/address_class.h"
#include "reconcilers/pluginpolicy/resolver.h"

namespace dw::pluginpolicy {

struct PluginDeps {
  runtime::Client* client = nullptr;
  runtime::EventRecorder* recorder = nullptr;  // may be null in unit tests
  std::function<clock::TimePoint()> now = [] { return clock::Now(); };
  Resolver* resolver = nullptr;  // null: the system resolver
  // Unit tests only (a loopback registry passes as public); the serve
  // wiring never sets it.
  AddressClassifier classify = ClassifyAddress;
  // Where `artifact` packages must live (DATA_DIR/plugin-artifacts); ""
  // only in unit tests.
  std::string artifact_root;
};

}  // namespace dw::pluginpolicy
