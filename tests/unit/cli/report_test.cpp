#include <catch2/catch.hpp>

#include "operator/cli/report.h"
#include "operator/json/yaml.h"

using dw::cli::FormatStackReports;
using dw::cli::IsReportFormat;
using dw::cli::ReportOptions;
namespace json = dw::json;

namespace {

// A StackLimits object as the API server returns it after an audit.
const char* kLab = R"J({
  "apiVersion":"dockward.io/v1alpha1","kind":"StackLimits",
  "metadata":{"name":"lab","namespace":"default"},
  "spec":{"projects":["dwlab"],"mode":"Audit","limits":{"defaults":{"memory":"64Mi"}},
          "rules":[{"name":"privileged","severity":"Critical"},{"name":"restartPolicy","severity":"Low"}]},
  "status":{
    "observedGeneration":1,
    "services":[
      {"name":"bare","project":"dwlab","containers":1,"running":1,"expected":1,"health":"none",
       "violations":[
         {"rule":"limits","severity":"Medium","observed":"0","desired":"64Mi","fixableLive":true,
          "container":"dwlab_bare_1","subject":"memory","cis":["5.11"]},
         {"rule":"restartPolicy","severity":"Low","observed":"no","desired":"unless-stopped",
          "fixableLive":true,"container":"dwlab_bare_1","cis":["5.15"]}]},
      {"name":"kvm","project":"dwlab","containers":1,"running":0,"expected":1,"health":"none",
       "exempted":[{"rule":"privileged","container":"dwlab_kvm_1","reason":"needs /dev/kvm"}]},
      {"name":"web","project":"dwlab","containers":1,"running":1,"expected":1,"health":"healthy"}],
    "summary":{"services":3,"containers":3,"violations":2,"unhealthy":0,"drifted":2,"needsRecreate":0,"exempted":1},
    "conditions":[
      {"type":"Ready","status":"True","reason":"Audited","lastTransitionTime":"2026-11-23T12:00:00Z"},
      {"type":"Compliant","status":"False","reason":"Violations","lastTransitionTime":"2026-11-23T12:05:00Z"}]}})J";

std::vector<json::Document> Objects(std::initializer_list<const char*> texts) {
  std::vector<json::Document> out;
  for (const char* t : texts) {
    json::Document d;
    REQUIRE(json::Parse(t, &d).ok());
    out.push_back(std::move(d));
  }
  return out;
}

std::string Format(const std::vector<json::Document>& objs, const std::string& format,
                   bool single = false, bool with_ns = false) {
  ReportOptions o;
  o.format = format;
  o.single = single;
  o.with_namespace = with_ns;
  std::string out;
  dw::Status st = FormatStackReports(objs, o, &out);
  REQUIRE(st.ok());
  return out;
}

}  // namespace

TEST_CASE("report table: a header line per object, then the findings", "[report]") {
  auto objs = Objects({kLab, R"J({"metadata":{"name":"new","namespace":"ops"},"spec":{"mode":"Enforce"}})J"});
  std::string want =
      "stacklimits/lab (Audit): 2 violations, 1 exempted\n"
      "PROJECT   SERVICE   CONTAINER      RULE            SUBJECT   SEVERITY   OBSERVED   DESIRED          LIVE\n"
      "dwlab     bare      dwlab_bare_1   limits          memory    Medium     0          64Mi             yes\n"
      "dwlab     bare      dwlab_bare_1   restartPolicy   -         Low        no         unless-stopped   yes\n"
      "dwlab     kvm       dwlab_kvm_1    privileged      -         Critical   -          -                no   (exempt: needs /dev/kvm)\n"
      "\n"
      "stacklimits/new (Enforce): not audited yet\n";
  REQUIRE(Format(objs, "table") == want);
  REQUIRE(Format(objs, "") == want);
}

TEST_CASE("report table with -A names the namespace; a clean object says so", "[report]") {
  auto objs = Objects({R"J({"metadata":{"name":"ok","namespace":"ops"},"spec":{},
    "status":{"summary":{"containers":2},"conditions":[
      {"type":"Ready","status":"False","reason":"InvalidSpec","message":"spec.rules[0].maxSize: bad size"}]}})J"});
  REQUIRE(Format(objs, "table", false, true) ==
          "stacklimits/ok (ops, Audit): 0 violations\n"
          "Ready=False (InvalidSpec): spec.rules[0].maxSize: bad size\n"
          "No findings.\n");
}

TEST_CASE("report table adds Recommend mode's compose snippet", "[report]") {
  auto objs = Objects({R"J({"metadata":{"name":"rec","namespace":"default"},"spec":{"mode":"Recommend"},
    "status":{"summary":{"containers":2},"services":[
      {"name":"hungry","project":"dwlab","recommended":{"memory":"116Mi","cpus":"0.15","pids":32,
        "samples":31,"complete":true}},
      {"name":"web","project":"dwlab","recommended":{"memory":"1Gi","cpus":"0.1","pids":40,
        "samples":4,"complete":false}}]}})J"});
  REQUIRE(Format(objs, "table") ==
          "stacklimits/rec (Recommend): 0 violations\n"
          "No findings.\n"
          "\n"
          "Recommended limits (docker-compose):\n"
          "# project dwlab\n"
          "services:\n"
          "  hungry:\n"
          "    mem_limit: 116m\n"
          "    memswap_limit: 116m\n"
          "    cpus: 0.15\n"
          "    pids_limit: 32\n"
          "  web:\n"
          "    mem_limit: 1024m\n"
          "    memswap_limit: 1024m\n"
          "    cpus: 0.1\n"
          "    pids_limit: 40\n"
          "    # sampling window not complete: 4 samples so far\n");
}

TEST_CASE("report -o policyreport: one named object prints one PolicyReport", "[report]") {
  auto objs = Objects({kLab});
  std::string text = Format(objs, "policyreport", true);
  json::Document doc;
  REQUIRE(dw::yaml::ParseOne(text, {}, &doc).ok());
  REQUIRE(json::GetString(doc, "apiVersion") == "wgpolicyk8s.io/v1alpha2");
  REQUIRE(json::GetString(doc, "kind") == "PolicyReport");
  REQUIRE(json::GetStringPath(doc, "metadata.name") == "dockward-stacklimits-lab");
  REQUIRE(json::GetStringPath(doc, "metadata.namespace") == "default");
  // 3 containers x (privileged, restartPolicy, limits) = 9 checks; 3 fail or are waived.
  json::Document summary;
  REQUIRE(json::Parse(R"J({"pass":6,"fail":2,"warn":0,"error":0,"skip":1})J", &summary).ok());
  REQUIRE(json::Equal(*json::Find(doc, "summary"), summary));
  const json::Value& results = *json::Find(doc, "results");
  REQUIRE(results.Size() == 3);
  // The newest condition transition dates the results.
  REQUIRE(json::GetInt(*json::Find(results[0], "timestamp"), "seconds") == 1795435500);
  REQUIRE(json::GetString(results[2], "result") == "skip");
  REQUIRE(json::GetString(results[2], "severity") == "critical");
  REQUIRE(json::GetString(results[2], "policy") == "stacklimits/lab");
  REQUIRE(text == Format(objs, "yaml", true));
}

TEST_CASE("report -o json of several objects is a List of PolicyReports", "[report]") {
  auto objs = Objects({kLab, R"J({"metadata":{"name":"new","namespace":"ops"}})J"});
  std::string text = Format(objs, "json");
  json::Document doc;
  REQUIRE(json::Parse(text, &doc).ok());
  REQUIRE(json::GetString(doc, "kind") == "List");
  const json::Value& items = *json::Find(doc, "items");
  REQUIRE(items.Size() == 2);
  REQUIRE(json::GetStringPath(items[0], "metadata.name") == "dockward-stacklimits-lab");
  REQUIRE(json::GetStringPath(items[1], "metadata.name") == "dockward-stacklimits-new");
  REQUIRE(json::GetStringPath(items[1], "metadata.namespace") == "ops");
  REQUIRE(json::Find(items[1], "results") == nullptr);
  REQUIRE(json::GetInt(*json::Find(items[1], "summary"), "pass") == 0);
}

TEST_CASE("report: a malformed status is an error naming the object", "[report]") {
  auto objs = Objects({R"J({"metadata":{"name":"bad"},"status":{"services":7}})J"});
  std::string out;
  ReportOptions o;
  dw::Status st = FormatStackReports(objs, o, &out);
  REQUIRE_FALSE(st.ok());
  REQUIRE(st.message() == "error: stacklimits/bad: status.services: not an array");
  o.format = "json";
  REQUIRE_FALSE(FormatStackReports(objs, o, &out).ok());
}

TEST_CASE("report output formats", "[report]") {
  for (const char* f : {"", "table", "policyreport", "yaml", "json"}) REQUIRE(IsReportFormat(f));
  for (const char* f : {"wide", "name", "jsonpath={.x}", "Table"}) REQUIRE_FALSE(IsReportFormat(f));
}
