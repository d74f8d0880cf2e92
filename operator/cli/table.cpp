#include "operator/cli/table.h"

#include <algorithm>
#include <cctype>

namespace dw::cli {

namespace {

constexpr size_t kPadding = 3;

std::string Upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string LabelsText(const json::Value& row) {
  const json::Value* obj = json::Find(row, "object");
  const json::Value* md = obj ? json::Find(*obj, "metadata") : nullptr;
  const json::Value* labels = md ? json::Find(*md, "labels") : nullptr;
  if (!labels || !labels->IsObject() || labels->MemberCount() == 0) return "<none>";
  std::vector<std::string> kv;
  for (const auto& m : labels->GetObject())
    kv.push_back(std::string(m.name.GetString()) + "=" + CellText(m.value));
  std::sort(kv.begin(), kv.end());
  std::string out;
  for (const auto& s : kv) out += (out.empty() ? "" : ",") + s;
  return out;
}

}  // namespace

std::string CellText(const json::Value& v) {
  if (v.IsString()) return std::string(v.GetString(), v.GetStringLength());
  if (v.IsNull()) return "";
  if (v.IsBool()) return v.GetBool() ? "true" : "false";
  if (v.IsInt64()) return std::to_string(v.GetInt64());
  if (v.IsUint64()) return std::to_string(v.GetUint64());
  if (v.IsDouble()) {
    std::string s = json::Serialize(v);
    return s;
  }
  return json::Serialize(v);
}

void TablePrinter::Add(const json::Value& table) {
  const json::Value* cols = json::Find(table, "columnDefinitions");
  if (!have_columns_ && cols && cols->IsArray()) {
    have_columns_ = true;
    if (opts_.with_namespace) header_.push_back("NAMESPACE");
    for (rapidjson::SizeType i = 0; i < cols->Size(); ++i) {
      const auto& c = (*cols)[i];
      if (json::GetInt(c, "priority") > 0 && !opts_.wide) continue;
      column_index_.push_back(static_cast<int>(i));
      header_.push_back(Upper(json::GetString(c, "name")));
    }
    if (opts_.show_labels) header_.push_back("LABELS");
    widths_.assign(header_.size(), 0);
    if (!opts_.no_headers)
      for (size_t i = 0; i < header_.size(); ++i) widths_[i] = header_[i].size();
  }
  const json::Value* rows = json::Find(table, "rows");
  if (!rows || !rows->IsArray()) return;
  for (const auto& r : rows->GetArray()) {
    const json::Value* cells = json::Find(r, "cells");
    std::vector<std::string> line;
    if (opts_.with_namespace) {
      const json::Value* obj = json::Find(r, "object");
      line.push_back(obj ? json::GetStringPath(*obj, "metadata.namespace") : "");
    }
    for (int idx : column_index_) {
      std::string text;
      if (cells && cells->IsArray() && idx < static_cast<int>(cells->Size()))
        text = CellText((*cells)[idx]);
      if (idx == 0) text = opts_.name_prefix + text;  // the name column
      line.push_back(std::move(text));
    }
    if (opts_.show_labels) line.push_back(LabelsText(r));
    for (size_t i = 0; i < line.size() && i < widths_.size(); ++i)
      widths_[i] = std::max(widths_[i], line[i].size());
    rows_.push_back(std::move(line));
  }
}

std::string TablePrinter::Line(const std::vector<std::string>& cells) const {
  std::string out;
  for (size_t i = 0; i < cells.size(); ++i) {
    out += cells[i];
    if (i + 1 < cells.size()) out.append(widths_[i] + kPadding - cells[i].size(), ' ');
  }
  out += '\n';
  return out;
}

std::string TablePrinter::Render() const {
  std::string out;
  if (!opts_.no_headers && have_columns_) out += Line(header_);
  for (const auto& r : rows_) out += Line(r);
  return out;
}

std::string TablePrinter::RenderNew() {
  std::string out;
  if (!header_printed_ && rendered_ < rows_.size() && !opts_.no_headers && have_columns_) {
    out += Line(header_);
    header_printed_ = true;
  }
  for (; rendered_ < rows_.size(); ++rendered_) out += Line(rows_[rendered_]);
  return out;
}

}  // namespace dw::cli
