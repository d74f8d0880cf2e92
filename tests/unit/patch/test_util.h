// Shared helpers for patch tests: parse literals, compare structurally.
#pragma once

#include <string>

#include <catch2/catch.hpp>

#include "operator/json/json.h"

namespace dw::patch::testing {

inline json::Document J(const std::string& text) {
  json::Document d;
  Status st = json::Parse(text, &d);
  INFO(text);
  REQUIRE(st.ok());
  return d;
}

// Structural equality with both sides printed on failure.
inline void ExpectJson(const json::Value& got, const std::string& want) {
  json::Document w = J(want);
  INFO("got:  " << json::Serialize(got));
  INFO("want: " << json::Serialize(w));
  CHECK(json::Equal(got, w));
}

}  // namespace dw::patch::testing
