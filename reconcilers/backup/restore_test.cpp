// RunRestoreTest: clone the source container into a throw-away one (no
// network, read-only binds only), wait until its engine answers, restore,
// run the check query, and remove the clone whatever happened.
#include <random>
#include <thread>

#include "reconcilers/backup/restore_runner.h"
#include "reconcilers/backup/runner_exec.h"

namespace dw::backup {
namespace {

constexpr std::string_view kRestoreTestLabel = "dockward.io/restore-test";

std::string RandomSuffix() {
  static const char kChars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::random_device rd;
  std::string s(6, 'x');
  for (char& c : s) c = kChars[rd() % (sizeof(kChars) - 1)];
  return s;
}

std::vector<std::string> Strings(const json::Value& doc, const char* key) {
  std::vector<std::string> out;
  const json::Value* v = json::Find(doc, key);
  if (v == nullptr || !v->IsArray()) return out;
  for (const auto& e : v->GetArray())
    if (e.IsString()) out.emplace_back(e.GetString(), e.GetStringLength());
  return out;
}

// "src:dst:ro" or "src:dst:ro,rslave": only read-only binds are cloned, so
// the throw-away container can never write into the source's data.
bool IsReadOnlyBind(const std::string& bind) {
  size_t first = bind.find(':');
  size_t second = first == std::string::npos ? first : bind.find(':', first + 1);
  if (second == std::string::npos) return false;
  std::string opts = "," + bind.substr(second + 1) + ",";
  return opts.find(",ro,") != std::string::npos;
}

Status CloneSpec(docker::DockerClient& docker, const RestoreTestJob& job,
                 docker::ContainerSpec* spec) {
  json::Document doc;
  DW_RETURN_IF_ERROR(docker.InspectContainer(job.source_container, &doc));
  const json::Value* config = json::Find(doc, "Config");
  if (config == nullptr || !config->IsObject())
    return Status::Internal("restore test: inspect of " + job.source_container + " has no Config");
  std::string source_name = json::GetString(doc, "Name");
  if (!source_name.empty() && source_name[0] == '/') source_name.erase(0, 1);
  if (source_name.empty()) source_name = job.source_container.substr(0, 12);
  spec->name = source_name + "-restoretest-" + RandomSuffix();
  spec->image = job.image.empty() ? json::GetString(*config, "Image") : job.image;
  spec->entrypoint = Strings(*config, "Entrypoint");
  spec->cmd = Strings(*config, "Cmd");
  spec->env = Strings(*config, "Env");
  spec->user = json::GetString(*config, "User");
  spec->network_mode = "none";
  spec->labels[std::string(kRestoreTestLabel)] = "true";
  if (const json::Value* host = json::Find(doc, "HostConfig"); host && host->IsObject()) {
    for (std::string& bind : Strings(*host, "Binds"))
      if (IsReadOnlyBind(bind)) spec->binds.push_back(std::move(bind));
  }
  if (spec->image.empty()) return Status::Internal("restore test: source has no image");
  return Status::OK();
}

// Polls the engine's ready command with growing pauses (100 ms .. 2 s).
Status WaitReady(docker::DockerClient& docker, const std::string& container,
                 const RestoreTestJob& job, const RunControl& control) {
  ExecSpec ready;
  const RestoreJob& r = job.restore;
  DW_RETURN_IF_ERROR(r.engine->ReadyCommand(r.target, r.credentials, &ready));
  RunGuard guard(control, job.ready_timeout);
  auto pause = std::chrono::milliseconds(100);
  std::string last;
  while (true) {
    ExecOutcome outcome;
    Status st = RunExec(docker, container, ready, guard, ExecStreams{}, &outcome);
    if (st.ok() && outcome.exit_code == 0) return Status::OK();
    if (guard.Stopped()) {
      if (control.cancel && control.cancel->load()) return guard.Reason("restore test");
      return Status::Timeout("restore test: " + std::string(r.engine->name()) + " in " +
                             container + " not ready after " +
                             std::to_string(job.ready_timeout.count()) + "s: " +
                             (st.ok() ? CheckExit(ready, outcome) : st).message());
    }
    if (!st.ok() && st.code() != Code::kTimeout && st.code() != Code::kUnavailable &&
        st.code() != Code::kConflict)
      return st;  // e.g. the container exited: waiting cannot help
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(2000));
  }
}

Status RestoreAndCheck(docker::DockerClient& docker, const std::string& id,
                       const RestoreTestJob& job, const RunControl& control,
                       std::string* check_output) {
  DW_RETURN_IF_ERROR(docker.StartContainer(id));
  DW_RETURN_IF_ERROR(WaitReady(docker, id, job, control));
  RestoreJob restore = job.restore;
  restore.container = id;
  RestoreOutcome restored;
  DW_RETURN_IF_ERROR(RunRestore(docker, restore, control, &restored));
  // Some plans restart the server (Redis): wait for it again.
  DW_RETURN_IF_ERROR(WaitReady(docker, id, job, control));
  ExecSpec check;
  DW_RETURN_IF_ERROR(
      restore.engine->CheckCommand(restore.target, restore.credentials, job.check_query, &check));
  RunGuard guard(control, restore.timeout);
  ExecOutcome outcome;
  DW_RETURN_IF_ERROR(RunExec(docker, id, check, guard, ExecStreams{}, &outcome));
  *check_output = outcome.stdout_tail.Text();
  return CheckExit(check, outcome);
}

}  // namespace

Status RunRestoreTest(docker::DockerClient& docker, const RestoreTestJob& job,
                      const RunControl& control, std::string* check_output) {
  if (job.restore.engine == nullptr) return Status::Invalid("restore test: no engine");
  // Fail on a bad query before creating anything.
  ExecSpec probe;
  DW_RETURN_IF_ERROR(job.restore.engine->CheckCommand(job.restore.target, job.restore.credentials,
                                                      job.check_query, &probe));
  docker::ContainerSpec spec;
  DW_RETURN_IF_ERROR(CloneSpec(docker, job, &spec));
  std::string id;
  DW_RETURN_IF_ERROR(docker.CreateContainer(spec, &id));
  std::string output;
  Status st = RestoreAndCheck(docker, id, job, control, &output);
  Status removed = docker.RemoveContainer(id, /*force=*/true);
  if (check_output) *check_output = std::move(output);
  if (!st.ok()) return Status(st.code(), "restore test in " + spec.name + ": " + st.message());
  if (!removed.ok())
    return Status(removed.code(), "restore test passed but removing " + spec.name +
                                      " failed: " + removed.message());
  return Status::OK();
}

}  // namespace dw::backup
