#include <catch2/catch.hpp>

#include "operator/docker/timestamp.h"

using dw::docker::UnixSinceFromRfc3339;

TEST_CASE("RFC 3339 daemon time converts to Docker's since format exactly") {
  std::string out;
  REQUIRE(UnixSinceFromRfc3339("1970-01-01T00:00:00Z", &out).ok());
  CHECK(out == "0.000000000");
  REQUIRE(UnixSinceFromRfc3339("2026-11-23T14:47:05.754262163Z", &out).ok());
  CHECK(out == "1795445225.754262163");
  REQUIRE(UnixSinceFromRfc3339("2000-02-29T12:00:00.5Z", &out).ok());
  CHECK(out == "951825600.500000000");
  REQUIRE(UnixSinceFromRfc3339("2026-11-23T16:47:05.000000001+02:00", &out).ok());
  CHECK(out == "1795445225.000000001");
  REQUIRE(UnixSinceFromRfc3339("2026-11-23T09:17:05-05:30", &out).ok());
  CHECK(out == "1795445225.000000000");
}

TEST_CASE("malformed RFC 3339 times are rejected") {
  std::string out;
  for (const char* bad : {"", "2026-11-23", "2026-11-23T14:47:05", "2026-11-23 14:47:05Z",
                          "2026-13-01T00:00:00Z", "2026-11-23T24:00:00Z", "2026-11-23T14:47:05.Z",
                          "2026-11-23T14:47:05.1234567890Z", "2026-11-23T14:47:05+0200",
                          "2026-11-23T14:47:05Zjunk", "1795445225.754262163"}) {
    INFO(bad);
    CHECK(UnixSinceFromRfc3339(bad, &out).code() == dw::Code::kBadRequest);
  }
}
