#include "reconcilers/backup/run_options.h"

#include "reconcilers/backup/contract.h"

namespace dw::backup {

Status InspectContainerLabels(docker::DockerClient& docker, const std::string& container,
                              std::map<std::string, std::string>* labels) {
  json::Document doc;
  DW_RETURN_IF_ERROR(docker.InspectContainer(container, &doc));
  labels->clear();
  const json::Value* l = json::FindPath(doc, "Config.Labels");
  if (l == nullptr || !l->IsObject()) return Status::OK();
  for (const auto& m : l->GetObject())
    if (m.value.IsString())
      labels->emplace(std::string(m.name.GetString(), m.name.GetStringLength()),
                      std::string(m.value.GetString(), m.value.GetStringLength()));
  return Status::OK();
}

Status LoadPolicy(runtime::Client* client, const std::string& ns, const std::string& name,
                  PolicySpec* out) {
  if (name.empty())
    return Status::NotFound("spec.policyName is not set: the run takes its destination and settings from a BackupPolicy");
  const schema::ResourceInfo* kind = client->Resolve(std::string(kGroupVersion), "BackupPolicy");
  if (kind == nullptr) return Status::Internal("the BackupPolicy kind is not served");
  json::Document policy;
  Status st = client->Get(*kind, ns, name, &policy);
  if (st.IsNotFound()) return Status::NotFound("BackupPolicy " + ns + "/" + name + " not found");
  DW_RETURN_IF_ERROR(st);
  return ParsePolicySpec(policy, out);
}

}  // namespace dw::backup
