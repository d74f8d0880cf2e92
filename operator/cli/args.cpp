#include "operator/cli/args.h"

#include <cctype>

namespace dw::cli {

namespace {

Status Usage(const std::string& msg) { return Status::BadRequest("error: " + msg); }

const FlagSpec* FindLong(const std::vector<FlagSpec>& specs, const std::string& name) {
  for (const auto& s : specs)
    if (s.name == name) return &s;
  return nullptr;
}

const FlagSpec* FindShort(const std::vector<FlagSpec>& specs, char c) {
  for (const auto& s : specs)
    if (s.shorthand == c) return &s;
  return nullptr;
}

}  // namespace

std::string Args::Get(const std::string& name, const std::string& def) const {
  auto it = flags.find(name);
  return it == flags.end() || it->second.empty() ? def : it->second.back();
}

const std::vector<std::string>& Args::All(const std::string& name) const {
  static const std::vector<std::string> kEmpty;
  auto it = flags.find(name);
  return it == flags.end() ? kEmpty : it->second;
}

Status Args::GetBool(const std::string& name, bool def, bool* out) const {
  auto it = flags.find(name);
  if (it == flags.end()) {
    *out = def;
    return Status::OK();
  }
  const std::string& v = it->second.back();
  if (v == "true" || v == "1" || v == "t" || v == "T" || v == "TRUE" || v == "True") *out = true;
  else if (v == "false" || v == "0" || v == "f" || v == "F" || v == "FALSE" || v == "False") *out = false;
  else
    return Usage("invalid argument \"" + v + "\" for \"--" + name +
                 "\" flag: strconv.ParseBool: parsing \"" + v + "\": invalid syntax");
  return Status::OK();
}

std::vector<FlagSpec> GlobalFlags() {
  return {{"kubeconfig", 0, true},
          {"context", 0, true},
          {"namespace", 'n', true},
          {"request-timeout", 0, true},
          {"help", 'h', false}};
}

Status ParseArgs(int argc, char** argv, int first, const std::vector<FlagSpec>& specs,
                 Args* out) {
  out->verb = first > 0 && first - 1 < argc ? argv[first - 1] : "";
  bool flags_done = false;
  for (int i = first; i < argc; ++i) {
    std::string a = argv[i];
    if (flags_done || a.size() < 2 || a[0] != '-') {
      out->positional.push_back(a);
      continue;
    }
    if (a == "--") {
      flags_done = true;
      continue;
    }
    if (a[1] == '-') {  // --name[=value]
      auto eq = a.find('=');
      std::string name = a.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
      const FlagSpec* spec = FindLong(specs, name);
      if (!spec) return Usage("unknown flag: --" + name);
      if (eq != std::string::npos) {
        out->flags[name].push_back(a.substr(eq + 1));
      } else if (!spec->takes_value) {
        out->flags[name].push_back("true");
      } else {
        if (i + 1 >= argc) return Usage("flag needs an argument: --" + name);
        out->flags[name].push_back(argv[++i]);
      }
      continue;
    }
    // -x, -xvalue, -x=value, or a cluster of boolean shorthands (-Aw).
    for (size_t j = 1; j < a.size(); ++j) {
      const FlagSpec* spec = FindShort(specs, a[j]);
      if (!spec)
        return Usage(std::string("unknown shorthand flag: '") + a[j] + "' in " + a);
      if (!spec->takes_value) {
        if (j + 1 < a.size() && a[j + 1] == '=') {
          out->flags[spec->name].push_back(a.substr(j + 2));
          break;
        }
        out->flags[spec->name].push_back("true");
        continue;
      }
      std::string rest = a.substr(j + 1);
      if (!rest.empty() && rest[0] == '=') rest = rest.substr(1);
      if (rest.empty()) {
        if (i + 1 >= argc)
          return Usage(std::string("flag needs an argument: '") + a[j] + "' in -" + a[j]);
        rest = argv[++i];
      }
      out->flags[spec->name].push_back(rest);
      break;
    }
  }
  return Status::OK();
}

bool ParseDuration(const std::string& s, std::chrono::milliseconds* out) {
  if (s.empty()) return false;
  size_t pos = 0;
  long long total_ms = 0;
  while (pos < s.size()) {
    size_t start = pos;
    while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) ++pos;
    if (pos == start) return false;
    long long n = std::stoll(s.substr(start, pos - start));
    std::string unit;
    while (pos < s.size() && std::isalpha(static_cast<unsigned char>(s[pos]))) unit += s[pos++];
    if (unit.empty() && start == 0 && pos == s.size()) unit = "s";  // bare number: seconds
    if (unit == "ms") total_ms += n;
    else if (unit == "s") total_ms += n * 1000;
    else if (unit == "m") total_ms += n * 60000;
    else if (unit == "h") total_ms += n * 3600000;
    else return false;
  }
  *out = std::chrono::milliseconds(total_ms);
  return true;
}

}  // namespace dw::cli
