// Label selector parsing and matching, following
// k8s.io/apimachinery/pkg/labels (selector.go): a small lexer feeding a
// recursive-descent parser, validation of keys/values as in
// k8s.io/apimachinery/pkg/util/validation.
#include "operator/meta/label_selector.h"

#include <algorithm>
#include <cctype>

namespace dw::meta {
namespace {

constexpr size_t kMaxNameLength = 63;
constexpr size_t kMaxPrefixLength = 253;

bool IsAlnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }
bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// [A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?
bool IsQualifiedNamePart(const std::string& s) {
  if (s.empty() || !IsAlnum(s.front()) || !IsAlnum(s.back())) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return IsAlnum(c) || c == '-' || c == '_' || c == '.'; });
}

// DNS-1123 subdomain: dot-separated labels of [a-z0-9]([-a-z0-9]*[a-z0-9])?
bool IsDns1123Subdomain(const std::string& s) {
  if (s.empty() || s.size() > kMaxPrefixLength) return false;
  size_t start = 0;
  while (true) {
    size_t dot = s.find('.', start);
    std::string label = s.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (label.empty() || !IsLowerAlnum(label.front()) || !IsLowerAlnum(label.back())) return false;
    for (char c : label) {
      if (!IsLowerAlnum(c) && c != '-') return false;
    }
    if (dot == std::string::npos) return true;
    start = dot + 1;
  }
}

// ---------------------------------------------------------------------------
// Lexer. Identifiers are maximal runs of characters that are not whitespace
// and not one of the special characters; "in"/"notin" are keywords.
enum class Tok { kEnd, kIdent, kIn, kNotIn, kNot, kEq, kDoubleEq, kNotEq, kOpen, kClose, kComma,
                 kGt, kLt, kError };

struct Token {
  Tok type;
  std::string text;
};

bool IsSpecial(char c) {
  return c == '!' || c == '=' || c == '(' || c == ')' || c == ',' || c == '>' || c == '<';
}

class Lexer {
 public:
  explicit Lexer(const std::string& s) : s_(s) {}

  Token Next() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
    if (pos_ >= s_.size()) return {Tok::kEnd, ""};
    char c = s_[pos_];
    if (IsSpecial(c)) return Special();
    size_t start = pos_;
    while (pos_ < s_.size() && !IsSpecial(s_[pos_]) &&
           !std::isspace(static_cast<unsigned char>(s_[pos_]))) {
      ++pos_;
    }
    std::string word = s_.substr(start, pos_ - start);
    if (word == "in") return {Tok::kIn, word};
    if (word == "notin") return {Tok::kNotIn, word};
    return {Tok::kIdent, word};
  }

 private:
  Token Special() {
    char c = s_[pos_++];
    char n = pos_ < s_.size() ? s_[pos_] : '\0';
    switch (c) {
      case '!':
        if (n == '=') { ++pos_; return {Tok::kNotEq, "!="}; }
        return {Tok::kNot, "!"};
      case '=':
        if (n == '=') { ++pos_; return {Tok::kDoubleEq, "=="}; }
        return {Tok::kEq, "="};
      case '(': return {Tok::kOpen, "("};
      case ')': return {Tok::kClose, ")"};
      case ',': return {Tok::kComma, ","};
      case '>': return {Tok::kGt, ">"};
      case '<': return {Tok::kLt, "<"};
    }
    return {Tok::kError, std::string(1, c)};
  }

  const std::string& s_;
  size_t pos_ = 0;
};

// ---------------------------------------------------------------------------
class Parser {
 public:
  explicit Parser(const std::string& text) : text_(text), lex_(text) { Advance(); }

  Status Parse(std::vector<Requirement>* out) {
    if (cur_.type == Tok::kEnd) return Status::OK();
    while (true) {
      Requirement r;
      DW_RETURN_IF_ERROR(ParseRequirement(&r));
      out->push_back(std::move(r));
      if (cur_.type == Tok::kEnd) return Status::OK();
      if (cur_.type != Tok::kComma) return Error("expected ',' or end of selector, found '" + cur_.text + "'");
      Advance();
      if (cur_.type == Tok::kEnd) return Error("trailing ','");
    }
  }

 private:
  void Advance() { cur_ = lex_.Next(); }

  Status Error(const std::string& why) const {
    return Status::BadRequest("unable to parse label selector \"" + text_ + "\": " + why);
  }

  Status ParseRequirement(Requirement* r) {
    if (cur_.type == Tok::kNot) {
      Advance();
      DW_RETURN_IF_ERROR(ParseKey(&r->key));
      r->op = Requirement::Op::kDoesNotExist;
      return Status::OK();
    }
    DW_RETURN_IF_ERROR(ParseKey(&r->key));
    switch (cur_.type) {
      case Tok::kEnd:
      case Tok::kComma:
        r->op = Requirement::Op::kExists;
        return Status::OK();
      case Tok::kEq:
      case Tok::kDoubleEq:
      case Tok::kNotEq:
        r->op = cur_.type == Tok::kNotEq ? Requirement::Op::kNotEquals : Requirement::Op::kEquals;
        Advance();
        return ParseSingleValue(r);
      case Tok::kIn:
      case Tok::kNotIn:
        r->op = cur_.type == Tok::kIn ? Requirement::Op::kIn : Requirement::Op::kNotIn;
        Advance();
        return ParseValueSet(r);
      case Tok::kGt:
      case Tok::kLt:
        return Error("operator '" + cur_.text + "' on key \"" + r->key + "\" is not supported");
      default:
        return Error("expected an operator after key \"" + r->key + "\", found '" + cur_.text + "'");
    }
  }

  Status ParseKey(std::string* key) {
    if (cur_.type != Tok::kIdent) {
      return Error(cur_.type == Tok::kEnd ? "expected a label key, found end of selector"
                                          : "expected a label key, found '" + cur_.text + "'");
    }
    std::string why = ValidateLabelKey(cur_.text);
    if (!why.empty()) return Error("invalid label key \"" + cur_.text + "\": " + why);
    *key = cur_.text;
    Advance();
    return Status::OK();
  }

  // After =, == or !=: one value, possibly empty ("a=" selects a="" labels).
  Status ParseSingleValue(Requirement* r) {
    std::string v;
    if (cur_.type == Tok::kIdent || cur_.type == Tok::kIn || cur_.type == Tok::kNotIn) {
      v = cur_.text;
      Advance();
    } else if (cur_.type != Tok::kEnd && cur_.type != Tok::kComma) {
      return Error("expected a value for key \"" + r->key + "\", found '" + cur_.text + "'");
    }
    DW_RETURN_IF_ERROR(CheckValue(r->key, v));
    r->values = {v};
    return Status::OK();
  }

  Status ParseValueSet(Requirement* r) {
    if (cur_.type != Tok::kOpen) return Error("expected '(' after '" + OpWord(r) + "' for key \"" + r->key + "\"");
    Advance();
    while (true) {
      std::string v;
      if (cur_.type == Tok::kIdent || cur_.type == Tok::kIn || cur_.type == Tok::kNotIn) {
        v = cur_.text;
        Advance();
      }
      if (cur_.type != Tok::kComma && cur_.type != Tok::kClose) {
        return Error(cur_.type == Tok::kEnd ? "missing ')' for key \"" + r->key + "\""
                                            : "unexpected '" + cur_.text + "' in value set of key \"" + r->key + "\"");
      }
      bool closing = cur_.type == Tok::kClose;
      // "()" is an empty set, not one empty value.
      if (!(closing && v.empty() && r->values.empty())) {
        DW_RETURN_IF_ERROR(CheckValue(r->key, v));
        r->values.push_back(v);
      }
      Advance();
      if (closing) break;
    }
    if (r->values.empty()) return Error("for 'in', 'notin' operators, values set can't be empty (key \"" + r->key + "\")");
    std::sort(r->values.begin(), r->values.end());
    r->values.erase(std::unique(r->values.begin(), r->values.end()), r->values.end());
    return Status::OK();
  }

  Status CheckValue(const std::string& key, const std::string& v) const {
    std::string why = ValidateLabelValue(v);
    return why.empty() ? Status::OK() : Error("invalid value \"" + v + "\" for key \"" + key + "\": " + why);
  }

  static std::string OpWord(const Requirement* r) { return r->op == Requirement::Op::kIn ? "in" : "notin"; }

  const std::string& text_;
  Lexer lex_;
  Token cur_{Tok::kEnd, ""};
};

void AppendValues(const std::vector<std::string>& vals, std::string* out) {
  out->push_back('(');
  for (size_t i = 0; i < vals.size(); ++i) {
    if (i) out->push_back(',');
    *out += vals[i];
  }
  out->push_back(')');
}

void SortByKey(std::vector<Requirement>* reqs) {
  std::stable_sort(reqs->begin(), reqs->end(),
                   [](const Requirement& a, const Requirement& b) { return a.key < b.key; });
}

Status ExpressionFrom(const json::Value& e, size_t index, Requirement* r) {
  std::string where = "matchExpressions[" + std::to_string(index) + "]";
  if (!e.IsObject()) return Status::BadRequest(where + ": must be an object");
  r->key = json::GetString(e, "key");
  std::string why = ValidateLabelKey(r->key);
  if (!why.empty()) return Status::BadRequest(where + ".key: invalid label key \"" + r->key + "\": " + why);
  std::string op = json::GetString(e, "operator");
  if (op == "In") r->op = Requirement::Op::kIn;
  else if (op == "NotIn") r->op = Requirement::Op::kNotIn;
  else if (op == "Exists") r->op = Requirement::Op::kExists;
  else if (op == "DoesNotExist") r->op = Requirement::Op::kDoesNotExist;
  else return Status::BadRequest(where + ".operator: \"" + op + "\" is not a valid label selector operator");
  const json::Value* vals = json::Find(e, "values");
  if (vals && !vals->IsNull()) {
    if (!vals->IsArray()) return Status::BadRequest(where + ".values: must be an array of strings");
    for (const auto& v : vals->GetArray()) {
      if (!v.IsString()) return Status::BadRequest(where + ".values: must be an array of strings");
      std::string s(v.GetString(), v.GetStringLength());
      std::string bad = ValidateLabelValue(s);
      if (!bad.empty()) return Status::BadRequest(where + ".values: invalid value \"" + s + "\": " + bad);
      r->values.push_back(std::move(s));
    }
  }
  bool set_op = r->op == Requirement::Op::kIn || r->op == Requirement::Op::kNotIn;
  if (set_op && r->values.empty()) return Status::BadRequest(where + ".values: must be specified when `operator` is 'In' or 'NotIn'");
  if (!set_op && !r->values.empty()) return Status::BadRequest(where + ".values: may not be specified when `operator` is 'Exists' or 'DoesNotExist'");
  std::sort(r->values.begin(), r->values.end());
  r->values.erase(std::unique(r->values.begin(), r->values.end()), r->values.end());
  return Status::OK();
}

}  // namespace

std::string ValidateLabelKey(const std::string& key) {
  if (key.empty()) return "name part must be non-empty";
  std::string name = key;
  size_t slash = key.find('/');
  if (slash != std::string::npos) {
    if (key.find('/', slash + 1) != std::string::npos) {
      return "a qualified name must consist of an optional DNS subdomain prefix and a name, separated by a single '/'";
    }
    std::string prefix = key.substr(0, slash);
    name = key.substr(slash + 1);
    if (prefix.empty()) return "prefix part must be non-empty";
    if (prefix.size() > kMaxPrefixLength) return "prefix part must be no more than 253 characters";
    if (!IsDns1123Subdomain(prefix)) {
      return "prefix part must be a lowercase RFC 1123 subdomain (e.g. 'example.com')";
    }
  }
  if (name.empty()) return "name part must be non-empty";
  if (name.size() > kMaxNameLength) return "name part must be no more than 63 characters";
  if (!IsQualifiedNamePart(name)) {
    return "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
  }
  return "";
}

std::string ValidateLabelValue(const std::string& value) {
  if (value.empty()) return "";
  if (value.size() > kMaxNameLength) return "must be no more than 63 characters";
  if (!IsQualifiedNamePart(value)) {
    return "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
  }
  return "";
}

Status LabelSelector::Parse(const std::string& text, LabelSelector* out) {
  std::vector<Requirement> reqs;
  DW_RETURN_IF_ERROR(Parser(text).Parse(&reqs));
  SortByKey(&reqs);
  out->reqs_ = std::move(reqs);
  return Status::OK();
}

Status LabelSelector::FromObject(const json::Value& sel, LabelSelector* out) {
  std::vector<Requirement> reqs;
  if (sel.IsNull()) {
    out->reqs_.clear();
    return Status::OK();
  }
  if (!sel.IsObject()) return Status::BadRequest("label selector must be an object");
  const json::Value* ml = json::Find(sel, "matchLabels");
  if (ml && !ml->IsNull()) {
    if (!ml->IsObject()) return Status::BadRequest("matchLabels: must be an object");
    for (const auto& m : ml->GetObject()) {
      Requirement r;
      r.key.assign(m.name.GetString(), m.name.GetStringLength());
      std::string why = ValidateLabelKey(r.key);
      if (!why.empty()) return Status::BadRequest("matchLabels: invalid label key \"" + r.key + "\": " + why);
      if (!m.value.IsString()) return Status::BadRequest("matchLabels." + r.key + ": must be a string");
      std::string v(m.value.GetString(), m.value.GetStringLength());
      why = ValidateLabelValue(v);
      if (!why.empty()) return Status::BadRequest("matchLabels." + r.key + ": invalid value \"" + v + "\": " + why);
      r.op = Requirement::Op::kEquals;
      r.values = {std::move(v)};
      reqs.push_back(std::move(r));
    }
  }
  const json::Value* me = json::Find(sel, "matchExpressions");
  if (me && !me->IsNull()) {
    if (!me->IsArray()) return Status::BadRequest("matchExpressions: must be an array");
    size_t i = 0;
    for (const auto& e : me->GetArray()) {
      Requirement r;
      DW_RETURN_IF_ERROR(ExpressionFrom(e, i++, &r));
      reqs.push_back(std::move(r));
    }
  }
  SortByKey(&reqs);
  out->reqs_ = std::move(reqs);
  return Status::OK();
}

bool LabelSelector::Matches(const Labels& labels) const {
  for (const auto& r : reqs_) {
    auto it = labels.find(r.key);
    bool present = it != labels.end();
    auto in_values = [&] {
      return present && std::binary_search(r.values.begin(), r.values.end(), it->second);
    };
    bool ok = false;
    switch (r.op) {
      case Requirement::Op::kEquals:
      case Requirement::Op::kIn: ok = in_values(); break;
      case Requirement::Op::kNotEquals:
      case Requirement::Op::kNotIn: ok = !in_values(); break;
      case Requirement::Op::kExists: ok = present; break;
      case Requirement::Op::kDoesNotExist: ok = !present; break;
    }
    if (!ok) return false;
  }
  return true;
}

std::string LabelSelector::ToString() const {
  std::string out;
  for (const auto& r : reqs_) {
    if (!out.empty()) out.push_back(',');
    switch (r.op) {
      case Requirement::Op::kEquals: out += r.key + "=" + r.values.at(0); break;
      case Requirement::Op::kNotEquals: out += r.key + "!=" + r.values.at(0); break;
      case Requirement::Op::kIn: out += r.key + " in "; AppendValues(r.values, &out); break;
      case Requirement::Op::kNotIn: out += r.key + " notin "; AppendValues(r.values, &out); break;
      case Requirement::Op::kExists: out += r.key; break;
      case Requirement::Op::kDoesNotExist: out += "!" + r.key; break;
    }
  }
  return out;
}

Labels LabelsOf(const json::Value& obj) {
  Labels out;
  // Two single-key lookups: json::FindPath mis-handles sub-views (see field_selector.cpp).
  const json::Value* md = json::Find(obj, "metadata");
  const json::Value* labels = md ? json::Find(*md, "labels") : nullptr;
  if (!labels || !labels->IsObject()) return out;
  for (const auto& m : labels->GetObject()) {
    if (!m.value.IsString()) continue;
    out.emplace(std::string(m.name.GetString(), m.name.GetStringLength()),
                std::string(m.value.GetString(), m.value.GetStringLength()));
  }
  return out;
}

}  // namespace dw::meta
