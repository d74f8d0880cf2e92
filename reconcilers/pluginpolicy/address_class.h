// Address classes for SSRF checks: which IP addresses a fetch may connect to.
// ClassifyAddress is pure and total: every textual IPv4/IPv6 address gets
// exactly one class, and only kPublic may be dialled. Addresses that embed an
// IPv4 address (IPv4-mapped, NAT64, 6to4) take the class of the embedded one
// when that one is blocked, so ::ffff:127.0.0.1 is loopback, not "IPv6".
#pragma once

#include <functional>
#include <string>

namespace dw::pluginpolicy {

enum class AddressClass {
  kPublic,
  kInvalid,          // not an IP address at all
  kUnspecified,      // 0.0.0.0/8 ("this network"), ::
  kLoopback,         // 127/8, ::1
  kPrivate,          // 10/8, 172.16/12, 192.168/16
  kCarrierGradeNat,  // 100.64/10
  kLinkLocal,        // 169.254/16 (cloud metadata lives here), fe80::/10
  kUniqueLocal,      // fc00::/7
  kSiteLocal,        // fec0::/10 (deprecated, still routed inside sites)
  kMulticast,        // 224/4, ff00::/8
  kBroadcast,        // 255.255.255.255
  kDocumentation,    // 192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32, 3fff::/20
  kBenchmarking,     // 198.18/15
  kSpecialPurpose,   // 192.0.0/24, 192.88.99/24, 100::/64, 2001::/23 (Teredo...)
  kReserved,         // 240/4, ::/96 (IPv4-compatible), 64:ff9b:1::/48 (local NAT64)
};

// Lower-case name used in refusal messages: "loopback", "carrier-grade NAT".
const char* AddressClassName(AddressClass c);

// Classifies a textual address ("127.0.0.1", "::ffff:7f00:1"). Only strict
// dotted-quad IPv4 and RFC 4291 IPv6 text are accepted (as getaddrinfo
// produces them); a zone id ("fe80::1%eth0") is allowed and ignored.
AddressClass ClassifyAddress(const std::string& ip);

// The classifier the fetcher consults. Production code always uses
// ClassifyAddress; the type exists so a unit test can treat its loopback test
// server as public. Nothing outside tests constructs another one.
using AddressClassifier = std::function<AddressClass(const std::string& ip)>;

}  // namespace dw::pluginpolicy
