// ClientConfig::dial_address, read_idle_timeout and Client::Fetch: the
// pieces the SSRF-safe fetcher builds on.
#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "operator/http/client.h"
#include "tests/unit/http/test_server.h"

using dw::Code;
using dw::http::Client;
using dw::http::ClientConfig;
using dw::http::Request;
using dw::http::Response;
using dw::http::testing::TestServer;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

Request Get(std::string target) {
  Request r;
  r.target = std::move(target);
  return r;
}

// A name that cannot resolve anywhere (RFC 6761 .invalid): reaching the
// server through it proves no lookup happened.
ClientConfig Pinned(int port) {
  ClientConfig cfg;
  cfg.server = "http://registry.invalid:" + std::to_string(port);
  cfg.dial_address = "127.0.0.1";
  cfg.connect_timeout = 2000ms;
  cfg.request_timeout = 3000ms;
  return cfg;
}

}  // namespace

TEST_CASE("dial_address connects to the given IP, Host stays the URL's", "[http][dial]") {
  TestServer srv(TestServer::Mode::kTcp);
  Client c(Pinned(srv.port()));
  Response resp;
  auto st = c.Do(Get("/echo"), &resp);
  INFO(st.message());
  REQUIRE(st.ok());
  CHECK(resp.body == "GET /echo  registry.invalid:" + std::to_string(srv.port()) + " ");

  // A reconnect (the server closes after /stale) dials the same address
  // again instead of resolving the name.
  REQUIRE(c.Do(Get("/stale"), &resp).ok());
  std::this_thread::sleep_for(50ms);
  REQUIRE(c.Do(Get("/echo"), &resp).ok());
  CHECK(srv.connections() == 2);
}

TEST_CASE("dial_address errors name the address; a bad one is refused", "[http][dial]") {
  int port;
  { TestServer srv(TestServer::Mode::kTcp); port = srv.port(); }
  Response resp;
  Client refused(Pinned(port));
  auto st = refused.Do(Get("/"), &resp);
  CHECK(st.code() == Code::kUnavailable);
  CHECK(st.message() == "dial tcp registry.invalid:" + std::to_string(port) +
                            " (127.0.0.1): connection refused");

  auto cfg = Pinned(port);
  cfg.dial_address = "registry.example";  // a name is not an address
  Client named(cfg);
  st = named.Do(Get("/"), &resp);
  CHECK(st.code() == Code::kBadRequest);
  CHECK(st.message() == "dial_address is not an IP address: \"registry.example\"");
}

TEST_CASE("dial_address keeps TLS name checks on the URL host", "[http][dial][tls]") {
  using dw::http::testing::RunCommand;
  std::string dir = dw::http::testing::MakeTempDir();
  auto p = [&](const char* f) { return dir + "/" + f; };
  std::ofstream(p("ext.cnf")) << "subjectAltName=DNS:registry.test\n";
  REQUIRE(RunCommand({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                      "ec_paramgen_curve:P-256", "-nodes", "-keyout", p("ca.key"), "-out",
                      p("ca.crt"), "-subj", "/CN=ca", "-days", "2"}) == 0);
  REQUIRE(RunCommand({"openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                      "-nodes", "-keyout", p("srv.key"), "-out", p("srv.csr"), "-subj",
                      "/CN=registry.test"}) == 0);
  REQUIRE(RunCommand({"openssl", "x509", "-req", "-in", p("srv.csr"), "-CA", p("ca.crt"), "-CAkey",
                      p("ca.key"), "-CAcreateserial", "-out", p("srv.crt"), "-days", "2",
                      "-extfile", p("ext.cnf")}) == 0);
  {
    TestServer srv(TestServer::Mode::kTls, p("srv.crt"), p("srv.key"));
    ClientConfig cfg;
    cfg.ca_pem = dw::http::testing::ReadFile(p("ca.crt"));
    cfg.dial_address = "127.0.0.1";
    cfg.connect_timeout = 2000ms;
    cfg.request_timeout = 3000ms;
    Response resp;

    cfg.server = "https://registry.test:" + std::to_string(srv.port());
    {  // the test server serves one connection at a time: close it after use
      Client good(cfg);
      auto st = good.Do(Get("/echo"), &resp);
      INFO(st.message());
      REQUIRE(st.ok());
      CHECK(resp.body == "GET /echo  registry.test:" + std::to_string(srv.port()) + " ");
    }

    // Same address, another name: the certificate does not cover it.
    cfg.server = "https://other.test:" + std::to_string(srv.port());
    Client wrong(cfg);
    auto st = wrong.Do(Get("/echo"), &resp);
    INFO(st.message());
    CHECK(st.code() == Code::kUnavailable);
    CHECK(st.message().find("failed to verify certificate") != std::string::npos);
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("read_idle_timeout bounds each read, not the whole response", "[http][idle]") {
  TestServer srv(TestServer::Mode::kTcp);
  auto cfg = Pinned(srv.port());
  cfg.read_idle_timeout = 300ms;
  Client c(cfg);
  Response resp;
  // /chunked takes ~150 ms in 50 ms steps: each gap is under the idle bound.
  REQUIRE(c.Do(Get("/chunked"), &resp).ok());
  CHECK(resp.body == "onetwothree");

  auto t0 = Clock::now();
  auto st = c.Do(Get("/hang"), &resp);
  auto took = Clock::now() - t0;
  CHECK(st.code() == Code::kTimeout);
  CHECK(st.message() == "read tcp registry.invalid:" + std::to_string(srv.port()) +
                            " (127.0.0.1): read idle timeout (no data for 300 ms)");
  CHECK(took >= 250ms);
  CHECK(took < 2000ms);  // far below the 3 s request timeout

  // Without an idle bound the request timeout is what fires.
  cfg.read_idle_timeout = 0ms;
  cfg.request_timeout = 400ms;
  Client plain(cfg);
  st = plain.Do(Get("/hang"), &resp);
  CHECK(st.code() == Code::kTimeout);
  CHECK(st.message().find("i/o timeout") != std::string::npos);
}

TEST_CASE("Fetch streams the body in fragments under Do's bounds", "[http][fetch]") {
  TestServer srv(TestServer::Mode::kTcp);
  auto cfg = Pinned(srv.port());
  cfg.read_idle_timeout = 1000ms;
  Client c(cfg);
  Response head;
  std::vector<std::string> parts;
  int status_at_first_call = 0;
  auto collect = [&](std::string_view d) {
    if (parts.empty()) status_at_first_call = head.status;
    parts.emplace_back(d);
    return true;
  };
  REQUIRE(c.Fetch(Get("/chunked"), collect, &head).ok());
  CHECK(head.status == 200);
  CHECK(status_at_first_call == 200);  // the head is known before the body
  CHECK(parts == std::vector<std::string>{"one", "two", "three"});

  parts.clear();
  REQUIRE(c.Fetch(Get("/big"), collect, &head).ok());
  size_t total = 0;
  for (const auto& s : parts) total += s.size();
  CHECK(total == 65536);
  CHECK(head.Header("x-test") == "yes");

  // Stopping early is OK; the next Fetch gets a fresh connection.
  parts.clear();
  REQUIRE(c.Fetch(Get("/chunked"), [&](std::string_view d) { parts.emplace_back(d); return false; },
                  &head)
              .ok());
  CHECK(parts == std::vector<std::string>{"one"});

  // Cap: Content-Length over the cap is refused before any body byte; a
  // chunked body is counted as it streams.
  cfg.max_body_bytes = 1000;
  Client capped(cfg);
  parts.clear();
  auto st = capped.Fetch(Get("/big"), collect, &head);
  CHECK(st.code() == Code::kTooLarge);
  CHECK(parts.empty());
  cfg.max_body_bytes = 5;
  Client tiny(cfg);
  st = tiny.Fetch(Get("/chunked"), collect, &head);
  CHECK(st.code() == Code::kTooLarge);
  CHECK(parts == std::vector<std::string>{"one"});  // "two" would pass 5 bytes

  // Idle bound applies to Fetch too.
  auto t0 = Clock::now();
  st = c.Fetch(Get("/hang"), collect, &head);
  CHECK(st.code() == Code::kTimeout);
  CHECK(st.message().find("read idle timeout") != std::string::npos);
  CHECK(Clock::now() - t0 < 2500ms);
}
