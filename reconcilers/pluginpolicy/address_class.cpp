// Blocked-range tables (IANA IPv4/IPv6 special-purpose registries) and the
// embedded-IPv4 rules. Everything is a prefix match on network-order bytes.
#include "reconcilers/pluginpolicy/address_class.h"

#include <arpa/inet.h>

#include <array>
#include <cstdint>
#include <cstring>

namespace dw::pluginpolicy {

namespace {

struct V4Range {
  uint32_t prefix;
  int bits;
  AddressClass cls;
};

constexpr uint32_t Ip4(uint32_t a, uint32_t b, uint32_t c, uint32_t d) {
  return (a << 24) | (b << 16) | (c << 8) | d;
}

// Order matters only where ranges nest: 255.255.255.255 before 240/4.
constexpr V4Range kV4Ranges[] = {
    {Ip4(0, 0, 0, 0), 8, AddressClass::kUnspecified},
    {Ip4(10, 0, 0, 0), 8, AddressClass::kPrivate},
    {Ip4(100, 64, 0, 0), 10, AddressClass::kCarrierGradeNat},
    {Ip4(127, 0, 0, 0), 8, AddressClass::kLoopback},
    {Ip4(169, 254, 0, 0), 16, AddressClass::kLinkLocal},
    {Ip4(172, 16, 0, 0), 12, AddressClass::kPrivate},
    {Ip4(192, 0, 0, 0), 24, AddressClass::kSpecialPurpose},
    {Ip4(192, 0, 2, 0), 24, AddressClass::kDocumentation},
    {Ip4(192, 88, 99, 0), 24, AddressClass::kSpecialPurpose},
    {Ip4(192, 168, 0, 0), 16, AddressClass::kPrivate},
    {Ip4(198, 18, 0, 0), 15, AddressClass::kBenchmarking},
    {Ip4(198, 51, 100, 0), 24, AddressClass::kDocumentation},
    {Ip4(203, 0, 113, 0), 24, AddressClass::kDocumentation},
    {Ip4(224, 0, 0, 0), 4, AddressClass::kMulticast},
    {Ip4(255, 255, 255, 255), 32, AddressClass::kBroadcast},
    {Ip4(240, 0, 0, 0), 4, AddressClass::kReserved},
};

AddressClass ClassifyV4(uint32_t addr) {
  for (const auto& r : kV4Ranges) {
    uint32_t mask = r.bits == 0 ? 0 : ~uint32_t{0} << (32 - r.bits);
    if ((addr & mask) == r.prefix) return r.cls;
  }
  return AddressClass::kPublic;
}

using V6 = std::array<uint8_t, 16>;

bool HasPrefix(const V6& a, std::initializer_list<uint8_t> prefix, int bits) {
  const uint8_t* p = prefix.begin();
  for (int i = 0; bits > 0; ++i, bits -= 8) {
    uint8_t mask = bits >= 8 ? 0xff : static_cast<uint8_t>(0xff << (8 - bits));
    uint8_t want = i < static_cast<int>(prefix.size()) ? p[i] : 0;
    if ((a[i] & mask) != (want & mask)) return false;
  }
  return true;
}

uint32_t V4At(const V6& a, int offset) {
  return (uint32_t{a[offset]} << 24) | (uint32_t{a[offset + 1]} << 16) |
         (uint32_t{a[offset + 2]} << 8) | a[offset + 3];
}

// An embedded IPv4 address that is blocked wins, so the refusal names the
// real target ("loopback") rather than the wrapper.
AddressClass EmbeddedOr(const V6& a, int offset, AddressClass otherwise) {
  AddressClass inner = ClassifyV4(V4At(a, offset));
  return inner != AddressClass::kPublic ? inner : otherwise;
}

AddressClass ClassifyV6(const V6& a) {
  static const V6 kZero{};
  V6 one{};
  one[15] = 1;
  if (a == kZero) return AddressClass::kUnspecified;
  if (a == one) return AddressClass::kLoopback;
  // ::ffff:0:0/96, IPv4-mapped: exactly as reachable as the IPv4 address.
  if (HasPrefix(a, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff}, 96))
    return ClassifyV4(V4At(a, 12));
  // ::/96, IPv4-compatible: deprecated, never a legitimate target.
  if (HasPrefix(a, {}, 96)) return EmbeddedOr(a, 12, AddressClass::kReserved);
  // 64:ff9b::/96, well-known NAT64: reaches the embedded IPv4 address.
  if (HasPrefix(a, {0x00, 0x64, 0xff, 0x9b}, 96)) return ClassifyV4(V4At(a, 12));
  // 64:ff9b:1::/48, local-use NAT64: site-specific translation, not global.
  if (HasPrefix(a, {0x00, 0x64, 0xff, 0x9b, 0x00, 0x01}, 48))
    return EmbeddedOr(a, 12, AddressClass::kReserved);
  if (HasPrefix(a, {0x01, 0x00}, 64)) return AddressClass::kSpecialPurpose;  // discard
  if (HasPrefix(a, {0x20, 0x01, 0x0d, 0xb8}, 32)) return AddressClass::kDocumentation;
  if (HasPrefix(a, {0x3f, 0xff, 0x00}, 20)) return AddressClass::kDocumentation;
  if (HasPrefix(a, {0x20, 0x01, 0x00}, 23)) return AddressClass::kSpecialPurpose;  // Teredo..
  // 2002::/16, 6to4: reaches the IPv4 address in bits 16..47.
  if (HasPrefix(a, {0x20, 0x02}, 16)) return EmbeddedOr(a, 2, AddressClass::kPublic);
  if (HasPrefix(a, {0xfc}, 7)) return AddressClass::kUniqueLocal;
  if (HasPrefix(a, {0xfe, 0x80}, 10)) return AddressClass::kLinkLocal;
  if (HasPrefix(a, {0xfe, 0xc0}, 10)) return AddressClass::kSiteLocal;
  if (HasPrefix(a, {0xff}, 8)) return AddressClass::kMulticast;
  // Only 2000::/3 is allocated for global unicast; the rest is unassigned.
  if (!HasPrefix(a, {0x20}, 3)) return AddressClass::kReserved;
  return AddressClass::kPublic;
}

}  // namespace

const char* AddressClassName(AddressClass c) {
  switch (c) {
    case AddressClass::kPublic: return "public";
    case AddressClass::kInvalid: return "not an IP address";
    case AddressClass::kUnspecified: return "unspecified";
    case AddressClass::kLoopback: return "loopback";
    case AddressClass::kPrivate: return "private";
    case AddressClass::kCarrierGradeNat: return "carrier-grade NAT";
    case AddressClass::kLinkLocal: return "link-local";
    case AddressClass::kUniqueLocal: return "unique-local";
    case AddressClass::kSiteLocal: return "site-local";
    case AddressClass::kMulticast: return "multicast";
    case AddressClass::kBroadcast: return "broadcast";
    case AddressClass::kDocumentation: return "documentation";
    case AddressClass::kBenchmarking: return "benchmarking";
    case AddressClass::kSpecialPurpose: return "special-purpose";
    case AddressClass::kReserved: return "reserved";
  }
  return "unknown";
}

AddressClass ClassifyAddress(const std::string& ip) {
  in_addr v4{};
  if (inet_pton(AF_INET, ip.c_str(), &v4) == 1) return ClassifyV4(ntohl(v4.s_addr));
  std::string bare = ip.substr(0, ip.find('%'));
  V6 v6{};
  if (inet_pton(AF_INET6, bare.c_str(), v6.data()) == 1) return ClassifyV6(v6);
  return AddressClass::kInvalid;
}

}  // namespace dw::pluginpolicy
