// A ByteSource over a file, read with plain read(2) into the caller's
// buffer (no extra copy), and a source that replays a few already-read
// bytes before its upstream (used to sniff magic numbers without seeking,
// so the same code works on pipes).
#pragma once

#include <memory>
#include <string>

#include "reconcilers/backup/byte_stream.h"

namespace dw::backup {

class FileSource final : public ByteSource {
 public:
  static Status Open(const std::string& path, std::unique_ptr<FileSource>* out);
  ~FileSource() override;
  Status Read(char* buf, size_t cap, size_t* n) override;

 private:
  FileSource(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  std::string path_;
  int fd_;
};

class PrefixedSource final : public ByteSource {
 public:
  PrefixedSource(std::string prefix, std::unique_ptr<ByteSource> up) : prefix_(std::move(prefix)), up_(std::move(up)) {}
  Status Read(char* buf, size_t cap, size_t* n) override;

 private:
  std::string prefix_;
  size_t pos_ = 0;
  std::unique_ptr<ByteSource> up_;
};

// Reads up to `n` bytes from `src` (fewer only at end of stream).
Status ReadUpTo(ByteSource* src, size_t n, std::string* out);

}  // namespace dw::backup
