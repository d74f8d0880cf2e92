// Command-line parsing with kubectl's (pflag's) rules: --flag=value,
// --flag value, -f value, -fvalue, boolean flags that take only "=value",
// "--" ends flags, and the same error texts ("unknown flag: --x").
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "operator/common/status.h"

namespace dw::cli {

struct FlagSpec {
  std::string name;     // long name without dashes
  char shorthand = 0;   // 0: none
  bool takes_value = true;
};

struct Args {
  std::string verb;
  std::vector<std::string> positional;
  std::map<std::string, std::vector<std::string>> flags;  // long name -> values in order

  bool Has(const std::string& name) const { return flags.count(name) > 0; }
  // Last value given, or `def`.
  std::string Get(const std::string& name, const std::string& def = "") const;
  const std::vector<std::string>& All(const std::string& name) const;
  // Boolean flags: absent -> def; "--x" -> true; "--x=false" -> false.
  Status GetBool(const std::string& name, bool def, bool* out) const;
};

// The flags every verb accepts (kubeconfig, context, namespace, request-timeout).
std::vector<FlagSpec> GlobalFlags();

// Parses argv[first..argc) (argv[first-1] is the verb) against `specs`.
Status ParseArgs(int argc, char** argv, int first, const std::vector<FlagSpec>& specs,
                 Args* out);

// "30s", "2m", "1h", "500ms" or a bare number of seconds. False if malformed.
bool ParseDuration(const std::string& s, std::chrono::milliseconds* out);

}  // namespace dw::cli
