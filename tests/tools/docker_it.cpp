// Integration driver of the Docker Engine client against a real dockerd
// (run by tests/integration/docker_engine.sh, which owns the daemon).
//
//   docker_it --endpoint unix:///.../docker.sock --image NAME:TAG
//             --daemon-ctl "bash docker_engine.sh" --daemon-dir DIR
//             [--tls-endpoint tcp://127.0.0.1:PORT --pki DIR-with-ca/client/server-pems]
//
// Each check prints "ok - ..." or "FAIL - ..."; the last line is
// "docker_engine: N passed, M failed"; exit status 1 when M > 0.
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "operator/docker/cert_status.h"
#include "operator/docker/client.h"
#include "operator/docker/event_watcher.h"
#include "tests/tools/it_check.h"

using namespace dw::docker;
using namespace dw::it;
namespace json = dw::json;
using Clock = std::chrono::steady_clock;

namespace {

struct Args {
  std::string endpoint, image, daemon_ctl, daemon_dir, tls_endpoint, pki;
};

std::string ReadFile(const std::string& path) {
  std::string data;
  if (FILE* f = std::fopen(path.c_str(), "rb")) {
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) data.append(buf, n);
    std::fclose(f);
  }
  return data;
}

// Runs an exec collecting both streams.
struct Collected {
  std::string out, err;
  ExecResult res;
  dw::Status st;
};

Collected Run(DockerClient& dc, const std::string& ctr, std::vector<std::string> argv,
              std::function<size_t(char*, size_t)> input = nullptr) {
  Collected c;
  ExecSpec spec;
  spec.argv = std::move(argv);
  ExecIO io;
  io.stdin_source = std::move(input);
  io.on_stdout = [&](std::string_view d) { c.out.append(d); return true; };
  io.on_stderr = [&](std::string_view d) { c.err.append(d); return true; };
  c.st = dc.Exec(ctr, spec, io, &c.res);
  return c;
}

// Deterministic pseudo-random bytes, so corruption anywhere is caught.
struct Pattern {
  uint64_t state = 0x9E3779B97F4A7C15ULL;
  size_t left;
  explicit Pattern(size_t n) : left(n) {}
  size_t Fill(char* buf, size_t cap) {
    size_t n = std::min(cap, left);
    for (size_t i = 0; i < n; ++i) {
      state ^= state << 13; state ^= state >> 7; state ^= state << 17;
      buf[i] = static_cast<char>(state);
    }
    left -= n;
    return n;
  }
};

uint64_t Fnv(uint64_t h, std::string_view d) {
  for (unsigned char c : d) { h ^= c; h *= 1099511628211ULL; }
  return h;
}

std::string CreateRunning(DockerClient& dc, const Args& a, const std::string& name,
                          std::map<std::string, std::string> labels) {
  ContainerSpec spec;
  spec.name = name;
  spec.image = a.image;
  spec.cmd = {"sleep", "3600"};
  spec.labels = std::move(labels);
  spec.network_mode = "none";
  std::string id;
  dw::Status st = dc.CreateContainer(spec, &id);
  if (st.ok()) st = dc.StartContainer(id);
  CheckOk(st, "create and start " + name);
  return id;
}

void TestBasics(DockerClient& dc) {
  ApiVersion v;
  CheckOk(dc.Negotiate(&v), "negotiate API version");
  Check(v.ToString() == "1.41", "negotiated 1.41", v.ToString());
  CheckOk(dc.Ping(), "ping");
  VersionInfo ver;
  CheckOk(dc.Version(&ver), "version");
  Check(!ver.version.empty() && ver.api_version == "1.41", "version fields", ver.api_version);
  SystemInfo info;
  CheckOk(dc.Info(&info), "info");
  Check(!info.system_time.empty() && info.ncpu > 0, "info fields", info.system_time);
}

void TestListInspect(DockerClient& dc, const std::string& a_id, const std::string& b_id) {
  std::vector<ContainerSummary> list;
  CheckOk(dc.ListContainers(false, {{"label", {"com.docker.compose.project=dwtest-a"}}}, &list),
          "list with label filter");
  Check(list.size() == 1 && list[0].id == a_id, "label filter selects exactly container a",
        std::to_string(list.size()));
  if (!list.empty())
    Check(list[0].names == std::vector<std::string>{"dwtest-a"} &&
              list[0].labels["tier"] == "db",
          "list returns names and labels");
  CheckOk(dc.ListContainers(false, {{"label", {"tier=db"}}}, &list), "list by shared label");
  Check(list.size() == 2, "shared label matches both", std::to_string(list.size()));
  CheckOk(dc.ListContainers(false, {{"label", {"tier=db", "com.docker.compose.project=dwtest-b"}}},
                            &list), "list with two labels");
  Check(list.size() == 1 && list[0].id == b_id, "label values are AND-ed");
  CheckOk(dc.ListContainers(true, {{"label", {"com.docker.compose.project=none"}}}, &list),
          "list no match");
  Check(list.empty(), "no container for unknown label");

  json::Document doc;
  CheckOk(dc.InspectContainer("dwtest-a", &doc), "inspect by name");
  Check(json::FindPath(doc, "State.Running") && json::FindPath(doc, "State.Running")->IsTrue() &&
            json::GetString(doc, "Id") == a_id,
        "inspect shows running container a");
  auto nf = dc.InspectContainer("dwtest-nope", &doc);
  Check(nf.IsNotFound(), "inspect unknown container is NotFound", nf.ToString());
}

void TestExec(DockerClient& dc, const std::string& id) {
  auto c = Run(dc, id, {"cat", "/etc/hostname"});
  CheckOk(c.st, "exec cat /etc/hostname");
  Check(c.out == id.substr(0, 12) + "\n" && c.err.empty() && c.res.exit_code == 0,
        "hostname is the short id, exit 0", c.out);

  c = Run(dc, id, {"sh", "-c", "echo out1; echo err1 >&2; echo out2; echo err2 >&2; exit 3"});
  CheckOk(c.st, "exec with both streams");
  Check(c.out == "out1\nout2\n" && c.err == "err1\nerr2\n", "stdout and stderr kept apart",
        c.out + "|" + c.err);
  Check(c.res.exit_code == 3, "exit code 3", std::to_string(c.res.exit_code));

  const std::string evil = "; rm -rf / $(touch /tmp/pwned) \"quote'";
  c = Run(dc, id, {"echo", evil});
  CheckOk(c.st, "exec echo hostile argument");
  Check(c.out == evil + "\n", "hostile argument comes back verbatim", c.out);
  c = Run(dc, id, {"ls", "/tmp/pwned"});
  Check(c.st.ok() && c.res.exit_code != 0, "no shell ran: /tmp/pwned does not exist",
        std::to_string(c.res.exit_code));

  c = Run(dc, id, {"sh", "-c", "exit 42"});
  Check(c.st.ok() && c.res.exit_code == 42, "non-zero exit code 42",
        std::to_string(c.res.exit_code));
  c = Run(dc, id, {"/no/such/binary"});
  Check(c.st.ok() && (c.res.exit_code == 126 || c.res.exit_code == 127),
        "missing binary gives 126/127", std::to_string(c.res.exit_code) + " " + c.st.ToString());

  ExecSpec empty;
  ExecResult r;
  Check(dc.Exec(id, empty, {}, &r).code() == dw::Code::kBadRequest, "empty argv refused");
  auto nf = Run(dc, "dwtest-nope", {"true"});
  Check(nf.st.IsNotFound(), "exec in unknown container is NotFound", nf.st.ToString());

  ExecSpec envspec;
  envspec.argv = {"sh", "-c", "echo $DW_X; pwd"};
  envspec.env = {"DW_X=a b;c"};
  envspec.working_dir = "/tmp";
  std::string out;
  ExecIO io;
  io.on_stdout = [&](std::string_view d) { out.append(d); return true; };
  CheckOk(dc.Exec(id, envspec, io, &r), "exec with env and workdir");
  Check(out == "a b;c\n/tmp\n", "env and workdir applied", out);

  // Idle timeout: silence from both sides ends the exec with Timeout...
  ExecSpec slow;
  slow.argv = {"sleep", "3"};
  ExecIO quiet;
  quiet.idle_timeout = std::chrono::milliseconds(500);
  auto t0 = Clock::now();
  auto st = dc.Exec(id, slow, quiet, &r);
  Check(st.code() == dw::Code::kTimeout && Secs(t0) < 2.5, "silent exec times out", st.ToString());
  // ...but a slow upload to a silent command is progress, not idleness.
  int drips = 0;
  ExecIO drip;
  drip.idle_timeout = std::chrono::milliseconds(400);
  drip.stdin_source = [&](char* buf, size_t) -> size_t {
    if (drips++ == 8) return 0;
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    buf[0] = 'x';
    return 1;
  };
  slow.argv = {"sh", "-c", "cat > /dev/null"};
  st = dc.Exec(id, slow, drip, &r);
  Check(st.ok() && r.stdin_bytes == 8 && r.exit_code == 0,
        "1.2 s slow upload with 400 ms idle timeout succeeds", st.ToString());
}

void TestStdin(DockerClient& dc, const std::string& id) {
  const size_t kSize = 20u << 20;
  Pattern src(kSize);
  uint64_t sent_hash = 1469598103934665603ULL;
  auto input = [&](char* buf, size_t cap) {
    size_t n = src.Fill(buf, cap);
    sent_hash = Fnv(sent_hash, std::string_view(buf, n));
    return n;
  };
  auto t0 = Clock::now();
  auto c = Run(dc, id, {"sh", "-c", "cat > /tmp/x"}, input);
  double up = Secs(t0);
  CheckOk(c.st, "exec stdin 20 MB into cat > /tmp/x");
  Check(c.res.stdin_bytes == kSize && c.res.exit_code == 0, "all stdin sent, exit 0",
        std::to_string(c.res.stdin_bytes));
  std::printf("# stdin upload: %.1f MB/s (20 MB in %.2f s)\n", 20.0 / up, up);

  c = Run(dc, id, {"wc", "-c", "/tmp/x"});
  Check(c.st.ok() && std::strtoull(c.out.c_str(), nullptr, 10) == kSize,
        "file in container has 20971520 bytes", c.out);

  uint64_t got_hash = 1469598103934665603ULL;
  size_t got = 0;
  ExecSpec spec;
  spec.argv = {"cat", "/tmp/x"};
  ExecIO io;
  io.on_stdout = [&](std::string_view d) { got += d.size(); got_hash = Fnv(got_hash, d); return true; };
  ExecResult r;
  t0 = Clock::now();
  CheckOk(dc.Exec(id, spec, io, &r), "exec cat 20 MB to stdout");
  double down = Secs(t0);
  Check(got == kSize && got_hash == sent_hash, "stdout bytes identical to what was sent");
  std::printf("# stdout download: %.1f MB/s (20 MB in %.2f s)\n", 20.0 / down, down);

  // Duplex: tee echoes stdin to stdout while we are still sending.
  Pattern src2(kSize);
  uint64_t h_in = 1469598103934665603ULL, h_out = h_in;
  size_t echoed = 0;
  spec.argv = {"tee", "/tmp/y"};
  io.stdin_source = [&](char* buf, size_t cap) {
    size_t n = src2.Fill(buf, cap);
    h_in = Fnv(h_in, std::string_view(buf, n));
    return n;
  };
  io.on_stdout = [&](std::string_view d) { echoed += d.size(); h_out = Fnv(h_out, d); return true; };
  t0 = Clock::now();
  CheckOk(dc.Exec(id, spec, io, &r), "duplex exec tee (stdin and stdout at once)");
  double both = Secs(t0);
  Check(echoed == kSize && h_out == h_in && r.exit_code == 0, "tee echoed all 20 MB intact",
        std::to_string(echoed));
  std::printf("# duplex tee: %.1f MB/s each way (20 MB in %.2f s)\n", 20.0 / both, both);

  // Stop reading early: a sink returning false ends the call cleanly.
  size_t seen = 0;
  ExecIO stop;
  stop.on_stdout = [&](std::string_view d) { seen += d.size(); return false; };
  spec.argv = {"cat", "/tmp/x"};
  ExecResult sr;
  std::string eid;
  ExecSpec cs = spec;
  CheckOk(dc.CreateExec(id, cs, &eid), "create exec for early stop");
  CheckOk(dc.StartExec(eid, stop, &sr), "sink returning false stops the stream");
  Check(seen > 0 && seen < kSize, "stopped before the end", std::to_string(seen));
}

void TestUpdateStats(DockerClient& dc, const std::string& id) {
  ContainerUpdate u;
  u.memory = 64 << 20;
  u.memory_swap = 128 << 20;
  u.memory_reservation = 32 << 20;
  u.nano_cpus = 500000000;
  u.pids_limit = 50;
  u.restart_policy = RestartPolicy{"on-failure", 3};
  CheckOk(dc.UpdateContainer(id, u), "update memory/cpu/pids/restart policy");
  json::Document doc;
  CheckOk(dc.InspectContainer(id, &doc), "inspect after update");
  const json::Value* hc = json::Find(doc, "HostConfig");
  bool good = hc && json::GetInt(*hc, "Memory") == (64 << 20) &&
              json::GetInt(*hc, "MemorySwap") == (128 << 20) &&
              json::GetInt(*hc, "MemoryReservation") == (32 << 20) &&
              json::GetInt(*hc, "NanoCpus") == 500000000 && json::GetInt(*hc, "PidsLimit") == 50 &&
              json::GetStringPath(*hc, "RestartPolicy.Name") == "on-failure";
  Check(good, "inspect shows the new limits", hc ? json::Serialize(*hc).substr(0, 300) : "");

  ContainerStats s;
  CheckOk(dc.ContainerStatsOnce(id, &s), "one-shot stats");
  Check(s.memory_limit == (64 << 20) && s.memory_usage > 0 && s.pids >= 1,
        "stats: limit 64 MiB, usage and pids present",
        std::to_string(s.memory_limit) + " " + std::to_string(s.memory_usage));

  ContainerUpdate bad;
  bad.memory = 1024;  // below Docker's 6 MB minimum
  auto st = dc.UpdateContainer(id, bad);
  Check(st.code() == dw::Code::kBadRequest || st.code() == dw::Code::kUnavailable,
        "too small memory limit refused", st.ToString());
  Check(!st.ok() && !st.message().empty(), "refusal carries Docker's message", st.message());
}

void TestLifecycleErrors(DockerClient& dc, const std::string& id) {
  CheckOk(dc.StartContainer(id), "start of a running container is OK");
  CheckOk(dc.StopContainer(id, 1), "stop");
  CheckOk(dc.StopContainer(id, 1), "stop of a stopped container is OK");
  auto c = Run(dc, id, {"true"});
  Check(c.st.IsConflict(), "exec in a stopped container is Conflict", c.st.ToString());
  CheckOk(dc.RemoveContainer(id, false), "remove");
  Check(dc.RemoveContainer(id, false).IsNotFound(), "remove again is NotFound");
}

// Collects watcher callbacks for waiting on them.
struct WatchLog {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<Event> events;
  int resyncs = 0, disconnects = 0;
  bool connected = false;
  template <class Pred>
  bool WaitFor(Pred p, int seconds) {
    std::unique_lock<std::mutex> l(mu);
    return cv.wait_for(l, std::chrono::seconds(seconds), [&] { return p(); });
  }
  bool Saw(const std::string& id, const std::string& action) {
    for (const auto& e : events)
      if (e.id == id && e.action == action) return true;
    return false;
  }
};

void TestEvents(DockerClient& dc, const Args& a) {
  WatchLog log;
  EventWatcherOptions opts;
  opts.filters = {{"type", {"container"}}, {"label", {"dwtest-ev=1"}}};
  opts.max_backoff = std::chrono::milliseconds(1000);
  EventWatcherCallbacks cbs;
  cbs.on_event = [&](const Event& e) {
    std::lock_guard<std::mutex> l(log.mu);
    log.events.push_back(e);
    log.cv.notify_all();
  };
  cbs.on_resync = [&] {
    std::lock_guard<std::mutex> l(log.mu);
    log.resyncs++;
    log.cv.notify_all();
  };
  cbs.on_state = [&](bool up, const dw::Status& why) {
    std::lock_guard<std::mutex> l(log.mu);
    log.connected = up;
    if (!up) {
      log.disconnects++;
      std::printf("# watcher disconnected: %s\n", why.ToString().c_str());
    }
    log.cv.notify_all();
  };
  DockerConfig cfg;
  cfg.endpoint = a.endpoint;
  EventWatcher w(cfg, opts, cbs);
  w.Start();
  Check(log.WaitFor([&] { return log.resyncs == 1 && log.connected; }, 10),
        "watcher connects and calls on_resync once");

  std::string id = CreateRunning(dc, a, "dwtest-ev1", {{"dwtest-ev", "1"}});
  CreateRunning(dc, a, "dwtest-noise", {{"other", "1"}});
  CheckOk(dc.StopContainer(id, 1), "stop event container");
  Check(log.WaitFor([&] { return log.Saw(id, "start") && log.Saw(id, "die"); }, 15),
        "events stream saw start and die");
  {
    std::lock_guard<std::mutex> l(log.mu);
    bool only_ours = true;
    for (const auto& e : log.events) only_ours = only_ours && e.id == id;
    Check(only_ours, "filters keep other containers' events out");
  }
  dc.RemoveContainer(id, true);
  dc.RemoveContainer("dwtest-noise", true);

  // Daemon restart: the watcher must notice, reconnect, resync, and go on.
  CheckOk(dw::Status(std::system((a.daemon_ctl + " daemon-stop " + a.daemon_dir).c_str()) == 0
                         ? dw::Code::kOk : dw::Code::kInternal, "daemon-stop failed"),
          "dockerd stopped");
  Check(log.WaitFor([&] { return log.disconnects >= 1 && !log.connected; }, 30),
        "watcher reports disconnected");
  CheckOk(dw::Status(std::system((a.daemon_ctl + " daemon-start " + a.daemon_dir).c_str()) == 0
                         ? dw::Code::kOk : dw::Code::kInternal, "daemon-start failed"),
          "dockerd restarted on the same dirs");
  Check(log.WaitFor([&] { return log.resyncs >= 2 && log.connected; }, 30),
        "watcher reconnected and on_resync fired again");
  DockerClient fresh(cfg);  // the old client's kept-alive connection died with the daemon
  std::string id2 = CreateRunning(fresh, a, "dwtest-ev2", {{"dwtest-ev", "1"}});
  Check(log.WaitFor([&] { return log.Saw(id2, "start"); }, 15),
        "a new event arrives after the reconnect");
  w.Stop();
  Check(!w.connected(), "watcher stopped");
  fresh.RemoveContainer(id2, true);
  // The long-lived client recovers by itself on its next call.
  CheckOk(dc.Ping(), "original client works again after the restart");
}

// The same calls over TCP with mutual TLS, and the TLS failure modes.
void TestTls(const Args& a, const std::string& running_id) {
  DockerConfig cfg;
  cfg.endpoint = a.tls_endpoint;
  cfg.ca_pem = ReadFile(a.pki + "/ca.pem");
  cfg.cert_pem = ReadFile(a.pki + "/client.pem");
  cfg.key_pem = ReadFile(a.pki + "/client.key");
  DockerClient dc(cfg);
  ApiVersion v;
  CheckOk(dc.Negotiate(&v), "TLS: negotiate over tcp with client certificate");
  std::vector<ContainerSummary> list;
  CheckOk(dc.ListContainers(false, {{"label", {"com.docker.compose.project=dwtest-b"}}}, &list),
          "TLS: list");
  Check(list.size() == 1 && list[0].id == running_id, "TLS: list finds container b");
  auto c = Run(dc, running_id, {"sh", "-c", "cat /etc/hostname; echo e >&2; exit 5"});
  CheckOk(c.st, "TLS: exec streams over the hijacked TLS connection");
  Check(c.out == running_id.substr(0, 12) + "\n" && c.err == "e\n" && c.res.exit_code == 5,
        "TLS: exec output and exit code", c.out + "|" + c.err);
  Pattern p(10);
  auto in = Run(dc, running_id, {"cat"}, [&](char* b, size_t n) { return p.Fill(b, n); });
  Check(in.st.code() == dw::Code::kBadRequest, "TLS: stdin streaming refused clearly",
        in.st.ToString());

  ClientCertStatus cs;
  CheckOk(CheckClientCertificate(cfg.cert_pem, cfg.key_pem, std::chrono::system_clock::now(), &cs),
          "TLS: client certificate parsed and matches its key");
  Check(cs.expiring_soon && !cs.expired, "TLS: 2-day certificate is flagged as expiring soon");

  DockerConfig wrong_key = cfg;
  wrong_key.key_pem = ReadFile(a.pki + "/server.key");
  auto mm = CheckClientCertificate(wrong_key.cert_pem, wrong_key.key_pem,
                                   std::chrono::system_clock::now(), &cs);
  Check(mm.message().find("does not match") != std::string::npos, "TLS: key mismatch named",
        mm.ToString());
  DockerClient mismatched(wrong_key);
  Check(!mismatched.Ping().ok(), "TLS: mismatched key cannot connect");

  DockerConfig no_cert = cfg;
  no_cert.cert_pem.clear();
  no_cert.key_pem.clear();
  DockerClient anon(no_cert);
  auto st = anon.Ping();
  Check(st.code() == dw::Code::kUnavailable, "TLS: daemon refuses a client without certificate",
        st.ToString());

  DockerConfig untrusted = cfg;
  untrusted.ca_pem = ReadFile(a.pki + "/client.pem");  // not the daemon's CA
  DockerClient u(untrusted);
  st = u.Ping();
  Check(st.code() == dw::Code::kUnavailable &&
            st.message().find("certificate") != std::string::npos,
        "TLS: untrusted daemon certificate rejected", st.ToString());

  DockerConfig plain = cfg;
  plain.ca_pem.clear();
  plain.cert_pem.clear();
  plain.key_pem.clear();
  Check(DockerClient(plain).Ping().code() == dw::Code::kBadRequest,
        "TLS: plain tcp refused unless allowed");
}

}  // namespace

int main(int argc, char** argv) {
  auto f = Flags(argc, argv);
  Args a{f["--endpoint"], f["--image"], f["--daemon-ctl"], f["--daemon-dir"], f["--tls-endpoint"], f["--pki"]};
  if (a.endpoint.empty() || a.image.empty() || a.daemon_ctl.empty() || a.daemon_dir.empty()) {
    std::fprintf(stderr, "usage: docker_it --endpoint E --image I --daemon-ctl CMD --daemon-dir D\n");
    return 2;
  }
  DockerConfig cfg;
  cfg.endpoint = a.endpoint;
  DockerClient dc(cfg);
  TestBasics(dc);
  std::string ida = CreateRunning(dc, a, "dwtest-a",
                                  {{"com.docker.compose.project", "dwtest-a"}, {"tier", "db"}});
  std::string idb = CreateRunning(dc, a, "dwtest-b",
                                  {{"com.docker.compose.project", "dwtest-b"}, {"tier", "db"}});
  TestListInspect(dc, ida, idb);
  TestExec(dc, ida);
  TestStdin(dc, ida);
  TestUpdateStats(dc, idb);
  if (!a.tls_endpoint.empty()) TestTls(a, idb);
  TestLifecycleErrors(dc, ida);
  dc.RemoveContainer(idb, true);
  TestEvents(dc, a);
  return Summary("docker_engine");
}
