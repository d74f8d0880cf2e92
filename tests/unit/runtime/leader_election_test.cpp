// LeaderElector over the RestClient and the real API handler (rest_fixture.h),
// with short timings (lease 2 s, renew deadline 1 s, retry 200 ms): one
// leader among racing candidates and never two at once, the Lease record
// (holder, times, transitions), release on Stop, takeover only after the lease
// duration when a leader vanishes without releasing, stepping down when the
// API server is gone for the renew deadline or another holder appears.
#include <catch2/catch.hpp>

#include <atomic>

#include "operator/common/clock.h"
#include "operator/runtime/leader_election.h"
#include "tests/unit/runtime/rest_fixture.h"

using namespace dw;
using namespace dw::runtime;
using namespace dw::runtime::testing;
using namespace std::chrono_literals;

namespace {

struct Candidate {
  std::atomic<int> started{0}, stopped{0};
  std::unique_ptr<LeaderElector> elector;
};

LeaderElectionConfig Fast(const std::string& id, Candidate* c) {
  LeaderElectionConfig cfg;
  cfg.ns = "default";
  cfg.name = "ctl";
  cfg.identity = id;
  cfg.lease_duration = 2s;
  cfg.renew_deadline = 1s;
  cfg.retry_period = 200ms;
  cfg.on_started_leading = [c] { c->started++; };
  cfg.on_stopped_leading = [c] { c->stopped++; };
  return cfg;
}

const schema::ResourceInfo& Leases(RestFixture& fx) {
  const schema::ResourceInfo* r = fx.rest().Resolve("coordination.k8s.io/v1", "Lease");
  REQUIRE(r != nullptr);
  return *r;
}

json::Document LeaseSpec(RestFixture& fx) {
  json::Document d;
  Status st = fx.rest().Get(Leases(fx), "default", "ctl", &d);
  INFO(st.ToString());
  REQUIRE(st.ok());
  json::Document spec;
  spec.CopyFrom(d["spec"], spec.GetAllocator());
  return spec;
}

}  // namespace

TEST_CASE("leader election config is validated like client-go's") {
  Candidate c;
  LeaderElectionConfig ok = Fast("a", &c);
  CHECK(LeaderElector::Validate(ok).ok());
  auto bad = ok;
  bad.identity = "";
  CHECK(LeaderElector::Validate(bad).code() == Code::kBadRequest);
  bad = ok;
  bad.name = "";
  CHECK_FALSE(LeaderElector::Validate(bad).ok());
  bad = ok;
  bad.renew_deadline = bad.lease_duration;
  CHECK_FALSE(LeaderElector::Validate(bad).ok());
  bad = ok;
  bad.retry_period = 900ms;  // 1.2 * 900 ms >= 1 s renew deadline
  CHECK_FALSE(LeaderElector::Validate(bad).ok());
  CHECK(DefaultLeaderIdentity().find('_') != std::string::npos);
  CHECK(DefaultLeaderIdentity() != DefaultLeaderIdentity());
}

TEST_CASE("racing candidates elect exactly one leader and a released lease passes on") {
  RestFixture fx;
  const int kN = 3;
  Candidate cs[kN];
  std::vector<std::unique_ptr<RestClient>> clients;
  for (int i = 0; i < kN; ++i) {
    clients.push_back(fx.MakeClient(kTestToken));
    cs[i].elector = std::make_unique<LeaderElector>(clients.back().get(), Leases(fx),
                                                    Fast("c" + std::to_string(i), &cs[i]));
  }
  for (auto& c : cs) REQUIRE(c.elector->Start().ok());

  auto leaders = [&] {
    int n = 0;
    for (auto& c : cs) n += c.elector->IsLeader() ? 1 : 0;
    return n;
  };
  REQUIRE(Eventually([&] { return leaders() == 1; }, 5s));
  // Never two at once while they keep renewing and retrying.
  int max_seen = 0;
  for (int i = 0; i < 150; ++i) {
    max_seen = std::max(max_seen, leaders());
    std::this_thread::sleep_for(10ms);
  }
  CHECK(max_seen == 1);
  int first = -1;
  for (int i = 0; i < kN; ++i)
    if (cs[i].elector->IsLeader()) first = i;
  REQUIRE(first >= 0);
  CHECK(cs[first].started.load() == 1);
  json::Document spec = LeaseSpec(fx);
  CHECK(json::GetString(spec, "holderIdentity") == "c" + std::to_string(first));
  CHECK(json::GetInt(spec, "leaseDurationSeconds") == 2);
  CHECK(json::GetInt(spec, "leaseTransitions") == 0);
  clock::TimePoint acquired, renewed;
  REQUIRE(clock::ParseRfc3339(json::GetString(spec, "acquireTime"), &acquired));
  REQUIRE(clock::ParseRfc3339(json::GetString(spec, "renewTime"), &renewed));
  CHECK(renewed > acquired);  // renewed since (1.5 s of retries)
  for (int i = 0; i < kN; ++i) CHECK(cs[i].elector->Leader() == "c" + std::to_string(first));

  // A graceful stop releases the Lease: another candidate takes over well
  // before the 2 s lease would have expired.
  auto t0 = std::chrono::steady_clock::now();
  cs[first].elector->Stop();
  CHECK(cs[first].stopped.load() == 1);
  CHECK_FALSE(cs[first].elector->IsLeader());
  REQUIRE(Eventually([&] { return leaders() == 1; }, 5s));
  CHECK(std::chrono::steady_clock::now() - t0 < 1500ms);
  spec = LeaseSpec(fx);
  CHECK(json::GetString(spec, "holderIdentity") != "c" + std::to_string(first));
  CHECK(json::GetInt(spec, "leaseTransitions") == 1);
  for (auto& c : cs) c.elector->Stop();
  int started = 0;
  for (auto& c : cs) started += c.started.load();
  CHECK(started == 2);
}

TEST_CASE("a leader that vanishes without releasing is replaced only after the lease duration") {
  RestFixture fx;
  Candidate a, b;
  auto ca = fx.MakeClient(kTestToken), cb = fx.MakeClient(kTestToken);
  auto cfg_a = Fast("a", &a);
  cfg_a.release_on_stop = false;  // as a kill -9 leaves it
  a.elector = std::make_unique<LeaderElector>(ca.get(), Leases(fx), cfg_a);
  REQUIRE(a.elector->Start().ok());
  REQUIRE(Eventually([&] { return a.elector->IsLeader(); }, 5s));
  b.elector = std::make_unique<LeaderElector>(cb.get(), Leases(fx), Fast("b", &b));
  REQUIRE(b.elector->Start().ok());
  REQUIRE(Eventually([&] { return b.elector->Leader() == "a"; }, 5s));
  std::this_thread::sleep_for(500ms);
  CHECK_FALSE(b.elector->IsLeader());

  a.elector->Stop();
  auto gone = std::chrono::steady_clock::now();
  CHECK(json::GetString(LeaseSpec(fx), "holderIdentity") == "a");  // not released
  REQUIRE(Eventually([&] { return b.elector->IsLeader(); }, 6s));
  auto took = std::chrono::steady_clock::now() - gone;
  // b last saw a's record change at most one retry (<= 440 ms) before a
  // stopped; it must wait the whole 2 s lease from then, and takes over at
  // its next attempt after that.
  CHECK(took >= 1500ms);
  CHECK(took < 3500ms);
  json::Document spec = LeaseSpec(fx);
  CHECK(json::GetString(spec, "holderIdentity") == "b");
  CHECK(json::GetInt(spec, "leaseTransitions") == 1);
  b.elector->Stop();
}

TEST_CASE("a leader that cannot renew for the renew deadline stops leading") {
  RestFixture fx;
  Candidate a;
  auto ca = fx.MakeClient(kTestToken);
  a.elector = std::make_unique<LeaderElector>(ca.get(), Leases(fx), Fast("a", &a));
  REQUIRE(a.elector->Start().ok());
  REQUIRE(Eventually([&] { return a.elector->IsLeader(); }, 5s));
  auto t0 = std::chrono::steady_clock::now();
  fx.StopServer();
  REQUIRE(Eventually([&] { return a.stopped.load() == 1; }, 5s));
  auto after = std::chrono::steady_clock::now() - t0;
  CHECK(after >= 800ms);   // the 1 s deadline counts from the last renew (<= 200 ms before)
  CHECK(after < 1800ms);   // ... and it stops at the first failed retry past it
  CHECK_FALSE(a.elector->IsLeader());
  CHECK(a.elector->Done());
  fx.StartServer();
  a.elector->Stop();
  CHECK(a.stopped.load() == 1);  // once
}

TEST_CASE("a leader that sees another holder in the Lease stops at once") {
  RestFixture fx;
  Candidate a;
  auto ca = fx.MakeClient(kTestToken);
  a.elector = std::make_unique<LeaderElector>(ca.get(), Leases(fx), Fast("a", &a));
  REQUIRE(a.elector->Start().ok());
  REQUIRE(Eventually([&] { return a.elector->IsLeader(); }, 5s));
  // Someone else writes the Lease (e.g. an operator forcing a handover).
  // A renew may land in between: retry on Conflict as any client would.
  REQUIRE(Eventually([&] {
    json::Document cur;
    if (!fx.rest().Get(Leases(fx), "default", "ctl", &cur).ok()) return false;
    json::SetString(cur["spec"], "holderIdentity", "intruder", cur.GetAllocator());
    return fx.rest().Update(Leases(fx), cur, WriteOptions{}, nullptr).ok();
  }, 2s));
  REQUIRE(Eventually([&] { return a.stopped.load() == 1; }, 1s));
  CHECK_FALSE(a.elector->IsLeader());
  CHECK(a.elector->Leader() == "intruder");
  CHECK(json::GetString(LeaseSpec(fx), "holderIdentity") == "intruder");  // not overwritten
  a.elector->Stop();
}
