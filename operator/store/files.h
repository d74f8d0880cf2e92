// POSIX file helpers for the embedded store, returning Status with errno
// text (so "No space left on device" reaches the API caller verbatim), and
// the naming scheme of the store directory:
//   log-<first revision, 20 digits>.wal   write-ahead log segments
//   snap-<revision, 20 digits>.db         snapshots (".tmp" while written)
// Zero-padded numbers make lexical order equal numeric order.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "operator/common/status.h"

namespace dw::store {

Status ErrnoStatus(const std::string& what, int err);

// Writes all of `data` at `offset` (retrying short writes and EINTR).
Status PWriteAll(int fd, std::string_view data, int64_t offset, const std::string& name);
Status SyncFd(int fd, bool data_only, const std::string& name);
Status SyncDir(const std::string& dir);
Status EnsureDir(const std::string& dir);

std::string SegmentName(int64_t first_rev);
std::string SnapshotName(int64_t rev);

struct DirListing {
  std::vector<int64_t> segments;   // first revisions, ascending
  std::vector<int64_t> snapshots;  // revisions, ascending
  std::vector<std::string> temps;  // leftover "*.tmp" files
};
Status ListStoreDir(const std::string& dir, DirListing* out);

}  // namespace dw::store
