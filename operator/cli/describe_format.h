// Building blocks of `describe`, kept separate so they can be tested:
// kubectl's field labels ("creationTimestamp" -> "Creation Timestamp",
// "apiVersion" -> "API Version"), the nested key/value rendering of
// unstructured content, and tabwriter-style alignment (padding 2).
#pragma once

#include <string>
#include <vector>

#include "operator/json/json.h"

namespace dw::cli {

std::string FieldLabel(const std::string& key);

// Lines of cells; a line with several cells is aligned with its neighbours.
using DescribeLines = std::vector<std::vector<std::string>>;

// Appends `v` under `indent` spaces, kubectl's generic-describer style.
void DescribeValue(const json::Value& v, int indent, DescribeLines* out);

// Aligns blocks of consecutive multi-cell lines (Go tabwriter, padding 2).
std::string AlignLines(const DescribeLines& lines);

}  // namespace dw::cli
