// Demultiplexer for Docker's attach/exec stream when no TTY is allocated:
// frames of an 8-byte header [stream, 0, 0, 0, size as big-endian uint32]
// followed by `size` payload bytes. Feed() accepts input split anywhere and
// hands payload to the sinks as soon as it arrives (a large frame is passed
// on in pieces, never buffered whole). Stream 0 (stdin echo) and 1 go to
// stdout, 2 to stderr; any other stream type is a protocol error.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

#include "operator/common/status.h"

namespace dw::docker {

class StreamDemuxer {
 public:
  // A sink returns false to stop; Feed() then returns OK and ignores the rest.
  using Sink = std::function<bool(std::string_view)>;

  StreamDemuxer(Sink on_stdout, Sink on_stderr)
      : out_(std::move(on_stdout)), err_(std::move(on_stderr)) {}

  // Consumes `data`. Returns Internal on an unknown stream type (after which
  // every later call fails too) and OK otherwise.
  Status Feed(std::string_view data);
  // True when the input so far ends exactly at a frame boundary; a stream that
  // ends mid-frame was cut off.
  bool AtFrameBoundary() const { return header_have_ == 0 && remaining_ == 0; }
  bool stopped() const { return stopped_; }

 private:
  Sink out_, err_;
  unsigned char header_[8] = {};
  size_t header_have_ = 0;
  uint32_t remaining_ = 0;  // payload bytes left in the current frame
  int stream_ = 0;
  bool stopped_ = false;
  Status error_;
};

}  // namespace dw::docker
