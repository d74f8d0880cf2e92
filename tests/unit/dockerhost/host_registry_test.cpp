// HostRegistry: lookups, change notifications and per-host slots.
#include <catch2/catch.hpp>

#include <atomic>
#include <thread>
#include <vector>

#include "reconcilers/dockerhost/dockerhost_reconciler.h"
#include "reconcilers/dockerhost/host_registry.h"

using namespace dw;
using namespace dw::dockerhost;
using namespace std::chrono_literals;

namespace {
docker::DockerConfig Unix(const std::string& path) {
  docker::DockerConfig c;
  c.endpoint = "unix://" + path;
  return c;
}
}  // namespace

TEST_CASE("registry: unknown host is NotFound, unreachable is Unavailable with the probe's message") {
  HostRegistry reg;
  std::unique_ptr<docker::DockerClient> client;
  Status st = reg.NewClient("default", "local", &client);
  CHECK(st.IsNotFound());
  CHECK(st.message() == "DockerHost default/local not found");
  HostState state;
  CHECK(reg.State("default", "local", &state).IsNotFound());

  reg.Upsert("default", "local", Unix("/run/x.sock"), {false, "connection refused", "", ""});
  st = reg.NewClient("default", "local", &client);
  CHECK(st.code() == Code::kUnavailable);
  CHECK(st.message() == "DockerHost default/local is not reachable: connection refused");
  CHECK(client == nullptr);
  REQUIRE(reg.State("default", "local", &state).ok());
  CHECK_FALSE(state.reachable);
  CHECK(state.message == "connection refused");

  reg.Upsert("default", "local", Unix("/run/y.sock"), {true, "", "24.0.7", "1.41"});
  REQUIRE(reg.NewClient("default", "local", &client).ok());
  REQUIRE(client != nullptr);
  CHECK(client->endpoint() == "unix:///run/y.sock");
  REQUIRE(reg.State("default", "local", &state).ok());
  CHECK(state.version == "24.0.7");
  CHECK(state.api_version == "1.41");
  // Namespaces are separate.
  CHECK(reg.NewClient("other", "local", &client).IsNotFound());

  reg.Remove("default", "local");
  CHECK(reg.NewClient("default", "local", &client).IsNotFound());
}

TEST_CASE("registry: OnChange fires on new hosts, reachability and config changes, removal") {
  HostRegistry reg;
  std::vector<std::string> calls;
  reg.OnChange([&](const std::string& ns, const std::string& name) { calls.push_back(ns + "/" + name); });

  reg.Upsert("a", "h", Unix("/s1"), {true, "", "1", "1.41"});
  CHECK(calls == std::vector<std::string>{"a/h"});
  // Same reachability and config (version differs): not a change worth a requeue.
  reg.Upsert("a", "h", Unix("/s1"), {true, "", "2", "1.41"});
  CHECK(calls.size() == 1);
  reg.Upsert("a", "h", Unix("/s1"), {false, "down", "", ""});
  CHECK(calls.size() == 2);
  reg.Upsert("a", "h", Unix("/s1"), {false, "still down, new text", "", ""});
  CHECK(calls.size() == 2);
  docker::DockerConfig tls = Unix("/s1");
  tls.cert_pem = "cert";
  reg.Upsert("a", "h", tls, {false, "down", "", ""});
  CHECK(calls.size() == 3);
  reg.Remove("a", "h");
  CHECK(calls == std::vector<std::string>{"a/h", "a/h", "a/h", "a/h"});
  reg.Remove("a", "h");  // already gone: nothing to say
  CHECK(calls.size() == 4);
}

TEST_CASE("registry: a listener may call back into the registry") {
  HostRegistry reg;
  bool reachable = false;
  reg.OnChange([&](const std::string& ns, const std::string& name) {
    HostState s;
    if (reg.State(ns, name, &s).ok()) reachable = s.reachable;
  });
  reg.Upsert("a", "h", Unix("/s"), {true, "", "", ""});
  CHECK(reachable);
}

TEST_CASE("registry: slots cap concurrent operations per host and release on destruction") {
  HostRegistry reg;
  HostRegistry::Slot s1, s2, s3;
  CHECK_FALSE(s1.held());
  CHECK(reg.TryAcquire("a", "h", 2, &s1));
  CHECK(reg.TryAcquire("a", "h", 2, &s2));
  CHECK_FALSE(reg.TryAcquire("a", "h", 2, &s3));
  CHECK_FALSE(s3.held());
  CHECK(reg.InUse("a", "h") == 2);
  // Another host has its own cap.
  HostRegistry::Slot other;
  CHECK(reg.TryAcquire("a", "other", 1, &other));
  CHECK(reg.InUse("a", "other") == 1);

  {
    HostRegistry::Slot moved(std::move(s1));
    CHECK_FALSE(s1.held());
    CHECK(moved.held());
    CHECK(reg.InUse("a", "h") == 2);
  }
  CHECK(reg.InUse("a", "h") == 1);
  CHECK(reg.TryAcquire("a", "h", 2, &s3));
  s2 = std::move(s3);  // the slot s2 held is released
  CHECK(reg.InUse("a", "h") == 1);
  s2 = HostRegistry::Slot();
  CHECK(reg.InUse("a", "h") == 0);

  // Acquiring into a Slot that is still held gives up the old one first.
  HostRegistry::Slot again;
  REQUIRE(reg.TryAcquire("a", "h", 1, &again));
  CHECK(reg.TryAcquire("a", "h", 1, &again) == false);  // cap 1 is taken by `again` itself
  CHECK(again.held());
  CHECK(reg.InUse("a", "h") == 1);

  // limit <= 0: no cap, still counted.
  std::vector<HostRegistry::Slot> many(5);
  for (auto& s : many) CHECK(reg.TryAcquire("b", "h", 0, &s));
  CHECK(reg.InUse("b", "h") == 5);
  many.clear();
  CHECK(reg.InUse("b", "h") == 0);
}

TEST_CASE("registry: concurrent TryAcquire never exceeds the cap") {
  HostRegistry reg;
  std::atomic<int> inside{0}, peak{0}, acquired{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 500; ++i) {
        HostRegistry::Slot s;
        if (!reg.TryAcquire("a", "h", 3, &s)) continue;
        acquired++;
        int now = ++inside;
        int p = peak.load();
        while (now > p && !peak.compare_exchange_weak(p, now)) {
        }
        --inside;
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(peak <= 3);
  CHECK(acquired > 0);
  CHECK(reg.InUse("a", "h") == 0);
}

TEST_CASE("unreachable backoff doubles from 2 s and caps at 60 s") {
  CHECK(UnreachableBackoff(1) == 2s);
  CHECK(UnreachableBackoff(2) == 4s);
  CHECK(UnreachableBackoff(3) == 8s);
  CHECK(UnreachableBackoff(5) == 32s);
  CHECK(UnreachableBackoff(6) == 60s);
  CHECK(UnreachableBackoff(1000) == 60s);
  CHECK(UnreachableBackoff(0) == 2s);
}
