// HTTP/1.1 client over Boost.Beast: HTTPS (CA pinning, optional client
// certificate), plain TCP, and unix sockets (for the Docker engine later).
// Keeps one connection alive and reconnects transparently. Bounded: connect,
// read and total timeouts; a response body cap.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "operator/common/status.h"

namespace dw::http {

struct ClientConfig {
  // "https://127.0.0.1:6443", "http://host:port" or "unix:///path/to.sock".
  std::string server;
  std::string ca_pem;           // trust only this CA (empty: system store)
  std::string client_cert_pem;  // optional mutual TLS
  std::string client_key_pem;
  std::string bearer_token;     // sent as Authorization: Bearer (never logged)
  // When set, the bearer token is re-read from this file at most once per
  // period (a projected service-account token rotates; client-go re-reads it
  // every minute). A failed or empty read keeps the token held before.
  std::string bearer_token_file;
  std::chrono::milliseconds bearer_token_file_period{60000};
  bool insecure_skip_verify = false;
  std::string tls_server_name;  // SNI/verification name override
  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::milliseconds request_timeout{60000};  // whole request, non-streaming
  size_t max_body_bytes = 256 << 20;
  // IP literal to dial instead of resolving the server host, for callers that
  // resolved and vetted the address themselves (the SSRF-safe fetcher): the
  // client then never looks the name up, not even on reconnect, so DNS cannot
  // change the target. Host header, SNI and certificate name still come from
  // the server URL (or tls_server_name).
  std::string dial_address;
  // Longest wait for the next byte of a response (Do, Fetch); 0 = only the
  // request timeout applies. Expiry is a Timeout naming "read idle timeout",
  // so a server trickling one byte at a time cannot hold a caller for long.
  std::chrono::milliseconds read_idle_timeout{0};
};

struct Request {
  std::string method = "GET";
  std::string target;  // path + query, already escaped
  std::map<std::string, std::string> headers;
  std::string body;
};

struct Response {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string Header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? "" : it->second;
  }
};

class Client {
 public:
  explicit Client(ClientConfig cfg);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Transport failures return Unavailable ("connection refused", TLS errors
  // named); HTTP error statuses are returned in `resp` with an OK Status.
  // `not_after` can only shorten the request timeout (a caller with a
  // deadline of its own, such as a Lease renewal); the connection is reused.
  Status Do(const Request& req, Response* resp,
            std::chrono::steady_clock::time_point not_after = std::chrono::steady_clock::time_point::max());

  // For watch streams: sends `req` and calls on_data for each body fragment as
  // it arrives (chunked decoding done). Stops when on_data returns false, the
  // server ends the response, or `idle_timeout` passes with no data.
  Status Stream(const Request& req, const std::function<bool(std::string_view)>& on_data,
                Response* head, std::chrono::milliseconds idle_timeout);

  // Do's bounds (connect, request and read idle timeouts, max_body_bytes
  // checked against Content-Length up front and counted while streaming,
  // chunked bodies included) with the body handed to on_data in fragments
  // as it arrives, so a large body is never held whole. `head` (status and
  // headers) is filled before the first on_data call; on_data returning
  // false stops reading with an OK Status. Always one fresh connection,
  // closed afterwards, and no retry: the body is consumed as it is read.
  Status Fetch(const Request& req, const std::function<bool(std::string_view)>& on_data,
               Response* head);

  // For protocols that take over the connection after the response head
  // (Docker's attach/exec: "Connection: Upgrade, Upgrade: tcp"). Sends `req`;
  // a head with status >= 300 is returned in `head` (body included) with an OK
  // Status and nothing more happens. Otherwise the connection becomes a raw
  // duplex byte stream: bytes from the peer go to on_data as they arrive; when
  // `read_input` is set, it is called for bytes to send (returns how many it
  // put in the buffer, 0 at end of input) and at end of input the write side
  // is half-closed so the peer sees EOF while its output is still read.
  // Ends when the peer closes, on_data returns false, or `idle_timeout` passes
  // with no byte from the peer (Timeout; a long silent upload needs a long
  // one). Half-close needs a plain or unix connection: over TLS, read_input
  // is refused (BadRequest) because Asio cannot send close_notify while a
  // read is pending.
  Status Hijack(const Request& req, Response* head,
                const std::function<size_t(char*, size_t)>& read_input,
                const std::function<bool(std::string_view)>& on_data,
                std::chrono::milliseconds idle_timeout);

  // For request bodies too large to hold (Docker's archive upload): sends
  // `req` (its body ignored) with Content-Length `content_length`, pulling
  // the body from `read_body` (fills up to `cap` bytes, sets *n; an error
  // Status aborts the request and is returned as is), then reads an ordinary
  // response into `resp`. A body that ends short of content_length fails
  // with BadRequest and is never sent as complete. `idle_timeout` bounds
  // each write and the wait for the response. If the server answers early
  // (an error before taking the body), that response is returned.
  Status Upload(const Request& req, uint64_t content_length,
                const std::function<Status(char* buf, size_t cap, size_t* n)>& read_body,
                Response* resp, std::chrono::milliseconds idle_timeout);

  // Thread-safe: aborts the Stream/Hijack in flight from another thread (it
  // returns promptly) and makes later ones fail with Unavailable. A cancelled
  // client is meant to be discarded.
  void Cancel();

  const ClientConfig& config() const { return cfg_; }

 private:
  struct Conn;
  // Re-reads cfg_.bearer_token from bearer_token_file when the period passed.
  void RefreshToken();
  ClientConfig cfg_;
  std::chrono::steady_clock::time_point token_read_{};  // epoch: never read
  std::unique_ptr<Conn> conn_;
};

// Percent-encodes a query value.
std::string QueryEscape(std::string_view s);

}  // namespace dw::http
