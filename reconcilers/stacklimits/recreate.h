// Opt-in recreate (spec.allowRecreate) for settings that cannot change live.
// The new container is the inspected one with only the violating settings
// corrected: same image, config, env, labels, mounts (named and anonymous
// volumes re-attached by name), networks and aliases, restart policy, name.
//
// Order, so a failure never loses the service: rename the old container to
// <name>-dw-old, create the new one under the original name, stop the old,
// start the new; on any failure undo (remove new, rename back, restart old if
// it was running). The old container is removed only after the new one runs.
#pragma once

#include <string>
#include <vector>

#include "operator/common/status.h"
#include "operator/docker/client.h"
#include "operator/json/json.h"
#include "reconcilers/stacklimits/finding.h"
#include "reconcilers/stacklimits/stack_policy.h"

namespace dw::stacklimits {

// Pure: the POST /containers/create body for `inspect` with `fixes` applied
// (non-live findings of this container). `changed` lists what was corrected;
// findings it cannot correct (e.g. plaintextSecrets, templatePlaceholders:
// dockward does not invent values) are left out of `changed`.
Status RecreateBody(const json::Value& inspect, const StackPolicy& policy,
                    const std::vector<Finding>& fixes, json::Document* body,
                    std::vector<std::string>* changed);

// Does the whole recreate against the daemon. `new_id` is the new container.
Status RecreateContainer(docker::DockerClient* client, const json::Value& inspect,
                         const json::Value& create_body, std::string* new_id);

}  // namespace dw::stacklimits
