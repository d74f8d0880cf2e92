#include "reconcilers/backup/target_resolver.h"

#include <algorithm>
#include <set>

#include "reconcilers/backup/contract.h"
#include "reconcilers/backup/target_labels.h"

namespace dw::backup {
namespace {

std::string EngineLabel(const PolicySpec& spec) {
  return (spec.label_prefix.empty() ? std::string(kDefaultLabelPrefix) : spec.label_prefix) +
         "engine";
}

}  // namespace

std::string ContainerName(const docker::ContainerSummary& c) {
  for (const auto& n : c.names) {
    std::string_view v = n;
    while (!v.empty() && v.front() == '/') v.remove_prefix(1);
    if (!v.empty()) return std::string(v);
  }
  return c.id;
}

bool SelectContainer(const PolicySpec& spec, const docker::ContainerSummary& c) {
  bool has_engine = c.labels.count(EngineLabel(spec)) > 0 ||
                    c.labels.count(std::string(kBaktainerEngineLabel)) > 0;
  return has_engine && spec.selector.Matches(c.labels);
}

std::vector<ResolvedTarget> ResolveTargets(const PolicySpec& spec, const std::string& host,
                                           const std::vector<docker::ContainerSummary>& containers) {
  std::vector<ResolvedTarget> out;
  for (const auto& c : containers) {
    if (!SelectContainer(spec, c)) continue;
    ResolvedTarget t;
    t.host = host;
    t.container = ContainerName(c);
    ParsedTarget parsed;
    Status st = ParseTargetLabels(c.labels, spec.label_prefix, &parsed);
    if (!st.ok()) {
      // ParseTargetLabels already quotes every value it echoes.
      t.error = st.message();
      t.name = t.container;
      out.push_back(std::move(t));
      continue;
    }
    t.name = parsed.target.name.empty() ? t.container : parsed.target.name;
    t.key = TargetKey(host, t.container, t.name);
    t.engine = parsed.target.engine;
    if (!parsed.target.all_databases) t.databases = parsed.target.databases;
    t.warnings = std::move(parsed.warnings);
    out.push_back(std::move(t));
  }
  std::sort(out.begin(), out.end(), [](const ResolvedTarget& a, const ResolvedTarget& b) {
    return a.container < b.container;
  });
  return out;
}

Status ListHostTargets(docker::DockerClient& docker, const PolicySpec& spec,
                       const std::string& host, std::vector<ResolvedTarget>* out) {
  std::vector<docker::ContainerSummary> merged;
  std::set<std::string> seen;
  for (const std::string& label : {EngineLabel(spec), std::string(kBaktainerEngineLabel)}) {
    std::vector<docker::ContainerSummary> list;
    DW_RETURN_IF_ERROR(docker.ListContainers(/*all=*/true, {{"label", {label}}}, &list));
    for (auto& c : list) {
      if (seen.insert(c.id).second) merged.push_back(std::move(c));
    }
  }
  *out = ResolveTargets(spec, host, merged);
  return Status::OK();
}

}  // namespace dw::backup
