// ApiHandler: the Kubernetes REST surface. Authenticates, routes discovery,
// OpenAPI, health and metrics endpoints, and maps resource requests onto the
// ObjectRegistry: content negotiation (JSON, YAML, Table), patch types,
// dryRun, fieldValidation, fieldManager, watch streams with bookmarks, and
// errors as metav1.Status objects.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "operator/apiserver/discovery.h"
#include "operator/apiserver/http_server.h"
#include "operator/apiserver/object_registry.h"
#include "operator/common/metrics.h"
#include "operator/store/store.h"

namespace dw::apiserver {

// Serves /openapi/v2 and /openapi/v3[/...]: returns false for unknown paths.
using OpenApiProvider =
    std::function<bool(const std::string& path, std::string* body, std::string* content_type)>;

class ApiHandler {
 public:
  ApiHandler(ObjectRegistry* registry, const Discovery* discovery, OpenApiProvider openapi,
             std::string admin_token, metrics::Registry* metrics);
  ~ApiHandler();

  void Handle(HttpRequest& req, ResponseWriter& w);

  void SetReady(bool ready) { ready_.store(ready); }
  // Ends every open watch stream (server shutdown).
  void CloseWatches();
  int64_t OpenWatches() const;

 private:
  void HandleResource(HttpRequest& req, ResponseWriter& w, int* code);
  void HandleWatch(const schema::ResourceInfo& r, const std::string& ns, const std::string& name,
                   HttpRequest& req, ResponseWriter& w);
  bool Authenticate(const HttpRequest& req) const;

  ObjectRegistry* registry_;
  const Discovery* discovery_;
  OpenApiProvider openapi_;
  std::string token_;
  std::atomic<bool> ready_{false};
  std::atomic<bool> closing_{false};

  mutable std::mutex watches_mu_;
  std::set<store::Watcher*> watches_;

  metrics::Family<metrics::Counter>* requests_;
  metrics::Family<metrics::Histogram>* latency_;
  metrics::Family<metrics::Gauge>* watch_gauge_;

  struct Tables;
  std::unique_ptr<Tables> tables_;
};

}  // namespace dw::apiserver
