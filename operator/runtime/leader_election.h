// LeaderElector: one leader among replicas through a coordination.k8s.io/v1
// Lease, with client-go's leaderelection semantics:
//  - a candidate tries every retry period (2 s) to acquire the Lease: it may
//    take it when it does not exist (Create), when it holds it already, when
//    holderIdentity is empty (released), or when the record it last saw has
//    not changed for leaseDurationSeconds (15 s) of its OWN clock (so clock
//    skew between replicas cannot shorten a lease);
//  - every write is an Update carrying the observed resourceVersion, so of
//    two candidates racing only one wins (the other gets Conflict);
//  - taking over from another holder sets acquireTime and increments
//    leaseTransitions; renewTime is written on every renew (MicroTime);
//  - the leader renews every retry period; if no renew succeeded for the
//    renew deadline (10 s < 15 s lease) it stops leading. A deposed leader
//    therefore stops before anyone else can take the Lease over.
// OnStartedLeading runs once, on a thread of its own (as client-go's
// goroutine: a slow start must not delay renewals), when the Lease is won;
// OnStoppedLeading runs once when leadership is lost (at once, even while
// OnStartedLeading still runs) or on Stop() while leading (after
// OnStartedLeading returned, before the Lease is released). A leader that sees
// another holder in the Lease stops at once, not at the renew deadline.
// Stop() while leading releases the Lease (empty holderIdentity) so a
// standby takes over at its next retry instead of waiting for expiry.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "operator/runtime/client.h"

namespace dw::runtime {

struct LeaderElectionConfig {
  std::string ns = "default";
  std::string name;      // the Lease
  std::string identity;  // this candidate (unique among replicas)
  std::chrono::milliseconds lease_duration{15000};
  std::chrono::milliseconds renew_deadline{10000};
  std::chrono::milliseconds retry_period{2000};
  // Acquire attempts wait retry_period * (1 + rand * jitter), as client-go's
  // wait.JitterUntil(retryPeriod, 1.2), so candidates do not move in step.
  double jitter_factor = 1.2;
  bool release_on_stop = true;
  std::function<void()> on_started_leading;
  std::function<void()> on_stopped_leading;
  // Called (elector thread) whenever the observed holder changes.
  std::function<void(const std::string& holder)> on_new_leader;
};

class LeaderElector {
 public:
  // `leases` is the coordination.k8s.io/v1 Lease kind.
  LeaderElector(Client* client, const schema::ResourceInfo& leases, LeaderElectionConfig cfg);
  ~LeaderElector();  // Stop()
  LeaderElector(const LeaderElector&) = delete;
  LeaderElector& operator=(const LeaderElector&) = delete;

  // BadRequest when the config cannot work (empty name/identity, renew
  // deadline not below the lease duration...).
  static Status Validate(const LeaderElectionConfig& cfg);

  // Starts the elector thread: acquire, then renew until lost or stopped.
  // A lost leadership ends the thread (client-go's elector is not reused).
  Status Start();
  void Stop();

  bool IsLeader() const { return leading_.load(); }
  // The holder last observed ("" before the first read).
  std::string Leader() const;
  // True once the elector thread has ended (lost, or stopped).
  bool Done() const { return done_.load(); }

 private:
  void Run();
  // One attempt to acquire or renew; OK when we hold the Lease afterwards.
  Status TryAcquireOrRenew();
  Status Release();
  bool Sleep(std::chrono::milliseconds d);  // false when stopping
  std::chrono::milliseconds Jittered(std::chrono::milliseconds d);

  Client* client_;
  const schema::ResourceInfo& leases_;
  const LeaderElectionConfig cfg_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::string observed_holder_;
  std::string observed_record_;  // holder|renewTime|rv: a change restarts expiry
  std::string observed_rv_;
  std::chrono::steady_clock::time_point observed_at_{};
  std::atomic<bool> leading_{false};
  std::atomic<bool> done_{false};
  std::thread thread_;
  std::thread started_thread_;  // runs on_started_leading
};

// The identity client-go uses: hostname + "_" + a random suffix.
std::string DefaultLeaderIdentity();

}  // namespace dw::runtime
