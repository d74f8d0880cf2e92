// Exec: create with an argv array (never a shell), attach over a hijacked
// connection, demultiplex stdout/stderr as frames arrive, stream stdin with a
// half-close at its end, then read the exit code.
#include <thread>

#include "operator/docker/client.h"
#include "operator/docker/api_counter.h"
#include "operator/docker/demux.h"
#include "operator/docker/errors.h"

namespace dw::docker {

Status DockerClient::CreateExec(const std::string& container, const ExecSpec& spec,
                                std::string* exec_id) {
  if (spec.argv.empty()) return Status::BadRequest("exec needs a non-empty argv");
  json::Document doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  json::SetBool(doc, "AttachStdin", spec.attach_stdin, a);
  json::SetBool(doc, "AttachStdout", true, a);
  json::SetBool(doc, "AttachStderr", true, a);
  json::SetBool(doc, "Tty", false, a);  // keeps stdout and stderr apart (framed)
  json::Value cmd(rapidjson::kArrayType);
  for (const auto& arg : spec.argv) cmd.PushBack(json::Str(arg, a), a);
  json::SetValue(doc, "Cmd", cmd, a);
  if (!spec.env.empty()) {
    json::Value env(rapidjson::kArrayType);
    for (const auto& e : spec.env) env.PushBack(json::Str(e, a), a);
    json::SetValue(doc, "Env", env, a);
  }
  if (!spec.user.empty()) json::SetString(doc, "User", spec.user, a);
  if (!spec.working_dir.empty()) json::SetString(doc, "WorkingDir", spec.working_dir, a);
  json::Document resp;
  DW_RETURN_IF_ERROR(CallJson("POST", "/containers/" + http::QueryEscape(container) + "/exec",
                              json::Serialize(doc), &resp));
  *exec_id = json::GetString(resp, "Id");
  if (exec_id->empty()) return Status::Internal("docker exec create: response has no Id");
  return Status::OK();
}

Status DockerClient::StartExec(const std::string& exec_id, const ExecIO& io,
                               ExecResult* result) {
  DW_RETURN_IF_ERROR(EnsureNegotiated());
  auto conn = NewStreamClient();  // the hijacked connection is this exec's alone
  http::Request req;
  req.method = "POST";
  req.target = Prefix() + "/exec/" + http::QueryEscape(exec_id) + "/start";
  req.headers["Content-Type"] = "application/json";
  req.body = R"({"Detach":false,"Tty":false})";
  result->exec_id = exec_id;
  StreamDemuxer demux(
      [&](std::string_view d) {
        result->stdout_bytes += d.size();
        return !io.on_stdout || io.on_stdout(d);
      },
      [&](std::string_view d) {
        result->stderr_bytes += d.size();
        return !io.on_stderr || io.on_stderr(d);
      });
  Status demux_error;
  auto on_data = [&](std::string_view d) {
    demux_error = demux.Feed(d);
    return demux_error.ok() && !demux.stopped();
  };
  std::function<size_t(char*, size_t)> input;
  if (io.stdin_source) {
    input = [&](char* buf, size_t cap) {
      size_t n = io.stdin_source(buf, cap);
      result->stdin_bytes += n;
      return n;
    };
  }
  http::Response head;
  NoteApiRequest();
  Status st = conn->Hijack(req, &head, input, on_data, io.idle_timeout);
  DW_RETURN_IF_ERROR(st);
  if (head.status >= 300) return StatusFromResponse(head.status, head.body, cfg_.endpoint);
  DW_RETURN_IF_ERROR(demux_error);
  if (!demux.stopped() && !demux.AtFrameBoundary())
    return Status::Unavailable("docker exec " + exec_id + ": output stream from " +
                               cfg_.endpoint + " ended inside a frame");
  return Status::OK();
}

Status DockerClient::InspectExecExitCode(const std::string& exec_id, int* exit_code) {
  // The daemon records the exit code just after the output stream closes;
  // a few short, growing waits cover that window without busy polling.
  auto wait = std::chrono::milliseconds(5);
  for (int attempt = 0; attempt < 12; ++attempt) {
    json::Document doc;
    DW_RETURN_IF_ERROR(CallJson("GET", "/exec/" + http::QueryEscape(exec_id) + "/json", "", &doc));
    const json::Value* code = json::Find(doc, "ExitCode");
    if (!json::GetBool(doc, "Running") && code && code->IsInt()) {
      *exit_code = code->GetInt();
      return Status::OK();
    }
    std::this_thread::sleep_for(wait);
    wait = std::min(wait * 2, std::chrono::milliseconds(500));
  }
  return Status::Timeout("docker exec " + exec_id + " still running after its output ended");
}

Status DockerClient::Exec(const std::string& container, const ExecSpec& spec, const ExecIO& io,
                          ExecResult* result) {
  ExecSpec s = spec;
  s.attach_stdin = static_cast<bool>(io.stdin_source);
  std::string id;
  DW_RETURN_IF_ERROR(CreateExec(container, s, &id));
  DW_RETURN_IF_ERROR(StartExec(id, io, result));
  return InspectExecExitCode(id, &result->exit_code);
}

}  // namespace dw::docker
