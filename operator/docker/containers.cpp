// Container calls: list, inspect, create, start, stop, remove, update, stats.
#include "operator/docker/client.h"
#include "operator/docker/errors.h"

namespace dw::docker {

namespace {

std::string Escaped(const std::string& s) { return http::QueryEscape(s); }

void AddStrings(json::Value& obj, const char* key, const std::vector<std::string>& v,
                json::Allocator& a) {
  if (v.empty()) return;
  json::Value arr(rapidjson::kArrayType);
  for (const auto& s : v) arr.PushBack(json::Str(s, a), a);
  json::SetValue(obj, key, arr, a);
}

void AddRestartPolicy(json::Value& host, const RestartPolicy& p, json::Allocator& a) {
  json::Value& rp = json::EnsureObject(host, "RestartPolicy", a);
  json::SetString(rp, "Name", p.name, a);
  json::SetInt(rp, "MaximumRetryCount", p.maximum_retry_count, a);
}

}  // namespace

std::string UpdateBody(const ContainerUpdate& u) {
  json::Document doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  auto set = [&](const char* key, const std::optional<int64_t>& v) {
    if (v) json::SetInt(doc, key, *v, a);
  };
  set("Memory", u.memory);
  set("MemorySwap", u.memory_swap);
  set("MemoryReservation", u.memory_reservation);
  set("NanoCpus", u.nano_cpus);
  set("CpuQuota", u.cpu_quota);
  set("CpuPeriod", u.cpu_period);
  set("PidsLimit", u.pids_limit);
  if (u.restart_policy) AddRestartPolicy(doc, *u.restart_policy, a);
  return json::Serialize(doc);
}

Status ParseContainerList(const json::Value& arr, std::vector<ContainerSummary>* out) {
  if (!arr.IsArray()) return Status::Internal("docker container list: expected a JSON array");
  out->clear();
  out->reserve(arr.Size());
  for (const auto& c : arr.GetArray()) {
    ContainerSummary s;
    s.id = json::GetString(c, "Id");
    s.image = json::GetString(c, "Image");
    s.state = json::GetString(c, "State");
    s.status = json::GetString(c, "Status");
    s.created = json::GetInt(c, "Created");
    if (const auto* names = json::Find(c, "Names"); names && names->IsArray()) {
      for (const auto& n : names->GetArray()) {
        if (!n.IsString()) continue;
        std::string name = n.GetString();
        if (!name.empty() && name[0] == '/') name.erase(0, 1);
        s.names.push_back(std::move(name));
      }
    }
    if (const auto* labels = json::Find(c, "Labels"); labels && labels->IsObject()) {
      for (const auto& m : labels->GetObject())
        if (m.value.IsString()) s.labels[m.name.GetString()] = m.value.GetString();
    }
    out->push_back(std::move(s));
  }
  return Status::OK();
}

Status DockerClient::ListContainers(bool all, const Filters& filters,
                                    std::vector<ContainerSummary>* out) {
  std::string path = std::string("/containers/json?all=") + (all ? "1" : "0");
  std::string fq = FiltersQuery(filters);
  if (!fq.empty()) path += "&" + fq;
  json::Document doc;
  DW_RETURN_IF_ERROR(CallJson("GET", path, "", &doc));
  return ParseContainerList(doc, out);
}

Status DockerClient::InspectContainer(const std::string& id, json::Document* out) {
  return CallJson("GET", "/containers/" + Escaped(id) + "/json", "", out);
}

Status DockerClient::CreateContainer(const ContainerSpec& spec, std::string* id) {
  json::Document doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  json::SetString(doc, "Image", spec.image, a);
  AddStrings(doc, "Cmd", spec.cmd, a);
  AddStrings(doc, "Entrypoint", spec.entrypoint, a);
  AddStrings(doc, "Env", spec.env, a);
  if (!spec.user.empty()) json::SetString(doc, "User", spec.user, a);
  if (!spec.working_dir.empty()) json::SetString(doc, "WorkingDir", spec.working_dir, a);
  json::Value& labels = json::EnsureObject(doc, "Labels", a);
  for (const auto& [k, v] : spec.labels) json::SetString(labels, k, v, a);
  json::Value& host = json::EnsureObject(doc, "HostConfig", a);
  if (!spec.network_mode.empty()) json::SetString(host, "NetworkMode", spec.network_mode, a);
  AddStrings(host, "Binds", spec.binds, a);
  if (spec.memory) json::SetInt(host, "Memory", *spec.memory, a);
  if (spec.restart_policy) AddRestartPolicy(host, *spec.restart_policy, a);
  std::string path = "/containers/create";
  if (!spec.name.empty()) path += "?name=" + Escaped(spec.name);
  json::Document resp;
  DW_RETURN_IF_ERROR(CallJson("POST", path, json::Serialize(doc), &resp));
  *id = json::GetString(resp, "Id");
  if (id->empty()) return Status::Internal("docker container create: response has no Id");
  return Status::OK();
}

Status DockerClient::StartContainer(const std::string& id) {
  http::Response resp;
  Status st = Call("POST", "/containers/" + Escaped(id) + "/start", "", &resp);
  return resp.status == 304 ? Status::OK() : st;  // 304: already started
}

Status DockerClient::StopContainer(const std::string& id, int timeout_seconds) {
  http::Response resp;
  Status st = Call("POST", "/containers/" + Escaped(id) + "/stop?t=" +
                               std::to_string(timeout_seconds), "", &resp);
  return resp.status == 304 ? Status::OK() : st;  // 304: already stopped
}

Status DockerClient::RemoveContainer(const std::string& id, bool force) {
  http::Response resp;
  return Call("DELETE", "/containers/" + Escaped(id) + (force ? "?force=1" : ""), "", &resp);
}

Status DockerClient::UpdateContainer(const std::string& id, const ContainerUpdate& update) {
  json::Document resp;
  return CallJson("POST", "/containers/" + Escaped(id) + "/update", UpdateBody(update), &resp);
}

Status ParseStats(const json::Value& doc, ContainerStats* out) {
  if (!doc.IsObject()) return Status::Internal("docker stats: expected a JSON object");
  const json::Value* mem = json::Find(doc, "memory_stats");
  if (mem) {
    out->memory_usage = json::GetInt(*mem, "usage");
    out->memory_limit = json::GetInt(*mem, "limit");
    // `docker stats` subtracts page cache: cgroup v2 inactive_file, v1 cache.
    if (const auto* st = json::Find(*mem, "stats")) {
      int64_t cache = json::GetInt(*st, "inactive_file", json::GetInt(*st, "total_inactive_file",
                                                                     json::GetInt(*st, "cache")));
      if (cache < out->memory_usage) out->memory_usage -= cache;
    }
  }
  if (const auto* p = json::Find(doc, "pids_stats")) out->pids = json::GetInt(*p, "current");
  auto cpu = [](const json::Value* s, uint64_t* total, uint64_t* system) {
    if (!s) return;
    if (const auto* u = json::Find(*s, "cpu_usage")) *total = json::GetInt(*u, "total_usage");
    *system = json::GetInt(*s, "system_cpu_usage");
  };
  uint64_t pre_total = 0, pre_system = 0;
  cpu(json::Find(doc, "cpu_stats"), &out->cpu_total_ns, &out->system_cpu_ns);
  cpu(json::Find(doc, "precpu_stats"), &pre_total, &pre_system);
  if (const auto* s = json::Find(doc, "cpu_stats")) out->online_cpus = json::GetInt(*s, "online_cpus");
  if (pre_system > 0 && out->system_cpu_ns > pre_system && out->cpu_total_ns >= pre_total) {
    double dc = double(out->cpu_total_ns - pre_total);
    double ds = double(out->system_cpu_ns - pre_system);
    out->cpu_percent = dc / ds * double(std::max<int64_t>(out->online_cpus, 1)) * 100.0;
  }
  out->read = json::GetString(doc, "read");
  return Status::OK();
}

Status DockerClient::ContainerStatsOnce(const std::string& id, ContainerStats* out, bool memory_only) {
  DW_RETURN_IF_ERROR(EnsureNegotiated());
  const bool one_shot = memory_only && version_ >= ApiVersion{1, 41};
  json::Document doc;
  DW_RETURN_IF_ERROR(CallJson("GET",
                              "/containers/" + Escaped(id) + "/stats?stream=false" +
                                  (one_shot ? "&one-shot=true" : ""),
                              "", &doc));
  return ParseStats(doc, out);
}

}  // namespace dw::docker
