#include "operator/cli/describe_format.h"

#include <algorithm>
#include <cctype>

#include "operator/cli/table.h"

namespace dw::cli {

namespace {

bool IsAcronym(const std::string& upper) {
  for (const char* a : {"API", "URL", "UID", "OSB", "GUID"})
    if (upper == a) return true;
  return false;
}

enum class CharClass { kLower, kUpper, kDigit, kOther };

CharClass ClassOf(char c) {
  if (std::islower(static_cast<unsigned char>(c))) return CharClass::kLower;
  if (std::isupper(static_cast<unsigned char>(c))) return CharClass::kUpper;
  if (std::isdigit(static_cast<unsigned char>(c))) return CharClass::kDigit;
  return CharClass::kOther;
}

// github.com/fatih/camelcase.Split, which kubectl uses: split where the
// character class changes, and move the last upper-case letter of an
// upper-case run onto a following lower-case run ("UIDValue" -> UID, Value).
std::vector<std::string> CamelSplit(const std::string& s) {
  std::vector<std::string> runs;
  CharClass last = CharClass::kOther;
  for (size_t i = 0; i < s.size(); ++i) {
    CharClass c = ClassOf(s[i]);
    if (runs.empty() || c != last) runs.emplace_back();
    runs.back() += s[i];
    last = c;
  }
  for (size_t i = 0; i + 1 < runs.size(); ++i) {
    if (ClassOf(runs[i][0]) == CharClass::kUpper && ClassOf(runs[i + 1][0]) == CharClass::kLower) {
      runs[i + 1] = runs[i].back() + runs[i + 1];
      runs[i].pop_back();
    }
  }
  std::vector<std::string> out;
  for (auto& r : runs)
    if (!r.empty()) out.push_back(r);
  return out;
}

bool IsScalar(const json::Value& v) { return !v.IsObject() && !v.IsArray(); }

}  // namespace

std::string FieldLabel(const std::string& key) {
  // Keys with anything but letters and '-' (label keys, "s3") stay verbatim.
  for (char c : key)
    if (!std::isalpha(static_cast<unsigned char>(c)) && c != '-') return key;
  std::string out;
  for (auto w : CamelSplit(key)) {
    if (w == "_") continue;
    std::string upper = w;
    std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
    if (IsAcronym(upper)) w = upper;
    else w[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(w[0])));
    out += (out.empty() ? "" : " ") + w;
  }
  return out;
}

void DescribeValue(const json::Value& v, int indent, DescribeLines* out) {
  std::string pad(indent, ' ');
  if (v.IsObject()) {
    for (const auto& m : v.GetObject()) {
      std::string label = pad + FieldLabel(m.name.GetString()) + ":";
      if (IsScalar(m.value)) {
        out->push_back({label, CellText(m.value)});
      } else {
        out->push_back({label});
        DescribeValue(m.value, indent + 2, out);
      }
    }
    return;
  }
  if (v.IsArray()) {
    for (const auto& e : v.GetArray()) {
      if (IsScalar(e)) out->push_back({pad + CellText(e)});
      else DescribeValue(e, indent, out);
    }
    return;
  }
  out->push_back({pad + CellText(v)});
}

std::string AlignLines(const DescribeLines& lines) {
  constexpr size_t kPadding = 2;
  std::string out;
  size_t i = 0;
  while (i < lines.size()) {
    if (lines[i].size() < 2) {
      out += (lines[i].empty() ? "" : lines[i][0]) + "\n";
      ++i;
      continue;
    }
    size_t end = i;
    std::vector<size_t> widths;
    while (end < lines.size() && lines[end].size() >= 2) {
      for (size_t c = 0; c + 1 < lines[end].size(); ++c) {
        if (widths.size() <= c) widths.push_back(0);
        widths[c] = std::max(widths[c], lines[end][c].size());
      }
      ++end;
    }
    for (; i < end; ++i) {
      const auto& l = lines[i];
      for (size_t c = 0; c < l.size(); ++c) {
        out += l[c];
        if (c + 1 < l.size()) out.append(widths[c] + kPadding - l[c].size(), ' ');
      }
      out += "\n";
    }
  }
  return out;
}

}  // namespace dw::cli
