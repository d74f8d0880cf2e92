#include "reconcilers/backup/artifact_reader.h"

#include <optional>
#include <vector>

#include "reconcilers/backup/aead_stream.h"
#include "reconcilers/backup/decompressor.h"
#include "reconcilers/backup/file_source.h"
#include "reconcilers/backup/hasher.h"

namespace dw::backup {

namespace {

constexpr size_t kReadBuffer = 256 * 1024;

// Drains `src`, returning its size and SHA-256.
Status HashAll(ByteSource* src, uint64_t* bytes, std::string* hex) {
  std::vector<char> buf(kReadBuffer);
  Sha256 sha;
  *bytes = 0;
  for (;;) {
    size_t n = 0;
    DW_RETURN_IF_ERROR(src->Read(buf.data(), buf.size(), &n));
    if (n == 0) break;
    sha.Update(std::string_view(buf.data(), n));
    *bytes += n;
  }
  *hex = sha.HexFinal();
  return Status::OK();
}

Status Mismatch(const std::string& path, const char* what, const std::string& want, const std::string& got) {
  return Status::Corruption(path + ": " + what + " mismatch: metadata records " + want + ", found " + got);
}

// What OpenStream expects; empty optionals mean "detect".
struct Expect {
  std::optional<bool> encrypted;
  std::optional<Compression> compression;
};

Status OpenStream(const std::string& path, const EncryptionKey* key, const Expect& expect,
                  std::unique_ptr<ByteSource>* out) {
  std::unique_ptr<FileSource> file;
  DW_RETURN_IF_ERROR(FileSource::Open(path, &file));
  std::string head;
  DW_RETURN_IF_ERROR(ReadUpTo(file.get(), dwenc::kMagic.size(), &head));
  bool encrypted = LooksEncrypted(head);
  if (expect.encrypted && *expect.encrypted != encrypted) {
    return Status::Corruption(path + (encrypted ? ": metadata says unencrypted but the file is DWENC1"
                                                : ": metadata says encrypted but the file has no DWENC1 header"));
  }
  if (encrypted && key == nullptr) return Status::Invalid(path + " is encrypted: a key is required");
  if (!encrypted && key != nullptr) return Status::Invalid(path + " is not encrypted but a key was given");
  std::unique_ptr<ByteSource> src = std::make_unique<PrefixedSource>(std::move(head), std::move(file));
  if (encrypted) src = MakeDecryptor(*key, std::move(src));

  Compression c;
  if (expect.compression) {
    c = *expect.compression;
  } else {
    // Sniffing reads (and for DWENC1 authenticates) the first chunk now,
    // so errors in it surface here rather than on the first Read.
    std::string magic;
    DW_RETURN_IF_ERROR(ReadUpTo(src.get(), 4, &magic));
    c = DetectCompression(magic);
    src = std::make_unique<PrefixedSource>(std::move(magic), std::move(src));
  }
  *out = MakeDecompressor(c, std::move(src));
  return Status::OK();
}

}  // namespace

Status VerifyArtifact(const std::string& path, const ArtifactMetadata& metadata) {
  std::unique_ptr<FileSource> file;
  DW_RETURN_IF_ERROR(FileSource::Open(path, &file));
  uint64_t bytes = 0;
  std::string hex;
  DW_RETURN_IF_ERROR(HashAll(file.get(), &bytes, &hex));
  if (bytes != metadata.artifact_bytes) {
    return Mismatch(path, "size", std::to_string(metadata.artifact_bytes) + " bytes", std::to_string(bytes) + " bytes");
  }
  if (hex != metadata.artifact_sha256) return Mismatch(path, "sha256", metadata.artifact_sha256, hex);
  return Status::OK();
}

Status OpenArtifact(const std::string& path, const EncryptionKey* key, std::unique_ptr<ByteSource>* out) {
  return OpenStream(path, key, Expect{}, out);
}

Status OpenArtifact(const std::string& path, const ArtifactMetadata& metadata, const EncryptionKey* key,
                    std::unique_ptr<ByteSource>* out) {
  bool encrypted = metadata.encryption != kEncryptionNone;
  if (encrypted && key != nullptr && key->IdHex() != metadata.key_id) {
    return Status::Unauthorized("wrong key: " + path + " was encrypted with key id " + metadata.key_id +
                                ", the given key has id " + key->IdHex());
  }
  return OpenStream(path, key, Expect{encrypted, metadata.compression}, out);
}

Status VerifyArtifactContent(const std::string& path, const ArtifactMetadata& metadata, const EncryptionKey* key) {
  std::unique_ptr<ByteSource> src;
  DW_RETURN_IF_ERROR(OpenArtifact(path, metadata, key, &src));
  uint64_t bytes = 0;
  std::string hex;
  DW_RETURN_IF_ERROR(HashAll(src.get(), &bytes, &hex));
  if (bytes != metadata.dump_bytes) {
    return Mismatch(path, "dump size", std::to_string(metadata.dump_bytes) + " bytes", std::to_string(bytes) + " bytes");
  }
  if (!metadata.dump_sha256.empty() && hex != metadata.dump_sha256) {
    return Mismatch(path, "dump sha256", metadata.dump_sha256, hex);
  }
  return Status::OK();
}

}  // namespace dw::backup
