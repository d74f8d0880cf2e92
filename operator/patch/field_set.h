// FieldSet: a set of field paths as structured-merge-diff keeps them, stored
// as a tree whose edges are FieldsV1 path elements ("f:name", "k:{json}",
// "v:json", "i:N"). A node is a member when the path ending there is in the
// set; FieldsV1 writes such a node as {} or, with children, {".":{},...}.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "operator/common/status.h"
#include "operator/json/json.h"

namespace dw::patch {

// Orders path elements as upstream serializes them: fields, keys, values,
// indexes; indexes numerically, the rest bytewise.
struct PathElementLess {
  bool operator()(const std::string& a, const std::string& b) const;
};

using Path = std::vector<std::string>;

class FieldSet {
 public:
  bool member = false;
  std::map<std::string, FieldSet, PathElementLess> children;

  bool Empty() const { return !member && children.empty(); }
  const FieldSet* Find(const std::string& pe) const;
  void Insert(const Path& path);
  bool Has(const Path& path) const;
  void Union(const FieldSet& o);
  // Removes o's members (not the subtrees under them); drops emptied nodes.
  void Subtract(const FieldSet& o);
  FieldSet Intersect(const FieldSet& o) const;
  void ForEachMember(const std::function<void(const Path&)>& fn) const;

  void ToFieldsV1(json::Value* out, json::Allocator& a) const;
  static Status FromFieldsV1(const json::Value& v, FieldSet* out);

 private:
  void Walk(Path& prefix, const std::function<void(const Path&)>& fn) const;
};

// ".spec.conditions[type=\"Ready\"].status" as upstream prints a path.
std::string PathString(const Path& path);

// Path element constructors.
std::string FieldElement(std::string_view name);
std::string ValueElement(const json::Value& v);
// `item` must carry every key; the key object is written with sorted names.
std::string KeyElement(const json::Value& item, const std::vector<std::string>& keys);
std::string IndexElement(size_t i);

}  // namespace dw::patch
