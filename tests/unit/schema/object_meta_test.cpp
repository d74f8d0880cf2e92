#include <catch2/catch.hpp>

#include <string>

#include "operator/schema/object_meta.h"

namespace {

dw::json::Document J(const std::string& text) {
  dw::json::Document d;
  REQUIRE(dw::json::Parse(text, &d).ok());
  return d;
}

// "field: message" per cause.
std::vector<std::string> Check(const std::string& meta, bool namespaced = true) {
  auto m = J(meta);
  std::vector<std::string> out;
  for (const auto& c : dw::schema::ValidateObjectMeta(m, namespaced)) out.push_back(c.field + ": " + c.message);
  return out;
}

using V = std::vector<std::string>;

}  // namespace

TEST_CASE("object meta: a complete valid metadata passes", "[schema][meta]") {
  CHECK(Check(R"({"name":"nightly.db-1","namespace":"prod","labels":{"app.kubernetes.io/name":"db","tier":""},
      "annotations":{"dockward.io/note":"anything: at all"},"finalizers":["dockward.io/cleanup"],
      "ownerReferences":[{"apiVersion":"dockward.io/v1alpha1","kind":"BackupPolicy","name":"p","uid":"u1","controller":true}]})")
            .empty());
  CHECK(Check(R"({"name":"ns1"})", false).empty());
}

TEST_CASE("object meta: name and generateName", "[schema][meta]") {
  CHECK(Check(R"({"namespace":"a"})") == V{"metadata.name: Required value: name or generateName is required"});
  CHECK(Check(R"({"generateName":"backup-","namespace":"a"})").empty());
  CHECK(Check(R"({"name":"","namespace":"a"})") == V{"metadata.name: Required value: name or generateName is required"});
  auto bad = Check(R"({"name":"Nightly_DB","namespace":"a"})");
  REQUIRE(bad.size() == 1);
  CHECK_THAT(bad[0], Catch::StartsWith("metadata.name: Invalid value: \"Nightly_DB\": a lowercase RFC 1123 subdomain"));
  CHECK(Check(R"({"name":")" + std::string(253, 'a') + R"(","namespace":"a"})").empty());
  CHECK(Check(R"({"name":")" + std::string(254, 'a') + R"(","namespace":"a"})").size() == 1);
  CHECK(Check(R"({"generateName":"Bad-","namespace":"a"})").size() == 1);
  CHECK(Check(R"({"name":5,"namespace":"a"})") == V{"metadata.name: Invalid value: 5: must be a string"});
  CHECK(Check("[]") == V{"metadata: Required value"});
}

TEST_CASE("object meta: namespace", "[schema][meta]") {
  CHECK(Check(R"({"name":"a"})") == V{"metadata.namespace: Required value"});
  CHECK(Check(R"({"name":"a","namespace":"prod"})", true).empty());
  CHECK(Check(R"({"name":"a","namespace":"prod"})", false) == V{"metadata.namespace: Forbidden: not allowed on this type"});
  auto dotted = Check(R"({"name":"a","namespace":"prod.eu"})");
  REQUIRE(dotted.size() == 1);
  CHECK_THAT(dotted[0], Catch::StartsWith("metadata.namespace: Invalid value: \"prod.eu\": a lowercase RFC 1123 label"));
  CHECK(Check(R"({"name":"a","namespace":")" + std::string(64, 'a') + "\"}").size() == 1);
}

TEST_CASE("object meta: labels and annotations", "[schema][meta]") {
  auto bad_key = Check(R"({"name":"a","namespace":"n","labels":{"-bad":"x"}})");
  REQUIRE(bad_key.size() == 1);
  CHECK_THAT(bad_key[0], Catch::StartsWith("metadata.labels: Invalid value: \"-bad\": name part must consist of"));
  auto bad_value = Check(R"({"name":"a","namespace":"n","labels":{"ok":"has space"}})");
  REQUIRE(bad_value.size() == 1);
  CHECK_THAT(bad_value[0], Catch::StartsWith("metadata.labels: Invalid value: \"has space\": a valid label must be"));
  CHECK(Check(R"({"name":"a","namespace":"n","labels":{"ok":1}})") ==
        V{"metadata.labels[ok]: Invalid value: 1: must be a string"});
  CHECK(Check(R"({"name":"a","namespace":"n","labels":"x"})") ==
        V{"metadata.labels: Invalid value: \"x\": must be a map of strings"});
  // Annotation values are free-form but the total is capped at 256 KiB.
  std::string big(256 * 1024 - 1, 'v');
  CHECK(Check(R"({"name":"a","namespace":"n","annotations":{"k":")" + big + "\"}}").empty());
  CHECK(Check(R"({"name":"a","namespace":"n","annotations":{"k":")" + big + "vv\"}}") ==
        V{"metadata.annotations: Too long: must have at most 262144 bytes"});
  CHECK(Check(R"({"name":"a","namespace":"n","annotations":{"a/b/c":"x"}})").size() == 1);
}

TEST_CASE("object meta: finalizers and ownerReferences", "[schema][meta]") {
  CHECK(Check(R"({"name":"a","namespace":"n","finalizers":["dockward.io/x","ok"]})").empty());
  auto fin = Check(R"({"name":"a","namespace":"n","finalizers":["ok","bad finalizer"]})");
  REQUIRE(fin.size() == 1);
  CHECK_THAT(fin[0], Catch::StartsWith("metadata.finalizers[1]: Invalid value: \"bad finalizer\""));
  CHECK(Check(R"({"name":"a","namespace":"n","ownerReferences":[{"apiVersion":"v1","kind":"K"}]})") ==
        V{"metadata.ownerReferences[0].name: Required value", "metadata.ownerReferences[0].uid: Required value"});
  CHECK(Check(R"({"name":"a","namespace":"n","ownerReferences":[
      {"apiVersion":"v1","kind":"K","name":"x","uid":"1","controller":true},
      {"apiVersion":"v1","kind":"K","name":"y","uid":"2","controller":true}]})") ==
        V{"metadata.ownerReferences: Invalid value: 2: Only one reference can have Controller set to true"});
}

TEST_CASE("object meta: namespace-style names must be DNS labels", "[objectmeta]") {
  dw::json::Document d;
  REQUIRE(dw::json::Parse(R"({"name":"team.a"})", &d).ok());
  // A dot is fine in a subdomain (most kinds) but not in a label (Namespace).
  CHECK(dw::schema::ValidateObjectMeta(d, false).empty());
  auto causes = dw::schema::ValidateObjectMeta(d, false, dw::schema::NameRule::kDnsLabel);
  REQUIRE(causes.size() == 1);
  CHECK(causes[0].field == "metadata.name");
  CHECK(causes[0].message.find("RFC 1123 label") != std::string::npos);
  REQUIRE(dw::json::Parse(R"({"name":"team-a"})", &d).ok());
  CHECK(dw::schema::ValidateObjectMeta(d, false, dw::schema::NameRule::kDnsLabel).empty());
  REQUIRE(dw::json::Parse(R"({"name":")" + std::string(64, 'a') + R"("})", &d).ok());
  CHECK(dw::schema::ValidateObjectMeta(d, false, dw::schema::NameRule::kDnsLabel).size() == 1);
}
