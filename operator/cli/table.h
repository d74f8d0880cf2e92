// Prints meta.k8s.io/v1 Table responses the way kubectl does: upper-case
// headers, cells separated by at least three spaces (Go tabwriter with
// padding 3, no trailing spaces), priority>0 columns only when wide, a
// NAMESPACE column first for -A, a LABELS column for --show-labels.
#pragma once

#include <string>
#include <vector>

#include "operator/json/json.h"

namespace dw::cli {

struct TableOptions {
  bool wide = false;
  bool with_namespace = false;
  bool show_labels = false;
  bool no_headers = false;
  std::string name_prefix;  // "backuppolicy.dockward.io/" when printing several kinds
};

class TablePrinter {
 public:
  explicit TablePrinter(TableOptions opts) : opts_(std::move(opts)) {}

  // Takes column definitions (first call only) and rows from a Table.
  void Add(const json::Value& table);
  size_t rows() const { return rows_.size(); }
  // The aligned text, one line per row plus the header line.
  std::string Render() const;
  // Renders only rows added since the last call, aligned to at least the
  // widths used so far (for -w, where rows arrive one at a time).
  std::string RenderNew();

 private:
  std::string Line(const std::vector<std::string>& cells) const;
  TableOptions opts_;
  bool have_columns_ = false;
  std::vector<int> column_index_;  // which Table columns are shown
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
  std::vector<size_t> widths_;
  size_t rendered_ = 0;
  bool header_printed_ = false;
};

// A Table cell as kubectl prints it (strings bare, numbers, null -> "").
std::string CellText(const json::Value& v);

}  // namespace dw::cli
