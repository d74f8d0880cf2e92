// DockerHostReconciler: keeps a DockerHost's status and the HostRegistry in
// step with the daemon it names. Each reconcile resolves spec.tls from
// Secrets, checks the client certificate (key match, expiry) without
// touching the network, probes the daemon (API negotiation + /version),
// publishes the outcome to the HostRegistry, and writes status only when it
// differs from what is stored (no write churn on the 30 s re-probe).
//
// Status: reachable, version, apiVersion (negotiated), tls.{notAfter,
// daysRemaining}, observedGeneration; conditions Ready (reasons Reachable,
// Unreachable, InvalidConfig, SecretNotFound, InvalidSecret, InvalidTLS,
// CertificateExpired) and CertificateExpiring (TLS hosts only; True under
// 30 days). Events on Ready transitions only. Key material never appears in
// a status, an event or a log line: messages name the Secret, not its data.
//
// Requeue: 30 s while reachable; otherwise 2 s, 4 s, ... capped at 60 s per
// host, reset by a success. For faster detection, when an `enqueue` hook is
// given, one docker::EventWatcher per reachable host follows the daemon's
// event stream; its disconnect and reconnect enqueue the DockerHost at once,
// so a daemon that stops or comes back is seen within about two seconds.
//
// Spec TLS: caSecretRef (key default ca.crt), clientSecretRef (certificate
// under `key`, default tls.crt; private key always under tls.key).
// tls.verify=false is refused (InvalidConfig): the Docker client always
// verifies the daemon, and silently verifying anyway would mislead.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "operator/common/clock.h"
#include "operator/docker/event_watcher.h"
#include "operator/runtime/client.h"
#include "operator/runtime/controller.h"
#include "operator/runtime/event_recorder.h"
#include "reconcilers/dockerhost/host_registry.h"

namespace dw::dockerhost {

struct Observation;  // one probe's findings (dockerhost_reconciler.cpp)

inline constexpr std::chrono::seconds kResyncReachable{30};
inline constexpr std::chrono::seconds kBackoffFirst{2};
inline constexpr std::chrono::seconds kBackoffMax{60};

// The requeue delay after `failures` consecutive failed probes (>= 1):
// 2 s, 4 s, 8 s ... capped at 60 s.
std::chrono::milliseconds UnreachableBackoff(int failures);

class DockerHostReconciler {
 public:
  using Enqueue = std::function<void(const runtime::Request&)>;

  // `recorder` may be null (no events). `now` is the wall clock used for
  // certificate expiry and condition times.
  DockerHostReconciler(runtime::Client* client, runtime::EventRecorder* recorder,
                       HostRegistry* hosts, std::function<clock::TimePoint()> now);
  ~DockerHostReconciler();  // StopWatchers()
  DockerHostReconciler(const DockerHostReconciler&) = delete;
  DockerHostReconciler& operator=(const DockerHostReconciler&) = delete;

  Status Reconcile(const runtime::Request& req, runtime::Result* result);

  // Enables the per-host event watchers; `enqueue` is typically
  // Controller::Enqueue. Set before the controller starts.
  void WatchDaemons(Enqueue enqueue) { enqueue_ = std::move(enqueue); }
  // Stops every watcher (before the controller stops, so no callback runs
  // against a stopped queue).
  void StopWatchers();
  // Number of running watchers (tests).
  size_t watcher_count() const;

 private:
  void Forget(const runtime::Request& req);
  // Writes obj.status from `o` unless nothing changed; events on transitions.
  Status WriteStatus(json::Document& obj, const Observation& o, clock::TimePoint now);
  void RecordTransitions(const json::Value& before_status, const json::Value& obj);
  std::chrono::milliseconds NextRequeue(const std::string& key, bool reachable);
  void EnsureWatcher(const runtime::Request& req, const docker::DockerConfig& cfg);
  // Stops the host's watcher unless it follows `keep` (nullptr: always).
  void DropWatcherUnless(const std::string& key, const docker::DockerConfig* keep);

  runtime::Client* client_;
  runtime::EventRecorder* recorder_;
  HostRegistry* hosts_;
  std::function<clock::TimePoint()> now_;
  const schema::ResourceInfo* kind_ = nullptr;
  Enqueue enqueue_;

  struct Watch {
    docker::DockerConfig cfg;
    std::unique_ptr<docker::EventWatcher> watcher;
  };
  mutable std::mutex mu_;
  std::map<std::string, int> failures_;  // "ns/name" -> consecutive failed probes
  std::map<std::string, Watch> watchers_;
};

}  // namespace dw::dockerhost
