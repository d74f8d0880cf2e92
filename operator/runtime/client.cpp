// Object metadata accessors shared by every runtime piece.
#include "operator/runtime/client.h"

namespace dw::runtime {

std::string NamespaceOf(const json::Value& obj) { return json::GetStringPath(obj, "metadata.namespace"); }
std::string NameOf(const json::Value& obj) { return json::GetStringPath(obj, "metadata.name"); }
std::string UidOf(const json::Value& obj) { return json::GetStringPath(obj, "metadata.uid"); }
std::string ResourceVersionOf(const json::Value& obj) {
  return json::GetStringPath(obj, "metadata.resourceVersion");
}

std::string KeyOf(const std::string& ns, const std::string& name) {
  return ns.empty() ? name : ns + "/" + name;
}

std::string KeyOf(const json::Value& obj) { return KeyOf(NamespaceOf(obj), NameOf(obj)); }

}  // namespace dw::runtime
