#include "operator/apiserver/discovery.h"

#include <openssl/sha.h>

#include <set>

#include "operator/json/json.h"

#ifndef DW_VERSION
#define DW_VERSION "0.1.0"
#endif

namespace dw::apiserver {

namespace {

using json::Str;

json::Value StringArray(const std::vector<std::string>& v, json::Allocator& a) {
  json::Value arr(rapidjson::kArrayType);
  for (const auto& s : v) arr.PushBack(Str(s, a), a);
  return arr;
}

const std::vector<std::string>& MainVerbs() {
  static const std::vector<std::string> v = {"create", "delete", "deletecollection", "get",
                                             "list",   "patch",  "update",           "watch"};
  return v;
}

// storageVersionHash: an opaque, stable hash of group/version/kind, as the
// apiserver publishes (clients only compare it for equality).
std::string StorageVersionHash(const schema::ResourceInfo& r) {
  std::string in = r.group + "/" + r.version + "/" + r.kind;
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(in.data()), in.size(), md);
  static const char* b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (int i = 0; i < 8; i += 3) {
    uint32_t n = (md[i] << 16) | (md[i + 1] << 8) | md[i + 2];
    for (int j = 18; j >= 0; j -= 6) out.push_back(b64[(n >> j) & 63]);
  }
  return out.substr(0, 11) + "=";
}

json::Value ResourceEntry(const schema::ResourceInfo& r, json::Allocator& a) {
  json::Value e(rapidjson::kObjectType);
  e.AddMember("name", Str(r.plural, a), a);
  e.AddMember("singularName", Str(r.singular, a), a);
  e.AddMember("namespaced", r.namespaced, a);
  e.AddMember("kind", Str(r.kind, a), a);
  e.AddMember("verbs", StringArray(MainVerbs(), a), a);
  if (!r.short_names.empty()) e.AddMember("shortNames", StringArray(r.short_names, a), a);
  if (!r.categories.empty()) e.AddMember("categories", StringArray(r.categories, a), a);
  e.AddMember("storageVersionHash", Str(StorageVersionHash(r), a), a);
  return e;
}

json::Value SubresourceEntry(const schema::ResourceInfo& r, const std::string& sub, json::Allocator& a) {
  json::Value e(rapidjson::kObjectType);
  e.AddMember("name", Str(r.plural + "/" + sub, a), a);
  e.AddMember("singularName", "", a);
  e.AddMember("namespaced", r.namespaced, a);
  e.AddMember("kind", Str(r.kind, a), a);
  e.AddMember("verbs", StringArray({"get", "patch", "update"}, a), a);
  return e;
}

// One resource in the aggregated (v2) discovery format.
json::Value AggregatedResource(const schema::ResourceInfo& r, json::Allocator& a) {
  json::Value e(rapidjson::kObjectType);
  e.AddMember("resource", Str(r.plural, a), a);
  json::Value rk(rapidjson::kObjectType);
  rk.AddMember("group", Str(r.group, a), a);
  rk.AddMember("version", Str(r.version, a), a);
  rk.AddMember("kind", Str(r.kind, a), a);
  e.AddMember("responseKind", rk, a);
  e.AddMember("scope", json::Value(rapidjson::StringRef(r.namespaced ? "Namespaced" : "Cluster")), a);
  e.AddMember("singularResource", Str(r.singular, a), a);
  e.AddMember("verbs", StringArray(MainVerbs(), a), a);
  if (!r.short_names.empty()) e.AddMember("shortNames", StringArray(r.short_names, a), a);
  if (!r.categories.empty()) e.AddMember("categories", StringArray(r.categories, a), a);
  if (r.has_status) {
    json::Value subs(rapidjson::kArrayType);
    json::Value s(rapidjson::kObjectType);
    s.AddMember("subresource", "status", a);
    json::Value srk(rapidjson::kObjectType);
    srk.AddMember("group", Str(r.group, a), a);
    srk.AddMember("version", Str(r.version, a), a);
    srk.AddMember("kind", Str(r.kind, a), a);
    s.AddMember("responseKind", srk, a);
    s.AddMember("verbs", StringArray({"get", "patch", "update"}, a), a);
    subs.PushBack(s, a);
    e.AddMember("subresources", subs, a);
  }
  return e;
}

}  // namespace

Discovery::Discovery(const schema::ResourceRegistry& kinds, const std::string& server_address) {
  // group -> version -> resources, in registry order.
  std::map<std::string, std::map<std::string, std::vector<const schema::ResourceInfo*>>> by_group;
  for (const auto& r : kinds.All()) by_group[r->group][r->version].push_back(r.get());

  {
    json::Document d(rapidjson::kObjectType);
    auto& a = d.GetAllocator();
    d.AddMember("kind", "APIVersions", a);
    d.AddMember("versions", StringArray({"v1"}, a), a);
    json::Value addrs(rapidjson::kArrayType);
    json::Value addr(rapidjson::kObjectType);
    addr.AddMember("clientCIDR", "0.0.0.0/0", a);
    addr.AddMember("serverAddress", Str(server_address, a), a);
    addrs.PushBack(addr, a);
    d.AddMember("serverAddressByClientCIDRs", addrs, a);
    api_versions_ = json::Serialize(d);
  }

  json::Document groups(rapidjson::kObjectType);
  auto& ga = groups.GetAllocator();
  groups.AddMember("kind", "APIGroupList", ga);
  groups.AddMember("apiVersion", "v1", ga);
  json::Value glist(rapidjson::kArrayType);

  json::Document agg_legacy(rapidjson::kObjectType), agg_apis(rapidjson::kObjectType);
  json::Value agg_legacy_items(rapidjson::kArrayType), agg_apis_items(rapidjson::kArrayType);

  for (const auto& [group, versions] : by_group) {
    json::Document* agg = group.empty() ? &agg_legacy : &agg_apis;
    json::Value agg_group(rapidjson::kObjectType);
    auto& aa = agg->GetAllocator();
    json::Value agg_meta(rapidjson::kObjectType);
    agg_meta.AddMember("name", Str(group, aa), aa);
    agg_group.AddMember("metadata", agg_meta, aa);
    json::Value agg_versions(rapidjson::kArrayType);

    json::Value gv_list(rapidjson::kArrayType);
    for (const auto& [version, resources] : versions) {
      std::string gv = group.empty() ? version : group + "/" + version;
      json::Document rl(rapidjson::kObjectType);
      auto& ra = rl.GetAllocator();
      rl.AddMember("kind", "APIResourceList", ra);
      rl.AddMember("apiVersion", "v1", ra);
      rl.AddMember("groupVersion", Str(gv, ra), ra);
      json::Value rs(rapidjson::kArrayType);
      json::Value agg_resources(rapidjson::kArrayType);
      for (const auto* r : resources) {
        rs.PushBack(ResourceEntry(*r, ra), ra);
        if (r->has_status) rs.PushBack(SubresourceEntry(*r, "status", ra), ra);
        agg_resources.PushBack(AggregatedResource(*r, aa), aa);
      }
      rl.AddMember("resources", rs, ra);
      resource_lists_[gv] = json::Serialize(rl);

      json::Value agg_version(rapidjson::kObjectType);
      agg_version.AddMember("version", Str(version, aa), aa);
      agg_version.AddMember("resources", agg_resources, aa);
      agg_version.AddMember("freshness", "Current", aa);
      agg_versions.PushBack(agg_version, aa);

      json::Value v(rapidjson::kObjectType);
      v.AddMember("groupVersion", Str(gv, ga), ga);
      v.AddMember("version", Str(version, ga), ga);
      gv_list.PushBack(v, ga);
    }
    agg_group.AddMember("versions", agg_versions, aa);
    (group.empty() ? agg_legacy_items : agg_apis_items).PushBack(agg_group, aa);
    if (group.empty()) continue;  // the core group is served under /api

    json::Value g(rapidjson::kObjectType);
    g.AddMember("name", Str(group, ga), ga);
    json::Value preferred(gv_list[gv_list.Size() - 1], ga);
    g.AddMember("versions", gv_list, ga);
    g.AddMember("preferredVersion", preferred, ga);
    json::Document single(rapidjson::kObjectType);
    single.CopyFrom(g, single.GetAllocator());
    json::SetString(single, "kind", "APIGroup", single.GetAllocator());
    json::SetString(single, "apiVersion", "v1", single.GetAllocator());
    groups_[group] = json::Serialize(single);
    glist.PushBack(g, ga);
  }
  groups.AddMember("groups", glist, ga);
  api_group_list_ = json::Serialize(groups);

  auto finish = [](json::Document& d, json::Value& items) {
    auto& a = d.GetAllocator();
    d.AddMember("kind", "APIGroupDiscoveryList", a);
    d.AddMember("apiVersion", "apidiscovery.k8s.io/v2", a);
    d.AddMember("metadata", json::Value(rapidjson::kObjectType), a);
    d.AddMember("items", items, a);
    return json::Serialize(d);
  };
  aggregated_legacy_ = finish(agg_legacy, agg_legacy_items);
  aggregated_apis_ = finish(agg_apis, agg_apis_items);

  version_ = std::string("{\"major\":\"1\",\"minor\":\"32\",\"gitVersion\":\"v1.32.0-dockward.") +
             DW_VERSION + "\",\"gitCommit\":\"\",\"gitTreeState\":\"clean\",\"buildDate\":\"" +
             __DATE__ + "\",\"goVersion\":\"n/a (C++)\",\"compiler\":\"gcc\",\"platform\":\"linux/amd64\"}";
}

const std::string* Discovery::ApiGroup(const std::string& group) const {
  auto it = groups_.find(group);
  return it == groups_.end() ? nullptr : &it->second;
}

const std::string* Discovery::ResourceList(const std::string& gv) const {
  auto it = resource_lists_.find(gv);
  return it == resource_lists_.end() ? nullptr : &it->second;
}

}  // namespace dw::apiserver
