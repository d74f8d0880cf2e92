// ReadSecretKey against the real registry: required and optional keys.
#include <catch2/catch.hpp>

#include "operator/runtime/secrets.h"
#include "tests/unit/runtime/runtime_fixture.h"

using namespace dw;
using namespace dw::runtime;
using apiserver::testing::Doc;

TEST_CASE("ReadSecretKey: required and optional keys", "[runtime][secrets]") {
  testing::RuntimeFixture fx;
  const schema::ResourceInfo* secrets = fx.client().Resolve("v1", "Secret");
  REQUIRE(secrets);
  // "aHVudGVyMg==" is "hunter2".
  fx.MustCreate(*secrets, Doc(R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"db","namespace":"default"},)"
                              R"("data":{"password":"aHVudGVyMg=="}})"));
  std::string v;
  bool found = true;

  REQUIRE(ReadSecretKey(&fx.client(), "default", "db", "password", &v).ok());
  CHECK(v == "hunter2");
  REQUIRE(ReadSecretKey(&fx.client(), "default", "db", "password", &v, &found).ok());
  CHECK(found);
  CHECK(v == "hunter2");

  Status st = ReadSecretKey(&fx.client(), "default", "db", "username", &v);
  CHECK(st.code() == Code::kInvalid);
  CHECK(st.message() == "secret \"default/db\" has no key \"username\"");
  // Optional: absent is not an error.
  REQUIRE(ReadSecretKey(&fx.client(), "default", "db", "username", &v, &found).ok());
  CHECK_FALSE(found);
  CHECK(v.empty());

  // An optional key of a missing Secret is still an error (the API server
  // refuses Secrets with data that is not base64, so that case cannot be stored).
  st = ReadSecretKey(&fx.client(), "default", "gone", "password", &v, &found);
  CHECK(st.IsNotFound());
  CHECK(st.message() == "secret \"default/gone\" not found");
}
