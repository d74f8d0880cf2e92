// A small blocking HTTP/1.1 server for client tests: plain TCP, TLS or unix
// socket, one connection at a time on its own thread. Routes:
//   /echo    -> 200 "METHOD TARGET BODY" (keep-alive)
//   /chunked -> 200, chunked body "one" "two" "three", 50 ms apart
//   /hang    -> never answers (until the server stops)
//   /stale   -> 200 "ok" advertised keep-alive, then the socket is closed
//   /big     -> 200 with a 64 KiB body
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace dw::http::testing {

class TestServer {
 public:
  enum class Mode { kTcp, kTls, kUnix };
  // kTls needs cert/key PEM file paths; kUnix needs a socket path.
  TestServer(Mode mode, std::string cert_file = "", std::string key_file = "",
             std::string unix_path = "");
  ~TestServer();

  int port() const { return port_; }
  int connections() const { return connections_.load(); }
  int requests() const { return requests_.load(); }

 private:
  struct Impl;
  void Loop();
  Mode mode_;
  int port_ = 0;
  std::string unix_path_;
  std::atomic<int> connections_{0}, requests_{0};
  std::atomic<bool> stop_{false};
  std::unique_ptr<Impl> impl_;
  std::thread thread_;
};

// Runs argv (no shell) and returns its exit status; output discarded.
int RunCommand(const std::vector<std::string>& argv);
std::string ReadFile(const std::string& path);
std::string MakeTempDir();

}  // namespace dw::http::testing
