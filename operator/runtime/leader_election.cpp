// LeaderElector: the acquire/renew loop over a Lease (see the header for the
// rules, which are client-go's).
#include "operator/runtime/leader_election.h"

#include <unistd.h>

#include <random>

#include "operator/common/clock.h"
#include "operator/common/log.h"
#include "operator/runtime/rest_client.h"
#include "operator/tls/pki.h"

namespace dw::runtime {

namespace {

using Steady = std::chrono::steady_clock;

std::string HostName() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof(buf) - 1) != 0 || !buf[0]) return "dockward";
  return buf;
}

std::string Hex(const std::string& bytes) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

// Every write of the Lease, under one field manager.
WriteOptions LeaseWrite() {
  WriteOptions wo;
  wo.field_manager = "dockward-leader-election";
  return wo;
}

// The part of the record whose change restarts a candidate's expiry clock.
std::string RecordKey(const json::Value& spec) {
  return json::GetString(spec, "holderIdentity") + "|" + json::GetString(spec, "renewTime") + "|" +
         std::to_string(json::GetInt(spec, "leaseDurationSeconds")) + "|" +
         std::to_string(json::GetInt(spec, "leaseTransitions"));
}

}  // namespace

std::string DefaultLeaderIdentity() { return HostName() + "_" + Hex(tls::RandomBytes(8)); }

LeaderElector::LeaderElector(Client* client, const schema::ResourceInfo& leases, LeaderElectionConfig cfg)
    : client_(client), leases_(leases), cfg_(std::move(cfg)) {}

LeaderElector::~LeaderElector() { Stop(); }

Status LeaderElector::Validate(const LeaderElectionConfig& c) {
  if (c.name.empty()) return Status::BadRequest("leader election: the Lease name is empty");
  if (c.identity.empty()) return Status::BadRequest("leader election: the identity is empty");
  if (c.ns.empty()) return Status::BadRequest("leader election: the Lease namespace is empty");
  if (c.retry_period.count() <= 0) return Status::BadRequest("leader election: retry period must be positive");
  if (c.lease_duration <= c.renew_deadline)
    return Status::BadRequest("leader election: lease duration must be greater than the renew deadline");
  if (c.renew_deadline.count() <= c.jitter_factor * c.retry_period.count())
    return Status::BadRequest("leader election: renew deadline must exceed jitter factor * retry period");
  return Status::OK();
}

Status LeaderElector::Start() {
  DW_RETURN_IF_ERROR(Validate(cfg_));
  std::lock_guard<std::mutex> g(mu_);
  if (thread_.joinable()) return Status::Internal("leader elector already started");
  thread_ = std::thread([this] { Run(); });
  return Status::OK();
}

void LeaderElector::Stop() {
  {
    std::lock_guard<std::mutex> g(mu_);
    stop_ = true;
    cv_.notify_all();
  }
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

std::string LeaderElector::Leader() const {
  std::lock_guard<std::mutex> g(mu_);
  return observed_holder_;
}

bool LeaderElector::Sleep(std::chrono::milliseconds d) {
  std::unique_lock<std::mutex> l(mu_);
  cv_.wait_for(l, d, [&] { return stop_; });
  return !stop_;
}

std::chrono::milliseconds LeaderElector::Jittered(std::chrono::milliseconds d) {
  thread_local std::mt19937 rng{std::random_device{}()};
  double f = std::uniform_real_distribution<double>(0.0, cfg_.jitter_factor)(rng);
  return d + std::chrono::milliseconds(static_cast<int64_t>(f * static_cast<double>(d.count())));
}

Status LeaderElector::TryAcquireOrRenew() {
  std::string now = clock::Rfc3339Micro(clock::Now());
  int64_t lease_secs = std::chrono::duration_cast<std::chrono::seconds>(cfg_.lease_duration).count();
  json::Document lease;
  Status st = client_->Get(leases_, cfg_.ns, cfg_.name, &lease);
  if (st.IsNotFound()) {
    json::Document d;
    json::Parse("{\"apiVersion\":\"coordination.k8s.io/v1\",\"kind\":\"Lease\",\"metadata\":{},\"spec\":{}}", &d);
    auto& a = d.GetAllocator();
    json::SetString(d["metadata"], "name", cfg_.name, a);
    json::SetString(d["metadata"], "namespace", cfg_.ns, a);
    json::SetString(d["spec"], "holderIdentity", cfg_.identity, a);
    json::SetInt(d["spec"], "leaseDurationSeconds", lease_secs, a);
    json::SetString(d["spec"], "acquireTime", now, a);
    json::SetString(d["spec"], "renewTime", now, a);
    json::SetInt(d["spec"], "leaseTransitions", 0, a);
    json::Document created;
    DW_RETURN_IF_ERROR(client_->Create(leases_, d, LeaseWrite(), &created));
    NoteOwnWrite(created);
    if (cfg_.on_new_leader) cfg_.on_new_leader(cfg_.identity);
    return Status::OK();
  }
  DW_RETURN_IF_ERROR(st);

  json::Value& spec = json::EnsureObject(lease, "spec", lease.GetAllocator());
  std::string holder = json::GetString(spec, "holderIdentity");
  bool valid, new_holder;
  {
    std::lock_guard<std::mutex> g(mu_);
    std::string key = RecordKey(spec);
    if (key != observed_record_) {
      observed_record_ = key;
      observed_at_ = Steady::now();
    }
    new_holder = holder != observed_holder_;
    observed_holder_ = holder;
    // The holder's own duration, as client-go reads it from the record.
    int64_t held_secs = json::GetInt(spec, "leaseDurationSeconds", lease_secs);
    valid = Steady::now() < observed_at_ + std::chrono::seconds(held_secs);
  }
  if (new_holder && cfg_.on_new_leader) cfg_.on_new_leader(holder);
  if (!holder.empty() && holder != cfg_.identity && valid)
    return Status::Conflict("lease " + cfg_.ns + "/" + cfg_.name + " is held by " + holder);
  auto& a = lease.GetAllocator();
  bool ours = holder == cfg_.identity;
  if (!ours) {
    json::SetString(spec, "acquireTime", now, a);
    json::SetInt(spec, "leaseTransitions", json::GetInt(spec, "leaseTransitions") + 1, a);
  }
  json::SetString(spec, "holderIdentity", cfg_.identity, a);
  json::SetInt(spec, "leaseDurationSeconds", lease_secs, a);
  json::SetString(spec, "renewTime", now, a);
  // metadata.resourceVersion stays: the write is conditional on it, so of
  // two candidates racing for the same record one gets Conflict.
  json::Document updated;
  DW_RETURN_IF_ERROR(client_->Update(leases_, lease, LeaseWrite(), &updated));
  new_holder = NoteOwnWrite(updated);
  if (new_holder && cfg_.on_new_leader) cfg_.on_new_leader(cfg_.identity);
  return Status::OK();
}

bool LeaderElector::NoteOwnWrite(const json::Document& written) {
  std::lock_guard<std::mutex> g(mu_);
  const json::Value* spec = json::Find(written, "spec");
  observed_record_ = spec ? RecordKey(*spec) : "";
  observed_at_ = Steady::now();
  const bool changed = observed_holder_ != cfg_.identity;
  observed_holder_ = cfg_.identity;
  return changed;
}

Status LeaderElector::Release() {
  json::Document lease;
  DW_RETURN_IF_ERROR(client_->Get(leases_, cfg_.ns, cfg_.name, &lease));
  json::Value& spec = json::EnsureObject(lease, "spec", lease.GetAllocator());
  if (json::GetString(spec, "holderIdentity") != cfg_.identity) return Status::OK();
  auto& a = lease.GetAllocator();
  std::string now = clock::Rfc3339Micro(clock::Now());
  // client-go's release: no holder, a 1 s duration, fresh times.
  json::SetString(spec, "holderIdentity", "", a);
  json::SetInt(spec, "leaseDurationSeconds", 1, a);
  json::SetString(spec, "renewTime", now, a);
  json::SetString(spec, "acquireTime", now, a);
  return client_->Update(leases_, lease, LeaseWrite(), nullptr);
}

void LeaderElector::Run() {
  const std::string lease = cfg_.ns + "/" + cfg_.name;
  log::Info("leader election: waiting for the lease", {{"lease", lease}, {"identity", cfg_.identity}});
  Steady::time_point last_ok;
  for (;;) {
    auto attempt = Steady::now();
    Status st = TryAcquireOrRenew();
    if (st.ok()) {
      last_ok = attempt;
      break;
    }
    if (!st.IsConflict())
      log::Warn("leader election: cannot acquire the lease", {{"lease", lease}, {"error", st.ToString()}});
    if (!Sleep(Jittered(cfg_.retry_period))) {
      done_.store(true);
      return;
    }
  }
  leading_.store(true);
  log::Info("leader election: became leader", {{"lease", lease}, {"identity", cfg_.identity}});
  if (cfg_.on_started_leading) started_thread_ = std::thread(cfg_.on_started_leading);

  std::thread stopper;
  bool lost = Lead(last_ok, &stopper);
  leading_.store(false);
  if (lost) {
    if (cfg_.on_leadership_lost) cfg_.on_leadership_lost();
    if (stopper.joinable()) {
      stopper.join();  // it was winding down already; it joins the start-up
    } else {
      // A deposed leader must stop working now, even while its start-up is
      // still running (that thread is joined afterwards).
      if (cfg_.on_stopped_leading) cfg_.on_stopped_leading();
      if (started_thread_.joinable()) started_thread_.join();
    }
  } else {
    // The work has stopped under the Lease: only now may a standby start.
    stopper.join();
    if (cfg_.release_on_stop) {
      Status st = Release();
      if (st.ok()) log::Info("leader election: lease released", {{"lease", lease}});
      else log::Warn("leader election: cannot release the lease", {{"lease", lease}, {"error", st.ToString()}});
    }
  }
  done_.store(true);
}

bool LeaderElector::Lead(Steady::time_point last_ok, std::thread* stopper) {
  const std::string lease = cfg_.ns + "/" + cfg_.name;
  bool winding_down = false;
  for (;;) {
    {
      std::unique_lock<std::mutex> l(mu_);
      cv_.wait_for(l, cfg_.retry_period, [&] { return (stop_ && !winding_down) || wound_down_; });
      if (wound_down_) return false;
      if (stop_ && !winding_down) {
        winding_down = true;
        // Renewals go on while the work winds down: a long reconcile must
        // not outlive the Lease while a standby takes over.
        *stopper = std::thread([this] {
          if (started_thread_.joinable()) started_thread_.join();
          if (cfg_.on_stopped_leading) cfg_.on_stopped_leading();
          std::lock_guard<std::mutex> g(mu_);
          wound_down_ = true;
          cv_.notify_all();
        });
      }
    }
    auto attempt = Steady::now();
    auto deadline = last_ok + cfg_.renew_deadline;
    if (attempt >= deadline) {
      log::Error("leader election: renew deadline passed, leadership lost", {{"lease", lease}});
      return true;
    }
    Status st;
    {
      CallDeadline bound(deadline);
      st = TryAcquireOrRenew();
    }
    if (st.ok()) {
      last_ok = attempt;
      continue;
    }
    std::string holder = Leader();
    if (holder != cfg_.identity && !holder.empty()) {
      log::Error("leader election: another candidate holds the lease", {{"lease", lease}, {"holder", holder}});
      return true;
    }
    auto since = std::chrono::duration_cast<std::chrono::milliseconds>(Steady::now() - last_ok);
    log::Warn("leader election: renew failed",
              {{"lease", lease}, {"error", st.ToString()}, {"since_ms", std::to_string(since.count())}});
    if (since >= cfg_.renew_deadline) {
      log::Error("leader election: renew deadline passed, leadership lost", {{"lease", lease}});
      return true;
    }
  }
}

}  // namespace dw::runtime
