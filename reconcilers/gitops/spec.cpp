#include "reconcilers/gitops/spec.h"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <vector>

namespace dw::gitops {

namespace {

bool StartsWith(const std::string& s, const char* p) { return s.rfind(p, 0) == 0; }

// The subset of git-check-ref-format that matters here: nothing git could
// read as an option, a revision expression or a refspec.
bool ValidRefName(const std::string& n) {
  if (n.empty() || n[0] == '-' || n[0] == '/' || n.back() == '/' || n.back() == '.') return false;
  if (n.find("..") != std::string::npos || n.find("@{") != std::string::npos ||
      n.find("//") != std::string::npos)
    return false;
  for (unsigned char c : n) {
    if (c < 0x20 || c == 0x7f || c == ' ' || c == '~' || c == '^' || c == ':' || c == '?' || c == '*' ||
        c == '[' || c == '\\')
      return false;
  }
  return true;
}

bool IsHex40(const std::string& s) {
  if (s.size() != 40) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

}  // namespace

bool ParseGoDuration(const std::string& s, std::chrono::milliseconds* out) {
  if (s.empty()) return false;
  double total_ms = 0;
  size_t i = 0;
  while (i < s.size()) {
    size_t start = i;
    while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
    if (i == start) return false;
    std::string num = s.substr(start, i - start);
    if (num.front() == '.' || num.back() == '.' || num.find('.') != num.rfind('.')) return false;
    double v = std::strtod(num.c_str(), nullptr);
    double unit;
    if (s.compare(i, 2, "ms") == 0) unit = 1, i += 2;
    else if (s[i] == 's') unit = 1000, i += 1;
    else if (s[i] == 'm') unit = 60e3, i += 1;
    else if (s[i] == 'h') unit = 3600e3, i += 1;
    else return false;
    total_ms += v * unit;
  }
  if (total_ms < 1 || total_ms > 1e12) return false;
  *out = std::chrono::milliseconds(static_cast<int64_t>(std::llround(total_ms)));
  return true;
}

bool NormalizeRepoPath(const std::string& in, std::string* out) {
  if (!in.empty() && in[0] == '/') return false;
  std::vector<std::string> parts;
  size_t i = 0;
  while (i <= in.size()) {
    size_t j = in.find('/', i);
    if (j == std::string::npos) j = in.size();
    std::string part = in.substr(i, j - i);
    if (part == "..") return false;
    if (!part.empty() && part != ".") parts.push_back(part);
    i = j + 1;
  }
  out->clear();
  for (const auto& p : parts) *out += (out->empty() ? "" : "/") + p;
  return true;
}

Status CheckUrl(const std::string& url) {
  for (unsigned char c : url)
    if (c < 0x20 || c == 0x7f) return Status::Invalid("spec.url: control characters are not allowed");
  if (StartsWith(url, "ssh://") || StartsWith(url, "git@"))
    return Status::Invalid("spec.url: SSH is not supported yet; use https:// with a secretRef, git:// or file://");
  if (StartsWith(url, "/")) return Status::OK();
  for (const char* scheme : {"file://", "git://", "http://", "https://"}) {
    if (StartsWith(url, scheme) && url.size() > std::string(scheme).size()) return Status::OK();
  }
  return Status::Invalid("spec.url: must be an absolute path or a file://, git://, http:// or https:// URL");
}

Status ParseGitRepositorySpec(const json::Value& spec, GitRepositorySpec* out) {
  *out = GitRepositorySpec{};
  if (!spec.IsObject()) return Status::Invalid("spec: must be an object");
  out->url = json::GetString(spec, "url");
  DW_RETURN_IF_ERROR(CheckUrl(out->url));

  if (const json::Value* ref = json::Find(spec, "ref"); ref && ref->IsObject()) {
    int set = 0;
    if (std::string b = json::GetString(*ref, "branch"); !b.empty()) {
      out->ref = {RefKind::kBranch, b};
      ++set;
    }
    if (std::string t = json::GetString(*ref, "tag"); !t.empty()) {
      out->ref = {RefKind::kTag, t};
      ++set;
    }
    if (std::string c = json::GetString(*ref, "commit"); !c.empty()) {
      if (!IsHex40(c)) return Status::Invalid("spec.ref.commit: must be a full 40-character lowercase SHA-1");
      out->ref = {RefKind::kCommit, c};
      ++set;
    }
    if (set > 1) return Status::Invalid("spec.ref: set at most one of branch, tag and commit");
    if ((out->ref.kind == RefKind::kBranch || out->ref.kind == RefKind::kTag) && !ValidRefName(out->ref.name))
      return Status::Invalid(std::string("spec.ref.") + (out->ref.kind == RefKind::kBranch ? "branch" : "tag") +
                             ": \"" + out->ref.name + "\" is not a valid git reference name");
  }

  std::string path = json::GetString(spec, "path", "./");
  if (!NormalizeRepoPath(path, &out->path))
    return Status::Invalid("spec.path: \"" + path + "\" must be relative and stay inside the repository");

  std::string interval = json::GetString(spec, "interval", "5m");
  if (!ParseGoDuration(interval, &out->interval))
    return Status::Invalid("spec.interval: \"" + interval + "\" is not a positive duration like 30s, 5m or 1h");

  out->prune = json::GetBool(spec, "prune", false);
  out->suspend = json::GetBool(spec, "suspend", false);
  if (const json::Value* s = json::Find(spec, "secretRef"); s && s->IsObject()) out->secret_name = json::GetString(*s, "name");
  return Status::OK();
}

}  // namespace dw::gitops
