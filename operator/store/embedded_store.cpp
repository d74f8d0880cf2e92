// EmbeddedStore: request path (writers, readers, watch) and the committer.
// Recovery lives in recovery.cpp.
#include "operator/store/embedded_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>

#include "operator/store/files.h"
#include "operator/store/record.h"
#include "operator/store/snapshot.h"

namespace dw::store {

EmbeddedStore::EmbeddedStore(const EmbeddedOptions& opts)
    : opts_(opts), hub_(std::make_shared<WatchHub>(opts.history_events, opts.watcher_queue_limit)) {}

EmbeddedStore::~EmbeddedStore() { Close(); }

Status EmbeddedStore::Open() {
  DW_RETURN_IF_ERROR(Recover());
  committer_ = std::thread(&EmbeddedStore::CommitLoop, this);
  return Status::OK();
}

// ---------------------------------------------------------------------------
// Writers

Status EmbeddedStore::Create(const std::string& key, json::Document& obj, Object* out) {
  return Write(WriteKind::kCreate, key, &obj, 0, out);
}

Status EmbeddedStore::Update(const std::string& key, json::Document& obj, int64_t expected_rv,
                             Object* out) {
  return Write(WriteKind::kUpdate, key, &obj, expected_rv, out);
}

Status EmbeddedStore::Delete(const std::string& key, int64_t expected_rv, Object* deleted) {
  return Write(WriteKind::kDelete, key, nullptr, expected_rv, deleted);
}

bool EmbeddedStore::CurrentLocked(const std::string& key, Object* cur) const {
  if (auto o = overlay_.find(key); o != overlay_.end()) {
    if (!o->second.exists) return false;
    *cur = o->second.obj;
    return true;
  }
  auto it = committed_.find(key);
  if (it == committed_.end()) return false;
  *cur = it->second;
  return true;
}

Status EmbeddedStore::CheckWritableLocked() const {
  if (closing_) return Status::Unavailable("store is closed");
  if (read_only_) return Status::Unavailable("store is read-only: " + read_only_reason_);
  return Status::OK();
}

namespace {

// The deleted object's last state, re-stamped with the deletion revision.
Status StampDeleted(const Object& last, int64_t rev, std::shared_ptr<const std::string>* data) {
  json::Document doc;
  Status st = json::Parse(*last.data, &doc);
  if (!st.ok()) return Status::Corruption("stored object " + last.key + ": " + st.message());
  json::Value& md = json::EnsureObject(doc, "metadata", doc.GetAllocator());
  json::SetString(md, "resourceVersion", std::to_string(rev), doc.GetAllocator());
  *data = std::make_shared<const std::string>(json::Serialize(doc));
  return Status::OK();
}

}  // namespace

Status EmbeddedStore::Write(WriteKind kind, const std::string& key, json::Document* obj,
                            int64_t expected_rv, Object* out) {
  if (key.empty()) return Status::BadRequest("store key must not be empty");
  if (obj && !obj->IsObject()) return Status::BadRequest("stored value must be a JSON object");
  // Label extraction does not depend on the revision: keep it off the lock.
  std::shared_ptr<const meta::Labels> labels = obj ? LabelsPtr(*obj) : nullptr;
  Waiter waiter;
  Object result;
  std::unique_lock<std::mutex> l(mu_);
  DW_RETURN_IF_ERROR(CheckWritableLocked());
  Object cur;
  bool exists = CurrentLocked(key, &cur);
  if (kind == WriteKind::kCreate && exists) return Status::AlreadyExists(key + " already exists");
  if (kind != WriteKind::kCreate) {
    if (!exists) return Status::NotFound(key + " not found");
    if (expected_rv > 0 && cur.rv != expected_rv) {
      return Status::Conflict("the object " + key + " has been modified: resourceVersion is " +
                              std::to_string(cur.rv) + ", expected " + std::to_string(expected_rv));
    }
  }
  const int64_t rev = next_rev_;
  auto ev = std::make_shared<Event>();
  ev->object.key = key;
  ev->object.rv = rev;
  if (kind == WriteKind::kDelete) {
    ev->type = Event::Type::kDeleted;
    DW_RETURN_IF_ERROR(StampDeleted(cur, rev, &ev->object.data));
    ev->object.labels = cur.labels;
    AppendRecord(RecordOp::kDelete, rev, key, "", &pending_.bytes);
    overlay_[key] = Overlay{false, ev->object};
  } else {
    ev->type = kind == WriteKind::kCreate ? Event::Type::kAdded : Event::Type::kModified;
    json::Value& md = json::EnsureObject(*obj, "metadata", obj->GetAllocator());
    json::SetString(md, "resourceVersion", std::to_string(rev), obj->GetAllocator());
    ev->object.data = std::make_shared<const std::string>(json::Serialize(*obj));
    ev->object.labels = std::move(labels);
    AppendRecord(RecordOp::kPut, rev, key, *ev->object.data, &pending_.bytes);
    overlay_[key] = Overlay{true, ev->object};
  }
  ++next_rev_;
  result = ev->object;
  pending_.ops.push_back(PendingOp{std::move(ev), &waiter});
  if (pending_.ops.size() == 1) commit_cv_.notify_one();
  waiter.cv.wait(l, [&] { return waiter.done; });
  l.unlock();
  if (!waiter.status.ok()) return waiter.status;
  if (out) *out = std::move(result);
  return Status::OK();
}

// ---------------------------------------------------------------------------
// Readers

Status EmbeddedStore::Get(const std::string& key, Object* out) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = committed_.find(key);
  if (it == committed_.end()) return Status::NotFound(key + " not found");
  *out = it->second;
  return Status::OK();
}

Status EmbeddedStore::List(const ListOptions& opts, ListResult* out) {
  out->items.clear();
  out->last_key.clear();
  out->remaining = 0;
  if (opts.limit < 0) return Status::BadRequest("limit must not be negative");
  const size_t limit = static_cast<size_t>(opts.limit);
  std::lock_guard<std::mutex> l(mu_);
  out->rv = committed_rev_;
  auto it = opts.start_after.empty() || opts.start_after < opts.prefix
                ? committed_.lower_bound(opts.prefix)
                : committed_.upper_bound(opts.start_after);
  for (; it != committed_.end(); ++it) {
    const std::string& key = it->first;
    if (key.compare(0, opts.prefix.size(), opts.prefix) != 0) break;
    if (opts.selector && !opts.selector->Matches(*it->second.labels)) continue;
    if (limit > 0 && out->items.size() >= limit) {
      ++out->remaining;
      continue;
    }
    out->items.push_back(it->second);
  }
  if (out->remaining > 0) out->last_key = out->items.back().key;
  return Status::OK();
}

Status EmbeddedStore::Watch(const std::string& prefix, int64_t from_rv, std::unique_ptr<Watcher>* out) {
  // The hub's last published revision moves together with committed_rev_
  // (both under mu_), so "from now" (0) means the revision a List just saw.
  std::lock_guard<std::mutex> l(mu_);
  if (closing_) return Status::Unavailable("store is closed");
  return hub_->Watch(prefix, from_rv, out);
}

int64_t EmbeddedStore::Revision() {
  std::lock_guard<std::mutex> l(mu_);
  return committed_rev_;
}

Stats EmbeddedStore::GetStats() {
  Stats s;
  {
    std::lock_guard<std::mutex> l(mu_);
    s.objects = static_cast<int64_t>(committed_.size());
    s.object_bytes = object_bytes_;
    s.revision = committed_rev_;
  }
  s.log_bytes = log_bytes_.load();
  s.snapshot_bytes = snapshot_bytes_.load();
  s.compacted_revision = hub_->compacted_revision();
  s.watchers = hub_->watchers();
  s.fsyncs = fsyncs_.load();
  s.snapshots_taken = snapshots_taken_.load();
  return s;
}

void EmbeddedStore::Close() {
  std::call_once(close_once_, [this] {
    {
      std::lock_guard<std::mutex> l(mu_);
      closing_ = true;
    }
    commit_cv_.notify_all();
    if (committer_.joinable()) committer_.join();  // drains the pending batch first
    if (snapshot_thread_.joinable()) snapshot_thread_.join();
    hub_->CloseAll("store closed");
    if (log_fd_ >= 0) ::close(log_fd_);
    log_fd_ = -1;
  });
}

// ---------------------------------------------------------------------------
// Committer

void EmbeddedStore::CommitLoop() {
  std::unique_lock<std::mutex> l(mu_);
  while (true) {
    commit_cv_.wait(l, [&] { return !pending_.ops.empty() || closing_; });
    if (pending_.ops.empty()) return;  // closing, nothing left to make durable
    Batch batch;
    std::swap(batch, pending_);
    l.unlock();
    CommitBatch(&batch);
    MaybeSnapshot();
    l.lock();
  }
}

void EmbeddedStore::CommitBatch(Batch* batch) {
  const std::string name = SegmentName(log_first_rev_);
  const int64_t before = log_bytes_.load();
  Status st = PWriteAll(log_fd_, batch->bytes, before, name);
  if (st.ok() && opts_.fsync) {
    st = SyncFd(log_fd_, true, name);
    fsyncs_.fetch_add(1);
  }
  std::string unrecoverable;
  if (!st.ok()) {
    // Cut the log back so the failed batch can never be replayed; if even
    // that fails the file is in an unknown state and we stop writing.
    if (::ftruncate(log_fd_, before) != 0) {
      unrecoverable = ErrnoStatus("truncate " + name, errno).message();
    } else if (opts_.fsync && ::fdatasync(log_fd_) != 0) {
      unrecoverable = ErrnoStatus("fsync after truncate " + name, errno).message();
    }
  } else {
    log_bytes_.store(before + static_cast<int64_t>(batch->bytes.size()));
  }
  std::lock_guard<std::mutex> l(mu_);
  if (st.ok()) {
    ApplyLocked(batch);
  } else {
    std::fprintf(stderr, "dockward store: WARNING: commit of %zu writes failed: %s\n",
                 batch->ops.size(), st.message().c_str());
    FailLocked(batch, st);
    if (!unrecoverable.empty()) {
      std::fprintf(stderr, "dockward store: ERROR: going read-only: %s\n", unrecoverable.c_str());
      read_only_ = true;
      read_only_reason_ = unrecoverable;
    }
  }
}

void EmbeddedStore::ApplyLocked(Batch* batch) {
  std::vector<std::shared_ptr<const Event>> events;
  events.reserve(batch->ops.size());
  for (PendingOp& op : batch->ops) {
    const Object& obj = op.event->object;
    auto it = committed_.find(obj.key);
    if (it != committed_.end()) object_bytes_ -= static_cast<int64_t>(it->second.data->size());
    if (op.event->type == Event::Type::kDeleted) {
      if (it != committed_.end()) committed_.erase(it);
    } else {
      object_bytes_ += static_cast<int64_t>(obj.data->size());
      if (it != committed_.end()) it->second = obj;
      else committed_.emplace(obj.key, obj);
    }
    // Drop the overlay entry unless a later pending write replaced it.
    if (auto o = overlay_.find(obj.key); o != overlay_.end() && o->second.obj.rv == obj.rv) overlay_.erase(o);
    committed_rev_ = obj.rv;
    op.waiter->Finish();
    events.push_back(std::move(op.event));
  }
  hub_->Publish(std::move(events));
}

void EmbeddedStore::FailLocked(Batch* batch, const Status& st) {
  for (PendingOp& op : batch->ops) {
    op.waiter->status = st;
    op.waiter->Finish();
  }
  // Writes queued behind the failed batch were checked against its effects
  // (overlay), so they cannot be kept either.
  Status behind = Status::IOError("an earlier write in the same commit group failed: " + st.message());
  for (PendingOp& op : pending_.ops) {
    op.waiter->status = behind;
    op.waiter->Finish();
  }
  pending_ = Batch();
  overlay_.clear();
  next_rev_ = committed_rev_ + 1;
}

// ---------------------------------------------------------------------------
// Snapshots

void EmbeddedStore::MaybeSnapshot() {
  if (log_bytes_.load() < next_snapshot_at_ || snapshot_running_.load()) return;
  if (snapshot_thread_.joinable()) snapshot_thread_.join();
  int64_t rev;
  {
    std::lock_guard<std::mutex> l(mu_);
    if (read_only_) return;
    rev = committed_rev_;
  }
  // Only this thread mutates committed_, so reading it without mu_ is safe;
  // the copy is shared_ptr bumps, not document copies.
  auto copy = std::make_shared<const ObjectMap>(committed_);
  Status st = OpenSegmentForAppend(rev + 1, true);
  if (!st.ok()) {
    std::fprintf(stderr, "dockward store: WARNING: cannot start a new log segment: %s\n", st.message().c_str());
    next_snapshot_at_ = log_bytes_.load() + opts_.snapshot_log_bytes;
    return;
  }
  next_snapshot_at_ = opts_.snapshot_log_bytes;
  snapshot_running_.store(true);
  snapshot_thread_ = std::thread(&EmbeddedStore::SnapshotThread, this, std::move(copy), rev);
}

void EmbeddedStore::SnapshotThread(std::shared_ptr<const ObjectMap> objects, int64_t rev) {
  int64_t bytes = 0;
  Status st = WriteSnapshot(opts_.dir, rev, *objects, &bytes);
  objects.reset();
  if (st.ok()) {
    snapshot_bytes_.store(bytes);
    snapshots_taken_.fetch_add(1);
    RemoveOldFiles();
  } else {
    // The log segments are all still there, so nothing is lost; the next
    // segment switch retries.
    std::fprintf(stderr, "dockward store: WARNING: snapshot at revision %lld failed: %s\n",
                 static_cast<long long>(rev), st.message().c_str());
  }
  snapshot_running_.store(false);
}

void EmbeddedStore::RemoveOldFiles() {
  DirListing ls;
  if (!ListStoreDir(opts_.dir, &ls).ok() || ls.snapshots.size() < 2) return;
  // Keep the newest two snapshots and every segment holding revisions after
  // the older of them, so either snapshot can be the recovery base.
  const int64_t base = ls.snapshots[ls.snapshots.size() - 2];
  for (int64_t s : ls.snapshots) {
    if (s < base) ::unlink((opts_.dir + "/" + SnapshotName(s)).c_str());
  }
  for (size_t i = 0; i + 1 < ls.segments.size(); ++i) {
    if (ls.segments[i + 1] <= base + 1) ::unlink((opts_.dir + "/" + SegmentName(ls.segments[i])).c_str());
  }
}

Status OpenEmbedded(const EmbeddedOptions& opts, std::unique_ptr<Store>* out) {
  if (opts.dir.empty()) return Status::BadRequest("store directory must be set");
  auto store = std::make_unique<EmbeddedStore>(opts);
  DW_RETURN_IF_ERROR(store->Open());
  *out = std::move(store);
  return Status::OK();
}

}  // namespace dw::store
