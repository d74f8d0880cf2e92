// A real API server in-process for the RestClient and LeaderElector tests:
// the RuntimeFixture's registry served by the ApiHandler over a plain-HTTP
// HttpServer on a free loopback port (the same handler `dockward serve`
// runs), plus a RestClient to it with the admin token. StopServer() and
// StartServer() take the server away and bring it back on the same port.
#pragma once

#include <memory>
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
        o, [h](apiserver::HttpRequest& req, apiserver::ResponseWriter& w) { h->Handle(req, w); });
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

  std::unique_ptr<RestClient> MakeClient(const std::string& token, RestClientOptions o = {}) {
    o.http.server = url();
    o.http.bearer_token = token;
    return std::make_unique<RestClient>(&reg().kinds(), o);
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  RestClient& rest() { return *rest_; }

 private:
  metrics::Registry metrics_;
  std::unique_ptr<apiserver::Discovery> discovery_;
  std::unique_ptr<apiserver::ApiHandler> handler_;
  std::unique_ptr<apiserver::HttpServer> server_;
  int port_ = 0;
  std::unique_ptr<RestClient> rest_;
};

}  // namespace dw::runtime::testing
