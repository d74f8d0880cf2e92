#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "reconcilers/backup/atomic_file_sink.h"
#include "reconcilers/backup/run_retry.h"
#include "reconcilers/backup/run_tracker.h"

namespace dw::backup {
namespace {

using namespace std::chrono_literals;

// Sleeps until cancelled (or 30 s, which fails the test by timing).
RunTracker::RunFn SleepUntilCancelled(std::atomic<int>* ended, std::atomic<bool>* saw_shutdown = nullptr) {
  return [ended, saw_shutdown](RunContext& ctx) {
    ctx.SleepFor(30s);
    if (saw_shutdown) *saw_shutdown = ctx.shutting_down();
    ++*ended;
  };
}

TEST_CASE("RunTracker starts, knows, cancels and joins a run", "[backup][run_tracker]") {
  RunTracker t;
  std::atomic<int> ended{0};
  REQUIRE(t.Start("default/a", "uid-1", SleepUntilCancelled(&ended)));
  CHECK(t.Live("default/a"));
  CHECK(t.Knows("default/a", "uid-1"));
  CHECK_FALSE(t.Knows("default/a", "uid-2"));
  CHECK_FALSE(t.Knows("default/b", "uid-1"));
  CHECK(t.live_count() == 1);
  // A second live run under the same key is refused.
  CHECK_FALSE(t.Start("default/a", "uid-2", SleepUntilCancelled(&ended)));
  // Not cancelled: Wait times out, the run goes on.
  CHECK_FALSE(t.Wait("default/a", 50ms));
  CHECK(t.Live("default/a"));

  auto t0 = std::chrono::steady_clock::now();
  t.Cancel("default/a");
  REQUIRE(t.Wait("default/a", 5s));
  CHECK(std::chrono::steady_clock::now() - t0 < 2s);
  CHECK(ended == 1);
  CHECK_FALSE(t.Live("default/a"));
  CHECK_FALSE(t.Knows("default/a", "uid-1"));  // Wait joined and dropped it
  CHECK(t.live_count() == 0);
}

TEST_CASE("RunTracker keeps a finished run until forgotten, then accepts the key again",
          "[backup][run_tracker]") {
  RunTracker t;
  std::atomic<bool> ran{false};
  REQUIRE(t.Start("ns/x", "u1", [&](RunContext&) { ran = true; }));
  REQUIRE(t.Wait("ns/x", 5s));
  CHECK(ran);
  REQUIRE(t.Start("ns/x", "u2", [](RunContext&) {}));
  for (int i = 0; i < 250 && t.Live("ns/x"); ++i) std::this_thread::sleep_for(20ms);
  CHECK_FALSE(t.Live("ns/x"));
  CHECK(t.Knows("ns/x", "u2"));  // finished, still known
  t.Forget("ns/x");
  CHECK_FALSE(t.Knows("ns/x", "u2"));
  // A finished run under the key does not block a new one.
  REQUIRE(t.Start("ns/x", "u3", [](RunContext&) {}));
  REQUIRE(t.Wait("ns/x", 5s));
}

TEST_CASE("RunTracker::Forget leaves a live run alone", "[backup][run_tracker]") {
  RunTracker t;
  std::atomic<int> ended{0};
  REQUIRE(t.Start("k", "u", SleepUntilCancelled(&ended)));
  t.Forget("k");
  CHECK(t.Knows("k", "u"));
  t.Cancel("k");
  REQUIRE(t.Wait("k", 5s));
}

TEST_CASE("RunTracker::Shutdown cancels every run as a shutdown and refuses new ones",
          "[backup][run_tracker]") {
  std::atomic<int> ended{0};
  std::atomic<bool> shutdown_a{false}, shutdown_b{false};
  RunTracker t;
  REQUIRE(t.Start("a", "1", SleepUntilCancelled(&ended, &shutdown_a)));
  REQUIRE(t.Start("b", "2", SleepUntilCancelled(&ended, &shutdown_b)));
  CHECK(t.live_count() == 2);
  t.Shutdown();
  CHECK(ended == 2);
  CHECK(shutdown_a);
  CHECK(shutdown_b);
  CHECK_FALSE(t.Start("c", "3", [](RunContext&) {}));
}

TEST_CASE("RunContext cancel by Cancel is not a shutdown", "[backup][run_tracker]") {
  RunTracker t;
  std::atomic<int> ended{0};
  std::atomic<bool> shutdown{true};
  REQUIRE(t.Start("a", "1", SleepUntilCancelled(&ended, &shutdown)));
  t.Cancel("a");
  REQUIRE(t.Wait("a", 5s));
  CHECK_FALSE(shutdown);
}

TEST_CASE("RunTracker::SweepOnce sweeps a directory once per process", "[backup][run_tracker]") {
  char tmpl[] = "/tmp/dw-sweep-XXXXXX";
  REQUIRE(::mkdtemp(tmpl) != nullptr);
  const std::string dir = tmpl;
  auto touch = [&](const std::string& name) { std::ofstream(dir + "/" + name) << "partial"; };
  touch(".db-20260101T000000Z.sql.zst.tmp-abc123");
  touch("db-20251231T000000Z.sql.zst");  // a finished artifact stays

  RunTracker t;
  auto sweep = [](const std::string& d) { return CleanupStaleTemps(d); };
  Status st = Status::Internal("not called");
  CHECK(t.SweepOnce(dir, sweep, &st));
  CHECK(st.ok());
  CHECK_FALSE(std::filesystem::exists(dir + "/.db-20260101T000000Z.sql.zst.tmp-abc123"));
  CHECK(std::filesystem::exists(dir + "/db-20251231T000000Z.sql.zst"));

  // A temp file appearing later belongs to a run of this process: untouched.
  touch(".db-20260102T000000Z.sql.zst.tmp-live");
  CHECK_FALSE(t.SweepOnce(dir, sweep));
  CHECK(std::filesystem::exists(dir + "/.db-20260102T000000Z.sql.zst.tmp-live"));
  // Another directory is its own first time.
  int calls = 0;
  CHECK(t.SweepOnce(dir + "/other", [&](const std::string&) { ++calls; return Status::OK(); }));
  CHECK(calls == 1);
  std::filesystem::remove_all(dir);
}

TEST_CASE("RunWithRetries retries transient errors with doubling backoff", "[backup][run_tracker]") {
  CHECK(RetryDelay(10s, 1) == 10s);
  CHECK(RetryDelay(10s, 2) == 20s);
  CHECK(RetryDelay(10s, 4) == 80s);
  CHECK(RetryDelay(10s, 40) == std::chrono::hours(1));
  CHECK(RetryDelay(0s, 3) == 0s);

  RunTracker t;
  std::atomic<int> calls{0};
  std::vector<std::chrono::milliseconds> delays;
  Status result;
  REQUIRE(t.Start("r", "1", [&](RunContext& ctx) {
    result = RunWithRetries(
        ctx, 3, 1ms,
        [&](int attempt) {
          ++calls;
          return attempt < 3 ? Status::Unavailable("daemon down") : Status::OK();
        },
        [&](int, const Status&, std::chrono::milliseconds d) { delays.push_back(d); });
  }));
  REQUIRE(t.Wait("r", 5s));
  CHECK(result.ok());
  CHECK(calls == 3);
  REQUIRE(delays.size() == 2);
  CHECK(delays[0] == 1ms);
  CHECK(delays[1] == 2ms);

  // Permanent errors are not retried; exhausted attempts return the last error.
  calls = 0;
  REQUIRE(t.Start("r", "2", [&](RunContext& ctx) {
    result = RunWithRetries(ctx, 5, 1ms, [&](int) { ++calls; return Status::Invalid("bad label"); }, nullptr);
  }));
  REQUIRE(t.Wait("r", 5s));
  CHECK(calls == 1);
  CHECK(result.code() == Code::kInvalid);
  calls = 0;
  REQUIRE(t.Start("r", "3", [&](RunContext& ctx) {
    result = RunWithRetries(ctx, 2, 1ms, [&](int) { ++calls; return Status::Timeout("slow"); }, nullptr);
  }));
  REQUIRE(t.Wait("r", 5s));
  CHECK(calls == 2);
  CHECK(result.code() == Code::kTimeout);
}

TEST_CASE("RunWithRetries stops sleeping when cancelled", "[backup][run_tracker]") {
  RunTracker t;
  Status result;
  std::atomic<int> calls{0};
  REQUIRE(t.Start("r", "1", [&](RunContext& ctx) {
    result = RunWithRetries(ctx, 3, 1h, [&](int) { ++calls; return Status::Unavailable("down"); }, nullptr);
  }));
  for (int i = 0; i < 250 && calls == 0; ++i) std::this_thread::sleep_for(10ms);
  t.Cancel("r");
  REQUIRE(t.Wait("r", 5s));
  CHECK(calls == 1);
  CHECK(result.code() == Code::kTimeout);
  CHECK(result.message() == "cancelled");
}

}  // namespace
}  // namespace dw::backup
