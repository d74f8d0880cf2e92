// Writing the status of a Backup or Restore from a run's thread or from the
// reconciler: read-modify-write of .status with the resourceVersion as a
// precondition, retried on Conflict, and bound to the object's uid so a run
// never writes into a re-created object of the same name. Also the mapping
// of run errors onto the CamelCase reasons users see.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "operator/common/clock.h"
#include "operator/common/status.h"
#include "operator/runtime/client.h"

namespace dw::backup {

class StatusWriter {
 public:
  // fn edits `status` (created empty if absent) and returns whether it
  // changed anything; nothing is written when it did not.
  using EditFn = std::function<bool(json::Value& status, json::Allocator& a)>;

  StatusWriter(runtime::Client* client, const schema::ResourceInfo& kind, std::string ns,
               std::string name, std::string uid)
      : client_(client), kind_(kind), ns_(std::move(ns)), name_(std::move(name)), uid_(std::move(uid)) {}

  // NotFound when the object is gone or has another uid. `out` (optional)
  // receives the object as written (or as read when fn changed nothing).
  Status Edit(const EditFn& fn, json::Document* out = nullptr) const;

  const std::string& ns() const { return ns_; }
  const std::string& name() const { return name_; }
  const std::string& uid() const { return uid_; }

 private:
  runtime::Client* client_;
  const schema::ResourceInfo& kind_;
  std::string ns_, name_, uid_;
};

// The outcome of a run, in status terms.
struct RunResult {
  std::string phase;   // kPhaseSucceeded or kPhaseFailed
  std::string reason;  // CamelCase; empty for a plain success
  std::string message;
};

// CamelCase reason for a failed run: Cancelled / Interrupted when the run
// was stopped, else from the error: Corruption -> VerificationFailed, a full
// disk -> DiskFull, other IOError -> WriteFailed, Unavailable ->
// HostUnreachable, Timeout -> Timeout, Invalid -> InvalidTarget, NotFound ->
// NotFound, anything else -> DumpFailed (or `default_reason`).
std::string FailureReason(const Status& st, bool cancelled, bool shutting_down,
                          const std::string& default_reason = "DumpFailed");

// Writes a terminal phase: phase, reason, message, completionTime, and the
// Ready condition (True for Succeeded); drops status.progress.
void ApplyTerminal(json::Value& status, json::Allocator& a, const RunResult& r, clock::TimePoint now);

// status.progress {bytes, bytesPerSecond} and status.bytes.
void ApplyProgress(json::Value& status, json::Allocator& a, uint64_t bytes, double bytes_per_second);

// Sets a string member only when it differs; returns whether it changed.
bool SetIfChanged(json::Value& obj, const char* key, const std::string& v, json::Allocator& a);

}  // namespace dw::backup
