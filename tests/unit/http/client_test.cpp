#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "operator/http/client.h"
#include "tests/unit/http/test_server.h"

using dw::Code;
using dw::http::Client;
using dw::http::ClientConfig;
using dw::http::Request;
using dw::http::Response;
using dw::http::testing::TestServer;
using namespace std::chrono_literals;

namespace {

ClientConfig Plain(int port) {
  ClientConfig cfg;
  cfg.server = "http://127.0.0.1:" + std::to_string(port);
  cfg.connect_timeout = 2000ms;
  cfg.request_timeout = 3000ms;
  return cfg;
}

Request Get(std::string target) {
  Request r;
  r.target = std::move(target);
  return r;
}

// Creates a CA and a server certificate for localhost/127.0.0.1 with the
// openssl CLI (argv, no shell). Returns the directory.
struct Pki {
  std::string dir, ca_pem, other_ca_pem;
  Pki() {
    using dw::http::testing::RunCommand;
    dir = dw::http::testing::MakeTempDir();
    auto p = [&](const char* f) { return dir + "/" + f; };
    std::ofstream(p("ext.cnf")) << "subjectAltName=DNS:localhost,IP:127.0.0.1\n";
    for (const char* ca : {"ca", "other"}) {
      REQUIRE(RunCommand({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                          "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                          p((std::string(ca) + ".key").c_str()), "-out",
                          p((std::string(ca) + ".crt").c_str()), "-subj",
                          std::string("/CN=") + ca, "-days", "2"}) == 0);
    }
    REQUIRE(RunCommand({"openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                        "-nodes", "-keyout", p("srv.key"), "-out", p("srv.csr"), "-subj",
                        "/CN=localhost"}) == 0);
    REQUIRE(RunCommand({"openssl", "x509", "-req", "-in", p("srv.csr"), "-CA", p("ca.crt"),
                        "-CAkey", p("ca.key"), "-CAcreateserial", "-out", p("srv.crt"), "-days",
                        "2", "-extfile", p("ext.cnf")}) == 0);
    ca_pem = dw::http::testing::ReadFile(p("ca.crt"));
    other_ca_pem = dw::http::testing::ReadFile(p("other.crt"));
  }
  ~Pki() { std::filesystem::remove_all(dir); }
};

}  // namespace

TEST_CASE("GET and POST over plain HTTP, headers and bearer token", "[http]") {
  TestServer srv(TestServer::Mode::kTcp);
  auto cfg = Plain(srv.port());
  cfg.bearer_token = "s3cret";
  Client c(cfg);
  Response resp;
  REQUIRE(c.Do(Get("/echo?a=1"), &resp).ok());
  CHECK(resp.status == 200);
  CHECK(resp.body == "GET /echo?a=1  127.0.0.1:" + std::to_string(srv.port()) + " Bearer s3cret");
  CHECK(resp.Header("x-test") == "yes");
  CHECK(resp.Header("absent").empty());

  Request post;
  post.method = "POST";
  post.target = "/echo";
  post.body = "{\"k\":1}";
  post.headers["Content-Type"] = "application/json";
  REQUIRE(c.Do(post, &resp).ok());
  CHECK(resp.body.rfind("POST /echo {\"k\":1} ", 0) == 0);

  REQUIRE(c.Do(Get("/missing"), &resp).ok());  // HTTP errors are not transport errors
  CHECK(resp.status == 404);
}

TEST_CASE("keep-alive reuses one connection", "[http]") {
  TestServer srv(TestServer::Mode::kTcp);
  Client c(Plain(srv.port()));
  Response resp;
  for (int i = 0; i < 5; ++i) REQUIRE(c.Do(Get("/echo"), &resp).ok());
  CHECK(srv.requests() == 5);
  CHECK(srv.connections() == 1);
}

TEST_CASE("a stale kept-alive connection is retried once for idempotent methods", "[http]") {
  TestServer srv(TestServer::Mode::kTcp);
  Client c(Plain(srv.port()));
  Response resp;
  REQUIRE(c.Do(Get("/stale"), &resp).ok());
  CHECK(resp.body == "ok");
  std::this_thread::sleep_for(50ms);  // the server has closed the socket by now
  REQUIRE(c.Do(Get("/echo"), &resp).ok());
  CHECK(resp.status == 200);
  CHECK(srv.connections() == 2);

  // POST is not idempotent: the failure is reported, not retried.
  REQUIRE(c.Do(Get("/stale"), &resp).ok());
  std::this_thread::sleep_for(50ms);
  Request post;
  post.method = "POST";
  post.target = "/echo";
  post.body = "x";
  auto st = c.Do(post, &resp);
  CHECK(st.code() == Code::kUnavailable);
}

TEST_CASE("chunked responses are decoded, and streamed as they arrive", "[http]") {
  TestServer srv(TestServer::Mode::kTcp);
  Client c(Plain(srv.port()));
  Response resp;
  REQUIRE(c.Do(Get("/chunked"), &resp).ok());
  CHECK(resp.body == "onetwothree");

  std::vector<std::string> parts;
  Response head;
  REQUIRE(c.Stream(Get("/chunked"),
                   [&](std::string_view d) {
                     parts.emplace_back(d);
                     return true;
                   },
                   &head, 2000ms)
              .ok());
  CHECK(head.status == 200);
  CHECK(parts == std::vector<std::string>{"one", "two", "three"});

  // The callback can stop the stream early.
  parts.clear();
  REQUIRE(c.Stream(Get("/chunked"),
                   [&](std::string_view d) {
                     parts.emplace_back(d);
                     return false;
                   },
                   &head, 2000ms)
              .ok());
  CHECK(parts == std::vector<std::string>{"one"});
}

TEST_CASE("a server that never answers times out within the request timeout", "[http]") {
  TestServer srv(TestServer::Mode::kTcp);
  auto cfg = Plain(srv.port());
  cfg.request_timeout = 300ms;
  Client c(cfg);
  Response resp;
  auto t0 = std::chrono::steady_clock::now();
  auto st = c.Do(Get("/hang"), &resp);
  auto took = std::chrono::steady_clock::now() - t0;
  CHECK(st.code() == Code::kTimeout);
  CHECK(st.message().find("i/o timeout") != std::string::npos);
  CHECK(took >= 250ms);
  CHECK(took < 2000ms);

  // A watch on a silent server ends after the idle timeout.
  t0 = std::chrono::steady_clock::now();
  bool called = false;
  auto st2 = c.Stream(Get("/hang"), [&](std::string_view) { return called = true; }, nullptr, 200ms);
  CHECK(std::chrono::steady_clock::now() - t0 < 2000ms);
  CHECK(!called);
  CHECK(st2.code() == Code::kTimeout);  // no response head within the request timeout
}

TEST_CASE("connection refused is Unavailable and says so", "[http]") {
  int port;
  { TestServer srv(TestServer::Mode::kTcp); port = srv.port(); }  // now closed
  Client c(Plain(port));
  Response resp;
  auto st = c.Do(Get("/"), &resp);
  CHECK(st.code() == Code::kUnavailable);
  CHECK(st.message() == "dial tcp 127.0.0.1:" + std::to_string(port) + ": connection refused");
}

TEST_CASE("body cap", "[http]") {
  TestServer srv(TestServer::Mode::kTcp);
  auto cfg = Plain(srv.port());
  cfg.max_body_bytes = 1000;
  Client c(cfg);
  Response resp;
  auto big = c.Do(Get("/big"), &resp);
  INFO(resp.status << " " << resp.body.size());
  CHECK(big.code() == Code::kTooLarge);
  REQUIRE(c.Do(Get("/echo"), &resp).ok());  // recovers on a new connection
}

TEST_CASE("bad server URLs are rejected", "[http]") {
  Response resp;
  for (const char* url : {"127.0.0.1:80", "ftp://x", "https://", "unix://"}) {
    ClientConfig cfg;
    cfg.server = url;
    Client c(cfg);
    CHECK(c.Do(Get("/"), &resp).code() == Code::kBadRequest);
  }
}

TEST_CASE("unix socket", "[http]") {
  auto dir = dw::http::testing::MakeTempDir();
  std::string path = dir + "/s.sock";
  {
    TestServer srv(TestServer::Mode::kUnix, "", "", path);
    ClientConfig cfg;
    cfg.server = "unix://" + path;
    Client c(cfg);
    Response resp;
    REQUIRE(c.Do(Get("/echo"), &resp).ok());
    CHECK(resp.body == "GET /echo  localhost ");
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("https with CA pinning, host verification and a wrong CA", "[http][tls]") {
  Pki pki;
  TestServer srv(TestServer::Mode::kTls, pki.dir + "/srv.crt", pki.dir + "/srv.key");
  std::string port = std::to_string(srv.port());
  Response resp;

  SECTION("right CA, IP SAN") {
    ClientConfig cfg;
    cfg.server = "https://127.0.0.1:" + port;
    cfg.ca_pem = pki.ca_pem;
    Client c(cfg);
    REQUIRE(c.Do(Get("/echo"), &resp).ok());
    CHECK(resp.status == 200);
    REQUIRE(c.Do(Get("/echo"), &resp).ok());
    CHECK(srv.connections() == 1);
  }
  SECTION("right CA, DNS SAN") {
    ClientConfig cfg;
    cfg.server = "https://localhost:" + port;
    cfg.ca_pem = pki.ca_pem;
    Client c(cfg);
    auto st = c.Do(Get("/echo"), &resp);
    // localhost may resolve to ::1 first; the client falls back to 127.0.0.1.
    REQUIRE(st.ok());
  }
  SECTION("wrong CA") {
    ClientConfig cfg;
    cfg.server = "https://127.0.0.1:" + port;
    cfg.ca_pem = pki.other_ca_pem;
    Client c(cfg);
    auto st = c.Do(Get("/echo"), &resp);
    CHECK(st.code() == Code::kUnavailable);
    CHECK(st.message().find("tls: failed to verify certificate: unable to get local issuer") !=
          std::string::npos);
  }
  SECTION("name mismatch") {
    ClientConfig cfg;
    cfg.server = "https://127.0.0.1:" + port;
    cfg.ca_pem = pki.ca_pem;
    cfg.tls_server_name = "other.example";
    Client c(cfg);
    auto st = c.Do(Get("/echo"), &resp);
    CHECK(st.code() == Code::kUnavailable);
    CHECK(st.message().find("hostname mismatch") != std::string::npos);
  }
  SECTION("insecure skip verify") {
    ClientConfig cfg;
    cfg.server = "https://127.0.0.1:" + port;
    cfg.insecure_skip_verify = true;
    Client c(cfg);
    REQUIRE(c.Do(Get("/echo"), &resp).ok());
  }
  SECTION("garbage CA PEM") {
    ClientConfig cfg;
    cfg.server = "https://127.0.0.1:" + port;
    cfg.ca_pem = "not a pem";
    Client c(cfg);
    CHECK(c.Do(Get("/echo"), &resp).code() == Code::kBadRequest);
  }
}

TEST_CASE("QueryEscape", "[http]") {
  CHECK(dw::http::QueryEscape("a-b_c.d~e") == "a-b_c.d~e");
  CHECK(dw::http::QueryEscape("app=web,tier!=db") == "app%3Dweb%2Ctier%21%3Ddb");
  CHECK(dw::http::QueryEscape("a b/c") == "a+b%2Fc");
  CHECK(dw::http::QueryEscape("") == "");
}
