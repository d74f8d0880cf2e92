// The reconciler against a real registry (InProcessClient), with Docker
// hosts that do not answer: targets then come from the policy's last status,
// which is exactly the "keep last known targets" path, so Backup creation,
// ownership, naming, concurrency, manual runs and retention are all
// exercised without a daemon (the Docker success path is covered end to end
// by the integration tests).
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "operator/runtime/conditions.h"
#include "operator/runtime/owner_refs.h"
#include "reconcilers/backup/contract.h"
#include "reconcilers/backup/policy_reconciler.h"
#include "tests/unit/backup/civil_test_util.h"
#include "tests/unit/runtime/runtime_fixture.h"

using dw::backup::BackupDeps;
using dw::backup::BackupPolicyReconciler;
using dw::backup::TargetKey;
using dw::backup::testing::Utc;
using dw::runtime::testing::Doc;
namespace json = dw::json;
namespace fs = std::filesystem;

namespace {

const std::string kKeyPg = TargetKey("local", "pg", "pg");
const std::string kKeyRedis = TargetKey("local", "cache", "cache");

class PolicyFixture : public dw::runtime::testing::RuntimeFixture {
 public:
  PolicyFixture() {
    char t[] = "/tmp/dwpolrec-XXXXXX";
    REQUIRE(::mkdtemp(t));
    dest_ = std::string(t);
    // "local" answers nothing: a socket path that does not exist.
    dw::docker::DockerConfig cfg;
    cfg.endpoint = "unix://" + dest_ + "/no-such.sock";
    cfg.connect_timeout = std::chrono::milliseconds(200);
    hosts_.Upsert("default", "local", cfg, dw::dockerhost::HostState{true, "", "24.0", "1.43"});
    deps_.client = &client();
    deps_.hosts = &hosts_;
    deps_.now = [this] { return now_; };
    rec_ = std::make_unique<BackupPolicyReconciler>(deps_);
  }
  ~PolicyFixture() { fs::remove_all(dest_); }

  // A policy whose last status knows two targets on host "local".
  void CreatePolicy(const std::string& extra_spec = "", const std::string& last = "2026-03-01T02:00:00Z") {
    MustCreate(bp(), Doc(R"({"apiVersion":"dockward.io/v1alpha1","kind":"BackupPolicy",
      "metadata":{"name":"nightly"},
      "spec":{"schedule":"0 2 * * *","destination":{"path":")" + dest_ + "\"}" + extra_spec + "}}"));
    auto p = MustGet(bp(), "nightly");
    auto& a = p.GetAllocator();
    auto st = Doc(R"({"lastScheduleTime":")" + last + R"(","targets":[
      {"host":"local","container":"cache","key":")" + kKeyRedis + R"(","name":"cache","engine":"redis"},
      {"host":"local","container":"pg","key":")" + kKeyPg + R"(","name":"pg","engine":"postgres","databases":["app"]},
      {"host":"local","container":"evil","name":"evil","error":"bad label"}]})");
    json::Value v(st, a);
    json::SetValue(p, "status", v, a);
    REQUIRE(client().UpdateStatus(bp(), p, {}, nullptr).ok());
  }

  dw::runtime::Result Reconcile() {
    dw::runtime::Result r;
    auto st = rec_->Reconcile({"default", "nightly"}, &r);
    INFO(st.ToString());
    REQUIRE(st.ok());
    return r;
  }

  std::vector<json::Document> Backups() {
    dw::runtime::ObjectList list;
    REQUIRE(client().List(backups(), "default", {}, &list).ok());
    return std::move(list.items);
  }
  std::vector<std::string> BackupNames() {
    std::vector<std::string> out;
    for (auto& b : Backups()) out.push_back(json::GetStringPath(b, "metadata.name"));
    std::sort(out.begin(), out.end());
    return out;
  }

  void Finish(const std::string& name, const std::string& phase, const std::string& done,
              const std::string& path = "") {
    auto b = MustGet(backups(), name);
    auto& a = b.GetAllocator();
    auto st = Doc(R"({"phase":")" + phase + R"(","startTime":")" + done + R"(","completionTime":")" +
                  done + "\"" + (path.empty() ? "" : R"(,"path":")" + path + "\"") + "}");
    json::Value v(st, a);
    json::SetValue(b, "status", v, a);
    auto s = client().UpdateStatus(backups(), b, {}, nullptr);
    INFO(s.ToString());
    REQUIRE(s.ok());
  }

  void Annotate(const std::string& key, const std::string& value) {
    std::string body = R"({"metadata":{"annotations":{")" + key + R"(":")" + value + R"("}}})";
    REQUIRE(client().Patch(bp(), "default", "nightly", dw::runtime::PatchType::kMerge, body, {}, nullptr).ok());
  }

  std::string dest_;
  dw::clock::TimePoint now_ = Utc(2026, 3, 1, 12, 0);
  dw::dockerhost::HostRegistry hosts_;
  BackupDeps deps_;
  std::unique_ptr<BackupPolicyReconciler> rec_;
};

std::string Cond(const json::Value& policy, const std::string& type, const char* field) {
  const json::Value* c = dw::runtime::FindCondition(policy["status"], type);
  return c ? json::GetString(*c, field) : "";
}

}  // namespace

TEST_CASE_METHOD(PolicyFixture, "an unreachable host keeps its targets, degrades and backs off",
                 "[policy_reconciler]") {
  CreatePolicy();
  auto r = Reconcile();
  CHECK(BackupNames().empty());  // nothing due before 02:00 tomorrow
  CHECK(r.requeue_after == std::chrono::seconds(10));
  CHECK(Reconcile().requeue_after == std::chrono::seconds(20));
  auto p = MustGet(bp(), "nightly");
  CHECK(Cond(p, "Ready", "status") == "False");
  CHECK(Cond(p, "Ready", "reason") == "HostUnreachable");
  CHECK(Cond(p, "Degraded", "status") == "True");
  CHECK(Cond(p, "Degraded", "message").find("DockerHost local") != std::string::npos);
  CHECK(p["status"]["targets"].Size() == 3);
  CHECK(json::GetString(p["status"], "nextScheduleTime") == "2026-03-02T02:00:00Z");
  CHECK(json::GetInt(p["status"], "observedGeneration") == json::GetInt(p["metadata"], "generation"));

  // A host that is not registered at all is reported the same way.
  hosts_.Remove("default", "local");
  Reconcile();
  p = MustGet(bp(), "nightly");
  CHECK(Cond(p, "Degraded", "message").find("not found") != std::string::npos);
}

TEST_CASE_METHOD(PolicyFixture, "a due run creates one owned Backup per valid target, once",
                 "[policy_reconciler]") {
  CreatePolicy();
  now_ = Utc(2026, 3, 2, 2, 0, 30);
  Reconcile();
  auto names = BackupNames();
  std::vector<std::string> want = {"nightly-202603020200-" + kKeyRedis.substr(0, 6),
                                   "nightly-202603020200-" + kKeyPg.substr(0, 6)};
  std::sort(want.begin(), want.end());
  REQUIRE(names == want);
  auto policy = MustGet(bp(), "nightly");
  auto pg = MustGet(backups(), "nightly-202603020200-" + kKeyPg.substr(0, 6));
  CHECK(json::GetStringPath(pg, "spec.policyName") == "nightly");
  CHECK(json::GetStringPath(pg, "spec.host") == "local");
  CHECK(json::GetStringPath(pg, "spec.container") == "pg");
  CHECK(json::GetStringPath(pg, "spec.engine") == "postgres");
  REQUIRE(pg["spec"]["databases"].Size() == 1);
  CHECK(std::string(pg["spec"]["databases"][0].GetString()) == "app");
  CHECK(pg["spec"]["dryRun"].GetBool() == false);
  CHECK(json::GetString(pg["metadata"]["labels"], "dockward.io/policy") == "nightly");
  CHECK(json::GetString(pg["metadata"]["labels"], "dockward.io/target") == kKeyPg);
  CHECK(json::GetString(pg["metadata"]["annotations"], "dockward.io/scheduled-time") ==
        "2026-03-02T02:00:00Z");
  const json::Value* owner = dw::runtime::GetControllerOf(pg);
  REQUIRE(owner != nullptr);
  CHECK(json::GetString(*owner, "uid") == json::GetStringPath(policy, "metadata.uid"));
  CHECK(json::GetString(policy["status"], "lastScheduleTime") == "2026-03-02T02:00:00Z");
  CHECK(policy["status"]["activeBackups"].Size() == 2);

  // The same pass again (e.g. after a crash before the status write) is a no-op.
  Reconcile();
  CHECK(BackupNames().size() == 2);
}

TEST_CASE_METHOD(PolicyFixture, "Forbid skips a run while Backups are active; Replace replaces them",
                 "[policy_reconciler]") {
  CreatePolicy();
  now_ = Utc(2026, 3, 2, 2, 1);
  Reconcile();
  REQUIRE(BackupNames().size() == 2);
  now_ = Utc(2026, 3, 3, 2, 1);
  Reconcile();
  CHECK(BackupNames().size() == 2);  // skipped
  auto p = MustGet(bp(), "nightly");
  CHECK(json::GetString(p["status"], "lastScheduleTime") == "2026-03-03T02:00:00Z");

  REQUIRE(client().Patch(bp(), "default", "nightly", dw::runtime::PatchType::kMerge,
                         R"({"spec":{"concurrencyPolicy":"Replace"}})", {}, nullptr).ok());
  now_ = Utc(2026, 3, 4, 2, 1);
  Reconcile();
  auto names = BackupNames();
  REQUIRE(names.size() == 2);
  for (const auto& n : names) CHECK(n.find("-202603040200-") != std::string::npos);
}

TEST_CASE_METHOD(PolicyFixture, "a manual run creates labelled dry-run Backups once per request",
                 "[policy_reconciler]") {
  CreatePolicy(R"(,"concurrencyPolicy":"Forbid")");
  now_ = Utc(2026, 3, 2, 2, 1);
  Reconcile();  // scheduled run: 2 active Backups
  Annotate("dockward.io/run-dry-run", "true");
  Annotate("dockward.io/run-requested-at", "1772420000");
  Reconcile();  // Forbid does not hold a manual run back
  int manual = 0;
  for (auto& b : Backups()) {
    const json::Value& labels = b["metadata"]["labels"];
    if (json::GetString(labels, "dockward.io/run-request") != "1772420000") continue;
    ++manual;
    CHECK(json::GetStringPath(b, "metadata.name").rfind("nightly-manual-", 0) == 0);
    CHECK(b["spec"]["dryRun"].GetBool());
  }
  CHECK(manual == 2);
  CHECK(json::GetString(MustGet(bp(), "nightly")["status"], "lastHandledRunRequest") == "1772420000");
  Reconcile();
  CHECK(BackupNames().size() == 4);
}

TEST_CASE_METHOD(PolicyFixture, "retention prunes Backups with their files and reports results",
                 "[policy_reconciler]") {
  CreatePolicy(R"(,"retention":{"keepLast":1})");
  std::vector<std::string> pg_runs;
  for (int day = 2; day <= 4; ++day) {
    now_ = Utc(2026, 3, day, 2, 1);
    Reconcile();
    std::string name = "nightly-2026030" + std::to_string(day) + "0200-" + kKeyPg.substr(0, 6);
    std::string path = dest_ + "/" + name + ".sql.zst";
    std::ofstream(path) << "dump";
    std::ofstream(path + ".json") << "{}";
    Finish(name, "Succeeded", "2026-03-0" + std::to_string(day) + "T02:05:00Z", path);
    Finish("nightly-2026030" + std::to_string(day) + "0200-" + kKeyRedis.substr(0, 6),
           day == 4 ? "Failed" : "Succeeded", "2026-03-0" + std::to_string(day) + "T02:05:00Z");
    pg_runs.push_back(path);
  }
  now_ = Utc(2026, 3, 4, 3, 0);
  Reconcile();
  // pg: keep only the newest; redis: the newest good (day 3) and the newer failure.
  std::vector<std::string> want = {"nightly-202603030200-" + kKeyRedis.substr(0, 6),
                                   "nightly-202603040200-" + kKeyRedis.substr(0, 6),
                                   "nightly-202603040200-" + kKeyPg.substr(0, 6)};
  std::sort(want.begin(), want.end());
  CHECK(BackupNames() == want);
  CHECK_FALSE(fs::exists(pg_runs[0]));
  CHECK_FALSE(fs::exists(pg_runs[0] + ".json"));
  CHECK_FALSE(fs::exists(pg_runs[1]));
  CHECK(fs::exists(pg_runs[2]));
  CHECK(fs::exists(pg_runs[2] + ".json"));

  auto p = MustGet(bp(), "nightly");
  CHECK(json::GetString(p["status"], "lastSuccessfulTime") == "2026-03-04T02:05:00Z");
  CHECK(p["status"]["activeBackups"].Size() == 0);
  CHECK(Cond(p, "Degraded", "message").find("last backup failed for local/cache") != std::string::npos);
  bool saw_pg = false;
  for (const auto& t : p["status"]["targets"].GetArray()) {
    if (json::GetString(t, "container") != "pg") continue;
    saw_pg = true;
    CHECK(json::GetString(t, "lastBackup") == "nightly-202603040200-" + kKeyPg.substr(0, 6));
    CHECK(json::GetString(t["lastResult"], "phase") == "Succeeded");
    CHECK(json::GetString(t["lastResult"], "path") == pg_runs[2]);
  }
  CHECK(saw_pg);
}

TEST_CASE_METHOD(PolicyFixture, "retention never deletes outside the destination",
                 "[policy_reconciler]") {
  CreatePolicy(R"(,"retention":{"keepLast":1},"concurrencyPolicy":"Allow")");
  std::string outside = dest_ + "-outside";
  std::ofstream(outside) << "precious";
  for (int day = 2; day <= 3; ++day) {
    now_ = Utc(2026, 3, day, 2, 1);
    Reconcile();
    Finish("nightly-2026030" + std::to_string(day) + "0200-" + kKeyPg.substr(0, 6), "Succeeded",
           "2026-03-0" + std::to_string(day) + "T02:05:00Z", day == 2 ? outside : "");
  }
  Reconcile();
  CHECK(fs::exists(outside));
  CHECK(Exists(backups(), "nightly-202603020200-" + kKeyPg.substr(0, 6)));  // kept, refused
  fs::remove(outside);
}

TEST_CASE_METHOD(PolicyFixture, "an invalid spec is reported, nothing runs", "[policy_reconciler]") {
  CreatePolicy(R"(,"selector":{"matchLabels":{"a":"b"}})");
  // The CRD cannot reject a bad time zone that matches its pattern.
  REQUIRE(client().Patch(bp(), "default", "nightly", dw::runtime::PatchType::kMerge,
                         R"({"spec":{"timeZone":"Nowhere/Atlantis"}})", {}, nullptr).ok());
  now_ = Utc(2026, 3, 5, 2, 1);
  auto r = Reconcile();
  CHECK(r.requeue_after.count() == 0);
  CHECK(BackupNames().empty());
  auto p = MustGet(bp(), "nightly");
  CHECK(Cond(p, "Ready", "reason") == "InvalidSpec");
  CHECK(Cond(p, "Ready", "message").rfind("spec.timeZone: ", 0) == 0);
}

TEST_CASE_METHOD(PolicyFixture, "a deleted policy is not an error", "[policy_reconciler]") {
  dw::runtime::Result r;
  CHECK(rec_->Reconcile({"default", "absent"}, &r).ok());
}
