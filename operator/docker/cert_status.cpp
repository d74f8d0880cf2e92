#include "operator/docker/cert_status.h"

#include "operator/tls/pki.h"

namespace dw::docker {

Status CheckClientCertificate(const std::string& cert_pem, const std::string& key_pem,
                              std::chrono::system_clock::time_point now, ClientCertStatus* out) {
  DW_RETURN_IF_ERROR(tls::CertificateNotAfter(cert_pem, &out->not_after));
  Status match = tls::KeyMatchesCertificate(cert_pem, key_pem);
  if (!match.ok()) return Status::BadRequest("docker client certificate: " + match.message());
  out->remaining = std::chrono::duration_cast<std::chrono::seconds>(out->not_after - now);
  out->expired = out->remaining.count() <= 0;
  out->expiring_soon = out->remaining < kCertExpiryWarning;
  return Status::OK();
}

}  // namespace dw::docker
