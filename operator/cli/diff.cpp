// `diff -f`: live object vs. the server's dry-run apply result, as YAML in
// two temp directories compared by `diff -u -N` (exec'd with argv, no shell),
// like kubectl. Exit 0: no differences, 1: differences, >1: error.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "operator/cli/object_ref.h"
#include "operator/cli/output.h"
#include "operator/cli/verbs.h"
#include "operator/json/yaml.h"

namespace dw::cli {

std::vector<FlagSpec> DiffFlags() {
  return {{"filename", 'f', true}, {"recursive", 'R', false}, {"server-side", 0, false},
          {"force-conflicts", 0, false}, {"field-manager", 0, true}};
}

namespace {

namespace fs = std::filesystem;

// Fields that change on every write and would drown the real difference.
void StripVolatile(json::Value& obj) {
  json::Value* md = json::Find(obj, "metadata");
  if (!md) return;
  for (const char* k : {"managedFields", "resourceVersion", "generation"}) json::Remove(*md, k);
}

std::string FileName(const ObjectRef& r) {
  std::string gv = r.res->group.empty() ? r.res->version : r.res->group + "." + r.res->version;
  return gv + "." + r.res->kind + "." + (r.ns.empty() ? "" : r.ns + ".") + r.name;
}

Status WriteYaml(const std::string& path, json::Value& obj) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f) return Status::IOError("error: cannot write " + path);
  StripVolatile(obj);
  SortKeys(obj);
  f << yaml::Emit(obj);
  return f ? Status::OK() : Status::IOError("error: cannot write " + path);
}

// Runs diff -u -N A B; copies its stdout to `out`; returns diff's exit code.
Status RunDiffTool(const std::string& a, const std::string& b, std::ostream& out, int* code) {
  int fds[2];
  if (pipe(fds) != 0) return Status::Internal("error: pipe failed");
  pid_t pid = fork();
  if (pid < 0) return Status::Internal("error: fork failed");
  if (pid == 0) {
    dup2(fds[1], 1);
    close(fds[0]);
    close(fds[1]);
    const char* argv[] = {"diff", "-u", "-N", a.c_str(), b.c_str(), nullptr};
    execvp("diff", const_cast<char* const*>(argv));
    _exit(127);
  }
  close(fds[1]);
  char buf[8192];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof(buf))) > 0) out.write(buf, n);
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  *code = WIFEXITED(status) ? WEXITSTATUS(status) : 2;
  if (*code == 127) return Status::Internal("error: failed to run \"diff\": executable file not found in $PATH");
  return Status::OK();
}

struct TempDir {
  std::string path;
  explicit TempDir(const char* prefix) {
    std::string tmpl = (fs::temp_directory_path() / (std::string(prefix) + "XXXXXX")).string();
    if (mkdtemp(tmpl.data())) path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path.empty()) fs::remove_all(path, ec);
  }
};

}  // namespace

Status RunDiff(Env& env, int* exit_code) {
  *exit_code = 2;  // any failure below is an error, not "differences"
  if (env.args.All("filename").empty())
    return Status::BadRequest("error: must specify one of -f and -k");
  bool recursive, force;
  DW_RETURN_IF_ERROR(env.args.GetBool("recursive", false, &recursive));
  DW_RETURN_IF_ERROR(env.args.GetBool("force-conflicts", false, &force));
  std::vector<Manifest> manifests;
  DW_RETURN_IF_ERROR(ReadManifests(env.args.All("filename"), recursive, &manifests));
  std::vector<ObjectRef> refs;
  DW_RETURN_IF_ERROR(ResolveManifests(env, manifests, &refs));

  TempDir live_dir("LIVE-"), merged_dir("MERGED-");
  if (live_dir.path.empty() || merged_dir.path.empty())
    return Status::IOError("error: cannot create temporary directories");
  std::string manager = env.args.Get("field-manager", "dockward");
  for (const auto& ref : refs) {
    json::Document live, merged;
    Status st = env.api->Get(ref.Path(), &live);
    if (st.IsNotFound()) live.SetNull();
    else if (!st.ok()) return st;
    std::string q = "?dryRun=All&fieldManager=" + http::QueryEscape(manager) +
                    (force ? "&force=true" : "");
    DW_RETURN_IF_ERROR(env.api->Send("PATCH", ref.Path() + q, json::Serialize(*ref.manifest->obj),
                                     "application/apply-patch+yaml", &merged));
    std::string name = FileName(ref);
    // An absent live object leaves no file: diff -N shows it as created.
    if (!live.IsNull()) DW_RETURN_IF_ERROR(WriteYaml(live_dir.path + "/" + name, live));
    DW_RETURN_IF_ERROR(WriteYaml(merged_dir.path + "/" + name, merged));
  }
  int code = 2;
  DW_RETURN_IF_ERROR(RunDiffTool(live_dir.path, merged_dir.path, *env.out, &code));
  if (code > 1) return Status::Internal("error: diff exited with status " + std::to_string(code));
  *exit_code = code;
  return Status::OK();
}

}  // namespace dw::cli
