// `dockward lint`: policy file -> admitted StackPolicy; compose files ->
// ContainerFacts; the same Evaluate the runtime audit uses; one of three
// outputs. Exit codes are the CI contract (see lint.h).
#include "operator/cli/lint.h"

#include <algorithm>

#include "operator/cli/verbs.h"
#include "operator/common/clock.h"
#include "operator/json/yaml.h"
#include "operator/schema/resource_info.h"
#include "operator/schema/validator.h"
#include "reconcilers/stacklimits/compose_facts.h"
#include "reconcilers/stacklimits/compose_load.h"
#include "reconcilers/stacklimits/evaluate.h"
#include "reconcilers/stacklimits/policy_report.h"

extern char** environ;

namespace dw::cli {

namespace sl = dw::stacklimits;

namespace {

constexpr int kExitBadInput = 2;

// The recorded line of `field` or of its closest recorded parent.
int LineOf(const yaml::YamlDocument& d, std::string field) {
  while (!field.empty()) {
    auto it = d.lines.find(field);
    if (it != d.lines.end()) return it->second;
    size_t cut = field.find_last_of(".[");
    field = cut == std::string::npos ? "" : field.substr(0, cut);
  }
  return d.first_line;
}

std::string Where(const std::string& source, int line) { return source + ":" + std::to_string(line) + ": "; }

// The API server's wording: `StackLimits.dockward.io "x" is invalid: [a, b]`.
Status InvalidObject(const yaml::YamlDocument& d, const std::string& source, const std::string& name,
                     std::vector<FieldCause> causes) {
  std::string msg = Where(source, LineOf(d, causes.front().field)) + "StackLimits.dockward.io \"" + name +
                    "\" is invalid: ";
  if (causes.size() > 1) msg += "[";
  for (size_t i = 0; i < causes.size(); ++i) {
    if (i) msg += ", ";
    msg += causes[i].field.empty() ? causes[i].message : causes[i].field + ": " + causes[i].message;
  }
  if (causes.size() > 1) msg += "]";
  return Status::Invalid(msg, std::move(causes));
}

Status PickDocument(std::vector<yaml::YamlDocument>& docs, const std::string& source, const std::string& want,
                    yaml::YamlDocument** out) {
  std::vector<yaml::YamlDocument*> found;
  for (auto& d : docs) {
    if (!d.doc.IsObject() || json::GetString(d.doc, "kind") != "StackLimits") continue;
    if (want.empty() || json::GetStringPath(d.doc, "metadata.name") == want) found.push_back(&d);
  }
  if (found.empty()) {
    return Status::Invalid(source + ": no StackLimits manifest" + (want.empty() ? "" : " named \"" + want + "\""));
  }
  if (found.size() > 1) {
    std::string names;
    for (auto* d : found) names += (names.empty() ? "" : ", ") + json::GetStringPath(d->doc, "metadata.name");
    return Status::Invalid(source + ": several StackLimits manifests (" + names + "): choose one with --policy-name");
  }
  *out = found.front();
  return Status::OK();
}

const schema::ResourceInfo* StackLimitsKind(const schema::ResourceRegistry& reg, const std::string& api_version) {
  return reg.ByKind(api_version, "StackLimits");
}

}  // namespace

Status LoadLintPolicy(std::string_view text, const std::string& source, const std::string& want_name,
                      sl::StackPolicy* out, std::string* name, std::vector<std::string>* warnings) {
  std::vector<yaml::YamlDocument> docs;
  yaml::ParseOptions po;
  po.source_name = source;
  Status st = yaml::ParseAll(text, po, &docs);
  if (!st.ok()) return Status::Invalid(st.message());
  yaml::YamlDocument* d = nullptr;
  DW_RETURN_IF_ERROR(PickDocument(docs, source, want_name, &d));
  *name = json::GetStringPath(d->doc, "metadata.name");

  std::unique_ptr<schema::ResourceRegistry> reg;
  DW_RETURN_IF_ERROR(schema::ResourceRegistry::LoadBuiltin(&reg));
  std::string api_version = json::GetString(d->doc, "apiVersion");
  const schema::ResourceInfo* info = StackLimitsKind(*reg, api_version);
  if (!info || !info->schema) {
    return Status::Invalid(Where(source, LineOf(*d, "apiVersion")) + "no StackLimits in apiVersion \"" +
                           api_version + "\"");
  }
  auto res = schema::Admit(*info->schema, d->doc, schema::FieldValidation::kWarn, d->doc.GetAllocator());
  for (auto& w : res.warnings) warnings->push_back(std::move(w));
  if (!res.errors.empty()) return InvalidObject(*d, source, *name, std::move(res.errors));

  const json::Value* spec = json::Find(d->doc, "spec");
  json::Value empty(rapidjson::kObjectType);
  st = sl::ParseStackPolicy(spec ? *spec : empty, out);
  if (st.ok()) return st;
  if (!st.causes().empty()) {
    std::vector<FieldCause> causes = st.causes();
    for (auto& c : causes)
      if (c.field.rfind("spec", 0) != 0) c.field = c.field.empty() ? "spec" : "spec." + c.field;
    return InvalidObject(*d, source, *name, std::move(causes));
  }
  return Status::Invalid(Where(source, LineOf(*d, "spec")) + st.message());
}

std::vector<FlagSpec> LintFlags() {
  return {{"policy", 'p', true},       {"policy-name", 0, true},       {"file", 'f', true},
          {"project-name", 0, true},   {"env-file", 0, true},          {"compose", 0, true},
          {"image-healthcheck", 0, true}, {"fail-on", 0, true},        {"output", 'o', true}};
}

namespace {

struct LintRequest {
  sl::ComposeOptions compose;
  std::string policy_file, policy_name, output;
  sl::Severity fail_on = sl::Severity::kLow;
};

Status ParseRequest(const Args& args, LintRequest* r) {
  r->compose.files = args.All("file");
  r->compose.files.insert(r->compose.files.end(), args.positional.begin(), args.positional.end());
  if (r->compose.files.empty()) return Status::BadRequest("error: no compose file given");
  r->policy_file = args.Get("policy");
  if (r->policy_file.empty()) return Status::BadRequest("error: -p/--policy POLICY_FILE is required");
  r->policy_name = args.Get("policy-name");
  r->compose.project = args.Get("project-name");
  r->compose.env_file = args.Get("env-file");
  r->compose.images_with_healthcheck = args.All("image-healthcheck");
  std::string flavor = args.Get("compose", "v2");
  if (flavor == "v1") r->compose.flavor = sl::ComposeFlavor::kV1;
  else if (flavor == "v1-compat") r->compose.flavor = sl::ComposeFlavor::kV1Compat;
  else if (flavor == "v2") r->compose.flavor = sl::ComposeFlavor::kV2;
  else return Status::BadRequest("error: --compose must be one of v1, v1-compat, v2");
  if (args.Has("fail-on") && !sl::ParseSeverity(args.Get("fail-on"), &r->fail_on)) {
    return Status::BadRequest("error: --fail-on must be one of Low, Medium, High, Critical");
  }
  r->output = args.Get("output", "table");
  if (r->output != "table" && r->output != "policyreport" && r->output != "json") {
    return Status::BadRequest("error: --output must be one of table, policyreport, json");
  }
  for (char** e = environ; e && *e; ++e) {
    std::string kv = *e;
    size_t eq = kv.find('=');
    if (eq != std::string::npos) r->compose.env.emplace(kv.substr(0, eq), kv.substr(eq + 1));
  }
  return Status::OK();
}

void FindingsJson(const std::vector<sl::Finding>& findings, json::Document* out) {
  out->SetArray();
  auto& a = out->GetAllocator();
  for (const auto& f : findings) {
    json::Value o(rapidjson::kObjectType);
    json::SetString(o, "project", f.project, a);
    json::SetString(o, "service", f.service, a);
    json::SetString(o, "container", f.container, a);
    json::SetString(o, "rule", f.rule, a);
    json::SetString(o, "subject", f.subject, a);
    json::SetString(o, "severity", sl::SeverityName(f.severity), a);
    json::SetString(o, "observed", f.observed, a);
    json::SetString(o, "desired", f.desired, a);
    json::SetString(o, "message", f.message, a);
    json::SetBool(o, "fixableLive", f.fixable_live, a);
    json::Value cis(rapidjson::kArrayType);
    for (const auto& c : f.cis) cis.PushBack(json::Str(c, a), a);
    json::SetValue(o, "cis", cis, a);
    json::SetBool(o, "exempted", f.exempted, a);
    if (f.exempted) json::SetString(o, "exemptionReason", f.exemption_reason, a);
    out->PushBack(o, a);
  }
}

void PrintNotes(const std::vector<sl::ComposeNote>& notes, std::ostream& err) {
  for (const auto& n : notes) {
    err << "note: ";
    if (!n.file.empty()) err << n.file << (n.line > 0 ? ":" + std::to_string(n.line) : "") << ": ";
    if (!n.service.empty()) err << "service \"" << n.service << "\": ";
    err << n.message << "\n";
  }
}

}  // namespace

Status RunLint(Env& env, int* exit_code) {
  *exit_code = kExitBadInput;
  LintRequest req;
  DW_RETURN_IF_ERROR(ParseRequest(env.args, &req));

  std::string text;
  Status st = sl::ReadTextFile(req.policy_file, &text);
  if (!st.ok()) return Status::Invalid("error: " + st.message());
  sl::StackPolicy policy;
  std::string policy_name;
  std::vector<std::string> warnings;
  st = LoadLintPolicy(text, req.policy_file, req.policy_name, &policy, &policy_name, &warnings);
  for (const auto& w : warnings) *env.err << "Warning: " << req.policy_file << ": " << w << "\n";
  if (!st.ok()) return Status::Invalid("error: " + st.message(), st.causes());

  std::vector<sl::ContainerFacts> facts;
  std::vector<sl::ComposeNote> notes;
  st = sl::LoadComposeFacts(req.compose, &facts, &notes);
  PrintNotes(notes, *env.err);
  if (!st.ok()) return Status::Invalid("error: " + st.message());

  std::vector<sl::ContainerFacts> selected;
  for (auto& c : facts)
    if (policy.Selects(c.labels)) selected.push_back(std::move(c));
  if (selected.empty() && !facts.empty()) {
    *env.err << "note: StackLimits \"" << policy_name << "\" selects no service of project \""
             << facts.front().project << "\" (see --project-name)\n";
  }
  std::vector<sl::Finding> findings = sl::Evaluate(policy, selected);

  if (req.output == "table") {
    *env.out << sl::FindingsTable(findings);
  } else if (req.output == "json") {
    json::Document doc;
    FindingsJson(findings, &doc);
    *env.out << json::SerializePretty(doc) << "\n";
  } else {
    sl::ReportSource src;
    std::string project = selected.empty() ? std::string() : selected.front().project;
    src.name = "dockward-lint-" + (project.empty() ? policy_name : project);
    src.policy = "stacklimits/" + policy_name;
    src.timestamp = clock::NowRfc3339();
    json::Document doc;
    int checked = static_cast<int>(selected.size() * policy.rules.size());
    sl::BuildPolicyReport(src, findings, checked, &doc);
    *env.out << yaml::Emit(doc);
  }
  bool failing = std::any_of(findings.begin(), findings.end(), [&](const sl::Finding& f) {
    return !f.exempted && static_cast<int>(f.severity) >= static_cast<int>(req.fail_on);
  });
  *exit_code = failing ? 1 : 0;
  return Status::OK();
}

}  // namespace dw::cli
