// `report`: reads StackLimits objects and prints their findings as
// PolicyReports or as a table with one header line per object.
#include "operator/cli/report.h"

#include "operator/cli/output.h"
#include "operator/cli/verbs.h"
#include "operator/common/clock.h"
#include "operator/runtime/conditions.h"
#include "reconcilers/stacklimits/policy_report.h"
#include "reconcilers/stacklimits/quantity.h"

namespace dw::cli {

namespace sl = dw::stacklimits;

bool IsReportFormat(const std::string& f) {
  return f.empty() || f == "table" || f == "policyreport" || f == "yaml" || f == "json";
}

namespace {

std::string Name(const json::Value& obj) { return json::GetStringPath(obj, "metadata.name"); }
std::string Namespace(const json::Value& obj) { return json::GetStringPath(obj, "metadata.namespace"); }

// When the findings were last seen to change: the newest condition
// transition (status is written only on change). Now if never reconciled.
std::string ReportTime(const json::Value& obj) {
  std::string newest;
  clock::TimePoint newest_tp;
  const json::Value* conds = json::FindPath(obj, "status.conditions");
  if (conds && conds->IsArray())
    for (const auto& c : conds->GetArray()) {
      std::string t = json::GetString(c, "lastTransitionTime");
      clock::TimePoint tp;
      if (!clock::ParseRfc3339(t, &tp) || (!newest.empty() && tp <= newest_tp)) continue;
      newest = std::move(t);
      newest_tp = tp;
    }
  return newest.empty() ? clock::NowRfc3339() : newest;
}

Status ReportOf(const json::Value& obj, json::Document* out) {
  std::vector<sl::Finding> findings;
  int checked = 0;
  Status st = sl::FindingsFromStatus(obj, &findings, &checked);
  if (!st.ok()) return Status::Invalid("error: stacklimits/" + Name(obj) + ": " + st.message());
  sl::ReportSource src{"dockward-stacklimits-" + Name(obj), Namespace(obj), "stacklimits/" + Name(obj),
                       ReportTime(obj)};
  sl::BuildPolicyReport(src, findings, checked, out);
  return Status::OK();
}

Status FormatPolicyReports(const std::vector<json::Document>& objects, const ReportOptions& opts,
                           std::string* out) {
  std::vector<json::Document> reports(objects.size());
  for (size_t i = 0; i < objects.size(); ++i) DW_RETURN_IF_ERROR(ReportOf(objects[i], &reports[i]));
  std::string format = opts.format == "json" ? "json" : "yaml";
  if (opts.single && reports.size() == 1) return FormatObject(format, reports[0], nullptr, out);
  json::Document list;
  MakeList(reports, &list);
  return FormatObject(format, list, nullptr, out);
}

// "stacklimits/lab (Audit): 13 violations, 1 exempted"
std::string Header(const json::Value& obj, const std::vector<sl::Finding>& findings, bool with_ns) {
  std::string h = "stacklimits/" + Name(obj) + " (";
  if (with_ns) h += Namespace(obj) + ", ";
  h += json::GetStringPath(obj, "spec.mode", "Audit") + "): ";
  const json::Value* status = json::Find(obj, "status");
  if (!status || !json::Find(*status, "summary")) return h + "not audited yet\n";
  int open = 0, exempt = 0;
  for (const auto& f : findings) (f.exempted ? exempt : open)++;
  h += std::to_string(open) + (open == 1 ? " violation" : " violations");
  if (exempt > 0) h += ", " + std::to_string(exempt) + " exempted";
  h += "\n";
  // A policy that stopped being applied says why, or its findings look current.
  const json::Value* ready = runtime::FindCondition(*status, "Ready");
  if (ready && json::GetString(*ready, "status") != "True")
    h += "Ready=" + json::GetString(*ready, "status") + " (" + json::GetString(*ready, "reason") +
         "): " + json::GetString(*ready, "message") + "\n";
  return h;
}

// Compose units are binary: 116Mi -> "116m".
std::string ComposeBytes(const std::string& quantity) {
  int64_t b = 0;
  if (!sl::ParseK8sBytes(quantity, &b).ok() || b <= 0) return quantity;
  if (b % (1 << 20) == 0) return std::to_string(b >> 20) + "m";
  if (b % 1024 == 0) return std::to_string(b >> 10) + "k";
  return std::to_string(b);
}

// Recommend mode's proposals as a docker-compose snippet, ready to paste.
std::string ComposeSnippet(const json::Value& obj) {
  const json::Value* services = json::FindPath(obj, "status.services");
  if (!services || !services->IsArray()) return "";
  std::string text, project;
  for (const auto& s : services->GetArray()) {
    const json::Value* rec = json::Find(s, "recommended");
    if (!rec || !rec->IsObject()) continue;
    if (json::GetString(s, "project") != project || text.empty()) {
      project = json::GetString(s, "project");
      text += "# project " + project + "\nservices:\n";
    }
    text += "  " + json::GetString(s, "name") + ":\n";
    text += "    mem_limit: " + ComposeBytes(json::GetString(*rec, "memory")) + "\n";
    text += "    memswap_limit: " + ComposeBytes(json::GetString(*rec, "memory")) + "\n";
    text += "    cpus: " + json::GetString(*rec, "cpus") + "\n";
    text += "    pids_limit: " + std::to_string(json::GetInt(*rec, "pids")) + "\n";
    if (!json::GetBool(*rec, "complete"))
      text += "    # sampling window not complete: " + std::to_string(json::GetInt(*rec, "samples")) +
              " samples so far\n";
  }
  return text.empty() ? "" : "Recommended limits (docker-compose):\n" + text;
}

Status FormatTables(const std::vector<json::Document>& objects, const ReportOptions& opts,
                    std::string* out) {
  for (size_t i = 0; i < objects.size(); ++i) {
    std::vector<sl::Finding> findings;
    int checked = 0;
    Status st = sl::FindingsFromStatus(objects[i], &findings, &checked);
    if (!st.ok()) return Status::Invalid("error: stacklimits/" + Name(objects[i]) + ": " + st.message());
    if (i > 0) *out += "\n";
    *out += Header(objects[i], findings, opts.with_namespace);
    if (json::FindPath(objects[i], "status.summary")) *out += sl::FindingsTable(findings);
    std::string snippet = ComposeSnippet(objects[i]);
    if (!snippet.empty()) *out += "\n" + snippet;
  }
  return Status::OK();
}

}  // namespace

Status FormatStackReports(const std::vector<json::Document>& objects, const ReportOptions& opts,
                          std::string* out) {
  if (opts.format.empty() || opts.format == "table") return FormatTables(objects, opts, out);
  return FormatPolicyReports(objects, opts, out);
}

std::vector<FlagSpec> ReportFlags() { return {{"output", 'o', true}, {"all-namespaces", 'A', false}}; }

namespace {

Status Fetch(Env& env, const ApiResource& res, const std::string& ns,
             const std::vector<std::string>& names, std::vector<json::Document>* out) {
  for (const auto& n : names) {
    json::Document d;
    DW_RETURN_IF_ERROR(env.api->Get(res.Path(ns, n), &d));
    out->push_back(std::move(d));
  }
  if (!names.empty()) return Status::OK();
  json::Document list;
  DW_RETURN_IF_ERROR(env.api->Get(res.Path(ns), &list));
  json::Value* items = json::Find(list, "items");
  if (!items || !items->IsArray()) return Status::OK();
  for (auto& it : items->GetArray()) {
    json::Document d;
    d.CopyFrom(it, d.GetAllocator());
    out->push_back(std::move(d));
  }
  return Status::OK();
}

}  // namespace

Status RunReport(Env& env, int*) {
  ReportOptions opts;
  opts.format = env.args.Get("output", "table");
  if (!IsReportFormat(opts.format))
    return Status::BadRequest("error: unable to match a printer suitable for the output format \"" +
                              opts.format + "\", allowed formats are: json,policyreport,table,yaml");
  bool all = false;
  DW_RETURN_IF_ERROR(env.args.GetBool("all-namespaces", false, &all));
  if (all && !env.args.positional.empty())
    return Status::BadRequest("error: a resource cannot be retrieved by name across all namespaces");
  const ApiResource* res;
  DW_RETURN_IF_ERROR(env.Resolve("stacklimits", &res));
  std::vector<json::Document> objects;
  DW_RETURN_IF_ERROR(Fetch(env, *res, all ? "" : env.ns, env.args.positional, &objects));
  opts.single = env.args.positional.size() == 1;
  opts.with_namespace = all;
  if (objects.empty() && opts.format == "table") {
    *env.err << (all ? std::string("No resources found\n")
                     : "No resources found in " + env.ns + " namespace.\n");
    return Status::OK();
  }
  std::string text;
  DW_RETURN_IF_ERROR(FormatStackReports(objects, opts, &text));
  *env.out << text;
  return Status::OK();
}

}  // namespace dw::cli
