#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <thread>

#include "operator/common/metrics.h"

namespace {

using dw::metrics::Registry;

struct ProcResult {
  int exit_code = -1;
  std::string output;  // stdout + stderr
};

// Runs argv with `input` on stdin (fork/exec, no shell).
ProcResult RunWithInput(const std::vector<std::string>& argv, const std::string& input) {
  int in[2], out[2];
  REQUIRE(pipe(in) == 0);
  REQUIRE(pipe(out) == 0);
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    dup2(in[0], 0);
    dup2(out[1], 1);
    dup2(out[1], 2);
    close(in[0]); close(in[1]); close(out[0]); close(out[1]);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  // promtool reads all of stdin before writing, so write then read is safe.
  size_t off = 0;
  while (off < input.size()) {
    ssize_t n = write(in[1], input.data() + off, input.size() - off);
    if (n <= 0) break;
    off += static_cast<size_t>(n);
  }
  close(in[1]);
  ProcResult r;
  char buf[4096];
  ssize_t n;
  while ((n = read(out[0], buf, sizeof buf)) > 0) r.output.append(buf, static_cast<size_t>(n));
  close(out[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

}  // namespace

TEST_CASE("metrics: counters and gauges", "[metrics]") {
  dw::metrics::Counter c;
  c.Inc();
  c.Inc(2.5);
  c.Inc(-1);  // ignored: counters are monotonic
  CHECK(c.Value() == 3.5);
  dw::metrics::Gauge g;
  g.Set(10);
  g.Add(-3);
  CHECK(g.Value() == 7);
}

TEST_CASE("metrics: histogram buckets are cumulative", "[metrics]") {
  dw::metrics::Histogram h({1, 0.5, 2, 2, INFINITY});  // unsorted, duplicate, +Inf: normalized
  CHECK(h.bounds() == std::vector<double>{0.5, 1, 2});
  for (double v : {0.1, 0.5, 0.7, 1.0, 1.5, 3.0, 100.0}) h.Observe(v);
  std::vector<uint64_t> cum;
  double sum = 0;
  uint64_t count = 0;
  h.Read(&cum, &sum, &count);
  CHECK(cum == std::vector<uint64_t>{2, 4, 5});
  CHECK(count == 7);
  CHECK(sum == Approx(106.8));
}

TEST_CASE("metrics: render text format", "[metrics]") {
  Registry r;
  auto& req = r.AddCounter("dockward_requests_total", "API requests.", {"verb", "code"});
  req.With({"GET", "200"}).Inc(3);
  req.With({"DELETE", "404"}).Inc();
  r.AddGauge("dockward_up", "1 when serving.").With({}).Set(1);
  auto& lat = r.AddHistogram("dockward_request_duration_seconds", "Latency.", {"verb"}, {0.1, 1});
  lat.With({"GET"}).Observe(0.05);
  lat.With({"GET"}).Observe(0.5);
  lat.With({"GET"}).Observe(5);
  r.AddCallbackGauge("dockward_objects", "Stored objects.", [] { return 42.0; });
  // Same name again returns the same family.
  CHECK(&r.AddCounter("dockward_requests_total", "x", {"verb", "code"}) == &req);
  // Missing _total is added.
  r.AddCounter("dockward_events", "Events.").With({}).Inc(2);

  CHECK(r.Render() ==
        "# HELP dockward_events_total Events.\n"
        "# TYPE dockward_events_total counter\n"
        "dockward_events_total 2\n"
        "# HELP dockward_objects Stored objects.\n"
        "# TYPE dockward_objects gauge\n"
        "dockward_objects 42\n"
        "# HELP dockward_request_duration_seconds Latency.\n"
        "# TYPE dockward_request_duration_seconds histogram\n"
        "dockward_request_duration_seconds_bucket{verb=\"GET\",le=\"0.1\"} 1\n"
        "dockward_request_duration_seconds_bucket{verb=\"GET\",le=\"1\"} 2\n"
        "dockward_request_duration_seconds_bucket{verb=\"GET\",le=\"+Inf\"} 3\n"
        "dockward_request_duration_seconds_sum{verb=\"GET\"} 5.55\n"
        "dockward_request_duration_seconds_count{verb=\"GET\"} 3\n"
        "# HELP dockward_requests_total API requests.\n"
        "# TYPE dockward_requests_total counter\n"
        "dockward_requests_total{verb=\"DELETE\",code=\"404\"} 1\n"
        "dockward_requests_total{verb=\"GET\",code=\"200\"} 3\n"
        "# HELP dockward_up 1 when serving.\n"
        "# TYPE dockward_up gauge\n"
        "dockward_up 1\n");
}

TEST_CASE("metrics: escaping and special values", "[metrics]") {
  Registry r;
  auto& g = r.AddGauge("weird_value", "Help with \\ and\nnewline.", {"path"});
  g.With({"a\"b\\c\nd"}).Set(INFINITY);
  g.With({"nan"}).Set(NAN);
  g.With({"small"}).Set(-0.000125);
  g.With({"wrong", "count"}).Set(1);  // extra values are dropped
  std::string out = r.Render();
  CHECK(out ==
        "# HELP weird_value Help with \\\\ and\\nnewline.\n"
        "# TYPE weird_value gauge\n"
        "weird_value{path=\"a\\\"b\\\\c\\nd\"} +Inf\n"
        "weird_value{path=\"nan\"} NaN\n"
        "weird_value{path=\"small\"} -0.000125\n"
        "weird_value{path=\"wrong\"} 1\n");
}

TEST_CASE("metrics: concurrent updates are not lost", "[metrics]") {
  Registry r;
  auto& c = r.AddCounter("hits_total", "Hits.", {"k"});
  auto& h = r.AddHistogram("size_bytes", "Sizes.", {}, {10, 100});
  std::vector<std::thread> ts;
  for (int t = 0; t < 4; ++t) {
    ts.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        c.With({"x"}).Inc();
        h.With({}).Observe(i % 200);
      }
    });
  }
  for (auto& t : ts) t.join();
  CHECK(c.With({"x"}).Value() == 40000);
  std::vector<uint64_t> cum;
  double sum;
  uint64_t count;
  h.With({}).Read(&cum, &sum, &count);
  CHECK(count == 40000);
  CHECK(cum == std::vector<uint64_t>{4 * 50 * 11, 4 * 50 * 101});
}

TEST_CASE("metrics: promtool accepts the output", "[metrics]") {
  if (access("/usr/bin/promtool", X_OK) != 0) {
    WARN("promtool not installed; skipped");
    return;
  }
  Registry r;
  auto& req = r.AddCounter("dockward_http_requests_total", "HTTP requests by verb and code.", {"verb", "code"});
  req.With({"GET", "200"}).Inc(7);
  req.With({"PUT", "409"}).Inc();
  auto& g = r.AddGauge("dockward_watchers", "Open watches, \"quoted\" help \\ with\nnewline.", {"resource"});
  g.With({"a\"b\\c\nd"}).Set(3);
  g.With({"plain"}).Set(0);
  auto& lat = r.AddHistogram("dockward_request_duration_seconds", "Request latency.", {"verb"},
                             Registry::LatencyBuckets());
  for (double v : {0.001, 0.02, 0.3, 2.0, 100.0}) lat.With({"GET"}).Observe(v);
  lat.With({"LIST"});
  r.AddCallbackGauge("dockward_store_objects", "Objects in the store.", [] { return 12.0; });
  std::string text = r.Render();
  ProcResult res = RunWithInput({"/usr/bin/promtool", "check", "metrics"}, text);
  INFO(text);
  INFO(res.output);
  CHECK(res.exit_code == 0);
  CHECK(res.output.empty());

  // The check is meaningful: promtool does complain about a bad exposition.
  ProcResult bad = RunWithInput({"/usr/bin/promtool", "check", "metrics"},
                                "# TYPE x counter\nx 1\n");
  CHECK((bad.exit_code != 0 || !bad.output.empty()));
}

TEST_CASE("metrics: default registry is a singleton", "[metrics]") {
  CHECK(&dw::metrics::Default() == &dw::metrics::Default());
  auto b = Registry::LatencyBuckets();
  CHECK(std::is_sorted(b.begin(), b.end()));
  CHECK(b.front() == 0.005);
  CHECK(b.back() == 60);
}
