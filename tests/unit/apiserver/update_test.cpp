// ObjectRegistry::Update (PUT): optimistic concurrency, the resourceVersion
// rule for custom resources, generation, spec/status separation, no-op
// updates and dry runs.
#include "registry_fixture.h"

using namespace dw;
using namespace dw::apiserver;
using namespace dw::apiserver::testing;

namespace {

// A copy of `live` with spec.suspend set (a spec change).
json::Document WithSuspend(const json::Value& live, bool v) {
  json::Document d;
  d.CopyFrom(live, d.GetAllocator());
  json::SetBool(d["spec"], "suspend", v, d.GetAllocator());
  return d;
}

json::Document Copy(const json::Value& v) {
  json::Document d;
  d.CopyFrom(v, d.GetAllocator());
  return d;
}

}  // namespace

TEST_CASE("update with a stale resourceVersion is Conflict with the Kubernetes message", "[update]") {
  RegistryFixture f;
  auto v1 = f.MustCreate(f.bp(), Policy("x"));
  auto first = WithSuspend(v1, true);
  WriteResult res;
  REQUIRE(f.reg().Update(f.bp(), "default", "x", first, WriteOptions{}, &res).ok());
  int64_t rev = f.store().Revision();
  auto stale = WithSuspend(v1, false);  // still carries v1's resourceVersion
  stale["spec"]["schedule"].SetString("@hourly");
  Status st = f.reg().Update(f.bp(), "default", "x", stale, WriteOptions{}, &res);
  CHECK(st.code() == Code::kConflict);
  CHECK(st.message() ==
        "Operation cannot be fulfilled on backuppolicies.dockward.io \"x\": the object has been "
        "modified; please apply your changes to the latest version and try again");
  CHECK(f.store().Revision() == rev);
  CHECK(json::GetString(f.MustGet(f.bp(), "x")["spec"], "schedule") == "0 2 * * *");
}

TEST_CASE("update of a custom resource without resourceVersion is Invalid", "[update]") {
  RegistryFixture f;
  auto v1 = f.MustCreate(f.bp(), Policy("x"));
  auto d = WithSuspend(v1, true);
  json::Remove(d["metadata"], "resourceVersion");
  WriteResult res;
  Status st = f.reg().Update(f.bp(), "default", "x", d, WriteOptions{}, &res);
  CHECK(st.code() == Code::kInvalid);
  CHECK(HasCause(st, "metadata.resourceVersion"));
  CHECK(st.message().find("must be specified for an update") != std::string::npos);
}

TEST_CASE("update of a core kind without resourceVersion is unconditional", "[update]") {
  RegistryFixture f;
  f.MustCreate(f.secrets(), Doc(R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"s"},"data":{"k":"YQ=="}})"));
  auto d = Doc(R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"s"},"data":{"k":"Yg=="}})");
  WriteResult res;
  Status st = f.reg().Update(f.secrets(), "default", "s", d, WriteOptions{}, &res);
  INFO(st.ToString());
  REQUIRE(st.ok());
  CHECK(json::GetStringPath(f.MustGet(f.secrets(), "s"), "data.k") == "Yg==");
}

TEST_CASE("update of a missing object is NotFound", "[update]") {
  RegistryFixture f;
  auto d = Policy("ghost", "", R"(,"resourceVersion":"5")");
  WriteResult res;
  Status st = f.reg().Update(f.bp(), "default", "ghost", d, WriteOptions{}, &res);
  CHECK(st.code() == Code::kNotFound);
  CHECK(st.message() == "backuppolicies.dockward.io \"ghost\" not found");
}

TEST_CASE("update with a body name different from the URL is BadRequest", "[update]") {
  RegistryFixture f;
  auto v1 = f.MustCreate(f.bp(), Policy("x"));
  auto d = Copy(v1);
  d["metadata"]["name"].SetString("y");
  WriteResult res;
  CHECK(f.reg().Update(f.bp(), "default", "x", d, WriteOptions{}, &res).code() == Code::kBadRequest);
}

TEST_CASE("generation moves with spec changes only", "[update]") {
  RegistryFixture f;
  auto v1 = f.MustCreate(f.bp(), Policy("x"));
  WriteResult res;

  auto spec_change = WithSuspend(v1, true);
  REQUIRE(f.reg().Update(f.bp(), "default", "x", spec_change, WriteOptions{}, &res).ok());
  auto v2 = Parsed(res.object);
  CHECK(json::GetInt(v2["metadata"], "generation") == 2);

  auto label_change = Copy(v2);
  auto& la = label_change.GetAllocator();
  json::SetString(json::EnsureObject(label_change["metadata"], "labels", la), "team", "db", la);
  REQUIRE(f.reg().Update(f.bp(), "default", "x", label_change, WriteOptions{}, &res).ok());
  auto v3 = Parsed(res.object);
  CHECK(res.changed);
  CHECK(json::GetStringPath(v3, "metadata.labels.team") == "db");
  CHECK(json::GetInt(v3["metadata"], "generation") == 2);

  // A client cannot set generation itself.
  auto forged = Copy(v3);
  json::SetInt(forged["metadata"], "generation", 40, forged.GetAllocator());
  REQUIRE(f.reg().Update(f.bp(), "default", "x", forged, WriteOptions{}, &res).ok());
  CHECK(json::GetInt(Parsed(res.object)["metadata"], "generation") == 2);
}

TEST_CASE("status in a PUT body is ignored on the main resource", "[update]") {
  RegistryFixture f;
  auto v1 = f.MustCreate(f.bp(), Policy("x"));
  auto d = WithSuspend(v1, true);
  auto& a = d.GetAllocator();
  json::Value& status = json::EnsureObject(d, "status", a);
  json::SetInt(status, "observedGeneration", 7, a);
  WriteResult res;
  REQUIRE(f.reg().Update(f.bp(), "default", "x", d, WriteOptions{}, &res).ok());
  auto v2 = Parsed(res.object);
  CHECK(json::Find(v2, "status") == nullptr);
  CHECK(json::GetBool(v2["spec"], "suspend") == true);
}

TEST_CASE("a status subresource update changes only status", "[update]") {
  RegistryFixture f;
  auto v1 = f.MustCreate(f.bp(), Policy("x"));
  auto d = WithSuspend(v1, true);  // spec change must be ignored via /status
  auto& a = d.GetAllocator();
  json::Value& status = json::EnsureObject(d, "status", a);
  json::SetInt(status, "observedGeneration", 1, a);
  WriteOptions o;
  o.status_subresource = true;
  o.field_manager = "controller";
  WriteResult res;
  Status st = f.reg().Update(f.bp(), "default", "x", d, o, &res);
  INFO(st.ToString());
  REQUIRE(st.ok());
  auto v2 = Parsed(res.object);
  CHECK(json::GetInt(v2["status"], "observedGeneration") == 1);
  CHECK(json::GetBool(v2["spec"], "suspend") == false);
  CHECK(json::GetInt(v2["metadata"], "generation") == 1);
  CHECK(res.object.rv > std::stoll(json::GetStringPath(v1, "metadata.resourceVersion")));
}

TEST_CASE("an invalid status through /status is Invalid", "[update]") {
  RegistryFixture f;
  auto v1 = f.MustCreate(f.bp(), Policy("x"));
  auto d = Copy(v1);
  auto& a = d.GetAllocator();
  json::Value& status = json::EnsureObject(d, "status", a);
  json::SetInt(status, "observedGeneration", -1, a);
  WriteOptions o;
  o.status_subresource = true;
  WriteResult res;
  Status st = f.reg().Update(f.bp(), "default", "x", d, o, &res);
  CHECK(st.code() == Code::kInvalid);
  CHECK(HasCause(st, "status.observedGeneration"));
}

TEST_CASE("an identical update writes nothing", "[update]") {
  RegistryFixture f;
  auto v1 = f.MustCreate(f.bp(), Policy("x"));
  int64_t rev = f.store().Revision();
  auto same = Copy(v1);
  WriteResult res;
  REQUIRE(f.reg().Update(f.bp(), "default", "x", same, WriteOptions{}, &res).ok());
  CHECK_FALSE(res.changed);
  CHECK(f.store().Revision() == rev);
  CHECK(json::GetStringPath(Parsed(res.object), "metadata.resourceVersion") ==
        json::GetStringPath(v1, "metadata.resourceVersion"));
  // The same holds when defaults make the body equal (body without defaulted fields).
  auto sparse = Policy("x", "", R"(,"resourceVersion":")" + std::to_string(rev) + "\"");
  REQUIRE(f.reg().Update(f.bp(), "default", "x", sparse, WriteOptions{}, &res).ok());
  INFO("before: " << json::Serialize(v1) << "\nafter: " << *res.object.data);
  CHECK_FALSE(res.changed);
  CHECK(f.store().Revision() == rev);
}

TEST_CASE("a dry-run update stores nothing", "[update]") {
  RegistryFixture f;
  auto v1 = f.MustCreate(f.bp(), Policy("x"));
  int64_t rev = f.store().Revision();
  auto d = WithSuspend(v1, true);
  WriteOptions o;
  o.dry_run = true;
  WriteResult res;
  REQUIRE(f.reg().Update(f.bp(), "default", "x", d, o, &res).ok());
  CHECK(res.changed);
  CHECK(json::GetBool(Parsed(res.object)["spec"], "suspend") == true);
  CHECK(f.store().Revision() == rev);
  CHECK(json::GetBool(f.MustGet(f.bp(), "x")["spec"], "suspend") == false);
}

TEST_CASE("immutable metadata survives an update", "[update]") {
  RegistryFixture f;
  auto v1 = f.MustCreate(f.bp(), Policy("x"));
  auto d = WithSuspend(v1, true);
  auto& a = d.GetAllocator();
  json::SetString(d["metadata"], "uid", "forged", a);
  json::SetString(d["metadata"], "creationTimestamp", "2000-01-01T00:00:00Z", a);
  WriteResult res;
  REQUIRE(f.reg().Update(f.bp(), "default", "x", d, WriteOptions{}, &res).ok());
  auto v2 = Parsed(res.object);
  CHECK(json::GetStringPath(v2, "metadata.uid") == json::GetStringPath(v1, "metadata.uid"));
  CHECK(json::GetStringPath(v2, "metadata.creationTimestamp") ==
        json::GetStringPath(v1, "metadata.creationTimestamp"));
}
