// ObjectRegistry::Patch: merge and JSON patches (atomic on failure), strategic
// merge refused for custom resources, server-side apply (create, conflicts
// between managers, force) and managedFields after writes.
#include "registry_fixture.h"

using namespace dw;
using namespace dw::apiserver;
using namespace dw::apiserver::testing;

namespace {

WriteOptions Manager(const std::string& name, bool force = false) {
  WriteOptions o;
  o.field_manager = name;
  o.force = force;
  return o;
}

const char* kApplyDaily =
    R"({"apiVersion":"dockward.io/v1alpha1","kind":"BackupPolicy","metadata":{"name":"ap"},)"
    R"("spec":{"schedule":"@daily","destination":{"path":"/b"}}})";
const char* kApplyHourly =
    R"({"apiVersion":"dockward.io/v1alpha1","kind":"BackupPolicy","metadata":{"name":"ap"},)"
    R"("spec":{"schedule":"@hourly","destination":{"path":"/b"}}})";

bool HasManager(const json::Value& obj, const std::string& manager, const std::string& operation) {
  const json::Value* mf = json::FindPath(obj, "metadata.managedFields");
  if (!mf || !mf->IsArray()) return false;
  for (const auto& e : mf->GetArray())
    if (json::GetString(e, "manager") == manager && json::GetString(e, "operation") == operation) return true;
  return false;
}

}  // namespace

TEST_CASE("merge patch changes the named fields and bumps generation", "[patch]") {
  RegistryFixture f;
  f.MustCreate(f.bp(), Policy("x"));
  WriteResult res;
  Status st = f.reg().Patch(f.bp(), "default", "x", PatchType::kMerge,
                            R"({"spec":{"suspend":true,"retention":{"daily":3}},"metadata":{"labels":{"a":"b"}}})",
                            Manager("kubectl-patch"), &res);
  INFO(st.ToString());
  REQUIRE(st.ok());
  auto obj = Parsed(res.object);
  CHECK(json::GetBool(obj["spec"], "suspend") == true);
  CHECK(json::GetInt(obj["spec"]["retention"], "daily") == 3);
  CHECK(json::GetString(obj["spec"], "schedule") == "0 2 * * *");
  CHECK(json::GetStringPath(obj, "metadata.labels.a") == "b");
  CHECK(json::GetInt(obj["metadata"], "generation") == 2);
  CHECK(HasManager(obj, "kubectl-patch", "Update"));
}

TEST_CASE("merge patch with null removes a field; defaults come back", "[patch]") {
  RegistryFixture f;
  f.MustCreate(f.bp(), Policy("x", R"(,"compression":"gzip")"));
  WriteResult res;
  REQUIRE(f.reg().Patch(f.bp(), "default", "x", PatchType::kMerge, R"({"spec":{"compression":null}})",
                        Manager("m"), &res).ok());
  CHECK(json::GetString(Parsed(res.object)["spec"], "compression") == "zstd");
}

TEST_CASE("merge patch with a stale resourceVersion is Conflict", "[patch]") {
  RegistryFixture f;
  auto v1 = f.MustCreate(f.bp(), Policy("x"));
  WriteResult res;
  REQUIRE(f.reg().Patch(f.bp(), "default", "x", PatchType::kMerge, R"({"spec":{"suspend":true}})",
                        Manager("m"), &res).ok());
  int64_t rev = f.store().Revision();
  std::string stale = json::GetStringPath(v1, "metadata.resourceVersion");
  Status st = f.reg().Patch(f.bp(), "default", "x", PatchType::kMerge,
                            R"({"metadata":{"resourceVersion":")" + stale + R"("},"spec":{"suspend":false}})",
                            Manager("m"), &res);
  CHECK(st.code() == Code::kConflict);
  CHECK(f.store().Revision() == rev);
}

TEST_CASE("a patch producing an invalid object is Invalid and stores nothing", "[patch]") {
  RegistryFixture f;
  f.MustCreate(f.bp(), Policy("x"));
  int64_t rev = f.store().Revision();
  WriteResult res;
  Status st = f.reg().Patch(f.bp(), "default", "x", PatchType::kMerge, R"({"spec":{"compression":"rar"}})",
                            Manager("m"), &res);
  CHECK(st.code() == Code::kInvalid);
  CHECK(HasCause(st, "spec.compression"));
  CHECK(f.store().Revision() == rev);
}

TEST_CASE("a malformed patch body is BadRequest", "[patch]") {
  RegistryFixture f;
  f.MustCreate(f.bp(), Policy("x"));
  WriteResult res;
  CHECK(f.reg().Patch(f.bp(), "default", "x", PatchType::kMerge, "{not json", Manager("m"), &res).code() ==
        Code::kBadRequest);
  CHECK(f.reg().Patch(f.bp(), "default", "x", PatchType::kJson, R"({"op":"add"})", Manager("m"), &res).code() ==
        Code::kBadRequest);
}

TEST_CASE("patch of a missing object is NotFound", "[patch]") {
  RegistryFixture f;
  WriteResult res;
  Status st = f.reg().Patch(f.bp(), "default", "ghost", PatchType::kMerge, "{}", Manager("m"), &res);
  CHECK(st.code() == Code::kNotFound);
  CHECK(st.message() == "backuppolicies.dockward.io \"ghost\" not found");
}

TEST_CASE("JSON patch applies its operations in order", "[patch]") {
  RegistryFixture f;
  f.MustCreate(f.bp(), Policy("x"));
  WriteResult res;
  Status st = f.reg().Patch(f.bp(), "default", "x", PatchType::kJson,
                            R"([{"op":"test","path":"/spec/schedule","value":"0 2 * * *"},)"
                            R"({"op":"replace","path":"/spec/schedule","value":"@weekly"},)"
                            R"({"op":"add","path":"/spec/dockerHosts/-","value":"nas"}])",
                            Manager("m"), &res);
  INFO(st.ToString());
  REQUIRE(st.ok());
  auto obj = Parsed(res.object);
  CHECK(json::GetString(obj["spec"], "schedule") == "@weekly");
  REQUIRE(obj["spec"]["dockerHosts"].Size() == 2);
  CHECK(std::string(obj["spec"]["dockerHosts"][1].GetString()) == "nas");
}

TEST_CASE("a JSON patch whose test op fails stores nothing", "[patch]") {
  RegistryFixture f;
  f.MustCreate(f.bp(), Policy("x"));
  int64_t rev = f.store().Revision();
  WriteResult res;
  Status st = f.reg().Patch(f.bp(), "default", "x", PatchType::kJson,
                            R"([{"op":"replace","path":"/spec/schedule","value":"@weekly"},)"
                            R"({"op":"test","path":"/spec/suspend","value":true}])",
                            Manager("m"), &res);
  CHECK_FALSE(st.ok());
  CHECK(st.code() == Code::kInvalid);  // 422, as kube-apiserver answers a failed test
  CHECK(f.store().Revision() == rev);
  CHECK(json::GetString(f.MustGet(f.bp(), "x")["spec"], "schedule") == "0 2 * * *");
}

TEST_CASE("strategic merge patch is refused for custom resources", "[patch]") {
  RegistryFixture f;
  f.MustCreate(f.bp(), Policy("x"));
  int64_t rev = f.store().Revision();
  WriteResult res;
  Status st = f.reg().Patch(f.bp(), "default", "x", PatchType::kStrategic, R"({"spec":{"suspend":true}})",
                            Manager("m"), &res);
  CHECK(st.code() == Code::kUnsupportedMediaType);
  CHECK(f.store().Revision() == rev);
}

TEST_CASE("strategic merge patch works for core kinds", "[patch]") {
  RegistryFixture f;
  f.MustCreate(f.secrets(), Doc(R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"s"},"data":{"a":"YQ=="}})"));
  WriteResult res;
  Status st = f.reg().Patch(f.secrets(), "default", "s", PatchType::kStrategic, R"({"data":{"b":"Yg=="}})",
                            Manager("m"), &res);
  INFO(st.ToString());
  REQUIRE(st.ok());
  auto obj = Parsed(res.object);
  CHECK(json::GetStringPath(obj, "data.a") == "YQ==");
  CHECK(json::GetStringPath(obj, "data.b") == "Yg==");
}

TEST_CASE("apply creates a missing object and records an Apply manager", "[patch][apply]") {
  RegistryFixture f;
  WriteResult res;
  Status st = f.reg().Patch(f.bp(), "default", "ap", PatchType::kApply, kApplyDaily, Manager("alice"), &res);
  INFO(st.ToString());
  REQUIRE(st.ok());
  CHECK(res.created);
  auto obj = Parsed(res.object);
  CHECK(json::GetString(obj["spec"], "schedule") == "@daily");
  CHECK(json::GetString(obj["spec"], "compression") == "zstd");  // defaults on apply-create too
  CHECK(json::GetInt(obj["metadata"], "generation") == 1);
  CHECK(HasManager(obj, "alice", "Apply"));
  CHECK(f.Exists(f.bp(), "ap"));
}

TEST_CASE("apply accepts YAML", "[patch][apply]") {
  RegistryFixture f;
  WriteResult res;
  Status st = f.reg().Patch(f.bp(), "default", "ap", PatchType::kApply,
                            "apiVersion: dockward.io/v1alpha1\nkind: BackupPolicy\nmetadata:\n  name: ap\n"
                            "spec:\n  schedule: '@daily'\n  destination:\n    path: /b\n",
                            Manager("alice"), &res);
  INFO(st.ToString());
  REQUIRE(st.ok());
  CHECK(json::GetString(Parsed(res.object)["spec"], "schedule") == "@daily");
}

TEST_CASE("apply without a field manager is Invalid", "[patch][apply]") {
  RegistryFixture f;
  WriteResult res;
  Status st = f.reg().Patch(f.bp(), "default", "ap", PatchType::kApply, kApplyDaily, WriteOptions{}, &res);
  CHECK(st.code() == Code::kInvalid);
  CHECK(HasCause(st, "fieldManager"));
  CHECK_FALSE(f.Exists(f.bp(), "ap"));
}

TEST_CASE("apply by a second manager conflicting on a field is Conflict naming it", "[patch][apply]") {
  RegistryFixture f;
  WriteResult res;
  REQUIRE(f.reg().Patch(f.bp(), "default", "ap", PatchType::kApply, kApplyDaily, Manager("alice"), &res).ok());
  int64_t rev = f.store().Revision();
  Status st = f.reg().Patch(f.bp(), "default", "ap", PatchType::kApply, kApplyHourly, Manager("bob"), &res);
  INFO(st.message());
  REQUIRE(st.code() == Code::kConflict);
  CHECK(st.message() == "Apply failed with 1 conflict: conflict with \"alice\": .spec.schedule");
  REQUIRE(st.causes().size() == 1);
  CHECK(st.causes()[0].type == "FieldManagerConflict");
  CHECK(st.causes()[0].field == ".spec.schedule");
  CHECK(f.store().Revision() == rev);
  CHECK(json::GetString(f.MustGet(f.bp(), "ap")["spec"], "schedule") == "@daily");
}

TEST_CASE("apply with force takes ownership of the conflicting field", "[patch][apply]") {
  RegistryFixture f;
  WriteResult res;
  REQUIRE(f.reg().Patch(f.bp(), "default", "ap", PatchType::kApply, kApplyDaily, Manager("alice"), &res).ok());
  Status st = f.reg().Patch(f.bp(), "default", "ap", PatchType::kApply, kApplyHourly, Manager("bob", true), &res);
  INFO(st.ToString());
  REQUIRE(st.ok());
  auto obj = Parsed(res.object);
  CHECK(json::GetString(obj["spec"], "schedule") == "@hourly");
  CHECK(json::GetInt(obj["metadata"], "generation") == 2);
  CHECK(HasManager(obj, "bob", "Apply"));
  // alice lost spec.schedule; a re-apply of her old value now conflicts with bob.
  st = f.reg().Patch(f.bp(), "default", "ap", PatchType::kApply, kApplyDaily, Manager("alice"), &res);
  CHECK(st.code() == Code::kConflict);
  CHECK(st.message().find("\"bob\"") != std::string::npos);
}

TEST_CASE("apply by the same manager with the same config is a no-op", "[patch][apply]") {
  RegistryFixture f;
  WriteResult res;
  REQUIRE(f.reg().Patch(f.bp(), "default", "ap", PatchType::kApply, kApplyDaily, Manager("alice"), &res).ok());
  int64_t rev = f.store().Revision();
  REQUIRE(f.reg().Patch(f.bp(), "default", "ap", PatchType::kApply, kApplyDaily, Manager("alice"), &res).ok());
  CHECK_FALSE(res.changed);
  CHECK(f.store().Revision() == rev);
}

TEST_CASE("apply conflicts with a field set by an update of another manager", "[patch][apply]") {
  RegistryFixture f;
  WriteResult res;
  REQUIRE(f.reg().Patch(f.bp(), "default", "ap", PatchType::kApply, kApplyDaily, Manager("alice"), &res).ok());
  REQUIRE(f.reg().Patch(f.bp(), "default", "ap", PatchType::kMerge, R"({"spec":{"schedule":"@weekly"}})",
                        Manager("kubectl-edit"), &res).ok());
  auto obj = Parsed(res.object);
  CHECK(HasManager(obj, "kubectl-edit", "Update"));
  Status st = f.reg().Patch(f.bp(), "default", "ap", PatchType::kApply, kApplyDaily, Manager("alice"), &res);
  CHECK(st.code() == Code::kConflict);
  CHECK(st.message().find("\"kubectl-edit\" using dockward.io/v1alpha1") != std::string::npos);
}

TEST_CASE("apply with a name different from the URL is BadRequest", "[patch][apply]") {
  RegistryFixture f;
  WriteResult res;
  Status st = f.reg().Patch(f.bp(), "default", "other", PatchType::kApply, kApplyDaily, Manager("alice"), &res);
  CHECK(st.code() == Code::kBadRequest);
  CHECK_FALSE(f.Exists(f.bp(), "other"));
  CHECK_FALSE(f.Exists(f.bp(), "ap"));
}

TEST_CASE("a dry-run patch stores nothing", "[patch]") {
  RegistryFixture f;
  f.MustCreate(f.bp(), Policy("x"));
  int64_t rev = f.store().Revision();
  WriteOptions o = Manager("m");
  o.dry_run = true;
  WriteResult res;
  REQUIRE(f.reg().Patch(f.bp(), "default", "x", PatchType::kMerge, R"({"spec":{"suspend":true}})", o, &res).ok());
  CHECK(json::GetBool(Parsed(res.object)["spec"], "suspend") == true);
  CHECK(f.store().Revision() == rev);
  // Dry-run apply of a missing object creates nothing either.
  REQUIRE(f.reg().Patch(f.bp(), "default", "ap", PatchType::kApply, kApplyDaily, [] {
            WriteOptions w;
            w.field_manager = "alice";
            w.dry_run = true;
            return w;
          }(), &res).ok());
  CHECK(f.store().Revision() == rev);
  CHECK_FALSE(f.Exists(f.bp(), "ap"));
}
