// The apimachinery meta/v1 schemas (ObjectMeta, ListMeta, Time, Status,
// DeleteOptions, ...) that every published OpenAPI document references, so
// `kubectl explain <kind>.metadata` has something to show.
#pragma once

#include "operator/json/json.h"

namespace dw::schema {

// Adds every meta/v1 schema as a member of `schemas` (an object), with $refs
// spelled "<ref_prefix><name>" ("#/components/schemas/" for v3,
// "#/definitions/" for v2).
void AddMetaSchemas(json::Value& schemas, const char* ref_prefix, json::Allocator& a);

// Definition names of the meta/v1 schemas referenced by kind documents.
inline constexpr const char kObjectMetaDef[] = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";
inline constexpr const char kListMetaDef[] = "io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta";
inline constexpr const char kStatusDef[] = "io.k8s.apimachinery.pkg.apis.meta.v1.Status";
inline constexpr const char kDeleteOptionsDef[] = "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions";
inline constexpr const char kPatchDef[] = "io.k8s.apimachinery.pkg.apis.meta.v1.Patch";
inline constexpr const char kWatchEventDef[] = "io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent";

}  // namespace dw::schema
