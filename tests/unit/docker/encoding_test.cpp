#include <catch2/catch.hpp>

#include "operator/docker/client.h"
#include "operator/docker/errors.h"
#include "operator/docker/filters.h"
#include "operator/docker/version.h"

using namespace dw::docker;

TEST_CASE("filters encode as Docker's JSON map of arrays, then percent-encoded") {
  Filters f{{"label", {"com.docker.compose.project=x", "tier"}}, {"status", {"running"}}};
  CHECK(FiltersJson(f) ==
        R"({"label":["com.docker.compose.project=x","tier"],"status":["running"]})");
  CHECK(FiltersQuery(f) ==
        "filters=%7B%22label%22%3A%5B%22com.docker.compose.project%3Dx%22%2C%22tier%22%5D%2C"
        "%22status%22%3A%5B%22running%22%5D%7D");
  CHECK(FiltersJson({}) == "{}");
  CHECK(FiltersQuery({}) == "");
  CHECK(FiltersJson({{"label", {"a=\"q\" &b"}}}) == R"({"label":["a=\"q\" &b"]})");
}

TEST_CASE("API version parsing") {
  ApiVersion v;
  REQUIRE(ParseApiVersion("1.41", &v).ok());
  CHECK(v.major == 1);
  CHECK(v.minor == 41);
  CHECK(v.ToString() == "1.41");
  CHECK_FALSE(ParseApiVersion("", &v).ok());
  CHECK_FALSE(ParseApiVersion("1", &v).ok());
  CHECK_FALSE(ParseApiVersion("1.", &v).ok());
  CHECK_FALSE(ParseApiVersion("1.4x", &v).ok());
  CHECK_FALSE(ParseApiVersion("v1.41", &v).ok());
  CHECK_FALSE(ParseApiVersion("-1.41", &v).ok());
  ApiVersion a{1, 9}, b{1, 41};
  CHECK(a < b);  // numeric, not string, comparison
}

TEST_CASE("API version negotiation takes the smaller version and refuses old daemons") {
  ApiVersion v;
  REQUIRE(NegotiateApiVersion("1.43", "unix:///s", &v).ok());
  CHECK(v.ToString() == "1.41");
  REQUIRE(NegotiateApiVersion("1.41", "unix:///s", &v).ok());
  CHECK(v.ToString() == "1.41");
  REQUIRE(NegotiateApiVersion("1.30", "unix:///s", &v).ok());
  CHECK(v.ToString() == "1.30");
  REQUIRE(NegotiateApiVersion("1.25", "unix:///s", &v).ok());
  CHECK(v.ToString() == "1.25");
  auto old = NegotiateApiVersion("1.24", "tcp://h:2376", &v);
  CHECK(old.code() == dw::Code::kInvalid);
  CHECK(old.message() == "docker daemon tcp://h:2376 speaks API 1.24 but dockward needs at least 1.25");
  CHECK_FALSE(IsTransient(old));
  auto bad = NegotiateApiVersion("banana", "unix:///s", &v);
  CHECK(bad.code() == dw::Code::kBadRequest);
  ApiVersion big;
  REQUIRE(NegotiateApiVersion("2.0", "unix:///s", &big).ok());
  CHECK(big.ToString() == "1.41");
}

TEST_CASE("Docker error responses map onto Status") {
  const std::string ep = "unix:///tmp/d.sock";
  CHECK(StatusFromResponse(200, "", ep).ok());
  CHECK(StatusFromResponse(204, "", ep).ok());
  auto nf = StatusFromResponse(404, R"({"message":"No such container: web"})", ep);
  CHECK(nf.code() == dw::Code::kNotFound);
  CHECK(nf.message() == "No such container: web");
  CHECK_FALSE(IsTransient(nf));
  auto cf = StatusFromResponse(409, R"({"message":"container is not running"})", ep);
  CHECK(cf.code() == dw::Code::kConflict);
  CHECK(StatusFromResponse(400, R"({"message":"bad"})", ep).code() == dw::Code::kBadRequest);
  CHECK(StatusFromResponse(403, "{}", ep).code() == dw::Code::kForbidden);
  auto down = StatusFromResponse(500, R"({"message":"driver failed"})", ep);
  CHECK(down.code() == dw::Code::kUnavailable);
  CHECK(down.message() == "docker daemon unix:///tmp/d.sock: driver failed (HTTP 500)");
  CHECK(IsTransient(down));
  auto raw = StatusFromResponse(503, "page not found\n", ep);
  CHECK(raw.message() == "docker daemon unix:///tmp/d.sock: page not found (HTTP 503)");
  CHECK(StatusFromResponse(502, "", ep).message() ==
        "docker daemon unix:///tmp/d.sock: HTTP 502 (HTTP 502)");
  CHECK(StatusFromResponse(418, "", ep).code() == dw::Code::kBadRequest);
  CHECK(IsTransient(dw::Status::Timeout("t")));
  CHECK_FALSE(IsTransient(dw::Status::OK()));
}

TEST_CASE("endpoint validation: unix, tcp with TLS, plain tcp only when allowed") {
  dw::http::ClientConfig hc;
  DockerConfig c;
  c.endpoint = "unix:///run/d.sock";
  REQUIRE(MakeHttpConfig(c, &hc).ok());
  CHECK(hc.server == "unix:///run/d.sock");

  c.endpoint = "tcp://10.0.0.5:2376";
  auto plain = MakeHttpConfig(c, &hc);
  CHECK(plain.code() == dw::Code::kBadRequest);
  CHECK(plain.message().find("plain TCP was not allowed") != std::string::npos);
  c.allow_plain_tcp = true;
  REQUIRE(MakeHttpConfig(c, &hc).ok());
  CHECK(hc.server == "http://10.0.0.5:2376");

  c.allow_plain_tcp = false;
  c.ca_pem = "CA";
  c.cert_pem = "CERT";
  c.key_pem = "KEY";
  REQUIRE(MakeHttpConfig(c, &hc).ok());
  CHECK(hc.server == "https://10.0.0.5:2376");
  CHECK(hc.client_cert_pem == "CERT");
  c.key_pem.clear();
  CHECK_FALSE(MakeHttpConfig(c, &hc).ok());

  c.endpoint = "http://x:1";
  CHECK_FALSE(MakeHttpConfig(c, &hc).ok());
  c.endpoint = "unix://";
  CHECK_FALSE(MakeHttpConfig(c, &hc).ok());
  c.endpoint = "tcp://";
  CHECK_FALSE(MakeHttpConfig(c, &hc).ok());

  DockerClient bad(c);
  CHECK(bad.Ping().code() == dw::Code::kBadRequest);  // refused before any I/O
}

TEST_CASE("unreachable daemon is Unavailable naming the endpoint") {
  DockerConfig c;
  c.endpoint = "unix:///nonexistent/dir/docker.sock";
  DockerClient dc(c);
  auto st = dc.Ping();
  CHECK(st.code() == dw::Code::kUnavailable);
  CHECK(st.message().find("/nonexistent/dir/docker.sock") != std::string::npos);
  CHECK(IsTransient(st));
}
