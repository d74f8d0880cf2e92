// Which Docker containers a BackupPolicy backs up, and how. Promises:
//  - SelectContainer/ResolveTargets are pure functions over container
//    summaries (unit-tested without Docker);
//  - a container is a candidate only if it carries an engine label (dockward's
//    "<prefix>engine" or baktainer's "baktainer.db.engine") AND matches the
//    policy's selector (an empty selector matches every candidate);
//  - a candidate whose labels are invalid becomes a target with `error` set
//    (hostile values only ever appear through QuoteForMessage) and is never
//    backed up;
//  - targets come out sorted by (host, container), so status is stable.
#pragma once

#include <string>
#include <vector>

#include "operator/common/status.h"
#include "operator/docker/client.h"
#include "reconcilers/backup/policy_spec.h"

namespace dw::backup {

inline constexpr std::string_view kBaktainerEngineLabel = "baktainer.db.engine";

struct ResolvedTarget {
  std::string host;       // DockerHost name
  std::string container;  // container name (without '/'), or its id if unnamed
  std::string key;        // TargetKey(host, container, name); empty when error is set
  std::string name;       // artifact name: the target's name label or the container name
  std::string engine;
  std::vector<std::string> databases;  // empty: all databases
  std::string error;                   // why the labels are not a valid target
  std::vector<std::string> warnings;   // e.g. an ignored password label

  bool valid() const { return error.empty(); }
};

// The container's name as Docker reports it (first name, no leading '/').
std::string ContainerName(const docker::ContainerSummary& c);

bool SelectContainer(const PolicySpec& spec, const docker::ContainerSummary& c);

// The selected containers of one host as targets (sorted by container).
std::vector<ResolvedTarget> ResolveTargets(const PolicySpec& spec, const std::string& host,
                                           const std::vector<docker::ContainerSummary>& containers);

// Lists the host's containers (running or not) that carry an engine label and
// resolves them. Docker ANDs label filters, so this lists once per engine
// label and merges by container id. Docker errors come back unchanged.
Status ListHostTargets(docker::DockerClient& docker, const PolicySpec& spec,
                       const std::string& host, std::vector<ResolvedTarget>* out);

}  // namespace dw::backup
