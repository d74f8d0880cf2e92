// The GitRepository reconciler against a real registry (InProcessClient)
// and real git repositories: commits that add, change and remove manifests,
// prune, an invalid commit, a hand edit, suspend, sync requests, the
// failure conditions, and the prune finalizer at deletion.
#include <catch2/catch.hpp>

#include "operator/runtime/conditions.h"
#include "operator/runtime/finalizers.h"
#include "reconcilers/gitops/contract.h"
#include "reconcilers/gitops/gitrepository_reconciler.h"
#include "tests/unit/gitops/git_fixture.h"
#include "tests/unit/runtime/runtime_fixture.h"

namespace dw::gitops {
namespace {

using runtime::testing::Doc;
using testing::GitFixture;

std::string Policy(const std::string& name, const std::string& schedule, const std::string& extra = "") {
  return "apiVersion: dockward.io/v1alpha1\nkind: BackupPolicy\nmetadata:\n  name: " + name +
         "\nspec:\n  schedule: \"" + schedule + "\"\n  destination:\n    path: /var/backups\n" + extra;
}

// The same BackupPolicy as JSON, for objects made by hand (not from Git).
std::string PolicyJson(const std::string& name, const std::string& schedule) {
  return R"({"apiVersion":"dockward.io/v1alpha1","kind":"BackupPolicy","metadata":{"name":")" + name +
         R"("},"spec":{"schedule":")" + schedule + R"(","destination":{"path":"/var/backups"}}})";
}

class GitOpsFixture : public runtime::testing::RuntimeFixture {
 public:
  GitOpsFixture() {
    kind_ = client().Resolve("dockward.io/v1alpha1", "GitRepository");
    REQUIRE(kind_ != nullptr);
    GitOpsDeps deps;
    deps.client = &client();
    deps.cache_dir = git_.cache();
    deps.now = [this] { return now_; };
    rec_ = std::make_unique<GitRepositoryReconciler>(deps);
  }

  void CreateRepo(const std::string& spec_extra = R"(,"prune":true)") {
    MustCreate(*kind_, Doc(R"({"apiVersion":"dockward.io/v1alpha1","kind":"GitRepository",
      "metadata":{"name":"ops"},"spec":{"url":")" + git_.origin() +
                               R"(","ref":{"branch":"main"},"path":"./deploy","interval":"1m")" + spec_extra + "}}"));
  }
  void PatchRepo(const std::string& merge) {
    Status st = client().Patch(*kind_, "default", "ops", runtime::PatchType::kMerge, merge, {}, nullptr);
    INFO(st.ToString());
    REQUIRE(st.ok());
  }
  Status Pass(runtime::Result* r = nullptr) {
    runtime::Result local;
    return rec_->Reconcile({"default", "ops"}, r ? r : &local);
  }
  void Later(std::chrono::seconds s = std::chrono::seconds(61)) { now_ += s; }

  json::Document Repo() { return MustGet(*kind_, "ops"); }
  std::string StatusField(const char* f) { return json::GetStringPath(Repo(), std::string("status.") + f); }
  std::string Cond(const char* type, const char* field) {
    json::Document d = Repo();
    const json::Value* s = json::Find(d, "status");
    const json::Value* c = s ? runtime::FindCondition(*s, type) : nullptr;
    return c ? json::GetString(*c, field) : "";
  }
  bool HasPolicy(const std::string& name, const std::string& ns = "default") { return Exists(bp(), name, ns); }
  std::string Schedule(const std::string& name) {
    return json::GetStringPath(MustGet(bp(), name), "spec.schedule");
  }

  GitFixture git_;
  const schema::ResourceInfo* kind_ = nullptr;
  clock::TimePoint now_ = clock::TimePoint(std::chrono::seconds(1'800'000'000));
  std::unique_ptr<GitRepositoryReconciler> rec_;
};

TEST_CASE_METHOD(GitOpsFixture, "gitops: applied state follows add, change and remove; prune deletes",
                 "[reconciler]") {
  git_.Write("deploy/a.yaml", Policy("a", "0 1 * * *"));
  git_.Write("deploy/b.yaml", Policy("b", "0 2 * * *"));
  git_.Write("README.md", "not applied");
  std::string c1 = git_.Commit("a and b");
  CreateRepo();
  runtime::Result r;
  REQUIRE(Pass(&r).ok());
  CHECK(Cond("Ready", "status") == "True");
  CHECK(Cond("Ready", "reason") == "ReconciliationSucceeded");
  CHECK(Cond("Reconciling", "status") == "");
  CHECK(StatusField("lastAppliedRevision") == "main@sha1:" + c1);
  CHECK(StatusField("fetchedRevision") == "main@sha1:" + c1);
  CHECK(HasPolicy("a"));
  CHECK(HasPolicy("b"));
  CHECK(r.requeue_after == std::chrono::minutes(1));
  CHECK(json::FindPath(Repo(), "status.inventory")->Size() == 2);
  CHECK(runtime::testing::Doc(json::Serialize(MustGet(bp(), "a"))).IsObject());
  CHECK(json::Serialize(MustGet(bp(), "a")).find("dockward-gitops") != std::string::npos);  // managedFields

  // Not due yet: nothing is fetched or written.
  std::string rv = runtime::ResourceVersionOf(Repo());
  git_.Write("deploy/a.yaml", Policy("a", "0 3 * * *"));
  git_.Remove("deploy/b.yaml");
  git_.Write("deploy/sub/c.yaml", Policy("c", "0 4 * * *"));
  std::string c2 = git_.Commit("change a, remove b, add c");
  Later(std::chrono::seconds(10));
  REQUIRE(Pass(&r).ok());
  CHECK(runtime::ResourceVersionOf(Repo()) == rv);
  CHECK(r.requeue_after == std::chrono::seconds(50));
  CHECK(Schedule("a") == "0 1 * * *");

  Later();
  REQUIRE(Pass(&r).ok());
  CHECK(StatusField("lastAppliedRevision") == "main@sha1:" + c2);
  CHECK(Schedule("a") == "0 3 * * *");
  CHECK_FALSE(HasPolicy("b"));
  CHECK(HasPolicy("c"));
  CHECK(json::FindPath(Repo(), "status.inventory")->Size() == 2);
  CHECK(json::FindPath(Repo(), "status.lastDriftCorrection") == nullptr);  // a Git change is not drift

  // A quiet sync writes nothing.
  rv = runtime::ResourceVersionOf(Repo());
  Later();
  REQUIRE(Pass(&r).ok());
  CHECK(runtime::ResourceVersionOf(Repo()) == rv);
}

TEST_CASE_METHOD(GitOpsFixture, "gitops: without prune, removed manifests stay", "[reconciler]") {
  git_.Write("deploy/a.yaml", Policy("a", "0 1 * * *"));
  git_.Write("deploy/b.yaml", Policy("b", "0 2 * * *"));
  git_.Commit("a and b");
  CreateRepo("");
  REQUIRE(Pass().ok());
  git_.Remove("deploy/b.yaml");
  git_.Commit("remove b");
  Later();
  REQUIRE(Pass().ok());
  CHECK(Cond("Ready", "status") == "True");
  CHECK(HasPolicy("b"));
  CHECK(json::FindPath(Repo(), "status.inventory")->Size() == 1);
}

TEST_CASE_METHOD(GitOpsFixture, "gitops: an invalid commit applies nothing and says where", "[reconciler]") {
  git_.Write("deploy/a.yaml", Policy("a", "0 1 * * *"));
  std::string good = git_.Commit("a");
  CreateRepo();
  REQUIRE(Pass().ok());

  git_.Write("deploy/a.yaml", Policy("a", "0 5 * * *"));  // valid change, must not be applied either
  git_.Write("deploy/z.yaml", Policy("z", "0 6 * * *", "  concurrencyPolicy: Sometimes\n"));
  std::string bad = git_.Commit("bad");
  Later();
  runtime::Result r;
  REQUIRE(Pass(&r).ok());
  CHECK(Schedule("a") == "0 1 * * *");
  CHECK_FALSE(HasPolicy("z"));
  CHECK(Cond("Ready", "status") == "False");
  CHECK(Cond("Ready", "reason") == "ValidationFailed");
  CHECK(Cond("Stalled", "status") == "True");
  std::string msg = Cond("Ready", "message");
  INFO(msg);
  CHECK(msg.find("deploy/z.yaml:9: BackupPolicy default/z") != std::string::npos);
  CHECK(msg.find("concurrencyPolicy") != std::string::npos);
  CHECK(StatusField("lastAppliedRevision") == "main@sha1:" + good);
  CHECK(StatusField("lastAttemptedRevision") == "main@sha1:" + bad);
  CHECK(r.requeue_after == std::chrono::minutes(1));

  // A YAML error is reported the same way.
  git_.Write("deploy/z.yaml", "apiVersion: dockward.io/v1alpha1\nkind: [BackupPolicy\n");
  git_.Commit("worse");
  Later();
  REQUIRE(Pass().ok());
  CHECK(Cond("Ready", "message").find("deploy/z.yaml:3:1: did not find expected") != std::string::npos);
  CHECK(Schedule("a") == "0 1 * * *");

  git_.Remove("deploy/z.yaml");
  std::string fixed = git_.Commit("fix");
  Later();
  REQUIRE(Pass().ok());
  CHECK(Cond("Ready", "status") == "True");
  CHECK(Cond("Stalled", "status") == "");
  CHECK(Schedule("a") == "0 5 * * *");
  CHECK(StatusField("lastAppliedRevision") == "main@sha1:" + fixed);
}

TEST_CASE_METHOD(GitOpsFixture, "gitops: a hand edit is drift, put back at the requested sync", "[reconciler]") {
  git_.Write("deploy/a.yaml", Policy("a", "0 1 * * *"));
  std::string c1 = git_.Commit("a");
  CreateRepo();
  REQUIRE(Pass().ok());

  Status st = client().Patch(bp(), "default", "a", runtime::PatchType::kMerge, R"({"spec":{"schedule":"9 9 * * *"}})",
                             runtime::WriteOptions{"kubectl-edit"}, nullptr);
  REQUIRE(st.ok());
  REQUIRE(Schedule("a") == "9 9 * * *");
  // Not due: the edit stands until the next sync...
  REQUIRE(Pass().ok());
  CHECK(Schedule("a") == "9 9 * * *");
  // ...which a sync request starts at once.
  PatchRepo(R"({"metadata":{"annotations":{"dockward.io/sync-requested-at":"req-1"}}})");
  REQUIRE(Pass().ok());
  CHECK(Schedule("a") == "0 1 * * *");
  CHECK(StatusField("lastHandledSyncAt") == "req-1");
  json::Document repo = Repo();
  const json::Value* objs = json::FindPath(repo, "status.lastDriftCorrection.objects");
  REQUIRE(objs != nullptr);
  REQUIRE(objs->Size() == 1);
  CHECK(std::string((*objs)[0].GetString()) == "BackupPolicy default/a");
  CHECK(json::GetStringPath(repo, "status.lastDriftCorrection.revision") == "main@sha1:" + c1);

  // Handled: the same request value does not sync again.
  std::string rv = runtime::ResourceVersionOf(Repo());
  REQUIRE(Pass().ok());
  CHECK(runtime::ResourceVersionOf(Repo()) == rv);
}

TEST_CASE_METHOD(GitOpsFixture, "gitops: suspend stops syncing until resumed", "[reconciler]") {
  git_.Write("deploy/a.yaml", Policy("a", "0 1 * * *"));
  git_.Commit("a");
  CreateRepo();
  REQUIRE(Pass().ok());
  PatchRepo(R"({"spec":{"suspend":true}})");
  git_.Write("deploy/a.yaml", Policy("a", "0 7 * * *"));
  std::string c2 = git_.Commit("while suspended");
  Later();
  runtime::Result r;
  REQUIRE(Pass(&r).ok());
  CHECK(r.requeue_after.count() == 0);
  CHECK(Schedule("a") == "0 1 * * *");
  PatchRepo(R"({"spec":{"suspend":false}})");
  REQUIRE(Pass().ok());
  CHECK(Schedule("a") == "0 7 * * *");
  CHECK(StatusField("lastAppliedRevision") == "main@sha1:" + c2);
}

TEST_CASE_METHOD(GitOpsFixture, "gitops: a namespace and its contents in one commit", "[reconciler]") {
  git_.Write("deploy/00-ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team\n");
  git_.Write("deploy/a.yaml", Policy("a", "0 1 * * *") );
  std::string with_ns = Policy("t", "0 1 * * *");
  with_ns.replace(with_ns.find("  name: t\n"), 10, "  name: t\n  namespace: team\n");
  git_.Write("deploy/t.yaml", with_ns);
  git_.Commit("ns");
  CreateRepo();
  REQUIRE(Pass().ok());
  INFO(Cond("Ready", "message"));
  CHECK(Cond("Ready", "status") == "True");
  CHECK(HasPolicy("t", "team"));
  CHECK_FALSE(HasPolicy("t", "default"));  // validated there, never written there
}

TEST_CASE_METHOD(GitOpsFixture, "gitops: an unreachable repository retries with backoff", "[reconciler]") {
  MustCreate(*kind_, Doc(R"({"apiVersion":"dockward.io/v1alpha1","kind":"GitRepository",
      "metadata":{"name":"ops"},"spec":{"url":")" + git_.root() + R"(/missing.git","interval":"10m"}})"));
  runtime::Result r1, r2;
  REQUIRE(Pass(&r1).ok());
  CHECK(Cond("Ready", "status") == "False");
  CHECK(Cond("Ready", "reason") == "GitOperationFailed");
  CHECK(Cond("Reconciling", "reason") == "ProgressingWithRetry");
  CHECK(Cond("Stalled", "status") == "");
  CHECK(r1.requeue_after == std::chrono::seconds(5));
  Later(std::chrono::seconds(6));
  REQUIRE(Pass(&r2).ok());
  CHECK(r2.requeue_after == std::chrono::seconds(10));
}

TEST_CASE_METHOD(GitOpsFixture, "gitops: a missing credentials Secret is AuthenticationFailed", "[reconciler]") {
  git_.Commit("empty");
  CreateRepo(R"(,"secretRef":{"name":"git-creds"})");
  REQUIRE(Pass().ok());
  CHECK(Cond("Ready", "reason") == "AuthenticationFailed");
  CHECK(Cond("Ready", "message").find("git-creds") != std::string::npos);
}

TEST_CASE_METHOD(GitOpsFixture, "gitops: a spec the parser refuses is Stalled InvalidSpec", "[reconciler]") {
  MustCreate(*kind_, Doc(R"({"apiVersion":"dockward.io/v1alpha1","kind":"GitRepository",
      "metadata":{"name":"ops"},"spec":{"url":"/srv/r.git","path":"../outside"}})"));
  runtime::Result r;
  REQUIRE(Pass(&r).ok());
  CHECK(Cond("Stalled", "reason") == "InvalidSpec");
  CHECK(Cond("Ready", "message").find("spec.path") != std::string::npos);
  CHECK(r.requeue_after.count() == 0);
}

// The real in-process client, except that deleting BackupPolicies is
// refused while `refuse` is set, as an API server does when RBAC lacks the
// delete verb.
class RefusingClient : public runtime::InProcessClient {
 public:
  using InProcessClient::InProcessClient;
  Status Delete(const schema::ResourceInfo& r, const std::string& ns, const std::string& name,
                const runtime::DeleteOptions& opts) override {
    if (refuse && r.kind == "BackupPolicy")
      return Status::Forbidden("backuppolicies \"" + name + "\" is forbidden: cannot delete");
    return InProcessClient::Delete(r, ns, name, opts);
  }
  bool refuse = false;
};

class DeletionFixture : public GitOpsFixture {
 public:
  bool HasPruneFinalizer() { return runtime::HasFinalizer(Repo(), std::string(kFinalizerPrune)); }
  // Deletes the GitRepository; true when it went at once (no finalizer).
  bool DeleteRepo() {
    apiserver::WriteResult res;
    Status st = reg().Delete(*kind_, "default", "ops", apiserver::DeleteOptions{}, &res);
    INFO(st.ToString());
    REQUIRE(st.ok());
    return res.deleted;
  }
  bool RepoExists() { return Exists(*kind_, "ops"); }
};

TEST_CASE_METHOD(DeletionFixture, "gitops: deleting a pruning GitRepository deletes what it applied",
                 "[reconciler][finalizer]") {
  git_.Write("deploy/a.yaml", Policy("a", "0 1 * * *"));
  git_.Write("deploy/b.yaml", Policy("b", "0 2 * * *"));
  git_.Commit("a and b");
  CreateRepo();
  REQUIRE(Pass().ok());
  CHECK(HasPruneFinalizer());
  REQUIRE(HasPolicy("a"));
  // Objects it did not apply, or no longer owns, are not its to delete.
  MustCreate(bp(), Doc(PolicyJson("hand", "0 3 * * *")));
  DeletePolicy("b");
  MustCreate(bp(), Doc(PolicyJson("b", "0 4 * * *")));

  CHECK_FALSE(DeleteRepo());  // the finalizer holds it
  REQUIRE(RepoExists());
  REQUIRE(Pass().ok());
  CHECK_FALSE(HasPolicy("a"));
  CHECK(HasPolicy("b"));
  CHECK(HasPolicy("hand"));
  CHECK_FALSE(RepoExists());  // the finalizer was the last one
  runtime::Result r;
  REQUIRE(Pass(&r).ok());  // the event after it went: nothing to do
}

TEST_CASE_METHOD(DeletionFixture, "gitops: prune turned off drops the finalizer; deletion keeps the objects",
                 "[reconciler][finalizer]") {
  git_.Write("deploy/a.yaml", Policy("a", "0 1 * * *"));
  git_.Commit("a");
  CreateRepo();
  REQUIRE(Pass().ok());
  REQUIRE(HasPruneFinalizer());
  const int64_t gen = json::GetInt(*json::Find(Repo(), "metadata"), "generation", 0);
  PatchRepo(R"({"spec":{"prune":false}})");
  REQUIRE(Pass().ok());
  CHECK_FALSE(HasPruneFinalizer());
  CHECK(json::GetInt(*json::Find(Repo(), "metadata"), "generation", 0) == gen + 1);  // the finalizer is not spec
  CHECK(DeleteRepo());
  REQUIRE(Pass().ok());
  CHECK(HasPolicy("a"));

  // Never pruning: no finalizer at all.
  git_.Write("deploy/a.yaml", Policy("a", "0 2 * * *"));
  git_.Commit("a again");
  CreateRepo("");
  REQUIRE(Pass().ok());
  CHECK_FALSE(HasPruneFinalizer());
  CHECK(Schedule("a") == "0 2 * * *");
}

TEST_CASE_METHOD(DeletionFixture, "gitops: suspended at deletion, nothing is pruned", "[reconciler][finalizer]") {
  git_.Write("deploy/a.yaml", Policy("a", "0 1 * * *"));
  git_.Commit("a");
  CreateRepo();
  REQUIRE(Pass().ok());
  PatchRepo(R"({"spec":{"suspend":true}})");
  REQUIRE(Pass().ok());
  CHECK(HasPruneFinalizer());
  CHECK_FALSE(DeleteRepo());
  REQUIRE(Pass().ok());
  CHECK_FALSE(RepoExists());
  CHECK(HasPolicy("a"));
}

TEST_CASE_METHOD(DeletionFixture, "gitops: a failed prune at deletion keeps the finalizer and retries",
                 "[reconciler][finalizer]") {
  git_.Write("deploy/00-ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team\n");
  git_.Write("deploy/a.yaml", Policy("a", "0 1 * * *"));
  git_.Write("deploy/b.yaml", Policy("b", "0 2 * * *"));
  git_.Commit("ns, a and b");
  RefusingClient refusing(&reg());
  GitOpsDeps deps;
  deps.client = &refusing;
  deps.cache_dir = git_.cache();
  deps.now = [this] { return now_; };
  rec_ = std::make_unique<GitRepositoryReconciler>(deps);
  CreateRepo();
  REQUIRE(Pass().ok());
  REQUIRE(HasPolicy("a"));

  refusing.refuse = true;
  CHECK_FALSE(DeleteRepo());
  runtime::Result r1, r2;
  REQUIRE(Pass(&r1).ok());
  CHECK(RepoExists());
  CHECK(HasPruneFinalizer());
  CHECK(HasPolicy("a"));
  CHECK(Cond("Ready", "status") == "False");
  CHECK(Cond("Ready", "reason") == "PruneFailed");
  CHECK(Cond("Reconciling", "reason") == "ProgressingWithRetry");
  std::string msg = Cond("Ready", "message");
  INFO(msg);
  CHECK(msg.find("backuppolicies \"a\" is forbidden") != std::string::npos);
  CHECK(msg.find("backuppolicies \"b\" is forbidden") != std::string::npos);
  CHECK(r1.requeue_after == std::chrono::seconds(5));
  // The Namespace (no refusal) is deleted; what is left stays in the inventory.
  CHECK(json::Serialize(*json::FindPath(Repo(), "status.inventory")).find("Namespace") == std::string::npos);
  CHECK(json::FindPath(Repo(), "status.inventory")->Size() == 2);
  Later(std::chrono::seconds(6));
  REQUIRE(Pass(&r2).ok());
  CHECK(r2.requeue_after == std::chrono::seconds(10));
  CHECK(RepoExists());

  refusing.refuse = false;
  REQUIRE(Pass().ok());
  CHECK_FALSE(HasPolicy("a"));
  CHECK_FALSE(HasPolicy("b"));
  CHECK_FALSE(RepoExists());
}

TEST_CASE("gitops: retry backoff doubles up to five minutes", "[reconciler]") {
  CHECK(RetryBackoff(1) == std::chrono::seconds(5));
  CHECK(RetryBackoff(2) == std::chrono::seconds(10));
  CHECK(RetryBackoff(7) == std::chrono::seconds(300));
  CHECK(RetryBackoff(50) == std::chrono::seconds(300));
}

}  // namespace
}  // namespace dw::gitops
