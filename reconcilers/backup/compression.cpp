#include "reconcilers/backup/compression.h"

namespace dw::backup {

const char* CompressionName(Compression c) {
  switch (c) {
    case Compression::kZstd: return "zstd";
    case Compression::kGzip: return "gzip";
    case Compression::kNone: break;
  }
  return "none";
}

Status ParseCompression(std::string_view name, Compression* out) {
  for (Compression c : {Compression::kZstd, Compression::kGzip, Compression::kNone}) {
    if (name == CompressionName(c)) {
      *out = c;
      return Status::OK();
    }
  }
  return Status::Invalid("unsupported compression \"" + std::string(name) +
                         "\": supported values are zstd, gzip, none");
}

int DefaultCompressionLevel(Compression c) {
  switch (c) {
    case Compression::kZstd: return 3;
    case Compression::kGzip: return 6;
    case Compression::kNone: break;
  }
  return 0;
}

Status ValidateCompressionLevel(Compression c, int level) {
  int lo = 0, hi = 0;
  if (c == Compression::kZstd) lo = 1, hi = 19;  // 20+ ("ultra") needs large windows: RSS
  if (c == Compression::kGzip) lo = 1, hi = 9;
  if (level < lo || level > hi) {
    return Status::Invalid(std::string(CompressionName(c)) + " level " + std::to_string(level) +
                           " out of range " + std::to_string(lo) + ".." + std::to_string(hi));
  }
  return Status::OK();
}

const char* CompressionExtension(Compression c) {
  switch (c) {
    case Compression::kZstd: return ".zst";
    case Compression::kGzip: return ".gz";
    case Compression::kNone: break;
  }
  return "";
}

}  // namespace dw::backup
