// Serving PKI bootstrap: a long-lived CA that clients pin (never replaced
// silently once it exists) and a short-lived serving certificate that is
// cheap to re-issue whenever it no longer fits the configuration.
#include "operator/tls/pki.h"

#include <arpa/inet.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "operator/tls/openssl_util.h"

namespace dw::tls {

namespace {

using internal::OpensslError;
using internal::PkeyPtr;
using internal::X509Ptr;

constexpr long kCaDays = 3650;
constexpr long kServingDays = 365;
constexpr long kRenewBeforeDays = 30;
constexpr long kBackdateSeconds = 3600;  // tolerate clients whose clocks lag a little

struct KeyPair {
  X509Ptr cert;
  PkeyPtr key;
};

PkeyPtr NewKey() { return PkeyPtr(EVP_EC_gen("P-256")); }

Status AddExt(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (!ext) return Status::Internal(OpensslError(std::string("extension ") + OBJ_nid2sn(nid)));
  int ok = X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  if (ok != 1) return Status::Internal(OpensslError("add extension"));
  return Status::OK();
}

// A 159-bit positive random serial (RFC 5280 allows at most 20 octets).
Status SetRandomSerial(X509* cert) {
  BIGNUM* bn = BN_new();
  bool ok = bn && BN_rand(bn, 159, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) == 1 &&
            BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert)) != nullptr;
  BN_free(bn);
  return ok ? Status::OK() : Status::Internal(OpensslError("serial number"));
}

// Version, serial, validity, subject, issuer and public key.
Status FillBasics(X509* cert, EVP_PKEY* key, const char* cn, X509* issuer, long days) {
  X509_NAME* name = X509_get_subject_name(cert);
  bool ok = X509_set_version(cert, X509_VERSION_3) == 1 &&
            X509_gmtime_adj(X509_getm_notBefore(cert), -kBackdateSeconds) != nullptr &&
            X509_time_adj_ex(X509_getm_notAfter(cert), static_cast<int>(days), 0, nullptr) != nullptr &&
            X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                       reinterpret_cast<const unsigned char*>(cn), -1, -1, 0) == 1 &&
            X509_set_issuer_name(cert, X509_get_subject_name(issuer ? issuer : cert)) == 1 &&
            X509_set_pubkey(cert, key) == 1;
  if (!ok) return Status::Internal(OpensslError("certificate fields"));
  return SetRandomSerial(cert);
}

Status Sign(X509* cert, EVP_PKEY* signer) {
  if (X509_sign(cert, signer, EVP_sha256()) <= 0) return Status::Internal(OpensslError("sign certificate"));
  return Status::OK();
}

Status IssueCa(KeyPair* ca) {
  ca->key = NewKey();
  ca->cert.reset(X509_new());
  if (!ca->key || !ca->cert) return Status::Internal(OpensslError("generate CA key"));
  X509* c = ca->cert.get();
  DW_RETURN_IF_ERROR(FillBasics(c, ca->key.get(), "dockward-ca", nullptr, kCaDays));
  DW_RETURN_IF_ERROR(AddExt(c, c, NID_basic_constraints, "critical,CA:TRUE"));
  DW_RETURN_IF_ERROR(AddExt(c, c, NID_key_usage, "critical,keyCertSign,cRLSign,digitalSignature"));
  DW_RETURN_IF_ERROR(AddExt(c, c, NID_subject_key_identifier, "hash"));
  DW_RETURN_IF_ERROR(AddExt(c, c, NID_authority_key_identifier, "keyid:always"));
  return Sign(c, ca->key.get());
}

bool IsIpLiteral(const std::string& host, unsigned char* buf, int* len) {
  if (inet_pton(AF_INET, host.c_str(), buf) == 1) {
    *len = 4;
    return true;
  }
  if (inet_pton(AF_INET6, host.c_str(), buf) == 1) {
    *len = 16;
    return true;
  }
  return false;
}

std::vector<std::string> AllHosts(const std::vector<std::string>& hosts) {
  std::vector<std::string> all = {"localhost", "127.0.0.1", "::1"};
  for (const auto& h : hosts) {
    if (!h.empty() && std::find(all.begin(), all.end(), h) == all.end()) all.push_back(h);
  }
  return all;
}

// SANs are built as GENERAL_NAMEs, not a config string, so a host can never
// inject extra entries through commas.
Status AddSans(X509* cert, const std::vector<std::string>& hosts) {
  GENERAL_NAMES* names = sk_GENERAL_NAME_new_null();
  bool ok = names != nullptr;
  for (size_t i = 0; ok && i < hosts.size(); ++i) {
    unsigned char ip[16];
    int ip_len = 0;
    GENERAL_NAME* gn = GENERAL_NAME_new();
    ok = gn != nullptr;
    if (ok && IsIpLiteral(hosts[i], ip, &ip_len)) {
      ASN1_OCTET_STRING* s = ASN1_OCTET_STRING_new();
      ok = s && ASN1_OCTET_STRING_set(s, ip, ip_len) == 1;
      if (ok) GENERAL_NAME_set0_value(gn, GEN_IPADD, s); else ASN1_OCTET_STRING_free(s);
    } else if (ok) {
      ASN1_IA5STRING* s = ASN1_IA5STRING_new();
      ok = s && ASN1_STRING_set(s, hosts[i].data(), static_cast<int>(hosts[i].size())) == 1;
      if (ok) GENERAL_NAME_set0_value(gn, GEN_DNS, s); else ASN1_IA5STRING_free(s);
    }
    if (ok && sk_GENERAL_NAME_push(names, gn) > 0) continue;
    GENERAL_NAME_free(gn);
    ok = false;
  }
  ok = ok && X509_add1_ext_i2d(cert, NID_subject_alt_name, names, 0, X509V3_ADD_DEFAULT) == 1;
  sk_GENERAL_NAME_pop_free(names, GENERAL_NAME_free);
  return ok ? Status::OK() : Status::Internal(OpensslError("subjectAltName"));
}

Status IssueServing(const KeyPair& ca, const std::vector<std::string>& hosts, KeyPair* out) {
  out->key = NewKey();
  out->cert.reset(X509_new());
  if (!out->key || !out->cert) return Status::Internal(OpensslError("generate serving key"));
  X509* c = out->cert.get();
  X509* issuer = ca.cert.get();
  DW_RETURN_IF_ERROR(FillBasics(c, out->key.get(), "dockward-apiserver", issuer, kServingDays));
  DW_RETURN_IF_ERROR(AddExt(c, issuer, NID_basic_constraints, "critical,CA:FALSE"));
  DW_RETURN_IF_ERROR(AddExt(c, issuer, NID_key_usage, "critical,digitalSignature"));
  DW_RETURN_IF_ERROR(AddExt(c, issuer, NID_ext_key_usage, "serverAuth"));
  DW_RETURN_IF_ERROR(AddExt(c, issuer, NID_subject_key_identifier, "hash"));
  DW_RETURN_IF_ERROR(AddExt(c, issuer, NID_authority_key_identifier, "keyid:always"));
  DW_RETURN_IF_ERROR(AddSans(c, hosts));
  return Sign(c, ca.key.get());
}

// Loads cert+key from disk. NotFound when either file is missing.
Status LoadPair(const std::string& cert_path, const std::string& key_path, KeyPair* out, std::string* cert_pem) {
  std::string key_pem;
  DW_RETURN_IF_ERROR(internal::ReadFile(cert_path, cert_pem));
  DW_RETURN_IF_ERROR(internal::ReadFile(key_path, &key_pem));
  DW_RETURN_IF_ERROR(internal::ParseCertPem(*cert_pem, &out->cert));
  return internal::ParseKeyPem(key_pem, &out->key);
}

bool ExpiresWithin(X509* cert, long days) {
  time_t cutoff = time(nullptr) + days * 86400;
  return X509_cmp_time(X509_get0_notAfter(cert), &cutoff) <= 0;
}

// Why the serving pair must be re-issued, or "" when it is still good.
std::string ServingProblem(const KeyPair& ca, const KeyPair& s, const std::vector<std::string>& hosts) {
  if (X509_check_private_key(s.cert.get(), s.key.get()) != 1) return "key does not match certificate";
  if (X509_verify(s.cert.get(), X509_get0_pubkey(ca.cert.get())) != 1) return "not signed by the CA";
  if (ExpiresWithin(s.cert.get(), kRenewBeforeDays)) return "expires within 30 days";
  for (const auto& h : hosts) {
    unsigned char ip[16];
    int len;
    bool covered = IsIpLiteral(h, ip, &len)
                       ? X509_check_ip(s.cert.get(), ip, static_cast<size_t>(len), 0) == 1
                       : X509_check_host(s.cert.get(), h.data(), h.size(), X509_CHECK_FLAG_NEVER_CHECK_SUBJECT,
                                         nullptr) == 1;
    if (!covered) return "does not cover host " + h;
  }
  return {};
}

Status EnsureDir(const std::string& dir) {
  if (mkdir(dir.c_str(), 0700) == 0 || errno == EEXIST) return Status::OK();
  return Status::IOError("mkdir " + dir + ": " + std::strerror(errno));
}

// Loads the CA, or creates it when neither file exists. A half-present or
// unreadable CA is an error: replacing it would silently break every client
// that trusts the old one.
Status EnsureCa(const ServingPki& paths, KeyPair* ca, std::string* ca_pem, bool* created) {
  *created = false;
  Status st = LoadPair(paths.ca_cert_path, paths.ca_key_path, ca, ca_pem);
  if (st.ok()) {
    if (X509_check_private_key(ca->cert.get(), ca->key.get()) != 1) {
      ERR_clear_error();
      return Status::Corruption(paths.ca_key_path + ": private key does not match certificate " + paths.ca_cert_path);
    }
    return Status::OK();
  }
  if (!st.IsNotFound()) return st;
  struct stat sb;
  if (stat(paths.ca_cert_path.c_str(), &sb) == 0 || stat(paths.ca_key_path.c_str(), &sb) == 0) {
    return Status::Corruption("CA is incomplete: " + st.message());
  }
  DW_RETURN_IF_ERROR(IssueCa(ca));
  *ca_pem = internal::CertToPem(ca->cert.get());
  // Key first: a crash in between leaves no usable ca.crt, which forces a
  // clean re-creation instead of a certificate without its key.
  DW_RETURN_IF_ERROR(WriteFileAtomic(paths.ca_key_path, internal::KeyToPem(ca->key.get()), 0600));
  DW_RETURN_IF_ERROR(WriteFileAtomic(paths.ca_cert_path, *ca_pem, 0644));
  *created = true;
  return Status::OK();
}

}  // namespace

Status EnsureServingPki(const std::string& dir, const std::vector<std::string>& hosts, ServingPki* out) {
  ServingPki p;
  p.ca_cert_path = dir + "/ca.crt";
  p.ca_key_path = dir + "/ca.key";
  p.cert_path = dir + "/server.crt";
  p.key_path = dir + "/server.key";
  DW_RETURN_IF_ERROR(EnsureDir(dir));

  KeyPair ca;
  bool ca_created = false;
  DW_RETURN_IF_ERROR(EnsureCa(p, &ca, &p.ca_cert_pem, &ca_created));

  std::vector<std::string> all = AllHosts(hosts);
  KeyPair serving;
  std::string serving_pem;
  bool reissue = ca_created || !LoadPair(p.cert_path, p.key_path, &serving, &serving_pem).ok() ||
                 !ServingProblem(ca, serving, all).empty();
  ERR_clear_error();
  if (reissue) {
    DW_RETURN_IF_ERROR(IssueServing(ca, all, &serving));
    DW_RETURN_IF_ERROR(WriteFileAtomic(p.key_path, internal::KeyToPem(serving.key.get()), 0600));
    DW_RETURN_IF_ERROR(WriteFileAtomic(p.cert_path, internal::CertToPem(serving.cert.get()), 0644));
  }
  *out = std::move(p);
  return Status::OK();
}

}  // namespace dw::tls
