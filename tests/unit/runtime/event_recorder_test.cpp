// EventRecorder over the real registry: Events are listable by the involved
// object's uid and repeats aggregate into one Event with a count.
#include <catch2/catch.hpp>

#include <regex>

#include "operator/runtime/event_recorder.h"
#include "tests/unit/runtime/runtime_fixture.h"

using namespace dw;
using namespace dw::runtime;
using namespace dw::runtime::testing;
using namespace std::chrono_literals;

namespace {
ObjectList EventsOf(RuntimeFixture& fx, const schema::ResourceInfo& ev, const std::string& uid) {
  ListOptions lo;
  REQUIRE(meta::FieldSelector::Parse("involvedObject.uid=" + uid, &lo.fields).ok());
  ObjectList out;
  REQUIRE(fx.client().List(ev, "default", lo, &out).ok());
  return out;
}
}  // namespace

TEST_CASE("event recorder writes v1 Events and aggregates repeats") {
  RuntimeFixture fx;
  const schema::ResourceInfo* ev = fx.client().Resolve("v1", "Event");
  REQUIRE(ev != nullptr);
  auto p = fx.MustCreate(fx.bp(), Policy("p1"));
  auto q = fx.MustCreate(fx.bp(), Policy("q1"));
  std::string uid = json::GetStringPath(p, "metadata.uid");
  EventRecorder rec(&fx.client(), *ev, {"backuppolicy-controller", "host-a"});
  rec.Record(p, "Normal", "Scheduled", "next run at 02:00");
  rec.Record(p, "Normal", "Scheduled", "next run at 02:00");
  rec.Record(p, "Warning", "Failed", "docker is down");
  rec.Record(q, "Normal", "Scheduled", "next run at 02:00");
  REQUIRE(rec.Flush(5s));

  auto list = EventsOf(fx, *ev, uid);
  REQUIRE(list.items.size() == 2);
  const json::Value* scheduled = nullptr;
  for (const auto& e : list.items)
    if (json::GetString(e, "reason") == "Scheduled") scheduled = &e;
  REQUIRE(scheduled);
  const json::Value& e = *scheduled;
  CHECK(json::GetInt(e, "count") == 2);
  CHECK(json::GetString(e, "type") == "Normal");
  CHECK(json::GetString(e, "message") == "next run at 02:00");
  CHECK(json::GetStringPath(e, "source.component") == "backuppolicy-controller");
  CHECK(json::GetString(e, "reportingComponent") == "backuppolicy-controller");
  CHECK(json::GetString(e, "reportingInstance") == "host-a");
  CHECK(json::GetStringPath(e, "involvedObject.kind") == "BackupPolicy");
  CHECK(json::GetStringPath(e, "involvedObject.apiVersion") == "dockward.io/v1alpha1");
  CHECK(json::GetStringPath(e, "involvedObject.name") == "p1");
  CHECK(json::GetStringPath(e, "involvedObject.namespace") == "default");
  CHECK(json::GetStringPath(e, "involvedObject.resourceVersion") == json::GetStringPath(p, "metadata.resourceVersion"));
  CHECK(std::regex_match(json::GetStringPath(e, "metadata.name"), std::regex(R"(p1\.[0-9a-f]{16})")));
  clock::TimePoint first, last;
  REQUIRE(clock::ParseRfc3339(json::GetString(e, "firstTimestamp"), &first));
  REQUIRE(clock::ParseRfc3339(json::GetString(e, "lastTimestamp"), &last));
  CHECK(last >= first);

  CHECK(EventsOf(fx, *ev, json::GetStringPath(q, "metadata.uid")).items.size() == 1);
}

TEST_CASE("event recorder drops, without blocking, when its queue is full") {
  RuntimeFixture fx;
  const schema::ResourceInfo* ev = fx.client().Resolve("v1", "Event");
  REQUIRE(ev != nullptr);
  auto p = fx.MustCreate(fx.bp(), Policy("p1"));
  EventRecorderOptions o{"c", "", 2};
  EventRecorder rec(&fx.client(), *ev, o);
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 200; ++i) rec.Record(p, "Normal", "Burst", "event " + std::to_string(i));
  CHECK(std::chrono::steady_clock::now() - t0 < 1s);
  REQUIRE(rec.Flush(10s));
  auto n = EventsOf(fx, *ev, json::GetStringPath(p, "metadata.uid")).items.size();
  CHECK(n >= 1);
  CHECK(n < 200);
}
