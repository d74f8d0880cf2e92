// ObjectMeta admission rules shared by every kind (the part of Kubernetes'
// apimachinery ValidateObjectMeta that applies to a single-binary server):
// name / generateName, namespace presence and syntax, label and annotation
// syntax and size, finalizer names, ownerReferences shape.
#pragma once

#include <vector>

#include "operator/common/status.h"
#include "operator/json/json.h"

namespace dw::schema {

// Every problem of `metadata` (the object's "metadata" member), with fields
// such as "metadata.labels" or "metadata.ownerReferences[0].uid". Empty when
// valid. `namespaced` says whether the kind lives in a namespace (then
// metadata.namespace is required; otherwise it must be empty).
// Names are DNS-1123 subdomains for most kinds; some (Namespace) must be the
// stricter DNS-1123 label, as in Kubernetes.
enum class NameRule { kDnsSubdomain, kDnsLabel };

std::vector<FieldCause> ValidateObjectMeta(const json::Value& metadata, bool namespaced,
                                           NameRule name_rule = NameRule::kDnsSubdomain);

}  // namespace dw::schema
