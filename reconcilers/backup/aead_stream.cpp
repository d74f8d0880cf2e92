#include "reconcilers/backup/aead_stream.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <cstring>
#include <vector>

namespace dw::backup {

namespace {

using namespace dwenc;

void PutU32(uint8_t* p, uint32_t v) {
  for (int i = 3; i >= 0; --i, v >>= 8) p[i] = static_cast<uint8_t>(v);
}
void PutU64(uint8_t* p, uint64_t v) {
  for (int i = 7; i >= 0; --i, v >>= 8) p[i] = static_cast<uint8_t>(v);
}
uint32_t GetU32(const uint8_t* p) {
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3];
}

// The per-chunk nonce and associated data, shared by both directions so
// they cannot drift apart.
struct ChunkBinding {
  std::array<uint8_t, kNonceSize> nonce;
  std::array<uint8_t, kHeaderSize + 8 + 1 + 4> aad;

  ChunkBinding(const uint8_t* header, uint64_t index, bool final, uint32_t len) {
    std::memcpy(nonce.data(), header + 20, kNonceSize);
    uint8_t idx[8];
    PutU64(idx, index);
    for (int i = 0; i < 8; ++i) nonce[4 + i] ^= idx[i];
    std::memcpy(aad.data(), header, kHeaderSize);
    std::memcpy(aad.data() + kHeaderSize, idx, 8);
    aad[kHeaderSize + 8] = final ? 1 : 0;
    PutU32(aad.data() + kHeaderSize + 9, len);
  }
};

std::string ChunkName(uint64_t index) { return "chunk " + std::to_string(index); }

class Encryptor final : public ByteSink {
 public:
  Encryptor(ByteSink* next, uint32_t chunk_size)
      : next_(next), chunk_size_(chunk_size), plain_(chunk_size), frame_(kFrameHeaderSize + chunk_size + kTagSize) {}
  ~Encryptor() override { EVP_CIPHER_CTX_free(ctx_); }

  Status Init(const EncryptionKey& key) {
    header_[0] = 0;
    std::memcpy(header_.data(), kMagic.data(), kMagic.size());
    header_[6] = kVersion;
    header_[7] = kAlgAes256Gcm;
    PutU32(header_.data() + 8, chunk_size_);
    std::memcpy(header_.data() + 12, key.id().data(), EncryptionKey::kIdSize);
    if (RAND_bytes(header_.data() + 20, kNonceSize) != 1) return Status::Internal("RAND_bytes failed");
    ctx_ = EVP_CIPHER_CTX_new();
    if (ctx_ == nullptr || EVP_EncryptInit_ex(ctx_, EVP_aes_256_gcm(), nullptr, key.data(), nullptr) != 1) {
      return Status::Internal("AES-256-GCM unavailable");
    }
    return Status::OK();
  }

  Status Write(std::string_view data) override {
    if (!status_.ok()) return status_;
    DW_RETURN_IF_ERROR(EmitHeaderOnce());
    while (!data.empty()) {
      // A full chunk is sealed only once more data shows it is not the last.
      if (plain_len_ == chunk_size_) DW_RETURN_IF_ERROR(Seal(false));
      size_t take = std::min(data.size(), size_t{chunk_size_} - plain_len_);
      std::memcpy(plain_.data() + plain_len_, data.data(), take);
      plain_len_ += take;
      data.remove_prefix(take);
    }
    return Status::OK();
  }

  Status Finish() override {
    if (!status_.ok()) return status_;
    DW_RETURN_IF_ERROR(EmitHeaderOnce());
    DW_RETURN_IF_ERROR(Seal(true));
    return Fail(next_->Finish());
  }

 private:
  Status Fail(Status st) {
    if (status_.ok()) status_ = std::move(st);
    return status_;
  }

  Status EmitHeaderOnce() {
    if (header_sent_) return Status::OK();
    header_sent_ = true;
    return Fail(next_->Write(std::string_view(reinterpret_cast<char*>(header_.data()), kHeaderSize)));
  }

  Status Seal(bool final) {
    uint32_t len = static_cast<uint32_t>(plain_len_);
    ChunkBinding b(header_.data(), index_, final, len);
    uint8_t* out = frame_.data();
    PutU32(out, len | (final ? kFinalFlag : 0));
    int n = 0, fin = 0;
    bool ok = EVP_EncryptInit_ex(ctx_, nullptr, nullptr, nullptr, b.nonce.data()) == 1 &&
              EVP_EncryptUpdate(ctx_, nullptr, &n, b.aad.data(), static_cast<int>(b.aad.size())) == 1 &&
              EVP_EncryptUpdate(ctx_, out + kFrameHeaderSize, &n, plain_.data(), static_cast<int>(len)) == 1 &&
              EVP_EncryptFinal_ex(ctx_, out + kFrameHeaderSize + n, &fin) == 1 &&
              EVP_CIPHER_CTX_ctrl(ctx_, EVP_CTRL_GCM_GET_TAG, kTagSize, out + kFrameHeaderSize + len) == 1;
    if (!ok) return Fail(Status::Internal("AES-256-GCM encryption failed at " + ChunkName(index_)));
    ++index_;
    plain_len_ = 0;
    return Fail(next_->Write(
        std::string_view(reinterpret_cast<char*>(out), kFrameHeaderSize + len + kTagSize)));
  }

  ByteSink* next_;
  uint32_t chunk_size_;
  EVP_CIPHER_CTX* ctx_ = nullptr;
  std::array<uint8_t, kHeaderSize> header_{};
  bool header_sent_ = false;
  std::vector<uint8_t> plain_;
  size_t plain_len_ = 0;
  std::vector<uint8_t> frame_;
  uint64_t index_ = 0;
  Status status_;
};

class Decryptor final : public ByteSource {
 public:
  Decryptor(const EncryptionKey& key, std::unique_ptr<ByteSource> up) : key_(key), up_(std::move(up)) {}
  ~Decryptor() override { EVP_CIPHER_CTX_free(ctx_); }

  Status Read(char* buf, size_t cap, size_t* n) override {
    *n = 0;
    if (!status_.ok()) return status_;
    if (!started_) DW_RETURN_IF_ERROR(Fail(ReadHeader()));
    while (plain_pos_ == plain_len_ && !done_) DW_RETURN_IF_ERROR(Fail(OpenChunk()));
    *n = std::min(cap, plain_len_ - plain_pos_);
    std::memcpy(buf, plain_.data() + plain_pos_, *n);
    plain_pos_ += *n;
    return Status::OK();
  }

 private:
  Status Fail(Status st) {
    if (status_.ok()) status_ = std::move(st);
    return status_;
  }

  // Reads exactly `want` bytes unless the upstream ends first (*got < want).
  Status ReadFull(uint8_t* p, size_t want, size_t* got) {
    *got = 0;
    while (*got < want) {
      size_t n = 0;
      DW_RETURN_IF_ERROR(up_->Read(reinterpret_cast<char*>(p) + *got, want - *got, &n));
      if (n == 0) break;
      *got += n;
    }
    return Status::OK();
  }

  Status ReadHeader() {
    started_ = true;
    size_t got = 0;
    DW_RETURN_IF_ERROR(ReadFull(header_.data(), kHeaderSize, &got));
    if (got < kMagic.size() || std::memcmp(header_.data(), kMagic.data(), kMagic.size()) != 0) {
      return Status::Invalid("not a dockward encrypted stream (no DWENC1 magic)");
    }
    if (got < kHeaderSize) return Status::Corruption("encrypted stream truncated inside its header");
    if (header_[6] != kVersion) {
      return Status::Invalid("unsupported DWENC1 format version " + std::to_string(header_[6]));
    }
    if (header_[7] != kAlgAes256Gcm) {
      return Status::Invalid("unsupported DWENC1 algorithm " + std::to_string(header_[7]));
    }
    chunk_size_ = GetU32(header_.data() + 8);
    if (chunk_size_ == 0 || chunk_size_ > kMaxChunkSize) {
      return Status::Corruption("invalid DWENC1 chunk size " + std::to_string(chunk_size_));
    }
    if (std::memcmp(header_.data() + 12, key_.id().data(), EncryptionKey::kIdSize) != 0) {
      return Status::Unauthorized("wrong key: artifact was encrypted with key id " +
                                  HexEncode(header_.data() + 12, EncryptionKey::kIdSize) +
                                  ", the given key has id " + key_.IdHex());
    }
    ctx_ = EVP_CIPHER_CTX_new();
    if (ctx_ == nullptr || EVP_DecryptInit_ex(ctx_, EVP_aes_256_gcm(), nullptr, key_.data(), nullptr) != 1) {
      return Status::Internal("AES-256-GCM unavailable");
    }
    cipher_.resize(size_t{chunk_size_} + kTagSize);
    plain_.resize(chunk_size_);
    return Status::OK();
  }

  Status OpenChunk() {
    uint8_t fh[kFrameHeaderSize];
    size_t got = 0;
    DW_RETURN_IF_ERROR(ReadFull(fh, sizeof fh, &got));
    if (got < sizeof fh) {
      return Status::Corruption("encrypted stream truncated: it ends " +
                                std::string(got == 0 ? "before " : "inside the frame header of ") +
                                ChunkName(index_) + " without a final chunk");
    }
    uint32_t word = GetU32(fh);
    bool final = (word & kFinalFlag) != 0;
    uint32_t len = word & ~kFinalFlag;
    if (len > chunk_size_ || (!final && len != chunk_size_)) {
      return Status::Corruption(ChunkName(index_) + " has invalid length " + std::to_string(len) +
                                " for chunk size " + std::to_string(chunk_size_));
    }
    DW_RETURN_IF_ERROR(ReadFull(cipher_.data(), len + kTagSize, &got));
    if (got < len + kTagSize) {
      return Status::Corruption("encrypted stream truncated inside " + ChunkName(index_));
    }
    DW_RETURN_IF_ERROR(Decrypt(final, len));
    plain_pos_ = 0;
    plain_len_ = len;
    ++index_;
    if (final) {
      done_ = true;
      uint8_t extra;
      DW_RETURN_IF_ERROR(ReadFull(&extra, 1, &got));
      if (got != 0) return Status::Corruption("unexpected data after the final chunk (" + ChunkName(index_ - 1) + ")");
    }
    return Status::OK();
  }

  Status Decrypt(bool final, uint32_t len) {
    ChunkBinding b(header_.data(), index_, final, len);
    int n = 0, fin = 0;
    bool ok = EVP_DecryptInit_ex(ctx_, nullptr, nullptr, nullptr, b.nonce.data()) == 1 &&
              EVP_DecryptUpdate(ctx_, nullptr, &n, b.aad.data(), static_cast<int>(b.aad.size())) == 1 &&
              EVP_DecryptUpdate(ctx_, plain_.data(), &n, cipher_.data(), static_cast<int>(len)) == 1 &&
              EVP_CIPHER_CTX_ctrl(ctx_, EVP_CTRL_GCM_SET_TAG, kTagSize, cipher_.data() + len) == 1 &&
              EVP_DecryptFinal_ex(ctx_, plain_.data() + n, &fin) == 1;
    if (!ok) {
      return Status::Corruption("authentication failed for " + ChunkName(index_) +
                                ": the artifact was modified, reordered or truncated");
    }
    return Status::OK();
  }

  EncryptionKey key_;
  std::unique_ptr<ByteSource> up_;
  EVP_CIPHER_CTX* ctx_ = nullptr;
  std::array<uint8_t, kHeaderSize> header_{};
  uint32_t chunk_size_ = 0;
  std::vector<uint8_t> cipher_, plain_;
  size_t plain_pos_ = 0, plain_len_ = 0;
  uint64_t index_ = 0;
  bool started_ = false, done_ = false;
  Status status_;
};

}  // namespace

Status MakeEncryptor(const EncryptionKey& key, ByteSink* next, std::unique_ptr<ByteSink>* out,
                     uint32_t chunk_size) {
  if (chunk_size == 0 || chunk_size > kMaxChunkSize) {
    return Status::Invalid("encryption chunk size must be 1..16777216 bytes, got " + std::to_string(chunk_size));
  }
  auto e = std::make_unique<Encryptor>(next, chunk_size);
  DW_RETURN_IF_ERROR(e->Init(key));
  *out = std::move(e);
  return Status::OK();
}

std::unique_ptr<ByteSource> MakeDecryptor(const EncryptionKey& key, std::unique_ptr<ByteSource> upstream) {
  return std::make_unique<Decryptor>(key, std::move(upstream));
}

bool LooksEncrypted(std::string_view head) { return head.substr(0, kMagic.size()) == kMagic; }

}  // namespace dw::backup
