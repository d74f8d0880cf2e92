// Small shared pieces of the structural-schema walkers (defaulting, pruning,
// validation): Kubernetes-style field paths and value rendering for messages.
#pragma once

#include <string>
#include <string_view>

#include "operator/json/json.h"

namespace dw::schema {

// Extends a field path in place and restores it on scope exit, so the walkers
// build "spec.targets[0].engine" without allocating a string per node.
class PathScope {
 public:
  enum Kind { kField, kIndex, kKey };
  PathScope(std::string& path, Kind kind, std::string_view part);
  PathScope(std::string& path, size_t index);
  ~PathScope() { path_.resize(old_size_); }
  PathScope(const PathScope&) = delete;
  PathScope& operator=(const PathScope&) = delete;

 private:
  std::string& path_;
  size_t old_size_;
};

// True when schema[key] is the boolean true.
bool Flag(const json::Value& schema, std::string_view key);

// Renders a value the way Kubernetes error messages quote it: strings in
// double quotes, numbers/booleans/null bare, objects/arrays as compact JSON
// (shortened past ~80 characters so one huge value cannot bloat an error).
std::string Render(const json::Value& v);

// The JSON type name of a value as Kubernetes names it in messages:
// "string", "integer", "number", "boolean", "object", "array", "null".
const char* TypeName(const json::Value& v);

}  // namespace dw::schema
