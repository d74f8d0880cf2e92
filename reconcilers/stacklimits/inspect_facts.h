// Runtime front end: the facts of one container from its inspect document.
#pragma once

#include "operator/common/status.h"
#include "operator/json/json.h"
#include "reconcilers/stacklimits/facts.h"

namespace dw::stacklimits {

// Project and service come from com.docker.compose.project/service labels
// (empty when absent), one_off from com.docker.compose.oneoff=True.
Status FactsFromInspect(const json::Value& inspect, ContainerFacts* out);

}  // namespace dw::stacklimits
