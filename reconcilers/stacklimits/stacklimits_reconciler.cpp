#include "reconcilers/stacklimits/stacklimits_reconciler.h"

#include <algorithm>
#include <optional>

#include "operator/common/log.h"
#include "operator/common/strings.h"
#include "operator/runtime/conditions.h"
#include "reconcilers/stacklimits/enforce_plan.h"
#include "reconcilers/stacklimits/evaluate.h"
#include "reconcilers/stacklimits/inspect_facts.h"
#include "reconcilers/stacklimits/memory_usage.h"
#include "reconcilers/stacklimits/quantity.h"
#include "reconcilers/stacklimits/recreate.h"

namespace dw::stacklimits {

namespace {

constexpr const char* kGroupVersion = "dockward.io/v1alpha1";
constexpr const char* kProjectLabel = "com.docker.compose.project";
constexpr size_t kMaxNamedInEvent = 5;

std::string FindingKey(const Finding& f) {
  return f.project + "/" + f.service + "/" + f.container + "/" + f.rule + "/" + f.subject;
}

// "capabilities NET_ADMIN" or "privileged": what a person reads in an event.
std::string RuleText(const Finding& f) { return f.subject.empty() ? f.rule : f.rule + " " + f.subject; }

// "memory 0 -> 64Mi, cpus 0 -> 0.5": the planned fields, described by the
// findings that asked for them (observed/desired are already redacted).
std::string DescribeUpdate(const UpdatePlan& plan, const std::vector<Finding>& own) {
  std::vector<std::string> parts;
  for (const auto& field : plan.fields) {
    std::string text = field;
    for (const auto& f : own) {
      if (f.fixable_live && (f.subject == field || (f.subject.empty() && f.rule == field))) {
        text += " " + f.observed + " -> " + f.desired;
        break;
      }
    }
    parts.push_back(std::move(text));
  }
  return Join(parts, ", ");
}

bool WantsLowerMemory(const StackPolicy& policy, const ContainerFacts& c) {
  std::optional<int64_t> want = policy.LimitsFor(c.service).memory;
  return want && *want > 0 && (c.memory == 0 || *want < c.memory);
}

// EnforceLive will ask for this container's memory usage.
bool NeedsUsage(const StackPolicy& policy, const ContainerFacts& c, const std::vector<Finding>& own) {
  return c.state == "running" && WantsLowerMemory(policy, c) &&
         std::any_of(own.begin(), own.end(), [](const Finding& x) { return x.fixable_live; });
}

}  // namespace

std::chrono::milliseconds HostBackoff(int failures) {
  return runtime::DoublingBackoff(failures, kHostBackoffFirst, kHostBackoffMax);
}

struct StackLimitsReconciler::Pass {
  runtime::Request req;
  std::string key;
  json::Document obj;
  int64_t generation = 0;
  clock::TimePoint now;
  StackPolicy policy;
  std::string host_key;  // "ns/dockerhost"
  std::unique_ptr<docker::DockerClient> docker;
  std::shared_ptr<InspectCache> cache;
  std::vector<CachedContainerPtr> containers;  // covered by the policy
  std::vector<std::string> updated;            // container ids changed by this pass
  std::map<std::string, int64_t> usage;        // memory usage by id, asked just before enforcing
  AuditResult audit;
};

StackLimitsReconciler::StackLimitsReconciler(StackDeps deps)
    : deps_(std::move(deps)), sampler_(32, deps_.now) {
  if (deps_.client) kind_ = deps_.client->Resolve(kGroupVersion, "StackLimits");
}

StackLimitsReconciler::~StackLimitsReconciler() { StopWatchers(); }

void StackLimitsReconciler::WatchDaemons(runtime::Controller* controller) {
  EventRouterHooks hooks;
  hooks.list_policies = [controller](const std::string& ns) {
    return controller->primary_informer().List({}, ns);
  };
  hooks.enqueue = [controller](const runtime::Request& r) { controller->Enqueue(r); };
  hooks.on_container_event = [this](const std::string& host_key, const docker::Event& e) {
    OnContainerEvent(host_key, e);
  };
  hooks.on_resync = [this](const std::string& host_key) { CacheFor(host_key)->Clear(); };
  router_ = std::make_unique<EventRouter>(std::move(hooks));
}

void StackLimitsReconciler::OnContainerEvent(const std::string& host_key, const docker::Event& e) {
  CacheFor(host_key)->Invalidate(e.id);
  // A restarted container starts a new usage window (its old peak belongs
  // to the process that died).
  if (e.action == "start") sampler_.ResetWindow(e.id);
}

void StackLimitsReconciler::OnHostChange(const std::string& ns, const std::string& host) {
  if (!router_ || !deps_.hosts) return;
  std::unique_ptr<docker::DockerClient> c;
  Status st = deps_.hosts->NewClient(ns, host, &c);
  // Unavailable keeps the watcher: it reconnects (and resyncs) by itself.
  if (st.IsNotFound()) router_->DropWatcherUnless(ns, host, nullptr);
  if (st.ok()) router_->DropWatcherUnless(ns, host, &c->config());
}

void StackLimitsReconciler::StopWatchers() {
  if (router_) router_->StopAll();
  sampler_.Stop();
}

std::shared_ptr<InspectCache> StackLimitsReconciler::CacheFor(const std::string& host_key) {
  std::lock_guard<std::mutex> l(mu_);
  auto& c = caches_[host_key];
  if (!c) c = std::make_shared<InspectCache>();
  return c;
}

void StackLimitsReconciler::Event(const json::Value& obj, const char* type, const char* reason,
                                  const std::string& msg) {
  if (deps_.recorder) deps_.recorder->Record(obj, type, reason, msg);
}

std::chrono::milliseconds StackLimitsReconciler::NextHostBackoff(const std::string& key, bool failing) {
  std::lock_guard<std::mutex> l(mu_);
  if (!failing) {
    host_failures_.erase(key);
    return std::chrono::milliseconds(0);
  }
  return HostBackoff(++host_failures_[key]);
}

void StackLimitsReconciler::Forget(const std::string& key) {
  sampler_.Untrack(key);
  std::lock_guard<std::mutex> l(mu_);
  host_failures_.erase(key);
  needs_recreate_said_.erase(key);
  unsafe_said_.erase(key);
  open_violations_.erase(key);
  recommended_said_.erase(key);
  last_enforcement_.erase(key);
}

Status StackLimitsReconciler::Reconcile(const runtime::Request& req, runtime::Result* result) {
  if (!kind_) return Status::Internal("the StackLimits kind is not served");
  Pass p;
  p.req = req;
  p.key = req.Key();
  Status st = deps_.client->Get(*kind_, req.ns, req.name, &p.obj);
  if (st.IsNotFound() || (st.ok() && json::FindPath(p.obj, "metadata.deletionTimestamp"))) {
    Forget(p.key);
    return Status::OK();
  }
  DW_RETURN_IF_ERROR(st);
  p.now = deps_.now();
  if (const json::Value* g = json::FindPath(p.obj, "metadata.generation"); g && g->IsInt64()) {
    p.generation = g->GetInt64();
  }

  static const json::Value kNoSpec(rapidjson::kObjectType);
  const json::Value* spec = json::Find(p.obj, "spec");
  st = ParseStackPolicy(spec ? *spec : kNoSpec, &p.policy);
  if (!st.ok()) {
    // Nothing to do until the spec is edited, and the edit enqueues a pass.
    sampler_.Untrack(p.key);
    return WriteNotReady(p, "InvalidSpec", st.message());
  }

  p.host_key = runtime::KeyOf(req.ns, p.policy.docker_host);
  st = deps_.hosts ? deps_.hosts->NewClient(req.ns, p.policy.docker_host, &p.docker)
                   : Status::Unavailable("no Docker host registry");
  if (st.ok()) {
    if (router_) router_->EnsureWatcher(req.ns, p.policy.docker_host, p.docker->config());
    p.cache = CacheFor(p.host_key);
    st = Observe(p);
  }
  if (!st.ok()) {
    const char* reason = st.IsNotFound() ? "HostNotFound" : "HostUnavailable";
    result->requeue_after = NextHostBackoff(p.key, true);
    return WriteNotReady(p, reason, "DockerHost " + p.policy.docker_host + ": " + st.message());
  }
  NextHostBackoff(p.key, false);

  if (p.policy.mode == Mode::kEnforce) Enforce(p);
  Recommend(p, result);
  DW_RETURN_IF_ERROR(WriteAudit(p));
  NoteViolations(p);
  return Status::OK();
}

Status StackLimitsReconciler::Observe(Pass& p) {
  docker::Filters filters;
  // One project: let the daemon filter. Several (or a selector): one list of
  // everything, filtered here, still a single call.
  if (p.policy.projects.size() == 1) filters["label"] = {std::string(kProjectLabel) + "=" + p.policy.projects[0]};
  std::vector<docker::ContainerSummary> list;
  DW_RETURN_IF_ERROR(p.docker->ListContainers(true, filters, &list));
  if (filters.empty()) {
    std::set<std::string> alive;
    for (const auto& s : list) alive.insert(s.id);
    p.cache->Retain(alive);
  }
  for (const auto& s : list) {
    if (!p.policy.Selects(s.labels)) continue;
    CachedContainerPtr entry = p.cache->Get(s.id);
    if (!entry) {
      Status st = InspectInto(p, s.id, false);
      if (st.IsNotFound()) continue;  // removed between list and inspect; its destroy event follows
      DW_RETURN_IF_ERROR(st);
      continue;
    }
    p.containers.push_back(std::move(entry));
  }
  std::vector<ContainerFacts> facts;
  facts.reserve(p.containers.size());
  for (const auto& c : p.containers) facts.push_back(c->facts);
  p.audit.findings = Evaluate(p.policy, facts);
  p.audit.containers = std::move(facts);
  return Status::OK();
}

// Inspects `id` and appends it to p.containers (replacing the entry of the
// same id when `fresh`, i.e. after this pass changed the container).
Status StackLimitsReconciler::InspectInto(Pass& p, const std::string& id, bool fresh) {
  uint64_t token = p.cache->Begin();
  auto entry = std::make_shared<CachedContainer>();
  DW_RETURN_IF_ERROR(p.docker->InspectContainer(id, &entry->inspect));
  DW_RETURN_IF_ERROR(FactsFromInspect(entry->inspect, &entry->facts));
  p.cache->Put(id, entry, token);
  if (fresh) {
    for (auto& c : p.containers) {
      if (c->facts.id == id) {
        c = std::move(entry);
        return Status::OK();
      }
    }
  }
  p.containers.push_back(std::move(entry));
  return Status::OK();
}

void StackLimitsReconciler::Enforce(Pass& p) {
  // Snapshot: enforcement may replace entries of p.containers.
  std::vector<CachedContainerPtr> before = p.containers;
  std::vector<std::vector<Finding>> owns(before.size());
  std::vector<std::string> need_usage;  // in enforcement order
  for (size_t i = 0; i < before.size(); ++i) {
    for (const auto& f : p.audit.findings) {
      if (!f.exempted && f.container == before[i]->facts.container) owns[i].push_back(f);
    }
    if (NeedsUsage(p.policy, before[i]->facts, owns[i])) need_usage.push_back(before[i]->facts.id);
  }
  // Usage is asked for a batch at a time (memory_usage.h: one at a time costs
  // the daemon's 1 s stats interval per container), right before the batch is
  // enforced, so no sample is older than one batch of updates.
  size_t asked = 0;
  dockerhost::HostRegistry* hosts = deps_.hosts;
  const std::string ns = p.req.ns, host = p.policy.docker_host;
  DockerClientFactory factory = [hosts, ns, host](std::unique_ptr<docker::DockerClient>* out) {
    return hosts->NewClient(ns, host, out);
  };
  for (size_t i = 0; i < before.size(); ++i) {
    if (owns[i].empty()) continue;
    if (asked < need_usage.size() && need_usage[asked] == before[i]->facts.id) {
      size_t end = std::min(asked + kMaxParallelUsage, need_usage.size());
      std::vector<std::string> batch(need_usage.begin() + asked, need_usage.begin() + end);
      p.usage = MemoryUsages(p.docker.get(), factory, batch);
      asked = end;
    }
    EnforceLive(p, *before[i], owns[i]);
    EnforceRecreate(p, *before[i], owns[i]);
  }
  if (p.updated.empty()) return;
  // Status shows the state after the fix, not the one we just corrected.
  for (const auto& id : p.updated) {
    Status st = InspectInto(p, id, true);
    if (!st.ok()) log::Warn("stacklimits: re-inspect failed", {{"policy", p.key}, {"container", id}, {"error", st.message()}});
  }
  std::vector<ContainerFacts> facts;
  for (const auto& c : p.containers) facts.push_back(c->facts);
  p.audit.findings = Evaluate(p.policy, facts);
  p.audit.containers = std::move(facts);
}

void StackLimitsReconciler::EnforceLive(Pass& p, const CachedContainer& c, const std::vector<Finding>& own) {
  const ContainerFacts& f = c.facts;
  if (std::none_of(own.begin(), own.end(), [](const Finding& x) { return x.fixable_live; })) return;
  std::optional<int64_t> usage;
  if (WantsLowerMemory(p.policy, f)) {
    if (f.state != "running") {
      usage = 0;  // nothing allocated: a created or stopped container cannot be OOM-killed
    } else if (auto it = p.usage.find(f.id); it != p.usage.end()) {
      usage = it->second;  // asked by Enforce for this container's batch; absent: the request failed
    }
  }
  UpdatePlan plan = PlanUpdate(p.policy, f, own, usage);
  for (const auto& why : plan.unsafe) {
    bool first;
    {
      std::lock_guard<std::mutex> l(mu_);
      first = unsafe_said_[p.key].insert(f.container + "/" + why).second;
    }
    if (first) Event(p.obj, "Warning", "EnforceSkipped", f.container + ": " + why);
  }
  if (plan.empty()) return;

  Enforcement e;
  e.time = clock::Rfc3339(p.now);
  e.container = f.container;
  e.fields = plan.fields;
  Status st = p.docker->UpdateContainer(f.id, plan.update);
  if (st.ok()) {
    e.action = "Updated";
    e.message = DescribeUpdate(plan, own);
    Event(p.obj, "Normal", "Enforced", f.container + ": " + e.message);
    p.cache->Invalidate(f.id);
    p.updated.push_back(f.id);
  } else {
    e.action = "Failed";
    e.message = st.message();
    Event(p.obj, "Warning", "EnforceFailed", f.container + ": update failed: " + st.message());
  }
  std::lock_guard<std::mutex> l(mu_);
  last_enforcement_[p.key][ServiceKey(f.project, f.service)] = std::move(e);
}

void StackLimitsReconciler::EnforceRecreate(Pass& p, const CachedContainer& c, const std::vector<Finding>& own) {
  const ContainerFacts& f = c.facts;
  std::vector<Finding> fixes;
  for (const auto& x : own) {
    if (!x.fixable_live) fixes.push_back(x);
  }
  if (fixes.empty()) return;

  if (p.policy.allow_recreate) {
    // After a live update the cached inspect is stale; recreating from it
    // would undo that update.
    CachedContainerPtr current = p.cache->Get(f.id);
    std::shared_ptr<CachedContainer> fresh;
    if (!current) {
      fresh = std::make_shared<CachedContainer>();
      Status st = p.docker->InspectContainer(f.id, &fresh->inspect);
      if (!st.ok()) {
        Event(p.obj, "Warning", "EnforceFailed", f.container + ": inspect before recreate failed: " + st.message());
        return;
      }
    }
    const json::Value& inspect = current ? current->inspect : fresh->inspect;
    json::Document body;
    std::vector<std::string> changed;
    Status st = RecreateBody(inspect, p.policy, fixes, &body, &changed);
    if (st.ok() && !changed.empty()) {
      std::string new_id;
      Enforcement e;
      e.time = clock::Rfc3339(p.now);
      e.container = f.container;
      e.fields = changed;
      st = RecreateContainer(p.docker.get(), inspect, body, &new_id);
      if (st.ok()) {
        e.action = "Recreated";
        e.message = "recreated to fix " + Join(changed, ", ");
        Event(p.obj, "Normal", "Recreated", f.container + ": " + e.message);
        p.cache->Invalidate(f.id);
        // The old container is gone: drop it, inspect the new one.
        p.containers.erase(std::remove_if(p.containers.begin(), p.containers.end(),
                                          [&](const CachedContainerPtr& x) { return x->facts.id == f.id; }),
                           p.containers.end());
        p.updated.erase(std::remove(p.updated.begin(), p.updated.end(), f.id), p.updated.end());
        p.updated.push_back(new_id);
      } else {
        e.action = "Failed";
        e.message = st.message();
        Event(p.obj, "Warning", "EnforceFailed", f.container + ": recreate failed: " + st.message());
      }
      std::lock_guard<std::mutex> l(mu_);
      last_enforcement_[p.key][ServiceKey(f.project, f.service)] = std::move(e);
      return;
    }
    if (!st.ok()) {
      Event(p.obj, "Warning", "EnforceFailed", f.container + ": cannot build the recreate: " + st.message());
      return;
    }
    // Nothing dockward can correct (e.g. a secret value): say so once below.
  }
  for (const auto& x : fixes) {
    bool first;
    {
      std::lock_guard<std::mutex> l(mu_);
      first = needs_recreate_said_[p.key].insert(f.container + "/" + x.rule).second;
    }
    if (!first) continue;
    Event(p.obj, "Normal", "NeedsRecreate",
          f.container + ": " + RuleText(x) + " cannot change on a running container" +
              (p.policy.allow_recreate ? " and dockward cannot correct it" : "; set allowRecreate to recreate it"));
  }
}

void StackLimitsReconciler::Recommend(Pass& p, runtime::Result* result) {
  if (p.policy.mode != Mode::kRecommend) {
    sampler_.Untrack(p.key);
    return;
  }
  std::vector<std::string> running;
  for (const auto& c : p.containers) {
    if (c->facts.state == "running") running.push_back(c->facts.id);
  }
  dockerhost::HostRegistry* hosts = deps_.hosts;
  std::string ns = p.req.ns, host = p.policy.docker_host;
  auto factory = [hosts, ns, host](std::unique_ptr<docker::DockerClient>* out) {
    return hosts->NewClient(ns, host, out);
  };
  std::vector<std::string> left_out = sampler_.Track(p.key, factory, running);
  if (!left_out.empty()) {
    log::Warn("stacklimits: usage stream cap reached",
              {{"policy", p.key}, {"not_sampled", std::to_string(left_out.size())}});
  }

  // Service peak = max over its containers; its window began with the
  // earliest sample.
  struct Acc {
    UsageAccumulator acc;
    clock::TimePoint since = clock::TimePoint::max();
  };
  std::map<std::string, Acc> services;
  size_t sampled = 0;
  for (const auto& c : p.containers) {
    StatsSampler::Usage u;
    if (!sampler_.Get(c->facts.id, &u) || u.peak.samples == 0) continue;
    ++sampled;
    Acc& a = services[ServiceKey(c->facts.project, c->facts.service)];
    a.acc.Merge(u.peak);
    a.since = std::min(a.since, u.since);
  }
  const auto window = std::chrono::seconds(p.policy.sample_seconds);
  auto next = std::chrono::milliseconds(kRecommendSaveEvery);
  std::set<std::string> said;
  {
    std::lock_guard<std::mutex> l(mu_);
    said = recommended_said_[p.key];
  }
  for (auto& [key, a] : services) {
    ServiceRecommendation r;
    r.peak = a.acc.peak();
    r.proposal = stacklimits::Recommend(r.peak, p.policy.headroom_percent);
    r.window_start = clock::Rfc3339(a.since);
    auto elapsed = p.now - a.since;
    r.complete = elapsed >= window;
    if (!r.complete) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(window - elapsed);
      next = std::min(next, left + std::chrono::milliseconds(100));
    } else if (said.insert(key).second) {
      Event(p.obj, "Normal", "Recommended",
            key + ": memory " + FormatBytes(r.proposal.memory) + ", cpus " + FormatCpus(r.proposal.nano_cpus) +
                ", pids " + std::to_string(r.proposal.pids) + " (" + std::to_string(r.peak.samples) +
                " samples, headroom " + std::to_string(p.policy.headroom_percent) + "%)");
    }
    p.audit.recommendations[key] = r;
  }
  {
    std::lock_guard<std::mutex> l(mu_);
    recommended_said_[p.key] = std::move(said);
  }
  // Windows still open (or not started): come back to save partial peaks and
  // to close them on time. All complete: events and the resync suffice.
  // Nothing running: a `start` event brings the next pass.
  bool open = sampled < running.size() ||
              std::any_of(p.audit.recommendations.begin(), p.audit.recommendations.end(),
                          [](const auto& kv) { return !kv.second.complete; });
  if (!running.empty() && open) {
    result->requeue_after = std::max(next, std::chrono::milliseconds(1000));
  }
}

Status StackLimitsReconciler::WriteAudit(Pass& p) {
  {
    std::lock_guard<std::mutex> l(mu_);
    auto it = last_enforcement_.find(p.key);
    if (it != last_enforcement_.end()) p.audit.last_enforcement = it->second;
  }
  json::Allocator& a = p.obj.GetAllocator();
  json::Value& status = json::EnsureObject(p.obj, "status", a);
  if (!ApplyAuditStatus(p.policy, p.audit, p.generation, status, a, p.now)) return Status::OK();
  return deps_.client->UpdateStatus(*kind_, p.obj, {}, nullptr);
}

Status StackLimitsReconciler::WriteNotReady(Pass& p, const std::string& reason, const std::string& message) {
  json::Allocator& a = p.obj.GetAllocator();
  json::Value& status = json::EnsureObject(p.obj, "status", a);
  bool changed = runtime::SetCondition(status, a, {"Ready", "False", reason, message, p.generation}, p.now);
  if (!changed) return Status::OK();
  // Said once per transition: a host down for an hour is one event, not 60.
  Event(p.obj, "Warning", reason.c_str(), message);
  return deps_.client->UpdateStatus(*kind_, p.obj, {}, nullptr);
}

void StackLimitsReconciler::NoteViolations(Pass& p) {
  std::set<std::string> open;
  std::vector<const Finding*> fresh;
  std::set<std::string> nonlive;  // "container/rule" still needing a recreate
  {
    std::lock_guard<std::mutex> l(mu_);
    const std::set<std::string>& before = open_violations_[p.key];
    for (const auto& f : p.audit.findings) {
      if (f.exempted) continue;
      std::string k = FindingKey(f);
      if (!before.count(k)) fresh.push_back(&f);
      open.insert(std::move(k));
      if (!f.fixable_live) nonlive.insert(f.container + "/" + f.rule);
    }
    open_violations_[p.key] = open;
    // A fixed rule that comes back is worth a new NeedsRecreate.
    auto& said = needs_recreate_said_[p.key];
    for (auto it = said.begin(); it != said.end();) it = nonlive.count(*it) ? std::next(it) : said.erase(it);
  }
  if (fresh.empty()) return;
  std::vector<std::string> named;
  for (size_t i = 0; i < fresh.size() && i < kMaxNamedInEvent; ++i) {
    named.push_back(RuleText(*fresh[i]) + " on " + fresh[i]->container);
  }
  if (fresh.size() > kMaxNamedInEvent) named.push_back("...");
  Event(p.obj, "Warning", "ViolationsFound",
        std::to_string(open.size()) + " open violation(s), " + std::to_string(fresh.size()) +
            " new: " + Join(named, ", "));
}

}  // namespace dw::stacklimits
