// api_crash_writer: the client half of the server crash test
// (tests/integration/server_crash.sh).
//
//   api_crash_writer write  KUBECONFIG NAMESPACE THREADS PREFIX
//     Creates and updates Secrets from THREADS concurrent connections and
//     prints "ACK <name> <resourceVersion>" for every write the server
//     acknowledged (2xx), until the server goes away.
//   api_crash_writer verify KUBECONFIG NAMESPACE ACKFILE
//     Lists the namespace and checks that every acknowledged write is there,
//     at that resourceVersion or later. Exit 1 and the losses otherwise.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "operator/cli/kubeconfig.h"
#include "operator/http/client.h"
#include "operator/json/json.h"

namespace {

std::mutex out_mu;

void Ack(const std::string& name, const std::string& rv) {
  std::lock_guard<std::mutex> l(out_mu);
  std::printf("ACK %s %s\n", name.c_str(), rv.c_str());
  std::fflush(stdout);
}

std::string RvOf(const std::string& body) {
  dw::json::Document d;
  if (!dw::json::Parse(body, &d).ok()) return "";
  return dw::json::GetStringPath(d, "metadata.resourceVersion");
}

int Write(const dw::http::ClientConfig& cfg, const std::string& ns, int threads, const std::string& prefix) {
  std::vector<std::thread> ts;
  for (int t = 0; t < threads; ++t) {
    ts.emplace_back([&, t] {
      dw::http::Client c(cfg);
      std::string base = "/api/v1/namespaces/" + ns + "/secrets";
      for (int i = 0;; ++i) {
        std::string name = prefix + "-" + std::to_string(t) + "-" + std::to_string(i);
        dw::http::Request req;
        req.method = "POST";
        req.target = base;
        req.headers["Content-Type"] = "application/json";
        req.body = "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"" + name +
                   "\"},\"stringData\":{\"n\":\"" + std::to_string(i) + "\",\"pad\":\"" +
                   std::string(700, 'p') + "\"}}";
        dw::http::Response resp;
        if (!c.Do(req, &resp).ok()) return;  // server gone
        if (resp.status == 201) Ack(name, RvOf(resp.body));
        if (i % 4 != 3) continue;
        // Every fourth object is updated too, so updates are crash-tested as well.
        dw::http::Request patch;
        patch.method = "PATCH";
        patch.target = base + "/" + name;
        patch.headers["Content-Type"] = "application/merge-patch+json";
        patch.body = "{\"stringData\":{\"updated\":\"yes\"}}";
        if (!c.Do(patch, &resp).ok()) return;
        if (resp.status == 200) Ack(name, RvOf(resp.body));
      }
    });
  }
  for (auto& t : ts) t.join();
  return 0;
}

int Verify(const dw::http::ClientConfig& cfg, const std::string& ns, const std::string& ackfile) {
  std::map<std::string, long long> acked;
  std::ifstream in(ackfile);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    std::string tag, name;
    long long rv = 0;
    if (!(ls >> tag >> name >> rv) || tag != "ACK") continue;  // a torn last line
    acked[name] = std::max(acked[name], rv);
  }
  dw::http::Client c(cfg);
  dw::http::Request req;
  req.target = "/api/v1/namespaces/" + ns + "/secrets";
  dw::http::Response resp;
  dw::Status st = c.Do(req, &resp);
  if (!st.ok() || resp.status != 200) {
    std::cerr << "verify: list failed: " << st.ToString() << " HTTP " << resp.status << "\n";
    return 1;
  }
  dw::json::Document d;
  if (!dw::json::Parse(resp.body, &d).ok()) return 1;
  std::map<std::string, long long> stored;
  for (const auto& item : d["items"].GetArray())
    stored[dw::json::GetStringPath(item, "metadata.name")] =
        std::stoll(dw::json::GetStringPath(item, "metadata.resourceVersion", "0"));
  int lost = 0;
  for (const auto& [name, rv] : acked) {
    auto it = stored.find(name);
    if (it == stored.end() || it->second < rv) {
      if (++lost <= 20)
        std::cerr << "LOST " << name << " acked rv " << rv << " stored "
                  << (it == stored.end() ? std::string("none") : std::to_string(it->second)) << "\n";
    }
  }
  std::printf("verified %zu acknowledged objects, %zu stored, %d lost\n", acked.size(), stored.size(), lost);
  return lost == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5) {
    std::cerr << "usage: api_crash_writer write KUBECONFIG NS THREADS PREFIX | verify KUBECONFIG NS ACKFILE\n";
    return 2;
  }
  std::string mode = argv[1];
  dw::cli::KubeconfigOptions ko;
  ko.explicit_path = argv[2];
  dw::cli::ClusterAccess access;
  dw::Status st = dw::cli::LoadKubeconfig(ko, &access);
  if (!st.ok()) {
    std::cerr << st.ToString() << "\n";
    return 2;
  }
  // Writers fail fast (a killed server is the point); the verifying list of
  // every Secret after a restart may take longer on a loaded CI machine, and
  // a slow answer is not a lost write.
  access.client.request_timeout = std::chrono::milliseconds(mode == "verify" ? 60000 : 10000);
  if (mode == "write" && argc >= 6) return Write(access.client, argv[3], std::stoi(argv[4]), argv[5]);
  if (mode == "verify") return Verify(access.client, argv[3], argv[4]);
  return 2;
}
