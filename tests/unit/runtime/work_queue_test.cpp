// WorkQueue and rate limiters: dedup, exclusivity, backoff, delays, shutdown.
#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

#include "operator/runtime/rate_limiter.h"
#include "operator/runtime/work_queue.h"

using namespace dw::runtime;
using namespace std::chrono_literals;

namespace {

// A limiter that never delays, so queue tests see only queue behaviour.
class NoDelay : public RateLimiter {
 public:
  Duration When(const std::string& key) override { ++n_[key]; return Duration(0); }
  void Forget(const std::string& key) override { n_.erase(key); }
  int NumRequeues(const std::string& key) override { return n_.count(key) ? n_[key] : 0; }
 private:
  std::map<std::string, int> n_;
};

bool WaitFor(const std::function<bool()>& cond, std::chrono::milliseconds limit = 2000ms) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (cond()) return true;
    std::this_thread::sleep_for(1ms);
  }
  return cond();
}

}  // namespace

TEST_CASE("queue deduplicates keys waiting to be processed") {
  WorkQueue q("t-dedup", RealClock::Get(), std::make_unique<NoDelay>());
  q.Add("a");
  q.Add("b");
  q.Add("a");
  q.Add("a");
  CHECK(q.Len() == 2);
  std::string k;
  REQUIRE(q.Get(&k));
  CHECK(k == "a");
  REQUIRE(q.Get(&k));
  CHECK(k == "b");
  CHECK(q.Len() == 0);
}

TEST_CASE("a key added while processing is processed again once, after Done") {
  WorkQueue q("t-reprocess", RealClock::Get(), std::make_unique<NoDelay>());
  q.Add("a");
  std::string k;
  REQUIRE(q.Get(&k));
  q.Add("a");
  q.Add("a");
  CHECK(q.Len() == 0);  // not handed out while "a" is in flight
  q.Done("a");
  CHECK(q.Len() == 1);
  REQUIRE(q.Get(&k));
  CHECK(k == "a");
  q.Done("a");
  CHECK(q.Len() == 0);
}

TEST_CASE("no key is processed by two workers at once") {
  WorkQueue q("t-exclusive", RealClock::Get(), std::make_unique<NoDelay>());
  std::atomic<int> in_flight{0}, max_in_flight{0}, runs{0};
  std::vector<std::thread> workers;
  for (int i = 0; i < 4; ++i) {
    workers.emplace_back([&] {
      std::string k;
      while (q.Get(&k)) {
        int now = ++in_flight;
        int prev = max_in_flight.load();
        while (now > prev && !max_in_flight.compare_exchange_weak(prev, now)) {
        }
        std::this_thread::sleep_for(200us);
        --in_flight;
        ++runs;
        q.Done(k);
      }
    });
  }
  for (int i = 0; i < 300; ++i) {
    q.Add("same");
    std::this_thread::sleep_for(50us);
  }
  REQUIRE(WaitFor([&] { return q.Len() == 0 && in_flight.load() == 0; }));
  q.ShutDown();
  for (auto& w : workers) w.join();
  CHECK(max_in_flight.load() == 1);
  CHECK(runs.load() >= 1);
  CHECK(runs.load() <= 300);
}

TEST_CASE("exponential backoff doubles per failure up to the cap and resets on Forget") {
  ItemExponentialLimiter l(5ms, 1000s);
  CHECK(l.When("k") == 5ms);
  CHECK(l.When("k") == 10ms);
  CHECK(l.When("k") == 20ms);
  CHECK(l.When("k") == 40ms);
  CHECK(l.NumRequeues("k") == 4);
  CHECK(l.When("other") == 5ms);  // per key
  for (int i = 0; i < 30; ++i) l.When("k");
  CHECK(l.When("k") == Duration(1000s));
  for (int i = 0; i < 2000; ++i) l.When("k");  // 2^2000 must not overflow
  CHECK(l.When("k") == Duration(1000s));
  l.Forget("k");
  CHECK(l.NumRequeues("k") == 0);
  CHECK(l.When("k") == 5ms);
}

TEST_CASE("token bucket allows the burst, then spaces keys at qps") {
  FakeClock clock;
  BucketLimiter b(10, 100, &clock);
  for (int i = 0; i < 100; ++i) REQUIRE(b.When("k" + std::to_string(i)) == Duration(0));
  CHECK(b.When("x") == Duration(100ms));
  CHECK(b.When("y") == Duration(200ms));
  clock.Advance(1s);  // 10 tokens back, 2 of them already reserved
  for (int i = 0; i < 8; ++i) CHECK(b.When("z") == Duration(0));
  CHECK(b.When("w") == Duration(100ms));
}

TEST_CASE("default limiter takes the larger of backoff and bucket") {
  FakeClock clock;
  auto l = DefaultControllerLimiter(&clock, RateLimiterOptions{5ms, 1000s, 10, 2});
  CHECK(l->When("a") == 5ms);       // bucket has tokens; backoff 5 ms
  CHECK(l->When("b") == 5ms);
  CHECK(l->When("c") == Duration(100ms));  // bucket empty: 100 ms beats 5 ms
  CHECK(l->NumRequeues("a") == 1);
}

TEST_CASE("AddAfter releases keys in deadline order as the clock advances") {
  FakeClock clock;
  WorkQueue q("t-after", &clock, std::make_unique<NoDelay>());
  q.AddAfter("late", 300ms);
  q.AddAfter("early", 100ms);
  q.AddAfter("mid", 200ms);
  q.AddAfter("early", 250ms);  // already waiting with an earlier deadline: kept
  CHECK(q.WaitingLen() == 3);
  REQUIRE(WaitFor([&] { return clock.Sleepers() == 1; }));
  CHECK(q.Len() == 0);
  clock.Advance(150ms);
  REQUIRE(WaitFor([&] { return q.Len() == 1; }));
  std::string k;
  REQUIRE(q.Get(&k));
  CHECK(k == "early");
  q.Done(k);
  clock.Advance(200ms);
  REQUIRE(WaitFor([&] { return q.Len() == 2; }));
  REQUIRE(q.Get(&k));
  CHECK(k == "mid");
  REQUIRE(q.Get(&k));
  CHECK(k == "late");
  CHECK(q.WaitingLen() == 0);
}

TEST_CASE("AddAfter with a sooner deadline moves the key forward") {
  FakeClock clock;
  WorkQueue q("t-sooner", &clock, std::make_unique<NoDelay>());
  q.AddAfter("k", 10s);
  q.AddAfter("k", 1s);
  REQUIRE(WaitFor([&] { return clock.Sleepers() == 1; }));
  clock.Advance(1s);
  REQUIRE(WaitFor([&] { return q.Len() == 1; }));
  std::string k;
  REQUIRE(q.Get(&k));
  q.Done(k);
  clock.Advance(10s);  // the superseded 10 s entry must not add it again
  std::this_thread::sleep_for(20ms);
  CHECK(q.Len() == 0);
}

TEST_CASE("AddRateLimited delays by the per-key backoff") {
  FakeClock clock;
  WorkQueue q("t-ratelimited", &clock,
              std::make_unique<ItemExponentialLimiter>(Duration(100ms), Duration(1s)));
  q.AddRateLimited("k");  // 100 ms
  REQUIRE(WaitFor([&] { return clock.Sleepers() == 1; }));
  clock.Advance(99ms);
  std::this_thread::sleep_for(20ms);
  CHECK(q.Len() == 0);
  clock.Advance(1ms);
  REQUIRE(WaitFor([&] { return q.Len() == 1; }));
  CHECK(q.NumRequeues("k") == 1);
  q.Forget("k");
  CHECK(q.NumRequeues("k") == 0);
}

TEST_CASE("ShutDown wakes blocked workers and refuses new keys") {
  WorkQueue q("t-shutdown", RealClock::Get(), std::make_unique<NoDelay>());
  std::atomic<int> exited{0};
  std::vector<std::thread> ts;
  for (int i = 0; i < 3; ++i)
    ts.emplace_back([&] {
      std::string k;
      while (q.Get(&k)) q.Done(k);
      ++exited;
    });
  std::this_thread::sleep_for(20ms);
  CHECK(exited.load() == 0);
  q.ShutDown();
  for (auto& t : ts) t.join();
  CHECK(exited.load() == 3);
  CHECK(q.ShuttingDown());
  q.Add("x");
  q.AddAfter("y", 1ms);
  CHECK(q.Len() == 0);
  CHECK(q.WaitingLen() == 0);
  std::string k;
  CHECK_FALSE(q.Get(&k));
}
