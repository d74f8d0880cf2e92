// The metadata sidecar of a backup artifact: NAME.json next to NAME, written
// atomically after the artifact itself. It says what was dumped (engine,
// databases, container, host), how (compression, encryption algorithm and
// key id, tool versions), and what a reader should find (sizes and SHA-256
// of the artifact bytes and of the plaintext dump). It never contains key
// material: only the key's public id.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "operator/common/clock.h"
#include "operator/common/status.h"
#include "reconcilers/backup/compression.h"

namespace dw::backup {

inline constexpr int kArtifactFormatVersion = 1;
inline constexpr const char* kEncryptionNone = "none";
inline constexpr const char* kEncryptionAesGcm = "AES-256-GCM";

struct ArtifactMetadata {
  int format_version = kArtifactFormatVersion;
  std::string artifact;  // file name of the artifact, without directory

  // What was dumped; filled by the caller.
  std::string engine;
  std::vector<std::string> databases;
  std::string container;
  std::string host;
  std::map<std::string, std::string> tool_versions;  // e.g. {"pg_dump": "15.4"}

  // How it is stored.
  Compression compression = Compression::kZstd;
  int compression_level = 0;
  std::string encryption = kEncryptionNone;  // or kEncryptionAesGcm
  std::string encryption_format;              // "DWENC1" when encrypted
  std::string key_id;                         // public key fingerprint, never the key
  uint32_t chunk_size = 0;

  // What a reader must find.
  uint64_t dump_bytes = 0;
  uint64_t artifact_bytes = 0;
  std::string artifact_sha256;
  std::string dump_sha256;  // empty when plaintext hashing was off

  clock::TimePoint start_time{};
  clock::TimePoint end_time{};
};

std::string MetadataToJson(const ArtifactMetadata& m);
// Strict: wrong types, unknown compression/encryption values, malformed
// checksums and a newer format version are errors naming the field.
Status MetadataFromJson(std::string_view json, ArtifactMetadata* out);

// "NAME.json".
std::string MetadataFileName(const std::string& artifact_name);
// Writes DIR/NAME.json atomically (AtomicFileSink); replaces nothing.
Status WriteMetadataFile(const std::string& dir, const ArtifactMetadata& m);
Status ReadMetadataFile(const std::string& path, ArtifactMetadata* out);

}  // namespace dw::backup
