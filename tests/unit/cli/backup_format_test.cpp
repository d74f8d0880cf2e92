#include <catch2/catch.hpp>

#include <cmath>

#include "operator/cli/backup_format.h"

using namespace dw::cli;
using std::chrono::milliseconds;

namespace {

RunView ParseView(const char* text) {
  dw::json::Document d;
  REQUIRE(dw::json::Parse(text, &d).ok());
  return ViewOf(d);
}

}  // namespace

TEST_CASE("backup format: human bytes", "[cli][backup]") {
  CHECK(HumanBytes(0) == "0 B");
  CHECK(HumanBytes(1023) == "1023 B");
  CHECK(HumanBytes(1024) == "1.0 KiB");
  CHECK(HumanBytes(1536) == "1.5 KiB");
  CHECK(HumanBytes(200ull * 1024 * 1024) == "200.0 MiB");
  CHECK(HumanBytes(1024ull * 1024 - 1) == "1.0 MiB");  // not "1024.0 KiB"
  CHECK(HumanBytes(1610612736ull) == "1.5 GiB");
  CHECK(HumanBytes(5ull << 40) == "5.0 TiB");
  CHECK(HumanBytes(UINT64_MAX) == "16.0 EiB");
}

TEST_CASE("backup format: rates and durations", "[cli][backup]") {
  CHECK(HumanRate(0) == "0 B/s");
  CHECK(HumanRate(-5) == "0 B/s");
  CHECK(HumanRate(NAN) == "0 B/s");
  CHECK(HumanRate(47.5 * 1024 * 1024) == "47.5 MiB/s");
  CHECK(HumanElapsed(milliseconds(0)) == "0.0s");
  CHECK(HumanElapsed(milliseconds(420)) == "0.4s");
  CHECK(HumanElapsed(milliseconds(9949)) == "9.9s");
  CHECK(HumanElapsed(milliseconds(42000)) == "42s");
  CHECK(HumanElapsed(milliseconds(185000)) == "3m05s");
  CHECK(HumanElapsed(milliseconds(3725000)) == "1h02m05s");
  CHECK(HumanElapsed(milliseconds(-3)) == "0.0s");
}

TEST_CASE("backup format: view of a running and a finished Backup", "[cli][backup]") {
  RunView running = ParseView(R"({"metadata":{"name":"bk-1"},"spec":{"container":"pg"},
      "status":{"phase":"Running","bytes":10,"progress":{"bytes":52428800,"bytesPerSecond":10485760.5}}})");
  CHECK(running.name == "bk-1");
  CHECK(running.container == "pg");
  CHECK(running.bytes == 52428800);
  CHECK_FALSE(running.Terminal());
  CHECK(ProgressLine(running) == "bk-1 (pg): Running, 50.0 MiB at 10.0 MiB/s");

  RunView done = ParseView(R"({"metadata":{"name":"bk-1"},"spec":{"container":"pg"},
      "status":{"phase":"Succeeded","bytes":209715200,"sizeBytes":31457280,"path":"/b/pg.sql.zst",
      "startTime":"2026-01-01T00:00:00Z","completionTime":"2026-01-01T00:01:05Z"}})");
  CHECK(done.Terminal());
  CHECK(done.has_duration);
  CHECK(done.duration == std::chrono::seconds(65));
  CHECK(ProgressLine(done) == "bk-1 (pg): Succeeded, 30.0 MiB in 1m05s");

  RunView failed = ParseView(R"({"metadata":{"name":"bk-2"},"spec":{"container":"my"},
      "status":{"phase":"Failed","reason":"DumpFailed","message":"mysqldump exited 2"}})");
  CHECK(ProgressLine(failed) == "bk-2 (my): Failed (DumpFailed: mysqldump exited 2)");

  RunView fresh = ParseView(R"({"metadata":{"name":"bk-3"},"spec":{"container":"r"}})");
  CHECK(fresh.phase.empty());
  CHECK(ProgressLine(fresh) == "bk-3 (r): Pending");
}

TEST_CASE("backup format: the throttle prints phase changes and at most every 2 s", "[cli][backup]") {
  ProgressThrottle t;
  auto t0 = std::chrono::steady_clock::time_point{} + std::chrono::hours(1);
  RunView v;
  v.name = "bk";
  v.phase = "Running";
  CHECK(t.ShouldPrint(v, "a", t0));                          // first sight
  CHECK_FALSE(t.ShouldPrint(v, "b", t0 + milliseconds(1999)));  // too soon
  CHECK(t.ShouldPrint(v, "b", t0 + milliseconds(2000)));
  CHECK_FALSE(t.ShouldPrint(v, "b", t0 + milliseconds(9000)));  // unchanged
  v.phase = "Succeeded";
  CHECK(t.ShouldPrint(v, "c", t0 + milliseconds(2001)));     // phase change: always
  RunView unset;  // "" then "Pending": one line, not two
  unset.name = "bk3";
  CHECK(t.ShouldPrint(unset, "bk3 (c): Pending", t0));
  unset.phase = "Pending";
  CHECK_FALSE(t.ShouldPrint(unset, "bk3 (c): Pending", t0 + milliseconds(1)));
  RunView other;
  other.name = "bk2";
  other.phase = "Running";
  CHECK(t.ShouldPrint(other, "x", t0 + milliseconds(2002)));  // per run
}

TEST_CASE("backup format: summary and tables", "[cli][backup]") {
  RunView a, b, c;
  a.name = "bk-a"; a.container = "pg"; a.phase = "Succeeded"; a.size_bytes = 2048; a.has_duration = true;
  a.duration = milliseconds(1500); a.path = "/b/a.zst";
  b.name = "bk-b"; b.container = "mysql"; b.phase = "Failed"; b.reason = "Timeout"; b.message = "took\ntoo long";
  c.name = "bk-c"; c.container = "r"; c.phase = "Running"; c.bytes = 1048576; c.bytes_per_second = 1048576;
  CHECK(SummaryLine({a, b, c}) == "2 of 3 done (1 Succeeded, 1 Failed), 1 Running: 1.0 MiB at 1.0 MiB/s");
  CHECK(SummaryLine({c}) == "0 of 1 done, 1 Running: 1.0 MiB at 1.0 MiB/s");
  CHECK(RunTable({a, b}) ==
        "NAME   CONTAINER   PHASE       SIZE      DURATION   PATH OR REASON\n"
        "bk-a   pg          Succeeded   2.0 KiB   1.5s       /b/a.zst\n"
        "bk-b   mysql       Failed      -         -          Timeout: took too long\n");
  CHECK(AlignColumns({{"A", "BB"}, {"CCC", ""}}) == "A     BB\nCCC\n");
}
