// ServerClient against the REAL community server double
// (tests/tools/community_server_double.py, run as a subprocess): every route,
// every error class, and the policy rules the double enforces.
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "operator/common/base64.h"
#include "reconcilers/pluginpolicy/server_client.h"

namespace fs = std::filesystem;
namespace w = dw::pluginpolicy::wire;
using dw::pluginpolicy::ServerClient;
using dw::pluginpolicy::ServerCredentials;

namespace {

const char kC1[] = "3f0c1f7e-6a3b-4a43-9a53-0d4c0e1f2a77";
const char kC2[] = "b1a2c3d4-0000-4000-8000-000000000002";
const char kMissing[] = "00000000-0000-4000-8000-00000000ffff";

std::string Python() { return fs::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3"; }

std::string ReadFile(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

void WriteFile(const fs::path& p, std::string_view data) {
  std::ofstream f(p, std::ios::binary);
  f.write(data.data(), static_cast<std::streamsize>(data.size()));
}

// Runs the double in a fresh temp dir; SIGTERM (then SIGKILL) on destruction.
class Double {
 public:
  explicit Double(std::vector<std::string> extra) {
    char tmpl[] = "/tmp/dw-csd-XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    dir_ = tmpl;
    registry_ = dir_ / "registry";
    fs::create_directories(registry_);
    std::vector<std::string> args = {Python(), std::string(DW_SOURCE_DIR) + "/tests/tools/community_server_double.py",
                                     dir_.string(),
                                     "--community", kC1,
                                     "--community", kC2,
                                     "--user", "admin:adm1n-pw:admin",
                                     "--user", "bob:bob-pw:member",
                                     "--registry-map", "plugins.example.org=" + registry_.string(),
                                     "--resolve", "internal.example.org=10.0.0.5",
                                     "--resolve", "mixed.example.org=93.184.216.34,127.0.0.1"};
    args.insert(args.end(), extra.begin(), extra.end());
    std::string err = (dir_ / "stderr").string();
    pid_ = fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      FILE* f = freopen(err.c_str(), "w", stderr);
      (void)f;
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execvp(argv[0], argv.data());
      _exit(127);
    }
    // The machine may be loaded: python + cryptography can take seconds.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!fs::exists(dir_ / "port") && std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        FAIL("double exited: " << ReadFile(dir_ / "stderr"));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    REQUIRE(fs::exists(dir_ / "port"));
    port_ = std::stoi(ReadFile(dir_ / "port"));
  }
  ~Double() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      for (int i = 0; i < 100; ++i) {
        if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
          pid_ = -1;
          break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      if (pid_ > 0) {
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
      }
    }
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  const fs::path& registry() const { return registry_; }

  std::unique_ptr<ServerClient> Client(ServerCredentials creds) const {
    dw::http::ClientConfig cfg;
    cfg.server = url();
    cfg.request_timeout = std::chrono::milliseconds(20000);
    return std::make_unique<ServerClient>(cfg, std::move(creds));
  }
  std::unique_ptr<ServerClient> Admin() const { return Client({"", "admin", "adm1n-pw"}); }

  // Double-only routes, raw.
  dw::json::Document Raw(const std::string& method, const std::string& path, const std::string& body = "") const {
    dw::http::ClientConfig cfg;
    cfg.server = url();
    dw::http::Client c(cfg);
    dw::http::Request req;
    req.method = method;
    req.target = path;
    req.body = body;
    dw::http::Response resp;
    REQUIRE(c.Do(req, &resp).ok());
    REQUIRE(resp.status == 200);
    dw::json::Document d;
    REQUIRE(dw::json::Parse(resp.body, &d).ok());
    return d;
  }
  int64_t Total() const { return dw::json::GetInt(Raw("GET", "/_double/stats"), "total"); }

 private:
  fs::path dir_, registry_;
  pid_t pid_ = -1;
  int port_ = 0;
};

// An Ed25519 publisher key (OpenSSL), signing the raw SHA-256 of a bundle.
class Key {
 public:
  Key() : pkey_(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519")) { REQUIRE(pkey_ != nullptr); }
  ~Key() { EVP_PKEY_free(pkey_); }
  std::string PublicB64() const {
    unsigned char raw[32];
    size_t n = sizeof raw;
    REQUIRE(EVP_PKEY_get_raw_public_key(pkey_, raw, &n) == 1);
    return dw::Base64Encode(std::string_view(reinterpret_cast<char*>(raw), n));
  }
  std::string Sign(const std::string& bundle) const {
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(bundle.data()), bundle.size(), digest);
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    REQUIRE(EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr, pkey_) == 1);
    unsigned char sig[64];
    size_t n = sizeof sig;
    REQUIRE(EVP_DigestSign(ctx, sig, &n, digest, sizeof digest) == 1);
    EVP_MD_CTX_free(ctx);
    return std::string(reinterpret_cast<char*>(sig), n);
  }

 private:
  EVP_PKEY* pkey_;
};

std::string Sha256Hex(const std::string& data) {
  unsigned char d[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), d);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned char c : d) {
    out += hex[c >> 4];
    out += hex[c & 15];
  }
  return out;
}

std::string Bundle(const std::string& name, const std::string& publisher, const std::string& version = "1.0.0") {
  return R"({"manifest":{"name":")" + name + R"(","version":")" + version + R"(","publisher":")" + publisher +
         R"(","hooks":["on_post","cron.hourly"],"capabilities":["http"],)"
         R"("settings_schema":{"type":"object","additionalProperties":false,"required":["greeting"],)"
         R"("properties":{"greeting":{"type":"string","minLength":1},"retries":{"type":"integer","maximum":3}}}},)"
         R"("wasm_base64":"AGFzbQEAAAA="})";
}

w::Policy OpenPolicy(const Key& acme) {
  w::Policy p;
  p.trust = w::TrustPolicy::kSignedOnly;
  p.install_sources = {w::InstallSource::kUpload, w::InstallSource::kRegistry};
  p.registry_allowlist = {"plugins.example.org", "*.example.org"};
  p.trusted_publishers = {{"acme", acme.PublicB64()}};
  return p;
}

// REQUIRE that a call succeeded, naming the error if not.
#define REQUIRE_CALL(expr)                  \
  do {                                      \
    w::CallError _e = (expr);               \
    INFO(_e.ToString());                    \
    REQUIRE(_e.ok());                       \
  } while (0)

void ExpectError(const w::CallError& e, w::ErrorKind kind, w::Reason reason, int http, const std::string& msg) {
  INFO(e.ToString());
  CHECK(e.kind == kind);
  CHECK(e.reason == reason);
  CHECK(e.http_status == http);
  CHECK(e.message == msg);
}

}  // namespace

TEST_CASE("server client: login, token reuse, one re-login on 401, bad credentials", "[pluginpolicy][client]") {
  Double d({});
  auto c = d.Admin();
  w::Policy p;
  REQUIRE_CALL(c->GetPolicy(kC1, &p));
  REQUIRE_CALL(c->GetPolicy(kC1, &p));
  CHECK(c->logins() == 1);  // the token is cached
  d.Raw("POST", "/_double/expire-tokens");
  REQUIRE_CALL(c->GetPolicy(kC1, &p));  // renewed once, transparently
  CHECK(c->logins() == 2);
  CHECK(dw::json::GetInt(d.Raw("GET", "/_double/stats"), "logins") == 2);

  auto bad = d.Client({"", "admin", "wrong-password"});
  w::CallError e = bad->GetPolicy(kC1, &p);
  ExpectError(e, w::ErrorKind::kUnauthorized, w::Reason::kInvalidCredentials, 401, "invalid credentials");
  CHECK(e.ToString().find("wrong-password") == std::string::npos);
  CHECK_FALSE(bad->has_token());

  // A static token the server does not know: one request, no login attempt.
  auto stale = d.Client({"not-a-valid-token", "", ""});
  int64_t before = d.Total();
  e = stale->GetPolicy(kC1, &p);
  ExpectError(e, w::ErrorKind::kUnauthorized, w::Reason::kUnauthorized, 401, "missing or invalid token");
  CHECK(d.Total() - before == 1);
  CHECK(stale->Login().kind == w::ErrorKind::kInvalid);

  // A valid static token works without any login.
  std::string token = dw::json::GetString(
      d.Raw("POST", "/api/auth/login", R"({"username":"admin","password":"adm1n-pw"})"), "token");
  REQUIRE_FALSE(token.empty());
  auto tok_client = d.Client({token, "", ""});
  REQUIRE_CALL(tok_client->GetPolicy(kC1, &p));
  CHECK(tok_client->logins() == 0);
  // An error message echoing the token is redacted.
  d.Raw("POST", "/_double/faults", R"({"status":500,"count":1,"message":"boom for token )" + token + R"("})");
  e = tok_client->GetPolicy(kC1, &p);
  CHECK(e.message == "boom for token [redacted]");
  // A secret too short to replace safely: the whole message is withheld.
  auto short_secret = d.Client({"q7z", "", ""});
  d.Raw("POST", "/_double/faults", R"({"status":500,"count":1,"message":"boom q7z"})");
  e = short_secret->GetPolicy(kC1, &p);
  CHECK(e.kind == w::ErrorKind::kServerError);
  CHECK(e.message == "[server message withheld: it may contain a credential]");
}

TEST_CASE("server client: authorization, not found, bad ids", "[pluginpolicy][client]") {
  Double d({});
  auto member = d.Client({"", "bob", "bob-pw"});
  w::Policy p;
  ExpectError(member->GetPolicy(kC1, &p), w::ErrorKind::kForbidden, w::Reason::kMissingPermission, 403,
              "missing permission plugin_policy.manage");
  std::vector<w::Package> pk;
  ExpectError(member->ListPackages(kC1, &pk), w::ErrorKind::kForbidden, w::Reason::kMissingPermission, 403,
              "missing permission plugin_packages.manage");

  auto admin = d.Admin();
  ExpectError(admin->GetPolicy(kMissing, &p), w::ErrorKind::kNotFound, w::Reason::kCommunityNotFound, 404,
              "community not found");
  REQUIRE(admin->UploadPackage(kC1, "x", "", nullptr).reason == w::Reason::kUploadForbidden);
  ExpectError(admin->UpdatePackage(kC1, "00000000-0000-4000-8000-000000000001", true, nullptr, nullptr),
              w::ErrorKind::kNotFound, w::Reason::kPackageNotFound, 404, "package not found");

  // Ids that could change the path never reach the server.
  int64_t before = d.Total();
  w::CallError e = admin->GetPolicy("../../auth/login", &p);
  CHECK(e.kind == w::ErrorKind::kInvalid);
  CHECK(e.http_status == 0);
  CHECK(e.message == "community id \"../../auth/login\" is not a UUID");
  CHECK(admin->UpdatePackage(kC1, "a/b", true, nullptr, nullptr).kind == w::ErrorKind::kInvalid);
  CHECK(d.Total() == before);
}

TEST_CASE("server client: communities and policy get/put", "[pluginpolicy][client]") {
  Double d({});
  auto c = d.Admin();
  std::vector<w::Community> cs;
  REQUIRE_CALL(c->ListCommunities(&cs));
  REQUIRE(cs.size() == 2);
  CHECK(cs[0].id == kC1);
  CHECK(cs[1].id == kC2);

  w::Policy p;
  REQUIRE_CALL(c->GetPolicy(kC1, &p));
  CHECK(p.trust == w::TrustPolicy::kSignedOnly);  // the double's safe defaults
  CHECK(p.install_sources == std::vector<w::InstallSource>{w::InstallSource::kRegistry});
  CHECK_FALSE(p.allow_background_jobs);

  Key acme;
  w::Policy want = OpenPolicy(acme);
  want.allow_background_jobs = true;
  want.allow_outbound_http = true;
  want.http_egress_allowlist = {"api.example.com"};
  w::Policy stored;
  REQUIRE_CALL(c->PutPolicy(kC1, want, &stored));
  CHECK(stored == want);
  REQUIRE_CALL(c->GetPolicy(kC1, &p));
  CHECK(p == want);
  w::Policy other;
  REQUIRE_CALL(c->GetPolicy(kC2, &other));
  CHECK_FALSE(other == want);  // communities are independent

  w::Policy bad = want;
  bad.trusted_publishers = {{"acme", "c2hvcnQ="}};
  ExpectError(c->PutPolicy(kC1, bad, nullptr), w::ErrorKind::kInvalid, w::Reason::kInvalidPolicy, 400,
              "plugin_trusted_publishers[0].public_key: must be a base64 Ed25519 public key (32 bytes)");
  bad = want;
  bad.registry_allowlist = {"http://x"};
  ExpectError(c->PutPolicy(kC1, bad, nullptr), w::ErrorKind::kInvalid, w::Reason::kInvalidPolicy, 400,
              "plugin_registry_allowlist: entries must be hostnames or *.suffix");
  REQUIRE_CALL(c->GetPolicy(kC1, &p));
  CHECK(p == want);  // a refused PUT changed nothing
}

TEST_CASE("server client: uploads under the policy's trust rules", "[pluginpolicy][client]") {
  Double d({"--max-bundle-bytes", "4096"});
  auto c = d.Admin();
  Key acme, mallory;
  const std::string bundle = Bundle("greeter", "acme");

  // Default policy: registry only.
  ExpectError(c->UploadPackage(kC1, bundle, acme.Sign(bundle), nullptr), w::ErrorKind::kInvalid,
              w::Reason::kUploadForbidden, 403, "plugin policy forbids uploads");

  REQUIRE_CALL(c->PutPolicy(kC1, OpenPolicy(acme), nullptr));
  ExpectError(c->UploadPackage(kC1, bundle, "", nullptr), w::ErrorKind::kInvalid, w::Reason::kSignatureRequired,
              422, "signed-only policy: package is unsigned");
  ExpectError(c->UploadPackage(kC1, bundle, mallory.Sign(bundle), nullptr), w::ErrorKind::kInvalid,
              w::Reason::kSignatureInvalid, 422, "signature does not verify for publisher acme");
  const std::string evil = Bundle("evil", "mallory");
  ExpectError(c->UploadPackage(kC1, evil, mallory.Sign(evil), nullptr), w::ErrorKind::kInvalid,
              w::Reason::kPublisherUntrusted, 422, "publisher mallory is not trusted");
  ExpectError(c->UploadPackage(kC1, "not a bundle", acme.Sign("not a bundle"), nullptr), w::ErrorKind::kInvalid,
              w::Reason::kInvalidBundle, 400, "bundle: not a JSON bundle");
  std::string big = Bundle("big", "acme", std::string(5000, '9'));
  ExpectError(c->UploadPackage(kC1, big, acme.Sign(big), nullptr), w::ErrorKind::kInvalid, w::Reason::kTooLarge,
              413, "bundle too large");

  w::Package pkg;
  REQUIRE_CALL(c->UploadPackage(kC1, bundle, acme.Sign(bundle), &pkg));
  CHECK(pkg.name == "greeter");
  CHECK(pkg.version == "1.0.0");
  CHECK(pkg.publisher == "acme");
  CHECK(pkg.sha256 == Sha256Hex(bundle));
  CHECK(pkg.signature_present);
  CHECK(pkg.signature_verified);
  CHECK(pkg.source == w::PackageSource::kUpload);
  CHECK(pkg.registry_url.empty());
  CHECK(pkg.hooks == std::vector<std::string>{"on_post", "cron.hourly"});
  CHECK(pkg.capabilities == std::vector<std::string>{"http"});
  CHECK(pkg.settings_schema.IsObject());
  CHECK_FALSE(pkg.active);  // installs start inactive
  CHECK(w::IsSafeId(pkg.id));
  ExpectError(c->UploadPackage(kC1, bundle, acme.Sign(bundle), nullptr), w::ErrorKind::kInvalid,
              w::Reason::kAlreadyInstalled, 409, "package already installed: greeter");

  // allow-unsigned: unsigned accepted; a present bad signature still refused.
  w::Policy loose = OpenPolicy(acme);
  loose.trust = w::TrustPolicy::kAllowUnsigned;
  REQUIRE_CALL(c->PutPolicy(kC2, loose, nullptr));
  const std::string plain = Bundle("plain", "nobody");
  REQUIRE_CALL(c->UploadPackage(kC2, plain, "", &pkg));
  CHECK_FALSE(pkg.signature_present);
  CHECK_FALSE(pkg.signature_verified);
  ExpectError(c->UploadPackage(kC2, bundle, mallory.Sign(bundle), nullptr), w::ErrorKind::kInvalid,
              w::Reason::kSignatureInvalid, 422, "signature does not verify for publisher acme");

  std::vector<w::Package> list;
  REQUIRE_CALL(c->ListPackages(kC1, &list));
  REQUIRE(list.size() == 1);
  CHECK(list[0].name == "greeter");
  REQUIRE_CALL(c->ListPackages(kC2, &list));
  REQUIRE(list.size() == 1);
  CHECK(list[0].name == "plain");
}

TEST_CASE("server client: registry installs", "[pluginpolicy][client]") {
  Double d({});
  auto c = d.Admin();
  Key acme;
  const std::string bundle = Bundle("reg", "acme");
  WriteFile(d.registry() / "reg.json", bundle);
  WriteFile(d.registry() / "reg.json.sig", acme.Sign(bundle));
  WriteFile(d.registry() / "unsigned.json", Bundle("unsigned", "acme"));
  const std::string url = "https://plugins.example.org/reg.json";

  w::Policy p = OpenPolicy(acme);
  p.install_sources = {w::InstallSource::kUpload};
  REQUIRE_CALL(c->PutPolicy(kC1, p, nullptr));
  ExpectError(c->InstallFromRegistry(kC1, url, "", nullptr), w::ErrorKind::kInvalid, w::Reason::kRegistryForbidden,
              403, "plugin policy forbids registry installs");

  p = OpenPolicy(acme);
  p.registry_allowlist = {"plugins.example.org", "*.example.org"};
  REQUIRE_CALL(c->PutPolicy(kC1, p, nullptr));
  ExpectError(c->InstallFromRegistry(kC1, "https://evil.test/reg.json", "", nullptr), w::ErrorKind::kInvalid,
              w::Reason::kRegistryNotAllowed, 400, "registry host evil.test is not in the allowlist");
  // *.example.org does not cover example.org itself, nor a look-alike suffix.
  ExpectError(c->InstallFromRegistry(kC1, "https://example.org/reg.json", "", nullptr), w::ErrorKind::kInvalid,
              w::Reason::kRegistryNotAllowed, 400, "registry host example.org is not in the allowlist");
  ExpectError(c->InstallFromRegistry(kC1, "https://evilexample.org/reg.json", "", nullptr), w::ErrorKind::kInvalid,
              w::Reason::kRegistryNotAllowed, 400, "registry host evilexample.org is not in the allowlist");
  ExpectError(c->InstallFromRegistry(kC1, "https://internal.example.org/reg.json", "", nullptr),
              w::ErrorKind::kInvalid, w::Reason::kRegistryBlockedAddress, 400,
              "registry host internal.example.org resolves to a non-public address");
  ExpectError(c->InstallFromRegistry(kC1, "https://mixed.example.org/reg.json", "", nullptr), w::ErrorKind::kInvalid,
              w::Reason::kRegistryBlockedAddress, 400,
              "registry host mixed.example.org resolves to a non-public address");
  ExpectError(c->InstallFromRegistry(kC1, "https://plugins.example.org/missing.json", "", nullptr),
              w::ErrorKind::kInvalid, w::Reason::kRegistryFetchFailed, 502, "registry fetch failed: HTTP 404");
  ExpectError(c->InstallFromRegistry(kC1, url, std::string(64, '0'), nullptr), w::ErrorKind::kInvalid,
              w::Reason::kSha256Mismatch, 422, "bundle sha256 does not match the requested digest");
  ExpectError(c->InstallFromRegistry(kC1, "https://plugins.example.org/unsigned.json", "", nullptr),
              w::ErrorKind::kInvalid, w::Reason::kSignatureRequired, 422, "signed-only policy: package is unsigned");

  w::Package pkg;
  REQUIRE_CALL(c->InstallFromRegistry(kC1, url, Sha256Hex(bundle), &pkg));
  CHECK(pkg.name == "reg");
  CHECK(pkg.source == w::PackageSource::kRegistry);
  CHECK(pkg.registry_url == url);
  CHECK(pkg.sha256 == Sha256Hex(bundle));
  CHECK(pkg.signature_verified);
}

TEST_CASE("server client: activation, settings schema, background jobs", "[pluginpolicy][client]") {
  Double d({});
  auto c = d.Admin();
  Key acme;
  REQUIRE_CALL(c->PutPolicy(kC1, OpenPolicy(acme), nullptr));
  const std::string bundle = Bundle("greeter", "acme");
  w::Package pkg;
  REQUIRE_CALL(c->UploadPackage(kC1, bundle, acme.Sign(bundle), &pkg));

  dw::json::Document bad;
  REQUIRE(dw::json::Parse(R"({"greeting":"","retries":9,"color":"red"})", &bad).ok());
  ExpectError(c->UpdatePackage(kC1, pkg.id, std::nullopt, &bad, nullptr), w::ErrorKind::kInvalid,
              w::Reason::kSettingsInvalid, 400,
              "settings.color: is not allowed\n"
              "settings.greeting: must be at least 1 characters long\n"
              "settings.retries: must be at most 3");
  dw::json::Document good;
  REQUIRE(dw::json::Parse(R"({"greeting":"hi","retries":2})", &good).ok());
  w::Package after;
  REQUIRE_CALL(c->UpdatePackage(kC1, pkg.id, true, &good, &after));
  CHECK(after.active);
  CHECK(dw::json::Serialize(after.settings) == R"({"greeting":"hi","retries":2})");
  // A refused update keeps the old settings.
  REQUIRE(c->UpdatePackage(kC1, pkg.id, std::nullopt, &bad, nullptr).reason == w::Reason::kSettingsInvalid);
  std::vector<w::Package> list;
  REQUIRE_CALL(c->ListPackages(kC1, &list));
  REQUIRE(list.size() == 1);
  CHECK(dw::json::Serialize(list[0].settings) == R"({"greeting":"hi","retries":2})");

  auto dispatch = d.Raw("GET", std::string("/_double/cron-dispatch/") + kC1);
  CHECK(dw::json::Serialize(dispatch) ==
        R"({"background_jobs":false,"fire":[],"suppressed":[{"package":"greeter","hook":"cron.hourly"}]})");
  w::Policy p = OpenPolicy(acme);
  p.allow_background_jobs = true;
  REQUIRE_CALL(c->PutPolicy(kC1, p, nullptr));
  dispatch = d.Raw("GET", std::string("/_double/cron-dispatch/") + kC1);
  CHECK(dw::json::Serialize(dispatch) ==
        R"({"background_jobs":true,"fire":[{"package":"greeter","hook":"cron.hourly"}],"suppressed":[]})");
  // Deactivated packages get no hooks.
  REQUIRE_CALL(c->UpdatePackage(kC1, pkg.id, false, nullptr, &after));
  CHECK_FALSE(after.active);
  dispatch = d.Raw("GET", std::string("/_double/cron-dispatch/") + kC1);
  CHECK(dw::json::Serialize(dispatch) == R"({"background_jobs":true,"fire":[],"suppressed":[]})");
}

TEST_CASE("server client: server faults and an unreachable server", "[pluginpolicy][client]") {
  Double d({});
  auto c = d.Admin();
  w::Policy p;
  REQUIRE_CALL(c->GetPolicy(kC1, &p));
  d.Raw("POST", "/_double/faults", R"({"status":500,"count":1})");
  ExpectError(c->GetPolicy(kC1, &p), w::ErrorKind::kServerError, w::Reason::kUnknown, 500, "injected fault");
  REQUIRE_CALL(c->GetPolicy(kC1, &p));  // the fault was one-shot
  d.Raw("POST", "/_double/faults", R"({"status":503,"count":1,"code":"maintenance","message":"down"})");
  ExpectError(c->GetPolicy(kC1, &p), w::ErrorKind::kServerError, w::Reason::kUnknown, 503, "down");
  d.Raw("POST", "/_double/faults", R"({"close":true,"count":-1})");
  w::CallError e = c->GetPolicy(kC1, &p);
  CHECK(e.kind == w::ErrorKind::kUnavailable);
  CHECK(e.http_status == 0);
  d.Raw("POST", "/_double/faults", R"({"clear":true})");
  REQUIRE_CALL(c->GetPolicy(kC1, &p));
  auto stats = d.Raw("GET", "/_double/stats");
  const dw::json::Value* routes = dw::json::Find(stats, "routes");
  REQUIRE(routes != nullptr);
  CHECK(dw::json::GetInt(*routes, "GET /api/communities/{id}/plugin-policy") >= 5);

  dw::http::ClientConfig cfg;
  cfg.server = "http://127.0.0.1:1";
  cfg.connect_timeout = std::chrono::milliseconds(2000);
  ServerClient down(cfg, {"", "admin", "adm1n-pw"});
  e = down.GetPolicy(kC1, &p);
  CHECK(e.kind == w::ErrorKind::kUnavailable);
  CHECK(e.http_status == 0);
  CHECK_FALSE(e.message.empty());
  CHECK(e.message.find("adm1n-pw") == std::string::npos);
}
