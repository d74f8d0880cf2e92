// Client-certificate health of a TLS DockerHost, for its status: when the
// certificate expires, whether that is within the warning window (30 days),
// and whether the key belongs to the certificate (a mismatch is a clear error,
// not a handshake failure later).
#pragma once

#include <chrono>
#include <string>

#include "operator/common/status.h"

namespace dw::docker {

inline constexpr std::chrono::hours kCertExpiryWarning{24 * 30};

struct ClientCertStatus {
  std::chrono::system_clock::time_point not_after;
  std::chrono::seconds remaining{0};  // negative once expired
  bool expiring_soon = false;         // under kCertExpiryWarning (or expired)
  bool expired = false;
};

// Errors: the certificate cannot be parsed (BadRequest), or the key does not
// match it (BadRequest "private key does not match certificate").
Status CheckClientCertificate(const std::string& cert_pem, const std::string& key_pem,
                              std::chrono::system_clock::time_point now, ClientCertStatus* out);

}  // namespace dw::docker
