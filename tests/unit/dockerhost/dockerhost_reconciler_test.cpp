// DockerHostReconciler over a real ObjectRegistry, against a fake daemon on a
// unix socket (reachability, version, no-churn, backoff) and offline TLS
// checks (Secrets, key mismatch, expiry) that never need a daemon.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "operator/common/base64.h"
#include "operator/runtime/conditions.h"
#include "operator/tls/pki.h"
#include "reconcilers/dockerhost/dockerhost_reconciler.h"
#include "tests/unit/dockerhost/fake_daemon.h"
#include "tests/unit/runtime/runtime_fixture.h"

using namespace dw;
using namespace dw::dockerhost;
using namespace dw::runtime::testing;
using namespace std::chrono_literals;

namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Env {
  RuntimeFixture fx;
  apiserver::testing::ScratchDir dir;
  HostRegistry hosts;
  clock::TimePoint now = clock::Now();
  const schema::ResourceInfo* dh = fx.client().Resolve("dockward.io/v1alpha1", "DockerHost");
  const schema::ResourceInfo* events = fx.client().Resolve("v1", "Event");
  std::unique_ptr<runtime::EventRecorder> recorder =
      std::make_unique<runtime::EventRecorder>(&fx.client(), *events, runtime::EventRecorderOptions{"dockward"});
  DockerHostReconciler rec{&fx.client(), recorder.get(), &hosts, [this] { return now; }};

  std::string sock() const { return dir.path() + "/docker.sock"; }

  void CreateHost(const std::string& name, const std::string& spec) {
    REQUIRE(dh != nullptr);
    fx.MustCreate(*dh, Doc(R"({"apiVersion":"dockward.io/v1alpha1","kind":"DockerHost","metadata":{"name":")" +
                           name + R"("},"spec":)" + spec + "}"));
  }
  void CreateSecret(const std::string& name, const std::map<std::string, std::string>& data) {
    std::string items;
    for (const auto& [k, v] : data) items += (items.empty() ? "\"" : ",\"") + k + "\":\"" + Base64Encode(v) + "\"";
    fx.MustCreate(fx.secrets(), Doc(R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":")" + name +
                                    R"("},"data":{)" + items + "}}"));
  }
  runtime::Result Reconcile(const std::string& name) {
    runtime::Result res;
    Status st = rec.Reconcile({"default", name}, &res);
    INFO(st.ToString());
    REQUIRE(st.ok());
    return res;
  }
  json::Document Get(const std::string& name) { return fx.MustGet(*dh, name); }
  std::string EventsText() {
    REQUIRE(recorder->Flush(5s));
    runtime::ObjectList list;
    REQUIRE(fx.client().List(*events, "default", {}, &list).ok());
    std::string all;
    for (const auto& e : list.items) all += json::GetString(e, "type") + " " + json::GetString(e, "reason") + ": " +
                                            json::GetString(e, "message") + "\n";
    return all;
  }
};

std::string Cond(const json::Value& obj, const char* type, const char* field) {
  const json::Value* status = json::Find(obj, "status");
  const json::Value* c = status ? runtime::FindCondition(*status, type) : nullptr;
  return c ? json::GetString(*c, field) : "<absent>";
}

// A CA-signed client certificate and key, plus an unrelated key (the CA's).
struct Pki {
  std::string ca, cert, key, other_key;
  clock::TimePoint not_after;
  explicit Pki(const std::string& dir) {
    tls::ServingPki p;
    REQUIRE(tls::EnsureServingPki(dir + "/pki", {}, &p).ok());
    ca = p.ca_cert_pem;
    cert = ReadAll(p.cert_path);
    key = ReadAll(p.key_path);
    other_key = ReadAll(p.ca_key_path);
    REQUIRE(tls::CertificateNotAfter(cert, &not_after).ok());
  }
};

// Nothing listens on port 1 of localhost: the probe fails fast.
const char* kClosedTls =
    R"({"endpoint":"tcp://127.0.0.1:1","tls":{"caSecretRef":{"name":"ca"},"clientSecretRef":{"name":"client"}}})";

}  // namespace

TEST_CASE("dockerhost: a reachable daemon gives Ready True, version, and no status churn") {
  Env env;
  testing::FakeDaemon daemon(env.sock(), "24.0.7", "1.43");
  REQUIRE(daemon.Start());
  env.CreateHost("local", R"({"endpoint":"unix://)" + env.sock() + "\"}");

  auto res = env.Reconcile("local");
  CHECK(res.requeue_after == 30s);
  auto obj = env.Get("local");
  CHECK(json::GetBool(obj["status"], "reachable") == true);
  CHECK(json::GetString(obj["status"], "version") == "24.0.7");
  CHECK(json::GetString(obj["status"], "apiVersion") == "1.41");  // min(daemon 1.43, ours 1.41)
  CHECK(json::GetInt(obj["status"], "observedGeneration") == 1);
  CHECK(json::Find(obj["status"], "tls") == nullptr);
  CHECK(Cond(obj, "Ready", "status") == "True");
  CHECK(Cond(obj, "Ready", "reason") == "Reachable");
  CHECK(Cond(obj, "Ready", "message") == "Docker Engine 24.0.7 (API 1.41) at unix://" + env.sock());
  CHECK(Cond(obj, "CertificateExpiring", "status") == "<absent>");
  HostState state;
  REQUIRE(env.hosts.State("default", "local", &state).ok());
  CHECK(state.reachable);
  CHECK(state.version == "24.0.7");
  std::unique_ptr<docker::DockerClient> client;
  REQUIRE(env.hosts.NewClient("default", "local", &client).ok());

  // The re-probe finds the same: nothing is written.
  std::string rv = runtime::ResourceVersionOf(obj);
  env.now += 10s;
  env.Reconcile("local");
  CHECK(runtime::ResourceVersionOf(env.Get("local")) == rv);
  CHECK(env.EventsText() == "Normal Reachable: Docker Engine 24.0.7 (API 1.41) at unix://" + env.sock() + "\n");
}

TEST_CASE("dockerhost: a daemon going away backs off 2 s, 4 s... and recovery resets it") {
  Env env;
  testing::FakeDaemon daemon(env.sock());
  REQUIRE(daemon.Start());
  env.CreateHost("local", R"({"endpoint":"unix://)" + env.sock() + "\"}");
  env.Reconcile("local");
  daemon.Stop();

  CHECK(env.Reconcile("local").requeue_after == 2s);
  auto obj = env.Get("local");
  CHECK(json::GetBool(obj["status"], "reachable", true) == false);
  CHECK(json::GetString(obj["status"], "version") == "24.0.7");  // last seen is kept
  CHECK(Cond(obj, "Ready", "status") == "False");
  CHECK(Cond(obj, "Ready", "reason") == "Unreachable");
  CHECK_FALSE(Cond(obj, "Ready", "message").empty());
  std::unique_ptr<docker::DockerClient> client;
  CHECK(env.hosts.NewClient("default", "local", &client).code() == Code::kUnavailable);
  CHECK(env.Reconcile("local").requeue_after == 4s);
  CHECK(env.Reconcile("local").requeue_after == 8s);

  REQUIRE(daemon.Start());
  CHECK(env.Reconcile("local").requeue_after == 30s);
  CHECK(Cond(env.Get("local"), "Ready", "status") == "True");
  daemon.Stop();
  CHECK(env.Reconcile("local").requeue_after == 2s);  // the count started over

  std::string ev = env.EventsText();
  CHECK(ev.find("Warning Unreachable: ") != std::string::npos);
  CHECK(ev.find("Normal Reachable: ") != std::string::npos);
}

TEST_CASE("dockerhost: TLS Secrets missing or without the key") {
  Env env;
  env.CreateHost("remote", kClosedTls);
  CHECK(env.Reconcile("remote").requeue_after == 2s);
  auto obj = env.Get("remote");
  CHECK(Cond(obj, "Ready", "status") == "False");
  CHECK(Cond(obj, "Ready", "reason") == "SecretNotFound");
  CHECK(Cond(obj, "Ready", "message") == "secret \"default/ca\" not found");
  std::unique_ptr<docker::DockerClient> client;
  Status st = env.hosts.NewClient("default", "remote", &client);
  CHECK(st.code() == Code::kUnavailable);
  CHECK(st.message().find("secret \"default/ca\" not found") != std::string::npos);

  env.CreateSecret("ca", {{"ca.crt", "x"}});
  env.CreateSecret("client", {{"tls.crt", "x"}});
  env.Reconcile("remote");
  obj = env.Get("remote");
  CHECK(Cond(obj, "Ready", "reason") == "InvalidSecret");
  CHECK(Cond(obj, "Ready", "message") == "secret \"default/client\" has no key \"tls.key\"");
}

TEST_CASE("dockerhost: a key that does not match the certificate is InvalidTLS, and never echoed") {
  Env env;
  Pki pki(env.dir.path());
  env.CreateSecret("ca", {{"ca.crt", pki.ca}});
  env.CreateSecret("client", {{"tls.crt", pki.cert}, {"tls.key", pki.other_key}});
  env.CreateHost("remote", kClosedTls);
  env.Reconcile("remote");
  auto obj = env.Get("remote");
  CHECK(Cond(obj, "Ready", "status") == "False");
  CHECK(Cond(obj, "Ready", "reason") == "InvalidTLS");
  CHECK(Cond(obj, "Ready", "message") ==
        "secret \"default/client\": docker client certificate: private key does not match certificate");
  CHECK(json::Find(obj["status"], "tls") == nullptr);
  std::string everything = json::Serialize(obj) + env.EventsText();
  CHECK(everything.find("PRIVATE KEY") == std::string::npos);
  std::string key_body = pki.other_key.substr(pki.other_key.find('\n') + 1, 40);
  CHECK(everything.find(key_body) == std::string::npos);
  CHECK(everything.find(Base64Encode(pki.other_key).substr(0, 40)) == std::string::npos);
}

TEST_CASE("dockerhost: certificate expiry within 30 days sets CertificateExpiring") {
  Env env;
  Pki pki(env.dir.path());
  env.CreateSecret("ca", {{"ca.crt", pki.ca}});
  env.CreateSecret("client", {{"tls.crt", pki.cert}, {"tls.key", pki.key}});
  env.CreateHost("remote", kClosedTls);

  env.now = pki.not_after - std::chrono::hours(24 * 60);
  env.Reconcile("remote");
  auto obj = env.Get("remote");
  CHECK(json::GetInt(obj["status"]["tls"], "daysRemaining") == 60);
  CHECK(json::GetString(obj["status"]["tls"], "notAfter") == clock::Rfc3339(pki.not_after));
  CHECK(Cond(obj, "CertificateExpiring", "status") == "False");
  CHECK(Cond(obj, "CertificateExpiring", "reason") == "CertificateValid");
  CHECK(Cond(obj, "Ready", "reason") == "Unreachable");  // the TLS check passed; nothing listens

  env.now = pki.not_after - std::chrono::hours(24 * 10) + 1h;
  env.Reconcile("remote");
  obj = env.Get("remote");
  CHECK(json::GetInt(obj["status"]["tls"], "daysRemaining") == 9);
  CHECK(Cond(obj, "CertificateExpiring", "status") == "True");
  CHECK(Cond(obj, "CertificateExpiring", "reason") == "CertificateExpiringSoon");
  CHECK(Cond(obj, "CertificateExpiring", "message") ==
        "client certificate expires in 9 days (" + clock::Rfc3339(pki.not_after) + ")");

  env.now = pki.not_after + std::chrono::hours(24 * 2);
  env.Reconcile("remote");
  obj = env.Get("remote");
  CHECK(json::GetInt(obj["status"]["tls"], "daysRemaining") == -2);
  CHECK(Cond(obj, "Ready", "reason") == "CertificateExpired");
  CHECK(Cond(obj, "CertificateExpiring", "reason") == "CertificateExpired");
  std::string ev = env.EventsText();
  CHECK(ev.find("Warning CertificateExpiring: client certificate expires in 9 days") != std::string::npos);
  CHECK(ev.find("Warning CertificateExpired: ") != std::string::npos);
}

TEST_CASE("dockerhost: endpoints the client refuses are InvalidConfig") {
  Env env;
  env.CreateHost("plain", R"({"endpoint":"tcp://127.0.0.1:2375"})");
  env.Reconcile("plain");
  auto obj = env.Get("plain");
  CHECK(Cond(obj, "Ready", "reason") == "InvalidConfig");
  CHECK(Cond(obj, "Ready", "message").find("plain TCP was not allowed") != std::string::npos);

}

TEST_CASE("dockerhost: tls.verify false is TLS without checking the engine's certificate") {
  Env env;
  // Nothing listens there: the probe fails at connect, so the configuration
  // was accepted (not InvalidConfig) and reached the registry as TLS.
  env.CreateHost("noverify", R"({"endpoint":"tcp://127.0.0.1:1","tls":{"verify":false}})");
  env.Reconcile("noverify");
  CHECK(Cond(env.Get("noverify"), "Ready", "reason") == "Unreachable");
  docker::DockerConfig cfg;
  http::ClientConfig hc;
  cfg.endpoint = "tcp://127.0.0.1:1";
  cfg.insecure_skip_verify = true;
  REQUIRE(docker::MakeHttpConfig(cfg, &hc).ok());
  CHECK(hc.server == "https://127.0.0.1:1");
  CHECK(hc.insecure_skip_verify);
}

TEST_CASE("dockerhost: deletion removes the host from the registry") {
  Env env;
  testing::FakeDaemon daemon(env.sock());
  REQUIRE(daemon.Start());
  env.CreateHost("local", R"({"endpoint":"unix://)" + env.sock() + "\"}");
  env.Reconcile("local");
  HostState state;
  REQUIRE(env.hosts.State("default", "local", &state).ok());
  apiserver::WriteResult wr;
  REQUIRE(env.fx.reg().Delete(*env.dh, "default", "local", apiserver::DeleteOptions{}, &wr).ok());
  auto res = env.Reconcile("local");
  CHECK(res.requeue_after == 0ms);
  CHECK(env.hosts.State("default", "local", &state).IsNotFound());
}
