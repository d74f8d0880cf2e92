// Load-time checks of an openAPIV3Schema, so a broken CRD fails when it is
// loaded and not on the first write that happens to hit the broken node:
//  - every `pattern` compiles (and is warmed into the pattern cache);
//  - every `default` is valid against its own node after defaulting, as the
//    apiextensions apiserver requires;
//  - every `enum` value is valid against its node's other keywords.
#pragma once

#include "operator/common/status.h"
#include "operator/json/json.h"

namespace dw::schema {

// OK, or Invalid with one cause per problem; cause fields are schema paths
// such as "properties.spec.properties.compression.default".
Status CheckSchema(const json::Value& schema);

}  // namespace dw::schema
