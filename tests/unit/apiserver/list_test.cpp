// ObjectRegistry::List with label and field selectors and limit/continue
// pagination, through ParseListQuery with a hand-built HttpRequest so the
// continue tokens are the ones api_handler hands to clients.
#include "operator/apiserver/request_options.h"
#include "registry_fixture.h"

using namespace dw;
using namespace dw::apiserver;
using namespace dw::apiserver::testing;

namespace {

HttpRequest Req(std::initializer_list<std::pair<std::string, std::string>> q) {
  HttpRequest r;
  r.method = "GET";
  r.path = "/apis/dockward.io/v1alpha1/namespaces/default/backuppolicies";
  for (const auto& kv : q) r.query.emplace(kv.first, kv.second);
  return r;
}

std::vector<std::string> Names(const store::ListResult& lr) {
  std::vector<std::string> out;
  for (const auto& o : lr.items) out.push_back(json::GetStringPath(Parsed(o), "metadata.name"));
  return out;
}

using Names_t = std::vector<std::string>;

// a: env=prod,tier=db   b: env=dev   c: tier=web   d: (none)   e: env=staging
void Seed(RegistryFixture& f) {
  f.MustCreate(f.bp(), Policy("a", "", R"(,"labels":{"env":"prod","tier":"db"})"));
  f.MustCreate(f.bp(), Policy("b", "", R"(,"labels":{"env":"dev"})"));
  f.MustCreate(f.bp(), Policy("c", "", R"(,"labels":{"tier":"web"})"));
  f.MustCreate(f.bp(), Policy("d"));
  f.MustCreate(f.bp(), Policy("e", "", R"(,"labels":{"env":"staging"})"));
}

Names_t ListWith(RegistryFixture& f, std::initializer_list<std::pair<std::string, std::string>> q) {
  ListQuery lq;
  Status st = ParseListQuery(f.bp(), Req(q), &lq);
  INFO(st.ToString());
  REQUIRE(st.ok());
  store::ListResult lr;
  st = f.reg().List(f.bp(), "default", lq, &lr);
  INFO(st.ToString());
  REQUIRE(st.ok());
  return Names(lr);
}

}  // namespace

TEST_CASE("list with label selectors", "[list]") {
  RegistryFixture f;
  Seed(f);
  CHECK(ListWith(f, {}) == Names_t{"a", "b", "c", "d", "e"});
  CHECK(ListWith(f, {{"labelSelector", "env=prod"}}) == Names_t{"a"});
  CHECK(ListWith(f, {{"labelSelector", "env==prod"}}) == Names_t{"a"});
  // != matches objects without the label too (Kubernetes semantics).
  CHECK(ListWith(f, {{"labelSelector", "env!=prod"}}) == Names_t{"b", "c", "d", "e"});
  CHECK(ListWith(f, {{"labelSelector", "env in (dev,staging)"}}) == Names_t{"b", "e"});
  CHECK(ListWith(f, {{"labelSelector", "env notin (dev,staging)"}}) == Names_t{"a", "c", "d"});
  CHECK(ListWith(f, {{"labelSelector", "env"}}) == Names_t{"a", "b", "e"});
  CHECK(ListWith(f, {{"labelSelector", "!env"}}) == Names_t{"c", "d"});
  CHECK(ListWith(f, {{"labelSelector", "env,tier"}}) == Names_t{"a"});
  CHECK(ListWith(f, {{"labelSelector", "env=prod,tier=web"}}) == Names_t{});
}

TEST_CASE("list with the metadata.name field selector", "[list]") {
  RegistryFixture f;
  Seed(f);
  CHECK(ListWith(f, {{"fieldSelector", "metadata.name=b"}}) == Names_t{"b"});
  CHECK(ListWith(f, {{"fieldSelector", "metadata.name!=b"}}) == Names_t{"a", "c", "d", "e"});
  CHECK(ListWith(f, {{"fieldSelector", "metadata.name=zz"}}) == Names_t{});
  CHECK(ListWith(f, {{"fieldSelector", "metadata.namespace=default"}}) == Names_t{"a", "b", "c", "d", "e"});
  CHECK(ListWith(f, {{"fieldSelector", "metadata.name!=b"}, {"labelSelector", "env"}}) == Names_t{"a", "e"});
}

TEST_CASE("list is scoped to the namespace", "[list]") {
  RegistryFixture f;
  Seed(f);
  f.CreateNamespace("other");
  f.MustCreate(f.bp(), Policy("x"), "other");
  ListQuery q;
  store::ListResult lr;
  REQUIRE(f.reg().List(f.bp(), "other", q, &lr).ok());
  CHECK(Names(lr) == Names_t{"x"});
  REQUIRE(f.reg().List(f.bp(), "", q, &lr).ok());  // all namespaces
  CHECK(lr.items.size() == 6);
}

// Pages through with limit + continue as a client would; returns the pages.
static std::vector<Names_t> Paginate(RegistryFixture& f, const std::string& limit, const std::string& field_sel) {
  std::vector<Names_t> pages;
  std::string token;
  for (int guard = 0; guard < 20; ++guard) {
    HttpRequest req = Req({{"limit", limit}});
    if (!field_sel.empty()) req.query.emplace("fieldSelector", field_sel);
    if (!token.empty()) req.query.emplace("continue", token);
    ListQuery q;
    Status st = ParseListQuery(f.bp(), req, &q);
    INFO(st.ToString());
    REQUIRE(st.ok());
    store::ListResult lr;
    REQUIRE(f.reg().List(f.bp(), "default", q, &lr).ok());
    pages.push_back(Names(lr));
    if (lr.last_key.empty()) {
      CHECK(lr.remaining == 0);
      break;
    }
    CHECK(lr.remaining > 0);
    token = EncodeContinue(lr.last_key, lr.rv);
  }
  return pages;
}

TEST_CASE("limit and continue page through every object exactly once", "[list]") {
  RegistryFixture f;
  Seed(f);
  auto pages = Paginate(f, "2", "");
  CHECK(pages == std::vector<Names_t>{{"a", "b"}, {"c", "d"}, {"e"}});
  // A limit equal to the count needs no continue.
  CHECK(Paginate(f, "5", "") == std::vector<Names_t>{{"a", "b", "c", "d", "e"}});
  CHECK(Paginate(f, "0", "") == std::vector<Names_t>{{"a", "b", "c", "d", "e"}});
}

TEST_CASE("first page reports the remaining count", "[list]") {
  RegistryFixture f;
  Seed(f);
  ListQuery q;
  q.limit = 2;
  store::ListResult lr;
  REQUIRE(f.reg().List(f.bp(), "default", q, &lr).ok());
  CHECK(Names(lr) == Names_t{"a", "b"});
  CHECK(lr.remaining == 3);
  CHECK(lr.last_key == ObjectRegistry::Key(f.bp(), "default", "b"));
}

TEST_CASE("pagination applies after the field selector", "[list]") {
  RegistryFixture f;
  Seed(f);
  auto pages = Paginate(f, "2", "metadata.name!=b");
  CHECK(pages == std::vector<Names_t>{{"a", "c"}, {"d", "e"}});
}

TEST_CASE("continue tokens round-trip and garbage is refused", "[list]") {
  std::string key = "backuppolicies.dockward.io/default/a";
  std::string token = EncodeContinue(key, 42);
  CHECK(token.find_first_of("+/=") == std::string::npos);  // URL-safe
  std::string back;
  REQUIRE(DecodeContinue(token, &back).ok());
  CHECK(back == key);
  CHECK(DecodeContinue("not-a-token!", &back).code() == Code::kBadRequest);
  CHECK(DecodeContinue("e30", &back).code() == Code::kBadRequest);  // "{}"
}

TEST_CASE("ParseListQuery rejects bad input with BadRequest", "[list]") {
  RegistryFixture f;
  ListQuery q;
  CHECK(ParseListQuery(f.bp(), Req({{"labelSelector", "env in ("}}), &q).code() == Code::kBadRequest);
  CHECK(ParseListQuery(f.bp(), Req({{"labelSelector", "Bad Key=1"}}), &q).code() == Code::kBadRequest);
  Status st = ParseListQuery(f.bp(), Req({{"fieldSelector", "spec.schedule=@daily"}}), &q);
  CHECK(st.code() == Code::kBadRequest);
  CHECK(st.message() == "field label not supported: spec.schedule");
  CHECK(ParseListQuery(f.bp(), Req({{"limit", "ten"}}), &q).code() == Code::kBadRequest);
  CHECK(ParseListQuery(f.bp(), Req({{"continue", "%%%"}}), &q).code() == Code::kBadRequest);
}

TEST_CASE("ParseListQuery accepts the kind-specific field labels", "[list]") {
  RegistryFixture f;
  const schema::ResourceInfo* events = f.reg().kinds().ByResource("", "events");
  REQUIRE(events != nullptr);
  ListQuery q;
  CHECK(ParseListQuery(*events, Req({{"fieldSelector", "involvedObject.name=x,reason=Failed"}}), &q).ok());
  CHECK(q.fields.requirements().size() == 2);
  ListQuery q2;
  CHECK(ParseListQuery(f.secrets(), Req({{"fieldSelector", "type=Opaque"}}), &q2).ok());
  ListQuery q3;
  CHECK(ParseListQuery(f.bp(), Req({{"fieldSelector", "type=Opaque"}}), &q3).code() == Code::kBadRequest);
  ListQuery q4;
  REQUIRE(ParseListQuery(f.bp(), Req({{"limit", "7"}, {"labelSelector", "env=prod"}}), &q4).ok());
  CHECK(q4.limit == 7);
  CHECK_FALSE(q4.labels.Empty());
}
