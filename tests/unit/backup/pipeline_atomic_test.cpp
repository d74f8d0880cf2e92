#include <catch2/catch.hpp>

#include <sys/mount.h>
#include <sys/stat.h>

#include <cstring>

#include "reconcilers/backup/artifact_reader.h"
#include "reconcilers/backup/artifact_writer.h"
#include "reconcilers/backup/atomic_file_sink.h"
#include "tests/unit/backup/pipeline_util.h"

namespace dw::backup {
namespace {

using namespace testing;

TEST_CASE("AtomicFileSink publishes only on Finish", "[backup][atomic]") {
  TempDir dir;
  std::unique_ptr<AtomicFileSink> s;
  REQUIRE(AtomicFileSink::Create(dir.path, "x.zst", &s).ok());
  struct stat st;
  REQUIRE(::stat(s->temp_path().c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(s->temp_path().rfind(dir.path + "/.x.zst.tmp-", 0) == 0);
  REQUIRE(s->Write(std::string(1000, 'a')).ok());
  REQUIRE(s->Write(std::string(600000, 'b')).ok());  // larger than the buffer
  REQUIRE(s->Write("tail").ok());
  CHECK(::access((dir.path + "/x.zst").c_str(), F_OK) != 0);
  REQUIRE(s->Finish().ok());
  CHECK(dir.List() == std::set<std::string>{"x.zst"});
  CHECK(ReadFile(dir.path + "/x.zst") == std::string(1000, 'a') + std::string(600000, 'b') + "tail");
  s.reset();  // destroying a finished sink keeps the file
  CHECK(dir.List() == std::set<std::string>{"x.zst"});
}

TEST_CASE("AtomicFileSink removes the temp file on abandon and abort", "[backup][atomic]") {
  TempDir dir;
  std::unique_ptr<AtomicFileSink> s;
  REQUIRE(AtomicFileSink::Create(dir.path, "x", &s).ok());
  REQUIRE(s->Write("partial").ok());
  CHECK(dir.List().size() == 1);
  s.reset();
  CHECK(dir.List().empty());

  REQUIRE(AtomicFileSink::Create(dir.path, "x", &s).ok());
  s->Abort();
  CHECK(dir.List().empty());
  CHECK_FALSE(s->Write("more").ok());
  CHECK_FALSE(s->Finish().ok());
  CHECK(dir.List().empty());
}

TEST_CASE("AtomicFileSink rejects unsafe names and missing directories", "[backup][atomic]") {
  TempDir dir;
  std::unique_ptr<AtomicFileSink> s;
  for (const char* bad : {"", ".", "..", "a/b", ".x.tmp-1"}) {
    CAPTURE(bad);
    Status st = AtomicFileSink::Create(dir.path, bad, &s);
    CHECK(st.code() == Code::kInvalid);
  }
  Status st = AtomicFileSink::Create(dir.path + "/nope", "x", &s);
  CHECK(st.code() == Code::kIOError);
  CHECK(st.message().find("No such file or directory") != std::string::npos);
}

TEST_CASE("CleanupStaleTemps removes only leftover temp files", "[backup][atomic]") {
  TempDir dir;
  WriteFile(dir.path + "/.db1.zst.tmp-0123456789abcdef", "crash leftover");
  WriteFile(dir.path + "/.db1.zst.json.tmp-aa", "crash leftover");
  WriteFile(dir.path + "/db0.zst", "good");
  WriteFile(dir.path + "/db0.zst.json", "{}");
  WriteFile(dir.path + "/.hidden", "not ours");
  WriteFile(dir.path + "/x.tmp-1", "not hidden: not ours");
  std::filesystem::create_directory(dir.path + "/.dir.tmp-1");
  int removed = -1;
  REQUIRE(CleanupStaleTemps(dir.path, &removed).ok());
  CHECK(removed == 2);
  CHECK(dir.List() == std::set<std::string>{".dir.tmp-1", ".hidden", "db0.zst", "db0.zst.json", "x.tmp-1"});
  REQUIRE(CleanupStaleTemps(dir.path + "/missing", &removed).ok());
  CHECK(removed == 0);
}

// A small tmpfs: ENOSPC is real, not simulated.
struct SmallTmpfs {
  TempDir dir;
  bool mounted = false;
  SmallTmpfs() { mounted = ::mount("tmpfs", dir.path.c_str(), "tmpfs", 0, "size=256k") == 0; }
  ~SmallTmpfs() {
    if (mounted) ::umount(dir.path.c_str());
  }
};

TEST_CASE("ENOSPC fails clearly and leaves older backups untouched", "[backup][atomic]") {
  SmallTmpfs fs;
  if (!fs.mounted) {
    WARN("cannot mount a tmpfs here (" << std::strerror(errno) << "); ENOSPC test skipped");
    return;
  }
  const std::string& dir = fs.dir.path;
  std::unique_ptr<ArtifactWriter> w;
  ArtifactOptions opt;
  opt.compression = Compression::kNone;
  REQUIRE(ArtifactWriter::Create(dir, "old", opt, ArtifactMetadata{}, &w).ok());
  REQUIRE(w->Write(std::string(50000, 'o')).ok());
  REQUIRE(w->Finish().ok());
  ArtifactMetadata old_md = w->metadata();
  std::string old_json = ReadFile(dir + "/old.json");

  opt.key = KeyFromSeed(21);
  REQUIRE(ArtifactWriter::Create(dir, "new", opt, ArtifactMetadata{}, &w).ok());
  std::string block = RandomData(64 * 1024);
  Status st;
  for (int i = 0; i < 100 && st.ok(); ++i) st = w->Write(block);
  if (st.ok()) st = w->Finish();
  CHECK(st.code() == Code::kIOError);
  CHECK(st.message() == "no space left on device writing " + dir + "/new");
  CHECK(w->Write("x").message() == st.message());  // sticky
  w.reset();
  std::set<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir)) names.insert(e.path().filename().string());
  CHECK(names == std::set<std::string>{"old", "old.json"});
  CHECK(ReadFile(dir + "/old") == std::string(50000, 'o'));
  CHECK(ReadFile(dir + "/old.json") == old_json);
  CHECK(VerifyArtifact(dir + "/old", old_md).ok());
}

}  // namespace
}  // namespace dw::backup
