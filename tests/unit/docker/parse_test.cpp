#include <catch2/catch.hpp>

#include "operator/docker/client.h"

using namespace dw::docker;
namespace json = dw::json;

TEST_CASE("container list parsing strips the name slash and keeps labels") {
  json::Document doc;
  REQUIRE(json::Parse(R"([{"Id":"abc","Names":["/web"],"Image":"bb:1","State":"running",
    "Status":"Up 2 seconds","Created":1700000000,
    "Labels":{"com.docker.compose.project":"shop","n":"1"}},
    {"Id":"def","Names":null,"Labels":null}])", &doc).ok());
  std::vector<ContainerSummary> out;
  REQUIRE(ParseContainerList(doc, &out).ok());
  REQUIRE(out.size() == 2);
  CHECK(out[0].id == "abc");
  CHECK(out[0].names == std::vector<std::string>{"web"});
  CHECK(out[0].state == "running");
  CHECK(out[0].created == 1700000000);
  CHECK(out[0].labels.at("com.docker.compose.project") == "shop");
  CHECK(out[1].names.empty());
  CHECK(out[1].labels.empty());
  json::Document obj;
  REQUIRE(json::Parse("{}", &obj).ok());
  CHECK_FALSE(ParseContainerList(obj, &out).ok());
}

TEST_CASE("event parsing") {
  Event ev;
  REQUIRE(ParseEvent(R"({"status":"die","id":"c1","Type":"container","Action":"die",
    "Actor":{"ID":"c1","Attributes":{"exitCode":"137","name":"web"}},
    "scope":"local","time":1700000000,"timeNano":1700000000123456789})", &ev).ok());
  CHECK(ev.type == "container");
  CHECK(ev.action == "die");
  CHECK(ev.id == "c1");
  CHECK(ev.attributes.at("exitCode") == "137");
  CHECK(ev.attributes.at("name") == "web");
  CHECK(ev.time_nano == 1700000000123456789LL);
  CHECK_FALSE(ParseEvent("{not json", &ev).ok());
  CHECK_FALSE(ParseEvent("[1]", &ev).ok());
}

TEST_CASE("stats parsing subtracts page cache and computes CPU percent") {
  json::Document doc;
  REQUIRE(json::Parse(R"({"read":"2026-01-01T00:00:00Z",
    "pids_stats":{"current":3},
    "memory_stats":{"usage":10000000,"limit":67108864,"stats":{"inactive_file":1000000}},
    "cpu_stats":{"cpu_usage":{"total_usage":3000000000},"system_cpu_usage":20000000000,"online_cpus":2},
    "precpu_stats":{"cpu_usage":{"total_usage":2000000000},"system_cpu_usage":10000000000}})",
                      &doc).ok());
  ContainerStats s;
  REQUIRE(ParseStats(doc, &s).ok());
  CHECK(s.memory_usage == 9000000);
  CHECK(s.memory_limit == 67108864);
  CHECK(s.pids == 3);
  CHECK(s.online_cpus == 2);
  CHECK(s.cpu_percent == Approx(20.0));  // 1e9 / 1e10 * 2 CPUs * 100
  CHECK(s.read == "2026-01-01T00:00:00Z");

  json::Document first;  // first sample: no precpu, so no percentage
  REQUIRE(json::Parse(R"({"cpu_stats":{"cpu_usage":{"total_usage":5},"system_cpu_usage":9,
    "online_cpus":1},"precpu_stats":{"cpu_usage":{}}})", &first).ok());
  ContainerStats f;
  REQUIRE(ParseStats(first, &f).ok());
  CHECK(f.cpu_percent == 0.0);
  CHECK(f.cpu_total_ns == 5);
}

TEST_CASE("update body carries only the fields that are set") {
  ContainerUpdate u;
  CHECK(UpdateBody(u) == "{}");
  u.memory = 64 << 20;
  u.memory_swap = -1;
  u.nano_cpus = 500000000;
  u.pids_limit = 50;
  u.restart_policy = RestartPolicy{"on-failure", 3};
  CHECK(UpdateBody(u) ==
        R"({"Memory":67108864,"MemorySwap":-1,"NanoCpus":500000000,"PidsLimit":50,)"
        R"("RestartPolicy":{"Name":"on-failure","MaximumRetryCount":3}})");
}
