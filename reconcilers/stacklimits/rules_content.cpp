// Content rules: what the container is given (environment, command, labels).
// Both read values that may be secrets, so no value ever leaves these
// functions: findings name variables and places, never contents.
#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <regex>
#include <set>

#include "operator/common/strings.h"
#include "reconcilers/stacklimits/rules.h"

namespace dw::stacklimits::rules {
namespace {

bool EndsWithFileSuffix(const std::string& name) {
  if (name.size() < 5) return false;
  std::string tail = name.substr(name.size() - 5);
  for (char& ch : tail) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return tail == "_FILE";
}

// std::regex compiles slowly; a policy has one pattern, so keep the last one
// per thread rather than compiling it for every container. Returns nullptr
// for an invalid pattern (ParseStackPolicy rejects those up front).
const std::regex* CompiledPattern(const std::string& pattern) {
  thread_local std::string cached_pattern;
  thread_local std::optional<std::regex> cached;
  thread_local bool cached_valid = false;
  if (!cached_valid || cached_pattern != pattern) {
    cached_pattern = pattern;
    try {
      cached.emplace(pattern, std::regex::ECMAScript);
    } catch (const std::regex_error&) {
      cached.reset();
    }
    cached_valid = true;
  }
  return cached ? &*cached : nullptr;
}

bool IsNameChar(char ch) {
  return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '.' || ch == '-';
}

// The variable a placeholder names: the first capture group when the pattern
// has one, else the first identifier-like run inside the match ("{{ X }}" -> X).
std::string PlaceholderName(const std::smatch& m) {
  std::string text = (m.size() > 1 && m[1].matched) ? m[1].str() : m[0].str();
  size_t b = 0;
  while (b < text.size() && !IsNameChar(text[b])) ++b;
  size_t e = b;
  while (e < text.size() && IsNameChar(text[e]) && e - b < 128) ++e;
  return e > b ? text.substr(b, e - b) : "placeholder";
}

// Placeholder name -> places it was found, in order of discovery.
using Places = std::map<std::string, std::vector<std::string>>;

void Scan(const std::regex& re, const std::string& text, const std::string& where, Places* places) {
  for (std::sregex_iterator it(text.begin(), text.end(), re), end; it != end; ++it) {
    if (it->length(0) == 0) continue;  // a pattern that matches empty text finds nothing real
    auto& list = (*places)[PlaceholderName(*it)];
    if (std::find(list.begin(), list.end(), where) == list.end()) list.push_back(where);
  }
}

std::string Join(const std::vector<std::string>& v) { return dw::Join(v, ", "); }

}  // namespace

void PlaintextSecrets(const StackPolicy& policy, const ContainerFacts& c, std::vector<Finding>* out) {
  std::set<std::string> reported;
  for (const auto& [name, value] : c.env) {
    // No value: a lint `KEY` entry taken from the shell, not a literal.
    if (!value || value->empty() || EndsWithFileSuffix(name)) continue;
    if (value->rfind("/run/secrets/", 0) == 0) continue;
    bool secret = false;
    for (const auto& glob : policy.params.secret_name_patterns) {
      if ((secret = GlobMatch(glob, name, true))) break;
    }
    if (!secret || !reported.insert(name).second) continue;
    out->push_back(Make("plaintextSecrets", name, name + "=<redacted>", name + "_FILE=/run/secrets/...",
                        "The secret " + name + " is a plain environment value, visible to anyone who can "
                        "inspect the container; use a secret file."));
  }
}

void TemplatePlaceholders(const StackPolicy& policy, const ContainerFacts& c, std::vector<Finding>* out) {
  const std::regex* re = CompiledPattern(policy.params.placeholder_pattern);
  if (!re) return;
  Places places;
  for (const auto& [name, value] : c.env) {
    if (value) Scan(*re, *value, "env " + name, &places);
  }
  for (const auto& arg : c.entrypoint) Scan(*re, arg, "entrypoint", &places);
  for (const auto& arg : c.cmd) Scan(*re, arg, "command", &places);
  for (const auto& [key, value] : c.labels) Scan(*re, value, "label " + key, &places);
  for (const auto& [name, where] : places) {
    out->push_back(Make("templatePlaceholders", name, Join(where), "resolved",
                        "The template placeholder " + name + " was never resolved (" + Join(where) +
                            "), so the service gets it literally."));
  }
}

}  // namespace dw::stacklimits::rules
