// Client: the API a controller talks to. Reconcilers read and write objects
// only through it, so the same reconciler runs against the embedded server
// (InProcessClient) or, later, a remote Kubernetes API server (a REST client).
// Hence nothing here names a store or registry type: objects are JSON
// documents, resource versions are opaque strings, selectors are the meta
// types whose text form a REST client can send as query parameters.
//
// Every call returns a Status with Kubernetes semantics (NotFound, Conflict,
// Gone for a watch from a compacted resourceVersion, ...). Thread-safe.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "operator/common/status.h"
#include "operator/json/json.h"
#include "operator/meta/field_selector.h"
#include "operator/meta/label_selector.h"
#include "operator/schema/resource_info.h"

namespace dw::runtime {

// Parsed objects are shared read-only between the cache and its readers.
using ObjectPtr = std::shared_ptr<const json::Document>;

struct ListOptions {
  meta::LabelSelector labels;  // empty: everything
  meta::FieldSelector fields;  // empty: everything
};

struct ObjectList {
  std::vector<json::Document> items;
  std::string resource_version;  // what a watch continues from
};

struct WriteOptions {
  std::string field_manager;  // managedFields owner; required for apply patches
  bool force = false;         // apply: take conflicting fields
  bool dry_run = false;
};

struct DeleteOptions {
  std::string propagation;       // "", Background, Foreground, Orphan
  std::string precondition_uid;  // refuse if the live object has another uid
};

enum class PatchType { kMerge, kJson, kStrategic, kApply };

struct WatchEvent {
  enum class Type { kAdded, kModified, kDeleted };
  Type type = Type::kAdded;
  ObjectPtr object;  // for kDeleted: the last state
  std::string resource_version;
};

// A live watch. Events arrive in resourceVersion order.
class WatchStream {
 public:
  virtual ~WatchStream() = default;
  // Blocks up to `timeout` for events (appended to `out`). Returns false once
  // the stream is closed; closed_status() then says why (OK for Stop(), Gone
  // when the server dropped a watcher that fell behind...).
  virtual bool Next(std::vector<WatchEvent>* out, std::chrono::milliseconds timeout) = 0;
  // Ends the watch and wakes a blocked Next(). Safe from any thread, but the
  // owner may free the stream as soon as Next() returns false, which this
  // very call causes: a thread that is not the owner must keep the stream
  // alive until Stop() returns (Informer holds a shared_ptr under its lock).
  virtual void Stop() = 0;
  virtual Status closed_status() const = 0;
};

class Client {
 public:
  virtual ~Client() = default;

  // The kind served under apiVersion + kind; nullptr when unknown.
  virtual const schema::ResourceInfo* Resolve(const std::string& api_version,
                                              const std::string& kind) const = 0;

  virtual Status Get(const schema::ResourceInfo& r, const std::string& ns, const std::string& name,
                     json::Document* out) = 0;
  // ns "" lists every namespace.
  virtual Status List(const schema::ResourceInfo& r, const std::string& ns, const ListOptions& opts,
                      ObjectList* out) = 0;

  // Create/Update/UpdateStatus take namespace and name from obj.metadata.
  // `out` (optional) receives the stored object.
  virtual Status Create(const schema::ResourceInfo& r, json::Document& obj, const WriteOptions& opts,
                        json::Document* out) = 0;
  // metadata.resourceVersion, when set, is a precondition (Conflict if stale).
  virtual Status Update(const schema::ResourceInfo& r, json::Document& obj, const WriteOptions& opts,
                        json::Document* out) = 0;
  // Writes only .status (the status subresource); spec changes are ignored.
  virtual Status UpdateStatus(const schema::ResourceInfo& r, json::Document& obj,
                              const WriteOptions& opts, json::Document* out) = 0;
  virtual Status Patch(const schema::ResourceInfo& r, const std::string& ns, const std::string& name,
                       PatchType type, const std::string& body, const WriteOptions& opts,
                       json::Document* out) = 0;
  virtual Status Delete(const schema::ResourceInfo& r, const std::string& ns, const std::string& name,
                        const DeleteOptions& opts) = 0;

  // Watches objects of `r` in `ns` ("" = all) changed after resource_version
  // ("" or "0" = from now). Gone when that version is no longer retained:
  // the caller re-lists.
  virtual Status Watch(const schema::ResourceInfo& r, const std::string& ns,
                       const std::string& resource_version, std::unique_ptr<WatchStream>* out) = 0;
};

// metadata.namespace / metadata.name / metadata.uid / metadata.resourceVersion.
std::string NamespaceOf(const json::Value& obj);
std::string NameOf(const json::Value& obj);
std::string UidOf(const json::Value& obj);
std::string ResourceVersionOf(const json::Value& obj);
// "ns/name", or "name" for cluster-scoped objects (the cache and queue key).
std::string KeyOf(const std::string& ns, const std::string& name);
std::string KeyOf(const json::Value& obj);

}  // namespace dw::runtime
