// Structural-schema admission for objects: defaulting, pruning and validation
// against a CRD's openAPIV3Schema, with the semantics of the Kubernetes
// apiextensions apiserver:
//  - defaulting applies `default` values for absent fields (also inside array
//    items and additionalProperties), before validation;
//  - pruning removes fields not in the schema unless
//    x-kubernetes-preserve-unknown-fields is set; under fieldValidation=Strict
//    unknown fields are an error instead, under Warn/Ignore they are pruned
//    and (Warn) reported as warnings;
//  - validation covers type, required, enum, pattern (ECMAScript subset via
//    std::regex), minimum/maximum (+exclusive), minLength/maxLength,
//    minItems/maxItems, uniqueItems, minProperties/maxProperties, format
//    (date-time, date, uri, email, hostname, ipv4, ipv6, cidr, uuid, byte,
//    duration, int32, int64), nullable, x-kubernetes-int-or-string,
//    x-kubernetes-list-type (set/map uniqueness), oneOf/anyOf/allOf/not, and
//    x-kubernetes-validations is NOT evaluated (CEL) but tolerated.
// Every failing field is reported (not only the first) with its path in the
// Kubernetes style: "spec.targets[0].engine".
#pragma once

#include <string>
#include <vector>

#include "operator/common/status.h"
#include "operator/json/json.h"

namespace dw::schema {

enum class FieldValidation { kIgnore, kWarn, kStrict };

struct AdmissionResult {
  std::vector<FieldCause> errors;     // empty: valid
  std::vector<std::string> warnings;  // e.g. "unknown field \"spec.foo\""
};

// Applies defaults in place. `schema` is an openAPIV3Schema node.
void ApplyDefaults(const json::Value& schema, json::Value& obj, json::Allocator& a);

// Prunes unknown fields in place (or reports them as errors under kStrict).
// apiVersion, kind and metadata at the root are never pruned here (metadata
// is validated by the apiserver's ObjectMeta rules).
void PruneUnknown(const json::Value& schema, json::Value& obj, FieldValidation mode,
                  AdmissionResult* result);

// Validates `obj` against `schema`, appending every failure to result->errors.
void Validate(const json::Value& schema, const json::Value& obj, AdmissionResult* result);

// Runs defaulting, pruning and validation, in that order. The object is
// modified in place; on errors the caller must not store it.
AdmissionResult Admit(const json::Value& schema, json::Value& obj, FieldValidation mode,
                      json::Allocator& a);

}  // namespace dw::schema
