// Typed client of the community server's plugin API over http::Client.
// Promises:
//  - one call = at most one HTTP exchange, plus (with username/password
//    credentials) one login and one retry when the server answers 401: a
//    token that expired is renewed once, bad credentials fail fast;
//  - the token is cached for the client's lifetime (InvalidateToken drops it);
//  - every failure comes back as a wire::CallError (kind + server reason +
//    the server's stable message); no exception escapes;
//  - neither the token nor the password ever appears in a returned message,
//    even when a server echoes them back.
// Not thread-safe: one client per policy reconcile (http::Client is not either).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "operator/http/client.h"
#include "reconcilers/pluginpolicy/wire.h"

namespace dw::pluginpolicy {

// From the credentials Secret: `token` is used as is; otherwise
// username/password log in (POST /api/auth/login).
struct ServerCredentials {
  std::string token;
  std::string username;
  std::string password;
};

class ServerClient {
 public:
  // cfg.server is the server's base URL (a path prefix is kept);
  // cfg.bearer_token is ignored: this class manages the token.
  ServerClient(http::ClientConfig cfg, ServerCredentials creds);
  ~ServerClient();

  // Logs in now (also done lazily by every call). Unauthorized on bad
  // credentials; Invalid when only a token was configured (nothing to log in with).
  wire::CallError Login();

  wire::CallError ListCommunities(std::vector<wire::Community>* out);
  wire::CallError GetPolicy(std::string_view community, wire::Policy* out);
  // `stored` (optional) receives the policy as the server stored it.
  wire::CallError PutPolicy(std::string_view community, const wire::Policy& policy, wire::Policy* stored);
  wire::CallError ListPackages(std::string_view community, std::vector<wire::Package>* out);
  // Raw bundle bytes and detached signature (empty: unsigned).
  wire::CallError UploadPackage(std::string_view community, std::string_view bundle, std::string_view signature,
                                wire::Package* out);
  // sha256 empty: the server does not check a pin.
  wire::CallError InstallFromRegistry(std::string_view community, std::string_view url, std::string_view sha256,
                                      wire::Package* out);
  // Absent parts are left unchanged on the server.
  wire::CallError UpdatePackage(std::string_view community, std::string_view package_id,
                                std::optional<bool> active, const json::Value* settings, wire::Package* out);

  void InvalidateToken();
  bool has_token() const { return !token_.empty(); }
  int logins() const { return logins_; }  // successful logins, for tests and metrics

 private:
  // One API call with token handling; on success the body is parsed into *out
  // (when out is non-null).
  wire::CallError Call(const char* method, const std::string& path, std::string body, json::Document* out);
  wire::CallError Exchange(const char* method, const std::string& path, const std::string& body,
                           json::Document* out);
  wire::CallError Redact(wire::CallError e) const;
  wire::CallError CheckId(std::string_view id, const char* what) const;

  std::unique_ptr<http::Client> http_;
  ServerCredentials creds_;
  std::string token_;
  int logins_ = 0;
};

}  // namespace dw::pluginpolicy
