// RunRestore: verify, open, then execute the engine's RestorePlan step by
// step, streaming the plaintext into an exec's stdin or a container file.
#include "reconcilers/backup/restore_runner.h"

#include "reconcilers/backup/artifact_reader.h"
#include "reconcilers/backup/runner_exec.h"

namespace dw::backup {
namespace {

constexpr int kStopTimeoutSeconds = 30;
constexpr uint32_t kDumpFileMode = 0644;

// Pulls the plaintext dump for one step: counts, reports progress, stops on
// cancel or deadline, and remembers why it stopped.
class DumpFeed {
 public:
  DumpFeed(ByteSource* source, const RunGuard& guard, ProgressTicker* progress)
      : source_(source), guard_(guard), progress_(progress) {}

  Status Read(char* buf, size_t cap, size_t* n) {
    *n = 0;
    if (!error_.ok()) return error_;
    if (guard_.Stopped()) return error_ = guard_.Reason("restore");
    Status st = source_->Read(buf, cap, n);
    if (!st.ok()) return error_ = st;
    progress_->Add(*n);
    return Status::OK();
  }
  // As docker::ExecIO::stdin_source: 0 ends the input, also on error.
  size_t ReadForExec(char* buf, size_t cap) {
    size_t n = 0;
    return Read(buf, cap, &n).ok() ? n : 0;
  }
  const Status& error() const { return error_; }

 private:
  ByteSource* source_;
  const RunGuard& guard_;
  ProgressTicker* progress_;
  Status error_;
};

// MySQL and MariaDB dumps are plain SQL both clients read.
bool CompatibleEngines(std::string_view made_by, std::string_view restore_with) {
  auto family = [](std::string_view e) -> std::string_view {
    return e == "mariadb" ? "mysql" : e == "postgresql" ? "postgres" : e;
  };
  return made_by.empty() || family(made_by) == family(restore_with);
}

struct StepContext {
  docker::DockerClient& docker;
  const RestoreJob& job;
  const RunGuard& guard;
  ProgressTicker& progress;
  RestoreOutcome* out;
};

Status OpenDump(const RestoreJob& job, std::unique_ptr<ByteSource>* source) {
  const EncryptionKey* key = job.key ? &*job.key : nullptr;
  return OpenArtifact(job.artifact_path, job.metadata, key, source);
}

Status ExecStep(StepContext& c, const RestoreStep& step) {
  ExecOutcome outcome;
  ExecStreams streams;
  std::unique_ptr<ByteSource> source;
  std::unique_ptr<DumpFeed> feed;
  const uint64_t before = c.progress.bytes();
  if (step.kind == RestoreStep::Kind::kExecWithDump) {
    DW_RETURN_IF_ERROR(OpenDump(c.job, &source));
    feed = std::make_unique<DumpFeed>(source.get(), c.guard, &c.progress);
    streams.stdin_source = [&feed](char* buf, size_t cap) { return feed->ReadForExec(buf, cap); };
    streams.stdin_error = &feed->error();
  }
  DW_RETURN_IF_ERROR(RunExec(c.docker, c.job.container, step.exec, c.guard, streams, &outcome));
  c.out->stderr_tail = outcome.stderr_tail.Text();
  DW_RETURN_IF_ERROR(CheckExit(step.exec, outcome));
  const uint64_t fed = c.progress.bytes() - before;
  if (feed && fed != c.job.metadata.dump_bytes) {
    // A tool that exits 0 without reading all of its input restored less
    // than the dump holds; never report that as success.
    return Status::Internal(step.exec.argv[0] + " exited after reading " + std::to_string(fed) +
                            " of " + std::to_string(c.job.metadata.dump_bytes) + " dump bytes");
  }
  return Status::OK();
}

Status CopyStep(StepContext& c, const RestoreStep& step) {
  const size_t slash = step.path.rfind('/');
  if (step.path.empty() || step.path[0] != '/' || slash + 1 == step.path.size())
    return Status::Internal("restore plan: \"" + step.path + "\" is not an absolute file path");
  const std::string dir = slash == 0 ? "/" : step.path.substr(0, slash);
  const std::string name = step.path.substr(slash + 1);
  std::unique_ptr<ByteSource> source;
  DW_RETURN_IF_ERROR(OpenDump(c.job, &source));
  DumpFeed feed(source.get(), c.guard, &c.progress);
  Status st = c.docker.PutArchive(
      c.job.container, dir, name, c.job.metadata.dump_bytes, kDumpFileMode,
      [&feed](char* buf, size_t cap, size_t* n) { return feed.Read(buf, cap, n); },
      c.guard.timeout());
  DW_RETURN_IF_ERROR(feed.error());
  return st;
}

Status RunStep(StepContext& c, const RestoreStep& step) {
  if (c.guard.Stopped()) return c.guard.Reason("restore");
  switch (step.kind) {
    case RestoreStep::Kind::kExec:
    case RestoreStep::Kind::kExecWithDump:
      return ExecStep(c, step);
    case RestoreStep::Kind::kStopContainer:
      return c.docker.StopContainer(c.job.container, kStopTimeoutSeconds);
    case RestoreStep::Kind::kStartContainer:
      return c.docker.StartContainer(c.job.container);
    case RestoreStep::Kind::kCopyDumpToFile:
      return CopyStep(c, step);
  }
  return Status::Internal("restore plan: unknown step kind");
}

}  // namespace

Status RunRestore(docker::DockerClient& docker, const RestoreJob& job, const RunControl& control,
                  RestoreOutcome* out) {
  if (job.engine == nullptr) return Status::Invalid("restore: no engine");
  if (!CompatibleEngines(job.metadata.engine, job.engine->name()))
    return Status::Invalid("restore: artifact was made by engine \"" + job.metadata.engine +
                           "\", not " + std::string(job.engine->name()));
  RestorePlan plan;
  DW_RETURN_IF_ERROR(job.engine->RestoreCommand(job.target, job.credentials, &plan));
  DW_RETURN_IF_ERROR(VerifyArtifact(job.artifact_path, job.metadata));
  RunGuard guard(control, job.timeout);
  ProgressTicker progress(control);
  out->note = plan.note;
  StepContext ctx{docker, job, guard, progress, out};
  for (const RestoreStep& step : plan.steps) DW_RETURN_IF_ERROR(RunStep(ctx, step));
  out->bytes = progress.bytes();
  return Status::OK();
}

}  // namespace dw::backup
