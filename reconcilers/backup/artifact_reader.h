// Reading artifacts back. VerifyArtifact re-reads the on-disk bytes and
// checks size and SHA-256 against the sidecar (cheap, no key needed).
// OpenArtifact streams the plaintext dump back (decrypt, verifying every
// chunk, then decompress) for restore and `dockward backup decrypt`;
// VerifyArtifactContent drains that stream and checks the plaintext size
// and SHA-256, which also proves the compressed stream is complete.
#pragma once

#include <memory>
#include <string>

#include "reconcilers/backup/artifact_metadata.h"
#include "reconcilers/backup/byte_stream.h"
#include "reconcilers/backup/encryption_key.h"

namespace dw::backup {

// Corruption naming expected and actual size or digest on mismatch.
Status VerifyArtifact(const std::string& path, const ArtifactMetadata& metadata);

// Encryption is recognised by the DWENC1 magic, compression by the zstd or
// gzip magic of the (decrypted) stream. `key` may be null for unencrypted
// artifacts; an encrypted artifact without a key, or a key for an
// unencrypted one, is an Invalid error.
Status OpenArtifact(const std::string& path, const EncryptionKey* key, std::unique_ptr<ByteSource>* out);

// As above, but insists that the file matches what `metadata` records
// (encryption, key id, compression) rather than guessing.
Status OpenArtifact(const std::string& path, const ArtifactMetadata& metadata, const EncryptionKey* key,
                    std::unique_ptr<ByteSource>* out);

Status VerifyArtifactContent(const std::string& path, const ArtifactMetadata& metadata, const EncryptionKey* key);

}  // namespace dw::backup
