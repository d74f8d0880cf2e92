// Findings <-> wgpolicyk8s.io/v1alpha2 PolicyReport, the findings table, and
// findings back from a StackLimits status. Field names follow the
// PolicyReportResult Go type of kubernetes-sigs/wg-policy-prototypes
// (resources = Subjects, message = Description, properties string map).
#include "reconcilers/stacklimits/policy_report.h"

#include <algorithm>
#include <set>
#include <tuple>

#include "operator/common/clock.h"
#include "operator/common/strings.h"
#include "reconcilers/stacklimits/evaluate.h"

namespace dw::stacklimits {

namespace {

// The report's severity enum is lower case (critical, high, medium, low, info).
const char* ReportSeverity(Severity s) {
  switch (s) {
    case Severity::kCritical: return "critical";
    case Severity::kHigh: return "high";
    case Severity::kMedium: return "medium";
    case Severity::kLow: return "low";
  }
  return "medium";
}

// metav1.Timestamp {seconds, nanos}; null when `rfc3339` does not parse.
json::Value TimestampJson(const std::string& rfc3339, json::Allocator& a) {
  clock::TimePoint t;
  if (!clock::ParseRfc3339(rfc3339, &t)) return json::Value(rapidjson::kNullType);
  auto since = t.time_since_epoch();
  auto secs = std::chrono::duration_cast<std::chrono::seconds>(since);
  auto nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(since - secs);
  json::Value ts(rapidjson::kObjectType);
  json::SetInt(ts, "seconds", secs.count(), a);
  json::SetInt(ts, "nanos", nanos.count(), a);
  return ts;
}

json::Value ResourceJson(const Finding& f, json::Allocator& a) {
  json::Value r(rapidjson::kObjectType);
  json::SetString(r, "apiVersion", "v1", a);
  json::SetString(r, "kind", "Container", a);
  json::SetString(r, "name", f.container, a);
  if (!f.project.empty()) json::SetString(r, "namespace", f.project, a);
  json::Value arr(rapidjson::kArrayType);
  arr.PushBack(r, a);
  return arr;
}

json::Value PropertiesJson(const Finding& f, json::Allocator& a) {
  json::Value p(rapidjson::kObjectType);
  auto put = [&](const char* k, const std::string& v) {
    if (!v.empty()) json::SetString(p, k, v, a);
  };
  put("cis", Join(f.cis, ","));
  put("observed", f.observed);
  put("desired", f.desired);
  put("fixableLive", f.fixable_live ? "true" : "false");
  put("subject", f.subject);
  put("service", f.service);
  if (f.exempted) put("exemptionReason", f.exemption_reason);
  return p;
}

json::Value ResultJson(const ReportSource& src, const Finding& f, const json::Value& ts,
                       json::Allocator& a) {
  json::Value r(rapidjson::kObjectType);
  json::SetString(r, "policy", src.policy, a);
  json::SetString(r, "rule", f.rule, a);
  json::SetString(r, "result", f.exempted ? "skip" : "fail", a);
  json::SetString(r, "severity", ReportSeverity(f.severity), a);
  json::SetString(r, "category", f.rule, a);
  json::SetString(r, "source", "dockward", a);
  json::SetBool(r, "scored", true, a);
  if (!ts.IsNull()) {
    json::Value copy(ts, a);
    json::SetValue(r, "timestamp", copy, a);
  }
  std::string message = f.message;
  if (message.empty()) message = f.exempted ? "exempted: " + f.exemption_reason : f.rule + " violated";
  json::SetString(r, "message", message, a);
  json::Value res = ResourceJson(f, a);
  json::SetValue(r, "resources", res, a);
  json::Value props = PropertiesJson(f, a);
  json::SetValue(r, "properties", props, a);
  return r;
}

// Checks that failed or were waived: one per (container, rule), however many
// subjects (capabilities, env vars, resources) the rule found.
int FailedChecks(const std::vector<Finding>& findings) {
  std::set<std::tuple<std::string, std::string, std::string>> checks;
  for (const Finding& f : findings) checks.emplace(f.project, f.container, f.rule);
  return static_cast<int>(checks.size());
}

std::vector<const Finding*> Sorted(const std::vector<Finding>& findings) {
  std::vector<const Finding*> out;
  out.reserve(findings.size());
  for (const Finding& f : findings) out.push_back(&f);
  std::stable_sort(out.begin(), out.end(),
                   [](const Finding* x, const Finding* y) { return x->Key() < y->Key(); });
  return out;
}

}  // namespace

void BuildPolicyReport(const ReportSource& src, const std::vector<Finding>& findings, int checked,
                       json::Document* out) {
  out->SetObject();
  auto& a = out->GetAllocator();
  json::SetString(*out, "apiVersion", "wgpolicyk8s.io/v1alpha2", a);
  json::SetString(*out, "kind", "PolicyReport", a);
  json::Value md(rapidjson::kObjectType);
  json::SetString(md, "name", src.name, a);
  if (!src.ns.empty()) json::SetString(md, "namespace", src.ns, a);
  json::SetValue(*out, "metadata", md, a);

  int fail = 0, skip = 0;
  json::Value ts = TimestampJson(src.timestamp, a);
  json::Value results(rapidjson::kArrayType);
  for (const Finding* f : Sorted(findings)) {
    (f->exempted ? skip : fail)++;
    results.PushBack(ResultJson(src, *f, ts, a), a);
  }
  json::Value summary(rapidjson::kObjectType);
  json::SetInt(summary, "pass", std::max(0, checked - FailedChecks(findings)), a);
  json::SetInt(summary, "fail", fail, a);
  json::SetInt(summary, "warn", 0, a);
  json::SetInt(summary, "error", 0, a);
  json::SetInt(summary, "skip", skip, a);
  json::SetValue(*out, "summary", summary, a);
  if (!results.Empty()) json::SetValue(*out, "results", results, a);
}

namespace {

std::string OrDash(const std::string& s) { return s.empty() ? "-" : s; }

// kubectl-style columns: three spaces between cells, no trailing spaces.
std::string Render(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const auto& r : rows) {
    widths.resize(std::max(widths.size(), r.size()), 0);
    for (size_t i = 0; i < r.size(); ++i) widths[i] = std::max(widths[i], r[i].size());
  }
  std::string out;
  for (const auto& r : rows) {
    for (size_t i = 0; i < r.size(); ++i) {
      out += r[i];
      if (i + 1 < r.size()) out += std::string(widths[i] - r[i].size() + 3, ' ');
    }
    out += '\n';
  }
  return out;
}

}  // namespace

std::string FindingsTable(const std::vector<Finding>& findings) {
  if (findings.empty()) return "No findings.\n";
  std::vector<std::vector<std::string>> rows;
  rows.reserve(findings.size() + 1);
  rows.push_back({"PROJECT", "SERVICE", "CONTAINER", "RULE", "SUBJECT", "SEVERITY", "OBSERVED",
                  "DESIRED", "LIVE"});
  for (const Finding* f : Sorted(findings)) {
    std::string live = f->fixable_live ? "yes" : "no";
    if (f->exempted) live += "   (exempt: " + f->exemption_reason + ")";
    rows.push_back({OrDash(f->project), OrDash(f->service), OrDash(f->container), f->rule,
                    OrDash(f->subject), SeverityName(f->severity), OrDash(f->observed),
                    OrDash(f->desired), live});
  }
  return Render(rows);
}

namespace {

Status Malformed(const std::string& field, const std::string& what) {
  return Status::Invalid("status" + (field.empty() ? "" : "." + field) + ": " + what);
}

// Severity of exempted rows: the status does not repeat it, the spec has it.
Severity RuleSeverity(const json::Value& spec, const std::string& rule) {
  Severity s = Severity::kMedium;
  const json::Value* rules = json::Find(spec, "rules");
  if (!rules || !rules->IsArray()) return s;
  for (const auto& r : rules->GetArray())
    if (json::GetString(r, "name") == rule) ParseSeverity(json::GetString(r, "severity", "Medium"), &s);
  return s;
}

// Checks per container: each listed rule, plus "limits" when spec.limits is set.
int RulesChecked(const json::Value& spec) {
  int n = 0;
  if (const json::Value* rules = json::Find(spec, "rules"); rules && rules->IsArray())
    for (const auto& r : rules->GetArray()) n += json::GetString(r, "name") != "limits";
  const json::Value* limits = json::Find(spec, "limits");
  return n + (limits && limits->IsObject() ? 1 : 0);
}

Status ViolationFinding(const json::Value& v, const std::string& where, Finding* f) {
  if (!v.IsObject()) return Malformed(where, "not an object");
  f->rule = json::GetString(v, "rule");
  if (f->rule.empty()) return Malformed(where + ".rule", "required");
  std::string sev = json::GetString(v, "severity", "Medium");
  if (!ParseSeverity(sev, &f->severity)) return Malformed(where + ".severity", "unknown \"" + sev + "\"");
  f->observed = json::GetString(v, "observed");
  f->desired = json::GetString(v, "desired");
  f->fixable_live = json::GetBool(v, "fixableLive");
  f->container = json::GetString(v, "container");
  f->subject = json::GetString(v, "subject");
  f->message = json::GetString(v, "message");
  if (const json::Value* cis = json::Find(v, "cis"); cis && cis->IsArray())
    for (const auto& c : cis->GetArray())
      if (c.IsString()) f->cis.emplace_back(c.GetString(), c.GetStringLength());
  return Status::OK();
}

Status ExemptedFinding(const json::Value& v, const json::Value& spec, const std::string& where,
                       Finding* f) {
  if (!v.IsObject()) return Malformed(where, "not an object");
  f->rule = json::GetString(v, "rule");
  if (f->rule.empty()) return Malformed(where + ".rule", "required");
  f->subject = json::GetString(v, "subject");
  f->container = json::GetString(v, "container");
  f->exempted = true;
  f->exemption_reason = json::GetString(v, "reason");
  f->severity = RuleSeverity(spec, f->rule);
  if (const RuleInfo* info = FindRule(f->rule))
    for (const char* c : info->cis) f->cis.emplace_back(c);
  return Status::OK();
}

Status ServiceFindings(const json::Value& row, const json::Value& spec, const std::string& where,
                       std::vector<Finding>* out) {
  if (!row.IsObject()) return Malformed(where, "not an object");
  Finding base;
  base.project = json::GetString(row, "project");
  base.service = json::GetString(row, "name");
  for (const char* list : {"violations", "exempted"}) {
    const json::Value* items = json::Find(row, list);
    if (!items) continue;
    if (!items->IsArray()) return Malformed(where + "." + list, "not an array");
    for (rapidjson::SizeType i = 0; i < items->Size(); ++i) {
      Finding f = base;
      std::string at = where + "." + list + "[" + std::to_string(i) + "]";
      DW_RETURN_IF_ERROR(std::string(list) == "violations"
                             ? ViolationFinding((*items)[i], at, &f)
                             : ExemptedFinding((*items)[i], spec, at, &f));
      out->push_back(std::move(f));
    }
  }
  return Status::OK();
}

}  // namespace

Status FindingsFromStatus(const json::Value& stacklimits, std::vector<Finding>* out, int* checked) {
  out->clear();
  *checked = 0;
  static const json::Value kEmpty(rapidjson::kObjectType);
  const json::Value* spec = json::Find(stacklimits, "spec");
  if (!spec) spec = &kEmpty;
  const json::Value* status = json::Find(stacklimits, "status");
  if (!status || status->IsNull()) return Status::OK();  // not reconciled yet
  if (!status->IsObject()) return Malformed("", "not an object");
  if (const json::Value* services = json::Find(*status, "services")) {
    if (!services->IsArray()) return Malformed("services", "not an array");
    for (rapidjson::SizeType i = 0; i < services->Size(); ++i)
      DW_RETURN_IF_ERROR(
          ServiceFindings((*services)[i], *spec, "services[" + std::to_string(i) + "]", out));
  }
  if (const json::Value* summary = json::Find(*status, "summary"))
    *checked = static_cast<int>(json::GetInt(*summary, "containers")) * RulesChecked(*spec);
  return Status::OK();
}

}  // namespace dw::stacklimits
