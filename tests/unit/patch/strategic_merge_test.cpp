#include <catch2/catch.hpp>

#include "operator/patch/patch.h"
#include "tests/unit/patch/test_util.h"

using dw::patch::testing::ExpectJson;
using dw::patch::testing::J;
namespace json = dw::json;

namespace {

const char kSchema[] = R"({"type":"object","properties":{
 "spec":{"type":"object","properties":{
   "containers":{"type":"array","x-kubernetes-patch-merge-key":"name","x-kubernetes-patch-strategy":"merge",
     "items":{"type":"object","properties":{"name":{"type":"string"},
       "ports":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["port"],
                "items":{"type":"object"}}}}},
   "tags":{"type":"array","x-kubernetes-list-type":"set","items":{"type":"string"}},
   "args":{"type":"array","items":{"type":"string"}}}}}})";

struct Case { const char *name, *target, *patch, *want; };

}  // namespace

TEST_CASE("strategic merge patch", "[smp]") {
  json::Document schema = J(kSchema);
  const Case cases[] = {
      {"map list merges by key", R"({"spec":{"containers":[{"name":"a","image":"x"},{"name":"b","image":"y"}]}})",
       R"({"spec":{"containers":[{"name":"b","image":"z"},{"name":"c","image":"w"}]}})",
       R"({"spec":{"containers":[{"name":"a","image":"x"},{"name":"b","image":"z"},{"name":"c","image":"w"}]}})"},
      {"nested map list by list-map-keys",
       R"({"spec":{"containers":[{"name":"a","ports":[{"port":80,"p":"TCP"},{"port":81}]}]}})",
       R"({"spec":{"containers":[{"name":"a","ports":[{"port":81,"p":"UDP"}]}]}})",
       R"({"spec":{"containers":[{"name":"a","ports":[{"port":80,"p":"TCP"},{"port":81,"p":"UDP"}]}]}})"},
      {"$patch delete in a list item",
       R"({"spec":{"containers":[{"name":"a"},{"name":"b"}]}})",
       R"({"spec":{"containers":[{"name":"a","$patch":"delete"}]}})", R"({"spec":{"containers":[{"name":"b"}]}})"},
      {"$patch replace a list", R"({"spec":{"containers":[{"name":"a"},{"name":"b"}]}})",
       R"({"spec":{"containers":[{"name":"c","$patch":"merge"},{"$patch":"replace"}]}})",
       R"({"spec":{"containers":[{"name":"c"}]}})"},
      {"$patch replace a map", R"({"spec":{"x":1,"y":{"z":2}}})", R"({"spec":{"$patch":"replace","w":3}})",
       R"({"spec":{"w":3}})"},
      {"$patch delete a map", R"({"spec":{"x":1},"keep":1})", R"({"spec":{"$patch":"delete"}})", R"({"keep":1})"},
      {"set list merges by value", R"({"spec":{"tags":["a","b"]}})", R"({"spec":{"tags":["b","c"]}})",
       R"({"spec":{"tags":["a","b","c"]}})"},
      {"atomic list replaced", R"({"spec":{"args":["a","b"]}})", R"({"spec":{"args":["c"]}})",
       R"({"spec":{"args":["c"]}})"},
      {"$deleteFromPrimitiveList", R"({"spec":{"tags":["a","b","c"]}})",
       R"({"spec":{"$deleteFromPrimitiveList/tags":["b","zz"]}})", R"({"spec":{"tags":["a","c"]}})"},
      {"$retainKeys", R"({"spec":{"type":"R","rolling":{"m":1},"other":2}})",
       R"({"spec":{"$retainKeys":["type"],"type":"Recreate"}})", R"({"spec":{"type":"Recreate"}})"},
      {"$setElementOrder for a map list",
       R"({"spec":{"containers":[{"name":"a"},{"name":"b"},{"name":"c"}]}})",
       R"({"spec":{"$setElementOrder/containers":[{"name":"c"},{"name":"a"}],"containers":[{"name":"c","i":1}]}})",
       R"({"spec":{"containers":[{"name":"c","i":1},{"name":"a"},{"name":"b"}]}})"},
      {"$setElementOrder for a primitive list", R"({"spec":{"tags":["a","b"]}})",
       R"({"spec":{"$setElementOrder/tags":["c","b","a"],"tags":["c"]}})", R"({"spec":{"tags":["c","b","a"]}})"},
      {"null deletes, directives in new subtrees are stripped", R"({"metadata":{"labels":{"a":"1","b":"2"}}})",
       R"({"metadata":{"labels":{"a":null}},"spec":{"containers":[{"name":"n","$patch":"merge"}],"$patch":"merge"}})",
       R"({"metadata":{"labels":{"b":"2"}},"spec":{"containers":[{"name":"n"}]}})"},
      {"finalizers merge as a set from the built-in ObjectMeta",
       R"({"metadata":{"finalizers":["x"]}})", R"({"metadata":{"finalizers":["y","x"]}})",
       R"({"metadata":{"finalizers":["x","y"]}})"},
      {"unknown fields: lists replaced", R"({"data":{"l":[1,2]}})", R"({"data":{"l":[3]}})", R"({"data":{"l":[3]}})"},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    json::Document t = J(c.target), p = J(c.patch);
    dw::Status st = dw::patch::ApplyStrategicMergePatch(t, p, &schema, t.GetAllocator());
    INFO(st.message());
    REQUIRE(st.ok());
    ExpectJson(t, c.want);
  }
}

TEST_CASE("strategic merge patch errors leave the target untouched", "[smp]") {
  json::Document schema = J(kSchema);
  struct Bad { const char *patch, *msg; };
  const Bad cases[] = {
      {R"({"spec":{"$patch":"explode"}})", "unknown patch type: \"explode\" in map"},
      {R"({"spec":{"containers":[{"image":"x"}]}})", "list item is missing merge key \"name\""},
      {R"({"spec":{"containers":["x"]}})", "list item with merge key \"name\" is not an object"},
      {R"({"spec":{"$retainKeys":"type"}})", "$retainKeys must be a list of field names"},
      {R"({"spec":{"$deleteFromPrimitiveList/tags":"a"}})", "$deleteFromPrimitiveList/tags must be a list"},
      {R"([1])", "strategic merge patch must be a JSON object"},
  };
  const char* doc = R"({"spec":{"containers":[{"name":"a"}],"tags":["a"]}})";
  for (const auto& c : cases) {
    json::Document t = J(doc), p = J(c.patch);
    dw::Status st = dw::patch::ApplyStrategicMergePatch(t, p, &schema, t.GetAllocator());
    CHECK(st.code() == dw::Code::kBadRequest);
    CHECK(st.message() == c.msg);
    ExpectJson(t, doc);
  }
}

TEST_CASE("strategic merge patch without a schema acts as a merge patch", "[smp]") {
  json::Document t = J(R"({"a":[1,2],"b":{"c":1}})"), p = J(R"({"a":[3],"b":{"c":null,"d":2}})");
  REQUIRE(dw::patch::ApplyStrategicMergePatch(t, p, nullptr, t.GetAllocator()).ok());
  ExpectJson(t, R"({"a":[3],"b":{"d":2}})");
}
