#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include <stdlib.h>
#include <unistd.h>

#include "reconcilers/backup/contract.h"
#include "reconcilers/backup/policy_retention.h"
#include "tests/unit/backup/civil_test_util.h"

using dw::Code;
using dw::backup::BackupView;
using dw::backup::PlanPolicyRetention;
using dw::backup::RemoveArtifactFiles;
using dw::backup::ResolveInsideDestination;
using dw::backup::RetentionPolicy;
using dw::backup::RetentionRemoval;
using dw::backup::TimeZone;
using dw::backup::testing::Utc;
namespace fs = std::filesystem;

namespace {

BackupView B(const std::string& name, const std::string& target, const std::string& phase,
             dw::clock::TimePoint done, bool dry = false) {
  BackupView b;
  b.name = name;
  b.target = target;
  b.phase = phase;
  b.created = done - std::chrono::minutes(5);
  if (phase == "Succeeded" || phase == "Failed") b.completion = done;
  b.path = "/dest/" + name + ".sql.zst";
  b.dry_run = dry;
  return b;
}

std::vector<std::string> Names(const std::vector<RetentionRemoval>& rs) {
  std::vector<std::string> out;
  for (const auto& r : rs) out.push_back(r.backup);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<RetentionRemoval> Plan(const std::vector<BackupView>& bs,
                                   std::optional<RetentionPolicy> p, dw::clock::TimePoint now) {
  std::vector<RetentionRemoval> out;
  auto st = PlanPolicyRetention(bs, p, *TimeZone::Utc(), now, &out);
  INFO(st.ToString());
  REQUIRE(st.ok());
  return out;
}

struct TempDir {
  TempDir() {
    char t[] = "/tmp/dwpolret-XXXXXX";
    REQUIRE(::mkdtemp(t));
    path = t;
  }
  ~TempDir() { fs::remove_all(path); }
  std::string path;
};

void Touch(const std::string& p) { std::ofstream(p) << "x"; }

}  // namespace

TEST_CASE("keepLast applies per target, newest first", "[policy_retention]") {
  RetentionPolicy keep2;
  keep2.keep_last = 2;
  std::vector<BackupView> bs = {
      B("a1", "ta", "Succeeded", Utc(2026, 1, 1)), B("a2", "ta", "Succeeded", Utc(2026, 1, 2)),
      B("a3", "ta", "Succeeded", Utc(2026, 1, 3)), B("b1", "tb", "Succeeded", Utc(2026, 1, 1)),
      B("b2", "tb", "Succeeded", Utc(2026, 1, 2)),
  };
  auto rs = Plan(bs, keep2, Utc(2026, 1, 4));
  REQUIRE(rs.size() == 1);
  CHECK(rs[0].backup == "a1");
  CHECK(rs[0].path == "/dest/a1.sql.zst");
  CHECK(rs[0].reasons == "expired");
}

TEST_CASE("in-flight, hand-made and deleting Backups are never candidates", "[policy_retention]") {
  RetentionPolicy keep1;
  keep1.keep_last = 1;
  auto manual = B("manual", "", "Succeeded", Utc(2026, 1, 1));
  auto deleting = B("gone", "ta", "Succeeded", Utc(2026, 1, 1, 1));
  deleting.deleting = true;
  std::vector<BackupView> bs = {
      B("old", "ta", "Succeeded", Utc(2026, 1, 1)), B("run", "ta", "Running", Utc(2026, 1, 5)),
      B("pend", "ta", "Pending", Utc(2026, 1, 5)),  B("new", "ta", "Succeeded", Utc(2026, 1, 2)),
      B("nophase", "ta", "", Utc(2026, 1, 5)), manual, deleting,
  };
  CHECK(Names(Plan(bs, keep1, Utc(2026, 1, 6))) == std::vector<std::string>{"old"});
}

TEST_CASE("a failed Backup is superseded by a newer good one and never displaces it",
          "[policy_retention]") {
  RetentionPolicy keep1;
  keep1.keep_last = 1;
  std::vector<BackupView> bs = {
      B("good-old", "t", "Succeeded", Utc(2026, 1, 1)),
      B("failed-mid", "t", "Failed", Utc(2026, 1, 2)),
      B("failed-new", "t", "Failed", Utc(2026, 1, 3)),
  };
  // The newest good is kept whatever the counts; the failures are newer than
  // it, so they are kept as "no-newer-good".
  CHECK(Plan(bs, keep1, Utc(2026, 1, 4)).empty());
  bs.push_back(B("good-new", "t", "Succeeded", Utc(2026, 1, 4)));
  CHECK(Names(Plan(bs, keep1, Utc(2026, 1, 5))) ==
        std::vector<std::string>{"failed-mid", "failed-new", "good-old"});
}

TEST_CASE("absent or all-zero retention keeps everything", "[policy_retention]") {
  std::vector<BackupView> bs = {B("a", "t", "Succeeded", Utc(2026, 1, 1)),
                                B("b", "t", "Succeeded", Utc(2026, 1, 2))};
  CHECK(Plan(bs, std::nullopt, Utc(2026, 2, 1)).empty());
  CHECK(Plan(bs, RetentionPolicy{}, Utc(2026, 2, 1)).empty());
}

TEST_CASE("dry-run Backups expire after an hour and are not retention candidates",
          "[policy_retention]") {
  RetentionPolicy keep1;
  keep1.keep_last = 1;
  std::vector<BackupView> bs = {
      B("dry-old", "t", "Succeeded", Utc(2026, 1, 1, 10, 0), true),
      B("dry-new", "t", "Succeeded", Utc(2026, 1, 1, 10, 30), true),
      B("real", "t", "Succeeded", Utc(2026, 1, 1, 9, 0)),
  };
  auto rs = Plan(bs, keep1, Utc(2026, 1, 1, 11, 0));
  REQUIRE(rs.size() == 1);
  CHECK(rs[0].backup == "dry-old");
  CHECK(rs[0].path.empty());
  CHECK(rs[0].reasons == "dry-run-expired");
  // Even with no retention configured.
  CHECK(Names(Plan(bs, std::nullopt, Utc(2026, 1, 1, 12, 0))) ==
        std::vector<std::string>{"dry-new", "dry-old"});
}

TEST_CASE("daily ladder over a week of two runs a day", "[policy_retention]") {
  RetentionPolicy daily3;
  daily3.daily = 3;
  std::vector<BackupView> bs;
  for (int d = 1; d <= 7; ++d) {
    bs.push_back(B("d" + std::to_string(d) + "-am", "t", "Succeeded", Utc(2026, 1, d, 2)));
    bs.push_back(B("d" + std::to_string(d) + "-pm", "t", "Succeeded", Utc(2026, 1, d, 14)));
  }
  auto rs = Plan(bs, daily3, Utc(2026, 1, 8));
  CHECK(rs.size() == 11);  // keep d5-pm, d6-pm, d7-pm
  auto names = Names(rs);
  CHECK(std::find(names.begin(), names.end(), "d7-pm") == names.end());
  CHECK(std::find(names.begin(), names.end(), "d5-pm") == names.end());
  CHECK(std::find(names.begin(), names.end(), "d4-pm") != names.end());
  CHECK(std::find(names.begin(), names.end(), "d7-am") != names.end());
}

TEST_CASE("artifact paths must resolve inside the destination", "[policy_retention]") {
  TempDir t;
  std::string dest = t.path + "/dest";
  fs::create_directories(dest + "/sub");
  fs::create_directories(t.path + "/outside");
  fs::create_directory_symlink(t.path + "/outside", dest + "/escape");
  std::string r;
  CHECK(ResolveInsideDestination(dest, dest + "/a.zst", &r).ok());
  CHECK(r == dest + "/a.zst");
  CHECK(ResolveInsideDestination(dest + "/", dest + "/sub/a.zst", &r).ok());
  CHECK(ResolveInsideDestination(dest, dest + "/../outside/a.zst", &r).code() == Code::kForbidden);
  CHECK(ResolveInsideDestination(dest, dest + "/escape/a.zst", &r).code() == Code::kForbidden);
  CHECK(ResolveInsideDestination(dest, dest + "2/a.zst", &r).code() == Code::kForbidden);
  CHECK(ResolveInsideDestination(dest, dest, &r).code() == Code::kForbidden);
  CHECK(ResolveInsideDestination(dest, "relative/a.zst", &r).code() == Code::kForbidden);
  CHECK(ResolveInsideDestination(dest, "", &r).code() == Code::kForbidden);
}

TEST_CASE("removing an artifact removes its sidecar and tolerates missing files",
          "[policy_retention]") {
  TempDir t;
  std::string dest = t.path + "/dest";
  fs::create_directories(dest);
  Touch(dest + "/a.sql.zst");
  Touch(dest + "/a.sql.zst.json");
  Touch(dest + "/b.sql.zst");
  REQUIRE(RemoveArtifactFiles(dest, dest + "/a.sql.zst").ok());
  CHECK_FALSE(fs::exists(dest + "/a.sql.zst"));
  CHECK_FALSE(fs::exists(dest + "/a.sql.zst.json"));
  CHECK(fs::exists(dest + "/b.sql.zst"));
  CHECK(RemoveArtifactFiles(dest, dest + "/a.sql.zst").ok());  // already gone
  CHECK(RemoveArtifactFiles(dest, dest + "/b.sql.zst").ok());   // no sidecar
  CHECK_FALSE(fs::exists(dest + "/b.sql.zst"));

  Touch(t.path + "/victim");
  CHECK(RemoveArtifactFiles(dest, dest + "/../victim").code() == Code::kForbidden);
  CHECK(fs::exists(t.path + "/victim"));
}
