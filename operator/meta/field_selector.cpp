// Field selector parsing and matching, following
// k8s.io/apimachinery/pkg/fields (selector.go): terms split on unescaped
// commas, each term split at its first unescaped operator (!=, ==, =);
// values may escape ',', '=' and '\' with a backslash.
#include "operator/meta/field_selector.h"

#include <cstdio>
#include <string_view>

namespace dw::meta {
namespace {

Status Bad(const std::string& text, const std::string& why) {
  return Status::BadRequest("invalid field selector \"" + text + "\": " + why);
}

// Splits at unescaped commas; escapes stay in the pieces (decoded later).
std::vector<std::string> SplitTerms(const std::string& s) {
  std::vector<std::string> terms;
  std::string cur;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) {
      cur.push_back(s[i]);
      cur.push_back(s[++i]);
    } else if (s[i] == ',') {
      terms.push_back(std::move(cur));
      cur.clear();
    } else {
      cur.push_back(s[i]);
    }
  }
  terms.push_back(std::move(cur));
  return terms;
}

// Finds the first unescaped operator; returns its position and length.
bool FindOperator(const std::string& term, size_t* pos, size_t* len, bool* negate) {
  for (size_t i = 0; i < term.size(); ++i) {
    if (term[i] == '\\') { ++i; continue; }
    if (term.compare(i, 2, "!=") == 0) { *pos = i; *len = 2; *negate = true; return true; }
    if (term.compare(i, 2, "==") == 0) { *pos = i; *len = 2; *negate = false; return true; }
    if (term[i] == '=') { *pos = i; *len = 1; *negate = false; return true; }
  }
  return false;
}

// Decodes \, \= \\ ; any other escape is an error (as in Kubernetes).
bool Unescape(const std::string& in, std::string* out) {
  out->clear();
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '\\') { out->push_back(in[i]); continue; }
    if (i + 1 >= in.size()) return false;
    char n = in[++i];
    if (n != ',' && n != '=' && n != '\\') return false;
    out->push_back(n);
  }
  return true;
}

// Exact-length member lookup. (json::Find passes a StringRef that decays to
// const char*, so RapidJSON strlen()s it; that breaks on sub-views of a
// dotted path. Reported to the json owner.)
const json::Value* Member(const json::Value& obj, std::string_view key) {
  if (!obj.IsObject()) return nullptr;
  json::Value k(rapidjson::StringRef(key.data(), static_cast<rapidjson::SizeType>(key.size())));
  auto it = obj.FindMember(k);
  return it == obj.MemberEnd() ? nullptr : &it->value;
}

const json::Value* AtPath(const json::Value& root, std::string_view dotted) {
  const json::Value* cur = &root;
  while (cur) {
    size_t dot = dotted.find('.');
    cur = Member(*cur, dotted.substr(0, dot));
    if (dot == std::string_view::npos) break;
    dotted.remove_prefix(dot + 1);
  }
  return cur;
}

std::string ScalarText(const json::Value* v) {
  if (!v || v->IsNull()) return "";
  if (v->IsString()) return std::string(v->GetString(), v->GetStringLength());
  if (v->IsBool()) return v->GetBool() ? "true" : "false";
  if (v->IsInt64()) return std::to_string(v->GetInt64());
  if (v->IsUint64()) return std::to_string(v->GetUint64());
  if (v->IsDouble()) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%g", v->GetDouble());
    return buf;
  }
  return json::Serialize(*v);
}

}  // namespace

Status FieldSelector::Parse(const std::string& text, FieldSelector* out) {
  std::vector<FieldRequirement> reqs;
  for (const std::string& term : SplitTerms(text)) {
    bool blank = term.find_first_not_of(" \t") == std::string::npos;
    if (blank) continue;  // "", and empty terms between commas, select everything
    size_t pos = 0, len = 0;
    FieldRequirement r;
    if (!FindOperator(term, &pos, &len, &r.negate)) {
      return Bad(text, "can't understand '" + term + "' (expected field=value, field==value or field!=value)");
    }
    r.field = term.substr(0, pos);
    if (r.field.empty()) return Bad(text, "missing field name in '" + term + "'");
    if (r.field.find('\\') != std::string::npos) return Bad(text, "field name may not contain '\\' in '" + term + "'");
    if (!Unescape(term.substr(pos + len), &r.value)) {
      return Bad(text, "invalid escape sequence in '" + term + "' (only \\, \\= and \\\\ are allowed)");
    }
    reqs.push_back(std::move(r));
  }
  out->reqs_ = std::move(reqs);
  return Status::OK();
}

bool FieldSelector::Matches(const json::Value& obj) const {
  for (const auto& r : reqs_) {
    bool equal = ScalarText(AtPath(obj, r.field)) == r.value;
    if (equal == r.negate) return false;
  }
  return true;
}

const std::string* FieldSelector::ExactValue(const std::string& field) const {
  for (const auto& r : reqs_) {
    if (!r.negate && r.field == field) return &r.value;
  }
  return nullptr;
}

}  // namespace dw::meta
