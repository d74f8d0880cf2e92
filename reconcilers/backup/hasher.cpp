#include "reconcilers/backup/hasher.h"

#include <openssl/evp.h>

#include <cstdio>
#include <cstdlib>

#include "reconcilers/backup/encryption_key.h"

namespace dw::backup {

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  if (ctx_ == nullptr || EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr) != 1) {
    // SHA-256 is part of every OpenSSL build; without it nothing can be verified.
    std::fprintf(stderr, "dockward: SHA-256 unavailable\n");
    std::abort();
  }
}

Sha256::~Sha256() { EVP_MD_CTX_free(ctx_); }

void Sha256::Update(std::string_view data) { EVP_DigestUpdate(ctx_, data.data(), data.size()); }

std::string Sha256::HexFinal() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx_, digest, &len);
  return HexEncode(digest, len);
}

Status HashingSink::Write(std::string_view data) {
  if (!status_.ok()) return status_;
  sha_.Update(data);
  bytes_ += data.size();
  status_ = next_->Write(data);
  return status_;
}

Status HashingSink::Finish() {
  if (!status_.ok()) return status_;
  digest_ = sha_.HexFinal();
  status_ = next_->Finish();
  return status_;
}

}  // namespace dw::backup
