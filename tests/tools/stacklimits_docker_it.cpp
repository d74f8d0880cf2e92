// Integration driver of StackLimits' Docker side against a real dockerd (run
// by tests/integration/stacklimits_docker.sh, which owns the daemon): PlanUpdate
// applied and proved by inspect, RecreateContainer (kept volumes, labels, env,
// aliases; rollback on a failed create), StatsSampler on a container that
// allocates tmpfs memory, StreamStats cancellation, the API request counter.
//
//   stacklimits_docker_it --endpoint unix:///.../docker.sock --image NAME:TAG
//                         [--network NAME]   a user network for the alias test
//
// Each check prints "ok - ..." or "FAIL - ..."; the last line is
// "stacklimits_docker: N passed, M failed"; exit status 1 when M > 0.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "operator/docker/api_counter.h"
#include "operator/docker/client.h"
#include "reconcilers/stacklimits/enforce_plan.h"
#include "reconcilers/stacklimits/inspect_facts.h"
#include "reconcilers/stacklimits/recreate.h"
#include "reconcilers/stacklimits/stats_sampler.h"
#include "tests/tools/it_check.h"

using namespace dw::docker;
using namespace dw::it;
using namespace dw::stacklimits;
namespace json = dw::json;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int64_t kMi = 1 << 20;

struct Args {
  std::string endpoint, image, network;
};

// Creates (and starts unless `start` is false) a container from a raw create
// document given as JSON text with IMAGE replaced.
std::string Create(DockerClient& dc, const Args& a, const std::string& name, std::string body,
                   bool start = true) {
  size_t p = body.find("IMAGE");
  if (p != std::string::npos) body.replace(p, 5, a.image);
  json::Document doc;
  dw::Status st = json::Parse(body, &doc);
  std::string id;
  if (st.ok()) st = dc.CreateContainerRaw(name, doc, &id);
  if (st.ok() && start) st = dc.StartContainer(id);
  CheckOk(st, "create " + name);
  return id;
}

std::vector<std::string> Strings(const json::Value* arr) {
  std::vector<std::string> out;
  if (arr && arr->IsArray())
    for (const auto& v : arr->GetArray())
      if (v.IsString()) out.push_back(v.GetString());
  return out;
}

bool Running(const json::Value& inspect) {
  const json::Value* state = json::Find(inspect, "State");
  return state && json::GetBool(*state, "Running");
}

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

std::string ExecOut(DockerClient& dc, const std::string& ctr, std::vector<std::string> argv) {
  std::string out;
  ExecSpec spec;
  spec.argv = std::move(argv);
  ExecIO io;
  io.on_stdout = [&](std::string_view d) { out.append(d); return true; };
  ExecResult res;
  dw::Status st = dc.Exec(ctr, spec, io, &res);
  if (!st.ok() || res.exit_code != 0) return "<exec failed: " + st.ToString() + ">";
  return out;
}

Finding LiveFinding(const std::string& rule, const std::string& subject) {
  Finding f;
  f.rule = rule;
  f.subject = subject;
  f.fixable_live = true;
  return f;
}

StackPolicy EnforcePolicy() {
  StackPolicy p;
  p.has_limits = true;
  p.defaults.memory = 64 * kMi;
  p.defaults.memory_swap = 64 * kMi;
  p.defaults.memory_reservation = 32 * kMi;
  p.defaults.nano_cpus = 500000000;
  p.defaults.pids = 64;
  p.params.restart_allowed = {"unless-stopped", "always", "on-failure"};
  return p;
}

void TestCounter(DockerClient& dc, const std::string& id) {
  uint64_t before = ApiRequestCount();
  json::Document doc;
  dc.InspectContainer(id, &doc);
  Check(ApiRequestCount() == before + 1, "one inspect is one counted API request",
        std::to_string(ApiRequestCount() - before));
}

void TestPlanUpdate(DockerClient& dc, const Args& a) {
  std::string id = Create(dc, a, "sl-upd",
      R"({"Image": "IMAGE", "Cmd": ["sleep", "100000"], "Labels": {"com.docker.compose.service": "upd"},
          "HostConfig": {"NetworkMode": "none"}})");
  json::Document ins;
  CheckOk(dc.InspectContainer(id, &ins), "inspect sl-upd");
  ContainerFacts facts;
  CheckOk(FactsFromInspect(ins, &facts), "facts of sl-upd");
  ContainerStats stats;
  auto t0 = std::chrono::steady_clock::now();
  CheckOk(dc.ContainerStatsOnce(id, &stats, /*memory_only=*/true), "memory-only stats of sl-upd");
  auto stats_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
  // The reconciler asks for usage on the drift path: it must not cost the
  // daemon's one-second second sampling cycle.
  Check(stats.memory_usage > 0 && stats_ms.count() < 800, "memory-only stats answer without the 1 s cycle",
        std::to_string(stats_ms.count()) + " ms, usage " + std::to_string(stats.memory_usage));
  std::vector<Finding> findings = {LiveFinding("limits", "memory"), LiveFinding("limits", "memorySwap"),
                                   LiveFinding("limits", "memoryReservation"),
                                   LiveFinding("limits", "cpus"), LiveFinding("limits", "pids"),
                                   LiveFinding("restartPolicy", "")};
  UpdatePlan plan = PlanUpdate(EnforcePolicy(), facts, findings, stats.memory_usage);
  Check(plan.unsafe.empty() && plan.fields.size() == 6, "plan for sl-upd has 6 fields",
        std::to_string(plan.fields.size()));
  CheckOk(dc.UpdateContainer(id, plan.update), "update sl-upd with the plan");
  CheckOk(dc.InspectContainer(id, &ins), "inspect sl-upd after update");
  const json::Value& h = *json::Find(ins, "HostConfig");
  Check(json::GetInt(h, "Memory") == 64 * kMi && json::GetInt(h, "MemorySwap") == 64 * kMi,
        "memory and swap are 64Mi", json::Serialize(h));
  Check(json::GetInt(h, "MemoryReservation") == 32 * kMi, "reservation is 32Mi");
  Check(json::GetInt(h, "NanoCpus") == 500000000 && json::GetInt(h, "CpuQuota") == 0,
        "NanoCpus is 0.5 core");
  Check(json::GetInt(h, "PidsLimit") == 64, "pids limit is 64");
  Check(json::GetStringPath(h, "RestartPolicy.Name") == "unless-stopped", "restart unless-stopped");
  Check(json::GetBool(*json::Find(ins, "State"), "Running"), "sl-upd still running");

  // A second pass over the updated container plans nothing.
  CheckOk(FactsFromInspect(ins, &facts), "facts after update");
  Check(facts.memory == 64 * kMi && facts.nano_cpus == 500000000 && facts.pids_limit == 64,
        "facts read back the enforced values");

  // CpuQuota in use: the plan keeps the mechanism (NanoCpus would conflict).
  std::string qid = Create(dc, a, "sl-quota",
      R"({"Image": "IMAGE", "Cmd": ["sleep", "100000"],
          "HostConfig": {"NetworkMode": "none", "CpuQuota": 150000, "CpuPeriod": 100000}})");
  CheckOk(dc.InspectContainer(qid, &ins), "inspect sl-quota");
  CheckOk(FactsFromInspect(ins, &facts), "facts of sl-quota");
  plan = PlanUpdate(EnforcePolicy(), facts, {LiveFinding("limits", "cpus")}, std::nullopt);
  Check(plan.update.cpu_quota && !plan.update.nano_cpus, "quota container planned with CpuQuota");
  CheckOk(dc.UpdateContainer(qid, plan.update), "update sl-quota");
  CheckOk(dc.InspectContainer(qid, &ins), "inspect sl-quota after update");
  const json::Value& q = *json::Find(ins, "HostConfig");
  Check(json::GetInt(q, "CpuQuota") == 50000 && json::GetInt(q, "CpuPeriod") == 100000 &&
            json::GetInt(q, "NanoCpus") == 0,
        "CpuQuota 50000/100000 kept as the mechanism", json::Serialize(q));

  // Lowering memory below 1.1 x usage is refused by the plan, not sent.
  facts.memory = 256 * kMi;
  facts.state = "running";
  plan = PlanUpdate(EnforcePolicy(), facts, {LiveFinding("limits", "memory")}, 60 * kMi);
  Check(plan.empty() && plan.unsafe.size() == 1, "unsafe lowering not planned");
  dc.RemoveContainer(id, true);
  dc.RemoveContainer(qid, true);
}

void TestRecreate(DockerClient& dc, const Args& a) {
  std::string net = a.network.empty() ? "none" : a.network;
  std::string body = R"({"Image": "IMAGE", "Cmd": ["sleep", "100000"],
      "Env": ["APP_MODE=prod", "GREETING=hello world"],
      "Labels": {"com.docker.compose.project": "slit", "com.docker.compose.service": "net",
                 "dw.test/tier": "bad"},
      "Volumes": {"/anon": {}},
      "HostConfig": {"NetworkMode": "NET", "CapAdd": ["NET_ADMIN", "CHOWN"],
                     "Binds": ["sl-named:/named"]})";
  if (!a.network.empty())
    body += R"(, "NetworkingConfig": {"EndpointsConfig": {"NET": {"Aliases": ["netalias"]}}})";
  body += "}";
  for (size_t p; (p = body.find("NET\"")) != std::string::npos;) body.replace(p, 3, net);
  std::string id = Create(dc, a, "sl-recreate", body);
  std::string token = std::to_string(Clock::now().time_since_epoch().count());
  ExecOut(dc, id, {"sh", "-c", "echo " + token + " > /named/f && echo " + token + "a > /anon/f"});

  json::Document ins;
  CheckOk(dc.InspectContainer(id, &ins), "inspect sl-recreate");
  std::string anon_name;
  for (const auto& m : json::Find(ins, "Mounts")->GetArray())
    if (json::GetString(m, "Destination") == "/anon") anon_name = json::GetString(m, "Name");
  Check(!anon_name.empty(), "anonymous volume has a name", anon_name);

  Finding cap;
  cap.rule = "capabilities";
  cap.subject = "NET_ADMIN";
  StackPolicy policy;
  json::Document create;
  std::vector<std::string> changed;
  CheckOk(RecreateBody(ins, policy, {cap}, &create, &changed), "recreate body");
  Check(changed == std::vector<std::string>{"capabilities/NET_ADMIN"}, "changed lists the cap");

  // A failing create (no such image) rolls back to the old container.
  json::Document broken;
  broken.CopyFrom(create, broken.GetAllocator());
  json::SetString(broken, "Image", "dwtest/no-such-image:404", broken.GetAllocator());
  std::string new_id;
  dw::Status st = RecreateContainer(&dc, ins, broken, &new_id);
  Check(!st.ok() && new_id.empty(), "recreate with a bad image fails", st.ToString());
  json::Document after;
  CheckOk(dc.InspectContainer("sl-recreate", &after), "old container back under its name");
  Check(json::GetString(after, "Id") == id && Running(after),
        "rolled back: same id, running");
  json::Document parked;
  Check(dc.InspectContainer("sl-recreate-dw-old", &parked).IsNotFound(), "no parked container left");

  st = RecreateContainer(&dc, ins, create, &new_id);
  CheckOk(st, "recreate sl-recreate");
  json::Document now;
  CheckOk(dc.InspectContainer("sl-recreate", &now), "inspect recreated container");
  Check(json::GetString(now, "Id") == new_id && new_id != id, "a new container holds the name");
  Check(Running(now), "recreated container runs");
  auto caps = Strings(json::FindPath(now, "HostConfig.CapAdd"));
  Check(!Contains(caps, "NET_ADMIN") && Contains(caps, "CHOWN"), "NET_ADMIN dropped, CHOWN kept");
  const json::Value* labels = json::FindPath(now, "Config.Labels");
  Check(labels && json::GetString(*labels, "dw.test/tier") == "bad" &&
            json::GetString(*labels, "com.docker.compose.service") == "net",
        "labels kept");
  auto env = Strings(json::FindPath(now, "Config.Env"));
  Check(Contains(env, "APP_MODE=prod") && Contains(env, "GREETING=hello world"), "env kept");
  std::string anon_now;
  for (const auto& m : json::Find(now, "Mounts")->GetArray())
    if (json::GetString(m, "Destination") == "/anon") anon_now = json::GetString(m, "Name");
  Check(anon_now == anon_name, "same anonymous volume", anon_now);
  Check(ExecOut(dc, new_id, {"cat", "/named/f"}) == token + "\n", "named volume data kept");
  Check(ExecOut(dc, new_id, {"cat", "/anon/f"}) == token + "a\n", "anonymous volume data kept");
  if (!a.network.empty()) {
    const json::Value* al = json::FindPath(now, ("NetworkSettings.Networks." + net + ".Aliases").c_str());
    Check(Contains(Strings(al), "netalias"), "network alias kept");
  }
  json::Document old;
  Check(dc.InspectContainer(id, &old).IsNotFound(), "old container removed");
  dc.RemoveContainer(new_id, true);
}

void TestStreamCancel(DockerClient& dc, const Args& a, const std::string& id) {
  auto conn = dc.NewStreamClient();
  std::atomic<int> samples{0};
  dw::Status st;
  DockerClient own(dc.config());
  std::thread t([&] {
    st = own.StreamStats(conn.get(), id, [&](const ContainerStats&) {
      ++samples;
      return true;
    });
  });
  auto t0 = Clock::now();
  while (samples < 2 && Secs(t0) < 15) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  Check(samples >= 2, "stats stream delivers samples", std::to_string(samples));
  auto t1 = Clock::now();
  conn->Cancel();
  t.join();
  Check(Secs(t1) < 1.0, "StreamStats returns promptly on Cancel", std::to_string(Secs(t1)));
}

void TestSampler(DockerClient& dc, const Args& a) {
  // Design §6: 6 x 16 MiB in /dev/shm (96 MiB held >= 5 s), then freed.
  std::string id = Create(dc, a, "sl-hungry", R"({"Image": "IMAGE",
      "Cmd": ["sh", "-c", "while true; do i=0; while [ $i -lt 6 ]; do dd if=/dev/zero of=/dev/shm/f$i bs=1M count=16 2>/dev/null; i=$((i+1)); sleep 1; done; sleep 5; rm -f /dev/shm/f*; sleep 5; done"],
      "HostConfig": {"NetworkMode": "none", "ShmSize": 134217728, "Memory": 268435456,
                     "MemorySwap": 268435456}})");
  TestStreamCancel(dc, a, id);

  StatsSampler sampler(32);
  std::atomic<int> hooks{0};
  sampler.OnSample([&](const std::string&) { ++hooks; });
  auto factory = [&](std::unique_ptr<DockerClient>* out) {
    *out = std::make_unique<DockerClient>(dc.config());
    return dw::Status::OK();
  };
  auto left = sampler.Track("ns/hungry", factory, {id, "no-such-container-xyz"});
  Check(left.empty(), "both ids tracked under the cap");
  auto t0 = Clock::now();
  StatsSampler::Usage u;
  while (Secs(t0) < 40) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    if (sampler.Get(id, &u) && u.peak.samples >= 20 && u.peak.memory >= 96 * kMi) break;
  }
  double secs = Secs(t0);
  Check(sampler.Get(id, &u), "sampler has the container");
  std::printf("# sampler: %d samples in %.1f s, peak memory %.1f MiB, peak cpus %.3f, pids %lld\n",
              u.peak.samples, secs, double(u.peak.memory) / kMi, u.peak.cpus,
              static_cast<long long>(u.peak.pids));
  Check(u.peak.memory >= 96 * kMi, "peak memory >= the 96 MiB allocated in tmpfs",
        std::to_string(u.peak.memory));
  Check(u.peak.samples >= 15 && u.peak.samples <= secs * 1.5 + 2, "about one sample a second",
        std::to_string(u.peak.samples));
  Check(hooks >= u.peak.samples, "OnSample called for every sample");
  Check(u.streaming && u.error.empty(), "stream healthy", u.error);
  StatsSampler::Usage missing;
  Check(!sampler.Get("no-such-container-xyz", &missing) || missing.peak.samples == 0,
        "a missing container has no samples");
  Recommendation r = Recommend(u.peak, 20);
  std::printf("# recommended: memory %lld MiB, cpus %.2f, pids %lld\n",
              static_cast<long long>(r.memory / kMi), double(r.nano_cpus) / 1e9,
              static_cast<long long>(r.pids));
  Check(r.memory >= 116 * kMi && r.memory <= 128 * kMi, "recommended memory within 116..128Mi",
        std::to_string(r.memory / kMi));

  sampler.ResetWindow(id);
  Check(sampler.Get(id, &u) && u.peak.samples <= 1, "ResetWindow starts a new window");
  left = sampler.Track("ns/hungry", factory, {});
  Check(!sampler.Get(id, &u), "untracked once no scope lists it");
  // The cap: one stream allowed, the second id is left out.
  StatsSampler small(1);
  left = small.Track("ns/a", factory, {id, "other"});
  Check(left == std::vector<std::string>{"other"}, "ids beyond the cap are reported");
  auto t2 = Clock::now();
  small.Stop();
  Check(Secs(t2) < 1.0, "Stop ends streams promptly", std::to_string(Secs(t2)));
  dc.RemoveContainer(id, true);
}

}  // namespace

int main(int argc, char** argv) {
  auto f = Flags(argc, argv);
  Args a{f["--endpoint"], f["--image"], f["--network"]};
  if (a.endpoint.empty() || a.image.empty()) {
    std::fprintf(stderr, "usage: stacklimits_docker_it --endpoint E --image I [--network N]\n");
    return 2;
  }
  DockerConfig cfg;
  cfg.endpoint = a.endpoint;
  DockerClient dc(cfg);
  CheckOk(dc.Negotiate(), "negotiate");
  TestPlanUpdate(dc, a);
  TestRecreate(dc, a);
  TestSampler(dc, a);
  json::Document doc;
  std::vector<ContainerSummary> list;
  CheckOk(dc.ListContainers(true, {}, &list), "list");
  if (!list.empty()) TestCounter(dc, list.front().id);
  return Summary("stacklimits_docker");
}
