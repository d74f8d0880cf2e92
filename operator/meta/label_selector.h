// Label selectors with Kubernetes semantics:
//   a=b, a==b, a!=b, a in (x,y), a notin (x,y), a, !a
// comma-separated requirements, all of which must match. Also builds a
// selector from a metav1.LabelSelector object (matchLabels/matchExpressions).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "operator/common/status.h"
#include "operator/json/json.h"

namespace dw::meta {

using Labels = std::map<std::string, std::string>;

struct Requirement {
  enum class Op { kEquals, kNotEquals, kIn, kNotIn, kExists, kDoesNotExist };
  std::string key;
  Op op = Op::kExists;
  std::vector<std::string> values;  // sorted, for In/NotIn/Equals/NotEquals
};

class LabelSelector {
 public:
  LabelSelector() = default;  // matches everything

  // Parses the query-string form. Validates keys and values against the
  // Kubernetes label syntax (qualified names, 63-char values); errors name
  // the offending requirement.
  static Status Parse(const std::string& text, LabelSelector* out);
  // From a metav1.LabelSelector JSON object. Null/absent -> match everything
  // (callers decide whether "absent" should instead mean "nothing").
  static Status FromObject(const json::Value& sel, LabelSelector* out);

  bool Empty() const { return reqs_.empty(); }
  bool Matches(const Labels& labels) const;
  const std::vector<Requirement>& requirements() const { return reqs_; }
  std::string ToString() const;  // canonical query-string form

 private:
  std::vector<Requirement> reqs_;
};

// Reads metadata.labels of an object into a map (non-string values ignored).
Labels LabelsOf(const json::Value& obj);

// Kubernetes label key/value syntax checks (used by admission too).
// Return an empty string when valid, else the reason.
std::string ValidateLabelKey(const std::string& key);
std::string ValidateLabelValue(const std::string& value);

}  // namespace dw::meta
