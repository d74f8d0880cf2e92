// kubeconfig: where the CLI finds the server and its credentials, in the
// standard Kubernetes format so `kubectl --kubeconfig` works on the same file.
// Load picks the file by kubectl's precedence (flag, $KUBECONFIG, then
// ~/.dockward/kubeconfig, then ~/.kube/config), the context (flag or
// current-context), and resolves CA/cert/key/token from inline data or files
// (relative paths are relative to the kubeconfig's directory).
// WriteKubeconfig is what `dockward serve` calls on start: mode 0600, atomic.
#pragma once

#include <string>

#include "operator/common/status.h"
#include "operator/http/client.h"

namespace dw::cli {

struct KubeconfigOptions {
  std::string explicit_path;  // --kubeconfig (must exist when given)
  std::string context;        // --context (else current-context)
  std::string env;            // value of $KUBECONFIG (colon list; first file used)
  std::string home;           // $HOME
};

struct ClusterAccess {
  http::ClientConfig client;
  std::string default_namespace = "default";  // the context's namespace, if set
  std::string path;                           // the kubeconfig file that was read
  std::string context;                        // the context that was used
};

// The file Load would read (may not exist when no candidate exists).
std::string ChooseKubeconfigPath(const KubeconfigOptions& opts);

Status LoadKubeconfig(const KubeconfigOptions& opts, ClusterAccess* out);

// Parses kubeconfig text; `path` names the file in errors and anchors relative
// file references.
Status ParseKubeconfig(const std::string& text, const std::string& path,
                       const std::string& context, ClusterAccess* out);

// Writes a one-cluster kubeconfig (cluster/context "dockward", user "admin").
Status WriteKubeconfig(const std::string& path, const std::string& server_url,
                       const std::string& ca_pem, const std::string& token);

}  // namespace dw::cli
