#include <catch2/catch.hpp>

#include "operator/cli/api.h"
#include "operator/cli/describe_format.h"
#include "operator/cli/output.h"
#include "operator/cli/rest_mapper.h"

using dw::cli::RestMapper;

namespace {

RestMapper Canned() {
  RestMapper m;
  dw::json::Document core, dw_group;
  REQUIRE(dw::json::Parse(R"({"kind":"APIResourceList","groupVersion":"v1","resources":[
    {"name":"namespaces","singularName":"namespace","namespaced":false,"kind":"Namespace","shortNames":["ns"]},
    {"name":"secrets","singularName":"secret","namespaced":true,"kind":"Secret"},
    {"name":"events","singularName":"event","namespaced":true,"kind":"Event","shortNames":["ev"]}]})",
                          &core).ok());
  REQUIRE(dw::json::Parse(R"({"kind":"APIResourceList","groupVersion":"dockward.io/v1alpha1","resources":[
    {"name":"backuppolicies","singularName":"backuppolicy","namespaced":true,"kind":"BackupPolicy","shortNames":["bp"]},
    {"name":"backuppolicies/status","singularName":"","namespaced":true,"kind":"BackupPolicy"},
    {"name":"dockerhosts","singularName":"dockerhost","namespaced":false,"kind":"DockerHost","shortNames":["dh"]}]})",
                          &dw_group).ok());
  REQUIRE(m.AddResourceList(core).ok());
  REQUIRE(m.AddResourceList(dw_group).ok());
  return m;
}

}  // namespace

TEST_CASE("rest mapper: every spelling a user may type", "[cli][mapper]") {
  RestMapper m = Canned();
  CHECK(m.All().size() == 5);  // the status subresource is skipped
  for (const char* typed : {"bp", "backuppolicy", "backuppolicies", "BackupPolicy", "BACKUPPOLICIES",
                            "backuppolicies.dockward.io", "bp.dockward.io",
                            "backuppolicy.v1alpha1.dockward.io"}) {
    INFO(typed);
    const auto* r = m.Resolve(typed);
    REQUIRE(r);
    CHECK(r->plural == "backuppolicies");
  }
  CHECK(m.Resolve("ns")->kind == "Namespace");
  CHECK(m.Resolve("foo") == nullptr);
  CHECK(m.Resolve("bp.apps") == nullptr);
  CHECK(m.Resolve("") == nullptr);
}

TEST_CASE("rest mapper: kinds, paths and names", "[cli][mapper]") {
  RestMapper m = Canned();
  const auto* bp = m.ByKind("dockward.io/v1alpha1", "BackupPolicy");
  REQUIRE(bp);
  CHECK(m.ByKind("dockward.io/v1beta1", "BackupPolicy") == nullptr);
  CHECK(m.ByKind("dockward.io/v1alpha1", "Foo") == nullptr);
  CHECK(bp->Path("prod", "nightly") == "/apis/dockward.io/v1alpha1/namespaces/prod/backuppolicies/nightly");
  CHECK(bp->Path("") == "/apis/dockward.io/v1alpha1/backuppolicies");
  CHECK(bp->KindGroup() == "backuppolicy.dockward.io");
  CHECK(bp->GroupResource() == "backuppolicies.dockward.io");
  const auto* dh = m.ByKind("dockward.io/v1alpha1", "DockerHost");
  CHECK(dh->Path("ignored", "h1") == "/apis/dockward.io/v1alpha1/dockerhosts/h1");
  const auto* sec = m.ByKind("v1", "Secret");
  CHECK(sec->Path("default", "s") == "/api/v1/namespaces/default/secrets/s");
  CHECK(sec->KindGroup() == "secret");

  dw::json::Document bad;
  REQUIRE(dw::json::Parse(R"({"resources":[]})", &bad).ok());
  CHECK_FALSE(m.AddResourceList(bad).ok());
}

TEST_CASE("server errors read like kubectl's", "[cli][errors]") {
  auto st = dw::cli::ServerError(404, R"({"kind":"Status","apiVersion":"v1","status":"Failure",
    "message":"backuppolicies.dockward.io \"x\" not found","reason":"NotFound",
    "details":{"name":"x","group":"dockward.io","kind":"backuppolicies"},"code":404})");
  CHECK(st.code() == dw::Code::kNotFound);
  CHECK(st.message() == "Error from server (NotFound): backuppolicies.dockward.io \"x\" not found");

  st = dw::cli::ServerError(422, R"({"kind":"Status","reason":"Invalid","code":422,
    "message":"BackupPolicy.dockward.io \"x\" is invalid: ...",
    "details":{"name":"x","kind":"BackupPolicy","causes":[
      {"reason":"FieldValueRequired","message":"Required value","field":"spec.schedule"},
      {"reason":"FieldValueInvalid","message":"Invalid value: \"x\": bad","field":"spec.keep"}]}})");
  CHECK(st.code() == dw::Code::kInvalid);
  CHECK(st.message() ==
        "The BackupPolicy \"x\" is invalid: \n* spec.schedule: Required value\n"
        "* spec.keep: Invalid value: \"x\": bad");
  CHECK(st.causes().size() == 2);

  st = dw::cli::ServerError(422, R"({"kind":"Status","reason":"Invalid","code":422,"message":"m",
    "details":{"name":"x","kind":"BackupPolicy","causes":[{"message":"Required value","field":"spec.schedule"}]}})");
  CHECK(st.message() == "The BackupPolicy \"x\" is invalid: spec.schedule: Required value");

  st = dw::cli::ServerError(409, R"({"kind":"Status","reason":"AlreadyExists","code":409,"message":"already there"})");
  CHECK(st.code() == dw::Code::kAlreadyExists);
  CHECK(st.message() == "Error from server (AlreadyExists): already there");

  st = dw::cli::ServerError(503, "upstream down\n");
  CHECK(st.code() == dw::Code::kUnavailable);
  CHECK(st.message() == "Error from server (ServiceUnavailable): upstream down");
}

TEST_CASE("describe formatting", "[cli][describe]") {
  using dw::cli::FieldLabel;
  CHECK(FieldLabel("creationTimestamp") == "Creation Timestamp");
  CHECK(FieldLabel("apiVersion") == "API Version");
  CHECK(FieldLabel("uid") == "UID");
  CHECK(FieldLabel("observedGeneration") == "Observed Generation");
  CHECK(FieldLabel("lastTransitionTime") == "Last Transition Time");
  CHECK(FieldLabel("secretRef") == "Secret Ref");
  CHECK(FieldLabel("s3") == "s3");
  CHECK(FieldLabel("dockward.io/backup") == "dockward.io/backup");
  CHECK(FieldLabel("podIP") == "Pod IP");
  CHECK(FieldLabel("targetURL") == "Target URL");
  CHECK(FieldLabel("UIDValue") == "UID Value");

  dw::json::Document d;
  REQUIRE(dw::json::Parse(R"({"spec":{"schedule":"0 3 * * *","keepLast":7,
      "targets":[{"container":"db","engine":"postgres"}],"hosts":["a","b"]}})", &d).ok());
  dw::cli::DescribeLines lines;
  lines.push_back({"Name:", "x"});
  lines.push_back({"Annotations:", "<none>"});
  dw::cli::DescribeValue(d, 0, &lines);
  CHECK(dw::cli::AlignLines(lines) ==
        "Name:         x\n"
        "Annotations:  <none>\n"
        "Spec:\n"
        "  Schedule:   0 3 * * *\n"
        "  Keep Last:  7\n"
        "  Targets:\n"
        "    Container:  db\n"
        "    Engine:     postgres\n"
        "  Hosts:\n"
        "    a\n"
        "    b\n");
}

TEST_CASE("output: sorted keys, v1 List, -o name", "[cli][output]") {
  std::vector<dw::json::Document> items(2);
  REQUIRE(dw::json::Parse(R"({"kind":"BackupPolicy","apiVersion":"dockward.io/v1alpha1","metadata":{"name":"b","namespace":"d"}})", &items[0]).ok());
  REQUIRE(dw::json::Parse(R"({"kind":"Secret","apiVersion":"v1","metadata":{"name":"s"}})", &items[1]).ok());
  dw::json::Document list;
  dw::cli::MakeList(items, &list);
  CHECK(dw::json::Serialize(list) ==
        R"({"apiVersion":"v1","items":[{"apiVersion":"dockward.io/v1alpha1","kind":"BackupPolicy","metadata":{"name":"b","namespace":"d"}},{"apiVersion":"v1","kind":"Secret","metadata":{"name":"s"}}],"kind":"List","metadata":{"resourceVersion":""}})");
  std::string text;
  REQUIRE(dw::cli::FormatObject("name", list, nullptr, &text).ok());
  CHECK(text == "backuppolicy.dockward.io/b\nsecret/s\n");
  text.clear();
  REQUIRE(dw::cli::FormatObject("json", items[1], nullptr, &text).ok());
  CHECK(text == "{\n    \"apiVersion\": \"v1\",\n    \"kind\": \"Secret\",\n    \"metadata\": {\n        \"name\": \"s\"\n    }\n}\n");
  text.clear();
  REQUIRE(dw::cli::FormatObject("yaml", items[1], nullptr, &text).ok());
  CHECK(text == "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n");
  text.clear();
  REQUIRE(dw::cli::FormatObject("jsonpath={.items[*].metadata.name}", list, nullptr, &text).ok());
  CHECK(text == "b s");
  text.clear();
  CHECK_FALSE(dw::cli::FormatObject("jsonpath={.nope}", items[1], nullptr, &text).ok());
}
