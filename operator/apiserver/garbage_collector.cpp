#include "operator/apiserver/garbage_collector.h"

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "operator/common/clock.h"
#include "operator/common/log.h"

namespace dw::apiserver {

namespace {

struct OwnerRef {
  std::string api_version, kind, name, uid;
};

// What the collector remembers of each object: enough to find dependents
// and to act on them without re-reading everything.
struct Node {
  const schema::ResourceInfo* kind = nullptr;
  std::string ns, name, uid;
  std::vector<OwnerRef> owners;
  bool deleting = false;
  bool foreground = false;
  bool orphan = false;
  clock::TimePoint event_time{};
};

bool HasFinalizer(const json::Value& obj, const char* f) {
  const json::Value* fins = json::FindPath(obj, "metadata.finalizers");
  if (!fins || !fins->IsArray()) return false;
  for (const auto& v : fins->GetArray())
    if (v.IsString() && std::string(v.GetString()) == f) return true;
  return false;
}

Status RemoveFinalizer(json::Document& d, const char* f) {
  json::Value* fins = json::Find(json::EnsureObject(d, "metadata", d.GetAllocator()), "finalizers");
  if (!fins || !fins->IsArray()) return Status::OK();
  for (auto it = fins->Begin(); it != fins->End();) {
    if (it->IsString() && std::string(it->GetString()) == f) it = fins->Erase(it);
    else ++it;
  }
  return Status::OK();
}

}  // namespace

struct GarbageCollector::Impl {
  ObjectRegistry* reg;
  GarbageCollectorOptions opts;
  std::thread thread;
  std::atomic<bool> stop{false};
  std::unique_ptr<store::Watcher> watcher;
  std::mutex watcher_mu;

  std::map<std::string, Node> nodes;                    // key -> node
  std::map<std::string, std::string> key_by_uid;        // uid -> key
  std::map<std::string, std::set<std::string>> deps;    // owner uid -> dependent keys
  std::set<std::string> dirty;                          // keys to evaluate
  std::set<std::string> terminating_namespaces;
  clock::TimePoint next_event_sweep{};

  WriteOptions Writer() const {
    WriteOptions o;
    o.field_manager = "dockward-garbage-collector";
    return o;
  }

  const schema::ResourceInfo* KindOfKey(const std::string& key) const {
    std::string gr = key.substr(0, key.find('/'));
    size_t dot = gr.find('.');
    std::string plural = gr.substr(0, dot);
    std::string group = dot == std::string::npos ? "" : gr.substr(dot + 1);
    return reg->kinds().ByResource(group, plural);
  }

  void Forget(const std::string& key) {
    auto it = nodes.find(key);
    if (it == nodes.end()) return;
    for (const auto& o : it->second.owners) {
      auto d = deps.find(o.uid);
      if (d != deps.end()) {
        d->second.erase(key);
        if (d->second.empty()) deps.erase(d);
      }
    }
    key_by_uid.erase(it->second.uid);
    nodes.erase(it);
  }

  void Observe(const store::Object& o, bool deleted) {
    if (deleted) {
      auto it = nodes.find(o.key);
      if (it != nodes.end()) {
        std::string uid = it->second.uid;
        auto d = deps.find(uid);
        if (d != deps.end()) dirty.insert(d->second.begin(), d->second.end());
        std::string ns = it->second.ns;
        Forget(o.key);
        if (terminating_namespaces.count(ns)) dirty.insert("namespaces//" + ns);
      }
      return;
    }
    json::Document d;
    if (!json::Parse(*o.data, &d).ok()) return;
    Forget(o.key);
    Node n;
    n.kind = KindOfKey(o.key);
    if (!n.kind) return;
    n.ns = json::GetStringPath(d, "metadata.namespace");
    n.name = json::GetStringPath(d, "metadata.name");
    n.uid = json::GetStringPath(d, "metadata.uid");
    n.deleting = json::FindPath(d, "metadata.deletionTimestamp") != nullptr;
    n.foreground = HasFinalizer(d, "foregroundDeletion");
    n.orphan = HasFinalizer(d, "orphan");
    if (const json::Value* refs = json::FindPath(d, "metadata.ownerReferences"); refs && refs->IsArray()) {
      for (const auto& r : refs->GetArray()) {
        OwnerRef ref{json::GetString(r, "apiVersion"), json::GetString(r, "kind"),
                     json::GetString(r, "name"), json::GetString(r, "uid")};
        deps[ref.uid].insert(o.key);
        n.owners.push_back(std::move(ref));
      }
    }
    if (n.kind->group.empty() && n.kind->plural == "events") {
      const json::Value* t = json::Find(d, "lastTimestamp");
      if (!t || !t->IsString()) t = json::Find(d, "eventTime");
      if (!t || !t->IsString()) t = json::FindPath(d, "metadata.creationTimestamp");
      if (t && t->IsString()) clock::ParseRfc3339(t->GetString(), &n.event_time);
    }
    if (n.kind->group.empty() && n.kind->plural == "namespaces" && n.deleting) {
      terminating_namespaces.insert(n.name);
      dirty.insert(o.key);
    }
    if (!n.owners.empty() || n.foreground || n.orphan) dirty.insert(o.key);
    key_by_uid[n.uid] = o.key;
    nodes[o.key] = std::move(n);
  }

  // Is the owner named by `ref` (resolved in `ns` when namespaced) alive with that uid?
  bool OwnerExists(const OwnerRef& ref, const std::string& ns) {
    const schema::ResourceInfo* k = reg->kinds().ByKind(ref.api_version, ref.kind);
    if (!k) return key_by_uid.count(ref.uid) > 0;
    store::Object o;
    if (!reg->Get(*k, ns, ref.name, &o).ok()) return false;
    json::Document d;
    return json::Parse(*o.data, &d).ok() && json::GetStringPath(d, "metadata.uid") == ref.uid;
  }

  // Returns true when the node still has work pending (retry later).
  bool Evaluate(const std::string& key) {
    auto it = nodes.find(key);
    if (it == nodes.end()) return false;
    Node n = it->second;
    if (n.kind->group.empty() && n.kind->plural == "namespaces" && n.deleting) return DrainNamespace(n);
    bool pending = false;
    if (n.deleting && n.orphan) pending |= OrphanDependents(n);
    if (n.deleting && n.foreground) pending |= DeleteDependentsForeground(n);
    if (!n.owners.empty() && !n.deleting) CheckOwners(key, n);
    return pending;
  }

  // The owners as stored now. The cached node can be stale: an owner
  // processed earlier in the same pass (orphaning) may have just rewritten
  // this object's ownerReferences, and its watch event is not seen yet.
  bool LiveOwners(const Node& n, std::vector<OwnerRef>* owners, std::string* rv) {
    store::Object o;
    json::Document d;
    if (!reg->Get(*n.kind, n.ns, n.name, &o).ok() || !json::Parse(*o.data, &d).ok()) return false;
    if (json::FindPath(d, "metadata.deletionTimestamp")) return false;
    *rv = std::to_string(o.rv);
    if (const json::Value* refs = json::FindPath(d, "metadata.ownerReferences"); refs && refs->IsArray())
      for (const auto& r : refs->GetArray())
        owners->push_back({json::GetString(r, "apiVersion"), json::GetString(r, "kind"),
                           json::GetString(r, "name"), json::GetString(r, "uid")});
    return true;
  }

  void CheckOwners(const std::string& key, const Node& cached) {
    Node n = cached;
    n.owners.clear();
    std::string rv;
    if (!LiveOwners(cached, &n.owners, &rv) || n.owners.empty()) return;
    std::vector<std::string> dangling;
    bool any_alive = false;
    for (const auto& ref : n.owners) {
      bool alive = OwnerExists(ref, n.ns);
      // An owner that is itself being deleted in the foreground keeps its
      // dependents until they are gone: treat as alive but deleting.
      if (alive) any_alive = true;
      else dangling.push_back(ref.uid);
    }
    if (dangling.empty()) return;
    WriteResult res;
    if (!any_alive) {
      DeleteOptions o;
      o.propagation = "Background";
      o.precondition_rv = rv;  // judged on this version; a later change is re-evaluated
      Status st = reg->Delete(*n.kind, n.ns, n.name, o, &res);
      if (st.ok()) log::Info("garbage collected dependent", {{"key", key}});
      return;
    }
    reg->Mutate(*n.kind, n.ns, n.name, [&](json::Document& d) {
      json::Value* m = json::Find(d, "metadata");
      json::Value* refs = m ? json::Find(*m, "ownerReferences") : nullptr;
      if (!refs || !refs->IsArray()) return Status::OK();
      for (auto r = refs->Begin(); r != refs->End();) {
        std::string uid = json::GetString(*r, "uid");
        if (std::find(dangling.begin(), dangling.end(), uid) != dangling.end()) r = refs->Erase(r);
        else ++r;
      }
      return Status::OK();
    }, Writer(), &res);
  }

  bool OrphanDependents(const Node& owner) {
    auto d = deps.find(owner.uid);
    std::vector<std::string> keys = d == deps.end() ? std::vector<std::string>{}
                                                    : std::vector<std::string>(d->second.begin(), d->second.end());
    for (const auto& k : keys) {
      auto it = nodes.find(k);
      if (it == nodes.end()) continue;
      WriteResult res;
      reg->Mutate(*it->second.kind, it->second.ns, it->second.name, [&](json::Document& doc) {
        json::Value* m = json::Find(doc, "metadata");
        json::Value* refs = m ? json::Find(*m, "ownerReferences") : nullptr;
        if (!refs || !refs->IsArray()) return Status::OK();
        for (auto r = refs->Begin(); r != refs->End();) {
          if (json::GetString(*r, "uid") == owner.uid) r = refs->Erase(r);
          else ++r;
        }
        if (refs->Empty()) json::Remove(*m, "ownerReferences");
        return Status::OK();
      }, Writer(), &res);
    }
    WriteResult res;
    Status st = reg->Mutate(*owner.kind, owner.ns, owner.name,
                            [](json::Document& doc) { return RemoveFinalizer(doc, "orphan"); }, Writer(), &res);
    return !st.ok() && !st.IsNotFound();
  }

  bool DeleteDependentsForeground(const Node& owner) {
    auto d = deps.find(owner.uid);
    if (d != deps.end() && !d->second.empty()) {
      std::vector<std::string> keys(d->second.begin(), d->second.end());
      for (const auto& k : keys) {
        auto it = nodes.find(k);
        if (it == nodes.end() || it->second.deleting) continue;
        DeleteOptions o;
        o.propagation = "Foreground";
        WriteResult res;
        reg->Delete(*it->second.kind, it->second.ns, it->second.name, o, &res);
      }
      return true;  // wait for the dependents' DELETED events
    }
    WriteResult res;
    Status st = reg->Mutate(*owner.kind, owner.ns, owner.name,
                            [](json::Document& doc) { return RemoveFinalizer(doc, "foregroundDeletion"); },
                            Writer(), &res);
    return !st.ok() && !st.IsNotFound();
  }

  bool DrainNamespace(const Node& nsnode) {
    bool remaining = false;
    for (const auto& k : reg->kinds().All()) {
      if (!k->namespaced) continue;
      ListQuery q;
      store::ListResult lr;
      if (!reg->List(*k, nsnode.name, q, &lr).ok()) {
        remaining = true;
        continue;
      }
      for (const auto& item : lr.items) {
        remaining = true;
        json::Document d;
        if (!json::Parse(*item.data, &d).ok()) continue;
        if (json::FindPath(d, "metadata.deletionTimestamp")) continue;
        DeleteOptions o;
        o.propagation = "Background";
        WriteResult res;
        reg->Delete(*k, nsnode.name, json::GetStringPath(d, "metadata.name"), o, &res);
      }
    }
    if (remaining) return true;
    const schema::ResourceInfo* nsk = reg->kinds().ByResource("", "namespaces");
    WriteResult res;
    Status st = reg->Mutate(*nsk, "", nsnode.name, [](json::Document& d) {
      if (json::Value* spec = json::Find(d, "spec")) json::Remove(*spec, "finalizers");
      return Status::OK();
    }, Writer(), &res);
    if (st.ok() || st.IsNotFound()) {
      terminating_namespaces.erase(nsnode.name);
      log::Info("namespace deleted", {{"namespace", nsnode.name}});
      return false;
    }
    return true;
  }

  void SweepEvents() {
    auto now = clock::Now();
    if (now < next_event_sweep) return;
    next_event_sweep = now + std::chrono::seconds(60);
    std::vector<std::pair<const schema::ResourceInfo*, std::pair<std::string, std::string>>> expired;
    for (const auto& [key, n] : nodes) {
      if (n.kind->group.empty() && n.kind->plural == "events" && n.event_time.time_since_epoch().count() > 0 &&
          now - n.event_time > opts.event_ttl)
        expired.push_back({n.kind, {n.ns, n.name}});
    }
    for (const auto& e : expired) {
      WriteResult res;
      reg->Delete(*e.first, e.second.first, e.second.second, DeleteOptions{}, &res);
    }
  }

  void Run() {
    while (!stop.load()) {
      // (Re)build the index from a list, then follow the watch from there.
      nodes.clear();
      key_by_uid.clear();
      deps.clear();
      dirty.clear();
      store::ListResult lr;
      Status st = reg->store()->List(store::ListOptions{}, &lr);
      if (st.ok()) {
        std::unique_lock<std::mutex> l(watcher_mu);
        if (stop.load()) return;
        st = reg->store()->Watch("", lr.rv, &watcher);
      }
      if (!st.ok()) {
        log::Warn("garbage collector cannot watch the store", {{"error", st.ToString()}});
        std::this_thread::sleep_for(std::chrono::seconds(1));
        continue;
      }
      for (const auto& o : lr.items) Observe(o, false);
      std::vector<store::Event> events;
      while (!stop.load()) {
        std::set<std::string> work, pending;
        work.swap(dirty);
        for (const auto& k : work)
          if (Evaluate(k)) pending.insert(k);
        SweepEvents();
        // Work waiting on other finalizers is retried on a timer, not in a loop.
        auto wait = pending.empty() ? std::chrono::milliseconds(30000) : opts.retry_interval;
        events.clear();
        if (!watcher->Next(&events, wait)) break;
        for (const auto& e : events) Observe(e.object, e.type == store::Event::Type::kDeleted);
        dirty.insert(pending.begin(), pending.end());
      }
      std::unique_lock<std::mutex> l(watcher_mu);
      watcher.reset();
    }
  }
};

GarbageCollector::GarbageCollector(ObjectRegistry* registry, GarbageCollectorOptions opts)
    : impl_(new Impl) {
  impl_->reg = registry;
  impl_->opts = opts;
}

GarbageCollector::~GarbageCollector() { Stop(); }

Status GarbageCollector::Start() {
  impl_->thread = std::thread([this] { impl_->Run(); });
  return Status::OK();
}

void GarbageCollector::Stop() {
  if (!impl_->thread.joinable()) return;
  impl_->stop.store(true);
  {
    std::unique_lock<std::mutex> l(impl_->watcher_mu);
    if (impl_->watcher) impl_->watcher->Stop();
  }
  impl_->thread.join();
}

}  // namespace dw::apiserver
