// GarbageCollector over a live registry: background deletion of orphaned
// dependents, Orphan propagation, Foreground ordering (dependents' DELETED
// events before the owner's), and namespace draining.
#include "operator/apiserver/garbage_collector.h"
#include "registry_fixture.h"

using namespace dw;
using namespace dw::apiserver;
using namespace dw::apiserver::testing;

namespace {

GarbageCollectorOptions FastRetry() {
  GarbageCollectorOptions o;
  o.retry_interval = std::chrono::milliseconds(50);
  return o;
}

// Keys of DELETED events seen on `w` until `want` of them arrived or 5 s passed.
std::vector<std::string> DeletedKeys(store::Watcher* w, size_t want) {
  std::vector<std::string> keys;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (keys.size() < want && std::chrono::steady_clock::now() < deadline) {
    std::vector<store::Event> evs;
    if (!w->Next(&evs, std::chrono::milliseconds(100))) break;
    for (const auto& e : evs)
      if (e.type == store::Event::Type::kDeleted) keys.push_back(e.object.key);
  }
  return keys;
}

}  // namespace

TEST_CASE("gc: a dependent whose owner is deleted goes away (background)", "[gc]") {
  RegistryFixture f;
  GarbageCollector gc(&f.reg(), FastRetry());
  REQUIRE(gc.Start().ok());
  auto owner = f.MustCreate(f.bp(), Policy("owner"));
  f.MustCreate(f.backups(), BackupOwnedBy("dep1", &owner));
  f.MustCreate(f.backups(), BackupOwnedBy("dep2", &owner));
  f.MustCreate(f.backups(), BackupOwnedBy("standalone", nullptr));

  WriteResult res;
  REQUIRE(f.reg().Delete(f.bp(), "default", "owner", DeleteOptions{}, &res).ok());
  CHECK(res.deleted);
  CHECK(Eventually([&] { return !f.Exists(f.backups(), "dep1") && !f.Exists(f.backups(), "dep2"); }));
  // Unrelated objects are left alone.
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  CHECK(f.Exists(f.backups(), "standalone"));
  gc.Stop();
}

TEST_CASE("gc: a dependent created after its owner is gone is collected", "[gc]") {
  RegistryFixture f;
  auto owner = f.MustCreate(f.bp(), Policy("owner"));
  WriteResult res;
  REQUIRE(f.reg().Delete(f.bp(), "default", "owner", DeleteOptions{}, &res).ok());
  f.MustCreate(f.backups(), BackupOwnedBy("late", &owner));
  GarbageCollector gc(&f.reg(), FastRetry());
  REQUIRE(gc.Start().ok());  // finds it in its initial list
  CHECK(Eventually([&] { return !f.Exists(f.backups(), "late"); }));
}

TEST_CASE("gc: a dangling reference beside a live owner is removed", "[gc]") {
  RegistryFixture f;
  GarbageCollector gc(&f.reg(), FastRetry());
  REQUIRE(gc.Start().ok());
  auto a = f.MustCreate(f.bp(), Policy("a"));
  auto b = f.MustCreate(f.bp(), Policy("b"));
  auto dep = BackupOwnedBy("dep", &a);
  auto& al = dep.GetAllocator();
  json::Value ref(rapidjson::kObjectType);
  json::SetString(ref, "apiVersion", "dockward.io/v1alpha1", al);
  json::SetString(ref, "kind", "BackupPolicy", al);
  json::SetString(ref, "name", "b", al);
  json::SetString(ref, "uid", json::GetStringPath(b, "metadata.uid"), al);
  dep["metadata"]["ownerReferences"].PushBack(ref, al);
  f.MustCreate(f.backups(), std::move(dep));

  WriteResult res;
  REQUIRE(f.reg().Delete(f.bp(), "default", "a", DeleteOptions{}, &res).ok());
  CHECK(Eventually([&] {
    auto d = f.MustGet(f.backups(), "dep");
    const json::Value* refs = json::FindPath(d, "metadata.ownerReferences");
    return refs && refs->IsArray() && refs->Size() == 1 && json::GetString((*refs)[0], "name") == "b";
  }));
  CHECK(f.Exists(f.backups(), "dep"));
}

TEST_CASE("gc: orphan propagation removes the ownerReference and keeps the dependent", "[gc]") {
  RegistryFixture f;
  GarbageCollector gc(&f.reg(), FastRetry());
  REQUIRE(gc.Start().ok());
  auto owner = f.MustCreate(f.bp(), Policy("owner"));
  f.MustCreate(f.backups(), BackupOwnedBy("dep", &owner));

  DeleteOptions o;
  o.propagation = "Orphan";
  WriteResult res;
  REQUIRE(f.reg().Delete(f.bp(), "default", "owner", o, &res).ok());
  CHECK_FALSE(res.deleted);
  CHECK(Eventually([&] { return !f.Exists(f.bp(), "owner"); }));
  REQUIRE(f.Exists(f.backups(), "dep"));
  auto dep = f.MustGet(f.backups(), "dep");
  CHECK(json::FindPath(dep, "metadata.ownerReferences") == nullptr);
  CHECK(json::FindPath(dep, "metadata.deletionTimestamp") == nullptr);
  // Still there a while later: nothing collects it afterwards.
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  CHECK(f.Exists(f.backups(), "dep"));
}

// The collector starts (e.g. after a restart) with the owner already marked
// for orphaning: it must orphan the dependent, not collect it because its
// cached view still lists the owner that the orphaning just let go.
TEST_CASE("gc: orphan propagation pending when the collector starts keeps the dependent", "[gc]") {
  RegistryFixture f;
  auto owner = f.MustCreate(f.bp(), Policy("owner"));
  f.MustCreate(f.backups(), BackupOwnedBy("dep", &owner));
  DeleteOptions o;
  o.propagation = "Orphan";
  WriteResult res;
  REQUIRE(f.reg().Delete(f.bp(), "default", "owner", o, &res).ok());
  GarbageCollector gc(&f.reg(), FastRetry());
  REQUIRE(gc.Start().ok());
  CHECK(Eventually([&] { return !f.Exists(f.bp(), "owner"); }));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  REQUIRE(f.Exists(f.backups(), "dep"));
  CHECK(json::FindPath(f.MustGet(f.backups(), "dep"), "metadata.ownerReferences") == nullptr);
}

TEST_CASE("gc: foreground deletes the dependents first, then the owner", "[gc]") {
  RegistryFixture f;
  GarbageCollector gc(&f.reg(), FastRetry());
  REQUIRE(gc.Start().ok());
  auto owner = f.MustCreate(f.bp(), Policy("owner"));
  f.MustCreate(f.backups(), BackupOwnedBy("dep1", &owner));
  f.MustCreate(f.backups(), BackupOwnedBy("dep2", &owner));

  std::unique_ptr<store::Watcher> w;
  REQUIRE(f.store().Watch("", f.store().Revision(), &w).ok());
  DeleteOptions o;
  o.propagation = "Foreground";
  WriteResult res;
  REQUIRE(f.reg().Delete(f.bp(), "default", "owner", o, &res).ok());
  CHECK_FALSE(res.deleted);
  auto marked = Parsed(res.object);
  CHECK(json::FindPath(marked, "metadata.deletionTimestamp") != nullptr);

  auto keys = DeletedKeys(w.get(), 3);
  w->Stop();
  REQUIRE(keys.size() == 3);
  std::string owner_key = ObjectRegistry::Key(f.bp(), "default", "owner");
  CHECK(keys.back() == owner_key);
  CHECK(std::find(keys.begin(), keys.end() - 1, ObjectRegistry::Key(f.backups(), "default", "dep1")) != keys.end() - 1);
  CHECK(std::find(keys.begin(), keys.end() - 1, ObjectRegistry::Key(f.backups(), "default", "dep2")) != keys.end() - 1);
  CHECK_FALSE(f.Exists(f.bp(), "owner"));
}

TEST_CASE("gc: foreground waits for a dependent held by its own finalizer", "[gc]") {
  RegistryFixture f;
  GarbageCollector gc(&f.reg(), FastRetry());
  REQUIRE(gc.Start().ok());
  auto owner = f.MustCreate(f.bp(), Policy("owner"));
  auto dep = BackupOwnedBy("dep", &owner);
  json::Value fins(rapidjson::kArrayType);
  fins.PushBack(json::Str("dockward.io/hold", dep.GetAllocator()), dep.GetAllocator());
  json::SetValue(dep["metadata"], "finalizers", fins, dep.GetAllocator());
  f.MustCreate(f.backups(), std::move(dep));

  DeleteOptions o;
  o.propagation = "Foreground";
  WriteResult res;
  REQUIRE(f.reg().Delete(f.bp(), "default", "owner", o, &res).ok());
  CHECK(Eventually([&] {
    return json::FindPath(f.MustGet(f.backups(), "dep"), "metadata.deletionTimestamp") != nullptr;
  }));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  CHECK(f.Exists(f.bp(), "owner"));  // blocked by the dependent

  WriteOptions wo;
  wo.field_manager = "holder";
  REQUIRE(f.reg().Mutate(f.backups(), "default", "dep", [](json::Document& d) {
    json::Value* fl = json::Find(d["metadata"], "finalizers");
    if (!fl || !fl->IsArray()) return Status::Internal("finalizers missing");
    json::Value& arr = *fl;
    for (auto it = arr.Begin(); it != arr.End();) {
      if (std::string(it->GetString()) == "dockward.io/hold") it = arr.Erase(it);
      else ++it;
    }
    return Status::OK();
  }, wo, &res).ok());
  CHECK(Eventually([&] { return !f.Exists(f.backups(), "dep") && !f.Exists(f.bp(), "owner"); }));
}

TEST_CASE("gc: deleting a namespace removes its contents, then the namespace", "[gc][namespace]") {
  RegistryFixture f;
  GarbageCollector gc(&f.reg(), FastRetry());
  REQUIRE(gc.Start().ok());
  f.CreateNamespace("team");
  f.MustCreate(f.bp(), Policy("p1"), "team");
  f.MustCreate(f.bp(), Policy("p2"), "team");
  f.MustCreate(f.backups(), BackupOwnedBy("b1", nullptr), "team");
  f.MustCreate(f.secrets(), Doc(R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"s"}})"), "team");
  f.MustCreate(f.bp(), Policy("keep"));  // in "default"

  WriteResult res;
  REQUIRE(f.reg().Delete(f.ns(), "", "team", DeleteOptions{}, &res).ok());
  CHECK_FALSE(res.deleted);
  CHECK(Eventually([&] { return !f.Exists(f.ns(), "team", ""); }));
  CHECK_FALSE(f.Exists(f.bp(), "p1", "team"));
  CHECK_FALSE(f.Exists(f.bp(), "p2", "team"));
  CHECK_FALSE(f.Exists(f.backups(), "b1", "team"));
  CHECK_FALSE(f.Exists(f.secrets(), "s", "team"));
  CHECK(f.Exists(f.bp(), "keep"));
  CHECK(f.Exists(f.ns(), "default", ""));
}

TEST_CASE("gc: a namespace waits for content held by a finalizer", "[gc][namespace]") {
  RegistryFixture f;
  GarbageCollector gc(&f.reg(), FastRetry());
  REQUIRE(gc.Start().ok());
  f.CreateNamespace("team");
  f.MustCreate(f.bp(), Policy("held", "", R"(,"finalizers":["dockward.io/hold"])"), "team");
  WriteResult res;
  REQUIRE(f.reg().Delete(f.ns(), "", "team", DeleteOptions{}, &res).ok());
  CHECK(Eventually([&] {
    return json::FindPath(f.MustGet(f.bp(), "held", "team"), "metadata.deletionTimestamp") != nullptr;
  }));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  CHECK(f.Exists(f.ns(), "team", ""));
  WriteOptions wo;
  wo.field_manager = "holder";
  REQUIRE(f.reg().Patch(f.bp(), "team", "held", PatchType::kMerge, R"({"metadata":{"finalizers":null}})", wo, &res).ok());
  CHECK(Eventually([&] { return !f.Exists(f.ns(), "team", ""); }));
}
