// Plain-scalar resolution shared by the YAML parser and emitter.
// Follows the YAML 1.2 core schema as Kubernetes users expect it: null/~,
// true/false (three casings, never yes/no/on/off), integers (decimal, 0o
// octal, 0x hex, optional sign) and floats (incl. .inf/.nan). Anything else
// is a string. The emitter uses the same rules to decide when a string must
// be quoted, so parse and emit can never disagree.
#pragma once

#include <string_view>

#include "operator/json/json.h"

namespace dw::yaml::internal {

bool IsNullScalar(std::string_view s);
bool ParseBoolScalar(std::string_view s, bool* out);
// Integers beyond int64 become uint64, beyond that a double (decimal only).
bool ParseIntScalar(std::string_view s, json::Value* out);
// Accepts everything the core float pattern accepts, which includes integers.
bool ParseFloatScalar(std::string_view s, json::Value* out);

// The JSON value of an untagged plain scalar.
void ResolvePlain(std::string_view s, json::Value* out, json::Allocator& a);

// True when the plain scalar `s` would read back as a non-string.
bool ResolvesToNonString(std::string_view s);

}  // namespace dw::yaml::internal
