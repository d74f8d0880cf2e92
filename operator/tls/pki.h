// PKI for the API server: a self-signed CA and a serving certificate signed
// by it (created on first start, under the data dir, keys mode 0600), the
// admin bearer token, and certificate inspection used elsewhere (DockerHost
// TLS: expiry, key/certificate match).
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "operator/common/status.h"

namespace dw::tls {

struct ServingPki {
  std::string ca_cert_path, ca_key_path;
  std::string cert_path, key_path;
  std::string ca_cert_pem;  // for kubeconfig certificate-authority-data
};

// Ensures `dir`/ca.crt, ca.key, server.crt, server.key exist and are usable.
// The serving certificate covers localhost, 127.0.0.1, ::1 and every entry of
// `hosts` (DNS names or IP literals); it is re-issued (same CA) when it is
// missing a host, expires within 30 days, or does not match its key.
// Keys are EC P-256. Files are written atomically (temp + fsync + rename).
Status EnsureServingPki(const std::string& dir, const std::vector<std::string>& hosts,
                        ServingPki* out);

// Reads `path` if it exists, else creates it (mode 0600) with a fresh
// 256-bit random token, base64url without padding.
Status EnsureToken(const std::string& path, std::string* token);

// Cryptographically random bytes / hex / RFC 4122 v4 UUID.
std::string RandomBytes(size_t n);
std::string RandomUuid();

// Certificate facts (PEM input).
Status CertificateNotAfter(const std::string& cert_pem, std::chrono::system_clock::time_point* out);
// OK when the private key belongs to the certificate; otherwise an error that
// says "private key does not match certificate".
Status KeyMatchesCertificate(const std::string& cert_pem, const std::string& key_pem);

// Constant-time comparison for tokens.
bool ConstantTimeEquals(const std::string& a, const std::string& b);

// Writes `data` to `path` atomically: temp file in the same dir, fsync,
// rename, fsync of the directory. `mode` applies to the new file.
Status WriteFileAtomic(const std::string& path, const std::string& data, int mode);

}  // namespace dw::tls
