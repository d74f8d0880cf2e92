// YAML <-> JSON (RapidJSON) conversion over libyaml.
// Manifests arrive as YAML (often multi-document); everything inside dockward
// is JSON. Parsing keeps the line of every node so that a validation error can
// name "file:line" and not only a field path.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "operator/common/status.h"
#include "operator/json/json.h"

namespace dw::yaml {

// One document of a YAML stream.
struct YamlDocument {
  json::Document doc;  // the document as JSON (null for an empty document)
  int first_line = 0;  // 1-based line where the document starts
  // Field path (as used in FieldCause::field, e.g. "spec.targets[0].engine")
  // -> 1-based line of that node. Filled only when ParseOptions::track_lines.
  std::map<std::string, int> lines;
};

struct ParseOptions {
  std::string source_name;  // file name used in error messages ("-" for stdin)
  bool track_lines = true;
};

// Parses every document of a YAML stream. Empty documents (only comments or
// "---") are skipped. Plain scalars resolve per the YAML 1.2 core schema, as
// sigs.k8s.io/yaml does (null/~, true/false, integers, floats; not yes/no);
// quoted scalars stay strings.
// Errors read "FILE:LINE:COL: message". Duplicate mapping keys are an error.
// Aliases/anchors are resolved; alias expansion is bounded (billion-laughs safe).
Status ParseAll(std::string_view text, const ParseOptions& opts, std::vector<YamlDocument>* out);

// Parses exactly one document (JSON is valid YAML, so this also accepts JSON).
Status ParseOne(std::string_view text, const ParseOptions& opts, json::Document* out);

// Emits `v` as block-style YAML the way kubectl -o yaml prints (two-space
// indent, strings quoted only when needed to round-trip, multi-line strings as
// literal blocks). No trailing "---".
std::string Emit(const json::Value& v);

}  // namespace dw::yaml
