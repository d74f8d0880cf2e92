#include <catch2/catch.hpp>

#include "reconcilers/stacklimits/compose_interpolate.h"

using namespace dw::stacklimits;

namespace {

const VarMap kVars = {{"SET", "value"}, {"EMPTY", ""}, {"HOST", "db"}, {"PORT", "5432"}};

std::string Interp(const std::string& in, std::vector<std::string>* unset = nullptr) {
  std::string out;
  std::vector<std::string> u;
  dw::Status st = Interpolate(in, kVars, &out, &u);
  REQUIRE(st.ok());
  if (unset) *unset = u;
  return out;
}

dw::Status InterpError(const std::string& in) {
  std::string out;
  std::vector<std::string> u;
  return Interpolate(in, kVars, &out, &u);
}

}  // namespace

TEST_CASE("interpolate: plain forms", "[compose][interpolate]") {
  CHECK(Interp("no vars here") == "no vars here");
  CHECK(Interp("${SET}") == "value");
  CHECK(Interp("$SET") == "value");
  CHECK(Interp("$SET/x") == "value/x");
  CHECK(Interp("${HOST}:${PORT}") == "db:5432");
  CHECK(Interp("$HOST:$PORT") == "db:5432");
  CHECK(Interp("pre${SET}post") == "prevaluepost");
  CHECK(Interp("") == "");
}

TEST_CASE("interpolate: $$ is a literal dollar", "[compose][interpolate]") {
  CHECK(Interp("$$") == "$");
  CHECK(Interp("$$SET") == "$SET");
  CHECK(Interp("i=$$((i+1))") == "i=$((i+1))");
  CHECK(Interp("$${SET}") == "${SET}");
  CHECK(Interp("$$$SET") == "$value");
}

TEST_CASE("interpolate: defaults with and without colon", "[compose][interpolate]") {
  CHECK(Interp("${UNSET:-d}") == "d");
  CHECK(Interp("${UNSET-d}") == "d");
  CHECK(Interp("${EMPTY:-d}") == "d");  // ':-' treats empty as unset
  CHECK(Interp("${EMPTY-d}") == "");    // '-' only unset
  CHECK(Interp("${SET:-d}") == "value");
  CHECK(Interp("${SET-d}") == "value");
  CHECK(Interp("${UNSET:-}") == "");
  CHECK(Interp("${DW_DOCKER_SOCK:-/var/run/docker.sock}:/var/run/docker.sock:ro") ==
        "/var/run/docker.sock:/var/run/docker.sock:ro");
  CHECK(Interp("${UNSET:-a b:c}") == "a b:c");
}

TEST_CASE("interpolate: nested default is interpolated", "[compose][interpolate]") {
  CHECK(Interp("${UNSET:-${HOST}}") == "db");
  CHECK(Interp("${UNSET:-$PORT-x}") == "5432-x");
  CHECK(Interp("${UNSET:-$$}") == "$");
  std::vector<std::string> unset;
  CHECK(Interp("${UNSET:-${ALSO_UNSET}}", &unset) == "");
  CHECK(unset == std::vector<std::string>{"ALSO_UNSET"});
}

TEST_CASE("interpolate: unset variables become empty and are reported", "[compose][interpolate]") {
  std::vector<std::string> unset;
  CHECK(Interp("a${NOPE}b$NOPE2 c", &unset) == "ab c");
  CHECK(unset == std::vector<std::string>{"NOPE", "NOPE2"});
  CHECK(Interp("${UNSET:-d}", &unset) == "d");
  CHECK(unset.empty());  // a default is not a warning
  CHECK(Interp("${EMPTY}", &unset) == "");
  CHECK(unset.empty());  // set to "" is set
}

TEST_CASE("interpolate: required variables", "[compose][interpolate]") {
  CHECK(Interp("${SET:?need it}") == "value");
  CHECK(Interp("${SET?need it}") == "value");
  CHECK(Interp("${EMPTY?need it}") == "");
  dw::Status st = InterpError("${UNSET:?set UNSET please}");
  REQUIRE_FALSE(st.ok());
  CHECK(st.message() == "required variable UNSET is missing a value: set UNSET please");
  st = InterpError("${EMPTY:?}");
  REQUIRE_FALSE(st.ok());
  CHECK(st.message() == "required variable EMPTY is missing a value");
  CHECK_FALSE(InterpError("${UNSET?x}").ok());
}

TEST_CASE("interpolate: double braces are not compose syntax", "[compose][interpolate]") {
  CHECK(Interp("SMTP_HOST={{SMTP_HOST}}") == "SMTP_HOST={{SMTP_HOST}}");
  CHECK(Interp("{{ .Name }}-${SET}") == "{{ .Name }}-value");
}

TEST_CASE("interpolate: malformed input is an error", "[compose][interpolate]") {
  for (const char* bad : {"$", "abc$", "${", "${SET", "${}", "${1A}", "${SET:x}", "$(pwd)", "$ x", "${A B}"}) {
    INFO(bad);
    dw::Status st = InterpError(bad);
    CHECK_FALSE(st.ok());
    CHECK(st.code() == dw::Code::kInvalid);
  }
}

TEST_CASE("dotenv: parsing rules", "[compose][dotenv]") {
  std::vector<EnvLine> lines;
  std::string text =
      "# comment\n"
      "\n"
      "A=1\n"
      "  B = two words  \n"
      "export C=3\n"
      "D=\"quoted \\\"x\\\"\\nnext\"\n"
      "E='single $X \\n'\n"
      "F=\n"
      "BARE\n"
      "G=a=b\r\n";
  REQUIRE(ParseDotenv(text, ".env", &lines).ok());
  REQUIRE(lines.size() == 8);
  CHECK(lines[0].key == "A");
  CHECK(lines[0].value == "1");
  CHECK(lines[0].line == 3);
  CHECK(lines[1].key == "B");
  CHECK(lines[1].value == "two words");
  CHECK(lines[2].key == "C");
  CHECK(lines[2].value == "3");
  CHECK(lines[3].value == "quoted \"x\"\nnext");
  CHECK(lines[4].value == "single $X \\n");
  CHECK(lines[5].key == "F");
  CHECK(lines[5].has_value);
  CHECK(lines[5].value.empty());
  CHECK(lines[6].key == "BARE");
  CHECK_FALSE(lines[6].has_value);
  CHECK(lines[7].value == "a=b");
  CHECK(lines[7].line == 10);
}

TEST_CASE("dotenv: invalid keys name file and line", "[compose][dotenv]") {
  std::vector<EnvLine> lines;
  dw::Status st = ParseDotenv("A=1\nBAD KEY=2\n", "/x/.env", &lines);
  REQUIRE_FALSE(st.ok());
  CHECK(st.message() == "/x/.env:2: invalid variable name \"BAD KEY\"");
  lines.clear();
  CHECK_FALSE(ParseDotenv("=value\n", ".env", &lines).ok());
}
