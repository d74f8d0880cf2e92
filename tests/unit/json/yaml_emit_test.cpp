#include <catch2/catch.hpp>

#include <chrono>
#include <functional>
#include <random>

#include "operator/json/yaml.h"

namespace {

using dw::json::Document;

std::string EmitJson(const std::string& json) {
  Document d;
  REQUIRE(dw::json::Parse(json, &d).ok());
  return dw::yaml::Emit(d);
}

// ParseOne(Emit(x)) must equal x, including number kinds (int vs double).
void CheckRoundTrip(const dw::json::Value& v) {
  std::string yaml = dw::yaml::Emit(v);
  Document back;
  dw::Status st = dw::yaml::ParseOne(yaml, {"emit", false}, &back);
  INFO("json: " << dw::json::Serialize(v));
  INFO("yaml:\n" << yaml);
  INFO(st.message());
  REQUIRE(st.ok());
  CHECK(dw::json::Serialize(back) == dw::json::Serialize(v));
}

void CheckRoundTripJson(const std::string& json) {
  Document d;
  REQUIRE(dw::json::Parse(json, &d).ok());
  CheckRoundTrip(d);
}

}  // namespace

TEST_CASE("yaml emit: kubectl layout", "[yaml]") {
  CHECK(EmitJson(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","labels":{"app":"web"}},)"
                 R"("spec":{"containers":[{"name":"nginx","image":"nginx:1.25","ports":[{"containerPort":80}],)"
                 R"("args":["-c","x"]}],"empty":{},"none":[],"n":null,"b":false,"f":1.5}})") ==
        "apiVersion: v1\n"
        "kind: Pod\n"
        "metadata:\n"
        "  name: web\n"
        "  labels:\n"
        "    app: web\n"
        "spec:\n"
        "  containers:\n"
        "  - name: nginx\n"
        "    image: nginx:1.25\n"
        "    ports:\n"
        "    - containerPort: 80\n"
        "    args:\n"
        "    - -c\n"
        "    - x\n"
        "  empty: {}\n"
        "  none: []\n"
        "  \"n\": null\n"
        "  b: false\n"
        "  f: 1.5\n");
}

TEST_CASE("yaml emit: nested sequences and top-level values", "[yaml]") {
  CHECK(EmitJson(R"([[1,2],[],{"a":[{"b":1}]}])") == "- - 1\n  - 2\n- []\n- a:\n  - b: 1\n");
  CHECK(EmitJson("{}") == "{}\n");
  CHECK(EmitJson("[]") == "[]\n");
  CHECK(EmitJson("null") == "null\n");
  CHECK(EmitJson("42") == "42\n");
  CHECK(EmitJson(R"("plain")") == "plain\n");
  CHECK(EmitJson(R"("a\nb")") == "|-\n  a\n  b\n");
}

TEST_CASE("yaml emit: scalar quoting", "[yaml]") {
  CHECK(EmitJson(R"({"a":"true"})") == "a: \"true\"\n");
  CHECK(EmitJson(R"({"a":"123"})") == "a: \"123\"\n");
  CHECK(EmitJson(R"({"a":""})") == "a: \"\"\n");
  CHECK(EmitJson(R"({"a":"null"})") == "a: \"null\"\n");
  CHECK(EmitJson(R"({"a":"~"})") == "a: \"~\"\n");
  CHECK(EmitJson(R"({"a":"yes"})") == "a: \"yes\"\n");
  CHECK(EmitJson(R"({"a":"0755"})") == "a: \"0755\"\n");
  CHECK(EmitJson(R"({"a":"1.5"})") == "a: \"1.5\"\n");
  CHECK(EmitJson(R"({"a":"a: b"})") == "a: 'a: b'\n");
  CHECK(EmitJson(R"({"a":" lead"})") == "a: ' lead'\n");
  CHECK(EmitJson(R"({"a":"trail "})") == "a: 'trail '\n");
  CHECK(EmitJson(R"({"a":"x #y"})") == "a: 'x #y'\n");
  CHECK(EmitJson(R"({"a":"#c"})") == "a: '#c'\n");
  CHECK(EmitJson(R"({"a":"*x"})") == "a: '*x'\n");
  CHECK(EmitJson(R"({"a":"&x"})") == "a: '&x'\n");
  CHECK(EmitJson(R"({"a":"!x"})") == "a: '!x'\n");
  CHECK(EmitJson(R"({"a":"-x"})") == "a: -x\n");
  CHECK(EmitJson(R"({"a":"- x"})") == "a: '- x'\n");
  CHECK(EmitJson(R"({"a":"-"})") == "a: '-'\n");
  CHECK(EmitJson(R"({"a":"---"})") == "a: '---'\n");
  CHECK(EmitJson(R"({"a":"it's"})") == "a: it's\n");
  CHECK(EmitJson(R"({"a":"'q'"})") == "a: '''q'''\n");
  CHECK(EmitJson(R"({"a":"tab\there"})") == "a: \"tab\\there\"\n");
  CHECK(EmitJson(R"({"a":"bell\u0007"})") == "a: \"bell\\x07\"\n");
  CHECK(EmitJson(R"({"a":"ünïcødé ✓"})") == "a: ünïcødé ✓\n");
  CHECK(EmitJson(R"({"a":"x:y","b":"http://h:1/p?q=1&r","c":"a,b[c]{d}"})") ==
        "a: x:y\nb: http://h:1/p?q=1&r\nc: a,b[c]{d}\n");
  CHECK(EmitJson(R"({"<<":1,"true":2,"a b":3,"k:":4})") == "'<<': 1\n\"true\": 2\na b: 3\n'k:': 4\n");
}

TEST_CASE("yaml emit: multi-line strings use literal blocks", "[yaml]") {
  CHECK(EmitJson(R"({"s":"l1\nl2"})") == "s: |-\n  l1\n  l2\n");
  CHECK(EmitJson(R"({"s":"l1\n\nl2\n"})") == "s: |\n  l1\n\n  l2\n");
  CHECK(EmitJson(R"({"s":"l1\n\n"})") == "s: |+\n  l1\n\n");
  CHECK(EmitJson(R"({"l":["a\nb"]})") == "l:\n- |-\n  a\n  b\n");
  // A leading space would be read as indentation: double quotes instead.
  CHECK(EmitJson(R"({"s":" x\ny"})") == "s: \" x\\ny\"\n");
}

TEST_CASE("yaml emit: numbers keep their kind", "[yaml]") {
  CHECK(EmitJson("[1, -2, 2.0, 0.1, 1e300, -0.0, 18446744073709551615]") ==
        "- 1\n- -2\n- 2.0\n- 0.1\n- 1e+300\n- -0.0\n- 18446744073709551615\n");
}

TEST_CASE("yaml emit: round trip on tricky documents", "[yaml]") {
  const char* docs[] = {
      R"({"a":"true","b":"True","c":"FALSE","d":"null","e":"~","f":"","g":"0x1F","h":"0o17","i":"1e3"})",
      R"({"a":".inf","b":"-.inf","c":".nan","d":"...","e":"---","f":"- x","g":"? x","h":": x","i":"-x","j":"?x","k":":x","l":"-","m":"?","n":":","o":"--x"})",
      R"({"a":"a: b","b":"a #b","c":"#","d":"|","e":">","f":"%x","g":"@x","h":"`x","i":"{","j":"[x]"})",
      R"({"a":" ","b":"  x  ","c":"\t","d":"\n","e":"\n\n","f":"x\n","g":"x\n\n\n","h":"\nx","i":"x\n y"})",
      R"({"a":"x\r\ny","b":"\u0000","c":"\u0085","d":"\u2028","e":"\ufeff","f":"\u001f","g":"\u007f","h":"\u00a0"})",
      R"({"a":"日本語","b":"emoji 😀","c":"ü\nß","d":"\"quoted\"","e":"back\\slash","f":"'single'"})",
      R"({"a":"x\n   \ny","b":"x\n ","c":"x\n\t","d":"a\n#b","e":"a\n- b","f":"k: v\nk2: v2"})",
      R"({"<<":{"<<":1},"":"empty key","a b":{"c d":["e f"]},"1":1,"null":null,"- x":"y"})",
      R"([[[[]]],[{}],[[{"a":[[1]]}]],{"x":[{"y":[]}]}])",
      R"([0,-1,1.5,-2.5e-10,1e21,123456789012345678,9223372036854775807,-9223372036854775808,0.1,3.0])",
      R"({"2024-01-01":"2024-01-01","1:30":"1:30","v1.2":"v1.2","1_000":"1_000","0b1":"0b1","+1":"+1"})",
      R"({"y":"y","n":"n","on":"on","Off":"Off","YES":"YES","=":"=",".":".",".a":".a","a.":"a."})",
      R"("just a string")", R"("")", "true", "0", "[]", "{}", "null", R"("multi\nline\n")",
  };
  for (const char* j : docs) CheckRoundTripJson(j);
}

TEST_CASE("yaml emit: long keys use the explicit form", "[yaml]") {
  std::string key(1500, 'k');
  CheckRoundTripJson("{\"" + key + "\":{\"a\":[1,2]},\"b\":1}");
  CheckRoundTripJson("{\"" + key + "\":\"v\"}");
}

TEST_CASE("yaml emit: randomized round trip", "[yaml]") {
  std::mt19937 rng(12345);
  const std::vector<std::string> atoms = {"a", " ", ":", "#", "-", "\n", "'", "\"", "\\", "\t", "1",
                                          ".", "e", "x", "ü", "😀", "~", "&", "*", "!", "|", ">",
                                          "?", ",", "[", "{", "%", "@", "null", "true", "0x", "\r"};
  auto random_string = [&] {
    std::string s;
    int n = rng() % 8;
    for (int i = 0; i < n; ++i) s += atoms[rng() % atoms.size()];
    return s;
  };
  std::function<void(dw::json::Value&, dw::json::Allocator&, int)> fill =
      [&](dw::json::Value& v, dw::json::Allocator& a, int depth) {
        int kind = depth > 3 ? rng() % 5 : rng() % 7;
        switch (kind) {
          case 0: v.SetNull(); break;
          case 1: v.SetBool(rng() % 2); break;
          case 2: v.SetInt64(static_cast<int64_t>(rng()) - (1 << 30)); break;
          case 3: v.SetDouble(static_cast<double>(rng()) / 7.0); break;
          case 4: v = dw::json::Str(random_string(), a); break;
          case 5: {
            v.SetObject();
            int n = rng() % 4;
            for (int i = 0; i < n; ++i) {
              std::string k = random_string();
              if (v.HasMember(k.c_str()) || k.find('\0') != std::string::npos) continue;
              dw::json::Value child;
              fill(child, a, depth + 1);
              v.AddMember(dw::json::Str(k, a), child, a);
            }
            break;
          }
          default: {
            v.SetArray();
            int n = rng() % 4;
            for (int i = 0; i < n; ++i) {
              dw::json::Value child;
              fill(child, a, depth + 1);
              v.PushBack(child, a);
            }
          }
        }
      };
  for (int iter = 0; iter < 2000; ++iter) {
    Document d;
    fill(d, d.GetAllocator(), 0);
    CheckRoundTrip(d);
  }
}

namespace {

// ~10 MB of BackupPolicy-like objects, as list items or as separate documents.
std::string BigManifest(bool as_list, int* count) {
  std::string text = as_list ? "kind: List\nitems:\n" : "";
  text.reserve(11 << 20);
  const char* p = as_list ? "  " : "";
  int n = 0;
  while (text.size() < (10u << 20)) {
    text += as_list ? "- " : "---\n";
    text += std::string("apiVersion: dockward.io/v1\n") + p + "kind: BackupPolicy\n" + p + "metadata:\n" + p +
            "  name: policy-" + std::to_string(n++) + "\n" + p + "  labels: {app: db, tier: \"1\"}\n" + p +
            "spec:\n" + p + "  schedule: '0 3 * * *'\n" + p + "  retention: 7\n" + p + "  targets:\n" + p +
            "  - engine: postgres\n" + p + "    port: 5432\n" + p + "    enabled: true\n" + p +
            "  - engine: mysql\n" + p + "    port: 3306\n" + p + "    ratio: 0.5\n" + p + "  note: |\n" + p +
            "    line one\n" + p + "    line two\n";
  }
  *count = n;
  return text;
}

double Seconds(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

// Timing depends on machine load, so it runs on request only:
//   unit_json "[perf]"
// Measured on the shared 2-core dev box: ~0.4-0.55 s for one 10 MB document
// (libyaml's own scan is ~0.25 s of that), ~1-1.5 s for 34k documents with
// line tracking (RapidJSON's 64 KB first pool chunk per document dominates).
TEST_CASE("yaml: a 10 MB manifest parses quickly", "[yaml][.perf]") {
  int n = 0;
  std::string list = BigManifest(true, &n);
  auto start = std::chrono::steady_clock::now();
  Document d;
  REQUIRE(dw::yaml::ParseOne(list, {"big.yaml", false}, &d).ok());
  double secs = Seconds(start);
  REQUIRE(d["items"].Size() == static_cast<size_t>(n));
  WARN("10 MB single document: " << secs << " s");
  CHECK(secs < 1.0);

  std::string stream = BigManifest(false, &n);
  start = std::chrono::steady_clock::now();
  std::vector<dw::yaml::YamlDocument> docs;
  REQUIRE(dw::yaml::ParseAll(stream, {"big.yaml", true}, &docs).ok());
  secs = Seconds(start);
  REQUIRE(docs.size() == static_cast<size_t>(n));
  WARN(n << " documents, 10 MB, with line tracking: " << secs << " s");
  CHECK(secs < 2.0);
}

TEST_CASE("yaml: large manifests parse completely", "[yaml]") {
  int n = 0;
  std::string list = BigManifest(true, &n);
  Document d;
  REQUIRE(dw::yaml::ParseOne(list, {"big.yaml", false}, &d).ok());
  REQUIRE(d["items"].Size() == static_cast<size_t>(n));
  CHECK(d["items"][n - 1]["spec"]["targets"][1]["ratio"].GetDouble() == 0.5);
  CHECK(d["items"][n - 1]["metadata"]["labels"]["tier"] == "1");

  std::string stream = BigManifest(false, &n);
  std::vector<dw::yaml::YamlDocument> docs;
  REQUIRE(dw::yaml::ParseAll(stream, {"big.yaml", true}, &docs).ok());
  REQUIRE(docs.size() == static_cast<size_t>(n));
  CHECK(docs.back().lines.at("spec.targets[1].ratio") == docs.back().first_line + 15);
  CHECK(docs.back().doc["metadata"]["name"] == ("policy-" + std::to_string(n - 1)).c_str());
}
