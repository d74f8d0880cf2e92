// WriteFileAtomic: readers see either the old file or the complete new one,
// and after return the new contents survive a power loss.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "operator/tls/pki.h"

namespace dw::tls {

namespace {

Status Errno(const std::string& what) { return Status::IOError(what + ": " + std::strerror(errno)); }

std::string DirOf(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

Status WriteAll(int fd, const std::string& data, const std::string& path) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("write " + path);
    }
    off += static_cast<size_t>(n);
  }
  return Status::OK();
}

}  // namespace

Status WriteFileAtomic(const std::string& path, const std::string& data, int mode) {
  std::string tmp = path + ".tmp.XXXXXX";
  int fd = mkstemp(tmp.data());
  if (fd < 0) return Errno("create temp file for " + path);
  Status st;
  // mkstemp creates 0600; set the final mode before any data lands.
  if (fchmod(fd, static_cast<mode_t>(mode)) != 0) st = Errno("chmod " + tmp);
  if (st.ok()) st = WriteAll(fd, data, tmp);
  if (st.ok() && fsync(fd) != 0) st = Errno("fsync " + tmp);
  if (close(fd) != 0 && st.ok()) st = Errno("close " + tmp);
  if (st.ok() && rename(tmp.c_str(), path.c_str()) != 0) st = Errno("rename " + tmp + " to " + path);
  if (!st.ok()) {
    unlink(tmp.c_str());
    return st;
  }
  // The rename itself is durable only once the directory is synced.
  int dfd = open(DirOf(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return Errno("open directory of " + path);
  int rc = fsync(dfd);
  close(dfd);
  if (rc != 0) return Errno("fsync directory of " + path);
  return Status::OK();
}

}  // namespace dw::tls
