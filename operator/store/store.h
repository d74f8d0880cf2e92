// Store: the durable key/value history behind the API server, in the shape of
// etcd's v3 model. Every write gets the next global revision, which is also
// the object's metadata.resourceVersion. A write is acknowledged (the call
// returns OK) only once it is durable. Readers and watchers only ever see
// durable writes.
//
// Keys are opaque to the store but follow MakeKey(): "<resource>/<ns>/<name>"
// so that prefixes select a resource, or a resource within a namespace.
//
// Implementations: EmbeddedStore (append-only log + snapshots, this folder);
// an etcd v3 backend is a later, added file.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "operator/common/status.h"
#include "operator/json/json.h"
#include "operator/meta/label_selector.h"

namespace dw::store {

// "<resource>/<namespace>/<name>"; cluster-scoped objects use an empty namespace.
// `resource` is the plural with group, e.g. "backuppolicies.dockward.io",
// or just "namespaces" for the core group.
std::string MakeKey(const std::string& resource, const std::string& ns, const std::string& name);
// Prefix selecting every object of a resource ("<resource>/") or of a resource
// in one namespace ("<resource>/<ns>/").
std::string MakePrefix(const std::string& resource, const std::string& ns = "");

// One stored object version. Immutable and cheap to copy (shared data).
struct Object {
  std::string key;
  int64_t rv = 0;                                 // revision of this version
  std::shared_ptr<const std::string> data;        // JSON; metadata.resourceVersion == rv
  std::shared_ptr<const meta::Labels> labels;     // metadata.labels, for selectors
};

struct ListOptions {
  std::string prefix;                             // MakePrefix(...)
  const meta::LabelSelector* selector = nullptr;  // nullptr: everything
  int64_t limit = 0;                              // 0: no limit
  std::string start_after;                        // continue token: last key returned
};

struct ListResult {
  std::vector<Object> items;  // in key order
  int64_t rv = 0;             // store revision the list reflects
  std::string last_key;       // set when more items remain (for "continue")
  int64_t remaining = 0;      // number of matching items not returned
};

struct Event {
  enum class Type { kAdded, kModified, kDeleted };
  Type type = Type::kAdded;
  // For kDeleted: the last state, with rv and metadata.resourceVersion set to
  // the deletion's revision (what Kubernetes shows in a DELETED watch event).
  Object object;
};

// A live watch. Events arrive in revision order, each exactly once.
class Watcher {
 public:
  virtual ~Watcher() = default;
  // Waits up to `timeout` for events and appends them to `out`. Returns false
  // once the watch is closed (Stop(), store shutdown, or the watcher fell too
  // far behind and was dropped: then closed_reason() says so).
  virtual bool Next(std::vector<Event>* out, std::chrono::milliseconds timeout) = 0;
  virtual void Stop() = 0;
  virtual std::string closed_reason() const = 0;
};

struct Stats {
  int64_t objects = 0;
  int64_t object_bytes = 0;
  int64_t log_bytes = 0;        // bytes in the current write-ahead log
  int64_t snapshot_bytes = 0;
  int64_t revision = 0;
  int64_t compacted_revision = 0;  // watches from at or below this get Gone
  int64_t watchers = 0;
  int64_t fsyncs = 0;
  int64_t snapshots_taken = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // Stores `obj` under `key` if absent (else AlreadyExists). Sets
  // obj.metadata.resourceVersion to the new revision before serializing.
  virtual Status Create(const std::string& key, json::Document& obj, Object* out) = 0;

  // Replaces the object at `key`. `expected_rv` > 0 is a compare-and-swap:
  // Conflict when the current revision differs. NotFound when absent.
  virtual Status Update(const std::string& key, json::Document& obj, int64_t expected_rv,
                        Object* out) = 0;

  // Removes `key` (compare-and-swap as in Update when expected_rv > 0).
  // `deleted` (optional) receives the final state as in a DELETED event.
  virtual Status Delete(const std::string& key, int64_t expected_rv, Object* deleted) = 0;

  virtual Status Get(const std::string& key, Object* out) = 0;
  virtual Status List(const ListOptions& opts, ListResult* out) = 0;

  // Watches keys under `prefix` for revisions > from_rv. from_rv older than the
  // retained history gives Gone. from_rv == 0 means "from the current revision".
  virtual Status Watch(const std::string& prefix, int64_t from_rv,
                       std::unique_ptr<Watcher>* out) = 0;

  virtual int64_t Revision() = 0;
  virtual Stats GetStats() = 0;
  // Stops background work and closes every watcher. Idempotent.
  virtual void Close() = 0;
};

struct EmbeddedOptions {
  std::string dir;                      // created if missing
  bool fsync = true;                    // false only for tests that say so
  int64_t snapshot_log_bytes = 64 << 20;  // snapshot once the log grows past this
  int64_t history_events = 10000;       // watch history kept in memory
  int64_t watcher_queue_limit = 100000; // a slower watcher is dropped (it re-lists)
};

// Opens (or creates) the embedded store under opts.dir. Recovers from a crash
// at any point: a torn tail of the log is truncated at the last whole record.
Status OpenEmbedded(const EmbeddedOptions& opts, std::unique_ptr<Store>* out);

}  // namespace dw::store
