#include "tests/unit/http/test_server.h"

#include <utility>

#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace dw::http::testing {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using local = net::local::stream_protocol;

struct TestServer::Impl {
  net::io_context ioc;
  net::ssl::context ssl_ctx{net::ssl::context::tls_server};
  std::unique_ptr<tcp::acceptor> tcp_acceptor;
  std::unique_ptr<local::acceptor> unix_acceptor;
};

namespace {

// Serves requests on one connection until the peer closes or a route ends it.
template <class Stream>
void Serve(Stream& s, std::atomic<int>& requests, std::atomic<bool>& stop) {
  beast::flat_buffer buf;
  for (;;) {
    bhttp::request<bhttp::string_body> req;
    beast::error_code ec;
    bhttp::read(s, buf, req, ec);
    if (ec) return;
    ++requests;
    std::string target(req.target());
    if (target == "/hang") {
      while (!stop.load()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
      return;
    }
    if (target == "/chunked") {
      bhttp::response<bhttp::empty_body> res{bhttp::status::ok, 11};
      res.chunked(true);
      bhttp::response_serializer<bhttp::empty_body> sr{res};
      bhttp::write_header(s, sr, ec);
      for (const char* part : {"one", "two", "three"}) {
        net::write(s, bhttp::make_chunk(net::buffer(std::string(part))), ec);
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      net::write(s, bhttp::make_chunk_last(), ec);
      continue;
    }
    bhttp::response<bhttp::string_body> res{bhttp::status::ok, 11};
    res.set("X-Test", "yes");
    if (target == "/big") res.body() = std::string(65536, 'x');
    else if (target == "/stale") res.body() = "ok";
    else if (target == "/echo" || target.rfind("/echo?", 0) == 0)
      res.body() = std::string(req.method_string()) + " " + target + " " + req.body() + " " +
                   std::string(req[bhttp::field::host]) + " " +
                   std::string(req[bhttp::field::authorization]);
    else res.result(bhttp::status::not_found);
    res.keep_alive(true);
    res.prepare_payload();
    bhttp::write(s, res, ec);
    if (ec || target == "/stale") return;
  }
}

}  // namespace

TestServer::TestServer(Mode mode, std::string cert_file, std::string key_file,
                       std::string unix_path)
    : mode_(mode), unix_path_(std::move(unix_path)), impl_(std::make_unique<Impl>()) {
  if (mode_ == Mode::kUnix) {
    ::unlink(unix_path_.c_str());
    impl_->unix_acceptor = std::make_unique<local::acceptor>(impl_->ioc, local::endpoint(unix_path_));
  } else {
    impl_->tcp_acceptor = std::make_unique<tcp::acceptor>(
        impl_->ioc, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
    port_ = impl_->tcp_acceptor->local_endpoint().port();
  }
  if (mode_ == Mode::kTls) {
    impl_->ssl_ctx.use_certificate_chain_file(cert_file);
    impl_->ssl_ctx.use_private_key_file(key_file, net::ssl::context::pem);
  }
  thread_ = std::thread([this] { Loop(); });
}

TestServer::~TestServer() {
  stop_ = true;
  // Wake the blocking accept with a throwaway connection.
  beast::error_code ec;
  net::io_context ioc;
  if (mode_ == Mode::kUnix) {
    local::socket s(ioc);
    s.connect(local::endpoint(unix_path_), ec);
  } else {
    tcp::socket s(ioc);
    s.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port_), ec);
  }
  thread_.join();
  if (mode_ == Mode::kUnix) ::unlink(unix_path_.c_str());
}

void TestServer::Loop() {
  while (!stop_.load()) {
    beast::error_code ec;
    if (mode_ == Mode::kUnix) {
      local::socket s(impl_->ioc);
      impl_->unix_acceptor->accept(s, ec);
      if (ec || stop_.load()) return;
      ++connections_;
      Serve(s, requests_, stop_);
      continue;
    }
    tcp::socket s(impl_->ioc);
    impl_->tcp_acceptor->accept(s, ec);
    if (ec || stop_.load()) return;
    ++connections_;
    if (mode_ == Mode::kTcp) {
      Serve(s, requests_, stop_);
    } else {
      net::ssl::stream<tcp::socket&> tls(s, impl_->ssl_ctx);
      tls.handshake(net::ssl::stream_base::server, ec);
      if (!ec) Serve(tls, requests_, stop_);
    }
  }
}

int RunCommand(const std::vector<std::string>& argv) {
  pid_t pid = fork();
  if (pid == 0) {
    int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, 1);
    dup2(devnull, 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string MakeTempDir() {
  char tmpl[] = "/tmp/dwtest.XXXXXX";
  return mkdtemp(tmpl);
}

}  // namespace dw::http::testing
