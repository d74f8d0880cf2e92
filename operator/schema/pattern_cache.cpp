#include "operator/schema/pattern_cache.h"

#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>

namespace dw::schema {

namespace {

struct Cache {
  std::shared_mutex mu;
  // nullptr value: the pattern failed to compile (remembered, not retried).
  std::unordered_map<std::string, std::unique_ptr<std::regex>> by_pattern;
};

Cache& TheCache() {
  static Cache* c = new Cache();  // never destroyed: pointers escape to callers
  return *c;
}

}  // namespace

const std::regex* CompiledPattern(std::string_view pattern) {
  Cache& c = TheCache();
  std::string key(pattern);
  {
    std::shared_lock lock(c.mu);
    auto it = c.by_pattern.find(key);
    if (it != c.by_pattern.end()) return it->second.get();
  }
  std::unique_ptr<std::regex> re;
  try {
    re = std::make_unique<std::regex>(key, std::regex::ECMAScript | std::regex::optimize);
  } catch (const std::regex_error&) {
    re.reset();
  }
  std::unique_lock lock(c.mu);
  auto [it, inserted] = c.by_pattern.emplace(std::move(key), std::move(re));
  return it->second.get();
}

}  // namespace dw::schema
