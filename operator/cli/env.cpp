#include "operator/cli/env.h"

#include <cstdlib>

namespace dw::cli {

Status Env::Mapper(const RestMapper** out) {
  if (!mapper_) {
    auto m = std::make_unique<RestMapper>();
    DW_RETURN_IF_ERROR(api->Discover(m.get()));
    mapper_ = std::move(m);
  }
  *out = mapper_.get();
  return Status::OK();
}

Status Env::Resolve(const std::string& typed, const ApiResource** out) {
  const RestMapper* m;
  DW_RETURN_IF_ERROR(Mapper(&m));
  *out = m->Resolve(typed);
  if (!*out)
    return Status::NotFound("error: the server doesn't have a resource type \"" + typed + "\"");
  return Status::OK();
}

Status SetupEnv(Env* env) {
  KubeconfigOptions ko;
  ko.explicit_path = env->args.Get("kubeconfig");
  ko.context = env->args.Get("context");
  if (const char* k = std::getenv("KUBECONFIG")) ko.env = k;
  if (const char* h = std::getenv("HOME")) ko.home = h;
  Status st = LoadKubeconfig(ko, &env->access);
  if (!st.ok()) return UserError(st);
  if (env->args.Has("request-timeout")) {
    std::chrono::milliseconds t;
    std::string v = env->args.Get("request-timeout");
    if (!ParseDuration(v, &t))
      return Status::BadRequest("error: invalid argument \"" + v +
                                "\" for \"--request-timeout\" flag: time: invalid duration \"" +
                                v + "\"");
    if (t.count() > 0) env->access.client.request_timeout = t;
  }
  env->ns_explicit = env->args.Has("namespace");
  env->ns = env->ns_explicit ? env->args.Get("namespace") : env->access.default_namespace;
  env->api = std::make_unique<ApiClient>(env->access.client);
  return Status::OK();
}

}  // namespace dw::cli
