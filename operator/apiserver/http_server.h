// HttpServer: HTTP/1.1 over TLS (or plain TCP for tests) with one thread per
// connection and blocking I/O, which keeps handlers straight-line code: a
// handler may block on a durable store write or on a watch without stalling
// anyone else. Every blocking read or write has a deadline, enforced by one
// reaper thread that shuts down the socket of a connection whose deadline
// passed (so a silent or slow peer cannot hold a thread forever).
//
// Bounds: request header and body sizes (413 past the body limit), number of
// concurrent connections, idle keep-alive time, per-request read time.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "operator/common/status.h"

namespace dw::apiserver {

struct HttpRequest {
  std::string method;
  std::string path;       // decoded path, no query
  std::string raw_query;  // as received
  std::multimap<std::string, std::string> query;  // decoded
  std::map<std::string, std::string> headers;     // lower-case names
  std::string body;
  std::string remote;  // "ip:port"

  // First value of a query parameter, or `def`.
  std::string Query(const std::string& key, const std::string& def = "") const;
  bool HasQuery(const std::string& key) const { return query.count(key) > 0; }
  std::string Header(const std::string& lower_name) const;
};

using HeaderList = std::vector<std::pair<std::string, std::string>>;

class ResponseWriter {
 public:
  virtual ~ResponseWriter() = default;
  // A complete response with Content-Length.
  virtual void Send(int status, std::string_view content_type, std::string body,
                    const HeaderList& extra = {}) = 0;
  // Starts a chunked response; then WriteChunk/EndStream. Returns false if the
  // peer is gone.
  virtual bool BeginStream(int status, std::string_view content_type,
                           const HeaderList& extra = {}) = 0;
  virtual bool WriteChunk(std::string_view data) = 0;
  virtual void EndStream() = 0;
  // True once the peer has closed its side (cheap, non-blocking check). Lets a
  // long-lived stream notice a departed client while idle.
  virtual bool PeerClosed() = 0;
  virtual bool Sent() const = 0;
};

using Handler = std::function<void(HttpRequest&, ResponseWriter&)>;

struct HttpServerOptions {
  std::string listen = "127.0.0.1:6443";  // host:port; port 0 picks a free one
  bool tls = true;
  std::string cert_path, key_path;        // PEM, when tls
  size_t max_header_bytes = 64 << 10;
  size_t max_body_bytes = 3 << 20;        // Kubernetes' default request limit
  std::chrono::seconds idle_timeout{120}; // keep-alive wait for the next request
  std::chrono::seconds read_timeout{60};  // reading one whole request
  std::chrono::seconds write_timeout{60}; // writing one response or chunk
  int max_connections = 4096;
};

class HttpServer {
 public:
  HttpServer(HttpServerOptions opts, Handler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts accepting. After OK, Port() is the bound port.
  Status Start();
  int Port() const;
  // Stops accepting, shuts every connection down and joins all threads.
  void Stop();
  int ActiveConnections() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Percent-decoding for paths and query strings ('+' is a space in queries).
std::string UrlDecode(std::string_view s, bool plus_is_space);

}  // namespace dw::apiserver
