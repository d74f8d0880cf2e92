// The reconciler's not-ready paths against a real registry (InProcessClient):
// a spec the schema accepts but the policy parser refuses, a DockerHost that
// was never reconciled, one whose probe failed, and one whose daemon does not
// answer. The Docker success path (audit, enforce, recommend) needs a daemon
// and is covered by tests/integration (H6).
#include <catch2/catch.hpp>

#include "operator/runtime/conditions.h"
#include "reconcilers/stacklimits/stacklimits_reconciler.h"
#include "tests/unit/runtime/runtime_fixture.h"

namespace dw::stacklimits {
namespace {

using runtime::testing::Doc;

class SlFixture : public runtime::testing::RuntimeFixture {
 public:
  SlFixture() {
    sl_ = client().Resolve("dockward.io/v1alpha1", "StackLimits");
    REQUIRE(sl_ != nullptr);
    deps_.client = &client();
    deps_.hosts = &hosts_;
    deps_.now = [] { return clock::TimePoint(std::chrono::seconds(1'800'000'000)); };
    rec_ = std::make_unique<StackLimitsReconciler>(deps_);
  }

  void Create(const std::string& spec) {
    MustCreate(*sl_, Doc(R"({"apiVersion":"dockward.io/v1alpha1","kind":"StackLimits",
      "metadata":{"name":"lab"},"spec":)" + spec + "}"));
  }
  Status Pass(runtime::Result* r) { return rec_->Reconcile({"default", "lab"}, r); }
  json::Document Get() { return MustGet(*sl_, "lab"); }
  std::string Ready(const char* field) {
    json::Document d = Get();
    const json::Value* s = json::Find(d, "status");
    const json::Value* c = s ? runtime::FindCondition(*s, "Ready") : nullptr;
    return c ? json::GetString(*c, field) : "";
  }

  const schema::ResourceInfo* sl_ = nullptr;
  dockerhost::HostRegistry hosts_;
  StackDeps deps_;
  std::unique_ptr<StackLimitsReconciler> rec_;
};

TEST_CASE_METHOD(SlFixture, "StackLimits: a spec the parser refuses is InvalidSpec, not retried",
                 "[reconciler]") {
  // Valid for the schema; a reservation above the limit is a cross-field error.
  Create(R"({"projects":["dwlab"],"limits":{"defaults":{"memory":"64Mi","memoryReservation":"128Mi"}}})");
  runtime::Result r;
  REQUIRE(Pass(&r).ok());
  CHECK(Ready("status") == "False");
  CHECK(Ready("reason") == "InvalidSpec");
  CHECK(Ready("message").find("memoryReservation") != std::string::npos);
  CHECK(r.requeue_after.count() == 0);
  CHECK_FALSE(r.requeue);
  // A second pass writes nothing: the stored object does not move.
  std::string rv = runtime::ResourceVersionOf(Get());
  REQUIRE(Pass(&r).ok());
  CHECK(runtime::ResourceVersionOf(Get()) == rv);
}

TEST_CASE_METHOD(SlFixture, "StackLimits: an unknown DockerHost is HostNotFound with growing backoff",
                 "[reconciler]") {
  Create(R"({"projects":["dwlab"],"dockerHost":"edge"})");
  runtime::Result r1, r2, r3;
  REQUIRE(Pass(&r1).ok());
  CHECK(Ready("status") == "False");
  CHECK(Ready("reason") == "HostNotFound");
  CHECK(Ready("message").find("edge") != std::string::npos);
  CHECK(r1.requeue_after == std::chrono::seconds(2));
  REQUIRE(Pass(&r2).ok());
  CHECK(r2.requeue_after == std::chrono::seconds(4));
  REQUIRE(Pass(&r3).ok());
  CHECK(r3.requeue_after == std::chrono::seconds(8));
}

TEST_CASE_METHOD(SlFixture, "StackLimits: a host whose probe failed is HostUnavailable", "[reconciler]") {
  docker::DockerConfig cfg;
  cfg.endpoint = "unix:///nonexistent/docker.sock";
  hosts_.Upsert("default", "local", cfg, dockerhost::HostState{false, "connection refused", "", ""});
  Create(R"({"projects":["dwlab"]})");
  runtime::Result r;
  REQUIRE(Pass(&r).ok());
  CHECK(Ready("reason") == "HostUnavailable");
  CHECK(r.requeue_after == std::chrono::seconds(2));
}

TEST_CASE_METHOD(SlFixture, "StackLimits: a daemon that does not answer the list is HostUnavailable",
                 "[reconciler]") {
  docker::DockerConfig cfg;
  cfg.endpoint = "unix:///nonexistent/docker.sock";
  cfg.connect_timeout = std::chrono::milliseconds(200);
  hosts_.Upsert("default", "local", cfg, dockerhost::HostState{true, "", "24.0", "1.43"});
  Create(R"({"projects":["dwlab"]})");
  runtime::Result r;
  REQUIRE(Pass(&r).ok());
  CHECK(Ready("status") == "False");
  CHECK(Ready("reason") == "HostUnavailable");
  CHECK(r.requeue_after == std::chrono::seconds(2));
}

TEST_CASE_METHOD(SlFixture, "StackLimits: HostBackoff doubles up to a minute", "[reconciler]") {
  CHECK(HostBackoff(1) == std::chrono::seconds(2));
  CHECK(HostBackoff(2) == std::chrono::seconds(4));
  CHECK(HostBackoff(5) == std::chrono::seconds(32));
  CHECK(HostBackoff(6) == std::chrono::seconds(60));
  CHECK(HostBackoff(100) == std::chrono::seconds(60));
}

TEST_CASE_METHOD(SlFixture, "StackLimits: a missing object is a no-op", "[reconciler]") {
  runtime::Result r;
  CHECK(rec_->Reconcile({"default", "gone"}, &r).ok());
  CHECK(r.requeue_after.count() == 0);
}

}  // namespace
}  // namespace dw::stacklimits
