// Name resolution for the SSRF-safe fetcher. The fetcher resolves each host
// exactly once per hop through this interface, vets every address, and then
// dials one of those very addresses, so what was checked is what is used.
// Tests inject a scripted Resolver; production uses SystemResolver.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "operator/common/status.h"

namespace dw::pluginpolicy {

class Resolver {
 public:
  virtual ~Resolver() = default;
  // All addresses of `host` as numeric text ("93.184.216.34", "2001:db8::1",
  // "fe80::1%eth0"), by `deadline`. Timeout when the deadline passes,
  // Unavailable when the name does not resolve; never an empty OK list.
  virtual Status Resolve(const std::string& host, std::chrono::steady_clock::time_point deadline,
                         std::vector<std::string>* addrs) = 0;
};

// getaddrinfo(AF_UNSPEC, SOCK_STREAM), so both IPv4 and IPv6 answers are seen
// and checked. getaddrinfo cannot be cancelled: it runs on its own detached
// thread and a lookup past the deadline is abandoned, not waited for.
class SystemResolver : public Resolver {
 public:
  Status Resolve(const std::string& host, std::chrono::steady_clock::time_point deadline,
                 std::vector<std::string>* addrs) override;
};

}  // namespace dw::pluginpolicy
