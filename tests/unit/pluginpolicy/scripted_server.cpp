#include "tests/unit/pluginpolicy/scripted_server.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <stdexcept>

namespace dw::pluginpolicy::testing {

ScriptedServer::ScriptedServer(Handler handler) : handler_(std::move(handler)) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::listen(listen_fd_, 16) != 0)
    throw std::runtime_error("scripted server: cannot listen");
  socklen_t len = sizeof(addr);
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

ScriptedServer::~ScriptedServer() {
  stopping_ = true;
  ::shutdown(listen_fd_, SHUT_RDWR);  // wakes the blocking accept
  acceptor_.join();
  ::close(listen_fd_);
  for (auto& w : workers_) w.join();
}

std::vector<std::string> ScriptedServer::hosts() const {
  std::lock_guard<std::mutex> lock(mu_);
  return hosts_;
}

bool ScriptedServer::Send(int fd, const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

void ScriptedServer::AcceptLoop() {
  while (!stopping_) {
    int fd = ::accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) return;
    workers_.emplace_back([this, fd] { ServeOne(fd); });
  }
}

// Reads one request head, hands it to the handler, closes the connection.
void ScriptedServer::ServeOne(int fd) {
  std::string head;
  char buf[4096];
  while (head.find("\r\n\r\n") == std::string::npos && head.size() < 65536) {
    ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) break;
    head.append(buf, static_cast<size_t>(n));
  }
  auto sp1 = head.find(' ');
  auto sp2 = head.find(' ', sp1 + 1);
  if (sp1 != std::string::npos && sp2 != std::string::npos) {
    std::string target = head.substr(sp1 + 1, sp2 - sp1 - 1);
    std::string lower = head;
    for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    auto h = lower.find("\r\nhost:");
    std::string host;
    if (h != std::string::npos) {
      auto start = head.find_first_not_of(' ', h + 7);
      host = head.substr(start, head.find("\r\n", start) - start);
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      hosts_.push_back(host);
    }
    ++requests_;
    handler_(fd, target, stopping_);
  }
  ::close(fd);
}

}  // namespace dw::pluginpolicy::testing
