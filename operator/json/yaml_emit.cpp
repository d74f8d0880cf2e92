// JSON -> block YAML in the shape `kubectl get -o yaml` prints (the
// sigs.k8s.io/yaml / go-yaml v2 emitter): two-space indent, sequences under a
// key not indented further, and the lightest scalar style that reads back as
// the same string: plain, then single-quoted, then double-quoted; strings that
// would resolve to another type are double-quoted like go-yaml does.
#include <charconv>
#include <cmath>
#include <string>

#include "operator/json/yaml.h"
#include "operator/json/yaml_scalar.h"

namespace dw::yaml {

namespace {

// libyaml refuses implicit (simple) keys longer than 1024 characters.
constexpr size_t kMaxSimpleKey = 1000;

constexpr uint32_t kInvalid = 0xFFFFFFFF;

// Decodes one UTF-8 sequence at s[*i]; returns the code point (kInvalid for a
// malformed byte, which then counts as one character) and advances *i.
uint32_t NextCodePoint(std::string_view s, size_t* i) {
  unsigned char c = static_cast<unsigned char>(s[*i]);
  int len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
  if (len == 0 || *i + len > s.size()) {
    ++*i;
    return kInvalid;
  }
  uint32_t cp = len == 1 ? c : c & (0x7F >> len);
  for (int k = 1; k < len; ++k) {
    unsigned char cc = static_cast<unsigned char>(s[*i + k]);
    if ((cc & 0xC0) != 0x80) {
      ++*i;
      return kInvalid;
    }
    cp = (cp << 6) | (cc & 0x3F);
  }
  *i += len;
  return cp;
}

// Characters YAML lets appear unescaped (libyaml's IS_PRINTABLE), minus line breaks.
bool PrintableInline(uint32_t cp) {
  if (cp == 0x2028 || cp == 0x2029) return false;  // libyaml reads these as line breaks
  return (cp >= 0x20 && cp <= 0x7E) || (cp >= 0xA0 && cp <= 0xD7FF) ||
         (cp >= 0xE000 && cp <= 0xFFFD && cp != 0xFEFF) || (cp >= 0x10000 && cp <= 0x10FFFF);
}

bool AllPrintable(std::string_view s, bool allow_newline, bool allow_tab) {
  for (size_t i = 0; i < s.size();) {
    uint32_t cp = NextCodePoint(s, &i);
    if (PrintableInline(cp) || (allow_newline && cp == '\n') || (allow_tab && cp == '\t')) continue;
    return false;
  }
  return true;
}

// Words YAML 1.1 readers (go-yaml v2, PyYAML) take as booleans or null; we
// quote them so other tools reading our output agree with us.
bool IsYaml11Special(std::string_view s) {
  static const char* const kWords[] = {"y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO",
                                       "on", "On", "ON", "off", "Off", "OFF"};
  for (const char* w : kWords) {
    if (s == w) return true;
  }
  return false;
}

// Numbers in YAML 1.1 spellings (0755, 1_000, 0b1, 1:30, 1e5...) — anything
// number-shaped is quoted rather than risk another reader's resolver.
bool LooksNumeric(std::string_view s) {
  size_t i = (!s.empty() && (s[0] == '+' || s[0] == '-')) ? 1 : 0;
  if (i >= s.size() || !((s[i] >= '0' && s[i] <= '9') || s[i] == '.')) return false;
  for (; i < s.size(); ++i) {
    char c = s[i];
    bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
              c == 'x' || c == 'X' || c == 'o' || c == 'O' || c == '_' || c == '.' || c == ':' ||
              c == '+' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool NeedsTypeQuotes(std::string_view s) {
  return internal::ResolvesToNonString(s) || IsYaml11Special(s) || LooksNumeric(s);
}

// Whether `s` can be written as a plain scalar in block context.
bool PlainAllowed(std::string_view s) {
  if (s.empty() || s.front() == ' ' || s.back() == ' ') return false;
  // Document markers would end or split the stream at column 0.
  if (s.substr(0, 3) == "---" || s.substr(0, 3) == "...") return false;
  char c0 = s.front();
  bool next_blank = s.size() == 1 || s[1] == ' ';
  // "-x", "?x" and ":x" are plain in block context (kubectl prints "- -c").
  if ((c0 == '-' || c0 == '?' || c0 == ':') && next_blank) return false;
  // Other indicators cannot start a plain scalar; '<' guards the merge key
  // "<<", '=' the YAML 1.1 value key.
  if (std::string_view(",[]{}#&*!|>'\"%@`<=~").find(c0) != std::string_view::npos) return false;
  if (s.back() == ':') return false;
  if (s.find(": ") != std::string_view::npos || s.find(" #") != std::string_view::npos) return false;
  if (s.find(":\t") != std::string_view::npos || s.find("\t#") != std::string_view::npos) return false;
  return AllPrintable(s, false, false);
}

void AppendDoubleQuoted(std::string_view s, std::string* out) {
  static const char kHex[] = "0123456789ABCDEF";
  out->push_back('"');
  for (size_t i = 0; i < s.size();) {
    size_t start = i;
    uint32_t cp = NextCodePoint(s, &i);
    switch (cp) {
      case '"': *out += "\\\""; continue;
      case '\\': *out += "\\\\"; continue;
      case '\n': *out += "\\n"; continue;
      case '\t': *out += "\\t"; continue;
      case '\r': *out += "\\r"; continue;
      case 0: *out += "\\0"; continue;
      case 0x85: *out += "\\N"; continue;
      case 0x2028: *out += "\\L"; continue;
      case 0x2029: *out += "\\P"; continue;
      default: break;
    }
    if (PrintableInline(cp)) {
      out->append(s.substr(start, i - start));
    } else if (cp == kInvalid || cp < 0x80) {
      // Control characters and stray bytes (invalid UTF-8 cannot round-trip; keep the byte value).
      *out += "\\x";
      out->push_back(kHex[(s[start] >> 4) & 0xF]);
      out->push_back(kHex[s[start] & 0xF]);
    } else if (cp <= 0xFFFF) {
      *out += "\\u";
      for (int shift = 12; shift >= 0; shift -= 4) out->push_back(kHex[(cp >> shift) & 0xF]);
    } else {
      *out += "\\U";
      for (int shift = 28; shift >= 0; shift -= 4) out->push_back(kHex[(cp >> shift) & 0xF]);
    }
  }
  out->push_back('"');
}

void AppendSingleQuoted(std::string_view s, std::string* out) {
  out->push_back('\'');
  for (char c : s) {
    if (c == '\'') out->push_back('\'');
    out->push_back(c);
  }
  out->push_back('\'');
}

// Literal blocks need a first line that does not start with whitespace (the
// indentation would be misread) and only printable characters.
bool LiteralAllowed(std::string_view s) {
  if (s.find('\n') == std::string_view::npos) return false;
  if (s.front() == ' ' || s.front() == '\t' || s.front() == '\n') return false;
  return AllPrintable(s, true, true);
}

void AppendIndent(int n, std::string* out) { out->append(static_cast<size_t>(n), ' '); }

// "|-", "|" or "|+" followed by the lines of `s` indented by `indent`.
void AppendLiteral(std::string_view s, int indent, std::string* out) {
  size_t trailing = 0;
  while (trailing < s.size() && s[s.size() - 1 - trailing] == '\n') ++trailing;
  *out += trailing == 0 ? "|-\n" : trailing == 1 ? "|\n" : "|+\n";
  std::string_view body = s.substr(0, s.size() - trailing);
  size_t pos = 0;
  while (pos <= body.size()) {
    size_t nl = body.find('\n', pos);
    std::string_view line = body.substr(pos, nl == std::string_view::npos ? body.npos : nl - pos);
    if (!line.empty()) AppendIndent(indent, out);
    out->append(line);
    out->push_back('\n');
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  for (size_t k = 1; k < trailing; ++k) out->push_back('\n');
}

void AppendNumber(const json::Value& v, std::string* out) {
  char buf[64];
  if (v.IsInt64()) {
    auto r = std::to_chars(buf, buf + sizeof buf, v.GetInt64());
    out->append(buf, r.ptr);
    return;
  }
  if (v.IsUint64()) {
    auto r = std::to_chars(buf, buf + sizeof buf, v.GetUint64());
    out->append(buf, r.ptr);
    return;
  }
  double d = v.GetDouble();
  if (std::isnan(d)) {
    *out += ".nan";
  } else if (std::isinf(d)) {
    *out += d > 0 ? ".inf" : "-.inf";
  } else {
    auto r = std::to_chars(buf, buf + sizeof buf, d);  // shortest round-trip form
    std::string_view text(buf, r.ptr - buf);
    out->append(text);
    // Keep doubles doubles: "1" would read back as an integer.
    if (text.find_first_of(".eE") == std::string_view::npos) *out += ".0";
  }
}

// A string in a position where a literal block is possible (`indent` is the
// block content indentation).
void AppendString(std::string_view s, int indent, bool allow_literal, std::string* out) {
  if (NeedsTypeQuotes(s)) {
    AppendDoubleQuoted(s, out);
  } else if (PlainAllowed(s)) {
    out->append(s);
  } else if (allow_literal && LiteralAllowed(s)) {
    AppendLiteral(s, indent, out);
    return;
  } else if (s.find('\n') == std::string_view::npos && AllPrintable(s, false, false)) {
    AppendSingleQuoted(s, out);
  } else {
    AppendDoubleQuoted(s, out);
  }
}

class Emitter {
 public:
  explicit Emitter(std::string* out) : out_(*out) {}

  void Root(const json::Value& v) {
    if (IsBlockCollection(v)) {
      Collection(v, 0, false);
    } else {
      Scalar(v, 2);
      EndScalarLine();
    }
  }

 private:
  static bool IsBlockCollection(const json::Value& v) {
    return (v.IsObject() && v.MemberCount() > 0) || (v.IsArray() && !v.Empty());
  }

  void Collection(const json::Value& v, int indent, bool inline_first) {
    if (v.IsObject()) {
      Mapping(v, indent, inline_first);
    } else {
      Sequence(v, indent, inline_first);
    }
  }

  // Scalars, {} and []. Literal blocks end their own line; others do not.
  void Scalar(const json::Value& v, int block_indent) {
    if (v.IsNull()) {
      out_ += "null";
    } else if (v.IsBool()) {
      out_ += v.GetBool() ? "true" : "false";
    } else if (v.IsNumber()) {
      AppendNumber(v, &out_);
    } else if (v.IsString()) {
      AppendString({v.GetString(), v.GetStringLength()}, block_indent, true, &out_);
    } else if (v.IsObject()) {
      out_ += "{}";
    } else {
      out_ += "[]";
    }
  }

  void EndScalarLine() {
    if (out_.empty() || out_.back() != '\n') out_.push_back('\n');
  }

  void Mapping(const json::Value& obj, int indent, bool inline_first) {
    bool first = true;
    for (const auto& m : obj.GetObject()) {
      if (!(first && inline_first)) AppendIndent(indent, &out_);
      first = false;
      std::string_view key(m.name.GetString(), m.name.GetStringLength());
      size_t key_start = out_.size();
      AppendString(key, 0, false, &out_);
      if (out_.size() - key_start > kMaxSimpleKey) {
        // Too long for an implicit key: use the explicit "? key\n: value" form.
        out_.insert(key_start, "? ");
        out_.push_back('\n');
        AppendIndent(indent, &out_);
        out_.push_back(':');
        Item(m.value, indent);
        continue;
      }
      out_.push_back(':');
      Value(m.value, indent);
    }
  }

  // The value after "key:" — nested mappings indent, sequences do not.
  void Value(const json::Value& v, int indent) {
    if (v.IsObject() && v.MemberCount() > 0) {
      out_.push_back('\n');
      Mapping(v, indent + 2, false);
    } else if (v.IsArray() && !v.Empty()) {
      out_.push_back('\n');
      Sequence(v, indent, false);
    } else {
      out_.push_back(' ');
      Scalar(v, indent + 2);
      EndScalarLine();
    }
  }

  void Sequence(const json::Value& arr, int indent, bool inline_first) {
    bool first = true;
    for (const auto& item : arr.GetArray()) {
      if (!(first && inline_first)) AppendIndent(indent, &out_);
      first = false;
      out_.push_back('-');
      Item(item, indent);
    }
  }

  // The node after "-" (or after ":" of an explicit key): collections start
  // on the same line, compact style.
  void Item(const json::Value& v, int indent) {
    out_.push_back(' ');
    if (IsBlockCollection(v)) {
      Collection(v, indent + 2, true);
    } else {
      Scalar(v, indent + 2);
      EndScalarLine();
    }
  }

  std::string& out_;
};

}  // namespace

std::string Emit(const json::Value& v) {
  std::string out;
  Emitter(&out).Root(v);
  return out;
}

}  // namespace dw::yaml
