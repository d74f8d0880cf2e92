#include <catch2/catch.hpp>

#include "operator/patch/patch.h"
#include "tests/unit/patch/test_util.h"

using dw::patch::testing::ExpectJson;
using dw::patch::testing::J;
namespace json = dw::json;

namespace {

struct Ok { const char *doc, *ops, *want; };

void RunOk(const Ok& c) {
  json::Document d = J(c.doc), ops = J(c.ops);
  INFO(c.doc << " + " << c.ops);
  dw::Status st = dw::patch::ApplyJsonPatch(d, ops, d.GetAllocator());
  INFO(st.message());
  REQUIRE(st.ok());
  ExpectJson(d, c.want);
}

// Returns the error after checking the target is untouched.
dw::Status RunErr(const char* doc, const char* ops) {
  json::Document d = J(doc), o = J(ops);
  dw::Status st = dw::patch::ApplyJsonPatch(d, o, d.GetAllocator());
  CHECK_FALSE(st.ok());
  ExpectJson(d, doc);
  return st;
}

}  // namespace

TEST_CASE("json patch: RFC 6902 appendix A successes", "[jsonpatch]") {
  const Ok cases[] = {
      // A.1 add object member
      {R"({"foo":"bar"})", R"([{"op":"add","path":"/baz","value":"qux"}])", R"({"baz":"qux","foo":"bar"})"},
      // A.2 add array element
      {R"({"foo":["bar","baz"]})", R"([{"op":"add","path":"/foo/1","value":"qux"}])",
       R"({"foo":["bar","qux","baz"]})"},
      // A.3 remove object member
      {R"({"baz":"qux","foo":"bar"})", R"([{"op":"remove","path":"/baz"}])", R"({"foo":"bar"})"},
      // A.4 remove array element
      {R"({"foo":["bar","qux","baz"]})", R"([{"op":"remove","path":"/foo/1"}])", R"({"foo":["bar","baz"]})"},
      // A.5 replace
      {R"({"baz":"qux","foo":"bar"})", R"([{"op":"replace","path":"/baz","value":"boo"}])",
       R"({"baz":"boo","foo":"bar"})"},
      // A.6 move value
      {R"({"foo":{"bar":"baz","waldo":"fred"},"qux":{"corge":"grault"}})",
       R"([{"op":"move","from":"/foo/waldo","path":"/qux/thud"}])",
       R"({"foo":{"bar":"baz"},"qux":{"corge":"grault","thud":"fred"}})"},
      // A.7 move array element
      {R"({"foo":["all","grass","cows","eat"]})", R"([{"op":"move","from":"/foo/1","path":"/foo/3"}])",
       R"({"foo":["all","cows","eat","grass"]})"},
      // A.8 test success
      {R"({"baz":"qux","foo":["a",2,"c"]})",
       R"([{"op":"test","path":"/baz","value":"qux"},{"op":"test","path":"/foo/1","value":2}])",
       R"({"baz":"qux","foo":["a",2,"c"]})"},
      // A.10 add nested member object
      {R"({"foo":"bar"})", R"([{"op":"add","path":"/child","value":{"grandchild":{}}}])",
       R"({"foo":"bar","child":{"grandchild":{}}})"},
      // A.11 ignore unrecognized elements
      {R"({"foo":"bar"})", R"([{"op":"add","path":"/baz","value":"qux","xyz":123}])",
       R"({"foo":"bar","baz":"qux"})"},
      // A.14 ~ escape ordering
      {R"({"/":9,"~1":10})", R"([{"op":"test","path":"/~01","value":10}])", R"({"/":9,"~1":10})"},
      // A.16 add array value
      {R"({"foo":["bar"]})", R"([{"op":"add","path":"/foo/-","value":["abc","def"]}])",
       R"({"foo":["bar",["abc","def"]]})"},
      // Further: copy, append, whole-document replace, test deep equality ignoring member order.
      {R"({"a":{"b":1}})", R"([{"op":"copy","from":"/a","path":"/c"}])", R"({"a":{"b":1},"c":{"b":1}})"},
      {R"({"l":[1]})", R"([{"op":"add","path":"/l/1","value":2}])", R"({"l":[1,2]})"},
      {R"({"a":1})", R"([{"op":"add","path":"","value":[1]}])", R"([1])"},
      {R"({"a":{"x":1,"y":[1,{"z":2}]}})", R"([{"op":"test","path":"/a","value":{"y":[1,{"z":2}],"x":1.0}}])",
       R"({"a":{"x":1,"y":[1,{"z":2}]}})"},
      {R"({"a/b":1,"m~n":2})", R"([{"op":"remove","path":"/a~1b"},{"op":"replace","path":"/m~0n","value":3}])",
       R"({"m~n":3})"},
      {R"({})", R"([])", R"({})"},
  };
  for (const auto& c : cases) RunOk(c);
}

TEST_CASE("json patch: RFC 6902 appendix A failures leave the target untouched", "[jsonpatch]") {
  // A.9 test failure
  dw::Status st = RunErr(R"({"baz":"qux","foo":["a",2,"c"]})", R"([{"op":"test","path":"/baz","value":"bar"}])");
  CHECK(st.code() == dw::Code::kInvalid);
  CHECK(st.message() == "json patch op 0 (test /baz): test failed: value differs");
  // A.12 add to a nonexistent target
  st = RunErr(R"({"foo":"bar"})", R"([{"op":"add","path":"/baz/bat","value":"qux"}])");
  CHECK(st.code() == dw::Code::kBadRequest);
  CHECK(st.message() == "json patch op 0 (add /baz/bat): parent path not found");
  // A.13 invalid JSON patch document is a parse error upstream; a missing op here.
  st = RunErr(R"({"foo":"bar"})", R"([{"path":"/baz","value":"qux"}])");
  CHECK(st.message() == "json patch op 0 ( /baz): missing \"op\"");
  // A.15 comparing strings and numbers
  st = RunErr(R"({"/":9,"~1":10})", R"([{"op":"test","path":"/~01","value":"10"}])");
  CHECK(st.code() == dw::Code::kInvalid);
  // An earlier op succeeded, a later one fails: nothing is applied.
  st = RunErr(R"({"a":1})", R"([{"op":"add","path":"/b","value":2},{"op":"remove","path":"/zz"}])");
  CHECK(st.message() == "json patch op 1 (remove /zz): path not found");
}

TEST_CASE("json patch: malformed ops and bounds", "[jsonpatch]") {
  CHECK(RunErr(R"({"l":[1,2]})", R"([{"op":"add","path":"/l/3","value":0}])").message() ==
        "json patch op 0 (add /l/3): array index \"3\" out of bounds");
  CHECK(RunErr(R"({"l":[1,2]})", R"([{"op":"remove","path":"/l/2"}])").code() == dw::Code::kBadRequest);
  CHECK(RunErr(R"({"l":[1,2]})", R"([{"op":"replace","path":"/l/01","value":0}])").code() ==
        dw::Code::kBadRequest);
  CHECK(RunErr(R"({"l":[1,2]})", R"([{"op":"remove","path":"/l/-"}])").code() == dw::Code::kBadRequest);
  CHECK(RunErr(R"({"a":1})", R"([{"op":"frob","path":"/a"}])").message() ==
        "json patch op 0 (frob /a): unknown op \"frob\"");
  CHECK(RunErr(R"({"a":1})", R"([{"op":"add","path":"a","value":1}])").code() == dw::Code::kBadRequest);
  CHECK(RunErr(R"({"a":1})", R"([{"op":"add","path":"/~2","value":1}])").code() == dw::Code::kBadRequest);
  CHECK(RunErr(R"({"a":1})", R"([{"op":"add","path":"/b"}])").message() ==
        "json patch op 0 (add /b): missing \"value\"");
  CHECK(RunErr(R"({"a":{"b":1}})", R"([{"op":"move","from":"/a","path":"/a/b/c"}])").code() ==
        dw::Code::kBadRequest);
  CHECK(RunErr(R"({"a":1})", R"([{"op":"copy","from":"/x","path":"/b"}])").code() == dw::Code::kBadRequest);
  CHECK(RunErr(R"({"a":1})", R"({"op":"add"})").message() == "json patch must be an array of operations");
  CHECK(RunErr(R"({"a":1})", R"([{"op":"remove","path":""}])").code() == dw::Code::kBadRequest);
}
