#include <catch2/catch.hpp>

#include "operator/json/json.h"
#include "reconcilers/backup/engine_registry.h"
#include "reconcilers/backup/run_status.h"
#include "reconcilers/backup/run_target.h"

namespace dw::backup {
namespace {

json::Document Parse(const std::string& text) {
  json::Document d;
  REQUIRE(json::Parse(text, &d).ok());
  return d;
}

clock::TimePoint At(const std::string& rfc3339) {
  clock::TimePoint t;
  REQUIRE(clock::ParseRfc3339(rfc3339, &t));
  return t;
}

TEST_CASE("artifact names: kind, compression and encryption extensions", "[backup][run_target]") {
  CHECK(ArtifactExtension("postgres", Compression::kZstd, false) == ".sql.zst");
  CHECK(ArtifactExtension("mysql", Compression::kGzip, false) == ".sql.gz");
  CHECK(ArtifactExtension("sqlite", Compression::kNone, false) == ".sql");
  CHECK(ArtifactExtension("redis", Compression::kZstd, true) == ".rdb.zst.enc");
  CHECK(ArtifactExtension("redis", Compression::kNone, true) == ".rdb.enc");
  CHECK(ArtifactFileName("db", At("2026-01-02T03:04:05Z"), ".sql.zst") == "db-20260102T030405Z.sql.zst");
  // UTC whatever the offset the time was written with.
  CHECK(ArtifactFileName("app", At("2026-01-02T03:04:05+02:00"), ".rdb") == "app-20260102T010405Z.rdb");
  CHECK(ArtifactDir("/backups", "local", "db") == "/backups/local/db");
  CHECK(ArtifactDir("/backups//", "h1", "db") == "/backups/h1/db");
  CHECK(ArtifactDir("/", "local", "db") == "/local/db");
}

TEST_CASE("Backup and Restore specs parse with defaults and errors", "[backup][run_target]") {
  BackupSpec b;
  REQUIRE(ParseBackupSpec(Parse(R"({"spec":{"policyName":"p","host":"h","container":"db",
      "engine":"postgres","databases":["a","b"],"dryRun":true}})"), &b).ok());
  CHECK(b.policy_name == "p");
  CHECK(b.host == "h");
  CHECK(b.databases == std::vector<std::string>{"a", "b"});
  CHECK(b.dry_run);
  CHECK(ParseBackupSpec(Parse(R"({"spec":{"engine":"postgres"}})"), &b).code() == Code::kInvalid);
  CHECK(ParseBackupSpec(Parse(R"({})"), &b).code() == Code::kInvalid);

  RestoreSpec r;
  REQUIRE(ParseRestoreSpec(Parse(R"({"spec":{"backupName":"b1","container":"db2"}})"), &r).ok());
  CHECK(r.host == "local");
  CHECK(r.backup_name == "b1");
  CHECK(ParseRestoreSpec(Parse(R"({"spec":{"container":"db2"}})"), &r).code() == Code::kInvalid);
  CHECK(ParseRestoreSpec(Parse(R"({"spec":{"backupName":"b","artifactPath":"/x","container":"c"}})"), &r)
            .code() == Code::kInvalid);
  CHECK(ParseRestoreSpec(Parse(R"({"spec":{"artifactPath":"/a/../etc/passwd","container":"c"}})"), &r)
            .code() == Code::kInvalid);
  REQUIRE(ParseRestoreSpec(Parse(R"({"spec":{"artifactPath":"/b/x.sql.zst","container":"c","database":"d"}})"), &r).ok());
  CHECK(r.database == "d");
}

TEST_CASE("MergeTarget: the spec's engine and databases override the labels", "[backup][run_target]") {
  std::map<std::string, std::string> labels = {{"dockward.io/backup.engine", "mysql"},
                                               {"dockward.io/backup.databases", "shop,crm"},
                                               {"dockward.io/backup.credentials-secret", "db-creds"}};
  ParsedTarget t;
  REQUIRE(MergeTarget(labels, "", "", {}, &t).ok());
  CHECK(t.target.engine == "mysql");
  CHECK(t.target.databases == std::vector<std::string>{"shop", "crm"});
  CHECK(t.target.credentials_secret == "db-creds");

  REQUIRE(MergeTarget(labels, "", "mariadb", {"only"}, &t).ok());
  CHECK(t.target.engine == "mariadb");
  CHECK(t.target.databases == std::vector<std::string>{"only"});
  CHECK_FALSE(t.target.all_databases);

  // No engine label at all: the spec's engine is enough.
  REQUIRE(MergeTarget({}, "", "postgres", {"app"}, &t).ok());
  CHECK(t.target.engine == "postgres");
  // Neither: rejected.
  CHECK(MergeTarget({}, "", "", {}, &t).code() == Code::kInvalid);
  // A hostile database name from the spec is refused, not passed on.
  CHECK(MergeTarget({}, "", "postgres", {"-c; rm -rf /"}, &t).code() == Code::kInvalid);
}

TEST_CASE("ResolveBackup without Secrets builds the job and the dry-run message",
          "[backup][run_target]") {
  BackupSpec spec;
  spec.policy_name = "p";
  spec.host = "local";
  spec.container = "pg";
  spec.engine = "postgres";
  PolicySpec policy;
  policy.destination = "/backups";
  policy.compression = Compression::kGzip;
  policy.timeout = std::chrono::seconds(90);
  std::map<std::string, std::string> labels = {{"dockward.io/backup.engine", "postgres"},
                                               {"dockward.io/backup.databases", "app"},
                                               {"dockward.io/backup.user", "admin"},
                                               {"dockward.io/backup.name", "orders"}};
  ResolvedBackup r;
  REQUIRE(ResolveBackup(nullptr, "default", spec, policy, labels, At("2026-03-04T05:06:07Z"), &r).ok());
  CHECK(r.job.dir == "/backups/local/orders");
  CHECK(r.job.artifact_name == "orders-20260304T050607Z.sql.gz");
  CHECK(r.job.timeout == std::chrono::seconds(90));
  CHECK(r.job.options.compression == Compression::kGzip);
  CHECK_FALSE(r.job.options.key.has_value());
  CHECK(r.job.engine == FindEngine("postgres"));
  CHECK(DryRunMessage(r) ==
        "would run pg_dump --format=plain --no-password -U admin -d app for databases [app] in "
        "container pg on host local into /backups/local/orders/orders-20260304T050607Z.sql.gz");

  // A target name that would leave the destination is refused.
  labels["dockward.io/backup.name"] = "..";
  CHECK_FALSE(ResolveBackup(nullptr, "default", spec, policy, labels, At("2026-03-04T05:06:07Z"), &r).ok());
}

TEST_CASE("FailureReason maps run errors to CamelCase reasons", "[backup][run_status]") {
  CHECK(FailureReason(Status::Corruption("truncated"), false, false) == "VerificationFailed");
  CHECK(FailureReason(Status::IOError("no space left on device writing /b/x"), false, false) == "DiskFull");
  CHECK(FailureReason(Status::IOError("fsync failed"), false, false) == "WriteFailed");
  CHECK(FailureReason(Status::Unavailable("daemon"), false, false) == "HostUnreachable");
  CHECK(FailureReason(Status::Timeout("1h"), false, false) == "Timeout");
  CHECK(FailureReason(Status::Internal("pg_dump exited with 1"), false, false) == "DumpFailed");
  CHECK(FailureReason(Status::Internal("x"), false, false, "RestoreFailed") == "RestoreFailed");
  CHECK(FailureReason(Status::Timeout("cancelled"), true, false) == "Cancelled");
  CHECK(FailureReason(Status::Timeout("cancelled"), true, true) == "Interrupted");
}

}  // namespace
}  // namespace dw::backup
