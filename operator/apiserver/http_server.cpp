#include "operator/apiserver/http_server.h"

#include <poll.h>
#include <sys/socket.h>

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>

#include "operator/common/log.h"

namespace dw::apiserver {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = boost::asio::ip::tcp;
using Clock = std::chrono::steady_clock;

std::string UrlDecode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else if (c == '%' && i + 2 < s.size() &&
               std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
               std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out.push_back(static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string HttpRequest::Query(const std::string& key, const std::string& def) const {
  auto it = query.find(key);
  return it == query.end() ? def : it->second;
}

std::string HttpRequest::Header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? "" : it->second;
}

namespace {

// Shuts down sockets whose deadline passed. One thread, woken by a condition
// variable only when the earliest deadline changes or arrives.
class Reaper {
 public:
  Reaper() : thread_([this] { Run(); }) {}
  ~Reaper() {
    {
      std::lock_guard<std::mutex> l(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  void Arm(uint64_t id, int fd, std::chrono::seconds d) {
    std::lock_guard<std::mutex> l(mu_);
    DisarmLocked(id);
    auto when = Clock::now() + d;
    by_id_[id] = {when, fd};
    queue_.insert({when, id});
    if (queue_.begin()->second == id) cv_.notify_all();
  }
  void Disarm(uint64_t id) {
    std::lock_guard<std::mutex> l(mu_);
    DisarmLocked(id);
  }

 private:
  void DisarmLocked(uint64_t id) {
    auto it = by_id_.find(id);
    if (it == by_id_.end()) return;
    queue_.erase({it->second.first, id});
    by_id_.erase(it);
  }
  void Run() {
    std::unique_lock<std::mutex> l(mu_);
    while (!stop_) {
      if (queue_.empty()) {
        cv_.wait(l);
        continue;
      }
      auto first = *queue_.begin();
      if (first.first > Clock::now()) {
        cv_.wait_until(l, first.first);
        continue;
      }
      queue_.erase(queue_.begin());
      auto it = by_id_.find(first.second);
      if (it != by_id_.end()) {
        ::shutdown(it->second.second, SHUT_RDWR);  // wakes the blocked I/O
        by_id_.erase(it);
      }
    }
  }
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::set<std::pair<Clock::time_point, uint64_t>> queue_;
  std::unordered_map<uint64_t, std::pair<Clock::time_point, int>> by_id_;
  std::thread thread_;
};

bool SocketPeerClosed(int fd) {
  pollfd p{fd, POLLIN | POLLRDHUP, 0};
  if (::poll(&p, 1, 0) <= 0) return false;
  if (p.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL)) return true;
  if (p.revents & POLLIN) {
    char c;
    return ::recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) == 0;
  }
  return false;
}

void ParseQuery(std::string_view q, std::multimap<std::string, std::string>* out) {
  size_t start = 0;
  while (start < q.size()) {
    size_t amp = q.find('&', start);
    std::string_view part = q.substr(start, amp == std::string_view::npos ? q.npos : amp - start);
    if (!part.empty()) {
      size_t eq = part.find('=');
      std::string k = UrlDecode(part.substr(0, eq), true);
      std::string v = eq == std::string_view::npos ? "" : UrlDecode(part.substr(eq + 1), true);
      out->emplace(std::move(k), std::move(v));
    }
    if (amp == std::string_view::npos) break;
    start = amp + 1;
  }
}

}  // namespace

struct HttpServer::Impl {
  HttpServerOptions opts;
  Handler handler;
  net::io_context ioc{1};
  std::unique_ptr<ssl::context> ssl_ctx;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::thread accept_thread;
  std::unique_ptr<Reaper> reaper;
  int port = 0;

  std::mutex mu;
  std::condition_variable cv;
  std::unordered_map<uint64_t, int> conns;  // id -> fd
  uint64_t next_id = 1;
  std::atomic<bool> stopping{false};

  void AcceptLoop();
  template <class Stream>
  void ServeConnection(uint64_t id, int fd, Stream& stream);
  void RunConnection(uint64_t id, tcp::socket sock);
};

namespace {

template <class Stream>
class StreamWriter : public ResponseWriter {
 public:
  StreamWriter(Stream& s, Reaper& r, uint64_t id, int fd, const HttpServerOptions& o,
               bool keep_alive, unsigned version)
      : s_(s), reaper_(r), id_(id), fd_(fd), opts_(o), keep_alive_(keep_alive), version_(version) {}

  void Send(int status, std::string_view content_type, std::string body,
            const HeaderList& extra) override {
    bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(status), version_};
    res.set(bhttp::field::content_type, content_type);
    res.set(bhttp::field::cache_control, "no-cache, private");
    for (const auto& h : extra) res.set(h.first, h.second);
    res.keep_alive(keep_alive_);
    res.body() = std::move(body);
    res.prepare_payload();
    sent_ = true;
    beast::error_code ec;
    reaper_.Arm(id_, fd_, opts_.write_timeout);
    bhttp::write(s_, res, ec);
    reaper_.Disarm(id_);
    if (ec) failed_ = true;
  }

  bool BeginStream(int status, std::string_view content_type, const HeaderList& extra) override {
    bhttp::response<bhttp::empty_body> res{static_cast<bhttp::status>(status), version_};
    res.set(bhttp::field::content_type, content_type);
    res.set(bhttp::field::cache_control, "no-cache, private");
    res.set(bhttp::field::transfer_encoding, "chunked");
    for (const auto& h : extra) res.set(h.first, h.second);
    res.keep_alive(keep_alive_);
    sent_ = true;
    streaming_ = true;
    bhttp::response_serializer<bhttp::empty_body> sr{res};
    beast::error_code ec;
    reaper_.Arm(id_, fd_, opts_.write_timeout);
    bhttp::write_header(s_, sr, ec);
    reaper_.Disarm(id_);
    if (ec) failed_ = true;
    return !failed_;
  }

  bool WriteChunk(std::string_view data) override {
    if (failed_ || data.empty()) return !failed_;
    beast::error_code ec;
    reaper_.Arm(id_, fd_, opts_.write_timeout);
    net::write(s_, bhttp::make_chunk(net::const_buffer(data.data(), data.size())), ec);
    reaper_.Disarm(id_);
    if (ec) failed_ = true;
    return !failed_;
  }

  void EndStream() override {
    if (failed_ || !streaming_) return;
    beast::error_code ec;
    reaper_.Arm(id_, fd_, opts_.write_timeout);
    net::write(s_, bhttp::make_chunk_last(), ec);
    reaper_.Disarm(id_);
    if (ec) failed_ = true;
    streaming_ = false;
  }

  bool PeerClosed() override { return failed_ || SocketPeerClosed(fd_); }
  bool Sent() const override { return sent_; }
  bool failed() const { return failed_; }

 private:
  Stream& s_;
  Reaper& reaper_;
  uint64_t id_;
  int fd_;
  const HttpServerOptions& opts_;
  bool keep_alive_;
  unsigned version_;
  bool sent_ = false;
  bool streaming_ = false;
  bool failed_ = false;
};

std::string StatusJson(int code, const char* reason, const std::string& msg) {
  return std::string("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",") +
         "\"message\":\"" + msg + "\",\"reason\":\"" + reason + "\",\"code\":" + std::to_string(code) + "}";
}

}  // namespace

template <class Stream>
void HttpServer::Impl::ServeConnection(uint64_t id, int fd, Stream& stream) {
  beast::flat_buffer buffer;
  for (;;) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(static_cast<uint32_t>(opts.max_header_bytes));
    parser.body_limit(opts.max_body_bytes);
    beast::error_code ec;
    reaper->Arm(id, fd, opts.idle_timeout);
    bhttp::read_header(stream, buffer, parser, ec);
    if (!ec) {
      reaper->Arm(id, fd, opts.read_timeout);
      bhttp::read(stream, buffer, parser, ec);
    }
    reaper->Disarm(id);
    if (ec == bhttp::error::body_limit) {
      StreamWriter<Stream> w(stream, *reaper, id, fd, opts, false, 11);
      w.Send(413, "application/json",
             StatusJson(413, "RequestEntityTooLarge",
                        "Request entity too large: limit is " + std::to_string(opts.max_body_bytes)), {});
      return;
    }
    if (ec == bhttp::error::header_limit) {
      StreamWriter<Stream> w(stream, *reaper, id, fd, opts, false, 11);
      w.Send(431, "application/json", StatusJson(431, "BadRequest", "request header too large"), {});
      return;
    }
    if (ec) return;  // closed, timed out, or garbage: nothing useful to answer

    auto& msg = parser.get();
    HttpRequest req;
    req.method = std::string(msg.method_string());
    std::string_view target(msg.target().data(), msg.target().size());
    size_t qpos = target.find('?');
    req.path = UrlDecode(target.substr(0, qpos), false);
    if (qpos != std::string_view::npos) {
      req.raw_query = std::string(target.substr(qpos + 1));
      ParseQuery(req.raw_query, &req.query);
    }
    for (const auto& f : msg) {
      std::string name(f.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      req.headers[name] = std::string(f.value());
    }
    req.body = std::move(msg.body());
    bool keep_alive = msg.keep_alive() && !stopping.load();

    StreamWriter<Stream> w(stream, *reaper, id, fd, opts, keep_alive, msg.version());
    try {
      handler(req, w);
    } catch (const std::exception& e) {
      log::Error("handler threw", {{"error", e.what()}, {"path", req.path}});
      if (!w.Sent()) w.Send(500, "application/json", StatusJson(500, "InternalError", "internal error"), {});
      return;
    }
    if (!w.Sent()) w.Send(500, "application/json", StatusJson(500, "InternalError", "no response"), {});
    if (w.failed() || !keep_alive) return;
  }
}

void HttpServer::Impl::RunConnection(uint64_t id, tcp::socket sock) {
  int fd = sock.native_handle();
  beast::error_code ec;
  sock.set_option(tcp::no_delay(true), ec);
  if (ssl_ctx) {
    ssl::stream<tcp::socket> stream(std::move(sock), *ssl_ctx);
    reaper->Arm(id, fd, opts.read_timeout);
    stream.handshake(ssl::stream_base::server, ec);
    reaper->Disarm(id);
    if (!ec) {
      ServeConnection(id, fd, stream);
      reaper->Arm(id, fd, std::chrono::seconds(2));
      stream.shutdown(ec);
      reaper->Disarm(id);
    }
    stream.next_layer().close(ec);
  } else {
    ServeConnection(id, fd, sock);
    sock.shutdown(tcp::socket::shutdown_send, ec);
    sock.close(ec);
  }
}

void HttpServer::Impl::AcceptLoop() {
  while (!stopping.load()) {
    beast::error_code ec;
    tcp::socket sock(ioc);
    acceptor->accept(sock, ec);
    if (ec) {
      if (stopping.load()) return;
      if (ec == net::error::no_descriptors) std::this_thread::sleep_for(std::chrono::milliseconds(50));
      continue;
    }
    std::unique_lock<std::mutex> l(mu);
    if (static_cast<int>(conns.size()) >= opts.max_connections) {
      l.unlock();
      sock.close(ec);  // over the cap: refuse rather than degrade everyone
      continue;
    }
    uint64_t id = next_id++;
    conns[id] = sock.native_handle();
    l.unlock();
    std::thread([this, id, s = std::move(sock)]() mutable {
      RunConnection(id, std::move(s));
      std::lock_guard<std::mutex> g(mu);
      conns.erase(id);
      cv.notify_all();
    }).detach();
  }
}

HttpServer::HttpServer(HttpServerOptions opts, Handler handler) : impl_(new Impl) {
  impl_->opts = std::move(opts);
  impl_->handler = std::move(handler);
}

HttpServer::~HttpServer() { Stop(); }

Status HttpServer::Start() {
  auto& o = impl_->opts;
  size_t colon = o.listen.rfind(':');
  if (colon == std::string::npos) return Status::BadRequest("--listen must be HOST:PORT");
  std::string host = o.listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  int port = 0;
  try {
    port = std::stoi(o.listen.substr(colon + 1));
  } catch (...) {
    return Status::BadRequest("invalid port in --listen " + o.listen);
  }
  beast::error_code ec;
  auto addr = net::ip::make_address(host.empty() ? "127.0.0.1" : host, ec);
  if (ec) return Status::BadRequest("--listen host must be an IP address: " + host);

  if (o.tls) {
    impl_->ssl_ctx = std::make_unique<ssl::context>(ssl::context::tls_server);
    impl_->ssl_ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                                ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                                ssl::context::no_tlsv1_1);
    impl_->ssl_ctx->use_certificate_chain_file(o.cert_path, ec);
    if (ec) return Status::Internal("loading " + o.cert_path + ": " + ec.message());
    impl_->ssl_ctx->use_private_key_file(o.key_path, ssl::context::pem, ec);
    if (ec) return Status::Internal("loading " + o.key_path + ": " + ec.message());
  }
  auto acc = std::make_unique<tcp::acceptor>(impl_->ioc);
  tcp::endpoint ep(addr, static_cast<unsigned short>(port));
  acc->open(ep.protocol(), ec);
  if (!ec) acc->set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acc->bind(ep, ec);
  if (!ec) acc->listen(1024, ec);
  if (ec) return Status::Unavailable("cannot listen on " + o.listen + ": " + ec.message());
  impl_->port = acc->local_endpoint().port();
  impl_->acceptor = std::move(acc);
  impl_->reaper = std::make_unique<Reaper>();
  impl_->accept_thread = std::thread([this] { impl_->AcceptLoop(); });
  return Status::OK();
}

int HttpServer::Port() const { return impl_->port; }

int HttpServer::ActiveConnections() const {
  std::lock_guard<std::mutex> l(impl_->mu);
  return static_cast<int>(impl_->conns.size());
}

void HttpServer::Stop() {
  if (!impl_ || !impl_->acceptor) return;
  if (impl_->stopping.exchange(true)) return;
  ::shutdown(impl_->acceptor->native_handle(), SHUT_RDWR);  // wakes accept()
  if (impl_->accept_thread.joinable()) impl_->accept_thread.join();
  {
    std::unique_lock<std::mutex> l(impl_->mu);
    for (auto& c : impl_->conns) ::shutdown(c.second, SHUT_RDWR);
    // Handlers finish their current store call and notice the closed socket;
    // the reaper must outlive every connection thread, so wait for all.
    impl_->cv.wait(l, [&] { return impl_->conns.empty(); });
  }
  beast::error_code ec;
  impl_->acceptor->close(ec);
  impl_->reaper.reset();
}

}  // namespace dw::apiserver
