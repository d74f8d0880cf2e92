// Randomness and secrets: bytes, UUIDs, the admin token, token comparison.
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <cstdio>
#include <cstdlib>

#include "operator/common/base64.h"
#include "operator/tls/openssl_util.h"
#include "operator/tls/pki.h"

namespace dw::tls {

namespace {

std::string TrimRight(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ' || s.back() == '\t')) s.pop_back();
  return s;
}

}  // namespace

std::string RandomBytes(size_t n) {
  std::string out(n, '\0');
  if (n > 0 && RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    // Without a working CSPRNG no token, serial or UUID is safe; stop here.
    std::fprintf(stderr, "dockward: RAND_bytes failed\n");
    std::abort();
  }
  return out;
}

std::string RandomUuid() {
  std::string b = RandomBytes(16);
  b[6] = static_cast<char>((b[6] & 0x0F) | 0x40);  // version 4
  b[8] = static_cast<char>((b[8] & 0x3F) | 0x80);  // RFC 4122 variant
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[(b[i] >> 4) & 0xF]);
    out.push_back(kHex[b[i] & 0xF]);
  }
  return out;
}

Status EnsureToken(const std::string& path, std::string* token) {
  std::string existing;
  Status st = internal::ReadFile(path, &existing);
  if (st.ok()) {
    *token = TrimRight(std::move(existing));
    if (token->empty()) return Status::Corruption(path + ": token file is empty");
    return Status::OK();
  }
  if (!st.IsNotFound()) return st;
  std::string fresh = Base64UrlEncode(RandomBytes(32));
  DW_RETURN_IF_ERROR(WriteFileAtomic(path, fresh + "\n", 0600));
  *token = std::move(fresh);
  return Status::OK();
}

bool ConstantTimeEquals(const std::string& a, const std::string& b) {
  // The length is not secret (tokens have a fixed length); the contents are.
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace dw::tls
