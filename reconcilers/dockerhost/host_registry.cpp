#include "reconcilers/dockerhost/host_registry.h"

#include <utility>

namespace dw::dockerhost {

namespace {

std::string HostKey(const std::string& ns, const std::string& name) { return ns + "/" + name; }

}  // namespace

// Every field that changes how a client reaches the daemon. A new field in
// DockerConfig that does so belongs here too.
bool SameDockerConfig(const docker::DockerConfig& a, const docker::DockerConfig& b) {
  return a.endpoint == b.endpoint && a.ca_pem == b.ca_pem && a.cert_pem == b.cert_pem &&
         a.key_pem == b.key_pem && a.allow_plain_tcp == b.allow_plain_tcp &&
         a.insecure_skip_verify == b.insecure_skip_verify &&
         a.tls_server_name == b.tls_server_name && a.connect_timeout == b.connect_timeout &&
         a.request_timeout == b.request_timeout;
}

void HostRegistry::Upsert(const std::string& ns, const std::string& name,
                          const docker::DockerConfig& cfg, const HostState& state) {
  std::vector<std::function<void(const std::string&, const std::string&)>> notify;
  {
    std::lock_guard<std::mutex> l(mu_);
    auto [it, inserted] = hosts_.try_emplace(HostKey(ns, name));
    Entry& e = it->second;
    bool changed = inserted || e.state.reachable != state.reachable || !SameDockerConfig(e.cfg, cfg);
    e.cfg = cfg;
    e.state = state;
    if (changed) notify = listeners_;
  }
  // Outside the lock: a listener may call back into the registry.
  for (const auto& fn : notify) fn(ns, name);
}

void HostRegistry::Remove(const std::string& ns, const std::string& name) {
  std::vector<std::function<void(const std::string&, const std::string&)>> notify;
  {
    std::lock_guard<std::mutex> l(mu_);
    if (hosts_.erase(HostKey(ns, name)) == 0) return;
    notify = listeners_;
  }
  for (const auto& fn : notify) fn(ns, name);
}

Status HostRegistry::NewClient(const std::string& ns, const std::string& name,
                               std::unique_ptr<docker::DockerClient>* out) const {
  docker::DockerConfig cfg;
  {
    std::lock_guard<std::mutex> l(mu_);
    auto it = hosts_.find(HostKey(ns, name));
    if (it == hosts_.end()) return Status::NotFound("DockerHost " + HostKey(ns, name) + " not found");
    if (!it->second.state.reachable)
      return Status::Unavailable("DockerHost " + HostKey(ns, name) + " is not reachable: " +
                                 it->second.state.message);
    cfg = it->second.cfg;
  }
  *out = std::make_unique<docker::DockerClient>(std::move(cfg));
  return Status::OK();
}

Status HostRegistry::State(const std::string& ns, const std::string& name, HostState* out) const {
  std::lock_guard<std::mutex> l(mu_);
  auto it = hosts_.find(HostKey(ns, name));
  if (it == hosts_.end()) return Status::NotFound("DockerHost " + HostKey(ns, name) + " not found");
  *out = it->second.state;
  return Status::OK();
}

void HostRegistry::OnChange(std::function<void(const std::string& ns, const std::string& name)> fn) {
  std::lock_guard<std::mutex> l(mu_);
  listeners_.push_back(std::move(fn));
}

bool HostRegistry::TryAcquire(const std::string& ns, const std::string& name, int limit,
                              Slot* out) const {
  std::string key = HostKey(ns, name);
  {
    std::lock_guard<std::mutex> l(mu_);
    int& n = in_use_[key];
    if (limit > 0 && n >= limit) return false;
    ++n;
  }
  *out = Slot();  // releases a slot the caller still held
  out->reg_ = this;
  out->key_ = std::move(key);
  return true;
}

int HostRegistry::InUse(const std::string& ns, const std::string& name) const {
  std::lock_guard<std::mutex> l(mu_);
  auto it = in_use_.find(HostKey(ns, name));
  return it == in_use_.end() ? 0 : it->second;
}

void HostRegistry::Release(const std::string& key) const {
  std::lock_guard<std::mutex> l(mu_);
  auto it = in_use_.find(key);
  if (it == in_use_.end()) return;
  if (--it->second <= 0) in_use_.erase(it);
}

HostRegistry::Slot::Slot(Slot&& o) noexcept : reg_(std::exchange(o.reg_, nullptr)), key_(std::move(o.key_)) {}

HostRegistry::Slot& HostRegistry::Slot::operator=(Slot&& o) noexcept {
  if (this != &o) {
    if (reg_) reg_->Release(key_);
    reg_ = std::exchange(o.reg_, nullptr);
    key_ = std::move(o.key_);
  }
  return *this;
}

HostRegistry::Slot::~Slot() {
  if (reg_) reg_->Release(key_);
}

}  // namespace dw::dockerhost
