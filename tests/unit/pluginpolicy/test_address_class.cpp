#include <catch2/catch.hpp>

#include <string>
#include <utility>
#include <vector>

#include "reconcilers/pluginpolicy/address_class.h"

using dw::pluginpolicy::AddressClass;
using dw::pluginpolicy::AddressClassName;
using dw::pluginpolicy::ClassifyAddress;

TEST_CASE("ClassifyAddress: IPv4 blocked ranges, edges included", "[pluginpolicy][address]") {
  const std::vector<std::pair<const char*, AddressClass>> table = {
      {"0.0.0.0", AddressClass::kUnspecified},
      {"0.255.255.255", AddressClass::kUnspecified},
      {"1.0.0.0", AddressClass::kPublic},
      {"9.255.255.255", AddressClass::kPublic},
      {"10.0.0.0", AddressClass::kPrivate},
      {"10.255.255.255", AddressClass::kPrivate},
      {"11.0.0.0", AddressClass::kPublic},
      {"100.63.255.255", AddressClass::kPublic},
      {"100.64.0.1", AddressClass::kCarrierGradeNat},
      {"100.127.255.255", AddressClass::kCarrierGradeNat},
      {"100.128.0.0", AddressClass::kPublic},
      {"127.0.0.1", AddressClass::kLoopback},
      {"127.255.255.254", AddressClass::kLoopback},
      {"169.254.169.254", AddressClass::kLinkLocal},
      {"169.253.255.255", AddressClass::kPublic},
      {"172.15.255.255", AddressClass::kPublic},
      {"172.16.0.0", AddressClass::kPrivate},
      {"172.31.255.255", AddressClass::kPrivate},
      {"172.32.0.0", AddressClass::kPublic},
      {"192.0.0.8", AddressClass::kSpecialPurpose},
      {"192.0.2.1", AddressClass::kDocumentation},
      {"192.0.3.1", AddressClass::kPublic},
      {"192.88.99.1", AddressClass::kSpecialPurpose},
      {"192.168.1.1", AddressClass::kPrivate},
      {"192.169.0.1", AddressClass::kPublic},
      {"198.17.255.255", AddressClass::kPublic},
      {"198.18.0.0", AddressClass::kBenchmarking},
      {"198.19.255.255", AddressClass::kBenchmarking},
      {"198.20.0.0", AddressClass::kPublic},
      {"198.51.100.7", AddressClass::kDocumentation},
      {"203.0.113.9", AddressClass::kDocumentation},
      {"223.255.255.255", AddressClass::kPublic},
      {"224.0.0.1", AddressClass::kMulticast},
      {"239.255.255.255", AddressClass::kMulticast},
      {"240.0.0.1", AddressClass::kReserved},
      {"255.255.255.254", AddressClass::kReserved},
      {"255.255.255.255", AddressClass::kBroadcast},
      {"8.8.8.8", AddressClass::kPublic},
      {"93.184.216.34", AddressClass::kPublic},
  };
  for (const auto& [ip, want] : table) {
    INFO(ip);
    CHECK(ClassifyAddress(ip) == want);
  }
}

TEST_CASE("ClassifyAddress: IPv6 ranges and embedded IPv4", "[pluginpolicy][address]") {
  const std::vector<std::pair<const char*, AddressClass>> table = {
      {"::", AddressClass::kUnspecified},
      {"::1", AddressClass::kLoopback},
      {"::2", AddressClass::kUnspecified},  // IPv4-compatible ::0.0.0.2: embedded 0/8
      // IPv4-mapped: exactly the IPv4 class, either spelling.
      {"::ffff:127.0.0.1", AddressClass::kLoopback},
      {"::ffff:7f00:1", AddressClass::kLoopback},
      {"::ffff:10.1.2.3", AddressClass::kPrivate},
      {"::ffff:169.254.169.254", AddressClass::kLinkLocal},
      {"::ffff:8.8.8.8", AddressClass::kPublic},
      // IPv4-compatible (deprecated): embedded class if blocked, else reserved.
      {"::127.0.0.1", AddressClass::kLoopback},
      {"::8.8.8.8", AddressClass::kReserved},
      // NAT64 well-known prefix reaches the embedded address.
      {"64:ff9b::7f00:1", AddressClass::kLoopback},
      {"64:ff9b::a00:1", AddressClass::kPrivate},
      {"64:ff9b::808:808", AddressClass::kPublic},
      {"64:ff9b:1::808:808", AddressClass::kReserved},
      {"64:ff9b:1::7f00:1", AddressClass::kLoopback},
      {"100::1", AddressClass::kSpecialPurpose},
      {"100:0:0:1::1", AddressClass::kReserved},  // outside 100::/64 and 2000::/3
      {"2001::1", AddressClass::kSpecialPurpose},  // Teredo
      {"2001:1ff:ffff::1", AddressClass::kSpecialPurpose},
      {"2001:200::1", AddressClass::kPublic},
      {"2001:db8::1", AddressClass::kDocumentation},
      {"2002:7f00:1::", AddressClass::kLoopback},  // 6to4 of 127.0.0.1
      {"2002:a9fe:a9fe::1", AddressClass::kLinkLocal},
      {"2002:808:808::1", AddressClass::kPublic},
      {"fc00::1", AddressClass::kUniqueLocal},
      {"fd00::1", AddressClass::kUniqueLocal},
      {"fe80::1", AddressClass::kLinkLocal},
      {"fe80::1%lo", AddressClass::kLinkLocal},
      {"febf::1", AddressClass::kLinkLocal},
      {"fec0::1", AddressClass::kSiteLocal},
      {"ff02::1", AddressClass::kMulticast},
      {"2606:4700:4700::1111", AddressClass::kPublic},
      {"3fff:fff::1", AddressClass::kDocumentation},  // 3fff::/20 (RFC 9637)
      {"3fff:1000::1", AddressClass::kPublic},
      {"4000::1", AddressClass::kReserved},
  };
  for (const auto& [ip, want] : table) {
    INFO(ip);
    CHECK(ClassifyAddress(ip) == want);
  }
}

TEST_CASE("ClassifyAddress: only strict numeric text is an address", "[pluginpolicy][address]") {
  // The loose spellings are the URL layer's business (IsIpLiteral); here they
  // must not be mistaken for a public address.
  for (const char* s : {"", "localhost", "2130706433", "0177.0.0.1", "127.1", "0x7f000001",
                        "1.2.3.4.5", "[::1]", "::1::", "256.0.0.1"}) {
    INFO(s);
    CHECK(ClassifyAddress(s) == AddressClass::kInvalid);
  }
}

TEST_CASE("AddressClassName names every class", "[pluginpolicy][address]") {
  CHECK(std::string(AddressClassName(AddressClass::kLoopback)) == "loopback");
  CHECK(std::string(AddressClassName(AddressClass::kCarrierGradeNat)) == "carrier-grade NAT");
  CHECK(std::string(AddressClassName(AddressClass::kUniqueLocal)) == "unique-local");
  CHECK(std::string(AddressClassName(AddressClass::kLinkLocal)) == "link-local");
  CHECK(std::string(AddressClassName(AddressClass::kPublic)) == "public");
  CHECK(std::string(AddressClassName(AddressClass::kInvalid)) == "not an IP address");
}
