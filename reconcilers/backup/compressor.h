// Streaming compression stages. A compressor is a ByteSink that compresses
// what it is given into `next` (not owned) with bounded memory: zstd through
// ZSTD_compressStream2 (single-threaded, frame checksum on), gzip through
// zlib deflate with a gzip header, or a pass-through for "none". Finish ends
// the compressed stream and then finishes `next`.
#pragma once

#include <memory>

#include "reconcilers/backup/byte_stream.h"
#include "reconcilers/backup/compression.h"

namespace dw::backup {

Status MakeCompressor(Compression c, int level, ByteSink* next, std::unique_ptr<ByteSink>* out);

}  // namespace dw::backup
