// Backup and Restore reconcilers against the embedded API (InProcessClient),
// a HostRegistry whose "local" host is never dialled (container labels come
// from an inspect double) and run-function doubles that write real artifacts
// through the ArtifactWriter.
#include <catch2/catch.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>

#include "operator/runtime/conditions.h"
#include "operator/runtime/finalizers.h"
#include "reconcilers/backup/artifact_writer.h"
#include "reconcilers/backup/backup_reconciler.h"
#include "reconcilers/backup/contract.h"
#include "reconcilers/backup/restore_reconciler.h"
#include "tests/unit/runtime/runtime_fixture.h"

namespace dw::backup {
namespace {

using namespace std::chrono_literals;
using runtime::testing::Doc;
using runtime::testing::Eventually;

// Writes a real artifact of `payload` where the job says, like RunBackup.
Status RunBackupDouble(const BackupJob& job, const std::string& payload, BackupOutcome* out) {
  std::filesystem::create_directories(job.dir);
  ArtifactMetadata m;
  m.engine = std::string(job.engine->name());
  m.databases = job.target.databases;
  m.container = job.container;
  m.host = job.host;
  std::unique_ptr<ArtifactWriter> w;
  DW_RETURN_IF_ERROR(ArtifactWriter::Create(job.dir, job.artifact_name, job.options, m, &w));
  DW_RETURN_IF_ERROR(w->Write(payload));
  DW_RETURN_IF_ERROR(w->Finish());
  out->metadata = w->metadata();
  out->path = w->path();
  out->sidecar_path = out->path + ".json";
  return Status::OK();
}

class Fixture : public runtime::testing::RuntimeFixture {
 public:
  Fixture() {
    char tmpl[] = "/tmp/dw-runs-XXXXXX";
    REQUIRE(::mkdtemp(tmpl) != nullptr);
    dest_ = tmpl;
    docker::DockerConfig cfg;
    cfg.endpoint = "unix://" + dest_ + "/no-docker.sock";
    dockerhost::HostState state;
    state.reachable = true;
    hosts_.Upsert("default", "local", cfg, state);
    deps_.client = &client();
    deps_.hosts = &hosts_;
    opts_.inspect_labels = [this](docker::DockerClient&, const std::string& c,
                                  std::map<std::string, std::string>* out) {
      ++inspects_;
      if (c != "pg") return Status::NotFound("No such container: " + c);
      *out = labels_;
      return Status::OK();
    };
    opts_.run_backup = [this](docker::DockerClient&, const BackupJob& job, const RunControl& ctl,
                              BackupOutcome* out) {
      int n = ++backup_calls_;
      if (n <= transient_failures_) return Status::Unavailable("docker daemon restarting");
      if (block_) {
        while (!ctl.cancel->load()) std::this_thread::sleep_for(5ms);
        return Status::Timeout("cancelled");
      }
      if (ctl.on_progress) ctl.on_progress(RunProgress{7, 3.5});
      return RunBackupDouble(job, "CREATE TABLE t (id int);\n", out);
    };
    opts_.cancel_wait = 5s;
  }
  ~Fixture() {
    std::error_code ec;
    std::filesystem::remove_all(dest_, ec);
  }

  void CreatePolicy(const std::string& extra = "") {
    MustCreate(bp(), Doc(R"({"apiVersion":"dockward.io/v1alpha1","kind":"BackupPolicy","metadata":{"name":"p"},
      "spec":{"schedule":"0 2 * * *","destination":{"path":")" + dest_ + R"("},
      "retry":{"attempts":3,"backoffSeconds":0})" + extra + "}}"));
  }
  void CreateBackup(const std::string& name, const std::string& extra = "") {
    MustCreate(backups(), Doc(R"({"apiVersion":"dockward.io/v1alpha1","kind":"Backup","metadata":{"name":")" +
                              name + R"("},"spec":{"policyName":"p","host":"local","container":"pg",
                              "engine":"postgres")" + extra + "}}"));
  }
  json::Document Get(const std::string& name) { return MustGet(backups(), name); }
  std::string Phase(const std::string& name) { return json::GetStringPath(Get(name), "status.phase"); }
  Status Reconcile(BackupReconciler& r, const std::string& name, runtime::Result* res = nullptr) {
    runtime::Result local;
    return r.Reconcile(runtime::Request{"default", name}, res ? res : &local);
  }
  bool WaitPhase(const std::string& name, const std::string& phase) {
    return Eventually([&] { return Phase(name) == phase; });
  }

  std::string dest_;
  dockerhost::HostRegistry hosts_;
  BackupDeps deps_;
  RunOptions opts_;
  std::map<std::string, std::string> labels_ = {{"dockward.io/backup.databases", "app"},
                                                {"dockward.io/backup.user", "admin"}};
  std::atomic<int> inspects_{0}, backup_calls_{0};
  int transient_failures_ = 0;
  std::atomic<bool> block_{false};
};

TEST_CASE_METHOD(Fixture, "Backup: new -> Pending -> Running -> Succeeded with a real artifact",
                 "[backup][run_reconciler]") {
  CreatePolicy();
  CreateBackup("b1");
  BackupReconciler r(deps_, opts_);
  REQUIRE(Reconcile(r, "b1").ok());
  auto obj = Get("b1");
  CHECK(json::GetStringPath(obj, "status.phase") == "Pending");
  CHECK(runtime::HasFinalizer(obj, std::string(kFinalizerRun)));

  REQUIRE(Reconcile(r, "b1").ok());
  REQUIRE(WaitPhase("b1", "Succeeded"));
  obj = Get("b1");
  const json::Value& s = obj["status"];
  const std::string path = json::GetString(s, "path");
  CHECK(path.rfind(dest_ + "/local/pg/pg-", 0) == 0);
  CHECK(path.size() > 8);
  CHECK(path.substr(path.size() - 8) == ".sql.zst");
  REQUIRE(std::filesystem::exists(path));
  CHECK(std::filesystem::exists(path + ".json"));
  CHECK(json::GetInt(s, "sizeBytes") == static_cast<int64_t>(std::filesystem::file_size(path)));
  CHECK(json::GetInt(s, "bytes") == 25);
  CHECK(json::GetString(s, "sha256").size() == 64);
  CHECK(json::GetInt(s, "attempts") == 1);
  CHECK_FALSE(json::GetString(s, "startTime").empty());
  CHECK_FALSE(json::GetString(s, "completionTime").empty());
  CHECK(json::Find(s, "progress") == nullptr);
  CHECK(runtime::IsTrue(s, "Ready"));
  CHECK(runtime::IsTrue(s, "Verified"));
  CHECK(json::GetString(s, "message").rfind("backed up 25 bytes (", 0) == 0);

  // Terminal: the finalizer goes.
  REQUIRE(Reconcile(r, "b1").ok());
  CHECK_FALSE(runtime::HasFinalizer(Get("b1"), std::string(kFinalizerRun)));
  CHECK(Phase("b1") == "Succeeded");
}

TEST_CASE_METHOD(Fixture, "Backup without its policy fails with PolicyNotFound", "[backup][run_reconciler]") {
  CreateBackup("orphan");
  BackupReconciler r(deps_, opts_);
  REQUIRE(Reconcile(r, "orphan").ok());
  auto obj = Get("orphan");
  CHECK(json::GetStringPath(obj, "status.phase") == "Failed");
  CHECK(json::GetStringPath(obj, "status.reason") == "PolicyNotFound");
  CHECK(json::GetStringPath(obj, "status.message") == "BackupPolicy default/p not found");
  CHECK(backup_calls_ == 0);
}

TEST_CASE_METHOD(Fixture, "Backup waits Pending for a host slot", "[backup][run_reconciler]") {
  CreatePolicy(R"(,"maxConcurrentPerHost":1)");
  CreateBackup("b2");
  dockerhost::HostRegistry::Slot held;
  REQUIRE(hosts_.TryAcquire("default", "local", 1, &held));
  BackupReconciler r(deps_, opts_);
  REQUIRE(Reconcile(r, "b2").ok());
  runtime::Result res;
  REQUIRE(Reconcile(r, "b2", &res).ok());
  CHECK(res.requeue_after == 5s);
  auto obj = Get("b2");
  CHECK(json::GetStringPath(obj, "status.phase") == "Pending");
  CHECK(json::GetStringPath(obj, "status.message") == "waiting for a free slot on host local (1 running)");
  CHECK(backup_calls_ == 0);

  held = dockerhost::HostRegistry::Slot();
  REQUIRE(Reconcile(r, "b2").ok());
  REQUIRE(WaitPhase("b2", "Succeeded"));
  // The run gave its slot back.
  CHECK(Eventually([&] { return hosts_.InUse("default", "local") == 0; }));
}

TEST_CASE_METHOD(Fixture, "Backup retries transient errors and counts attempts", "[backup][run_reconciler]") {
  CreatePolicy();
  CreateBackup("b3");
  transient_failures_ = 2;
  BackupReconciler r(deps_, opts_);
  REQUIRE(Reconcile(r, "b3").ok());
  REQUIRE(Reconcile(r, "b3").ok());
  REQUIRE(WaitPhase("b3", "Succeeded"));
  CHECK(backup_calls_ == 3);
  CHECK(json::GetInt(Get("b3")["status"], "attempts") == 3);
}

TEST_CASE_METHOD(Fixture, "Backup fails after the last transient attempt", "[backup][run_reconciler]") {
  CreatePolicy();
  CreateBackup("b4");
  transient_failures_ = 10;
  BackupReconciler r(deps_, opts_);
  REQUIRE(Reconcile(r, "b4").ok());
  REQUIRE(Reconcile(r, "b4").ok());
  REQUIRE(WaitPhase("b4", "Failed"));
  auto obj = Get("b4");
  CHECK(backup_calls_ == 3);
  CHECK(json::GetStringPath(obj, "status.reason") == "HostUnreachable");
  CHECK(json::GetStringPath(obj, "status.message") == "docker daemon restarting (after 3 attempts)");
  CHECK(json::Find(obj["status"], "path") == nullptr);
  CHECK_FALSE(runtime::IsTrue(obj["status"], "Ready"));
}

TEST_CASE_METHOD(Fixture, "Backup with bad labels fails InvalidTarget without a dump", "[backup][run_reconciler]") {
  CreatePolicy();
  CreateBackup("b5");
  labels_["dockward.io/backup.databases"] = "app; rm -rf /";
  BackupReconciler r(deps_, opts_);
  REQUIRE(Reconcile(r, "b5").ok());
  REQUIRE(Reconcile(r, "b5").ok());
  REQUIRE(WaitPhase("b5", "Failed"));
  CHECK(json::GetStringPath(Get("b5"), "status.reason") == "InvalidTarget");
  CHECK(backup_calls_ == 0);
}

TEST_CASE_METHOD(Fixture, "Dry run reports the command and writes nothing", "[backup][run_reconciler]") {
  CreatePolicy();
  CreateBackup("dry", R"(,"dryRun":true)");
  BackupReconciler r(deps_, opts_);
  REQUIRE(Reconcile(r, "dry").ok());
  REQUIRE(Reconcile(r, "dry").ok());
  REQUIRE(WaitPhase("dry", "Succeeded"));
  auto obj = Get("dry");
  CHECK(json::GetStringPath(obj, "status.reason") == "DryRun");
  const std::string msg = json::GetStringPath(obj, "status.message");
  CHECK(msg.rfind("would run pg_dump --format=plain --no-password -U admin -d app for databases [app] "
                  "in container pg on host local into " + dest_ + "/local/pg/pg-", 0) == 0);
  CHECK(json::Find(obj["status"], "path") == nullptr);
  CHECK(backup_calls_ == 0);
  CHECK_FALSE(std::filesystem::exists(dest_ + "/local"));
}

TEST_CASE_METHOD(Fixture, "A Running Backup unknown to this process is Interrupted and its temps swept",
                 "[backup][run_reconciler]") {
  CreatePolicy();
  CreateBackup("b6");
  const std::string dir = dest_ + "/local/pg";
  std::filesystem::create_directories(dir);
  const std::string temp = dir + "/.pg-20260101T000000Z.sql.zst.tmp-dead01";
  std::ofstream(temp) << "partial dump";
  {
    auto obj = Get("b6");
    auto& a = obj.GetAllocator();
    json::Value& s = json::EnsureObject(obj, "status", a);
    json::SetString(s, "phase", "Running", a);
    json::SetString(s, "path", dir + "/pg-20260101T000000Z.sql.zst", a);
    REQUIRE(client().UpdateStatus(backups(), obj, runtime::WriteOptions{}, nullptr).ok());
  }
  BackupReconciler r(deps_, opts_);
  REQUIRE(Reconcile(r, "b6").ok());
  auto obj = Get("b6");
  CHECK(json::GetStringPath(obj, "status.phase") == "Failed");
  CHECK(json::GetStringPath(obj, "status.reason") == "Interrupted");
  CHECK(json::GetStringPath(obj, "status.message") == "dockward stopped while the run was in progress");
  CHECK(json::Find(obj["status"], "path") == nullptr);
  CHECK_FALSE(std::filesystem::exists(temp));
  CHECK(backup_calls_ == 0);
}

TEST_CASE_METHOD(Fixture, "Deleting a running Backup cancels the run and drops the finalizer",
                 "[backup][run_reconciler]") {
  CreatePolicy();
  CreateBackup("b7");
  block_ = true;
  BackupReconciler r(deps_, opts_);
  REQUIRE(Reconcile(r, "b7").ok());
  REQUIRE(Reconcile(r, "b7").ok());
  REQUIRE(Eventually([&] { return backup_calls_ == 1; }));
  CHECK(r.tracker().Live("default/b7"));
  // Running and known: Reconcile only observes.
  REQUIRE(Reconcile(r, "b7").ok());
  CHECK(Phase("b7") == "Running");

  apiserver::WriteResult wr;
  REQUIRE(reg().Delete(backups(), "default", "b7", apiserver::DeleteOptions{}, &wr).ok());
  REQUIRE(Reconcile(r, "b7").ok());
  CHECK_FALSE(r.tracker().Live("default/b7"));
  CHECK_FALSE(Exists(backups(), "b7"));
}

TEST_CASE_METHOD(Fixture, "Shutting the reconciler down ends a run as Interrupted", "[backup][run_reconciler]") {
  CreatePolicy();
  CreateBackup("b8");
  block_ = true;
  {
    BackupReconciler r(deps_, opts_);
    REQUIRE(Reconcile(r, "b8").ok());
    REQUIRE(Reconcile(r, "b8").ok());
    REQUIRE(Eventually([&] { return backup_calls_ == 1; }));
  }
  auto obj = Get("b8");
  CHECK(json::GetStringPath(obj, "status.phase") == "Failed");
  CHECK(json::GetStringPath(obj, "status.reason") == "Interrupted");
}

// ---------------------------------------------------------------------------
TEST_CASE_METHOD(Fixture, "Restore of a Backup's artifact reaches Succeeded", "[backup][run_reconciler]") {
  CreatePolicy();
  CreateBackup("src");
  BackupReconciler br(deps_, opts_);
  REQUIRE(Reconcile(br, "src").ok());
  REQUIRE(Reconcile(br, "src").ok());
  REQUIRE(WaitPhase("src", "Succeeded"));
  const std::string artifact = json::GetStringPath(Get("src"), "status.path");

  RestoreJob seen;
  opts_.run_restore = [&](docker::DockerClient&, const RestoreJob& job, const RunControl&, RestoreOutcome* out) {
    seen = job;
    out->bytes = job.metadata.dump_bytes;
    return Status::OK();
  };
  const schema::ResourceInfo* restores = client().Resolve("dockward.io/v1alpha1", "Restore");
  REQUIRE(restores != nullptr);
  MustCreate(*restores, Doc(R"({"apiVersion":"dockward.io/v1alpha1","kind":"Restore","metadata":{"name":"r1"},
      "spec":{"backupName":"src","container":"pg"}})"));
  RestoreReconciler rr(deps_, opts_);
  runtime::Result res;
  REQUIRE(rr.Reconcile(runtime::Request{"default", "r1"}, &res).ok());
  CHECK(json::GetStringPath(MustGet(*restores, "r1"), "status.phase") == "Pending");
  REQUIRE(rr.Reconcile(runtime::Request{"default", "r1"}, &res).ok());
  REQUIRE(Eventually([&] { return json::GetStringPath(MustGet(*restores, "r1"), "status.phase") == "Succeeded"; }));
  auto obj = MustGet(*restores, "r1");
  CHECK(json::GetStringPath(obj, "status.path") == artifact);
  CHECK(json::GetInt(obj["status"], "bytes") == 25);
  CHECK(json::GetStringPath(obj, "status.message") == "restored 25 bytes into container pg database app");
  CHECK(seen.artifact_path == artifact);
  CHECK(seen.engine->name() == "postgres");
  CHECK(seen.target.databases == std::vector<std::string>{"app"});
  CHECK(seen.metadata.dump_bytes == 25);
}

TEST_CASE_METHOD(Fixture, "Restore of a damaged sidecar fails VerificationFailed; a missing Backup BackupNotFound",
                 "[backup][run_reconciler]") {
  const schema::ResourceInfo* restores = client().Resolve("dockward.io/v1alpha1", "Restore");
  REQUIRE(restores != nullptr);
  std::ofstream(dest_ + "/x.sql.zst") << "junk";
  std::ofstream(dest_ + "/x.sql.zst.json") << "{\"format_version\": \"nope\"";
  MustCreate(*restores, Doc(R"({"apiVersion":"dockward.io/v1alpha1","kind":"Restore","metadata":{"name":"r2"},
      "spec":{"artifactPath":")" + dest_ + R"(/x.sql.zst","container":"pg"}})"));
  MustCreate(*restores, Doc(R"({"apiVersion":"dockward.io/v1alpha1","kind":"Restore","metadata":{"name":"r3"},
      "spec":{"backupName":"nope","container":"pg"}})"));
  RestoreReconciler rr(deps_, opts_);
  runtime::Result res;
  for (int i = 0; i < 2; ++i) {
    REQUIRE(rr.Reconcile(runtime::Request{"default", "r2"}, &res).ok());
    REQUIRE(rr.Reconcile(runtime::Request{"default", "r3"}, &res).ok());
  }
  REQUIRE(Eventually([&] { return json::GetStringPath(MustGet(*restores, "r2"), "status.phase") == "Failed"; }));
  CHECK(json::GetStringPath(MustGet(*restores, "r2"), "status.reason") == "VerificationFailed");
  CHECK(json::GetStringPath(MustGet(*restores, "r3"), "status.phase") == "Failed");
  CHECK(json::GetStringPath(MustGet(*restores, "r3"), "status.reason") == "BackupNotFound");
}

}  // namespace
}  // namespace dw::backup
