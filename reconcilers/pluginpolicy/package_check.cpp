#include "reconcilers/pluginpolicy/package_check.h"

#include <climits>
#include <cstdlib>
#include <fstream>
#include <optional>

#include "reconcilers/pluginpolicy/verify.h"

namespace dw::pluginpolicy {

namespace {

// Everything a verified verdict depends on. Timeouts are left out: a bundle
// that verified within one bound is the same bundle under another. The name
// is in: the bundle must declare it, and the cached check reports it.
std::string CacheKey(const DeclaredPackage& pkg, const wire::Policy& policy, const FetchPolicy& fetch) {
  std::string k = pkg.name + '\n' + pkg.registry_url + '\n' + pkg.sha256 + '\n' + pkg.publisher + '\n' +
                  wire::CrdName(policy.trust) + '\n' + (fetch.allow_http ? "http" : "https") + '\n' +
                  std::to_string(fetch.max_bytes) + '\n' + std::to_string(fetch.max_redirects) + '\n' +
                  std::to_string(std::hash<std::string>{}(fetch.ca_pem)) + '\n';
  for (const auto& a : fetch.allowlist) k += a + ',';
  k += '\n';
  for (const auto& p : policy.trusted_publishers) k += p.name + '=' + p.public_key + ',';
  return k;
}

PackageCheck Refused(PackageCheck c, const std::string& reason, const std::string& message) {
  c.verified = false;
  c.reason = reason;
  c.message = message;
  return c;
}

// VerifyPackage's messages lead with the reason name ("Unsigned: ..."); a
// check carries the reason apart, so its message must not say it twice.
std::string WithoutReason(const std::string& message, const char* reason) {
  const std::string prefix = std::string(reason) + ": ";
  return message.rfind(prefix, 0) == 0 ? message.substr(prefix.size()) : message;
}

// Pin, publisher and trust policy, then the verdict.
PackageCheck Verify(PackageCheck c, const DeclaredPackage& pkg, const wire::Policy& policy,
                    const std::string& bundle, const std::string& sha_raw,
                    const std::optional<std::string>& signature) {
  wire::BundleManifest m;
  if (Status st = wire::DecodeBundleManifest(bundle, &m); !st.ok()) return Refused(c, "InvalidBundle", st.message());
  c.publisher = m.publisher;
  c.version = m.version;
  if (m.name != pkg.name) {
    return Refused(c, "InvalidBundle", "bundle declares package \"" + m.name + "\", not \"" + pkg.name + "\"");
  }
  VerifyInput in;
  in.sha256_raw = sha_raw;
  in.pinned_sha256_hex = pkg.sha256;
  in.manifest_publisher = m.publisher;
  in.expected_publisher = pkg.publisher;
  in.signature = signature;
  in.signed_only = policy.trust == wire::TrustPolicy::kSignedOnly;
  for (const auto& p : policy.trusted_publishers) in.trusted.push_back({p.name, p.public_key});
  VerifyResult r;
  Status st = VerifyPackage(in, &r);
  c.signature_present = r.signature_present;
  c.signature_verified = r.signature_verified;
  if (!st.ok()) {
    const char* reason = VerifyFailureName(r.failure);
    return Refused(c, reason, WithoutReason(st.message(), reason));
  }
  c.verified = true;
  return c;
}

// Reads at most max_bytes of `path`: NotFound, TooLarge or Unavailable.
Status ReadCapped(const std::string& path, uint64_t max_bytes, std::string* out) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return Status::NotFound("cannot open " + path);
  out->clear();
  char buf[64 * 1024];
  while (f) {
    f.read(buf, sizeof buf);
    out->append(buf, static_cast<size_t>(f.gcount()));
    if (out->size() > max_bytes) {
      return Status::TooLarge(path + " is larger than " + std::to_string(max_bytes) + " bytes");
    }
  }
  if (f.bad()) return Status::Unavailable("read error on " + path);
  return Status::OK();
}

// OK when `path` names a file inside `root`: lexically (absolute, no "."
// or ".." segments, under root/) and after resolving symlinks. The message
// never says whether a file outside exists.
Status InsideRoot(const std::string& path, const std::string& root) {
  if (root.empty()) return Status::OK();
  const std::string refusal = "artifact " + path + " is outside the artifact directory " + root;
  const std::string prefix = root.back() == '/' ? root : root + "/";
  if (path.compare(0, prefix.size(), prefix) != 0 || path.find("/./") != std::string::npos ||
      path.find("/../") != std::string::npos || path.size() < 3 ||
      path.compare(path.size() - 3, 3, "/..") == 0) {
    return Status::Forbidden(refusal);
  }
  char real_root[PATH_MAX], real_path[PATH_MAX];
  if (::realpath(root.c_str(), real_root) == nullptr) return Status::NotFound("artifact directory " + root + " does not exist");
  if (::realpath(path.c_str(), real_path) == nullptr) return Status::OK();  // the read names it missing
  const std::string resolved_prefix = std::string(real_root) + "/";
  if (std::string(real_path).compare(0, resolved_prefix.size(), resolved_prefix) != 0) {
    return Status::Forbidden(refusal + " (through a symbolic link)");
  }
  return Status::OK();
}

}  // namespace

PackageChecker::PackageChecker(Resolver* resolver, AddressClassifier classify, std::string artifact_root)
    : resolver_(resolver), classify_(std::move(classify)), artifact_root_(std::move(artifact_root)) {}

PackageCheck PackageChecker::Check(const DeclaredPackage& pkg, const wire::Policy& policy,
                                   const FetchPolicy& fetch) {
  if (!pkg.from_registry()) {
    std::string bundle, sig;
    return CheckArtifact(pkg, policy, fetch.max_bytes, &bundle, &sig);
  }
  const std::string key = CacheKey(pkg, policy, fetch);
  {
    std::lock_guard<std::mutex> l(mu_);
    if (auto it = verified_.find(key); it != verified_.end()) return it->second;
  }
  PackageCheck c = CheckRegistry(pkg, policy, fetch);
  if (c.verified) {
    std::lock_guard<std::mutex> l(mu_);
    if (verified_.size() > 1024) verified_.clear();  // specs churned a lot: start over
    verified_[key] = c;
  }
  return c;
}

PackageCheck PackageChecker::CheckRegistry(const DeclaredPackage& pkg, const wire::Policy& policy,
                                           const FetchPolicy& fetch) {
  PackageCheck c;
  c.name = pkg.name;
  c.source = "registry";
  c.registry_url = pkg.registry_url;
  std::string bundle;
  FetchResult fr;
  ++fetches_;
  Status st = FetchToString(pkg.registry_url, fetch, resolver_, &bundle, &fr, classify_);
  c.bytes = fr.bytes;
  if (!st.ok()) return Refused(c, FetchFailureName(fr.failure), st.message());
  c.sha256 = fr.sha256_hex;

  // The signature lives beside the bundle and goes through the same checks.
  FetchPolicy sig_policy = fetch;
  sig_policy.max_bytes = kMaxSignatureBytes;
  std::string sig;
  FetchResult sr;
  std::optional<std::string> signature;
  st = FetchToString(pkg.registry_url + ".sig", sig_policy, resolver_, &sig, &sr, classify_);
  if (st.ok()) {
    signature = std::move(sig);
  } else if (!(sr.failure == FetchFailure::kHttpStatus && sr.http_status == 404)) {
    return Refused(c, FetchFailureName(sr.failure), "signature: " + st.message());
  }
  return Verify(std::move(c), pkg, policy, bundle, fr.sha256_raw, signature);
}

PackageCheck PackageChecker::CheckArtifact(const DeclaredPackage& pkg, const wire::Policy& policy,
                                           uint64_t max_bytes, std::string* bundle, std::string* signature) {
  PackageCheck c;
  c.name = pkg.name;
  c.source = "upload";
  Status st = InsideRoot(pkg.artifact, artifact_root_);
  if (!st.ok()) return Refused(c, "ArtifactOutsideRoot", st.message());
  st = ReadCapped(pkg.artifact, max_bytes, bundle);
  c.bytes = bundle->size();
  if (st.code() == Code::kTooLarge) return Refused(c, "TooLarge", "artifact " + st.message());
  if (!st.ok()) return Refused(c, "ArtifactUnreadable", "artifact: " + st.message());
  Sha256 h;
  h.Update(*bundle);
  const std::string raw = h.FinishRaw();
  c.sha256 = Sha256::Hex(raw);
  std::optional<std::string> sig;
  st = ReadCapped(pkg.artifact + ".sig", kMaxSignatureBytes, signature);
  if (st.ok()) {
    sig = *signature;
  } else if (!st.IsNotFound()) {
    return Refused(c, "ArtifactUnreadable", "artifact signature: " + st.message());
  } else {
    signature->clear();
  }
  return Verify(std::move(c), pkg, policy, *bundle, raw, sig);
}

Status PackageChecker::LoadArtifact(const DeclaredPackage& pkg, const wire::Policy& policy, uint64_t max_bytes,
                                    std::string* bundle, std::string* signature) {
  PackageCheck c = CheckArtifact(pkg, policy, max_bytes, bundle, signature);
  if (!c.verified) return Status::Forbidden(c.reason + ": " + c.message);
  return Status::OK();
}

}  // namespace dw::pluginpolicy
