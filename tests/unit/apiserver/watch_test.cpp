// Watch resumption through the Store, driven by registry writes: ordered
// events after a resourceVersion, exact resumption from the last seen one,
// and Gone for a resourceVersion older than the retained history.
#include <atomic>

#include "registry_fixture.h"

using namespace dw;
using namespace dw::apiserver;
using namespace dw::apiserver::testing;

namespace {

using Type = store::Event::Type;

// Reads events from `w` until `want` arrived or 5 s passed.
std::vector<store::Event> Collect(store::Watcher* w, size_t want) {
  std::vector<store::Event> out;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (out.size() < want && std::chrono::steady_clock::now() < deadline) {
    if (!w->Next(&out, std::chrono::milliseconds(100))) break;
  }
  return out;
}

std::string NameOf(const store::Event& e) { return json::GetStringPath(Parsed(e.object), "metadata.name"); }

std::string PolicyPrefix(const RegistryFixture& f) {
  return store::MakePrefix(f.bp().GroupResource(), "default");
}

// ADDED a, ADDED b, MODIFIED a, DELETED b: returns the revision before them.
int64_t FourWrites(RegistryFixture& f) {
  int64_t start = f.store().Revision();
  f.MustCreate(f.bp(), Policy("a"));
  f.MustCreate(f.bp(), Policy("b"));
  WriteOptions o;
  o.field_manager = "m";
  WriteResult res;
  REQUIRE(f.reg().Patch(f.bp(), "default", "a", PatchType::kMerge, R"({"spec":{"suspend":true}})", o, &res).ok());
  REQUIRE(f.reg().Delete(f.bp(), "default", "b", DeleteOptions{}, &res).ok());
  return start;
}

}  // namespace

TEST_CASE("watch from a resourceVersion delivers later events in order", "[watch]") {
  RegistryFixture f;
  int64_t start = FourWrites(f);
  f.MustCreate(f.backups(), BackupOwnedBy("other-kind", nullptr));  // outside the prefix

  std::unique_ptr<store::Watcher> w;
  REQUIRE(f.store().Watch(PolicyPrefix(f), start, &w).ok());
  auto evs = Collect(w.get(), 4);
  REQUIRE(evs.size() == 4);
  CHECK(evs[0].type == Type::kAdded);
  CHECK(NameOf(evs[0]) == "a");
  CHECK(evs[1].type == Type::kAdded);
  CHECK(NameOf(evs[1]) == "b");
  CHECK(evs[2].type == Type::kModified);
  CHECK(NameOf(evs[2]) == "a");
  CHECK(json::GetBool(Parsed(evs[2].object)["spec"], "suspend") == true);
  CHECK(evs[3].type == Type::kDeleted);
  CHECK(NameOf(evs[3]) == "b");
  for (size_t i = 0; i < evs.size(); ++i) {
    CHECK(evs[i].object.rv == start + 1 + static_cast<int64_t>(i));
    CHECK(json::GetStringPath(Parsed(evs[i].object), "metadata.resourceVersion") ==
          std::to_string(evs[i].object.rv));
  }
  // Nothing else arrives (the Backup is under another prefix).
  std::vector<store::Event> more;
  w->Next(&more, std::chrono::milliseconds(100));
  CHECK(more.empty());
  w->Stop();
}

TEST_CASE("resuming from the last seen resourceVersion gives exactly the later events", "[watch]") {
  RegistryFixture f;
  int64_t start = FourWrites(f);
  std::unique_ptr<store::Watcher> w;
  REQUIRE(f.store().Watch(PolicyPrefix(f), start, &w).ok());
  auto first = Collect(w.get(), 4);
  REQUIRE(first.size() == 4);
  w->Stop();

  // The client saw two events, then dropped; it resumes from the second's rv.
  int64_t last_seen = first[1].object.rv;
  w.reset();
  REQUIRE(f.store().Watch(PolicyPrefix(f), last_seen, &w).ok());
  auto resumed = Collect(w.get(), 2);
  REQUIRE(resumed.size() == 2);
  CHECK(resumed[0].object.rv == first[2].object.rv);
  CHECK(resumed[0].type == Type::kModified);
  CHECK(resumed[1].object.rv == first[3].object.rv);
  CHECK(resumed[1].type == Type::kDeleted);
  CHECK(*resumed[0].object.data == *first[2].object.data);

  // Live events follow the replayed ones without a gap or duplicate.
  f.MustCreate(f.bp(), Policy("c"));
  auto live = Collect(w.get(), 1);
  REQUIRE(live.size() == 1);
  CHECK(live[0].type == Type::kAdded);
  CHECK(NameOf(live[0]) == "c");
  CHECK(live[0].object.rv == first[3].object.rv + 1);
  w->Stop();
}

TEST_CASE("resuming from the current revision delivers only new events", "[watch]") {
  RegistryFixture f;
  FourWrites(f);
  std::unique_ptr<store::Watcher> w;
  REQUIRE(f.store().Watch(PolicyPrefix(f), f.store().Revision(), &w).ok());
  std::vector<store::Event> none;
  w->Next(&none, std::chrono::milliseconds(50));
  CHECK(none.empty());
  f.MustCreate(f.bp(), Policy("z"));
  auto evs = Collect(w.get(), 1);
  REQUIRE(evs.size() == 1);
  CHECK(NameOf(evs[0]) == "z");
  w->Stop();
}

TEST_CASE("a resourceVersion older than the retained history is Gone", "[watch]") {
  RegistryFixture f(/*history_events=*/4);
  int64_t start = f.store().Revision();
  for (int i = 0; i < 10; ++i) f.MustCreate(f.bp(), Policy("p" + std::to_string(i)));
  int64_t now = f.store().Revision();
  REQUIRE(now == start + 10);

  std::unique_ptr<store::Watcher> w;
  Status st = f.store().Watch(PolicyPrefix(f), start, &w);
  CHECK(st.code() == Code::kGone);
  CHECK(f.store().GetStats().compacted_revision >= start);

  // Within the retained window, resumption still works and is exact.
  w.reset();
  REQUIRE(f.store().Watch(PolicyPrefix(f), now - 2, &w).ok());
  auto evs = Collect(w.get(), 2);
  REQUIRE(evs.size() == 2);
  CHECK(evs[0].object.rv == now - 1);
  CHECK(NameOf(evs[0]) == "p8");
  CHECK(evs[1].object.rv == now);
  CHECK(NameOf(evs[1]) == "p9");
  w->Stop();
}

// Watch(..., &w) with `w` still holding an earlier watcher must replace it
// (the old one is destroyed, which stops it). Run on a helper thread with a
// deadline so that a deadlock fails this test instead of hanging the suite;
// on failure the fixture is leaked on purpose (its store is wedged).
TEST_CASE("watching into an out-param that holds a watcher replaces it", "[watch]") {
  struct Shared {
    RegistryFixture f;
    std::unique_ptr<store::Watcher> w;
    std::atomic<bool> done{false};
    Status st;
  };
  auto* sh = new Shared;
  std::string prefix = PolicyPrefix(sh->f);
  REQUIRE(sh->f.store().Watch(prefix, 0, &sh->w).ok());
  std::thread t([sh, prefix] {
    sh->st = sh->f.store().Watch(prefix, 0, &sh->w);
    sh->done.store(true);
  });
  if (!Eventually([&] { return sh->done.load(); }, std::chrono::seconds(2))) {
    t.detach();
    FAIL("Store::Watch deadlocked while replacing the watcher held in its out-param");
  }
  t.join();
  REQUIRE(sh->st.ok());
  sh->f.MustCreate(sh->f.bp(), Policy("after"));
  auto evs = Collect(sh->w.get(), 1);
  REQUIRE(evs.size() == 1);
  CHECK(NameOf(evs[0]) == "after");
  CHECK(sh->f.store().GetStats().watchers == 1);  // the replaced watcher is gone
  sh->w.reset();
  delete sh;
}
