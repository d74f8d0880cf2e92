#include "operator/tls/openssl_util.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace dw::tls::internal {

namespace {

struct BioFree { void operator()(BIO* b) const { BIO_free(b); } };
using BioPtr = std::unique_ptr<BIO, BioFree>;

BioPtr ReadBio(const std::string& s) { return BioPtr(BIO_new_mem_buf(s.data(), static_cast<int>(s.size()))); }

std::string BioContents(BIO* b) {
  char* data = nullptr;
  long n = BIO_get_mem_data(b, &data);
  return n > 0 ? std::string(data, static_cast<size_t>(n)) : std::string();
}

}  // namespace

std::string OpensslError(const std::string& what) {
  unsigned long e = ERR_get_error();
  std::string reason = e ? ERR_reason_error_string(e) ? ERR_reason_error_string(e) : "unknown error"
                         : "unknown error";
  ERR_clear_error();
  return what + ": " + reason;
}

Status ParseCertPem(const std::string& pem, X509Ptr* out) {
  BioPtr bio = ReadBio(pem);
  out->reset(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!*out) return Status::Invalid(OpensslError("invalid certificate PEM"));
  return Status::OK();
}

Status ParseKeyPem(const std::string& pem, PkeyPtr* out) {
  BioPtr bio = ReadBio(pem);
  out->reset(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!*out) return Status::Invalid(OpensslError("invalid private key PEM"));
  return Status::OK();
}

std::string CertToPem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) return {};
  return BioContents(bio.get());
}

std::string KeyToPem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) return {};
  return BioContents(bio.get());
}

Status ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno == ENOENT) return Status::NotFound(path + ": no such file");
    return Status::IOError(path + ": " + std::strerror(errno));
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return Status::IOError(path + ": read failed");
  *out = ss.str();
  return Status::OK();
}

}  // namespace dw::tls::internal
