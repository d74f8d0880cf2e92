#include "operator/store/files.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace dw::store {
namespace {

// Parses "<prefix><20 digits><suffix>"; -1 if `name` is not of that shape.
int64_t ParseNumbered(std::string_view name, std::string_view prefix, std::string_view suffix) {
  if (name.size() != prefix.size() + 20 + suffix.size()) return -1;
  if (name.substr(0, prefix.size()) != prefix) return -1;
  if (name.substr(name.size() - suffix.size()) != suffix) return -1;
  int64_t v = 0;
  for (char c : name.substr(prefix.size(), 20)) {
    if (c < '0' || c > '9') return -1;
    v = v * 10 + (c - '0');
  }
  return v;
}

std::string Numbered(const char* prefix, int64_t v, const char* suffix) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s%020lld%s", prefix, static_cast<long long>(v), suffix);
  return buf;
}

}  // namespace

Status ErrnoStatus(const std::string& what, int err) {
  return Status::IOError(what + ": " + std::strerror(err));
}

Status PWriteAll(int fd, std::string_view data, int64_t offset, const std::string& name) {
  while (!data.empty()) {
    ssize_t n = ::pwrite(fd, data.data(), data.size(), offset);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("write " + name, errno);
    }
    if (n == 0) return Status::IOError("write " + name + ": wrote 0 bytes");
    data.remove_prefix(static_cast<size_t>(n));
    offset += n;
  }
  return Status::OK();
}

Status SyncFd(int fd, bool data_only, const std::string& name) {
  int rc = data_only ? ::fdatasync(fd) : ::fsync(fd);
  if (rc != 0) return ErrnoStatus("fsync " + name, errno);
  return Status::OK();
}

Status SyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("open dir " + dir, errno);
  Status st = SyncFd(fd, false, dir);
  ::close(fd);
  return st;
}

Status EnsureDir(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return ErrnoStatus("mkdir " + dir, errno);
  struct stat sb;
  if (::stat(dir.c_str(), &sb) != 0) return ErrnoStatus("stat " + dir, errno);
  if (!S_ISDIR(sb.st_mode)) return Status::IOError(dir + " is not a directory");
  return Status::OK();
}

std::string SegmentName(int64_t first_rev) { return Numbered("log-", first_rev, ".wal"); }
std::string SnapshotName(int64_t rev) { return Numbered("snap-", rev, ".db"); }

Status ListStoreDir(const std::string& dir, DirListing* out) {
  *out = DirListing();
  DIR* d = ::opendir(dir.c_str());
  if (!d) return ErrnoStatus("opendir " + dir, errno);
  while (struct dirent* e = ::readdir(d)) {
    std::string_view name(e->d_name);
    if (int64_t v = ParseNumbered(name, "log-", ".wal"); v >= 0) {
      out->segments.push_back(v);
    } else if (int64_t s = ParseNumbered(name, "snap-", ".db"); s >= 0) {
      out->snapshots.push_back(s);
    } else if (name.size() > 4 && name.substr(name.size() - 4) == ".tmp") {
      out->temps.emplace_back(name);
    }
  }
  ::closedir(d);
  std::sort(out->segments.begin(), out->segments.end());
  std::sort(out->snapshots.begin(), out->snapshots.end());
  return Status::OK();
}

}  // namespace dw::store
