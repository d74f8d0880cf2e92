#include "operator/runtime/controller.h"

#include <exception>

#include "operator/common/log.h"
#include "operator/runtime/metrics.h"
#include "operator/runtime/owner_refs.h"

namespace dw::runtime {

Request RequestFromKey(const std::string& key) {
  auto slash = key.find('/');
  if (slash == std::string::npos) return {"", key};
  return {key.substr(0, slash), key.substr(slash + 1)};
}

Controller::Controller(Client* client, const schema::ResourceInfo& primary, Reconciler reconciler,
                       ControllerOptions opts)
    : client_(client), primary_(primary), reconciler_(std::move(reconciler)), opts_(std::move(opts)) {
  Clock* clock = opts_.clock ? opts_.clock : RealClock::Get();
  queue_ = std::make_unique<WorkQueue>(opts_.name, clock, DefaultControllerLimiter(clock, opts_.rate_limits));
  InformerOptions io;
  io.ns = opts_.ns;
  io.resync = opts_.resync;
  informers_.push_back(std::make_unique<Informer>(client_, primary_, io));
  EventHandler h;
  h.on_add = [this](const ObjectPtr& o) { EnqueueObject(o); };
  h.on_update = [this](const ObjectPtr&, const ObjectPtr& n) { EnqueueObject(n); };
  h.on_delete = [this](const ObjectPtr& o) { EnqueueObject(o); };
  informers_.front()->AddEventHandler(std::move(h));
}

Controller::~Controller() { Stop(); }

void Controller::Owns(const schema::ResourceInfo& owned) {
  InformerOptions io;
  io.ns = opts_.ns;
  informers_.push_back(std::make_unique<Informer>(client_, owned, io));
  EventHandler h;
  h.on_add = [this](const ObjectPtr& o) { EnqueueOwner(o); };
  // Both states: a dependent re-parented away from an owner must wake the old one.
  h.on_update = [this](const ObjectPtr& o, const ObjectPtr& n) {
    EnqueueOwner(o);
    EnqueueOwner(n);
  };
  h.on_delete = [this](const ObjectPtr& o) { EnqueueOwner(o); };
  informers_.back()->AddEventHandler(std::move(h));
}

Informer* Controller::informer_for(const schema::ResourceInfo& r) {
  for (auto& i : informers_)
    if (&i->resource() == &r) return i.get();
  return nullptr;
}

void Controller::EnqueueObject(const ObjectPtr& obj) { queue_->Add(KeyOf(*obj)); }

void Controller::EnqueueOwner(const ObjectPtr& obj) {
  const json::Value* ref = GetControllerOf(*obj);
  if (!ref) return;
  // Match on group and kind, not version: an owner written under another
  // served version is still the same object.
  std::string api_version = json::GetString(*ref, "apiVersion");
  std::string group = api_version.find('/') == std::string::npos ? "" : api_version.substr(0, api_version.find('/'));
  if (group != primary_.group || json::GetString(*ref, "kind") != primary_.kind) return;
  std::string ns = primary_.namespaced ? NamespaceOf(*obj) : "";
  queue_->Add(KeyOf(ns, json::GetString(*ref, "name")));
}

void Controller::Enqueue(const Request& req) { queue_->Add(req.Key()); }

void Controller::EnqueueAfter(const Request& req, std::chrono::milliseconds delay) {
  queue_->AddAfter(req.Key(), delay);
}

Status Controller::Start(std::chrono::milliseconds sync_timeout) {
  if (started_) return Status::OK();
  started_ = true;
  for (auto& i : informers_) i->Start();
  for (auto& i : informers_) {
    if (!i->WaitForSync(sync_timeout))
      return Status::Unavailable("controller " + opts_.name + ": cache of " + i->resource().GroupResource() +
                                 " did not sync");
  }
  for (int n = 0; n < std::max(1, opts_.workers); ++n) workers_.emplace_back([this] { Worker(); });
  log::Info("controller started", {{"controller", opts_.name}, {"workers", std::to_string(opts_.workers)}});
  return Status::OK();
}

void Controller::Stop() {
  for (auto& i : informers_) i->Stop();
  queue_->ShutDown();
  for (auto& w : workers_) w.join();
  workers_.clear();
}

void Controller::Worker() {
  while (ProcessNext()) {
  }
}

Status Controller::Invoke(const Request& req, Result* res) {
  // Exceptions must not cross into the runtime: a throwing reconciler is a
  // failing one, retried with backoff like any other error.
  try {
    return reconciler_(req, res);
  } catch (const std::exception& e) {
    return Status::Internal(std::string("reconciler threw: ") + e.what());
  } catch (...) {
    return Status::Internal("reconciler threw a non-standard exception");
  }
}

bool Controller::ProcessNext() {
  std::string key;
  if (!queue_->Get(&key)) return false;
  Request req = RequestFromKey(key);
  Result res;
  auto& m = RuntimeMetrics::Get();
  auto t0 = std::chrono::steady_clock::now();
  Status st = Invoke(req, &res);
  m.reconcile_duration.With({opts_.name})
      .Observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  if (!st.ok()) {
    m.reconcile_total.With({opts_.name, "error"}).Inc();
    m.reconcile_errors.With({opts_.name}).Inc();
    log::Warn("reconcile failed", {{"controller", opts_.name},
                                   {"key", key},
                                   {"retries", std::to_string(queue_->NumRequeues(key))},
                                   {"error", st.ToString()}});
    queue_->AddRateLimited(key);
  } else if (res.requeue_after.count() > 0) {
    m.reconcile_total.With({opts_.name, "requeue"}).Inc();
    queue_->Forget(key);
    queue_->AddAfter(key, res.requeue_after);
  } else if (res.requeue) {
    m.reconcile_total.With({opts_.name, "requeue"}).Inc();
    queue_->AddRateLimited(key);
  } else {
    m.reconcile_total.With({opts_.name, "success"}).Inc();
    queue_->Forget(key);
  }
  queue_->Done(key);
  return true;
}

}  // namespace dw::runtime
