#include "reconcilers/backup/file_source.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace dw::backup {

Status FileSource::Open(const std::string& path, std::unique_ptr<FileSource>* out) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT) return Status::NotFound("artifact " + path + " not found");
    return Status::IOError("open " + path + ": " + std::strerror(err));
  }
  // Sequential hint: the kernel reads ahead more aggressively.
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  out->reset(new FileSource(path, fd));
  return Status::OK();
}

FileSource::~FileSource() { ::close(fd_); }

Status FileSource::Read(char* buf, size_t cap, size_t* n) {
  for (;;) {
    ssize_t r = ::read(fd_, buf, cap);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return Status::IOError("read " + path_ + ": " + std::strerror(errno));
    *n = static_cast<size_t>(r);
    return Status::OK();
  }
}

Status PrefixedSource::Read(char* buf, size_t cap, size_t* n) {
  if (pos_ < prefix_.size()) {
    *n = std::min(cap, prefix_.size() - pos_);
    std::memcpy(buf, prefix_.data() + pos_, *n);
    pos_ += *n;
    return Status::OK();
  }
  return up_->Read(buf, cap, n);
}

Status ReadUpTo(ByteSource* src, size_t n, std::string* out) {
  out->assign(n, '\0');
  size_t got = 0;
  while (got < n) {
    size_t r = 0;
    DW_RETURN_IF_ERROR(src->Read(out->data() + got, n - got, &r));
    if (r == 0) break;
    got += r;
  }
  out->resize(got);
  return Status::OK();
}

}  // namespace dw::backup
