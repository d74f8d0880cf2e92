#include <catch2/catch.hpp>

#include <chrono>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "reconcilers/pluginpolicy/fetcher.h"
#include "reconcilers/pluginpolicy/verify.h"
#include "tests/unit/pluginpolicy/scripted_server.h"

using dw::Code;
using dw::Status;
using dw::pluginpolicy::AddressClass;
using dw::pluginpolicy::ClassifyAddress;
using dw::pluginpolicy::Fetch;
using dw::pluginpolicy::FetchFailure;
using dw::pluginpolicy::FetchFailureName;
using dw::pluginpolicy::FetchPolicy;
using dw::pluginpolicy::FetchResult;
using dw::pluginpolicy::FetchToString;
using dw::pluginpolicy::FollowRedirect;
using dw::pluginpolicy::ParseUrl;
using dw::pluginpolicy::Resolver;
using dw::pluginpolicy::Sha256;
using dw::pluginpolicy::SystemResolver;
using dw::pluginpolicy::Url;
using dw::pluginpolicy::testing::ScriptedServer;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

// Answers from a script: per host, a sequence of answers (the last one
// repeats), and a count of lookups so tests can prove one lookup per hop.
class ScriptedResolver : public Resolver {
 public:
  std::map<std::string, std::vector<std::vector<std::string>>> answers;
  std::map<std::string, int> lookups;
  int total = 0;
  Status Resolve(const std::string& host, Clock::time_point, std::vector<std::string>* addrs) override {
    int n = lookups[host]++;
    ++total;
    auto it = answers.find(host);
    if (it == answers.end()) return Status::Unavailable("lookup of host \"" + host + "\" failed: no such host");
    *addrs = it->second[std::min<size_t>(n, it->second.size() - 1)];
    return Status::OK();
  }
};

// Only the unit tests' loopback server address passes as public; every
// other address keeps its real class, so refusals still use the real table.
AddressClass TestClassify(const std::string& ip) {
  return ip == "127.0.0.1" ? AddressClass::kPublic : ClassifyAddress(ip);
}

const std::string kBundle = "{\"manifest\":{\"name\":\"hello\"},\"wasm_base64\":\"AGFzbQ==\"}";

std::string Ok(const std::string& body) {
  return "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\nConnection: close\r\n\r\n" + body;
}

std::string Redirect(int code, const std::string& location) {
  return "HTTP/1.1 " + std::to_string(code) + " Moved\r\nLocation: " + location +
         "\r\nContent-Length: 5\r\nConnection: close\r\n\r\nmoved";
}

// Sleeps in small steps so a stopping server never waits a whole second.
bool Nap(std::chrono::milliseconds d, const std::atomic<bool>& stopping) {
  auto until = Clock::now() + d;
  while (Clock::now() < until) {
    if (stopping) return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

std::string Chunk(const std::string& data) {
  char len[16];
  snprintf(len, sizeof(len), "%zx\r\n", data.size());
  return len + data + "\r\n";
}

// The registry the tests talk to. Routes:
//   /bundle            200 kBundle
//   /redir?to=URL      302 to URL           /rel   302 to "bundle" (relative)
//   /loop              302 to /loop         /404   404
//   /trickle           200, Content-Length 100, then one byte a second
//   /trickle-head      the status line itself one byte a second
//   /big-cl            Content-Length 2000 (cap in tests: 1000)
//   /big-chunked       chunked 100-byte chunks, 5000 bytes
//   /exact-chunked     chunked, exactly 1000 bytes
void Route(int fd, const std::string& target, const std::atomic<bool>& stopping) {
  if (target == "/bundle") {
    ScriptedServer::Send(fd, Ok(kBundle));
  } else if (target.rfind("/redir?to=", 0) == 0) {
    ScriptedServer::Send(fd, Redirect(302, target.substr(10)));
  } else if (target == "/rel") {
    ScriptedServer::Send(fd, Redirect(301, "bundle"));
  } else if (target == "/loop") {
    ScriptedServer::Send(fd, Redirect(307, "/loop"));
  } else if (target == "/trickle") {
    if (!ScriptedServer::Send(fd, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n")) return;
    for (int i = 0; i < 100 && Nap(1000ms, stopping); ++i)
      if (!ScriptedServer::Send(fd, "x")) return;
  } else if (target == "/trickle-head") {
    for (char ch : std::string("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx"))
      if (!ScriptedServer::Send(fd, std::string(1, ch)) || !Nap(1000ms, stopping)) return;
  } else if (target == "/big-cl") {
    ScriptedServer::Send(fd, "HTTP/1.1 200 OK\r\nContent-Length: 2000\r\n\r\n" + std::string(2000, 'b'));
  } else if (target == "/big-chunked" || target == "/exact-chunked") {
    int chunks = target == "/big-chunked" ? 50 : 10;
    if (!ScriptedServer::Send(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")) return;
    for (int i = 0; i < chunks; ++i)
      if (!ScriptedServer::Send(fd, Chunk(std::string(100, 'c')))) return;
    ScriptedServer::Send(fd, "0\r\n\r\n");
  } else {
    ScriptedServer::Send(fd, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
  }
}

struct Registry {
  ScriptedServer server{Route};
  ScriptedResolver resolver;
  FetchPolicy policy;
  Registry() {
    resolver.answers["registry.test"] = {{"127.0.0.1"}};
    resolver.answers["mirror.registry.test"] = {{"127.0.0.1"}};
    resolver.answers["priv.registry.test"] = {{"10.0.0.5"}};
    policy.allowlist = {"registry.test", "*.registry.test"};
    policy.allow_http = true;  // the scripted server speaks plain HTTP
    policy.connect_timeout = 2000ms;
    policy.read_idle_timeout = 2000ms;
    policy.total_timeout = 5000ms;
    policy.max_bytes = 1000;
  }
  std::string Url(const std::string& host, const std::string& target) const {
    return "http://" + host + ":" + std::to_string(server.port()) + target;
  }
  Status Get(const std::string& url, FetchResult* r, std::string* body = nullptr) {
    std::string local;
    return FetchToString(url, policy, &resolver, body ? body : &local, r, TestClassify);
  }
};

}  // namespace

TEST_CASE("fetch: a named, allowlisted, public registry is fetched and hashed",
          "[pluginpolicy][fetch]") {
  Registry reg;
  FetchResult r;
  std::string body;
  std::string url = reg.Url("registry.test", "/bundle");
  auto st = reg.Get(url, &r, &body);
  INFO(st.message());
  REQUIRE(st.ok());
  CHECK(body == kBundle);
  CHECK(r.failure == FetchFailure::kNone);
  CHECK(r.final_url == url);
  CHECK(r.dialed_address == "127.0.0.1");
  CHECK(r.http_status == 200);
  CHECK(r.redirects == 0);
  CHECK(r.bytes == kBundle.size());
  Sha256 h;
  h.Update(kBundle);
  std::string raw = h.FinishRaw();
  CHECK(r.sha256_raw == raw);
  CHECK(r.sha256_hex == Sha256::Hex(raw));
  // The Host header is the URL's name although the name never went to DNS
  // (registry.test does not resolve on this machine): the checked address
  // was dialled directly.
  CHECK(reg.server.hosts() == std::vector<std::string>{"registry.test:" + std::to_string(reg.server.port())});
  CHECK(reg.resolver.total == 1);
}

TEST_CASE("fetch: URL-level refusals happen before any lookup", "[pluginpolicy][fetch]") {
  Registry reg;
  reg.policy.allow_http = false;
  struct Case {
    std::string url;
    FetchFailure want;
    Code code;
  };
  std::vector<Case> cases = {
      {"http://registry.test/x", FetchFailure::kSchemeNotAllowed, Code::kForbidden},
      {"ftp://registry.test/x", FetchFailure::kSchemeNotAllowed, Code::kForbidden},
      {"file://registry.test/etc/passwd", FetchFailure::kSchemeNotAllowed, Code::kForbidden},
      {"https://user:pw@registry.test/x", FetchFailure::kUserinfo, Code::kForbidden},
      {"https://user@registry.test/x", FetchFailure::kUserinfo, Code::kForbidden},
      {"https://localhost/x", FetchFailure::kLocalhost, Code::kForbidden},
      {"https://LOCALHOST./x", FetchFailure::kLocalhost, Code::kForbidden},
      {"https://a.localhost/x", FetchFailure::kLocalhost, Code::kForbidden},
      {"https://evil.test/x", FetchFailure::kNotAllowlisted, Code::kForbidden},
      {"https://registry.test.evil.com/x", FetchFailure::kNotAllowlisted, Code::kForbidden},
      {"https://xregistry.test/x", FetchFailure::kNotAllowlisted, Code::kForbidden},
      {"not a url", FetchFailure::kBadUrl, Code::kBadRequest},
      {"https://regis%74ry.test/x", FetchFailure::kBadUrl, Code::kBadRequest},
  };
  for (const char* ip : {"2130706433", "0177.0.0.1", "0x7f000001", "0x7f.1", "127.1", "10.1",
                         "[::1]", "[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "[fe80::1%25lo]", "[::]",
                         "0.0.0.0", "169.254.169.254", "8.8.8.8"})
    cases.push_back({std::string("https://") + ip + "/x", FetchFailure::kIpLiteral, Code::kForbidden});
  for (const auto& c : cases) {
    FetchResult r;
    auto st = reg.Get(c.url, &r);
    INFO(c.url << " -> " << st.message() << " [" << FetchFailureName(r.failure) << "]");
    CHECK(st.code() == c.code);
    CHECK(r.failure == c.want);
    CHECK(r.dialed_address.empty());
  }
  CHECK(reg.resolver.total == 0);
  CHECK(reg.server.requests() == 0);

  FetchResult r;
  CHECK(reg.Get("http://registry.test/x", &r).message() ==
        "fetch http://registry.test/x: URL scheme \"http\" is not allowed (https only): refused");
  CHECK(reg.Get("https://0177.0.0.1/x", &r).message() ==
        "fetch https://0177.0.0.1/x: registry host \"0177.0.0.1\" is an IP address literal "
        "(registries must be named): refused");
  CHECK(reg.Get("https://evil.test/x", &r).message() ==
        "fetch https://evil.test/x: registry host \"evil.test\" is not in the registry allowlist: refused");
  CHECK(reg.Get("https://a.localhost/x", &r).message() ==
        "fetch https://a.localhost/x: registry host \"a.localhost\" is localhost: refused");
}

TEST_CASE("fetch: a name resolving to any non-public address is refused",
          "[pluginpolicy][fetch]") {
  Registry reg;
  const std::vector<std::pair<std::string, std::string>> blocked = {
      {"127.0.0.1", "loopback"},       {"127.3.4.5", "loopback"},
      {"10.0.0.5", "private"},         {"172.16.1.1", "private"},
      {"192.168.0.10", "private"},     {"169.254.169.254", "link-local"},
      {"100.64.0.1", "carrier-grade NAT"}, {"0.0.0.0", "unspecified"},
      {"224.0.0.251", "multicast"},    {"255.255.255.255", "broadcast"},
      {"::1", "loopback"},             {"::", "unspecified"},
      {"fd00::1", "unique-local"},     {"fe80::1%lo", "link-local"},
      {"::ffff:127.0.0.1", "loopback"}, {"64:ff9b::7f00:1", "loopback"},
      {"2002:7f00:1::", "loopback"},   {"2001:db8::1", "documentation"},
      {"ff02::1", "multicast"},
  };
  for (const auto& [addr, cls] : blocked) {
    reg.resolver.answers["registry.test"] = {{addr}};
    FetchResult r;
    // The production classifier: nothing is relaxed for this check.
    std::string body;
    auto st = FetchToString("https://registry.test/b", reg.policy, &reg.resolver, &body, &r);
    INFO(addr << " -> " << st.message());
    CHECK(st.code() == Code::kForbidden);
    CHECK(r.failure == FetchFailure::kBlockedAddress);
    CHECK(st.message() == "fetch https://registry.test/b: registry host \"registry.test\" resolves to " +
                              addr + " (" + cls + "): refused");
  }
  // One bad address among good ones is enough.
  reg.resolver.answers["registry.test"] = {{"93.184.216.34", "2606:4700::1111", "10.0.0.5"}};
  FetchResult r;
  std::string body;
  auto st = FetchToString("https://registry.test/b", reg.policy, &reg.resolver, &body, &r);
  CHECK(r.failure == FetchFailure::kBlockedAddress);
  CHECK(st.message() == "fetch https://registry.test/b: registry host \"registry.test\" resolves to "
                        "10.0.0.5 (private): refused");
  CHECK(reg.server.requests() == 0);

  // A name that does not resolve is its own reason.
  st = FetchToString("https://nx.registry.test/b", reg.policy, &reg.resolver, &body, &r);
  CHECK(st.code() == Code::kUnavailable);
  CHECK(r.failure == FetchFailure::kResolveFailed);
  CHECK(st.message() == "fetch https://nx.registry.test/b: registry host \"nx.registry.test\": "
                        "lookup of host \"nx.registry.test\" failed: no such host");
}

TEST_CASE("fetch: DNS rebinding cannot move the connection", "[pluginpolicy][fetch]") {
  Registry reg;
  // First answer passes the check; every later lookup would say 10.0.0.5.
  reg.resolver.answers["registry.test"] = {{"127.0.0.1"}, {"10.0.0.5"}};
  FetchResult r;
  std::string body;
  REQUIRE(reg.Get(reg.Url("registry.test", "/bundle"), &r, &body).ok());
  CHECK(body == kBundle);
  CHECK(reg.resolver.lookups["registry.test"] == 1);
  CHECK(r.dialed_address == "127.0.0.1");
  CHECK(reg.server.requests() == 1);

  // Across a redirect the name is looked up again (one lookup per hop), and
  // the rebound answer is refused rather than dialled.
  reg.resolver.lookups.clear();
  auto st = reg.Get(reg.Url("registry.test", "/redir?to=" + reg.Url("registry.test", "/bundle")), &r);
  CHECK(st.code() == Code::kForbidden);
  CHECK(r.failure == FetchFailure::kBlockedAddress);
  CHECK(reg.resolver.lookups["registry.test"] == 2);
  CHECK(reg.server.requests() == 2);  // the first hop only; nothing reached 10.0.0.5
  CHECK(r.dialed_address.empty());
}

TEST_CASE("fetch: redirects are re-checked, counted and never downgrade", "[pluginpolicy][fetch]") {
  Registry reg;
  FetchResult r;
  std::string body;
  std::string port = std::to_string(reg.server.port());

  SECTION("relative Location") {
    REQUIRE(reg.Get(reg.Url("registry.test", "/rel"), &r, &body).ok());
    CHECK(body == kBundle);
    CHECK(r.redirects == 1);
    CHECK(r.final_url == reg.Url("registry.test", "/bundle"));
  }
  SECTION("to another allowlisted host, resolved and dialled anew") {
    REQUIRE(reg.Get(reg.Url("registry.test", "/redir?to=" + reg.Url("mirror.registry.test", "/bundle")),
                    &r, &body)
                .ok());
    CHECK(body == kBundle);
    CHECK(reg.resolver.lookups["mirror.registry.test"] == 1);
    CHECK(reg.server.hosts().back() == "mirror.registry.test:" + port);
  }
  SECTION("to a name resolving to a private address") {
    std::string to = reg.Url("priv.registry.test", "/bundle");
    auto st = reg.Get(reg.Url("registry.test", "/redir?to=" + to), &r);
    CHECK(r.failure == FetchFailure::kBlockedAddress);
    CHECK(st.message() == "fetch " + to + " (redirect 1): registry host \"priv.registry.test\" "
                          "resolves to 10.0.0.5 (private): refused");
    CHECK(reg.server.requests() == 1);
  }
  SECTION("to an IP literal, localhost, or a host off the allowlist") {
    auto st = reg.Get(reg.Url("registry.test", "/redir?to=http://127.0.0.1:" + port + "/bundle"), &r);
    CHECK(r.failure == FetchFailure::kIpLiteral);
    st = reg.Get(reg.Url("registry.test", "/redir?to=http://localhost:" + port + "/bundle"), &r);
    CHECK(r.failure == FetchFailure::kLocalhost);
    st = reg.Get(reg.Url("registry.test", "/redir?to=http://evil.test:" + port + "/bundle"), &r);
    CHECK(r.failure == FetchFailure::kNotAllowlisted);
    CHECK(st.code() == Code::kForbidden);
    CHECK(reg.server.requests() == 3);
  }
  SECTION("more than max_redirects") {
    auto st = reg.Get(reg.Url("registry.test", "/loop"), &r);
    CHECK(st.code() == Code::kForbidden);
    CHECK(r.failure == FetchFailure::kTooManyRedirects);
    CHECK(r.redirects == 3);
    CHECK(reg.server.requests() == 4);
    CHECK(st.message() == "fetch " + reg.Url("registry.test", "/loop") +
                              " (redirect 3): more than 3 redirects: refused");
    reg.policy.max_redirects = 0;
    st = reg.Get(reg.Url("registry.test", "/rel"), &r);
    CHECK(r.failure == FetchFailure::kTooManyRedirects);
  }
}

TEST_CASE("FollowRedirect: the per-hop redirect decision", "[pluginpolicy][fetch]") {
  FetchPolicy policy;
  Url from, next;
  REQUIRE(ParseUrl("https://registry.test/a/b", &from).ok());
  FetchFailure f;
  REQUIRE(FollowRedirect(from, 302, "c", 0, policy, &next, &f).ok());
  CHECK(next.ToString() == "https://registry.test/a/c");
  CHECK(f == FetchFailure::kNone);
  for (int code : {301, 303, 307, 308}) CHECK(FollowRedirect(from, code, "/x", 2, policy, &next, &f).ok());

  auto st = FollowRedirect(from, 302, "http://registry.test/a/b", 0, policy, &next, &f);
  CHECK(st.code() == Code::kForbidden);
  CHECK(f == FetchFailure::kDowngrade);
  CHECK(st.message() == "redirect to http://registry.test/a/b downgrades https to http: refused");
  policy.allow_http = true;  // allowing http never allows a downgrade
  CHECK(FollowRedirect(from, 302, "http://registry.test/", 0, policy, &next, &f).code() == Code::kForbidden);
  CHECK(f == FetchFailure::kDowngrade);

  CHECK(FollowRedirect(from, 302, "/x", 3, policy, &next, &f).code() == Code::kForbidden);
  CHECK(f == FetchFailure::kTooManyRedirects);
  CHECK(FollowRedirect(from, 302, "", 0, policy, &next, &f).code() == Code::kBadRequest);
  CHECK(f == FetchFailure::kBadUrl);
  st = FollowRedirect(from, 404, "", 0, policy, &next, &f);
  CHECK(st.code() == Code::kUnavailable);
  CHECK(st.message() == "HTTP 404");
  CHECK(f == FetchFailure::kHttpStatus);
  CHECK(FollowRedirect(from, 304, "/x", 0, policy, &next, &f).code() == Code::kUnavailable);
}

TEST_CASE("fetch: a trickling server is cut off by the idle and total timeouts",
          "[pluginpolicy][fetch][slow]") {
  Registry reg;
  FetchResult r;

  SECTION("idle: no byte for read_idle_timeout, body or head") {
    reg.policy.read_idle_timeout = 400ms;
    for (const char* route : {"/trickle", "/trickle-head"}) {
      auto t0 = Clock::now();
      auto st = reg.Get(reg.Url("registry.test", route), &r);
      auto took = Clock::now() - t0;
      INFO(route << ": " << st.message());
      CHECK(st.code() == Code::kTimeout);
      CHECK(r.failure == FetchFailure::kTimeout);
      CHECK(st.message().find("read idle timeout") != std::string::npos);
      CHECK(took >= 350ms);
      CHECK(took < 1500ms);
    }
  }
  // The idle bound leaves 1.5 s of slack over the trickle's 1 s gaps, so a
  // loaded CI machine delaying a byte does not turn this into an idle timeout.
  SECTION("total: one byte a second keeps a 2.5 s idle bound happy, not the deadline") {
    reg.policy.read_idle_timeout = 2500ms;
    reg.policy.total_timeout = 4000ms;
    auto t0 = Clock::now();
    auto st = reg.Get(reg.Url("registry.test", "/trickle"), &r);
    auto took = Clock::now() - t0;
    INFO(st.message());
    CHECK(st.code() == Code::kTimeout);
    CHECK(r.failure == FetchFailure::kTimeout);
    CHECK(st.message().find("total fetch timeout of 4000 ms exceeded") != std::string::npos);
    CHECK(r.bytes >= 1);  // bytes did arrive: it was the deadline, not idleness
    CHECK(took >= 3900ms);
    CHECK(took < 6500ms);
  }
}

TEST_CASE("fetch: the byte cap holds up front and while streaming", "[pluginpolicy][fetch]") {
  Registry reg;
  FetchResult r;
  size_t delivered = 0;
  auto count = [&](std::string_view d) {
    delivered += d.size();
    return true;
  };

  auto st = Fetch(reg.Url("registry.test", "/big-cl"), reg.policy, &reg.resolver, count, &r, TestClassify);
  CHECK(st.code() == Code::kTooLarge);
  CHECK(r.failure == FetchFailure::kTooLarge);
  CHECK(delivered == 0);  // refused on Content-Length, before any body byte

  st = Fetch(reg.Url("registry.test", "/big-chunked"), reg.policy, &reg.resolver, count, &r, TestClassify);
  CHECK(st.code() == Code::kTooLarge);
  CHECK(r.failure == FetchFailure::kTooLarge);
  CHECK(delivered <= 1000);
  CHECK(r.bytes == delivered);

  delivered = 0;
  st = Fetch(reg.Url("registry.test", "/exact-chunked"), reg.policy, &reg.resolver, count, &r, TestClassify);
  INFO(st.message());
  REQUIRE(st.ok());
  CHECK(delivered == 1000);
  CHECK(r.sha256_hex.size() == 64);
}

TEST_CASE("fetch: HTTP errors, a refused connection and a consumer abort", "[pluginpolicy][fetch]") {
  Registry reg;
  FetchResult r;
  auto st = reg.Get(reg.Url("registry.test", "/missing"), &r);
  CHECK(st.code() == Code::kUnavailable);
  CHECK(r.failure == FetchFailure::kHttpStatus);
  CHECK(r.http_status == 404);
  CHECK(st.message() == "fetch " + reg.Url("registry.test", "/missing") + ": HTTP 404");

  st = Fetch(reg.Url("registry.test", "/bundle"), reg.policy, &reg.resolver,
             [](std::string_view) { return false; }, &r, TestClassify);
  CHECK(st.code() == Code::kBadRequest);
  CHECK(r.failure == FetchFailure::kAborted);
  CHECK(r.sha256_hex.empty());

  int port;
  { ScriptedServer gone(Route); port = gone.port(); }
  st = reg.Get("http://registry.test:" + std::to_string(port) + "/bundle", &r);
  CHECK(st.code() == Code::kUnavailable);
  CHECK(r.failure == FetchFailure::kTransport);
  CHECK(st.message().find("connection refused") != std::string::npos);
  CHECK(st.message().find("(127.0.0.1)") != std::string::npos);  // names the dialled address
}

TEST_CASE("SystemResolver returns every address, numerically", "[pluginpolicy][fetch]") {
  SystemResolver sys;
  std::vector<std::string> addrs;
  REQUIRE(sys.Resolve("localhost", Clock::now() + 3s, &addrs).ok());
  REQUIRE(!addrs.empty());
  for (const auto& a : addrs) {
    INFO(a);
    CHECK(ClassifyAddress(a) == AddressClass::kLoopback);
  }
  std::vector<std::string> none;
  auto st = sys.Resolve("no-such-host.invalid", Clock::now() + 3s, &none);
  CHECK(!st.ok());
  CHECK(none.empty());
  CHECK(st.message().find("no-such-host.invalid") != std::string::npos);
}
