#include "operator/cli/describe_format.h"

#include <algorithm>
#include <cctype>

#include "operator/cli/table.h"

namespace dw::cli {

namespace {

bool IsAcronym(const std::string& lower) {
  static const char* kAcronyms[] = {"api", "uid", "url", "ip", "id", "tls", "dns", "http",
                                    "https", "cpu", "json", "yaml", "ssh", "sha", "ttl", "uri"};
  for (const char* a : kAcronyms)
    if (lower == a) return true;
  return false;
}

bool IsScalar(const json::Value& v) { return !v.IsObject() && !v.IsArray(); }

}  // namespace

std::string FieldLabel(const std::string& key) {
  std::vector<std::string> words;
  std::string cur;
  for (size_t i = 0; i < key.size(); ++i) {
    char c = key[i];
    bool upper = std::isupper(static_cast<unsigned char>(c));
    bool next_lower = i + 1 < key.size() && std::islower(static_cast<unsigned char>(key[i + 1]));
    bool prev_lower = !cur.empty() && !std::isupper(static_cast<unsigned char>(cur.back()));
    // Break before an upper-case letter that starts a word: "apiVersion",
    // and "UIDValue" -> "UID", "Value".
    if (upper && !cur.empty() && (prev_lower || next_lower)) {
      words.push_back(cur);
      cur.clear();
    }
    if (c == '_' || c == '-' || c == '.') {
      if (!cur.empty()) words.push_back(cur);
      cur.clear();
      continue;
    }
    cur += c;
  }
  if (!cur.empty()) words.push_back(cur);
  std::string out;
  for (auto& w : words) {
    std::string lower = w;
    std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
    if (IsAcronym(lower)) {
      std::transform(w.begin(), w.end(), w.begin(), ::toupper);
    } else {
      w[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(w[0])));
    }
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
