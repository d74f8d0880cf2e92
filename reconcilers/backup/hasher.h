// SHA-256 for artifacts: a plain incremental hasher, and a pass-through
// ByteSink that hashes and counts every byte on its way to `next` (placed
// last in the chain it sees exactly the bytes that land on disk; placed first
// it fingerprints the plaintext dump). OpenSSL's EVP picks the SHA-NI / AVX2
// code paths, which matters at dump speeds.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "reconcilers/backup/byte_stream.h"

struct evp_md_ctx_st;

namespace dw::backup {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void Update(std::string_view data);
  // 64 lowercase hex digits; the hasher must not be used afterwards.
  std::string HexFinal();

 private:
  evp_md_ctx_st* ctx_;
};

class HashingSink final : public ByteSink {
 public:
  explicit HashingSink(ByteSink* next) : next_(next) {}
  Status Write(std::string_view data) override;
  Status Finish() override;

  uint64_t bytes() const { return bytes_; }
  // Valid after a successful Finish.
  const std::string& hex_digest() const { return digest_; }

 private:
  ByteSink* next_;
  Sha256 sha_;
  uint64_t bytes_ = 0;
  std::string digest_;
  Status status_;
};

}  // namespace dw::backup
