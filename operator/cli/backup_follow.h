// FollowObjects: the list-then-watch loop `dockward backup` uses to wait for
// a controller (a policy acknowledging a run request, Backups and Restores
// reaching a terminal phase) without polling. It lists the selected objects,
// then watches from the list's resourceVersion; when the server ends the
// watch (its timeout, or 410 Gone after compaction) it lists again, so no
// change is missed. It stops as soon as `on_object` says it is done.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "operator/cli/api.h"

namespace dw::cli {

using SteadyTime = std::chrono::steady_clock::time_point;

// `type` is "ADDED" (also for listed objects), "MODIFIED" or "DELETED".
// Return true to stop following.
using ObjectCallback = std::function<bool(const std::string& type, const json::Value& obj)>;

// `collection` is a REST collection path, `selector` a query such as
// "labelSelector=..." (escaped) or "". Returns OK once on_object returned
// true, Timeout (empty message: the caller words it) when `deadline` passes
// first, or the API error.
Status FollowObjects(ApiClient& api, const std::string& collection, const std::string& selector,
                     const ObjectCallback& on_object, std::optional<SteadyTime> deadline);

}  // namespace dw::cli
