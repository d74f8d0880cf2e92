#include <catch2/catch.hpp>

#include "operator/common/strings.h"

TEST_CASE("Join puts the separator between items only", "[common][strings]") {
  CHECK(dw::Join({}, ", ") == "");
  CHECK(dw::Join({"a"}, ", ") == "a");
  CHECK(dw::Join({"a", "b", "c"}, "; ") == "a; b; c");
}

TEST_CASE("JoinFirst names the first items and counts the rest", "[common][strings]") {
  CHECK(dw::JoinFirst({"a", "b", "c"}, ", ", 2, " ") == "a, b and 1 more");
  CHECK(dw::JoinFirst({"a", "b", "c"}, "; ", 1, "; ") == "a; and 2 more");
  CHECK(dw::JoinFirst({"a", "b"}, ", ", 2, " ") == "a, b");
  CHECK(dw::JoinFirst({"a", "b"}, ", ", 0, "") == "and 2 more");
}

TEST_CASE("Truncate cuts on a UTF-8 character boundary", "[common][strings]") {
  CHECK(dw::Truncate("short", 10) == "short");
  CHECK(dw::Truncate("abcdef", 3) == "abc...");
  // "é" is two bytes (C3 A9): a cut inside it drops the whole character.
  CHECK(dw::Truncate("ab\xC3\xA9z", 3) == "ab...");
  CHECK(dw::Truncate("ab\xC3\xA9z", 4) == "ab\xC3\xA9...");
}
