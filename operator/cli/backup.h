// `dockward backup`: run / restore / list talk to the API server (the
// BackupPolicy, Backup and Restore objects, see reconcilers/backup/contract.h);
// verify / decrypt work on an artifact file locally, with no server.
// Exit codes: 0 success, 1 failure (a run failed, verification failed, the
// server refused), 2 usage error.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

#include "operator/common/clock.h"

#include "operator/cli/backup_args.h"
#include "operator/cli/env.h"

namespace dw::cli {

// The whole verb: parses argv (argv[1] == "backup"), runs, prints errors.
int BackupMain(int argc, char** argv);

// Local subcommands. `out` gets the report (verify) or the dump (decrypt to
// stdout); errors come back as Status ready to print.
Status RunBackupVerify(const BackupVerifyOptions& o, std::ostream& out);
Status RunBackupDecrypt(const BackupDecryptOptions& o, std::ostream& out);

// The run-request nonce written to the policy's run-requested-at annotation
// and used by the policy reconciler, verbatim, as the run-request label value
// of the Backups it creates; so it must be a valid label value (no ':'):
// the UTC time in RFC 3339 basic format plus 8 random hex digits,
// "20260123T120000Z-1a2b3c4d".
std::string RunRequestNonce(clock::TimePoint now, uint32_t random);

// Server subcommands; *exit_code is 1 when a followed run did not succeed.
Status RunBackupRun(Env& env, const BackupRunOptions& o, int* exit_code);
Status RunBackupRestore(Env& env, const BackupRestoreOptions& o, int* exit_code);
Status RunBackupList(Env& env, const BackupListOptions& o);

}  // namespace dw::cli
