// dw::cli::Main: finds the verb, parses its flags, prepares the Env, runs
// it and prints its error (already in kubectl's words) on stderr.
#include <cstring>

#include "operator/cli/backup.h"
#include "operator/cli/cli.h"
#include "operator/cli/verbs.h"

namespace dw::cli {

const std::vector<Verb>& Verbs() {
  static const std::vector<Verb> kVerbs = {
      {"apply", "Apply a configuration to a resource by file name or stdin", ApplyFlags, RunApply},
      {"get", "Display one or many resources", GetFlags, RunGet},
      {"describe", "Show details of a specific resource or group of resources", DescribeFlags,
       RunDescribe},
      {"delete", "Delete resources by file names, stdin, resources and names, or by resources and label selector",
       DeleteFlags, RunDelete},
      {"diff", "Diff the live version against a would-be applied version", DiffFlags, RunDiff},
      {"report", "Print StackLimits findings as a PolicyReport or a table", ReportFlags, RunReport},
      {"lint", "Check compose files against a StackLimits policy before deploying", LintFlags, RunLint,
       false},
      {"version", "Print the client and server version information", VersionFlags, RunVersion,
       false},
      {"backup", "Run, restore, verify, decrypt and list database backups", nullptr, nullptr, false,
       BackupMain},
      {"gitops", "Sync a GitRepository now and report the outcome", nullptr, nullptr, false, GitopsMain},
  };
  return kVerbs;
}

namespace {

void PrintUsage(std::ostream& out) {
  out << "dockward: a declarative operator for Docker hosts.\n\nUsage:\n  dockward [command] [flags]\n\n"
         "Commands:\n  serve      Run the API server and controllers\n";
  for (const auto& v : Verbs()) {
    std::string name = v.name;
    out << "  " << name << std::string(11 - name.size(), ' ') << v.summary << "\n";
  }
  out << "\nGlobal flags: --kubeconfig PATH, --context NAME, -n/--namespace NS, "
         "--request-timeout DURATION\n";
}

void PrintVerbUsage(const Verb& v, const std::vector<FlagSpec>& specs, std::ostream& out) {
  out << v.summary << ".\n\nUsage:\n  dockward " << v.name << " [flags]\n\nFlags:\n";
  for (const auto& f : specs) {
    out << "  ";
    if (f.shorthand) out << "-" << f.shorthand << ", ";
    else out << "    ";
    out << "--" << f.name << (f.takes_value ? " VALUE" : "") << "\n";
  }
}

int Fail(const Status& st, int exit_code) {
  if (!st.message().empty()) std::cerr << st.message() << "\n";
  return exit_code > 1 ? exit_code : 1;
}

// kubectl accepts global flags before the verb ("--kubeconfig X get bp").
// Moves such leading flags after the verb so one parser sees them all.
std::vector<char*> VerbFirst(int argc, char** argv) {
  std::vector<char*> leading, out{argv[0]};
  int i = 1;
  for (; i < argc && argv[i][0] == '-' && argv[i][1] != 0; ++i) {
    leading.push_back(argv[i]);
    std::string a = argv[i];
    bool has_value = a.find('=') == std::string::npos && a != "-h" && a != "--help" &&
                     (a == "-n" || a.rfind("--", 0) == 0);
    if (has_value && i + 1 < argc) leading.push_back(argv[++i]);
  }
  if (i < argc) out.push_back(argv[i++]);
  for (; i < argc; ++i) out.push_back(argv[i]);
  out.insert(out.size() > 1 ? out.begin() + 2 : out.end(), leading.begin(), leading.end());
  return out;
}

}  // namespace

int Main(int argc, char** argv) {
  std::vector<char*> reordered = VerbFirst(argc, argv);
  argc = static_cast<int>(reordered.size());
  argv = reordered.data();
  if (argc < 2 || !std::strcmp(argv[1], "help") || !std::strcmp(argv[1], "--help") ||
      !std::strcmp(argv[1], "-h")) {
    PrintUsage(std::cout);
    return argc < 2 ? 1 : 0;
  }
  const Verb* verb = nullptr;
  for (const auto& v : Verbs())
    if (v.name == std::string(argv[1])) verb = &v;
  if (!verb) {
    std::cerr << "error: unknown command \"" << argv[1] << "\" for \"dockward\"\n"
              << "Run 'dockward --help' for usage.\n";
    return 1;
  }
  if (verb->main) return verb->main(argc, argv);
  Env env;
  std::vector<FlagSpec> specs = GlobalFlags();
  auto own = verb->flags();
  specs.insert(specs.end(), own.begin(), own.end());
  Status st = ParseArgs(argc, argv, 2, specs, &env.args);
  if (!st.ok()) {
    std::cerr << st.message() << "\nSee 'dockward " << verb->name << " --help' for usage.\n";
    return 1;
  }
  if (env.args.Has("help")) {
    PrintVerbUsage(*verb, specs, std::cout);
    return 0;
  }
  st = SetupEnv(&env);
  if (!st.ok() && verb->needs_server) return Fail(st, 1);
  int exit_code = 0;
  st = verb->run(env, &exit_code);
  if (!st.ok()) return Fail(st, exit_code);
  return exit_code;
}

}  // namespace dw::cli
