// DumpCheck: decides whether a plaintext dump is complete, fed chunk by chunk
// as the dump streams past (bounded memory: a few hundred bytes of head and
// at most a few KiB of tail, whatever the dump size). Every dump tool writes
// a recognisable trailer only after the last row, so a dump cut off anywhere
// (killed tool, dropped exec stream, full disk) lacks it and fails with a
// message naming the engine and what is missing.
//
//   postgres   ends "-- PostgreSQL database dump complete\n--\n\n"
//              (pg_dumpall: "... database cluster dump complete ..."),
//              optionally followed by "\unrestrict KEY\n\n" (17.6+ / 16.10+)
//   mysql      last line "-- Dump completed" [" on YYYY-MM-DD hh:mm:ss"]
//   sqlite     starts "PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\n",
//              ends "COMMIT;\n"
//   redis RDB  starts "REDIS" + 4 digits, ends with opcode 0xFF and, from
//              RDB version 5, a CRC-64/Jones of everything before it
//              (a stored checksum of 0 means "rdbchecksum no": accepted)
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "operator/common/status.h"
#include "reconcilers/backup/byte_stream.h"

namespace dw::backup {

class DumpCheck {
 public:
  virtual ~DumpCheck() = default;
  virtual void Update(std::string_view chunk) = 0;
  // OK iff everything fed so far is a complete dump. Call once.
  virtual Status Finish() = 0;
};

std::unique_ptr<DumpCheck> NewPostgresDumpCheck(bool cluster);
// `engine` names the engine in messages ("mysql" or "mariadb").
std::unique_ptr<DumpCheck> NewMySqlDumpCheck(std::string engine);
std::unique_ptr<DumpCheck> NewSqliteDumpCheck();
std::unique_ptr<DumpCheck> NewRedisRdbCheck();

// CRC-64/Jones as Redis computes it (reflected, poly 0xad93d23594c935a9,
// init 0, no final xor). Chain calls by passing the previous result.
uint64_t Crc64Jones(uint64_t crc, std::string_view data);

// Pass-through sink: feeds `check` and forwards to `next`. Finish fails
// without finishing `next` when the dump is incomplete, so an atomic file
// sink behind it never publishes a cut-off dump.
class DumpCheckSink final : public ByteSink {
 public:
  DumpCheckSink(DumpCheck* check, ByteSink* next) : check_(check), next_(next) {}
  Status Write(std::string_view data) override;
  Status Finish() override;

 private:
  DumpCheck* check_;
  ByteSink* next_;
  Status error_;
};

}  // namespace dw::backup
