// redis-cli --rdb - (7.0) appends the 40-byte EOF mark of a diskless
// replication transfer to stdout: it removes the mark from a file with
// ftruncate, which cannot work on a pipe. This sink holds back the last 40
// bytes of the stream and drops them at Finish iff they look like that mark
// (40 lowercase hex digits) right after an RDB end (opcode 0xFF + 8-byte
// CRC); anything else passes through unchanged, so the RDB check behind it
// still judges the real content.
#pragma once

#include <string>

#include "reconcilers/backup/byte_stream.h"

namespace dw::backup {

class RedisEofMarkFilter final : public ByteSink {
 public:
  static constexpr size_t kMarkSize = 40;
  explicit RedisEofMarkFilter(ByteSink* next) : next_(next) {}
  Status Write(std::string_view data) override;
  Status Finish() override;

 private:
  Status Forward(std::string_view data);
  bool HeldIsMark() const;

  ByteSink* next_;
  std::string held_;    // at most kMarkSize bytes not yet forwarded
  std::string before_;  // the last 9 bytes forwarded
};

}  // namespace dw::backup
