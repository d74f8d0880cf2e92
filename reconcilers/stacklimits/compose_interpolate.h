// Variable interpolation with docker-compose's rules, and the dotenv format
// compose reads its variables (.env, --env-file) and env_file entries from.
//
// Promises: ${VAR}, $VAR, ${VAR:-default}, ${VAR-default}, ${VAR:?err},
// ${VAR?err} and $$ behave as in compose: `:-`/`:?` treat an empty value like
// an unset one, `-`/`?` only an unset one; defaults are themselves
// interpolated; an unset variable without default becomes "" and is reported
// (compose warns, it does not fail). `{{VAR}}` is not compose syntax and is
// left untouched, so lint sees what the container would.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "operator/common/status.h"

namespace dw::stacklimits {

using VarMap = std::map<std::string, std::string>;

// Interpolates `in` into `out`. `unset` receives the names of variables that
// were substituted by "" (in order, duplicates kept). Errors (Invalid):
// ${VAR:?msg} / ${VAR?msg} on a missing variable, and malformed syntax such
// as an unterminated "${" or "${}". The message is compose's.
Status Interpolate(std::string_view in, const VarMap& vars, std::string* out,
                   std::vector<std::string>* unset);

// One parsed dotenv line.
struct EnvLine {
  std::string key;
  std::string value;
  bool has_value = false;  // false for a bare "KEY" line (value from the shell)
  int line = 0;            // 1-based
};

// Parses a dotenv file: KEY=VALUE lines, blank lines and '#' comments
// skipped, an optional leading "export ", surrounding single or double quotes
// stripped from the value (backslash escapes n, t, quote and backslash are
// honoured inside double quotes only), whitespace around key and unquoted value trimmed.
// A line without '=' is a bare key. Invalid: a key that is empty or holds
// whitespace, naming `source:line`.
Status ParseDotenv(std::string_view text, const std::string& source, std::vector<EnvLine>* out);

}  // namespace dw::stacklimits
