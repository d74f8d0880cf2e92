// Compose service -> ContainerFacts. Each key is read the way docker-compose
// turns it into the container's create request, so the facts match what
// `docker inspect` shows for the container compose would create.
#include "reconcilers/stacklimits/compose_facts.h"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "reconcilers/stacklimits/compose_load.h"
#include "reconcilers/stacklimits/quantity.h"

namespace dw::stacklimits {

namespace {

namespace fs = std::filesystem;

struct Ctx {
  const ComposeOptions& opts;
  const ComposeModel& model;
  const VarMap& vars;
  std::string project;
  std::string project_dir;  // absolute
  std::vector<ComposeNote>* notes;
};

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Scalars as compose stringifies them (numbers keep their YAML spelling
// closely enough: 1 -> "1", 0.5 -> "0.5").
std::string Scalar(const json::Value& v) {
  if (v.IsString()) return std::string(v.GetString(), v.GetStringLength());
  if (v.IsBool()) return v.GetBool() ? "true" : "false";
  if (v.IsNull()) return "";
  return json::Serialize(v);
}

// YAML 1.1 booleans (compose uses PyYAML) arrive as strings from the 1.2 core parser.
bool Truthy(const json::Value* v) {
  if (!v) return false;
  if (v->IsBool()) return v->GetBool();
  if (!v->IsString()) return false;
  std::string s = Lower(v->GetString());
  return s == "true" || s == "yes" || s == "on" || s == "y";
}

std::vector<std::string> StringList(const json::Value* v) {
  std::vector<std::string> out;
  if (!v || v->IsNull()) return out;
  if (!v->IsArray()) {
    out.push_back(Scalar(*v));
    return out;
  }
  for (const auto& item : v->GetArray()) out.push_back(Scalar(item));
  return out;
}

// shlex.split, as compose splits a string command/entrypoint.
std::vector<std::string> ShellSplit(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  bool in_word = false;
  char quote = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (quote) {
      if (c == quote) quote = 0;
      else if (c == '\\' && quote == '"' && i + 1 < s.size() && (s[i + 1] == '"' || s[i + 1] == '\\')) cur += s[++i];
      else cur += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
    } else if (c == '\\' && i + 1 < s.size()) {
      cur += s[++i];
      in_word = true;
    } else if (std::isspace(static_cast<unsigned char>(c))) {
      if (in_word) out.push_back(std::move(cur));
      cur.clear();
      in_word = false;
    } else {
      cur += c;
      in_word = true;
    }
  }
  if (in_word) out.push_back(std::move(cur));
  return out;
}

std::vector<std::string> CommandList(const json::Value* v) {
  if (v && v->IsString()) return ShellSplit(v->GetString());
  return StringList(v);
}

class ServiceReader {
 public:
  ServiceReader(Ctx& ctx, const std::string& name, const json::Value& svc, ContainerFacts* c)
      : ctx_(ctx), name_(name), svc_(svc), c_(c) {}

  Status Read() {
    Identity();
    Security();
    Health();
    Logging();
    DW_RETURN_IF_ERROR(Mounts());
    DW_RETURN_IF_ERROR(Environment());
    c_->cmd = CommandList(Get("command"));
    c_->entrypoint = CommandList(Get("entrypoint"));
    DW_RETURN_IF_ERROR(Restart());
    return Limits();
  }

 private:
  const json::Value* Get(std::string_view key) const { return json::Find(svc_, key); }
  std::string Path(std::string_view sub) const { return "services." + name_ + "." + std::string(sub); }

  void Note(std::string_view sub, std::string message) {
    auto [file, line] = ctx_.model.Locate(Path(sub));
    ctx_.notes->push_back({file ? *file : std::string(), line, name_, std::move(message)});
  }
  Status Bad(std::string_view sub, const std::string& message) const {
    auto [file, line] = ctx_.model.Locate(Path(sub));
    std::string where = file ? *file + ":" + std::to_string(line) + ": " : std::string();
    return Status::Invalid(where + "service \"" + name_ + "\": " + std::string(sub) + ": " + message);
  }

  void Identity() {
    c_->project = ctx_.project;
    c_->service = name_;
    std::string explicit_name = json::GetString(svc_, "container_name");
    c_->container = explicit_name.empty() ? ctx_.project + "_" + name_ + "_1" : explicit_name;
    c_->image = json::GetString(svc_, "image");
    if (c_->image.empty()) c_->image = ctx_.project + "_" + name_;  // compose 1.x names built images so
    if (const json::Value* l = Get("labels")) {
      if (l->IsObject()) {
        for (const auto& m : l->GetObject()) c_->labels[m.name.GetString()] = Scalar(m.value);
      } else {
        for (const auto& s : StringList(l)) {
          size_t eq = s.find('=');
          c_->labels[s.substr(0, eq)] = eq == std::string::npos ? "" : s.substr(eq + 1);
        }
      }
    }
    // What compose adds, so selectors see what they see at runtime.
    c_->labels["com.docker.compose.project"] = ctx_.project;
    c_->labels["com.docker.compose.service"] = name_;
    c_->labels["com.docker.compose.oneoff"] = "False";
    c_->labels["com.docker.compose.container-number"] = "1";
  }

  void Security() {
    c_->privileged = Truthy(Get("privileged"));
    c_->cap_add = StringList(Get("cap_add"));
    c_->network_mode = json::GetString(svc_, "network_mode");
    c_->pid_mode = json::GetString(svc_, "pid");
    c_->ipc_mode = json::GetString(svc_, "ipc");
    c_->uts_mode = json::GetString(svc_, "uts");
    c_->userns_mode = json::GetString(svc_, "userns_mode");
    c_->security_opt = StringList(Get("security_opt"));
  }

  bool ImageHasHealthcheck() const {
    for (const auto& img : ctx_.opts.images_with_healthcheck) {
      if (img == c_->image || img + ":latest" == c_->image || img == c_->image + ":latest") return true;
    }
    return false;
  }

  void Health() {
    const json::Value* hc = Get("healthcheck");
    const json::Value* test = hc ? json::Find(*hc, "test") : nullptr;
    if (hc && Truthy(json::Find(*hc, "disable"))) {
      c_->has_healthcheck = false;
      return;
    }
    if (test && !test->IsNull()) {
      std::vector<std::string> t = StringList(test);
      c_->has_healthcheck = !t.empty() && !(t[0] == "NONE");
      return;
    }
    // No test of its own: whatever the image declares applies. Lint cannot
    // read images, so an image has none unless --image-healthcheck says so
    // (the runtime audit sees the merged result and must agree).
    c_->has_healthcheck = ImageHasHealthcheck();
  }

  void Logging() {
    const json::Value* lg = Get("logging");
    const json::Value* opts = lg ? json::Find(*lg, "options") : nullptr;
    c_->log_driver = lg ? json::GetString(*lg, "driver") : json::GetString(svc_, "log_driver");
    if (!lg) opts = Get("log_opt");  // the v1 file format's spelling
    if (opts && opts->IsObject()) {
      for (const auto& m : opts->GetObject()) c_->log_opts[m.name.GetString()] = Scalar(m.value);
    }
  }

  // Host paths as the daemon sees them: absolute, relative to the project directory.
  std::string HostPath(const std::string& src) const {
    if (src == "~" || src.rfind("~/", 0) == 0) {
      auto home = ctx_.vars.find("HOME");
      std::string h = home == ctx_.vars.end() ? "" : home->second;
      return (fs::path(h) / src.substr(std::min<size_t>(src.size(), 2))).lexically_normal().string();
    }
    fs::path p(src);
    if (p.is_relative()) p = fs::path(ctx_.project_dir) / p;
    std::string out = p.lexically_normal().string();
    if (out.size() > 1 && out.back() == '/') out.pop_back();
    return out;
  }

  static bool IsHostPath(const std::string& s) {
    return !s.empty() && (s[0] == '/' || s[0] == '.' || s[0] == '~');
  }

  Status Mounts() {
    const json::Value* vols = Get("volumes");
    if (!vols || vols->IsNull()) return Status::OK();
    if (!vols->IsArray()) return Bad("volumes", "must be a list");
    for (const auto& v : vols->GetArray()) {
      MountFact m;
      if (v.IsString()) {
        std::string s = v.GetString();
        size_t c1 = s.find(':');
        if (c1 == std::string::npos) {
          m.type = "volume";  // anonymous
          m.destination = s;
        } else {
          size_t c2 = s.find(':', c1 + 1);
          std::string src = s.substr(0, c1);
          m.destination = s.substr(c1 + 1, c2 == std::string::npos ? std::string::npos : c2 - c1 - 1);
          m.type = IsHostPath(src) ? "bind" : "volume";
          m.source = m.type == "bind" ? HostPath(src) : src;
        }
      } else if (v.IsObject()) {
        m.type = json::GetString(v, "type", "volume");
        m.source = json::GetString(v, "source");
        m.destination = json::GetString(v, "target");
        if (m.type == "bind" && !m.source.empty()) m.source = HostPath(m.source);
      } else {
        return Bad("volumes", "entries must be strings or mappings");
      }
      if (m.destination.empty()) return Bad("volumes", "an entry has no container path");
      c_->mounts.push_back(std::move(m));
    }
    return Status::OK();
  }

  void SetEnv(const std::string& key, std::optional<std::string> value) {
    for (auto& [k, v] : c_->env) {
      if (k == key) {
        v = std::move(value);
        return;
      }
    }
    c_->env.emplace_back(key, std::move(value));
  }

  // A bare KEY takes its value from the environment compose runs in.
  std::optional<std::string> FromShell(const std::string& key) const {
    auto it = ctx_.vars.find(key);
    if (it == ctx_.vars.end()) return std::nullopt;
    return it->second;
  }

  Status Environment() {
    for (const auto& f : StringList(Get("env_file"))) {
      std::string path = HostPath(f);
      std::string text;
      Status st = ReadTextFile(path, &text);
      if (!st.ok()) return Bad("env_file", st.message());
      std::vector<EnvLine> lines;
      DW_RETURN_IF_ERROR(ParseDotenv(text, path, &lines));
      for (auto& l : lines) SetEnv(l.key, l.has_value ? std::optional<std::string>(l.value) : FromShell(l.key));
    }
    const json::Value* env = Get("environment");
    if (!env || env->IsNull()) return Status::OK();
    if (env->IsObject()) {
      for (const auto& m : env->GetObject()) {
        std::string key = m.name.GetString();
        SetEnv(key, m.value.IsNull() ? FromShell(key) : std::optional<std::string>(Scalar(m.value)));
      }
      return Status::OK();
    }
    if (!env->IsArray()) return Bad("environment", "must be a list or a mapping");
    for (const auto& s : StringList(env)) {
      size_t eq = s.find('=');
      if (eq == std::string::npos) SetEnv(s, FromShell(s));
      else SetEnv(s.substr(0, eq), s.substr(eq + 1));
    }
    return Status::OK();
  }

  bool DeployApplies() const { return ctx_.opts.flavor != ComposeFlavor::kV1; }

  Status Restart() {
    std::string r = Lower(json::GetString(svc_, "restart"));
    const json::Value* dp = json::FindPath(svc_, "deploy.restart_policy");
    if (r.empty() && dp && DeployApplies()) {
      // What `--compatibility` and compose v2 translate a swarm policy to.
      std::string cond = json::GetString(*dp, "condition", "any");
      c_->restart_policy = cond == "none" ? "no" : cond == "on-failure" ? "on-failure" : "always";
      c_->restart_max_retries = static_cast<int>(json::GetInt(*dp, "max_attempts", 0));
      return Status::OK();
    }
    if (r.empty()) {
      if (dp) Note("deploy.restart_policy", "deploy.restart_policy is ignored by docker-compose 1.x without --compatibility");
      c_->restart_policy = "no";
      return Status::OK();
    }
    size_t colon = r.find(':');
    c_->restart_policy = r.substr(0, colon);
    if (colon != std::string::npos) {
      std::string n = r.substr(colon + 1);
      if (c_->restart_policy != "on-failure" || n.empty() ||
          !std::all_of(n.begin(), n.end(), [](char ch) { return std::isdigit(static_cast<unsigned char>(ch)); })) {
        return Bad("restart", "invalid restart policy \"" + r + "\"");
      }
      c_->restart_max_retries = std::stoi(n);
    }
    if (c_->restart_policy != "no" && c_->restart_policy != "always" && c_->restart_policy != "unless-stopped" &&
        c_->restart_policy != "on-failure") {
      return Bad("restart", "invalid restart policy \"" + r + "\"");
    }
    return Status::OK();
  }

  // Docker byte sizes: an integer is bytes, a string has docker units.
  Status Bytes(const json::Value* v, std::string_view sub, int64_t* out, bool allow_unlimited = false) {
    if (v->IsInt64()) {
      *out = v->GetInt64();
      if (*out < 0 && !(allow_unlimited && *out == -1)) return Bad(sub, "must not be negative");
      return Status::OK();
    }
    std::string s = Scalar(*v);
    if (allow_unlimited && s == "-1") {
      *out = -1;
      return Status::OK();
    }
    Status st = ParseDockerBytes(s, out);
    return st.ok() ? st : Bad(sub, st.message());
  }

  Status Cpus(const json::Value* v, std::string_view sub, int64_t* out) {
    Status st = ParseCpus(*v, out);
    return st.ok() ? st : Bad(sub, st.message());
  }

  // Sets `*field` from `legacy` (mem_limit...) or, when deploy applies, from
  // `deploy` (deploy.resources...). Legacy wins, as in docker-compose.
  template <typename Parse>
  Status Limit(std::string_view legacy, std::string_view deploy, int64_t* field, Parse parse) {
    const json::Value* l = legacy.empty() ? nullptr : Get(legacy);
    const json::Value* d = deploy.empty() ? nullptr : json::FindPath(svc_, deploy);
    if (l && l->IsNull()) l = nullptr;
    if (d && d->IsNull()) d = nullptr;
    if (l) DW_RETURN_IF_ERROR(parse(l, legacy, field));
    if (!d) return Status::OK();
    if (!DeployApplies()) {
      Note(deploy, std::string(deploy) + " is ignored by docker-compose 1.x (use --compatibility)");
    } else if (l) {
      Note(deploy, std::string(deploy) + " is overridden by " + std::string(legacy));
    } else {
      DW_RETURN_IF_ERROR(parse(d, deploy, field));
    }
    return Status::OK();
  }

  Status Limits() {
    auto bytes = [this](const json::Value* v, std::string_view sub, int64_t* out) { return Bytes(v, sub, out); };
    auto swap = [this](const json::Value* v, std::string_view sub, int64_t* out) { return Bytes(v, sub, out, true); };
    auto cpus = [this](const json::Value* v, std::string_view sub, int64_t* out) { return Cpus(v, sub, out); };
    auto count = [this](const json::Value* v, std::string_view sub, int64_t* out) {
      std::string s = Scalar(*v);
      char* end = nullptr;
      long long n = std::strtoll(s.c_str(), &end, 10);
      if (s.empty() || *end != 0) return Bad(sub, "\"" + s + "\" is not an integer");
      *out = n;
      return Status::OK();
    };
    DW_RETURN_IF_ERROR(Limit("mem_limit", "deploy.resources.limits.memory", &c_->memory, bytes));
    DW_RETURN_IF_ERROR(Limit("memswap_limit", "", &c_->memory_swap, swap));
    DW_RETURN_IF_ERROR(
        Limit("mem_reservation", "deploy.resources.reservations.memory", &c_->memory_reservation, bytes));
    DW_RETURN_IF_ERROR(Limit("cpus", "deploy.resources.limits.cpus", &c_->nano_cpus, cpus));
    DW_RETURN_IF_ERROR(Limit("pids_limit", "deploy.resources.limits.pids", &c_->pids_limit, count));
    DW_RETURN_IF_ERROR(Limit("cpu_quota", "", &c_->cpu_quota, count));
    DW_RETURN_IF_ERROR(Limit("cpu_period", "", &c_->cpu_period, count));
    if (c_->nano_cpus == 0 && c_->cpu_quota > 0) {
      int64_t period = c_->cpu_period > 0 ? c_->cpu_period : 100000;
      c_->nano_cpus = c_->cpu_quota * 1000000000 / period;
    }
    return Status::OK();
  }

  Ctx& ctx_;
  const std::string& name_;
  const json::Value& svc_;
  ContainerFacts* c_;
};

// compose 1.x: lower case, only [-_a-z0-9] kept.
std::string NormalizeProject(const std::string& s) {
  std::string out;
  for (char c : Lower(s))
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') out += c;
  return out;
}

// The .env (or --env-file) values overlaid by the process environment.
Status Variables(const ComposeOptions& opts, const std::string& dir, VarMap* vars) {
  std::string path = opts.env_file.empty() ? dir + "/.env" : opts.env_file;
  std::string text;
  Status st = ReadTextFile(path, &text);
  if (st.ok()) {
    std::vector<EnvLine> lines;
    DW_RETURN_IF_ERROR(ParseDotenv(text, path, &lines));
    for (auto& l : lines)
      if (l.has_value) (*vars)[l.key] = l.value;
  } else if (!opts.env_file.empty() || !st.IsNotFound()) {
    return Status::Invalid(st.message());
  }
  for (const auto& [k, v] : opts.env) (*vars)[k] = v;
  return Status::OK();
}

}  // namespace

Status LoadComposeFacts(const ComposeOptions& opts, std::vector<ContainerFacts>* out,
                        std::vector<ComposeNote>* notes) {
  if (opts.files.empty()) return Status::Invalid("no compose file given");
  std::error_code ec;
  fs::path first = fs::absolute(opts.files[0], ec);
  if (ec) return Status::Invalid(opts.files[0] + ": " + ec.message());
  std::string dir = first.lexically_normal().parent_path().string();
  VarMap vars;
  DW_RETURN_IF_ERROR(Variables(opts, dir, &vars));
  ComposeModel model;
  DW_RETURN_IF_ERROR(LoadComposeModel(opts.files, vars, &model, notes));

  std::string project = opts.project;
  if (project.empty() && vars.count("COMPOSE_PROJECT_NAME")) project = vars["COMPOSE_PROJECT_NAME"];
  if (project.empty()) project = fs::path(dir).filename().string();
  project = NormalizeProject(project);
  if (project.empty()) return Status::Invalid("cannot derive a project name: use --project-name");

  Ctx ctx{opts, model, vars, project, dir, notes};
  for (const auto& s : model.services.GetObject()) {
    ContainerFacts c;
    std::string name = s.name.GetString();
    DW_RETURN_IF_ERROR(ServiceReader(ctx, name, s.value, &c).Read());
    out->push_back(std::move(c));
  }
  return Status::OK();
}

}  // namespace dw::stacklimits
