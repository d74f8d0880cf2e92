// Compiled `pattern` regexes, shared process-wide. A std::regex costs far more
// to build than to run, and every write validates against the same handful of
// CRD patterns, so each distinct pattern string is compiled exactly once.
// Thread-safe; entries live for the life of the process (the set of patterns
// is bounded by the schemas the server loaded).
#pragma once

#include <regex>
#include <string_view>

namespace dw::schema {

// The compiled regex for `pattern` (ECMAScript), or nullptr when the pattern
// does not compile. The pointer stays valid for the life of the process.
const std::regex* CompiledPattern(std::string_view pattern);

}  // namespace dw::schema
