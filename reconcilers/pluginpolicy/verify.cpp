// SHA-256 pin and Ed25519 checks over OpenSSL 3 EVP.
#include "reconcilers/pluginpolicy/verify.h"

#include <openssl/evp.h>

#include <cctype>
#include <memory>

#include "operator/common/base64.h"

namespace dw::pluginpolicy {

struct Sha256::Ctx {
  EVP_MD_CTX* md = nullptr;
};

Sha256::Sha256() : ctx_(new Ctx) {
  ctx_->md = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx_->md, EVP_sha256(), nullptr);
}

Sha256::~Sha256() {
  EVP_MD_CTX_free(ctx_->md);
  delete ctx_;
}

void Sha256::Update(std::string_view data) { EVP_DigestUpdate(ctx_->md, data.data(), data.size()); }

std::string Sha256::FinishRaw() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx_->md, digest, &len);
  return std::string(reinterpret_cast<const char*>(digest), len);
}

std::string Sha256::Hex(std::string_view raw) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  out.reserve(raw.size() * 2);
  for (unsigned char ch : raw) {
    out += kHex[ch >> 4];
    out += kHex[ch & 15];
  }
  return out;
}

const char* VerifyFailureName(VerifyFailure f) {
  switch (f) {
    case VerifyFailure::kNone: return "";
    case VerifyFailure::kHashMismatch: return "HashMismatch";
    case VerifyFailure::kPublisherMismatch: return "PublisherMismatch";
    case VerifyFailure::kUnsigned: return "Unsigned";
    case VerifyFailure::kPublisherUntrusted: return "PublisherUntrusted";
    case VerifyFailure::kSignatureInvalid: return "SignatureInvalid";
    case VerifyFailure::kBadPublisherKey: return "BadPublisherKey";
  }
  return "Unknown";
}

Status VerifyEd25519(std::string_view public_key32, std::string_view message,
                     std::string_view signature64) {
  if (public_key32.size() != 32)
    return Status::BadRequest("Ed25519 public key is " + std::to_string(public_key32.size()) +
                              " bytes, want 32");
  if (signature64.size() != 64)
    return Status::BadRequest("Ed25519 signature is " + std::to_string(signature64.size()) +
                              " bytes, want 64");
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr,
                                  reinterpret_cast<const unsigned char*>(public_key32.data()), 32),
      &EVP_PKEY_free);
  if (!key) return Status::BadRequest("not a valid Ed25519 public key");
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  // Ed25519 is one-shot (no digest, no update): the message is passed whole.
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1)
    return Status::Internal("Ed25519 verify init failed");
  int rc = EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature64.data()),
                            64, reinterpret_cast<const unsigned char*>(message.data()),
                            message.size());
  if (rc != 1) return Status::Forbidden("Ed25519 signature does not verify");
  return Status::OK();
}

namespace {

Status Refuse(VerifyResult* out, VerifyFailure f, const std::string& why) {
  out->failure = f;
  return Status::Forbidden(std::string(VerifyFailureName(f)) + ": " + why);
}

std::string Lower(std::string s) {
  for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

// Tries every trusted key of the publisher (several during a key rotation).
Status CheckSignature(const VerifyInput& in, const std::string& sig, VerifyResult* out) {
  bool known = false;
  for (const auto& tp : in.trusted) {
    if (tp.name != in.manifest_publisher) continue;
    known = true;
    std::string key;
    if (!Base64Decode(tp.public_key_base64, &key) || key.size() != 32)
      return Refuse(out, VerifyFailure::kBadPublisherKey,
                    "trusted key of publisher \"" + tp.name + "\" is not 32 bytes of base64");
    if (VerifyEd25519(key, in.sha256_raw, sig).ok()) {
      out->signature_verified = true;
      return Status::OK();
    }
  }
  if (!known) {
    if (!in.signed_only) return Status::OK();  // reported unverified, not refused
    return Refuse(out, VerifyFailure::kPublisherUntrusted,
                  "publisher \"" + in.manifest_publisher + "\" is not trusted");
  }
  return Refuse(out, VerifyFailure::kSignatureInvalid,
                "signature does not verify for publisher \"" + in.manifest_publisher + "\"");
}

}  // namespace

Status VerifyPackage(const VerifyInput& in, VerifyResult* out) {
  *out = VerifyResult{};
  out->signature_present = in.signature.has_value();
  std::string got = Sha256::Hex(in.sha256_raw);
  std::string pinned = Lower(in.pinned_sha256_hex);
  if (pinned.empty())
    return Refuse(out, VerifyFailure::kHashMismatch, "no sha256 pin to compare " + got + " with");
  if (got != pinned)
    return Refuse(out, VerifyFailure::kHashMismatch, "sha256 " + got + " does not match pinned " + pinned);
  if (!in.expected_publisher.empty() && in.manifest_publisher != in.expected_publisher)
    return Refuse(out, VerifyFailure::kPublisherMismatch,
                  "package declares publisher \"" + in.manifest_publisher + "\", spec expects \"" +
                      in.expected_publisher + "\"");
  if (!in.signature) {
    if (in.signed_only)
      return Refuse(out, VerifyFailure::kUnsigned, "signed-only policy: package is unsigned");
    return Status::OK();
  }
  return CheckSignature(in, *in.signature, out);
}

}  // namespace dw::pluginpolicy
