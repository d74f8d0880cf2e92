#include "reconcilers/backup/artifact_writer.h"

#include <unistd.h>

#include "reconcilers/backup/aead_stream.h"
#include "reconcilers/backup/compressor.h"

namespace dw::backup {

Status ArtifactWriter::Create(const std::string& dir, const std::string& name, const ArtifactOptions& options,
                              ArtifactMetadata metadata, std::unique_ptr<ArtifactWriter>* out) {
  std::unique_ptr<ArtifactWriter> w(new ArtifactWriter());
  w->dir_ = dir;
  w->write_metadata_ = options.write_metadata;
  int level = options.compression_level.value_or(DefaultCompressionLevel(options.compression));
  DW_RETURN_IF_ERROR(ValidateCompressionLevel(options.compression, level));

  metadata.format_version = kArtifactFormatVersion;
  metadata.artifact = name;
  metadata.compression = options.compression;
  metadata.compression_level = level;
  metadata.start_time = clock::Now();
  w->metadata_ = std::move(metadata);

  DW_RETURN_IF_ERROR(AtomicFileSink::Create(dir, name, &w->file_));
  w->artifact_hash_ = std::make_unique<HashingSink>(w->file_.get());
  ByteSink* next = w->artifact_hash_.get();
  if (options.key) {
    DW_RETURN_IF_ERROR(MakeEncryptor(*options.key, next, &w->encryptor_, options.chunk_size));
    next = w->encryptor_.get();
    w->metadata_.encryption = kEncryptionAesGcm;
    w->metadata_.encryption_format = std::string(dwenc::kMagic);
    w->metadata_.key_id = options.key->IdHex();
    w->metadata_.chunk_size = options.chunk_size;
  } else {
    w->metadata_.encryption = kEncryptionNone;
  }
  DW_RETURN_IF_ERROR(MakeCompressor(options.compression, level, next, &w->compressor_));
  next = w->compressor_.get();
  if (options.hash_dump) {
    w->dump_hash_ = std::make_unique<HashingSink>(next);
    next = w->dump_hash_.get();
  }
  w->counter_ = std::make_unique<CountingSink>(next);
  *out = std::move(w);
  return Status::OK();
}

Status ArtifactWriter::Fail(Status st) {
  if (status_.ok()) status_ = std::move(st);
  file_->Abort();
  return status_;
}

Status ArtifactWriter::Write(std::string_view data) {
  if (!status_.ok()) return status_;
  Status st = counter_->Write(data);
  return st.ok() ? st : Fail(std::move(st));
}

Status ArtifactWriter::Finish() {
  if (!status_.ok()) return status_;
  Status st = counter_->Finish();
  if (!st.ok()) return Fail(std::move(st));
  metadata_.end_time = clock::Now();
  metadata_.dump_bytes = counter_->bytes();
  metadata_.artifact_bytes = artifact_hash_->bytes();
  metadata_.artifact_sha256 = artifact_hash_->hex_digest();
  if (dump_hash_) metadata_.dump_sha256 = dump_hash_->hex_digest();
  if (!write_metadata_) return Status::OK();
  st = WriteMetadataFile(dir_, metadata_);
  if (!st.ok()) {
    // Without its sidecar an artifact cannot be verified: take it back.
    ::unlink(file_->final_path().c_str());
    status_ = st;
  }
  return st;
}

}  // namespace dw::backup
