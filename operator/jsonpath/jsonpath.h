// Kubernetes JSONPath (the kubectl -o jsonpath dialect and CRD printer
// columns): {.a.b}, [n], [start:end:step], [*], ..recursive, [?(@.k=="v")]
// with ==, !=, <, >, <=, >= and existence [?(@.k)], ['quoted.key'], unions
// [a,b], {range ...}{end}, literal text, and kubectl's output rules (scalars
// printed bare, maps/lists as JSON, multiple results joined by spaces).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "operator/common/status.h"
#include "operator/json/json.h"

namespace dw::jsonpath {

class JsonPath {
 public:
  JsonPath();
  ~JsonPath();
  JsonPath(JsonPath&&) noexcept;
  JsonPath& operator=(JsonPath&&) noexcept;

  // Accepts a kubectl template ("{.metadata.name}{\"\\n\"}") or a bare
  // printer-column path (".status.phase"), which is treated as "{.status.phase}".
  static Status Parse(const std::string& expr, JsonPath* out);

  // Renders the template as kubectl does. allow_missing=false makes a missing
  // key an error (kubectl's default for -o jsonpath); printer columns pass true.
  Status Execute(const json::Value& root, bool allow_missing, std::string* out) const;

  // The values the first expression selects (for printer columns).
  std::vector<const json::Value*> Select(const json::Value& root) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dw::jsonpath
