#include "operator/cli/kubeconfig.h"

#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "operator/common/base64.h"
#include "operator/json/yaml.h"
#include "operator/tls/pki.h"

namespace dw::cli {

namespace {

bool FileExists(const std::string& p) {
  struct stat st;
  return !p.empty() && ::stat(p.c_str(), &st) == 0;
}

Status ReadWholeFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("open " + path + ": no such file or directory");
  std::ostringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return Status::OK();
}

std::string Resolve(const std::string& base_file, const std::string& p) {
  if (p.empty() || p[0] == '/') return p;
  auto slash = base_file.rfind('/');
  return slash == std::string::npos ? p : base_file.substr(0, slash + 1) + p;
}

// Finds the entry of `list` (clusters/users/contexts) named `name` and returns
// its `inner` member ("cluster", "user", "context").
const json::Value* Named(const json::Value& root, const char* list, const std::string& name,
                         const char* inner) {
  const json::Value* arr = json::Find(root, list);
  if (!arr || !arr->IsArray()) return nullptr;
  for (const auto& e : arr->GetArray())
    if (json::GetString(e, "name") == name) return json::Find(e, inner);
  return nullptr;
}

// Reads "<field>-data" (base64) or "<field>" (file path) into `out`.
Status DataOrFile(const json::Value& obj, const std::string& field, const std::string& path,
                  std::string* out) {
  std::string data = json::GetString(obj, field + "-data");
  if (!data.empty()) {
    if (!Base64Decode(data, out))
      return Status::BadRequest(path + ": " + field + "-data is not valid base64");
    return Status::OK();
  }
  std::string file = json::GetString(obj, field);
  if (file.empty()) return Status::OK();
  Status st = ReadWholeFile(Resolve(path, file), out);
  if (!st.ok()) return Status::BadRequest("unable to read " + field + " " + st.message());
  return Status::OK();
}

}  // namespace

std::string ChooseKubeconfigPath(const KubeconfigOptions& opts) {
  if (!opts.explicit_path.empty()) return opts.explicit_path;
  if (!opts.env.empty()) {
    std::string first = opts.env.substr(0, opts.env.find(':'));
    if (!first.empty()) return first;
  }
  std::string dockward = opts.home + "/.dockward/kubeconfig";
  if (FileExists(dockward)) return dockward;
  return opts.home + "/.kube/config";
}

Status LoadKubeconfig(const KubeconfigOptions& opts, ClusterAccess* out) {
  std::string path = ChooseKubeconfigPath(opts);
  std::string text;
  if (!ReadWholeFile(path, &text).ok()) {
    if (!opts.explicit_path.empty())
      return Status::NotFound("stat " + path + ": no such file or directory");
    return Status::NotFound(
        "no kubeconfig found (tried $KUBECONFIG, ~/.dockward/kubeconfig, ~/.kube/config); "
        "start the server with `dockward serve` or pass --kubeconfig");
  }
  return ParseKubeconfig(text, path, opts.context, out);
}

Status ParseKubeconfig(const std::string& text, const std::string& path,
                       const std::string& context, ClusterAccess* out) {
  json::Document doc;
  yaml::ParseOptions po;
  po.source_name = path;
  po.track_lines = false;
  DW_RETURN_IF_ERROR(yaml::ParseOne(text, po, &doc));
  if (!doc.IsObject()) return Status::BadRequest(path + ": not a kubeconfig (expected a mapping)");

  std::string ctx_name = context.empty() ? json::GetString(doc, "current-context") : context;
  if (ctx_name.empty()) return Status::BadRequest(path + ": current-context is not set");
  const json::Value* ctx = Named(doc, "contexts", ctx_name, "context");
  if (!ctx) return Status::NotFound("context was not found for specified context: " + ctx_name);
  std::string cluster_name = json::GetString(*ctx, "cluster");
  std::string user_name = json::GetString(*ctx, "user");
  const json::Value* cluster = Named(doc, "clusters", cluster_name, "cluster");
  if (!cluster)
    return Status::NotFound("cluster \"" + cluster_name + "\" of context \"" + ctx_name +
                            "\" was not found in " + path);

  ClusterAccess acc;
  acc.path = path;
  acc.context = ctx_name;
  std::string ns = json::GetString(*ctx, "namespace");
  if (!ns.empty()) acc.default_namespace = ns;
  acc.client.server = json::GetString(*cluster, "server");
  if (acc.client.server.empty())
    return Status::BadRequest("cluster \"" + cluster_name + "\" has no server in " + path);
  acc.client.insecure_skip_verify = json::GetBool(*cluster, "insecure-skip-tls-verify");
  acc.client.tls_server_name = json::GetString(*cluster, "tls-server-name");
  DW_RETURN_IF_ERROR(DataOrFile(*cluster, "certificate-authority", path, &acc.client.ca_pem));

  if (const json::Value* user = Named(doc, "users", user_name, "user")) {
    acc.client.bearer_token = json::GetString(*user, "token");
    std::string token_file = json::GetString(*user, "tokenFile");
    if (acc.client.bearer_token.empty() && !token_file.empty()) {
      Status st = ReadWholeFile(Resolve(path, token_file), &acc.client.bearer_token);
      if (!st.ok()) return Status::BadRequest("unable to read tokenFile " + st.message());
      while (!acc.client.bearer_token.empty() &&
             (acc.client.bearer_token.back() == '\n' || acc.client.bearer_token.back() == '\r'))
        acc.client.bearer_token.pop_back();
    }
    DW_RETURN_IF_ERROR(
        DataOrFile(*user, "client-certificate", path, &acc.client.client_cert_pem));
    DW_RETURN_IF_ERROR(DataOrFile(*user, "client-key", path, &acc.client.client_key_pem));
  }
  *out = std::move(acc);
  return Status::OK();
}

Status WriteKubeconfig(const std::string& path, const std::string& server_url,
                       const std::string& ca_pem, const std::string& token) {
  json::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  json::SetString(d, "apiVersion", "v1", a);
  json::SetString(d, "kind", "Config", a);

  json::Value cluster(rapidjson::kObjectType);
  if (!ca_pem.empty()) json::SetString(cluster, "certificate-authority-data", Base64Encode(ca_pem), a);
  json::SetString(cluster, "server", server_url, a);
  json::Value cluster_entry(rapidjson::kObjectType);
  json::SetValue(cluster_entry, "cluster", cluster, a);
  json::SetString(cluster_entry, "name", "dockward", a);
  json::Value clusters(rapidjson::kArrayType);
  clusters.PushBack(cluster_entry, a);
  json::SetValue(d, "clusters", clusters, a);

  json::Value ctx(rapidjson::kObjectType);
  json::SetString(ctx, "cluster", "dockward", a);
  json::SetString(ctx, "user", "admin", a);
  json::Value ctx_entry(rapidjson::kObjectType);
  json::SetValue(ctx_entry, "context", ctx, a);
  json::SetString(ctx_entry, "name", "dockward", a);
  json::Value contexts(rapidjson::kArrayType);
  contexts.PushBack(ctx_entry, a);
  json::SetValue(d, "contexts", contexts, a);
  json::SetString(d, "current-context", "dockward", a);

  json::Value user(rapidjson::kObjectType);
  json::SetString(user, "token", token, a);
  json::Value user_entry(rapidjson::kObjectType);
  json::SetString(user_entry, "name", "admin", a);
  json::SetValue(user_entry, "user", user, a);
  json::Value users(rapidjson::kArrayType);
  users.PushBack(user_entry, a);
  json::SetValue(d, "users", users, a);

  return tls::WriteFileAtomic(path, yaml::Emit(d), 0600);
}

}  // namespace dw::cli
