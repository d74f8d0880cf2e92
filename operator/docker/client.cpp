// Connection setup, version negotiation and the generic call path.
#include "operator/docker/client.h"

#include "operator/docker/api_counter.h"
#include "operator/docker/errors.h"

namespace dw::docker {

Status MakeHttpConfig(const DockerConfig& cfg, http::ClientConfig* out) {
  const std::string& ep = cfg.endpoint;
  out->connect_timeout = cfg.connect_timeout;
  out->request_timeout = cfg.request_timeout;
  out->tls_server_name = cfg.tls_server_name;
  if (ep.rfind("unix://", 0) == 0) {
    if (ep.size() == 7) return Status::BadRequest("docker endpoint has no socket path: " + ep);
    out->server = ep;
    return Status::OK();
  }
  if (ep.rfind("tcp://", 0) != 0)
    return Status::BadRequest("docker endpoint must be unix:///path or tcp://host:port, got \"" +
                              ep + "\"");
  std::string hostport = ep.substr(6);
  while (!hostport.empty() && hostport.back() == '/') hostport.pop_back();
  if (hostport.empty() || hostport.find('/') != std::string::npos)
    return Status::BadRequest("docker endpoint tcp:// needs host:port, got \"" + ep + "\"");
  bool tls = !cfg.cert_pem.empty() || !cfg.ca_pem.empty() || cfg.insecure_skip_verify;
  if (!tls && !cfg.allow_plain_tcp)
    return Status::BadRequest("docker endpoint " + ep +
                              " has no TLS certificates and plain TCP was not allowed");
  if (!cfg.cert_pem.empty() && cfg.key_pem.empty())
    return Status::BadRequest("docker endpoint " + ep + ": client certificate without key");
  out->server = (tls ? "https://" : "http://") + hostport;
  out->ca_pem = cfg.ca_pem;
  out->client_cert_pem = cfg.cert_pem;
  out->client_key_pem = cfg.key_pem;
  out->insecure_skip_verify = cfg.insecure_skip_verify;
  return Status::OK();
}

DockerClient::DockerClient(DockerConfig cfg) : cfg_(std::move(cfg)) {
  http::ClientConfig hc;
  config_status_ = MakeHttpConfig(cfg_, &hc);
  if (config_status_.ok()) http_ = std::make_unique<http::Client>(std::move(hc));
}

std::unique_ptr<http::Client> DockerClient::NewStreamClient() const {
  http::ClientConfig hc;
  if (!MakeHttpConfig(cfg_, &hc).ok()) return nullptr;
  return std::make_unique<http::Client>(std::move(hc));
}

Status DockerClient::EnsureNegotiated() {
  DW_RETURN_IF_ERROR(config_status_);
  if (negotiated_) return Status::OK();
  http::Request req;
  req.target = "/_ping";
  http::Response resp;
  NoteApiRequest();
  DW_RETURN_IF_ERROR(http_->Do(req, &resp));
  DW_RETURN_IF_ERROR(StatusFromResponse(resp.status, resp.body, cfg_.endpoint));
  std::string server = resp.Header("api-version");
  if (server.empty()) {  // very old daemons: ask /version
    req.target = "/version";
    NoteApiRequest();
    DW_RETURN_IF_ERROR(http_->Do(req, &resp));
    DW_RETURN_IF_ERROR(StatusFromResponse(resp.status, resp.body, cfg_.endpoint));
    json::Document doc;
    DW_RETURN_IF_ERROR(json::Parse(resp.body, &doc));
    server = json::GetString(doc, "ApiVersion");
  }
  DW_RETURN_IF_ERROR(NegotiateApiVersion(server, cfg_.endpoint, &version_));
  negotiated_ = true;
  return Status::OK();
}

Status DockerClient::Negotiate(ApiVersion* used) {
  DW_RETURN_IF_ERROR(EnsureNegotiated());
  if (used) *used = version_;
  return Status::OK();
}

Status DockerClient::Call(const std::string& method, const std::string& path,
                          const std::string& body, http::Response* resp) {
  DW_RETURN_IF_ERROR(EnsureNegotiated());
  http::Request req;
  req.method = method;
  req.target = Prefix() + path;
  if (!body.empty()) {
    req.headers["Content-Type"] = "application/json";
    req.body = body;
  }
  NoteApiRequest();
  DW_RETURN_IF_ERROR(http_->Do(req, resp));
  return StatusFromResponse(resp->status, resp->body, cfg_.endpoint);
}

Status DockerClient::CallJson(const std::string& method, const std::string& path,
                              const std::string& body, json::Document* out) {
  http::Response resp;
  DW_RETURN_IF_ERROR(Call(method, path, body, &resp));
  Status st = json::Parse(resp.body, out);
  if (!st.ok())
    return Status::Internal("docker " + method + " " + path + ": bad JSON: " + st.message());
  return Status::OK();
}

Status DockerClient::Ping() {
  DW_RETURN_IF_ERROR(EnsureNegotiated());
  http::Response resp;
  return Call("GET", "/_ping", "", &resp);
}

Status DockerClient::Version(VersionInfo* out) {
  json::Document doc;
  DW_RETURN_IF_ERROR(CallJson("GET", "/version", "", &doc));
  out->version = json::GetString(doc, "Version");
  out->api_version = json::GetString(doc, "ApiVersion");
  out->min_api_version = json::GetString(doc, "MinAPIVersion");
  out->os = json::GetString(doc, "Os");
  out->arch = json::GetString(doc, "Arch");
  out->kernel_version = json::GetString(doc, "KernelVersion");
  return Status::OK();
}

Status DockerClient::Info(SystemInfo* out) {
  json::Document doc;
  DW_RETURN_IF_ERROR(CallJson("GET", "/info", "", &doc));
  out->id = json::GetString(doc, "ID");
  out->name = json::GetString(doc, "Name");
  out->server_version = json::GetString(doc, "ServerVersion");
  out->operating_system = json::GetString(doc, "OperatingSystem");
  out->system_time = json::GetString(doc, "SystemTime");
  out->containers = json::GetInt(doc, "Containers");
  out->containers_running = json::GetInt(doc, "ContainersRunning");
  out->images = json::GetInt(doc, "Images");
  out->ncpu = json::GetInt(doc, "NCPU");
  out->mem_total = json::GetInt(doc, "MemTotal");
  return Status::OK();
}

}  // namespace dw::docker
