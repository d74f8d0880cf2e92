// OpenAPI documents generated from a ResourceRegistry, the way the Kubernetes
// apiserver publishes them, so that real clients work against dockward:
//  - /openapi/v3 (root index) -> one OpenAPI 3.0 document per group-version
//    ("api/v1", "apis/dockward.io/v1alpha1", ...), each with
//    components.schemas for every kind and its List (named like the
//    apiserver: "io.dockward.v1alpha1.BackupPolicy",
//    "io.k8s.api.core.v1.Secret"), x-kubernetes-group-version-kind on kind
//    schemas and on operations, metav1 schemas (ObjectMeta, ListMeta, Status,
//    DeleteOptions, ...) and a path item for every endpoint.
//    kubectl (>= 1.27) reads the PATCH operation's parameters to decide
//    whether the server validates fields (`fieldValidation`), and
//    `kubectl explain` walks the kind schema found by its GVK extension.
//  - /openapi/v2: one Swagger 2.0 JSON document with `definitions` for older
//    clients (v3-only keywords such as oneOf/anyOf/nullable are dropped).
// Documents are built and serialized once; each carries a content hash for
// ETag / ?hash= cache validation. Immutable after Build, so thread-safe.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "operator/schema/resource_info.h"

namespace dw::schema {

struct OpenApiDocument {
  std::string json;  // the serialized document
  std::string hash;  // 16 hex digits over `json`: the ETag and ?hash= value
};

class OpenApiDocs {
 public:
  static std::unique_ptr<OpenApiDocs> Build(const ResourceRegistry& registry);

  // The /openapi/v3 root index.
  const OpenApiDocument& V3Root() const { return v3_root_; }
  // A group-version document by its index key ("api/v1",
  // "apis/dockward.io/v1alpha1"); nullptr if no such group-version.
  const OpenApiDocument* V3(const std::string& gv_path) const;
  // Every group-version document, keyed like V3().
  const std::map<std::string, OpenApiDocument>& AllV3() const { return v3_; }
  // The Swagger 2.0 document served at /openapi/v2.
  const OpenApiDocument& V2() const { return v2_; }

 private:
  OpenApiDocument v3_root_;
  std::map<std::string, OpenApiDocument> v3_;
  OpenApiDocument v2_;
};

// "io.dockward.v1alpha1.BackupPolicy", "io.k8s.api.core.v1.Secret",
// "io.k8s.api.coordination.v1.Lease": the apiserver's definition names.
std::string DefinitionName(const std::string& group, const std::string& version, const std::string& kind);

}  // namespace dw::schema
