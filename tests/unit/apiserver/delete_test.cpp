// ObjectRegistry::Delete: plain deletes, preconditions, finalizers and the
// deletionTimestamp protocol, and the finalizers that Orphan / Foreground
// propagation add (no garbage collector runs here, so they stay).
#include "registry_fixture.h"

using namespace dw;
using namespace dw::apiserver;
using namespace dw::apiserver::testing;

namespace {

std::vector<std::string> FinalizersOf(const json::Value& obj) {
  std::vector<std::string> out;
  const json::Value* f = json::FindPath(obj, "metadata.finalizers");
  if (f && f->IsArray())
    for (const auto& v : f->GetArray()) out.emplace_back(v.GetString());
  return out;
}

}  // namespace

TEST_CASE("plain delete removes the object", "[delete]") {
  RegistryFixture f;
  f.MustCreate(f.bp(), Policy("x"));
  int64_t rev = f.store().Revision();
  WriteResult res;
  REQUIRE(f.reg().Delete(f.bp(), "default", "x", DeleteOptions{}, &res).ok());
  CHECK(res.deleted);
  CHECK(res.object.rv == rev + 1);
  CHECK(json::GetStringPath(Parsed(res.object), "metadata.name") == "x");
  store::Object o;
  Status st = f.reg().Get(f.bp(), "default", "x", &o);
  CHECK(st.code() == Code::kNotFound);
  CHECK(st.message() == "backuppolicies.dockward.io \"x\" not found");
}

TEST_CASE("deleting a missing object is NotFound", "[delete]") {
  RegistryFixture f;
  int64_t rev = f.store().Revision();
  WriteResult res;
  Status st = f.reg().Delete(f.bp(), "default", "ghost", DeleteOptions{}, &res);
  CHECK(st.code() == Code::kNotFound);
  CHECK(st.message() == "backuppolicies.dockward.io \"ghost\" not found");
  CHECK(f.store().Revision() == rev);
}

TEST_CASE("delete preconditions on uid and resourceVersion", "[delete]") {
  RegistryFixture f;
  auto obj = f.MustCreate(f.bp(), Policy("x"));
  std::string uid = json::GetStringPath(obj, "metadata.uid");
  std::string rv = json::GetStringPath(obj, "metadata.resourceVersion");
  int64_t rev = f.store().Revision();
  WriteResult res;

  DeleteOptions bad_uid;
  bad_uid.precondition_uid = "00000000-0000-0000-0000-000000000000";
  Status st = f.reg().Delete(f.bp(), "default", "x", bad_uid, &res);
  CHECK(st.code() == Code::kConflict);
  CHECK(st.message() == "Precondition failed: UID in precondition: 00000000-0000-0000-0000-000000000000, "
                        "UID in object meta: " + uid);

  DeleteOptions bad_rv;
  bad_rv.precondition_rv = "1";
  st = f.reg().Delete(f.bp(), "default", "x", bad_rv, &res);
  CHECK(st.code() == Code::kConflict);
  CHECK(st.message() == "Precondition failed: ResourceVersion in precondition: 1, "
                        "ResourceVersion in object meta: " + rv);
  CHECK(f.store().Revision() == rev);
  CHECK(f.Exists(f.bp(), "x"));

  DeleteOptions good;
  good.precondition_uid = uid;
  good.precondition_rv = rv;
  REQUIRE(f.reg().Delete(f.bp(), "default", "x", good, &res).ok());
  CHECK_FALSE(f.Exists(f.bp(), "x"));
}

TEST_CASE("a dry-run delete keeps the object", "[delete]") {
  RegistryFixture f;
  f.MustCreate(f.bp(), Policy("x"));
  int64_t rev = f.store().Revision();
  DeleteOptions o;
  o.dry_run = true;
  WriteResult res;
  REQUIRE(f.reg().Delete(f.bp(), "default", "x", o, &res).ok());
  CHECK(res.deleted);
  CHECK(f.store().Revision() == rev);
  CHECK(f.Exists(f.bp(), "x"));
}

TEST_CASE("finalizers: deletion marks, the last finalizer's removal deletes", "[delete][finalizers]") {
  RegistryFixture f;
  f.MustCreate(f.bp(), Policy("x", "", R"(,"finalizers":["dockward.io/a","dockward.io/b"])"));
  WriteResult res;
  REQUIRE(f.reg().Delete(f.bp(), "default", "x", DeleteOptions{}, &res).ok());
  CHECK_FALSE(res.deleted);
  auto marked = f.MustGet(f.bp(), "x");
  CHECK(json::FindPath(marked, "metadata.deletionTimestamp") != nullptr);
  CHECK(json::GetInt(marked["metadata"], "deletionGracePeriodSeconds", -1) == 0);
  CHECK(FinalizersOf(marked) == std::vector<std::string>{"dockward.io/a", "dockward.io/b"});

  // A second delete changes nothing.
  int64_t rev = f.store().Revision();
  REQUIRE(f.reg().Delete(f.bp(), "default", "x", DeleteOptions{}, &res).ok());
  CHECK_FALSE(res.deleted);
  CHECK(f.store().Revision() == rev);

  // New finalizers cannot be added while deleting.
  json::Document add;
  add.CopyFrom(marked, add.GetAllocator());
  add["metadata"]["finalizers"].PushBack(json::Str("dockward.io/c", add.GetAllocator()), add.GetAllocator());
  CHECK(f.reg().Update(f.bp(), "default", "x", add, WriteOptions{}, &res).code() == Code::kForbidden);

  // Removing one finalizer keeps it; removing the last deletes it.
  json::Document one;
  one.CopyFrom(marked, one.GetAllocator());
  one["metadata"]["finalizers"].Erase(one["metadata"]["finalizers"].Begin());
  REQUIRE(f.reg().Update(f.bp(), "default", "x", one, WriteOptions{}, &res).ok());
  CHECK_FALSE(res.deleted);
  auto after_one = f.MustGet(f.bp(), "x");
  CHECK(FinalizersOf(after_one) == std::vector<std::string>{"dockward.io/b"});
  CHECK(json::GetStringPath(after_one, "metadata.deletionTimestamp") ==
        json::GetStringPath(marked, "metadata.deletionTimestamp"));

  json::Document none;
  none.CopyFrom(after_one, none.GetAllocator());
  json::Remove(none["metadata"], "finalizers");
  Status st = f.reg().Update(f.bp(), "default", "x", none, WriteOptions{}, &res);
  INFO(st.ToString());
  REQUIRE(st.ok());
  CHECK(res.deleted);
  CHECK_FALSE(f.Exists(f.bp(), "x"));
}

TEST_CASE("finalizer removal through a merge patch deletes the object", "[delete][finalizers]") {
  RegistryFixture f;
  f.MustCreate(f.bp(), Policy("x", "", R"(,"finalizers":["dockward.io/a"])"));
  WriteResult res;
  REQUIRE(f.reg().Delete(f.bp(), "default", "x", DeleteOptions{}, &res).ok());
  REQUIRE(f.Exists(f.bp(), "x"));
  WriteOptions o;
  o.field_manager = "m";
  REQUIRE(f.reg().Patch(f.bp(), "default", "x", PatchType::kMerge, R"({"metadata":{"finalizers":null}})", o, &res).ok());
  CHECK(res.deleted);
  CHECK_FALSE(f.Exists(f.bp(), "x"));
}

TEST_CASE("Orphan and Foreground propagation add their finalizers", "[delete][finalizers]") {
  RegistryFixture f;
  f.MustCreate(f.bp(), Policy("o"));
  f.MustCreate(f.bp(), Policy("g", "", R"(,"finalizers":["dockward.io/keep"])"));
  WriteResult res;

  DeleteOptions orphan;
  orphan.propagation = "Orphan";
  REQUIRE(f.reg().Delete(f.bp(), "default", "o", orphan, &res).ok());
  CHECK_FALSE(res.deleted);
  auto o = f.MustGet(f.bp(), "o");
  CHECK(FinalizersOf(o) == std::vector<std::string>{"orphan"});
  CHECK(json::FindPath(o, "metadata.deletionTimestamp") != nullptr);

  DeleteOptions fg;
  fg.propagation = "Foreground";
  REQUIRE(f.reg().Delete(f.bp(), "default", "g", fg, &res).ok());
  auto g = f.MustGet(f.bp(), "g");
  CHECK(FinalizersOf(g) == std::vector<std::string>{"dockward.io/keep", "foregroundDeletion"});

  // Switching policy on a second delete swaps the finalizer.
  REQUIRE(f.reg().Delete(f.bp(), "default", "o", fg, &res).ok());
  CHECK(FinalizersOf(f.MustGet(f.bp(), "o")) == std::vector<std::string>{"foregroundDeletion"});
}

TEST_CASE("deleting a namespace marks it Terminating and forbids new content", "[delete][namespace]") {
  RegistryFixture f;
  f.CreateNamespace("team");
  WriteResult res;
  REQUIRE(f.reg().Delete(f.ns(), "", "team", DeleteOptions{}, &res).ok());
  CHECK_FALSE(res.deleted);
  auto ns = f.MustGet(f.ns(), "team", "");
  CHECK(json::GetStringPath(ns, "status.phase") == "Terminating");
  CHECK(json::FindPath(ns, "metadata.deletionTimestamp") != nullptr);
  auto d = Policy("x");
  Status st = f.reg().Create(f.bp(), "team", d, WriteOptions{}, &res);
  CHECK(st.code() == Code::kForbidden);
  CHECK(st.message() == "unable to create new content in namespace team because it is being terminated");
}
