#include <catch2/catch.hpp>

#include "operator/meta/label_selector.h"

using dw::meta::LabelSelector;
using dw::meta::Labels;
using dw::meta::Requirement;

namespace {

LabelSelector MustParse(const std::string& s) {
  LabelSelector sel;
  dw::Status st = LabelSelector::Parse(s, &sel);
  INFO(s << " -> " << st.ToString());
  REQUIRE(st.ok());
  return sel;
}

bool Match(const std::string& sel, const Labels& l) { return MustParse(sel).Matches(l); }

LabelSelector FromJson(const std::string& text, dw::Status* st) {
  dw::json::Document d;
  REQUIRE(dw::json::Parse(text, &d).ok());
  LabelSelector sel;
  *st = LabelSelector::FromObject(d, &sel);
  return sel;
}

}  // namespace

TEST_CASE("label selector: empty matches everything", "[meta][labels]") {
  auto sel = MustParse("");
  CHECK(sel.Empty());
  CHECK(sel.Matches({}));
  CHECK(sel.Matches({{"a", "b"}}));
  CHECK(MustParse("   ").Empty());
}

TEST_CASE("label selector: equality operators", "[meta][labels]") {
  Labels l{{"app", "web"}, {"tier", "front"}};
  CHECK(Match("app=web", l));
  CHECK(Match("app==web", l));
  CHECK_FALSE(Match("app=db", l));
  CHECK_FALSE(Match("missing=web", l));
  CHECK(Match("app!=db", l));
  CHECK_FALSE(Match("app!=web", l));
  CHECK(Match("missing!=x", l));  // absent key matches !=
  CHECK(Match("app=web,tier=front", l));
  CHECK_FALSE(Match("app=web,tier=back", l));
  CHECK(Match("  app = web ,  tier  ==front ", l));
}

TEST_CASE("label selector: empty value", "[meta][labels]") {
  CHECK(Match("a=", {{"a", ""}}));
  CHECK_FALSE(Match("a=", {{"a", "x"}}));
  CHECK_FALSE(Match("a=", {}));
  CHECK(Match("a=,b=c", {{"a", ""}, {"b", "c"}}));
}

TEST_CASE("label selector: set operators", "[meta][labels]") {
  Labels l{{"env", "prod"}};
  CHECK(Match("env in (prod,staging)", l));
  CHECK(Match("env in ( staging , prod )", l));
  CHECK_FALSE(Match("env in (dev)", l));
  CHECK_FALSE(Match("other in (prod)", l));
  CHECK(Match("env notin (dev,qa)", l));
  CHECK_FALSE(Match("env notin (prod)", l));
  CHECK(Match("other notin (prod)", l));  // absent key matches notin
  CHECK(Match("env in (prod),x notin (y)", l));
}

TEST_CASE("label selector: existence", "[meta][labels]") {
  Labels l{{"a", "1"}};
  CHECK(Match("a", l));
  CHECK_FALSE(Match("b", l));
  CHECK(Match("!b", l));
  CHECK_FALSE(Match("!a", l));
  CHECK(Match("a,!b", l));
  CHECK(Match(" ! b ", l));
}

TEST_CASE("label selector: prefixed keys", "[meta][labels]") {
  Labels l{{"app.kubernetes.io/name", "x"}};
  CHECK(Match("app.kubernetes.io/name=x", l));
  CHECK(Match("app.kubernetes.io/name in (x, y)", l));
}

TEST_CASE("label selector: keywords as values", "[meta][labels]") {
  CHECK(Match("a=in", {{"a", "in"}}));
  CHECK(Match("a in (notin)", {{"a", "notin"}}));
}

TEST_CASE("label selector: malformed input", "[meta][labels]") {
  const char* bad[] = {
      "a=b,",        // trailing comma
      ",a=b",        // leading comma
      "a b",         // missing operator
      "a in x",      // missing paren
      "a in (x",     // missing closing paren
      "a in ()",     // empty set
      "a notin ()",  // empty set
      "!",           // missing key
      "=b",          // missing key
      "a=b=c",       // stray operator
      "a>1",         // unsupported gt
      "a<1",         // unsupported lt
      "-a=b",        // key must start alnum
      "a-=b",        // key must end alnum
      "a=-b",        // value must start alnum
      "a=b c",       // two values
      "Foo.com/a=b", // uppercase prefix
      "/a=b",        // empty prefix
      "a/=b",        // empty name
      "a/b/c=d",     // two slashes
      "a in (x y)",  // missing comma
      "a=(b)",       // paren as value
  };
  for (const char* s : bad) {
    LabelSelector sel;
    dw::Status st = LabelSelector::Parse(s, &sel);
    INFO(s);
    CHECK(st.code() == dw::Code::kBadRequest);
    CHECK(st.message().find(s) != std::string::npos);  // names the input
  }
}

TEST_CASE("label selector: length limits", "[meta][labels]") {
  std::string n63(63, 'a'), n64(64, 'a');
  LabelSelector sel;
  CHECK(LabelSelector::Parse(n63 + "=x", &sel).ok());
  CHECK_FALSE(LabelSelector::Parse(n64 + "=x", &sel).ok());
  CHECK(LabelSelector::Parse("a=" + n63, &sel).ok());
  CHECK_FALSE(LabelSelector::Parse("a=" + n64, &sel).ok());
  std::string prefix = std::string(63, 'p') + "." + std::string(63, 'q') + "." + std::string(63, 'r') + "." +
                       std::string(61, 's');  // 253
  REQUIRE(prefix.size() == 253);
  CHECK(LabelSelector::Parse(prefix + "/n=x", &sel).ok());
  CHECK_FALSE(LabelSelector::Parse(prefix + "s/n=x", &sel).ok());
}

TEST_CASE("label key/value validation", "[meta][labels]") {
  using dw::meta::ValidateLabelKey;
  using dw::meta::ValidateLabelValue;
  CHECK(ValidateLabelKey("a").empty());
  CHECK(ValidateLabelKey("A_b.C-9").empty());
  CHECK(ValidateLabelKey("example.com/x").empty());
  CHECK_FALSE(ValidateLabelKey("").empty());
  CHECK_FALSE(ValidateLabelKey("a_").empty());
  CHECK_FALSE(ValidateLabelKey("ex_ample.com/x").empty());
  CHECK_FALSE(ValidateLabelKey("example..com/x").empty());
  CHECK(ValidateLabelValue("").empty());
  CHECK(ValidateLabelValue("v1.2_x-y").empty());
  CHECK_FALSE(ValidateLabelValue("a b").empty());
  CHECK_FALSE(ValidateLabelValue("a/b").empty());
}

TEST_CASE("label selector: canonical ToString", "[meta][labels]") {
  CHECK(MustParse("z=1,a in (y, x),!m,b,c!=2,d notin (q)").ToString() ==
        "a in (x,y),b,c!=2,d notin (q),!m,z=1");
  CHECK(MustParse("a==b").ToString() == "a=b");
  CHECK(MustParse("a in (x,x)").ToString() == "a in (x)");
  // Round trip.
  auto s = MustParse("app=web,env notin (dev,qa),!legacy");
  CHECK(MustParse(s.ToString()).ToString() == s.ToString());
  CHECK(MustParse("").ToString().empty());
}

TEST_CASE("label selector: FromObject", "[meta][labels]") {
  dw::Status st;
  auto sel = FromJson(R"({"matchLabels":{"app":"web"},"matchExpressions":[
      {"key":"env","operator":"In","values":["prod","staging"]},
      {"key":"tier","operator":"NotIn","values":["db"]},
      {"key":"owner","operator":"Exists"},
      {"key":"legacy","operator":"DoesNotExist"}]})", &st);
  REQUIRE(st.ok());
  CHECK(sel.ToString() == "app=web,env in (prod,staging),!legacy,owner,tier notin (db)");
  CHECK(sel.Matches({{"app", "web"}, {"env", "prod"}, {"owner", "me"}}));
  CHECK_FALSE(sel.Matches({{"app", "web"}, {"env", "prod"}}));
  CHECK_FALSE(sel.Matches({{"app", "web"}, {"env", "prod"}, {"owner", "me"}, {"legacy", "1"}}));
  CHECK_FALSE(sel.Matches({{"app", "web"}, {"env", "prod"}, {"owner", "me"}, {"tier", "db"}}));

  auto empty = FromJson("{}", &st);
  CHECK(st.ok());
  CHECK(empty.Empty());
  auto null_sel = FromJson("null", &st);
  CHECK(st.ok());
  CHECK(null_sel.Empty());
}

TEST_CASE("label selector: FromObject errors", "[meta][labels]") {
  const char* bad[] = {
      R"({"matchExpressions":[{"key":"a","operator":"In"}]})",
      R"({"matchExpressions":[{"key":"a","operator":"In","values":[]}]})",
      R"({"matchExpressions":[{"key":"a","operator":"Exists","values":["x"]}]})",
      R"({"matchExpressions":[{"key":"a","operator":"Gt","values":["1"]}]})",
      R"({"matchExpressions":[{"key":"-a","operator":"Exists"}]})",
      R"({"matchExpressions":[{"key":"a","operator":"In","values":[1]}]})",
      R"({"matchExpressions":{}})",
      R"({"matchLabels":{"a":"b c"}})",
      R"({"matchLabels":{"a":1}})",
      R"({"matchLabels":[]})",
      R"("a=b")",
  };
  for (const char* s : bad) {
    dw::Status st;
    FromJson(s, &st);
    INFO(s);
    CHECK(st.code() == dw::Code::kBadRequest);
  }
}

TEST_CASE("LabelsOf reads metadata.labels", "[meta][labels]") {
  dw::json::Document d;
  REQUIRE(dw::json::Parse(R"({"metadata":{"labels":{"a":"1","b":2,"c":""}}})", &d).ok());
  Labels l = dw::meta::LabelsOf(d);
  CHECK(l == Labels{{"a", "1"}, {"c", ""}});
  REQUIRE(dw::json::Parse(R"({"metadata":{}})", &d).ok());
  CHECK(dw::meta::LabelsOf(d).empty());
  REQUIRE(dw::json::Parse(R"([1])", &d).ok());
  CHECK(dw::meta::LabelsOf(d).empty());
}
