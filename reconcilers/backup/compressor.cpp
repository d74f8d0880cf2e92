#include "reconcilers/backup/compressor.h"

#include <zlib.h>
#include <zstd.h>

#include <vector>

namespace dw::backup {

namespace {

// Shared bookkeeping: sticky errors and the once-only Finish.
class CompressorBase : public ByteSink {
 protected:
  explicit CompressorBase(ByteSink* next) : next_(next) {}
  Status Fail(Status st) {
    if (status_.ok()) status_ = std::move(st);
    return status_;
  }
  ByteSink* next_;
  Status status_;
};

class PassThrough final : public CompressorBase {
 public:
  explicit PassThrough(ByteSink* next) : CompressorBase(next) {}
  Status Write(std::string_view data) override {
    if (!status_.ok()) return status_;
    return Fail(next_->Write(data));
  }
  Status Finish() override {
    if (!status_.ok()) return status_;
    return Fail(next_->Finish());
  }
};

class ZstdCompressor final : public CompressorBase {
 public:
  ZstdCompressor(ByteSink* next, ZSTD_CCtx* cctx)
      : CompressorBase(next), cctx_(cctx), out_(ZSTD_CStreamOutSize()) {}
  ~ZstdCompressor() override { ZSTD_freeCCtx(cctx_); }

  Status Write(std::string_view data) override {
    if (!status_.ok()) return status_;
    ZSTD_inBuffer in{data.data(), data.size(), 0};
    while (in.pos < in.size) DW_RETURN_IF_ERROR(Step(&in, ZSTD_e_continue, nullptr));
    return Status::OK();
  }

  Status Finish() override {
    if (!status_.ok()) return status_;
    ZSTD_inBuffer in{nullptr, 0, 0};
    for (bool done = false; !done;) DW_RETURN_IF_ERROR(Step(&in, ZSTD_e_end, &done));
    return Fail(next_->Finish());
  }

 private:
  // One compressStream2 call; forwards whatever output it produced.
  Status Step(ZSTD_inBuffer* in, ZSTD_EndDirective mode, bool* done) {
    ZSTD_outBuffer out{out_.data(), out_.size(), 0};
    size_t rc = ZSTD_compressStream2(cctx_, &out, in, mode);
    if (ZSTD_isError(rc)) return Fail(Status::Internal(std::string("zstd: ") + ZSTD_getErrorName(rc)));
    if (done) *done = (rc == 0);
    if (out.pos > 0) return Fail(next_->Write(std::string_view(out_.data(), out.pos)));
    return Status::OK();
  }

  ZSTD_CCtx* cctx_;
  std::vector<char> out_;
};

class GzipCompressor final : public CompressorBase {
 public:
  explicit GzipCompressor(ByteSink* next) : CompressorBase(next), out_(128 * 1024) {}
  ~GzipCompressor() override {
    if (initialized_) deflateEnd(&zs_);
  }

  Status Init(int level) {
    // windowBits 15 + 16 asks zlib for a gzip header and CRC-32 trailer.
    if (deflateInit2(&zs_, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
      return Status::Internal("zlib: deflateInit2 failed");
    }
    initialized_ = true;
    return Status::OK();
  }

  Status Write(std::string_view data) override {
    if (!status_.ok()) return status_;
    // zlib counts in uInt; feed huge writes in slices.
    while (!data.empty()) {
      size_t take = std::min<size_t>(data.size(), 1u << 30);
      zs_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
      zs_.avail_in = static_cast<uInt>(take);
      while (zs_.avail_in > 0) DW_RETURN_IF_ERROR(Step(Z_NO_FLUSH, nullptr));
      data.remove_prefix(take);
    }
    return Status::OK();
  }

  Status Finish() override {
    if (!status_.ok()) return status_;
    zs_.next_in = nullptr;
    zs_.avail_in = 0;
    for (bool done = false; !done;) DW_RETURN_IF_ERROR(Step(Z_FINISH, &done));
    return Fail(next_->Finish());
  }

 private:
  Status Step(int flush, bool* done) {
    zs_.next_out = reinterpret_cast<Bytef*>(out_.data());
    zs_.avail_out = static_cast<uInt>(out_.size());
    int rc = deflate(&zs_, flush);
    if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
      return Fail(Status::Internal("zlib: deflate failed (" + std::to_string(rc) + ")"));
    }
    if (done) *done = (rc == Z_STREAM_END);
    size_t produced = out_.size() - zs_.avail_out;
    if (produced > 0) return Fail(next_->Write(std::string_view(out_.data(), produced)));
    return Status::OK();
  }

  z_stream zs_{};
  bool initialized_ = false;
  std::vector<char> out_;
};

Status MakeZstd(int level, ByteSink* next, std::unique_ptr<ByteSink>* out) {
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  if (cctx == nullptr) return Status::Internal("zstd: cannot allocate a compression context");
  auto c = std::make_unique<ZstdCompressor>(next, cctx);  // owns cctx from here on
  // nbWorkers 0: compression runs on the caller's thread, so memory stays
  // bounded and predictable; the checksum lets `zstd -t` verify plaintext files.
  for (auto [param, value] : {std::pair{ZSTD_c_compressionLevel, level},
                              std::pair{ZSTD_c_checksumFlag, 1}, std::pair{ZSTD_c_nbWorkers, 0}}) {
    size_t rc = ZSTD_CCtx_setParameter(cctx, param, value);
    if (ZSTD_isError(rc)) return Status::Internal(std::string("zstd: ") + ZSTD_getErrorName(rc));
  }
  *out = std::move(c);
  return Status::OK();
}

}  // namespace

Status MakeCompressor(Compression c, int level, ByteSink* next, std::unique_ptr<ByteSink>* out) {
  DW_RETURN_IF_ERROR(ValidateCompressionLevel(c, level));
  switch (c) {
    case Compression::kZstd:
      return MakeZstd(level, next, out);
    case Compression::kGzip: {
      auto g = std::make_unique<GzipCompressor>(next);
      DW_RETURN_IF_ERROR(g->Init(level));
      *out = std::move(g);
      return Status::OK();
    }
    case Compression::kNone:
      break;
  }
  *out = std::make_unique<PassThrough>(next);
  return Status::OK();
}

}  // namespace dw::backup
