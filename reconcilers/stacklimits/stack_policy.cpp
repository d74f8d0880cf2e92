// ParseStackPolicy: the API server has validated and defaulted the spec, but
// `dockward lint` feeds raw YAML, so every default is applied here as well and
// every type is checked. Cross-field checks the schema cannot express (CEL is
// not evaluated) live here and name the field.
#include "reconcilers/stacklimits/stack_policy.h"

#include <algorithm>
#include <cctype>
#include <regex>
#include <set>

#include "reconcilers/stacklimits/evaluate.h"
#include "reconcilers/stacklimits/quantity.h"

namespace dw::stacklimits {
namespace {

Status FieldError(const std::string& field, const std::string& message,
                  const char* type = "FieldValueInvalid") {
  return Status::Invalid(field + ": " + message, {FieldCause{type, field, message}});
}

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

bool IsBlank(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isspace(c); });
}

const json::Value* Member(const json::Value& obj, const char* key) {
  const json::Value* v = json::Find(obj, key);
  return (v && !v->IsNull()) ? v : nullptr;
}

Status ReadString(const json::Value& obj, const char* key, const std::string& field, std::string* out) {
  const json::Value* v = Member(obj, key);
  if (!v) return Status::OK();
  if (!v->IsString()) return FieldError(field, "must be a string", "FieldValueTypeInvalid");
  out->assign(v->GetString(), v->GetStringLength());
  return Status::OK();
}

Status ReadInt(const json::Value& obj, const char* key, const std::string& field, int64_t lo, int64_t hi,
               std::optional<int64_t>* out) {
  const json::Value* v = Member(obj, key);
  if (!v) return Status::OK();
  if (!v->IsInt64()) return FieldError(field, "must be an integer", "FieldValueTypeInvalid");
  int64_t n = v->GetInt64();
  if (n < lo || n > hi) {
    return FieldError(field, std::to_string(n) + " is out of range " + std::to_string(lo) + "-" + std::to_string(hi));
  }
  *out = n;
  return Status::OK();
}

// A list of non-empty strings; `allowed` (when not empty) restricts values.
Status ReadStrings(const json::Value& v, const std::string& field, const std::set<std::string>& allowed,
                   std::vector<std::string>* out) {
  if (!v.IsArray()) return FieldError(field, "must be a list of strings", "FieldValueTypeInvalid");
  out->clear();
  for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
    std::string f = field + "[" + std::to_string(i) + "]";
    if (!v[i].IsString()) return FieldError(f, "must be a string", "FieldValueTypeInvalid");
    std::string s(v[i].GetString(), v[i].GetStringLength());
    if (s.empty()) return FieldError(f, "must not be empty", "FieldValueRequired");
    if (!allowed.empty() && !allowed.count(s)) {
      std::string list;
      for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
      return FieldError(f, "\"" + s + "\" is not one of " + list, "FieldValueNotSupported");
    }
    out->push_back(std::move(s));
  }
  return Status::OK();
}

// --- limits -----------------------------------------------------------------

Status ParseBytesField(const json::Value& obj, const char* key, const std::string& path, bool allow_unlimited,
                       std::optional<int64_t>* out) {
  const json::Value* v = Member(obj, key);
  if (!v) return Status::OK();
  std::string field = path + "." + key;
  bool minus_one = (v->IsInt64() && v->GetInt64() == -1) || (v->IsString() && std::string(v->GetString()) == "-1");
  if (allow_unlimited && minus_one) {
    *out = -1;
    return Status::OK();
  }
  int64_t bytes = 0;
  Status st = ParseK8sBytes(*v, &bytes);
  if (!st.ok()) return FieldError(field, st.message());
  if (bytes <= 0) return FieldError(field, "must be greater than zero");
  *out = bytes;
  return Status::OK();
}

Status ParseLimits(const json::Value& obj, const std::string& path, Limits* out) {
  if (!obj.IsObject()) return FieldError(path, "must be an object", "FieldValueTypeInvalid");
  DW_RETURN_IF_ERROR(ParseBytesField(obj, "memory", path, false, &out->memory));
  DW_RETURN_IF_ERROR(ParseBytesField(obj, "memorySwap", path, true, &out->memory_swap));
  DW_RETURN_IF_ERROR(ParseBytesField(obj, "memoryReservation", path, false, &out->memory_reservation));
  if (const json::Value* v = Member(obj, "cpus")) {
    int64_t nano = 0;
    Status st = ParseCpus(*v, &nano);
    if (!st.ok()) return FieldError(path + ".cpus", st.message());
    if (nano <= 0) return FieldError(path + ".cpus", "must be greater than zero");
    out->nano_cpus = nano;
  }
  std::optional<int64_t> pids;
  DW_RETURN_IF_ERROR(ReadInt(obj, "pids", path + ".pids", 1, INT64_MAX, &pids));
  out->pids = pids;
  return Status::OK();
}

Limits Merge(const Limits& base, const Limits& own) {
  Limits m = base;
  if (own.memory) {
    m.memory = own.memory;
    // Swap travels with memory: the defaults' swap was sized for the
    // defaults' memory. Only "unlimited swap" (-1) still applies.
    if (m.memory_swap && *m.memory_swap != -1) m.memory_swap.reset();
  }
  if (own.memory_swap) m.memory_swap = own.memory_swap;
  if (own.memory_reservation) m.memory_reservation = own.memory_reservation;
  if (own.nano_cpus) m.nano_cpus = own.nano_cpus;
  if (own.pids) m.pids = own.pids;
  if (m.memory && !m.memory_swap) m.memory_swap = m.memory;
  return m;
}

// Checks the merged limits of one scope. `own` says which fields the scope
// wrote itself: when half of a bad pair comes from the defaults, the error
// names the half this scope wrote, so the user finds the line to change.
Status CheckLimits(const Limits& merged, const Limits& own, const std::string& path) {
  if (merged.memory_swap && *merged.memory_swap != -1 && !merged.memory) {
    return FieldError(path + ".memorySwap", "needs memory (Docker sets swap only with a memory limit)");
  }
  if (merged.memory && merged.memory_swap && *merged.memory_swap != -1 && *merged.memory_swap < *merged.memory) {
    std::string mem = FormatBytes(*merged.memory), swap = FormatBytes(*merged.memory_swap);
    if (!own.memory_swap) {
      return FieldError(path + ".memory", mem + " must not be above memorySwap " + swap + " (from spec.limits.defaults)");
    }
    return FieldError(path + ".memorySwap", swap + " is below memory " + mem + " (memorySwap is memory plus swap)");
  }
  if (merged.memory && merged.memory_reservation && *merged.memory_reservation >= *merged.memory) {
    std::string mem = FormatBytes(*merged.memory), res = FormatBytes(*merged.memory_reservation);
    if (!own.memory_reservation) {
      return FieldError(path + ".memory", mem + " must be above memoryReservation " + res + " (from spec.limits.defaults)");
    }
    return FieldError(path + ".memoryReservation", res + " must be below memory " + mem);
  }
  return Status::OK();
}

Status ParseLimitsBlock(const json::Value& limits, StackPolicy* p) {
  if (!limits.IsObject()) return FieldError("spec.limits", "must be an object", "FieldValueTypeInvalid");
  p->has_limits = true;
  if (const json::Value* d = Member(limits, "defaults")) {
    DW_RETURN_IF_ERROR(ParseLimits(*d, "spec.limits.defaults", &p->defaults));
  }
  DW_RETURN_IF_ERROR(CheckLimits(Merge({}, p->defaults), p->defaults, "spec.limits.defaults"));
  const json::Value* svcs = Member(limits, "services");
  if (!svcs) return Status::OK();
  if (!svcs->IsObject()) return FieldError("spec.limits.services", "must be an object", "FieldValueTypeInvalid");
  for (auto it = svcs->MemberBegin(); it != svcs->MemberEnd(); ++it) {
    std::string name(it->name.GetString(), it->name.GetStringLength());
    std::string path = "spec.limits.services." + name;
    Limits own;
    DW_RETURN_IF_ERROR(ParseLimits(it->value, path, &own));
    DW_RETURN_IF_ERROR(CheckLimits(Merge(p->defaults, own), own, path));
    p->services[name] = own;
  }
  return Status::OK();
}

// --- rules ------------------------------------------------------------------

void DefaultParams(RuleParams* r) {
  r->forbidden_caps = {"ALL",      "SYS_ADMIN", "NET_ADMIN",       "SYS_MODULE", "SYS_PTRACE", "SYS_RAWIO",
                       "SYS_BOOT", "SYS_TIME",  "DAC_READ_SEARCH", "BPF",        "PERFMON"};
  r->namespaces = {"network", "pid", "ipc", "uts"};
  r->log_drivers = {"json-file", "local", "journald"};
  r->secret_name_patterns = {"*PASSWORD*", "*PASSWD*", "*SECRET*", "*TOKEN*", "*API_KEY*", "*PRIVATE_KEY*"};
  r->placeholder_pattern = R"(\{\{\s*[A-Z_][A-Z0-9_]*\s*\}\})";
  r->restart_allowed = {"unless-stopped", "always", "on-failure"};
  r->forbidden_permissions = {"EXEC", "POST", "BUILD", "COMMIT", "SECRETS", "SWARM", "PLUGINS", "SYSTEM"};
  r->proxy_images = {"*docker-socket-proxy*"};
}

// Which rule owns each parameter key.
const std::map<std::string, std::vector<std::string>>& ParamOwners() {
  static const std::map<std::string, std::vector<std::string>> kOwners = {
      {"forbidden", {"capabilities"}},
      {"namespaces", {"hostNamespaces"}},
      {"drivers", {"logRotation"}},
      {"maxSize", {"logRotation"}},
      {"maxFile", {"logRotation"}},
      {"namePatterns", {"plaintextSecrets"}},
      {"pattern", {"templatePlaceholders"}},
      {"allowed", {"restartPolicy"}},
      {"maxRetries", {"restartPolicy"}},
      {"forbiddenPermissions", {"socketProxyPermissions"}},
      {"proxyImages", {"socketProxyPermissions", "dockerSocket"}},
  };
  return kOwners;
}

Status ParseParam(const std::string& key, const json::Value& v, const std::string& field, RuleParams* r) {
  if (key == "forbidden") {
    DW_RETURN_IF_ERROR(ReadStrings(v, field, {}, &r->forbidden_caps));
    for (auto& c : r->forbidden_caps) {
      c = Upper(c);
      if (c.rfind("CAP_", 0) == 0) c.erase(0, 4);
    }
  } else if (key == "namespaces") {
    DW_RETURN_IF_ERROR(ReadStrings(v, field, {"network", "pid", "ipc", "uts", "user"}, &r->namespaces));
  } else if (key == "drivers") {
    DW_RETURN_IF_ERROR(ReadStrings(v, field, {}, &r->log_drivers));
  } else if (key == "maxSize") {
    if (!v.IsString()) return FieldError(field, "must be a string such as 10m", "FieldValueTypeInvalid");
    int64_t bytes = 0;
    Status st = ParseDockerBytes(v.GetString(), &bytes);
    if (!st.ok()) return FieldError(field, st.message());
    r->log_max_size = bytes;
  } else if (key == "maxFile" || key == "maxRetries") {
    if (!v.IsInt64()) return FieldError(field, "must be an integer", "FieldValueTypeInvalid");
    int64_t n = v.GetInt64();
    int64_t lo = key == "maxFile" ? 1 : 0;
    if (n < lo || n > INT32_MAX) return FieldError(field, std::to_string(n) + " must be at least " + std::to_string(lo));
    (key == "maxFile" ? r->log_max_file : r->restart_max_retries) = static_cast<int>(n);
  } else if (key == "namePatterns") {
    DW_RETURN_IF_ERROR(ReadStrings(v, field, {}, &r->secret_name_patterns));
  } else if (key == "pattern") {
    if (!v.IsString() || v.GetStringLength() == 0) return FieldError(field, "must be a non-empty string");
    std::string pat(v.GetString(), v.GetStringLength());
    try {
      std::regex re(pat, std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
      return FieldError(field, "invalid regular expression \"" + pat + "\": " + e.what());
    }
    r->placeholder_pattern = std::move(pat);
  } else if (key == "allowed") {
    DW_RETURN_IF_ERROR(ReadStrings(v, field, {"no", "always", "unless-stopped", "on-failure"}, &r->restart_allowed));
    if (r->restart_allowed.empty()) return FieldError(field, "must list at least one policy", "FieldValueRequired");
  } else if (key == "forbiddenPermissions") {
    DW_RETURN_IF_ERROR(ReadStrings(v, field, {}, &r->forbidden_permissions));
    for (auto& p : r->forbidden_permissions) p = Upper(p);
  } else if (key == "proxyImages") {
    DW_RETURN_IF_ERROR(ReadStrings(v, field, {}, &r->proxy_images));
  }
  return Status::OK();
}

Status ParseExceptions(const json::Value& v, const std::string& path, std::vector<RuleException>* out) {
  if (!v.IsArray()) return FieldError(path, "must be a list", "FieldValueTypeInvalid");
  for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
    std::string f = path + "[" + std::to_string(i) + "]";
    if (!v[i].IsObject()) return FieldError(f, "must be an object", "FieldValueTypeInvalid");
    RuleException e;
    DW_RETURN_IF_ERROR(ReadString(v[i], "service", f + ".service", &e.service));
    DW_RETURN_IF_ERROR(ReadString(v[i], "project", f + ".project", &e.project));
    DW_RETURN_IF_ERROR(ReadString(v[i], "reason", f + ".reason", &e.reason));
    if (e.service.empty()) return FieldError(f + ".service", "is required", "FieldValueRequired");
    if (IsBlank(e.reason)) {
      return FieldError(f + ".reason", "is required: an exception must document why", "FieldValueRequired");
    }
    out->push_back(std::move(e));
  }
  return Status::OK();
}

Status ParseRule(const json::Value& item, const std::string& path, RuleConfig* rule, RuleParams* params) {
  if (!item.IsObject()) return FieldError(path, "must be an object", "FieldValueTypeInvalid");
  DW_RETURN_IF_ERROR(ReadString(item, "name", path + ".name", &rule->name));
  if (rule->name.empty()) return FieldError(path + ".name", "is required", "FieldValueRequired");
  if (!FindRule(rule->name)) {
    return FieldError(path + ".name", "unknown rule \"" + rule->name + "\"", "FieldValueNotSupported");
  }
  std::string sev;
  DW_RETURN_IF_ERROR(ReadString(item, "severity", path + ".severity", &sev));
  if (!sev.empty() && !ParseSeverity(sev, &rule->severity)) {
    return FieldError(path + ".severity", "\"" + sev + "\" is not one of Low, Medium, High, Critical",
                      "FieldValueNotSupported");
  }
  if (const json::Value* ex = Member(item, "exceptions")) {
    DW_RETURN_IF_ERROR(ParseExceptions(*ex, path + ".exceptions", &rule->exceptions));
  }
  for (auto it = item.MemberBegin(); it != item.MemberEnd(); ++it) {
    std::string key(it->name.GetString(), it->name.GetStringLength());
    auto owner = ParamOwners().find(key);
    if (owner == ParamOwners().end() || it->value.IsNull()) continue;
    const auto& rules = owner->second;
    if (std::find(rules.begin(), rules.end(), rule->name) == rules.end()) {
      std::string names;
      for (const auto& r : rules) names += (names.empty() ? "" : " or ") + r;
      return FieldError(path + "." + key, "only valid for rule " + names, "FieldValueForbidden");
    }
    DW_RETURN_IF_ERROR(ParseParam(key, it->value, path + "." + key, params));
  }
  return Status::OK();
}

Status ParseRules(const json::Value& rules, StackPolicy* p) {
  if (!rules.IsArray()) return FieldError("spec.rules", "must be a list", "FieldValueTypeInvalid");
  std::set<std::string> seen;
  for (rapidjson::SizeType i = 0; i < rules.Size(); ++i) {
    std::string path = "spec.rules[" + std::to_string(i) + "]";
    RuleConfig rule;
    DW_RETURN_IF_ERROR(ParseRule(rules[i], path, &rule, &p->params));
    if (!seen.insert(rule.name).second) {
      return FieldError(path + ".name", "rule \"" + rule.name + "\" is listed twice", "FieldValueDuplicate");
    }
    p->rules.push_back(std::move(rule));
  }
  return Status::OK();
}

Status ParseMode(const std::string& s, Mode* out) {
  for (Mode m : {Mode::kAudit, Mode::kEnforce, Mode::kRecommend}) {
    if (s == ModeName(m)) {
      *out = m;
      return Status::OK();
    }
  }
  return FieldError("spec.mode", "\"" + s + "\" is not one of Audit, Enforce, Recommend", "FieldValueNotSupported");
}

Status ParseSelection(const json::Value& spec, StackPolicy* p) {
  DW_RETURN_IF_ERROR(ReadString(spec, "dockerHost", "spec.dockerHost", &p->docker_host));
  if (p->docker_host.empty()) return FieldError("spec.dockerHost", "must not be empty");
  if (const json::Value* v = Member(spec, "projects")) {
    DW_RETURN_IF_ERROR(ReadStrings(*v, "spec.projects", {}, &p->projects));
  }
  if (const json::Value* sel = Member(spec, "selector")) {
    if (!sel->IsObject()) return FieldError("spec.selector", "must be an object", "FieldValueTypeInvalid");
    Status st = meta::LabelSelector::FromObject(*sel, &p->selector);
    if (!st.ok()) return FieldError("spec.selector", st.message());
    p->has_selector = true;
  }
  if (p->projects.empty() && !p->has_selector) {
    return FieldError("spec", "one of projects and selector is required", "FieldValueRequired");
  }
  return Status::OK();
}

Status ParseRecommend(const json::Value& spec, StackPolicy* p) {
  const json::Value* rec = Member(spec, "recommend");
  if (!rec) return Status::OK();
  if (!rec->IsObject()) return FieldError("spec.recommend", "must be an object", "FieldValueTypeInvalid");
  std::optional<int64_t> headroom, seconds;
  DW_RETURN_IF_ERROR(ReadInt(*rec, "headroomPercent", "spec.recommend.headroomPercent", 0, 500, &headroom));
  DW_RETURN_IF_ERROR(ReadInt(*rec, "sampleSeconds", "spec.recommend.sampleSeconds", 10, 86400 * 30, &seconds));
  if (headroom) p->headroom_percent = static_cast<int>(*headroom);
  if (seconds) p->sample_seconds = static_cast<int>(*seconds);
  return Status::OK();
}

}  // namespace

const char* ModeName(Mode m) {
  switch (m) {
    case Mode::kAudit: return "Audit";
    case Mode::kEnforce: return "Enforce";
    case Mode::kRecommend: return "Recommend";
  }
  return "Audit";
}

const char* SeverityName(Severity s) {
  switch (s) {
    case Severity::kLow: return "Low";
    case Severity::kMedium: return "Medium";
    case Severity::kHigh: return "High";
    case Severity::kCritical: return "Critical";
  }
  return "Medium";
}

bool ParseSeverity(const std::string& s, Severity* out) {
  std::string up = Upper(s);
  for (Severity v : {Severity::kLow, Severity::kMedium, Severity::kHigh, Severity::kCritical}) {
    if (up == Upper(SeverityName(v))) {
      *out = v;
      return true;
    }
  }
  return false;
}

Limits StackPolicy::LimitsFor(const std::string& service) const {
  auto it = services.find(service);
  return Merge(defaults, it == services.end() ? Limits{} : it->second);
}

const RuleConfig* StackPolicy::Rule(const std::string& name) const {
  for (const auto& r : rules) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

bool StackPolicy::Selects(const std::map<std::string, std::string>& labels) const {
  if (!projects.empty()) {
    auto it = labels.find("com.docker.compose.project");
    if (it == labels.end() || std::find(projects.begin(), projects.end(), it->second) == projects.end()) {
      return false;
    }
  }
  return !has_selector || selector.Matches(labels);
}

Status ParseStackPolicy(const json::Value& spec, StackPolicy* out) {
  if (!spec.IsObject()) return FieldError("spec", "must be an object", "FieldValueTypeInvalid");
  StackPolicy p;
  DefaultParams(&p.params);
  DW_RETURN_IF_ERROR(ParseSelection(spec, &p));
  std::string mode;
  DW_RETURN_IF_ERROR(ReadString(spec, "mode", "spec.mode", &mode));
  if (!mode.empty()) DW_RETURN_IF_ERROR(ParseMode(mode, &p.mode));
  if (const json::Value* limits = Member(spec, "limits")) DW_RETURN_IF_ERROR(ParseLimitsBlock(*limits, &p));
  if (const json::Value* rules = Member(spec, "rules")) DW_RETURN_IF_ERROR(ParseRules(*rules, &p));
  if (p.has_limits && !p.Rule("limits")) p.rules.push_back(RuleConfig{"limits", Severity::kMedium, {}});
  DW_RETURN_IF_ERROR(ParseRecommend(spec, &p));
  if (const json::Value* v = Member(spec, "allowRecreate")) {
    if (!v->IsBool()) return FieldError("spec.allowRecreate", "must be a boolean", "FieldValueTypeInvalid");
    p.allow_recreate = v->GetBool();
  }
  *out = std::move(p);
  return Status::OK();
}

}  // namespace dw::stacklimits
