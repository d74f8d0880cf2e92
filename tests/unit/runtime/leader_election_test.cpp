// LeaderElector over the RestClient and the real API handler (rest_fixture.h),
// with short timings (lease 2 s, renew deadline 1 s, retry 200 ms): one
// leader among racing candidates and never two at once, the Lease record
// (holder, times, transitions), release on Stop, takeover only after the lease
// duration when a leader vanishes without releasing, stepping down when the
// API server is gone for the renew deadline or another holder appears, or
// when it is slow (the deadline counts from the start of the last successful
// attempt and bounds every request), and renewing while a Stop() winds the
// work down, so no standby takes over before the work has stopped.
#include <catch2/catch.hpp>

#include <atomic>
#include <condition_variable>
#include <mutex>

#include "operator/common/clock.h"
#include "operator/runtime/leader_election.h"
#include "tests/unit/runtime/rest_fixture.h"

using namespace dw;
using namespace dw::runtime;
using namespace dw::runtime::testing;
using namespace std::chrono_literals;

namespace {

struct Candidate {
  std::atomic<int> started{0}, stopped{0}, lost{0};
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
  cfg.on_leadership_lost = [c] { c->lost++; };
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
  CHECK(cs[first].lost.load() == 0);
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
  CHECK(a.lost.load() == 1);
  fx.StartServer();
  a.elector->Stop();
  CHECK(a.stopped.load() == 1);  // once
  CHECK(a.lost.load() == 1);
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
  CHECK(a.lost.load() == 1);
  CHECK(json::GetString(LeaseSpec(fx), "holderIdentity") == "intruder");  // not overwritten
  a.elector->Stop();
}

namespace {

bool IsLeaseCall(const apiserver::HttpRequest& req) { return req.path.find("/leases/") != std::string::npos; }

// Makes the fixture's Lease requests slow (`delay`) or hang until Release().
class SlowLeases {
 public:
  explicit SlowLeases(RestFixture& fx) {
    fx.SetHooks(
        [this](const apiserver::HttpRequest& req) {
          if (!IsLeaseCall(req)) return;
          std::unique_lock<std::mutex> l(mu_);
          if (hang_) cv_.wait_for(l, 10s, [&] { return released_; });
          else cv_.wait_for(l, delay_, [&] { return released_; });
        },
        [this](const apiserver::HttpRequest& req) {
          if (!IsLeaseCall(req) || req.method != "PUT") return;
          json::Document body;
          if (!json::Parse(req.body, &body).ok()) return;
          std::lock_guard<std::mutex> g(mu_);
          last_renew_time_ = json::GetStringPath(body, "spec.renewTime");
          ++writes_;
        });
  }
  ~SlowLeases() { Release(); }
  void Delay(std::chrono::milliseconds d) {
    std::lock_guard<std::mutex> g(mu_);
    delay_ = d;
  }
  void Hang() {
    std::lock_guard<std::mutex> g(mu_);
    hang_ = true;
  }
  void Release() {
    std::lock_guard<std::mutex> g(mu_);
    released_ = true;
    cv_.notify_all();
  }
  // spec.renewTime of the last Lease write the server handled: the wall
  // clock when the renew attempt that wrote it started.
  std::string last_renew_time() {
    std::lock_guard<std::mutex> g(mu_);
    return last_renew_time_;
  }
  int writes() {
    std::lock_guard<std::mutex> g(mu_);
    return writes_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::chrono::milliseconds delay_{0};
  bool hang_ = false, released_ = false;
  std::string last_renew_time_;
  int writes_ = 0;
};

}  // namespace

TEST_CASE("a leader behind a slow API server stops within the renew deadline of its last stored renew") {
  RestFixture fx;
  SlowLeases slow(fx);
  Candidate a;
  RestClientOptions o;
  // Longer than the 1 s renew deadline, as 2 x (2 s connect + 4 s request)
  // is longer than serve's 10 s one: only the elector's own bound keeps an
  // attempt from running past the deadline.
  o.http.request_timeout = 1500ms;
  auto ca = fx.MakeClient(kTestToken, o);
  a.elector = std::make_unique<LeaderElector>(ca.get(), Leases(fx), Fast("a", &a));
  REQUIRE(a.elector->Start().ok());
  REQUIRE(Eventually([&] { return a.elector->IsLeader(); }, 5s));
  // Slow but working: a renew (Get + Update) takes ~300 ms and succeeds.
  slow.Delay(150ms);
  int before = slow.writes();
  std::this_thread::sleep_for(1500ms);
  CHECK(slow.writes() > before);
  REQUIRE(a.elector->IsLeader());
  CHECK(a.lost.load() == 0);

  // Then it hangs. Another candidate takes over one lease duration after it
  // saw the last stored renew; the leader must be gone well before: at the
  // renew deadline counted from the START of that renew (its renewTime), not
  // from when it returned, and not one request timeout past that.
  slow.Hang();
  REQUIRE(Eventually([&] { return a.lost.load() == 1; }, 5s));
  auto lost_at = clock::Now();
  clock::TimePoint renewed;
  REQUIRE(clock::ParseRfc3339(slow.last_renew_time(), &renewed));
  auto gap = std::chrono::duration_cast<std::chrono::milliseconds>(lost_at - renewed);
  INFO("stopped " << gap.count() << " ms after the start of the last stored renew");
  CHECK(gap < 1300ms);
  CHECK(a.stopped.load() == 1);
  CHECK_FALSE(a.elector->IsLeader());
  slow.Release();
  a.elector->Stop();
  CHECK(a.stopped.load() == 1);
}

TEST_CASE("on Stop a leader keeps renewing until its work has stopped, then releases the Lease") {
  RestFixture fx;
  Candidate a, b;
  auto ca = fx.MakeClient(kTestToken), cb = fx.MakeClient(kTestToken);
  auto cfg_a = Fast("a", &a);
  std::atomic<bool> winding{false}, wound{false};
  // A reconcile that takes longer than the 2 s lease to finish.
  cfg_a.on_stopped_leading = [&] {
    a.stopped++;
    winding = true;
    std::this_thread::sleep_for(3s);
    wound = true;
  };
  a.elector = std::make_unique<LeaderElector>(ca.get(), Leases(fx), cfg_a);
  REQUIRE(a.elector->Start().ok());
  REQUIRE(Eventually([&] { return a.elector->IsLeader(); }, 5s));
  b.elector = std::make_unique<LeaderElector>(cb.get(), Leases(fx), Fast("b", &b));
  REQUIRE(b.elector->Start().ok());
  REQUIRE(Eventually([&] { return b.elector->Leader() == "a"; }, 5s));

  std::thread stopping([&] { a.elector->Stop(); });
  REQUIRE(Eventually([&] { return winding.load(); }, 2s));
  int b_led = 0, polls = 0;
  std::string renewed_at = json::GetString(LeaseSpec(fx), "renewTime");
  while (!wound.load()) {
    b_led += b.elector->IsLeader() ? 1 : 0;
    ++polls;
    std::this_thread::sleep_for(20ms);
  }
  CHECK(polls > 50);
  CHECK(b_led == 0);  // the standby never led while a's work still ran
  CHECK(json::GetString(LeaseSpec(fx), "renewTime") != renewed_at);  // a kept renewing
  stopping.join();
  CHECK(a.lost.load() == 0);
  CHECK_FALSE(a.elector->IsLeader());
  // Released once the work stopped: b takes over well before a 2 s expiry.
  auto t0 = std::chrono::steady_clock::now();
  REQUIRE(Eventually([&] { return b.elector->IsLeader(); }, 3s));
  CHECK(std::chrono::steady_clock::now() - t0 < 1500ms);
  CHECK(json::GetString(LeaseSpec(fx), "holderIdentity") == "b");
  b.elector->Stop();
  CHECK(a.stopped.load() == 1);
}

TEST_CASE("a leader that loses the Lease while winding down reports it at once") {
  RestFixture fx;
  Candidate a;
  auto ca = fx.MakeClient(kTestToken);
  auto cfg_a = Fast("a", &a);
  std::atomic<bool> winding{false}, finish{false};
  cfg_a.on_stopped_leading = [&] {
    a.stopped++;
    winding = true;
    while (!finish.load()) std::this_thread::sleep_for(10ms);
  };
  a.elector = std::make_unique<LeaderElector>(ca.get(), Leases(fx), cfg_a);
  REQUIRE(a.elector->Start().ok());
  REQUIRE(Eventually([&] { return a.elector->IsLeader(); }, 5s));
  std::thread stopping([&] { a.elector->Stop(); });
  REQUIRE(Eventually([&] { return winding.load(); }, 2s));
  auto t0 = std::chrono::steady_clock::now();
  fx.StopServer();
  // The work is no longer covered: lost is reported at the renew deadline
  // while on_stopped_leading still runs (serve exits there).
  REQUIRE(Eventually([&] { return a.lost.load() == 1; }, 3s));
  CHECK(std::chrono::steady_clock::now() - t0 < 1500ms);
  CHECK_FALSE(a.elector->IsLeader());
  finish = true;
  stopping.join();
  CHECK(a.stopped.load() == 1);
}
