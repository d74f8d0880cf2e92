// A loopback HTTP server for fetcher tests whose answers are written by the
// test as raw bytes, so it can misbehave on purpose: trickle one byte a
// second, lie about Content-Length, stream an endless chunked body, redirect.
// One thread per connection; the destructor stops and joins them all.
#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace dw::pluginpolicy::testing {

class ScriptedServer {
 public:
  // Writes the whole response for one request; `stopping` turns true when
  // the server shuts down so a slow handler can end early.
  using Handler = std::function<void(int fd, const std::string& target,
                                     const std::atomic<bool>& stopping)>;
  explicit ScriptedServer(Handler handler);
  ~ScriptedServer();
  ScriptedServer(const ScriptedServer&) = delete;
  ScriptedServer& operator=(const ScriptedServer&) = delete;

  int port() const { return port_; }
  int requests() const { return requests_.load(); }
  // Host header of every request, in order.
  std::vector<std::string> hosts() const;

  // Sends all of `data` (false once the peer is gone; never raises SIGPIPE).
  static bool Send(int fd, const std::string& data);

 private:
  void AcceptLoop();
  void ServeOne(int fd);

  Handler handler_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> requests_{0};
  mutable std::mutex mu_;
  std::vector<std::string> hosts_;
  std::vector<std::thread> workers_;
  std::thread acceptor_;
};

}  // namespace dw::pluginpolicy::testing
