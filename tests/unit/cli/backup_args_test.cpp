#include <catch2/catch.hpp>

#include "operator/cli/backup.h"
#include "operator/cli/backup_args.h"

using dw::cli::BackupCommand;
using dw::cli::BackupInvocation;

namespace {

dw::Status Parse(std::vector<std::string> words, BackupInvocation* out) {
  std::vector<char*> argv;
  for (auto& w : words) argv.push_back(w.data());
  return dw::cli::ParseBackupArgs(static_cast<int>(argv.size()), argv.data(), out);
}

}  // namespace

TEST_CASE("backup args: run with every flag", "[cli][backup]") {
  BackupInvocation inv;
  REQUIRE(Parse({"dockward", "backup", "run", "nightly", "-n", "prod", "--dry-run", "--wait", "--timeout", "2m"},
                &inv)
              .ok());
  CHECK(inv.command == BackupCommand::kRun);
  CHECK(inv.run.policy == "nightly");
  CHECK(inv.run.dry_run);
  CHECK(inv.run.wait);
  CHECK(inv.run.timeout == std::chrono::minutes(2));
  CHECK(inv.args.Get("namespace") == "prod");
}

TEST_CASE("backup args: defaults and global flags before the subcommand", "[cli][backup]") {
  BackupInvocation inv;
  // cli_main moves leading global flags after the verb, i.e. before "run".
  REQUIRE(Parse({"dockward", "backup", "--namespace", "ops", "--kubeconfig=/k", "run", "p1"}, &inv).ok());
  CHECK(inv.run.policy == "p1");
  CHECK_FALSE(inv.run.dry_run);
  CHECK_FALSE(inv.run.wait);
  CHECK(inv.run.timeout.count() == 0);
  CHECK(inv.args.Get("namespace") == "ops");
  CHECK(inv.args.Get("kubeconfig") == "/k");
  // A value-taking flag's value is not mistaken for the subcommand.
  BackupInvocation inv2;
  REQUIRE(Parse({"dockward", "backup", "-n", "list", "list"}, &inv2).ok());
  CHECK(inv2.command == BackupCommand::kList);
  CHECK(inv2.args.Get("namespace") == "list");
  CHECK(inv2.list.policy.empty());
}

TEST_CASE("backup args: run usage errors", "[cli][backup]") {
  BackupInvocation a, b, c, d, e, f;
  dw::Status st = Parse({"dockward", "backup", "run"}, &a);
  CHECK(st.message() == "error: POLICY is required");
  st = Parse({"dockward", "backup", "run", "p", "q"}, &b);
  CHECK(st.message() == "error: unexpected argument \"q\"");
  st = Parse({"dockward", "backup", "run", "p", "--timeout", "soon"}, &c);
  CHECK(st.message().find("invalid argument \"soon\" for \"--timeout\"") != std::string::npos);
  st = Parse({"dockward", "backup", "run", "p", "--timeout=0s"}, &d);
  CHECK_FALSE(st.ok());
  // A flag of another subcommand is refused, not ignored.
  st = Parse({"dockward", "backup", "run", "p", "--container", "x"}, &e);
  CHECK(st.message() == "error: unknown flag: --container");
  st = Parse({"dockward", "backup", "run", "p", "--wait=maybe"}, &f);
  CHECK_FALSE(st.ok());
}

TEST_CASE("backup args: restore", "[cli][backup]") {
  BackupInvocation inv;
  REQUIRE(Parse({"dockward", "backup", "restore", "--backup", "bk-1", "--container", "pg2", "--host", "h2",
                 "--database", "app", "--policy", "nightly", "--wait"},
                &inv)
              .ok());
  CHECK(inv.command == BackupCommand::kRestore);
  CHECK(inv.restore.backup == "bk-1");
  CHECK(inv.restore.artifact.empty());
  CHECK(inv.restore.container == "pg2");
  CHECK(inv.restore.host == "h2");
  CHECK(inv.restore.database == "app");
  CHECK(inv.restore.policy == "nightly");
  CHECK(inv.restore.wait);

  BackupInvocation by_path;
  REQUIRE(Parse({"dockward", "backup", "restore", "--artifact=/srv/b/x.sql.zst", "--container=c"}, &by_path).ok());
  CHECK(by_path.restore.artifact == "/srv/b/x.sql.zst");
  CHECK(by_path.restore.host.empty());
  CHECK_FALSE(by_path.restore.wait);
}

TEST_CASE("backup args: restore usage errors", "[cli][backup]") {
  auto msg = [](std::vector<std::string> words) {
    BackupInvocation inv;
    return Parse(std::move(words), &inv).message();
  };
  CHECK(msg({"dockward", "backup", "restore", "--container", "c"}) ==
        "error: exactly one of --backup and --artifact is required");
  CHECK(msg({"dockward", "backup", "restore", "--backup", "b", "--artifact", "/a", "--container", "c"}) ==
        "error: exactly one of --backup and --artifact is required");
  CHECK(msg({"dockward", "backup", "restore", "--backup", "b"}) == "error: --container is required");
  CHECK(msg({"dockward", "backup", "restore", "--artifact", "rel/x", "--container", "c"}) ==
        "error: --artifact must be an absolute path on the dockward host, got \"rel/x\"");
  CHECK(msg({"dockward", "backup", "restore", "--backup", "b", "--container", "c", "extra"}) ==
        "error: unexpected argument \"extra\"");
  CHECK(msg({"dockward", "backup", "restore", "--backup", "b", "--container"}) ==
        "error: flag needs an argument: --container");
}

TEST_CASE("backup args: verify, decrypt, list", "[cli][backup]") {
  BackupInvocation v;
  REQUIRE(Parse({"dockward", "backup", "verify", "/b/x.zst", "--key-file", "/k"}, &v).ok());
  CHECK(v.command == BackupCommand::kVerify);
  CHECK(v.verify.artifact == "/b/x.zst");
  CHECK(v.verify.key_file == "/k");

  BackupInvocation d;
  REQUIRE(Parse({"dockward", "backup", "decrypt", "x", "-o", "out.sql"}, &d).ok());
  CHECK(d.decrypt.output == "out.sql");
  CHECK_FALSE(d.decrypt.ToStdout());
  BackupInvocation d2;
  REQUIRE(Parse({"dockward", "backup", "decrypt", "x", "-o-"}, &d2).ok());
  CHECK(d2.decrypt.ToStdout());
  BackupInvocation d3;
  REQUIRE(Parse({"dockward", "backup", "decrypt", "x"}, &d3).ok());
  CHECK(d3.decrypt.ToStdout());

  BackupInvocation l;
  REQUIRE(Parse({"dockward", "backup", "list", "nightly"}, &l).ok());
  CHECK(l.list.policy == "nightly");

  BackupInvocation bad;
  CHECK(Parse({"dockward", "backup", "verify"}, &bad).message() == "error: ARTIFACT is required");
  BackupInvocation bad2;
  CHECK(Parse({"dockward", "backup", "list", "a", "b"}, &bad2).message() == "error: unexpected argument \"b\"");
  BackupInvocation bad3;
  CHECK(Parse({"dockward", "backup", "verify", "x", "-o", "y"}, &bad3).message() ==
        "error: unknown shorthand flag: 'o' in -o");
}

TEST_CASE("backup args: subcommand and help", "[cli][backup]") {
  BackupInvocation none, unknown, help, sub_help;
  CHECK(Parse({"dockward", "backup"}, &none).message() ==
        "error: a subcommand is required: run, restore, verify, decrypt or list");
  CHECK(Parse({"dockward", "backup", "now", "p"}, &unknown).message() ==
        "error: unknown command \"now\" for \"dockward backup\"");
  REQUIRE(Parse({"dockward", "backup", "--help"}, &help).ok());
  CHECK(help.help);
  CHECK(help.subcommand.empty());
  REQUIRE(Parse({"dockward", "backup", "restore", "-h"}, &sub_help).ok());
  CHECK(sub_help.help);
  CHECK(dw::cli::BackupUsage(sub_help.subcommand).find("--artifact PATH") != std::string::npos);
  CHECK(dw::cli::BackupUsage("").find("Subcommands:") != std::string::npos);
}

TEST_CASE("backup run: the nonce is a valid label value", "[cli][backup]") {
  dw::clock::TimePoint t;
  REQUIRE(dw::clock::ParseRfc3339("2026-01-23T04:05:06Z", &t));
  CHECK(dw::cli::RunRequestNonce(t, 0x1a2b3c4d) == "20260123T040506Z-1a2b3c4d");
  CHECK(dw::cli::RunRequestNonce(t, 7) == "20260123T040506Z-00000007");
  std::string n = dw::cli::RunRequestNonce(dw::clock::Now(), 0xffffffffu);
  CHECK(n.size() == 25);
  CHECK(n.find_first_not_of("0123456789TZabcdef-") == std::string::npos);
}
