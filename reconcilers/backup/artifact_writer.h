// Writes one backup artifact from a streamed dump. The caller pushes dump
// bytes (any size, any number of writes) and calls Finish; the bytes flow
//   count -> SHA-256 (plaintext) -> compress -> encrypt (optional)
//         -> SHA-256 + size (on-disk bytes) -> AtomicFileSink(DIR/NAME)
// with fixed-size buffers only. Finish makes DIR/NAME appear atomically,
// then writes the sidecar DIR/NAME.json (artifact_metadata.h); if the
// sidecar cannot be written the artifact is removed again, so a completed
// run always leaves both files and a failed or abandoned one neither.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "reconcilers/backup/artifact_metadata.h"
#include "reconcilers/backup/atomic_file_sink.h"
#include "reconcilers/backup/byte_stream.h"
#include "reconcilers/backup/counter.h"
#include "reconcilers/backup/encryption_key.h"
#include "reconcilers/backup/hasher.h"

namespace dw::backup {

struct ArtifactOptions {
  Compression compression = Compression::kZstd;
  std::optional<int> compression_level;  // default: DefaultCompressionLevel
  std::optional<EncryptionKey> key;      // set: AES-256-GCM (DWENC1)
  uint32_t chunk_size = 64 * 1024;       // DWENC1 plaintext chunk size
  bool hash_dump = true;                 // also SHA-256 the plaintext
  bool write_metadata = true;            // the NAME.json sidecar
};

class ArtifactWriter final : public ByteSink {
 public:
  // `metadata` carries the descriptive fields (engine, databases, container,
  // host, tool versions); the writer fills in the rest.
  static Status Create(const std::string& dir, const std::string& name, const ArtifactOptions& options,
                       ArtifactMetadata metadata, std::unique_ptr<ArtifactWriter>* out);

  Status Write(std::string_view data) override;
  Status Finish() override;

  // Tool versions learnt while the dump streams; call before Finish.
  void SetToolVersions(std::map<std::string, std::string> versions) {
    metadata_.tool_versions = std::move(versions);
  }
  // Plaintext bytes accepted so far; safe to read from another thread.
  uint64_t dump_bytes() const { return counter_->bytes(); }
  // Complete after a successful Finish.
  const ArtifactMetadata& metadata() const { return metadata_; }
  const std::string& path() const { return file_->final_path(); }

 private:
  ArtifactWriter() = default;
  Status Fail(Status st);

  std::string dir_;
  bool write_metadata_ = true;
  ArtifactMetadata metadata_;
  // Stages, each pointing at the next; destroyed head first.
  std::unique_ptr<AtomicFileSink> file_;
  std::unique_ptr<HashingSink> artifact_hash_;
  std::unique_ptr<ByteSink> encryptor_, compressor_;
  std::unique_ptr<HashingSink> dump_hash_;
  std::unique_ptr<CountingSink> counter_;
  Status status_;
};

}  // namespace dw::backup
