// The AES-256 key that encrypts backup artifacts. It comes from a Secret as
// either the 32 raw bytes or their base64 text (padded or not; whitespace
// such as a trailing newline ignored); every other length is refused. Its id
// is a public fingerprint (hex of the first 8 bytes of
// SHA-256("dockward-backup-key-id-v1" || key)), recorded in the artifact
// header and metadata so a wrong key is reported as such, not as damage.
// The key bytes are wiped on destruction and never appear in any message.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "operator/common/status.h"

namespace dw::backup {

class EncryptionKey {
 public:
  static constexpr size_t kSize = 32;
  static constexpr size_t kIdSize = 8;

  EncryptionKey() = default;
  EncryptionKey(const EncryptionKey& other) = default;
  EncryptionKey& operator=(const EncryptionKey& other) = default;
  ~EncryptionKey();

  // Raw 32 bytes, or base64 of 32 bytes.
  static Status Parse(std::string_view material, EncryptionKey* out);

  const uint8_t* data() const { return bytes_.data(); }
  const std::array<uint8_t, kIdSize>& id() const { return id_; }
  // 16 lowercase hex digits.
  std::string IdHex() const;

 private:
  std::array<uint8_t, kSize> bytes_{};
  std::array<uint8_t, kIdSize> id_{};
};

std::string HexEncode(const uint8_t* data, size_t n);

}  // namespace dw::backup
