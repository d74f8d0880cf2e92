#include <catch2/catch.hpp>

#include "operator/schema/openapi.h"

using dw::schema::OpenApiDocs;
using dw::schema::ResourceRegistry;

namespace {

const OpenApiDocs& Docs() {
  static std::unique_ptr<OpenApiDocs> docs = [] {
    std::unique_ptr<ResourceRegistry> reg;
    REQUIRE(ResourceRegistry::LoadBuiltin(&reg).ok());
    return OpenApiDocs::Build(*reg);
  }();
  return *docs;
}

dw::json::Document ParseDoc(const std::string& text) {
  dw::json::Document d;
  REQUIRE(dw::json::Parse(text, &d).ok());
  return d;
}

const dw::json::Value& At(const dw::json::Value& v, std::initializer_list<const char*> keys) {
  const dw::json::Value* cur = &v;
  for (const char* k : keys) {
    INFO("missing key " << k);
    cur = dw::json::Find(*cur, k);
    REQUIRE(cur != nullptr);
  }
  return *cur;
}

bool HasQueryParam(const dw::json::Value& op, const std::string& name) {
  for (const auto& p : At(op, {"parameters"}).GetArray()) {
    if (dw::json::GetString(p, "name") == name && dw::json::GetString(p, "in") == "query") return true;
  }
  return false;
}

}  // namespace

TEST_CASE("openapi: v3 root index lists every group-version with its hash", "[schema][openapi]") {
  auto root = ParseDoc(Docs().V3Root().json);
  const auto& paths = At(root, {"paths"});
  REQUIRE(paths.MemberCount() == 3);
  for (const char* gv : {"apis/dockward.io/v1alpha1", "api/v1", "apis/coordination.k8s.io/v1"}) {
    INFO(gv);
    const auto* doc = Docs().V3(gv);
    REQUIRE(doc != nullptr);
    CHECK(doc->hash.size() == 16);
    CHECK(dw::json::GetString(At(paths, {gv}), "serverRelativeURL") ==
          std::string("/openapi/v3/") + gv + "?hash=" + doc->hash);
  }
  CHECK(Docs().V3("apis/dockward.io/v1") == nullptr);
  // Hashes differ between different documents.
  CHECK(Docs().V3("api/v1")->hash != Docs().V3("apis/dockward.io/v1alpha1")->hash);
}

TEST_CASE("openapi: v3 group-version document has GVK schemas and fieldValidation", "[schema][openapi]") {
  auto doc = ParseDoc(Docs().V3("apis/dockward.io/v1alpha1")->json);
  CHECK(dw::json::GetString(doc, "openapi") == "3.0.0");
  const auto& schemas = At(doc, {"components", "schemas"});
  const auto& bp = At(schemas, {"io.dockward.v1alpha1.BackupPolicy"});
  const auto& gvk = At(bp, {"x-kubernetes-group-version-kind"});
  REQUIRE(gvk.IsArray());
  REQUIRE(gvk.Size() == 1);
  CHECK(dw::json::GetString(gvk[0], "group") == "dockward.io");
  CHECK(dw::json::GetString(gvk[0], "version") == "v1alpha1");
  CHECK(dw::json::GetString(gvk[0], "kind") == "BackupPolicy");
  // kubectl explain backuppolicy.spec.retention walks description/properties.
  const auto& retention = At(bp, {"properties", "spec", "properties", "retention"});
  CHECK_THAT(dw::json::GetString(retention, "description"), Catch::StartsWith("Which artifacts to keep"));
  CHECK(dw::json::GetString(At(retention, {"properties", "daily"}), "type") == "integer");
  // metadata is a reference to ObjectMeta, which the document also carries.
  const auto& meta = At(bp, {"properties", "metadata", "allOf"});
  CHECK(dw::json::GetString(meta[0], "$ref") ==
        "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
  At(schemas, {"io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", "properties", "labels"});
  At(schemas, {"io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta"});
  At(schemas, {"io.k8s.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry"});
  At(schemas, {"io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference"});
  At(schemas, {"io.k8s.apimachinery.pkg.apis.meta.v1.Status"});
  At(schemas, {"io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions"});
  const auto& list = At(schemas, {"io.dockward.v1alpha1.BackupPolicyList"});
  CHECK(dw::json::GetString(At(list, {"x-kubernetes-group-version-kind"})[0], "kind") == "BackupPolicyList");
  CHECK(dw::json::GetString(At(list, {"properties", "items", "items"}), "$ref") ==
        "#/components/schemas/io.dockward.v1alpha1.BackupPolicy");

  const auto& paths = At(doc, {"paths"});
  const std::string coll = "/apis/dockward.io/v1alpha1/namespaces/{namespace}/backuppolicies";
  const auto& item = At(paths, {(coll + "/{name}").c_str()});
  const auto& patch = At(item, {"patch"});
  // What kubectl's query-param verifier looks for:
  CHECK(dw::json::GetString(At(patch, {"x-kubernetes-group-version-kind"}), "kind") == "BackupPolicy");
  CHECK(HasQueryParam(patch, "fieldValidation"));
  CHECK(HasQueryParam(patch, "fieldManager"));
  CHECK(HasQueryParam(patch, "dryRun"));
  CHECK(HasQueryParam(patch, "force"));
  CHECK(dw::json::GetString(patch, "operationId") == "patchDockwardIoV1alpha1NamespacedBackupPolicy");
  CHECK(At(patch, {"requestBody", "content"}).HasMember("application/apply-patch+yaml"));
  CHECK_FALSE(At(patch, {"requestBody", "content"}).HasMember("application/strategic-merge-patch+json"));
  CHECK(HasQueryParam(At(item, {"put"}), "fieldValidation"));
  CHECK_FALSE(HasQueryParam(At(item, {"put"}), "force"));
  CHECK(HasQueryParam(At(paths, {coll.c_str(), "post"}), "fieldValidation"));
  CHECK(HasQueryParam(At(paths, {coll.c_str(), "get"}), "labelSelector"));
  CHECK(HasQueryParam(At(paths, {coll.c_str(), "get"}), "watch"));
  CHECK(dw::json::GetString(At(paths, {coll.c_str(), "delete"}), "x-kubernetes-action") == "deletecollection");
  CHECK(HasQueryParam(At(paths, {(coll + "/{name}/status").c_str(), "patch"}), "fieldValidation"));
  CHECK(dw::json::GetString(At(paths, {"/apis/dockward.io/v1alpha1/backuppolicies", "get"}), "operationId") ==
        "listDockwardIoV1alpha1BackupPolicyForAllNamespaces");
  // Every dockward kind is present, core kinds are not.
  CHECK(schemas.HasMember("io.dockward.v1alpha1.StackLimits"));
  CHECK_FALSE(schemas.HasMember("io.k8s.api.core.v1.Secret"));
}

TEST_CASE("openapi: core and coordination documents", "[schema][openapi]") {
  auto core = ParseDoc(Docs().V3("api/v1")->json);
  const auto& schemas = At(core, {"components", "schemas"});
  CHECK(dw::json::GetString(At(schemas, {"io.k8s.api.core.v1.Secret", "x-kubernetes-group-version-kind"})[0], "group") == "");
  const auto& paths = At(core, {"paths"});
  // Namespaces are cluster-scoped: no {namespace} segment; status subresource exists.
  const auto& ns_patch = At(paths, {"/api/v1/namespaces/{name}", "patch"});
  CHECK(HasQueryParam(ns_patch, "fieldValidation"));
  CHECK(At(ns_patch, {"requestBody", "content"}).HasMember("application/strategic-merge-patch+json"));
  At(paths, {"/api/v1/namespaces/{name}/status"});
  // Secrets have no status subresource.
  At(paths, {"/api/v1/namespaces/{namespace}/secrets/{name}"});
  CHECK_FALSE(paths.HasMember("/api/v1/namespaces/{namespace}/secrets/{name}/status"));
  auto coord = ParseDoc(Docs().V3("apis/coordination.k8s.io/v1")->json);
  At(coord, {"components", "schemas", "io.k8s.api.coordination.v1.Lease"});
  At(coord, {"paths", "/apis/coordination.k8s.io/v1/namespaces/{namespace}/leases/{name}", "patch"});
}

TEST_CASE("openapi: swagger 2.0 document", "[schema][openapi]") {
  auto v2 = ParseDoc(Docs().V2().json);
  CHECK(dw::json::GetString(v2, "swagger") == "2.0");
  const auto& defs = At(v2, {"definitions"});
  const auto& bp = At(defs, {"io.dockward.v1alpha1.BackupPolicy"});
  CHECK(dw::json::GetString(At(bp, {"x-kubernetes-group-version-kind"})[0], "kind") == "BackupPolicy");
  CHECK(dw::json::GetString(At(bp, {"properties", "metadata"}), "$ref") ==
        "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
  // v3-only keywords are gone (Restore.spec uses oneOf in the CRD).
  CHECK_FALSE(At(defs, {"io.dockward.v1alpha1.Restore", "properties", "spec"}).HasMember("oneOf"));
  At(defs, {"io.k8s.api.core.v1.Secret"});
  At(defs, {"io.k8s.api.coordination.v1.Lease"});
  const auto& patch = At(v2, {"paths", "/apis/dockward.io/v1alpha1/namespaces/{namespace}/backuppolicies/{name}", "patch"});
  CHECK(HasQueryParam(patch, "fieldValidation"));
  bool body = false;
  for (const auto& p : At(patch, {"parameters"}).GetArray()) body |= dw::json::GetString(p, "in") == "body";
  CHECK(body);
  CHECK(Docs().V2().hash.size() == 16);
}

TEST_CASE("openapi: definition names", "[schema][openapi]") {
  using dw::schema::DefinitionName;
  CHECK(DefinitionName("dockward.io", "v1alpha1", "BackupPolicy") == "io.dockward.v1alpha1.BackupPolicy");
  CHECK(DefinitionName("", "v1", "Secret") == "io.k8s.api.core.v1.Secret");
  CHECK(DefinitionName("coordination.k8s.io", "v1", "Lease") == "io.k8s.api.coordination.v1.Lease");
  CHECK(DefinitionName("a.b.example.com", "v2", "X") == "com.example.b.a.v2.X");
}
