#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "operator/tls/pki.h"

namespace {

namespace fs = std::filesystem;

// A fresh directory removed at scope exit.
struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/dw_pki_test_XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    path = tmpl;
  }
  ~TempDir() { fs::remove_all(path); }
};

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void Spit(const std::string& path, const std::string& data) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << data;
}

int ModeOf(const std::string& path) {
  struct stat sb;
  REQUIRE(stat(path.c_str(), &sb) == 0);
  return sb.st_mode & 0777;
}

struct X509Deleter { void operator()(X509* x) const { X509_free(x); } };
using Cert = std::unique_ptr<X509, X509Deleter>;

Cert LoadCert(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  Cert c(PEM_read_bio_X509(bio, nullptr, nullptr, nullptr));
  BIO_free(bio);
  REQUIRE(c);
  return c;
}

// Verifies `leaf` against `ca` for the TLS server purpose.
bool Chains(X509* leaf, X509* ca) {
  X509_STORE* store = X509_STORE_new();
  X509_STORE_add_cert(store, ca);
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(ctx, store, leaf, nullptr);
  X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_SSL_SERVER);
  bool ok = X509_verify_cert(ctx) == 1;
  X509_STORE_CTX_free(ctx);
  X509_STORE_free(store);
  return ok;
}

// SAN entries as "DNS:x" / "IP:1.2.3.4" (OpenSSL's own rendering).
std::set<std::string> Sans(X509* cert) {
  std::set<std::string> out;
  auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  REQUIRE(names);
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    GENERAL_NAME* gn = sk_GENERAL_NAME_value(names, i);
    if (gn->type == GEN_DNS) {
      out.insert("DNS:" + std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(gn->d.dNSName)),
                                      ASN1_STRING_length(gn->d.dNSName)));
    } else if (gn->type == GEN_IPADD) {
      const unsigned char* ip = ASN1_STRING_get0_data(gn->d.iPAddress);
      int len = ASN1_STRING_length(gn->d.iPAddress);
      char buf[64];
      inet_ntop(len == 4 ? AF_INET : AF_INET6, ip, buf, sizeof buf);
      out.insert("IP:" + std::string(buf));
    }
  }
  GENERAL_NAMES_free(names);
  return out;
}

}  // namespace

TEST_CASE("pki: fresh PKI chains, covers hosts and has the right shape", "[tls]") {
  TempDir dir;
  dw::tls::ServingPki pki;
  dw::Status st = dw::tls::EnsureServingPki(dir.path, {"dockward.internal", "10.1.2.3", "fd00::7"}, &pki);
  INFO(st.message());
  REQUIRE(st.ok());
  CHECK(pki.ca_cert_path == dir.path + "/ca.crt");
  CHECK(pki.ca_key_path == dir.path + "/ca.key");
  CHECK(pki.cert_path == dir.path + "/server.crt");
  CHECK(pki.key_path == dir.path + "/server.key");
  CHECK(pki.ca_cert_pem == Slurp(pki.ca_cert_path));
  CHECK(pki.ca_cert_pem.rfind("-----BEGIN CERTIFICATE-----", 0) == 0);

  CHECK(ModeOf(pki.ca_key_path) == 0600);
  CHECK(ModeOf(pki.key_path) == 0600);
  CHECK(ModeOf(pki.ca_cert_path) == 0644);
  CHECK(ModeOf(pki.cert_path) == 0644);
  CHECK(Slurp(pki.key_path).find("BEGIN PRIVATE KEY") != std::string::npos);

  Cert ca = LoadCert(pki.ca_cert_pem);
  Cert leaf = LoadCert(Slurp(pki.cert_path));
  CHECK(Chains(leaf.get(), ca.get()));
  CHECK(X509_check_ca(ca.get()) == 1);
  CHECK(X509_check_ca(leaf.get()) == 0);
  CHECK((X509_get_key_usage(ca.get()) & KU_KEY_CERT_SIGN) != 0);
  CHECK((X509_get_extended_key_usage(leaf.get()) & XKU_SSL_SERVER) != 0);
  CHECK(X509_get0_subject_key_id(ca.get()) != nullptr);
  CHECK(X509_get0_authority_key_id(leaf.get()) != nullptr);
  CHECK(ASN1_OCTET_STRING_cmp(X509_get0_authority_key_id(leaf.get()), X509_get0_subject_key_id(ca.get())) == 0);
  CHECK(EVP_PKEY_is_a(X509_get0_pubkey(leaf.get()), "EC"));
  CHECK(EVP_PKEY_get_bits(X509_get0_pubkey(leaf.get())) == 256);
  CHECK(Sans(leaf.get()) == std::set<std::string>{"DNS:localhost", "IP:127.0.0.1", "IP:::1",
                                                  "DNS:dockward.internal", "IP:10.1.2.3", "IP:fd00::7"});
  // Serials are random, not 0/1.
  CHECK(ASN1_INTEGER_cmp(X509_get_serialNumber(ca.get()), X509_get_serialNumber(leaf.get())) != 0);
  CHECK(ASN1_INTEGER_get(X509_get_serialNumber(leaf.get())) != 1);

  // Validity: CA ~10 years, serving ~1 year.
  auto now = std::chrono::system_clock::now();
  std::chrono::system_clock::time_point ca_end, leaf_end;
  REQUIRE(dw::tls::CertificateNotAfter(pki.ca_cert_pem, &ca_end).ok());
  REQUIRE(dw::tls::CertificateNotAfter(Slurp(pki.cert_path), &leaf_end).ok());
  auto days = [&](auto t) { return std::chrono::duration_cast<std::chrono::hours>(t - now).count() / 24; };
  CHECK(days(ca_end) >= 3649);
  CHECK(days(ca_end) <= 3650);
  CHECK(days(leaf_end) >= 364);
  CHECK(days(leaf_end) <= 365);
}

TEST_CASE("pki: re-running is idempotent", "[tls]") {
  TempDir dir;
  dw::tls::ServingPki a, b;
  REQUIRE(dw::tls::EnsureServingPki(dir.path, {"h1"}, &a).ok());
  std::string ca = Slurp(a.ca_cert_path), cak = Slurp(a.ca_key_path);
  std::string crt = Slurp(a.cert_path), key = Slurp(a.key_path);
  REQUIRE(dw::tls::EnsureServingPki(dir.path, {"h1"}, &b).ok());
  CHECK(Slurp(b.ca_cert_path) == ca);
  CHECK(Slurp(b.ca_key_path) == cak);
  CHECK(Slurp(b.cert_path) == crt);
  CHECK(Slurp(b.key_path) == key);
  CHECK(b.ca_cert_pem == a.ca_cert_pem);
  // Default hosts passed explicitly do not change anything either.
  REQUIRE(dw::tls::EnsureServingPki(dir.path, {"localhost", "h1", "127.0.0.1"}, &b).ok());
  CHECK(Slurp(b.cert_path) == crt);
  // No temp files are left behind.
  int files = 0;
  for (const auto& e : fs::directory_iterator(dir.path)) files += e.is_regular_file();
  CHECK(files == 4);
}

TEST_CASE("pki: a new host re-issues the serving cert with the same CA", "[tls]") {
  TempDir dir;
  dw::tls::ServingPki pki;
  REQUIRE(dw::tls::EnsureServingPki(dir.path, {"a.example"}, &pki).ok());
  std::string ca = Slurp(pki.ca_cert_path), crt = Slurp(pki.cert_path), key = Slurp(pki.key_path);
  REQUIRE(dw::tls::EnsureServingPki(dir.path, {"a.example", "b.example", "192.168.9.9"}, &pki).ok());
  CHECK(Slurp(pki.ca_cert_path) == ca);
  CHECK(Slurp(pki.cert_path) != crt);
  CHECK(Slurp(pki.key_path) != key);
  Cert leaf = LoadCert(Slurp(pki.cert_path));
  CHECK(Sans(leaf.get()).count("DNS:b.example") == 1);
  CHECK(Sans(leaf.get()).count("IP:192.168.9.9") == 1);
  CHECK(Chains(leaf.get(), LoadCert(ca).get()));
  CHECK(dw::tls::KeyMatchesCertificate(Slurp(pki.cert_path), Slurp(pki.key_path)).ok());
}

TEST_CASE("pki: a mismatched serving key is detected and repaired", "[tls]") {
  TempDir dir;
  dw::tls::ServingPki pki;
  REQUIRE(dw::tls::EnsureServingPki(dir.path, {}, &pki).ok());
  std::string ca_key = Slurp(pki.ca_key_path);
  dw::Status st = dw::tls::KeyMatchesCertificate(Slurp(pki.cert_path), ca_key);
  CHECK_FALSE(st.ok());
  CHECK(st.message() == "private key does not match certificate");
  CHECK(dw::tls::KeyMatchesCertificate(pki.ca_cert_pem, ca_key).ok());

  Spit(pki.key_path, ca_key);  // wrong key for server.crt
  std::string old_crt = Slurp(pki.cert_path);
  REQUIRE(dw::tls::EnsureServingPki(dir.path, {}, &pki).ok());
  CHECK(Slurp(pki.cert_path) != old_crt);
  CHECK(dw::tls::KeyMatchesCertificate(Slurp(pki.cert_path), Slurp(pki.key_path)).ok());
  CHECK(ModeOf(pki.key_path) == 0600);
}

TEST_CASE("pki: a damaged or half-present CA is an error, not replaced", "[tls]") {
  TempDir dir;
  dw::tls::ServingPki pki;
  REQUIRE(dw::tls::EnsureServingPki(dir.path, {}, &pki).ok());
  fs::remove(pki.ca_key_path);
  dw::Status st = dw::tls::EnsureServingPki(dir.path, {}, &pki);
  CHECK_FALSE(st.ok());
  CHECK(st.code() == dw::Code::kCorruption);
  CHECK(st.message().find("CA is incomplete") != std::string::npos);

  TempDir dir2;
  REQUIRE(dw::tls::EnsureServingPki(dir2.path, {}, &pki).ok());
  Spit(pki.ca_cert_path, "garbage");
  CHECK_FALSE(dw::tls::EnsureServingPki(dir2.path, {}, &pki).ok());
  CHECK(Slurp(pki.ca_cert_path) == "garbage");
}

TEST_CASE("pki: creates the directory", "[tls]") {
  TempDir dir;
  dw::tls::ServingPki pki;
  REQUIRE(dw::tls::EnsureServingPki(dir.path + "/pki", {}, &pki).ok());
  CHECK(ModeOf(dir.path + "/pki") == 0700);
  CHECK(fs::exists(dir.path + "/pki/server.crt"));
}

TEST_CASE("pki: certificate inspection rejects bad input", "[tls]") {
  std::chrono::system_clock::time_point t;
  CHECK_FALSE(dw::tls::CertificateNotAfter("not a pem", &t).ok());
  CHECK_FALSE(dw::tls::KeyMatchesCertificate("x", "y").ok());
}

TEST_CASE("token: created once, 256-bit base64url, persisted", "[tls]") {
  TempDir dir;
  std::string path = dir.path + "/token";
  std::string t1, t2;
  REQUIRE(dw::tls::EnsureToken(path, &t1).ok());
  CHECK(t1.size() == 43);
  CHECK(std::regex_match(t1, std::regex("^[A-Za-z0-9_-]{43}$")));
  CHECK(ModeOf(path) == 0600);
  REQUIRE(dw::tls::EnsureToken(path, &t2).ok());
  CHECK(t2 == t1);
  TempDir other;
  std::string t3;
  REQUIRE(dw::tls::EnsureToken(other.path + "/token", &t3).ok());
  CHECK(t3 != t1);
  // An operator-provided token (with trailing newline) is used as is.
  Spit(path, "my-token\n");
  REQUIRE(dw::tls::EnsureToken(path, &t2).ok());
  CHECK(t2 == "my-token");
  Spit(path, "\n");
  CHECK(dw::tls::EnsureToken(path, &t2).code() == dw::Code::kCorruption);
  CHECK(dw::tls::EnsureToken("/nonexistent-dir/x/token", &t2).code() == dw::Code::kIOError);
}

TEST_CASE("random: bytes, UUIDs, constant-time compare", "[tls]") {
  CHECK(dw::tls::RandomBytes(0).empty());
  CHECK(dw::tls::RandomBytes(33).size() == 33);
  CHECK(dw::tls::RandomBytes(16) != dw::tls::RandomBytes(16));
  std::regex v4("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string u = dw::tls::RandomUuid();
    REQUIRE(std::regex_match(u, v4));
    seen.insert(u);
  }
  CHECK(seen.size() == 1000);
  CHECK(dw::tls::ConstantTimeEquals("abc", "abc"));
  CHECK_FALSE(dw::tls::ConstantTimeEquals("abc", "abd"));
  CHECK_FALSE(dw::tls::ConstantTimeEquals("abc", "abcd"));
  CHECK(dw::tls::ConstantTimeEquals("", ""));
}

TEST_CASE("WriteFileAtomic: replaces contents and sets mode", "[tls]") {
  TempDir dir;
  std::string path = dir.path + "/f";
  REQUIRE(dw::tls::WriteFileAtomic(path, "one", 0640).ok());
  CHECK(Slurp(path) == "one");
  CHECK(ModeOf(path) == 0640);
  REQUIRE(dw::tls::WriteFileAtomic(path, std::string("t\0wo", 4), 0600).ok());
  CHECK(Slurp(path) == std::string("t\0wo", 4));
  CHECK(ModeOf(path) == 0600);
  dw::Status st = dw::tls::WriteFileAtomic(dir.path + "/missing/f", "x", 0600);
  CHECK(st.code() == dw::Code::kIOError);
}
