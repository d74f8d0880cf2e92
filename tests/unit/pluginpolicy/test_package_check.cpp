// PackageChecker: artifacts read from disk and registry bundles fetched from
// a real loopback server, each verified against pin, publisher and trust
// policy with real Ed25519 signatures; the cache of verified results; and a
// refusal by the production address classifier before any byte is fetched.
#include <catch2/catch.hpp>

#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "reconcilers/pluginpolicy/package_check.h"
#include "tests/unit/pluginpolicy/scripted_server.h"
#include "tests/unit/pluginpolicy/test_keys.h"

using dw::Code;
using dw::Status;
using dw::pluginpolicy::AddressClass;
using dw::pluginpolicy::ClassifyAddress;
using dw::pluginpolicy::DeclaredPackage;
using dw::pluginpolicy::FetchPolicy;
using dw::pluginpolicy::PackageCheck;
using dw::pluginpolicy::PackageChecker;
using dw::pluginpolicy::Resolver;
using dw::pluginpolicy::testing::KeyPair;
using dw::pluginpolicy::testing::ScriptedServer;
namespace fs = std::filesystem;
namespace wire = dw::pluginpolicy::wire;
using namespace std::chrono_literals;

namespace {

std::string Bundle(const std::string& name, const std::string& publisher, const std::string& version = "1.2.0") {
  return R"({"manifest":{"name":")" + name + R"(","version":")" + version + R"(","publisher":")" + publisher +
         R"(","hooks":["on_message","cron.hourly"],"capabilities":["http"]},"wasm_base64":"AGFzbQEAAAA="})";
}

// Signed-only, trusting acme (and globex, whose key nobody here signs with).
wire::Policy SignedOnly(const KeyPair& acme, const KeyPair& globex) {
  wire::Policy p;
  p.trust = wire::TrustPolicy::kSignedOnly;
  p.trusted_publishers = {{"globex", globex.PublicB64()}, {"acme", acme.PublicB64()}};
  return p;
}

// A scratch directory for artifact files, removed afterwards.
struct Dir {
  fs::path path;
  Dir() {
    char tmpl[] = "/tmp/dw_unit_pkgcheck_XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    path = tmpl;
  }
  ~Dir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string Write(const std::string& name, const std::string& data) const {
    const std::string p = (path / name).string();
    std::ofstream f(p, std::ios::binary | std::ios::trunc);
    f << data;
    REQUIRE(f.good());
    return p;
  }
};

DeclaredPackage Artifact(const std::string& name, const std::string& path, const std::string& bundle,
                         const std::string& publisher = "acme") {
  DeclaredPackage d;
  d.name = name;
  d.artifact = path;
  d.sha256 = KeyPair::Sha256Hex(bundle);
  d.publisher = publisher;
  return d;
}

// The registry's answers by request target; a target not in the map is 404.
class Registry {
 public:
  Registry() : server_([this](int fd, const std::string& target, const std::atomic<bool>&) { Serve(fd, target); }) {}
  void Put(const std::string& target, const std::string& body, int status = 200) {
    std::lock_guard<std::mutex> l(mu_);
    routes_[target] = {status, body};
  }
  void Remove(const std::string& target) {
    std::lock_guard<std::mutex> l(mu_);
    routes_.erase(target);
  }
  int Hits(const std::string& target) {
    std::lock_guard<std::mutex> l(mu_);
    return hits_[target];
  }
  int requests() const { return server_.requests(); }
  std::string Url(const std::string& target) const {
    return "http://registry.test:" + std::to_string(server_.port()) + target;
  }

 private:
  void Serve(int fd, const std::string& target) {
    int status = 404;
    std::string body;
    {
      std::lock_guard<std::mutex> l(mu_);
      ++hits_[target];
      if (auto it = routes_.find(target); it != routes_.end()) {
        status = it->second.first;
        body = it->second.second;
      }
    }
    ScriptedServer::Send(fd, "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Length: " +
                                 std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
  }

  std::mutex mu_;
  std::map<std::string, std::pair<int, std::string>> routes_;
  std::map<std::string, int> hits_;
  ScriptedServer server_;  // last: stopped before the routes it reads go away
};

class MapResolver : public Resolver {
 public:
  std::map<std::string, std::vector<std::string>> answers;
  Status Resolve(const std::string& host, std::chrono::steady_clock::time_point,
                 std::vector<std::string>* addrs) override {
    auto it = answers.find(host);
    if (it == answers.end()) return Status::Unavailable("no such host");
    *addrs = it->second;
    return Status::OK();
  }
};

// The loopback test server passes as public; every other address keeps its
// real class.
AddressClass TestClassify(const std::string& ip) {
  return ip == "127.0.0.1" ? AddressClass::kPublic : ClassifyAddress(ip);
}

FetchPolicy TestFetch() {
  FetchPolicy f;
  f.allowlist = {"registry.test"};
  f.allow_http = true;  // the scripted server speaks plain HTTP
  f.connect_timeout = 2000ms;
  f.read_idle_timeout = 2000ms;
  f.total_timeout = 5000ms;
  f.max_bytes = 1 << 20;
  return f;
}

DeclaredPackage FromRegistry(const std::string& name, const std::string& url, const std::string& bundle,
                             const std::string& publisher = "acme") {
  DeclaredPackage d;
  d.name = name;
  d.registry_url = url;
  d.sha256 = KeyPair::Sha256Hex(bundle);
  d.publisher = publisher;
  return d;
}

}  // namespace

TEST_CASE("package check: a signed artifact is read and verified", "[pluginpolicy][pkgcheck]") {
  KeyPair acme, globex;
  Dir dir;
  const std::string bundle = Bundle("hello", "acme");
  const std::string path = dir.Write("hello.bundle", bundle);
  dir.Write("hello.bundle.sig", acme.SignBundle(bundle));
  PackageChecker checker(nullptr);

  PackageCheck c = checker.Check(Artifact("hello", path, bundle), SignedOnly(acme, globex), FetchPolicy{});
  CHECK(c.verified);
  CHECK(c.reason == "");
  CHECK(c.message == "");
  CHECK(c.name == "hello");
  CHECK(c.source == "upload");
  CHECK(c.registry_url == "");
  CHECK(c.sha256 == KeyPair::Sha256Hex(bundle));
  CHECK(c.publisher == "acme");
  CHECK(c.version == "1.2.0");
  CHECK(c.signature_present);
  CHECK(c.signature_verified);
  CHECK(c.bytes == bundle.size());
  CHECK(checker.fetches() == 0u);  // a file, not a fetch
}

TEST_CASE("package check: artifact refusals", "[pluginpolicy][pkgcheck]") {
  KeyPair acme, globex, stranger;
  Dir dir;
  PackageChecker checker(nullptr);
  const wire::Policy signed_only = SignedOnly(acme, globex);
  const std::string bundle = Bundle("hello", "acme");

  SECTION("unsigned under signed-only") {
    const std::string path = dir.Write("hello.bundle", bundle);
    PackageCheck c = checker.Check(Artifact("hello", path, bundle), signed_only, FetchPolicy{});
    CHECK_FALSE(c.verified);
    CHECK(c.reason == "Unsigned");
    CHECK(c.message == "signed-only policy: package is unsigned");
    CHECK_FALSE(c.signature_present);
    CHECK_FALSE(c.signature_verified);
    // What was read is still reported.
    CHECK(c.sha256 == KeyPair::Sha256Hex(bundle));
    CHECK(c.publisher == "acme");
    CHECK(c.bytes == bundle.size());

    SECTION("but accepted under allow-unsigned") {
      wire::Policy lax = signed_only;
      lax.trust = wire::TrustPolicy::kAllowUnsigned;
      PackageCheck l = checker.Check(Artifact("hello", path, bundle), lax, FetchPolicy{});
      CHECK(l.verified);
      CHECK(l.reason == "");
      CHECK_FALSE(l.signature_present);
      CHECK_FALSE(l.signature_verified);
    }
  }
  SECTION("hash mismatch") {
    const std::string path = dir.Write("hello.bundle", bundle);
    dir.Write("hello.bundle.sig", acme.SignBundle(bundle));
    DeclaredPackage d = Artifact("hello", path, bundle);
    d.sha256 = std::string(64, '0');
    PackageCheck c = checker.Check(d, signed_only, FetchPolicy{});
    CHECK_FALSE(c.verified);
    CHECK(c.reason == "HashMismatch");
    CHECK(c.message == "sha256 " + KeyPair::Sha256Hex(bundle) + " does not match pinned " + std::string(64, '0'));
    CHECK(c.sha256 == KeyPair::Sha256Hex(bundle));
  }
  SECTION("publisher mismatch") {
    const std::string path = dir.Write("hello.bundle", bundle);
    dir.Write("hello.bundle.sig", acme.SignBundle(bundle));
    PackageCheck c = checker.Check(Artifact("hello", path, bundle, "globex"), signed_only, FetchPolicy{});
    CHECK_FALSE(c.verified);
    CHECK(c.reason == "PublisherMismatch");
    CHECK(c.message == "package declares publisher \"acme\", spec expects \"globex\"");
  }
  SECTION("untrusted publisher") {
    const std::string other = Bundle("hello", "stranger");
    const std::string path = dir.Write("hello.bundle", other);
    dir.Write("hello.bundle.sig", stranger.SignBundle(other));
    PackageCheck c = checker.Check(Artifact("hello", path, other, ""), signed_only, FetchPolicy{});
    CHECK_FALSE(c.verified);
    CHECK(c.reason == "PublisherUntrusted");
    CHECK(c.message == "publisher \"stranger\" is not trusted");
    CHECK(c.signature_present);
    CHECK_FALSE(c.signature_verified);
  }
  SECTION("signed by someone else's key") {
    const std::string path = dir.Write("hello.bundle", bundle);
    dir.Write("hello.bundle.sig", stranger.SignBundle(bundle));
    PackageCheck c = checker.Check(Artifact("hello", path, bundle), signed_only, FetchPolicy{});
    CHECK(c.reason == "SignatureInvalid");
    CHECK(c.message == "signature does not verify for publisher \"acme\"");
  }
  SECTION("the bundle names another package") {
    const std::string path = dir.Write("hello.bundle", bundle);
    dir.Write("hello.bundle.sig", acme.SignBundle(bundle));
    PackageCheck c = checker.Check(Artifact("goodbye", path, bundle), signed_only, FetchPolicy{});
    CHECK_FALSE(c.verified);
    CHECK(c.name == "goodbye");
    CHECK(c.reason == "InvalidBundle");
    CHECK(c.message == "bundle declares package \"hello\", not \"goodbye\"");
  }
  SECTION("not a bundle at all") {
    const std::string junk = "\x7f" "ELF not a bundle";
    const std::string path = dir.Write("junk.bundle", junk);
    PackageCheck c = checker.Check(Artifact("hello", path, junk), signed_only, FetchPolicy{});
    CHECK(c.reason == "InvalidBundle");
    CHECK(c.message == "bundle: not a JSON object");
  }
  SECTION("file too large") {
    const std::string path = dir.Write("hello.bundle", bundle);
    FetchPolicy small;
    small.max_bytes = bundle.size() - 1;
    PackageCheck c = checker.Check(Artifact("hello", path, bundle), signed_only, small);
    CHECK_FALSE(c.verified);
    CHECK(c.reason == "TooLarge");
    CHECK(c.message == "artifact " + path + " is larger than " + std::to_string(bundle.size() - 1) + " bytes");
    // Exactly at the cap is fine.
    small.max_bytes = bundle.size();
    dir.Write("hello.bundle.sig", acme.SignBundle(bundle));
    CHECK(checker.Check(Artifact("hello", path, bundle), signed_only, small).verified);
  }
  SECTION("missing file") {
    const std::string path = (dir.path / "absent.bundle").string();
    PackageCheck c = checker.Check(Artifact("hello", path, bundle), signed_only, FetchPolicy{});
    CHECK_FALSE(c.verified);
    CHECK(c.reason == "ArtifactUnreadable");
    CHECK(c.message == "artifact: cannot open " + path);
    CHECK(c.bytes == 0u);
  }
  SECTION("a signature file too large to be a signature") {
    const std::string path = dir.Write("hello.bundle", bundle);
    dir.Write("hello.bundle.sig", std::string(2000, 's'));
    PackageCheck c = checker.Check(Artifact("hello", path, bundle), signed_only, FetchPolicy{});
    CHECK(c.reason == "ArtifactUnreadable");
    CHECK(c.message == "artifact signature: " + path + ".sig is larger than 1024 bytes");
  }
}

TEST_CASE("package check: LoadArtifact re-reads and re-verifies the file", "[pluginpolicy][pkgcheck]") {
  KeyPair acme, globex;
  Dir dir;
  PackageChecker checker(nullptr);
  const wire::Policy policy = SignedOnly(acme, globex);
  const std::string bundle = Bundle("hello", "acme");
  const std::string sig = acme.SignBundle(bundle);
  const std::string path = dir.Write("hello.bundle", bundle);
  dir.Write("hello.bundle.sig", sig);
  const DeclaredPackage d = Artifact("hello", path, bundle);

  REQUIRE(checker.Check(d, policy, FetchPolicy{}).verified);
  std::string got_bundle, got_sig;
  REQUIRE(checker.LoadArtifact(d, policy, 1 << 20, &got_bundle, &got_sig).ok());
  CHECK(got_bundle == bundle);
  CHECK(got_sig == sig);

  // Swapped after the check, signature and all: the pin still refuses it.
  const std::string swapped = Bundle("hello", "acme", "6.6.6");
  dir.Write("hello.bundle", swapped);
  dir.Write("hello.bundle.sig", acme.SignBundle(swapped));
  Status st = checker.LoadArtifact(d, policy, 1 << 20, &got_bundle, &got_sig);
  CHECK(st.code() == Code::kForbidden);
  CHECK(st.message() == "HashMismatch: sha256 " + KeyPair::Sha256Hex(swapped) + " does not match pinned " + d.sha256);
  // Artifacts are never served from a cache: Check sees the change too.
  CHECK(checker.Check(d, policy, FetchPolicy{}).reason == "HashMismatch");

  // The cap applies to the upload as well.
  dir.Write("hello.bundle", bundle);
  st = checker.LoadArtifact(d, policy, 10, &got_bundle, &got_sig);
  CHECK(st.code() == Code::kForbidden);
  CHECK(st.message() == "TooLarge: artifact " + path + " is larger than 10 bytes");

  SECTION("an unsigned artifact under allow-unsigned uploads without a signature") {
    fs::remove(path + ".sig");
    wire::Policy lax = policy;
    lax.trust = wire::TrustPolicy::kAllowUnsigned;
    got_sig = "stale";
    REQUIRE(checker.LoadArtifact(d, lax, 1 << 20, &got_bundle, &got_sig).ok());
    CHECK(got_bundle == bundle);
    CHECK(got_sig == "");
  }
}

TEST_CASE("package check: registry bundles are fetched and verified", "[pluginpolicy][pkgcheck]") {
  KeyPair acme, globex;
  Registry reg;
  MapResolver resolver;
  resolver.answers["registry.test"] = {"127.0.0.1"};
  PackageChecker checker(&resolver, TestClassify);
  const wire::Policy signed_only = SignedOnly(acme, globex);
  const std::string bundle = Bundle("hello", "acme");
  reg.Put("/hello.bundle", bundle);

  SECTION("signed with .sig beside it") {
    reg.Put("/hello.bundle.sig", acme.SignBundle(bundle));
    const DeclaredPackage d = FromRegistry("hello", reg.Url("/hello.bundle"), bundle);
    PackageCheck c = checker.Check(d, signed_only, TestFetch());
    CHECK(c.verified);
    CHECK(c.reason == "");
    CHECK(c.message == "");
    CHECK(c.name == "hello");
    CHECK(c.source == "registry");
    CHECK(c.registry_url == reg.Url("/hello.bundle"));
    CHECK(c.sha256 == KeyPair::Sha256Hex(bundle));
    CHECK(c.publisher == "acme");
    CHECK(c.version == "1.2.0");
    CHECK(c.signature_present);
    CHECK(c.signature_verified);
    CHECK(c.bytes == bundle.size());
    CHECK(checker.fetches() == 1u);
    CHECK(reg.Hits("/hello.bundle") == 1);
    CHECK(reg.Hits("/hello.bundle.sig") == 1);
  }
  SECTION(".sig 404 means unsigned") {
    const DeclaredPackage d = FromRegistry("hello", reg.Url("/hello.bundle"), bundle);
    PackageCheck c = checker.Check(d, signed_only, TestFetch());
    CHECK_FALSE(c.verified);
    CHECK(c.reason == "Unsigned");
    CHECK(c.message == "signed-only policy: package is unsigned");
    CHECK_FALSE(c.signature_present);
    CHECK(c.sha256 == KeyPair::Sha256Hex(bundle));
    CHECK(reg.Hits("/hello.bundle.sig") == 1);

    wire::Policy lax = signed_only;
    lax.trust = wire::TrustPolicy::kAllowUnsigned;
    PackageCheck l = checker.Check(d, lax, TestFetch());
    CHECK(l.verified);
    CHECK_FALSE(l.signature_present);
    CHECK_FALSE(l.signature_verified);
  }
  SECTION("a .sig that fails otherwise than 404 refuses the package") {
    reg.Put("/hello.bundle.sig", "boom", 500);
    PackageCheck c = checker.Check(FromRegistry("hello", reg.Url("/hello.bundle"), bundle), signed_only, TestFetch());
    CHECK_FALSE(c.verified);
    CHECK(c.reason == "HttpStatus");
    CHECK(c.message == "signature: fetch " + reg.Url("/hello.bundle.sig") + ": HTTP 500");
  }
  SECTION("a registry hash mismatch") {
    reg.Put("/hello.bundle.sig", acme.SignBundle(bundle));
    DeclaredPackage d = FromRegistry("hello", reg.Url("/hello.bundle"), bundle);
    d.sha256 = std::string(64, 'f');
    PackageCheck c = checker.Check(d, signed_only, TestFetch());
    CHECK(c.reason == "HashMismatch");
    CHECK(c.sha256 == KeyPair::Sha256Hex(bundle));
  }
}

TEST_CASE("package check: verified registry results are cached, refusals are not", "[pluginpolicy][pkgcheck]") {
  KeyPair acme, globex;
  Registry reg;
  MapResolver resolver;
  resolver.answers["registry.test"] = {"127.0.0.1"};
  PackageChecker checker(&resolver, TestClassify);
  const wire::Policy signed_only = SignedOnly(acme, globex);
  const std::string bundle = Bundle("hello", "acme");
  reg.Put("/hello.bundle", bundle);
  const DeclaredPackage d = FromRegistry("hello", reg.Url("/hello.bundle"), bundle);

  // Refused (no signature yet): every Check fetches again.
  CHECK(checker.Check(d, signed_only, TestFetch()).reason == "Unsigned");
  CHECK(checker.fetches() == 1u);
  CHECK(checker.Check(d, signed_only, TestFetch()).reason == "Unsigned");
  CHECK(checker.fetches() == 2u);
  CHECK(reg.Hits("/hello.bundle") == 2);

  // The registry is fixed: the next pass picks it up.
  reg.Put("/hello.bundle.sig", acme.SignBundle(bundle));
  PackageCheck first = checker.Check(d, signed_only, TestFetch());
  CHECK(first.verified);
  CHECK(checker.fetches() == 3u);

  // Verified: served from the cache, nothing reaches the registry.
  const int before = reg.requests();
  PackageCheck again = checker.Check(d, signed_only, TestFetch());
  CHECK(checker.fetches() == 3u);
  CHECK(reg.requests() == before);
  CHECK(again.verified);
  CHECK(again.sha256 == first.sha256);
  CHECK(again.signature_verified);
  CHECK(again.bytes == first.bytes);
  // Timeouts are not part of the verdict.
  FetchPolicy slower = TestFetch();
  slower.total_timeout = 9000ms;
  CHECK(checker.Check(d, signed_only, slower).verified);
  CHECK(checker.fetches() == 3u);

  SECTION("a change of trust inputs checks again") {
    wire::Policy rotated = signed_only;
    rotated.trusted_publishers = {{"acme", globex.PublicB64()}};  // acme's key rotated away
    PackageCheck c = checker.Check(d, rotated, TestFetch());
    CHECK(checker.fetches() == 4u);
    CHECK(c.reason == "SignatureInvalid");
  }
  SECTION("another allowlist checks again") {
    FetchPolicy narrowed = TestFetch();
    narrowed.allowlist = {"other.test"};
    PackageCheck c = checker.Check(d, signed_only, narrowed);
    CHECK(checker.fetches() == 4u);
    CHECK(c.reason == "NotAllowlisted");
  }
  SECTION("another package name at the same URL is not the cached verdict") {
    const DeclaredPackage renamed = FromRegistry("goodbye", reg.Url("/hello.bundle"), bundle);
    PackageCheck c = checker.Check(renamed, signed_only, TestFetch());
    CHECK(checker.fetches() == 4u);
    CHECK(c.name == "goodbye");
    CHECK_FALSE(c.verified);
    CHECK(c.reason == "InvalidBundle");
  }
  SECTION("a changed registry is not noticed while the pin holds") {
    // The pin is what makes the cache safe: same URL and sha256, same bytes.
    reg.Remove("/hello.bundle");
    CHECK(checker.Check(d, signed_only, TestFetch()).verified);
    CHECK(checker.fetches() == 3u);
  }
}

TEST_CASE("package check: the production classifier refuses before fetching", "[pluginpolicy][pkgcheck]") {
  KeyPair acme, globex;
  Registry reg;
  MapResolver resolver;
  resolver.answers["registry.test"] = {"127.0.0.1"};
  const std::string bundle = Bundle("hello", "acme");
  reg.Put("/hello.bundle", bundle);
  reg.Put("/hello.bundle.sig", acme.SignBundle(bundle));
  PackageChecker checker(&resolver);  // no classifier hook: the shipped rules

  const DeclaredPackage d = FromRegistry("hello", reg.Url("/hello.bundle"), bundle);
  PackageCheck c = checker.Check(d, SignedOnly(acme, globex), TestFetch());
  CHECK_FALSE(c.verified);
  CHECK(c.reason == "BlockedAddress");
  CHECK(c.message == "fetch " + d.registry_url +
                         ": registry host \"registry.test\" resolves to 127.0.0.1 (loopback): refused");
  CHECK(c.source == "registry");
  CHECK(c.sha256 == "");
  CHECK(c.bytes == 0u);
  CHECK(reg.requests() == 0);  // no request for the bundle (or its .sig) reached the server

  // A name with one private address among public ones is refused as well.
  resolver.answers["registry.test"] = {"93.184.216.34", "10.1.2.3"};
  c = checker.Check(d, SignedOnly(acme, globex), TestFetch());
  CHECK(c.reason == "BlockedAddress");
  CHECK(c.message == "fetch " + d.registry_url +
                         ": registry host \"registry.test\" resolves to 10.1.2.3 (private): refused");
  CHECK(reg.requests() == 0);
}

TEST_CASE("package check: artifacts are read only from inside the artifact directory",
          "[pluginpolicy][pkgcheck]") {
  KeyPair acme, globex;
  Dir root, outside;
  const std::string bundle = Bundle("hello", "acme");
  const std::string inside = root.Write("hello.bundle", bundle);
  root.Write("hello.bundle.sig", acme.SignBundle(bundle));
  const std::string elsewhere = outside.Write("hello.bundle", bundle);
  outside.Write("hello.bundle.sig", acme.SignBundle(bundle));
  PackageChecker checker(nullptr, dw::pluginpolicy::ClassifyAddress, root.path.string());
  const wire::Policy policy = SignedOnly(acme, globex);

  CHECK(checker.Check(Artifact("hello", inside, bundle), policy, FetchPolicy{}).verified);

  auto refused = [&](const std::string& path, const std::string& detail) {
    PackageCheck c = checker.Check(Artifact("hello", path, bundle), policy, FetchPolicy{});
    INFO(path << ": " << c.message);
    CHECK_FALSE(c.verified);
    CHECK(c.reason == "ArtifactOutsideRoot");
    CHECK(c.message.find("is outside the artifact directory " + root.path.string()) != std::string::npos);
    CHECK(c.message.find(detail) != std::string::npos);
    CHECK(c.sha256.empty());  // nothing read, nothing to learn about the file
    CHECK(c.bytes == 0u);
  };
  refused(elsewhere, "");
  refused("/etc/hostname", "");
  refused(root.path.string() + "/../" + outside.path.filename().string() + "/hello.bundle", "");
  refused(root.path.string() + "/./hello.bundle", "");
  refused(root.path.string() + "x/hello.bundle", "");  // a sibling sharing the prefix
  fs::create_symlink(elsewhere, root.path / "link.bundle");
  refused((root.path / "link.bundle").string(), "symbolic link");
  std::string bundle_out, sig_out;
  CHECK(checker.LoadArtifact(Artifact("hello", elsewhere, bundle), policy, 1 << 20, &bundle_out, &sig_out).code() ==
        dw::Code::kForbidden);
  CHECK(bundle_out.empty());
}
