// wire.h: routes, enum spellings, policy/package codecs, error classification.
#include <catch2/catch.hpp>

#include "operator/common/base64.h"
#include "reconcilers/pluginpolicy/wire.h"

namespace w = dw::pluginpolicy::wire;

namespace {

dw::json::Document ParseOrDie(const std::string& text) {
  dw::json::Document d;
  REQUIRE(dw::json::Parse(text, &d).ok());
  return d;
}

}  // namespace

TEST_CASE("wire routes and id check", "[pluginpolicy][wire]") {
  const std::string c = "3f0c1f7e-6a3b-4a43-9a53-0d4c0e1f2a77";
  CHECK(w::LoginPath() == "/api/auth/login");
  CHECK(w::CommunitiesPath() == "/api/communities");
  CHECK(w::PolicyPath(c) == "/api/communities/" + c + "/plugin-policy");
  CHECK(w::PackagesPath(c) == "/api/communities/" + c + "/plugin-packages");
  CHECK(w::InstallRegistryPath(c) == "/api/communities/" + c + "/plugin-packages/install-registry");
  CHECK(w::PackagePath(c, "ab-12") == "/api/communities/" + c + "/plugin-packages/ab-12");
  CHECK(w::IsSafeId(c));
  CHECK_FALSE(w::IsSafeId(""));
  CHECK_FALSE(w::IsSafeId("../admin"));
  CHECK_FALSE(w::IsSafeId("3f0c1f7e?x=1"));
  CHECK_FALSE(w::IsSafeId("g0"));
  CHECK_FALSE(w::IsSafeId(std::string(65, 'a')));
}

TEST_CASE("wire maps CRD enum spellings", "[pluginpolicy][wire]") {
  w::TrustPolicy t;
  REQUIRE(w::TrustPolicyFromCrd("signed-only", &t));
  CHECK(t == w::TrustPolicy::kSignedOnly);
  REQUIRE(w::TrustPolicyFromCrd("allow-unsigned", &t));
  CHECK(t == w::TrustPolicy::kAllowUnsigned);
  CHECK_FALSE(w::TrustPolicyFromCrd("signed_only", &t));  // wire spelling is not a CRD spelling
  CHECK(std::string(w::CrdName(w::TrustPolicy::kSignedOnly)) == "signed-only");
  w::InstallSource s;
  REQUIRE(w::InstallSourceFromCrd("upload", &s));
  CHECK(s == w::InstallSource::kUpload);
  CHECK_FALSE(w::InstallSourceFromCrd("Upload", &s));
  CHECK(std::string(w::CrdName(w::PackageSource::kRegistry)) == "registry");
}

TEST_CASE("wire policy encodes exactly and round-trips", "[pluginpolicy][wire]") {
  w::Policy p;
  p.trust = w::TrustPolicy::kAllowUnsigned;
  p.install_sources = {w::InstallSource::kUpload, w::InstallSource::kRegistry};
  p.registry_allowlist = {"plugins.example.org", "*.trusted.example.org"};
  p.trusted_publishers = {{"acme", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}};
  p.allow_outbound_http = true;
  p.http_egress_allowlist = {"api.example.com"};
  p.allow_background_jobs = true;
  std::string enc = w::EncodePolicy(p);
  CHECK(enc ==
        R"({"plugin_trust_policy":"allow_unsigned","plugin_install_sources":["upload","registry"],)"
        R"("plugin_registry_allowlist":["plugins.example.org","*.trusted.example.org"],)"
        R"("plugin_trusted_publishers":[{"name":"acme","public_key":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}],)"
        R"("plugin_allow_outbound_http":true,"plugin_http_egress_allowlist":["api.example.com"],)"
        R"("plugin_allow_background_jobs":true})");
  w::Policy back;
  REQUIRE(w::DecodePolicy(ParseOrDie(enc), &back).ok());
  CHECK(back == p);
}

TEST_CASE("wire policy decode: defaults and refusals", "[pluginpolicy][wire]") {
  w::Policy p;
  REQUIRE(w::DecodePolicy(ParseOrDie(R"({"plugin_trust_policy":"signed_only"})"), &p).ok());
  CHECK(p.trust == w::TrustPolicy::kSignedOnly);
  CHECK(p.install_sources.empty());
  CHECK_FALSE(p.allow_background_jobs);  // the seed's default

  auto fails = [](const std::string& text, const std::string& msg) {
    w::Policy q;
    dw::Status st = w::DecodePolicy(ParseOrDie(text), &q);
    CHECK(st.code() == dw::Code::kInvalid);
    CHECK(st.message() == msg);
  };
  fails(R"({})", "plugin_trust_policy: required");
  fails(R"([])", "plugin policy: expected a JSON object");
  fails(R"({"plugin_trust_policy":"signed-only"})", "plugin_trust_policy: unknown value \"signed-only\"");
  fails(R"({"plugin_trust_policy":"signed_only","plugin_install_sources":["ftp"]})",
        "plugin_install_sources: unknown source \"ftp\"");
  fails(R"({"plugin_trust_policy":"signed_only","plugin_registry_allowlist":[1]})",
        "plugin_registry_allowlist: must be an array of strings");
  fails(R"({"plugin_trust_policy":"signed_only","plugin_allow_background_jobs":"yes"})",
        "plugin_allow_background_jobs: must be a boolean");
  fails(R"({"plugin_trust_policy":"signed_only","plugin_trusted_publishers":[{"name":"a"}]})",
        "public_key: required");
}

TEST_CASE("wire package decode", "[pluginpolicy][wire]") {
  auto doc = ParseOrDie(R"([{"id":"0a-1","name":"greeter","version":"1.2.0","publisher":"acme",
      "sha256":"ab","signature_present":true,"signature_verified":true,"source":"registry",
      "registry_url":"https://r.example.org/g.json",
      "manifest":{"hooks":["on_post","cron.hourly"],"capabilities":["http"],
                  "settings_schema":{"type":"object"}},
      "active":true,"settings":{"greeting":"hi"}},
      {"id":"0b","name":"min","sha256":"cd"}])");
  std::vector<w::Package> pk;
  REQUIRE(w::DecodePackages(doc, &pk).ok());
  REQUIRE(pk.size() == 2);
  CHECK(pk[0].id == "0a-1");
  CHECK(pk[0].version == "1.2.0");
  CHECK(pk[0].publisher == "acme");
  CHECK(pk[0].signature_present);
  CHECK(pk[0].signature_verified);
  CHECK(pk[0].source == w::PackageSource::kRegistry);
  CHECK(pk[0].registry_url == "https://r.example.org/g.json");
  CHECK(pk[0].hooks == std::vector<std::string>{"on_post", "cron.hourly"});
  CHECK(pk[0].capabilities == std::vector<std::string>{"http"});
  CHECK(dw::json::Serialize(pk[0].settings_schema) == R"({"type":"object"})");
  CHECK(pk[0].active);
  CHECK(dw::json::Serialize(pk[0].settings) == R"({"greeting":"hi"})");
  // Optional parts absent: defaults, settings an empty object, no schema.
  CHECK(pk[1].source == w::PackageSource::kUnknown);
  CHECK_FALSE(pk[1].active);
  CHECK(pk[1].settings.IsObject());
  CHECK(pk[1].settings.MemberCount() == 0);
  CHECK(pk[1].settings_schema.IsNull());

  dw::Status st = w::DecodePackages(ParseOrDie(R"([{"id":"1","name":"a","sha256":"x"},{"id":"2","name":"b"}])"), &pk);
  CHECK(st.code() == dw::Code::kInvalid);
  CHECK(st.message() == "plugin packages[1]: sha256: required");
  CHECK_FALSE(w::DecodePackages(ParseOrDie(R"({})"), &pk).ok());
  w::Package one;
  CHECK(w::DecodePackage(ParseOrDie(R"({"id":"1","name":"a","sha256":"x","settings":[1]})"), &one).message() ==
        "settings: must be an object");
  CHECK(w::DecodePackage(ParseOrDie(R"({"id":"1","name":"a","sha256":"x","manifest":{"hooks":"cron"}})"), &one)
            .message() == "hooks: must be an array of strings");
}

TEST_CASE("wire request bodies", "[pluginpolicy][wire]") {
  CHECK(w::EncodeLogin("ad\"min", "p\\w") == R"({"username":"ad\"min","password":"p\\w"})");
  std::string bundle("a\0b", 3);
  CHECK(w::EncodeUpload(bundle, "") == R"({"bundle_base64":")" + dw::Base64Encode(bundle) + R"("})");
  CHECK(w::EncodeUpload("x", "sig") == R"({"bundle_base64":"eA==","signature_base64":"c2ln"})");
  CHECK(w::EncodeInstallRegistry("https://r/x", "") == R"({"url":"https://r/x"})");
  CHECK(w::EncodeInstallRegistry("https://r/x", "ab") == R"({"url":"https://r/x","sha256":"ab"})");
  CHECK(w::EncodePackageUpdate(std::nullopt, nullptr) == "{}");
  CHECK(w::EncodePackageUpdate(false, nullptr) == R"({"active":false})");
  auto settings = ParseOrDie(R"({"n":1,"s":["a"]})");
  CHECK(w::EncodePackageUpdate(true, &settings) == R"({"active":true,"settings":{"n":1,"s":["a"]}})");

  std::string token;
  REQUIRE(w::DecodeLoginToken(ParseOrDie(R"({"token":"abc"})"), &token).ok());
  CHECK(token == "abc");
  CHECK_FALSE(w::DecodeLoginToken(ParseOrDie(R"({"token":""})"), &token).ok());
  CHECK_FALSE(w::DecodeLoginToken(ParseOrDie(R"({"jwt":"abc"})"), &token).ok());

  std::vector<w::Community> cs;
  REQUIRE(w::DecodeCommunities(ParseOrDie(R"([{"id":"a1","name":"x"},{"id":"b2"}])"), &cs).ok());
  REQUIRE(cs.size() == 2);
  CHECK(cs[1].id == "b2");
  CHECK_FALSE(w::DecodeCommunities(ParseOrDie(R"([{"name":"x"}])"), &cs).ok());
}

TEST_CASE("wire classifies errors by code, then message, then status", "[pluginpolicy][wire]") {
  struct Row {
    int status;
    const char* body;
    w::ErrorKind kind;
    w::Reason reason;
    const char* message;
  };
  const Row rows[] = {
      {401, R"({"error":"invalid credentials","code":"invalid_credentials"})", w::ErrorKind::kUnauthorized,
       w::Reason::kInvalidCredentials, "invalid credentials"},
      {403, R"({"error":"missing permission plugin_policy.manage","code":"forbidden"})",
       w::ErrorKind::kForbidden, w::Reason::kMissingPermission, "missing permission plugin_policy.manage"},
      // A policy refusal is about the request, not authz.
      {403, R"({"error":"plugin policy forbids uploads","code":"upload_forbidden"})", w::ErrorKind::kInvalid,
       w::Reason::kUploadForbidden, "plugin policy forbids uploads"},
      {404, R"({"error":"community not found","code":"community_not_found"})", w::ErrorKind::kNotFound,
       w::Reason::kCommunityNotFound, "community not found"},
      {422, R"({"error":"publisher x is not trusted","code":"publisher_untrusted"})", w::ErrorKind::kInvalid,
       w::Reason::kPublisherUntrusted, "publisher x is not trusted"},
      // Only `error`: recognised by message prefix.
      {403, R"({"error":"plugin policy forbids registry installs"})", w::ErrorKind::kInvalid,
       w::Reason::kRegistryForbidden, "plugin policy forbids registry installs"},
      {422, R"({"error":"signed-only policy: package is unsigned"})", w::ErrorKind::kInvalid,
       w::Reason::kSignatureRequired, "signed-only policy: package is unsigned"},
      {400, R"({"error":"settings.a: must be a string\nsettings.b: is required"})", w::ErrorKind::kInvalid,
       w::Reason::kSettingsInvalid, "settings.a: must be a string\nsettings.b: is required"},
      // Unknown code and message: by status.
      {403, R"({"error":"nope","code":"weird"})", w::ErrorKind::kForbidden, w::Reason::kUnknown, "nope"},
      {409, R"(not json)", w::ErrorKind::kInvalid, w::Reason::kUnknown, "HTTP 409"},
      {500, "", w::ErrorKind::kServerError, w::Reason::kUnknown, "HTTP 500"},
      // 5xx stays a server error even with a 4xx-ish code ...
      {503, R"({"error":"invalid credentials","code":"invalid_credentials"})", w::ErrorKind::kServerError,
       w::Reason::kInvalidCredentials, "invalid credentials"},
      // ... except the registry fetch the server reports as failed.
      {502, R"({"error":"registry fetch failed: HTTP 404","code":"registry_fetch_failed"})",
       w::ErrorKind::kInvalid, w::Reason::kRegistryFetchFailed, "registry fetch failed: HTTP 404"},
      {302, "", w::ErrorKind::kServerError, w::Reason::kUnknown, "HTTP 302"},
  };
  for (const auto& r : rows) {
    INFO(r.status << " " << r.body);
    w::CallError e = w::ClassifyResponse(r.status, r.body);
    CHECK_FALSE(e.ok());
    CHECK(e.http_status == r.status);
    CHECK(e.kind == r.kind);
    CHECK(e.reason == r.reason);
    CHECK(e.message == r.message);
  }
}

TEST_CASE("wire error messages are sanitised and rendered", "[pluginpolicy][wire]") {
  w::CallError e = w::ClassifyResponse(400, "{\"error\":\"bad\\u0007 \\u001b[31mred\\tx\\n\"}");
  CHECK(e.message == "bad [31mred x");
  std::string big(5000, 'a');
  e = w::ClassifyResponse(400, R"({"error":")" + big + R"("})");
  CHECK(e.message.size() == 2048 + 3);
  CHECK(e.message.substr(2048) == "...");

  e = w::ClassifyResponse(403, R"({"error":"plugin policy forbids uploads","code":"upload_forbidden"})");
  CHECK(e.ToString() == "Invalid (HTTP 403 upload_forbidden): plugin policy forbids uploads");
  e = w::ClassifyTransport(dw::Status::Unavailable("connect 127.0.0.1:1: connection refused"));
  CHECK(e.kind == w::ErrorKind::kUnavailable);
  CHECK(e.http_status == 0);
  CHECK(e.ToString() == "Unavailable: connect 127.0.0.1:1: connection refused");
  CHECK(std::string(w::ReasonName(w::Reason::kSha256Mismatch)) == "sha256_mismatch");
  CHECK(std::string(w::ReasonName(w::Reason::kNone)).empty());
  CHECK(std::string(w::ErrorKindName(w::ErrorKind::kServerError)) == "ServerError");
}
