// A streamed one-file tar archive: the body Docker's archive API
// (PUT /containers/{id}/archive) needs to place a single file in a
// container. The archive is produced piece by piece (512-byte ustar header,
// the file's bytes pulled from the caller, zero padding to a block, two zero
// end blocks), so a multi-gigabyte file never sits in memory. The file size
// is declared up front, as tar requires; a data source that ends early or
// runs past it fails the stream instead of producing a malformed archive.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "operator/common/status.h"

namespace dw::docker {

inline constexpr size_t kTarBlockSize = 512;
using TarHeader = std::array<char, kTarBlockSize>;

// The ustar header of regular file `name` (a plain file name: no '/', not
// "." or "..", at most 100 bytes), owner 0:0, permission bits `mode`
// (<= 07777), modification time `mtime` (seconds since the epoch, >= 0).
// Sizes of 8 GiB and more use the GNU base-256 size field, which Docker
// (Go's archive/tar) reads.
Status MakeTarHeader(std::string_view name, uint64_t size, uint32_t mode, int64_t mtime,
                     TarHeader* out);

// Zero bytes after `size` data bytes up to the next block boundary.
inline uint64_t TarPadding(uint64_t size) {
  return (kTarBlockSize - size % kTarBlockSize) % kTarBlockSize;
}
// Total archive length: header + data + padding + two end blocks.
inline uint64_t OneFileTarSize(uint64_t size) {
  return kTarBlockSize + size + TarPadding(size) + 2 * kTarBlockSize;
}

// Fills `buf` (at most `cap` bytes) with the next file bytes and sets *n;
// *n == 0 means the data ended. A non-OK Status aborts the stream.
using DataReader = std::function<Status(char* buf, size_t cap, size_t* n)>;

// Pull-style producer of one archive of exactly OneFileTarSize(size) bytes.
class OneFileTarStream {
 public:
  OneFileTarStream(const TarHeader& header, uint64_t size, DataReader data)
      : header_(header), size_(size), data_(std::move(data)) {}

  // Next archive bytes into `buf`; *n == 0 only at the end of the archive.
  // Corruption when the data source ends before `size` bytes or has more.
  Status Read(char* buf, size_t cap, size_t* n);

 private:
  Status ReadData(char* buf, size_t cap, size_t* n);
  Status CheckDataEnded();

  TarHeader header_;
  uint64_t size_;
  DataReader data_;
  uint64_t pos_ = 0;  // archive bytes produced so far
};

}  // namespace dw::docker
