// TLS material and an HTTPS server for the GitOps tests, all real: openssl
// makes two CAs and a server certificate for 127.0.0.1 / localhost signed
// by the first; python3's http.server behind ssl serves a directory (a bare
// repository after `git update-server-info` is fetchable over git's "dumb"
// HTTP protocol). The server runs until the fixture is destroyed.
#pragma once

#include <stdlib.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "reconcilers/gitops/process.h"

namespace dw::gitops::testing {

inline std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class TlsFixture {
 public:
  explicit TlsFixture(const std::string& dir) : dir_(dir) {
    std::filesystem::create_directories(dir_);
    Run({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", dir_ + "/ca.key", "-out",
         ca_file(), "-days", "2", "-subj", "/CN=dockward test CA"});
    Run({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", dir_ + "/other.key", "-out",
         dir_ + "/other.crt", "-days", "2", "-subj", "/CN=another test CA"});
    Run({"openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", dir_ + "/srv.key", "-out",
         dir_ + "/srv.csr", "-subj", "/CN=127.0.0.1"});
    std::ofstream(dir_ + "/ext.cnf") << "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
                                        "basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n";
    Run({"openssl", "x509", "-req", "-in", dir_ + "/srv.csr", "-CA", ca_file(), "-CAkey", dir_ + "/ca.key",
         "-CAcreateserial", "-out", dir_ + "/srv.crt", "-days", "2", "-extfile", dir_ + "/ext.cnf"});
  }
  ~TlsFixture() { Stop(); }

  std::string ca_file() const { return dir_ + "/ca.crt"; }
  std::string ca_pem() const { return ReadText(ca_file()); }
  std::string other_ca_pem() const { return ReadText(dir_ + "/other.crt"); }
  std::string server_key_pem() const { return ReadText(dir_ + "/srv.key"); }

  // Serves `root` over HTTPS on a free loopback port; returns the port.
  int Serve(const std::string& root) {
    const std::string port_file = dir_ + "/port";
    std::string script =
        "import functools, ssl, sys\n"
        "from http.server import ThreadingHTTPServer, SimpleHTTPRequestHandler\n"
        "class H(SimpleHTTPRequestHandler):\n"
        "    def log_message(self, *a): pass\n"
        "h = functools.partial(H, directory=sys.argv[1])\n"
        "s = ThreadingHTTPServer(('127.0.0.1', 0), h)\n"
        "ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)\n"
        "ctx.load_cert_chain(sys.argv[2], sys.argv[3])\n"
        "s.socket = ctx.wrap_socket(s.socket, server_side=True)\n"
        "open(sys.argv[4] + '.tmp', 'w').write(str(s.server_address[1]))\n"
        "import os; os.rename(sys.argv[4] + '.tmp', sys.argv[4])\n"
        "s.serve_forever()\n";
    std::vector<std::string> argv{"python3", "-c", script, root, dir_ + "/srv.crt", dir_ + "/srv.key", port_file};
    server_ = std::thread([this, argv] {
      ProcessOptions po;
      po.env = {std::string("PATH=") + ::getenv("PATH")};
      po.timeout = std::chrono::minutes(5);
      po.cancel = &stop_;
      ProcessResult res;
      RunProcess(argv, po, &res);
    });
    for (int i = 0; i < 100 && !std::filesystem::exists(port_file); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    REQUIRE(std::filesystem::exists(port_file));
    return std::stoi(ReadText(port_file));
  }
  void Stop() {
    stop_.store(true);
    if (server_.joinable()) server_.join();
  }

 private:
  void Run(const std::vector<std::string>& argv) {
    ProcessOptions po;
    po.env = {std::string("PATH=") + ::getenv("PATH"), "HOME=" + dir_};
    ProcessResult res;
    Status st = RunProcess(argv, po, &res);
    INFO(res.err);
    REQUIRE(st.ok());
    REQUIRE(res.exit_code == 0);
  }

  std::string dir_;
  std::atomic<bool> stop_{false};
  std::thread server_;
};

}  // namespace dw::gitops::testing
