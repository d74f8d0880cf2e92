// LoadManifestSet on real directories: what is read, what is skipped, and
// that every refusal names the file and line.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "operator/schema/resource_info.h"
#include "reconcilers/gitops/manifest_set.h"
#include "tests/unit/apiserver/registry_fixture.h"

namespace dw::gitops {
namespace {

namespace fs = std::filesystem;

class SetFixture {
 public:
  SetFixture() {
    REQUIRE(schema::ResourceRegistry::LoadBuiltin(&kinds_).ok());
    resolve_ = [this](const std::string& av, const std::string& k) { return kinds_->ByKind(av, k); };
  }
  void Write(const std::string& rel, const std::string& text) {
    fs::path p = fs::path(dir_.path()) / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
  }
  Status Load(const std::string& path, std::vector<ManifestObject>* out) {
    return LoadManifestSet(dir_.path(), path, "team", resolve_, ManifestLimits{}, out);
  }
  apiserver::testing::ScratchDir dir_;
  std::unique_ptr<schema::ResourceRegistry> kinds_;
  KindResolver resolve_;
};

const char* kPolicy = R"(apiVersion: dockward.io/v1alpha1
kind: BackupPolicy
metadata:
  name: nightly
spec:
  schedule: "0 2 * * *"
  destination:
    path: /var/backups
)";

TEST_CASE_METHOD(SetFixture, "manifest set: recursive, sorted, hidden and links skipped", "[manifests]") {
  Write("deploy/b/policy.yaml", kPolicy);
  Write("deploy/a.yml", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team\n---\n# only a comment\n");
  Write("deploy/.hidden/x.yaml", "not: [valid");
  Write("deploy/README.md", "# not a manifest");
  Write("outside.yaml", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: outside\n");
  fs::create_symlink(fs::path(dir_.path()) / "outside.yaml", fs::path(dir_.path()) / "deploy/link.yaml");
  std::vector<ManifestObject> set;
  Status st = Load("deploy", &set);
  INFO(st.ToString());
  REQUIRE(st.ok());
  REQUIRE(set.size() == 2);
  CHECK(set[0].file == "deploy/a.yml");
  CHECK(set[0].id.Display() == "Namespace team");
  CHECK(set[1].file == "deploy/b/policy.yaml");
  CHECK(set[1].id.Display() == "BackupPolicy team/nightly");  // namespace defaulted
  CHECK(json::GetStringPath(*set[1].doc, "metadata.namespace") == "team");
  CHECK(set[1].Where("spec.destination.path") == "deploy/b/policy.yaml:8");
  CHECK(set[1].Where("spec.destination.nothere") == "deploy/b/policy.yaml:7");
  CHECK(set[1].digest.size() == 64);
}

TEST_CASE_METHOD(SetFixture, "manifest set: every problem is reported with file:line", "[manifests]") {
  Write("bad/1-syntax.yaml", "apiVersion: v1\nkind: [unclosed\n");
  Write("bad/2-kinds.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n---\n"
        "apiVersion: dockward.io/v1alpha1\nkind: Nope\nmetadata:\n  name: n\n---\n"
        "apiVersion: dockward.io/v1alpha1\nkind: BackupPolicy\nmetadata: {}\n");
  Write("bad/3-dup.yaml", std::string(kPolicy) + "---\n" + kPolicy);
  std::vector<ManifestObject> set;
  Status st = Load("bad", &set);
  REQUIRE_FALSE(st.ok());
  const std::string& m = st.message();
  INFO(m);
  CHECK(m.find("bad/1-syntax.yaml:3:1: did not find expected") != std::string::npos);
  CHECK(m.find("bad/2-kinds.yaml:2: kind Secret (v1) is not managed") != std::string::npos);
  CHECK(m.find("bad/2-kinds.yaml:7: no kind Nope") != std::string::npos);
  CHECK(m.find("bad/2-kinds.yaml:13: metadata.name is required") != std::string::npos);
  CHECK(m.find("bad/3-dup.yaml:9: BackupPolicy team/nightly is also defined at bad/3-dup.yaml:1") !=
        std::string::npos);
}

TEST_CASE_METHOD(SetFixture, "manifest set: a missing path is an error", "[manifests]") {
  std::vector<ManifestObject> set;
  Status st = Load("nothere", &set);
  CHECK(st.IsNotFound());
  CHECK(st.message().find("nothere") != std::string::npos);
  CHECK(Load("", &set).ok());  // the root, empty
  CHECK(set.empty());
}

TEST_CASE("manifest set: managed kinds", "[manifests]") {
  CHECK(ManagedKind("dockward.io/v1alpha1", "BackupPolicy"));
  CHECK(ManagedKind("v1", "Namespace"));
  CHECK_FALSE(ManagedKind("v1", "Secret"));
  CHECK_FALSE(ManagedKind("v1", "Event"));
  CHECK_FALSE(ManagedKind("coordination.k8s.io/v1", "Lease"));
}

}  // namespace
}  // namespace dw::gitops
