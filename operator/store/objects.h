// The committed-state map and helpers to build immutable Object values.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "operator/store/store.h"

namespace dw::store {

using ObjectMap = std::map<std::string, Object, std::less<>>;

// Shared empty label set: most objects have no labels; avoid one alloc each.
std::shared_ptr<const meta::Labels> NoLabels();
std::shared_ptr<const meta::Labels> LabelsPtr(const json::Value& obj);

// Builds an Object from stored bytes (recovery): parses the JSON once for the
// labels. Corruption if the bytes are not JSON.
Status ObjectFromBytes(std::string key, int64_t rev, std::string data, Object* out);

}  // namespace dw::store
