#include <catch2/catch.hpp>

#include "operator/runtime/conditions.h"
#include "reconcilers/backup/policy_status.h"
#include "tests/unit/backup/civil_test_util.h"

using dw::backup::BackupView;
using dw::backup::BuildPolicyStatus;
using dw::backup::PolicyObservation;
using dw::backup::ResolvedTarget;
using dw::backup::TargetsFromStatus;
using dw::backup::testing::Utc;
namespace json = dw::json;

namespace {

ResolvedTarget T(const std::string& container, const std::string& key) {
  ResolvedTarget t;
  t.host = "local";
  t.container = container;
  t.key = key;
  t.name = container;
  t.engine = "postgres";
  return t;
}

BackupView B(const std::string& name, const std::string& target, const std::string& phase,
             dw::clock::TimePoint done) {
  BackupView b;
  b.name = name;
  b.target = target;
  b.phase = phase;
  b.created = done - std::chrono::minutes(2);
  if (phase == "Succeeded" || phase == "Failed") {
    b.start = done - std::chrono::seconds(90);
    b.completion = done;
  }
  return b;
}

std::string CondStatus(const json::Value& st, const std::string& type) {
  const json::Value* c = dw::runtime::FindCondition(st, type);
  return c ? json::GetString(*c, "status") : "";
}
std::string CondReason(const json::Value& st, const std::string& type) {
  const json::Value* c = dw::runtime::FindCondition(st, type);
  return c ? json::GetString(*c, "reason") : "";
}

}  // namespace

TEST_CASE("status reports targets with their newest finished Backup", "[policy_status]") {
  PolicyObservation obs;
  obs.generation = 3;
  obs.targets = {T("pg", "k1"), T("pg2", "k2")};
  obs.targets[0].databases = {"app"};
  auto ok = B("pg-1", "k1", "Succeeded", Utc(2026, 1, 1, 2));
  ok.size_bytes = 1234;
  ok.sha256 = std::string(64, 'a');
  ok.path = "/b/pg-1.sql.zst";
  obs.backups = {B("pg-0", "k1", "Failed", Utc(2025, 12, 31, 2)), ok,
                 B("pg-2", "k1", "Running", Utc(2026, 1, 2, 2))};
  obs.last_schedule = Utc(2026, 1, 2, 2);
  obs.next_schedule = Utc(2026, 1, 3, 2);
  obs.last_handled_run_request = "n1";
  json::Document st;
  BuildPolicyStatus(nullptr, obs, Utc(2026, 1, 2, 2, 1), &st);

  CHECK(json::GetInt(st, "observedGeneration") == 3);
  CHECK(json::GetString(st, "lastScheduleTime") == "2026-01-02T02:00:00Z");
  CHECK(json::GetString(st, "nextScheduleTime") == "2026-01-03T02:00:00Z");
  CHECK(json::GetString(st, "lastSuccessfulTime") == "2026-01-01T02:00:00Z");
  CHECK(json::GetString(st, "lastHandledRunRequest") == "n1");
  REQUIRE(st["activeBackups"].Size() == 1);
  CHECK(std::string(st["activeBackups"][0].GetString()) == "pg-2");
  const auto& ts = st["targets"];
  REQUIRE(ts.Size() == 2);
  CHECK(json::GetString(ts[0], "key") == "k1");
  CHECK(json::GetString(ts[0], "engine") == "postgres");
  CHECK(ts[0]["databases"].Size() == 1);
  CHECK(json::GetString(ts[0], "lastBackup") == "pg-1");
  const auto& r = ts[0]["lastResult"];
  CHECK(json::GetString(r, "phase") == "Succeeded");
  CHECK(json::GetInt(r, "sizeBytes") == 1234);
  CHECK(json::GetString(r, "sha256") == std::string(64, 'a'));
  CHECK(r["durationSeconds"].GetDouble() == 90.0);
  CHECK(json::GetString(r, "path") == "/b/pg-1.sql.zst");
  CHECK(json::GetString(r, "completionTime") == "2026-01-01T02:00:00Z");
  CHECK(json::Find(ts[1], "lastBackup") == nullptr);
  CHECK(json::Find(ts[1], "databases") == nullptr);

  CHECK(CondStatus(st, "Ready") == "True");
  CHECK(CondStatus(st, "Degraded") == "False");
}

TEST_CASE("a failed last run, invalid labels and unreachable hosts degrade", "[policy_status]") {
  PolicyObservation obs;
  obs.generation = 1;
  obs.targets = {T("pg", "k1")};
  obs.backups = {B("pg-1", "k1", "Succeeded", Utc(2026, 1, 1)), B("pg-2", "k1", "Failed", Utc(2026, 1, 2))};
  json::Document st;
  BuildPolicyStatus(nullptr, obs, Utc(2026, 1, 3), &st);
  CHECK(CondStatus(st, "Ready") == "True");
  CHECK(CondStatus(st, "Degraded") == "True");
  CHECK(CondReason(st, "Degraded") == "BackupFailed");
  CHECK(json::GetString(st["targets"][0]["lastResult"], "phase") == "Failed");
  CHECK(json::GetString(st, "lastSuccessfulTime") == "2026-01-01T00:00:00Z");

  ResolvedTarget bad;
  bad.host = "local";
  bad.container = "evil";
  bad.name = "evil";
  bad.error = "label \"x\": value \"; rm\" rejected";
  PolicyObservation obs2;
  obs2.targets = {bad};
  json::Document st2;
  BuildPolicyStatus(nullptr, obs2, Utc(2026, 1, 3), &st2);
  CHECK(CondReason(st2, "Degraded") == "InvalidTargetLabels");
  CHECK(json::GetString(st2["targets"][0], "error") == bad.error);
  CHECK(json::Find(st2["targets"][0], "engine") == nullptr);
  CHECK(json::Find(st2["targets"][0], "key") == nullptr);

  obs2.host_errors = {{"remote", "connection refused"}};
  json::Document st3;
  BuildPolicyStatus(&st2, obs2, Utc(2026, 1, 3), &st3);
  CHECK(CondStatus(st3, "Ready") == "False");
  CHECK(CondReason(st3, "Ready") == "HostUnreachable");
  CHECK(CondReason(st3, "Degraded") == "HostUnreachable");
  const json::Value* d = dw::runtime::FindCondition(st3, "Degraded");
  std::string msg = json::GetString(*d, "message");
  CHECK(msg.find("DockerHost remote: connection refused") != std::string::npos);
  CHECK(msg.find("1 container(s) with invalid backup labels") != std::string::npos);
}

TEST_CASE("an invalid spec makes the policy not Ready", "[policy_status]") {
  PolicyObservation obs;
  obs.spec_error = "spec.schedule: bad";
  json::Document st;
  BuildPolicyStatus(nullptr, obs, Utc(2026, 1, 3), &st);
  CHECK(CondStatus(st, "Ready") == "False");
  CHECK(CondReason(st, "Ready") == "InvalidSpec");
  CHECK(json::Find(st, "nextScheduleTime") == nullptr);
}

TEST_CASE("dry runs are neither a last result nor a success", "[policy_status]") {
  PolicyObservation obs;
  obs.targets = {T("pg", "k1")};
  auto dry = B("dry", "k1", "Succeeded", Utc(2026, 1, 2));
  dry.dry_run = true;
  obs.backups = {dry};
  json::Document st;
  BuildPolicyStatus(nullptr, obs, Utc(2026, 1, 3), &st);
  CHECK(json::Find(st["targets"][0], "lastBackup") == nullptr);
  CHECK(json::Find(st, "lastSuccessfulTime") == nullptr);
}

TEST_CASE("rebuilding from an unchanged observation is a fixed point", "[policy_status]") {
  PolicyObservation obs;
  obs.generation = 2;
  obs.targets = {T("pg", "k1")};
  obs.backups = {B("pg-1", "k1", "Succeeded", Utc(2026, 1, 1))};
  obs.next_schedule = Utc(2026, 1, 4);
  json::Document a, b;
  BuildPolicyStatus(nullptr, obs, Utc(2026, 1, 3), &a);
  BuildPolicyStatus(&a, obs, Utc(2026, 1, 3, 5), &b);  // later clock: transition times stay
  CHECK(json::Equal(a, b));
  // The success time survives the pruning of the Backup that set it.
  obs.backups.clear();
  json::Document c;
  BuildPolicyStatus(&a, obs, Utc(2026, 1, 3, 6), &c);
  CHECK(json::GetString(c, "lastSuccessfulTime") == "2026-01-01T00:00:00Z");
}

TEST_CASE("targets are recovered from a previous status per host", "[policy_status]") {
  PolicyObservation obs;
  auto t1 = T("pg", "k1");
  t1.databases = {"a", "b"};
  auto t2 = T("other", "k2");
  t2.host = "remote";
  obs.targets = {t1, t2};
  json::Document st;
  BuildPolicyStatus(nullptr, obs, Utc(2026, 1, 3), &st);
  auto local = TargetsFromStatus(st, "local");
  REQUIRE(local.size() == 1);
  CHECK(local[0].container == "pg");
  CHECK(local[0].key == "k1");
  CHECK(local[0].engine == "postgres");
  CHECK(local[0].databases == std::vector<std::string>{"a", "b"});
  CHECK(local[0].valid());
  CHECK(TargetsFromStatus(st, "remote").size() == 1);
  CHECK(TargetsFromStatus(st, "").size() == 2);
  CHECK(TargetsFromStatus(st, "nowhere").empty());
}
