// A pass-through ByteSink that counts bytes for progress reporting. The
// count is atomic so a status writer or `backup run --wait` can read it from
// another thread while the dump streams.
#pragma once

#include <atomic>
#include <cstdint>

#include "reconcilers/backup/byte_stream.h"

namespace dw::backup {

class CountingSink final : public ByteSink {
 public:
  explicit CountingSink(ByteSink* next) : next_(next) {}
  Status Write(std::string_view data) override {
    bytes_.fetch_add(data.size(), std::memory_order_relaxed);
    return next_->Write(data);
  }
  Status Finish() override { return next_->Finish(); }
  uint64_t bytes() const { return bytes_.load(std::memory_order_relaxed); }

 private:
  ByteSink* next_;
  std::atomic<uint64_t> bytes_{0};
};

}  // namespace dw::backup
