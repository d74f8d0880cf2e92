// verify and decrypt against real artifacts written by ArtifactWriter.
#include <catch2/catch.hpp>

#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "operator/cli/backup.h"
#include "reconcilers/backup/artifact_writer.h"

namespace fs = std::filesystem;
using namespace dw;

namespace {

struct Dir {
  std::string path;
  Dir() {
    char tmpl[] = "/tmp/dw_cli_backup_XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    path = tmpl;
  }
  ~Dir() { fs::remove_all(path); }
};

std::string Dump() {
  std::string s;
  for (int i = 0; s.size() < 300000; ++i) s += std::to_string(i) + "\tuser" + std::to_string(i % 97) + "\n";
  return s;
}

const std::string kKeyB64 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";  // bytes 0..31

void WriteFile(const std::string& path, const std::string& data) {
  std::ofstream(path, std::ios::binary) << data;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Writes DIR/NAME (+ NAME.json) from `dump`.
void MakeArtifact(const std::string& dir, const std::string& name, const std::string& dump, bool encrypt) {
  backup::ArtifactOptions opts;
  if (encrypt) {
    backup::EncryptionKey key;
    REQUIRE(backup::EncryptionKey::Parse(kKeyB64, &key).ok());
    opts.key = key;
  }
  backup::ArtifactMetadata md;
  md.engine = "postgres";
  md.databases = {"app"};
  md.container = "pg1";
  md.host = "local";
  std::unique_ptr<backup::ArtifactWriter> w;
  REQUIRE(backup::ArtifactWriter::Create(dir, name, opts, md, &w).ok());
  REQUIRE(w->Write(dump).ok());
  REQUIRE(w->Finish().ok());
}

}  // namespace

TEST_CASE("backup verify: good plain and encrypted artifacts", "[cli][backup]") {
  Dir d;
  std::string dump = Dump();
  MakeArtifact(d.path, "plain.sql.zst", dump, false);
  MakeArtifact(d.path, "enc.sql.zst.enc", dump, true);
  WriteFile(d.path + "/key", kKeyB64 + "\n");

  std::ostringstream out;
  cli::BackupVerifyOptions o{d.path + "/plain.sql.zst", ""};
  REQUIRE(cli::RunBackupVerify(o, out).ok());
  CHECK(out.str().rfind("OK " + o.artifact + "\n", 0) == 0);
  CHECK(out.str().find("(" + std::to_string(dump.size()) + " bytes)") != std::string::npos);
  CHECK(out.str().find("content:    verified") != std::string::npos);

  std::ostringstream no_key;
  cli::BackupVerifyOptions e{d.path + "/enc.sql.zst.enc", ""};
  REQUIRE(cli::RunBackupVerify(e, no_key).ok());
  CHECK(no_key.str().find("not checked: the artifact is encrypted") != std::string::npos);

  std::ostringstream with_key;
  e.key_file = d.path + "/key";
  REQUIRE(cli::RunBackupVerify(e, with_key).ok());
  CHECK(with_key.str().find("content:    verified") != std::string::npos);
  CHECK(with_key.str().find("AES-256-GCM (key id ") != std::string::npos);
}

TEST_CASE("backup verify: damage, wrong key, missing sidecar", "[cli][backup]") {
  Dir d;
  std::string dump = Dump();
  MakeArtifact(d.path, "enc", dump, true);
  std::string path = d.path + "/enc";
  std::ostringstream out;

  SECTION("a flipped byte fails the checksum") {
    std::string bytes = ReadFile(path);
    bytes[bytes.size() / 2] ^= 1;
    WriteFile(path, bytes);
    Status st = cli::RunBackupVerify({path, ""}, out);
    CHECK_FALSE(st.ok());
    CHECK(st.message().rfind("error: verification of " + path + " failed: ", 0) == 0);
    CHECK(out.str().empty());
  }
  SECTION("a truncated artifact fails") {
    std::string bytes = ReadFile(path);
    WriteFile(path, bytes.substr(0, bytes.size() - 100));
    CHECK_FALSE(cli::RunBackupVerify({path, ""}, out).ok());
  }
  SECTION("another key is refused") {
    WriteFile(d.path + "/other", std::string(32, 'k'));
    Status st = cli::RunBackupVerify({path, d.path + "/other"}, out);
    CHECK_FALSE(st.ok());
    CHECK(st.message().find("content verification") != std::string::npos);
  }
  SECTION("a malformed key file is named") {
    WriteFile(d.path + "/bad", "short");
    Status st = cli::RunBackupVerify({path, d.path + "/bad"}, out);
    CHECK(st.message().rfind("error: key file " + d.path + "/bad: ", 0) == 0);
  }
  SECTION("no sidecar") {
    fs::remove(path + ".json");
    Status st = cli::RunBackupVerify({path, ""}, out);
    CHECK(st.IsNotFound());
  }
}

TEST_CASE("backup decrypt: to a file, to a stream, never over a file", "[cli][backup]") {
  Dir d;
  std::string dump = Dump();
  MakeArtifact(d.path, "enc", dump, true);
  WriteFile(d.path + "/key", kKeyB64);
  std::string art = d.path + "/enc";
  std::ostringstream sink;

  cli::BackupDecryptOptions o{art, d.path + "/key", d.path + "/out.sql"};
  REQUIRE(cli::RunBackupDecrypt(o, sink).ok());
  CHECK(ReadFile(o.output) == dump);
  CHECK(sink.str().empty());
  struct stat sb;
  REQUIRE(::stat(o.output.c_str(), &sb) == 0);
  CHECK((sb.st_mode & 0777) == 0600);  // a plaintext dump is private

  // Second time: the file exists, nothing is touched.
  Status again = cli::RunBackupDecrypt(o, sink);
  CHECK(again.IsAlreadyExists());
  CHECK(again.message() == "error: " + o.output + " already exists; refusing to overwrite it");

  std::ostringstream stream;
  REQUIRE(cli::RunBackupDecrypt({art, d.path + "/key", "-"}, stream).ok());
  CHECK(stream.str() == dump);

  // No key for an encrypted artifact: an error, and no output file left.
  Status no_key = cli::RunBackupDecrypt({art, "", d.path + "/nokey.sql"}, sink);
  CHECK_FALSE(no_key.ok());
  CHECK_FALSE(fs::exists(d.path + "/nokey.sql"));
  std::set<std::string> names;
  for (const auto& e : fs::directory_iterator(d.path)) names.insert(e.path().filename().string());
  CHECK(names == std::set<std::string>{"enc", "enc.json", "key", "out.sql"});
}

TEST_CASE("backup decrypt: a plain artifact without its sidecar", "[cli][backup]") {
  Dir d;
  std::string dump = Dump();
  MakeArtifact(d.path, "p.zst", dump, false);
  fs::remove(d.path + "/p.zst.json");
  std::ostringstream out;
  REQUIRE(cli::RunBackupDecrypt({d.path + "/p.zst", "", ""}, out).ok());
  CHECK(out.str() == dump);
}
