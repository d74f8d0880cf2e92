#include "reconcilers/backup/encryption_key.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <cstring>

#include "operator/common/base64.h"

namespace dw::backup {

namespace {

constexpr std::string_view kIdLabel = "dockward-backup-key-id-v1";

// Decodes base64 with or without padding; the decoded length is checked by the caller.
bool DecodeBase64Key(std::string_view text, std::string* out) {
  std::string compact;
  compact.reserve(text.size() + 2);
  for (char c : text) {
    if (c != ' ' && c != '\n' && c != '\r' && c != '\t') compact.push_back(c);
  }
  while (compact.size() % 4 != 0) compact.push_back('=');
  bool ok = Base64Decode(compact, out);
  OPENSSL_cleanse(compact.data(), compact.size());
  return ok;
}

}  // namespace

EncryptionKey::~EncryptionKey() { OPENSSL_cleanse(bytes_.data(), bytes_.size()); }

Status EncryptionKey::Parse(std::string_view material, EncryptionKey* out) {
  std::string decoded;
  std::string_view raw;
  if (material.size() == kSize) {
    raw = material;
  } else if (DecodeBase64Key(material, &decoded)) {
    raw = decoded;
  } else {
    return Status::Invalid("encryption key must be 32 raw bytes or base64 of 32 bytes; got " +
                           std::to_string(material.size()) + " bytes that are not valid base64");
  }
  if (raw.size() != kSize) {
    size_t n = raw.size();
    OPENSSL_cleanse(decoded.data(), decoded.size());
    return Status::Invalid("encryption key must be 32 bytes (AES-256); base64 decoded to " +
                           std::to_string(n) + " bytes");
  }
  std::memcpy(out->bytes_.data(), raw.data(), kSize);
  OPENSSL_cleanse(decoded.data(), decoded.size());

  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) == 1 &&
            EVP_DigestUpdate(ctx, kIdLabel.data(), kIdLabel.size()) == 1 &&
            EVP_DigestUpdate(ctx, out->bytes_.data(), kSize) == 1 &&
            EVP_DigestFinal_ex(ctx, digest, &len) == 1;
  EVP_MD_CTX_free(ctx);
  if (!ok) return Status::Internal("SHA-256 unavailable for the key id");
  std::memcpy(out->id_.data(), digest, kIdSize);
  return Status::OK();
}

std::string EncryptionKey::IdHex() const { return HexEncode(id_.data(), id_.size()); }

std::string HexEncode(const uint8_t* data, size_t n) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (size_t i = 0; i < n; ++i) {
    out.push_back(kHex[data[i] >> 4]);
    out.push_back(kHex[data[i] & 0xF]);
  }
  return out;
}

}  // namespace dw::backup
