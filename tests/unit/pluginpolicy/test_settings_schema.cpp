// settings_schema.h: the draft-07 subset adapter, keyword by keyword.
#include <catch2/catch.hpp>

#include <algorithm>

#include "reconcilers/pluginpolicy/settings_schema.h"

using dw::pluginpolicy::CheckSettings;
using dw::pluginpolicy::FormatSettingsErrors;
using dw::pluginpolicy::SettingsCheck;

namespace {

SettingsCheck Check(const std::string& schema, const std::string& settings) {
  dw::json::Document s, v;
  REQUIRE(dw::json::Parse(schema, &s).ok());
  REQUIRE(dw::json::Parse(settings, &v).ok());
  return CheckSettings(s, v);
}

// One error expected: returns "field: message".
std::string One(const std::string& schema, const std::string& settings) {
  SettingsCheck c = Check(schema, settings);
  REQUIRE(c.checked);
  REQUIRE(c.errors.size() == 1);
  return FormatSettingsErrors(c.errors);
}

bool Passes(const std::string& schema, const std::string& settings) {
  SettingsCheck c = Check(schema, settings);
  REQUIRE(c.checked);
  if (!c.ok()) UNSCOPED_INFO(FormatSettingsErrors(c.errors));
  return c.ok();
}

std::string Prop(const std::string& name, const std::string& sub) {
  return R"({"type":"object","properties":{")" + name + R"(":)" + sub + "}}";
}

}  // namespace

TEST_CASE("settings: no schema passes; root type", "[pluginpolicy][settings]") {
  SettingsCheck c = Check("null", R"({"anything":1})");
  CHECK(c.checked);
  CHECK(c.ok());
  CHECK(One(R"({"type":"object"})", "[1]") ==
        "settings: Invalid value: \"array\": value must be of type object: \"array\"");
}

TEST_CASE("settings: type, single and arrays", "[pluginpolicy][settings]") {
  CHECK(One(Prop("n", R"({"type":"integer"})"), R"({"n":"5"})") ==
        "settings.n: Invalid value: \"string\": value must be of type integer: \"string\"");
  CHECK(Passes(Prop("n", R"({"type":"integer"})"), R"({"n":5})"));
  CHECK(Passes(Prop("n", R"({"type":"integer"})"), R"({"n":5.0})"));  // draft-07: 5.0 is an integer
  CHECK_FALSE(Passes(Prop("n", R"({"type":"integer"})"), R"({"n":5.5})"));
  // ["string","null"]: nullable string.
  CHECK(Passes(Prop("s", R"({"type":["string","null"]})"), R"({"s":null})"));
  CHECK(Passes(Prop("s", R"({"type":["string","null"]})"), R"({"s":"x"})"));
  CHECK(One(Prop("s", R"({"type":["string","null"]})"), R"({"s":1})") ==
        "settings.s: Invalid value: \"integer\": value must be of type string: \"integer\"");
  // A plain "string" refuses null.
  CHECK_FALSE(Passes(Prop("s", R"({"type":"string"})"), R"({"s":null})"));
  // Several types.
  CHECK(Passes(Prop("v", R"({"type":["integer","string"]})"), R"({"v":3})"));
  CHECK(Passes(Prop("v", R"({"type":["integer","string"]})"), R"({"v":"3"})"));
  CHECK(One(Prop("v", R"({"type":["integer","string"]})"), R"({"v":true})") ==
        "settings.v: Invalid value: true: value must validate at least one schema (anyOf)");
  // ["integer","number"] is number.
  CHECK(Passes(Prop("v", R"({"type":["integer","number"]})"), R"({"v":1.5})"));
  // Only null.
  CHECK(Passes(Prop("z", R"({"type":"null"})"), R"({"z":null})"));
  CHECK(One(Prop("z", R"({"type":"null"})"), R"({"z":0})") ==
        "settings.z: Unsupported value: 0: supported values: null");
}

TEST_CASE("settings: objects", "[pluginpolicy][settings]") {
  const std::string s = R"({"type":"object","required":["name","port"],"additionalProperties":false,
      "properties":{"name":{"type":"string"},"port":{"type":"integer"},
                    "labels":{"type":"object","additionalProperties":{"type":"string"}}}})";
  CHECK(Passes(s, R"({"name":"a","port":1,"labels":{"k":"v"}})"));
  SettingsCheck c = Check(s, R"({"extra":1,"labels":{"k":2}})");
  REQUIRE(c.checked);
  CHECK(FormatSettingsErrors(c.errors) ==
        "settings.name: Required value\n"
        "settings.port: Required value\n"
        "settings.extra: Forbidden: value is a forbidden property\n"
        "settings.labels[k]: Invalid value: \"integer\": value must be of type string: \"integer\"");
  // additionalProperties true / absent: anything goes.
  CHECK(Passes(R"({"type":"object","additionalProperties":true,"properties":{}})", R"({"x":[1]})"));
  CHECK(Passes(R"({"type":"object"})", R"({"x":{"y":1}})"));
}

TEST_CASE("settings: enum and const", "[pluginpolicy][settings]") {
  CHECK(One(Prop("m", R"({"enum":["a","b"]})"), R"({"m":"c"})") ==
        "settings.m: Unsupported value: \"c\": supported values: \"a\", \"b\"");
  CHECK(Passes(Prop("m", R"({"enum":["a",1,null]})"), R"({"m":1})"));
  CHECK(One(Prop("m", R"({"const":5})"), R"({"m":3})") == "settings.m: Unsupported value: 3: supported values: 5");
  CHECK(Passes(Prop("m", R"({"const":{"a":[1]}})"), R"({"m":{"a":[1]}})"));
  // const and enum both apply.
  SettingsCheck c = Check(Prop("m", R"({"const":"a","enum":["b"]})"), R"({"m":"a"})");
  REQUIRE(c.errors.size() == 1);
  CHECK(c.errors[0].message == "Unsupported value: \"a\": supported values: \"b\"");
}

TEST_CASE("settings: numeric bounds (draft-07 exclusive forms)", "[pluginpolicy][settings]") {
  const std::string range = Prop("n", R"({"type":"number","minimum":1,"maximum":10})");
  CHECK(Passes(range, R"({"n":1})"));
  CHECK(Passes(range, R"({"n":10})"));
  CHECK(One(range, R"({"n":0})") == "settings.n: Invalid value: 0: value should be greater than or equal to 1");
  CHECK(One(range, R"({"n":10.5})") == "settings.n: Invalid value: 10.5: value should be less than or equal to 10");
  const std::string excl = Prop("n", R"({"exclusiveMinimum":1,"exclusiveMaximum":10})");
  CHECK(One(excl, R"({"n":1})") == "settings.n: Invalid value: 1: value should be greater than 1");
  CHECK(One(excl, R"({"n":10})") == "settings.n: Invalid value: 10: value should be less than 10");
  CHECK(Passes(excl, R"({"n":1.5})"));
  // Both forms on one side: the stricter wins.
  const std::string both_lo = Prop("n", R"({"minimum":5,"exclusiveMinimum":3})");
  CHECK(Passes(both_lo, R"({"n":5})"));
  CHECK(One(both_lo, R"({"n":4})") == "settings.n: Invalid value: 4: value should be greater than or equal to 5");
  const std::string both_lo2 = Prop("n", R"({"minimum":3,"exclusiveMinimum":5})");
  CHECK(One(both_lo2, R"({"n":5})") == "settings.n: Invalid value: 5: value should be greater than 5");
  const std::string both_hi = Prop("n", R"({"maximum":5,"exclusiveMaximum":5})");
  CHECK(One(both_hi, R"({"n":5})") == "settings.n: Invalid value: 5: value should be less than 5");
  // Bounds ignore non-numbers (type is a separate keyword).
  CHECK(Passes(Prop("n", R"({"minimum":1})"), R"({"n":"zero"})"));
}

TEST_CASE("settings: strings", "[pluginpolicy][settings]") {
  CHECK(One(Prop("s", R"({"minLength":3})"), R"({"s":"ab"})") ==
        "settings.s: Invalid value: \"ab\": value should be at least 3 chars long");
  CHECK(One(Prop("s", R"({"maxLength":2})"), R"({"s":"abc"})") == "settings.s: Too long: may not be longer than 2");
  CHECK(Passes(Prop("s", R"({"maxLength":2})"), R"({"s":"éé"})"));  // characters, not bytes
  CHECK(One(Prop("s", R"({"pattern":"^[a-z]+$"})"), R"({"s":"A1"})") ==
        "settings.s: Invalid value: \"A1\": value should match '^[a-z]+$'");
  CHECK(Passes(Prop("s", R"({"pattern":"b"})"), R"({"s":"abc"})"));  // unanchored search
}

TEST_CASE("settings: arrays", "[pluginpolicy][settings]") {
  const std::string s = Prop("t", R"({"type":"array","minItems":1,"maxItems":3,"uniqueItems":true,
                                     "items":{"type":"string"}})");
  CHECK(Passes(s, R"({"t":["a","b"]})"));
  CHECK(One(s, R"({"t":[]})") == "settings.t: Invalid value: 0: value should have at least 1 items");
  CHECK(One(s, R"({"t":["a","b","c","d"]})") == "settings.t: Too many: 4: must have at most 3 items");
  CHECK(One(s, R"({"t":["a","a"]})") == "settings.t[1]: Duplicate value: \"a\"");
  CHECK(One(s, R"({"t":["a",2]})") ==
        "settings.t[1]: Invalid value: \"integer\": value must be of type string: \"integer\"");
}

TEST_CASE("settings: boolean schemas and annotations", "[pluginpolicy][settings]") {
  CHECK(Passes(Prop("x", "true"), R"({"x":[1,2]})"));
  CHECK(One(Prop("x", "false"), R"({"x":1})") == "settings.x: Invalid value: 1: value must not validate the schema (not)");
  CHECK(Passes(R"({"$schema":"http://json-schema.org/draft-07/schema#","title":"T","description":"d",
      "type":"object","properties":{"a":{"type":"integer","default":3,"examples":[1],"$comment":"c"}}})",
               R"({"a":1})"));
}

TEST_CASE("settings: keywords outside the subset skip the local check", "[pluginpolicy][settings]") {
  SettingsCheck c = Check(Prop("a", R"({"$ref":"#/definitions/x"})"), R"({"a":1})");
  CHECK_FALSE(c.checked);
  CHECK(c.ok());  // never a false refusal
  CHECK(c.skipped_reason == "keyword \"$ref\" at settings.a is not supported locally");
  c = Check(R"({"type":"object","properties":{"l":{"type":"array","items":{"format":"email"}}}})", "{}");
  CHECK_FALSE(c.checked);
  CHECK(c.skipped_reason == "keyword \"format\" at settings.l[] is not supported locally");
  for (const char* kw : {R"({"oneOf":[]})", R"({"if":{}})", R"({"patternProperties":{}})",
                         R"({"items":[{"type":"string"}]})", R"({"exclusiveMinimum":true})",
                         R"({"x-kubernetes-int-or-string":true})", R"({"nullable":true})"}) {
    INFO(kw);
    CHECK_FALSE(Check(kw, "{}").checked);
  }
  c = Check(R"({"type":"strin"})", "{}");
  CHECK_FALSE(c.checked);
  CHECK(c.skipped_reason == "type \"strin\" at settings is not a JSON Schema type");
  CHECK_FALSE(Check("[1]", "{}").checked);
}

TEST_CASE("settings: the formatted errors stop at 20 lines", "[pluginpolicy][settings]") {
  std::vector<dw::FieldCause> errors;
  for (int i = 0; i < 25; ++i) errors.push_back({"FieldValueTypeInvalid", "settings.f" + std::to_string(i), "must be a string"});
  const std::string text = dw::pluginpolicy::FormatSettingsErrors(errors);
  CHECK(std::count(text.begin(), text.end(), '\n') == 20);
  CHECK(text.rfind("settings.f19: must be a string\nand 5 more") != std::string::npos);
  CHECK(text.find("settings.f20") == std::string::npos);
}
