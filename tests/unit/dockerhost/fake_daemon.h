// A minimal stand-in for dockerd on a unix socket: answers GET /_ping (with
// an Api-Version header) and GET /v<x>/version, each connection on its own
// thread with keep-alive, and 404 for anything else (so /events fails). Enough for the DockerHost probe;
// tests that need more use the real daemon (tests/integration/dockerhost.sh).
#pragma once

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace dw::dockerhost::testing {

class FakeDaemon {
 public:
  FakeDaemon(std::string path, std::string version = "24.0.7", std::string api = "1.43")
      : path_(std::move(path)), version_(std::move(version)), api_(std::move(api)) {}
  ~FakeDaemon() { Stop(); }

  bool Start() {
    ::unlink(path_.c_str());
    fd_ = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path_.c_str(), sizeof(addr.sun_path) - 1);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 || ::listen(fd_, 8) != 0)
      return false;
    stop_ = false;
    thread_ = std::thread([this] { Loop(); });
    return true;
  }
  void Stop() {
    if (fd_ < 0) return;
    stop_ = true;
    thread_.join();
    for (auto& t : conns_) t.join();
    conns_.clear();
    ::close(fd_);
    fd_ = -1;
    ::unlink(path_.c_str());
  }
  int requests() const { return requests_; }

 private:
  // Waits for `fd` to be readable, checking stop_ every 20 ms.
  bool WaitReadable(int fd) {
    while (!stop_) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 20) > 0) return true;
    }
    return false;
  }
  void Loop() {
    while (WaitReadable(fd_)) {
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) continue;
      conns_.emplace_back([this, c] {
        Serve(c);
        ::close(c);
      });
    }
  }
  void Serve(int c) {
    std::string buf;
    char chunk[4096];
    while (WaitReadable(c)) {
      ssize_t n = ::read(c, chunk, sizeof(chunk));
      if (n <= 0) return;
      buf.append(chunk, static_cast<size_t>(n));
      size_t end;
      while ((end = buf.find("\r\n\r\n")) != std::string::npos) {
        std::string head = buf.substr(0, end);
        buf.erase(0, end + 4);
        Respond(c, head.substr(0, head.find("\r\n")));
      }
    }
  }
  void Respond(int c, const std::string& request_line) {
    ++requests_;
    std::string status = "200 OK", type = "text/plain", body;
    if (request_line.find(" /_ping ") != std::string::npos) {
      body = "OK";
    } else if (request_line.find("/version ") != std::string::npos) {
      type = "application/json";
      body = "{\"Version\":\"" + version_ + "\",\"ApiVersion\":\"" + api_ +
             "\",\"MinAPIVersion\":\"1.12\",\"Os\":\"linux\",\"Arch\":\"amd64\"}";
    } else {
      status = "404 Not Found";
      type = "application/json";
      body = "{\"message\":\"page not found\"}";
    }
    std::string resp = "HTTP/1.1 " + status + "\r\nApi-Version: " + api_ + "\r\nContent-Type: " + type +
                       "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    (void)!::write(c, resp.data(), resp.size());
  }

  std::string path_, version_, api_;
  int fd_ = -1;
  std::atomic<bool> stop_{false};
  std::atomic<int> requests_{0};
  std::thread thread_;
  std::vector<std::thread> conns_;  // accept thread only, joined by Stop()
};

}  // namespace dw::dockerhost::testing
