#include "operator/cli/backup_args.h"

#include <vector>

namespace dw::cli {

namespace {

struct Subcommand {
  const char* name;
  BackupCommand command;
  std::vector<FlagSpec> flags;
  const char* usage;
};

const std::vector<Subcommand>& Subcommands() {
  static const std::vector<Subcommand> kSubs = {
      {"run",
       BackupCommand::kRun,
       {{"dry-run", 0, false}, {"wait", 0, false}, {"timeout", 0, true}},
       "Ask a BackupPolicy to back up every container it selects, now.\n\n"
       "Usage:\n  dockward backup run POLICY [-n NS] [--dry-run] [--wait] [--timeout DURATION]\n\n"
       "Flags:\n"
       "      --dry-run          show what would be backed up where; dump nothing\n"
       "      --wait             follow the Backups until they finish; exit 0 only if all succeeded\n"
       "      --timeout DURATION give up after DURATION (default: 60s for the policy to react,\n"
       "                         no limit while following the Backups)\n"},
      {"restore",
       BackupCommand::kRestore,
       {{"backup", 0, true},
        {"artifact", 0, true},
        {"container", 0, true},
        {"host", 0, true},
        {"database", 0, true},
        {"policy", 0, true},
        {"wait", 0, false},
        {"timeout", 0, true}},
       "Restore a backup into a database container (creates a Restore object).\n\n"
       "Usage:\n  dockward backup restore (--backup NAME | --artifact PATH) --container C\n"
       "      [--host H] [--database D] [--policy P] [-n NS] [--wait] [--timeout DURATION]\n\n"
       "Flags:\n"
       "      --backup NAME      Backup object whose artifact is restored\n"
       "      --artifact PATH    absolute path of an artifact on the dockward host\n"
       "      --container C      target container (required)\n"
       "      --host H           DockerHost of the container (default: local)\n"
       "      --database D       database to restore into (default: the one in the artifact)\n"
       "      --policy P         BackupPolicy whose encryption key applies\n"
       "      --wait             follow the Restore until it finishes; exit 0 only if it succeeded\n"
       "      --timeout DURATION give up waiting after DURATION\n"},
      {"verify",
       BackupCommand::kVerify,
       {{"key-file", 0, true}},
       "Check an artifact against its metadata sidecar (ARTIFACT.json), locally.\n\n"
       "Usage:\n  dockward backup verify ARTIFACT [--key-file FILE]\n\n"
       "The artifact's size and SHA-256 are always checked. The dump inside is decrypted,\n"
       "decompressed and checked too when the artifact is not encrypted or a key is given.\n\n"
       "Flags:\n"
       "      --key-file FILE    encryption key: 32 raw bytes or their base64 text\n"},
      {"decrypt",
       BackupCommand::kDecrypt,
       {{"key-file", 0, true}, {"output", 'o', true}},
       "Write the plaintext dump of an artifact (decrypted and decompressed), locally.\n\n"
       "Usage:\n  dockward backup decrypt ARTIFACT [--key-file FILE] [-o OUT|-]\n\n"
       "Flags:\n"
       "      --key-file FILE    encryption key: 32 raw bytes or their base64 text\n"
       "  -o, --output OUT       file to create (never overwritten); '-' or absent: stdout\n"},
      {"list",
       BackupCommand::kList,
       {},
       "List Backups, newest first.\n\n"
       "Usage:\n  dockward backup list [POLICY] [-n NS]\n"},
  };
  return kSubs;
}

const Subcommand* FindSub(const std::string& name) {
  for (const auto& s : Subcommands())
    if (name == s.name) return &s;
  return nullptr;
}

Status Usage(const std::string& msg) { return Status::BadRequest("error: " + msg); }

// True if argv[i] is a flag whose value is the next word (so that word is
// not the subcommand). Knows every flag of every subcommand.
bool ConsumesNext(const std::string& a) {
  if (a.size() < 2 || a[0] != '-' || a.find('=') != std::string::npos) return false;
  auto takes_value = [&](const FlagSpec& f) {
    if (!f.takes_value) return false;
    if (a[1] == '-') return a.substr(2) == f.name;
    return a.size() == 2 && a[1] == f.shorthand;
  };
  for (const auto& f : GlobalFlags())
    if (takes_value(f)) return true;
  for (const auto& s : Subcommands())
    for (const auto& f : s.flags)
      if (takes_value(f)) return true;
  return false;
}

// Index of the subcommand word in argv, or argc if there is none.
int FindSubcommandIndex(int argc, char** argv) {
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--") return i + 1 < argc ? i + 1 : argc;
    if (a.size() < 2 || a[0] != '-') return i;
    if (ConsumesNext(a)) ++i;
  }
  return argc;
}

Status ParseTimeout(const Args& args, std::chrono::milliseconds* out) {
  if (!args.Has("timeout")) return Status::OK();
  std::string v = args.Get("timeout");
  if (!ParseDuration(v, out) || out->count() <= 0)
    return Usage("invalid argument \"" + v + "\" for \"--timeout\" flag: want a positive duration such as 90s, 5m or 1h");
  return Status::OK();
}

Status NeedPositionals(const Args& args, size_t min, size_t max, const std::string& what) {
  size_t n = args.positional.size();
  if (n < min) return Usage(what + " is required");
  if (n > max) return Usage("unexpected argument \"" + args.positional[max] + "\"");
  return Status::OK();
}

Status FillRun(const Args& args, BackupRunOptions* o) {
  DW_RETURN_IF_ERROR(NeedPositionals(args, 1, 1, "POLICY"));
  o->policy = args.positional[0];
  DW_RETURN_IF_ERROR(args.GetBool("dry-run", false, &o->dry_run));
  DW_RETURN_IF_ERROR(args.GetBool("wait", false, &o->wait));
  return ParseTimeout(args, &o->timeout);
}

Status FillRestore(const Args& args, BackupRestoreOptions* o) {
  DW_RETURN_IF_ERROR(NeedPositionals(args, 0, 0, ""));
  o->backup = args.Get("backup");
  o->artifact = args.Get("artifact");
  o->container = args.Get("container");
  o->host = args.Get("host");
  o->database = args.Get("database");
  o->policy = args.Get("policy");
  if (o->backup.empty() == o->artifact.empty())
    return Usage("exactly one of --backup and --artifact is required");
  if (!o->artifact.empty() && o->artifact[0] != '/')
    return Usage("--artifact must be an absolute path on the dockward host, got \"" + o->artifact + "\"");
  if (o->container.empty()) return Usage("--container is required");
  if (args.Has("host") && o->host.empty()) return Usage("--host must not be empty");
  if (args.Has("policy") && o->policy.empty()) return Usage("--policy must not be empty");
  DW_RETURN_IF_ERROR(args.GetBool("wait", false, &o->wait));
  return ParseTimeout(args, &o->timeout);
}

Status FillVerify(const Args& args, BackupVerifyOptions* o) {
  DW_RETURN_IF_ERROR(NeedPositionals(args, 1, 1, "ARTIFACT"));
  o->artifact = args.positional[0];
  o->key_file = args.Get("key-file");
  if (args.Has("key-file") && o->key_file.empty()) return Usage("--key-file must not be empty");
  return Status::OK();
}

Status FillDecrypt(const Args& args, BackupDecryptOptions* o) {
  DW_RETURN_IF_ERROR(NeedPositionals(args, 1, 1, "ARTIFACT"));
  o->artifact = args.positional[0];
  o->key_file = args.Get("key-file");
  o->output = args.Get("output");
  if (args.Has("key-file") && o->key_file.empty()) return Usage("--key-file must not be empty");
  if (args.Has("output") && o->output.empty()) return Usage("--output must not be empty (use '-' for stdout)");
  return Status::OK();
}

Status FillList(const Args& args, BackupListOptions* o) {
  DW_RETURN_IF_ERROR(NeedPositionals(args, 0, 1, ""));
  if (!args.positional.empty()) o->policy = args.positional[0];
  return Status::OK();
}

}  // namespace

Status ParseBackupArgs(int argc, char** argv, BackupInvocation* out) {
  int sub_index = FindSubcommandIndex(argc, argv);
  // Every word but the subcommand, so ParseArgs sees flags and positionals.
  std::vector<char*> rest(argv, argv + std::min(argc, 2));
  for (int i = 2; i < argc; ++i)
    if (i != sub_index) rest.push_back(argv[i]);
  std::vector<FlagSpec> specs = GlobalFlags();
  const Subcommand* sub = nullptr;
  if (sub_index < argc) {
    out->subcommand = argv[sub_index];
    sub = FindSub(out->subcommand);
    if (!sub)
      return Usage("unknown command \"" + out->subcommand + "\" for \"dockward backup\"");
    specs.insert(specs.end(), sub->flags.begin(), sub->flags.end());
  }
  DW_RETURN_IF_ERROR(ParseArgs(static_cast<int>(rest.size()), rest.data(), 2, specs, &out->args));
  out->args.verb = "backup";
  DW_RETURN_IF_ERROR(out->args.GetBool("help", false, &out->help));
  if (out->help) return Status::OK();
  if (!sub) return Usage("a subcommand is required: run, restore, verify, decrypt or list");
  out->command = sub->command;
  switch (sub->command) {
    case BackupCommand::kRun: return FillRun(out->args, &out->run);
    case BackupCommand::kRestore: return FillRestore(out->args, &out->restore);
    case BackupCommand::kVerify: return FillVerify(out->args, &out->verify);
    case BackupCommand::kDecrypt: return FillDecrypt(out->args, &out->decrypt);
    case BackupCommand::kList: return FillList(out->args, &out->list);
  }
  return Status::Internal("unhandled backup subcommand");
}

std::string BackupUsage(const std::string& subcommand) {
  if (const Subcommand* s = FindSub(subcommand))
    return std::string(s->usage) +
           "\nGlobal flags: --kubeconfig PATH, --context NAME, -n/--namespace NS, "
           "--request-timeout DURATION\n";
  return "Back up, restore and check database backups.\n\n"
         "Usage:\n  dockward backup SUBCOMMAND [flags]\n\n"
         "Subcommands:\n"
         "  run       Back up the containers a BackupPolicy selects, now\n"
         "  restore   Restore a backup into a database container\n"
         "  verify    Check an artifact's checksum and content (local)\n"
         "  decrypt   Write an artifact's plaintext dump (local)\n"
         "  list      List Backups, newest first\n\n"
         "Run 'dockward backup SUBCOMMAND --help' for its flags.\n";
}

}  // namespace dw::cli
