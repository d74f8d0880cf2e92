#include <catch2/catch.hpp>

#include "operator/meta/field_selector.h"

using dw::meta::FieldSelector;

namespace {

dw::json::Document Obj(const char* text) {
  dw::json::Document d;
  REQUIRE(dw::json::Parse(text, &d).ok());
  return d;
}

FieldSelector MustParse(const std::string& s) {
  FieldSelector f;
  dw::Status st = FieldSelector::Parse(s, &f);
  INFO(s << " -> " << st.ToString());
  REQUIRE(st.ok());
  return f;
}

}  // namespace

TEST_CASE("field selector: operators", "[meta][fields]") {
  auto o = Obj(R"({"metadata":{"name":"web","namespace":"prod"},"type":"Opaque","spec":{"replicas":3,"paused":false}})");
  CHECK(MustParse("metadata.name=web").Matches(o));
  CHECK(MustParse("metadata.name==web").Matches(o));
  CHECK_FALSE(MustParse("metadata.name=db").Matches(o));
  CHECK(MustParse("metadata.name!=db").Matches(o));
  CHECK_FALSE(MustParse("metadata.name!=web").Matches(o));
  CHECK(MustParse("metadata.name=web,metadata.namespace=prod").Matches(o));
  CHECK_FALSE(MustParse("metadata.name=web,metadata.namespace!=prod").Matches(o));
  CHECK(MustParse("spec.replicas=3").Matches(o));
  CHECK(MustParse("spec.paused=false").Matches(o));
}

TEST_CASE("field selector: missing field is empty string", "[meta][fields]") {
  auto o = Obj(R"({"metadata":{"name":"web"}})");
  CHECK(MustParse("spec.nodeName=").Matches(o));
  CHECK_FALSE(MustParse("spec.nodeName!=").Matches(o));
  CHECK(MustParse("spec.nodeName!=x").Matches(o));
  CHECK_FALSE(MustParse("spec.nodeName=x").Matches(o));
}

TEST_CASE("field selector: empty selects everything", "[meta][fields]") {
  auto f = MustParse("");
  CHECK(f.Empty());
  CHECK(f.Matches(Obj("{}")));
  CHECK(MustParse("a=b,,c=d").requirements().size() == 2);
}

TEST_CASE("field selector: escapes", "[meta][fields]") {
  auto f = MustParse(R"(metadata.name=a\,b\=c\\d,type!=x)");
  REQUIRE(f.requirements().size() == 2);
  CHECK(f.requirements()[0].field == "metadata.name");
  CHECK(f.requirements()[0].value == R"(a,b=c\d)");
  CHECK_FALSE(f.requirements()[0].negate);
  CHECK(f.requirements()[1].negate);
  CHECK(f.Matches(Obj(R"({"metadata":{"name":"a,b=c\\d"}})")));
  // The first unescaped operator splits: the value keeps a later '='.
  auto g = MustParse("a=b=c");
  CHECK(g.requirements()[0].value == "b=c");
}

TEST_CASE("field selector: ExactValue", "[meta][fields]") {
  auto f = MustParse("metadata.namespace!=x,metadata.name=web");
  REQUIRE(f.ExactValue("metadata.name") != nullptr);
  CHECK(*f.ExactValue("metadata.name") == "web");
  CHECK(f.ExactValue("metadata.namespace") == nullptr);
  CHECK(f.ExactValue("type") == nullptr);
}

TEST_CASE("field selector: malformed input", "[meta][fields]") {
  const char* bad[] = {"metadata.name", "=x", "a=b,c", R"(a=b\x)", R"(a=b\)", "!=x"};
  for (const char* s : bad) {
    FieldSelector f;
    dw::Status st = FieldSelector::Parse(s, &f);
    INFO(s);
    CHECK(st.code() == dw::Code::kBadRequest);
  }
}
