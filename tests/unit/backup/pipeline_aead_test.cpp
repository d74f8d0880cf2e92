#include <catch2/catch.hpp>

#include <openssl/evp.h>

#include <cstring>

#include "reconcilers/backup/aead_stream.h"
#include "tests/unit/backup/pipeline_util.h"

namespace dw::backup {
namespace {

using testing::KeyFromSeed;
using testing::RandomData;
using testing::ReadAll;

constexpr uint32_t kChunk = 64;
constexpr size_t kFrame = 4 + kChunk + 16;  // one full chunk on the wire

std::string Encrypt(const std::string& plain, const EncryptionKey& key, uint32_t chunk = kChunk,
                    size_t write_size = 7) {
  StringSink sink;
  std::unique_ptr<ByteSink> enc;
  REQUIRE(MakeEncryptor(key, &sink, &enc, chunk).ok());
  for (size_t i = 0; i < plain.size(); i += write_size) {
    REQUIRE(enc->Write(std::string_view(plain).substr(i, write_size)).ok());
  }
  REQUIRE(enc->Finish().ok());
  REQUIRE(sink.finished());
  return sink.data();
}

Status Decrypt(const std::string& wire, const EncryptionKey& key, std::string* plain) {
  auto dec = MakeDecryptor(key, std::make_unique<StringSource>(wire));
  return ReadAll(dec.get(), plain);
}

size_t WireSize(size_t plain, uint32_t chunk = kChunk) {
  size_t full = plain == 0 ? 0 : (plain - 1) / chunk;  // the last chunk is always the final one
  size_t last = plain - full * chunk;
  return 32 + full * (4 + chunk + 16) + 4 + last + 16;
}

TEST_CASE("DWENC1 round trips at chunk boundaries with exact sizes", "[backup][aead]") {
  EncryptionKey key = KeyFromSeed(1);
  for (size_t n : {size_t{0}, size_t{1}, size_t{kChunk - 1}, size_t{kChunk}, size_t{kChunk + 1},
                   size_t{5 * kChunk}, size_t{5 * kChunk + 3}, size_t{100000}}) {
    for (size_t ws : {size_t{1}, size_t{kChunk}, size_t{1 << 20}}) {
      if (n > 1000 && ws == 1) continue;
      CAPTURE(n, ws);
      std::string plain = RandomData(n, static_cast<uint32_t>(n));
      std::string wire = Encrypt(plain, key, kChunk, ws);
      CHECK(wire.size() == WireSize(n));
      CHECK(wire.compare(0, 6, "DWENC1") == 0);
      CHECK(static_cast<uint8_t>(wire[6]) == 1);
      CHECK(static_cast<uint8_t>(wire[7]) == 1);
      std::string back;
      REQUIRE(Decrypt(wire, key, &back).ok());
      CHECK(back == plain);
    }
  }
}

TEST_CASE("DWENC1 default chunk size is 64 KiB", "[backup][aead]") {
  EncryptionKey key = KeyFromSeed(2);
  std::string plain = RandomData(3 * 65536 + 1);
  std::string wire = Encrypt(plain, key, dwenc::kDefaultChunkSize, 100000);
  CHECK(wire.size() == WireSize(plain.size(), 65536));
  std::string back;
  REQUIRE(Decrypt(wire, key, &back).ok());
  CHECK(back == plain);
}

TEST_CASE("DWENC1 uses a fresh nonce per stream", "[backup][aead]") {
  EncryptionKey key = KeyFromSeed(3);
  std::string a = Encrypt("same plaintext", key), b = Encrypt("same plaintext", key);
  CHECK(a.substr(20, 12) != b.substr(20, 12));
  CHECK(a.substr(32) != b.substr(32));
}

// Decrypts chunk `index` of `wire` with OpenSSL directly, following
// docs/backup-format.md, so the document and the code cannot disagree.
std::string DecryptPerSpec(const std::string& wire, const EncryptionKey& key, size_t offset, uint64_t index) {
  auto u8 = [&](size_t i) { return static_cast<uint8_t>(wire[i]); };
  uint32_t word = uint32_t{u8(offset)} << 24 | uint32_t{u8(offset + 1)} << 16 | u8(offset + 2) << 8 | u8(offset + 3);
  bool final = word >> 31;
  uint32_t len = word & 0x7fffffff;
  unsigned char nonce[12], aad[32 + 13];
  for (int i = 0; i < 12; ++i) nonce[i] = u8(20 + i);
  for (int i = 0; i < 8; ++i) nonce[4 + i] ^= static_cast<uint8_t>(index >> (56 - 8 * i));
  std::memcpy(aad, wire.data(), 32);
  for (int i = 0; i < 8; ++i) aad[32 + i] = static_cast<uint8_t>(index >> (56 - 8 * i));
  aad[40] = final ? 1 : 0;
  for (int i = 0; i < 4; ++i) aad[41 + i] = static_cast<uint8_t>(len >> (24 - 8 * i));
  std::string out(len, '\0');
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  int n = 0, fin = 0;
  bool ok = EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), nullptr, key.data(), nonce) == 1 &&
            EVP_DecryptUpdate(ctx, nullptr, &n, aad, sizeof aad) == 1 &&
            EVP_DecryptUpdate(ctx, reinterpret_cast<unsigned char*>(out.data()), &n,
                              reinterpret_cast<const unsigned char*>(wire.data() + offset + 4), len) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16,
                                const_cast<char*>(wire.data() + offset + 4 + len)) == 1 &&
            EVP_DecryptFinal_ex(ctx, reinterpret_cast<unsigned char*>(out.data()) + n, &fin) == 1;
  EVP_CIPHER_CTX_free(ctx);
  return ok ? out : "<auth failure>";
}

TEST_CASE("DWENC1 wire format matches the documented layout", "[backup][aead]") {
  EncryptionKey key = KeyFromSeed(4);
  std::string plain = RandomData(2 * kChunk + 5);
  std::string wire = Encrypt(plain, key);
  CHECK(wire.substr(8, 4) == std::string("\0\0\0\x40", 4));  // chunk size, big endian
  CHECK(wire.substr(12, 8) == std::string(reinterpret_cast<const char*>(key.id().data()), 8));
  CHECK(static_cast<uint8_t>(wire[32]) == 0x00);  // chunk 0: not final, length 64
  CHECK(static_cast<uint8_t>(wire[32 + 3]) == 64);
  CHECK(static_cast<uint8_t>(wire[32 + 2 * kFrame]) == 0x80);  // chunk 2: final flag, length 5
  CHECK(static_cast<uint8_t>(wire[32 + 2 * kFrame + 3]) == 5);
  CHECK(DecryptPerSpec(wire, key, 32, 0) == plain.substr(0, kChunk));
  CHECK(DecryptPerSpec(wire, key, 32 + kFrame, 1) == plain.substr(kChunk, kChunk));
  CHECK(DecryptPerSpec(wire, key, 32 + 2 * kFrame, 2) == plain.substr(2 * kChunk));
  CHECK(DecryptPerSpec(wire, key, 32 + kFrame, 0) == "<auth failure>");  // index is bound
}

TEST_CASE("DWENC1 detects every single-byte modification", "[backup][aead]") {
  EncryptionKey key = KeyFromSeed(5);
  std::string plain = RandomData(4 * kChunk + 10);
  std::string wire = Encrypt(plain, key);
  for (size_t i = 0; i < wire.size(); ++i) {
    CAPTURE(i);
    std::string bad = wire;
    bad[i] ^= 0x01;
    std::string got;
    Status st = Decrypt(bad, key, &got);
    REQUIRE_FALSE(st.ok());
    if (i < 6) {
      CHECK(st.message() == "not a dockward encrypted stream (no DWENC1 magic)");
    } else if (i == 6) {
      CHECK(st.message() == "unsupported DWENC1 format version 0");
    } else if (i == 7) {
      CHECK(st.message() == "unsupported DWENC1 algorithm 0");
    } else if (i >= 12 && i < 20) {
      CHECK(st.code() == Code::kUnauthorized);
      CHECK(st.message().find("wrong key") == 0);
    } else if (i >= 20) {
      CHECK(st.code() == Code::kCorruption);
      size_t chunk = i < 32 ? 0 : (i - 32) / kFrame;
      CHECK(st.message().find("chunk " + std::to_string(chunk)) != std::string::npos);
    }
    // Nothing from the damaged chunk (or later) is ever released.
    size_t first_bad = i < 32 ? 0 : (i - 32) / kFrame;
    CHECK(got == plain.substr(0, std::min(got.size(), first_bad * kChunk)));
    CHECK(got.size() <= first_bad * kChunk);
  }
}

TEST_CASE("DWENC1 reports the exact damage", "[backup][aead]") {
  EncryptionKey key = KeyFromSeed(6);
  std::string plain = RandomData(4 * kChunk + 10);
  std::string wire = Encrypt(plain, key);
  std::string got;

  SECTION("flipped ciphertext byte in chunk 2") {
    std::string bad = wire;
    bad[32 + 2 * kFrame + 10] ^= 0x80;
    Status st = Decrypt(bad, key, &got);
    CHECK(st.code() == Code::kCorruption);
    CHECK(st.message() == "authentication failed for chunk 2: the artifact was modified, reordered or truncated");
    CHECK(got == plain.substr(0, 2 * kChunk));
  }
  SECTION("flipped tag byte of the final chunk") {
    std::string bad = wire;
    bad[bad.size() - 1] ^= 0x01;
    Status st = Decrypt(bad, key, &got);
    CHECK(st.message() == "authentication failed for chunk 4: the artifact was modified, reordered or truncated");
  }
  SECTION("last chunk dropped") {
    Status st = Decrypt(wire.substr(0, 32 + 4 * kFrame), key, &got);
    CHECK(st.code() == Code::kCorruption);
    CHECK(st.message() == "encrypted stream truncated: it ends before chunk 4 without a final chunk");
  }
  SECTION("last chunk dropped and the final flag forged on the one before") {
    std::string bad = wire.substr(0, 32 + 4 * kFrame);
    bad[32 + 3 * kFrame] = static_cast<char>(0x80);
    Status st = Decrypt(bad, key, &got);
    CHECK(st.message() == "authentication failed for chunk 3: the artifact was modified, reordered or truncated");
  }
  SECTION("two chunks swapped") {
    std::string bad = wire.substr(0, 32) + wire.substr(32 + kFrame, kFrame) + wire.substr(32, kFrame) +
                      wire.substr(32 + 2 * kFrame);
    REQUIRE(bad.size() == wire.size());
    Status st = Decrypt(bad, key, &got);
    CHECK(st.message() == "authentication failed for chunk 0: the artifact was modified, reordered or truncated");
    CHECK(got.empty());
  }
  SECTION("a chunk duplicated") {
    std::string bad = wire.substr(0, 32 + 2 * kFrame) + wire.substr(32 + kFrame);
    Status st = Decrypt(bad, key, &got);
    CHECK(st.message() == "authentication failed for chunk 2: the artifact was modified, reordered or truncated");
  }
  SECTION("trailing bytes after the final chunk") {
    Status st = Decrypt(wire + "x", key, &got);
    CHECK(st.code() == Code::kCorruption);
    CHECK(st.message() == "unexpected data after the final chunk (chunk 4)");
    CHECK(got == plain.substr(0, 4 * kChunk));  // the final chunk is held back until the end is proven
  }
  SECTION("a second stream appended") {
    Status st = Decrypt(wire + wire, key, &got);
    CHECK(st.message() == "unexpected data after the final chunk (chunk 4)");
  }
  SECTION("oversized length field") {
    std::string bad = wire;
    bad[32 + 2] = 0x01;  // 64 + 256
    Status st = Decrypt(bad, key, &got);
    CHECK(st.message() == "chunk 0 has invalid length 320 for chunk size 64");
  }
  SECTION("short non-final chunk") {
    std::string bad = wire;
    bad[32 + 3] = 63;
    Status st = Decrypt(bad, key, &got);
    CHECK(st.message() == "chunk 0 has invalid length 63 for chunk size 64");
  }
  SECTION("wrong key") {
    Status st = Decrypt(wire, KeyFromSeed(7), &got);
    CHECK(st.code() == Code::kUnauthorized);
    CHECK(st.message() == "wrong key: artifact was encrypted with key id " + key.IdHex() +
                              ", the given key has id " + KeyFromSeed(7).IdHex());
  }
  SECTION("key id forged to match a wrong key") {
    EncryptionKey other = KeyFromSeed(8);
    std::string bad = wire;
    std::memcpy(bad.data() + 12, other.id().data(), 8);
    Status st = Decrypt(bad, other, &got);
    CHECK(st.message() == "authentication failed for chunk 0: the artifact was modified, reordered or truncated");
  }
  SECTION("not encrypted at all") {
    Status st = Decrypt("COPY public.users FROM stdin;\n", key, &got);
    CHECK(st.code() == Code::kInvalid);
    CHECK(st.message() == "not a dockward encrypted stream (no DWENC1 magic)");
  }
}

TEST_CASE("DWENC1 rejects truncation at every offset", "[backup][aead]") {
  EncryptionKey key = KeyFromSeed(9);
  for (size_t n : {size_t{0}, size_t{kChunk}, size_t{3 * kChunk + 1}}) {
    std::string wire = Encrypt(RandomData(n), key);
    for (size_t cut = 0; cut < wire.size(); ++cut) {
      CAPTURE(n, cut);
      std::string got;
      Status st = Decrypt(wire.substr(0, cut), key, &got);
      REQUIRE_FALSE(st.ok());
      if (cut < 6) {
        CHECK(st.message() == "not a dockward encrypted stream (no DWENC1 magic)");
      } else if (cut < 32) {
        CHECK(st.message() == "encrypted stream truncated inside its header");
      } else {
        size_t chunk = (cut - 32) / kFrame;
        size_t in_frame = (cut - 32) % kFrame;
        std::string c = "chunk " + std::to_string(chunk);
        if (in_frame == 0) {
          CHECK(st.message() == "encrypted stream truncated: it ends before " + c + " without a final chunk");
        } else if (in_frame < 4) {
          CHECK(st.message() == "encrypted stream truncated: it ends inside the frame header of " + c +
                                    " without a final chunk");
        } else {
          CHECK(st.message() == "encrypted stream truncated inside " + c);
        }
      }
    }
  }
}

TEST_CASE("Encryptor refuses invalid chunk sizes", "[backup][aead]") {
  StringSink sink;
  std::unique_ptr<ByteSink> enc;
  Status st = MakeEncryptor(KeyFromSeed(1), &sink, &enc, 0);
  CHECK(st.code() == Code::kInvalid);
  CHECK(st.message() == "encryption chunk size must be 1..16777216 bytes, got 0");
  CHECK_FALSE(MakeEncryptor(KeyFromSeed(1), &sink, &enc, dwenc::kMaxChunkSize + 1).ok());
  CHECK(MakeEncryptor(KeyFromSeed(1), &sink, &enc, dwenc::kMaxChunkSize).ok());
}

TEST_CASE("EncryptionKey accepts raw or base64 32-byte keys only", "[backup][aead]") {
  std::string raw;
  for (int i = 0; i < 32; ++i) raw.push_back(static_cast<char>(i));
  const std::string b64 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
  EncryptionKey a, b, c, d;
  REQUIRE(EncryptionKey::Parse(raw, &a).ok());
  CHECK(a.IdHex() == "827019e535a73dae");  // sha256("dockward-backup-key-id-v1" || key)[:8]
  REQUIRE(EncryptionKey::Parse(b64, &b).ok());
  REQUIRE(EncryptionKey::Parse(b64.substr(0, 43), &c).ok());  // unpadded
  REQUIRE(EncryptionKey::Parse(b64 + "\n", &d).ok());         // as pasted into a Secret
  CHECK(std::memcmp(a.data(), b.data(), 32) == 0);
  CHECK(std::memcmp(a.data(), c.data(), 32) == 0);
  CHECK(std::memcmp(a.data(), d.data(), 32) == 0);

  EncryptionKey bad;
  Status st = EncryptionKey::Parse(raw.substr(0, 31) + "\xff", &bad);  // 32 raw bytes: accepted as raw
  CHECK(st.ok());
  st = EncryptionKey::Parse("c2hvcnQga2V5IDE2Ynl0ZQ==", &bad);  // base64 of 16 bytes
  CHECK(st.code() == Code::kInvalid);
  CHECK(st.message() == "encryption key must be 32 bytes (AES-256); base64 decoded to 16 bytes");
  std::string secret31 = "s3cr3t-value-with-31-bytes!!!!!";
  REQUIRE(secret31.size() == 31);
  st = EncryptionKey::Parse(secret31, &bad);
  CHECK(st.code() == Code::kInvalid);
  CHECK(st.message() == "encryption key must be 32 raw bytes or base64 of 32 bytes; got 31 bytes that are not valid base64");
  CHECK(st.message().find(secret31) == std::string::npos);
  CHECK_FALSE(EncryptionKey::Parse("", &bad).ok());
  CHECK_FALSE(EncryptionKey::Parse(std::string(33, 'A') + "!", &bad).ok());
}

}  // namespace
}  // namespace dw::backup
