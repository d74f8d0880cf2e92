// FactsFromInspect: maps `docker inspect` (Engine API 1.41, docker 20.10) to
// ContainerFacts. Docker writes null for empty lists and maps (CapAdd,
// SecurityOpt, Env, PidsLimit...), so every member is read tolerantly; only a
// document without Config/HostConfig objects is rejected, since nothing
// trustworthy could be said about it.
#include "reconcilers/stacklimits/inspect_facts.h"

namespace dw::stacklimits {
namespace {

constexpr int64_t kDefaultCpuPeriod = 100000;  // microseconds, the CFS default

std::vector<std::string> Strings(const json::Value& obj, const char* key) {
  std::vector<std::string> out;
  const json::Value* v = json::Find(obj, key);
  if (!v || !v->IsArray()) return out;
  out.reserve(v->Size());
  for (const auto& s : v->GetArray()) {
    if (s.IsString()) out.emplace_back(s.GetString(), s.GetStringLength());
  }
  return out;
}

std::map<std::string, std::string> StringMap(const json::Value* v) {
  std::map<std::string, std::string> out;
  if (!v || !v->IsObject()) return out;
  for (auto it = v->MemberBegin(); it != v->MemberEnd(); ++it) {
    if (!it->value.IsString()) continue;
    out.emplace(std::string(it->name.GetString(), it->name.GetStringLength()),
                std::string(it->value.GetString(), it->value.GetStringLength()));
  }
  return out;
}

// GetInt that also accepts null (PidsLimit is null when unset).
int64_t Int(const json::Value& obj, const char* key) {
  const json::Value* v = json::Find(obj, key);
  return (v && v->IsInt64()) ? v->GetInt64() : 0;
}

void ReadEnv(const json::Value& config, ContainerFacts* out) {
  const json::Value* env = json::Find(config, "Env");
  if (!env || !env->IsArray()) return;
  out->env.reserve(env->Size());
  for (const auto& e : env->GetArray()) {
    if (!e.IsString()) continue;
    std::string_view kv(e.GetString(), e.GetStringLength());
    size_t eq = kv.find('=');
    if (eq == std::string_view::npos) {
      out->env.emplace_back(std::string(kv), std::nullopt);
    } else {
      out->env.emplace_back(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
    }
  }
}

// The image's HEALTHCHECK is already merged into Config.Healthcheck.
bool HasHealthcheck(const json::Value& config) {
  const json::Value* hc = json::Find(config, "Healthcheck");
  if (!hc || !hc->IsObject()) return false;
  std::vector<std::string> test = Strings(*hc, "Test");
  return !test.empty() && test[0] != "NONE";
}

void ReadHostConfig(const json::Value& hc, ContainerFacts* out) {
  out->privileged = json::GetBool(hc, "Privileged");
  out->cap_add = Strings(hc, "CapAdd");
  out->network_mode = json::GetString(hc, "NetworkMode");
  out->pid_mode = json::GetString(hc, "PidMode");
  out->ipc_mode = json::GetString(hc, "IpcMode");
  out->uts_mode = json::GetString(hc, "UTSMode");
  out->userns_mode = json::GetString(hc, "UsernsMode");
  out->security_opt = Strings(hc, "SecurityOpt");
  if (const json::Value* log = json::Find(hc, "LogConfig")) {
    out->log_driver = json::GetString(*log, "Type");
    out->log_opts = StringMap(json::Find(*log, "Config"));
  }
  if (const json::Value* rp = json::Find(hc, "RestartPolicy")) {
    out->restart_policy = json::GetString(*rp, "Name");
    out->restart_max_retries = static_cast<int>(Int(*rp, "MaximumRetryCount"));
  }
  out->memory = Int(hc, "Memory");
  out->memory_swap = Int(hc, "MemorySwap");
  out->memory_reservation = Int(hc, "MemoryReservation");
  out->cpu_quota = Int(hc, "CpuQuota");
  out->cpu_period = Int(hc, "CpuPeriod");
  out->nano_cpus = Int(hc, "NanoCpus");
  if (out->nano_cpus == 0 && out->cpu_quota > 0) {
    int64_t period = out->cpu_period > 0 ? out->cpu_period : kDefaultCpuPeriod;
    out->nano_cpus = static_cast<int64_t>(static_cast<__int128>(out->cpu_quota) * 1000000000 / period);
  }
  out->pids_limit = Int(hc, "PidsLimit");
}

void ReadMounts(const json::Value& inspect, ContainerFacts* out) {
  const json::Value* mounts = json::Find(inspect, "Mounts");
  if (!mounts || !mounts->IsArray()) return;
  for (const auto& m : mounts->GetArray()) {
    out->mounts.push_back(
        {json::GetString(m, "Type"), json::GetString(m, "Source"), json::GetString(m, "Destination")});
  }
}

}  // namespace

Status FactsFromInspect(const json::Value& inspect, ContainerFacts* out) {
  const json::Value* config = json::Find(inspect, "Config");
  const json::Value* hc = json::Find(inspect, "HostConfig");
  if (!config || !config->IsObject() || !hc || !hc->IsObject()) {
    return Status::Invalid("container inspect document without Config and HostConfig objects");
  }
  ContainerFacts f;
  f.id = json::GetString(inspect, "Id");
  f.container = json::GetString(inspect, "Name");
  if (!f.container.empty() && f.container[0] == '/') f.container.erase(0, 1);
  f.image = json::GetString(*config, "Image");
  f.labels = StringMap(json::Find(*config, "Labels"));
  auto label = [&](const char* key) {
    auto it = f.labels.find(key);
    return it == f.labels.end() ? std::string() : it->second;
  };
  f.project = label("com.docker.compose.project");
  f.service = label("com.docker.compose.service");
  f.one_off = label("com.docker.compose.oneoff") == "True";
  if (const json::Value* state = json::Find(inspect, "State")) {
    f.state = json::GetString(*state, "Status");
    const json::Value* health = json::Find(*state, "Health");
    f.health = health && health->IsObject() ? json::GetString(*health, "Status", "none") : "none";
  } else {
    f.health = "none";
  }
  if (f.health.empty()) f.health = "none";
  f.has_healthcheck = HasHealthcheck(*config);
  f.healthcheck_known = true;
  ReadEnv(*config, &f);
  f.cmd = Strings(*config, "Cmd");
  f.entrypoint = Strings(*config, "Entrypoint");
  ReadHostConfig(*hc, &f);
  ReadMounts(inspect, &f);
  *out = std::move(f);
  return Status::OK();
}

}  // namespace dw::stacklimits
