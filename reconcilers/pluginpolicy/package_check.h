// PackageChecker: dockward's own fetch and verification of each declared
// package, done before anything reaches a community. A registry package is
// fetched through the SSRF-safe fetcher (docs/ssrf.md) with the spec's
// bounds and the policy's registry allowlist, its signature from
// "<url>.sig" (404: unsigned); an artifact is read from the dockward host
// with "<path>.sig" beside it. Both then pass VerifyPackage (pin, publisher,
// trust policy). The verdict names the first refusal with the reason
// strings of FetchFailureName / VerifyFailureName (plus ArtifactOutsideRoot,
// ArtifactUnreadable, InvalidBundle).
// Verified results are cached by everything they depend on, so a steady
// state does not refetch a bundle every interval; refusals are not cached
// (a fixed registry is picked up at the next pass). Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "operator/common/status.h"
#include "reconcilers/pluginpolicy/address_class.h"
#include "reconcilers/pluginpolicy/policy_spec.h"
#include "reconcilers/pluginpolicy/resolver.h"

namespace dw::pluginpolicy {

// Signatures are 64 bytes; anything much larger is not one.
constexpr uint64_t kMaxSignatureBytes = 1024;

struct PackageCheck {
  std::string name;
  std::string source;  // "registry" | "upload"
  std::string registry_url;
  bool verified = false;
  std::string reason;   // CamelCase refusal reason, "" when verified
  std::string message;  // what was refused and why
  std::string sha256;   // of the bytes read
  std::string publisher;
  std::string version;
  bool signature_present = false;
  bool signature_verified = false;
  uint64_t bytes = 0;
};

class PackageChecker {
 public:
  // `classify` exists for unit tests only, as in Fetch. Artifacts are read
  // only from inside `artifact_root` (symlinks resolved), so a PluginPolicy
  // cannot probe other files of the dockward host; "" (unit tests only)
  // does not restrict them.
  explicit PackageChecker(Resolver* resolver, AddressClassifier classify = ClassifyAddress,
                          std::string artifact_root = "");

  // Fetch (or read) and verify `pkg` under `policy` (trust policy, trusted
  // publishers) and `fetch` (bounds, allowlist, CA). Never fails: the
  // verdict is in the result.
  PackageCheck Check(const DeclaredPackage& pkg, const wire::Policy& policy, const FetchPolicy& fetch);

  // The bytes to upload for an artifact package, read and verified again
  // (the file may have changed since Check). Forbidden naming the reason
  // when they no longer verify.
  Status LoadArtifact(const DeclaredPackage& pkg, const wire::Policy& policy, uint64_t max_bytes,
                      std::string* bundle, std::string* signature);

  size_t fetches() const { return fetches_; }  // registry bundle fetches, for tests

 private:
  PackageCheck CheckRegistry(const DeclaredPackage& pkg, const wire::Policy& policy, const FetchPolicy& fetch);
  PackageCheck CheckArtifact(const DeclaredPackage& pkg, const wire::Policy& policy, uint64_t max_bytes,
                             std::string* bundle, std::string* signature);

  Resolver* resolver_;
  AddressClassifier classify_;
  std::string artifact_root_;
  std::mutex mu_;
  std::map<std::string, PackageCheck> verified_;  // cache key -> verified check
  std::atomic<size_t> fetches_{0};
};

}  // namespace dw::pluginpolicy
