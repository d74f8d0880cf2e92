// The verbs. Each takes a prepared Env, writes results to env.out and
// returns a Status whose message is ready to print; `exit_code` lets a verb
// (diff) report an outcome other than 0/1.
#pragma once

#include <vector>

#include "operator/cli/args.h"
#include "operator/cli/env.h"

namespace dw::cli {

struct Verb {
  const char* name;
  const char* summary;
  std::vector<FlagSpec> (*flags)();
  Status (*run)(Env& env, int* exit_code);
  bool needs_server = true;
  // Set for a verb with subcommands that parses its own argv (argv[1] is the
  // verb) and returns the exit code; flags/run are then unused.
  int (*main)(int argc, char** argv) = nullptr;
};

const std::vector<Verb>& Verbs();

std::vector<FlagSpec> ApplyFlags();
Status RunApply(Env& env, int* exit_code);
std::vector<FlagSpec> GetFlags();
Status RunGet(Env& env, int* exit_code);
std::vector<FlagSpec> DescribeFlags();
Status RunDescribe(Env& env, int* exit_code);
std::vector<FlagSpec> DeleteFlags();
Status RunDelete(Env& env, int* exit_code);
std::vector<FlagSpec> DiffFlags();
Status RunDiff(Env& env, int* exit_code);
std::vector<FlagSpec> VersionFlags();
Status RunVersion(Env& env, int* exit_code);
// StackLimits findings as PolicyReports or a table (operator/cli/report.cpp).
std::vector<FlagSpec> ReportFlags();
Status RunReport(Env& env, int* exit_code);
// StackLimits rules on compose files, for CI (operator/cli/lint.cpp).
std::vector<FlagSpec> LintFlags();
Status RunLint(Env& env, int* exit_code);
// `dockward gitops sync NAME` (operator/cli/gitops.cpp); parses its own argv.
int GitopsMain(int argc, char** argv);

}  // namespace dw::cli
