// InProcessClient: thin translation between the Client vocabulary and the
// registry's; the only real work is parsing stored JSON and adapting watches.
#include "operator/runtime/inprocess_client.h"

#include <atomic>
#include <charconv>

namespace dw::runtime {

namespace {

Status ParseObject(const store::Object& o, json::Document* out) {
  if (!o.data) return Status::Internal("stored object " + o.key + " has no data");
  return json::Parse(*o.data, out);
}

Status ParseInto(const store::Object& o, json::Document* out) {
  if (!out) return Status::OK();
  return ParseObject(o, out);
}

apiserver::WriteOptions ToRegistry(const WriteOptions& o, bool status) {
  apiserver::WriteOptions w;
  w.dry_run = o.dry_run;
  w.field_manager = o.field_manager;
  w.force = o.force;
  w.status_subresource = status;
  return w;
}

apiserver::PatchType ToRegistry(PatchType t) {
  switch (t) {
    case PatchType::kMerge: return apiserver::PatchType::kMerge;
    case PatchType::kJson: return apiserver::PatchType::kJson;
    case PatchType::kStrategic: return apiserver::PatchType::kStrategic;
    case PatchType::kApply: return apiserver::PatchType::kApply;
  }
  return apiserver::PatchType::kMerge;
}

// Adapts a store watcher: parses each event's document once, here, so every
// consumer shares it.
class StoreWatchStream : public WatchStream {
 public:
  explicit StoreWatchStream(std::unique_ptr<store::Watcher> w) : w_(std::move(w)) {}

  bool Next(std::vector<WatchEvent>* out, std::chrono::milliseconds timeout) override {
    buf_.clear();
    bool open = w_->Next(&buf_, timeout);
    for (const auto& e : buf_) {
      auto doc = std::make_shared<json::Document>();
      Status st = ParseObject(e.object, doc.get());
      if (!st.ok()) {
        bad_ = Status::Internal("watch: unparsable object " + e.object.key + ": " + st.message());
        w_->Stop();
        return false;
      }
      WatchEvent we;
      we.type = e.type == store::Event::Type::kAdded      ? WatchEvent::Type::kAdded
                : e.type == store::Event::Type::kModified ? WatchEvent::Type::kModified
                                                          : WatchEvent::Type::kDeleted;
      we.object = std::move(doc);
      we.resource_version = std::to_string(e.object.rv);
      out->push_back(std::move(we));
    }
    return open;
  }
  void Stop() override {
    stopped_.store(true);
    w_->Stop();
  }
  Status closed_status() const override {
    if (!bad_.ok()) return bad_;
    if (stopped_.load()) return Status::OK();
    std::string reason = w_->closed_reason();
    if (reason.empty()) return Status::OK();
    if (reason == "store closed") return Status::Unavailable(reason);
    // A watcher the store dropped missed events: the caller must re-list.
    return Status::Gone(reason);
  }

 private:
  std::unique_ptr<store::Watcher> w_;
  std::vector<store::Event> buf_;
  Status bad_;
  std::atomic<bool> stopped_{false};
};

}  // namespace

const schema::ResourceInfo* InProcessClient::Resolve(const std::string& api_version,
                                                     const std::string& kind) const {
  return reg_->kinds().ByKind(api_version, kind);
}

Status InProcessClient::Get(const schema::ResourceInfo& r, const std::string& ns,
                            const std::string& name, json::Document* out) {
  store::Object o;
  DW_RETURN_IF_ERROR(reg_->Get(r, ns, name, &o));
  return ParseInto(o, out);
}

Status InProcessClient::List(const schema::ResourceInfo& r, const std::string& ns,
                             const ListOptions& opts, ObjectList* out) {
  apiserver::ListQuery q;
  q.labels = opts.labels;
  q.fields = opts.fields;
  store::ListResult res;
  DW_RETURN_IF_ERROR(reg_->List(r, ns, q, &res));
  out->items.clear();
  out->items.reserve(res.items.size());
  for (const auto& o : res.items) {
    out->items.emplace_back();
    DW_RETURN_IF_ERROR(ParseObject(o, &out->items.back()));
  }
  out->resource_version = std::to_string(res.rv);
  return Status::OK();
}

Status InProcessClient::Create(const schema::ResourceInfo& r, json::Document& obj,
                               const WriteOptions& opts, json::Document* out) {
  apiserver::WriteResult res;
  std::string ns = r.namespaced ? NamespaceOf(obj) : "";
  if (r.namespaced && ns.empty()) return Status::BadRequest("metadata.namespace is required");
  DW_RETURN_IF_ERROR(reg_->Create(r, ns, obj, ToRegistry(opts, false), &res));
  return ParseInto(res.object, out);
}

Status InProcessClient::Put(const schema::ResourceInfo& r, json::Document& obj,
                            const WriteOptions& opts, bool status, json::Document* out) {
  apiserver::WriteResult res;
  std::string ns = r.namespaced ? NamespaceOf(obj) : "";
  std::string name = NameOf(obj);
  if (name.empty()) return Status::BadRequest("metadata.name is required");
  DW_RETURN_IF_ERROR(reg_->Update(r, ns, name, obj, ToRegistry(opts, status), &res));
  return ParseInto(res.object, out);
}

Status InProcessClient::Update(const schema::ResourceInfo& r, json::Document& obj,
                               const WriteOptions& opts, json::Document* out) {
  return Put(r, obj, opts, false, out);
}

Status InProcessClient::UpdateStatus(const schema::ResourceInfo& r, json::Document& obj,
                                     const WriteOptions& opts, json::Document* out) {
  return Put(r, obj, opts, true, out);
}

Status InProcessClient::Patch(const schema::ResourceInfo& r, const std::string& ns,
                              const std::string& name, PatchType type, const std::string& body,
                              const WriteOptions& opts, json::Document* out) {
  apiserver::WriteResult res;
  DW_RETURN_IF_ERROR(reg_->Patch(r, ns, name, ToRegistry(type), body, ToRegistry(opts, false), &res));
  return ParseInto(res.object, out);
}

Status InProcessClient::Delete(const schema::ResourceInfo& r, const std::string& ns,
                               const std::string& name, const DeleteOptions& opts) {
  apiserver::DeleteOptions d;
  d.propagation = opts.propagation;
  d.precondition_uid = opts.precondition_uid;
  apiserver::WriteResult res;
  return reg_->Delete(r, ns, name, d, &res);
}

Status InProcessClient::Watch(const schema::ResourceInfo& r, const std::string& ns,
                              const std::string& resource_version,
                              std::unique_ptr<WatchStream>* out) {
  int64_t rv = 0;
  if (!resource_version.empty()) {
    auto [p, ec] = std::from_chars(resource_version.data(),
                                   resource_version.data() + resource_version.size(), rv);
    if (ec != std::errc() || p != resource_version.data() + resource_version.size() || rv < 0)
      return Status::BadRequest("invalid resourceVersion \"" + resource_version + "\"");
  }
  std::string prefix = store::MakePrefix(r.GroupResource(), r.namespaced ? ns : "");
  std::unique_ptr<store::Watcher> w;
  DW_RETURN_IF_ERROR(reg_->store()->Watch(prefix, rv, &w));
  *out = std::make_unique<StoreWatchStream>(std::move(w));
  return Status::OK();
}

}  // namespace dw::runtime
