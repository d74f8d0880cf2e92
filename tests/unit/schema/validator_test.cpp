#include <catch2/catch.hpp>

#include "operator/schema/validator.h"

using dw::schema::AdmissionResult;
using dw::schema::FieldValidation;

namespace {

dw::json::Document J(const std::string& text) {
  dw::json::Document d;
  dw::Status st = dw::json::Parse(text, &d);
  INFO(text << " -> " << st.ToString());
  REQUIRE(st.ok());
  return d;
}

// "field: message" for every error, in order.
std::vector<std::string> Errors(const std::string& schema, const std::string& obj) {
  auto s = J(schema);
  auto o = J(obj);
  AdmissionResult r;
  dw::schema::Validate(s, o, &r);
  std::vector<std::string> out;
  for (const auto& e : r.errors) out.push_back(e.field + ": " + e.message);
  return out;
}

using V = std::vector<std::string>;

// Wraps a property schema as {"type":"object","properties":{"x":<prop>}}.
std::string Prop(const std::string& prop) { return R"({"type":"object","properties":{"x":)" + prop + "}}"; }
std::string X(const std::string& value) { return R"({"x":)" + value + "}"; }

}  // namespace

TEST_CASE("validate: type", "[schema][validate]") {
  CHECK(Errors(Prop(R"({"type":"integer"})"), X("3")).empty());
  CHECK(Errors(Prop(R"({"type":"integer"})"), X("3.0")).empty());  // integral float is an integer
  CHECK(Errors(Prop(R"({"type":"integer"})"), X("3.5")) ==
        V{"x: Invalid value: \"number\": x in body must be of type integer: \"number\""});
  CHECK(Errors(Prop(R"({"type":"integer"})"), X("\"abc\"")) ==
        V{"x: Invalid value: \"string\": x in body must be of type integer: \"string\""});
  CHECK(Errors(Prop(R"({"type":"number"})"), X("3.5")).empty());
  CHECK(Errors(Prop(R"({"type":"number"})"), X("7")).empty());
  CHECK(Errors(Prop(R"({"type":"number"})"), X("true")) ==
        V{"x: Invalid value: \"boolean\": x in body must be of type number: \"boolean\""});
  CHECK(Errors(Prop(R"({"type":"string"})"), X("\"s\"")).empty());
  CHECK(Errors(Prop(R"({"type":"string"})"), X("1")) ==
        V{"x: Invalid value: \"integer\": x in body must be of type string: \"integer\""});
  CHECK(Errors(Prop(R"({"type":"boolean"})"), X("false")).empty());
  CHECK(Errors(Prop(R"({"type":"boolean"})"), X("\"true\"")).size() == 1);
  CHECK(Errors(Prop(R"({"type":"object"})"), X("{}")).empty());
  CHECK(Errors(Prop(R"({"type":"object"})"), X("[]")) ==
        V{"x: Invalid value: \"array\": x in body must be of type object: \"array\""});
  CHECK(Errors(Prop(R"({"type":"array"})"), X("[]")).empty());
  CHECK(Errors(Prop(R"({"type":"array"})"), X("{}")).size() == 1);
  // The root itself.
  CHECK(Errors(R"({"type":"object"})", "[1]") == V{": Invalid value: \"array\": body must be of type object: \"array\""});
}

TEST_CASE("validate: the assignment's example message", "[schema][validate]") {
  std::string schema = R"({"type":"object","properties":{"spec":{"type":"object","properties":{
      "retention":{"type":"object","properties":{"daily":{"type":"integer","minimum":0}}}}}}})";
  CHECK(Errors(schema, R"({"spec":{"retention":{"daily":"abc"}}})") ==
        V{"spec.retention.daily: Invalid value: \"string\": spec.retention.daily in body must be of type integer: \"string\""});
}

TEST_CASE("validate: nullable", "[schema][validate]") {
  CHECK(Errors(Prop(R"({"type":"string","nullable":true})"), X("null")).empty());
  CHECK(Errors(Prop(R"({"type":"string","nullable":true,"minLength":3})"), X("null")).empty());
  CHECK(Errors(Prop(R"({"type":"string"})"), X("null")) ==
        V{"x: Invalid value: \"null\": x in body must be of type string: \"null\""});
  // Untyped (preserve-unknown) nodes accept null.
  CHECK(Errors(Prop(R"({"x-kubernetes-preserve-unknown-fields":true})"), X("null")).empty());
}

TEST_CASE("validate: required", "[schema][validate]") {
  std::string s = R"({"type":"object","required":["a","b"],"properties":{"a":{"type":"string"},"b":{"type":"string"}}})";
  CHECK(Errors(s, R"({"a":"1","b":"2"})").empty());
  CHECK(Errors(s, R"({"b":"2"})") == V{"a: Required value"});
  CHECK(Errors(s, R"({})") == V{"a: Required value", "b: Required value"});
}

TEST_CASE("validate: enum", "[schema][validate]") {
  std::string s = Prop(R"({"type":"string","enum":["zstd","gzip","none"]})");
  CHECK(Errors(s, X("\"gzip\"")).empty());
  CHECK(Errors(s, X("\"x\"")) == V{"x: Unsupported value: \"x\": supported values: \"zstd\", \"gzip\", \"none\""});
  CHECK(Errors(Prop(R"({"type":"integer","enum":[1,2]})"), X("2")).empty());
  CHECK(Errors(Prop(R"({"type":"integer","enum":[1,2]})"), X("3")) ==
        V{"x: Unsupported value: 3: supported values: 1, 2"});
}

TEST_CASE("validate: pattern", "[schema][validate]") {
  std::string s = Prop(R"({"type":"string","pattern":"^[a-f0-9]{4}$"})");
  CHECK(Errors(s, X("\"ab12\"")).empty());
  CHECK(Errors(s, X("\"AB12\"")) == V{"x: Invalid value: \"AB12\": x in body should match '^[a-f0-9]{4}$'"});
  // Unanchored patterns search, like Go's regexp.MatchString.
  CHECK(Errors(Prop(R"({"type":"string","pattern":"b+"})"), X("\"abbc\"")).empty());
  // Non-strings are not pattern-checked.
  CHECK(Errors(Prop(R"({"x-kubernetes-int-or-string":true,"pattern":"^[a-z]+$"})"), X("5")).empty());
}

TEST_CASE("validate: minimum/maximum and exclusive bounds", "[schema][validate]") {
  std::string s = Prop(R"({"type":"integer","minimum":0,"maximum":10})");
  CHECK(Errors(s, X("0")).empty());
  CHECK(Errors(s, X("10")).empty());
  CHECK(Errors(s, X("-1")) == V{"x: Invalid value: -1: x in body should be greater than or equal to 0"});
  CHECK(Errors(s, X("11")) == V{"x: Invalid value: 11: x in body should be less than or equal to 10"});
  std::string e = Prop(R"({"type":"number","minimum":0,"exclusiveMinimum":true,"maximum":1,"exclusiveMaximum":true})");
  CHECK(Errors(e, X("0.5")).empty());
  CHECK(Errors(e, X("0")) == V{"x: Invalid value: 0: x in body should be greater than 0"});
  CHECK(Errors(e, X("1")) == V{"x: Invalid value: 1: x in body should be less than 1"});
  CHECK(Errors(Prop(R"({"type":"integer","multipleOf":5})"), X("15")).empty());
  CHECK(Errors(Prop(R"({"type":"integer","multipleOf":5})"), X("7")) ==
        V{"x: Invalid value: 7: x in body should be a multiple of 5"});
}

TEST_CASE("validate: minLength/maxLength count characters", "[schema][validate]") {
  std::string s = Prop(R"({"type":"string","minLength":2,"maxLength":3})");
  CHECK(Errors(s, X("\"ab\"")).empty());
  CHECK(Errors(s, X("\"\u00e9\u00e9\u00e9\"")).empty());  // 3 characters, 6 bytes
  CHECK(Errors(s, X("\"a\"")) == V{"x: Invalid value: \"a\": x in body should be at least 2 chars long"});
  CHECK(Errors(s, X("\"abcd\"")) == V{"x: Too long: may not be longer than 3"});
}

TEST_CASE("validate: minItems/maxItems/uniqueItems", "[schema][validate]") {
  std::string s = Prop(R"({"type":"array","minItems":1,"maxItems":2,"items":{"type":"string"}})");
  CHECK(Errors(s, X("[\"a\"]")).empty());
  CHECK(Errors(s, X("[]")) == V{"x: Invalid value: 0: x in body should have at least 1 items"});
  CHECK(Errors(s, X("[\"a\",\"b\",\"c\"]")) == V{"x: Too many: 3: must have at most 2 items"});
  std::string u = Prop(R"({"type":"array","uniqueItems":true})");
  CHECK(Errors(u, X("[1,\"1\",true]")).empty());  // different types are different values
  CHECK(Errors(u, X("[1,2,1]")) == V{"x[2]: Duplicate value: 1"});
  CHECK(Errors(u, X(R"([{"a":1,"b":2},{"b":2,"a":1}])")) == V{"x[1]: Duplicate value: {\"b\":2,\"a\":1}"});
}

TEST_CASE("validate: min/maxProperties", "[schema][validate]") {
  std::string s = Prop(R"({"type":"object","minProperties":1,"maxProperties":2,"additionalProperties":{"type":"string"}})");
  CHECK(Errors(s, X(R"({"a":"1"})")).empty());
  CHECK(Errors(s, X("{}")) == V{"x: Invalid value: 0: x in body should have at least 1 properties"});
  CHECK(Errors(s, X(R"({"a":"1","b":"2","c":"3"})")) == V{"x: Too many: 3: must have at most 2 items"});
}

TEST_CASE("validate: formats", "[schema][validate]") {
  struct Case {
    const char* format;
    const char* good;
    const char* bad;
  };
  const Case cases[] = {
      {"date-time", "2024-05-01T10:20:30Z", "2024-05-01 10:20"},
      {"date-time", "2024-05-01T10:20:30.123+02:00", "2024-13-01T10:20:30Z"},
      {"date", "2024-02-29", "2024-2-29"},
      {"uri", "https://example.com/x?y=1", "not a uri"},
      {"email", "ops@example.com", "ops@@example.com"},
      {"hostname", "db-1.example.com", "-db.example.com"},
      {"ipv4", "10.0.0.1", "10.0.0.256"},
      {"ipv6", "fe80::1", "fe80:::1"},
      {"cidr", "10.0.0.0/8", "10.0.0.0/33"},
      {"cidr", "2001:db8::/32", "2001:db8::/129"},
      {"uuid", "123e4567-e89b-12d3-a456-426614174000", "123e4567e89b12d3a456426614174000"},
      {"byte", "aGVsbG8=", "aGVsbG8"},
      {"duration", "1h30m", "90 minutes"},
      {"duration", "1.5s", "s"},
  };
  for (const auto& c : cases) {
    INFO(c.format << " good=" << c.good << " bad=" << c.bad);
    std::string s = Prop(std::string(R"({"type":"string","format":")") + c.format + "\"}");
    CHECK(Errors(s, X(std::string("\"") + c.good + "\"")).empty());
    CHECK(Errors(s, X(std::string("\"") + c.bad + "\"")) ==
          V{std::string("x: Invalid value: \"") + c.bad + "\": x in body must be of type " + c.format + ": \"" +
            c.bad + "\""});
  }
  // Unknown formats are accepted, like Kubernetes does.
  CHECK(Errors(Prop(R"({"type":"string","format":"password"})"), X("\"x\"")).empty());
  CHECK(Errors(Prop(R"({"type":"integer","format":"int32"})"), X("2147483647")).empty());
  CHECK(Errors(Prop(R"({"type":"integer","format":"int32"})"), X("2147483648")) ==
        V{"x: Invalid value: 2147483648: x in body must be of type int32: 2147483648"});
  CHECK(Errors(Prop(R"({"type":"integer","format":"int64"})"), X("9223372036854775807")).empty());
  CHECK(Errors(Prop(R"({"type":"integer","format":"int64"})"), X("9223372036854775808")).size() == 1);
}

TEST_CASE("validate: x-kubernetes-int-or-string", "[schema][validate]") {
  std::string s = Prop(R"({"x-kubernetes-int-or-string":true,"anyOf":[{"type":"integer"},{"type":"string"}]})");
  CHECK(Errors(s, X("512")).empty());
  CHECK(Errors(s, X("\"512Mi\"")).empty());
  CHECK(Errors(s, X("1.5")).size() >= 1);
  CHECK(Errors(s, X("true")).front() ==
        "x: Invalid value: \"boolean\": x in body must be of type integer,string: \"boolean\"");
}

TEST_CASE("validate: list-type set and map", "[schema][validate]") {
  std::string set = Prop(R"({"type":"array","x-kubernetes-list-type":"set","items":{"type":"string"}})");
  CHECK(Errors(set, X(R"(["a","b"])")).empty());
  CHECK(Errors(set, X(R"(["a","b","a"])")) == V{"x[2]: Duplicate value: \"a\""});
  std::string map = Prop(R"({"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["type"],
      "items":{"type":"object","properties":{"type":{"type":"string"},"status":{"type":"string"}}}})");
  CHECK(Errors(map, X(R"([{"type":"Ready","status":"True"},{"type":"Degraded","status":"True"}])")).empty());
  CHECK(Errors(map, X(R"([{"type":"Ready","status":"True"},{"type":"Ready","status":"False"}])")) ==
        V{"x[1]: Duplicate value: {\"type\":\"Ready\"}"});
}

TEST_CASE("validate: additionalProperties maps use [key] paths", "[schema][validate]") {
  std::string s = R"({"type":"object","properties":{"spec":{"type":"object","properties":{"limits":{"type":"object",
      "properties":{"services":{"type":"object","additionalProperties":{"type":"object",
      "properties":{"memory":{"type":"string","pattern":"^[0-9]+(Mi|Gi)$"}}}}}}}}}})";
  CHECK(Errors(s, R"({"spec":{"limits":{"services":{"web":{"memory":"512Mi"}}}}})").empty());
  CHECK(Errors(s, R"({"spec":{"limits":{"services":{"web":{"memory":"lots"}}}}})") ==
        V{"spec.limits.services[web].memory: Invalid value: \"lots\": spec.limits.services[web].memory in body "
          "should match '^[0-9]+(Mi|Gi)$'"});
  CHECK(Errors(Prop(R"({"type":"object","additionalProperties":false})"), X(R"({"a":1})")) ==
        V{"x.a: Forbidden: x.a in body is a forbidden property"});
}

TEST_CASE("validate: oneOf/anyOf/allOf/not", "[schema][validate]") {
  std::string one = R"({"type":"object","properties":{"a":{"type":"string"},"b":{"type":"string"}},
      "oneOf":[{"required":["a"]},{"required":["b"]}]})";
  CHECK(Errors(one, R"({"a":"x"})").empty());
  CHECK(Errors(one, R"({"b":"x"})").empty());
  CHECK(Errors(one, R"({})") == V{": Invalid value: {}: body must validate one and only one schema (oneOf). Found none valid"});
  CHECK(Errors(one, R"({"a":"x","b":"y"})") ==
        V{": Invalid value: {\"a\":\"x\",\"b\":\"y\"}: body must validate one and only one schema (oneOf). Found 2 valid alternatives"});
  std::string any = Prop(R"({"anyOf":[{"type":"integer"},{"type":"string","minLength":2}]})");
  CHECK(Errors(any, X("1")).empty());
  CHECK(Errors(any, X("\"ab\"")).empty());
  CHECK(Errors(any, X("\"a\"")) == V{"x: Invalid value: \"a\": x in body must validate at least one schema (anyOf)"});
  std::string all = Prop(R"({"type":"integer","allOf":[{"minimum":1},{"maximum":5}]})");
  CHECK(Errors(all, X("3")).empty());
  CHECK(Errors(all, X("9")) == V{"x: Invalid value: 9: x in body should be less than or equal to 5"});
  std::string no = Prop(R"({"type":"string","not":{"enum":["root"]}})");
  CHECK(Errors(no, X("\"app\"")).empty());
  CHECK(Errors(no, X("\"root\"")) == V{"x: Invalid value: \"root\": x in body must not validate the schema (not)"});
}

TEST_CASE("validate: embedded resources need apiVersion and kind", "[schema][validate]") {
  std::string s = Prop(R"({"type":"object","x-kubernetes-embedded-resource":true,"x-kubernetes-preserve-unknown-fields":true})");
  CHECK(Errors(s, X(R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"a"}})")).empty());
  CHECK(Errors(s, X(R"({"metadata":{}})")) ==
        V{"x.apiVersion: Required value: must not be empty for embedded resources",
          "x.kind: Required value: must not be empty for embedded resources"});
}

TEST_CASE("validate: all errors are reported together with exact paths", "[schema][validate]") {
  std::string s = R"({"type":"object","properties":{"spec":{"type":"object","required":["schedule"],"properties":{
      "schedule":{"type":"string"},
      "compression":{"type":"string","enum":["zstd","gzip","none"]},
      "targets":{"type":"array","items":{"type":"object","properties":{
          "engine":{"type":"string","enum":["postgres","mysql"]},
          "port":{"type":"integer","maximum":65535}}}}}}}})";
  auto errs = Errors(s, R"({"spec":{"compression":"lz4","targets":[{"engine":"postgres"},{"engine":"oracle","port":70000}]}})");
  CHECK(errs == V{"spec.schedule: Required value",
                  "spec.compression: Unsupported value: \"lz4\": supported values: \"zstd\", \"gzip\", \"none\"",
                  "spec.targets[1].engine: Unsupported value: \"oracle\": supported values: \"postgres\", \"mysql\"",
                  "spec.targets[1].port: Invalid value: 70000: spec.targets[1].port in body should be less than or equal to 65535"});
}

TEST_CASE("defaults: nested, in arrays and maps, never overwriting", "[schema][defaults]") {
  auto schema = J(R"({"type":"object","properties":{
      "metadata":{"type":"object","properties":{"name":{"type":"string","default":"never"}}},
      "spec":{"type":"object","default":{},"properties":{
        "compression":{"type":"string","default":"zstd"},
        "verify":{"type":"object","default":{},"properties":{"checksum":{"type":"boolean","default":true}}},
        "retry":{"type":"object","properties":{"attempts":{"type":"integer","default":3}}},
        "targets":{"type":"array","items":{"type":"object","properties":{"port":{"type":"integer","default":5432}}}},
        "services":{"type":"object","additionalProperties":{"type":"object","properties":{"cpus":{"type":"string","default":"1"}}}},
        "nul":{"type":"string","default":"filled"},
        "keepnull":{"type":"string","nullable":true,"default":"no"}}}}})");
  auto obj = J(R"({"metadata":{},"spec":{"compression":"gzip","targets":[{},{"port":1}],"services":{"web":{}},
                   "nul":null,"keepnull":null}})");
  dw::schema::ApplyDefaults(schema, obj, obj.GetAllocator());
  auto want = J(R"({"metadata":{},"spec":{"compression":"gzip","targets":[{"port":5432},{"port":1}],
                    "services":{"web":{"cpus":"1"}},"nul":"filled","keepnull":null,"verify":{"checksum":true}}})");
  INFO(dw::json::Serialize(obj));
  CHECK(dw::json::Equal(obj, want));  // retry stays absent: no default for the object itself

  auto empty = J("{}");
  dw::schema::ApplyDefaults(schema, empty, empty.GetAllocator());
  CHECK(dw::json::Equal(empty, J(R"({"spec":{"compression":"zstd","verify":{"checksum":true},"nul":"filled","keepnull":"no"}})")));
}

TEST_CASE("prune: ignore, warn and strict", "[schema][prune]") {
  auto schema = J(R"({"type":"object","properties":{
      "spec":{"type":"object","properties":{
        "a":{"type":"string"},
        "list":{"type":"array","items":{"type":"object","properties":{"k":{"type":"string"}}}},
        "free":{"type":"object","x-kubernetes-preserve-unknown-fields":true,"properties":{"typed":{"type":"object","properties":{}}}},
        "map":{"type":"object","additionalProperties":{"type":"object","properties":{"v":{"type":"string"}}}},
        "emb":{"type":"object","x-kubernetes-embedded-resource":true,"properties":{"spec":{"type":"object"}}}}}}})");
  const char* input = R"({"apiVersion":"x/v1","kind":"K","metadata":{"name":"n","whatever":1},
      "spec":{"a":"1","foo":2,"list":[{"k":"v","bad":1}],"free":{"any":{"deep":1},"typed":{"gone":1}},
              "map":{"m1":{"v":"x","junk":true}},"emb":{"apiVersion":"v1","kind":"Secret","metadata":{"name":"s"},"spec":{},"status":{}}},
      "status":{"x":1}})";
  const char* pruned = R"({"apiVersion":"x/v1","kind":"K","metadata":{"name":"n","whatever":1},
      "spec":{"a":"1","list":[{"k":"v"}],"free":{"any":{"deep":1},"typed":{}},
              "map":{"m1":{"v":"x"}},"emb":{"apiVersion":"v1","kind":"Secret","metadata":{"name":"s"},"spec":{}}}})";
  const std::vector<std::string> unknown = {
      "unknown field \"spec.foo\"", "unknown field \"spec.list[0].bad\"", "unknown field \"spec.free.typed.gone\"",
      "unknown field \"spec.map[m1].junk\"", "unknown field \"spec.emb.status\"", "unknown field \"status\""};

  SECTION("warn prunes and warns") {
    auto obj = J(input);
    AdmissionResult r;
    dw::schema::PruneUnknown(schema, obj, FieldValidation::kWarn, &r);
    CHECK(r.errors.empty());
    CHECK(r.warnings == unknown);
    INFO(dw::json::Serialize(obj));
    CHECK(dw::json::Equal(obj, J(pruned)));
  }
  SECTION("ignore prunes silently") {
    auto obj = J(input);
    AdmissionResult r;
    dw::schema::PruneUnknown(schema, obj, FieldValidation::kIgnore, &r);
    CHECK(r.errors.empty());
    CHECK(r.warnings.empty());
    CHECK(dw::json::Equal(obj, J(pruned)));
  }
  SECTION("strict reports errors") {
    auto obj = J(input);
    AdmissionResult r;
    dw::schema::PruneUnknown(schema, obj, FieldValidation::kStrict, &r);
    REQUIRE(r.errors.size() == unknown.size());
    CHECK(r.errors[0].field == "spec.foo");
    CHECK(r.errors[0].message == "unknown field \"spec.foo\"");
    CHECK(r.errors[3].field == "spec.map[m1].junk");
    CHECK(r.warnings.empty());
  }
}

TEST_CASE("admit: defaults, prune and validate in one pass", "[schema][admit]") {
  auto schema = J(R"({"type":"object","properties":{"spec":{"type":"object","required":["schedule"],"properties":{
      "schedule":{"type":"string","minLength":1},
      "compression":{"type":"string","enum":["zstd","gzip","none"],"default":"zstd"}}}}})");
  auto good = J(R"({"apiVersion":"dockward.io/v1alpha1","kind":"BackupPolicy","metadata":{"name":"a"},"spec":{"schedule":"@daily","x":1}})");
  auto r = dw::schema::Admit(schema, good, FieldValidation::kWarn, good.GetAllocator());
  CHECK(r.errors.empty());
  CHECK(r.warnings == std::vector<std::string>{"unknown field \"spec.x\""});
  CHECK(dw::json::GetString(good["spec"], "compression") == "zstd");
  CHECK_FALSE(good["spec"].HasMember("x"));

  auto bad = J(R"({"spec":{"compression":"lz4"}})");
  r = dw::schema::Admit(schema, bad, FieldValidation::kStrict, bad.GetAllocator());
  REQUIRE(r.errors.size() == 2);
  CHECK(r.errors[0].type == "FieldValueRequired");
  CHECK(r.errors[0].field == "spec.schedule");
  CHECK(r.errors[1].type == "FieldValueNotSupported");
}

TEST_CASE("validate: huge values are not fed to the regex engine", "[schema][validate]") {
  std::string s = Prop(R"({"type":"string","pattern":"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"})");
  CHECK(Errors(s, X("\"" + std::string(4096, 'a') + "\"")).empty());
  // 200 KB would overflow libstdc++'s recursive matcher; it must be refused, not crash.
  CHECK(Errors(s, X("\"" + std::string(200000, 'a') + "\"")) ==
        V{"x: Too long: may not be more than 4096 bytes when a pattern applies"});
}
