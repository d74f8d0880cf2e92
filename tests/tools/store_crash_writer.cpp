// Crash-test driver for the embedded store (used by tests/integration/store_crash.sh).
//
//   store_crash_writer DIR [--threads N] [--snapshot-bytes B]
//     Writes until killed: each thread creates/updates its own keys and
//     prints "ACK <key> <rv>" once the store acknowledged the write.
//   store_crash_writer DIR --verify ACKFILE
//     Opens the store and checks every acknowledged key is present with a
//     revision >= the acknowledged one. Exit 1 listing losses; 2 if the
//     store does not open.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "operator/store/store.h"

namespace {

using dw::store::Object;
using dw::store::Store;

void WriterLoop(Store* s, int tid) {
  const std::string pad(300, 'p');
  for (uint64_t i = 0;; ++i) {
    std::string name = "t" + std::to_string(tid) + "-" + std::to_string(i % 64);
    std::string key = dw::store::MakeKey("crash", "", name);
    dw::json::Document d;
    std::string text = R"({"metadata":{"name":")" + name + R"("},"i":)" + std::to_string(i) +
                       R"(,"pad":")" + pad + "\"}";
    if (!dw::json::Parse(text, &d).ok()) std::abort();
    Object out;
    dw::Status st = s->Update(key, d, 0, &out);
    if (st.IsNotFound()) st = s->Create(key, d, &out);
    if (!st.ok()) {
      std::fprintf(stderr, "write %s failed: %s\n", key.c_str(), st.ToString().c_str());
      continue;
    }
    std::printf("ACK %s %lld\n", key.c_str(), static_cast<long long>(out.rv));
  }
}

int Verify(Store* s, const char* ackfile) {
  std::ifstream in(ackfile);
  if (!in) {
    std::fprintf(stderr, "cannot read %s\n", ackfile);
    return 2;
  }
  std::map<std::string, long long> acked;
  std::string line;
  long long lines = 0;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    std::string tag, key;
    long long rv = 0;
    // A line cut by kill -9 (no rv) is not an acknowledgement we can check.
    if (!(ls >> tag >> key >> rv) || tag != "ACK") continue;
    ++lines;
    long long& best = acked[key];
    if (rv > best) best = rv;
  }
  int lost = 0;
  for (const auto& [key, rv] : acked) {
    Object o;
    dw::Status st = s->Get(key, &o);
    if (!st.ok() || o.rv < rv) {
      ++lost;
      std::printf("LOST %s acked_rv=%lld found=%s\n", key.c_str(), rv,
                  st.ok() ? std::to_string(o.rv).c_str() : st.ToString().c_str());
    }
  }
  std::printf("VERIFIED acks=%lld keys=%zu lost=%d revision=%lld\n", lines, acked.size(), lost,
              static_cast<long long>(s->Revision()));
  return lost ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s DIR [--threads N] [--snapshot-bytes B] | DIR --verify ACKFILE\n", argv[0]);
    return 2;
  }
  dw::store::EmbeddedOptions opts;
  opts.dir = argv[1];
  int threads = 8;
  const char* verify = nullptr;
  for (int i = 2; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--threads")) threads = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--snapshot-bytes")) opts.snapshot_log_bytes = std::atoll(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--verify")) verify = argv[i + 1];
    else {
      std::fprintf(stderr, "unknown flag %s\n", argv[i]);
      return 2;
    }
  }
  std::unique_ptr<Store> store;
  dw::Status st = dw::store::OpenEmbedded(opts, &store);
  if (!st.ok()) {
    std::fprintf(stderr, "open %s: %s\n", opts.dir.c_str(), st.ToString().c_str());
    return 2;
  }
  if (verify) return Verify(store.get(), verify);
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  std::vector<std::thread> ts;
  for (int t = 0; t < threads; ++t) ts.emplace_back(WriterLoop, store.get(), t);
  for (auto& t : ts) t.join();  // never returns: the test kills us
  return 0;
}
