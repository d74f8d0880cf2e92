// Internal to operator/tls: RAII owners for OpenSSL objects and the PEM and
// error-queue helpers the PKI code shares. Every helper drains OpenSSL's
// per-thread error queue so a failure here never leaks into a later TLS call.
#pragma once

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <string>

#include "operator/common/status.h"

namespace dw::tls::internal {

struct X509Free { void operator()(X509* x) const { X509_free(x); } };
struct PkeyFree { void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); } };
using X509Ptr = std::unique_ptr<X509, X509Free>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

// "what: <OpenSSL reason>" (the queue is cleared).
std::string OpensslError(const std::string& what);

Status ParseCertPem(const std::string& pem, X509Ptr* out);
Status ParseKeyPem(const std::string& pem, PkeyPtr* out);
std::string CertToPem(X509* cert);
std::string KeyToPem(EVP_PKEY* key);  // unencrypted PKCS#8

// Reads a whole file; NotFound when it does not exist.
Status ReadFile(const std::string& path, std::string* out);

}  // namespace dw::tls::internal
