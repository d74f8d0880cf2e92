// RunBackup: version probe, then the dump exec streamed through
// DumpCheckSink -> ArtifactWriter, then verification of what was written.
#include "reconcilers/backup/backup_runner.h"

#include <sys/stat.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <thread>

#include "reconcilers/backup/artifact_reader.h"
#include "reconcilers/backup/dump_check.h"
#include "reconcilers/backup/runner_redis_mark.h"
#include "reconcilers/backup/runner_exec.h"

namespace dw::backup {
namespace {

// mkdir -p with 0750 for the directories it creates (dumps are sensitive).
Status MakeDirs(const std::string& dir) {
  if (dir.empty()) return Status::Invalid("backup: destination directory is empty");
  std::string path;
  size_t pos = 0;
  while (pos != std::string::npos) {
    size_t next = dir.find('/', pos + 1);
    path = dir.substr(0, next);
    pos = next;
    if (path.empty() || path == "/") continue;
    if (::mkdir(path.c_str(), 0750) != 0 && errno != EEXIST)
      return Status::IOError("create directory " + path + ": " + std::strerror(errno));
  }
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return Status::IOError("backup destination " + dir + " is not a directory");
  return Status::OK();
}

// "pg_dump (PostgreSQL) 15.4 (Debian 15.4-1.pgdg120+1)" -> "15.4": the first
// word that starts with a digit and has a dot; else the line itself, bounded.
std::string ParseToolVersion(const std::string& line) {
  size_t i = 0;
  while (i < line.size()) {
    size_t start = line.find_first_not_of(" \t", i);
    if (start == std::string::npos) break;
    size_t end = line.find_first_of(" \t,", start);
    if (end == std::string::npos) end = line.size();
    std::string word = line.substr(start, end - start);
    if (std::isdigit(static_cast<unsigned char>(word[0])) && word.find('.') != std::string::npos)
      return word;
    i = end + 1;
  }
  return line.substr(0, 128);
}

Status ProbeToolVersion(docker::DockerClient& docker, const BackupJob& job, const RunGuard& guard,
                        std::map<std::string, std::string>* versions) {
  ExecSpec spec;
  DW_RETURN_IF_ERROR(job.engine->VersionCommand(&spec));
  ExecOutcome outcome;
  DW_RETURN_IF_ERROR(RunExec(docker, job.container, spec, guard, ExecStreams{}, &outcome));
  DW_RETURN_IF_ERROR(CheckExit(spec, outcome));
  std::string text = outcome.stdout_tail.Text();
  std::string first = text.substr(0, text.find('\n'));
  (*versions)[spec.argv[0]] = ParseToolVersion(first);
  return Status::OK();
}

ArtifactMetadata DescribeJob(const BackupJob& job) {
  ArtifactMetadata md;
  md.engine = std::string(job.engine->name());
  md.databases = job.target.databases;
  if (!job.target.sqlite_path.empty()) md.databases = {job.target.sqlite_path};
  md.container = job.container;
  md.host = job.host;
  return md;
}

// A published artifact that fails verification must not stay published.
Status Unpublish(const std::string& path, const std::string& sidecar, const Status& why) {
  std::error_code ec1, ec2;
  std::filesystem::remove(path, ec1);
  std::filesystem::remove(sidecar, ec2);
  std::string note = (ec1 || ec2) ? " (could not remove the artifact: " +
                                        (ec1 ? ec1.message() : ec2.message()) + ")"
                                  : " (artifact and sidecar removed)";
  return Status(why.code(), "verification of " + path + " failed: " + why.message() + note);
}

Status Verify(const BackupJob& job, const std::string& path, const std::string& sidecar,
              const ArtifactMetadata& md) {
  if (job.verify_checksum) {
    Status st = VerifyArtifact(path, md);
    if (!st.ok()) return Unpublish(path, sidecar, st);
  }
  if (job.verify_decode) {
    const EncryptionKey* key = job.options.key ? &*job.options.key : nullptr;
    Status st = VerifyArtifactContent(path, md, key);
    if (!st.ok()) return Unpublish(path, sidecar, st);
  }
  return Status::OK();
}

}  // namespace

Status RunBackup(docker::DockerClient& docker, const BackupJob& job, const RunControl& control,
                 BackupOutcome* out) {
  if (job.engine == nullptr) return Status::Invalid("backup: no engine");
  if (job.artifact_name.empty() || job.artifact_name.find('/') != std::string::npos)
    return Status::Invalid("backup: artifact name must be a plain file name");
  ExecSpec dump;
  DW_RETURN_IF_ERROR(job.engine->DumpCommand(job.target, job.credentials, &dump));
  DW_RETURN_IF_ERROR(MakeDirs(job.dir));
  RunGuard guard(control, job.timeout);

  ArtifactMetadata md = DescribeJob(job);
  // The version probe is a second exec round trip; it runs beside the dump on
  // its own connection instead of in front of it.
  std::map<std::string, std::string> versions;
  Status version_status;
  std::thread prober([&] {
    docker::DockerClient own(docker.config());
    version_status = ProbeToolVersion(own, job, guard, &versions);
  });
  struct Joiner {
    std::thread& t;
    ~Joiner() { if (t.joinable()) t.join(); }
  } join_prober{prober};

  std::unique_ptr<ArtifactWriter> writer;
  DW_RETURN_IF_ERROR(ArtifactWriter::Create(job.dir, job.artifact_name, job.options, md, &writer));
  std::unique_ptr<DumpCheck> check = job.engine->NewDumpCheck(job.target);
  DumpCheckSink checked(check.get(), writer.get());
  ByteSink& checked_or_not = job.verify_content ? static_cast<ByteSink&>(checked) : *writer;
  RedisEofMarkFilter unmarked(&checked_or_not);
  ByteSink& sink = job.engine->name() == "redis" ? static_cast<ByteSink&>(unmarked) : checked_or_not;
  ProgressTicker progress(control);
  ExecStreams streams;
  streams.on_stdout = [&](std::string_view d) {
    Status st = sink.Write(d);
    progress.Add(d.size());
    return st;
  };
  ExecOutcome outcome;
  // Every early return destroys `writer` unfinished, which removes its temp file.
  DW_RETURN_IF_ERROR(RunExec(docker, job.container, dump, guard, streams, &outcome));
  out->stderr_tail = outcome.stderr_tail.Text();
  DW_RETURN_IF_ERROR(CheckExit(dump, outcome));
  prober.join();
  DW_RETURN_IF_ERROR(version_status);
  writer->SetToolVersions(std::move(versions));
  DW_RETURN_IF_ERROR(sink.Finish());

  out->path = writer->path();
  out->sidecar_path =
      (std::filesystem::path(out->path).parent_path() / MetadataFileName(job.artifact_name))
          .string();
  out->metadata = writer->metadata();
  writer.reset();
  return Verify(job, out->path, out->sidecar_path, out->metadata);
}

}  // namespace dw::backup
