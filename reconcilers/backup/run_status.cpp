#include "reconcilers/backup/run_status.h"

#include "operator/runtime/conditions.h"
#include "reconcilers/backup/contract.h"

namespace dw::backup {

namespace {
constexpr int kConflictRetries = 8;
}

Status StatusWriter::Edit(const EditFn& fn, json::Document* out) const {
  Status last;
  for (int i = 0; i < kConflictRetries; ++i) {
    json::Document obj;
    DW_RETURN_IF_ERROR(client_->Get(kind_, ns_, name_, &obj));
    if (runtime::UidOf(obj) != uid_)
      return Status::NotFound(ns_ + "/" + name_ + " was replaced by another object");
    json::Value& status = json::EnsureObject(obj, "status", obj.GetAllocator());
    if (!fn(status, obj.GetAllocator())) {
      if (out) out->Swap(obj);
      return Status::OK();
    }
    json::Document written;
    last = client_->UpdateStatus(kind_, obj, runtime::WriteOptions{std::string(kFieldManager)}, &written);
    if (last.ok()) {
      if (out) out->Swap(written);
      return last;
    }
    if (!last.IsConflict()) return last;
  }
  return last;
}

std::string FailureReason(const Status& st, bool cancelled, bool shutting_down,
                          const std::string& default_reason) {
  if (shutting_down) return "Interrupted";
  if (cancelled) return "Cancelled";
  switch (st.code()) {
    case Code::kCorruption: return "VerificationFailed";
    case Code::kIOError:
      return st.message().find("no space left") != std::string::npos ? "DiskFull" : "WriteFailed";
    case Code::kUnavailable: return "HostUnreachable";
    case Code::kTimeout: return "Timeout";
    case Code::kInvalid: return "InvalidTarget";
    case Code::kNotFound: return "NotFound";
    default: return default_reason;
  }
}

bool SetIfChanged(json::Value& obj, const char* key, const std::string& v, json::Allocator& a) {
  if (json::Find(obj, key) != nullptr && json::GetString(obj, key) == v) return false;
  json::SetString(obj, key, v, a);
  return true;
}

void ApplyTerminal(json::Value& status, json::Allocator& a, const RunResult& r, clock::TimePoint now) {
  json::SetString(status, "phase", r.phase, a);
  if (r.reason.empty()) json::Remove(status, "reason");
  else json::SetString(status, "reason", r.reason, a);
  json::SetString(status, "message", r.message, a);
  json::SetString(status, "completionTime", clock::Rfc3339(now), a);
  json::Remove(status, "progress");
  bool ok = r.phase == kPhaseSucceeded;
  runtime::SetCondition(status, a,
                        runtime::Condition{"Ready", ok ? "True" : "False",
                                           r.reason.empty() ? (ok ? "Succeeded" : "Failed") : r.reason,
                                           r.message, 0},
                        now);
}

void ApplyProgress(json::Value& status, json::Allocator& a, uint64_t bytes, double bytes_per_second) {
  json::Value& p = json::EnsureObject(status, "progress", a);
  json::SetInt(p, "bytes", static_cast<int64_t>(bytes), a);
  json::Value rate(bytes_per_second < 0 ? 0.0 : bytes_per_second);
  json::SetValue(p, "bytesPerSecond", rate, a);
  json::SetInt(status, "bytes", static_cast<int64_t>(bytes), a);
}

}  // namespace dw::backup
