#include "operator/store/store.h"
#include "store_test_util.h"

using namespace dw::store;
using namespace dw::store::testing;

TEST_CASE("store: keys", "[store]") {
  CHECK(MakeKey("pods", "ns1", "web") == "pods/ns1/web");
  CHECK(MakeKey("namespaces", "", "ns1") == "namespaces//ns1");
  CHECK(MakePrefix("pods") == "pods/");
  CHECK(MakePrefix("pods", "ns1") == "pods/ns1/");
}

TEST_CASE("store: create get update delete", "[store]") {
  TempDir dir;
  auto s = OpenOrDie(Opts(dir.path()));
  CHECK(s->Revision() == 0);

  auto d = Named("a", R"({"app":"web"})");
  Object created;
  REQUIRE(s->Create("pods/ns/a", d, &created).ok());
  CHECK(created.rv == 1);
  CHECK(created.key == "pods/ns/a");
  CHECK(RvOf(created) == "1");
  CHECK(created.labels->at("app") == "web");
  // The caller's document got the revision too.
  CHECK(dw::json::GetString(*dw::json::Find(d, "metadata"), "resourceVersion") == "1");

  Object got;
  REQUIRE(s->Get("pods/ns/a", &got).ok());
  CHECK(*got.data == *created.data);
  CHECK(got.rv == 1);

  auto again = Named("a");
  CHECK(s->Create("pods/ns/a", again, nullptr).code() == dw::Code::kAlreadyExists);
  CHECK(s->Revision() == 1);

  auto upd = Named("a", R"({"app":"db"})");
  Object updated;
  REQUIRE(s->Update("pods/ns/a", upd, 0, &updated).ok());
  CHECK(updated.rv == 2);
  CHECK(updated.labels->at("app") == "db");

  auto stale = Named("a");
  CHECK(s->Update("pods/ns/a", stale, 1, nullptr).code() == dw::Code::kConflict);
  CHECK(s->Update("pods/ns/a", stale, 2, nullptr).ok());  // CAS with the right rv
  CHECK(s->Revision() == 3);

  auto missing = Named("zz");
  CHECK(s->Update("pods/ns/zz", missing, 0, nullptr).code() == dw::Code::kNotFound);
  CHECK(s->Delete("pods/ns/zz", 0, nullptr).code() == dw::Code::kNotFound);
  CHECK(s->Delete("pods/ns/a", 1, nullptr).code() == dw::Code::kConflict);

  Object deleted;
  REQUIRE(s->Delete("pods/ns/a", 3, &deleted).ok());
  CHECK(deleted.rv == 4);
  CHECK(RvOf(deleted) == "4");
  CHECK(deleted.labels->empty());  // the last update had no labels
  CHECK(deleted.data->find(R"("name":"a")") != std::string::npos);
  CHECK(s->Get("pods/ns/a", &got).code() == dw::Code::kNotFound);
  CHECK(s->Revision() == 4);

  // Re-create after delete.
  auto re = Named("a");
  REQUIRE(s->Create("pods/ns/a", re, &created).ok());
  CHECK(created.rv == 5);

  auto not_object = Doc("[1,2]");
  CHECK(s->Create("pods/ns/b", not_object, nullptr).code() == dw::Code::kBadRequest);
  auto ok = Named("x");
  CHECK(s->Create("", ok, nullptr).code() == dw::Code::kBadRequest);

  Stats st = s->GetStats();
  CHECK(st.objects == 1);
  CHECK(st.revision == 5);
  CHECK(st.object_bytes == static_cast<int64_t>(created.data->size()));
  CHECK(st.fsyncs == 5);  // one per successful write with a single writer
  CHECK(st.log_bytes > 0);
  s->Close();
  CHECK(s->Create("pods/ns/c", ok, nullptr).code() == dw::Code::kUnavailable);
  s->Close();  // idempotent
}

TEST_CASE("store: list with prefix, selector and pagination", "[store]") {
  TempDir dir;
  auto s = OpenOrDie(Opts(dir.path()));
  for (int i = 0; i < 10; ++i) {
    auto d = Named("p" + std::to_string(i), i % 2 ? R"({"odd":"yes"})" : R"({"odd":"no"})");
    REQUIRE(s->Create(MakeKey("pods", i < 6 ? "a" : "b", "p" + std::to_string(i)), d, nullptr).ok());
  }
  auto svc = Named("s");
  REQUIRE(s->Create(MakeKey("services", "a", "s"), svc, nullptr).ok());
  // A key sharing the text prefix "pods" but another resource.
  auto other = Named("q");
  REQUIRE(s->Create("podsx/a/q", other, nullptr).ok());

  ListResult r;
  REQUIRE(s->List(Under(MakePrefix("pods")), &r).ok());
  CHECK(r.items.size() == 10);
  CHECK(r.rv == 12);
  CHECK(r.last_key.empty());
  CHECK(r.remaining == 0);
  CHECK(r.items.front().key == "pods/a/p0");
  CHECK(r.items.back().key == "pods/b/p9");

  REQUIRE(s->List(Under(MakePrefix("pods", "a")), &r).ok());
  CHECK(r.items.size() == 6);

  dw::meta::LabelSelector sel;
  REQUIRE(dw::meta::LabelSelector::Parse("odd=yes", &sel).ok());
  ListOptions o = Under(MakePrefix("pods"), &sel);
  REQUIRE(s->List(o, &r).ok());
  REQUIRE(r.items.size() == 5);
  for (auto& it : r.items) CHECK(it.labels->at("odd") == "yes");

  // Pagination: 3 per page over the 5 odd pods.
  o.limit = 3;
  REQUIRE(s->List(o, &r).ok());
  REQUIRE(r.items.size() == 3);
  CHECK(r.items[0].key == "pods/a/p1");
  CHECK(r.items[2].key == "pods/a/p5");
  CHECK(r.last_key == "pods/a/p5");
  CHECK(r.remaining == 2);
  o.start_after = r.last_key;
  REQUIRE(s->List(o, &r).ok());
  REQUIRE(r.items.size() == 2);
  CHECK(r.items[0].key == "pods/b/p7");
  CHECK(r.items[1].key == "pods/b/p9");
  CHECK(r.last_key.empty());
  CHECK(r.remaining == 0);

  // Exactly-at-limit: no continue token.
  ListOptions exact = Under(MakePrefix("pods", "b"));
  exact.limit = 4;
  REQUIRE(s->List(exact, &r).ok());
  CHECK(r.items.size() == 4);
  CHECK(r.last_key.empty());

  ListOptions none = Under("nothing/");
  REQUIRE(s->List(none, &r).ok());
  CHECK(r.items.empty());
  ListOptions neg = Under("pods/");
  neg.limit = -1;
  CHECK(s->List(neg, &r).code() == dw::Code::kBadRequest);
}

TEST_CASE("store: reopen recovers state", "[store]") {
  TempDir dir;
  {
    auto s = OpenOrDie(Opts(dir.path()));
    for (int i = 0; i < 20; ++i) {
      auto d = Named("o" + std::to_string(i));
      REQUIRE(s->Create("things//o" + std::to_string(i), d, nullptr).ok());
    }
    auto d = Named("o3", R"({"v":"2"})");
    REQUIRE(s->Update("things//o3", d, 0, nullptr).ok());
    REQUIRE(s->Delete("things//o7", 0, nullptr).ok());
  }
  auto s = OpenOrDie(Opts(dir.path()));
  CHECK(s->Revision() == 22);
  Object o;
  REQUIRE(s->Get("things//o3", &o).ok());
  CHECK(o.rv == 21);
  CHECK(o.labels->at("v") == "2");
  CHECK(s->Get("things//o7", &o).code() == dw::Code::kNotFound);
  CHECK(s->GetStats().objects == 19);
  // Revisions continue after the recovered one.
  auto d = Named("new");
  REQUIRE(s->Create("things//new", d, &o).ok());
  CHECK(o.rv == 23);
}
