// BackupPolicy.spec as a typed struct, parsed once per reconcile from the
// stored object (which the API server has already validated and defaulted
// against crds/backuppolicy.yaml). Parsing still checks what the schema
// cannot: the cron expression and time zone, the selector, and that the
// destination is an absolute path. Both the policy reconciler and the Backup
// reconciler (destination, compression, encryption, verification, retry,
// timeout, notifications) read it, so a run always uses its policy's
// current settings.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "operator/common/status.h"
#include "operator/json/json.h"
#include "operator/meta/label_selector.h"
#include "reconcilers/backup/compression.h"
#include "reconcilers/backup/cron.h"
#include "reconcilers/backup/retention.h"

namespace dw::backup {

struct SecretKeyRef {
  std::string name;  // Secret in the policy's namespace
  std::string key;
};

enum class ConcurrencyPolicy { kForbid, kReplace, kAllow };

struct RestoreTestSpec {
  bool enabled = false;
  std::string image;        // empty: the source container's image
  std::string check_query;  // empty: the engine's default liveness query
};

struct PolicySpec {
  std::vector<std::string> docker_hosts;  // DockerHost names, same namespace
  meta::LabelSelector selector;           // over Docker container labels
  bool selector_empty = true;             // select every container with an engine label
  std::string label_prefix;               // "dockward.io/backup."
  Schedule schedule;
  bool suspend = false;
  ConcurrencyPolicy concurrency = ConcurrencyPolicy::kForbid;
  std::optional<std::chrono::seconds> starting_deadline;
  std::string destination;  // absolute directory
  Compression compression = Compression::kZstd;
  std::optional<int> compression_level;
  std::optional<SecretKeyRef> encryption_key;
  std::optional<RetentionPolicy> retention;  // absent: keep everything
  bool verify_checksum = true;
  bool verify_content = true;   // the engine's DumpCheck while streaming
  bool verify_decode = false;   // a second, full decode pass after writing
  RestoreTestSpec restore_test;
  std::chrono::seconds timeout{3600};
  int max_concurrent_per_host = 2;
  int retry_attempts = 3;
  std::chrono::seconds retry_backoff{10};
  std::optional<SecretKeyRef> webhook_url;
  bool notify_success = false;
  bool notify_failure = true;
  bool dry_run = false;
};

// `policy` is the whole BackupPolicy object. Errors are Invalid and name the
// field ("spec.schedule: ...").
Status ParsePolicySpec(const json::Value& policy, PolicySpec* out);

}  // namespace dw::backup
