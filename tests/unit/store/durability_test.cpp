#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <random>
#include <thread>

#include "operator/store/store.h"
#include "store_test_util.h"

using namespace dw::store;
using namespace dw::store::testing;

namespace {

int64_t FileSize(const std::string& p) {
  struct stat sb;
  REQUIRE(::stat(p.c_str(), &sb) == 0);
  return sb.st_size;
}

std::string OnlySegment(const std::string& dir) {
  auto segs = FilesIn(dir, "log-");
  REQUIRE(segs.size() == 1);
  return dir + "/" + segs[0];
}

}  // namespace

TEST_CASE("store: concurrent writers all durable, batched fsyncs", "[store][durability]") {
  TempDir dir;
  constexpr int kThreads = 16, kPer = 500;
  {
    auto s = OpenOrDie(Opts(dir.path()));
    std::vector<std::thread> ts;
    std::atomic<int> failures{0};
    for (int t = 0; t < kThreads; ++t) {
      ts.emplace_back([&, t] {
        for (int i = 0; i < kPer; ++i) {
          auto d = Named("o");
          if (!s->Create("objs/t" + std::to_string(t) + "/" + std::to_string(i), d, nullptr).ok()) ++failures;
        }
      });
    }
    for (auto& t : ts) t.join();
    CHECK(failures == 0);
    Stats st = s->GetStats();
    CHECK(st.revision == kThreads * kPer);
    CHECK(st.objects == kThreads * kPer);
    CHECK(st.fsyncs < kThreads * kPer);  // group commit shared fsyncs
  }
  auto s = OpenOrDie(Opts(dir.path()));
  CHECK(s->Revision() == kThreads * kPer);
  ListResult r;
  REQUIRE(s->List(Under("objs/"), &r).ok());
  CHECK(r.items.size() == kThreads * kPer);
  // Every revision 1..N is used exactly once.
  std::vector<int64_t> revs;
  for (auto& o : r.items) revs.push_back(o.rv);
  std::sort(revs.begin(), revs.end());
  for (size_t i = 0; i < revs.size(); ++i) REQUIRE(revs[i] == static_cast<int64_t>(i + 1));
}

TEST_CASE("store: concurrent CAS updates never lose an increment", "[store][durability]") {
  TempDir dir;
  EmbeddedOptions o = Opts(dir.path());
  o.fsync = false;
  auto s = OpenOrDie(o);
  auto d0 = Doc(R"({"metadata":{"name":"c"},"n":0})");
  REQUIRE(s->Create("c//c", d0, nullptr).ok());
  std::vector<std::thread> ts;
  for (int t = 0; t < 8; ++t) {
    ts.emplace_back([&] {
      for (int done = 0; done < 50;) {
        Object cur;
        REQUIRE(s->Get("c//c", &cur).ok());
        dw::json::Document d;
        REQUIRE(dw::json::Parse(*cur.data, &d).ok());
        d["n"].SetInt64(d["n"].GetInt64() + 1);
        dw::Status st = s->Update("c//c", d, cur.rv, nullptr);
        if (st.ok()) ++done;
        else REQUIRE(st.IsConflict());
      }
    });
  }
  for (auto& t : ts) t.join();
  Object cur;
  REQUIRE(s->Get("c//c", &cur).ok());
  dw::json::Document d;
  REQUIRE(dw::json::Parse(*cur.data, &d).ok());
  CHECK(d["n"].GetInt64() == 400);
}

TEST_CASE("store: torn tail at any offset recovers a prefix", "[store][durability]") {
  TempDir dir;
  constexpr int kWrites = 40;
  {
    auto s = OpenOrDie(Opts(dir.path()));
    for (int i = 1; i <= kWrites; ++i) {
      auto d = Named("o", "{}", R"(,"i":)" + std::to_string(i));
      // One key rewritten over and over plus one key per write.
      REQUIRE(s->Create("k//o" + std::to_string(i), d, nullptr).ok());
    }
  }
  const std::string seg = OnlySegment(dir.path());
  const int64_t full = FileSize(seg);
  std::string original;
  {
    FILE* f = std::fopen(seg.c_str(), "rb");
    original.resize(full);
    REQUIRE(std::fread(original.data(), 1, full, f) == static_cast<size_t>(full));
    std::fclose(f);
  }
  std::mt19937 rng(42);
  for (int trial = 0; trial < 25; ++trial) {
    int64_t cut = std::uniform_int_distribution<int64_t>(0, full - 1)(rng);
    {
      FILE* f = std::fopen(seg.c_str(), "wb");
      std::fwrite(original.data(), 1, cut, f);
      std::fclose(f);
    }
    auto s = OpenOrDie(Opts(dir.path()));
    int64_t rev = s->Revision();
    CHECK(rev < kWrites);
    CHECK(FileSize(seg) <= cut);  // truncated to the last whole record
    ListResult r;
    REQUIRE(s->List(Under("k/"), &r).ok());
    CHECK(static_cast<int64_t>(r.items.size()) == rev);  // exactly objects 1..rev
    for (int64_t i = 1; i <= rev; ++i) {
      Object o;
      CHECK(s->Get("k//o" + std::to_string(i), &o).ok());
    }
    // And the store accepts writes at the next revision.
    auto d = Named("after");
    Object o;
    REQUIRE(s->Create("z//after", d, &o).ok());
    CHECK(o.rv == rev + 1);
  }
}

TEST_CASE("store: corrupt byte in the middle truncates there", "[store][durability]") {
  TempDir dir;
  {
    auto s = OpenOrDie(Opts(dir.path()));
    for (int i = 1; i <= 10; ++i) {
      auto d = Named("o");
      REQUIRE(s->Create("k//o" + std::to_string(i), d, nullptr).ok());
    }
  }
  const std::string seg = OnlySegment(dir.path());
  const int64_t full = FileSize(seg);
  const int64_t rec = full / 10;  // records are equal-sized here
  {
    int fd = ::open(seg.c_str(), O_RDWR);
    char c;
    REQUIRE(::pread(fd, &c, 1, rec * 4 + 20) == 1);
    c ^= 0x5a;
    REQUIRE(::pwrite(fd, &c, 1, rec * 4 + 20) == 1);
    ::close(fd);
  }
  auto s = OpenOrDie(Opts(dir.path()));
  CHECK(s->Revision() == 4);
  CHECK(FileSize(seg) == rec * 4);
  Object o;
  CHECK(s->Get("k//o4", &o).ok());
  CHECK(s->Get("k//o5", &o).code() == dw::Code::kNotFound);
}

TEST_CASE("store: snapshots, segment switch, cleanup and reopen", "[store][durability]") {
  TempDir dir;
  EmbeddedOptions o = Opts(dir.path());
  o.snapshot_log_bytes = 8 << 10;
  const std::string pad(200, 'x');
  int64_t snaps = 0;
  {
    auto s = OpenOrDie(o);
    for (int i = 0; i < 400; ++i) {
      auto d = Named("o", "{}", R"(,"pad":")" + pad + "\"");
      REQUIRE(s->Create("k//o" + std::to_string(i), d, nullptr).ok());
      if (i % 3 == 0 && i > 0) REQUIRE(s->Delete("k//o" + std::to_string(i - 1), 0, nullptr).ok());
    }
    s->Close();  // waits for the running snapshot
    Stats st = s->GetStats();
    snaps = st.snapshots_taken;
    CHECK(snaps >= 5);
    CHECK(st.snapshot_bytes > 0);
    CHECK(st.log_bytes < o.snapshot_log_bytes + 2048);
  }
  // Only the newest two snapshots, and no segment older than the older one.
  auto snapfiles = FilesIn(dir.path(), "snap-");
  REQUIRE(snapfiles.size() == 2);
  auto segs = FilesIn(dir.path(), "log-");
  CHECK(segs.size() <= 3);
  CHECK(FilesIn(dir.path(), "snap-").size() + segs.size() < 8);
  const int64_t expected_rev = 400 + 133;
  int64_t objects = 0;
  {
    auto s = OpenOrDie(o);
    CHECK(s->Revision() == expected_rev);
    objects = s->GetStats().objects;
    CHECK(objects == 400 - 133);
    Object obj;
    CHECK(s->Get("k//o399", &obj).ok());
    CHECK(s->Get("k//o2", &obj).code() == dw::Code::kNotFound);
  }
  // Damage the newest snapshot: recovery falls back to the older one + logs.
  {
    std::string newest = dir.path() + "/" + snapfiles.back();
    int fd = ::open(newest.c_str(), O_RDWR);
    char c = 0x7f;
    REQUIRE(::pwrite(fd, &c, 1, 30) == 1);
    ::close(fd);
  }
  auto s = OpenOrDie(o);
  CHECK(s->Revision() == expected_rev);
  CHECK(s->GetStats().objects == objects);
}

TEST_CASE("store: no space left on device fails the batch, store recovers", "[store][durability]") {
  TempDir dir;
  if (::mount("tmpfs", dir.path().c_str(), "tmpfs", 0, "size=256k") != 0) {
    WARN("cannot mount a tmpfs (" << std::strerror(errno) << "); ENOSPC test skipped");
    return;
  }
  struct Unmount {
    std::string p;
    ~Unmount() { ::umount2(p.c_str(), MNT_DETACH); }
  } unmount{dir.path()};
  EmbeddedOptions o = Opts(dir.path());
  o.snapshot_log_bytes = 1 << 30;  // keep it to the log
  std::vector<std::pair<std::string, int64_t>> acked;
  const std::string filler = dir.path() + "/filler";
  {
    auto s = OpenOrDie(o);
    for (int i = 0; i < 5; ++i) {
      auto d = Named("o");
      Object obj;
      REQUIRE(s->Create("k//o" + std::to_string(i), d, &obj).ok());
      acked.emplace_back(obj.key, obj.rv);
    }
    const int64_t log_before = s->GetStats().log_bytes;
    // Fill the file system up completely.
    {
      int fd = ::open(filler.c_str(), O_WRONLY | O_CREAT, 0600);
      REQUIRE(fd >= 0);
      std::string block(4096, 'f');
      while (::write(fd, block.data(), block.size()) > 0) {
      }
      while (::write(fd, block.data(), 1) > 0) {
      }
      ::close(fd);
    }
    const std::string pad(9000, 'x');  // more than the free tail of the log's last page
    auto big = Named("big", "{}", R"(,"pad":")" + pad + "\"");
    dw::Status st = s->Create("k//big", big, nullptr);
    REQUIRE_FALSE(st.ok());
    CHECK(st.code() == dw::Code::kIOError);
    CHECK(st.message().find("No space left on device") != std::string::npos);
    CHECK(s->Revision() == 5);
    Object obj;
    CHECK(s->Get("k//big", &obj).code() == dw::Code::kNotFound);
    // The log was cut back to the last good batch.
    CHECK(s->GetStats().log_bytes == log_before);
    CHECK(FileSize(OnlySegment(dir.path())) == log_before);
    // Space returns: writes work again, at the next revision.
    ::unlink(filler.c_str());
    auto big2 = Named("big", "{}", R"(,"pad":")" + pad + "\"");
    REQUIRE(s->Create("k//big", big2, &obj).ok());
    CHECK(obj.rv == 6);
    acked.emplace_back(obj.key, obj.rv);
  }
  auto s = OpenOrDie(o);
  CHECK(s->Revision() == 6);
  for (auto& [k, rv] : acked) {
    Object obj;
    CHECK(s->Get(k, &obj).ok());
    CHECK(obj.rv == rv);
  }
}
