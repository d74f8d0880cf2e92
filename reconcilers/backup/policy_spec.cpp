// ParsePolicySpec: the stored object has passed schema validation and
// defaulting, but objects built by hand (tests, older stores) may lack the
// defaults, so every field falls back to the CRD default when absent. Type
// mismatches are still reported: they mean the schema and this code drifted.
#include "reconcilers/backup/policy_spec.h"

#include <limits>

#include "reconcilers/backup/target_labels.h"
#include "reconcilers/backup/timezone.h"

namespace dw::backup {
namespace {

Status FieldError(const std::string& field, const std::string& message,
                  const char* type = "FieldValueInvalid") {
  return Status::Invalid(field + ": " + message, {FieldCause{type, field, message}});
}

// The target_labels validators open with 'label "<label>": '; the field
// path already says which value it is.
std::string WithoutLabelLead(std::string msg, const std::string& label) {
  const std::string lead = "label \"" + label + "\": ";
  if (msg.rfind(lead, 0) == 0) msg.erase(0, lead.size());
  return msg;
}

// Reads an optional integer member into *out, checking [lo, hi].
Status ReadInt(const json::Value& obj, const char* key, const std::string& field, int64_t lo,
               int64_t hi, std::optional<int64_t>* out) {
  const json::Value* v = json::Find(obj, key);
  if (!v || v->IsNull()) return Status::OK();
  if (!v->IsInt64()) return FieldError(field, "must be an integer", "FieldValueTypeInvalid");
  int64_t n = v->GetInt64();
  if (n < lo || n > hi) {
    return FieldError(field, std::to_string(n) + " is out of range " + std::to_string(lo) + "-" +
                                 std::to_string(hi));
  }
  *out = n;
  return Status::OK();
}

Status ReadBool(const json::Value& obj, const char* key, const std::string& field, bool* out) {
  const json::Value* v = json::Find(obj, key);
  if (!v || v->IsNull()) return Status::OK();
  if (!v->IsBool()) return FieldError(field, "must be a boolean", "FieldValueTypeInvalid");
  *out = v->GetBool();
  return Status::OK();
}

Status ReadString(const json::Value& obj, const char* key, const std::string& field,
                  std::string* out) {
  const json::Value* v = json::Find(obj, key);
  if (!v || v->IsNull()) return Status::OK();
  if (!v->IsString()) return FieldError(field, "must be a string", "FieldValueTypeInvalid");
  out->assign(v->GetString(), v->GetStringLength());
  return Status::OK();
}

// An optional object member: nullptr when absent, error when not an object.
Status ReadObject(const json::Value& obj, const char* key, const std::string& field,
                  const json::Value** out) {
  *out = nullptr;
  const json::Value* v = json::Find(obj, key);
  if (!v || v->IsNull()) return Status::OK();
  if (!v->IsObject()) return FieldError(field, "must be an object", "FieldValueTypeInvalid");
  *out = v;
  return Status::OK();
}

Status ParseSecretRef(const json::Value& parent, const char* key, const std::string& field,
                      std::optional<SecretKeyRef>* out) {
  const json::Value* ref = nullptr;
  DW_RETURN_IF_ERROR(ReadObject(parent, key, field, &ref));
  if (!ref) return FieldError(field, "is required", "FieldValueRequired");
  SecretKeyRef r;
  DW_RETURN_IF_ERROR(ReadString(*ref, "name", field + ".name", &r.name));
  DW_RETURN_IF_ERROR(ReadString(*ref, "key", field + ".key", &r.key));
  if (r.name.empty()) return FieldError(field + ".name", "is required", "FieldValueRequired");
  if (r.key.empty()) return FieldError(field + ".key", "is required", "FieldValueRequired");
  Status st = ValidateSecretName("name", r.name);
  if (!st.ok()) return FieldError(field + ".name", WithoutLabelLead(st.message(), "name"));
  *out = std::move(r);
  return Status::OK();
}

Status ParseHosts(const json::Value& spec, PolicySpec* out) {
  out->docker_hosts.clear();
  const json::Value* v = json::Find(spec, "dockerHosts");
  if (!v || v->IsNull()) {
    out->docker_hosts.push_back("local");
    return Status::OK();
  }
  if (!v->IsArray()) return FieldError("spec.dockerHosts", "must be an array");
  if (v->Empty()) return FieldError("spec.dockerHosts", "must name at least one DockerHost");
  size_t i = 0;
  for (const auto& h : v->GetArray()) {
    std::string field = "spec.dockerHosts[" + std::to_string(i++) + "]";
    if (!h.IsString() || h.GetStringLength() == 0) return FieldError(field, "must be a name");
    std::string name(h.GetString(), h.GetStringLength());
    std::string why = meta::ValidateLabelValue(name);  // DNS label names are valid label values
    if (!why.empty() || name.size() > 63) {
      return FieldError(field, "invalid DockerHost name " + QuoteForMessage(name));
    }
    for (const auto& seen : out->docker_hosts) {
      if (seen == name) return FieldError(field, "duplicate " + QuoteForMessage(name), "FieldValueDuplicate");
    }
    out->docker_hosts.push_back(std::move(name));
  }
  return Status::OK();
}

Status ParseSelector(const json::Value& spec, PolicySpec* out) {
  out->selector = meta::LabelSelector();
  out->selector_empty = true;
  const json::Value* sel = nullptr;
  DW_RETURN_IF_ERROR(ReadObject(spec, "selector", "spec.selector", &sel));
  if (!sel) return Status::OK();
  Status st = meta::LabelSelector::FromObject(*sel, &out->selector);
  if (!st.ok()) return FieldError("spec.selector", st.message());
  out->selector_empty = out->selector.Empty();
  return Status::OK();
}

// Lexically normalises an absolute directory ("//a/b/" -> "/a/b") and refuses
// "." and ".." segments, so "inside the destination" is a prefix check.
Status ParseDestination(const json::Value& spec, PolicySpec* out) {
  const json::Value* dest = nullptr;
  DW_RETURN_IF_ERROR(ReadObject(spec, "destination", "spec.destination", &dest));
  if (!dest) return FieldError("spec.destination", "is required", "FieldValueRequired");
  std::string path;
  DW_RETURN_IF_ERROR(ReadString(*dest, "path", "spec.destination.path", &path));
  if (path.empty()) return FieldError("spec.destination.path", "is required", "FieldValueRequired");
  std::string norm;
  norm.reserve(path.size());
  for (char c : path) {
    if (c == '/' && !norm.empty() && norm.back() == '/') continue;
    norm.push_back(c);
  }
  if (norm.size() > 1 && norm.back() == '/') norm.pop_back();
  if (norm != "/") {
    Status st = ValidateAbsolutePath("path", norm);
    if (!st.ok()) {
      return FieldError("spec.destination.path", WithoutLabelLead(st.message(), "path"));
    }
  }
  out->destination = std::move(norm);
  return Status::OK();
}

Status ParseScheduleFields(const json::Value& spec, PolicySpec* out) {
  std::string text, zone_name = "UTC";
  DW_RETURN_IF_ERROR(ReadString(spec, "schedule", "spec.schedule", &text));
  if (text.empty()) return FieldError("spec.schedule", "is required", "FieldValueRequired");
  DW_RETURN_IF_ERROR(ReadString(spec, "timeZone", "spec.timeZone", &zone_name));
  std::shared_ptr<const TimeZone> zone;
  if (zone_name.empty() || zone_name == "UTC") {
    zone = TimeZone::Utc();
  } else {
    Status st = TimeZone::Load(zone_name, &zone);
    if (!st.ok()) return FieldError("spec.timeZone", st.message());
  }
  Status st = ParseSchedule(text, std::move(zone), &out->schedule);
  if (!st.ok()) return FieldError("spec.schedule", st.message());
  return Status::OK();
}

Status ParseConcurrency(const json::Value& spec, PolicySpec* out) {
  std::string c = "Forbid";
  DW_RETURN_IF_ERROR(ReadString(spec, "concurrencyPolicy", "spec.concurrencyPolicy", &c));
  if (c == "Forbid") {
    out->concurrency = ConcurrencyPolicy::kForbid;
  } else if (c == "Replace") {
    out->concurrency = ConcurrencyPolicy::kReplace;
  } else if (c == "Allow") {
    out->concurrency = ConcurrencyPolicy::kAllow;
  } else {
    return FieldError("spec.concurrencyPolicy",
                      "unsupported value " + QuoteForMessage(c) + ": Forbid, Replace or Allow",
                      "FieldValueNotSupported");
  }
  return Status::OK();
}

Status ParseCompressionFields(const json::Value& spec, PolicySpec* out) {
  std::string name = "zstd";
  DW_RETURN_IF_ERROR(ReadString(spec, "compression", "spec.compression", &name));
  Status st = ParseCompression(name, &out->compression);
  if (!st.ok()) return FieldError("spec.compression", st.message(), "FieldValueNotSupported");
  std::optional<int64_t> level;
  DW_RETURN_IF_ERROR(ReadInt(spec, "compressionLevel", "spec.compressionLevel", 0, 19, &level));
  out->compression_level.reset();
  if (level) {
    st = ValidateCompressionLevel(out->compression, static_cast<int>(*level));
    if (!st.ok()) return FieldError("spec.compressionLevel", st.message());
    out->compression_level = static_cast<int>(*level);
  }
  return Status::OK();
}

Status ParseRetention(const json::Value& spec, PolicySpec* out) {
  out->retention.reset();
  const json::Value* r = nullptr;
  DW_RETURN_IF_ERROR(ReadObject(spec, "retention", "spec.retention", &r));
  if (!r) return Status::OK();
  RetentionPolicy p;
  struct Field {
    const char* key;
    int64_t* dst;
  } fields[] = {{"keepLast", &p.keep_last}, {"hourly", &p.hourly},   {"daily", &p.daily},
                {"weekly", &p.weekly},      {"monthly", &p.monthly}, {"yearly", &p.yearly}};
  for (const auto& f : fields) {
    std::optional<int64_t> n;
    DW_RETURN_IF_ERROR(ReadInt(*r, f.key, std::string("spec.retention.") + f.key, 0,
                               std::numeric_limits<int32_t>::max(), &n));
    if (n) *f.dst = *n;
  }
  out->retention = p;
  return Status::OK();
}

Status ParseVerify(const json::Value& spec, PolicySpec* out) {
  out->verify_checksum = true;
  out->verify_content = true;
  out->verify_decode = false;
  out->restore_test = RestoreTestSpec();
  const json::Value* v = nullptr;
  DW_RETURN_IF_ERROR(ReadObject(spec, "verify", "spec.verify", &v));
  if (!v) return Status::OK();
  DW_RETURN_IF_ERROR(ReadBool(*v, "checksum", "spec.verify.checksum", &out->verify_checksum));
  DW_RETURN_IF_ERROR(ReadBool(*v, "content", "spec.verify.content", &out->verify_content));
  DW_RETURN_IF_ERROR(ReadBool(*v, "decode", "spec.verify.decode", &out->verify_decode));
  const json::Value* rt = nullptr;
  DW_RETURN_IF_ERROR(ReadObject(*v, "restoreTest", "spec.verify.restoreTest", &rt));
  if (!rt) return Status::OK();
  DW_RETURN_IF_ERROR(
      ReadBool(*rt, "enabled", "spec.verify.restoreTest.enabled", &out->restore_test.enabled));
  DW_RETURN_IF_ERROR(
      ReadString(*rt, "image", "spec.verify.restoreTest.image", &out->restore_test.image));
  DW_RETURN_IF_ERROR(ReadString(*rt, "checkQuery", "spec.verify.restoreTest.checkQuery",
                                &out->restore_test.check_query));
  return Status::OK();
}

Status ParseReliability(const json::Value& spec, PolicySpec* out) {
  std::optional<int64_t> n;
  DW_RETURN_IF_ERROR(ReadInt(spec, "startingDeadlineSeconds", "spec.startingDeadlineSeconds", 0,
                             std::numeric_limits<int64_t>::max() / 1000000000, &n));
  out->starting_deadline.reset();
  if (n) out->starting_deadline = std::chrono::seconds(*n);

  n.reset();
  DW_RETURN_IF_ERROR(ReadInt(spec, "timeoutSeconds", "spec.timeoutSeconds", 1,
                             std::numeric_limits<int32_t>::max(), &n));
  out->timeout = std::chrono::seconds(n.value_or(3600));

  n.reset();
  DW_RETURN_IF_ERROR(ReadInt(spec, "maxConcurrentPerHost", "spec.maxConcurrentPerHost", 1, 64, &n));
  out->max_concurrent_per_host = static_cast<int>(n.value_or(2));

  out->retry_attempts = 3;
  out->retry_backoff = std::chrono::seconds(10);
  const json::Value* retry = nullptr;
  DW_RETURN_IF_ERROR(ReadObject(spec, "retry", "spec.retry", &retry));
  if (retry) {
    n.reset();
    DW_RETURN_IF_ERROR(ReadInt(*retry, "attempts", "spec.retry.attempts", 1, 20, &n));
    out->retry_attempts = static_cast<int>(n.value_or(3));
    n.reset();
    DW_RETURN_IF_ERROR(ReadInt(*retry, "backoffSeconds", "spec.retry.backoffSeconds", 0,
                               std::numeric_limits<int32_t>::max(), &n));
    out->retry_backoff = std::chrono::seconds(n.value_or(10));
  }
  return Status::OK();
}

Status ParseNotifications(const json::Value& spec, PolicySpec* out) {
  out->webhook_url.reset();
  out->notify_success = false;
  out->notify_failure = true;
  const json::Value* n = nullptr;
  DW_RETURN_IF_ERROR(ReadObject(spec, "notifications", "spec.notifications", &n));
  if (!n) return Status::OK();
  const json::Value* hook = nullptr;
  DW_RETURN_IF_ERROR(ReadObject(*n, "webhook", "spec.notifications.webhook", &hook));
  if (hook) {
    DW_RETURN_IF_ERROR(ParseSecretRef(*hook, "urlSecretRef",
                                      "spec.notifications.webhook.urlSecretRef", &out->webhook_url));
  }
  const json::Value* on = json::Find(*n, "on");
  if (!on || on->IsNull()) return Status::OK();
  if (!on->IsArray()) return FieldError("spec.notifications.on", "must be an array");
  out->notify_failure = false;
  size_t i = 0;
  for (const auto& e : on->GetArray()) {
    std::string field = "spec.notifications.on[" + std::to_string(i++) + "]";
    std::string s = e.IsString() ? std::string(e.GetString(), e.GetStringLength()) : "";
    if (s == "Success") {
      out->notify_success = true;
    } else if (s == "Failure") {
      out->notify_failure = true;
    } else {
      return FieldError(field, "unsupported value " + QuoteForMessage(s) + ": Success or Failure",
                        "FieldValueNotSupported");
    }
  }
  return Status::OK();
}

}  // namespace

Status ParsePolicySpec(const json::Value& policy, PolicySpec* out) {
  const json::Value* spec = json::Find(policy, "spec");
  if (!spec || !spec->IsObject()) return FieldError("spec", "is required", "FieldValueRequired");
  PolicySpec p;
  DW_RETURN_IF_ERROR(ParseHosts(*spec, &p));
  DW_RETURN_IF_ERROR(ParseSelector(*spec, &p));
  p.label_prefix = std::string(kDefaultLabelPrefix);
  DW_RETURN_IF_ERROR(ReadString(*spec, "labelPrefix", "spec.labelPrefix", &p.label_prefix));
  if (p.label_prefix.empty()) p.label_prefix = std::string(kDefaultLabelPrefix);
  DW_RETURN_IF_ERROR(ParseScheduleFields(*spec, &p));
  DW_RETURN_IF_ERROR(ReadBool(*spec, "suspend", "spec.suspend", &p.suspend));
  DW_RETURN_IF_ERROR(ParseConcurrency(*spec, &p));
  DW_RETURN_IF_ERROR(ParseDestination(*spec, &p));
  DW_RETURN_IF_ERROR(ParseCompressionFields(*spec, &p));
  const json::Value* enc = nullptr;
  DW_RETURN_IF_ERROR(ReadObject(*spec, "encryption", "spec.encryption", &enc));
  if (enc) {
    DW_RETURN_IF_ERROR(
        ParseSecretRef(*enc, "keySecretRef", "spec.encryption.keySecretRef", &p.encryption_key));
  }
  DW_RETURN_IF_ERROR(ParseRetention(*spec, &p));
  DW_RETURN_IF_ERROR(ParseVerify(*spec, &p));
  DW_RETURN_IF_ERROR(ParseReliability(*spec, &p));
  DW_RETURN_IF_ERROR(ParseNotifications(*spec, &p));
  DW_RETURN_IF_ERROR(ReadBool(*spec, "dryRun", "spec.dryRun", &p.dry_run));
  *out = std::move(p);
  return Status::OK();
}

}  // namespace dw::backup
