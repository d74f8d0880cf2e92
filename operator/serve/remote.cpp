// Remote mode: cluster access, the health listener, leader election and the
// controllers, started and stopped in that order.
#include "operator/serve/remote.h"

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>

#include "operator/apiserver/http_server.h"
#include "operator/cli/kubeconfig.h"
#include "operator/common/log.h"
#include "operator/common/metrics.h"
#include "operator/runtime/leader_election.h"
#include "operator/runtime/rest_client.h"
#include "operator/serve/controllers.h"
#include "operator/serve/dirs.h"

namespace dw::serve {

namespace {

constexpr char kServiceAccountDir[] = "/var/run/secrets/kubernetes.io/serviceaccount";

Status ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  while (!out->empty() && (out->back() == '\n' || out->back() == '\r' || out->back() == ' ')) out->pop_back();
  return Status::OK();
}

// client-go's rest.InClusterConfig: the service host/port from the
// environment, the service account's token and CA from their mount.
Status InClusterAccess(cli::ClusterAccess* out, std::string* ns) {
  const char* host = std::getenv("KUBERNETES_SERVICE_HOST");
  const char* port = std::getenv("KUBERNETES_SERVICE_PORT");
  if (!host || !*host || !port || !*port)
    return Status::BadRequest("--in-cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set");
  std::string h = host;
  if (h.find(':') != std::string::npos) h = "[" + h + "]";  // IPv6 literal
  out->client.server = "https://" + h + ":" + port;
  std::string dir = kServiceAccountDir;
  DW_RETURN_IF_ERROR(ReadFile(dir + "/token", &out->client.bearer_token));
  // A projected token rotates (about hourly): the client re-reads the file.
  out->client.bearer_token_file = dir + "/token";
  DW_RETURN_IF_ERROR(ReadFile(dir + "/ca.crt", &out->client.ca_pem));
  if (!ReadFile(dir + "/namespace", ns).ok()) ns->clear();
  out->path = dir;
  return Status::OK();
}

// A plain-HTTP listener for probes (and /metrics when `metrics`).
std::unique_ptr<apiserver::HttpServer> ProbeServer(const std::string& listen, bool probes, bool metrics,
                                                   const std::atomic<bool>* ready) {
  apiserver::HttpServerOptions o;
  o.listen = listen;
  o.tls = false;
  return std::make_unique<apiserver::HttpServer>(
      o, [probes, metrics, ready](apiserver::HttpRequest& req, apiserver::ResponseWriter& w) {
        const char* kText = "text/plain; charset=utf-8";
        if (probes && (req.path == "/healthz" || req.path == "/livez")) return w.Send(200, kText, "ok");
        if (probes && req.path == "/readyz") {
          if (ready->load()) return w.Send(200, kText, "ok");
          return w.Send(503, kText, "not ready: caches not synced");
        }
        if (metrics && req.path == "/metrics")
          return w.Send(200, "text/plain; version=0.0.4; charset=utf-8", metrics::Default().Render());
        w.Send(404, kText, "not found");
      });
}

}  // namespace

int RunRemote(const RemoteFlags& flags, const sigset_t& sigs) {
  auto fail = [](const std::string& what, const Status& st) {
    log::Error(what, {{"error", st.ToString()}});
    return 1;
  };
  Status st = MakeDirs(flags.data_dir, 0700);
  if (!st.ok()) return fail("cannot create data dir", st);

  cli::ClusterAccess access;
  std::string pod_ns;
  if (flags.in_cluster) {
    st = InClusterAccess(&access, &pod_ns);
  } else {
    cli::KubeconfigOptions ko;
    ko.explicit_path = flags.kubeconfig;
    st = cli::LoadKubeconfig(ko, &access);
  }
  if (!st.ok()) return fail("cannot load cluster access", st);

  std::unique_ptr<schema::ResourceRegistry> kinds;
  st = schema::ResourceRegistry::LoadBuiltin(&kinds);
  if (!st.ok()) return fail("cannot load the compiled-in CRDs", st);

  runtime::RestClientOptions ro;
  ro.http = access.client;
  runtime::RestClient client(kinds.get(), ro);

  std::string identity = flags.election_identity.empty() ? runtime::DefaultLeaderIdentity() : flags.election_identity;
  std::atomic<bool> ready{false};
  std::unique_ptr<apiserver::HttpServer> health, metrics_srv;
  bool shared_metrics = !flags.metrics_listen.empty() && flags.metrics_listen == flags.health_listen;
  if (!flags.health_listen.empty()) {
    health = ProbeServer(flags.health_listen, true, shared_metrics, &ready);
    if (!(st = health->Start()).ok()) return fail("cannot start the health listener", st);
  }
  if (!flags.metrics_listen.empty() && !shared_metrics) {
    metrics_srv = ProbeServer(flags.metrics_listen, false, true, &ready);
    if (!(st = metrics_srv->Start()).ok()) return fail("cannot start the metrics listener", st);
  }
  log::Info("remote mode", {{"server", access.client.server}, {"access", access.path},
                            {"identity", identity},
                            {"healthListen", health ? flags.health_listen.substr(0, flags.health_listen.rfind(':') + 1) +
                                                          std::to_string(health->Port())
                                                    : ""}});

  ControllerManager controllers(&client, identity);
  controllers.set_state_dir(flags.data_dir);
  std::atomic<bool> shutting_down{false};
  std::unique_ptr<runtime::RestClient> election_client;
  std::unique_ptr<runtime::LeaderElector> elector;

  if (!flags.leader_elect) {
    if (flags.controllers && !(st = controllers.Start()).ok()) return fail("cannot start the controllers", st);
    ready.store(true);
  } else {
    const schema::ResourceInfo* leases = kinds->ByKind("coordination.k8s.io/v1", "Lease");
    if (!leases) return fail("cannot elect a leader", Status::Internal("kind coordination.k8s.io/v1 Lease is not compiled in"));
    // Lease calls get their own connections and short timeouts; the elector
    // also cuts each one to the time left before its renew deadline.
    runtime::RestClientOptions eo = ro;
    eo.http.connect_timeout = std::chrono::seconds(2);
    eo.http.request_timeout = std::chrono::seconds(4);
    eo.max_idle_connections = 1;
    election_client = std::make_unique<runtime::RestClient>(kinds.get(), eo);
    runtime::LeaderElectionConfig lc;
    lc.ns = !flags.election_namespace.empty() ? flags.election_namespace : !pod_ns.empty() ? pod_ns : "default";
    lc.name = flags.election_id;
    lc.identity = identity;
    bool run_controllers = flags.controllers;
    lc.on_started_leading = [&controllers, &shutting_down, run_controllers] {
      if (!run_controllers || shutting_down.load()) return;
      Status s = controllers.Start();
      if (!s.ok() && !shutting_down.load()) {
        // A leader that cannot work must not keep the Lease from one that can.
        log::Error("leader cannot start the controllers, exiting", {{"error", s.ToString()}});
        std::_Exit(1);
      }
    };
    // Lost (also while shutting down): the controllers are no longer
    // covered by the Lease and a standby may take over, so no reconcile may
    // run a moment longer; exiting is the one stop that cannot take long.
    lc.on_leadership_lost = [identity] {
      log::Error("leader election lost, exiting", {{"identity", identity}});
      std::_Exit(1);
    };
    // After SIGTERM: the elector keeps renewing while this waits for the
    // running reconciles, and releases the Lease only afterwards.
    lc.on_stopped_leading = [&controllers] { controllers.Stop(); };
    lc.on_new_leader = [identity](const std::string& holder) {
      log::Info("leader election: observed leader", {{"leader", holder}, {"identity", identity}});
    };
    elector = std::make_unique<runtime::LeaderElector>(election_client.get(), *leases, lc);
    if (!(st = elector->Start()).ok()) return fail("cannot start leader election", st);
    ready.store(true);  // a standby is ready too: it is waiting by design
  }

  int sig = 0;
  sigwait(&sigs, &sig);
  log::Info("shutting down", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
  shutting_down.store(true);
  ready.store(false);
  if (elector) elector->Stop();  // stops the controllers (still renewing), then releases the Lease
  controllers.Stop();
  if (metrics_srv) metrics_srv->Stop();
  if (health) health->Stop();
  log::Info("stopped");
  return 0;
}

}  // namespace dw::serve
