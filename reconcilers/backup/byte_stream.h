// Byte streams for the backup pipeline. A dump flows push-style through a
// chain of ByteSinks (compress -> encrypt -> hash -> file) and comes back
// pull-style through a chain of ByteSources (file -> decrypt -> decompress),
// so any producer (a Docker exec stream, a pipe, a test buffer) can drive it
// with fixed-size buffers and no stage ever holds a whole dump.
//
// Contract for every sink: Write may be called any number of times (empty
// writes are allowed and harmless), then Finish exactly once; after the first
// error every later call returns that same error. Destroying a sink without
// Finish abandons the stream (a file sink removes its partial output).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "operator/common/status.h"

namespace dw::backup {

class ByteSink {
 public:
  virtual ~ByteSink() = default;
  virtual Status Write(std::string_view data) = 0;
  // Flushes buffered bytes, writes trailers and finishes the next stage.
  virtual Status Finish() = 0;
};

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to `cap` bytes into `buf`; *n == 0 with OK means end of stream.
  // A source returns end of stream only once the whole stream was verified
  // (for example the final encrypted chunk was authenticated).
  virtual Status Read(char* buf, size_t cap, size_t* n) = 0;
};

// Collects everything into a string: for tests and small payloads only.
class StringSink final : public ByteSink {
 public:
  Status Write(std::string_view data) override {
    data_.append(data);
    return Status::OK();
  }
  Status Finish() override {
    finished_ = true;
    return Status::OK();
  }
  const std::string& data() const { return data_; }
  bool finished() const { return finished_; }

 private:
  std::string data_;
  bool finished_ = false;
};

// Serves a caller-owned buffer: for tests and small payloads only.
class StringSource final : public ByteSource {
 public:
  explicit StringSource(std::string_view data) : data_(data) {}
  Status Read(char* buf, size_t cap, size_t* n) override;

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

// Reads `src` to its end, handing each piece to `sink` (not finished).
// `buffer_size` bounds memory; 256 KiB keeps syscalls and hashing efficient.
Status Pump(ByteSource* src, ByteSink* sink, size_t buffer_size = 256 * 1024);

}  // namespace dw::backup
