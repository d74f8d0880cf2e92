// ManifestSet: every object under a directory of a checkout, with the file
// and line it came from, checked before anything talks to the server.
//
// The walk is recursive and sorted (so the apply order is stable), takes
// *.yaml, *.yml and *.json, skips hidden entries (".git", ".github"...) and
// symbolic links (a link could point outside the checkout), and caps the
// number and size of files. Every document must be one object (no List)
// with apiVersion, kind and metadata.name, of a kind the server serves and
// GitOps manages (dockward.io kinds and v1 Namespace). A namespaced object
// without a namespace lands in the GitRepository's namespace; a cluster-scoped
// object's namespace is dropped. The same object twice is an error naming
// both places. All errors are collected, each "FILE:LINE: ...".
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "operator/common/status.h"
#include "operator/json/json.h"
#include "operator/schema/resource_info.h"

namespace dw::gitops {

struct ObjectId {
  std::string api_version, kind, ns, name;
  // "BackupPolicy default/nightly" (or "Namespace team-a").
  std::string Display() const;
  bool operator<(const ObjectId& o) const;
  bool operator==(const ObjectId& o) const;
};

// A v1 Namespace: applied before, and pruned after, what goes in it.
inline bool IsNamespace(const ObjectId& id) { return id.api_version == "v1" && id.kind == "Namespace"; }

struct ManifestObject {
  std::string file;  // relative to the repository root
  int line = 0;      // first line of the document
  std::map<std::string, int> lines;  // field path -> line (yaml::YamlDocument::lines)
  std::shared_ptr<json::Document> doc;  // with the namespace defaulted
  const schema::ResourceInfo* info = nullptr;
  ObjectId id;
  std::string digest;  // sha256 hex of the object as applied

  // "FILE:LINE" of `field` ("spec.schedule"), or of the nearest enclosing
  // field found, or of the document.
  std::string Where(const std::string& field = "") const;
};

struct ManifestLimits {
  size_t max_files = 1000;
  size_t max_file_bytes = 4 << 20;
  size_t max_total_bytes = 32 << 20;
};

// Resolves apiVersion + kind to a served kind (runtime::Client::Resolve).
using KindResolver = std::function<const schema::ResourceInfo*(const std::string&, const std::string&)>;

// `root` is the checkout, `path` the normalized directory inside it ("" =
// root). On error `errors` lists every problem (at most 20, then "...").
Status LoadManifestSet(const std::string& root, const std::string& path, const std::string& default_ns,
                       const KindResolver& resolve, const ManifestLimits& limits,
                       std::vector<ManifestObject>* out);

// Whether GitOps applies this kind (dockward.io kinds, v1 Namespace).
bool ManagedKind(const std::string& api_version, const std::string& kind);

// sha256 hex of `text`.
std::string Sha256Hex(const std::string& text);

}  // namespace dw::gitops
