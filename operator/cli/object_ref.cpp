#include "operator/cli/object_ref.h"

namespace dw::cli {

Status ResolveManifests(Env& env, std::vector<Manifest>& manifests, std::vector<ObjectRef>* out) {
  const RestMapper* mapper;
  DW_RETURN_IF_ERROR(env.Mapper(&mapper));
  for (auto& m : manifests) {
    json::Value& obj = *m.obj;
    std::string api_version = json::GetString(obj, "apiVersion");
    std::string kind = json::GetString(obj, "kind");
    std::string name = json::GetStringPath(obj, "metadata.name");
    std::string ns = json::GetStringPath(obj, "metadata.namespace");
    if (kind.empty() || api_version.empty())
      return Status::BadRequest("error: error validating \"" + m.source +
                                "\": error validating data: [apiVersion not set, kind not set]; "
                                "object at line " + std::to_string(m.line));
    const ApiResource* res = mapper->ByKind(api_version, kind);
    if (!res)
      return Status::NotFound("error: resource mapping not found for name: \"" + name +
                              "\" namespace: \"" + ns + "\" from \"" + m.source +
                              "\": no matches for kind \"" + kind + "\" in version \"" +
                              api_version + "\"\nensure CRDs are installed first");
    if (name.empty())
      return Status::BadRequest("error: error when retrieving current configuration of:\nResource: \"" +
                                res->GroupResource() + "\", Name: \"\"\nfrom server for: \"" +
                                m.source + "\": resource name may not be empty");
    ObjectRef ref{&m, res, "", name};
    if (res->namespaced) {
      if (!ns.empty() && env.ns_explicit && ns != env.ns)
        return Status::BadRequest("error: the namespace from the provided object \"" + ns +
                                  "\" does not match the namespace \"" + env.ns +
                                  "\". You must pass '--namespace=" + ns +
                                  "' to perform this operation.");
      ref.ns = ns.empty() ? env.ns : ns;
      json::Value& md = json::EnsureObject(obj, "metadata", m.doc->GetAllocator());
      json::SetString(md, "namespace", ref.ns, m.doc->GetAllocator());
    }
    out->push_back(ref);
  }
  return Status::OK();
}

}  // namespace dw::cli
