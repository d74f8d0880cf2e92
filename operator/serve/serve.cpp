#include "operator/serve/serve.h"

#include <signal.h>
#include <sys/stat.h>

#include <atomic>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "operator/apiserver/api_handler.h"
#include "operator/apiserver/discovery.h"
#include "operator/apiserver/garbage_collector.h"
#include "operator/apiserver/http_server.h"
#include "operator/apiserver/object_registry.h"
#include "operator/cli/kubeconfig.h"
#include "operator/common/log.h"
#include "operator/common/metrics.h"
#include "operator/schema/openapi.h"
#include "operator/serve/controllers.h"
#include "operator/serve/dirs.h"
#include "operator/serve/remote.h"
#include "operator/tls/pki.h"

namespace dw::serve {

namespace {

struct ServeFlags {
  std::string data_dir;
  std::string listen = "127.0.0.1:6443";
  std::vector<std::string> tls_sans;
  bool tls = true;
  bool fsync = true;
  bool controllers = true;  // --controllers=none: the API server alone
  RemoteFlags remote;       // --kubeconfig / --in-cluster: no embedded server
  bool health_listen_set = false;
};

const char* kUsage =
    "Usage: dockward serve [--data-dir DIR] [--listen HOST:PORT] [--tls-san NAME]...\n"
    "       dockward serve --kubeconfig FILE | --in-cluster [--leader-elect ...]\n"
    "\n"
    "Runs the dockward API server and controllers with the embedded store, or\n"
    "(remote mode) only the controllers, against a remote Kubernetes API server.\n"
    "\n"
    "  --data-dir DIR      all state lives here (default ~/.dockward)\n"
    "  --listen HOST:PORT  address to serve HTTPS on (default 127.0.0.1:6443; port 0 picks one)\n"
    "  --tls-san NAME      extra DNS name or IP for the serving certificate (repeatable)\n"
    "  --log-level LEVEL   debug, info, warn or error (default info)\n"
    "  --controllers WHICH all (default) or none (the API server only)\n"
    "\n"
    "Remote mode:\n"
    "  --kubeconfig FILE   the API server and credentials to use\n"
    "  --in-cluster        the pod's service account (KUBERNETES_SERVICE_HOST/PORT)\n"
    "  --health-listen HOST:PORT   plain-HTTP /healthz, /livez, /readyz (default 127.0.0.1:8081)\n"
    "  --metrics-listen HOST:PORT  plain-HTTP /metrics (default: none)\n"
    "  --leader-elect      run controllers only while holding a coordination.k8s.io/v1 Lease\n"
    "  --leader-election-namespace NS  (default: the pod's namespace, else default)\n"
    "  --leader-election-id NAME       the Lease name (default dockward-controller)\n"
    "  --leader-election-identity ID   this replica (default HOSTNAME_random)\n"
    "\n"
    "Writes DIR/kubeconfig (mode 0600) for kubectl and dockward (embedded mode).\n";

int ParseFlags(int argc, char** argv, ServeFlags* f) {
  const char* home = std::getenv("HOME");
  f->data_dir = std::string(home ? home : ".") + "/.dockward";
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](const std::string& name, std::string* out) {
      if (a == name) {
        if (i + 1 >= argc) return false;
        *out = argv[++i];
        return true;
      }
      if (a.rfind(name + "=", 0) == 0) {
        *out = a.substr(name.size() + 1);
        return true;
      }
      return false;
    };
    std::string v;
    if (a == "-h" || a == "--help") {
      std::cout << kUsage;
      return 0;
    } else if (value("--data-dir", &f->data_dir) || value("--listen", &f->listen)) {
    } else if (value("--tls-san", &v)) {
      f->tls_sans.push_back(v);
    } else if (value("--log-level", &v)) {
      if (v == "debug") log::SetLevel(log::Level::kDebug);
      else if (v == "info") log::SetLevel(log::Level::kInfo);
      else if (v == "warn") log::SetLevel(log::Level::kWarn);
      else if (v == "error") log::SetLevel(log::Level::kError);
      else {
        std::cerr << "error: unknown --log-level " << v << "\n";
        return 2;
      }
    } else if (value("--controllers", &v)) {
      if (v != "all" && v != "none") {
        std::cerr << "error: --controllers must be all or none, got " << v << "\n";
        return 2;
      }
      f->controllers = v == "all";
    } else if (value("--kubeconfig", &f->remote.kubeconfig)) {
    } else if (a == "--in-cluster") {
      f->remote.in_cluster = true;
    } else if (value("--health-listen", &f->remote.health_listen)) {
      f->health_listen_set = true;
    } else if (value("--metrics-listen", &f->remote.metrics_listen)) {
    } else if (a == "--leader-elect" || a == "--leader-elect=true") {
      f->remote.leader_elect = true;
    } else if (a == "--leader-elect=false") {
      f->remote.leader_elect = false;
    } else if (value("--leader-election-namespace", &f->remote.election_namespace) ||
               value("--leader-election-id", &f->remote.election_id) ||
               value("--leader-election-identity", &f->remote.election_identity)) {
    } else if (a == "--insecure-plain-http") {
      f->tls = false;  // tests of the HTTP layer only; never for real use
    } else if (a == "--unsafe-no-fsync") {
      f->fsync = false;  // benchmarks that say so; loses durability
    } else {
      std::cerr << "error: unknown flag " << a << "\n" << kUsage;
      return 2;
    }
  }
  bool remote = !f->remote.kubeconfig.empty() || f->remote.in_cluster;
  if (!f->remote.kubeconfig.empty() && f->remote.in_cluster) {
    std::cerr << "error: --kubeconfig and --in-cluster exclude each other\n";
    return 2;
  }
  if (!remote && (f->remote.leader_elect || f->health_listen_set || !f->remote.metrics_listen.empty())) {
    std::cerr << "error: --leader-elect, --health-listen and --metrics-listen need --kubeconfig or --in-cluster\n";
    return 2;
  }
  if (remote && f->remote.election_id.empty()) {
    std::cerr << "error: --leader-election-id must not be empty\n";
    return 2;
  }
  f->remote.data_dir = f->data_dir;
  f->remote.controllers = f->controllers;
  return -1;
}

// The "default" namespace exists from the first start, as in Kubernetes.
Status BootstrapNamespaces(apiserver::ObjectRegistry& reg) {
  const schema::ResourceInfo* ns = reg.kinds().ByResource("", "namespaces");
  if (!ns) return Status::Internal("namespaces kind missing from the registry");
  for (const char* name : {"default"}) {
    store::Object existing;
    if (reg.Get(*ns, "", name, &existing).ok()) continue;
    json::Document d;
    json::Parse(std::string("{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"") + name + "\"}}", &d);
    apiserver::WriteOptions o;
    o.field_manager = "dockward";
    apiserver::WriteResult res;
    Status st = reg.Create(*ns, "", d, o, &res);
    if (!st.ok() && !st.IsAlreadyExists()) return st;
  }
  return Status::OK();
}

apiserver::OpenApiProvider MakeOpenApi(std::shared_ptr<schema::OpenApiDocs> docs) {
  return [docs](const std::string& path, std::string* body, std::string* ct) {
    if (path == "/openapi/v2") {
      *body = docs->V2().json;
      *ct = "application/json";
      return true;
    }
    if (path == "/openapi/v3" || path == "/openapi/v3/") {
      *body = docs->V3Root().json;
      *ct = "application/json";
      return true;
    }
    static const std::string kPrefix = "/openapi/v3/";
    if (path.rfind(kPrefix, 0) != 0) return false;
    const schema::OpenApiDocument* d = docs->V3(path.substr(kPrefix.size()));
    if (!d) return false;
    *body = d->json;
    *ct = "application/json";
    return true;
  };
}

void RegisterStoreMetrics(store::Store* st, apiserver::ApiHandler* handler) {
  auto& m = metrics::Default();
  m.AddCallbackGauge("dockward_store_objects", "Objects in the store.",
                     [st] { return static_cast<double>(st->GetStats().objects); });
  m.AddCallbackGauge("dockward_store_object_bytes", "Bytes of object data in the store.",
                     [st] { return static_cast<double>(st->GetStats().object_bytes); });
  m.AddCallbackGauge("dockward_store_log_bytes", "Bytes in the write-ahead log.",
                     [st] { return static_cast<double>(st->GetStats().log_bytes); });
  m.AddCallbackGauge("dockward_store_snapshot_bytes", "Bytes in the latest snapshot.",
                     [st] { return static_cast<double>(st->GetStats().snapshot_bytes); });
  m.AddCallbackGauge("dockward_store_revision", "Current store revision.",
                     [st] { return static_cast<double>(st->GetStats().revision); });
  m.AddCallbackGauge("dockward_store_watchers", "Open store watchers.",
                     [st] { return static_cast<double>(st->GetStats().watchers); });
  m.AddCallbackGauge("dockward_store_fsyncs", "fsync calls made by the store since start.",
                     [st] { return static_cast<double>(st->GetStats().fsyncs); });
  m.AddCallbackGauge("apiserver_longrunning_requests", "Open watch streams.",
                     [handler] { return static_cast<double>(handler->OpenWatches()); });
}

}  // namespace

int ServeMain(int argc, char** argv) {
  ServeFlags flags;
  int rc = ParseFlags(argc, argv, &flags);
  if (rc >= 0) return rc;

  // Block the shutdown signals in every thread; the main thread waits for them.
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGTERM);
  sigaddset(&sigs, SIGINT);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);
  signal(SIGPIPE, SIG_IGN);

  if (!flags.remote.kubeconfig.empty() || flags.remote.in_cluster) return RunRemote(flags.remote, sigs);

  auto fail = [](const std::string& what, const Status& st) {
    log::Error(what, {{"error", st.ToString()}});
    return 1;
  };
  Status st = MakeDirs(flags.data_dir, 0700);
  if (!st.ok()) return fail("cannot create data dir", st);

  std::unique_ptr<schema::ResourceRegistry> kinds;
  st = schema::ResourceRegistry::LoadBuiltin(&kinds);
  if (!st.ok()) return fail("cannot load the compiled-in CRDs", st);

  store::EmbeddedOptions so;
  so.dir = flags.data_dir + "/store";
  so.fsync = flags.fsync;
  std::unique_ptr<store::Store> store;
  st = store::OpenEmbedded(so, &store);
  if (!st.ok()) return fail("cannot open the store", st);

  tls::ServingPki pki;
  if (flags.tls) {
    std::vector<std::string> hosts = flags.tls_sans;
    std::string host = flags.listen.substr(0, flags.listen.rfind(':'));
    if (!host.empty() && host != "0.0.0.0" && host != "::" && host != "[::]") hosts.push_back(host);
    st = tls::EnsureServingPki(flags.data_dir + "/pki", hosts, &pki);
    if (!st.ok()) return fail("cannot prepare TLS certificates", st);
  }
  std::string token;
  st = tls::EnsureToken(flags.data_dir + "/token", &token);
  if (!st.ok()) return fail("cannot prepare the admin token", st);

  apiserver::ObjectRegistry registry(store.get(), kinds.get());
  st = BootstrapNamespaces(registry);
  if (!st.ok()) return fail("cannot create the default namespace", st);

  std::shared_ptr<schema::OpenApiDocs> openapi(schema::OpenApiDocs::Build(*kinds));
  std::string scheme = flags.tls ? "https://" : "http://";

  apiserver::HttpServerOptions ho;
  ho.listen = flags.listen;
  ho.tls = flags.tls;
  ho.cert_path = pki.cert_path;
  ho.key_path = pki.key_path;
  // The listener binds first so that port 0 resolves before discovery and the
  // kubeconfig name the address; until the handler exists every request
  // gets 503 (clients wait for /readyz anyway).
  std::atomic<apiserver::ApiHandler*> live{nullptr};
  apiserver::HttpServer server(ho, [&live](apiserver::HttpRequest& req, apiserver::ResponseWriter& w) {
    if (apiserver::ApiHandler* h = live.load()) return h->Handle(req, w);
    w.Send(503, "text/plain; charset=utf-8", "starting");
  });
  st = server.Start();
  if (!st.ok()) return fail("cannot start the API server", st);
  std::string host = flags.listen.substr(0, flags.listen.rfind(':'));
  if (host.empty() || host == "0.0.0.0") host = "127.0.0.1";
  std::string address = host + ":" + std::to_string(server.Port());
  std::string url = scheme + address;
  apiserver::Discovery discovery(*kinds, address);
  auto handler = std::make_unique<apiserver::ApiHandler>(&registry, &discovery, MakeOpenApi(openapi),
                                                         token, &metrics::Default());
  live.store(handler.get());
  RegisterStoreMetrics(store.get(), handler.get());

  st = cli::WriteKubeconfig(flags.data_dir + "/kubeconfig", url, pki.ca_cert_pem, token);
  if (!st.ok()) return fail("cannot write the kubeconfig", st);

  apiserver::GarbageCollector gc(&registry);
  gc.Start();
  handler->SetReady(true);
  ControllerManager controllers(&registry);
  controllers.set_state_dir(flags.data_dir);
  if (flags.controllers && !(st = controllers.Start()).ok()) {
    handler->SetReady(false);
    server.Stop();
    gc.Stop();
    store->Close();
    return fail("cannot start the controllers", st);
  }
  log::Info("serving", {{"url", url}, {"dataDir", flags.data_dir},
                        {"kubeconfig", flags.data_dir + "/kubeconfig"}});

  int sig = 0;
  sigwait(&sigs, &sig);
  log::Info("shutting down", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
  handler->SetReady(false);
  controllers.Stop();  // their last writes need the store
  handler->CloseWatches();
  server.Stop();
  gc.Stop();
  store->Close();
  log::Info("stopped");
  return 0;
}

}  // namespace dw::serve
