// Git credentials from a Secret's data: username/password, a token alone,
// ca.crt alone or with a login, and the refusals (nothing usable, bad
// base64, a ca.crt that is no certificate) without any value in a message;
// and through a real registry by name.
#include <catch2/catch.hpp>
#include <filesystem>

#include "operator/common/base64.h"
#include "reconcilers/gitops/credentials.h"
#include "tests/unit/gitops/tls_fixture.h"
#include "tests/unit/runtime/runtime_fixture.h"

namespace dw::gitops {
namespace {

using runtime::testing::Doc;

// A Secret whose data holds `kv` (values base64-encoded here).
json::Document SecretWith(const std::vector<std::pair<std::string, std::string>>& kv, bool raw = false) {
  json::Document d;
  d.SetObject();
  auto& a = d.GetAllocator();
  json::SetString(d, "apiVersion", "v1", a);
  json::SetString(d, "kind", "Secret", a);
  json::Value& meta = json::EnsureObject(d, "metadata", a);
  json::SetString(meta, "name", "git-creds", a);
  json::Value& data = json::EnsureObject(d, "data", a);
  for (const auto& [k, v] : kv) json::SetString(data, k, raw ? v : Base64Encode(v), a);
  return d;
}

struct Scratch {
  Scratch() {
    char tmpl[] = "/tmp/dwcred-XXXXXX";
    REQUIRE(::mkdtemp(tmpl) != nullptr);
    dir = tmpl;
  }
  ~Scratch() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  std::string dir;
};

const std::string kWhat = "secret \"default/git-creds\"";

TEST_CASE("credentials: login, token, ca.crt alone and together", "[credentials]") {
  Scratch s;
  testing::TlsFixture tls(s.dir);
  GitCredentials c;
  REQUIRE(CredentialsFromSecret(SecretWith({{"username", "bob"}, {"password", "pw"}}), kWhat, &c).ok());
  CHECK(c.username == "bob");
  CHECK(c.password == "pw");
  CHECK(c.ca_pem.empty());
  CHECK(c.has_login());

  REQUIRE(CredentialsFromSecret(SecretWith({{"password", "tok"}}), kWhat, &c).ok());
  CHECK(c.username == "git");  // token-only hosts accept any user name

  REQUIRE(CredentialsFromSecret(SecretWith({{"ca.crt", tls.ca_pem()}}), kWhat, &c).ok());
  CHECK(c.ca_pem == tls.ca_pem());
  CHECK_FALSE(c.has_login());  // a public repository behind a private CA

  REQUIRE(CredentialsFromSecret(
              SecretWith({{"username", "bob"}, {"password", "pw"}, {"ca.crt", tls.ca_pem()}}), kWhat, &c)
              .ok());
  CHECK(c.has_login());
  CHECK(c.ca_pem == tls.ca_pem());
}

TEST_CASE("credentials: refusals name the Secret and key, never a value", "[credentials]") {
  Scratch s;
  testing::TlsFixture tls(s.dir);
  GitCredentials c;
  Status st = CredentialsFromSecret(SecretWith({}), kWhat, &c);
  CHECK(st.code() == Code::kInvalid);
  CHECK(st.message() == kWhat + " has no key \"password\" (nor \"ca.crt\")");

  st = CredentialsFromSecret(SecretWith({{"username", "bob"}, {"ca.crt", tls.ca_pem()}}), kWhat, &c);
  CHECK(st.message() == kWhat + " has no key \"password\"");

  // A private key pasted as ca.crt is refused and not echoed.
  const std::string key = tls.server_key_pem();
  st = CredentialsFromSecret(SecretWith({{"password", "pw"}, {"ca.crt", key}}), kWhat, &c);
  CHECK(st.code() == Code::kInvalid);
  CHECK(st.message() == kWhat + " key \"ca.crt\" holds no PEM certificate");
  CHECK(c.password.empty());
  CHECK(c.ca_pem.empty());

  st = CredentialsFromSecret(SecretWith({{"password", "not base64 s3cret!"}}, true), kWhat, &c);
  CHECK(st.message() == kWhat + " key \"password\" is not valid base64");
  CHECK(st.message().find("s3cret") == std::string::npos);
}

class CredentialsFixture : public runtime::testing::RuntimeFixture {};

TEST_CASE_METHOD(CredentialsFixture, "credentials: read by name through the API", "[credentials]") {
  GitCredentials c;
  Status st = ReadGitCredentials(&client(), "default", "git-creds", &c);
  CHECK(st.IsNotFound());
  CHECK(st.message() == kWhat + " not found");
  MustCreate(secrets(), SecretWith({{"username", "bob"}, {"password", "pw"}}));
  REQUIRE(ReadGitCredentials(&client(), "default", "git-creds", &c).ok());
  CHECK(c.username == "bob");
  CHECK(c.password == "pw");
}

}  // namespace
}  // namespace dw::gitops
