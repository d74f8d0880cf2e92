// Package verification: the bundle's SHA-256 must equal the pin, and a
// detached Ed25519 signature over the 32 raw bytes of that SHA-256 must verify
// against a trusted publisher's key when the trust policy is signed-only.
// Each refusal has its own reason so status and Events can name it; checks
// run in a fixed order (hash, publisher, signature) and the first failure
// wins. OpenSSL 3 EVP does the cryptography; nothing here throws.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "operator/common/status.h"

namespace dw::pluginpolicy {

// Streaming SHA-256, so a bundle is hashed while it is fetched.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void Update(std::string_view data);
  // 32 raw bytes; the hasher is finished afterwards.
  std::string FinishRaw();
  static std::string Hex(std::string_view raw);

 private:
  struct Ctx;
  Ctx* ctx_;
};

enum class VerifyFailure {
  kNone,
  kHashMismatch,        // sha256 of the bytes != the pinned sha256
  kPublisherMismatch,   // manifest publisher != the publisher the spec expects
  kUnsigned,            // no signature under signed-only
  kPublisherUntrusted,  // signed, but the publisher has no trusted key
  kSignatureInvalid,    // signature malformed or does not verify
  kBadPublisherKey,     // a trusted key is not 32 bytes of base64 (config error)
};

// "HashMismatch", "Unsigned", ...: the reason string for conditions/Events.
const char* VerifyFailureName(VerifyFailure f);

struct TrustedPublisher {
  std::string name;
  std::string public_key_base64;  // raw 32-byte Ed25519 key, base64
};

struct VerifyInput {
  std::string_view sha256_raw;            // 32 bytes, as Sha256::FinishRaw gives
  std::string pinned_sha256_hex;          // from the spec (case-insensitive)
  std::string manifest_publisher;         // as the bundle declares it
  std::string expected_publisher;         // from the spec; empty: not pinned
  std::optional<std::string> signature;   // raw bytes of the .sig; nullopt: none
  bool signed_only = true;
  std::vector<TrustedPublisher> trusted;
};

struct VerifyResult {
  VerifyFailure failure = VerifyFailure::kNone;
  bool signature_present = false;
  bool signature_verified = false;
};

// OK, or Forbidden naming the reason ("sha256 mismatch: got ab.., pinned
// cd.."); *out is filled either way. Under allow-unsigned a present signature
// is still checked: a bad one from a trusted publisher is refused, one from
// an unknown publisher is reported unverified but not refused.
Status VerifyPackage(const VerifyInput& in, VerifyResult* out);

// One Ed25519 check: OK, or Forbidden (does not verify) / BadRequest (key or
// signature of the wrong size).
Status VerifyEd25519(std::string_view public_key32, std::string_view message,
                     std::string_view signature64);

}  // namespace dw::pluginpolicy
