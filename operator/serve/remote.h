// Remote mode of `dockward serve` (`--kubeconfig FILE` or `--in-cluster`):
// no embedded store or API server; the controllers run against a remote
// Kubernetes API server through a runtime::RestClient. With --leader-elect
// the replicas elect one leader through a coordination.k8s.io/v1 Lease and
// only the leader runs controllers; a leader that loses the Lease exits with
// status 1 (like client-go's OnStoppedLeading) so its supervisor restarts it
// as a standby; on SIGTERM a leader stops its controllers while it still
// renews the Lease, releases it, and exits 0. A plain-HTTP health listener serves /healthz, /livez and
// /readyz (ready = caches synced; with leader election a standby is ready
// too), and /metrics when it is also the --metrics-listen address; a
// separate --metrics-listen gets its own listener.
#pragma once

#include <csignal>
#include <string>

namespace dw::serve {

struct RemoteFlags {
  std::string kubeconfig;  // --kubeconfig FILE
  bool in_cluster = false;
  std::string data_dir;
  std::string health_listen = "127.0.0.1:8081";
  std::string metrics_listen;  // "" = no /metrics listener of its own
  bool controllers = true;
  bool leader_elect = false;
  std::string election_namespace;  // "" = in-cluster namespace, else "default"
  std::string election_id = "dockward-controller";
  std::string election_identity;  // "" = hostname_random
};

// Runs until a signal of `sigs` (blocked by the caller) arrives; returns the
// process exit code.
int RunRemote(const RemoteFlags& flags, const sigset_t& sigs);

}  // namespace dw::serve
