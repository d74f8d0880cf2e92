// GitRepositorySpec: the spec of a GitRepository, parsed and checked beyond
// what the CRD schema can say (a path that stays inside the repository, a
// URL git cannot mistake for an option, a ref name git accepts, an interval
// that is a Go duration). The reconciler works only from this struct.
#pragma once

#include <chrono>
#include <string>

#include "operator/common/status.h"
#include "operator/json/json.h"

namespace dw::gitops {

enum class RefKind { kDefault, kBranch, kTag, kCommit };

struct GitRef {
  RefKind kind = RefKind::kDefault;
  std::string name;  // branch or tag name, or the 40-hex commit
};

struct GitRepositorySpec {
  std::string url;
  GitRef ref;
  std::string path;  // normalized, relative to the repository root; "" = the root
  std::chrono::milliseconds interval{std::chrono::minutes(5)};
  bool prune = false;
  bool suspend = false;
  std::string secret_name;  // "" = no credentials
};

// Invalid with a "spec.field: ..." message.
Status ParseGitRepositorySpec(const json::Value& spec, GitRepositorySpec* out);

// A Go duration ("1h30m", "90s", "1.5h", "500ms"); false if malformed or zero.
bool ParseGoDuration(const std::string& s, std::chrono::milliseconds* out);

// "a/./b/" -> "a/b"; false when the path is absolute or climbs out ("..").
bool NormalizeRepoPath(const std::string& in, std::string* out);

// URL schemes the source fetches: an absolute local path, file://, git://,
// http:// and https://. Others (ssh://, git@host:) are refused by name.
Status CheckUrl(const std::string& url);

}  // namespace dw::gitops
