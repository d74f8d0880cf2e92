// Decoding of Kubernetes protobuf request bodies. The byte vectors are what
// kubectl v1.32 sent for `kubectl create namespace team-x` and
// `kubectl create secret generic creds --from-literal=user=admin
// --from-literal=pass=s3cret` (captured on the wire).
#include <catch2/catch.hpp>

#include "operator/apiserver/protobuf_body.h"

using namespace dw;

namespace {

std::string Hex(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}

const char* kNamespaceHex =
    "6b3873000a0f0a02763112094e616d657370616365121e0a160a067465616d2d7812001a0022002a003200380042"
    "0012001a020a001a002200";
const char* kSecretHex =
    "6b3873000a0c0a027631120653656372657412380a150a05637265647312001a0022002a00320038004200120e0a"
    "04706173731206733363726574120d0a0475736572120561646d696e1a001a002200";

}  // namespace

TEST_CASE("protobuf Namespace from kubectl create namespace") {
  json::Document d;
  REQUIRE(apiserver::DecodeProtobufObject(Hex(kNamespaceHex), &d).ok());
  // Empty proto2 strings and the zero creationTimestamp mean "unset".
  CHECK(json::Serialize(d) == R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"team-x"},"spec":{},"status":{}})");
}

TEST_CASE("protobuf Secret with bytes map and empty type") {
  json::Document d;
  REQUIRE(apiserver::DecodeProtobufObject(Hex(kSecretHex), &d).ok());
  CHECK(json::Serialize(d) ==
        R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"creds"},"data":{"pass":"czNjcmV0","user":"YWRtaW4="}})");
}

TEST_CASE("protobuf ObjectMeta maps, repeated fields, owner references and time") {
  // Hand-built Secret: metadata {name "s", labels {a: b}, finalizers [f1, f2],
  // creationTimestamp {seconds 1714521600}, ownerReferences [{kind K, name n,
  // uid u, apiVersion v1, controller true}]}, type "Opaque", immutable true.
  std::string meta = Hex("0a0173") + Hex("5a060a0161120162") + Hex("7202663172026632") +
                     Hex("420608") + Hex("808cc6b106") +
                     Hex("6a0f") + Hex("0a014b1a016e2201752a0276313001");
  std::string secret = Hex("0a") + std::string(1, static_cast<char>(meta.size())) + meta + Hex("1a064f70617175652801");
  std::string envelope = Hex("0a0c0a027631120653656372657412") + std::string(1, static_cast<char>(secret.size())) + secret;
  json::Document d;
  REQUIRE(apiserver::DecodeProtobufObject(std::string("k8s\0", 4) + envelope, &d).ok());
  CHECK(json::GetStringPath(d, "metadata.name") == "s");
  CHECK(json::GetStringPath(d, "metadata.labels.a") == "b");
  CHECK(json::Serialize(*json::FindPath(d, "metadata.finalizers")) == R"(["f1","f2"])");
  CHECK(json::GetStringPath(d, "metadata.creationTimestamp") == "2024-05-01T00:00:00Z");
  CHECK(json::Serialize(*json::FindPath(d, "metadata.ownerReferences")) ==
        R"([{"kind":"K","name":"n","uid":"u","apiVersion":"v1","controller":true}])");
  CHECK(json::GetString(d, "type") == "Opaque");
  CHECK(json::GetBool(d, "immutable") == true);
}

TEST_CASE("protobuf bodies that must be refused") {
  json::Document d;
  SECTION("no magic prefix") {
    Status st = apiserver::DecodeProtobufObject("{\"kind\":\"Secret\"}", &d);
    CHECK(st.code() == Code::kBadRequest);
  }
  SECTION("truncated inside the object") {
    std::string body = Hex(kSecretHex);
    body.resize(body.size() - 10);
    Status st = apiserver::DecodeProtobufObject(body, &d);
    CHECK(st.code() == Code::kBadRequest);
    CHECK(st.message().find("malformed protobuf") != std::string::npos);
  }
  SECTION("a kind that is not mapped is 415") {
    // typeMeta {apiVersion v1, kind ConfigMap}, raw empty.
    Status st = apiserver::DecodeProtobufObject(std::string("k8s\0", 4) + Hex("0a0f0a0276311209436f6e6669674d61701200"), &d);
    CHECK(st.code() == Code::kUnsupportedMediaType);
    CHECK(st.message().find("v1 ConfigMap") != std::string::npos);
  }
  SECTION("wrong wire type for a string field") {
    // Namespace whose metadata.name (field 1) is sent as a varint.
    std::string ns = Hex("0a020805");
    std::string body = std::string("k8s\0", 4) + Hex("0a0f0a02763112094e616d65737061636512") +
                       std::string(1, static_cast<char>(ns.size())) + ns;
    Status st = apiserver::DecodeProtobufObject(body, &d);
    CHECK(st.code() == Code::kBadRequest);
    CHECK(st.message().find("wire type of name") != std::string::npos);
  }
}
