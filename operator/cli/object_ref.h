// Resolving manifest objects to REST locations, shared by apply, delete and
// diff: kind -> resource, namespace defaulting and the -n mismatch check,
// with kubectl's error texts.
#pragma once

#include <string>
#include <vector>

#include "operator/cli/env.h"
#include "operator/cli/manifest.h"

namespace dw::cli {

struct ObjectRef {
  const Manifest* manifest = nullptr;
  const ApiResource* res = nullptr;
  std::string ns;  // "" for cluster-scoped
  std::string name;
  std::string Path() const { return res->Path(ns, name); }
  // `backuppolicy.dockward.io/nightly`
  std::string Display() const { return res->KindGroup() + "/" + name; }
};

// Resolves every manifest; fails on the first unknown kind or bad namespace
// before anything has been sent. Sets metadata.namespace on namespaced objects.
Status ResolveManifests(Env& env, std::vector<Manifest>& manifests, std::vector<ObjectRef>* out);

}  // namespace dw::cli
