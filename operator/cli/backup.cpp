// BackupMain: parses `dockward backup ...`, prepares the server connection
// only for the subcommands that need one, and maps outcomes to exit codes
// (0 ok, 1 failed, 2 usage).
#include "operator/cli/backup.h"

namespace dw::cli {

namespace {

constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

Status RunRemote(BackupInvocation& inv, int* exit_code) {
  Env env;
  env.args = inv.args;
  DW_RETURN_IF_ERROR(SetupEnv(&env));
  switch (inv.command) {
    case BackupCommand::kRun: return RunBackupRun(env, inv.run, exit_code);
    case BackupCommand::kRestore: return RunBackupRestore(env, inv.restore, exit_code);
    case BackupCommand::kList: return RunBackupList(env, inv.list);
    default: return Status::Internal("error: not a server subcommand");
  }
}

}  // namespace

int BackupMain(int argc, char** argv) {
  BackupInvocation inv;
  Status st = ParseBackupArgs(argc, argv, &inv);
  if (!st.ok()) {
    std::cerr << st.message() << "\n"
              << "See 'dockward backup " << (inv.subcommand.empty() ? "" : inv.subcommand + " ")
              << "--help' for usage.\n";
    return kExitUsage;
  }
  if (inv.help) {
    std::cout << BackupUsage(inv.subcommand);
    return 0;
  }
  int exit_code = 0;
  if (inv.command == BackupCommand::kVerify) st = RunBackupVerify(inv.verify, std::cout);
  else if (inv.command == BackupCommand::kDecrypt) st = RunBackupDecrypt(inv.decrypt, std::cout);
  else st = RunRemote(inv, &exit_code);
  if (st.ok()) return exit_code;
  std::cout.flush();
  std::cerr << st.message() << "\n";
  return exit_code > kExitFailure ? exit_code : kExitFailure;
}

}  // namespace dw::cli
