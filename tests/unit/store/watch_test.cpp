#include <chrono>
#include <thread>

#include "operator/store/store.h"
#include "store_test_util.h"

using namespace dw::store;
using namespace dw::store::testing;
using namespace std::chrono_literals;

namespace {

std::vector<Event> Drain(Watcher* w, size_t want) {
  std::vector<Event> out;
  for (int i = 0; i < 50 && out.size() < want; ++i) {
    if (!w->Next(&out, 100ms)) break;
  }
  return out;
}

void Put(Store* s, const std::string& key) {
  auto d = Named(key.substr(key.rfind('/') + 1));
  REQUIRE(s->Create(key, d, nullptr).ok());
}

}  // namespace

TEST_CASE("watch: live events from now", "[store][watch]") {
  TempDir dir;
  auto s = OpenOrDie(Opts(dir.path()));
  Put(s.get(), "pods/a/before");
  std::unique_ptr<Watcher> w;
  REQUIRE(s->Watch("pods/a/", 0, &w).ok());
  CHECK(s->GetStats().watchers == 1);
  Put(s.get(), "pods/a/x");
  Put(s.get(), "pods/b/other");  // outside the prefix
  auto upd = Named("x");
  REQUIRE(s->Update("pods/a/x", upd, 0, nullptr).ok());
  REQUIRE(s->Delete("pods/a/x", 0, nullptr).ok());

  auto ev = Drain(w.get(), 3);
  REQUIRE(ev.size() == 3);
  CHECK(ev[0].type == Event::Type::kAdded);
  CHECK(ev[0].object.rv == 2);
  CHECK(ev[1].type == Event::Type::kModified);
  CHECK(ev[1].object.rv == 4);
  CHECK(ev[2].type == Event::Type::kDeleted);
  CHECK(ev[2].object.rv == 5);
  CHECK(RvOf(ev[2].object) == "5");  // delete event carries the delete revision
  // Nothing more: Next times out and returns true (still open).
  std::vector<Event> more;
  CHECK(w->Next(&more, 20ms));
  CHECK(more.empty());
  w->Stop();
  CHECK_FALSE(w->Next(&more, 20ms));
  CHECK(s->GetStats().watchers == 0);
}

TEST_CASE("watch: replay from a revision", "[store][watch]") {
  TempDir dir;
  auto s = OpenOrDie(Opts(dir.path()));
  for (int i = 1; i <= 5; ++i) Put(s.get(), "pods/a/p" + std::to_string(i));
  std::unique_ptr<Watcher> w;
  REQUIRE(s->Watch("pods/", 2, &w).ok());
  auto ev = Drain(w.get(), 3);
  REQUIRE(ev.size() == 3);
  CHECK(ev[0].object.rv == 3);
  CHECK(ev[2].object.rv == 5);
  Put(s.get(), "pods/a/p6");
  ev = Drain(w.get(), 1);
  REQUIRE(ev.size() == 1);
  CHECK(ev[0].object.rv == 6);
  CHECK(ev[0].object.key == "pods/a/p6");
}

TEST_CASE("watch: Gone once history no longer covers from_rv", "[store][watch]") {
  TempDir dir;
  EmbeddedOptions o = Opts(dir.path());
  o.history_events = 3;
  auto s = OpenOrDie(o);
  for (int i = 1; i <= 6; ++i) Put(s.get(), "pods/a/p" + std::to_string(i));
  // History holds revisions 4,5,6: from 3 is complete, from 2 is not.
  std::unique_ptr<Watcher> w;
  CHECK(s->Watch("pods/", 2, &w).code() == dw::Code::kGone);
  CHECK(s->GetStats().compacted_revision == 2);
  REQUIRE(s->Watch("pods/", 3, &w).ok());
  auto ev = Drain(w.get(), 3);
  REQUIRE(ev.size() == 3);
  CHECK(ev[0].object.rv == 4);
  CHECK(s->Watch("pods/", -1, &w).code() == dw::Code::kBadRequest);
}

TEST_CASE("watch: after reopen only the current revision is watchable", "[store][watch]") {
  TempDir dir;
  {
    auto s = OpenOrDie(Opts(dir.path()));
    for (int i = 1; i <= 3; ++i) Put(s.get(), "pods/a/p" + std::to_string(i));
  }
  auto s = OpenOrDie(Opts(dir.path()));
  std::unique_ptr<Watcher> w;
  CHECK(s->Watch("pods/", 2, &w).code() == dw::Code::kGone);
  REQUIRE(s->Watch("pods/", 3, &w).ok());
  Put(s.get(), "pods/a/p4");
  auto ev = Drain(w.get(), 1);
  REQUIRE(ev.size() == 1);
  CHECK(ev[0].object.rv == 4);
}

TEST_CASE("watch: slow watcher is dropped", "[store][watch]") {
  TempDir dir;
  EmbeddedOptions o = Opts(dir.path());
  o.watcher_queue_limit = 4;
  o.fsync = false;
  auto s = OpenOrDie(o);
  std::unique_ptr<Watcher> slow, fast;
  REQUIRE(s->Watch("pods/", 0, &slow).ok());
  REQUIRE(s->Watch("pods/", 0, &fast).ok());
  std::vector<Event> fast_events;
  for (int i = 1; i <= 10; ++i) {
    Put(s.get(), "pods/a/p" + std::to_string(i));
    REQUIRE(fast->Next(&fast_events, 1000ms));
  }
  CHECK(fast_events.size() == 10);
  std::vector<Event> out;
  CHECK_FALSE(slow->Next(&out, 10ms));
  CHECK(out.empty());
  CHECK(slow->closed_reason() == "watcher too slow");
  CHECK(s->GetStats().watchers == 1);
}

TEST_CASE("watch: Close wakes and closes watchers", "[store][watch]") {
  TempDir dir;
  auto s = OpenOrDie(Opts(dir.path()));
  std::unique_ptr<Watcher> w;
  REQUIRE(s->Watch("", 0, &w).ok());
  std::thread closer([&] {
    std::this_thread::sleep_for(50ms);
    s->Close();
  });
  std::vector<Event> out;
  auto t0 = std::chrono::steady_clock::now();
  CHECK_FALSE(w->Next(&out, 5000ms));
  CHECK(std::chrono::steady_clock::now() - t0 < 2000ms);
  closer.join();
  CHECK(w->closed_reason() == "store closed");
  CHECK(s->Watch("", 0, &w).code() == dw::Code::kUnavailable);
}
