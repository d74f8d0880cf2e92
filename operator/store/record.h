// Log/snapshot record framing: [u32 length][u32 crc32(payload)][payload],
// little-endian. Payload: [u8 op][i64 revision][u32 key length][key][value].
// The CRC lets recovery tell a torn or damaged record from a whole one; the
// reader streams through a file with a bounded buffer (logs can be large).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace dw::store {

enum class RecordOp : uint8_t {
  kPut = 1,
  kDelete = 2,
  kSnapshotEnd = 3,  // last record of a snapshot: rev = store revision, value = object count
};

struct Record {
  RecordOp op = RecordOp::kPut;
  int64_t rev = 0;
  std::string key;
  std::string value;
};

constexpr size_t kRecordHeaderBytes = 8;
constexpr uint32_t kMaxRecordPayload = 256u << 20;  // larger lengths are corruption

// Appends one framed record to `out`.
void AppendRecord(RecordOp op, int64_t rev, std::string_view key, std::string_view value,
                  std::string* out);

// Sequential reader over an open file descriptor (not owned).
class RecordReader {
 public:
  enum class Result { kRecord, kEnd, kBad };
  explicit RecordReader(int fd);

  // kEnd at a clean end of file; kBad for a short or corrupt record, with
  // error() saying which. offset() is where the last whole record ended.
  Result Next(Record* rec);
  int64_t offset() const { return offset_; }
  const std::string& error() const { return error_; }

 private:
  // Ensures `n` unread bytes are buffered; false at end of file.
  bool Fill(size_t n);

  int fd_;
  std::string buf_;
  size_t pos_ = 0;     // read position inside buf_
  int64_t offset_ = 0; // file offset of buf_[pos_]
  bool eof_ = false;
  std::string error_;
};

}  // namespace dw::store
