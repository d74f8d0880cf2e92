#include <catch2/catch.hpp>

#include "operator/cli/args.h"
#include "operator/cli/verbs.h"

using dw::cli::Args;
using dw::cli::ParseArgs;

namespace {

dw::Status Parse(std::vector<std::string> words, Args* out) {
  std::vector<char*> argv;
  for (auto& w : words) argv.push_back(w.data());
  auto specs = dw::cli::GlobalFlags();
  auto get = dw::cli::GetFlags();
  specs.insert(specs.end(), get.begin(), get.end());
  return ParseArgs(static_cast<int>(argv.size()), argv.data(), 2, specs, out);
}

}  // namespace

TEST_CASE("args: long, short, attached and separated values", "[cli][args]") {
  Args a;
  REQUIRE(Parse({"dockward", "get", "bp", "-n", "prod", "--output=yaml", "-lapp=web", "x", "-A",
                 "--context", "c1"},
                &a)
              .ok());
  CHECK(a.verb == "get");
  CHECK(a.positional == std::vector<std::string>{"bp", "x"});
  CHECK(a.Get("namespace") == "prod");
  CHECK(a.Get("output") == "yaml");
  CHECK(a.Get("selector") == "app=web");
  CHECK(a.Get("context") == "c1");
  bool all = false;
  REQUIRE(a.GetBool("all-namespaces", false, &all).ok());
  CHECK(all);
  bool watch = true;
  REQUIRE(a.GetBool("watch", false, &watch).ok());
  CHECK_FALSE(watch);
}

TEST_CASE("args: -o=json, clustered booleans, -- and repeated flags", "[cli][args]") {
  Args a;
  REQUIRE(Parse({"dockward", "get", "-o=json", "-Aw", "--", "-notaflag"}, &a).ok());
  CHECK(a.Get("output") == "json");
  CHECK(a.Has("all-namespaces"));
  CHECK(a.Has("watch"));
  CHECK(a.positional == std::vector<std::string>{"-notaflag"});
  Args b;
  REQUIRE(Parse({"dockward", "get", "-n", "a", "-n", "b"}, &b).ok());
  CHECK(b.Get("namespace") == "b");
  CHECK(b.All("namespace").size() == 2);
}

TEST_CASE("args: kubectl's error texts", "[cli][args]") {
  Args a;
  auto st = Parse({"dockward", "get", "--bogus"}, &a);
  CHECK(st.message() == "error: unknown flag: --bogus");
  st = Parse({"dockward", "get", "-z"}, &a);
  CHECK(st.message() == "error: unknown shorthand flag: 'z' in -z");
  st = Parse({"dockward", "get", "-o"}, &a);
  CHECK(st.message() == "error: flag needs an argument: 'o' in -o");
  st = Parse({"dockward", "get", "--output"}, &a);
  CHECK(st.message() == "error: flag needs an argument: --output");
  Args b;
  REQUIRE(Parse({"dockward", "get", "--watch=maybe"}, &b).ok());
  bool w;
  st = b.GetBool("watch", false, &w);
  CHECK(st.message() ==
        "error: invalid argument \"maybe\" for \"--watch\" flag: strconv.ParseBool: parsing "
        "\"maybe\": invalid syntax");
}

TEST_CASE("args: durations", "[cli][args]") {
  std::chrono::milliseconds d;
  REQUIRE(dw::cli::ParseDuration("30s", &d));
  CHECK(d.count() == 30000);
  REQUIRE(dw::cli::ParseDuration("1m30s", &d));
  CHECK(d.count() == 90000);
  REQUIRE(dw::cli::ParseDuration("250ms", &d));
  CHECK(d.count() == 250);
  REQUIRE(dw::cli::ParseDuration("5", &d));
  CHECK(d.count() == 5000);
  REQUIRE(dw::cli::ParseDuration("2h", &d));
  CHECK(d.count() == 7200000);
  CHECK_FALSE(dw::cli::ParseDuration("", &d));
  CHECK_FALSE(dw::cli::ParseDuration("5x", &d));
  CHECK_FALSE(dw::cli::ParseDuration("m", &d));
  CHECK_FALSE(dw::cli::ParseDuration("1m5", &d));
}
