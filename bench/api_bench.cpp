// api_bench: load generator for the store benchmarks in docs/benchmarks.md.
// Drives either dockward's Kubernetes API (HTTPS, bearer token, from a
// kubeconfig) or etcd's v3 JSON gateway (HTTP) with the same client code,
// so both are measured through one HTTP stack at the same durability.
//
//   api_bench create --target dockward --kubeconfig F --clients N --count M [--size 1024]
//   api_bench create --target etcd --endpoint http://127.0.0.1:2379 --clients N --count M
//   api_bench list   --target dockward|etcd ... --repeat R
//   api_bench watch  --target dockward|etcd ... --watchers W --writes K
//   api_bench fill   --target dockward ... --count M      (objects for start-up tests)
//
// Prints one JSON line of results per run.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "operator/cli/kubeconfig.h"
#include "operator/common/base64.h"
#include "operator/http/client.h"
#include "operator/json/json.h"

namespace {

using Clock = std::chrono::steady_clock;
using dw::Status;

struct Flags {
  std::string mode, target = "dockward", kubeconfig, endpoint = "http://127.0.0.1:2379";
  std::string ns = "default", prefix = "bench";
  int clients = 1, count = 1000, size = 1024, repeat = 20, watchers = 100, writes = 200;
};

// One backend: how to make a client and how to express create/list/watch.
struct Backend {
  Flags f;
  dw::http::ClientConfig cfg;

  Status Init() {
    if (f.target == "etcd") {
      cfg.server = f.endpoint;
      return Status::OK();
    }
    dw::cli::KubeconfigOptions ko;
    ko.explicit_path = f.kubeconfig;
    dw::cli::ClusterAccess access;
    DW_RETURN_IF_ERROR(dw::cli::LoadKubeconfig(ko, &access));
    cfg = access.client;
    return Status::OK();
  }

  // A ~size-byte object named `name`; `stamp` travels inside it (watch latency).
  dw::http::Request Create(const std::string& name, const std::string& stamp) const {
    std::string pad(static_cast<size_t>(std::max(0, f.size - 300)), 'x');
    dw::http::Request r;
    r.method = "POST";
    r.headers["Content-Type"] = "application/json";
    if (f.target == "etcd") {
      std::string value = "{\"name\":\"" + name + "\",\"stamp\":\"" + stamp + "\",\"pad\":\"" + pad + "\"}";
      r.target = "/v3/kv/put";
      r.body = "{\"key\":\"" + dw::Base64Encode("/registry/" + f.prefix + "/" + name) + "\",\"value\":\"" + dw::Base64Encode(value) + "\"}";
    } else {
      r.target = "/api/v1/namespaces/" + f.ns + "/secrets";
      r.body = "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"" + name +
               "\",\"annotations\":{\"stamp\":\"" + stamp + "\"},\"labels\":{\"bench\":\"" + f.prefix +
               "\"}},\"stringData\":{\"pad\":\"" + pad + "\"}}";
    }
    return r;
  }

  dw::http::Request List() const {
    dw::http::Request r;
    if (f.target == "etcd") {
      std::string start = "/registry/" + f.prefix + "/", end = "/registry/" + f.prefix + "0";
      r.method = "POST";
      r.target = "/v3/kv/range";
      r.headers["Content-Type"] = "application/json";
      r.body = "{\"key\":\"" + dw::Base64Encode(start) + "\",\"range_end\":\"" + dw::Base64Encode(end) + "\"}";
    } else {
      r.target = "/api/v1/namespaces/" + f.ns + "/secrets";
    }
    return r;
  }

  dw::http::Request Watch() const {
    dw::http::Request r;
    if (f.target == "etcd") {
      std::string start = "/registry/" + f.prefix + "/", end = "/registry/" + f.prefix + "0";
      r.method = "POST";
      r.target = "/v3/watch";
      r.headers["Content-Type"] = "application/json";
      r.body = "{\"create_request\":{\"key\":\"" + dw::Base64Encode(start) + "\",\"range_end\":\"" + dw::Base64Encode(end) + "\"}}";
    } else {
      r.target = "/api/v1/namespaces/" + f.ns + "/secrets?watch=1&resourceVersion=" + std::string("0");
    }
    return r;
  }
};

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t idx = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5));
  return v[idx];
}

int64_t NowNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
}

int RunCreate(const Backend& b) {
  std::vector<std::vector<double>> lat(static_cast<size_t>(b.f.clients));
  std::atomic<int> next{0}, errors{0}, connected{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int c = 0; c < b.f.clients; ++c) {
    threads.emplace_back([&, c] {
      dw::http::Client client(b.cfg);
      // Connect (and for dockward, finish the TLS handshake) before the clock
      // starts: the figures are steady-state request latency, as for etcd.
      dw::http::Request hello;
      hello.target = "/version";
      dw::http::Response hr;
      client.Do(hello, &hr);
      connected.fetch_add(1);
      while (!go.load()) std::this_thread::yield();
      for (;;) {
        int i = next.fetch_add(1);
        if (i >= b.f.count) break;
        auto req = b.Create(b.f.prefix + "-" + std::to_string(i), "0");
        dw::http::Response resp;
        auto t0 = Clock::now();
        Status st = client.Do(req, &resp);
        double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
        if (!st.ok() || resp.status >= 300) {
          if (errors.fetch_add(1) < 3)
            std::cerr << "create failed: " << st.ToString() << " " << resp.status << " " << resp.body.substr(0, 200) << "\n";
          continue;
        }
        lat[static_cast<size_t>(c)].push_back(ms);
      }
    });
  }
  while (connected.load() < b.f.clients) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  auto start = Clock::now();
  go.store(true);
  for (auto& t : threads) t.join();
  double secs = std::chrono::duration<double>(Clock::now() - start).count();
  std::vector<double> all;
  for (auto& v : lat) all.insert(all.end(), v.begin(), v.end());
  std::printf("{\"mode\":\"create\",\"target\":\"%s\",\"clients\":%d,\"ops\":%zu,\"errors\":%d,"
              "\"seconds\":%.3f,\"throughput\":%.1f,\"p50_ms\":%.2f,\"p99_ms\":%.2f}\n",
              b.f.target.c_str(), b.f.clients, all.size(), errors.load(), secs,
              static_cast<double>(all.size()) / secs, Percentile(all, 0.5), Percentile(all, 0.99));
  return errors.load() == 0 ? 0 : 1;
}

int RunList(const Backend& b) {
  dw::http::Client client(b.cfg);
  std::vector<double> lat;
  size_t bytes = 0;
  for (int i = 0; i < b.f.repeat; ++i) {
    dw::http::Response resp;
    auto t0 = Clock::now();
    Status st = client.Do(b.List(), &resp);
    double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    if (!st.ok() || resp.status != 200) {
      std::cerr << "list failed: " << st.ToString() << " " << resp.status << "\n";
      return 1;
    }
    // Parse too: a list is only useful once the client can read it.
    dw::json::Document d;
    if (!dw::json::Parse(resp.body, &d).ok()) return 1;
    bytes = resp.body.size();
    lat.push_back(ms);
  }
  std::printf("{\"mode\":\"list\",\"target\":\"%s\",\"bytes\":%zu,\"repeat\":%d,\"p50_ms\":%.2f,\"p99_ms\":%.2f,\"max_ms\":%.2f}\n",
              b.f.target.c_str(), bytes, b.f.repeat, Percentile(lat, 0.5), Percentile(lat, 0.99),
              *std::max_element(lat.begin(), lat.end()));
  return 0;
}

// Finds `"stamp":"<nanos>"` (dockward: annotation; etcd: inside the base64
// value, decoded by the caller) and returns the nanos.
int64_t ExtractStamp(const std::string& text) {
  size_t p = text.find("\"stamp\":\"");
  if (p == std::string::npos) return 0;
  return std::atoll(text.c_str() + p + 9);
}

std::string Unbase64(const std::string& in) {
  std::string out;
  dw::Base64Decode(in, &out);
  return out;
}

// Fan-out latency: W watchers, K writes. Each write carries its index; the
// writer records when it sent the write and when the server acknowledged it
// (durable), each watcher when it received it. Reported from both points.
int RunWatch(const Backend& b) {
  const size_t k = static_cast<size_t>(b.f.writes);
  std::vector<int64_t> sent(k, 0), acked(k, 0);
  std::mutex mu;
  std::vector<std::pair<size_t, int64_t>> received;
  std::atomic<int> done{0};
  std::atomic<bool> stop{false};
  auto record = [&](const std::string& text, int* seen) {
    int64_t idx = ExtractStamp(text);
    if (idx <= 0 || static_cast<size_t>(idx) > k) return;
    std::lock_guard<std::mutex> l(mu);
    received.push_back({static_cast<size_t>(idx - 1), NowNanos()});
    ++*seen;
  };
  std::vector<std::thread> watchers;
  for (int w = 0; w < b.f.watchers; ++w) {
    watchers.emplace_back([&] {
      dw::http::Client client(b.cfg);
      std::string buf;
      int seen = 0;
      dw::http::Response head;
      client.Stream(b.Watch(), [&](std::string_view data) {
        buf.append(data);
        size_t nl;
        while ((nl = buf.find('\n')) != std::string::npos) {
          std::string line = buf.substr(0, nl);
          buf.erase(0, nl + 1);
          if (b.f.target != "etcd") {
            record(line, &seen);
            continue;
          }
          for (size_t v = line.find("\"value\":\""); v != std::string::npos;) {
            size_t e = line.find('"', v + 9);
            record(Unbase64(line.substr(v + 9, e - v - 9)), &seen);
            v = line.find("\"value\":\"", e);
          }
        }
        if (seen >= b.f.writes) {
          done.fetch_add(1);
          return false;
        }
        return !stop.load();
      }, &head, std::chrono::milliseconds(30000));
    });
  }
  // Give every stream time to be established before the first write.
  std::this_thread::sleep_for(std::chrono::milliseconds(2000));
  dw::http::Client writer(b.cfg);
  for (size_t i = 0; i < k; ++i) {
    sent[i] = NowNanos();
    auto req = b.Create(b.f.prefix + "-w" + std::to_string(i), std::to_string(i + 1));
    dw::http::Response resp;
    if (!writer.Do(req, &resp).ok() || resp.status >= 300) {
      std::cerr << "write failed " << resp.status << " " << resp.body.substr(0, 200) << "\n";
      stop.store(true);
      break;
    }
    acked[i] = NowNanos();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  auto deadline = Clock::now() + std::chrono::seconds(30);
  while (done.load() < b.f.watchers && Clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  stop.store(true);
  for (int i = 0; i < 2; ++i) {  // wake idle streams so they see `stop`
    dw::http::Response resp;
    writer.Do(b.Create(b.f.prefix + "-nudge" + std::to_string(i), "0"), &resp);
  }
  for (auto& t : watchers) t.join();
  std::vector<double> from_send, from_ack;
  for (const auto& [i, t] : received) {
    from_send.push_back(static_cast<double>(t - sent[i]) / 1e6);
    from_ack.push_back(std::max(0.0, static_cast<double>(t - acked[i]) / 1e6));
  }
  size_t expected = static_cast<size_t>(b.f.watchers) * k;
  std::printf("{\"mode\":\"watch\",\"target\":\"%s\",\"watchers\":%d,\"writes\":%d,\"deliveries\":%zu,"
              "\"expected\":%zu,\"from_send_p50_ms\":%.2f,\"from_send_p99_ms\":%.2f,"
              "\"after_ack_p50_ms\":%.2f,\"after_ack_p99_ms\":%.2f}\n",
              b.f.target.c_str(), b.f.watchers, b.f.writes, received.size(), expected,
              Percentile(from_send, 0.5), Percentile(from_send, 0.99), Percentile(from_ack, 0.5),
              Percentile(from_ack, 0.99));
  return received.size() >= expected ? 0 : 1;
}

int Usage() {
  std::cerr << "usage: api_bench create|list|watch|fill --target dockward|etcd [--kubeconfig F] "
               "[--endpoint URL] [--clients N] [--count M] [--size BYTES] [--repeat R] "
               "[--watchers W] [--writes K] [--namespace NS] [--prefix P]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return Usage();
  Backend b;
  b.f.mode = argv[1];
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--target") b.f.target = v;
    else if (k == "--kubeconfig") b.f.kubeconfig = v;
    else if (k == "--endpoint") b.f.endpoint = v;
    else if (k == "--clients") b.f.clients = std::stoi(v);
    else if (k == "--count") b.f.count = std::stoi(v);
    else if (k == "--size") b.f.size = std::stoi(v);
    else if (k == "--repeat") b.f.repeat = std::stoi(v);
    else if (k == "--watchers") b.f.watchers = std::stoi(v);
    else if (k == "--writes") b.f.writes = std::stoi(v);
    else if (k == "--namespace") b.f.ns = v;
    else if (k == "--prefix") b.f.prefix = v;
    else return Usage();
  }
  Status st = b.Init();
  if (!st.ok()) {
    std::cerr << st.ToString() << "\n";
    return 1;
  }
  if (b.f.mode == "create" || b.f.mode == "fill") return RunCreate(b);
  if (b.f.mode == "list") return RunList(b);
  if (b.f.mode == "watch") return RunWatch(b);
  return Usage();
}
