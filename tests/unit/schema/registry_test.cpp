#include <catch2/catch.hpp>

#include <set>

#include "operator/schema/resource_info.h"
#include "operator/schema/validator.h"

using dw::schema::ResourceInfo;
using dw::schema::ResourceRegistry;

namespace {

// Walks dotted keys with NUL-terminated parts (json::FindPath currently
// mis-resolves sub-slices of the path).
const dw::json::Value* At(const dw::json::Value& root, const std::string& dotted) {
  const dw::json::Value* cur = &root;
  size_t start = 0;
  while (cur != nullptr) {
    size_t dot = dotted.find('.', start);
    std::string part = dotted.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    cur = dw::json::Find(*cur, part);
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return cur;
}

const ResourceRegistry& Builtin() {
  static std::unique_ptr<ResourceRegistry> reg = [] {
    std::unique_ptr<ResourceRegistry> r;
    dw::Status st = ResourceRegistry::LoadBuiltin(&r);
    INFO(st.ToString());
    for (const auto& c : st.causes()) INFO(c.field << ": " << c.message);
    REQUIRE(st.ok());
    return r;
  }();
  return *reg;
}

}  // namespace

TEST_CASE("registry: LoadBuiltin loads the 7 CRDs and 4 core kinds", "[schema][registry]") {
  const auto& reg = Builtin();
  REQUIRE(reg.All().size() == 11);
  std::set<std::string> kinds;
  for (const auto& i : reg.All()) kinds.insert(i->GroupVersion() + "/" + i->kind);
  CHECK(kinds == std::set<std::string>{
                     "dockward.io/v1alpha1/BackupPolicy", "dockward.io/v1alpha1/Backup",
                     "dockward.io/v1alpha1/Restore", "dockward.io/v1alpha1/StackLimits",
                     "dockward.io/v1alpha1/PluginPolicy", "dockward.io/v1alpha1/GitRepository",
                     "dockward.io/v1alpha1/DockerHost", "v1/Namespace", "v1/Secret", "v1/Event",
                     "coordination.k8s.io/v1/Lease"});
  for (const auto& i : reg.All()) {
    INFO(i->kind);
    CHECK(i->schema != nullptr);
    CHECK(i->crd != nullptr);
    if (i->group == "dockward.io") {
      CHECK(i->has_status);
      CHECK(i->namespaced);
      CHECK(i->categories == std::vector<std::string>{"dockward"});
      REQUIRE_FALSE(i->columns.empty());
      CHECK(i->columns.back().name == "Age");
      CHECK(i->columns.back().json_path == ".metadata.creationTimestamp");
      CHECK(i->columns.back().type == "date");
      // Every dockward status carries observedGeneration and list-map conditions.
      const dw::json::Value* conds = At(*i->schema, "properties.status.properties.conditions");
      REQUIRE(conds != nullptr);
      CHECK(dw::json::GetString(*conds, "x-kubernetes-list-type") == "map");
      CHECK(At(*i->schema, "properties.status.properties.observedGeneration") != nullptr);
    }
  }
}

TEST_CASE("registry: names, scope and columns of loaded kinds", "[schema][registry]") {
  const auto& reg = Builtin();
  const ResourceInfo* bp = reg.ByResource("dockward.io", "backuppolicies");
  REQUIRE(bp != nullptr);
  CHECK(bp->kind == "BackupPolicy");
  CHECK(bp->list_kind == "BackupPolicyList");
  CHECK(bp->singular == "backuppolicy");
  CHECK(bp->short_names == std::vector<std::string>{"bp"});
  CHECK(bp->GroupResource() == "backuppolicies.dockward.io");
  CHECK(bp->GroupVersion() == "dockward.io/v1alpha1");
  bool saw_ready = false, saw_wide = false;
  for (const auto& c : bp->columns) {
    if (c.name == "Ready") {
      saw_ready = true;
      CHECK(c.json_path == ".status.conditions[?(@.type==\"Ready\")].status");
    }
    saw_wide |= c.priority == 1;
  }
  CHECK(saw_ready);
  CHECK(saw_wide);

  const ResourceInfo* ns = reg.ByResource("", "namespaces");
  REQUIRE(ns != nullptr);
  CHECK_FALSE(ns->namespaced);
  CHECK(ns->has_status);
  CHECK(ns->GroupVersion() == "v1");
  CHECK(ns->GroupResource() == "namespaces");
  const ResourceInfo* secret = reg.ByKind("v1", "Secret");
  REQUIRE(secret != nullptr);
  CHECK_FALSE(secret->has_status);
  CHECK(secret->namespaced);
  CHECK(reg.ByKind("coordination.k8s.io/v1", "Lease") != nullptr);
  CHECK(reg.ByKind("v1", "Lease") == nullptr);
  CHECK(reg.ByResource("dockward.io", "secrets") == nullptr);
}

TEST_CASE("registry: Resolve what a user typed", "[schema][registry]") {
  const auto& reg = Builtin();
  auto kind_of = [&](const std::string& typed) -> std::string {
    const ResourceInfo* i = reg.Resolve(typed);
    return i ? i->kind : "<none>";
  };
  CHECK(kind_of("backuppolicies") == "BackupPolicy");
  CHECK(kind_of("backuppolicy") == "BackupPolicy");
  CHECK(kind_of("bp") == "BackupPolicy");
  CHECK(kind_of("BackupPolicy") == "BackupPolicy");
  CHECK(kind_of("BACKUPPOLICIES") == "BackupPolicy");
  CHECK(kind_of("backuppolicies.dockward.io") == "BackupPolicy");
  CHECK(kind_of("backuppolicies.v1alpha1.dockward.io") == "BackupPolicy");
  CHECK(kind_of("bk") == "Backup");
  CHECK(kind_of("backups") == "Backup");
  CHECK(kind_of("rst") == "Restore");
  CHECK(kind_of("sl") == "StackLimits");
  CHECK(kind_of("pp") == "PluginPolicy");
  CHECK(kind_of("gitrepo") == "GitRepository");
  CHECK(kind_of("dh") == "DockerHost");
  CHECK(kind_of("ns") == "Namespace");
  CHECK(kind_of("secret") == "Secret");
  CHECK(kind_of("ev") == "Event");
  CHECK(kind_of("leases") == "Lease");
  CHECK(kind_of("leases.coordination.k8s.io") == "Lease");
  CHECK(kind_of("backuppolicies.example.com") == "<none>");
  CHECK(kind_of("pods") == "<none>");
  CHECK(kind_of("") == "<none>");
  CHECK(kind_of(".dockward.io") == "<none>");
}

TEST_CASE("registry: malformed CRDs are rejected with a reason", "[schema][registry]") {
  std::unique_ptr<ResourceRegistry> reg;
  auto load = [&](const std::string& text) {
    return ResourceRegistry::LoadFromYaml({{"x.yaml", text}}, &reg);
  };
  const std::string head =
      "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: widgets.example.com}\n"
      "spec:\n  group: example.com\n  scope: Namespaced\n  names: {kind: Widget, plural: widgets}\n";
  const std::string version =
      "  versions:\n  - name: v1\n    served: true\n    storage: true\n    schema:\n      openAPIV3Schema:\n";

  dw::Status ok = load(head + version + "        type: object\n        properties:\n          spec: {type: object}\n");
  INFO(ok.ToString());
  REQUIRE(ok.ok());
  REQUIRE(reg->All().size() == 1);
  CHECK(reg->All()[0]->singular == "widget");
  CHECK(reg->All()[0]->list_kind == "WidgetList");
  CHECK_FALSE(reg->All()[0]->has_status);

  dw::Status bad_default = load(head + version +
      "        type: object\n        properties:\n          spec:\n            type: object\n"
      "            properties:\n              size: {type: integer, minimum: 1, default: 0}\n");
  CHECK(bad_default.code() == dw::Code::kInvalid);
  CHECK_THAT(bad_default.message(), Catch::Contains("properties.spec.properties.size.default"));
  CHECK_THAT(bad_default.message(), Catch::Contains("x.yaml"));

  dw::Status bad_enum = load(head + version +
      "        type: object\n        properties:\n          mode: {type: string, enum: [a, 3]}\n");
  CHECK(bad_enum.code() == dw::Code::kInvalid);
  CHECK_THAT(bad_enum.message(), Catch::Contains("enum value 3"));

  dw::Status bad_pattern = load(head + version +
      "        type: object\n        properties:\n          p: {type: string, pattern: '([a-z'}\n");
  CHECK(bad_pattern.code() == dw::Code::kInvalid);
  CHECK_THAT(bad_pattern.message(), Catch::Contains("not a valid ECMAScript regular expression"));

  CHECK_FALSE(load(head + "  versions:\n  - name: v1\n    served: true\n    storage: false\n").ok());
  CHECK_FALSE(load("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n").ok());
  dw::Status scope = load(
      "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: as.b}\n"
      "spec:\n  group: b\n  scope: Global\n  names: {kind: A, plural: as}\n");
  CHECK_THAT(scope.message(), Catch::Contains("Unsupported value: \"Global\""));
  dw::Status misnamed = load(
      "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: widget.example.com}\n"
      "spec:\n  group: example.com\n  scope: Namespaced\n  names: {kind: Widget, plural: widgets}\n");
  CHECK_THAT(misnamed.message(), Catch::Contains("must be spec.names.plural+\".\"+spec.group (\"widgets.example.com\")"));
  // Two documents defining the same resource.
  std::string one = head + version + "        type: object\n";
  CHECK(load(one + "---\n" + one).code() == dw::Code::kAlreadyExists);
}

TEST_CASE("registry: every CRD default and enum is valid against its own schema", "[schema][registry]") {
  // LoadBuiltin runs CheckSchema; here the whole object defaulted from an
  // empty spec must also validate for kinds without required spec fields.
  const auto& reg = Builtin();
  const ResourceInfo* dh = reg.ByKind("dockward.io/v1alpha1", "DockerHost");
  REQUIRE(dh != nullptr);
  dw::json::Document obj;
  REQUIRE(dw::json::Parse(R"({"apiVersion":"dockward.io/v1alpha1","kind":"DockerHost","metadata":{"name":"local"}})", &obj).ok());
  auto r = dw::schema::Admit(*dh->schema, obj, dw::schema::FieldValidation::kStrict, obj.GetAllocator());
  CHECK(r.errors.empty());
  CHECK(dw::json::GetString(*At(obj, "spec"), "endpoint") == "unix:///var/run/docker.sock");
}
