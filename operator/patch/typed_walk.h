// Schema-aware walks over objects that server-side apply is built from,
// mirroring structured-merge-diff's ToFieldSet, Compare, Merge and prune.
// Paths use FieldsV1 path elements; list items are keyed per the schema
// (map lists by their keys, sets by value, atomic lists are leaves).
// metadata.managedFields is never walked.
#pragma once

#include "operator/json/json.h"
#include "operator/patch/field_set.h"

namespace dw::patch::typed {

// Every field path the object sets: leaves, list items, empty/null values
// and members of maps without declared properties.
FieldSet ToFieldSet(const json::Value& obj, const json::Value* schema);

struct Comparison {
  FieldSet added;     // in `to` only (containers included, as upstream)
  FieldSet modified;  // leaves whose value changed
  FieldSet removed;   // in `from` only
};
Comparison Compare(const json::Value& from, const json::Value& to, const json::Value* schema);

// `config` merged into `live` (granular maps and map/set lists merge, leaves
// and atomic values take config's value). Result allocated with `a`.
void Merge(const json::Value& live, const json::Value& config, const json::Value* schema, json::Value* out,
           json::Allocator& a);

// Removes from `obj` each path in `last` that nobody in `owned` owns any more
// (with its subtree, unless some descendant is still owned).
void Prune(json::Value& obj, const FieldSet& last, const FieldSet& owned, const json::Value* schema);

// The paths the API server never tracks (apiVersion, kind, metadata itself,
// name, namespace, uid, resourceVersion, ...).
const FieldSet& Untracked();

}  // namespace dw::patch::typed
