#include <catch2/catch.hpp>

#include "reconcilers/stacklimits/inspect_cache.h"

namespace dw::stacklimits {
namespace {

CachedContainerPtr Entry(const std::string& id, int64_t memory) {
  auto e = std::make_shared<CachedContainer>();
  e->facts.id = id;
  e->facts.memory = memory;
  return e;
}

TEST_CASE("InspectCache: put then get", "[inspect_cache]") {
  InspectCache c;
  CHECK(c.Get("a") == nullptr);
  CHECK(c.Put("a", Entry("a", 1), c.Begin()));
  REQUIRE(c.Get("a"));
  CHECK(c.Get("a")->facts.memory == 1);
  CHECK(c.size() == 1);
}

TEST_CASE("InspectCache: an event invalidates only its container", "[inspect_cache]") {
  InspectCache c;
  c.Put("a", Entry("a", 1), c.Begin());
  c.Put("b", Entry("b", 2), c.Begin());
  c.Invalidate("a");
  CHECK(c.Get("a") == nullptr);
  REQUIRE(c.Get("b"));
  CHECK(c.Get("b")->facts.memory == 2);
  c.Invalidate("never-seen");  // harmless
  CHECK(c.size() == 1);
}

TEST_CASE("InspectCache: an inspect that raced an invalidation is not stored", "[inspect_cache]") {
  InspectCache c;
  uint64_t slow = c.Begin();  // a pass starts inspecting "a"
  c.Invalidate("a");          // docker update event arrives meanwhile
  CHECK_FALSE(c.Put("a", Entry("a", 96), slow));
  CHECK(c.Get("a") == nullptr);  // next pass inspects again

  uint64_t after = c.Begin();
  CHECK(c.Put("a", Entry("a", 64), after));
  CHECK(c.Get("a")->facts.memory == 64);
  // The slow reader still cannot overwrite the fresh entry.
  CHECK_FALSE(c.Put("a", Entry("a", 96), slow));
  CHECK(c.Get("a")->facts.memory == 64);
}

TEST_CASE("InspectCache: an older read never replaces a newer one", "[inspect_cache]") {
  InspectCache c;
  uint64_t t0 = c.Begin();
  c.Invalidate("other");  // moves the epoch without touching "a"
  uint64_t t1 = c.Begin();
  REQUIRE(t1 > t0);
  CHECK(c.Put("a", Entry("a", 2), t1));
  CHECK_FALSE(c.Put("a", Entry("a", 1), t0));
  CHECK(c.Get("a")->facts.memory == 2);
}

TEST_CASE("InspectCache: invalidation of another container does not block a put", "[inspect_cache]") {
  InspectCache c;
  uint64_t t = c.Begin();
  c.Invalidate("b");
  CHECK(c.Put("a", Entry("a", 1), t));
}

TEST_CASE("InspectCache: clear (resync) drops everything and refuses older reads", "[inspect_cache]") {
  InspectCache c;
  c.Put("a", Entry("a", 1), c.Begin());
  uint64_t before = c.Begin();
  c.Clear();
  CHECK(c.size() == 0);
  CHECK_FALSE(c.Put("b", Entry("b", 1), before));
  CHECK(c.Put("b", Entry("b", 1), c.Begin()));
  CHECK(c.size() == 1);
}

TEST_CASE("InspectCache: retain drops vanished containers", "[inspect_cache]") {
  InspectCache c;
  c.Put("a", Entry("a", 1), c.Begin());
  c.Put("b", Entry("b", 2), c.Begin());
  c.Put("c", Entry("c", 3), c.Begin());
  c.Retain({"a", "c"});
  CHECK(c.size() == 2);
  CHECK(c.Get("b") == nullptr);
  CHECK(c.Get("a"));
  CHECK(c.Get("c"));
  c.Retain({});
  CHECK(c.size() == 0);
}

}  // namespace
}  // namespace dw::stacklimits
