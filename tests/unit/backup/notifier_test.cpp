#include <catch2/catch.hpp>

#include <chrono>

#include "operator/json/json.h"
#include "reconcilers/backup/notifier.h"
#include "tests/unit/http/test_server.h"

namespace dw::backup {
namespace {

using http::testing::TestServer;
using namespace std::chrono_literals;

NotifierOptions Fast() {
  NotifierOptions o;
  o.timeout = 300ms;
  o.attempts = 3;
  o.retry_delay = 10ms;
  return o;
}

WebhookPayload Sample() {
  WebhookPayload p;
  p.policy = "nightly";
  p.backup = "nightly-abc";
  p.ns = "default";
  p.phase = "Succeeded";
  p.message = "backed up 10 bytes";
  p.host = "local";
  p.container = "pg";
  p.path = "/b/local/pg/pg-20260101T000000Z.sql.zst";
  p.size_bytes = 1234;
  p.sha256 = std::string(64, 'a');
  p.start_time = "2026-01-01T00:00:00Z";
  p.completion_time = "2026-01-01T00:00:09Z";
  return p;
}

TEST_CASE("webhook payload has every field, empty ones as null", "[backup][notifier]") {
  std::string body = WebhookPayloadJson(Sample());
  json::Document d;
  REQUIRE(json::Parse(body, &d).ok());
  CHECK(json::GetString(d, "policy") == "nightly");
  CHECK(json::GetString(d, "backup") == "nightly-abc");
  CHECK(json::GetString(d, "namespace") == "default");
  CHECK(json::GetString(d, "phase") == "Succeeded");
  CHECK(d["reason"].IsNull());
  CHECK(json::GetString(d, "host") == "local");
  CHECK(json::GetString(d, "container") == "pg");
  CHECK(json::GetString(d, "path") == "/b/local/pg/pg-20260101T000000Z.sql.zst");
  CHECK(json::GetInt(d, "sizeBytes") == 1234);
  CHECK(json::GetString(d, "sha256") == std::string(64, 'a'));
  CHECK(json::GetString(d, "startTime") == "2026-01-01T00:00:00Z");
  CHECK(json::GetString(d, "completionTime") == "2026-01-01T00:00:09Z");
  CHECK(d.MemberCount() == 13);
}

TEST_CASE("PostWebhook delivers the JSON body in one POST", "[backup][notifier]") {
  TestServer server(TestServer::Mode::kTcp);
  const std::string url = "http://127.0.0.1:" + std::to_string(server.port()) + "/echo?token=s3cret";
  const std::string body = WebhookPayloadJson(Sample());
  NotifyResult res;
  Status st = PostWebhook(url, body, "secret default/hook key url", Fast(), &res);
  INFO(st.ToString());
  REQUIRE(st.ok());
  CHECK(res.attempts == 1);
  CHECK(res.http_status == 200);
  CHECK(res.response_excerpt.rfind("POST /echo?token=s3cret " + body + " ", 0) == 0);
  CHECK(server.requests() == 1);
}

TEST_CASE("PostWebhook does not retry a 404 and never names the URL", "[backup][notifier]") {
  TestServer server(TestServer::Mode::kTcp);
  const std::string url = "http://127.0.0.1:" + std::to_string(server.port()) + "/missing-s3cret";
  NotifyResult res;
  Status st = PostWebhook(url, "{}", "secret default/hook key url", Fast(), &res);
  REQUIRE_FALSE(st.ok());
  CHECK(res.attempts == 1);
  CHECK(res.http_status == 404);
  CHECK(server.requests() == 1);
  CHECK(st.message() == "webhook (secret default/hook key url) answered HTTP 404 after 1 attempt");
}

TEST_CASE("PostWebhook retries a server that does not answer, within the timeout",
          "[backup][notifier]") {
  TestServer server(TestServer::Mode::kTcp);
  const std::string url = "http://127.0.0.1:" + std::to_string(server.port()) + "/hang";
  NotifyResult res;
  auto t0 = std::chrono::steady_clock::now();
  Status st = PostWebhook(url, "{}", "secret default/hook key url", Fast(), &res);
  auto took = std::chrono::steady_clock::now() - t0;
  REQUIRE_FALSE(st.ok());
  CHECK(res.attempts == 3);
  CHECK(took < 5s);
  CHECK(st.message().find("after 3 attempts") != std::string::npos);
  CHECK(st.message().find(std::to_string(server.port())) == std::string::npos);
}

TEST_CASE("PostWebhook: unreachable host and bad URLs", "[backup][notifier]") {
  int port;
  {
    TestServer gone(TestServer::Mode::kTcp);
    port = gone.port();
  }
  NotifyResult res;
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/hook";
  Status st = PostWebhook(url, "{}", "secret ns/hook key url", Fast(), &res);
  REQUIRE_FALSE(st.ok());
  CHECK(res.attempts == 3);
  CHECK(st.message().find("127.0.0.1:" + std::to_string(port)) == std::string::npos);
  CHECK(st.message().find("secret ns/hook key url") != std::string::npos);

  st = PostWebhook("ftp://example.com/x?token=abc", "{}", "secret ns/hook key url", Fast(), &res);
  CHECK(st.code() == Code::kInvalid);
  CHECK(st.message() == "webhook URL in secret ns/hook key url must start with http:// or https://");
  st = PostWebhook("http://", "{}", "secret ns/hook key url", Fast(), &res);
  CHECK(st.code() == Code::kInvalid);
  st = PostWebhook("http://example.com/a b", "{}", "secret ns/hook key url", Fast(), &res);
  CHECK(st.code() == Code::kInvalid);
  CHECK(st.message().find("a b") == std::string::npos);
}

}  // namespace
}  // namespace dw::backup
