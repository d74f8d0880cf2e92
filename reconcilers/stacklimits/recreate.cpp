// Recreate: the inspected container, corrected, under the same name. The body
// is derived from inspect so nothing the user set is lost; only the settings
// named by findings change. The daemon steps are ordered so every failure can
// be undone (see recreate.h).
#include "reconcilers/stacklimits/recreate.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "reconcilers/stacklimits/quantity.h"

namespace dw::stacklimits {

namespace {

std::string CapName(std::string s) {
  for (auto& ch : s) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  if (s.rfind("CAP_", 0) == 0) s.erase(0, 4);
  return s;
}

void DropCaps(json::Value& host, const std::set<std::string>& drop) {
  json::Value* caps = json::Find(host, "CapAdd");
  if (!caps || !caps->IsArray()) return;
  for (auto it = caps->Begin(); it != caps->End();) {
    if (it->IsString() && drop.count(CapName(it->GetString()))) it = caps->Erase(it);
    else ++it;
  }
}

bool IsNoNewPrivileges(const std::string& opt) {
  return opt.rfind("no-new-privileges", 0) == 0;
}

void RequireNoNewPrivileges(json::Value& host, json::Allocator& a) {
  json::Value* opts = json::Find(host, "SecurityOpt");
  if (!opts || !opts->IsArray()) {
    json::Value arr(rapidjson::kArrayType);
    json::SetValue(host, "SecurityOpt", arr, a);
    opts = json::Find(host, "SecurityOpt");
  }
  for (auto it = opts->Begin(); it != opts->End();) {
    if (it->IsString() && IsNoNewPrivileges(it->GetString())) it = opts->Erase(it);
    else ++it;
  }
  opts->PushBack(json::Str("no-new-privileges:true", a), a);
}

// Docker's size syntax for log-opts: "10m", "512k" or plain bytes.
std::string DockerSize(int64_t bytes) {
  if (bytes > 0 && bytes % (1 << 20) == 0) return std::to_string(bytes >> 20) + "m";
  if (bytes > 0 && bytes % (1 << 10) == 0) return std::to_string(bytes >> 10) + "k";
  return std::to_string(bytes);
}

// json-file with rotation when it is allowed (or no list is given), else the
// first allowed driver with its own defaults ("local" rotates by itself).
void FixLogging(json::Value& host, const RuleParams& p, json::Allocator& a) {
  const auto& drivers = p.log_drivers;
  bool json_file = drivers.empty() ||
                   std::find(drivers.begin(), drivers.end(), "json-file") != drivers.end();
  json::Value& log = json::EnsureObject(host, "LogConfig", a);
  std::string old_type = json::GetString(log, "Type");
  json::SetString(log, "Type", json_file ? "json-file" : drivers.front(), a);
  if (!json_file || old_type != "json-file") json::Remove(log, "Config");
  json::Value& cfg = json::EnsureObject(log, "Config", a);
  if (!json_file) return;
  json::SetString(cfg, "max-size", p.log_max_size ? DockerSize(*p.log_max_size) : "10m", a);
  json::SetString(cfg, "max-file", std::to_string(p.log_max_file.value_or(3)), a);
}

void FixNamespace(json::Value& host, const std::string& ns, json::Document* body,
                  json::Allocator& a) {
  if (ns == "network") {
    // Docker's own default when no network mode is asked for; its "host"
    // endpoint goes with the mode.
    json::SetString(host, "NetworkMode", "default", a);
    if (json::Value* eps = json::Find(*body, "NetworkingConfig")) {
      if (json::Value* e = json::Find(*eps, "EndpointsConfig")) json::Remove(*e, "host");
    }
  } else if (ns == "pid") {
    json::SetString(host, "PidMode", "", a);
  } else if (ns == "ipc") {
    json::SetString(host, "IpcMode", "", a);
  } else if (ns == "uts") {
    json::SetString(host, "UTSMode", "", a);
  } else if (ns == "user") {
    json::SetString(host, "UsernsMode", "", a);
  }
}

// A socket proxy permission is switched off in the environment ("POST=0").
void DisableProxyPermission(json::Value& body, const std::string& key, json::Allocator& a) {
  json::Value* env = json::Find(body, "Env");
  if (!env || !env->IsArray()) return;
  for (auto& e : env->GetArray()) {
    if (!e.IsString()) continue;
    std::string s = e.GetString();
    if (s.size() > key.size() && s.compare(0, key.size(), key) == 0 && s[key.size()] == '=')
      e = json::Str(key + "=0", a);
  }
}

void FixLimit(json::Value& host, const Limits& want, const std::string& subject,
              json::Allocator& a) {
  if (subject == "memory" || subject == "memorySwap") {
    if (want.memory) json::SetInt(host, "Memory", *want.memory, a);
    if (want.memory_swap) json::SetInt(host, "MemorySwap", *want.memory_swap, a);
  } else if (subject == "memoryReservation" && want.memory_reservation) {
    json::SetInt(host, "MemoryReservation", *want.memory_reservation, a);
  } else if (subject == "cpus" && want.nano_cpus) {
    // A fresh container may use either mechanism: NanoCpus is the plain one.
    json::SetInt(host, "NanoCpus", *want.nano_cpus, a);
    json::SetInt(host, "CpuQuota", 0, a);
    json::SetInt(host, "CpuPeriod", 0, a);
  } else if (subject == "pids" && want.pids) {
    json::SetInt(host, "PidsLimit", *want.pids, a);
  }
}

void FixRestart(json::Value& host, const RuleParams& p, json::Allocator& a) {
  if (p.restart_allowed.empty()) return;
  json::Value& rp = json::EnsureObject(host, "RestartPolicy", a);
  std::string name = json::GetString(rp, "Name");
  if (std::find(p.restart_allowed.begin(), p.restart_allowed.end(), name) ==
      p.restart_allowed.end())
    name = p.restart_allowed.front();
  json::SetString(rp, "Name", name, a);
  int64_t retries = name == "on-failure"
                        ? p.restart_max_retries.value_or(json::GetInt(rp, "MaximumRetryCount"))
                        : 0;
  json::SetInt(rp, "MaximumRetryCount", retries, a);
}

// Named and anonymous volumes are re-attached by name: a volume absent from
// Binds/Mounts would otherwise be a fresh, empty anonymous volume.
void KeepVolumes(const json::Value& inspect, json::Value& host, json::Allocator& a) {
  std::set<std::string> covered;
  if (const json::Value* binds = json::Find(host, "Binds"); binds && binds->IsArray()) {
    for (const auto& b : binds->GetArray()) {
      if (!b.IsString()) continue;
      std::string s = b.GetString();
      size_t c1 = s.find(':');
      if (c1 == std::string::npos) continue;
      size_t c2 = s.find(':', c1 + 1);
      covered.insert(s.substr(c1 + 1, c2 == std::string::npos ? std::string::npos : c2 - c1 - 1));
    }
  }
  if (const json::Value* ms = json::Find(host, "Mounts"); ms && ms->IsArray())
    for (const auto& m : ms->GetArray()) covered.insert(json::GetString(m, "Target"));
  const json::Value* mounts = json::Find(inspect, "Mounts");
  if (!mounts || !mounts->IsArray()) return;
  for (const auto& m : mounts->GetArray()) {
    std::string dst = json::GetString(m, "Destination");
    std::string name = json::GetString(m, "Name");
    if (json::GetString(m, "Type") != "volume" || name.empty() || covered.count(dst)) continue;
    json::Value* binds = json::Find(host, "Binds");
    if (!binds || !binds->IsArray()) {
      json::Value arr(rapidjson::kArrayType);
      json::SetValue(host, "Binds", arr, a);
      binds = json::Find(host, "Binds");
    }
    std::string bind = name + ":" + dst + (json::GetBool(m, "RW", true) ? "" : ":ro");
    binds->PushBack(json::Str(bind, a), a);
  }
}

// Every network with its aliases and static addresses. The old container's
// short id, which Docker adds as an alias itself, is not carried over.
void KeepNetworks(const json::Value& inspect, const std::string& network_mode,
                  json::Document* body, json::Allocator& a) {
  if (network_mode == "host" || network_mode == "none" || network_mode.rfind("container:", 0) == 0)
    return;
  const json::Value* nets = json::FindPath(inspect, "NetworkSettings.Networks");
  if (!nets || !nets->IsObject() || nets->MemberCount() == 0) return;
  std::string short_id = json::GetString(inspect, "Id").substr(0, 12);
  json::Value& eps = json::EnsureObject(json::EnsureObject(*body, "NetworkingConfig", a),
                                        "EndpointsConfig", a);
  for (const auto& n : nets->GetObject()) {
    json::Value ep(rapidjson::kObjectType);
    if (const json::Value* al = json::Find(n.value, "Aliases"); al && al->IsArray()) {
      json::Value arr(rapidjson::kArrayType);
      for (const auto& x : al->GetArray())
        if (x.IsString() && x.GetString() != short_id) arr.PushBack(json::Copy(x, a), a);
      json::SetValue(ep, "Aliases", arr, a);
    }
    for (const char* key : {"IPAMConfig", "Links", "DriverOpts"}) {
      if (const json::Value* v = json::Find(n.value, key); v && !v->IsNull()) {
        json::Value c = json::Copy(*v, a);
        json::SetValue(ep, key, c, a);
      }
    }
    json::SetValue(eps, n.name.GetString(), ep, a);
  }
}

}  // namespace

Status RecreateBody(const json::Value& inspect, const StackPolicy& policy,
                    const std::vector<Finding>& fixes, json::Document* body,
                    std::vector<std::string>* changed) {
  const json::Value* config = json::Find(inspect, "Config");
  const json::Value* host_in = json::Find(inspect, "HostConfig");
  if (!config || !config->IsObject() || !host_in || !host_in->IsObject())
    return Status::BadRequest("recreate: inspect document has no Config/HostConfig");
  body->SetObject();
  auto& a = body->GetAllocator();
  body->CopyFrom(*config, a);
  // The default hostname is the old id's prefix: let the new id name it.
  std::string id = json::GetString(inspect, "Id");
  if (!id.empty() && json::GetString(*body, "Hostname") == id.substr(0, 12))
    json::Remove(*body, "Hostname");
  json::Value host = json::Copy(*host_in, a);
  KeepNetworks(inspect, json::GetString(*host_in, "NetworkMode"), body, a);
  KeepVolumes(inspect, host, a);

  changed->clear();
  std::set<std::string> caps;
  std::string service;
  if (const json::Value* labels = json::Find(*config, "Labels"))
    service = json::GetString(*labels, "com.docker.compose.service");
  Limits want = policy.LimitsFor(service);
  for (const auto& f : fixes) {
    if (f.exempted) continue;
    std::string what = f.subject.empty() ? f.rule : f.rule + "/" + f.subject;
    if (f.rule == "privileged") {
      json::SetBool(host, "Privileged", false, a);
    } else if (f.rule == "capabilities") {
      caps.insert(CapName(f.subject));
    } else if (f.rule == "hostNamespaces") {
      FixNamespace(host, f.subject, body, a);
    } else if (f.rule == "noNewPrivileges") {
      RequireNoNewPrivileges(host, a);
    } else if (f.rule == "logRotation") {
      FixLogging(host, policy.params, a);
    } else if (f.rule == "socketProxyPermissions") {
      DisableProxyPermission(*body, f.subject, a);
    } else if (f.rule == "limits") {
      FixLimit(host, want, f.subject, a);
    } else if (f.rule == "restartPolicy") {
      FixRestart(host, policy.params, a);
    } else {
      continue;  // healthcheck, dockerSocket, plaintextSecrets, templatePlaceholders
    }
    if (std::find(changed->begin(), changed->end(), what) == changed->end())
      changed->push_back(what);
  }
  if (!caps.empty()) DropCaps(host, caps);
  json::SetValue(*body, "HostConfig", host, a);
  return Status::OK();
}

namespace {

// Undo of a failed recreate: the new container goes, the old one gets its
// name back and runs again if it ran before.
Status RollBack(docker::DockerClient* dc, const std::string& old_id, const std::string& name,
                const std::string& new_id, bool was_running, const Status& cause) {
  std::string notes;
  if (!new_id.empty()) {
    if (Status st = dc->RemoveContainer(new_id, true); !st.ok())
      notes += "; removing the new container failed: " + st.message();
  }
  if (Status st = dc->RenameContainer(old_id, name); !st.ok())
    notes += "; renaming the old container back failed: " + st.message();
  if (was_running) {
    if (Status st = dc->StartContainer(old_id); !st.ok())
      notes += "; restarting the old container failed: " + st.message();
  }
  return Status(cause.code(), "recreate of " + name + " rolled back: " + cause.message() + notes);
}

}  // namespace

Status RecreateContainer(docker::DockerClient* client, const json::Value& inspect,
                         const json::Value& create_body, std::string* new_id) {
  new_id->clear();
  std::string old_id = json::GetString(inspect, "Id");
  std::string name = json::GetString(inspect, "Name");
  if (!name.empty() && name[0] == '/') name.erase(0, 1);
  if (old_id.empty() || name.empty())
    return Status::BadRequest("recreate: inspect document has no Id or Name");
  const json::Value* state = json::Find(inspect, "State");
  bool was_running = state && json::GetBool(*state, "Running");

  // API < 1.44 takes one endpoint at create: the primary one (NetworkMode's,
  // else the first); the others are connected before the container starts.
  json::Document body;
  body.CopyFrom(create_body, body.GetAllocator());
  json::Document extra(rapidjson::kObjectType);
  if (json::Value* nc = json::Find(body, "NetworkingConfig")) {
    json::Value* eps = json::Find(*nc, "EndpointsConfig");
    if (eps && eps->IsObject() && eps->MemberCount() > 1) {
      std::string primary = json::GetStringPath(body, "HostConfig.NetworkMode");
      if (!json::Find(*eps, primary)) primary = eps->MemberBegin()->name.GetString();
      for (auto it = eps->MemberBegin(); it != eps->MemberEnd();) {
        if (primary == it->name.GetString()) {
          ++it;
          continue;
        }
        json::Value key(it->name, extra.GetAllocator());
        json::Value val(it->value, extra.GetAllocator());
        extra.AddMember(key, val, extra.GetAllocator());
        it = eps->EraseMember(it);
      }
    }
  }

  const std::string parked = name + "-dw-old";
  DW_RETURN_IF_ERROR(client->RenameContainer(old_id, parked));
  std::string created;
  if (Status st = client->CreateContainerRaw(name, body, &created); !st.ok())
    return RollBack(client, old_id, name, "", false, st);
  for (const auto& n : extra.GetObject()) {
    if (Status st = client->ConnectNetwork(n.name.GetString(), created, n.value); !st.ok())
      return RollBack(client, old_id, name, created, false, st);
  }
  if (was_running) {
    // The container's own stop timeout when it has one, else Docker's 10 s.
    int stop_timeout = 10;
    if (const json::Value* cfg = json::Find(inspect, "Config"))
      stop_timeout = static_cast<int>(json::GetInt(*cfg, "StopTimeout", 10));
    if (Status st = client->StopContainer(old_id, stop_timeout); !st.ok())
      return RollBack(client, old_id, name, created, false, st);
    if (Status st = client->StartContainer(created); !st.ok())
      return RollBack(client, old_id, name, created, true, st);
  }
  *new_id = created;
  // Without removing volumes: the new container uses them by name.
  if (Status st = client->RemoveContainer(old_id, true); !st.ok())
    return Status(st.code(), "recreated " + name + " as " + created.substr(0, 12) +
                                 ", but the old container " + parked +
                                 " could not be removed: " + st.message());
  return Status::OK();
}

}  // namespace dw::stacklimits
