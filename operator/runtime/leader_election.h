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
//  - the leader renews every retry period; it stops leading once the renew
//    deadline (10 s < 15 s lease) has passed since the START of its last
//    successful attempt (the renewTime it wrote cannot be older than that).
//    The deadline is checked before every attempt, and every request of an
//    attempt gets only the time left to it (CallDeadline, as client-go's
//    context), so a slow or hung API server cannot stretch an attempt past
//    it. A deposed leader therefore stops before anyone else can take the
//    Lease over.
// OnStartedLeading runs once, on a thread of its own (as client-go's
// goroutine: a slow start must not delay renewals), when the Lease is won.
// OnStoppedLeading runs once: when leadership is lost, at once (after
// OnLeadershipLost), even while OnStartedLeading still runs; or on Stop()
// while leading, on a thread of its own after OnStartedLeading returned,
// while the elector KEEPS RENEWING, so the work winds down under the Lease;
// only when it returned is the Lease released (empty holderIdentity, so a
// standby takes over at its next retry instead of waiting for expiry).
// OnLeadershipLost runs once when the Lease is lost (renew deadline passed,
// or another holder seen: that stops at once, not at the deadline), also
// while OnStoppedLeading still winds down after Stop(): the work is then no
// longer covered by the Lease and must end now (`serve` exits there).
// Callbacks must not call Stop().
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
  std::function<void()> on_leadership_lost;  // optional
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
  // Renews until lost (true) or, after Stop(), until OnStoppedLeading
  // returned (false). `last_ok`: start of the last successful attempt.
  bool Lead(std::chrono::steady_clock::time_point last_ok, std::thread* stopper);
  // One attempt to acquire or renew; OK when we hold the Lease afterwards.
  Status TryAcquireOrRenew();
  Status Release();
  // After our own Create/Update: the record and holder we wrote are what we
  // observed. True when we were not the holder seen before.
  bool NoteOwnWrite(const json::Document& written);
  bool Sleep(std::chrono::milliseconds d);  // false when stopping
  std::chrono::milliseconds Jittered(std::chrono::milliseconds d);

  Client* client_;
  const schema::ResourceInfo& leases_;
  const LeaderElectionConfig cfg_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool wound_down_ = false;  // OnStoppedLeading returned after Stop()
  std::string observed_holder_;
  std::string observed_record_;  // RecordKey of the last record seen: a change restarts expiry
  std::chrono::steady_clock::time_point observed_at_{};
  std::atomic<bool> leading_{false};
  std::atomic<bool> done_{false};
  std::thread thread_;
  std::thread started_thread_;  // runs on_started_leading
};

// The identity client-go uses: hostname + "_" + a random suffix.
std::string DefaultLeaderIdentity();

}  // namespace dw::runtime
