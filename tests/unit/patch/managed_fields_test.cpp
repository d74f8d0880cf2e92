#include <catch2/catch.hpp>

#include "operator/patch/managed_fields.h"
#include "tests/unit/patch/test_util.h"

using dw::patch::testing::ExpectJson;
using dw::patch::testing::J;
namespace json = dw::json;
using dw::patch::ApplyOptions;

namespace {

const char kSchema[] = R"({"type":"object","properties":{
 "apiVersion":{"type":"string"},"kind":{"type":"string"},"metadata":{"type":"object"},
 "spec":{"type":"object","properties":{"schedule":{"type":"string"},"keep":{"type":"integer"},
   "tags":{"type":"array","x-kubernetes-list-type":"set","items":{"type":"string"}},
   "args":{"type":"array","items":{"type":"string"}},
   "sel":{"type":"object","x-kubernetes-map-type":"atomic","additionalProperties":{"type":"string"}}}},
 "status":{"type":"object","properties":{"conditions":{"type":"array","x-kubernetes-list-type":"map",
   "x-kubernetes-list-map-keys":["type"],"items":{"type":"object","properties":{
     "type":{"type":"string"},"status":{"type":"string"}}}}}}}})";

const char kHead[] = R"("apiVersion":"dockward.io/v1alpha1","kind":"BackupPolicy")";

std::string Obj(const std::string& rest) { return std::string("{") + kHead + R"(,"metadata":{"name":"p")" + rest; }

class SsaFixture {
 public:
  SsaFixture() : schema_(J(kSchema)) {}

  ApplyOptions Opts(const std::string& manager, bool force = false, const std::string& sub = "") {
    ApplyOptions o;
    o.schema = &schema_;
    o.manager = manager;
    o.force = force;
    o.subresource = sub;
    o.now = "2024-01-01T00:00:0" + std::to_string(++tick_) + "Z";
    o.api_version = "dockward.io/v1alpha1";
    return o;
  }

  // Applies `config` over the current object; keeps the result on success.
  dw::Status Apply(const std::string& config, const ApplyOptions& o) {
    json::Document cfg = J(config);
    json::Document out;
    dw::Status st = dw::patch::ServerSideApply(has_ ? &live_ : nullptr, cfg, o, &out);
    UNSCOPED_INFO("apply by " << o.manager << ": " << st.message());
    if (st.ok()) {
      live_.Swap(out);
      has_ = true;
    }
    return st;
  }

  void Update(const std::string& next, const ApplyOptions& o) {
    json::Document n = J(next);
    // A write keeps the stored managedFields, as the apiserver does.
    if (has_ && json::Find(live_["metadata"], "managedFields") != nullptr && json::Find(n["metadata"], "managedFields") == nullptr) {
      json::Value mf(live_["metadata"]["managedFields"], n.GetAllocator());
      n["metadata"].AddMember("managedFields", mf, n.GetAllocator());
    }
    dw::patch::RecordUpdate(has_ ? &live_ : nullptr, n, o, n.GetAllocator());
    live_.Swap(n);
    has_ = true;
  }

  const json::Value& live() const { return live_; }
  std::string Spec() const { return json::Serialize(live_["spec"]); }
  const json::Value& Managed() const { return live_["metadata"]["managedFields"]; }

 private:
  json::Document schema_;
  json::Document live_;
  bool has_ = false;
  int tick_ = 0;
};

}  // namespace

TEST_CASE("ssa: create via apply records one Apply entry", "[ssa]") {
  SsaFixture f;
  REQUIRE(f.Apply(Obj(R"(,"labels":{"app":"a"}},"spec":{"schedule":"s","keep":1}})"), f.Opts("m1")).ok());
  ExpectJson(f.live(), std::string("{") + kHead + R"(,"metadata":{"name":"p","labels":{"app":"a"},"managedFields":[
    {"manager":"m1","operation":"Apply","apiVersion":"dockward.io/v1alpha1","time":"2024-01-01T00:00:01Z",
     "fieldsType":"FieldsV1","fieldsV1":{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:keep":{},"f:schedule":{}}}}]},
    "spec":{"schedule":"s","keep":1}})");
}

TEST_CASE("ssa: re-apply without a field removes it", "[ssa]") {
  SsaFixture f;
  REQUIRE(f.Apply(Obj(R"(},"spec":{"schedule":"s","keep":1}})"), f.Opts("m1")).ok());
  REQUIRE(f.Apply(Obj(R"(},"spec":{"schedule":"s"}})"), f.Opts("m1")).ok());
  CHECK(f.Spec() == R"({"schedule":"s"})");
  ExpectJson(f.Managed()[0]["fieldsV1"], R"({"f:spec":{"f:schedule":{}}})");
}

TEST_CASE("ssa: shared ownership survives one manager letting go", "[ssa]") {
  SsaFixture f;
  REQUIRE(f.Apply(Obj(R"(},"spec":{"schedule":"s","keep":1}})"), f.Opts("m1")).ok());
  REQUIRE(f.Apply(Obj(R"(},"spec":{"schedule":"s"}})"), f.Opts("m2")).ok());
  REQUIRE(f.Managed().Size() == 2);
  REQUIRE(f.Apply(Obj(R"(},"spec":{"keep":1}})"), f.Opts("m1")).ok());
  CHECK(f.Spec() == R"({"schedule":"s","keep":1})");
  ExpectJson(f.Managed(), R"([
    {"manager":"m2","operation":"Apply","apiVersion":"dockward.io/v1alpha1","time":"2024-01-01T00:00:02Z",
     "fieldsType":"FieldsV1","fieldsV1":{"f:spec":{"f:schedule":{}}}},
    {"manager":"m1","operation":"Apply","apiVersion":"dockward.io/v1alpha1","time":"2024-01-01T00:00:03Z",
     "fieldsType":"FieldsV1","fieldsV1":{"f:spec":{"f:keep":{}}}}])");  // sorted by time
}

TEST_CASE("ssa: conflicting value is rejected, force takes ownership", "[ssa]") {
  SsaFixture f;
  REQUIRE(f.Apply(Obj(R"(},"spec":{"schedule":"s","keep":1}})"), f.Opts("m1")).ok());
  dw::Status st = f.Apply(Obj(R"(},"spec":{"schedule":"t"}})"), f.Opts("m2"));
  REQUIRE(st.code() == dw::Code::kConflict);
  CHECK(st.message() == "Apply failed with 1 conflict: conflict with \"m1\": .spec.schedule");
  REQUIRE(st.causes().size() == 1);
  CHECK(st.causes()[0].type == "FieldManagerConflict");
  CHECK(st.causes()[0].field == ".spec.schedule");
  CHECK(st.causes()[0].message == "conflict with \"m1\"");
  CHECK(f.Spec() == R"({"schedule":"s","keep":1})");

  st = f.Apply(Obj(R"(},"spec":{"schedule":"t","keep":2}})"), f.Opts("m2"));
  CHECK(st.message() == "Apply failed with 2 conflicts: conflicts with \"m1\"\n- .spec.keep\n- .spec.schedule");
  CHECK(st.causes().size() == 2);

  REQUIRE(f.Apply(Obj(R"(},"spec":{"schedule":"t"}})"), f.Opts("m2", true)).ok());
  CHECK(f.Spec() == R"({"schedule":"t","keep":1})");
  ExpectJson(f.Managed()[0]["fieldsV1"], R"({"f:spec":{"f:keep":{}}})");
  ExpectJson(f.Managed()[1]["fieldsV1"], R"({"f:spec":{"f:schedule":{}}})");
}

TEST_CASE("ssa: Update entries then an Apply that conflicts", "[ssa]") {
  SsaFixture f;
  f.Update(Obj(R"(,"labels":{"app":"a"}},"spec":{"schedule":"s"}})"), f.Opts("kubectl-client-side-apply"));
  ExpectJson(f.Managed(), R"([{"manager":"kubectl-client-side-apply","operation":"Update",
    "apiVersion":"dockward.io/v1alpha1","time":"2024-01-01T00:00:01Z","fieldsType":"FieldsV1",
    "fieldsV1":{"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{".":{},"f:schedule":{}}}}])");
  dw::Status st = f.Apply(Obj(R"(},"spec":{"schedule":"x"}})"), f.Opts("kubectl"));
  REQUIRE(st.code() == dw::Code::kConflict);
  CHECK(st.causes()[0].message == "conflict with \"kubectl-client-side-apply\" using dockward.io/v1alpha1");
  CHECK(st.message() ==
        "Apply failed with 1 conflict: conflict with \"kubectl-client-side-apply\" using dockward.io/v1alpha1: "
        ".spec.schedule");
  // Same value: shared, no conflict.
  REQUIRE(f.Apply(Obj(R"(},"spec":{"schedule":"s"}})"), f.Opts("kubectl")).ok());
  CHECK(f.Managed().Size() == 2);
}

TEST_CASE("ssa: RecordUpdate moves changed fields and drops removed ones", "[ssa]") {
  SsaFixture f;
  REQUIRE(f.Apply(Obj(R"(},"spec":{"schedule":"s","keep":1}})"), f.Opts("m1")).ok());
  // An edit changes schedule and removes keep.
  f.Update(Obj(R"(},"spec":{"schedule":"e"}})"), f.Opts("editor"));
  ExpectJson(f.Managed(), R"([{"manager":"editor","operation":"Update","apiVersion":"dockward.io/v1alpha1",
    "time":"2024-01-01T00:00:02Z","fieldsType":"FieldsV1","fieldsV1":{"f:spec":{"f:schedule":{}}}}])");
  // A no-op write records nothing new.
  f.Update(Obj(R"(},"spec":{"schedule":"e"}})"), f.Opts("other"));
  CHECK(f.Managed().Size() == 1);
  // [{}] resets managedFields.
  json::Document n = J(Obj(R"(,"managedFields":[{}]},"spec":{"schedule":"e"}})"));
  ApplyOptions o = f.Opts("x");
  dw::patch::RecordUpdate(&f.live(), n, o, n.GetAllocator());
  CHECK(json::Find(n["metadata"], "managedFields") == nullptr);
}

TEST_CASE("ssa: map-list conditions merge by type on the status subresource", "[ssa]") {
  SsaFixture f;
  REQUIRE(f.Apply(Obj(R"(},"spec":{"keep":1}})"), f.Opts("user")).ok());
  REQUIRE(f.Apply(Obj(R"(},"status":{"conditions":[{"type":"Ready","status":"True"}]}})"),
                  f.Opts("ctrl", false, "status")).ok());
  REQUIRE(f.Apply(Obj(R"(},"status":{"conditions":[{"type":"Synced","status":"False"}]}})"),
                  f.Opts("ctrl2", false, "status")).ok());
  ExpectJson(f.live()["status"], R"({"conditions":[{"type":"Ready","status":"True"},{"type":"Synced","status":"False"}]})");
  const json::Value& ctrl = f.Managed()[1];  // entries sort by operation, then time
  CHECK(json::GetString(ctrl, "manager") == "ctrl");
  CHECK(json::GetString(ctrl, "subresource") == "status");
  ExpectJson(ctrl["fieldsV1"], R"({"f:status":{"f:conditions":{"k:{\"type\":\"Ready\"}":{".":{},"f:status":{},"f:type":{}}}}})");
  CHECK(json::Serialize(ctrl["fieldsV1"]) ==
        R"({"f:status":{"f:conditions":{"k:{\"type\":\"Ready\"}":{".":{},"f:status":{},"f:type":{}}}}})");
  // ctrl flips its own condition: no conflict; ctrl2 touching Ready's status conflicts.
  REQUIRE(f.Apply(Obj(R"(},"status":{"conditions":[{"type":"Ready","status":"False"}]}})"),
                  f.Opts("ctrl", false, "status")).ok());
  dw::Status st = f.Apply(Obj(R"(},"status":{"conditions":[{"type":"Ready","status":"True"}]}})"),
                          f.Opts("ctrl2", false, "status"));
  REQUIRE(st.code() == dw::Code::kConflict);
  CHECK(st.causes()[0].field == ".status.conditions[type=\"Ready\"].status");
  CHECK(st.causes()[0].message == "conflict with \"ctrl\" with subresource \"status\"");
  // ctrl drops its condition: the item goes away, Synced stays.
  REQUIRE(f.Apply(Obj(R"(},"status":{"conditions":[]}})"), f.Opts("ctrl", false, "status")).ok());
  ExpectJson(f.live()["status"], R"({"conditions":[{"type":"Synced","status":"False"}]})");
}

TEST_CASE("ssa: set lists merge by value, atomic lists and maps are owned whole", "[ssa]") {
  SsaFixture f;
  REQUIRE(f.Apply(Obj(R"(},"spec":{"tags":["a","b"]}})"), f.Opts("m1")).ok());
  REQUIRE(f.Apply(Obj(R"(},"spec":{"tags":["c"]}})"), f.Opts("m2")).ok());
  CHECK(f.Spec() == R"({"tags":["a","b","c"]})");
  ExpectJson(f.Managed()[0]["fieldsV1"], R"({"f:spec":{"f:tags":{"v:\"a\"":{},"v:\"b\"":{}}}})");
  REQUIRE(f.Apply(Obj(R"(},"spec":{"tags":["a"]}})"), f.Opts("m1")).ok());
  CHECK(f.Spec() == R"({"tags":["a","c"]})");

  SsaFixture g;
  REQUIRE(g.Apply(Obj(R"(},"spec":{"args":["a","b"],"sel":{"x":"1"}}})"), g.Opts("m1")).ok());
  ExpectJson(g.Managed()[0]["fieldsV1"], R"({"f:spec":{"f:args":{},"f:sel":{}}})");
  dw::Status st = g.Apply(Obj(R"(},"spec":{"args":["c"],"sel":{"y":"2"}}})"), g.Opts("m2"));
  REQUIRE(st.code() == dw::Code::kConflict);
  REQUIRE(st.causes().size() == 2);
  CHECK(st.causes()[0].field == ".spec.args");
  CHECK(st.causes()[1].field == ".spec.sel");
  REQUIRE(g.Apply(Obj(R"(},"spec":{"args":["c"],"sel":{"y":"2"}}})"), g.Opts("m2", true)).ok());
  CHECK(g.Spec() == R"({"args":["c"],"sel":{"y":"2"}})");
  CHECK(g.Managed().Size() == 1);
  CHECK(json::GetString(g.Managed()[0], "manager") == "m2");
}

TEST_CASE("ssa: bad requests", "[ssa]") {
  SsaFixture f;
  CHECK(f.Apply(Obj(R"(},"spec":{}})"), f.Opts("")).message() == "fieldManager is required for apply requests");
  CHECK(f.Apply(Obj(R"(,"managedFields":[]},"spec":{}})"), f.Opts("m")).message() ==
        "metadata.managedFields must be nil");
  CHECK(f.Apply(R"({"kind":"X","metadata":{"name":"p"}})", f.Opts("m")).code() == dw::Code::kBadRequest);
  CHECK(f.Apply(std::string("{") + kHead + R"(,"metadata":{}})", f.Opts("m")).message() ==
        "apply configuration must set metadata.name");
}
