// Streaming AES-256-GCM in the "DWENC1" chunked format (the STREAM
// construction; byte layout in docs/backup-format.md). The plaintext is cut
// into fixed-size chunks, each sealed on its own with nonce = base XOR chunk
// index, and with the header, the index, the final-chunk flag and the length
// bound in the associated data. Hence a reader detects any modified byte,
// swapped, dropped or duplicated chunks, a missing end (truncation) and bytes
// after the end, and it never releases a chunk's plaintext before its tag
// has been checked. Memory is one chunk on each side.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "reconcilers/backup/byte_stream.h"
#include "reconcilers/backup/encryption_key.h"

namespace dw::backup {

namespace dwenc {
inline constexpr std::string_view kMagic = "DWENC1";
inline constexpr uint8_t kVersion = 1;
inline constexpr uint8_t kAlgAes256Gcm = 1;
inline constexpr size_t kHeaderSize = 32;
inline constexpr size_t kFrameHeaderSize = 4;
inline constexpr size_t kTagSize = 16;
inline constexpr size_t kNonceSize = 12;
inline constexpr uint32_t kDefaultChunkSize = 64 * 1024;
inline constexpr uint32_t kMaxChunkSize = 16 * 1024 * 1024;
inline constexpr uint32_t kFinalFlag = 0x80000000u;
}  // namespace dwenc

// Encrypts into `next` (not owned). chunk_size: 1..16 MiB plaintext bytes.
Status MakeEncryptor(const EncryptionKey& key, ByteSink* next, std::unique_ptr<ByteSink>* out,
                     uint32_t chunk_size = dwenc::kDefaultChunkSize);

// Decrypts `upstream` (owned). Errors: Invalid for a stream that is not
// DWENC1 or has an unsupported version, Unauthorized for a key whose id
// differs from the header's, Corruption for truncation, tampering,
// reordering or trailing data, each naming the chunk index.
std::unique_ptr<ByteSource> MakeDecryptor(const EncryptionKey& key, std::unique_ptr<ByteSource> upstream);

// True when `head` starts with the DWENC1 magic.
bool LooksEncrypted(std::string_view head);

}  // namespace dw::backup
