#include <catch2/catch.hpp>

#include <cctype>
#include <string>

#include "operator/common/base64.h"
#include "reconcilers/pluginpolicy/verify.h"
#include "tests/unit/pluginpolicy/test_keys.h"

using dw::Code;
using dw::pluginpolicy::Sha256;
using dw::pluginpolicy::TrustedPublisher;
using dw::pluginpolicy::VerifyEd25519;
using dw::pluginpolicy::VerifyFailure;
using dw::pluginpolicy::VerifyFailureName;
using dw::pluginpolicy::VerifyInput;
using dw::pluginpolicy::VerifyPackage;
using dw::pluginpolicy::VerifyResult;
using dw::pluginpolicy::testing::KeyPair;

namespace {

std::string Digest(std::string_view data) {
  Sha256 h;
  h.Update(data);
  return h.FinishRaw();
}

const std::string kBundle = R"({"manifest":{"name":"hello","publisher":"acme"},"wasm_base64":"AGFzbQ=="})";

struct Fixture {
  KeyPair acme, other;
  std::string digest = Digest(kBundle);
  VerifyInput Signed() const {
    VerifyInput in;
    in.sha256_raw = digest;
    in.pinned_sha256_hex = Sha256::Hex(digest);
    in.manifest_publisher = "acme";
    in.expected_publisher = "acme";
    in.signature = acme.Sign(digest);
    in.signed_only = true;
    in.trusted = {{"acme", acme.PublicB64()}, {"globex", other.PublicB64()}};
    return in;
  }
};

}  // namespace

TEST_CASE("Sha256 matches the known vectors, streamed or not", "[pluginpolicy][verify]") {
  CHECK(Sha256::Hex(Digest("")) ==
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(Sha256::Hex(Digest("abc")) ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  Sha256 h;
  h.Update("a");
  h.Update("");
  h.Update("bc");
  CHECK(Sha256::Hex(h.FinishRaw()) ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("a signed package from a trusted publisher verifies", "[pluginpolicy][verify]") {
  Fixture f;
  VerifyInput in = f.Signed();
  VerifyResult r;
  REQUIRE(VerifyPackage(in, &r).ok());
  CHECK(r.failure == VerifyFailure::kNone);
  CHECK(r.signature_present);
  CHECK(r.signature_verified);

  // The pin is compared case-insensitively (hex from a YAML file may be upper case).
  for (auto& ch : in.pinned_sha256_hex) ch = static_cast<char>(std::toupper(ch));
  REQUIRE(VerifyPackage(in, &r).ok());

  // A rotated key: a second entry for the same publisher also counts.
  KeyPair next;
  in = f.Signed();
  in.signature = next.Sign(f.digest);
  in.trusted.push_back({"acme", next.PublicB64()});
  REQUIRE(VerifyPackage(in, &r).ok());
  CHECK(r.signature_verified);
}

TEST_CASE("each refusal has its own reason", "[pluginpolicy][verify]") {
  Fixture f;
  VerifyResult r;

  SECTION("HashMismatch, always checked first") {
    VerifyInput in = f.Signed();
    in.pinned_sha256_hex = Sha256::Hex(Digest("something else"));
    in.signature.reset();  // would be Unsigned too: the hash wins
    auto st = VerifyPackage(in, &r);
    CHECK(st.code() == Code::kForbidden);
    CHECK(r.failure == VerifyFailure::kHashMismatch);
    CHECK(st.message() == "HashMismatch: sha256 " + Sha256::Hex(f.digest) +
                              " does not match pinned " + in.pinned_sha256_hex);
    in.pinned_sha256_hex.clear();
    CHECK(VerifyPackage(in, &r).code() == Code::kForbidden);
    CHECK(r.failure == VerifyFailure::kHashMismatch);
  }
  SECTION("PublisherMismatch") {
    VerifyInput in = f.Signed();
    in.expected_publisher = "globex";
    auto st = VerifyPackage(in, &r);
    CHECK(r.failure == VerifyFailure::kPublisherMismatch);
    CHECK(st.message() ==
          "PublisherMismatch: package declares publisher \"acme\", spec expects \"globex\"");
  }
  SECTION("Unsigned under signed-only") {
    VerifyInput in = f.Signed();
    in.signature.reset();
    auto st = VerifyPackage(in, &r);
    CHECK(r.failure == VerifyFailure::kUnsigned);
    CHECK(!r.signature_present);
    CHECK(st.message() == "Unsigned: signed-only policy: package is unsigned");
  }
  SECTION("PublisherUntrusted") {
    VerifyInput in = f.Signed();
    in.trusted = {{"globex", f.other.PublicB64()}};
    auto st = VerifyPackage(in, &r);
    CHECK(r.failure == VerifyFailure::kPublisherUntrusted);
    CHECK(st.message() == "PublisherUntrusted: publisher \"acme\" is not trusted");
  }
  SECTION("SignatureInvalid: wrong key, wrong message, tampered, truncated, empty") {
    VerifyInput in = f.Signed();
    in.signature = f.other.Sign(f.digest);  // signed by globex's key, claims acme
    CHECK(VerifyPackage(in, &r).code() == Code::kForbidden);
    CHECK(r.failure == VerifyFailure::kSignatureInvalid);
    CHECK(r.signature_present);
    CHECK(!r.signature_verified);

    in.signature = f.acme.Sign(kBundle);  // over the bundle, not its digest
    CHECK(VerifyPackage(in, &r).code() == Code::kForbidden);
    CHECK(r.failure == VerifyFailure::kSignatureInvalid);

    std::string tampered = f.acme.Sign(f.digest);
    tampered[10] ^= 1;
    in.signature = tampered;
    CHECK(VerifyPackage(in, &r).code() == Code::kForbidden);
    CHECK(r.failure == VerifyFailure::kSignatureInvalid);

    in.signature = f.acme.Sign(f.digest).substr(0, 63);
    CHECK(VerifyPackage(in, &r).code() == Code::kForbidden);
    CHECK(r.failure == VerifyFailure::kSignatureInvalid);

    in.signature = std::string();
    auto st = VerifyPackage(in, &r);
    CHECK(r.failure == VerifyFailure::kSignatureInvalid);
    CHECK(st.message() == "SignatureInvalid: signature does not verify for publisher \"acme\"");
  }
  SECTION("BadPublisherKey") {
    VerifyInput in = f.Signed();
    in.trusted = {{"acme", dw::Base64Encode("short")}};
    CHECK(VerifyPackage(in, &r).code() == Code::kForbidden);
    CHECK(r.failure == VerifyFailure::kBadPublisherKey);
    in.trusted = {{"acme", "!!not base64!!"}};
    CHECK(VerifyPackage(in, &r).code() == Code::kForbidden);
    CHECK(r.failure == VerifyFailure::kBadPublisherKey);
  }
}

TEST_CASE("allow-unsigned: unsigned passes, a present signature is still checked",
          "[pluginpolicy][verify]") {
  Fixture f;
  VerifyResult r;
  VerifyInput in = f.Signed();
  in.signed_only = false;

  REQUIRE(VerifyPackage(in, &r).ok());
  CHECK(r.signature_verified);

  in.signature.reset();
  REQUIRE(VerifyPackage(in, &r).ok());
  CHECK(!r.signature_present);
  CHECK(!r.signature_verified);

  in.signature = f.other.Sign(f.digest);  // bad signature from a trusted publisher
  CHECK(VerifyPackage(in, &r).code() == Code::kForbidden);
  CHECK(r.failure == VerifyFailure::kSignatureInvalid);

  in.trusted = {};  // unknown publisher: reported unverified, not refused
  REQUIRE(VerifyPackage(in, &r).ok());
  CHECK(r.signature_present);
  CHECK(!r.signature_verified);

  in.pinned_sha256_hex = std::string(64, '0');  // the pin still binds
  CHECK(VerifyPackage(in, &r).code() == Code::kForbidden);
  CHECK(r.failure == VerifyFailure::kHashMismatch);
}

TEST_CASE("VerifyEd25519 checks sizes and the signature", "[pluginpolicy][verify]") {
  KeyPair k;
  std::string msg = Digest("m");
  CHECK(VerifyEd25519(k.PublicRaw(), msg, k.Sign(msg)).ok());
  CHECK(VerifyEd25519(k.PublicRaw(), Digest("n"), k.Sign(msg)).code() == Code::kForbidden);
  CHECK(VerifyEd25519(k.PublicRaw().substr(1), msg, k.Sign(msg)).code() == Code::kBadRequest);
  CHECK(VerifyEd25519(k.PublicRaw(), msg, k.Sign(msg) + "x").code() == Code::kBadRequest);
  CHECK(std::string(VerifyFailureName(VerifyFailure::kPublisherUntrusted)) == "PublisherUntrusted");
  CHECK(std::string(VerifyFailureName(VerifyFailure::kHashMismatch)) == "HashMismatch");
}
