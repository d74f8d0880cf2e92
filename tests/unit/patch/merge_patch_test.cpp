#include <catch2/catch.hpp>

#include "operator/patch/patch.h"
#include "tests/unit/patch/test_util.h"

using dw::patch::testing::ExpectJson;
using dw::patch::testing::J;
namespace json = dw::json;

TEST_CASE("merge patch: RFC 7386 appendix A", "[merge]") {
  struct Case { const char *target, *patch, *want; };
  const Case cases[] = {
      {R"({"a":"b"})", R"({"a":"c"})", R"({"a":"c"})"},
      {R"({"a":"b"})", R"({"b":"c"})", R"({"a":"b","b":"c"})"},
      {R"({"a":"b"})", R"({"a":null})", R"({})"},
      {R"({"a":"b","b":"c"})", R"({"a":null})", R"({"b":"c"})"},
      {R"({"a":["b"]})", R"({"a":"c"})", R"({"a":"c"})"},
      {R"({"a":"c"})", R"({"a":["b"]})", R"({"a":["b"]})"},
      {R"({"a":{"b":"c"}})", R"({"a":{"b":"d","c":null}})", R"({"a":{"b":"d"}})"},
      {R"({"a":[{"b":"c"}]})", R"({"a":[1]})", R"({"a":[1]})"},
      {R"(["a","b"])", R"(["c","d"])", R"(["c","d"])"},
      {R"({"a":"b"})", R"(["c"])", R"(["c"])"},
      {R"({"a":"foo"})", R"(null)", R"(null)"},
      {R"({"a":"foo"})", R"("bar")", R"("bar")"},
      {R"({"e":null})", R"({"a":1})", R"({"e":null,"a":1})"},
      {R"([1,2])", R"({"a":"b","c":null})", R"({"a":"b"})"},
      {R"({})", R"({"a":{"bb":{"ccc":null}}})", R"({"a":{"bb":{}}})"},
  };
  for (const auto& c : cases) {
    json::Document t = J(c.target), p = J(c.patch);
    INFO(c.target << " + " << c.patch);
    REQUIRE(dw::patch::ApplyMergePatch(t, p, t.GetAllocator()).ok());
    ExpectJson(t, c.want);
  }
}

TEST_CASE("merge patch keeps member order of the target", "[merge]") {
  json::Document t = J(R"({"a":1,"b":2,"c":3})"), p = J(R"({"a":null,"d":4})");
  REQUIRE(dw::patch::ApplyMergePatch(t, p, t.GetAllocator()).ok());
  CHECK(json::Serialize(t) == R"({"b":2,"c":3,"d":4})");
}

TEST_CASE("CreateMergePatch", "[merge]") {
  struct Case { const char *orig, *mod, *want; };
  const Case cases[] = {
      {R"({"a":1,"b":2})", R"({"a":1,"b":3})", R"({"b":3})"},
      {R"({"a":1,"b":2})", R"({"a":1})", R"({"b":null})"},
      {R"({"a":{"x":1,"y":2}})", R"({"a":{"x":1}})", R"({"a":{"y":null}})"},
      {R"({"l":[1,2]})", R"({"l":[1,2,3]})", R"({"l":[1,2,3]})"},
      {R"({"a":{"x":1}})", R"({"a":{"x":1}})", R"({})"},
      {R"({"a":"s"})", R"({"a":{"x":1}})", R"({"a":{"x":1}})"},
  };
  for (const auto& c : cases) {
    json::Document o = J(c.orig), m = J(c.mod), out;
    dw::patch::CreateMergePatch(o, m, &out, out.GetAllocator());
    ExpectJson(out, c.want);
    // Round trip: the patch turns original into modified.
    REQUIRE(dw::patch::ApplyMergePatch(o, out, o.GetAllocator()).ok());
    CHECK(json::Equal(o, m));
  }
}

TEST_CASE("CreateThreeWayMergePatch as kubectl apply", "[merge]") {
  struct Case { const char *last, *mod, *live, *want; };
  const Case cases[] = {
      // Field dropped from the config is deleted; a server-set field is kept.
      {R"({"spec":{"a":1,"b":2}})", R"({"spec":{"a":1}})", R"({"spec":{"a":1,"b":2,"c":9}})",
       R"({"spec":{"b":null}})"},
      // Changed value vs live is set even when last-applied agreed.
      {R"({"spec":{"a":1}})", R"({"spec":{"a":1}})", R"({"spec":{"a":5}})", R"({"spec":{"a":1}})"},
      // Arrays compared whole.
      {R"({"spec":{"l":[1]}})", R"({"spec":{"l":[1,2]}})", R"({"spec":{"l":[1]}})", R"({"spec":{"l":[1,2]}})"},
      // Nothing to do.
      {R"({"spec":{"a":1}})", R"({"spec":{"a":1}})", R"({"spec":{"a":1},"status":{}})", R"({})"},
      // Field in no last-applied (first apply) but removed from config: untouched.
      {R"({})", R"({"spec":{"a":1}})", R"({"spec":{"a":1,"x":2}})", R"({})"},
      // Deletion and change in the same map.
      {R"({"metadata":{"labels":{"a":"1","b":"2"}}})", R"({"metadata":{"labels":{"a":"3"}}})",
       R"({"metadata":{"labels":{"a":"1","b":"2"}}})", R"({"metadata":{"labels":{"a":"3","b":null}}})"},
      // A whole map removed from the config.
      {R"({"spec":{"a":1},"data":{"k":"v"}})", R"({"spec":{"a":1}})", R"({"spec":{"a":1},"data":{"k":"v"}})",
       R"({"data":null})"},
  };
  for (const auto& c : cases) {
    json::Document l = J(c.last), m = J(c.mod), v = J(c.live), out;
    INFO(c.last << " | " << c.mod << " | " << c.live);
    dw::patch::CreateThreeWayMergePatch(l, m, v, &out, out.GetAllocator());
    ExpectJson(out, c.want);
  }
}
