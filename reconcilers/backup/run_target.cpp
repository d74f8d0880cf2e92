#include "reconcilers/backup/run_target.h"

#include <time.h>

#include <algorithm>
#include <cctype>

#include "operator/runtime/secrets.h"
#include "reconcilers/backup/engine_registry.h"

namespace dw::backup {

namespace {

std::vector<std::string> StringList(const json::Value* v) {
  std::vector<std::string> out;
  if (v == nullptr || !v->IsArray()) return out;
  for (const auto& e : v->GetArray())
    if (e.IsString()) out.emplace_back(e.GetString(), e.GetStringLength());
  return out;
}

// A name used as one path segment: no separators, no "." / "..", no
// leading '-' or '.', so it can never leave the destination directory.
Status ValidateSegment(std::string_view what, const std::string& v) {
  bool ok = !v.empty() && v.size() <= 253 && v != "." && v != ".." && v[0] != '-' && v[0] != '.';
  for (char c : v)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-')) ok = false;
  if (!ok)
    return Status::Invalid(std::string(what) + " " + QuoteForMessage(v) +
                           " cannot be used as a directory or file name (allowed: letters, digits, '_', '.', '-')");
  return Status::OK();
}

}  // namespace

Status ParseBackupSpec(const json::Value& backup, BackupSpec* out) {
  const json::Value* spec = json::Find(backup, "spec");
  if (spec == nullptr || !spec->IsObject()) return Status::Invalid("spec: required");
  out->policy_name = json::GetString(*spec, "policyName");
  out->host = json::GetString(*spec, "host", "local");
  out->container = json::GetString(*spec, "container");
  out->engine = json::GetString(*spec, "engine");
  out->databases = StringList(json::Find(*spec, "databases"));
  out->dry_run = json::GetBool(*spec, "dryRun");
  if (out->container.empty()) return Status::Invalid("spec.container: required");
  return Status::OK();
}

Status ParseRestoreSpec(const json::Value& restore, RestoreSpec* out) {
  const json::Value* spec = json::Find(restore, "spec");
  if (spec == nullptr || !spec->IsObject()) return Status::Invalid("spec: required");
  out->backup_name = json::GetString(*spec, "backupName");
  out->artifact_path = json::GetString(*spec, "artifactPath");
  out->policy_name = json::GetString(*spec, "policyName");
  out->host = json::GetString(*spec, "host", "local");
  out->container = json::GetString(*spec, "container");
  out->database = json::GetString(*spec, "database");
  out->engine = json::GetString(*spec, "engine");
  if (out->container.empty()) return Status::Invalid("spec.container: required");
  if (out->backup_name.empty() == out->artifact_path.empty())
    return Status::Invalid("spec: exactly one of backupName and artifactPath must be set");
  if (!out->artifact_path.empty())
    DW_RETURN_IF_ERROR(ValidateAbsolutePath("spec.artifactPath", out->artifact_path));
  return Status::OK();
}

std::string ArtifactExtension(std::string_view engine, Compression c, bool encrypted) {
  std::string ext = engine == "redis" ? ".rdb" : ".sql";
  ext += CompressionExtension(c);
  if (encrypted) ext += ".enc";
  return ext;
}

std::string ArtifactFileName(const std::string& target_name, clock::TimePoint t, std::string_view ext) {
  time_t secs = std::chrono::system_clock::to_time_t(t);
  struct tm tm;
  gmtime_r(&secs, &tm);
  char stamp[32];
  strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
  return target_name + "-" + stamp + std::string(ext);
}

std::string ArtifactDir(const std::string& destination, const std::string& host,
                        const std::string& target_name) {
  std::string dir = destination;
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  if (dir != "/") dir += "/";
  return dir + host + "/" + target_name;
}

Status MergeTarget(const std::map<std::string, std::string>& labels, std::string_view prefix,
                   const std::string& engine, const std::vector<std::string>& databases,
                   ParsedTarget* out) {
  std::string p(prefix.empty() ? kDefaultLabelPrefix : prefix);
  const std::map<std::string, std::string>* use = &labels;
  std::map<std::string, std::string> copy;
  if (!engine.empty() || !databases.empty()) {
    copy = labels;
    use = &copy;
  }
  if (!engine.empty()) copy[p + "engine"] = engine;
  if (!databases.empty()) {
    // Overrides go in as labels so the engine's own rules see them; each
    // name is checked first, so joining on ',' cannot split one.
    std::string list;
    for (const auto& d : databases) {
      DW_RETURN_IF_ERROR(ValidateIdentifier("spec.databases", d));
      list += (list.empty() ? "" : ",") + d;
    }
    copy[p + "databases"] = list;
    copy.erase(p + "all-databases");
    copy.erase("baktainer.db.all");
  }
  DW_RETURN_IF_ERROR(ParseTargetLabels(*use, p, out));
  const DatabaseEngine* eng = nullptr;
  DW_RETURN_IF_ERROR(LookupEngine(out->target.engine, &eng));
  return eng->Validate(out->target);
}

Status ReadCredentials(runtime::Client* client, const std::string& ns, const std::string& secret,
                       Credentials* out) {
  *out = Credentials{};
  if (secret.empty()) return Status::OK();
  DW_RETURN_IF_ERROR(runtime::ReadSecretKey(client, ns, secret, "password", &out->password));
  bool has_username = false;  // optional: engines have a default user
  return runtime::ReadSecretKey(client, ns, secret, "username", &out->username, &has_username);
}

Status ReadEncryptionKey(runtime::Client* client, const std::string& ns, const PolicySpec& policy,
                         std::optional<EncryptionKey>* out) {
  out->reset();
  if (!policy.encryption_key) return Status::OK();
  const SecretKeyRef& ref = *policy.encryption_key;
  std::string material;
  DW_RETURN_IF_ERROR(runtime::ReadSecretKey(client, ns, ref.name, ref.key, &material));
  EncryptionKey key;
  Status st = EncryptionKey::Parse(material, &key);
  std::fill(material.begin(), material.end(), '\0');
  if (!st.ok())
    return Status::Invalid("encryption key in secret " + ns + "/" + ref.name + " key " + ref.key +
                           ": " + st.message());
  *out = key;
  return Status::OK();
}

Status ResolveBackup(runtime::Client* client, const std::string& ns, const BackupSpec& spec,
                     const PolicySpec& policy, const std::map<std::string, std::string>& labels,
                     clock::TimePoint now, ResolvedBackup* out) {
  ParsedTarget parsed;
  DW_RETURN_IF_ERROR(MergeTarget(labels, policy.label_prefix, spec.engine, spec.databases, &parsed));
  const DatabaseEngine* engine = nullptr;
  DW_RETURN_IF_ERROR(LookupEngine(parsed.target.engine, &engine));
  std::string target_name = parsed.target.name.empty() ? spec.container : parsed.target.name;
  DW_RETURN_IF_ERROR(ValidateSegment("target name", target_name));
  DW_RETURN_IF_ERROR(ValidateSegment("host", spec.host));

  BackupJob& job = out->job;
  job.host = spec.host;
  job.container = spec.container;
  job.engine = engine;
  job.target = parsed.target;
  DW_RETURN_IF_ERROR(ReadCredentials(client, ns, parsed.target.credentials_secret, &job.credentials));
  DW_RETURN_IF_ERROR(ReadEncryptionKey(client, ns, policy, &job.options.key));
  job.options.compression = policy.compression;
  job.options.compression_level = policy.compression_level;
  job.dir = ArtifactDir(policy.destination, spec.host, target_name);
  job.artifact_name = ArtifactFileName(
      target_name, now,
      ArtifactExtension(engine->name(), policy.compression, job.options.key.has_value()));
  job.verify_checksum = policy.verify_checksum;
  job.verify_content = policy.verify_content;
  job.verify_decode = policy.verify_decode;
  job.timeout = policy.timeout;
  DW_RETURN_IF_ERROR(engine->DumpCommand(job.target, job.credentials, &out->dump));
  out->warnings = std::move(parsed.warnings);
  return Status::OK();
}

std::string DryRunMessage(const ResolvedBackup& r) {
  std::string argv;
  for (const auto& a : r.dump.argv) argv += (argv.empty() ? "" : " ") + a;
  std::string dbs;
  if (r.job.target.all_databases || r.job.target.databases.empty()) {
    dbs = r.job.target.sqlite_path.empty() ? "all" : r.job.target.sqlite_path;
  } else {
    for (const auto& d : r.job.target.databases) dbs += (dbs.empty() ? "" : ", ") + d;
  }
  return "would run " + argv + " for databases [" + dbs + "] in container " + r.job.container +
         " on host " + r.job.host + " into " + r.job.dir + "/" + r.job.artifact_name;
}

}  // namespace dw::backup
