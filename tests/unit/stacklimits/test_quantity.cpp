// Quantity parsers: Kubernetes (decimal and binary suffixes) vs docker
// (always binary). The tables pin the exact byte counts, because mixing the
// two is a silent 7% drift.
#include <catch2/catch.hpp>

#include "reconcilers/stacklimits/quantity.h"

using namespace dw;
using namespace dw::stacklimits;

namespace {

int64_t K8s(const std::string& s) {
  int64_t v = -42;
  Status st = ParseK8sBytes(s, &v);
  INFO(s << ": " << st.ToString());
  REQUIRE(st.ok());
  return v;
}

int64_t Cpu(const std::string& s) {
  int64_t v = -42;
  Status st = ParseCpus(s, &v);
  INFO(s << ": " << st.ToString());
  REQUIRE(st.ok());
  return v;
}

int64_t Docker(const std::string& s) {
  int64_t v = -42;
  Status st = ParseDockerBytes(s, &v);
  INFO(s << ": " << st.ToString());
  REQUIRE(st.ok());
  return v;
}

}  // namespace

TEST_CASE("ParseK8sBytes: binary and decimal suffixes", "[quantity]") {
  CHECK(K8s("0") == 0);
  CHECK(K8s("100") == 100);
  CHECK(K8s("+100") == 100);
  CHECK(K8s("1Ki") == 1024);
  CHECK(K8s("512Mi") == 536870912);
  CHECK(K8s("64Mi") == 67108864);
  CHECK(K8s("2Gi") == 2147483648LL);
  CHECK(K8s("1Ti") == 1099511627776LL);
  CHECK(K8s("1Ei") == 1152921504606846976LL);
  CHECK(K8s("2G") == 2000000000);
  CHECK(K8s("1k") == 1000);
  CHECK(K8s("1M") == 1000000);
  CHECK(K8s("1.5Gi") == 1610612736);
  CHECK(K8s("0.5Mi") == 524288);
  CHECK(K8s(".5Ki") == 512);
  CHECK(K8s("1e3") == 1000);
  CHECK(K8s("5E+2") == 500);
  // Fractions of a byte round up.
  CHECK(K8s("1500m") == 2);
  CHECK(K8s("1.0001Ki") == 1025);
  CHECK(K8s("100n") == 1);
}

TEST_CASE("ParseK8sBytes: rejects bad text", "[quantity]") {
  int64_t v = 7;
  for (const char* bad : {"", "-1", "-5Mi", "Mi", "abc", "1.2.3", "12 Mi", "1mi", "1MB", "1Kb", "1Zi", "1e99",
                          "99999999999Ei", "1e"}) {
    INFO(bad);
    CHECK_FALSE(ParseK8sBytes(std::string(bad), &v).ok());
  }
  CHECK(v == 7);  // untouched on error
}

TEST_CASE("ParseK8sBytes: JSON integers, strings and numbers", "[quantity]") {
  json::Document d;
  REQUIRE(json::Parse(R"({"i": 268435456, "s": "256Mi", "f": 1.5, "neg": -1, "b": true})", &d).ok());
  int64_t v = 0;
  REQUIRE(ParseK8sBytes(d["i"], &v).ok());
  CHECK(v == 268435456);
  REQUIRE(ParseK8sBytes(d["s"], &v).ok());
  CHECK(v == 268435456);
  REQUIRE(ParseK8sBytes(d["f"], &v).ok());
  CHECK(v == 2);
  CHECK_FALSE(ParseK8sBytes(d["neg"], &v).ok());
  CHECK_FALSE(ParseK8sBytes(d["b"], &v).ok());
}

TEST_CASE("ParseCpus: cores and millicores to nano-CPUs", "[quantity]") {
  CHECK(Cpu("1") == 1000000000);
  CHECK(Cpu("0.5") == 500000000);
  CHECK(Cpu("1.5") == 1500000000);
  CHECK(Cpu("0.1") == 100000000);  // exact, no floating point error
  CHECK(Cpu("500m") == 500000000);
  CHECK(Cpu("1m") == 1000000);
  CHECK(Cpu("2.") == 2000000000);
  CHECK(Cpu("0.0000000001") == 1);  // below a nano-CPU rounds up
  int64_t v = 0;
  for (const char* bad : {"", "-1", "1k", "1Mi", "abc", "0.5 ", "m"}) {
    INFO(bad);
    CHECK_FALSE(ParseCpus(std::string(bad), &v).ok());
  }
  json::Document d;
  REQUIRE(json::Parse(R"({"i": 2, "f": 0.25, "s": "250m", "n": null})", &d).ok());
  REQUIRE(ParseCpus(d["i"], &v).ok());
  CHECK(v == 2000000000);
  REQUIRE(ParseCpus(d["f"], &v).ok());
  CHECK(v == 250000000);
  REQUIRE(ParseCpus(d["s"], &v).ok());
  CHECK(v == 250000000);
  CHECK_FALSE(ParseCpus(d["n"], &v).ok());
}

TEST_CASE("ParseDockerBytes: binary units, case-insensitive", "[quantity]") {
  CHECK(Docker("100") == 100);
  CHECK(Docker("100b") == 100);
  CHECK(Docker("512k") == 524288);
  CHECK(Docker("512KB") == 524288);
  CHECK(Docker("64m") == 67108864);
  CHECK(Docker("64M") == 67108864);
  CHECK(Docker("64mb") == 67108864);
  CHECK(Docker("1g") == 1073741824);
  CHECK(Docker("2g") == 2147483648LL);  // not 2*10^9: compose sizes are binary
  CHECK(Docker("1GB") == 1073741824);
  CHECK(Docker("1gib") == 1073741824);
  CHECK(Docker("1.5g") == 1610612736);
  CHECK(Docker("10 m") == 10485760);
  CHECK(Docker("1t") == 1099511627776LL);
  CHECK(Docker("1.5b") == 1);  // truncated, as docker and docker-py do
  int64_t v = 0;
  for (const char* bad : {"", "m", "-1m", "1x", "1mm", "1gbb", "1e3", "abc"}) {
    INFO(bad);
    CHECK_FALSE(ParseDockerBytes(std::string(bad), &v).ok());
  }
}

TEST_CASE("FormatBytes uses the largest exact binary unit", "[quantity]") {
  CHECK(FormatBytes(67108864) == "64Mi");
  CHECK(FormatBytes(268435456) == "256Mi");
  CHECK(FormatBytes(1073741824) == "1Gi");
  CHECK(FormatBytes(1610612736) == "1536Mi");
  CHECK(FormatBytes(1024) == "1Ki");
  CHECK(FormatBytes(1000) == "1000");
  CHECK(FormatBytes(2000000000) == "1953125Ki");
  CHECK(FormatBytes(1) == "1");
  CHECK(FormatBytes(0) == "0");
  CHECK(FormatBytes(-1) == "-1");
  // Round trip with the Kubernetes parser.
  for (int64_t b : {int64_t{67108864}, int64_t{1000}, int64_t{1536} << 20, int64_t{3} << 40}) {
    int64_t back = 0;
    REQUIRE(ParseK8sBytes(FormatBytes(b), &back).ok());
    CHECK(back == b);
  }
}

TEST_CASE("FormatCpus prints the shortest decimal", "[quantity]") {
  CHECK(FormatCpus(500000000) == "0.5");
  CHECK(FormatCpus(1500000000) == "1.5");
  CHECK(FormatCpus(2000000000) == "2");
  CHECK(FormatCpus(250000000) == "0.25");
  CHECK(FormatCpus(1) == "0.000000001");
  CHECK(FormatCpus(0) == "0");
  for (int64_t n : {int64_t{500000000}, int64_t{1}, int64_t{12345678900}}) {
    int64_t back = 0;
    REQUIRE(ParseCpus(FormatCpus(n), &back).ok());
    CHECK(back == n);
  }
}
