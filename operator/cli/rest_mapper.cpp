#include "operator/cli/rest_mapper.h"

#include <algorithm>
#include <cctype>

namespace dw::cli {

namespace {

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool MatchesName(const ApiResource& r, const std::string& lowered) {
  if (r.plural == lowered || r.singular == lowered || Lower(r.kind) == lowered) return true;
  return std::find(r.short_names.begin(), r.short_names.end(), lowered) != r.short_names.end();
}

}  // namespace

std::string ApiResource::KindGroup() const {
  std::string k = Lower(kind);
  return group.empty() ? k : k + "." + group;
}

std::string ApiResource::Path(const std::string& ns, const std::string& name) const {
  std::string p = group.empty() ? "/api/" + version : "/apis/" + group + "/" + version;
  if (namespaced && !ns.empty()) p += "/namespaces/" + ns;
  p += "/" + plural;
  if (!name.empty()) p += "/" + name;
  return p;
}

Status RestMapper::AddResourceList(const json::Value& list) {
  std::string gv = json::GetString(list, "groupVersion");
  if (gv.empty()) return Status::BadRequest("discovery document has no groupVersion");
  auto slash = gv.find('/');
  std::string group = slash == std::string::npos ? "" : gv.substr(0, slash);
  std::string version = slash == std::string::npos ? gv : gv.substr(slash + 1);
  const json::Value* arr = json::Find(list, "resources");
  if (!arr || !arr->IsArray()) return Status::OK();
  for (const auto& e : arr->GetArray()) {
    std::string name = json::GetString(e, "name");
    if (name.empty() || name.find('/') != std::string::npos) continue;  // subresource
    ApiResource r;
    r.group = group;
    r.version = version;
    r.plural = name;
    r.kind = json::GetString(e, "kind");
    r.singular = json::GetString(e, "singularName");
    if (r.singular.empty()) r.singular = Lower(r.kind);
    r.namespaced = json::GetBool(e, "namespaced");
    if (const json::Value* sn = json::Find(e, "shortNames"); sn && sn->IsArray())
      for (const auto& s : sn->GetArray())
        if (s.IsString()) r.short_names.push_back(s.GetString());
    if (const json::Value* cats = json::Find(e, "categories"); cats && cats->IsArray())
      for (const auto& c : cats->GetArray())
        if (c.IsString()) r.categories.push_back(c.GetString());
    resources_.push_back(std::move(r));
  }
  return Status::OK();
}

const ApiResource* RestMapper::Resolve(const std::string& typed) const {
  std::string t = Lower(typed);
  for (const auto& r : resources_)
    if (MatchesName(r, t)) return &r;
  // Qualified: "name.group" or "name.version.group".
  auto dot = t.find('.');
  if (dot == std::string::npos) return nullptr;
  std::string base = t.substr(0, dot), rest = t.substr(dot + 1);
  for (const auto& r : resources_) {
    if (!MatchesName(r, base)) continue;
    if (rest == r.group || rest == r.version + "." + r.group) return &r;
  }
  return nullptr;
}

const ApiResource* RestMapper::ByKind(const std::string& api_version,
                                      const std::string& kind) const {
  for (const auto& r : resources_)
    if (r.kind == kind && r.GroupVersion() == api_version) return &r;
  return nullptr;
}

std::vector<const ApiResource*> RestMapper::ResolveCategory(const std::string& typed) const {
  std::string lowered = typed;
  for (auto& c : lowered) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::vector<const ApiResource*> out;
  for (const auto& r : resources_)
    if (std::find(r.categories.begin(), r.categories.end(), lowered) != r.categories.end()) out.push_back(&r);
  return out;
}

}  // namespace dw::cli
