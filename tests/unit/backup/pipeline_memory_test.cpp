#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>

#include "reconcilers/backup/artifact_reader.h"
#include "reconcilers/backup/artifact_writer.h"
#include "tests/unit/backup/pipeline_util.h"

namespace dw::backup {
namespace {

using namespace testing;

// Peak resident set size so far (VmHWM), in KiB.
long PeakRssKiB() {
  FILE* f = std::fopen("/proc/self/status", "r");
  long kib = -1;
  char line[256];
  while (f && std::fgets(line, sizeof line, f)) {
    if (std::sscanf(line, "VmHWM: %ld kB", &kib) == 1) break;
  }
  if (f) std::fclose(f);
  return kib;
}

// Lowers VmHWM to the current RSS (Linux >= 4.0), so the next reading
// measures only what happens from here on.
void ResetPeakRss() {
  FILE* f = std::fopen("/proc/self/clear_refs", "w");
  if (f == nullptr) return;
  std::fputs("5", f);
  std::fclose(f);
}

// SQL-like text generated once and streamed round and round, as a dump
// source would deliver it. 32 MiB of distinct lines is larger than any zstd
// window used here, so repetition does not flatter the figures.
struct SqlStream {
  std::string block = SqlData(32 << 20);
  uint64_t sent = 0;
  Status Feed(ByteSink* sink, uint64_t total, size_t piece = 64 * 1024) {
    while (sent < total) {
      size_t n = static_cast<size_t>(std::min<uint64_t>(piece, total - sent));
      size_t off = static_cast<size_t>(sent % (block.size() - piece));
      block[off] = static_cast<char>('0' + sent % 10);
      DW_RETURN_IF_ERROR(sink->Write(std::string_view(block).substr(off, n)));
      sent += n;
    }
    return Status::OK();
  }
};

void CheckRssBound(uint64_t total) {
  TempDir dir;
  ArtifactOptions opt;  // zstd-3
  opt.key = KeyFromSeed(31);
  SqlStream src;
  ResetPeakRss();  // the test data itself must not hide the pipeline's peak
  long before = PeakRssKiB();
  REQUIRE(before > 0);
  std::unique_ptr<ArtifactWriter> w;
  REQUIRE(ArtifactWriter::Create(dir.path, "big.zst", opt, ArtifactMetadata{}, &w).ok());
  REQUIRE(src.Feed(w.get(), total).ok());
  REQUIRE(w->Finish().ok());
  ArtifactMetadata md = w->metadata();
  w.reset();
  CHECK(md.dump_bytes == total);
  REQUIRE(VerifyArtifactContent(dir.path + "/big.zst", md, &*opt.key).ok());
  long growth = PeakRssKiB() - before;
  std::printf("peak RSS growth %ld KiB for %llu MiB\n", growth, static_cast<unsigned long long>(total >> 20));
  CHECK(growth < 64 * 1024);
}

TEST_CASE("Pipeline memory stays bounded (32 MiB)", "[backup][memory]") { CheckRssBound(32ull << 20); }

TEST_CASE("Pipeline memory stays bounded (512 MiB)", "[slow][backup][memory]") { CheckRssBound(512ull << 20); }

double Run(const char* label, ArtifactOptions opt, uint64_t total) {
  TempDir dir;
  SqlStream src;
  std::unique_ptr<ArtifactWriter> w;
  auto t0 = std::chrono::steady_clock::now();
  REQUIRE(ArtifactWriter::Create(dir.path, "bench", opt, ArtifactMetadata{}, &w).ok());
  REQUIRE(src.Feed(w.get(), total).ok());
  REQUIRE(w->Finish().ok());
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  double mbs = static_cast<double>(total) / 1e6 / secs;
  std::printf("%-28s %7.1f MB/s  %6.2f s  ratio %.2f\n", label, mbs, secs,
              static_cast<double>(total) / static_cast<double>(w->metadata().artifact_bytes));
  return mbs;
}

TEST_CASE("Pipeline throughput", "[.bench][backup]") {
  const uint64_t total = 256ull << 20;
  ArtifactOptions zstd_aes;
  zstd_aes.key = KeyFromSeed(41);
  CHECK(Run("zstd-3 + AES-256-GCM + SHA", zstd_aes, total) > 0);
  ArtifactOptions zstd_only;
  CHECK(Run("zstd-3 + SHA", zstd_only, total) > 0);
  ArtifactOptions gzip;
  gzip.compression = Compression::kGzip;
  CHECK(Run("gzip-6 + SHA", gzip, total) > 0);
  ArtifactOptions none;
  none.compression = Compression::kNone;
  none.key = KeyFromSeed(42);
  CHECK(Run("none + AES-256-GCM + SHA", none, total) > 0);
}

}  // namespace
}  // namespace dw::backup
