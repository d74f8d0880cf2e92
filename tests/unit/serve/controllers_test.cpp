// ControllerManager over a real ObjectRegistry: the DockerHost controller runs
// end to end (informer -> queue -> reconcile -> status) against a fake daemon,
// the event watcher notices nothing fake (the fake has no /events) yet the
// 2 s unreachable backoff still brings a restarted daemon back, and Stop()
// leaves nothing running.
#include <catch2/catch.hpp>

#include "operator/runtime/conditions.h"
#include "operator/serve/controllers.h"
#include "tests/unit/dockerhost/fake_daemon.h"
#include "tests/unit/runtime/rest_fixture.h"
#include "tests/unit/runtime/runtime_fixture.h"

using namespace dw;
using namespace dw::runtime::testing;
using namespace std::chrono_literals;

namespace {
std::string ReadyOf(RuntimeFixture& fx, const schema::ResourceInfo& dh, const std::string& name) {
  json::Document d;
  if (!fx.client().Get(dh, "default", name, &d).ok()) return "<missing>";
  const json::Value* st = json::Find(d, "status");
  const json::Value* c = st ? runtime::FindCondition(*st, "Ready") : nullptr;
  return c ? json::GetString(*c, "status") : "<none>";
}
}  // namespace

TEST_CASE("controller manager reconciles DockerHosts and feeds the HostRegistry") {
  RuntimeFixture fx;
  apiserver::testing::ScratchDir dir;
  std::string sock = dir.path() + "/d.sock";
  dw::dockerhost::testing::FakeDaemon daemon(sock);
  REQUIRE(daemon.Start());
  const schema::ResourceInfo* dh = fx.client().Resolve("dockward.io/v1alpha1", "DockerHost");
  REQUIRE(dh != nullptr);

  serve::ControllerManager cm(&fx.reg());
  Status st = cm.Start();
  INFO(st.ToString());
  REQUIRE(st.ok());
  CHECK(cm.Start().code() == Code::kInternal);  // once only

  fx.MustCreate(*dh, Doc(R"({"apiVersion":"dockward.io/v1alpha1","kind":"DockerHost","metadata":{"name":"local"},"spec":{"endpoint":"unix://)" +
                         sock + "\"}}"));
  CHECK(Eventually([&] { return ReadyOf(fx, *dh, "local") == "True"; }, 10s));
  dockerhost::HostState hs;
  REQUIRE(cm.hosts().State("default", "local", &hs).ok());
  CHECK(hs.reachable);
  CHECK(hs.version == "24.0.7");

  daemon.Stop();
  // Without /events on the fake, only the 30 s resync would notice: poke the
  // object (a label) so the informer enqueues it.
  // The DockerHost reconciler may write status at the same moment: a
  // conflicting write is retried, as any client would.
  apiserver::WriteResult wr;
  REQUIRE(Eventually([&] {
    return fx.reg().Mutate(*dh, "default", "local", [](json::Document& d) {
      json::SetString(json::EnsureObject(d["metadata"], "labels", d.GetAllocator()), "poke", "1", d.GetAllocator());
      return Status::OK();
    }, apiserver::WriteOptions{}, &wr).ok();
  }, 5s));
  CHECK(Eventually([&] { return ReadyOf(fx, *dh, "local") == "False"; }, 10s));
  REQUIRE(daemon.Start());
  // Unreachable backoff is 2 s first.
  CHECK(Eventually([&] { return ReadyOf(fx, *dh, "local") == "True"; }, 8s));

  cm.Stop();
  cm.Stop();  // idempotent
  daemon.Stop();
}

TEST_CASE("controller manager runs over an injected RestClient and names its replica in Events") {
  dw::runtime::testing::RestFixture fx;
  apiserver::testing::ScratchDir dir;
  const schema::ResourceInfo* dh = fx.rest().Resolve("dockward.io/v1alpha1", "DockerHost");
  const schema::ResourceInfo* events = fx.rest().Resolve("v1", "Event");
  REQUIRE(dh != nullptr);
  REQUIRE(events != nullptr);
  serve::ControllerManager cm(&fx.rest(), "replica-7");
  Status st = cm.Start();
  INFO(st.ToString());
  REQUIRE(st.ok());
  CHECK(&cm.client() == &fx.rest());
  fx.MustCreate(*dh, Doc(R"({"apiVersion":"dockward.io/v1alpha1","kind":"DockerHost","metadata":{"name":"gone"},"spec":{"endpoint":"unix://)" +
                         dir.path() + "/missing.sock\"}}"));
  CHECK(Eventually([&] { return ReadyOf(fx, *dh, "gone") == "False"; }, 10s));
  std::string instance;
  CHECK(Eventually([&] {
    runtime::ObjectList list;
    if (!fx.rest().List(*events, "default", {}, &list).ok()) return false;
    for (const auto& e : list.items)
      if (json::GetStringPath(e, "involvedObject.name") == "gone") instance = json::GetString(e, "reportingInstance");
    return !instance.empty();
  }, 10s));
  CHECK(instance == "replica-7");
  cm.Stop();
}

TEST_CASE("a Stop that comes before a racing Start wins: nothing runs afterwards") {
  RuntimeFixture fx;
  apiserver::testing::ScratchDir dir;
  const schema::ResourceInfo* dh = fx.client().Resolve("dockward.io/v1alpha1", "DockerHost");
  REQUIRE(dh != nullptr);
  {
    // Leader election may stop on the elector thread before the start-up
    // thread got to Start().
    serve::ControllerManager cm(&fx.reg());
    cm.Stop();
    CHECK(cm.Start().code() == Code::kUnavailable);
  }
  for (int i = 0; i < 3; ++i) {
    // ... or while Start() runs: Stop() waits for it, then undoes it.
    serve::ControllerManager cm(&fx.reg());
    Status started;
    std::thread t([&] { started = cm.Start(); });
    std::this_thread::sleep_for(std::chrono::milliseconds(i * 5));
    cm.Stop();
    t.join();
    CHECK(cm.Start().code() == Code::kUnavailable);
  }
  // No controller of those managers is left to reconcile anything.
  fx.MustCreate(*dh, Doc(R"({"apiVersion":"dockward.io/v1alpha1","kind":"DockerHost","metadata":{"name":"idle"},"spec":{"endpoint":"unix://)" +
                         dir.path() + "/missing.sock\"}}"));
  std::this_thread::sleep_for(1500ms);
  CHECK(ReadyOf(fx, *dh, "idle") == "<none>");
}
