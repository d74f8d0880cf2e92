#include "reconcilers/backup/policy_schedule.h"

#include <openssl/sha.h>

#include <cstdio>
#include <ctime>

#include "operator/meta/label_selector.h"

namespace dw::backup {
namespace {

std::string Sha256Hex(const std::string& in, size_t digits) {
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(in.data()), in.size(), md);
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; out.size() < digits && i < SHA256_DIGEST_LENGTH; ++i) {
    out.push_back(kHex[md[i] >> 4]);
    out.push_back(kHex[md[i] & 15]);
  }
  out.resize(std::min(out.size(), digits));
  return out;
}

// The policy name cut to leave `suffix` room, without a trailing '-' or '.'
// (a DNS label must end alphanumeric).
std::string WithSuffix(const std::string& policy, const std::string& suffix) {
  size_t room = kMaxBackupNameLength > suffix.size() ? kMaxBackupNameLength - suffix.size() : 0;
  std::string head = policy.substr(0, room);
  while (!head.empty() && (head.back() == '-' || head.back() == '.')) head.pop_back();
  return head + suffix;
}

std::string UtcStamp(TimePoint t) {
  std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  if (tm.tm_sec != 0) {
    std::snprintf(buf, sizeof buf, "%04d%02d%02d%02d%02d%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  } else {
    std::snprintf(buf, sizeof buf, "%04d%02d%02d%02d%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min);
  }
  return buf;
}

}  // namespace

Status DecideSchedule(const PolicySpec& spec, TimePoint last, TimePoint now, size_t active,
                      ScheduleDecision* out) {
  ScheduleDecision d;
  TimePoint next;
  Status st = Next(spec.schedule, now, &next);
  if (st.ok()) d.next = next;  // a schedule that never fires just has no next time
  if (!spec.suspend) {
    MissedRuns missed;
    DW_RETURN_IF_ERROR(FindMissedRuns(spec.schedule, last, now, spec.starting_deadline, &missed));
    d.missed = missed.missed;
    d.too_many_missed = missed.too_many;
    d.run_time = missed.most_recent;
  }
  if (d.run_time) {
    if (active == 0 || spec.concurrency == ConcurrencyPolicy::kAllow) {
      d.action = RunAction::kCreate;
    } else if (spec.concurrency == ConcurrencyPolicy::kForbid) {
      d.action = RunAction::kSkip;
    } else {
      d.action = RunAction::kReplace;
    }
  }
  *out = d;
  return Status::OK();
}

std::string ScheduledBackupName(const std::string& policy, TimePoint t, const std::string& key) {
  return WithSuffix(policy, "-" + UtcStamp(t) + "-" + key.substr(0, 6));
}

std::string ManualBackupName(const std::string& policy, const std::string& nonce,
                             const std::string& key) {
  return WithSuffix(policy, "-manual-" + Sha256Hex(nonce, 6) + "-" + key.substr(0, 6));
}

std::string RunRequestLabelValue(const std::string& nonce) {
  if (!nonce.empty() && meta::ValidateLabelValue(nonce).empty()) return nonce;
  return "h-" + Sha256Hex(nonce, 16);
}

}  // namespace dw::backup
