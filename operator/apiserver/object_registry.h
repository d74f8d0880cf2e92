// ObjectRegistry: the lifecycle rules of Kubernetes objects on top of a Store
// (what kube-apiserver's generic registry does): metadata on create (uid,
// creationTimestamp, generation, generateName), admission from the CRD schema
// (defaulting, pruning, validation), spec/status separation, generation that
// moves only with spec, optimistic concurrency, no-op updates that write
// nothing, managedFields bookkeeping, patches (merge, JSON, strategic, apply),
// dry runs, finalizers and deletionTimestamp, deletion propagation policies.
//
// It knows nothing about HTTP; the handlers and in-process controllers both
// call it. Every method returns a Status with Kubernetes semantics.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "operator/common/status.h"
#include "operator/json/json.h"
#include "operator/meta/field_selector.h"
#include "operator/meta/label_selector.h"
#include "operator/schema/resource_info.h"
#include "operator/schema/validator.h"
#include "operator/store/store.h"

namespace dw::apiserver {

struct WriteOptions {
  bool dry_run = false;
  schema::FieldValidation validation = schema::FieldValidation::kWarn;
  std::string field_manager;  // who is writing (managedFields); required for apply
  bool force = false;         // apply: take ownership of conflicting fields
  bool status_subresource = false;
};

struct WriteResult {
  store::Object object;                // stored (or would-be stored, for dry runs) state
  std::vector<std::string> warnings;   // e.g. pruned unknown fields
  bool created = false;
  bool changed = true;                 // false for a no-op update
  bool deleted = false;                // delete: gone from the store (vs. finalizers pending)
};

enum class PatchType { kMerge, kJson, kStrategic, kApply };

struct ListQuery {
  meta::LabelSelector labels;
  meta::FieldSelector fields;
  int64_t limit = 0;
  std::string continue_token;
};

struct DeleteOptions {
  std::string propagation;  // "", Background, Foreground, Orphan
  std::string precondition_uid;
  std::string precondition_rv;
  bool dry_run = false;
};

using Mutator = std::function<Status(json::Document& obj)>;

class ObjectRegistry {
 public:
  ObjectRegistry(store::Store* store, const schema::ResourceRegistry* kinds);

  Status Get(const schema::ResourceInfo& r, const std::string& ns, const std::string& name,
             store::Object* out);
  Status List(const schema::ResourceInfo& r, const std::string& ns, const ListQuery& q,
              store::ListResult* out);

  Status Create(const schema::ResourceInfo& r, const std::string& ns, json::Document& obj,
                const WriteOptions& opts, WriteResult* out);
  // PUT: the body's metadata.resourceVersion is a precondition.
  Status Update(const schema::ResourceInfo& r, const std::string& ns, const std::string& name,
                json::Document& obj, const WriteOptions& opts, WriteResult* out);
  Status Patch(const schema::ResourceInfo& r, const std::string& ns, const std::string& name,
               PatchType type, const std::string& body, const WriteOptions& opts,
               WriteResult* out);
  // Read-modify-write with retry on conflict; `fn` edits a copy of the live
  // object. For in-process controllers (GC, namespace lifecycle, reconcilers).
  Status Mutate(const schema::ResourceInfo& r, const std::string& ns, const std::string& name,
                const Mutator& fn, const WriteOptions& opts, WriteResult* out);
  Status Delete(const schema::ResourceInfo& r, const std::string& ns, const std::string& name,
                const DeleteOptions& opts, WriteResult* out);

  const schema::ResourceRegistry& kinds() const { return *kinds_; }
  store::Store* store() { return store_; }

  // The store key of an object.
  static std::string Key(const schema::ResourceInfo& r, const std::string& ns,
                         const std::string& name);

 private:
  Status PrepareCreate(const schema::ResourceInfo& r, const std::string& ns, json::Document& obj,
                       const WriteOptions& opts, bool managed_fields_done, WriteResult* out);
  Status CommitCreate(const schema::ResourceInfo& r, const std::string& ns, json::Document& obj,
                      const WriteOptions& opts, WriteResult* out);
  // Turns `next` (the requested new state) into what is stored, given `live`.
  Status PrepareUpdate(const schema::ResourceInfo& r, const json::Value& live, json::Document& next,
                       const WriteOptions& opts, bool managed_fields_done, WriteResult* out);
  Status CommitUpdate(const schema::ResourceInfo& r, const store::Object& live,
                      const json::Value& live_doc, json::Document& next, const WriteOptions& opts,
                      WriteResult* out);
  Status Admit(const schema::ResourceInfo& r, json::Document& obj, const WriteOptions& opts,
               WriteResult* out);
  Status CheckNamespace(const schema::ResourceInfo& r, const std::string& ns);

  store::Store* store_;
  const schema::ResourceRegistry* kinds_;
  const schema::ResourceInfo* namespaces_ = nullptr;
};

// "backuppolicies.dockward.io \"x\"" as used in Kubernetes error messages.
std::string QualifiedName(const schema::ResourceInfo& r, const std::string& name);

}  // namespace dw::apiserver
