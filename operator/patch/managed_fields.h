// Server-side apply and managedFields bookkeeping (metadata.managedFields,
// FieldsV1 format: {"f:spec":{"f:schedule":{}}, "k:{\"type\":\"Ready\"}":{...}}).
//
// Apply semantics follow Kubernetes structured-merge-diff:
//  - the applied configuration is merged into the live object; a field the
//    same manager applied before and omits now is removed (unless another
//    manager also owns it);
//  - setting a field to a different value than one owned by another manager
//    is a conflict (409 with one FieldManagerConflict cause per field) unless
//    force=true, which takes ownership;
//  - lists: x-kubernetes-list-type map (keys from x-kubernetes-list-map-keys)
//    merge per key, set merges by value, atomic (default) replaces whole;
//    maps merge per key unless x-kubernetes-map-type: atomic.
// Non-apply writes (create/update/patch) record Update entries for the fields
// they changed so that later applies detect conflicts against them.
#pragma once

#include <string>

#include "operator/common/status.h"
#include "operator/json/json.h"

namespace dw::patch {

struct ApplyOptions {
  const json::Value* schema = nullptr;  // openAPIV3Schema (nullptr: all lists atomic)
  std::string manager;                  // fieldManager (required)
  bool force = false;
  std::string subresource;              // "" or "status"
  std::string now;                      // RFC3339 time to stamp into managedFields
  std::string api_version;              // "dockward.io/v1alpha1"
};

// `live` is nullptr when the object does not exist (apply creates it).
// `applied` is the user's configuration (must carry apiVersion/kind/metadata.name).
// On success `out` holds the merged object including updated managedFields.
Status ServerSideApply(const json::Value* live, const json::Value& applied,
                       const ApplyOptions& opts, json::Document* out);

// Records a non-apply write by `opts.manager` (operation "Update"): fields that
// differ between `old_obj` (nullptr on create) and `new_obj` become owned by
// that manager and are removed from other managers' sets. Mutates new_obj's
// metadata.managedFields.
void RecordUpdate(const json::Value* old_obj, json::Value& new_obj, const ApplyOptions& opts,
                  json::Allocator& a);

}  // namespace dw::patch
