#include <catch2/catch.hpp>

#include "reconcilers/gitops/drift.h"
#include "reconcilers/gitops/inventory.h"

namespace dw::gitops {
namespace {

InventoryEntry E(const std::string& kind, const std::string& name, const std::string& digest = "d") {
  InventoryEntry e;
  e.id.api_version = kind == "Namespace" ? "v1" : "dockward.io/v1alpha1";
  e.id.kind = kind;
  e.id.ns = kind == "Namespace" ? "" : "team";
  e.id.name = name;
  e.digest = digest;
  return e;
}

json::Document Doc(const std::string& text) {
  json::Document d;
  REQUIRE(json::Parse(text, &d).ok());
  return d;
}

TEST_CASE("inventory: what left Git is pruned, namespaces last", "[inventory]") {
  std::vector<InventoryEntry> old_inv{E("Namespace", "team"), E("BackupPolicy", "a"), E("BackupPolicy", "b"),
                                      E("StackLimits", "c")};
  std::vector<InventoryEntry> now{E("BackupPolicy", "b", "other digest")};
  auto prune = ToPrune(old_inv, now);
  REQUIRE(prune.size() == 3);
  CHECK(prune[0].id.name == "c");
  CHECK(prune[1].id.name == "a");
  CHECK(prune[2].id.kind == "Namespace");
  CHECK(ToPrune(now, old_inv).empty());
}

TEST_CASE("inventory: status round trip", "[inventory]") {
  json::Document d(rapidjson::kObjectType);
  std::vector<InventoryEntry> inv{E("Namespace", "team", "n1"), E("BackupPolicy", "a", "a1")};
  json::Value v = InventoryToJson(inv, d.GetAllocator());
  json::SetValue(d, "inventory", v, d.GetAllocator());
  auto back = InventoryFromStatus(&d);
  REQUIRE(back.size() == 2);
  CHECK(back[0].id == inv[0].id);
  CHECK(back[1].digest == "a1");
  CHECK(DigestIn(back, inv[1].id) == "a1");
  CHECK(DigestIn(back, E("BackupPolicy", "zz").id) == "");
  CHECK(InventoryFromStatus(nullptr).empty());
  auto u = Union({E("BackupPolicy", "a", "new")}, back);
  REQUIRE(u.size() == 2);
  CHECK(DigestIn(u, inv[1].id) == "new");
}

TEST_CASE("drift: content comparison ignores bookkeeping", "[drift]") {
  auto live = Doc(R"({"metadata":{"name":"a","resourceVersion":"5","generation":2,
    "managedFields":[{"manager":"dockward-gitops"}]},"spec":{"x":1},"status":{"s":1}})");
  auto same = Doc(R"({"metadata":{"name":"a","resourceVersion":"6","generation":3,
    "managedFields":[{"manager":"kubectl"}]},"spec":{"x":1}})");
  auto other = Doc(R"({"metadata":{"name":"a"},"spec":{"x":2}})");
  auto labeled = Doc(R"({"metadata":{"name":"a","labels":{"l":"v"}},"spec":{"x":1}})");
  CHECK_FALSE(ContentDiffers(live, same));
  CHECK(ContentDiffers(live, other));
  CHECK(ContentDiffers(live, labeled));
  CHECK(ManagedBy(live, "dockward-gitops"));
  CHECK_FALSE(ManagedBy(other, "dockward-gitops"));
}

TEST_CASE("drift: classification", "[drift]") {
  CHECK(Classify(false, true, "", "d1") == Change::kCreate);
  CHECK(Classify(true, false, "d1", "d1") == Change::kNone);
  CHECK(Classify(true, true, "d1", "d1") == Change::kRevert);
  CHECK(Classify(true, true, "d1", "d2") == Change::kUpdate);
  CHECK(Classify(true, true, "", "d2") == Change::kUpdate);  // adopted, not drift
}

}  // namespace
}  // namespace dw::gitops
