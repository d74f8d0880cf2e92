// ApplyAuditStatus: one audit pass -> status.services, status.summary and the
// four conditions. Everything here is derived from the pass alone (no clock
// reads except the transition time SetCondition needs), so two identical
// passes produce identical documents and the reconciler skips the write.
#include "reconcilers/stacklimits/stack_status.h"

#include <cmath>
#include <map>
#include <set>
#include <utility>

#include "operator/runtime/conditions.h"
#include "reconcilers/stacklimits/quantity.h"

namespace dw::stacklimits {

std::string ServiceKey(const std::string& project, const std::string& service) {
  return project + "/" + service;
}

namespace {

// Caps how many services a condition message names: conditions are read by
// people (and printed by `kubectl describe`), the full list is in services[].
constexpr size_t kMaxNamed = 5;

// What one service looked like in this pass.
struct ServiceView {
  std::string project, service;
  int containers = 0, running = 0, expected = 0, running_expected = 0;
  bool unhealthy = false, starting = false, healthy = false;
  std::vector<const Finding*> open, exempted;

  // Aggregate: the worst state wins, so one bad replica shows.
  const char* Health() const {
    if (unhealthy) return "unhealthy";
    if (starting) return "starting";
    if (healthy) return "healthy";
    return "none";
  }
};

// Ordered by (project, service): the status row order.
using ServiceMap = std::map<std::pair<std::string, std::string>, ServiceView>;

ServiceView& ViewOf(ServiceMap& m, const std::string& project, const std::string& service) {
  ServiceView& v = m[{project, service}];
  v.project = project;
  v.service = service;
  return v;
}

ServiceMap GroupServices(const AuditResult& audit) {
  ServiceMap m;
  for (const ContainerFacts& c : audit.containers) {
    ServiceView& v = ViewOf(m, c.project, c.service);
    bool running = c.state == "running";
    ++v.containers;
    v.running += running;
    if (!c.one_off) {
      ++v.expected;
      v.running_expected += running;
    }
    v.unhealthy |= c.health == "unhealthy";
    v.starting |= c.health == "starting";
    v.healthy |= c.health == "healthy";
  }
  for (const Finding& f : audit.findings) {
    ServiceView& v = ViewOf(m, f.project, f.service);
    (f.exempted ? v.exempted : v.open).push_back(&f);
  }
  return m;
}

void SetIfNotEmpty(json::Value& o, const char* key, const std::string& v, json::Allocator& a) {
  if (!v.empty()) json::SetString(o, key, v, a);
}

void SetStrings(json::Value& o, const char* key, const std::vector<std::string>& v,
                json::Allocator& a) {
  if (v.empty()) return;
  json::Value arr(rapidjson::kArrayType);
  for (const auto& s : v) arr.PushBack(json::Str(s, a), a);
  json::SetValue(o, key, arr, a);
}

json::Value ViolationJson(const Finding& f, json::Allocator& a) {
  json::Value o(rapidjson::kObjectType);
  json::SetString(o, "rule", f.rule, a);
  json::SetString(o, "severity", SeverityName(f.severity), a);
  SetIfNotEmpty(o, "observed", f.observed, a);
  SetIfNotEmpty(o, "desired", f.desired, a);
  json::SetBool(o, "fixableLive", f.fixable_live, a);
  SetIfNotEmpty(o, "container", f.container, a);
  SetIfNotEmpty(o, "subject", f.subject, a);
  SetIfNotEmpty(o, "message", f.message, a);
  SetStrings(o, "cis", f.cis, a);
  return o;
}

json::Value ExemptedJson(const Finding& f, json::Allocator& a) {
  json::Value o(rapidjson::kObjectType);
  json::SetString(o, "rule", f.rule, a);
  SetIfNotEmpty(o, "subject", f.subject, a);
  SetIfNotEmpty(o, "container", f.container, a);
  json::SetString(o, "reason", f.exemption_reason, a);
  return o;
}

json::Value EnforcementJson(const Enforcement& e, json::Allocator& a) {
  json::Value o(rapidjson::kObjectType);
  SetIfNotEmpty(o, "time", e.time, a);
  SetIfNotEmpty(o, "container", e.container, a);
  SetIfNotEmpty(o, "action", e.action, a);
  SetStrings(o, "fields", e.fields, a);
  SetIfNotEmpty(o, "message", e.message, a);
  return o;
}

// Peak CPU in millicores: finer digits are sampling noise and would make
// every pass look like a change.
std::string PeakCpus(double cores) {
  return FormatCpus(static_cast<int64_t>(std::llround(cores * 1000.0)) * 1000000);
}

// Peak memory rounded up to a KiB, for the same reason.
std::string PeakMemory(int64_t bytes) { return FormatBytes((bytes + 1023) / 1024 * 1024); }

json::Value RecommendationJson(const ServiceRecommendation& r, json::Allocator& a) {
  json::Value o(rapidjson::kObjectType);
  json::SetString(o, "memory", FormatBytes(r.proposal.memory), a);
  json::SetString(o, "cpus", FormatCpus(r.proposal.nano_cpus), a);
  json::SetInt(o, "pids", r.proposal.pids, a);
  json::SetString(o, "peakMemory", PeakMemory(r.peak.memory), a);
  json::SetString(o, "peakCpus", PeakCpus(r.peak.cpus), a);
  json::SetInt(o, "peakPids", r.peak.pids, a);
  json::SetInt(o, "samples", r.peak.samples, a);
  SetIfNotEmpty(o, "windowStart", r.window_start, a);
  json::SetBool(o, "complete", r.complete, a);
  return o;
}

json::Value ServiceRow(const ServiceView& v, const AuditResult& audit, json::Allocator& a) {
  json::Value row(rapidjson::kObjectType);
  json::SetString(row, "name", v.service, a);
  json::SetString(row, "project", v.project, a);
  json::SetInt(row, "containers", v.containers, a);
  json::SetInt(row, "running", v.running, a);
  json::SetInt(row, "expected", v.expected, a);
  json::SetString(row, "health", v.Health(), a);
  if (!v.open.empty()) {
    json::Value arr(rapidjson::kArrayType);
    for (const Finding* f : v.open) arr.PushBack(ViolationJson(*f, a), a);
    json::SetValue(row, "violations", arr, a);
  }
  if (!v.exempted.empty()) {
    json::Value arr(rapidjson::kArrayType);
    for (const Finding* f : v.exempted) arr.PushBack(ExemptedJson(*f, a), a);
    json::SetValue(row, "exempted", arr, a);
  }
  std::string key = ServiceKey(v.project, v.service);
  if (auto it = audit.last_enforcement.find(key); it != audit.last_enforcement.end()) {
    json::Value e = EnforcementJson(it->second, a);
    json::SetValue(row, "lastEnforcement", e, a);
  }
  if (auto it = audit.recommendations.find(key); it != audit.recommendations.end()) {
    json::Value r = RecommendationJson(it->second, a);
    json::SetValue(row, "recommended", r, a);
  }
  return row;
}

struct Totals {
  int services = 0, containers = 0, violations = 0, unhealthy = 0;
  int drifted = 0, needs_recreate = 0, exempted = 0;
  int by_severity[4] = {0, 0, 0, 0};  // indexed by Severity
};

Totals Count(const ServiceMap& services, const AuditResult& audit) {
  Totals t;
  t.services = static_cast<int>(services.size());
  t.containers = static_cast<int>(audit.containers.size());
  for (const auto& [key, v] : services) t.unhealthy += v.unhealthy;
  for (const Finding& f : audit.findings) {
    if (f.exempted) {
      ++t.exempted;
      continue;
    }
    ++t.violations;
    ++t.by_severity[static_cast<int>(f.severity)];
    (f.fixable_live ? t.drifted : t.needs_recreate)++;
  }
  return t;
}

json::Value SummaryJson(const Totals& t, json::Allocator& a) {
  json::Value o(rapidjson::kObjectType);
  json::SetInt(o, "services", t.services, a);
  json::SetInt(o, "containers", t.containers, a);
  json::SetInt(o, "violations", t.violations, a);
  json::SetInt(o, "unhealthy", t.unhealthy, a);
  json::SetInt(o, "drifted", t.drifted, a);
  json::SetInt(o, "needsRecreate", t.needs_recreate, a);
  json::SetInt(o, "exempted", t.exempted, a);
  return o;
}

std::string Plural(int n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

// "3 violations: 1 Critical, 2 High" / "no open violations (1 exempted)".
runtime::Condition CompliantCondition(const Totals& t) {
  if (t.violations == 0) {
    std::string msg = "no open violations";
    if (t.exempted > 0) msg += " (" + std::to_string(t.exempted) + " exempted)";
    return {"Compliant", "True", "NoViolations", msg};
  }
  std::string msg = Plural(t.violations, "violation", "violations") + ":";
  const char* sep = " ";
  for (int s = 3; s >= 0; --s) {
    if (t.by_severity[s] == 0) continue;
    msg += sep + std::to_string(t.by_severity[s]) + " " + SeverityName(static_cast<Severity>(s));
    sep = ", ";
  }
  if (t.exempted > 0) msg += " (" + std::to_string(t.exempted) + " exempted)";
  return {"Compliant", "False", "Violations", msg};
}

// Names a service the short way when the pass covers one project.
class ServiceNamer {
 public:
  explicit ServiceNamer(const ServiceMap& m) {
    std::set<std::string> projects;
    for (const auto& [key, v] : m) projects.insert(v.project);
    qualify_ = projects.size() > 1;
  }
  std::string operator()(const ServiceView& v) const {
    return qualify_ ? ServiceKey(v.project, v.service) : v.service;
  }

 private:
  bool qualify_ = false;
};

// Appends `item` to a "; "-separated list of at most kMaxNamed entries.
void AddNamed(std::string* msg, size_t* named, const std::string& item) {
  if (++*named > kMaxNamed) return;
  if (!msg->empty()) *msg += "; ";
  *msg += item;
}

std::string MoreSuffix(size_t named) {
  return named > kMaxNamed ? "; and " + std::to_string(named - kMaxNamed) + " more" : "";
}

runtime::Condition HealthyCondition(const ServiceMap& services) {
  if (services.empty())
    return {"Healthy", "Unknown", "NoServices", "no containers match the policy"};
  ServiceNamer name(services);
  std::string msg;
  size_t named = 0;
  bool unhealthy = false, down = false, starting = false;
  for (const auto& [key, v] : services) {
    std::vector<std::string> problems;
    if (v.running_expected < v.expected)
      problems.push_back(std::to_string(v.running_expected) + "/" + std::to_string(v.expected) +
                         " running");
    if (v.unhealthy) problems.push_back("unhealthy");
    else if (v.starting) problems.push_back("starting");
    if (problems.empty()) continue;
    down |= v.running_expected < v.expected;
    unhealthy |= v.unhealthy;
    starting |= !v.unhealthy && v.starting;
    std::string item = "service " + name(v) + ": " + problems[0];
    if (problems.size() > 1) item += ", " + problems[1];
    AddNamed(&msg, &named, item);
  }
  if (named == 0)
    return {"Healthy", "True", "AllHealthy",
            Plural(static_cast<int>(services.size()), "service", "services") +
                " running all expected containers"};
  const char* reason = unhealthy ? "Unhealthy" : down ? "NotRunning" : "Starting";
  return {"Healthy", "False", reason, msg + MoreSuffix(named)};
}

// "bare: memory 0 -> 64Mi, cpus 0 -> 0.5": what Enforce would change.
runtime::Condition DriftedCondition(const ServiceMap& services) {
  ServiceNamer name(services);
  std::string msg;
  size_t named = 0;
  for (const auto& [key, v] : services) {
    std::vector<std::string> items;
    std::set<std::string> seen;  // replicas usually drift the same way
    for (const Finding* f : v.open) {
      if (!f->fixable_live) continue;
      std::string item = (f->subject.empty() ? f->rule : f->subject) + " " +
                         (f->observed.empty() ? "unset" : f->observed) + " -> " + f->desired;
      if (seen.insert(item).second) items.push_back(item);
    }
    if (items.empty()) continue;
    std::string joined;
    for (const auto& i : items) joined += (joined.empty() ? "" : ", ") + i;
    AddNamed(&msg, &named, name(v) + ": " + joined);
  }
  if (named == 0) return {"Drifted", "False", "NoDrift", "live settings match the policy"};
  return {"Drifted", "True", "Drift", msg + MoreSuffix(named)};
}

runtime::Condition ReadyCondition(const StackPolicy& policy, const Totals& t) {
  return {"Ready", "True", "Audited",
          std::string(ModeName(policy.mode)) + ": " +
              Plural(t.containers, "container", "containers") + " in " +
              Plural(t.services, "service", "services")};
}

// Replaces status[key] with `v` (or removes it when `v` is null); true on change.
bool Replace(json::Value& status, const char* key, json::Value& v, json::Allocator& a) {
  json::Value* old = json::Find(status, key);
  if (v.IsNull()) return json::Remove(status, key);
  if (old && json::Equal(*old, v)) return false;
  json::SetValue(status, key, v, a);
  return true;
}

}  // namespace

bool ApplyAuditStatus(const StackPolicy& policy, const AuditResult& audit, int64_t generation,
                      json::Value& status, json::Allocator& a, clock::TimePoint now) {
  if (!status.IsObject()) status.SetObject();
  ServiceMap services = GroupServices(audit);
  Totals totals = Count(services, audit);

  json::Value rows(rapidjson::kNullType);
  if (!services.empty()) {
    rows.SetArray();
    for (const auto& [key, v] : services) rows.PushBack(ServiceRow(v, audit, a), a);
  }
  bool changed = Replace(status, "services", rows, a);
  json::Value summary = SummaryJson(totals, a);
  changed |= Replace(status, "summary", summary, a);
  json::Value gen(generation);
  changed |= Replace(status, "observedGeneration", gen, a);

  for (runtime::Condition c : {ReadyCondition(policy, totals), CompliantCondition(totals),
                               HealthyCondition(services), DriftedCondition(services)}) {
    c.observed_generation = generation;
    changed |= runtime::SetCondition(status, a, c, now);
  }
  return changed;
}

}  // namespace dw::stacklimits
