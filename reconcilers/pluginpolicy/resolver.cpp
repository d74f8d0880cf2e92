// SystemResolver: getaddrinfo on a detached thread, bounded by a deadline.
#include "reconcilers/pluginpolicy/resolver.h"

#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

namespace dw::pluginpolicy {

namespace {

// Shared with the lookup thread, which may outlive the caller on timeout.
struct Lookup {
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  int rc = 0;
  std::vector<std::string> addrs;
};

void RunLookup(const std::shared_ptr<Lookup>& lookup, const std::string& host) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  int rc = getaddrinfo(host.c_str(), nullptr, &hints, &res);
  std::vector<std::string> addrs;
  for (addrinfo* ai = res; rc == 0 && ai; ai = ai->ai_next) {
    char text[NI_MAXHOST];
    if (getnameinfo(ai->ai_addr, ai->ai_addrlen, text, sizeof(text), nullptr, 0,
                    NI_NUMERICHOST) != 0)
      continue;
    if (std::find(addrs.begin(), addrs.end(), text) == addrs.end()) addrs.emplace_back(text);
  }
  if (res) freeaddrinfo(res);
  std::lock_guard<std::mutex> lock(lookup->mu);
  lookup->rc = rc;
  lookup->addrs = std::move(addrs);
  lookup->done = true;
  lookup->cv.notify_all();
}

}  // namespace

Status SystemResolver::Resolve(const std::string& host,
                               std::chrono::steady_clock::time_point deadline,
                               std::vector<std::string>* addrs) {
  auto lookup = std::make_shared<Lookup>();
  std::thread([lookup, host] { RunLookup(lookup, host); }).detach();
  std::unique_lock<std::mutex> lock(lookup->mu);
  if (!lookup->cv.wait_until(lock, deadline, [&] { return lookup->done; }))
    return Status::Timeout("lookup of host \"" + host + "\" timed out");
  if (lookup->rc != 0)
    return Status::Unavailable("lookup of host \"" + host + "\" failed: " + gai_strerror(lookup->rc));
  if (lookup->addrs.empty())
    return Status::Unavailable("lookup of host \"" + host + "\" returned no address");
  *addrs = std::move(lookup->addrs);
  return Status::OK();
}

}  // namespace dw::pluginpolicy
