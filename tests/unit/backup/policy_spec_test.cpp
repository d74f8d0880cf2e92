#include <catch2/catch.hpp>

#include "reconcilers/backup/policy_spec.h"

using dw::Code;
using dw::backup::Compression;
using dw::backup::ConcurrencyPolicy;
using dw::backup::ParsePolicySpec;
using dw::backup::PolicySpec;

namespace {

dw::json::Document PolicyDoc(const std::string& spec_json) {
  dw::json::Document d;
  auto st = dw::json::Parse(R"({"metadata":{"name":"p"},"spec":)" + spec_json + "}", &d);
  INFO(spec_json << " " << st.ToString());
  REQUIRE(st.ok());
  return d;
}

PolicySpec MustParse(const std::string& spec_json) {
  auto d = PolicyDoc(spec_json);
  PolicySpec out;
  auto st = ParsePolicySpec(d, &out);
  INFO(st.ToString());
  REQUIRE(st.ok());
  return out;
}

// Parses and expects Invalid naming `field` (message and cause).
void ExpectInvalid(const std::string& spec_json, const std::string& field) {
  auto d = PolicyDoc(spec_json);
  PolicySpec out;
  auto st = ParsePolicySpec(d, &out);
  INFO(spec_json << " -> " << st.ToString());
  REQUIRE(st.code() == Code::kInvalid);
  CHECK(st.message().rfind(field + ": ", 0) == 0);
  REQUIRE(st.causes().size() == 1);
  CHECK(st.causes()[0].field == field);
}

const char* kMinimal = R"({"schedule":"0 2 * * *","destination":{"path":"/var/backups"}})";

}  // namespace

TEST_CASE("a minimal spec gets the CRD defaults", "[policy_spec]") {
  PolicySpec s = MustParse(kMinimal);
  CHECK(s.docker_hosts == std::vector<std::string>{"local"});
  CHECK(s.selector_empty);
  CHECK(s.label_prefix == "dockward.io/backup.");
  CHECK(s.schedule.text == "0 2 * * *");
  CHECK(s.schedule.zone->name() == "UTC");
  CHECK_FALSE(s.suspend);
  CHECK(s.concurrency == ConcurrencyPolicy::kForbid);
  CHECK_FALSE(s.starting_deadline.has_value());
  CHECK(s.destination == "/var/backups");
  CHECK(s.compression == Compression::kZstd);
  CHECK_FALSE(s.compression_level.has_value());
  CHECK_FALSE(s.encryption_key.has_value());
  CHECK_FALSE(s.retention.has_value());
  CHECK(s.verify_checksum);
  CHECK(s.verify_content);
  CHECK_FALSE(s.verify_decode);
  CHECK_FALSE(s.restore_test.enabled);
  CHECK(s.timeout == std::chrono::seconds(3600));
  CHECK(s.max_concurrent_per_host == 2);
  CHECK(s.retry_attempts == 3);
  CHECK(s.retry_backoff == std::chrono::seconds(10));
  CHECK_FALSE(s.webhook_url.has_value());
  CHECK_FALSE(s.notify_success);
  CHECK(s.notify_failure);
  CHECK_FALSE(s.dry_run);
}

TEST_CASE("every field of a full spec is read", "[policy_spec]") {
  PolicySpec s = MustParse(R"({
    "dockerHosts":["local","remote-1"],
    "selector":{"matchLabels":{"app":"db"},
                "matchExpressions":[{"key":"tier","operator":"In","values":["a","b"]}]},
    "labelPrefix":"example.com/bk.",
    "schedule":"*/15 * * * *","timeZone":"Europe/Berlin","suspend":true,
    "concurrencyPolicy":"Replace","startingDeadlineSeconds":300,
    "destination":{"path":"//srv//backups/"},
    "compression":"gzip","compressionLevel":9,
    "encryption":{"keySecretRef":{"name":"bk-key","key":"key"}},
    "retention":{"keepLast":3,"hourly":1,"daily":7,"weekly":4,"monthly":12,"yearly":2},
    "verify":{"checksum":false,"content":false,"decode":true,
              "restoreTest":{"enabled":true,"image":"postgres:16","checkQuery":"select 1"}},
    "timeoutSeconds":60,"maxConcurrentPerHost":4,
    "retry":{"attempts":5,"backoffSeconds":2},
    "notifications":{"webhook":{"urlSecretRef":{"name":"hook","key":"url"}},"on":["Success"]},
    "dryRun":true})");
  CHECK(s.docker_hosts == std::vector<std::string>{"local", "remote-1"});
  CHECK_FALSE(s.selector_empty);
  CHECK(s.selector.ToString() == "app=db,tier in (a,b)");
  CHECK(s.selector.Matches({{"app", "db"}, {"tier", "b"}}));
  CHECK_FALSE(s.selector.Matches({{"app", "db"}, {"tier", "c"}}));
  CHECK(s.label_prefix == "example.com/bk.");
  CHECK(s.schedule.minutes.count() == 4);
  CHECK(s.schedule.zone->name() == "Europe/Berlin");
  CHECK(s.suspend);
  CHECK(s.concurrency == ConcurrencyPolicy::kReplace);
  CHECK(s.starting_deadline == std::chrono::seconds(300));
  CHECK(s.destination == "/srv/backups");
  CHECK(s.compression == Compression::kGzip);
  CHECK(s.compression_level == 9);
  REQUIRE(s.encryption_key.has_value());
  CHECK(s.encryption_key->name == "bk-key");
  CHECK(s.encryption_key->key == "key");
  REQUIRE(s.retention.has_value());
  CHECK(s.retention->keep_last == 3);
  CHECK(s.retention->hourly == 1);
  CHECK(s.retention->daily == 7);
  CHECK(s.retention->weekly == 4);
  CHECK(s.retention->monthly == 12);
  CHECK(s.retention->yearly == 2);
  CHECK_FALSE(s.verify_checksum);
  CHECK_FALSE(s.verify_content);
  CHECK(s.verify_decode);
  CHECK(s.restore_test.enabled);
  CHECK(s.restore_test.image == "postgres:16");
  CHECK(s.restore_test.check_query == "select 1");
  CHECK(s.timeout == std::chrono::seconds(60));
  CHECK(s.max_concurrent_per_host == 4);
  CHECK(s.retry_attempts == 5);
  CHECK(s.retry_backoff == std::chrono::seconds(2));
  REQUIRE(s.webhook_url.has_value());
  CHECK(s.webhook_url->name == "hook");
  CHECK(s.notify_success);
  CHECK_FALSE(s.notify_failure);
  CHECK(s.dry_run);
}

TEST_CASE("an empty retention object keeps everything", "[policy_spec]") {
  PolicySpec s = MustParse(R"({"schedule":"@daily","destination":{"path":"/b"},"retention":{}})");
  REQUIRE(s.retention.has_value());
  CHECK(s.retention->KeepsEverything());
  CHECK(s.schedule.hours.count() == 1);
}

TEST_CASE("an empty selector object selects by engine label only", "[policy_spec]") {
  PolicySpec s = MustParse(R"({"schedule":"@daily","destination":{"path":"/b"},"selector":{}})");
  CHECK(s.selector_empty);
}

TEST_CASE("invalid fields are named", "[policy_spec]") {
  ExpectInvalid(R"({"destination":{"path":"/b"}})", "spec.schedule");
  ExpectInvalid(R"({"schedule":"61 * * * *","destination":{"path":"/b"}})", "spec.schedule");
  ExpectInvalid(R"({"schedule":"0 0 30 2 *","destination":{"path":"/b"},"timeZone":"Mars/Olympus"})",
                "spec.timeZone");
  ExpectInvalid(R"({"schedule":"@daily","timeZone":"../../etc/passwd","destination":{"path":"/b"}})",
                "spec.timeZone");
  ExpectInvalid(R"({"schedule":"@daily"})", "spec.destination");
  ExpectInvalid(R"({"schedule":"@daily","destination":{"path":"relative/dir"}})",
                "spec.destination.path");
  ExpectInvalid(R"({"schedule":"@daily","destination":{"path":"/a/../etc"}})",
                "spec.destination.path");
  ExpectInvalid(R"({"schedule":"@daily","destination":{"path":"/b"},"selector":{"matchLabels":{"bad key!":"x"}}})",
                "spec.selector");
  ExpectInvalid(R"({"schedule":"@daily","destination":{"path":"/b"},"selector":{"matchExpressions":[{"key":"a","operator":"Exists","values":["x"]}]}})",
                "spec.selector");
  ExpectInvalid(R"({"schedule":"@daily","destination":{"path":"/b"},"concurrencyPolicy":"Sometimes"})",
                "spec.concurrencyPolicy");
  ExpectInvalid(R"({"schedule":"@daily","destination":{"path":"/b"},"compression":"lz4"})",
                "spec.compression");
  ExpectInvalid(R"({"schedule":"@daily","destination":{"path":"/b"},"compression":"gzip","compressionLevel":15})",
                "spec.compressionLevel");
  ExpectInvalid(R"({"schedule":"@daily","destination":{"path":"/b"},"dockerHosts":[]})",
                "spec.dockerHosts");
  ExpectInvalid(R"({"schedule":"@daily","destination":{"path":"/b"},"dockerHosts":["a","a"]})",
                "spec.dockerHosts[1]");
  ExpectInvalid(R"({"schedule":"@daily","destination":{"path":"/b"},"dockerHosts":["Bad Host"]})",
                "spec.dockerHosts[0]");
  ExpectInvalid(R"({"schedule":"@daily","destination":{"path":"/b"},"retention":{"daily":-1}})",
                "spec.retention.daily");
  ExpectInvalid(R"({"schedule":"@daily","destination":{"path":"/b"},"retry":{"attempts":0}})",
                "spec.retry.attempts");
  ExpectInvalid(R"({"schedule":"@daily","destination":{"path":"/b"},"maxConcurrentPerHost":65})",
                "spec.maxConcurrentPerHost");
  ExpectInvalid(R"({"schedule":"@daily","destination":{"path":"/b"},"suspend":"yes"})",
                "spec.suspend");
  ExpectInvalid(R"({"schedule":"@daily","destination":{"path":"/b"},"encryption":{"keySecretRef":{"name":"k"}}})",
                "spec.encryption.keySecretRef.key");
  ExpectInvalid(R"({"schedule":"@daily","destination":{"path":"/b"},"notifications":{"on":["Always"]}})",
                "spec.notifications.on[0]");
  ExpectInvalid(R"({"schedule":"@daily","destination":{"path":"/b"},"startingDeadlineSeconds":-5})",
                "spec.startingDeadlineSeconds");
}

TEST_CASE("destination messages name the field once", "[policy_spec]") {
  auto d = PolicyDoc(R"({"schedule":"@daily","destination":{"path":"/a/./b"}})");
  PolicySpec out;
  auto st = ParsePolicySpec(d, &out);
  REQUIRE(st.code() == Code::kInvalid);
  CHECK(st.message().rfind("spec.destination.path: value \"/a/./b\" rejected", 0) == 0);
  CHECK(MustParse(R"({"schedule":"@daily","destination":{"path":"/"}})").destination == "/");
}

TEST_CASE("a policy without spec is invalid", "[policy_spec]") {
  dw::json::Document d;
  REQUIRE(dw::json::Parse(R"({"metadata":{"name":"p"}})", &d).ok());
  PolicySpec out;
  auto st = ParsePolicySpec(d, &out);
  CHECK(st.code() == Code::kInvalid);
  CHECK(st.message().rfind("spec: ", 0) == 0);
}
