// Command line of `dockward backup SUBCOMMAND`. Each subcommand has its own
// flag set (plus the global kubeconfig/context/namespace flags), so a flag
// that belongs to another subcommand is an error, not silently ignored.
// Parsing is pure (no I/O): every usage error comes back as a BadRequest
// whose message is ready to print, and the caller exits 2.
#pragma once

#include <chrono>
#include <string>

#include "operator/cli/args.h"
#include "operator/common/status.h"

namespace dw::cli {

enum class BackupCommand { kRun, kRestore, kVerify, kDecrypt, kList };

struct BackupRunOptions {
  std::string policy;
  bool dry_run = false;
  bool wait = false;
  std::chrono::milliseconds timeout{0};  // 0: not given
};

struct BackupRestoreOptions {
  std::string backup;    // exactly one of backup / artifact
  std::string artifact;  // absolute path on the dockward host
  std::string container;
  std::string host, database, policy;  // optional
  bool wait = false;
  std::chrono::milliseconds timeout{0};
};

struct BackupVerifyOptions {
  std::string artifact;
  std::string key_file;
};

struct BackupDecryptOptions {
  std::string artifact;
  std::string key_file;
  std::string output;  // "" or "-": stdout
  bool ToStdout() const { return output.empty() || output == "-"; }
};

struct BackupListOptions {
  std::string policy;  // "": every Backup in the namespace
};

struct BackupInvocation {
  BackupCommand command = BackupCommand::kList;
  std::string subcommand;  // as typed; "" when none was given
  bool help = false;       // -h/--help: print BackupUsage(subcommand)
  Args args;               // raw flags, for the global ones (SetupEnv)
  BackupRunOptions run;
  BackupRestoreOptions restore;
  BackupVerifyOptions verify;
  BackupDecryptOptions decrypt;
  BackupListOptions list;
};

// argv[0] is the program, argv[1] "backup"; the subcommand is the first word
// that is not a flag (global flags may precede it).
Status ParseBackupArgs(int argc, char** argv, BackupInvocation* out);

// Usage of one subcommand, or of `dockward backup` when `subcommand` is "" or
// unknown.
std::string BackupUsage(const std::string& subcommand);

}  // namespace dw::cli
