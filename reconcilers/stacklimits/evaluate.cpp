// Evaluate: runs each listed rule's check on each container, then stamps the
// fields every finding shares (identity, severity, CIS ids, exceptions) in
// one place. The rule catalogue below is the only place CIS ids are written.
#include "reconcilers/stacklimits/evaluate.h"

#include <algorithm>

#include "reconcilers/stacklimits/rules.h"

namespace dw::stacklimits {
namespace {

struct RuleEntry {
  RuleInfo info;
  rules::Check check;
};

// CIS Docker Benchmark v1.6.0 section 5. For hostNamespaces the ids follow
// the order network, pid, ipc, uts, user; for limits memory, cpus, pids:
// CisFor() relies on that order to give each finding its own check.
const std::vector<RuleEntry>& Entries() {
  static const std::vector<RuleEntry> kEntries = {
      {{"privileged", "Privileged containers are forbidden.", false, {"5.5"}}, rules::Privileged},
      {{"capabilities", "Forbidden Linux capabilities must not be added (cap_add).", false, {"5.4"}},
       rules::Capabilities},
      {{"hostNamespaces", "The host's network, PID, IPC, UTS (and optionally user) namespaces must not be shared.",
        false, {"5.10", "5.16", "5.17", "5.21", "5.31"}},
       rules::HostNamespaces},
      {{"noNewPrivileges", "security_opt no-new-privileges:true is required.", false, {"5.26"}},
       rules::NoNewPrivileges},
      {{"healthcheck", "A healthcheck is required.", false, {"5.27"}}, rules::Healthcheck},
      {{"logRotation", "Logs must use an accepted driver; json-file needs max-size (and limits if set).", false, {}},
       rules::LogRotation},
      {{"dockerSocket", "The Docker socket must not be bind-mounted, except into a socket proxy.", false, {"5.32"}},
       rules::DockerSocket},
      {{"socketProxyPermissions", "A socket proxy must not enable forbidden API sections (EXEC, POST...).", false,
        {}},
       rules::SocketProxyPermissions},
      {{"plaintextSecrets", "Secret-looking environment variables must not hold literal values.", false, {}},
       rules::PlaintextSecrets},
      {{"templatePlaceholders", "No unresolved {{VAR}} placeholder in environment, command or labels.", false, {}},
       rules::TemplatePlaceholders},
      {{"restartPolicy", "The restart policy must be an accepted one (on-failure retries capped if set).", true,
        {"5.15"}},
       rules::RestartPolicy},
      {{"limits", "Memory, memory+swap, memory reservation, CPUs and pids must equal the policy.", true,
        {"5.11", "5.12", "5.29"}},
       rules::ResourceLimits},
  };
  return kEntries;
}

const RuleEntry* FindEntry(const std::string& name) {
  for (const auto& e : Entries()) {
    if (name == e.info.name) return &e;
  }
  return nullptr;
}

std::vector<std::string> CisFor(const RuleInfo& info, const std::string& subject) {
  auto pick = [&](const std::vector<std::string>& order) -> std::vector<std::string> {
    auto it = std::find(order.begin(), order.end(), subject);
    if (it == order.end()) return {};
    size_t i = static_cast<size_t>(it - order.begin());
    if (i >= info.cis.size()) return {};
    return {info.cis[i]};
  };
  std::string rule = info.name;
  if (rule == "hostNamespaces") return pick({"network", "pid", "ipc", "uts", "user"});
  // memorySwap is part of limiting memory (5.11); a reservation is not a limit.
  if (rule == "limits") return pick({subject == "memorySwap" ? "memorySwap" : "memory", "cpus", "pids"});
  return std::vector<std::string>(info.cis.begin(), info.cis.end());
}

const RuleException* ExceptionFor(const RuleConfig& rule, const ContainerFacts& c) {
  for (const auto& e : rule.exceptions) {
    if (e.service == c.service && (e.project.empty() || e.project == c.project)) return &e;
  }
  return nullptr;
}

}  // namespace

const std::vector<RuleInfo>& RuleCatalogue() {
  static const std::vector<RuleInfo> kInfos = [] {
    std::vector<RuleInfo> v;
    for (const auto& e : Entries()) v.push_back(e.info);
    return v;
  }();
  return kInfos;
}

const RuleInfo* FindRule(const std::string& name) {
  for (const auto& info : RuleCatalogue()) {
    if (name == info.name) return &info;
  }
  return nullptr;
}

void EvaluateContainer(const StackPolicy& policy, const ContainerFacts& c, std::vector<Finding>* out) {
  for (const auto& rule : policy.rules) {
    const RuleEntry* entry = FindEntry(rule.name);
    if (!entry) continue;  // ParseStackPolicy rejects unknown names
    size_t first = out->size();
    entry->check(policy, c, out);
    const RuleException* ex = first < out->size() ? ExceptionFor(rule, c) : nullptr;
    for (size_t i = first; i < out->size(); ++i) {
      Finding& f = (*out)[i];
      f.project = c.project;
      f.service = c.service;
      f.container = c.container;
      f.severity = rule.severity;
      f.cis = CisFor(entry->info, f.subject);
      if (ex) {
        f.exempted = true;
        f.exemption_reason = ex->reason;
      }
    }
  }
}

std::vector<Finding> Evaluate(const StackPolicy& policy, const std::vector<ContainerFacts>& containers) {
  std::vector<Finding> out;
  for (const auto& c : containers) EvaluateContainer(policy, c, &out);
  std::stable_sort(out.begin(), out.end(), [](const Finding& a, const Finding& b) { return a.Key() < b.Key(); });
  return out;
}

}  // namespace dw::stacklimits
