// Controller end to end over a real ObjectRegistry + EmbeddedStore: a toy
// BackupPolicy reconciler that writes a Ready condition through UpdateStatus.
#include <catch2/catch.hpp>

#include <atomic>
#include <map>
#include <mutex>

#include "operator/runtime/conditions.h"
#include "operator/runtime/controller.h"
#include "tests/unit/runtime/runtime_fixture.h"

using namespace dw;
using namespace dw::runtime;
using namespace dw::runtime::testing;
using namespace std::chrono_literals;

namespace {

// Counts calls per key and remembers when they happened.
struct Calls {
  std::mutex mu;
  std::map<std::string, std::vector<std::chrono::steady_clock::time_point>> at;
  void Note(const std::string& key) {
    std::lock_guard<std::mutex> g(mu);
    at[key].push_back(std::chrono::steady_clock::now());
  }
  size_t Count(const std::string& key) {
    std::lock_guard<std::mutex> g(mu);
    return at[key].size();
  }
  std::vector<std::chrono::steady_clock::time_point> Times(const std::string& key) {
    std::lock_guard<std::mutex> g(mu);
    return at[key];
  }
};

// Marks the policy Ready with observedGeneration = metadata.generation.
Status MarkReady(Client& c, const schema::ResourceInfo& bp, const Request& req) {
  json::Document obj;
  Status st = c.Get(bp, req.ns, req.name, &obj);
  if (st.IsNotFound()) return Status::OK();  // deleted: nothing to do
  DW_RETURN_IF_ERROR(st);
  auto& a = obj.GetAllocator();
  int64_t gen = json::GetInt(obj["metadata"], "generation");
  json::Value& status = json::EnsureObject(obj, "status", a);
  SetCondition(status, a, {"Ready", "True", "Reconciled", "reconciled by test", gen});
  json::SetInt(status, "observedGeneration", gen, a);
  return c.UpdateStatus(bp, obj, WriteOptions{"test-controller"}, nullptr);
}

int64_t ObservedGeneration(RuntimeFixture& fx, const std::string& name) {
  if (!fx.Exists(fx.bp(), name)) return -1;
  auto d = fx.MustGet(fx.bp(), name);
  const json::Value* st = json::Find(d, "status");
  if (!st || !IsTrue(*st, "Ready")) return 0;
  return json::GetInt(*FindCondition(*st, "Ready"), "observedGeneration");
}

}  // namespace

TEST_CASE("controller reconciles creates, spec updates and owned objects") {
  RuntimeFixture fx;
  Calls calls;
  ControllerOptions o;
  o.name = "test-bp";
  o.workers = 2;
  Controller c(&fx.client(), fx.bp(),
               [&](const Request& req, Result*) {
                 calls.Note(req.Key());
                 return MarkReady(fx.client(), fx.bp(), req);
               },
               o);
  c.Owns(fx.backups());
  REQUIRE(c.Start(5s).ok());

  fx.MustCreate(fx.bp(), Policy("p1"));
  REQUIRE(Eventually([&] { return ObservedGeneration(fx, "p1") == 1; }));
  auto stored = fx.MustGet(fx.bp(), "p1");
  CHECK(json::GetInt(stored["status"], "observedGeneration") == 1);
  CHECK(json::GetString(*FindCondition(stored["status"], "Ready"), "reason") == "Reconciled");
  CHECK(json::GetInt(stored["metadata"], "generation") == 1);  // status writes leave generation alone

  fx.SetSchedule("p1", "0 3 * * *");
  REQUIRE(Eventually([&] { return ObservedGeneration(fx, "p1") == 2; }));

  // The status write itself produces an update event; let things settle.
  REQUIRE(Eventually([&] { return c.queue().Len() == 0; }));
  std::this_thread::sleep_for(100ms);
  size_t before = calls.Count("default/p1");
  fx.MustCreate(fx.backups(), BackupOwnedBy("b1", &stored));
  REQUIRE(Eventually([&] { return calls.Count("default/p1") > before; }));
  CHECK(c.informer_for(fx.backups())->Get("default", "b1") != nullptr);
  CHECK(calls.Count("default/b1") == 0);  // the owned kind's own key is never reconciled

  // A Backup without an owner wakes nobody.
  size_t settled = calls.Count("default/p1");
  fx.MustCreate(fx.backups(), BackupOwnedBy("orphan", nullptr));
  std::this_thread::sleep_for(200ms);
  CHECK(calls.Count("default/p1") == settled);
  CHECK(c.primary_informer().Get("default", "p1") != nullptr);
  c.Stop();
  std::string text = metrics::Default().Render();
  CHECK(text.find(R"(dockward_reconcile_total{controller="test-bp",result="success"})") != std::string::npos);
  CHECK(text.find(R"(dockward_reconcile_duration_seconds_count{controller="test-bp"})") != std::string::npos);
  CHECK(text.find(R"(dockward_workqueue_adds_total{name="test-bp"})") != std::string::npos);
  CHECK(text.find(R"(dockward_workqueue_depth{name="test-bp"} 0)") != std::string::npos);
}

TEST_CASE("controller retries errors and exceptions with backoff and honours requeueAfter") {
  RuntimeFixture fx;
  Calls calls;
  ControllerOptions o;
  o.name = "test-retry";
  o.workers = 2;
  o.rate_limits.base_delay = 40ms;
  Controller c(&fx.client(), fx.bp(),
               [&](const Request& req, Result* res) -> Status {
                 calls.Note(req.Key());
                 size_t n = calls.Count(req.Key());
                 if (req.name == "flaky" && n <= 3) return Status::Unavailable("docker is down");
                 if (req.name == "thrower" && n == 1) throw std::runtime_error("boom");
                 if (req.name == "periodic") res->requeue_after = 150ms;
                 return MarkReady(fx.client(), fx.bp(), req);
               },
               o);
  REQUIRE(c.Start(5s).ok());
  fx.MustCreate(fx.bp(), Policy("flaky"));
  fx.MustCreate(fx.bp(), Policy("thrower"));
  fx.MustCreate(fx.bp(), Policy("periodic"));

  REQUIRE(Eventually([&] { return ObservedGeneration(fx, "flaky") == 1; }));
  REQUIRE(Eventually([&] { return ObservedGeneration(fx, "thrower") == 1; }));
  // Three failures: retries after 40, 80 and 160 ms.
  auto t = calls.Times("default/flaky");
  REQUIRE(t.size() >= 4);
  auto gap = [&](int i) { return std::chrono::duration_cast<std::chrono::milliseconds>(t[i + 1] - t[i]); };
  CHECK(gap(0) >= 40ms);
  CHECK(gap(1) >= 80ms);
  CHECK(gap(2) >= 160ms);
  // Forgotten after success: the worker calls Forget after Reconcile returns,
  // which is after the status write the wait above saw.
  CHECK(Eventually([&] { return c.queue().NumRequeues("default/flaky") == 0; }));
  CHECK(calls.Count("default/thrower") >= 2);
  CHECK(metrics::Default().Render().find(R"(dockward_reconcile_errors_total{controller="test-retry"} 4)") !=
        std::string::npos);

  REQUIRE(Eventually([&] { return calls.Count("default/periodic") >= 4; }));
  auto p = calls.Times("default/periodic");
  // Every requeue waits requeue_after; extra runs come only from watch events
  // of its own status writes, so look at the spacing of the last runs.
  int spaced = 0;
  for (size_t i = 1; i < p.size(); ++i)
    if (p[i] - p[i - 1] >= 140ms) ++spaced;
  CHECK(spaced >= 2);
  c.Stop();
}

TEST_CASE("a controller started twice and stopped twice is harmless; Enqueue reaches the reconciler") {
  RuntimeFixture fx;
  Calls calls;
  ControllerOptions o;
  o.name = "test-enqueue";
  Controller c(&fx.client(), fx.bp(),
               [&](const Request& req, Result*) {
                 calls.Note(req.Key());
                 return Status::OK();
               },
               o);
  REQUIRE(c.Start(5s).ok());
  REQUIRE(c.Start(5s).ok());
  c.Enqueue({"default", "from-docker"});
  c.EnqueueAfter({"", "cluster-thing"}, 50ms);
  REQUIRE(Eventually([&] { return calls.Count("default/from-docker") == 1; }));
  REQUIRE(Eventually([&] { return calls.Count("cluster-thing") == 1; }));
  c.Stop();
  c.Stop();
  CHECK(RequestFromKey("a/b") == Request{"a", "b"});
  CHECK(RequestFromKey("solo") == Request{"", "solo"});
}
