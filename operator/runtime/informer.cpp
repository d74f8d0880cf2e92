#include "operator/runtime/informer.h"

#include <algorithm>

#include "operator/common/log.h"
#include "operator/runtime/metrics.h"

namespace dw::runtime {

namespace {
// A watch that lived at least this long was healthy: the next failure starts
// the backoff afresh.
constexpr auto kHealthyWatch = std::chrono::seconds(1);
}  // namespace

Informer::Informer(Client* client, const schema::ResourceInfo& r, InformerOptions opts)
    : client_(client), r_(r), opts_(std::move(opts)) {}

Informer::~Informer() { Stop(); }

void Informer::AddEventHandler(EventHandler h) { handlers_.push_back(std::move(h)); }

void Informer::Start() {
  std::lock_guard<std::mutex> g(run_mu_);
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this] { Run(); });
}

void Informer::Stop() {
  {
    std::lock_guard<std::mutex> g(run_mu_);
    stop_ = true;
    if (watch_) watch_->Stop();
    run_cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

bool Informer::Stopping() const {
  std::lock_guard<std::mutex> g(run_mu_);
  return stop_;
}

bool Informer::SleepFor(std::chrono::milliseconds d) {
  std::unique_lock<std::mutex> l(run_mu_);
  run_cv_.wait_for(l, d, [&] { return stop_; });
  return !stop_;
}

bool Informer::WaitForSync(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> l(run_mu_);
  run_cv_.wait_for(l, timeout, [&] { return synced_.load() || stop_; });
  return synced_.load();
}

void Informer::Run() {
  auto backoff = opts_.relist_backoff;
  bool need_list = LastResourceVersion().empty();
  next_resync_ = std::chrono::steady_clock::now() + opts_.resync;
  while (!Stopping()) {
    if (need_list) {
      if (!ListAndReplace()) {
        if (!SleepFor(backoff)) return;
        backoff = std::min(backoff * 2, opts_.relist_backoff_max);
        continue;
      }
      need_list = false;
    }
    std::unique_ptr<WatchStream> w;
    Status st = client_->Watch(r_, opts_.ns, LastResourceVersion(), &w);
    if (!st.ok()) {
      log::Info("informer watch refused, re-listing",
                {{"resource", r_.GroupResource()}, {"rv", LastResourceVersion()}, {"reason", st.ToString()}});
      need_list = true;
      if (st.code() != Code::kGone && !SleepFor(backoff)) return;
      continue;
    }
    auto opened = std::chrono::steady_clock::now();
    WatchUntilClosed(std::move(w));
    if (Stopping()) return;
    if (std::chrono::steady_clock::now() - opened >= kHealthyWatch) backoff = opts_.relist_backoff;
    log::Info("informer watch closed, re-listing",
              {{"resource", r_.GroupResource()}, {"backoff_ms", std::to_string(backoff.count())}});
    if (!SleepFor(backoff)) return;
    backoff = std::min(backoff * 2, opts_.relist_backoff_max);
    need_list = true;
  }
}

bool Informer::ListAndReplace() {
  ObjectList list;
  Status st = client_->List(r_, opts_.ns, ListOptions{}, &list);
  if (!st.ok()) {
    log::Warn("informer list failed", {{"resource", r_.GroupResource()}, {"error", st.ToString()}});
    return false;
  }
  std::map<std::string, ObjectPtr> fresh;
  for (auto& item : list.items) {
    auto p = std::make_shared<json::Document>(std::move(item));
    fresh.emplace(KeyOf(*p), std::move(p));
  }
  std::vector<ObjectPtr> added, deleted;
  std::vector<std::pair<ObjectPtr, ObjectPtr>> updated;
  bool first;
  {
    std::lock_guard<std::mutex> g(cache_mu_);
    first = last_rv_.empty();
    for (const auto& [key, obj] : fresh) {
      auto it = cache_.find(key);
      if (it == cache_.end()) {
        added.push_back(obj);
      } else if (ResourceVersionOf(*it->second) != ResourceVersionOf(*obj)) {
        updated.emplace_back(it->second, obj);
      }
    }
    for (const auto& [key, obj] : cache_)
      if (!fresh.count(key)) deleted.push_back(obj);
    cache_.swap(fresh);
    last_rv_ = list.resource_version;
  }
  if (!first) {
    relists_.fetch_add(1);
    RuntimeMetrics::Get().informer_relists.With({r_.GroupResource()}).Inc();
  }
  for (const auto& h : handlers_) {
    if (h.on_add) for (const auto& o : added) h.on_add(o);
    if (h.on_update) for (const auto& [o, n] : updated) h.on_update(o, n);
    if (h.on_delete) for (const auto& o : deleted) h.on_delete(o);
  }
  {
    std::lock_guard<std::mutex> g(run_mu_);
    synced_.store(true);
    run_cv_.notify_all();
  }
  return true;
}

void Informer::WatchUntilClosed(std::unique_ptr<WatchStream> owned) {
  std::shared_ptr<WatchStream> w(std::move(owned));
  {
    std::lock_guard<std::mutex> g(run_mu_);
    if (stop_) return;
    watch_ = w;
  }
  std::vector<WatchEvent> events;
  bool open = true;
  while (open) {
    auto wait = opts_.watch_wait;
    if (opts_.resync.count() > 0) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(next_resync_ -
                                                                        std::chrono::steady_clock::now());
      wait = std::clamp(left, std::chrono::milliseconds(0), wait);
    }
    events.clear();
    open = w->Next(&events, wait);
    for (const auto& e : events) Apply(e);
    if (opts_.resync.count() > 0 && std::chrono::steady_clock::now() >= next_resync_) {
      Resync();
      next_resync_ = std::chrono::steady_clock::now() + opts_.resync;
    }
  }
  Status why = w->closed_status();
  if (!why.ok())
    log::Info("informer watch ended", {{"resource", r_.GroupResource()}, {"reason", why.ToString()}});
  std::lock_guard<std::mutex> g(run_mu_);
  watch_.reset();
}

void Informer::Apply(const WatchEvent& e) {
  std::string key = KeyOf(*e.object);
  ObjectPtr old;
  {
    std::lock_guard<std::mutex> g(cache_mu_);
    auto it = cache_.find(key);
    if (it != cache_.end()) old = it->second;
    if (e.type == WatchEvent::Type::kDeleted) {
      if (it != cache_.end()) cache_.erase(it);
    } else {
      cache_[key] = e.object;
    }
    last_rv_ = e.resource_version;
  }
  for (const auto& h : handlers_) {
    if (e.type == WatchEvent::Type::kDeleted) {
      if (h.on_delete) h.on_delete(e.object);
    } else if (old) {
      if (h.on_update) h.on_update(old, e.object);
    } else if (h.on_add) {
      h.on_add(e.object);
    }
  }
}

void Informer::Resync() {
  std::vector<ObjectPtr> all = List();
  for (const auto& h : handlers_)
    if (h.on_update)
      for (const auto& o : all) h.on_update(o, o);
}

ObjectPtr Informer::Get(const std::string& ns, const std::string& name) const {
  std::lock_guard<std::mutex> g(cache_mu_);
  auto it = cache_.find(KeyOf(ns, name));
  return it == cache_.end() ? nullptr : it->second;
}

std::vector<ObjectPtr> Informer::List(const meta::LabelSelector& sel, const std::string& ns) const {
  std::vector<ObjectPtr> out;
  std::lock_guard<std::mutex> g(cache_mu_);
  for (const auto& [key, obj] : cache_) {
    if (!ns.empty() && NamespaceOf(*obj) != ns) continue;
    if (!sel.Empty() && !sel.Matches(meta::LabelsOf(*obj))) continue;
    out.push_back(obj);
  }
  return out;
}

size_t Informer::Size() const {
  std::lock_guard<std::mutex> g(cache_mu_);
  return cache_.size();
}

std::string Informer::LastResourceVersion() const {
  std::lock_guard<std::mutex> g(cache_mu_);
  return last_rv_;
}

}  // namespace dw::runtime
