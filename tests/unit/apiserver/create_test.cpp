// ObjectRegistry::Create: server-set metadata, generateName, conflicts with
// existing objects and missing namespaces, status stripping, CRD defaulting,
// pruning vs. strict field validation, and schema errors with every cause.
#include "registry_fixture.h"

using namespace dw;
using namespace dw::apiserver;
using namespace dw::apiserver::testing;

TEST_CASE("create sets uid, creationTimestamp, generation and resourceVersion", "[create]") {
  RegistryFixture f;
  int64_t before = f.store().Revision();
  auto d = Policy("nightly", "", R"(,"uid":"client-uid","resourceVersion":"77","generation":9)");
  WriteResult res;
  Status st = f.reg().Create(f.bp(), "default", d, WriteOptions{}, &res);
  INFO(st.ToString());
  REQUIRE(st.ok());
  CHECK(res.created);
  CHECK(res.object.rv == before + 1);
  auto obj = Parsed(res.object);
  const json::Value& m = obj["metadata"];
  std::string uid = json::GetString(m, "uid");
  CHECK(uid.size() == 36);
  CHECK(uid != "client-uid");
  CHECK(uid[8] == '-');
  std::string ts = json::GetString(m, "creationTimestamp");
  CHECK(ts.size() == 20);
  CHECK(ts.back() == 'Z');
  CHECK(json::GetInt(m, "generation") == 1);
  CHECK(json::GetString(m, "resourceVersion") == std::to_string(res.object.rv));
  CHECK(json::GetString(m, "namespace") == "default");
  CHECK(json::GetString(obj, "apiVersion") == "dockward.io/v1alpha1");
  CHECK(json::GetString(obj, "kind") == "BackupPolicy");
  // What Get returns is what Create returned.
  CHECK(json::Equal(f.MustGet(f.bp(), "nightly"), obj));
}

TEST_CASE("create fills apiVersion and kind when the body omits them", "[create]") {
  RegistryFixture f;
  auto d = Doc(R"({"metadata":{"name":"x"},"spec":{"schedule":"@daily","destination":{"path":"/b"}}})");
  auto obj = f.MustCreate(f.bp(), std::move(d));
  CHECK(json::GetString(obj, "apiVersion") == "dockward.io/v1alpha1");
  CHECK(json::GetString(obj, "kind") == "BackupPolicy");
}

TEST_CASE("create with generateName appends a 5-character suffix", "[create]") {
  RegistryFixture f;
  auto make = [] {
    return Doc(R"({"apiVersion":"dockward.io/v1alpha1","kind":"BackupPolicy","metadata":{"generateName":"run-"},)"
               R"("spec":{"schedule":"@daily","destination":{"path":"/b"}}})");
  };
  auto a = f.MustCreate(f.bp(), make());
  auto b = f.MustCreate(f.bp(), make());
  std::string na = json::GetStringPath(a, "metadata.name");
  std::string nb = json::GetStringPath(b, "metadata.name");
  CHECK(na.size() == 9);
  CHECK(na.rfind("run-", 0) == 0);
  CHECK(na.find_first_not_of("bcdfghjklmnpqrstvwxz2456789", 4) == std::string::npos);
  CHECK(na != nb);
  CHECK(json::GetStringPath(a, "metadata.generateName") == "run-");
}

TEST_CASE("create without name or generateName is Invalid", "[create]") {
  RegistryFixture f;
  auto d = Doc(R"({"metadata":{},"spec":{"schedule":"@daily","destination":{"path":"/b"}}})");
  WriteResult res;
  Status st = f.reg().Create(f.bp(), "default", d, WriteOptions{}, &res);
  CHECK(st.code() == Code::kInvalid);
  CHECK(HasCause(st, "metadata.name"));
}

TEST_CASE("create of an existing name is AlreadyExists with the Kubernetes message", "[create]") {
  RegistryFixture f;
  f.MustCreate(f.bp(), Policy("x"));
  int64_t rev = f.store().Revision();
  auto again = Policy("x", R"(,"suspend":true)");
  WriteResult res;
  Status st = f.reg().Create(f.bp(), "default", again, WriteOptions{}, &res);
  CHECK(st.code() == Code::kAlreadyExists);
  CHECK(st.message() == "backuppolicies.dockward.io \"x\" already exists");
  CHECK(f.store().Revision() == rev);
  CHECK(json::GetBool(f.MustGet(f.bp(), "x")["spec"], "suspend") == false);
}

TEST_CASE("dry-run create of an existing name is AlreadyExists too", "[create]") {
  RegistryFixture f;
  f.MustCreate(f.bp(), Policy("x"));
  auto again = Policy("x");
  WriteOptions o;
  o.dry_run = true;
  WriteResult res;
  CHECK(f.reg().Create(f.bp(), "default", again, o, &res).code() == Code::kAlreadyExists);
}

TEST_CASE("create in a missing namespace is NotFound", "[create]") {
  RegistryFixture f;
  auto d = Policy("x");
  WriteResult res;
  Status st = f.reg().Create(f.bp(), "nope", d, WriteOptions{}, &res);
  CHECK(st.code() == Code::kNotFound);
  CHECK(st.message() == "namespaces \"nope\" not found");
  CHECK_FALSE(f.Exists(f.bp(), "x", "nope"));
}

TEST_CASE("create with a body namespace different from the request's is BadRequest", "[create]") {
  RegistryFixture f;
  f.CreateNamespace("other");
  auto d = Policy("x", "", R"(,"namespace":"other")");
  WriteResult res;
  CHECK(f.reg().Create(f.bp(), "default", d, WriteOptions{}, &res).code() == Code::kBadRequest);
  CHECK_FALSE(f.Exists(f.bp(), "x", "other"));
  CHECK_FALSE(f.Exists(f.bp(), "x", "default"));
}

TEST_CASE("create drops status for kinds with a status subresource", "[create]") {
  RegistryFixture f;
  auto d = Doc(R"({"apiVersion":"dockward.io/v1alpha1","kind":"Backup","metadata":{"name":"b1"},)"
               R"("spec":{"host":"local","container":"db","engine":"mysql"},"status":{"phase":"Succeeded"}})");
  auto obj = f.MustCreate(f.backups(), std::move(d));
  CHECK(json::Find(obj, "status") == nullptr);
}

TEST_CASE("create applies the CRD's defaults", "[create]") {
  RegistryFixture f;
  auto obj = f.MustCreate(f.bp(), Policy("d", R"(,"retry":{"attempts":5})"));
  const json::Value& s = obj["spec"];
  REQUIRE(s["dockerHosts"].IsArray());
  REQUIRE(s["dockerHosts"].Size() == 1);
  CHECK(std::string(s["dockerHosts"][0].GetString()) == "local");
  CHECK(json::GetString(s, "labelPrefix") == "dockward.io/backup.");
  CHECK(json::GetString(s, "timeZone") == "UTC");
  CHECK(json::GetString(s, "concurrencyPolicy") == "Forbid");
  CHECK(json::GetString(s, "compression") == "zstd");
  CHECK(json::GetInt(s, "timeoutSeconds") == 3600);
  CHECK(json::GetInt(s, "maxConcurrentPerHost") == 2);
  CHECK(json::GetBool(s, "suspend", true) == false);
  // Nested defaults inside a defaulted object and beside a user value.
  CHECK(json::GetBool(s["verify"], "checksum") == true);
  CHECK(json::GetBool(s["verify"], "content") == true);
  CHECK(json::GetInt(s["retry"], "attempts") == 5);
  CHECK(json::GetInt(s["retry"], "backoffSeconds") == 10);
  // No default for an absent optional object.
  CHECK(json::Find(s, "notifications") == nullptr);
}

TEST_CASE("unknown fields are pruned with a warning under Warn", "[create]") {
  RegistryFixture f;
  auto d = Policy("u", R"(,"bogus":1,"destination":{"path":"/b","extra":"x"})");
  WriteResult res;
  Status st = f.reg().Create(f.bp(), "default", d, WriteOptions{}, &res);
  INFO(st.ToString());
  REQUIRE(st.ok());
  auto obj = Parsed(res.object);
  CHECK(json::Find(obj["spec"], "bogus") == nullptr);
  CHECK(json::Find(obj["spec"]["destination"], "extra") == nullptr);
  REQUIRE(res.warnings.size() == 2);
  std::string all = res.warnings[0] + "|" + res.warnings[1];
  CHECK(all.find("unknown field \"spec.bogus\"") != std::string::npos);
  CHECK(all.find("unknown field \"spec.destination.extra\"") != std::string::npos);
}

TEST_CASE("unknown fields are pruned silently under Ignore", "[create]") {
  RegistryFixture f;
  auto d = Policy("u", R"(,"bogus":1)");
  WriteOptions o;
  o.validation = schema::FieldValidation::kIgnore;
  WriteResult res;
  REQUIRE(f.reg().Create(f.bp(), "default", d, o, &res).ok());
  CHECK(res.warnings.empty());
  CHECK(json::Find(Parsed(res.object)["spec"], "bogus") == nullptr);
}

TEST_CASE("unknown fields are rejected under Strict and nothing is stored", "[create]") {
  RegistryFixture f;
  int64_t rev = f.store().Revision();
  auto d = Policy("u", R"(,"bogus":1)");
  WriteOptions o;
  o.validation = schema::FieldValidation::kStrict;
  WriteResult res;
  Status st = f.reg().Create(f.bp(), "default", d, o, &res);
  // kube-apiserver fails strict decoding before validation: 400, not 422.
  CHECK(st.code() == Code::kBadRequest);
  CHECK(st.message() == "BackupPolicy in version \"v1alpha1\" cannot be handled as a BackupPolicy: "
                        "strict decoding error: unknown field \"spec.bogus\"");
  CHECK(f.store().Revision() == rev);
  CHECK_FALSE(f.Exists(f.bp(), "u"));
}

TEST_CASE("schema errors are Invalid with every cause's field path", "[create]") {
  RegistryFixture f;
  int64_t rev = f.store().Revision();
  // Bad enum, wrong type, missing required (destination), out-of-range, bad pattern.
  auto d = Doc(R"({"apiVersion":"dockward.io/v1alpha1","kind":"BackupPolicy","metadata":{"name":"bad"},)"
               R"("spec":{"schedule":"0 2 * * *","compression":"lz4","suspend":"yes",)"
               R"("compressionLevel":30,"dockerHosts":["Not_A_Host"]}})");
  WriteResult res;
  Status st = f.reg().Create(f.bp(), "default", d, WriteOptions{}, &res);
  INFO(st.message());
  REQUIRE(st.code() == Code::kInvalid);
  CHECK(HasCause(st, "spec.compression"));
  CHECK(HasCause(st, "spec.suspend"));
  CHECK(HasCause(st, "spec.destination"));
  CHECK(HasCause(st, "spec.compressionLevel"));
  CHECK(HasCause(st, "spec.dockerHosts[0]"));
  CHECK(st.causes().size() == 5);
  CHECK(st.message().rfind("BackupPolicy.dockward.io \"bad\" is invalid: [", 0) == 0);
  for (const auto& c : st.causes()) {
    if (c.field == "spec.compression") CHECK(c.type == "FieldValueNotSupported");
    if (c.field == "spec.suspend") CHECK(c.type == "FieldValueTypeInvalid");
    if (c.field == "spec.destination") CHECK(c.type == "FieldValueRequired");
  }
  CHECK(f.store().Revision() == rev);
}

TEST_CASE("a missing required spec is Invalid naming spec", "[create]") {
  RegistryFixture f;
  auto d = Doc(R"({"apiVersion":"dockward.io/v1alpha1","kind":"BackupPolicy","metadata":{"name":"nospec"}})");
  WriteResult res;
  Status st = f.reg().Create(f.bp(), "default", d, WriteOptions{}, &res);
  CHECK(st.code() == Code::kInvalid);
  CHECK(HasCause(st, "spec"));
}

TEST_CASE("invalid metadata.name is Invalid", "[create]") {
  RegistryFixture f;
  for (std::string name : {std::string("Upper"), std::string(254, 'a'), std::string("a_b"), std::string("-a")}) {
    auto d = Policy(name);
    WriteResult res;
    Status st = f.reg().Create(f.bp(), "default", d, WriteOptions{}, &res);
    INFO(name << ": " << st.ToString());
    CHECK(st.code() == Code::kInvalid);
    CHECK(HasCause(st, "metadata.name"));
  }
}

TEST_CASE("a body of the wrong kind or apiVersion is BadRequest", "[create]") {
  RegistryFixture f;
  auto wrong_kind = Doc(R"({"apiVersion":"dockward.io/v1alpha1","kind":"Backup","metadata":{"name":"x"}})");
  auto wrong_av = Doc(R"({"apiVersion":"dockward.io/v2","kind":"BackupPolicy","metadata":{"name":"x"}})");
  auto not_object = Doc(R"([1,2])");
  WriteResult res;
  CHECK(f.reg().Create(f.bp(), "default", wrong_kind, WriteOptions{}, &res).code() == Code::kBadRequest);
  CHECK(f.reg().Create(f.bp(), "default", wrong_av, WriteOptions{}, &res).code() == Code::kBadRequest);
  CHECK(f.reg().Create(f.bp(), "default", not_object, WriteOptions{}, &res).code() == Code::kBadRequest);
}

TEST_CASE("dry-run create validates and stores nothing", "[create]") {
  RegistryFixture f;
  int64_t rev = f.store().Revision();
  auto d = Policy("dry");
  WriteOptions o;
  o.dry_run = true;
  WriteResult res;
  REQUIRE(f.reg().Create(f.bp(), "default", d, o, &res).ok());
  auto obj = Parsed(res.object);
  CHECK(json::GetString(obj["spec"], "compression") == "zstd");
  CHECK(f.store().Revision() == rev);
  CHECK_FALSE(f.Exists(f.bp(), "dry"));
}

TEST_CASE("managedFields record the creating manager", "[create]") {
  RegistryFixture f;
  auto d = Policy("mf");
  WriteOptions o;
  o.field_manager = "kubectl-create";
  WriteResult res;
  REQUIRE(f.reg().Create(f.bp(), "default", d, o, &res).ok());
  auto obj = Parsed(res.object);
  const json::Value* mf = json::FindPath(obj, "metadata.managedFields");
  REQUIRE(mf != nullptr);
  REQUIRE(mf->IsArray());
  REQUIRE(mf->Size() == 1);
  CHECK(json::GetString((*mf)[0], "manager") == "kubectl-create");
  CHECK(json::GetString((*mf)[0], "operation") == "Update");
  const json::Value* fields = json::FindPath((*mf)[0], "fieldsV1.f:spec");
  REQUIRE(fields != nullptr);
  CHECK(json::Find(*fields, "f:schedule") != nullptr);
}

TEST_CASE("cluster-scoped create ignores a namespace and needs no namespace object", "[create]") {
  RegistryFixture f;
  auto d = Doc(R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"team-a","namespace":"junk"}})");
  WriteResult res;
  REQUIRE(f.reg().Create(f.ns(), "", d, WriteOptions{}, &res).ok());
  auto obj = Parsed(res.object);
  CHECK(json::FindPath(obj, "metadata.namespace") == nullptr);
  CHECK(json::GetStringPath(obj, "status.phase") == "Active");
  CHECK(res.object.key == "namespaces//team-a");
}
