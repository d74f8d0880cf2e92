#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "operator/common/base64.h"
#include "operator/cli/kubeconfig.h"

namespace fs = std::filesystem;
using dw::cli::ClusterAccess;
using dw::cli::KubeconfigOptions;

namespace {

struct TmpHome {
  std::string dir;
  TmpHome() {
    char t[] = "/tmp/dwkc.XXXXXX";
    dir = mkdtemp(t);
  }
  ~TmpHome() { fs::remove_all(dir); }
  void Write(const std::string& rel, const std::string& text) {
    fs::create_directories(fs::path(dir + "/" + rel).parent_path());
    std::ofstream(dir + "/" + rel) << text;
  }
};

const char kMulti[] = R"(apiVersion: v1
kind: Config
clusters:
- name: a
  cluster:
    server: https://10.0.0.1:6443
    certificate-authority: ca.pem
- name: b
  cluster:
    server: http://b:8080
    insecure-skip-tls-verify: true
contexts:
- name: ctx-a
  context: {cluster: a, user: ua, namespace: prod}
- name: ctx-b
  context: {cluster: b, user: ub}
current-context: ctx-a
users:
- name: ua
  user:
    tokenFile: tok
- name: ub
  user:
    token: tb
    client-certificate-data: Q0VSVA==
    client-key-data: S0VZ
)";

}  // namespace

TEST_CASE("kubeconfig: write then load round trip, mode 0600", "[cli][kubeconfig]") {
  TmpHome h;
  std::string path = h.dir + "/kubeconfig";
  REQUIRE(dw::cli::WriteKubeconfig(path, "https://127.0.0.1:6443", "-----BEGIN CERTIFICATE-----\nX\n",
                                   "tok123")
              .ok());
  struct stat st;
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  KubeconfigOptions o;
  o.explicit_path = path;
  ClusterAccess acc;
  REQUIRE(dw::cli::LoadKubeconfig(o, &acc).ok());
  CHECK(acc.client.server == "https://127.0.0.1:6443");
  CHECK(acc.client.ca_pem == "-----BEGIN CERTIFICATE-----\nX\n");
  CHECK(acc.client.bearer_token == "tok123");
  CHECK(acc.context == "dockward");
  CHECK(acc.default_namespace == "default");
  // Overwrite is atomic and leaves no temp files behind.
  REQUIRE(dw::cli::WriteKubeconfig(path, "https://127.0.0.1:7443", "", "t2").ok());
  REQUIRE(dw::cli::LoadKubeconfig(o, &acc).ok());
  CHECK(acc.client.server == "https://127.0.0.1:7443");
  CHECK(acc.client.ca_pem.empty());
  int files = 0;
  for (auto& e : fs::directory_iterator(h.dir)) (void)e, ++files;
  CHECK(files == 1);
}

TEST_CASE("kubeconfig: contexts, files relative to the kubeconfig, inline data", "[cli][kubeconfig]") {
  TmpHome h;
  h.Write("cfg/config", kMulti);
  h.Write("cfg/ca.pem", "CA-PEM");
  h.Write("cfg/tok", "file-token\n");
  KubeconfigOptions o;
  o.explicit_path = h.dir + "/cfg/config";
  ClusterAccess acc;
  REQUIRE(dw::cli::LoadKubeconfig(o, &acc).ok());
  CHECK(acc.context == "ctx-a");
  CHECK(acc.client.server == "https://10.0.0.1:6443");
  CHECK(acc.client.ca_pem == "CA-PEM");
  CHECK(acc.client.bearer_token == "file-token");
  CHECK(acc.default_namespace == "prod");

  o.context = "ctx-b";
  REQUIRE(dw::cli::LoadKubeconfig(o, &acc).ok());
  CHECK(acc.client.server == "http://b:8080");
  CHECK(acc.client.insecure_skip_verify);
  CHECK(acc.client.bearer_token == "tb");
  CHECK(acc.client.client_cert_pem == "CERT");
  CHECK(acc.client.client_key_pem == "KEY");
  CHECK(acc.default_namespace == "default");

  o.context = "nope";
  auto st = dw::cli::LoadKubeconfig(o, &acc);
  CHECK(st.message() == "context was not found for specified context: nope");
}

TEST_CASE("kubeconfig: precedence flag > $KUBECONFIG > ~/.dockward > ~/.kube", "[cli][kubeconfig]") {
  TmpHome h;
  KubeconfigOptions o;
  o.home = h.dir;
  CHECK(dw::cli::ChooseKubeconfigPath(o) == h.dir + "/.kube/config");
  h.Write(".dockward/kubeconfig", "x");
  CHECK(dw::cli::ChooseKubeconfigPath(o) == h.dir + "/.dockward/kubeconfig");
  o.env = "/e/one:/e/two";
  CHECK(dw::cli::ChooseKubeconfigPath(o) == "/e/one");
  o.explicit_path = "/flag/path";
  CHECK(dw::cli::ChooseKubeconfigPath(o) == "/flag/path");

  ClusterAccess acc;
  auto st = dw::cli::LoadKubeconfig(o, &acc);
  CHECK(st.IsNotFound());
  CHECK(st.message() == "stat /flag/path: no such file or directory");
}

TEST_CASE("kubeconfig: malformed files are errors", "[cli][kubeconfig]") {
  ClusterAccess acc;
  CHECK_FALSE(dw::cli::ParseKubeconfig("- a\n- b\n", "f", "", &acc).ok());
  CHECK(dw::cli::ParseKubeconfig("apiVersion: v1\n", "f", "", &acc).message() ==
        "f: current-context is not set");
  auto st = dw::cli::ParseKubeconfig(
      "current-context: c\ncontexts: [{name: c, context: {cluster: x, user: u}}]\n", "f", "", &acc);
  CHECK(st.message() == "cluster \"x\" of context \"c\" was not found in f");
  st = dw::cli::ParseKubeconfig(
      "current-context: c\ncontexts: [{name: c, context: {cluster: x}}]\n"
      "clusters: [{name: x, cluster: {server: 'https://h', certificate-authority-data: '!!'}}]\n",
      "f", "", &acc);
  CHECK(st.message() == "f: certificate-authority-data is not valid base64");
}

TEST_CASE("base64", "[cli]") {
  using dw::Base64Decode;
  using dw::Base64Encode;
  CHECK(Base64Encode("") == "");
  CHECK(Base64Encode("f") == "Zg==");
  CHECK(Base64Encode("fo") == "Zm8=");
  CHECK(Base64Encode("foo") == "Zm9v");
  CHECK(Base64Encode("foobar") == "Zm9vYmFy");
  std::string out;
  REQUIRE(Base64Decode("Zm9v\nYmFy", &out));
  CHECK(out == "foobar");
  REQUIRE(Base64Decode("Zg==", &out));
  CHECK(out == "f");
  CHECK_FALSE(Base64Decode("Zg=a", &out));
  CHECK_FALSE(Base64Decode("Z$==", &out));
  CHECK_FALSE(Base64Decode("Zm9", &out));
  std::string bin("\x00\xff\x10", 3);
  REQUIRE(Base64Decode(Base64Encode(bin), &out));
  CHECK(out == bin);
}
