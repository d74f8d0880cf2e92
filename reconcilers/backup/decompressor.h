// Streaming decompression sources, the mirror of compressor.h. Each wraps
// (and owns) an upstream ByteSource and yields the decompressed bytes with
// bounded memory. A stream that ends before the compressor's end marker
// (zstd frame end, gzip trailer) fails with Corruption "... truncated", so a
// cut-off artifact can never pass as a complete dump.
#pragma once

#include <memory>
#include <string_view>

#include "reconcilers/backup/byte_stream.h"
#include "reconcilers/backup/compression.h"

namespace dw::backup {

std::unique_ptr<ByteSource> MakeDecompressor(Compression c, std::unique_ptr<ByteSource> upstream);

// Guesses the compression from the first bytes of a stream (zstd and gzip
// magic numbers); anything else is taken as uncompressed.
Compression DetectCompression(std::string_view head);

}  // namespace dw::backup
