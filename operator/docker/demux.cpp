#include "operator/docker/demux.h"

#include <algorithm>
#include <string>

namespace dw::docker {

Status StreamDemuxer::Feed(std::string_view data) {
  if (!error_.ok()) return error_;
  while (!data.empty() && !stopped_) {
    if (remaining_ == 0) {
      size_t take = std::min(data.size(), sizeof(header_) - header_have_);
      std::copy_n(data.data(), take, header_ + header_have_);
      header_have_ += take;
      data.remove_prefix(take);
      if (header_have_ < sizeof(header_)) return Status::OK();
      header_have_ = 0;
      stream_ = header_[0];
      if (stream_ > 2) {
        error_ = Status::Internal("docker stream: unknown stream type " +
                                  std::to_string(stream_) + " in frame header");
        return error_;
      }
      remaining_ = (uint32_t{header_[4]} << 24) | (uint32_t{header_[5]} << 16) |
                   (uint32_t{header_[6]} << 8) | uint32_t{header_[7]};
      continue;
    }
    size_t take = std::min<size_t>(data.size(), remaining_);
    remaining_ -= static_cast<uint32_t>(take);
    const Sink& sink = stream_ == 2 ? err_ : out_;
    if (sink && !sink(data.substr(0, take))) stopped_ = true;
    data.remove_prefix(take);
  }
  return Status::OK();
}

}  // namespace dw::docker
