// `dockward lint COMPOSE_FILE... -p POLICY_FILE`: the StackLimits rules run
// statically on compose files, for CI gates before deployment.
//
// Promises: the policy is admitted exactly as the API server would admit it
// (CRD defaults, pruning, schema validation), so a manifest kubectl apply
// would reject fails lint too; only services the policy selects are checked;
// exit 0 when no open finding reaches --fail-on, 1 when one does, 2 for a bad
// compose file, policy file or flag. Notes (unset variables, ignored keys)
// go to stderr and never change the exit code.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "operator/cli/args.h"
#include "operator/cli/env.h"
#include "reconcilers/stacklimits/stack_policy.h"

namespace dw::cli {

std::vector<FlagSpec> LintFlags();
Status RunLint(Env& env, int* exit_code);

// The StackLimits manifest among the YAML documents of `text` (the one named
// `want_name` when given; required when there are several), admitted against
// the compiled-in CRD and parsed. Errors are Invalid and name `source:line`.
// `warnings` receives pruned-field warnings.
Status LoadLintPolicy(std::string_view text, const std::string& source, const std::string& want_name,
                      stacklimits::StackPolicy* out, std::string* name, std::vector<std::string>* warnings);

}  // namespace dw::cli
