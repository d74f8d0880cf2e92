// The pieces of the runners that need no Docker daemon: output tails,
// the cancel/deadline guard, progress ticks and exit-code messages.
#include <catch2/catch.hpp>

#include <thread>

#include "reconcilers/backup/runner_exec.h"

using dw::Code;
using dw::backup::CheckExit;
using dw::backup::ExecOutcome;
using dw::backup::ExecSpec;
using dw::backup::OutputTail;
using dw::backup::ProgressTicker;
using dw::backup::RunControl;
using dw::backup::RunGuard;
using dw::backup::RunProgress;

TEST_CASE("output tail keeps only the last bytes", "[runner]") {
  OutputTail tail(8);
  tail.Append("abc");
  CHECK(tail.Text() == "abc");
  tail.Append("defgh");
  CHECK(tail.Text() == "abcdefgh");
  tail.Append("ij");
  CHECK(tail.Text() == "cdefghij");
  tail.Append("0123456789xyz");
  CHECK(tail.Text() == "56789xyz");
  tail.Append("");
  CHECK(tail.Text() == "56789xyz");
}

TEST_CASE("output tail escapes control bytes and finds the last line", "[runner]") {
  OutputTail tail;
  tail.Append("pg_dump: warning\n");
  tail.Append(std::string_view("pg_dump: error: \x1b[31mconnection\r failed\x00!\n\n  \n", 46));
  CHECK(tail.LastLine() == "pg_dump: error: \\x1b[31mconnection\\x0d failed\\x00!");
  CHECK(tail.Text().find("pg_dump: warning\npg_dump: error: \\x1b") == 0);
  OutputTail empty;
  CHECK(empty.LastLine().empty());
  OutputTail one;
  one.Append("single line without newline");
  CHECK(one.LastLine() == "single line without newline");
}

TEST_CASE("a non-zero exit names the tool, code and last stderr line", "[runner]") {
  ExecSpec spec{{"pg_dump", "-d", "shop"}, {}, ""};
  ExecOutcome ok;
  ok.exit_code = 0;
  CHECK(CheckExit(spec, ok).ok());

  ExecOutcome failed;
  failed.exit_code = 1;
  failed.stderr_tail.Append("pg_dump: error: connection failed\npg_dump: detail: no such db\n");
  dw::Status st = CheckExit(spec, failed);
  CHECK(st.code() == Code::kInternal);
  CHECK(st.message() == "pg_dump exited with 1: pg_dump: detail: no such db");

  ExecOutcome silent;
  silent.exit_code = 127;
  CHECK(CheckExit(spec, silent).message() == "pg_dump exited with 127: (no output)");

  ExecOutcome stdout_only;
  stdout_only.exit_code = 126;
  stdout_only.stdout_tail.Append("OCI runtime exec failed: executable file not found\n");
  CHECK(CheckExit(spec, stdout_only).message() ==
        "pg_dump exited with 126: OCI runtime exec failed: executable file not found");
}

TEST_CASE("run guard reports cancel and deadline", "[runner]") {
  std::atomic<bool> cancel{false};
  RunControl control;
  control.cancel = &cancel;
  RunGuard guard(control, std::chrono::seconds(60));
  CHECK_FALSE(guard.Stopped());
  cancel = true;
  CHECK(guard.Stopped());
  CHECK(guard.Reason("backup").code() == Code::kTimeout);
  CHECK(guard.Reason("backup").message() == "backup cancelled");

  RunControl none;
  RunGuard expired(none, std::chrono::seconds(0));
  CHECK(expired.Stopped());
  CHECK(expired.Reason("pg_dump").message() == "pg_dump timed out after 0s");
}

TEST_CASE("progress ticks at most once per interval with the interval's rate", "[runner]") {
  std::vector<RunProgress> seen;
  RunControl control;
  control.progress_interval = std::chrono::milliseconds(50);
  control.on_progress = [&](const RunProgress& p) { seen.push_back(p); };
  ProgressTicker ticker(control);
  ticker.Add(100);
  ticker.Add(100);
  CHECK(seen.empty());
  std::this_thread::sleep_for(std::chrono::milliseconds(60));
  ticker.Add(1000);
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].bytes == 1200);
  // 1200 bytes over >= 50 ms: at most 24000 B/s, and well above zero.
  CHECK(seen[0].bytes_per_second <= 24000.0);
  CHECK(seen[0].bytes_per_second > 1000.0);
  ticker.Add(5);
  CHECK(seen.size() == 1);
  CHECK(ticker.bytes() == 1205);
}
