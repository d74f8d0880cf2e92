#include "operator/runtime/event_recorder.h"

#include <cstdio>

#include "operator/common/log.h"
#include "operator/runtime/metrics.h"

namespace dw::runtime {

namespace {

// The correlation cache is trimmed once it grows past this many keys.
constexpr size_t kSeenLimit = 4096;

std::string EventName(const std::string& object_name, uint64_t salt) {
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(salt));
  return object_name + "." + hex;
}

uint64_t UnixNanos(dw::clock::TimePoint t) {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count());
}

}  // namespace

EventRecorder::EventRecorder(Client* client, const schema::ResourceInfo& events, EventRecorderOptions opts)
    : client_(client), events_(events), opts_(std::move(opts)) {
  sender_ = std::thread([this] { Loop(); });
}

EventRecorder::~EventRecorder() {
  {
    std::lock_guard<std::mutex> g(mu_);
    stop_ = true;
    cv_.notify_all();
  }
  sender_.join();
}

void EventRecorder::Record(const json::Value& obj, const std::string& type, const std::string& reason,
                           const std::string& message) {
  Pending p{json::GetString(obj, "apiVersion"), json::GetString(obj, "kind"), NameOf(obj), NamespaceOf(obj),
            UidOf(obj), ResourceVersionOf(obj), type, reason, message, dw::clock::Now()};
  std::lock_guard<std::mutex> g(mu_);
  if (stop_ || queue_.size() >= opts_.queue_limit) {
    RuntimeMetrics::Get().events_dropped.With({opts_.component}).Inc();
    // One line per 100 drops: a storm must not turn into a log storm.
    if (dropped_++ % 100 == 0)
      log::Warn("event dropped: recorder queue full",
                {{"component", opts_.component}, {"object", KeyOf(p.ns, p.name)}, {"reason", reason},
                 {"dropped_total", std::to_string(dropped_)}});
    return;
  }
  queue_.push_back(std::move(p));
  cv_.notify_one();
}

bool EventRecorder::Flush(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> l(mu_);
  return idle_cv_.wait_for(l, timeout, [&] { return queue_.empty() && !busy_; });
}

void EventRecorder::Loop() {
  std::unique_lock<std::mutex> l(mu_);
  for (;;) {
    cv_.wait(l, [&] { return stop_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping and drained
    Pending p = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    l.unlock();
    Send(p);
    l.lock();
    busy_ = false;
    if (queue_.empty()) idle_cv_.notify_all();
  }
}

void EventRecorder::Send(const Pending& p) {
  // Events of cluster-scoped objects live in "default", as in Kubernetes.
  std::string ns = p.ns.empty() ? "default" : p.ns;
  std::string key = p.uid + "\x1f" + p.type + "\x1f" + p.reason + "\x1f" + p.message;
  ForgetOld(p.when);
  auto it = seen_.find(key);
  if (it != seen_.end() && p.when - it->second.last >= opts_.aggregate_window) {
    seen_.erase(it);  // outside the window: a new Event, as client-go does
    it = seen_.end();
  }
  Status st;
  if (it != seen_.end()) {
    st = BumpEvent(p, &it->second);
    if (st.IsNotFound()) st = CreateEvent(p, ns, &it->second);  // expired meanwhile
  } else {
    Seen s;
    st = CreateEvent(p, ns, &s);
    if (st.ok()) seen_.emplace(key, std::move(s));
  }
  if (!st.ok()) {
    RuntimeMetrics::Get().events_dropped.With({opts_.component}).Inc();
    log::Warn("event not written", {{"component", opts_.component},
                                    {"object", KeyOf(p.ns, p.name)},
                                    {"reason", p.reason},
                                    {"error", st.ToString()}});
  }
}

Status EventRecorder::CreateEvent(const Pending& p, const std::string& ns, Seen* seen) {
  json::Document ev(rapidjson::kObjectType);
  auto& a = ev.GetAllocator();
  json::SetString(ev, "apiVersion", "v1", a);
  json::SetString(ev, "kind", "Event", a);
  json::Value& meta = json::EnsureObject(ev, "metadata", a);
  json::SetString(meta, "namespace", ns, a);
  json::Value& inv = json::EnsureObject(ev, "involvedObject", a);
  json::SetString(inv, "apiVersion", p.api_version, a);
  json::SetString(inv, "kind", p.kind, a);
  json::SetString(inv, "name", p.name, a);
  if (!p.ns.empty()) json::SetString(inv, "namespace", p.ns, a);
  json::SetString(inv, "uid", p.uid, a);
  json::SetString(inv, "resourceVersion", p.resource_version, a);
  json::SetString(ev, "type", p.type, a);
  json::SetString(ev, "reason", p.reason, a);
  json::SetString(ev, "message", p.message, a);
  json::Value& source = json::EnsureObject(ev, "source", a);
  json::SetString(source, "component", opts_.component, a);
  json::SetString(ev, "reportingComponent", opts_.component, a);
  if (!opts_.reporting_instance.empty()) json::SetString(ev, "reportingInstance", opts_.reporting_instance, a);
  std::string ts = dw::clock::Rfc3339(p.when);
  json::SetString(ev, "firstTimestamp", ts, a);
  json::SetString(ev, "lastTimestamp", ts, a);
  json::SetInt(ev, "count", 1, a);
  // Two events of one object in the same nanosecond would collide; the next
  // salt is as good a name.
  uint64_t salt = UnixNanos(p.when);
  for (int attempt = 0; attempt < 3; ++attempt) {
    std::string name = EventName(p.name, salt + attempt);
    json::SetString(*json::Find(ev, "metadata"), "name", name, a);
    Status st = client_->Create(events_, ev, WriteOptions{}, nullptr);
    if (st.IsAlreadyExists()) continue;
    if (st.ok()) *seen = Seen{ns, name, 1, p.when};
    return st;
  }
  return Status::AlreadyExists("event name collisions for " + p.name);
}

Status EventRecorder::BumpEvent(const Pending& p, Seen* seen) {
  int64_t count = seen->count + 1;
  std::string body = "{\"count\":" + std::to_string(count) + ",\"lastTimestamp\":\"" + dw::clock::Rfc3339(p.when) + "\"}";
  DW_RETURN_IF_ERROR(client_->Patch(events_, seen->ns, seen->event_name, PatchType::kMerge, body, WriteOptions{},
                                    nullptr));
  seen->count = count;
  seen->last = p.when;
  return Status::OK();
}

void EventRecorder::ForgetOld(dw::clock::TimePoint now) {
  // Bounds memory for recorders that see many distinct objects; expired
  // entries are also ignored at lookup, so this only runs when over the limit.
  if (seen_.size() <= kSeenLimit) return;
  for (auto it = seen_.begin(); it != seen_.end();) {
    if (now - it->second.last >= opts_.aggregate_window) {
      it = seen_.erase(it);
    } else {
      ++it;
    }
  }
  if (seen_.size() > kSeenLimit) seen_.clear();  // all recent: lose aggregation, not memory
}

}  // namespace dw::runtime
