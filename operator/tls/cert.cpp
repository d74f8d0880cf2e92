// Certificate inspection used by the PKI bootstrap and by DockerHost TLS
// validation.
#include <openssl/err.h>
#include <openssl/x509.h>

#include <ctime>

#include "operator/tls/openssl_util.h"
#include "operator/tls/pki.h"

namespace dw::tls {

Status CertificateNotAfter(const std::string& cert_pem, std::chrono::system_clock::time_point* out) {
  internal::X509Ptr cert;
  DW_RETURN_IF_ERROR(internal::ParseCertPem(cert_pem, &cert));
  std::tm tm{};
  if (ASN1_TIME_to_tm(X509_get0_notAfter(cert.get()), &tm) != 1) {
    return Status::Invalid(internal::OpensslError("certificate notAfter is not a valid time"));
  }
  *out = std::chrono::system_clock::from_time_t(timegm(&tm));
  return Status::OK();
}

Status KeyMatchesCertificate(const std::string& cert_pem, const std::string& key_pem) {
  internal::X509Ptr cert;
  internal::PkeyPtr key;
  DW_RETURN_IF_ERROR(internal::ParseCertPem(cert_pem, &cert));
  DW_RETURN_IF_ERROR(internal::ParseKeyPem(key_pem, &key));
  if (X509_check_private_key(cert.get(), key.get()) != 1) {
    ERR_clear_error();
    return Status::Invalid("private key does not match certificate");
  }
  return Status::OK();
}

}  // namespace dw::tls
