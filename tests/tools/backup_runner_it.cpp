// Integration driver of the backup/restore runners against a real dockerd
// (tests/integration/backup_engines.sh owns the daemon and the database
// containers, seeds them and compares fingerprints). One sub-command per
// call, so the script can interleave docker and SQL steps:
//
//   backup_runner_it backup  --endpoint E --container C TARGET --dir D --name N
//                            [--key FILE] [--compression zstd|gzip|none]
//   backup_runner_it verify  --artifact PATH [--key FILE]
//   backup_runner_it restore --endpoint E --container C TARGET --artifact PATH [--key FILE]
//   backup_runner_it restore-test --endpoint E --source C TARGET --artifact PATH
//                            [--key FILE] [--query Q] [--ready-timeout SECS]
//   backup_runner_it labels  KEY=VALUE...          ParseTargetLabels, prints the argv
//   TARGET: --engine NAME [--db NAME]... [--all] [--path P] [--user U]
//
// Prints one line "ok ..." or "error: <Status>" and exits 0 / 1 (2: usage).
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "operator/docker/client.h"
#include "reconcilers/backup/artifact_reader.h"
#include "reconcilers/backup/backup_runner.h"
#include "reconcilers/backup/engine_registry.h"
#include "reconcilers/backup/restore_runner.h"
#include "reconcilers/backup/target_labels.h"

namespace bk = dw::backup;
using dw::Status;

namespace {

struct Args {
  std::string cmd;
  std::map<std::string, std::string> one;
  std::vector<std::string> dbs, positional;
  bool all = false;
  std::string Get(const std::string& k) const {
    auto it = one.find(k);
    return it == one.end() ? "" : it->second;
  }
};

bool ParseArgs(int argc, char** argv, Args* a) {
  if (argc < 2) return false;
  a->cmd = argv[1];
  for (int i = 2; i < argc; ++i) {
    std::string k = argv[i];
    if (k == "--all") {
      a->all = true;
    } else if (k.rfind("--", 0) == 0) {
      if (i + 1 >= argc) return false;
      if (k == "--db") a->dbs.push_back(argv[++i]);
      else a->one[k] = argv[++i];
    } else {
      a->positional.push_back(k);
    }
  }
  return true;
}

int Finish(const Status& st, const std::string& ok_line) {
  if (!st.ok()) {
    std::printf("error: %s\n", st.ToString().c_str());
    return 1;
  }
  std::printf("ok %s\n", ok_line.c_str());
  return 0;
}

Status LoadKey(const Args& a, std::optional<bk::EncryptionKey>* key) {
  std::string file = a.Get("--key");
  if (file.empty()) return Status::OK();
  std::ifstream in(file, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  bk::EncryptionKey k;
  DW_RETURN_IF_ERROR(bk::EncryptionKey::Parse(ss.str(), &k));
  *key = k;
  return Status::OK();
}

Status Target(const Args& a, const bk::DatabaseEngine** engine, bk::BackupTarget* t) {
  DW_RETURN_IF_ERROR(bk::LookupEngine(a.Get("--engine"), engine));
  t->engine = std::string((*engine)->name());
  t->databases = a.dbs;
  t->all_databases = a.all;
  t->sqlite_path = a.Get("--path");
  t->user = a.Get("--user");
  return (*engine)->Validate(*t);
}

dw::docker::DockerClient Docker(const Args& a) {
  dw::docker::DockerConfig cfg;
  cfg.endpoint = a.Get("--endpoint");
  return dw::docker::DockerClient(cfg);
}

std::string Seconds(std::chrono::steady_clock::time_point start) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);
  return std::to_string(ms.count() / 1000.0) + "s";
}

int Backup(const Args& a) {
  bk::BackupJob job;
  Status st = Target(a, &job.engine, &job.target);
  if (st.ok()) st = LoadKey(a, &job.options.key);
  if (st.ok() && !a.Get("--compression").empty())
    st = bk::ParseCompression(a.Get("--compression"), &job.options.compression);
  if (!st.ok()) return Finish(st, "");
  job.host = "local";
  job.container = a.Get("--container");
  job.dir = a.Get("--dir");
  job.artifact_name = a.Get("--name");
  job.timeout = std::chrono::seconds(120);
  int ticks = 0;
  bk::RunControl control;
  control.progress_interval = std::chrono::milliseconds(100);
  control.on_progress = [&](const bk::RunProgress&) { ++ticks; };
  auto docker = Docker(a);
  bk::BackupOutcome out;
  auto start = std::chrono::steady_clock::now();
  st = bk::RunBackup(docker, job, control, &out);
  std::string tools;
  for (const auto& [tool, version] : out.metadata.tool_versions) tools += tool + "=" + version;
  return Finish(st, "path=" + out.path + " dump_bytes=" + std::to_string(out.metadata.dump_bytes) +
                        " artifact_bytes=" + std::to_string(out.metadata.artifact_bytes) +
                        " tool=" + tools + " encryption=" + out.metadata.encryption +
                        " progress_ticks=" + std::to_string(ticks) + " time=" + Seconds(start));
}

Status LoadMetadata(const std::string& artifact, bk::ArtifactMetadata* md) {
  return bk::ReadMetadataFile(artifact + ".json", md);
}

int Verify(const Args& a) {
  std::string path = a.Get("--artifact");
  bk::ArtifactMetadata md;
  std::optional<bk::EncryptionKey> key;
  Status st = LoadMetadata(path, &md);
  if (st.ok()) st = LoadKey(a, &key);
  if (st.ok()) st = bk::VerifyArtifact(path, md);
  if (st.ok()) st = bk::VerifyArtifactContent(path, md, key ? &*key : nullptr);
  return Finish(st, "verified " + path);
}

Status RestoreJobFrom(const Args& a, bk::RestoreJob* job) {
  DW_RETURN_IF_ERROR(Target(a, &job->engine, &job->target));
  DW_RETURN_IF_ERROR(LoadKey(a, &job->key));
  job->artifact_path = a.Get("--artifact");
  job->timeout = std::chrono::seconds(120);
  return LoadMetadata(job->artifact_path, &job->metadata);
}

int Restore(const Args& a) {
  bk::RestoreJob job;
  Status st = RestoreJobFrom(a, &job);
  if (!st.ok()) return Finish(st, "");
  job.container = a.Get("--container");
  auto docker = Docker(a);
  bk::RestoreOutcome out;
  auto start = std::chrono::steady_clock::now();
  st = bk::RunRestore(docker, job, bk::RunControl{}, &out);
  if (!st.ok() && !out.stderr_tail.empty())
    std::printf("stderr tail: %s\n", out.stderr_tail.c_str());
  return Finish(st, "bytes=" + std::to_string(out.bytes) + " time=" + Seconds(start));
}

int RestoreTest(const Args& a) {
  bk::RestoreTestJob job;
  Status st = RestoreJobFrom(a, &job.restore);
  if (!st.ok()) return Finish(st, "");
  job.source_container = a.Get("--source");
  job.check_query = a.Get("--query");
  if (!a.Get("--ready-timeout").empty())
    job.ready_timeout = std::chrono::seconds(std::stoi(a.Get("--ready-timeout")));
  auto docker = Docker(a);
  std::string output;
  auto start = std::chrono::steady_clock::now();
  st = bk::RunRestoreTest(docker, job, bk::RunControl{}, &output);
  while (!output.empty() && output.back() == '\n') output.pop_back();
  return Finish(st, "check=[" + output + "] time=" + Seconds(start));
}

int Labels(const Args& a) {
  std::map<std::string, std::string> labels;
  for (const auto& kv : a.positional) {
    size_t eq = kv.find('=');
    labels[kv.substr(0, eq)] = eq == std::string::npos ? "" : kv.substr(eq + 1);
  }
  bk::ParsedTarget parsed;
  Status st = bk::ParseTargetLabels(labels, "", &parsed);
  const bk::DatabaseEngine* engine = nullptr;
  bk::ExecSpec spec;
  if (st.ok()) st = bk::LookupEngine(parsed.target.engine, &engine);
  if (st.ok()) st = engine->DumpCommand(parsed.target, bk::Credentials{}, &spec);
  std::string argv;
  for (const auto& w : spec.argv) argv += "[" + w + "]";
  return Finish(st, "argv=" + argv);
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  if (!ParseArgs(argc, argv, &a)) {
    std::fprintf(stderr, "usage: see the header of tests/tools/backup_runner_it.cpp\n");
    return 2;
  }
  if (a.cmd == "backup") return Backup(a);
  if (a.cmd == "verify") return Verify(a);
  if (a.cmd == "restore") return Restore(a);
  if (a.cmd == "restore-test") return RestoreTest(a);
  if (a.cmd == "labels") return Labels(a);
  std::fprintf(stderr, "unknown command %s\n", a.cmd.c_str());
  return 2;
}
