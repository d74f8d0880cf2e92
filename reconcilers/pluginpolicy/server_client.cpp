// ServerClient: token lifecycle and response decoding around wire.h.
#include "reconcilers/pluginpolicy/server_client.h"

#include <utility>

namespace dw::pluginpolicy {

namespace {

wire::CallError Malformed(const std::string& what, const Status& st) {
  wire::CallError e;
  e.kind = wire::ErrorKind::kServerError;
  e.reason = wire::Reason::kUnknown;
  e.message = "malformed " + what + " response: " + st.message();
  return e;
}

void ReplaceAll(std::string& s, const std::string& secret) {
  if (secret.empty()) return;
  // Replacing a 1-3 character secret would mangle ordinary words, and
  // leaving it could echo it: such a message is withheld whole.
  if (secret.size() < 4) {
    if (s.find(secret) != std::string::npos) s = "[server message withheld: it may contain a credential]";
    return;
  }
  for (size_t pos = s.find(secret); pos != std::string::npos; pos = s.find(secret, pos)) {
    s.replace(pos, secret.size(), "[redacted]");
  }
}

}  // namespace

ServerClient::ServerClient(http::ClientConfig cfg, ServerCredentials creds) : creds_(std::move(creds)) {
  cfg.bearer_token.clear();
  http_ = std::make_unique<http::Client>(std::move(cfg));
  token_ = creds_.token;
}

ServerClient::~ServerClient() = default;

void ServerClient::InvalidateToken() { token_ = creds_.token; }

wire::CallError ServerClient::Redact(wire::CallError e) const {
  ReplaceAll(e.message, token_);
  ReplaceAll(e.message, creds_.token);
  ReplaceAll(e.message, creds_.password);
  return e;
}

wire::CallError ServerClient::CheckId(std::string_view id, const char* what) const {
  if (wire::IsSafeId(id)) return {};
  wire::CallError e;
  e.kind = wire::ErrorKind::kInvalid;
  e.reason = wire::Reason::kBadRequest;
  e.message = std::string(what) + " id \"" + std::string(id.substr(0, 80)) + "\" is not a UUID";
  return e;
}

wire::CallError ServerClient::Login() {
  if (creds_.username.empty()) {
    wire::CallError e;
    e.kind = creds_.token.empty() ? wire::ErrorKind::kUnauthorized : wire::ErrorKind::kInvalid;
    e.reason = wire::Reason::kNone;
    e.message = creds_.token.empty() ? "no credentials: neither a token nor a username is configured"
                                     : "only a token is configured: nothing to log in with";
    return e;
  }
  http::Request req;
  req.method = "POST";
  req.target = wire::LoginPath();
  req.headers["Content-Type"] = "application/json";
  req.body = wire::EncodeLogin(creds_.username, creds_.password);
  http::Response resp;
  Status st = http_->Do(req, &resp);
  if (!st.ok()) return Redact(wire::ClassifyTransport(st));
  if (resp.status < 200 || resp.status >= 300) return Redact(wire::ClassifyResponse(resp.status, resp.body));
  json::Document doc;
  if (st = json::Parse(resp.body, &doc); !st.ok()) return Malformed("login", st);
  std::string token;
  if (st = wire::DecodeLoginToken(doc, &token); !st.ok()) return Malformed("login", st);
  token_ = std::move(token);
  ++logins_;
  return {};
}

wire::CallError ServerClient::Exchange(const char* method, const std::string& path, const std::string& body,
                                       json::Document* out) {
  http::Request req;
  req.method = method;
  req.target = path;
  req.headers["Authorization"] = "Bearer " + token_;
  req.headers["Accept"] = "application/json";
  if (!body.empty()) {
    req.headers["Content-Type"] = "application/json";
    req.body = body;
  }
  http::Response resp;
  Status st = http_->Do(req, &resp);
  if (!st.ok()) return wire::ClassifyTransport(st);
  if (resp.status < 200 || resp.status >= 300) return wire::ClassifyResponse(resp.status, resp.body);
  if (out == nullptr) return {};
  if (st = json::Parse(resp.body, out); !st.ok()) return Malformed(path, st);
  return {};
}

wire::CallError ServerClient::Call(const char* method, const std::string& path, std::string body,
                                   json::Document* out) {
  bool can_login = !creds_.username.empty();
  bool fresh_login = false;
  if (token_.empty()) {
    wire::CallError e = Login();
    if (!e.ok()) return e;
    fresh_login = true;
  }
  wire::CallError e = Exchange(method, path, body, out);
  // A cached token may have expired: renew once. A token we just got, or a
  // static token, that the server refuses is a credentials problem: stop.
  if (e.kind == wire::ErrorKind::kUnauthorized && can_login && !fresh_login) {
    token_.clear();
    wire::CallError le = Login();
    if (!le.ok()) return le;
    e = Exchange(method, path, body, out);
  }
  return Redact(std::move(e));
}

wire::CallError ServerClient::ListCommunities(std::vector<wire::Community>* out) {
  json::Document doc;
  wire::CallError e = Call("GET", wire::CommunitiesPath(), "", &doc);
  if (!e.ok()) return e;
  if (Status st = wire::DecodeCommunities(doc, out); !st.ok()) return Malformed("communities", st);
  return {};
}

wire::CallError ServerClient::GetPolicy(std::string_view community, wire::Policy* out) {
  if (auto e = CheckId(community, "community"); !e.ok()) return e;
  json::Document doc;
  wire::CallError e = Call("GET", wire::PolicyPath(community), "", &doc);
  if (!e.ok()) return e;
  if (Status st = wire::DecodePolicy(doc, out); !st.ok()) return Malformed("plugin-policy", st);
  return {};
}

wire::CallError ServerClient::PutPolicy(std::string_view community, const wire::Policy& policy,
                                        wire::Policy* stored) {
  if (auto e = CheckId(community, "community"); !e.ok()) return e;
  json::Document doc;
  wire::CallError e = Call("PUT", wire::PolicyPath(community), wire::EncodePolicy(policy), &doc);
  if (!e.ok() || stored == nullptr) return e;
  if (Status st = wire::DecodePolicy(doc, stored); !st.ok()) return Malformed("plugin-policy", st);
  return {};
}

wire::CallError ServerClient::ListPackages(std::string_view community, std::vector<wire::Package>* out) {
  if (auto e = CheckId(community, "community"); !e.ok()) return e;
  json::Document doc;
  wire::CallError e = Call("GET", wire::PackagesPath(community), "", &doc);
  if (!e.ok()) return e;
  if (Status st = wire::DecodePackages(doc, out); !st.ok()) return Malformed("plugin-packages", st);
  return {};
}

namespace {
wire::CallError DecodeOne(const json::Document& doc, wire::Package* out) {
  if (out == nullptr) return {};
  if (Status st = wire::DecodePackage(doc, out); !st.ok()) return Malformed("plugin-package", st);
  return {};
}
}  // namespace

wire::CallError ServerClient::UploadPackage(std::string_view community, std::string_view bundle,
                                            std::string_view signature, wire::Package* out) {
  if (auto e = CheckId(community, "community"); !e.ok()) return e;
  json::Document doc;
  wire::CallError e = Call("POST", wire::PackagesPath(community), wire::EncodeUpload(bundle, signature), &doc);
  return e.ok() ? DecodeOne(doc, out) : e;
}

wire::CallError ServerClient::InstallFromRegistry(std::string_view community, std::string_view url,
                                                  std::string_view sha256, wire::Package* out) {
  if (auto e = CheckId(community, "community"); !e.ok()) return e;
  json::Document doc;
  wire::CallError e =
      Call("POST", wire::InstallRegistryPath(community), wire::EncodeInstallRegistry(url, sha256), &doc);
  return e.ok() ? DecodeOne(doc, out) : e;
}

wire::CallError ServerClient::UpdatePackage(std::string_view community, std::string_view package_id,
                                            std::optional<bool> active, const json::Value* settings,
                                            wire::Package* out) {
  if (auto e = CheckId(community, "community"); !e.ok()) return e;
  if (auto e = CheckId(package_id, "package"); !e.ok()) return e;
  json::Document doc;
  wire::CallError e = Call("PUT", wire::PackagePath(community, package_id),
                           wire::EncodePackageUpdate(active, settings), &doc);
  return e.ok() ? DecodeOne(doc, out) : e;
}

}  // namespace dw::pluginpolicy
