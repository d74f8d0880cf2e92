// Git credentials from the v1 Secret a GitRepository names (spec.secretRef),
// with Flux's keys: `username` and `password` (HTTPS Basic auth; a token goes
// in password, the user name then defaults to "git") and `ca.crt` (PEM: the
// only CA trusted for that repository). A Secret with only `ca.crt` is a
// public repository behind a private CA.
//
// Errors name the Secret and the key, never a value.
#pragma once

#include <string>

#include "operator/common/status.h"
#include "operator/json/json.h"
#include "operator/runtime/client.h"
#include "reconcilers/gitops/git_source.h"

namespace dw::gitops {

// From a Secret object; `what` names it in errors (`secret "ns/name"`).
// Invalid when neither password nor ca.crt is present, when a value is not
// base64, or when ca.crt holds no PEM certificate.
Status CredentialsFromSecret(const json::Value& secret, const std::string& what, GitCredentials* out);

// Reads Secret ns/name through the client; NotFound: `secret "ns/name" not found`.
Status ReadGitCredentials(runtime::Client* client, const std::string& ns, const std::string& name,
                          GitCredentials* out);

}  // namespace dw::gitops
