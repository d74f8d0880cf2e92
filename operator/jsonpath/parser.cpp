// Recursive-descent parser for the client-go JSONPath dialect.
#include <cctype>
#include <string_view>

#include "operator/jsonpath/ast.h"

namespace dw::jsonpath::ast {
namespace {

Status Err(std::string_view what, std::string_view src) {
  return Status::BadRequest("jsonpath: " + std::string(what) + " in \"" + std::string(src) + "\"");
}

// Reads a quoted string starting at s[i] (quote char s[i]); resolves escapes.
Status ReadQuoted(std::string_view s, size_t& i, std::string* out) {
  char q = s[i++];
  out->clear();
  while (i < s.size() && s[i] != q) {
    char c = s[i++];
    if (c != '\\') {
      *out += c;
      continue;
    }
    if (i >= s.size()) break;
    char e = s[i++];
    switch (e) {
      case 'n': *out += '\n'; break;
      case 't': *out += '\t'; break;
      case 'r': *out += '\r'; break;
      case '0': *out += '\0'; break;
      default: *out += e;  // \\ \" \' and anything else literally
    }
  }
  if (i >= s.size()) return Err("unterminated string", s);
  ++i;
  return Status::OK();
}

bool IsNameChar(char c) { return c != '.' && c != '[' && c != ']' && c != ' ' && c != ')' && c != '=' &&
                                 c != '!' && c != '<' && c != '>' && c != ',' && c != '}' && c != '{'; }

class PathParser {
 public:
  explicit PathParser(std::string_view s) : s_(s) {}

  // Parses an expression; stops at end or at a character that cannot
  // continue a path (for filters).
  Status ParseExpr(size_t& i, Expr* e) {
    if (i < s_.size() && (s_[i] == '$' || s_[i] == '@')) {
      e->from_root = s_[i] == '$';
      ++i;
    }
    while (i < s_.size()) {
      char c = s_[i];
      if (c == '.') {
        if (i + 1 < s_.size() && s_[i + 1] == '.') {
          i += 2;
          e->steps.push_back(Step{Step::Type::kRecursive, {}, {}, nullptr});
          if (i < s_.size() && s_[i] == '[') continue;
          DW_RETURN_IF_ERROR(ParseName(i, e));
          continue;
        }
        ++i;
        if (i >= s_.size()) break;  // "{.}" is the current node
        if (s_[i] == '[') continue;
        DW_RETURN_IF_ERROR(ParseName(i, e));
      } else if (c == '[') {
        DW_RETURN_IF_ERROR(ParseBracket(i, e));
      } else if (IsNameChar(c) && e->steps.empty() && !e->from_root && i == 0) {
        DW_RETURN_IF_ERROR(ParseName(i, e));  // "{kind}": a bare leading name
      } else {
        break;
      }
    }
    return Status::OK();
  }

 private:
  Status ParseName(size_t& i, Expr* e) {
    size_t start = i;
    while (i < s_.size() && IsNameChar(s_[i])) ++i;
    if (i == start) return Err("expected a field name", s_);
    std::string name(s_.substr(start, i - start));
    if (name == "*") {
      e->steps.push_back(Step{Step::Type::kWildcard, {}, {}, nullptr});
    } else {
      e->steps.push_back(Step{Step::Type::kFields, {name}, {}, nullptr});
    }
    return Status::OK();
  }

  Status ParseBracket(size_t& i, Expr* e) {
    size_t close_hint = i;
    ++i;
    if (i < s_.size() && s_[i] == '?') return ParseFilter(i, e);
    if (i < s_.size() && s_[i] == '*') {
      ++i;
      if (i >= s_.size() || s_[i] != ']') return Err("expected ']'", s_);
      ++i;
      e->steps.push_back(Step{Step::Type::kWildcard, {}, {}, nullptr});
      return Status::OK();
    }
    if (i < s_.size() && (s_[i] == '\'' || s_[i] == '"')) {
      Step st{Step::Type::kFields, {}, {}, nullptr};
      while (true) {
        std::string name;
        DW_RETURN_IF_ERROR(ReadQuoted(s_, i, &name));
        st.fields.push_back(std::move(name));
        SkipSpaces(i);
        if (i < s_.size() && s_[i] == ',') {
          ++i;
          SkipSpaces(i);
          continue;
        }
        break;
      }
      if (i >= s_.size() || s_[i] != ']') return Err("expected ']'", s_);
      ++i;
      e->steps.push_back(std::move(st));
      return Status::OK();
    }
    size_t close = s_.find(']', i);
    if (close == std::string_view::npos) return Err("unterminated '[' at " + std::to_string(close_hint), s_);
    Step st{Step::Type::kIndexes, {}, {}, nullptr};
    std::string_view body = s_.substr(i, close - i);
    size_t pos = 0;
    while (pos <= body.size()) {
      size_t comma = body.find(',', pos);
      if (comma == std::string_view::npos) comma = body.size();
      Subscript sub;
      DW_RETURN_IF_ERROR(ParseSubscript(body.substr(pos, comma - pos), &sub));
      st.subscripts.push_back(sub);
      pos = comma + 1;
    }
    i = close + 1;
    e->steps.push_back(std::move(st));
    return Status::OK();
  }

  Status ParseSubscript(std::string_view t, Subscript* sub) {
    auto trim = [](std::string_view v) {
      while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
      while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
      return v;
    };
    auto num = [&](std::string_view v, long* out) -> bool {
      v = trim(v);
      if (v.empty()) return false;
      size_t k = v[0] == '-' ? 1 : 0;
      if (k == v.size()) return false;
      for (size_t j = k; j < v.size(); ++j)
        if (!std::isdigit(static_cast<unsigned char>(v[j]))) return false;
      *out = std::stol(std::string(v));
      return true;
    };
    size_t c1 = t.find(':');
    if (c1 == std::string_view::npos) {
      if (!num(t, &sub->start)) return Err("invalid array index \"" + std::string(t) + "\"", s_);
      sub->has_start = true;
      return Status::OK();
    }
    sub->slice = true;
    std::string_view a = t.substr(0, c1), rest = t.substr(c1 + 1);
    size_t c2 = rest.find(':');
    std::string_view b = rest.substr(0, c2), c = c2 == std::string_view::npos ? "" : rest.substr(c2 + 1);
    if (!trim(a).empty() && !(sub->has_start = num(a, &sub->start))) return Err("invalid slice start", s_);
    if (!trim(b).empty() && !(sub->has_end = num(b, &sub->end))) return Err("invalid slice end", s_);
    if (!trim(c).empty() && !num(c, &sub->step)) return Err("invalid slice step", s_);
    if (sub->step == 0) return Err("slice step cannot be 0", s_);
    return Status::OK();
  }

  Status ParseFilter(size_t& i, Expr* e) {
    ++i;  // '?'
    if (i >= s_.size() || s_[i] != '(') return Err("expected '(' after '?'", s_);
    ++i;
    auto f = std::make_shared<Filter>();
    SkipSpaces(i);
    DW_RETURN_IF_ERROR(ParseExpr(i, &f->left));
    SkipSpaces(i);
    static const char* kOps[] = {"==", "!=", "<=", ">=", "<", ">", "="};
    for (const char* op : kOps) {
      std::string_view o(op);
      if (s_.substr(i, o.size()) == o) {
        f->op = o == "=" ? "==" : std::string(o);
        i += o.size();
        break;
      }
    }
    if (!f->op.empty()) {
      SkipSpaces(i);
      DW_RETURN_IF_ERROR(ParseOperand(i, f.get()));
      SkipSpaces(i);
    }
    if (i + 1 >= s_.size() || s_[i] != ')' || s_[i + 1] != ']') return Err("expected ')]' to close the filter", s_);
    i += 2;
    e->steps.push_back(Step{Step::Type::kFilter, {}, {}, f});
    return Status::OK();
  }

  Status ParseOperand(size_t& i, Filter* f) {
    if (i < s_.size() && (s_[i] == '\'' || s_[i] == '"')) {
      std::string v;
      DW_RETURN_IF_ERROR(ReadQuoted(s_, i, &v));
      f->right_literal.SetString(v.data(), static_cast<rapidjson::SizeType>(v.size()), f->right_literal.GetAllocator());
      return Status::OK();
    }
    if (i < s_.size() && (s_[i] == '@' || s_[i] == '$')) {
      f->right_is_path = true;
      return ParseExpr(i, &f->right_path);
    }
    size_t start = i;
    while (i < s_.size() && s_[i] != ')' && s_[i] != ' ') ++i;
    std::string lit(s_.substr(start, i - start));
    if (lit.empty() || f->right_literal.Parse(lit.c_str()).HasParseError())
      return Err("invalid filter operand \"" + lit + "\"", s_);
    return Status::OK();
  }

  void SkipSpaces(size_t& i) {
    while (i < s_.size() && s_[i] == ' ') ++i;
  }

  std::string_view s_;
};

// Splits the template into literal text and the bodies of {...} actions,
// respecting quotes inside actions.
Status Tokenize(const std::string& t, std::vector<std::pair<bool, std::string>>* out) {
  std::string text;
  size_t i = 0;
  while (i < t.size()) {
    if (t[i] != '{') {
      text += t[i++];
      continue;
    }
    if (!text.empty()) out->emplace_back(false, std::move(text));
    text.clear();
    size_t j = i + 1;
    char quote = 0;
    for (; j < t.size(); ++j) {
      if (quote != 0) {
        if (t[j] == '\\') ++j;
        else if (t[j] == quote) quote = 0;
      } else if (t[j] == '"' || t[j] == '\'') {
        quote = t[j];
      } else if (t[j] == '}') {
        break;
      }
    }
    if (j >= t.size()) return Err("unclosed action", t);
    out->emplace_back(true, t.substr(i + 1, j - i - 1));
    i = j + 1;
  }
  if (!text.empty()) out->emplace_back(false, std::move(text));
  return Status::OK();
}

Status ParseAction(std::string_view body, Node* n, bool* is_end) {
  while (!body.empty() && body.front() == ' ') body.remove_prefix(1);
  while (!body.empty() && body.back() == ' ') body.remove_suffix(1);
  *is_end = body == "end";
  if (*is_end) return Status::OK();
  if (!body.empty() && body.front() == '"') {
    size_t i = 0;
    n->type = Node::Type::kText;
    DW_RETURN_IF_ERROR(ReadQuoted(body, i, &n->text));
    if (i != body.size()) return Err("text after string literal", body);
    return Status::OK();
  }
  n->type = Node::Type::kExpr;
  if (body.substr(0, 6) == "range ") {
    n->type = Node::Type::kRange;
    body.remove_prefix(6);
    while (!body.empty() && body.front() == ' ') body.remove_prefix(1);
  }
  if (body.empty()) return Err("empty action", body);
  PathParser p(body);
  size_t i = 0;
  DW_RETURN_IF_ERROR(p.ParseExpr(i, &n->expr));
  if (i != body.size()) return Err("unexpected \"" + std::string(body.substr(i)) + "\"", body);
  return Status::OK();
}

}  // namespace

Status ParseTemplate(const std::string& tmpl, std::vector<Node>* out) {
  std::vector<std::pair<bool, std::string>> tokens;
  DW_RETURN_IF_ERROR(Tokenize(tmpl, &tokens));
  std::vector<std::vector<Node>*> stack{out};
  for (auto& [action, body] : tokens) {
    Node n;
    if (!action) {
      n.text = std::move(body);
      stack.back()->push_back(std::move(n));
      continue;
    }
    bool is_end = false;
    DW_RETURN_IF_ERROR(ParseAction(body, &n, &is_end));
    if (is_end) {
      if (stack.size() == 1) return Err("{end} without {range}", tmpl);
      stack.pop_back();
      continue;
    }
    bool range = n.type == Node::Type::kRange;
    stack.back()->push_back(std::move(n));
    if (range) stack.push_back(&stack.back()->back().children);
  }
  if (stack.size() != 1) return Err("{range} without {end}", tmpl);
  return Status::OK();
}

}  // namespace dw::jsonpath::ast
