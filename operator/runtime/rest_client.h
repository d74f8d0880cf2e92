// RestClient: the Client over a remote Kubernetes API server's REST API (a
// real cluster, or another `dockward serve`), so the same controllers run
// with `dockward serve --kubeconfig FILE`. It speaks what client-go speaks:
//  - paths /apis/GROUP/VERSION[/namespaces/NS]/PLURAL[/NAME[/status]] and
//    /api/v1/... for core kinds; kinds are the ones compiled into the binary
//    (Resolve), since a controller can only reconcile kinds it knows;
//  - list pages (limit/continue) whose last resourceVersion a watch continues
//    from; items get apiVersion/kind filled in (a real cluster omits them);
//  - watches with ?watch=1&resourceVersion=RV&allowWatchBookmarks=true&
//    timeoutSeconds=T (T random in 5..10 min, as client-go's reflector),
//    JSON lines of {type, object}: BOOKMARK only moves the stream's
//    resourceVersion (it also proves the connection alive); when the server
//    ends the response at T, the stream re-opens itself from that
//    resourceVersion (no re-list, as the reflector); an ERROR with code 410
//    closes the stream with Gone so the Informer re-lists; errors and a lost
//    connection close it with their Status (the Informer re-lists after its
//    backoff). Re-opens are at least 1 s apart, so a server or proxy that
//    ends every response early cannot make a hot loop. An empty
//    resourceVersion means what the server says it means (Kubernetes: the
//    current state as synthetic ADDED events first);
//  - errors: a metav1.Status body decodes into the Status code of its
//    reason (CodeFromReason), its message and field causes; transport
//    failures are Unavailable.
//
// http::Client is not thread-safe: ordinary calls borrow one from a small
// pool (a connection kept alive per idle client); each watch owns a
// connection and a reader thread, and Stop() cancels that connection.
// Thread-safe.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "operator/http/client.h"
#include "operator/runtime/client.h"
#include "operator/schema/resource_info.h"

namespace dw::runtime {

struct RestClientOptions {
  http::ClientConfig http;
  size_t max_idle_connections = 8;
  int64_t list_page_size = 500;
  // Watches ask the server to end them after a random time in this range
  // (then re-open); the reader gives up on a connection silent for max +
  // 60 s (bookmarks arrive every minute on servers that offer them).
  std::chrono::seconds watch_timeout_min{300};
  std::chrono::seconds watch_timeout_max{600};
  // A watch event line longer than this closes the stream with TooLarge
  // instead of growing the reader's buffer without bound.
  size_t max_watch_line_bytes = 16 << 20;
};

// Bounds every RestClient call made on this thread while it lives by
// `deadline`, as a Go context's deadline bounds client-go's requests (the
// leader elector bounds each renewal by its renew deadline this way): a call
// gets only the time left when that is below the configured request timeout
// (on a connection of its own, since a pooled one carries its own timeout),
// and a call started past the deadline fails with Timeout, unsent. Nests: the
// earlier deadline wins. Watches are not bounded.
class CallDeadline {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  explicit CallDeadline(TimePoint deadline);
  ~CallDeadline();
  CallDeadline(const CallDeadline&) = delete;
  CallDeadline& operator=(const CallDeadline&) = delete;
  // This thread's innermost deadline (TimePoint::max() when none).
  static TimePoint Current();

 private:
  TimePoint prev_;
};

class RestClient : public Client {
 public:
  // `kinds` (the compiled-in CRDs) must outlive the client.
  RestClient(const schema::ResourceRegistry* kinds, RestClientOptions opts);
  ~RestClient() override;

  const schema::ResourceInfo* Resolve(const std::string& api_version,
                                      const std::string& kind) const override;
  Status Get(const schema::ResourceInfo& r, const std::string& ns, const std::string& name,
             json::Document* out) override;
  Status List(const schema::ResourceInfo& r, const std::string& ns, const ListOptions& opts,
              ObjectList* out) override;
  Status Create(const schema::ResourceInfo& r, json::Document& obj, const WriteOptions& opts,
                json::Document* out) override;
  Status Update(const schema::ResourceInfo& r, json::Document& obj, const WriteOptions& opts,
                json::Document* out) override;
  Status UpdateStatus(const schema::ResourceInfo& r, json::Document& obj, const WriteOptions& opts,
                      json::Document* out) override;
  Status Patch(const schema::ResourceInfo& r, const std::string& ns, const std::string& name,
               PatchType type, const std::string& body, const WriteOptions& opts,
               json::Document* out) override;
  Status Delete(const schema::ResourceInfo& r, const std::string& ns, const std::string& name,
                const DeleteOptions& opts) override;
  Status Watch(const schema::ResourceInfo& r, const std::string& ns,
               const std::string& resource_version, std::unique_ptr<WatchStream>* out) override;

  const std::string& server() const { return opts_.http.server; }

 private:
  // One request/response; a 2xx body is parsed into `out` (if given).
  Status Call(const std::string& method, const std::string& target, const std::string& body,
              const std::string& content_type, json::Document* out);
  Status Put(const schema::ResourceInfo& r, json::Document& obj, const WriteOptions& opts,
             bool status, json::Document* out);
  std::unique_ptr<http::Client> Borrow();
  void Return(std::unique_ptr<http::Client> c);

  const schema::ResourceRegistry* kinds_;
  const RestClientOptions opts_;
  std::mutex pool_mu_;
  std::vector<std::unique_ptr<http::Client>> idle_;
};

// The REST path of a resource, an object, or an object's subresource.
// Cluster-scoped kinds ignore `ns`; an empty `ns` on a namespaced kind means
// every namespace.
std::string ResourcePath(const schema::ResourceInfo& r, const std::string& ns,
                         const std::string& name = "", const std::string& subresource = "");

// The Status of a non-2xx response: a metav1.Status body decodes into its
// reason's code, message and causes; any other body keeps the HTTP code and
// becomes the message, cut to its first 1 KiB (a proxy's HTML error page must
// not flood logs and conditions).
Status StatusFromResponse(int http_status, const std::string& body);

}  // namespace dw::runtime
