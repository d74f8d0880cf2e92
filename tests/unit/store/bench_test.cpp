// Micro-benchmarks, hidden from the default run: ./unit_store "[.bench]"
#include <sys/resource.h>

#include <chrono>
#include <thread>

#include "operator/store/store.h"
#include "store_test_util.h"

using namespace dw::store;
using namespace dw::store::testing;
using Clock = std::chrono::steady_clock;

namespace {

double Seconds(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

dw::json::Document KiBDoc(const std::string& name) {
  return Named(name, R"({"app":"bench"})", R"(,"pad":")" + std::string(900, 'x') + "\"");
}

long MaxRssKiB() {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

}  // namespace

TEST_CASE("bench: creates/s with fsync", "[.bench]") {
  for (int threads : {1, 8, 64}) {
    TempDir dir;
    auto s = OpenOrDie(Opts(dir.path()));
    const int per = threads == 1 ? 500 : 4000 / threads;
    auto t0 = Clock::now();
    std::vector<std::thread> ts;
    for (int t = 0; t < threads; ++t) {
      ts.emplace_back([&, t] {
        for (int i = 0; i < per; ++i) {
          auto d = KiBDoc("o");
          REQUIRE(s->Create("b/t" + std::to_string(t) + "/" + std::to_string(i), d, nullptr).ok());
        }
      });
    }
    for (auto& t : ts) t.join();
    double secs = Seconds(t0);
    Stats st = s->GetStats();
    WARN(threads << " threads: " << static_cast<int>(threads * per / secs) << " creates/s, "
                 << st.fsyncs << " fsyncs for " << threads * per << " writes");
  }
}

TEST_CASE("bench: start-up and list with 10,000 x 1 KiB objects", "[.bench]") {
  TempDir dir;
  EmbeddedOptions o = Opts(dir.path());
  o.fsync = false;
  {
    auto s = OpenOrDie(o);
    for (int i = 0; i < 10000; ++i) {
      auto d = KiBDoc("o" + std::to_string(i));
      REQUIRE(s->Create("b//o" + std::to_string(i), d, nullptr).ok());
    }
  }
  long rss0 = MaxRssKiB();
  auto t0 = Clock::now();
  auto s = OpenOrDie(o);
  double open_log = Seconds(t0);
  CHECK(s->Revision() == 10000);
  ListResult r;
  t0 = Clock::now();
  REQUIRE(s->List(Under("b/"), &r).ok());
  double list = Seconds(t0);
  CHECK(r.items.size() == 10000);
  WARN("open from log: " << open_log * 1000 << " ms; list 10k: " << list * 1000
                         << " ms; max RSS " << MaxRssKiB() / 1024 << " MiB (before open " << rss0 / 1024 << ")");
  CHECK(open_log < 1.0);
  CHECK(list < 0.010);
}

TEST_CASE("bench: start-up from a snapshot", "[.bench]") {
  TempDir dir;
  EmbeddedOptions o = Opts(dir.path());
  o.fsync = false;
  o.snapshot_log_bytes = 9 << 20;
  {
    auto s = OpenOrDie(o);
    for (int i = 0; i < 10000; ++i) {
      auto d = KiBDoc("o" + std::to_string(i));
      REQUIRE(s->Update("b//o" + std::to_string(i % 10000), d, 0, nullptr).code() == dw::Code::kNotFound);
      REQUIRE(s->Create("b//o" + std::to_string(i), d, nullptr).ok());
    }
    s->Close();
    REQUIRE(s->GetStats().snapshots_taken >= 1);
  }
  auto t0 = Clock::now();
  auto s = OpenOrDie(o);
  double secs = Seconds(t0);
  CHECK(s->GetStats().objects == 10000);
  WARN("open from snapshot + log: " << secs * 1000 << " ms");
  CHECK(secs < 1.0);
}
