#include <catch2/catch.hpp>

#include "operator/jsonpath/jsonpath.h"

namespace json = dw::json;
using dw::jsonpath::JsonPath;

namespace {

// Shaped after client-go's jsonpath_test.go store/pod-list fixtures.
const char kDoc[] = R"({
 "kind":"List","items":[
  {"metadata":{"name":"pod1","labels":{"app.kubernetes.io/name":"web"}},"spec":{"replicas":1},
   "status":{"conditions":[{"type":"Ready","status":"True"},{"type":"Synced","status":"False"}],"count":3}},
  {"metadata":{"name":"pod2"},"spec":{"replicas":3},
   "status":{"conditions":[{"type":"Ready","status":"False"}],"count":1.5}},
  {"metadata":{"name":"pod3"},"spec":{"replicas":5,"on":true},"status":{}}],
 "store":{"book":[{"price":8.95,"title":"a"},{"price":12.99,"title":"b"},{"price":22,"title":"c"}],
          "bicycle":{"color":"red","price":19.95}}})";

std::string Run(const std::string& tmpl, bool allow_missing = false) {
  json::Document d;
  REQUIRE(json::Parse(kDoc, &d).ok());
  JsonPath jp;
  dw::Status st = JsonPath::Parse(tmpl, &jp);
  INFO(tmpl << ": " << st.message());
  REQUIRE(st.ok());
  std::string out;
  st = jp.Execute(d, allow_missing, &out);
  INFO(st.message());
  REQUIRE(st.ok());
  return out;
}

}  // namespace

TEST_CASE("jsonpath renders like kubectl", "[jsonpath]") {
  struct Case { const char *tmpl, *want; };
  const Case cases[] = {
      {"{.kind}", "List"},
      {"kind is {.kind}!", "kind is List!"},
      {"{.items[*].metadata.name}", "pod1 pod2 pod3"},
      {"{.items[0].metadata.name}", "pod1"},
      {"{.items[-1].metadata.name}", "pod3"},
      {"{.items[1:3].metadata.name}", "pod2 pod3"},
      {"{.items[:2].metadata.name}", "pod1 pod2"},
      {"{.items[::2].metadata.name}", "pod1 pod3"},
      {"{.items[0,2].metadata.name}", "pod1 pod3"},
      {"{.items[*].spec.replicas}", "1 3 5"},
      {"{.items[*].status.count}", "3 1.5"},
      {"{.items[2].spec.on}", "true"},
      {"{.items[0].status.conditions[0]}", R"({"type":"Ready","status":"True"})"},
      {"{.items[0].metadata.labels['app.kubernetes.io/name']}", "web"},
      {"{.items[0].metadata['name','labels']}", R"(pod1 {"app.kubernetes.io/name":"web"})"},
      {"{..title}", "a b c"},
      {"{.store..price}", "8.95 12.99 22 19.95"},
      {"{.store.book[?(@.price>10)].title}", "b c"},
      {"{.store.book[?(@.price<=12.99)].title}", "a b"},
      {"{.store.book[?(@.title==\"c\")].price}", "22"},
      {"{.store.book[?(@.title!='c')].price}", "8.95 12.99"},
      {"{.items[?(@.spec.on)].metadata.name}", "pod3"},
      {"{.items[0].status.conditions[?(@.type==\"Ready\")].status}", "True"},
      {"{range .items[*]}{.metadata.name}{\"\\t\"}{.spec.replicas}{\"\\n\"}{end}", "pod1\t1\npod2\t3\npod3\t5\n"},
      {"{.store.bicycle}", R"({"color":"red","price":19.95})"},
      {"{.items[0].spec.*}", "1"},
      {"{$.kind}", "List"},
      {".kind", "List"},
      {"{.items[*].status.conditions[?(@.status==\"False\")].type}", "Synced Ready"},
  };
  for (const auto& c : cases) CHECK(Run(c.tmpl) == c.want);
  // pod3 has no conditions: allowed only with allow_missing.
  CHECK(Run("{range .items[*]}[{range .status.conditions[*]}{.type},{end}]{end}", true) ==
        "[Ready,Synced,][Ready,][]");
}

TEST_CASE("jsonpath @ and the range element", "[jsonpath]") {
  json::Document d;
  REQUIRE(json::Parse(R"(["a","b"])", &d).ok());
  JsonPath jp;
  REQUIRE(JsonPath::Parse("{range @[*]}<{@}>{end}", &jp).ok());
  std::string out;
  REQUIRE(jp.Execute(d, false, &out).ok());
  CHECK(out == "<a><b>");
}

TEST_CASE("jsonpath missing keys", "[jsonpath]") {
  json::Document d;
  REQUIRE(json::Parse(kDoc, &d).ok());
  JsonPath jp;
  REQUIRE(JsonPath::Parse("{.items[0].nope}", &jp).ok());
  std::string out = "x";
  dw::Status st = jp.Execute(d, false, &out);
  CHECK_FALSE(st.ok());
  CHECK(st.message() == "nope is not found");
  CHECK(out == "x");
  REQUIRE(jp.Execute(d, true, &out).ok());
  CHECK(out == "");
  REQUIRE(JsonPath::Parse("{.items[7]}", &jp).ok());
  CHECK(jp.Execute(d, false, &out).message() == "array index out of bounds: index 7, length 3");
  // No input left means no error (empty list then a field).
  REQUIRE(JsonPath::Parse("{.items[?(@.kind)].metadata.name}", &jp).ok());
  REQUIRE(jp.Execute(d, false, &out).ok());
  CHECK(out == "");
}

TEST_CASE("jsonpath Select for printer columns", "[jsonpath]") {
  json::Document d;
  REQUIRE(json::Parse(kDoc, &d).ok());
  JsonPath jp;
  REQUIRE(JsonPath::Parse(".items[0].status.conditions[?(@.type==\"Ready\")].status", &jp).ok());
  auto v = jp.Select(d);
  REQUIRE(v.size() == 1);
  CHECK(std::string(v[0]->GetString()) == "True");
  REQUIRE(JsonPath::Parse(".status.phase", &jp).ok());
  CHECK(jp.Select(d).empty());
}

TEST_CASE("jsonpath parse errors", "[jsonpath]") {
  JsonPath jp;
  for (const char* bad : {"{.a", "{range .items[*]}{.x}", "{end}", "{.a[}", "{.a[x]}", "{.a[?(@.b==)]}",
                          "{\"unterminated}", "{.a[::0]}"}) {
    INFO(bad);
    dw::Status st = JsonPath::Parse(bad, &jp);
    CHECK(st.code() == dw::Code::kBadRequest);
  }
}
