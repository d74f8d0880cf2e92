// Patch semantics of the Kubernetes API:
//  - JSON merge patch (RFC 7386),
//  - JSON patch (RFC 6902: add, remove, replace, move, copy, test; JSON
//    pointers with ~0/~1 escapes, "-" for append),
//  - strategic merge patch for the core kinds (merge keys and list strategies
//    come from the schema's x-kubernetes-list-type / x-kubernetes-list-map-keys
//    or x-kubernetes-patch-merge-key / x-kubernetes-patch-strategy; the
//    directives $patch (replace/delete/merge), $retainKeys,
//    $deleteFromPrimitiveList/<f> and $setElementOrder/<f> are honoured).
// All functions leave `target` untouched when they return an error.
#pragma once

#include "operator/common/status.h"
#include "operator/json/json.h"

namespace dw::patch {

Status ApplyMergePatch(json::Value& target, const json::Value& patch, json::Allocator& a);

Status ApplyJsonPatch(json::Value& target, const json::Value& ops, json::Allocator& a);

// `schema` is the openAPIV3Schema of the kind (may be nullptr: then lists are
// replaced as in a merge patch).
Status ApplyStrategicMergePatch(json::Value& target, const json::Value& patch,
                                const json::Value* schema, json::Allocator& a);

// The merge patch that turns `original` into `modified` (null for removals).
// Used by `dockward apply` (three-way with last-applied) and by diffs.
void CreateMergePatch(const json::Value& original, const json::Value& modified,
                      json::Value* patch, json::Allocator& a);

// Three-way merge patch as kubectl computes it for custom resources:
// fields in `last_applied` but not in `modified` are deleted, fields in
// `modified` that differ from `live` are set.
void CreateThreeWayMergePatch(const json::Value& last_applied, const json::Value& modified,
                              const json::Value& live, json::Value* patch, json::Allocator& a);

}  // namespace dw::patch
