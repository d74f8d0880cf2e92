#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <stdlib.h>
#include <filesystem>

#include "operator/docker/cert_status.h"
#include "operator/tls/pki.h"

using namespace dw::docker;

namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST_CASE("client certificate expiry and key match") {
  char tmpl[] = "/tmp/dw-docker-cert-XXXXXX";
  REQUIRE(mkdtemp(tmpl) != nullptr);
  std::string dir = tmpl;
  dw::tls::ServingPki pki;
  REQUIRE(dw::tls::EnsureServingPki(dir, {}, &pki).ok());
  std::string cert = ReadAll(pki.cert_path), key = ReadAll(pki.key_path);
  std::string other_key = ReadAll(pki.ca_key_path);

  ClientCertStatus s;
  std::chrono::system_clock::time_point not_after;
  REQUIRE(dw::tls::CertificateNotAfter(cert, &not_after).ok());

  REQUIRE(CheckClientCertificate(cert, key, not_after - std::chrono::hours(24 * 60), &s).ok());
  CHECK(s.not_after == not_after);
  CHECK(s.remaining == std::chrono::hours(24 * 60));
  CHECK_FALSE(s.expiring_soon);
  CHECK_FALSE(s.expired);

  REQUIRE(CheckClientCertificate(cert, key, not_after - std::chrono::hours(24 * 29), &s).ok());
  CHECK(s.expiring_soon);
  CHECK_FALSE(s.expired);

  REQUIRE(CheckClientCertificate(cert, key, not_after + std::chrono::seconds(1), &s).ok());
  CHECK(s.expired);
  CHECK(s.remaining == std::chrono::seconds(-1));

  auto mismatch = CheckClientCertificate(cert, other_key, not_after, &s);
  CHECK(mismatch.code() == dw::Code::kBadRequest);
  CHECK(mismatch.message().find("does not match") != std::string::npos);
  CHECK_FALSE(CheckClientCertificate("garbage", key, not_after, &s).ok());
  std::filesystem::remove_all(dir);
}
