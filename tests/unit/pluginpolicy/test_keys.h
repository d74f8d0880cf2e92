// Ed25519 test keys for the pluginpolicy unit tests: a fresh key pair per
// instance (OpenSSL EVP keygen), its raw and base64 public key, and
// signatures, so tests sign real bundles the way a publisher would.
#pragma once

#include <catch2/catch.hpp>

#include <openssl/evp.h>

#include <memory>
#include <string>
#include <string_view>

#include "operator/common/base64.h"
#include "reconcilers/pluginpolicy/verify.h"

namespace dw::pluginpolicy::testing {

struct KeyPair {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key{nullptr, &EVP_PKEY_free};
  KeyPair() {
    std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(
        EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr), &EVP_PKEY_CTX_free);
    REQUIRE(ctx);
    REQUIRE(EVP_PKEY_keygen_init(ctx.get()) == 1);
    EVP_PKEY* raw = nullptr;
    REQUIRE(EVP_PKEY_keygen(ctx.get(), &raw) == 1);
    key.reset(raw);
  }
  std::string PublicRaw() const {
    unsigned char buf[32];
    size_t len = sizeof(buf);
    REQUIRE(EVP_PKEY_get_raw_public_key(key.get(), buf, &len) == 1);
    return std::string(reinterpret_cast<char*>(buf), len);
  }
  std::string PublicB64() const { return dw::Base64Encode(PublicRaw()); }
  std::string Sign(std::string_view msg) const {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    REQUIRE(EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) == 1);
    unsigned char sig[64];
    size_t len = sizeof(sig);
    REQUIRE(EVP_DigestSign(ctx.get(), sig, &len, reinterpret_cast<const unsigned char*>(msg.data()),
                           msg.size()) == 1);
    return std::string(reinterpret_cast<char*>(sig), len);
  }
  // The detached signature of a bundle: Ed25519 over the 32 raw bytes of
  // its SHA-256 (docs/pluginpolicy-wire.md).
  std::string SignBundle(std::string_view bundle) const { return Sign(Sha256Raw(bundle)); }

  static std::string Sha256Raw(std::string_view data) {
    Sha256 h;
    h.Update(data);
    return h.FinishRaw();
  }
  static std::string Sha256Hex(std::string_view data) { return Sha256::Hex(Sha256Raw(data)); }
};

}  // namespace dw::pluginpolicy::testing
