// The parsed form of a kubectl JSONPath template: literal text, expressions
// (a chain of steps from the current node or from the root "$"), and
// {range}...{end} blocks holding nested nodes.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "operator/common/status.h"
#include "operator/json/json.h"

namespace dw::jsonpath::ast {

struct Expr;

// One subscript of [a,b,c]: an index or a start:end:step slice.
struct Subscript {
  bool slice = false;
  bool has_start = false, has_end = false;
  long start = 0, end = 0, step = 1;
};

struct Filter;

struct Step {
  enum class Type { kFields, kIndexes, kWildcard, kRecursive, kFilter };
  Type type = Type::kFields;
  std::vector<std::string> fields;   // kFields: one name, or a union of quoted names
  std::vector<Subscript> subscripts;  // kIndexes
  std::shared_ptr<Filter> filter;     // kFilter
};

struct Expr {
  bool from_root = false;  // "$": evaluated against the document root
  std::vector<Step> steps;
};

// [?(left op right)] or [?(left)] for existence.
struct Filter {
  Expr left;
  std::string op;  // "" for existence
  bool right_is_path = false;
  Expr right_path;
  json::Document right_literal;
};

struct Node {
  enum class Type { kText, kExpr, kRange };
  Type type = Type::kText;
  std::string text;              // kText (escapes already resolved)
  Expr expr;                     // kExpr, kRange
  std::vector<Node> children;    // kRange body
};

// Parses a whole template into top-level nodes.
Status ParseTemplate(const std::string& tmpl, std::vector<Node>* out);

}  // namespace dw::jsonpath::ast
