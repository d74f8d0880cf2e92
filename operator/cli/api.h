// ApiClient: the CLI's view of the Kubernetes REST API over http::Client.
// Every Status it returns carries a message ready to print the way kubectl
// prints it ("Error from server (NotFound): ...", "The connection to the
// server ... was refused ..."), so verbs only pass errors up.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "operator/cli/kubeconfig.h"
#include "operator/cli/rest_mapper.h"
#include "operator/common/status.h"
#include "operator/http/client.h"
#include "operator/json/json.h"

namespace dw::cli {

inline constexpr char kTableAccept[] =
    "application/json;as=Table;v=v1;g=meta.k8s.io,application/json";

class ApiClient {
 public:
  explicit ApiClient(const http::ClientConfig& cfg);

  // GET `path`; on 2xx parses the body into `out`.
  Status Get(const std::string& path, json::Document* out, const std::string& accept = "");
  // Any method with an optional JSON/YAML body.
  Status Send(const std::string& method, const std::string& path, const std::string& body,
              const std::string& content_type, json::Document* out);
  // Streams a watch: calls on_event(type, object) for each event line until
  // it returns false, the server ends the stream, or `idle` passes silently.
  Status Watch(const std::string& path, const std::string& accept,
               const std::function<bool(const std::string&, const json::Value&)>& on_event,
               std::chrono::milliseconds idle);

  // Reads /api/v1 and every group version under /apis.
  Status Discover(RestMapper* out);

  const std::string& server() const { return server_; }

 private:
  Status Transport(const Status& st) const;
  std::string server_;
  http::Client http_;
};

// kubectl's text for a non-2xx response (a metav1.Status body or not).
Status ServerError(int http_status, const std::string& body);

// "error: " + message (client-side failures).
inline Status UserError(const Status& st) {
  return Status(st.code(), "error: " + st.message(), st.causes());
}

}  // namespace dw::cli
