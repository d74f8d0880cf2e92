// A single left-to-right scan; a braced expression's default/error text is
// found by matching braces so `${A:-${B}}` (compose v2) works, and is then
// interpolated recursively.
#include "reconcilers/stacklimits/compose_interpolate.h"

namespace dw::stacklimits {

namespace {

bool IsNameStart(char c) { return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsNameChar(char c) { return IsNameStart(c) || (c >= '0' && c <= '9'); }

Status Malformed(std::string_view in) {
  return Status::Invalid("invalid interpolation format in \"" + std::string(in) +
                         "\": use $$ for a literal $");
}

// Index of the '}' closing the "${" whose body starts at `from`, or npos.
size_t MatchingBrace(std::string_view s, size_t from) {
  int depth = 1;
  for (size_t i = from; i < s.size(); ++i) {
    if (s[i] == '$' && i + 1 < s.size() && s[i + 1] == '$') {
      ++i;  // "$$" cannot open a brace
    } else if (s[i] == '$' && i + 1 < s.size() && s[i + 1] == '{') {
      ++depth;
      ++i;
    } else if (s[i] == '}' && --depth == 0) {
      return i;
    }
  }
  return std::string_view::npos;
}

const std::string* Lookup(const VarMap& vars, const std::string& name) {
  auto it = vars.find(name);
  return it == vars.end() ? nullptr : &it->second;
}

// Body of "${...}" (without braces).
Status Braced(std::string_view whole, std::string_view body, const VarMap& vars, std::string* out,
              std::vector<std::string>* unset) {
  size_t n = 0;
  if (body.empty() || !IsNameStart(body[0])) return Malformed(whole);
  while (n < body.size() && IsNameChar(body[n])) ++n;
  std::string name(body.substr(0, n));
  std::string_view rest = body.substr(n);
  const std::string* val = Lookup(vars, name);
  if (rest.empty()) {
    if (val) {
      *out += *val;
    } else {
      unset->push_back(name);
    }
    return Status::OK();
  }
  bool colon = rest[0] == ':';
  if (colon) rest.remove_prefix(1);
  if (rest.empty() || (rest[0] != '-' && rest[0] != '?')) return Malformed(whole);
  char op = rest[0];
  std::string_view arg = rest.substr(1);
  bool missing = !val || (colon && val->empty());
  if (!missing) {
    *out += *val;
    return Status::OK();
  }
  std::string text;
  DW_RETURN_IF_ERROR(Interpolate(arg, vars, &text, unset));
  if (op == '-') {
    *out += text;
    return Status::OK();
  }
  return Status::Invalid("required variable " + name + " is missing a value" +
                         (text.empty() ? std::string() : ": " + text));
}

}  // namespace

Status Interpolate(std::string_view in, const VarMap& vars, std::string* out,
                   std::vector<std::string>* unset) {
  out->reserve(out->size() + in.size());
  size_t i = 0;
  while (i < in.size()) {
    size_t d = in.find('$', i);
    if (d == std::string_view::npos) {
      out->append(in.substr(i));
      break;
    }
    out->append(in.substr(i, d - i));
    if (d + 1 >= in.size()) return Malformed(in);
    char next = in[d + 1];
    if (next == '$') {
      out->push_back('$');
      i = d + 2;
    } else if (next == '{') {
      size_t close = MatchingBrace(in, d + 2);
      if (close == std::string_view::npos) return Malformed(in);
      DW_RETURN_IF_ERROR(Braced(in, in.substr(d + 2, close - d - 2), vars, out, unset));
      i = close + 1;
    } else if (IsNameStart(next)) {
      size_t e = d + 1;
      while (e < in.size() && IsNameChar(in[e])) ++e;
      std::string name(in.substr(d + 1, e - d - 1));
      if (const std::string* v = Lookup(vars, name)) {
        *out += *v;
      } else {
        unset->push_back(name);
      }
      i = e;
    } else {
      return Malformed(in);
    }
  }
  return Status::OK();
}

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::string Unquote(std::string_view v) {
  if (v.size() >= 2 && v.front() == '\'' && v.back() == '\'') return std::string(v.substr(1, v.size() - 2));
  if (v.size() < 2 || v.front() != '"' || v.back() != '"') return std::string(v);
  std::string out;
  std::string_view body = v.substr(1, v.size() - 2);
  for (size_t i = 0; i < body.size(); ++i) {
    if (body[i] == '\\' && i + 1 < body.size()) {
      char c = body[++i];
      out.push_back(c == 'n' ? '\n' : c == 't' ? '\t' : c);
    } else {
      out.push_back(body[i]);
    }
  }
  return out;
}

}  // namespace

Status ParseDotenv(std::string_view text, const std::string& source, std::vector<EnvLine>* out) {
  int line_no = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view raw = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
    ++line_no;
    std::string_view line = Trim(raw);
    if (line.empty() || line[0] == '#') continue;
    if (line.substr(0, 7) == "export ") line = Trim(line.substr(7));
    EnvLine e;
    e.line = line_no;
    size_t eq = line.find('=');
    std::string_view key = Trim(line.substr(0, eq));
    if (key.empty() || key.find_first_of(" \t") != std::string_view::npos) {
      return Status::Invalid(source + ":" + std::to_string(line_no) + ": invalid variable name \"" +
                             std::string(key) + "\"");
    }
    e.key = std::string(key);
    if (eq != std::string_view::npos) {
      e.has_value = true;
      e.value = Unquote(Trim(line.substr(eq + 1)));
    }
    out->push_back(std::move(e));
  }
  return Status::OK();
}

}  // namespace dw::stacklimits
