#include "reconcilers/backup/dump_check.h"

#include <array>
#include <cstdio>

namespace dw::backup {
namespace {

// Keeps the first kHead and the last kTail bytes of a stream.
class HeadTail {
 public:
  static constexpr size_t kHead = 256;
  static constexpr size_t kTail = 4096;

  void Update(std::string_view chunk) {
    total_ += chunk.size();
    if (head_.size() < kHead) head_.append(chunk.substr(0, kHead - head_.size()));
    if (chunk.size() >= kTail) {
      tail_.assign(chunk.substr(chunk.size() - kTail));
      return;
    }
    tail_.append(chunk);
    // Trim lazily so small chunks cost amortised O(1) per byte.
    if (tail_.size() > 2 * kTail) tail_.erase(0, tail_.size() - kTail);
  }
  std::string_view head() const { return head_; }
  std::string_view tail() const { return tail_; }
  uint64_t total() const { return total_; }

 private:
  std::string head_;
  std::string tail_;
  uint64_t total_ = 0;
};

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

Status Incomplete(std::string_view engine, std::string_view what) {
  return Status::Corruption(std::string(engine) + " dump is incomplete: " + std::string(what));
}

class PostgresCheck final : public DumpCheck {
 public:
  explicit PostgresCheck(bool cluster) : cluster_(cluster) {}
  void Update(std::string_view chunk) override { buf_.Update(chunk); }

  Status Finish() override {
    const char* kind = cluster_ ? "database cluster dump" : "database dump";
    const std::string begin = std::string("--\n-- PostgreSQL ") + kind + "\n--\n";
    const std::string marker = std::string("-- PostgreSQL ") + kind + " complete";
    if (buf_.total() == 0) return Incomplete("postgres", "the dump is empty");
    if (buf_.head().substr(0, begin.size()) != begin) {
      return Incomplete("postgres", "it does not start with the \"-- PostgreSQL " +
                                        std::string(kind) + "\" header");
    }
    if (!EndsWithTrailer(buf_.tail(), marker + "\n--\n\n")) {
      return Incomplete("postgres", "the trailer \"" + marker +
                                        "\" is missing at the end (the dump was cut off or "
                                        "the dump tool failed)");
    }
    // pg_dump 17.6+/16.10+ opens with "\restrict KEY" and closes with
    // "\unrestrict KEY" after the trailer; without it the end was lost.
    // (pg_dumpall closes its own restrict before the databases.)
    std::string key = RestrictKey(buf_.head());
    if (!cluster_ && !key.empty() && !EndsWith(buf_.tail(), "\\unrestrict " + key + "\n\n")) {
      return Incomplete("postgres", "the closing \"\\unrestrict\" line after the trailer is missing "
                                    "(the dump was cut off)");
    }
    return Status::OK();
  }

 private:
  // The key of a "\restrict KEY" line in the head, or "".
  static std::string RestrictKey(std::string_view head) {
    constexpr std::string_view kRestrict = "\n\\restrict ";
    size_t at = head.find(kRestrict);
    if (at == std::string_view::npos) return "";
    std::string_view rest = head.substr(at + kRestrict.size());
    size_t nl = rest.find('\n');
    return nl == std::string_view::npos ? "" : std::string(rest.substr(0, nl));
  }

  // `trailer`, optionally followed by "\unrestrict KEY\n\n".
  static bool EndsWithTrailer(std::string_view tail, std::string_view trailer) {
    if (EndsWith(tail, trailer)) return true;
    constexpr std::string_view kUnrestrict = "\\unrestrict ";
    if (!EndsWith(tail, "\n\n")) return false;
    std::string_view body = tail.substr(0, tail.size() - 2);
    size_t at = body.rfind(kUnrestrict);
    if (at == std::string_view::npos) return false;
    std::string_view key = body.substr(at + kUnrestrict.size());
    if (key.empty()) return false;
    for (char c : key) {
      bool ok = IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
      if (!ok) return false;
    }
    return EndsWith(body.substr(0, at), trailer);
  }

  bool cluster_;
  HeadTail buf_;
};

class MySqlCheck final : public DumpCheck {
 public:
  explicit MySqlCheck(std::string engine) : engine_(std::move(engine)) {}
  void Update(std::string_view chunk) override { buf_.Update(chunk); }

  Status Finish() override {
    if (buf_.total() == 0) return Incomplete(engine_, "the dump is empty");
    std::string_view tail = buf_.tail();
    if (!EndsWith(tail, "\n") || !IsCompletedLine(LastLine(tail))) {
      return Incomplete(engine_, "the final line \"-- Dump completed on ...\" is missing "
                                 "(the dump was cut off or the dump tool failed)");
    }
    return Status::OK();
  }

 private:
  static std::string_view LastLine(std::string_view tail) {
    std::string_view body = tail.substr(0, tail.size() - 1);
    size_t nl = body.rfind('\n');
    return nl == std::string_view::npos ? body : body.substr(nl + 1);
  }

  // "-- Dump completed" or "-- Dump completed on 2024-01-31 [ ]9:05:07"
  // (mysqldump prints the hour with %2d).
  static bool IsCompletedLine(std::string_view line) {
    constexpr std::string_view kPrefix = "-- Dump completed";
    if (line.substr(0, kPrefix.size()) != kPrefix) return false;
    std::string_view rest = line.substr(kPrefix.size());
    if (rest.empty()) return true;
    constexpr std::string_view kPattern = " on dddd-dd-dd Dd:dd:dd";
    if (rest.size() != kPattern.size()) return false;
    for (size_t i = 0; i < rest.size(); ++i) {
      char p = kPattern[i], c = rest[i];
      bool ok = p == 'd' ? IsDigit(c) : p == 'D' ? (IsDigit(c) || c == ' ') : c == p;
      if (!ok) return false;
    }
    return true;
  }

  std::string engine_;
  HeadTail buf_;
};

class SqliteCheck final : public DumpCheck {
 public:
  void Update(std::string_view chunk) override { buf_.Update(chunk); }

  Status Finish() override {
    constexpr std::string_view kBegin = "PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\n";
    constexpr std::string_view kEnd = "COMMIT;\n";
    if (buf_.total() == 0) return Incomplete("sqlite", "the dump is empty");
    if (buf_.head().substr(0, kBegin.size()) != kBegin) {
      return Incomplete("sqlite", "it does not start with \"PRAGMA foreign_keys=OFF;\" and "
                                  "\"BEGIN TRANSACTION;\"");
    }
    if (buf_.total() < kBegin.size() + kEnd.size() || !EndsWith(buf_.tail(), kEnd)) {
      return Incomplete("sqlite", "the final \"COMMIT;\" is missing (the dump was cut off, "
                                  "or sqlite3 hit errors and wrote ROLLBACK)");
    }
    return Status::OK();
  }

 private:
  HeadTail buf_;
};

// The last 8 bytes seen are held back from the CRC until more data proves
// they are not the stored checksum.
class RedisRdbCheck final : public DumpCheck {
 public:
  void Update(std::string_view chunk) override {
    total_ += chunk.size();
    if (head_.size() < kHeader) head_.append(chunk.substr(0, kHeader - head_.size()));
    if (pending_.size() + chunk.size() <= 8) {
      pending_.append(chunk);
      return;
    }
    if (chunk.size() >= 8) {
      Consume(pending_);
      Consume(chunk.substr(0, chunk.size() - 8));
      pending_.assign(chunk.substr(chunk.size() - 8));
      return;
    }
    std::string joined = pending_;
    joined.append(chunk);
    Consume(std::string_view(joined).substr(0, joined.size() - 8));
    pending_.assign(joined, joined.size() - 8, 8);
  }

  Status Finish() override {
    if (total_ == 0) return Incomplete("redis", "the RDB is empty");
    int version = 0;
    if (!ParseHeader(&version)) {
      return Incomplete("redis", "it does not start with \"REDIS\" and a 4-digit RDB version");
    }
    if (version < 5) return FinishWithoutChecksum();
    if (total_ < kHeader + 1 + 8 || last_consumed_ != 0xFF) {
      return Incomplete("redis", "the EOF opcode 0xFF followed by the 8-byte CRC-64 is missing "
                                 "(the RDB was cut off)");
    }
    uint64_t stored = 0;
    for (int i = 7; i >= 0; --i) stored = (stored << 8) | static_cast<unsigned char>(pending_[i]);
    if (stored != 0 && stored != crc_) {
      char msg[128];
      std::snprintf(msg, sizeof msg,
                    "the CRC-64 does not match (stored %016llx, computed %016llx)",
                    static_cast<unsigned long long>(stored), static_cast<unsigned long long>(crc_));
      return Incomplete("redis", msg);
    }
    return Status::OK();
  }

 private:
  static constexpr size_t kHeader = 9;  // "REDIS0011"

  void Consume(std::string_view data) {
    if (data.empty()) return;
    crc_ = Crc64Jones(crc_, data);
    last_consumed_ = static_cast<unsigned char>(data.back());
  }

  bool ParseHeader(int* version) const {
    if (head_.size() < kHeader || head_.compare(0, 5, "REDIS") != 0) return false;
    *version = 0;
    for (size_t i = 5; i < kHeader; ++i) {
      if (!IsDigit(head_[i])) return false;
      *version = *version * 10 + (head_[i] - '0');
    }
    return true;
  }

  // RDB before version 5 has no checksum: the last byte must be the EOF opcode.
  Status FinishWithoutChecksum() const {
    unsigned char last = pending_.empty() ? last_consumed_
                                          : static_cast<unsigned char>(pending_.back());
    if (total_ < kHeader + 1 || last != 0xFF) {
      return Incomplete("redis", "the EOF opcode 0xFF is missing (the RDB was cut off)");
    }
    return Status::OK();
  }

  std::string head_;
  std::string pending_;
  uint64_t total_ = 0;
  uint64_t crc_ = 0;
  unsigned char last_consumed_ = 0;
};

std::array<uint64_t, 256> MakeCrc64Table() {
  constexpr uint64_t kReflectedPoly = 0x95ac9329ac4bc9b5ULL;
  std::array<uint64_t, 256> table{};
  for (uint64_t i = 0; i < 256; ++i) {
    uint64_t crc = i;
    for (int bit = 0; bit < 8; ++bit) crc = (crc & 1) ? (crc >> 1) ^ kReflectedPoly : crc >> 1;
    table[i] = crc;
  }
  return table;
}

}  // namespace

uint64_t Crc64Jones(uint64_t crc, std::string_view data) {
  static const std::array<uint64_t, 256> table = MakeCrc64Table();
  for (char c : data) crc = table[(crc ^ static_cast<unsigned char>(c)) & 0xff] ^ (crc >> 8);
  return crc;
}

std::unique_ptr<DumpCheck> NewPostgresDumpCheck(bool cluster) {
  return std::make_unique<PostgresCheck>(cluster);
}
std::unique_ptr<DumpCheck> NewMySqlDumpCheck(std::string engine) {
  return std::make_unique<MySqlCheck>(std::move(engine));
}
std::unique_ptr<DumpCheck> NewSqliteDumpCheck() { return std::make_unique<SqliteCheck>(); }
std::unique_ptr<DumpCheck> NewRedisRdbCheck() { return std::make_unique<RedisRdbCheck>(); }

Status DumpCheckSink::Write(std::string_view data) {
  if (!error_.ok()) return error_;
  check_->Update(data);
  error_ = next_->Write(data);
  return error_;
}

Status DumpCheckSink::Finish() {
  if (!error_.ok()) return error_;
  error_ = check_->Finish();
  if (!error_.ok()) return error_;
  error_ = next_->Finish();
  return error_;
}

}  // namespace dw::backup
