#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "reconcilers/pluginpolicy/url.h"

using dw::Code;
using dw::pluginpolicy::HostAllowed;
using dw::pluginpolicy::IsIpLiteral;
using dw::pluginpolicy::IsLocalhostName;
using dw::pluginpolicy::ParseUrl;
using dw::pluginpolicy::ResolveReference;
using dw::pluginpolicy::Url;

namespace {

Url Parsed(const std::string& text) {
  Url u;
  auto st = ParseUrl(text, &u);
  INFO(text << ": " << st.message());
  REQUIRE(st.ok());
  return u;
}

}  // namespace

TEST_CASE("ParseUrl splits scheme, host, port and target", "[pluginpolicy][url]") {
  Url u = Parsed("HTTPS://Plugins.Example.ORG./pkg/a.wasm?v=1#frag");
  CHECK(u.scheme == "https");
  CHECK(u.host == "plugins.example.org");
  CHECK(u.port == 443);
  CHECK(u.target == "/pkg/a.wasm?v=1");
  CHECK(u.userinfo.empty());
  CHECK(u.ToString() == "https://plugins.example.org/pkg/a.wasm?v=1");
  CHECK(u.Origin() == "https://plugins.example.org:443");

  u = Parsed("http://r.example:8080");
  CHECK(u.port == 8080);
  CHECK(u.target == "/");
  CHECK(u.ToString() == "http://r.example:8080/");

  u = Parsed("https://r.example?x=1");
  CHECK(u.target == "/?x=1");

  u = Parsed("https://user:pw@r.example/x");
  CHECK(u.userinfo == "user:pw");
  CHECK(u.host == "r.example");

  u = Parsed("https://[::1]:8443/x");
  CHECK(u.bracketed);
  CHECK(u.host == "::1");
  CHECK(u.port == 8443);
  CHECK(u.Origin() == "https://[::1]:8443");
}

TEST_CASE("ParseUrl refuses what it cannot represent unambiguously", "[pluginpolicy][url]") {
  for (const char* bad :
       {"", "plugins.example.org/x", "https:/x", "https://", "https://:443/", "https://a..b/",
        "https://.a/", "https://a b/", "https://a\\b/", "https://%6c%6f%63alhost/",
        "https://r.example:0/", "https://r.example:65536/", "https://r.example:8o/",
        "https://[::1/", "https://[::1]x/", "https://r\xc3\xa9.example/", "https://r.example/\x01",
        "https://localhost../"}) {
    Url u;
    auto st = ParseUrl(bad, &u);
    INFO(bad);
    CHECK(st.code() == Code::kBadRequest);
  }
  Url u;
  std::string longer = "https://r.example/" + std::string(2048, 'a');
  auto st = ParseUrl(longer, &u);
  CHECK(st.code() == Code::kBadRequest);
  CHECK(st.message() == "URL longer than 2048 bytes");
  CHECK(ParseUrl("https://r.example/" + std::string(2048 - 18, 'a'), &u).ok());
}

TEST_CASE("IP literals in every spelling are recognised", "[pluginpolicy][url]") {
  for (const char* url :
       {"https://2130706433/", "https://0177.0.0.1/", "https://0x7f000001/", "https://0x7f.1/",
        "https://127.1/", "https://10.1/", "https://127.0.0.1/", "https://0/",
        "https://0x7F.0.0.1/", "https://017700000001/", "https://1.2.3.4.5/", "https://999/",
        "https://a.0x10/", "https://[::1]/", "https://[::ffff:127.0.0.1]/",
        "https://[::ffff:7f00:1]/", "https://[fe80::1%25lo]/", "https://[::]/",
        "https://0.0.0.0/", "https://[2606:4700::1111]/"}) {
    INFO(url);
    CHECK(IsIpLiteral(Parsed(url)));
  }
  for (const char* url : {"https://r.example/", "https://0x7f.example/", "https://1.2.3.example/",
                          "https://cafe.beef/", "https://a1/", "https://123.example.com/",
                          "https://0xg/"}) {
    INFO(url);
    CHECK(!IsIpLiteral(Parsed(url)));
  }
}

TEST_CASE("localhost names", "[pluginpolicy][url]") {
  CHECK(IsLocalhostName(Parsed("https://LOCALHOST./").host));
  CHECK(IsLocalhostName(Parsed("https://localhost/").host));
  CHECK(IsLocalhostName(Parsed("https://a.localhost/").host));
  CHECK(IsLocalhostName(Parsed("https://A.B.LocalHost/").host));
  CHECK(IsLocalhostName("ip6-localhost"));
  CHECK(IsLocalhostName("localhost.localdomain"));
  CHECK(!IsLocalhostName("localhost.example.org"));
  CHECK(!IsLocalhostName("mylocalhost"));
  CHECK(!IsLocalhostName("localhostx"));
  CHECK(!IsLocalhostName(".localhost"));
}

TEST_CASE("allowlist: exact hosts and *.suffix on a label boundary", "[pluginpolicy][url]") {
  const std::vector<std::string> allow = {"plugins.example.org", "*.trusted.example.org"};
  CHECK(HostAllowed("plugins.example.org", allow));
  CHECK(HostAllowed("PLUGINS.Example.org", allow));
  CHECK(HostAllowed("plugins.example.org.", allow));
  CHECK(HostAllowed("a.trusted.example.org", allow));
  CHECK(HostAllowed("a.b.trusted.example.org", allow));
  CHECK(!HostAllowed("trusted.example.org", allow));  // *.x does not cover x itself
  CHECK(!HostAllowed("eviltrusted.example.org", allow));
  CHECK(!HostAllowed("a.trusted.example.org.evil.com", allow));
  CHECK(!HostAllowed("x.plugins.example.org", allow));  // exact means exact
  CHECK(!HostAllowed("example.org", allow));
  CHECK(!HostAllowed("plugins.example.org", {}));  // empty list allows nothing
  CHECK(!HostAllowed("anything.com", {"*"}));
  CHECK(!HostAllowed("anything.com", {"*."}));
  CHECK(!HostAllowed("x.a.com", {"x.*.com"}));
  CHECK(HostAllowed("x.a.com", {"*.A.COM."}));
}

TEST_CASE("redirect Locations resolve against the answering URL", "[pluginpolicy][url]") {
  Url base = Parsed("https://r.example:8443/pkgs/v1/a.wasm?x=1");
  struct Case {
    const char* location;
    const char* want;
  } cases[] = {
      {"https://other.example/b", "https://other.example/b"},
      {"//cdn.example/b", "https://cdn.example/b"},
      {"/root?q=2", "https://r.example:8443/root?q=2"},
      {"b.wasm", "https://r.example:8443/pkgs/v1/b.wasm"},
      {"../v2/b.wasm", "https://r.example:8443/pkgs/v2/b.wasm"},
      {"../../../../b", "https://r.example:8443/b"},
      {"./", "https://r.example:8443/pkgs/v1/"},
      {"?y=2", "https://r.example:8443/pkgs/v1/a.wasm?y=2"},
      {"#frag", "https://r.example:8443/pkgs/v1/a.wasm?x=1"},
      {"http://r.example/plain", "http://r.example/plain"},
  };
  for (const auto& c : cases) {
    Url next;
    auto st = ResolveReference(base, c.location, &next);
    INFO(c.location << ": " << st.message());
    REQUIRE(st.ok());
    CHECK(next.ToString() == c.want);
  }
  Url next;
  CHECK(ResolveReference(base, "", &next).code() == Code::kBadRequest);
  CHECK(ResolveReference(base, "https://a b/", &next).code() == Code::kBadRequest);
}
