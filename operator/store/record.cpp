#include "operator/store/record.h"

#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>

namespace dw::store {
namespace {

constexpr size_t kPayloadFixed = 1 + 8 + 4;  // op + rev + key length
constexpr size_t kReadChunk = 1 << 20;

void PutU32(uint32_t v, char* p) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<char>((v >> (8 * i)) & 0xff);
}
uint32_t GetU32(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(static_cast<uint8_t>(p[i])) << (8 * i);
  return v;
}
void PutI64(int64_t v, char* p) {
  uint64_t u = static_cast<uint64_t>(v);
  for (int i = 0; i < 8; ++i) p[i] = static_cast<char>((u >> (8 * i)) & 0xff);
}
int64_t GetI64(const char* p) {
  uint64_t u = 0;
  for (int i = 0; i < 8; ++i) u |= static_cast<uint64_t>(static_cast<uint8_t>(p[i])) << (8 * i);
  return static_cast<int64_t>(u);
}
uint32_t Crc(const char* p, size_t n) {
  return static_cast<uint32_t>(crc32(0L, reinterpret_cast<const Bytef*>(p), static_cast<uInt>(n)));
}

}  // namespace

void AppendRecord(RecordOp op, int64_t rev, std::string_view key, std::string_view value,
                  std::string* out) {
  size_t payload = kPayloadFixed + key.size() + value.size();
  size_t start = out->size();
  out->resize(start + kRecordHeaderBytes + payload);
  char* h = out->data() + start;
  char* p = h + kRecordHeaderBytes;
  p[0] = static_cast<char>(op);
  PutI64(rev, p + 1);
  PutU32(static_cast<uint32_t>(key.size()), p + 9);
  std::memcpy(p + kPayloadFixed, key.data(), key.size());
  std::memcpy(p + kPayloadFixed + key.size(), value.data(), value.size());
  PutU32(static_cast<uint32_t>(payload), h);
  PutU32(Crc(p, payload), h + 4);
}

RecordReader::RecordReader(int fd) : fd_(fd) {}

bool RecordReader::Fill(size_t n) {
  if (buf_.size() - pos_ >= n) return true;
  buf_.erase(0, pos_);
  pos_ = 0;
  while (buf_.size() < n && !eof_) {
    size_t old = buf_.size();
    size_t want = std::max(n - old, kReadChunk);
    buf_.resize(old + want);
    ssize_t r = ::read(fd_, buf_.data() + old, want);
    if (r < 0 && errno == EINTR) {
      buf_.resize(old);
      continue;
    }
    if (r <= 0) {
      // A read error is treated like the end: what follows cannot be trusted.
      if (r < 0) error_ = std::string("read: ") + std::strerror(errno);
      eof_ = true;
      r = 0;
    }
    buf_.resize(old + static_cast<size_t>(r));
  }
  return buf_.size() >= n;
}

RecordReader::Result RecordReader::Next(Record* rec) {
  if (!Fill(kRecordHeaderBytes)) {
    if (buf_.size() == pos_ && error_.empty()) return Result::kEnd;
    if (error_.empty()) error_ = "short record header";
    return Result::kBad;
  }
  const char* h = buf_.data() + pos_;
  uint32_t len = GetU32(h);
  uint32_t crc = GetU32(h + 4);
  if (len < kPayloadFixed || len > kMaxRecordPayload) {
    error_ = "invalid record length " + std::to_string(len);
    return Result::kBad;
  }
  if (!Fill(kRecordHeaderBytes + len)) {
    if (error_.empty()) error_ = "short record (torn write)";
    return Result::kBad;
  }
  const char* p = buf_.data() + pos_ + kRecordHeaderBytes;
  if (Crc(p, len) != crc) {
    error_ = "checksum mismatch";
    return Result::kBad;
  }
  uint8_t op = static_cast<uint8_t>(p[0]);
  uint32_t klen = GetU32(p + 9);
  if (op < 1 || op > 3 || klen > len - kPayloadFixed) {
    error_ = "malformed record payload";
    return Result::kBad;
  }
  rec->op = static_cast<RecordOp>(op);
  rec->rev = GetI64(p + 1);
  rec->key.assign(p + kPayloadFixed, klen);
  rec->value.assign(p + kPayloadFixed + klen, len - kPayloadFixed - klen);
  pos_ += kRecordHeaderBytes + len;
  offset_ += kRecordHeaderBytes + len;
  return Result::kRecord;
}

}  // namespace dw::store
