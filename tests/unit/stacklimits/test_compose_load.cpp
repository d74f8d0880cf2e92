#include <catch2/catch.hpp>

#include "reconcilers/stacklimits/compose_load.h"
#include "tests/unit/stacklimits/lab_fixture.h"

using namespace dw;
using namespace dw::stacklimits;
using dw::stacklimits::testing::TempDir;

namespace {

ComposeFile Parse(const std::string& text, const std::string& path = "/p/docker-compose.yml") {
  ComposeFile f;
  Status st = ParseComposeFile(text, path, &f);
  INFO(st.message());
  REQUIRE(st.ok());
  return f;
}

const json::Value& Svc(const json::Value& doc, const char* name) {
  const json::Value* s = json::FindPath(doc, std::string("services.") + name);
  REQUIRE(s);
  return *s;
}

json::Document Yaml(const std::string& text) {
  json::Document d;
  REQUIRE(yaml::ParseOne(text, {}, &d).ok());
  return d;
}

// Merges `over` into `base` (both YAML service bodies) and returns the result as JSON.
std::string Merged(const std::string& base, const std::string& over) {
  json::Document b = Yaml(base);
  json::Document o = Yaml(over);
  MergeService(b, o, b.GetAllocator());
  return json::Serialize(b);
}

}  // namespace

TEST_CASE("compose load: anchors and merge keys are resolved, x-* dropped", "[compose][load]") {
  ComposeFile f = Parse(
      "version: \"2.4\"\n"
      "x-good: &good\n"
      "  image: busybox\n"
      "  mem_limit: 64m\n"
      "  labels: {tier: good}\n"
      "services:\n"
      "  web:\n"
      "    <<: *good\n"
      "    mem_limit: 128m\n"
      "  plain:\n"
      "    <<: *good\n");
  CHECK(json::Find(f.yaml.doc, "x-good") == nullptr);
  const json::Value& web = Svc(f.yaml.doc, "web");
  CHECK(json::GetString(web, "image") == "busybox");
  CHECK(json::GetString(web, "mem_limit") == "128m");  // explicit key beats the merge
  CHECK(json::GetStringPath(web, "labels.tier") == "good");
  CHECK(json::GetString(Svc(f.yaml.doc, "plain"), "mem_limit") == "64m");
  CHECK(f.dir == "/p");
}

TEST_CASE("compose load: legacy v1 format puts services at top level", "[compose][load]") {
  ComposeFile f = Parse("web:\n  image: busybox\n  privileged: true\n");
  CHECK(json::GetString(Svc(f.yaml.doc, "web"), "image") == "busybox");
  CHECK(f.yaml.lines.at("services.web.privileged") == 3);
}

TEST_CASE("compose load: malformed files name file and line", "[compose][load]") {
  ComposeFile f;
  Status st = ParseComposeFile("services:\n  web:\n    image: [a\n", "dc.yml", &f);
  REQUIRE_FALSE(st.ok());
  CHECK(st.message().rfind("dc.yml:", 0) == 0);

  st = ParseComposeFile("version: '2'\nservices:\n  web: busybox\n", "dc.yml", &f);
  REQUIRE_FALSE(st.ok());
  CHECK(st.message() == "dc.yml:3: service \"web\" must be a mapping");

  st = ParseComposeFile("version: '2'\nservices: [a]\n", "dc.yml", &f);
  REQUIRE_FALSE(st.ok());
  CHECK(st.message() == "dc.yml:2: services must be a mapping");

  st = ParseComposeFile("- a\n", "dc.yml", &f);
  REQUIRE_FALSE(st.ok());
  CHECK(st.message() == "dc.yml:1: top level must be a mapping");

  st = ParseComposeFile("# nothing\n", "dc.yml", &f);
  REQUIRE_FALSE(st.ok());
  CHECK(st.message() == "dc.yml: empty compose file");

  st = ParseComposeFile("services: {}\n---\nservices: {}\n", "dc.yml", &f);
  REQUIRE_FALSE(st.ok());
  CHECK(st.message() == "dc.yml:2: a compose file holds one YAML document");  // the "---" line
}

TEST_CASE("compose load: interpolation replaces values, not keys, and notes unset vars", "[compose][load]") {
  ComposeFile g = Parse(
      "version: '2.4'\n"
      "services:\n"
      "  web:\n"
      "    image: \"${REG}/web:${TAG:-latest}\"\n"
      "    environment:\n"
      "      ${KEY}: $$HOME\n"
      "    command: [echo, \"$MSG\"]\n",
      "dc.yml");
  std::vector<ComposeNote> notes;
  REQUIRE(InterpolateComposeFile({{"MSG", "hi"}}, &g, &notes).ok());
  const json::Value& web = Svc(g.yaml.doc, "web");
  CHECK(json::GetString(web, "image") == "/web:latest");
  CHECK(json::GetStringPath(web, "environment.${KEY}") == "$HOME");
  CHECK(std::string(json::Find(web, "command")->GetArray()[1].GetString()) == "hi");
  REQUIRE(notes.size() == 1);
  CHECK(notes[0].file == "dc.yml");
  CHECK(notes[0].line == 4);
  CHECK(notes[0].service == "web");
  CHECK(notes[0].message == "variable \"REG\" is not set: substituting an empty string");
}

TEST_CASE("compose load: interpolation errors name file and line", "[compose][load]") {
  ComposeFile f = Parse("services:\n  web:\n    image: x\n    environment:\n      - A=${NEED:?set NEED}\n",
                        "dc.yml");
  std::vector<ComposeNote> notes;
  Status st = InterpolateComposeFile({}, &f, &notes);
  REQUIRE_FALSE(st.ok());
  CHECK(st.message() ==
        "dc.yml:5: required variable NEED is missing a value: set NEED (in services.web.environment[0])");
}

TEST_CASE("compose merge: scalars replaced, maps merged by key", "[compose][merge]") {
  CHECK(Merged("{image: a, privileged: true}", "{image: b}") == R"({"image":"b","privileged":true})");
  CHECK(Merged("{environment: [A=1, B=2, C]}", "{environment: {B: '3', D: x}}") ==
        R"({"environment":{"A":"1","B":"3","C":null,"D":"x"}})");
  CHECK(Merged("{labels: {a: '1'}}", "{labels: [b=2, c]}") == R"({"labels":{"a":"1","b":"2","c":""}})");
}

TEST_CASE("compose merge: list fields are unions in order", "[compose][merge]") {
  CHECK(Merged("{cap_add: [NET_ADMIN, SYS_TIME]}", "{cap_add: [SYS_TIME, BPF]}") ==
        R"({"cap_add":["NET_ADMIN","SYS_TIME","BPF"]})");
  CHECK(Merged("{env_file: a.env}", "{env_file: [b.env]}") == R"({"env_file":["a.env","b.env"]})");
  CHECK(Merged("{security_opt: ['no-new-privileges:true']}", "{security_opt: ['seccomp:unconfined']}") ==
        R"({"security_opt":["no-new-privileges:true","seccomp:unconfined"]})");
  // command is not a union: replaced
  CHECK(Merged("{command: [a, b]}", "{command: [c]}") == R"({"command":["c"]})");
}

TEST_CASE("compose merge: volumes by container path", "[compose][merge]") {
  CHECK(Merged("{volumes: ['/a:/data', 'logs:/logs:ro', /anon]}",
               "{volumes: ['/b:/data:ro', {type: bind, source: /c, target: /logs}, /new]}") ==
        R"({"volumes":["/anon","/b:/data:ro",{"type":"bind","source":"/c","target":"/logs"},"/new"]})");
}

TEST_CASE("compose merge: logging, healthcheck and deploy", "[compose][merge]") {
  CHECK(Merged("{logging: {driver: json-file, options: {max-size: 1m}}}", "{logging: {options: {max-file: '3'}}}") ==
        R"({"logging":{"driver":"json-file","options":{"max-size":"1m","max-file":"3"}}})");
  CHECK(Merged("{logging: {driver: json-file, options: {max-size: 1m}}}", "{logging: {driver: syslog}}") ==
        R"({"logging":{"driver":"syslog"}})");
  CHECK(Merged("{healthcheck: {test: [CMD, 'true'], interval: 2s}}", "{healthcheck: {interval: 5s}}") ==
        R"({"healthcheck":{"test":["CMD","true"],"interval":"5s"}})");
  CHECK(Merged("{healthcheck: {test: [CMD, 'true']}}", "{healthcheck: {disable: true}}") ==
        R"({"healthcheck":{"disable":true}})");
  CHECK(Merged("{deploy: {resources: {limits: {memory: 64M, cpus: '0.5'}}}}",
               "{deploy: {resources: {limits: {memory: 128M}}}}") ==
        R"({"deploy":{"resources":{"limits":{"memory":"128M","cpus":"0.5"}}}})");
}

TEST_CASE("compose load: several files merged in order, located per file", "[compose][load]") {
  TempDir tmp;
  std::string a = tmp.Write("a.yml",
                            "version: '2.4'\n"
                            "services:\n"
                            "  web:\n"
                            "    image: busybox\n"
                            "    cap_add: [NET_ADMIN]\n"
                            "  db:\n"
                            "    image: postgres\n");
  std::string b = tmp.Write("b.yml",
                            "version: '2.4'\n"
                            "services:\n"
                            "  web:\n"
                            "    privileged: true\n"
                            "    cap_add: [SYS_TIME]\n");
  ComposeModel m;
  std::vector<ComposeNote> notes;
  REQUIRE(LoadComposeModel({a, b}, {}, &m, &notes).ok());
  CHECK(json::Serialize(m.services) ==
        R"({"web":{"image":"busybox","cap_add":["NET_ADMIN","SYS_TIME"],"privileged":true},"db":{"image":"postgres"}})");
  auto [file, line] = m.Locate("services.web.privileged");
  REQUIRE(file);
  CHECK(*file == b);
  CHECK(line == 4);
  std::tie(file, line) = m.Locate("services.db.image");
  CHECK(*file == a);
  CHECK(line == 7);
  std::tie(file, line) = m.Locate("services.db.not.written");  // closest parent
  CHECK(*file == a);
  CHECK(line == 6);
  CHECK(m.Locate("nothing").first == nullptr);

  Status st = LoadComposeModel({(tmp.path / "missing.yml").string()}, {}, &m, &notes);
  REQUIRE_FALSE(st.ok());
  CHECK(st.IsNotFound());
  CHECK(st.message().find("missing.yml") != std::string::npos);
}
