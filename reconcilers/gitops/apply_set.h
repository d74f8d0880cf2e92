// ApplySet: the server side of a sync, in three steps that the reconciler
// runs in order:
//   Validate  a dryRun=All server-side apply of every object, before any real
//             write, so the server's own schema, defaulting and admission
//             judge the whole commit; every failure is reported as
//             "FILE:LINE: Kind ns/name: message" (the line of the first bad
//             field when the server names one). It also learns, per object,
//             whether it exists and whether the apply would change it.
//   Apply     a real server-side apply (force: Git is the source of truth)
//             of each object that is missing or would change; Namespaces first.
//   Prune     deletes an object that left Git, but only when this field
//             manager still owns fields of it (an object someone else took
//             over or recreated is left alone).
// An object whose namespace does not exist yet but is created by the same
// commit is validated in the GitRepository's own namespace instead (schema
// checks do not depend on the namespace), so a commit that adds a namespace
// and its contents validates before anything is applied.
#pragma once

#include <string>
#include <vector>

#include "operator/runtime/client.h"
#include "reconcilers/gitops/drift.h"
#include "reconcilers/gitops/inventory.h"
#include "reconcilers/gitops/manifest_set.h"

namespace dw::gitops {

struct Planned {
  const ManifestObject* m = nullptr;
  bool exists = false;
  bool differs = false;
  Change change = Change::kNone;
};

class ApplySet {
 public:
  // `fallback_ns`: an existing namespace for the validation described above.
  ApplySet(runtime::Client* client, std::string field_manager, std::string fallback_ns)
      : client_(client), manager_(std::move(field_manager)), fallback_ns_(std::move(fallback_ns)) {}

  // Invalid listing every failure (one per line) when any object fails.
  Status Validate(const std::vector<ManifestObject>& set, const std::vector<InventoryEntry>& old_inv,
                  std::vector<Planned>* plan);
  // Applies what the plan says changes; stops at the first failure (named
  // "FILE:LINE: ..."). `applied` gets the objects written so far.
  Status Apply(const std::vector<Planned>& plan, std::vector<const Planned*>* applied);
  // Deletes `e` if it still exists and is ours. *deleted says whether it did.
  Status Prune(const InventoryEntry& e, bool* deleted);

 private:
  Status DryRun(const ManifestObject& m, const std::vector<std::string>& new_namespaces, Planned* p);
  runtime::WriteOptions Options(bool dry_run) const;

  runtime::Client* client_;
  std::string manager_;
  std::string fallback_ns_;
};

// "FILE:LINE: Kind ns/name: message", the line of st's first field cause.
std::string DescribeFailure(const ManifestObject& m, const Status& st);

}  // namespace dw::gitops
