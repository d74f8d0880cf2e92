// Hardening rules: settings fixed at container creation (none of them can be
// changed by docker update, hence fixable_live=false throughout).
#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "reconcilers/stacklimits/quantity.h"
#include "reconcilers/stacklimits/rules.h"

namespace dw::stacklimits::rules {
namespace {

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

std::string Basename(const std::string& path) {
  std::string p = path;
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  size_t slash = p.rfind('/');
  return slash == std::string::npos ? p : p.substr(slash + 1);
}

std::string JoinOr(const std::vector<std::string>& v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (i > 0) out += i + 1 == v.size() ? " or " : ", ";
    out += v[i];
  }
  return out;
}

bool IsTrue(const std::string& v) {
  std::string l;
  for (char ch : v) l += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return l == "1" || l == "true";
}

}  // namespace

Finding Make(const char* rule, std::string subject, std::string observed, std::string desired, std::string message,
             bool fixable_live) {
  Finding f;
  f.rule = rule;
  f.subject = std::move(subject);
  f.observed = std::move(observed);
  f.desired = std::move(desired);
  f.message = std::move(message);
  f.fixable_live = fixable_live;
  return f;
}

bool GlobMatch(const std::string& pattern, const std::string& text, bool ignore_case) {
  auto eq = [&](char a, char b) {
    if (!ignore_case) return a == b;
    return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
  };
  // Iterative match with backtracking to the last '*': linear for the
  // patterns used here, no recursion.
  size_t p = 0, t = 0, star = std::string::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || (pattern[p] != '*' && eq(pattern[p], text[t])))) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (star != std::string::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

bool IsSocketProxy(const RuleParams& params, const ContainerFacts& c) {
  auto it = c.labels.find("dockward.io/socket-proxy");
  if (it != c.labels.end() && IsTrue(it->second)) return true;
  for (const auto& glob : params.proxy_images) {
    if (GlobMatch(glob, c.image, false)) return true;
  }
  return false;
}

std::string NormalizeCapability(const std::string& cap) {
  std::string up;
  for (char ch : cap) up += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  if (up.rfind("CAP_", 0) == 0) up.erase(0, 4);
  return up;
}

void Privileged(const StackPolicy&, const ContainerFacts& c, std::vector<Finding>* out) {
  if (!c.privileged) return;
  out->push_back(Make("privileged", "", "true", "false",
                      "The container runs privileged, with every capability and all host devices."));
}

// A privileged container has every capability; when the privileged rule is
// checked it is reported once there, not once per added capability.
void Capabilities(const StackPolicy& policy, const ContainerFacts& c, std::vector<Finding>* out) {
  if (c.privileged && policy.Rule("privileged")) return;
  std::set<std::string> reported;
  for (const auto& raw : c.cap_add) {
    std::string cap = NormalizeCapability(raw);
    if (!Contains(policy.params.forbidden_caps, cap) || !reported.insert(cap).second) continue;
    out->push_back(Make("capabilities", cap, "added", "not added",
                        "The container adds the forbidden capability " + cap + "."));
  }
}

void HostNamespaces(const StackPolicy& policy, const ContainerFacts& c, std::vector<Finding>* out) {
  static const struct {
    const char* ns;
    std::string ContainerFacts::*mode;
  } kModes[] = {{"network", &ContainerFacts::network_mode},
                {"pid", &ContainerFacts::pid_mode},
                {"ipc", &ContainerFacts::ipc_mode},
                {"uts", &ContainerFacts::uts_mode},
                {"user", &ContainerFacts::userns_mode}};
  for (const auto& m : kModes) {
    // "container:X" shares another container's namespace, not the host's.
    if (!Contains(policy.params.namespaces, m.ns) || c.*m.mode != "host") continue;
    out->push_back(Make("hostNamespaces", m.ns, "host", "private",
                        std::string("The container shares the host's ") + m.ns + " namespace."));
  }
}

void NoNewPrivileges(const StackPolicy&, const ContainerFacts& c, std::vector<Finding>* out) {
  std::string seen;  // the last no-new-privileges entry wins, as in Docker
  for (const auto& opt : c.security_opt) {
    if (opt.rfind("no-new-privileges", 0) == 0) seen = opt;
  }
  static const std::set<std::string> kOn = {"no-new-privileges", "no-new-privileges:true", "no-new-privileges=true"};
  if (kOn.count(seen)) return;
  out->push_back(Make("noNewPrivileges", "", seen.empty() ? "not set" : seen, "no-new-privileges:true",
                      "The container's processes can gain privileges (setuid binaries); set "
                      "security_opt no-new-privileges:true."));
}

void Healthcheck(const StackPolicy&, const ContainerFacts& c, std::vector<Finding>* out) {
  if (c.has_healthcheck || !c.healthcheck_known) return;
  out->push_back(Make("healthcheck", "", "none", "a healthcheck",
                      "The container has no healthcheck, so a hung service looks healthy."));
}

// One finding per container (the first problem found), so the key stays
// stable while the log configuration changes from one defect to another.
void LogRotation(const StackPolicy& policy, const ContainerFacts& c, std::vector<Finding>* out) {
  const RuleParams& p = policy.params;
  std::string driver = c.log_driver.empty() ? "json-file" : c.log_driver;
  std::string desired = JoinOr(p.log_drivers);
  if (p.log_max_size) desired += ", json-file max-size <= " + FormatBytes(*p.log_max_size);
  if (p.log_max_file) desired += ", max-file <= " + std::to_string(*p.log_max_file);
  auto add = [&](std::string observed, std::string message) {
    out->push_back(Make("logRotation", "", std::move(observed), desired, std::move(message)));
  };
  if (!Contains(p.log_drivers, driver)) {
    add(driver, "The log driver " + driver + " is not one of the accepted drivers (" + JoinOr(p.log_drivers) + ").");
    return;
  }
  if (driver != "json-file") return;  // local and journald rotate on their own
  auto size = c.log_opts.find("max-size");
  if (size == c.log_opts.end() || size->second.empty() || size->second == "-1") {
    add("json-file without max-size", "The json-file log is never rotated and can fill the disk; set max-size.");
    return;
  }
  if (p.log_max_size) {
    int64_t bytes = 0;
    if (!ParseDockerBytes(size->second, &bytes).ok() || bytes > *p.log_max_size) {
      add("json-file max-size " + size->second,
          "The json-file max-size " + size->second + " is above " + FormatBytes(*p.log_max_size) + ".");
      return;
    }
  }
  auto files = c.log_opts.find("max-file");
  if (p.log_max_file && files != c.log_opts.end()) {
    int n = 0;
    bool ok = !files->second.empty() && files->second.size() < 10 &&
              std::all_of(files->second.begin(), files->second.end(), [](unsigned char ch) { return std::isdigit(ch); });
    if (ok) n = std::stoi(files->second);
    if (!ok || n > *p.log_max_file) {
      add("json-file max-file " + files->second,
          "The json-file keeps " + files->second + " files, more than " + std::to_string(*p.log_max_file) + ".");
    }
  }
}

void DockerSocket(const StackPolicy& policy, const ContainerFacts& c, std::vector<Finding>* out) {
  if (IsSocketProxy(policy.params, c)) return;  // the sanctioned path to the socket
  for (const auto& m : c.mounts) {
    if (m.type != "bind") continue;
    if (Basename(m.source) != "docker.sock" && Basename(m.destination) != "docker.sock") continue;
    out->push_back(Make("dockerSocket", m.destination, m.source + ":" + m.destination, "no Docker socket mount",
                        "The Docker socket is mounted: the container controls the Docker host; go through a "
                        "socket proxy."));
  }
}

void SocketProxyPermissions(const StackPolicy& policy, const ContainerFacts& c, std::vector<Finding>* out) {
  if (!IsSocketProxy(policy.params, c)) return;
  std::map<std::string, std::string> env;  // a later entry overrides an earlier one, as in Docker
  for (const auto& [name, value] : c.env) {
    if (value) env[name] = *value;
  }
  for (const auto& [name, value] : env) {
    if (!IsTrue(value) || !Contains(policy.params.forbidden_permissions, name)) continue;
    out->push_back(Make("socketProxyPermissions", name, name + "=" + value, name + "=0",
                        "The socket proxy allows " + name + ", which gives its clients control of the host."));
  }
}

}  // namespace dw::stacklimits::rules
