// StackPolicy: a StackLimits spec parsed, defaulted and checked. Everything the
// schema cannot say (a rule parameter given to the wrong rule, a reservation
// above the limit, a bad regex) is an InvalidArgument naming the field, which
// the reconciler reports as Ready=False/InvalidSpec.
//
// Semantics: only the rules listed are checked; limits are checked whenever
// spec.limits is set (rule "limits", severity Medium unless a `limits` entry in
// rules says otherwise); a per-service entry overrides the defaults field by
// field; memorySwap defaults to memory (no swap).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "operator/common/status.h"
#include "operator/json/json.h"
#include "operator/meta/label_selector.h"

namespace dw::stacklimits {

enum class Mode { kAudit, kEnforce, kRecommend };
enum class Severity { kLow = 0, kMedium = 1, kHigh = 2, kCritical = 3 };

const char* ModeName(Mode m);          // "Audit"...
const char* SeverityName(Severity s);  // "Low", "Medium", "High", "Critical"
bool ParseSeverity(const std::string& s, Severity* out);  // accepts any case

struct RuleException {
  std::string service;
  std::string project;  // "" = any project
  std::string reason;
};

// Parameters of every rule, defaults filled in (see crds/stacklimits.yaml).
struct RuleParams {
  std::vector<std::string> forbidden_caps;      // upper case, no CAP_ prefix
  std::vector<std::string> namespaces;          // network, pid, ipc, uts, user
  std::vector<std::string> log_drivers;
  std::optional<int64_t> log_max_size;          // bytes
  std::optional<int> log_max_file;
  std::vector<std::string> secret_name_patterns;  // globs, matched case-insensitively
  std::string placeholder_pattern;                // ECMAScript regex
  std::vector<std::string> restart_allowed;       // Enforce sets restart_allowed[0]
  std::optional<int> restart_max_retries;
  std::vector<std::string> forbidden_permissions;  // socket proxy env keys
  std::vector<std::string> proxy_images;           // globs
};

struct RuleConfig {
  std::string name;
  Severity severity = Severity::kMedium;
  std::vector<RuleException> exceptions;
};

// All optional: unset means "not governed".
struct Limits {
  std::optional<int64_t> memory;              // bytes
  std::optional<int64_t> memory_swap;         // bytes, -1 unlimited
  std::optional<int64_t> memory_reservation;  // bytes
  std::optional<int64_t> nano_cpus;
  std::optional<int64_t> pids;
  bool empty() const { return !memory && !memory_swap && !memory_reservation && !nano_cpus && !pids; }
};

struct StackPolicy {
  std::string docker_host = "local";
  std::vector<std::string> projects;
  bool has_selector = false;
  meta::LabelSelector selector;
  Mode mode = Mode::kAudit;

  bool has_limits = false;
  Limits defaults;
  std::map<std::string, Limits> services;

  std::vector<RuleConfig> rules;  // as listed, plus "limits" when has_limits
  RuleParams params;              // one set: each parameter belongs to one rule

  int headroom_percent = 20;
  int sample_seconds = 300;
  bool allow_recreate = false;

  // Defaults merged with the service's own entry; memory_swap filled with
  // memory when only memory is set.
  Limits LimitsFor(const std::string& service) const;
  const RuleConfig* Rule(const std::string& name) const;  // nullptr: not checked
  // True when a container with these labels belongs to the policy: its compose
  // project is listed (or no projects are listed) AND the selector matches
  // (or there is none). One-off containers are covered too.
  bool Selects(const std::map<std::string, std::string>& labels) const;
};

// `spec` is the object's .spec.
Status ParseStackPolicy(const json::Value& spec, StackPolicy* out);

}  // namespace dw::stacklimits
