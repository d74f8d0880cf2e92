// `version`: client version (the CMake project version) and the server's
// /version, as kubectl prints them.
#include "operator/cli/output.h"
#include "operator/cli/verbs.h"

#ifndef DW_VERSION
#error "DW_VERSION must be defined by the build (CMakeLists.txt, dw_cli)"
#endif

namespace dw::cli {

std::vector<FlagSpec> VersionFlags() { return {{"output", 'o', true}, {"client", 0, false}}; }

Status RunVersion(Env& env, int*) {
  std::string output = env.args.Get("output");
  if (!output.empty() && output != "json" && output != "yaml")
    return Status::BadRequest("error: --output must be 'yaml' or 'json'");
  bool client_only;
  DW_RETURN_IF_ERROR(env.args.GetBool("client", false, &client_only));
  json::Document doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  json::Value client(rapidjson::kObjectType);
  json::SetString(client, "gitVersion", "v" + std::string(DW_VERSION), a);
  json::SetValue(doc, "clientVersion", client, a);

  Status server_error;
  json::Document server;
  if (!client_only) {
    if (!env.api) server_error = Status::Unavailable("error: no kubeconfig found to reach the server");
    else server_error = env.api->Get("/version", &server);
    if (server_error.ok()) {
      json::Value copy(server, a);
      json::SetValue(doc, "serverVersion", copy, a);
    }
  }
  if (!output.empty()) {
    std::string text;
    DW_RETURN_IF_ERROR(FormatObject(output, doc, nullptr, &text));
    *env.out << text;
  } else {
    *env.out << "Client Version: v" << DW_VERSION << "\n";
    if (!client_only && server_error.ok())
      *env.out << "Server Version: " << json::GetString(server, "gitVersion") << "\n";
  }
  return server_error;
}

}  // namespace dw::cli
