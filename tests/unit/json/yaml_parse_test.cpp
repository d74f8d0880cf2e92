#include <catch2/catch.hpp>

#include <cmath>

#include "operator/json/yaml.h"

namespace {

using dw::json::Document;
using dw::json::Value;

Document Parse(const std::string& text) {
  Document d;
  dw::Status st = dw::yaml::ParseOne(text, {"t.yaml", true}, &d);
  INFO(text);
  INFO(st.message());
  REQUIRE(st.ok());
  return d;
}

std::string ParseJson(const std::string& text) { return dw::json::Serialize(Parse(text)); }

std::string ParseError(const std::string& text) {
  Document d;
  dw::Status st = dw::yaml::ParseOne(text, {"t.yaml", true}, &d);
  REQUIRE_FALSE(st.ok());
  CHECK(st.code() == dw::Code::kBadRequest);
  return st.message();
}

}  // namespace

TEST_CASE("yaml: plain scalars resolve per the core schema", "[yaml]") {
  CHECK(ParseJson("a: null\nb: Null\nc: NULL\nd: ~\ne:\n") ==
        R"({"a":null,"b":null,"c":null,"d":null,"e":null})");
  CHECK(ParseJson("[true, True, TRUE, false, False, FALSE]") == "[true,true,true,false,false,false]");
  // YAML 1.1 booleans are strings here, like sigs.k8s.io/yaml's core schema.
  CHECK(ParseJson("[yes, no, on, off, y, n]") == R"(["yes","no","on","off","y","n"])");
  CHECK(ParseJson("[0, 42, -7, +3, 0o17, 0x1F, 0x1f, 0123]") == "[0,42,-7,3,15,31,31,123]");
  CHECK(ParseJson("[9223372036854775807, -9223372036854775808, 18446744073709551615]") ==
        "[9223372036854775807,-9223372036854775808,18446744073709551615]");
  CHECK(ParseJson("[1.5, -0.25, 1e3, 2.0, .5, 1., 6.02e+23]") == "[1.5,-0.25,1000.0,2.0,0.5,1.0,6.02e23]");
  CHECK(ParseJson("[0x, 0o8, 1_000, 1:30, 1.2.3, 0b101, --1, 1e, e3]") ==
        R"(["0x","0o8","1_000","1:30","1.2.3","0b101","--1","1e","e3"])");
}

TEST_CASE("yaml: integral floats stay doubles, ints stay ints", "[yaml]") {
  Document d = Parse("a: 2.0\nb: 2\nc: 1e3\n");
  CHECK(d["a"].IsDouble());
  CHECK(d["a"].GetDouble() == 2.0);
  CHECK(d["b"].IsInt64());
  CHECK_FALSE(d["b"].IsDouble());
  CHECK(d["c"].IsDouble());
  CHECK(d["c"].GetDouble() == 1000.0);
}

TEST_CASE("yaml: infinities and NaN", "[yaml]") {
  Document d = Parse("[.inf, -.Inf, +.INF, .nan, .NaN]");
  CHECK(std::isinf(d[0].GetDouble()));
  CHECK(d[0].GetDouble() > 0);
  CHECK(d[1].GetDouble() < 0);
  CHECK(d[2].GetDouble() > 0);
  CHECK(std::isnan(d[3].GetDouble()));
  CHECK(std::isnan(d[4].GetDouble()));
}

TEST_CASE("yaml: quoted and block scalars stay strings", "[yaml]") {
  CHECK(ParseJson("['true', \"123\", '', \"null\", '~', \"1.5\"]") ==
        R"(["true","123","","null","~","1.5"])");
  CHECK(ParseJson("a: |\n  line1\n  line2\nb: >-\n  folded\n  text\nc: |-\n  42\n") ==
        R"({"a":"line1\nline2\n","b":"folded text","c":"42"})");
  CHECK(ParseJson("\"esc\\t\\u00e9\\n\"") == R"("esc\té\n")");
}

TEST_CASE("yaml: explicit tags are honoured", "[yaml]") {
  CHECK(ParseJson("[!!str 123, !!str true, !!int '42', !!float 3, !!bool 'false', !!null '', ! 12]") ==
        R"(["123","true",42,3.0,false,null,"12"])");
  CHECK(ParseError("x: !!int abc\n") == "t.yaml:1:4: cannot parse \"abc\" as !!int");
  CHECK(ParseError("x: !!bool yes\n") == "t.yaml:1:4: cannot parse \"yes\" as !!bool");
}

TEST_CASE("yaml: keys are the scalar text", "[yaml]") {
  CHECK(ParseJson("1: a\ntrue: b\nnull: c\n'q': d\n") == R"({"1":"a","true":"b","null":"c","q":"d"})");
}

TEST_CASE("yaml: non-scalar keys are rejected with a position", "[yaml]") {
  CHECK(ParseError("? [a, b]\n: c\n") == "t.yaml:1:3: mapping key must be a scalar");
  CHECK(ParseError("x:\n  {a: 1}: 2\n") == "t.yaml:2:3: mapping key must be a scalar");
}

TEST_CASE("yaml: duplicate keys are an error", "[yaml]") {
  CHECK(ParseError("a: 1\nb: 2\na: 3\n") == "t.yaml:3:1: mapping key \"a\" already defined at line 1");
  CHECK(ParseError("m:\n  x: 1\n  y: 2\n  x: 3\n") ==
        "t.yaml:4:3: mapping key \"x\" already defined at line 2");
  // Large mappings use a hash index; the check must still hold.
  std::string big;
  for (int i = 0; i < 100; ++i) big += "k" + std::to_string(i) + ": " + std::to_string(i) + "\n";
  CHECK(Parse(big).MemberCount() == 100);
  CHECK(ParseError(big + "k57: x\n") == "t.yaml:101:1: mapping key \"k57\" already defined at line 58");
  // Same key in different mappings is fine.
  CHECK(ParseJson("a: {x: 1}\nb: {x: 2}\n") == R"({"a":{"x":1},"b":{"x":2}})");
}

TEST_CASE("yaml: libyaml errors carry file, line and column", "[yaml]") {
  CHECK(ParseError("a: 1\n b: 2\n") == "t.yaml:2:3: mapping values are not allowed in this context");
  CHECK(ParseError("key: [1, 2\n") ==
        "t.yaml:2:1: did not find expected ',' or ']' while parsing a flow sequence");
  CHECK(ParseError("a:\n  - x\n  y: 1\n") ==
        "t.yaml:3:3: did not find expected '-' indicator while parsing a block collection");
  Document d;
  dw::Status st = dw::yaml::ParseOne("a: 'x\n", {}, &d);
  REQUIRE_FALSE(st.ok());
  CHECK(st.message().rfind("2:1: found unexpected end of stream", 0) == 0);
}

TEST_CASE("yaml: anchors, aliases and merge keys", "[yaml]") {
  CHECK(ParseJson("a: &x {k: 1}\nb: *x\nc: &s str\nd: *s\n") ==
        R"({"a":{"k":1},"b":{"k":1},"c":"str","d":"str"})");
  CHECK(ParseJson("base: &b {x: 1, y: 2}\nobj:\n  <<: *b\n  y: 3\n  z: 4\n") ==
        R"({"base":{"x":1,"y":2},"obj":{"x":1,"y":3,"z":4}})");
  // Keys before the merge win too; earlier maps in a merge list win.
  CHECK(ParseJson("a: &a {x: 1, y: 1}\nb: &b {y: 2, z: 2}\nc:\n  x: 0\n  <<: [*a, *b]\n") ==
        R"({"a":{"x":1,"y":1},"b":{"y":2,"z":2},"c":{"x":0,"y":1,"z":2}})");
  // Anchored keys can be aliased, as keys or values.
  CHECK(ParseJson("&k name: 1\nother: *k\n") == R"({"name":1,"other":"name"})");
  CHECK(ParseJson("a: &v 5\n*v : 6\n") == R"({"a":5,"5":6})");
  // A quoted "<<" is an ordinary key.
  CHECK(ParseJson("'<<': 1\n") == R"({"<<":1})");
  CHECK(ParseError("a: *nope\n") == "t.yaml:1:4: unknown anchor \"nope\" referenced");
  CHECK(ParseError("a:\n  <<: 3\n") == "t.yaml:2:7: merge value must be a mapping or a sequence of mappings");
  CHECK(ParseError("a: {x: 1}\nb:\n  x: 2\n  <<: {x: 3}\n  x: 4\n") ==
        "t.yaml:5:3: mapping key \"x\" already defined at line 3");
}

TEST_CASE("yaml: billion laughs is stopped", "[yaml]") {
  std::string bomb = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n";
  std::string prev = "a";
  for (char c = 'b'; c <= 'j'; ++c) {
    bomb += std::string(1, c) + ": &" + c + " [";
    for (int i = 0; i < 9; ++i) bomb += std::string(i ? "," : "") + "*" + prev;
    bomb += "]\n";
    prev = std::string(1, c);
  }
  std::string msg = ParseError(bomb);
  CHECK(msg.find("alias expansion exceeds 1000000 nodes") != std::string::npos);
  // Modest reuse is fine.
  CHECK(Parse("a: &a [1,2]\nb: [*a, *a, *a]\n")["b"].Size() == 3);
}

TEST_CASE("yaml: deep nesting is bounded", "[yaml]") {
  std::string deep(5000, '[');
  std::string msg = ParseError(deep);
  CHECK(msg.find("nesting deeper than 1000 levels") != std::string::npos);
  CHECK(Parse(std::string(500, '[') + std::string(500, ']')).IsArray());
}

TEST_CASE("yaml: multi-document streams", "[yaml]") {
  std::string text =
      "# leading comment\n"
      "---\n"
      "apiVersion: v1\n"
      "kind: A\n"
      "---\n"
      "# only a comment\n"
      "---\n"
      "kind: B\n"
      "...\n"
      "---\n"
      "kind: C\n";
  std::vector<dw::yaml::YamlDocument> docs;
  REQUIRE(dw::yaml::ParseAll(text, {"m.yaml", true}, &docs).ok());
  REQUIRE(docs.size() == 3);
  CHECK(dw::json::GetString(docs[0].doc, "kind") == "A");
  CHECK(docs[0].first_line == 2);
  CHECK(dw::json::GetString(docs[1].doc, "kind") == "B");
  CHECK(docs[1].first_line == 7);
  CHECK(dw::json::GetString(docs[2].doc, "kind") == "C");
  CHECK(docs[2].first_line == 10);
  CHECK(docs[2].lines.at("kind") == 11);

  Document d;
  dw::Status st = dw::yaml::ParseOne(text, {"m.yaml", true}, &d);
  CHECK(st.message() == "m.yaml: expected one YAML document, found 3");
  REQUIRE(dw::yaml::ParseOne("# nothing\n", {}, &d).ok());
  CHECK(d.IsNull());
  REQUIRE(dw::yaml::ParseAll("", {}, &docs).ok());
  CHECK(docs.empty());
}

TEST_CASE("yaml: line tracking uses Kubernetes field paths", "[yaml]") {
  std::string text =
      "apiVersion: dockward.io/v1\n"        // 1
      "kind: BackupPolicy\n"                // 2
      "metadata:\n"                         // 3
      "  name: nightly\n"                   // 4
      "spec:\n"                             // 5
      "  targets:\n"                        // 6
      "  - engine: postgres\n"              // 7
      "    port: 5432\n"                    // 8
      "  - engine: mysql\n"                 // 9
      "  args: [a,\n"                       // 10
      "    b]\n";                           // 11
  std::vector<dw::yaml::YamlDocument> docs;
  REQUIRE(dw::yaml::ParseAll(text, {"p.yaml", true}, &docs).ok());
  REQUIRE(docs.size() == 1);
  const auto& l = docs[0].lines;
  CHECK(l.at("apiVersion") == 1);
  CHECK(l.at("metadata") == 3);
  CHECK(l.at("metadata.name") == 4);
  CHECK(l.at("spec.targets") == 6);
  CHECK(l.at("spec.targets[0]") == 7);
  CHECK(l.at("spec.targets[0].engine") == 7);
  CHECK(l.at("spec.targets[0].port") == 8);
  CHECK(l.at("spec.targets[1].engine") == 9);
  CHECK(l.at("spec.args[1]") == 11);
  CHECK(l.size() == 14);

  REQUIRE(dw::yaml::ParseAll(text, {"p.yaml", false}, &docs).ok());
  CHECK(docs[0].lines.empty());
}

TEST_CASE("yaml: JSON input is accepted", "[yaml]") {
  CHECK(ParseJson(R"({"a": [1, 2.5, "x", null, true], "b": {"c": "\u00fc"}})") ==
        R"({"a":[1,2.5,"x",null,true],"b":{"c":"ü"}})");
}
