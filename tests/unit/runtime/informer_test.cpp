// Informer over the real store: initial list, watch events, handlers,
// resync, and convergence after a re-list forced by a compacted history.
#include <catch2/catch.hpp>

#include <atomic>
#include <memory>
#include <mutex>

#include "operator/runtime/informer.h"
#include "tests/unit/runtime/runtime_fixture.h"

using namespace dw;
using namespace dw::runtime;
using namespace dw::runtime::testing;
using namespace std::chrono_literals;

namespace {
struct Counts {
  std::atomic<int> adds{0}, updates{0}, deletes{0}, resyncs{0};
  EventHandler Handler() {
    EventHandler h;
    h.on_add = [this](const ObjectPtr&) { ++adds; };
    h.on_update = [this](const ObjectPtr& o, const ObjectPtr& n) {
      ++updates;
      if (o == n) ++resyncs;
    };
    h.on_delete = [this](const ObjectPtr&) { ++deletes; };
    return h;
  }
};
}  // namespace

TEST_CASE("informer lists, then follows the watch") {
  RuntimeFixture fx;
  fx.MustCreate(fx.bp(), Policy("a", "", R"(,"labels":{"tier":"db"})"));
  fx.MustCreate(fx.bp(), Policy("b"));
  Counts n;
  Informer inf(&fx.client(), fx.bp());
  inf.AddEventHandler(n.Handler());
  CHECK_FALSE(inf.HasSynced());
  inf.Start();
  REQUIRE(inf.WaitForSync(5s));
  CHECK(inf.Size() == 2);
  CHECK(n.adds.load() == 2);
  meta::LabelSelector sel;
  REQUIRE(meta::LabelSelector::Parse("tier=db", &sel).ok());
  auto dbs = inf.List(sel);
  REQUIRE(dbs.size() == 1);
  CHECK(NameOf(*dbs[0]) == "a");

  fx.MustCreate(fx.bp(), Policy("c"));
  fx.SetSchedule("a", "5 4 * * *");
  fx.DeletePolicy("b");
  REQUIRE(Eventually([&] { return inf.Size() == 2 && inf.Get("default", "b") == nullptr; }));
  REQUIRE(Eventually([&] { return n.adds.load() == 3 && n.deletes.load() == 1 && n.updates.load() >= 1; }));
  auto a = inf.Get("default", "a");
  REQUIRE(a);
  CHECK(json::GetStringPath(*a, "spec.schedule") == "5 4 * * *");
  CHECK(inf.LastResourceVersion() == std::to_string(fx.store().Revision()));
  CHECK(inf.Relists() == 0);
  inf.Stop();
}

TEST_CASE("informer re-lists when its resourceVersion is Gone and converges") {
  RuntimeFixture fx(/*history_events=*/8);
  for (int i = 0; i < 3; ++i) fx.MustCreate(fx.bp(), Policy("p" + std::to_string(i)));
  Counts n;
  Informer inf(&fx.client(), fx.bp());
  inf.AddEventHandler(n.Handler());
  inf.Start();
  REQUIRE(inf.WaitForSync(5s));
  REQUIRE(inf.Size() == 3);
  inf.Stop();

  // Far more changes than the store's history keeps, while nobody watches.
  fx.DeletePolicy("p0");
  fx.SetSchedule("p1", "1 1 * * *");
  for (int i = 0; i < 30; ++i) fx.MustCreate(fx.bp(), Policy("q" + std::to_string(i)));
  REQUIRE(fx.store().GetStats().compacted_revision > std::stoll(inf.LastResourceVersion()));

  inf.Start();
  // The informer swaps its cache before it runs the handlers (and counts the
  // re-list): a cache of the right size alone says nothing about them yet.
  REQUIRE(Eventually([&] {
    return inf.Size() == 32 && n.adds.load() >= 33 && n.deletes.load() >= 1 && n.updates.load() >= 1;
  }));
  CHECK(inf.Relists() >= 1);
  CHECK(inf.Get("default", "p0") == nullptr);
  REQUIRE(inf.Get("default", "p1"));
  CHECK(json::GetStringPath(*inf.Get("default", "p1"), "spec.schedule") == "1 1 * * *");
  CHECK(n.deletes.load() == 1);
  CHECK(n.adds.load() == 33);
  CHECK(n.updates.load() >= 1);

  // And it keeps watching after the re-list.
  fx.MustCreate(fx.bp(), Policy("after"));
  REQUIRE(Eventually([&] { return inf.Get("default", "after") != nullptr; }));
  inf.Stop();
}

TEST_CASE("informer resync re-delivers every cached object as an update") {
  RuntimeFixture fx;
  fx.MustCreate(fx.bp(), Policy("a"));
  fx.MustCreate(fx.bp(), Policy("b"));
  Counts n;
  InformerOptions o;
  o.resync = 100ms;
  Informer inf(&fx.client(), fx.bp(), o);
  inf.AddEventHandler(n.Handler());
  inf.Start();
  REQUIRE(inf.WaitForSync(5s));
  REQUIRE(Eventually([&] { return n.resyncs.load() >= 4; }));  // two rounds of two objects
  // Stopped before counting: a round read half-way through would be odd.
  // Stop() joins the informer thread, which never leaves a round unfinished.
  inf.Stop();
  CHECK(n.resyncs.load() % 2 == 0);
  CHECK(n.adds.load() == 2);
}

namespace {
// Hands the informer a stream that shares ownership of the real one, so the
// test can hold it alive across its own Stop() call.
class SharedWatchStream : public WatchStream {
 public:
  explicit SharedWatchStream(std::shared_ptr<WatchStream> s) : s_(std::move(s)) {}
  bool Next(std::vector<WatchEvent>* out, std::chrono::milliseconds timeout) override {
    return s_->Next(out, timeout);
  }
  void Stop() override { s_->Stop(); }
  Status closed_status() const override { return s_->closed_status(); }

 private:
  std::shared_ptr<WatchStream> s_;
};

// Forwards to the in-process client and lets the test end the live watch,
// as a server closing a watch connection would. The informer frees its
// stream as soon as Next() reports it closed, which Stop() itself causes,
// possibly while Stop() is still running on this thread: so CloseWatch()
// keeps a strong reference for the whole call (a raw pointer here was a
// use-after-free under load). Only a weak one is kept in between, so the
// stream still dies when the informer drops it.
class ClosableWatchClient : public InProcessClient {
 public:
  using InProcessClient::InProcessClient;
  Status Watch(const schema::ResourceInfo& r, const std::string& ns, const std::string& rv,
               std::unique_ptr<WatchStream>* out) override {
    std::unique_ptr<WatchStream> real;
    Status st = InProcessClient::Watch(r, ns, rv, &real);
    if (!st.ok()) return st;
    std::shared_ptr<WatchStream> shared(std::move(real));
    *out = std::make_unique<SharedWatchStream>(shared);
    std::lock_guard<std::mutex> g(mu_);
    live_ = shared;
    ++watches_;
    return st;
  }
  void CloseWatch() {
    std::shared_ptr<WatchStream> live;
    {
      std::lock_guard<std::mutex> g(mu_);
      live = live_.lock();
      live_.reset();
    }
    if (live) live->Stop();
  }
  int watches() {
    std::lock_guard<std::mutex> g(mu_);
    return watches_;
  }

 private:
  std::mutex mu_;
  std::weak_ptr<WatchStream> live_;
  int watches_ = 0;
};
}  // namespace

TEST_CASE("informer re-lists after its watch closes and catches what it missed") {
  RuntimeFixture fx;
  ClosableWatchClient client(&fx.reg());
  fx.MustCreate(fx.bp(), Policy("a"));
  Counts n;
  InformerOptions o;
  o.relist_backoff = 300ms;  // long enough for changes to land while unwatched
  Informer inf(&client, fx.bp(), o);
  inf.AddEventHandler(n.Handler());
  inf.Start();
  REQUIRE(inf.WaitForSync(5s));
  REQUIRE(Eventually([&] { return client.watches() == 1; }));
  client.CloseWatch();
  fx.DeletePolicy("a");
  fx.MustCreate(fx.bp(), Policy("b"));
  REQUIRE(Eventually([&] { return client.watches() == 2; }));
  CHECK(inf.Relists() == 1);
  CHECK(inf.Get("default", "a") == nullptr);
  CHECK(inf.Get("default", "b") != nullptr);
  CHECK(n.deletes.load() == 1);
  CHECK(n.adds.load() == 2);
  inf.Stop();
}
