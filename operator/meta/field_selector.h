// Field selectors: "metadata.name=x,involvedObject.uid!=y". Only = / == / !=.
// Which fields may be selected is the caller's decision (the apiserver allows
// metadata.name and metadata.namespace on every kind, plus per-kind extras such
// as involvedObject.* on Events and type on Secrets).
#pragma once

#include <string>
#include <vector>

#include "operator/common/status.h"
#include "operator/json/json.h"

namespace dw::meta {

struct FieldRequirement {
  std::string field;  // dotted path, e.g. "involvedObject.name"
  bool negate = false;
  std::string value;
};

class FieldSelector {
 public:
  static Status Parse(const std::string& text, FieldSelector* out);
  bool Empty() const { return reqs_.empty(); }
  // Field values are read from the object by dotted path; a missing field
  // compares as the empty string (as in Kubernetes).
  bool Matches(const json::Value& obj) const;
  const std::vector<FieldRequirement>& requirements() const { return reqs_; }
  // The value required by an "=" requirement on `field`, if any.
  const std::string* ExactValue(const std::string& field) const;

 private:
  std::vector<FieldRequirement> reqs_;
};

}  // namespace dw::meta
