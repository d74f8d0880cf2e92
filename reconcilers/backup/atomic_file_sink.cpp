#include "reconcilers/backup/atomic_file_sink.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "reconcilers/backup/encryption_key.h"
#include "operator/tls/pki.h"

namespace dw::backup {

namespace {

constexpr size_t kBufferSize = 256 * 1024;
constexpr std::string_view kTempMarker = ".tmp-";

bool IsTempName(std::string_view name) {
  return name.size() > 1 && name[0] == '.' && name.find(kTempMarker) != std::string_view::npos;
}

Status FsyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::IOError("open directory " + dir + ": " + std::strerror(errno));
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return Status::IOError("fsync directory " + dir + ": " + std::strerror(err));
  return Status::OK();
}

// Renames without replacing an existing file; falls back to a checked plain
// rename where the filesystem lacks RENAME_NOREPLACE.
int RenameNoReplace(const char* from, const char* to) {
  if (::renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0) return 0;
  if (errno != EINVAL && errno != ENOSYS) return -1;
  struct stat st;
  if (::lstat(to, &st) == 0) {
    errno = EEXIST;
    return -1;
  }
  return ::rename(from, to);
}

}  // namespace

Status AtomicFileSink::Create(const std::string& dir, const std::string& name,
                              std::unique_ptr<AtomicFileSink>* out) {
  if (name.empty() || name.find('/') != std::string::npos || name == "." || name == ".." ||
      IsTempName(name)) {
    return Status::Invalid("invalid artifact file name \"" + name + "\"");
  }
  std::string random = tls::RandomBytes(8);
  std::string temp = dir + "/." + name + std::string(kTempMarker) +
                     HexEncode(reinterpret_cast<const uint8_t*>(random.data()), random.size());
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IOError("create " + temp + ": " + std::strerror(errno));
  out->reset(new AtomicFileSink(dir, dir + "/" + name, std::move(temp), fd));
  return Status::OK();
}

AtomicFileSink::AtomicFileSink(std::string dir, std::string final_path, std::string temp_path, int fd)
    : dir_(std::move(dir)), final_path_(std::move(final_path)), temp_path_(std::move(temp_path)), fd_(fd),
      buf_(kBufferSize) {}

AtomicFileSink::~AtomicFileSink() { Abort(); }

void AtomicFileSink::Abort() {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
  if (!committed_ && !temp_path_.empty()) {
    ::unlink(temp_path_.c_str());
    temp_path_.clear();
  }
  if (status_.ok() && !committed_) status_ = Status::Internal("write to " + final_path_ + " was aborted");
}

Status AtomicFileSink::Fail(Status st) {
  if (status_.ok()) status_ = std::move(st);
  Abort();
  return status_;
}

Status AtomicFileSink::Errno(const char* what, int err) {
  if (err == ENOSPC) return Fail(Status::IOError("no space left on device writing " + final_path_));
  if (err == EDQUOT) return Fail(Status::IOError("disk quota exceeded writing " + final_path_));
  return Fail(Status::IOError(std::string(what) + " " + temp_path_ + ": " + std::strerror(err)));
}

Status AtomicFileSink::Write(std::string_view data) {
  if (!status_.ok()) return status_;
  if (buf_len_ + data.size() > buf_.size()) DW_RETURN_IF_ERROR(Flush());
  if (data.size() >= buf_.size()) return WriteAll(data.data(), data.size());  // skip the copy
  std::memcpy(buf_.data() + buf_len_, data.data(), data.size());
  buf_len_ += data.size();
  return Status::OK();
}

Status AtomicFileSink::Flush() {
  size_t len = buf_len_;
  buf_len_ = 0;
  return WriteAll(buf_.data(), len);
}

Status AtomicFileSink::WriteAll(const char* p, size_t len) {
  while (len > 0) {
    ssize_t n = ::write(fd_, p, len);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Errno("write", errno);
    p += n;
    len -= static_cast<size_t>(n);
  }
  return Status::OK();
}

Status AtomicFileSink::Finish() {
  if (!status_.ok()) return status_;
  DW_RETURN_IF_ERROR(Flush());
  if (::fsync(fd_) != 0) return Errno("fsync", errno);
  int rc = ::close(fd_);
  fd_ = -1;
  if (rc != 0) return Errno("close", errno);  // NFS reports delayed write errors here
  if (RenameNoReplace(temp_path_.c_str(), final_path_.c_str()) != 0) {
    int err = errno;
    if (err == EEXIST) return Fail(Status::AlreadyExists(final_path_ + " already exists"));
    return Errno("rename", err);
  }
  committed_ = true;
  temp_path_.clear();
  // The rename is durable only once the directory entry is on disk.
  Status st = FsyncDir(dir_);
  if (!st.ok()) status_ = st;
  return st;
}

Status CleanupStaleTemps(const std::string& dir, int* removed) {
  if (removed) *removed = 0;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) {
    if (errno == ENOENT) return Status::OK();
    return Status::IOError("open directory " + dir + ": " + std::strerror(errno));
  }
  Status st;
  while (struct dirent* e = ::readdir(d)) {
    if (!IsTempName(e->d_name)) continue;
    struct stat sb;
    if (::fstatat(::dirfd(d), e->d_name, &sb, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(sb.st_mode)) continue;
    if (::unlinkat(::dirfd(d), e->d_name, 0) != 0) {
      if (errno != ENOENT && st.ok()) st = Status::IOError("remove " + dir + "/" + e->d_name + ": " + std::strerror(errno));
      continue;
    }
    if (removed) ++*removed;
  }
  ::closedir(d);
  return st;
}

}  // namespace dw::backup
