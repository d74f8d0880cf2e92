// Compression algorithms an artifact may use, their names in specs and
// metadata ("zstd", "gzip", "none"), default levels and file extensions.
#pragma once

#include <string>
#include <string_view>

#include "operator/common/status.h"

namespace dw::backup {

enum class Compression { kNone, kZstd, kGzip };

const char* CompressionName(Compression c);
// Accepts exactly the names CompressionName returns.
Status ParseCompression(std::string_view name, Compression* out);
// zstd 3 (its own default: fast, good ratio), gzip 6 (gzip(1)'s default).
int DefaultCompressionLevel(Compression c);
// Checks `level` against the algorithm's range (zstd 1..19, gzip 1..9, none 0).
Status ValidateCompressionLevel(Compression c, int level);
// ".zst", ".gz" or "".
const char* CompressionExtension(Compression c);

}  // namespace dw::backup
