#include "reconcilers/backup/decompressor.h"

#include <zlib.h>
#include <zstd.h>

#include <vector>

namespace dw::backup {

namespace {

// Owns the upstream and an input buffer refilled from it on demand.
class DecompressorBase : public ByteSource {
 protected:
  DecompressorBase(std::unique_ptr<ByteSource> up, size_t in_size)
      : up_(std::move(up)), in_(in_size) {}

  // Refills the input buffer when it is drained; sets eof_ at upstream end.
  Status Refill() {
    if (in_pos_ < in_len_ || eof_) return Status::OK();
    in_pos_ = 0;
    DW_RETURN_IF_ERROR(up_->Read(in_.data(), in_.size(), &in_len_));
    eof_ = (in_len_ == 0);
    return Status::OK();
  }
  Status Fail(Status st) {
    if (status_.ok()) status_ = std::move(st);
    return status_;
  }

  std::unique_ptr<ByteSource> up_;
  std::vector<char> in_;
  size_t in_pos_ = 0, in_len_ = 0;
  bool eof_ = false;
  Status status_;
};

class ZstdDecompressor final : public DecompressorBase {
 public:
  explicit ZstdDecompressor(std::unique_ptr<ByteSource> up)
      : DecompressorBase(std::move(up), ZSTD_DStreamInSize()), dctx_(ZSTD_createDCtx()) {
    // Our writer uses levels 1..19, whose windows are <= 8 MiB; refusing
    // larger windows keeps a hostile file from costing memory.
    if (dctx_ != nullptr) ZSTD_DCtx_setParameter(dctx_, ZSTD_d_windowLogMax, 23);
  }
  ~ZstdDecompressor() override { ZSTD_freeDCtx(dctx_); }

  Status Read(char* buf, size_t cap, size_t* n) override {
    *n = 0;
    if (!status_.ok()) return status_;
    if (dctx_ == nullptr) return Fail(Status::Internal("zstd: cannot allocate a decompression context"));
    while (*n == 0 && cap > 0) {
      DW_RETURN_IF_ERROR(Fail(Refill()));
      if (eof_) {
        if (frame_open_ || !started_) return Fail(Status::Corruption("zstd stream truncated (frame not finished)"));
        return Status::OK();
      }
      ZSTD_inBuffer in{in_.data(), in_len_, in_pos_};
      ZSTD_outBuffer out{buf, cap, 0};
      size_t rc = ZSTD_decompressStream(dctx_, &out, &in);
      if (ZSTD_isError(rc)) return Fail(Status::Corruption(std::string("zstd: ") + ZSTD_getErrorName(rc)));
      in_pos_ = in.pos;
      frame_open_ = (rc != 0);
      started_ = true;
      *n = out.pos;
    }
    return Status::OK();
  }

 private:
  ZSTD_DCtx* dctx_;
  bool frame_open_ = false;
  bool started_ = false;  // an empty input is not a valid (empty) zstd stream
};

class GzipDecompressor final : public DecompressorBase {
 public:
  explicit GzipDecompressor(std::unique_ptr<ByteSource> up) : DecompressorBase(std::move(up), 128 * 1024) {
    // 15 + 16: expect a gzip header and verify the CRC-32/length trailer.
    initialized_ = inflateInit2(&zs_, 15 + 16) == Z_OK;
  }
  ~GzipDecompressor() override {
    if (initialized_) inflateEnd(&zs_);
  }

  Status Read(char* buf, size_t cap, size_t* n) override {
    *n = 0;
    if (!status_.ok()) return status_;
    if (!initialized_) return Fail(Status::Internal("zlib: inflateInit2 failed"));
    while (*n == 0 && cap > 0) {
      DW_RETURN_IF_ERROR(Fail(Refill()));
      if (eof_) {
        if (member_open_ || !started_) return Fail(Status::Corruption("gzip stream truncated (no trailer)"));
        return Status::OK();
      }
      if (!member_open_) {  // concatenated members, as gzip(1) accepts
        inflateReset(&zs_);
        member_open_ = true;
        started_ = true;
      }
      zs_.next_in = reinterpret_cast<Bytef*>(in_.data() + in_pos_);
      zs_.avail_in = static_cast<uInt>(in_len_ - in_pos_);
      zs_.next_out = reinterpret_cast<Bytef*>(buf);
      zs_.avail_out = static_cast<uInt>(std::min<size_t>(cap, 1u << 30));
      uInt avail_out_before = zs_.avail_out;
      int rc = inflate(&zs_, Z_NO_FLUSH);
      in_pos_ = in_len_ - zs_.avail_in;
      *n = avail_out_before - zs_.avail_out;
      if (rc == Z_STREAM_END) {
        member_open_ = false;
      } else if (rc != Z_OK && !(rc == Z_BUF_ERROR && *n == 0)) {
        return Fail(Status::Corruption(std::string("gzip: ") + (zs_.msg ? zs_.msg : "inflate failed")));
      }
    }
    return Status::OK();
  }

 private:
  z_stream zs_{};
  bool initialized_ = false;
  bool member_open_ = false;
  bool started_ = false;  // an empty input is not a valid (empty) gzip stream
};

}  // namespace

std::unique_ptr<ByteSource> MakeDecompressor(Compression c, std::unique_ptr<ByteSource> upstream) {
  switch (c) {
    case Compression::kZstd: return std::make_unique<ZstdDecompressor>(std::move(upstream));
    case Compression::kGzip: return std::make_unique<GzipDecompressor>(std::move(upstream));
    case Compression::kNone: break;
  }
  return upstream;
}

Compression DetectCompression(std::string_view head) {
  if (head.size() >= 4 && head.substr(0, 4) == std::string_view("\x28\xB5\x2F\xFD", 4)) return Compression::kZstd;
  if (head.size() >= 2 && head.substr(0, 2) == std::string_view("\x1F\x8B", 2)) return Compression::kGzip;
  return Compression::kNone;
}

}  // namespace dw::backup
