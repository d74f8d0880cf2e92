// Usage peaks from stats samples and the proposed limits, exact values.
#include <catch2/catch.hpp>

#include <cstdio>

#include "reconcilers/stacklimits/recommend.h"
#include "tests/unit/stacklimits/lab_fixture.h"

using namespace dw::stacklimits;
using dw::docker::ContainerStats;
using dw::stacklimits::testing::kMi;

namespace {

// Sample `sec` seconds after 12:00:00, with cumulative CPU time `cpu_ns`.
ContainerStats Sample(int sec, uint64_t cpu_ns, int64_t mem = 0, int64_t pids = 1) {
  ContainerStats s;
  char buf[64];
  std::snprintf(buf, sizeof buf, "2026-01-02T12:%02d:%02d.000000000Z", sec / 60, sec % 60);
  s.read = buf;
  s.cpu_total_ns = cpu_ns;
  s.memory_usage = mem;
  s.pids = pids;
  return s;
}

}  // namespace

TEST_CASE("UsageAccumulator keeps the memory and pids peak, not the last value", "[recommend]") {
  UsageAccumulator acc;
  acc.Add(Sample(0, 0, 10 * kMi, 3));
  acc.Add(Sample(1, 0, 96 * kMi, 7));
  acc.Add(Sample(2, 0, 12 * kMi, 2));
  CHECK(acc.peak().memory == 96 * kMi);
  CHECK(acc.peak().pids == 7);
  CHECK(acc.peak().samples == 3);
  CHECK(acc.peak().cpus == 0);  // two rates only: no full 5-sample window yet
}

TEST_CASE("UsageAccumulator CPU peak is the max 5-sample moving average", "[recommend]") {
  UsageAccumulator acc;
  uint64_t cpu = 0;
  acc.Add(Sample(0, cpu));
  // Five seconds at 0.5 core.
  for (int t = 1; t <= 5; ++t) acc.Add(Sample(t, cpu += 500000000));
  CHECK(acc.peak().cpus == Approx(0.5));
  // One burst second at 2 cores: the window average is (4*0.5+2)/5 = 0.8.
  acc.Add(Sample(6, cpu += 2000000000));
  CHECK(acc.peak().cpus == Approx(0.8));
  // Back to idle: the peak stays.
  for (int t = 7; t <= 12; ++t) acc.Add(Sample(t, cpu));
  CHECK(acc.peak().cpus == Approx(0.8));
  CHECK(acc.peak().samples == 13);
}

TEST_CASE("UsageAccumulator uses the sample timestamps, not a fixed second", "[recommend]") {
  UsageAccumulator acc;
  uint64_t cpu = 0;
  acc.Add(Sample(0, cpu));
  // A sample every 2 s, 1 core-second each: 0.5 core.
  for (int t = 2; t <= 10; t += 2) acc.Add(Sample(t, cpu += 1000000000));
  CHECK(acc.peak().cpus == Approx(0.5));
}

TEST_CASE("UsageAccumulator skips the rate across a restart and bad timestamps", "[recommend]") {
  UsageAccumulator acc;
  acc.Add(Sample(0, 9000000000));
  acc.Add(Sample(1, 100));  // counter went back: restarted, no rate
  ContainerStats no_time = Sample(2, 200);
  no_time.read.clear();
  acc.Add(no_time);
  acc.Add(Sample(3, 300));  // previous had no time: no rate
  acc.Add(Sample(3, 400));  // zero interval: no rate
  CHECK(acc.peak().cpus == 0);
  CHECK(acc.peak().samples == 5);
}

TEST_CASE("UsageAccumulator Merge takes the max over containers", "[recommend]") {
  UsageAccumulator service;
  UsagePeak a{100 * kMi, 0.3, 10, 30};
  UsagePeak b{50 * kMi, 0.9, 40, 25};
  service.Merge(a);
  service.Merge(b);
  CHECK(service.peak().memory == 100 * kMi);
  CHECK(service.peak().cpus == Approx(0.9));
  CHECK(service.peak().pids == 40);
  CHECK(service.peak().samples == 55);
}

TEST_CASE("Recommend rounds peak plus headroom up", "[recommend]") {
  UsagePeak p{96 * kMi, 0.5, 10, 30};
  Recommendation r = Recommend(p, 20);
  CHECK(r.memory == 116 * kMi);  // 115.2Mi rounded up to a MiB
  CHECK(r.nano_cpus == 600000000);  // exactly 0.6, not 0.65
  CHECK(r.pids == 32);  // 12 raised to the minimum

  r = Recommend(UsagePeak{100 * kMi + 1, 0.52, 100, 1}, 20);
  CHECK(r.memory == 121 * kMi);  // 120Mi + 1.2 bytes -> next MiB
  CHECK(r.nano_cpus == 650000000);  // 0.624 -> 0.65
  CHECK(r.pids == 120);

  r = Recommend(UsagePeak{96 * kMi, 0.5, 101, 1}, 0);
  CHECK(r.memory == 96 * kMi);
  CHECK(r.nano_cpus == 500000000);
  CHECK(r.pids == 101);
}

TEST_CASE("Recommend applies the minimums to an idle container", "[recommend]") {
  Recommendation r = Recommend(UsagePeak{}, 20);
  CHECK(r.memory == 16 * kMi);
  CHECK(r.nano_cpus == 100000000);
  CHECK(r.pids == 32);
  r = Recommend(UsagePeak{kMi, 0.01, 1, 1}, -50);  // negative headroom counts as 0
  CHECK(r.memory == 16 * kMi);
  CHECK(r.nano_cpus == 100000000);
}
