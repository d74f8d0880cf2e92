// A real API server in-process for the RestClient and LeaderElector tests:
// the RuntimeFixture's registry served by the ApiHandler over a plain-HTTP
// HttpServer on a free loopback port (the same handler `dockward serve`
// runs), plus a RestClient to it with the admin token. StopServer() and
// StartServer() take the server away and bring it back on the same port.
// SetHooks() runs test code around each request on the server's connection
// thread (e.g. to make the API server slow).
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "operator/apiserver/api_handler.h"
#include "operator/apiserver/discovery.h"
#include "operator/apiserver/http_server.h"
#include "operator/common/metrics.h"
#include "operator/runtime/rest_client.h"
#include "tests/unit/runtime/runtime_fixture.h"

namespace dw::runtime::testing {

inline constexpr char kTestToken[] = "rest-fixture-token";

class RestFixture : public RuntimeFixture {
 public:
  explicit RestFixture(int64_t history_events = 10000) : RuntimeFixture(history_events) {
    discovery_ = std::make_unique<apiserver::Discovery>(reg().kinds(), "127.0.0.1");
    StartServer("127.0.0.1:0");
    rest_ = MakeClient(kTestToken);
  }
  ~RestFixture() { StopServer(); }

  // Serves on `listen` (":0" picks a port, remembered for restarts).
  void StartServer(const std::string& listen) {
    handler_ = std::make_unique<apiserver::ApiHandler>(
        &reg(), discovery_.get(), [](const std::string&, std::string*, std::string*) { return false; }, kTestToken,
        &metrics_);
    handler_->SetReady(true);
    apiserver::HttpServerOptions o;
    o.listen = listen;
    o.tls = false;
    apiserver::ApiHandler* h = handler_.get();
    server_ = std::make_unique<apiserver::HttpServer>(
        o, [this, h](apiserver::HttpRequest& req, apiserver::ResponseWriter& w) {
          std::shared_ptr<const Hooks> hooks;
          {
            std::lock_guard<std::mutex> g(hooks_mu_);
            hooks = hooks_;
          }
          if (hooks && hooks->before) hooks->before(req);
          h->Handle(req, w);
          if (hooks && hooks->after) hooks->after(req);
        });
    Status st = server_->Start();
    INFO(st.ToString());
    REQUIRE(st.ok());
    port_ = server_->Port();
  }
  void StartServer() { StartServer("127.0.0.1:" + std::to_string(port_)); }
  void StopServer() {
    if (!server_) return;
    handler_->CloseWatches();
    server_->Stop();
    server_.reset();
    handler_.reset();
  }

  // `before` runs before the handler (it may block: a slow server), `after`
  // once the request was handled. Hooks must return before StopServer().
  using Hook = std::function<void(const apiserver::HttpRequest&)>;
  void SetHooks(Hook before, Hook after = nullptr) {
    std::lock_guard<std::mutex> g(hooks_mu_);
    hooks_ = std::make_shared<const Hooks>(Hooks{std::move(before), std::move(after)});
  }

  std::unique_ptr<RestClient> MakeClient(const std::string& token, RestClientOptions o = {}) {
    o.http.server = url();
    o.http.bearer_token = token;
    return std::make_unique<RestClient>(&reg().kinds(), o);
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  RestClient& rest() { return *rest_; }

 private:
  struct Hooks {
    Hook before, after;
  };
  std::mutex hooks_mu_;
  std::shared_ptr<const Hooks> hooks_;
  metrics::Registry metrics_;
  std::unique_ptr<apiserver::Discovery> discovery_;
  std::unique_ptr<apiserver::ApiHandler> handler_;
  std::unique_ptr<apiserver::HttpServer> server_;
  int port_ = 0;
  std::unique_ptr<RestClient> rest_;
};

}  // namespace dw::runtime::testing
