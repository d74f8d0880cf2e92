// `dockward gitops sync NAME`: asks the GitRepository controller for a sync
// now (the sync-requested-at annotation of reconcilers/gitops/contract.h,
// Flux's requestedAt pattern), waits until status.lastHandledSyncAt shows the
// request was handled, and reports the outcome from the Ready condition.
// Exit codes: 0 synced (or requested, with --wait=false), 1 the sync failed,
// the object is suspended or missing, or the wait timed out; 2 usage.
#include <chrono>
#include <thread>

#include "operator/cli/backup_progress.h"
#include "operator/cli/verbs.h"
#include "operator/common/clock.h"
#include "operator/runtime/conditions.h"
#include "reconcilers/gitops/contract.h"

namespace dw::cli {

namespace {

constexpr int kExitUsage = 2;
constexpr char kUsage[] =
    "Sync a GitRepository now: fetch, validate, apply and prune, then report.\n\n"
    "Usage:\n  dockward gitops sync NAME [flags]\n\n"
    "Flags:\n"
    "      --timeout DURATION   how long to wait for the controller (default 2m)\n"
    "      --wait=false         only request the sync\n"
    "  -n, --namespace NS       the GitRepository's namespace\n";

Status RunSync(Env& env, const std::string& name, int* exit_code) {
  bool wait = true;
  DW_RETURN_IF_ERROR(env.args.GetBool("wait", true, &wait));
  std::chrono::milliseconds timeout = std::chrono::minutes(2);
  if (env.args.Has("timeout") && !ParseDuration(env.args.Get("timeout"), &timeout))
    return Status::Invalid("error: invalid --timeout \"" + env.args.Get("timeout") + "\"");
  const std::string path = DockwardPath(env.ns, "gitrepositories", name);

  json::Document obj;
  DW_RETURN_IF_ERROR(env.api->Get(path, &obj));
  if (const json::Value* s = json::FindPath(obj, "spec.suspend"); s && s->IsBool() && s->GetBool())
    return Status::Invalid("error: GitRepository \"" + name + "\" is suspended; set spec.suspend to false to sync it");

  const std::string nonce = clock::Rfc3339Micro(clock::Now());
  json::Document patch(rapidjson::kObjectType);
  auto& a = patch.GetAllocator();
  json::Value& ann = json::EnsureObject(json::EnsureObject(patch, "metadata", a), "annotations", a);
  json::SetString(ann, gitops::kAnnotationSyncRequest, nonce, a);
  DW_RETURN_IF_ERROR(env.api->Send("PATCH", path, json::Serialize(patch), "application/merge-patch+json", nullptr));
  if (!wait) {
    *env.out << "gitrepository.dockward.io/" << name << " sync requested\n";
    return Status::OK();
  }

  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    DW_RETURN_IF_ERROR(env.api->Get(path, &obj));
    if (json::GetStringPath(obj, "status.lastHandledSyncAt") == nonce) break;
    if (std::chrono::steady_clock::now() >= deadline) {
      *exit_code = 1;
      return Status::Timeout("error: timed out waiting for GitRepository \"" + name +
                             "\" to handle the sync request (status.lastHandledSyncAt unchanged); is `dockward "
                             "serve` running with its controllers?");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  static const json::Value kNone(rapidjson::kObjectType);
  const json::Value* status = json::Find(obj, "status");
  const json::Value* ready = status ? runtime::FindCondition(*status, std::string(gitops::kReady)) : nullptr;
  if (!ready) ready = &kNone;
  if (json::GetString(*ready, "status") != "True") {
    *exit_code = 1;
    return Status::Unavailable("error: GitRepository \"" + name + "\" sync failed (" +
                               json::GetString(*ready, "reason") + "): " + json::GetString(*ready, "message"));
  }
  *env.out << "gitrepository.dockward.io/" << name << " synced: "
           << json::GetStringPath(obj, "status.lastAppliedRevision") << "\n";
  return Status::OK();
}

}  // namespace

int GitopsMain(int argc, char** argv) {
  if (argc < 3 || std::string(argv[2]) == "--help" || std::string(argv[2]) == "-h") {
    std::cout << kUsage;
    return argc < 3 ? kExitUsage : 0;
  }
  if (std::string(argv[2]) != "sync") {
    std::cerr << "error: unknown command \"" << argv[2] << "\" for \"dockward gitops\"\n" << kUsage;
    return kExitUsage;
  }
  Env env;
  std::vector<FlagSpec> specs = GlobalFlags();
  specs.push_back({"timeout", 0, true});
  specs.push_back({"wait", 0, false});
  Status st = ParseArgs(argc, argv, 3, specs, &env.args);
  if (st.ok() && env.args.Has("help")) {
    std::cout << kUsage;
    return 0;
  }
  if (st.ok() && env.args.positional.size() != 1)
    st = Status::Invalid("error: exactly one GitRepository name is required");
  if (!st.ok()) {
    std::cerr << st.message() << "\nSee 'dockward gitops sync --help' for usage.\n";
    return kExitUsage;
  }
  st = SetupEnv(&env);
  int exit_code = 0;
  if (st.ok()) st = RunSync(env, env.args.positional[0], &exit_code);
  if (st.ok()) return exit_code;
  std::cout.flush();
  std::cerr << st.message() << "\n";
  return 1;
}

}  // namespace dw::cli
