// Conditions, finalizers and ownerReferences helpers.
#include <catch2/catch.hpp>

#include "operator/runtime/conditions.h"
#include "operator/runtime/finalizers.h"
#include "operator/runtime/owner_refs.h"

using namespace dw;
using namespace dw::runtime;
using namespace std::chrono_literals;

namespace {
json::Document Doc(const std::string& text) {
  json::Document d;
  REQUIRE(json::Parse(text, &d).ok());
  return d;
}
clock::TimePoint T(const std::string& s) {
  clock::TimePoint t;
  REQUIRE(clock::ParseRfc3339(s, &t));
  return t;
}
}  // namespace

TEST_CASE("SetCondition adds a condition with all fields") {
  json::Document st = Doc("{}");
  CHECK(SetCondition(st, st.GetAllocator(), {"Ready", "False", "Pending", "waiting", 3},
                     T("2026-01-01T00:00:00Z")));
  const json::Value* c = FindCondition(st, "Ready");
  REQUIRE(c);
  CHECK(json::GetString(*c, "status") == "False");
  CHECK(json::GetString(*c, "reason") == "Pending");
  CHECK(json::GetString(*c, "message") == "waiting");
  CHECK(json::GetInt(*c, "observedGeneration") == 3);
  CHECK(json::GetString(*c, "lastTransitionTime") == "2026-01-01T00:00:00Z");
  CHECK_FALSE(IsTrue(st, "Ready"));
  CHECK(FindCondition(st, "Degraded") == nullptr);
}

TEST_CASE("lastTransitionTime moves only when status changes") {
  json::Document st = Doc(R"({"phase":"x"})");
  auto& a = st.GetAllocator();
  SetCondition(st, a, {"Ready", "True", "Ok", "fine", 1}, T("2026-01-01T00:00:00Z"));
  // Same verdict, new reason/message/generation: updated, time kept.
  CHECK(SetCondition(st, a, {"Ready", "True", "StillOk", "still fine", 2}, T("2026-01-02T00:00:00Z")));
  const json::Value* c = FindCondition(st, "Ready");
  CHECK(json::GetString(*c, "lastTransitionTime") == "2026-01-01T00:00:00Z");
  CHECK(json::GetString(*c, "reason") == "StillOk");
  CHECK(json::GetInt(*c, "observedGeneration") == 2);
  // Identical: nothing changes, and SetCondition says so.
  CHECK_FALSE(SetCondition(st, a, {"Ready", "True", "StillOk", "still fine", 2}, T("2026-01-03T00:00:00Z")));
  CHECK(IsTrue(st, "Ready"));
  // Status flips: time moves.
  CHECK(SetCondition(st, a, {"Ready", "False", "Broken", "down", 2}, T("2026-01-04T00:00:00Z")));
  c = FindCondition(st, "Ready");
  CHECK(json::GetString(*c, "lastTransitionTime") == "2026-01-04T00:00:00Z");
  CHECK(json::GetString(st, "phase") == "x");
  CHECK(st["conditions"].Size() == 1);
}

TEST_CASE("conditions of different types coexist and can be removed") {
  json::Document st = Doc("{}");
  auto& a = st.GetAllocator();
  SetCondition(st, a, {"Ready", "True", "Ok", "", 0});
  SetCondition(st, a, {"Degraded", "Unknown", "Probing", "", 0});
  CHECK(st["conditions"].Size() == 2);
  CHECK(json::Find(*FindCondition(st, "Ready"), "observedGeneration") == nullptr);
  CHECK(RemoveCondition(st, "Ready"));
  CHECK_FALSE(RemoveCondition(st, "Ready"));
  CHECK(st["conditions"].Size() == 1);
  CHECK(json::GetString(st["conditions"][0], "type") == "Degraded");
}

TEST_CASE("finalizers are added once and removed") {
  json::Document o = Doc(R"({"metadata":{"name":"x"}})");
  CHECK_FALSE(HasFinalizer(o, "dockward.io/cleanup"));
  CHECK(AddFinalizer(o, "dockward.io/cleanup"));
  CHECK_FALSE(AddFinalizer(o, "dockward.io/cleanup"));
  CHECK(AddFinalizer(o, "other/f"));
  CHECK(o["metadata"]["finalizers"].Size() == 2);
  CHECK(RemoveFinalizer(o, "dockward.io/cleanup"));
  CHECK_FALSE(RemoveFinalizer(o, "dockward.io/cleanup"));
  CHECK(json::Serialize(o["metadata"]["finalizers"]) == R"(["other/f"])");
  CHECK_FALSE(IsBeingDeleted(o));
  CHECK(IsBeingDeleted(Doc(R"({"metadata":{"deletionTimestamp":"2026-01-01T00:00:00Z"}})")));
}

TEST_CASE("SetControllerReference sets one controller and refuses a second") {
  auto owner = Doc(R"({"apiVersion":"dockward.io/v1alpha1","kind":"BackupPolicy","metadata":{"name":"p","namespace":"ns","uid":"u1"}})");
  auto other = Doc(R"({"apiVersion":"dockward.io/v1alpha1","kind":"BackupPolicy","metadata":{"name":"q","namespace":"ns","uid":"u2"}})");
  auto obj = Doc(R"({"metadata":{"name":"b","namespace":"ns","ownerReferences":[{"apiVersion":"v1","kind":"Secret","name":"s","uid":"s1"}]}})");
  REQUIRE(SetControllerReference(owner, obj).ok());
  const json::Value* ref = GetControllerOf(obj);
  REQUIRE(ref);
  CHECK(json::Serialize(*ref) ==
        R"({"apiVersion":"dockward.io/v1alpha1","kind":"BackupPolicy","name":"p","uid":"u1","controller":true,"blockOwnerDeletion":true})");
  CHECK(obj["metadata"]["ownerReferences"].Size() == 2);
  CHECK(SetControllerReference(owner, obj).ok());  // idempotent
  CHECK(obj["metadata"]["ownerReferences"].Size() == 2);
  Status st = SetControllerReference(other, obj);
  CHECK(st.code() == Code::kAlreadyExists);
  CHECK(IsOwnedBy(obj, "u1"));
  CHECK(IsOwnedBy(obj, "s1"));
  CHECK_FALSE(IsOwnedBy(obj, "u2"));

  auto elsewhere = Doc(R"({"metadata":{"name":"b","namespace":"other"}})");
  CHECK(SetControllerReference(owner, elsewhere).code() == Code::kBadRequest);
  auto no_uid = Doc(R"({"apiVersion":"v1","kind":"X","metadata":{"name":"p"}})");
  CHECK(SetControllerReference(no_uid, elsewhere).code() == Code::kBadRequest);
}
