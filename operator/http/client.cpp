// Beast-based implementation of http::Client. Every network operation is
// asynchronous and driven by running the private io_context until the
// operation completes; the stream's own timer (expires_at) bounds each step,
// so a silent server can never hang the caller.
#include "operator/http/client.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <atomic>
#include <cctype>
#include <fstream>
#include <iterator>
#include <limits>
#include <vector>

namespace dw::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;
using local = net::local::stream_protocol;
using Clock = std::chrono::steady_clock;
using ErrorCode = boost::system::error_code;

namespace {

struct Endpoint {
  enum class Kind { kHttp, kHttps, kUnix } kind = Kind::kHttp;
  std::string host;  // without brackets
  std::string port;
  std::string path;  // unix socket path
  std::string base;  // path prefix from the server URL ("" or "/prefix")
  std::string dial;  // ClientConfig::dial_address: the vetted IP to connect to
};

Status ParseServer(const std::string& server, Endpoint* ep) {
  auto sep = server.find("://");
  if (sep == std::string::npos) return Status::BadRequest("server URL has no scheme: " + server);
  std::string scheme = server.substr(0, sep);
  std::string rest = server.substr(sep + 3);
  if (scheme == "unix") {
    ep->kind = Endpoint::Kind::kUnix;
    ep->path = rest;
    if (ep->path.empty()) return Status::BadRequest("unix server URL has no path: " + server);
    return Status::OK();
  }
  if (scheme == "https") {
    ep->kind = Endpoint::Kind::kHttps;
    ep->port = "443";
  } else if (scheme == "http") {
    ep->kind = Endpoint::Kind::kHttp;
    ep->port = "80";
  } else {
    return Status::BadRequest("unsupported URL scheme \"" + scheme + "\" in " + server);
  }
  auto slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  if (slash != std::string::npos) {
    ep->base = rest.substr(slash);
    while (!ep->base.empty() && ep->base.back() == '/') ep->base.pop_back();
  }
  if (!authority.empty() && authority[0] == '[') {  // [v6]:port
    auto close = authority.find(']');
    if (close == std::string::npos) return Status::BadRequest("bad IPv6 host in " + server);
    ep->host = authority.substr(1, close - 1);
    if (close + 1 < authority.size() && authority[close + 1] == ':')
      ep->port = authority.substr(close + 2);
  } else {
    auto colon = authority.rfind(':');
    ep->host = authority.substr(0, colon);
    if (colon != std::string::npos) ep->port = authority.substr(colon + 1);
  }
  if (ep->host.empty()) return Status::BadRequest("server URL has no host: " + server);
  return Status::OK();
}

bool IsIpLiteral(const std::string& host) {
  ErrorCode ec;
  net::ip::make_address(host, ec);
  return !ec;
}

bool Idempotent(const std::string& method) {
  return method == "GET" || method == "HEAD" || method == "PUT" || method == "DELETE" ||
         method == "OPTIONS";
}

// Errors that mean "the kept-alive connection was closed under us".
bool IsStaleConnection(const ErrorCode& ec) {
  return ec == bhttp::error::end_of_stream || ec == net::error::eof ||
         ec == net::error::connection_reset || ec == net::error::broken_pipe ||
         ec == net::error::connection_aborted || ec == net::ssl::error::stream_truncated ||
         ec == bhttp::error::partial_message;
}

}  // namespace

struct Client::Conn {
  net::io_context ioc;
  Endpoint ep;
  Status parse_status;
  std::unique_ptr<ssl::context> ssl_ctx;
  std::unique_ptr<beast::tcp_stream> plain;
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls;
  std::unique_ptr<beast::basic_stream<local>> unix_sock;
  beast::flat_buffer buffer;
  bool connected = false;
  int served = 0;  // responses read on the current connection
  bool last_stale = false;  // last failure looked like a closed keep-alive conn
  std::atomic<bool> cancelled{false};

  Status Connect(const ClientConfig& cfg, Clock::time_point deadline);
  // Looks the server host up by `deadline` (Connect without dial_address).
  Status Resolve(Clock::time_point deadline, std::vector<tcp::endpoint>* out);
  // Sends the request head and body on the open connection by `deadline`.
  ErrorCode WriteRequest(const ClientConfig& cfg, const Request& req, Clock::time_point deadline);
  Status RoundTrip(const ClientConfig& cfg, const Request& req, Response* resp,
                   Clock::time_point deadline);
  // Reads one complete response (head and string body) by `deadline`.
  Status ReadResponse(const ClientConfig& cfg, const Request& req, Response* resp,
                      Clock::time_point deadline);
  Status UploadOnce(const ClientConfig& cfg, const Request& req, uint64_t content_length,
                    const std::function<Status(char*, size_t, size_t*)>& read_body,
                    Response* resp, std::chrono::milliseconds idle_timeout);
  Status HijackOnce(const ClientConfig& cfg, const Request& req, Response* head,
                    const std::function<size_t(char*, size_t)>& read_input,
                    const std::function<bool(std::string_view)>& on_data,
                    std::chrono::milliseconds idle_timeout);
  Status Pump(const std::function<size_t(char*, size_t)>& read_input,
              const std::function<bool(std::string_view)>& on_data,
              std::chrono::milliseconds idle_timeout);
  Status StreamOnce(const ClientConfig& cfg, const Request& req,
                    const std::function<bool(std::string_view)>& on_data, Response* head,
                    std::chrono::milliseconds idle_timeout);
  Status FetchOnce(const ClientConfig& cfg, const Request& req,
                   const std::function<bool(std::string_view)>& on_data, Response* head);
  // Reads into `parser` until its header (header_only) or the whole message
  // is parsed. Each read waits at most cfg.read_idle_timeout (when set) and
  // never past `deadline`; *idle tells which of the two expired.
  template <class Parser>
  ErrorCode ReadParsed(const ClientConfig& cfg, Parser& parser, bool header_only,
                       Clock::time_point deadline, bool* idle);
  // The deadline of one read: the idle bound, capped by the request deadline.
  static Clock::time_point ReadDeadline(const ClientConfig& cfg, Clock::time_point deadline) {
    if (cfg.read_idle_timeout.count() <= 0) return deadline;
    return std::min(deadline, Clock::now() + cfg.read_idle_timeout);
  }
  Status ReadError(const ClientConfig& cfg, const ErrorCode& ec, bool idle);

  // Runs the io_context until the started operation completes.
  void Run() {
    ioc.restart();
    ioc.run();
  }

  void SetDeadline(Clock::time_point deadline) {
    if (plain) plain->expires_at(deadline);
    if (tls) beast::get_lowest_layer(*tls).expires_at(deadline);
    if (unix_sock) unix_sock->expires_at(deadline);
  }

  void ShutdownSend(ErrorCode* ec) {
    if (plain) plain->socket().shutdown(net::socket_base::shutdown_send, *ec);
    else if (unix_sock) unix_sock->socket().shutdown(net::socket_base::shutdown_send, *ec);
  }

  void Close() {
    ErrorCode ignored;
    if (plain) plain->socket().close(ignored);
    if (tls) beast::get_lowest_layer(*tls).socket().close(ignored);
    if (unix_sock) unix_sock->socket().close(ignored);
    plain.reset();
    tls.reset();
    unix_sock.reset();
    buffer.clear();
    connected = false;
    served = 0;
  }

  // Applies `fn(stream)` to whichever stream is active.
  template <class Fn>
  void WithStream(Fn&& fn) {
    if (tls) fn(*tls);
    else if (plain) fn(*plain);
    else fn(*unix_sock);
  }
};

namespace {

std::string Describe(const Endpoint& ep) {
  if (ep.kind == Endpoint::Kind::kUnix) return "unix " + ep.path;
  bool v6 = ep.host.find(':') != std::string::npos;
  std::string via = ep.dial.empty() ? "" : " (" + ep.dial + ")";
  return "tcp " + (v6 ? "[" + ep.host + "]" : ep.host) + ":" + ep.port + via;
}

Status TransportError(const std::string& op, const Endpoint& ep, const ErrorCode& ec) {
  if (ec == beast::error::timeout)
    return Status::Timeout(op + " " + Describe(ep) + ": i/o timeout");
  std::string msg = ec.message();
  if (ec == net::error::connection_refused) msg = "connection refused";
  return Status::Unavailable(op + " " + Describe(ep) + ": " + msg);
}

Status MakeSslContext(const ClientConfig& cfg, std::unique_ptr<ssl::context>* out) {
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_client);
  ErrorCode ec;
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                       ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                       ssl::context::no_tlsv1_1,
                   ec);
  if (!cfg.ca_pem.empty()) {
    ctx->add_certificate_authority(net::buffer(cfg.ca_pem), ec);
    if (ec) return Status::BadRequest("invalid certificate authority PEM: " + ec.message());
  } else {
    ctx->set_default_verify_paths(ec);
  }
  if (!cfg.client_cert_pem.empty()) {
    ctx->use_certificate_chain(net::buffer(cfg.client_cert_pem), ec);
    if (ec) return Status::BadRequest("invalid client certificate PEM: " + ec.message());
    ctx->use_private_key(net::buffer(cfg.client_key_pem), ssl::context::pem, ec);
    if (ec) return Status::BadRequest("invalid client key PEM: " + ec.message());
  }
  ctx->set_verify_mode(cfg.insecure_skip_verify ? ssl::verify_none : ssl::verify_peer);
  *out = std::move(ctx);
  return Status::OK();
}

// Names why verification failed ("certificate verify failed: self-signed
// certificate", "... Hostname mismatch") instead of a bare SSL error code.
Status TlsError(SSL* ssl_handle, const Endpoint& ep, const ErrorCode& ec) {
  if (ec == beast::error::timeout) return TransportError("tls handshake", ep, ec);
  long vr = ssl_handle ? SSL_get_verify_result(ssl_handle) : X509_V_OK;
  std::string msg = "tls: " + ec.message();
  if (vr != X509_V_OK)
    msg = std::string("tls: failed to verify certificate: ") + X509_verify_cert_error_string(vr);
  return Status::Unavailable(msg + " (" + Describe(ep) + ")");
}

}  // namespace

Client::Client(ClientConfig cfg) : cfg_(std::move(cfg)), conn_(std::make_unique<Conn>()) {
  conn_->parse_status = ParseServer(cfg_.server, &conn_->ep);
  conn_->ep.dial = cfg_.dial_address;
  if (conn_->parse_status.ok() && conn_->ep.kind == Endpoint::Kind::kHttps)
    conn_->parse_status = MakeSslContext(cfg_, &conn_->ssl_ctx);
}

Client::~Client() = default;

namespace {

template <class Stream>
void AsyncConnectTcp(Stream& s, const std::vector<tcp::endpoint>& eps, ErrorCode* ec) {
  s.async_connect(eps, [ec](const ErrorCode& e, const tcp::endpoint&) { *ec = e; });
}

bhttp::request<bhttp::string_body> BuildRequest(const ClientConfig& cfg, const Endpoint& ep,
                                                const Request& req) {
  bhttp::verb verb = bhttp::string_to_verb(req.method);
  bhttp::request<bhttp::string_body> r;
  if (verb == bhttp::verb::unknown) r.method_string(req.method);
  else r.method(verb);
  r.target(ep.base + (req.target.empty() ? "/" : req.target));
  r.version(11);
  if (ep.kind == Endpoint::Kind::kUnix) {
    r.set(bhttp::field::host, "localhost");
  } else {
    bool v6 = ep.host.find(':') != std::string::npos;
    std::string host = v6 ? "[" + ep.host + "]" : ep.host;
    bool default_port = (ep.kind == Endpoint::Kind::kHttps && ep.port == "443") ||
                        (ep.kind == Endpoint::Kind::kHttp && ep.port == "80");
    r.set(bhttp::field::host, default_port ? host : host + ":" + ep.port);
  }
  r.set(bhttp::field::user_agent, "dockward");
  if (!cfg.bearer_token.empty()) r.set(bhttp::field::authorization, "Bearer " + cfg.bearer_token);
  for (const auto& [k, v] : req.headers) r.set(k, v);
  if (!req.body.empty() || verb == bhttp::verb::post || verb == bhttp::verb::put ||
      verb == bhttp::verb::patch) {
    r.body() = req.body;
    r.prepare_payload();
  }
  return r;
}

template <class Fields>
void CopyHeaders(const Fields& fields, Response* resp) {
  resp->headers.clear();
  for (const auto& f : fields) {
    std::string name(f.name_string());
    for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    std::string value(f.value());
    auto [it, inserted] = resp->headers.emplace(name, value);
    if (!inserted) it->second += ", " + value;
  }
}

}  // namespace

namespace {

// The single endpoint of a dial_address: no lookup, no fallback.
Status DialEndpoint(const Endpoint& ep, std::vector<tcp::endpoint>* out) {
  ErrorCode ec;
  auto addr = net::ip::make_address(ep.dial, ec);
  if (ec) return Status::BadRequest("dial_address is not an IP address: \"" + ep.dial + "\"");
  char* end = nullptr;
  unsigned long port = std::strtoul(ep.port.c_str(), &end, 10);
  if (ep.port.empty() || *end != '\0' || port == 0 || port > 65535)
    return Status::BadRequest("server URL port \"" + ep.port + "\" is not a number");
  out->emplace_back(addr, static_cast<unsigned short>(port));
  return Status::OK();
}

}  // namespace

Status Client::Conn::Resolve(Clock::time_point deadline, std::vector<tcp::endpoint>* out) {
  // Resolution has no stream timer; run it with a bounded run_until.
  ErrorCode ec = net::error::would_block;
  tcp::resolver resolver(ioc);
  resolver.async_resolve(ep.host, ep.port,
                         [&](const ErrorCode& e, tcp::resolver::results_type r) {
                           ec = e;
                           for (const auto& entry : r) out->push_back(entry.endpoint());
                         });
  ioc.restart();
  ioc.run_until(deadline);
  if (!ioc.stopped()) {
    resolver.cancel();
    Run();
    return Status::Timeout("dial " + Describe(ep) + ": i/o timeout (resolving host)");
  }
  if (ec) return Status::Unavailable("dial " + Describe(ep) + ": lookup failed: " + ec.message());
  return Status::OK();
}

Status Client::Conn::Connect(const ClientConfig& cfg, Clock::time_point request_deadline) {
  auto deadline = std::min(request_deadline, Clock::now() + cfg.connect_timeout);
  ErrorCode ec = net::error::would_block;
  if (ep.kind == Endpoint::Kind::kUnix) {
    unix_sock = std::make_unique<beast::basic_stream<local>>(ioc);
    unix_sock->expires_at(deadline);
    unix_sock->async_connect(local::endpoint(ep.path), [&ec](const ErrorCode& e) { ec = e; });
    Run();
    if (ec) return TransportError("dial", ep, ec);
    connected = true;
    return Status::OK();
  }
  std::vector<tcp::endpoint> results;
  if (!ep.dial.empty()) {
    DW_RETURN_IF_ERROR(DialEndpoint(ep, &results));
  } else {
    DW_RETURN_IF_ERROR(Resolve(deadline, &results));
  }

  if (ep.kind == Endpoint::Kind::kHttp) {
    plain = std::make_unique<beast::tcp_stream>(ioc);
    plain->expires_at(deadline);
    AsyncConnectTcp(*plain, results, &ec);
    Run();
    if (ec) return TransportError("dial", ep, ec);
    plain->socket().set_option(tcp::no_delay(true), ec);
    connected = true;
    return Status::OK();
  }

  tls = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(ioc, *ssl_ctx);
  auto& lowest = beast::get_lowest_layer(*tls);
  lowest.expires_at(deadline);
  AsyncConnectTcp(lowest, results, &ec);
  Run();
  if (ec) return TransportError("dial", ep, ec);
  lowest.socket().set_option(tcp::no_delay(true), ec);

  SSL* h = tls->native_handle();
  std::string name = cfg.tls_server_name.empty() ? ep.host : cfg.tls_server_name;
  if (!IsIpLiteral(name)) SSL_set_tlsext_host_name(h, name.c_str());
  if (!cfg.insecure_skip_verify) {
    // Verify the peer name inside OpenSSL so a mismatch surfaces as a named
    // verification error ("hostname mismatch", "IP address mismatch").
    X509_VERIFY_PARAM* param = SSL_get0_param(h);
    if (IsIpLiteral(name)) X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str());
    else X509_VERIFY_PARAM_set1_host(param, name.c_str(), 0);
  }
  ec = net::error::would_block;
  tls->async_handshake(ssl::stream_base::client, [&ec](const ErrorCode& e) { ec = e; });
  Run();
  if (ec) return TlsError(h, ep, ec);
  connected = true;
  return Status::OK();
}

ErrorCode Client::Conn::WriteRequest(const ClientConfig& cfg, const Request& req,
                                     Clock::time_point deadline) {
  auto breq = BuildRequest(cfg, ep, req);
  SetDeadline(deadline);
  ErrorCode ec = net::error::would_block;
  WithStream([&](auto& s) {
    bhttp::async_write(s, breq, [&ec](const ErrorCode& e, size_t) { ec = e; });
  });
  Run();
  return ec;
}

Status Client::Conn::RoundTrip(const ClientConfig& cfg, const Request& req, Response* resp,
                               Clock::time_point deadline) {
  last_stale = false;
  if (!connected) DW_RETURN_IF_ERROR(Connect(cfg, deadline));
  ErrorCode ec = WriteRequest(cfg, req, deadline);
  if (ec) {
    last_stale = served > 0 && IsStaleConnection(ec);
    return TransportError("write", ep, ec);
  }
  return ReadResponse(cfg, req, resp, deadline);
}

template <class Parser>
ErrorCode Client::Conn::ReadParsed(const ClientConfig& cfg, Parser& parser, bool header_only,
                                   Clock::time_point deadline, bool* idle) {
  *idle = false;
  while (header_only ? !parser.is_header_done() : !parser.is_done()) {
    auto read_deadline = ReadDeadline(cfg, deadline);
    SetDeadline(read_deadline);
    ErrorCode ec = net::error::would_block;
    WithStream([&](auto& s) {
      bhttp::async_read_some(s, buffer, parser, [&ec](const ErrorCode& e, size_t) { ec = e; });
    });
    Run();
    if (ec) {
      *idle = ec == beast::error::timeout && read_deadline < deadline;
      return ec;
    }
  }
  return {};
}

Status Client::Conn::ReadError(const ClientConfig& cfg, const ErrorCode& ec, bool idle) {
  if (ec == bhttp::error::body_limit)
    return Status::TooLarge("response body exceeds " + std::to_string(cfg.max_body_bytes) +
                            " bytes");
  if (idle)
    return Status::Timeout("read " + Describe(ep) + ": read idle timeout (no data for " +
                           std::to_string(cfg.read_idle_timeout.count()) + " ms)");
  return TransportError("read", ep, ec);
}

Status Client::Conn::ReadResponse(const ClientConfig& cfg, const Request& req, Response* resp,
                                  Clock::time_point deadline) {
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(cfg.max_body_bytes);
  parser.header_limit(1 << 20);
  if (req.method == "HEAD") parser.skip(true);
  bool idle = false;
  ErrorCode ec = ReadParsed(cfg, parser, /*header_only=*/true, deadline, &idle);
  // Beast 1.74 does not always apply body_limit to a Content-Length body that
  // arrives with the header in one read, so check the declared length here.
  if (!ec && parser.content_length() && *parser.content_length() > cfg.max_body_bytes)
    ec = bhttp::error::body_limit;
  if (!ec) ec = ReadParsed(cfg, parser, /*header_only=*/false, deadline, &idle);
  if (ec) {
    // Nothing of the response arrived on a reused connection: stale.
    last_stale = served > 0 && !parser.got_some() && IsStaleConnection(ec);
    return ReadError(cfg, ec, idle);
  }
  auto msg = parser.release();
  resp->status = static_cast<int>(msg.result_int());
  CopyHeaders(msg, resp);
  resp->body = std::move(msg.body());
  ++served;
  if (!msg.keep_alive()) Close();
  return Status::OK();
}

Status Client::Conn::UploadOnce(const ClientConfig& cfg, const Request& req,
                                uint64_t content_length,
                                const std::function<Status(char*, size_t, size_t*)>& read_body,
                                Response* resp, std::chrono::milliseconds idle_timeout) {
  last_stale = false;
  DW_RETURN_IF_ERROR(Connect(cfg, Clock::now() + cfg.request_timeout));
  Request head_only = req;
  head_only.body.clear();
  bhttp::request<bhttp::empty_body> hreq(BuildRequest(cfg, ep, head_only).base());
  hreq.content_length(content_length);
  bhttp::request_serializer<bhttp::empty_body> sr(hreq);
  SetDeadline(Clock::now() + idle_timeout);
  ErrorCode ec = net::error::would_block;
  WithStream([&](auto& s) {
    bhttp::async_write_header(s, sr, [&ec](const ErrorCode& e, size_t) { ec = e; });
  });
  Run();
  if (ec) return TransportError("write", ep, ec);

  std::vector<char> buf(256 << 10);
  uint64_t sent = 0;
  while (sent < content_length) {
    size_t n = 0;
    size_t cap = static_cast<size_t>(std::min<uint64_t>(buf.size(), content_length - sent));
    DW_RETURN_IF_ERROR(read_body(buf.data(), cap, &n));
    if (n == 0 || n > cap)
      return Status::BadRequest("upload body ended after " + std::to_string(sent) + " of " +
                                std::to_string(content_length) + " bytes");
    SetDeadline(Clock::now() + idle_timeout);
    ec = net::error::would_block;
    WithStream([&](auto& s) {
      net::async_write(s, net::buffer(buf.data(), n), [&ec](const ErrorCode& e, size_t) { ec = e; });
    });
    Run();
    if (ec) {
      // The server may have answered (and closed) before taking the body,
      // e.g. 404 for an unknown container: that answer is the useful error.
      Status early = ReadResponse(cfg, req, resp, Clock::now() + idle_timeout);
      if (early.ok()) return early;
      return TransportError("write", ep, ec);
    }
    sent += n;
  }
  return ReadResponse(cfg, req, resp, Clock::now() + idle_timeout);
}

Status Client::Conn::StreamOnce(const ClientConfig& cfg, const Request& req,
                                const std::function<bool(std::string_view)>& on_data,
                                Response* head, std::chrono::milliseconds idle_timeout) {
  auto deadline = Clock::now() + cfg.request_timeout;
  DW_RETURN_IF_ERROR(Connect(cfg, deadline));
  ErrorCode ec = WriteRequest(cfg, req, deadline);
  if (ec) return TransportError("write", ep, ec);

  bhttp::response_parser<bhttp::buffer_body> parser;
  // A watch is unbounded by design. Not boost::none: Beast 1.74 compares a
  // Content-Length against the empty optional and fails every such response.
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());
  parser.header_limit(1 << 20);
  ec = net::error::would_block;
  WithStream([&](auto& s) {
    bhttp::async_read_header(s, buffer, parser, [&ec](const ErrorCode& e, size_t) { ec = e; });
  });
  Run();
  if (ec) return TransportError("read", ep, ec);
  Response local_head;
  Response* h = head ? head : &local_head;
  h->status = static_cast<int>(parser.get().result_int());
  CopyHeaders(parser.get(), h);

  char chunk[16384];
  while (!parser.is_done()) {
    parser.get().body().data = chunk;
    parser.get().body().size = sizeof(chunk);
    SetDeadline(Clock::now() + idle_timeout);
    ec = net::error::would_block;
    WithStream([&](auto& s) {
      bhttp::async_read_some(s, buffer, parser, [&ec](const ErrorCode& e, size_t) { ec = e; });
    });
    Run();
    if (ec == bhttp::error::need_buffer) ec = {};
    size_t n = sizeof(chunk) - parser.get().body().size;
    if (n > 0 && !on_data(std::string_view(chunk, n))) return Status::OK();
    if (ec == beast::error::timeout) return Status::OK();  // idle: caller decides
    if (ec == bhttp::error::end_of_stream || ec == net::error::eof) return Status::OK();
    if (ec) return TransportError("read", ep, ec);
  }
  return Status::OK();
}

Status Client::Conn::FetchOnce(const ClientConfig& cfg, const Request& req,
                               const std::function<bool(std::string_view)>& on_data,
                               Response* head) {
  auto deadline = Clock::now() + cfg.request_timeout;
  DW_RETURN_IF_ERROR(Connect(cfg, deadline));
  ErrorCode ec = WriteRequest(cfg, req, deadline);
  if (ec) return TransportError("write", ep, ec);

  bhttp::response_parser<bhttp::buffer_body> parser;
  parser.body_limit(cfg.max_body_bytes);
  parser.header_limit(1 << 20);
  if (req.method == "HEAD") parser.skip(true);
  bool idle = false;
  ec = ReadParsed(cfg, parser, /*header_only=*/true, deadline, &idle);
  if (ec) return ReadError(cfg, ec, idle);
  head->status = static_cast<int>(parser.get().result_int());
  CopyHeaders(parser.get(), head);
  if (parser.content_length() && *parser.content_length() > cfg.max_body_bytes)
    return ReadError(cfg, bhttp::error::body_limit, false);

  // Counted here as well as by the parser: the cap must hold for chunked
  // bodies whatever Beast's own accounting does.
  uint64_t received = 0;
  char chunk[16384];
  while (!parser.is_done()) {
    parser.get().body().data = chunk;
    parser.get().body().size = sizeof(chunk);
    auto read_deadline = ReadDeadline(cfg, deadline);
    SetDeadline(read_deadline);
    ec = net::error::would_block;
    WithStream([&](auto& s) {
      bhttp::async_read_some(s, buffer, parser, [&ec](const ErrorCode& e, size_t) { ec = e; });
    });
    Run();
    if (ec == bhttp::error::need_buffer) ec = {};
    size_t n = sizeof(chunk) - parser.get().body().size;
    received += n;
    if (received > cfg.max_body_bytes) return ReadError(cfg, bhttp::error::body_limit, false);
    if (n > 0 && !on_data(std::string_view(chunk, n))) return Status::OK();
    if (ec) return ReadError(cfg, ec, ec == beast::error::timeout && read_deadline < deadline);
  }
  return Status::OK();
}

Status Client::Conn::HijackOnce(const ClientConfig& cfg, const Request& req, Response* head,
                                const std::function<size_t(char*, size_t)>& read_input,
                                const std::function<bool(std::string_view)>& on_data,
                                std::chrono::milliseconds idle_timeout) {
  auto deadline = Clock::now() + cfg.request_timeout;
  DW_RETURN_IF_ERROR(Connect(cfg, deadline));
  if (tls && read_input)
    return Status::BadRequest("streaming input with half-close is not supported over TLS (" +
                              Describe(ep) + ")");
  ErrorCode ec = WriteRequest(cfg, req, deadline);
  if (ec) return TransportError("write", ep, ec);

  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(cfg.max_body_bytes);
  parser.header_limit(1 << 20);
  ec = net::error::would_block;
  WithStream([&](auto& s) {
    bhttp::async_read_header(s, buffer, parser, [&ec](const ErrorCode& e, size_t) { ec = e; });
  });
  Run();
  if (ec) return TransportError("read", ep, ec);
  head->status = static_cast<int>(parser.get().result_int());
  CopyHeaders(parser.get(), head);
  if (head->status >= 300) {  // an ordinary error response: read its body
    if (!parser.is_done()) {
      ec = net::error::would_block;
      WithStream([&](auto& s) {
        bhttp::async_read(s, buffer, parser, [&ec](const ErrorCode& e, size_t) { ec = e; });
      });
      Run();
      if (ec && ec != bhttp::error::end_of_stream) return TransportError("read", ep, ec);
    }
    head->body = parser.get().body();
    return Status::OK();
  }
  // Bytes that arrived with the head already belong to the raw stream.
  if (buffer.size() > 0) {
    std::string_view first(static_cast<const char*>(buffer.data().data()), buffer.size());
    bool more = on_data(first);
    buffer.consume(buffer.size());
    if (!more) return Status::OK();
  }
  return Pump(read_input, on_data, idle_timeout);
}

// Runs one read loop and (with input) one write loop concurrently on the
// io_context, so a peer that echoes its input can never deadlock us. One
// watchdog timer enforces `idle_timeout` over traffic in either direction:
// a long upload to a silent peer is progress, not idleness.
Status Client::Conn::Pump(const std::function<size_t(char*, size_t)>& read_input,
                          const std::function<bool(std::string_view)>& on_data,
                          std::chrono::milliseconds idle_timeout) {
  std::vector<char> rbuf(64 << 10), wbuf(64 << 10);
  Status result;
  bool stop = false;
  Clock::time_point last_activity = Clock::now();
  net::steady_timer watchdog(ioc);
  auto finish = [&] {
    stop = true;
    watchdog.cancel();
    ErrorCode ignored;
    WithStream([&](auto& s) { beast::get_lowest_layer(s).socket().cancel(ignored); });
  };
  auto fail = [&](Status st) {
    if (result.ok()) result = std::move(st);
    finish();
  };
  std::function<void()> read_next, write_next, arm_watchdog;
  arm_watchdog = [&] {
    watchdog.expires_at(last_activity + idle_timeout);
    watchdog.async_wait([&](const ErrorCode& e) {
      if (stop || e == net::error::operation_aborted) return;
      if (Clock::now() - last_activity >= idle_timeout)
        return fail(TransportError("read", ep, beast::error::timeout));
      arm_watchdog();
    });
  };
  WithStream([&](auto& s) {
    beast::get_lowest_layer(s).expires_never();  // the watchdog owns timeouts here
    read_next = [&] {
      s.async_read_some(net::buffer(rbuf), [&](const ErrorCode& e, size_t n) {
        if (stop) return;
        last_activity = Clock::now();
        if (n > 0 && !on_data(std::string_view(rbuf.data(), n))) return finish();
        if (e == net::error::eof || e == net::ssl::error::stream_truncated) return finish();
        if (e) return fail(TransportError("read", ep, e));
        read_next();
      });
    };
    write_next = [&] {
      size_t n = read_input(wbuf.data(), wbuf.size());
      if (n == 0) {
        ErrorCode sec;
        ShutdownSend(&sec);
        if (sec) fail(TransportError("half-close", ep, sec));
        return;
      }
      net::async_write(s, net::buffer(wbuf.data(), n), [&](const ErrorCode& e, size_t) {
        if (stop) return;
        last_activity = Clock::now();
        if (e) return fail(TransportError("write", ep, e));
        write_next();
      });
    };
  });
  arm_watchdog();
  read_next();
  if (read_input) net::post(ioc, [&] { write_next(); });
  Run();
  return result;
}

Status Client::Hijack(const Request& req, Response* head,
                      const std::function<size_t(char*, size_t)>& read_input,
                      const std::function<bool(std::string_view)>& on_data,
                      std::chrono::milliseconds idle_timeout) {
  DW_RETURN_IF_ERROR(conn_->parse_status);
  RefreshToken();
  if (conn_->cancelled) return Status::Unavailable("request cancelled");
  conn_->Close();  // the hijacked connection is never reused
  Request r = req;
  r.headers["Connection"] = "Upgrade";
  r.headers["Upgrade"] = "tcp";
  Response local_head;
  Status st = conn_->HijackOnce(cfg_, r, head ? head : &local_head, read_input, on_data,
                                idle_timeout);
  conn_->Close();
  return st;
}

void Client::Cancel() {
  Conn* c = conn_.get();
  c->cancelled = true;
  // Sockets belong to the io_context's thread; close them from there.
  net::post(c->ioc, [c] {
    ErrorCode ignored;
    if (c->plain) c->plain->socket().close(ignored);
    if (c->tls) beast::get_lowest_layer(*c->tls).socket().close(ignored);
    if (c->unix_sock) c->unix_sock->socket().close(ignored);
  });
}

void Client::RefreshToken() {
  if (cfg_.bearer_token_file.empty()) return;
  auto now = Clock::now();
  if (token_read_ != Clock::time_point{} && now - token_read_ < cfg_.bearer_token_file_period) return;
  token_read_ = now;
  // Mid-rotation the file can be briefly missing or empty: the old token is
  // still valid for a while, so keep it rather than send none.
  std::ifstream in(cfg_.bearer_token_file, std::ios::binary);
  if (!in) return;
  std::string token((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back()))) token.pop_back();
  if (!token.empty()) cfg_.bearer_token = std::move(token);
}

Status Client::Do(const Request& req, Response* resp, Clock::time_point not_after) {
  DW_RETURN_IF_ERROR(conn_->parse_status);
  RefreshToken();
  auto deadline = std::min(Clock::now() + cfg_.request_timeout, not_after);
  bool reused = conn_->connected;
  Status st = conn_->RoundTrip(cfg_, req, resp, deadline);
  // A kept-alive connection the server already closed fails on first use;
  // that is not the request's fault, so retry once on a fresh connection.
  if (!st.ok() && reused && conn_->last_stale && Idempotent(req.method)) {
    conn_->Close();
    st = conn_->RoundTrip(cfg_, req, resp, deadline);
  }
  if (!st.ok()) conn_->Close();
  return st;
}

Status Client::Upload(const Request& req, uint64_t content_length,
                      const std::function<Status(char*, size_t, size_t*)>& read_body,
                      Response* resp, std::chrono::milliseconds idle_timeout) {
  DW_RETURN_IF_ERROR(conn_->parse_status);
  RefreshToken();
  if (conn_->cancelled) return Status::Unavailable("request cancelled");
  // The body is consumed as it is sent, so a failed upload cannot be
  // retried here: always start on a fresh connection.
  conn_->Close();
  Status st = conn_->UploadOnce(cfg_, req, content_length, read_body, resp, idle_timeout);
  conn_->Close();
  return st;
}

Status Client::Fetch(const Request& req, const std::function<bool(std::string_view)>& on_data,
                     Response* head) {
  DW_RETURN_IF_ERROR(conn_->parse_status);
  RefreshToken();
  if (conn_->cancelled) return Status::Unavailable("request cancelled");
  conn_->Close();
  Response local_head;
  Status st = conn_->FetchOnce(cfg_, req, on_data, head ? head : &local_head);
  conn_->Close();
  return st;
}

Status Client::Stream(const Request& req, const std::function<bool(std::string_view)>& on_data,
                      Response* head, std::chrono::milliseconds idle_timeout) {
  DW_RETURN_IF_ERROR(conn_->parse_status);
  RefreshToken();
  if (conn_->cancelled) return Status::Unavailable("request cancelled");
  // A watch holds its connection for its whole life; never share it.
  conn_->Close();
  Status st = conn_->StreamOnce(cfg_, req, on_data, head, idle_timeout);
  conn_->Close();
  return st;
}

std::string QueryEscape(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char ch : s) {
    if (std::isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~') {
      out += static_cast<char>(ch);
    } else if (ch == ' ') {
      out += '+';
    } else {
      out += '%';
      out += kHex[ch >> 4];
      out += kHex[ch & 15];
    }
  }
  return out;
}

}  // namespace dw::http
