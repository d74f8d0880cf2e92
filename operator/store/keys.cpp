// Key layout helpers; see store.h for the "<resource>/<ns>/<name>" contract.
#include "operator/store/store.h"

namespace dw::store {

std::string MakeKey(const std::string& resource, const std::string& ns, const std::string& name) {
  std::string key;
  key.reserve(resource.size() + ns.size() + name.size() + 2);
  key.append(resource).append("/").append(ns).append("/").append(name);
  return key;
}

std::string MakePrefix(const std::string& resource, const std::string& ns) {
  if (ns.empty()) return resource + "/";
  return resource + "/" + ns + "/";
}

}  // namespace dw::store
