// Env: what every verb needs once its flags are parsed — the kubeconfig,
// the API client, the effective namespace, lazily-read discovery, and the
// output streams (injectable for tests).
#pragma once

#include <iostream>
#include <memory>
#include <string>

#include "operator/cli/api.h"
#include "operator/cli/args.h"
#include "operator/cli/kubeconfig.h"
#include "operator/cli/rest_mapper.h"

namespace dw::cli {

struct Env {
  Args args;
  ClusterAccess access;
  std::unique_ptr<ApiClient> api;
  std::string ns;             // -n, else the context's namespace, else "default"
  bool ns_explicit = false;   // -n was given
  std::ostream* out = &std::cout;
  std::ostream* err = &std::cerr;

  // Discovery, read on first use.
  Status Mapper(const RestMapper** out);
  // Resolves a typed resource name; kubectl's error when unknown.
  Status Resolve(const std::string& typed, const ApiResource** out);

 private:
  std::unique_ptr<RestMapper> mapper_;
};

// Loads the kubeconfig, applies --context/--namespace/--request-timeout.
Status SetupEnv(Env* env);

}  // namespace dw::cli
