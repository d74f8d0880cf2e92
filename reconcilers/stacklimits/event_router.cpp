#include "reconcilers/stacklimits/event_router.h"

#include <array>
#include <set>

#include "operator/common/log.h"
#include "reconcilers/dockerhost/host_registry.h"

namespace dw::stacklimits {

namespace {

std::string HostKey(const std::string& ns, const std::string& host) { return ns + "/" + host; }

std::string HostOf(const json::Value& obj) {
  std::string h = json::GetStringPath(obj, "spec.dockerHost");
  return h.empty() ? "local" : h;  // the CRD default, for objects stored without it
}

}  // namespace

bool EventMatters(std::string_view action) {
  // health_status arrives as "health_status: healthy"; exec_* carry the
  // command. Everything here changes state, limits, health or membership.
  static constexpr std::array<std::string_view, 12> kExact = {
      "create", "start", "restart", "die",   "stop",    "kill",
      "destroy", "update", "rename", "pause", "unpause", "oom"};
  if (action.rfind("health_status", 0) == 0) return true;
  for (auto a : kExact) {
    if (action == a) return true;
  }
  return false;
}

EventRouter::EventRouter(EventRouterHooks hooks) : hooks_(std::move(hooks)) {}

EventRouter::~EventRouter() { StopAll(); }

void EventRouter::EnsureWatcher(const std::string& ns, const std::string& host,
                                const docker::DockerConfig& cfg) {
  DropWatcherUnless(ns, host, &cfg);
  std::lock_guard<std::mutex> l(mu_);
  const std::string key = HostKey(ns, host);
  if (stopped_ || watchers_.count(key)) return;
  docker::EventWatcherOptions opts;
  opts.filters = {{"type", {"container"}}};
  // A daemon restart should be noticed (and resynced) within about a second.
  opts.min_backoff = std::chrono::milliseconds(100);
  opts.max_backoff = std::chrono::seconds(2);
  docker::EventWatcherCallbacks cbs;
  cbs.on_event = [this, ns, host](const docker::Event& e) { HandleEvent(ns, host, e); };
  cbs.on_resync = [this, ns, host] { HandleResync(ns, host); };
  cbs.on_state = [key](bool connected, const Status& cause) {
    if (!connected) log::Warn("stacklimits: docker events disconnected", {{"host", key}, {"cause", cause.message()}});
  };
  Watch& w = watchers_[key];
  w.cfg = cfg;
  w.watcher = std::make_unique<docker::EventWatcher>(cfg, opts, std::move(cbs));
  w.watcher->Start();
}

void EventRouter::DropWatcherUnless(const std::string& ns, const std::string& host,
                                    const docker::DockerConfig* cfg) {
  std::unique_ptr<docker::EventWatcher> old;
  {
    std::lock_guard<std::mutex> l(mu_);
    auto it = watchers_.find(HostKey(ns, host));
    if (it == watchers_.end()) return;
    if (cfg && dockerhost::SameDockerConfig(it->second.cfg, *cfg)) return;
    old = std::move(it->second.watcher);
    watchers_.erase(it);
  }
  // Outside the lock: Stop joins a thread whose callback may be routing.
  if (old) old->Stop();
}

void EventRouter::StopAll() {
  std::map<std::string, Watch> all;
  {
    std::lock_guard<std::mutex> l(mu_);
    stopped_ = true;
    all.swap(watchers_);
  }
  for (auto& [key, w] : all) w.watcher->Stop();
}

size_t EventRouter::watcher_count() const {
  std::lock_guard<std::mutex> l(mu_);
  return watchers_.size();
}

void EventRouter::HandleEvent(const std::string& ns, const std::string& host, const docker::Event& e) {
  if (e.type != "container" || !EventMatters(e.action)) return;
  if (hooks_.on_container_event) hooks_.on_container_event(HostKey(ns, host), e);
  if (!hooks_.enqueue) return;
  for (const auto& req : Match(ns, host, e.attributes)) hooks_.enqueue(req);
}

void EventRouter::HandleResync(const std::string& ns, const std::string& host) {
  if (hooks_.on_resync) hooks_.on_resync(HostKey(ns, host));
  if (!hooks_.enqueue) return;
  for (const auto& req : PoliciesOn(ns, host)) hooks_.enqueue(req);
}

std::vector<runtime::Request> EventRouter::Match(const std::string& ns, const std::string& host,
                                                 const std::map<std::string, std::string>& labels) {
  std::vector<runtime::Request> out;
  if (!hooks_.list_policies) return out;
  std::vector<runtime::ObjectPtr> listed = hooks_.list_policies(ns);
  for (const auto& obj : listed) {
    if (HostOf(*obj) != host) continue;
    auto policy = PolicyOf(obj);
    if (policy && policy->Selects(labels)) out.push_back({ns, runtime::NameOf(*obj)});
  }
  PruneParsed(ns, listed);
  return out;
}

std::vector<runtime::Request> EventRouter::PoliciesOn(const std::string& ns, const std::string& host) {
  std::vector<runtime::Request> out;
  if (!hooks_.list_policies) return out;
  for (const auto& obj : hooks_.list_policies(ns)) {
    if (HostOf(*obj) == host) out.push_back({ns, runtime::NameOf(*obj)});
  }
  return out;
}

std::shared_ptr<const StackPolicy> EventRouter::PolicyOf(const runtime::ObjectPtr& obj) {
  const std::string key = runtime::KeyOf(*obj);
  const std::string rv = runtime::ResourceVersionOf(*obj);
  {
    std::lock_guard<std::mutex> l(mu_);
    auto it = parsed_.find(key);
    if (it != parsed_.end() && it->second.resource_version == rv) return it->second.policy;
  }
  // Parse outside the lock: a watcher thread of another host may be routing.
  std::shared_ptr<StackPolicy> policy;
  static const json::Value kEmpty(rapidjson::kObjectType);
  const json::Value* spec = json::Find(*obj, "spec");
  auto p = std::make_shared<StackPolicy>();
  if (ParseStackPolicy(spec ? *spec : kEmpty, p.get()).ok()) policy = std::move(p);
  std::lock_guard<std::mutex> l(mu_);
  parsed_[key] = Parsed{rv, policy};
  return policy;
}

void EventRouter::PruneParsed(const std::string& ns, const std::vector<runtime::ObjectPtr>& listed) {
  std::set<std::string> keep;
  for (const auto& obj : listed) keep.insert(runtime::KeyOf(*obj));
  const std::string prefix = ns + "/";
  std::lock_guard<std::mutex> l(mu_);
  for (auto it = parsed_.lower_bound(prefix); it != parsed_.end() && it->first.rfind(prefix, 0) == 0;) {
    it = keep.count(it->first) ? std::next(it) : parsed_.erase(it);
  }
}

}  // namespace dw::stacklimits
