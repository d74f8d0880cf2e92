// InProcessClient: the Client over the embedded API server's ObjectRegistry
// and its Store watch, for controllers running inside `dockward serve`. Every
// write goes through the registry, so admission, managedFields, generation
// and the status subresource behave exactly as for a kubectl request.
#pragma once

#include "operator/apiserver/object_registry.h"
#include "operator/runtime/client.h"

namespace dw::runtime {

class InProcessClient : public Client {
 public:
  explicit InProcessClient(apiserver::ObjectRegistry* registry) : reg_(registry) {}

  const schema::ResourceInfo* Resolve(const std::string& api_version,
                                      const std::string& kind) const override;
  Status Get(const schema::ResourceInfo& r, const std::string& ns, const std::string& name,
             json::Document* out) override;
  Status List(const schema::ResourceInfo& r, const std::string& ns, const ListOptions& opts,
              ObjectList* out) override;
  Status Create(const schema::ResourceInfo& r, json::Document& obj, const WriteOptions& opts,
                json::Document* out) override;
  Status Update(const schema::ResourceInfo& r, json::Document& obj, const WriteOptions& opts,
                json::Document* out) override;
  Status UpdateStatus(const schema::ResourceInfo& r, json::Document& obj, const WriteOptions& opts,
                      json::Document* out) override;
  Status Patch(const schema::ResourceInfo& r, const std::string& ns, const std::string& name,
               PatchType type, const std::string& body, const WriteOptions& opts,
               json::Document* out) override;
  Status Delete(const schema::ResourceInfo& r, const std::string& ns, const std::string& name,
                const DeleteOptions& opts) override;
  Status Watch(const schema::ResourceInfo& r, const std::string& ns,
               const std::string& resource_version, std::unique_ptr<WatchStream>* out) override;

 private:
  Status Put(const schema::ResourceInfo& r, json::Document& obj, const WriteOptions& opts,
             bool status, json::Document* out);

  apiserver::ObjectRegistry* reg_;
};

}  // namespace dw::runtime
