// EmbeddedStore: the Store backed by an append-only, CRC-framed write-ahead
// log plus periodic snapshots in one directory.
//
// Promises (beyond store.h):
//  - Group commit: concurrent writers share one write(2) + fdatasync; a
//    single writer pays exactly one fsync per write.
//  - Only durable writes are visible to Get/List/Watch.
//  - A failed write/fsync fails every writer of that batch (and of the batch
//    queued behind it, whose checks assumed the failed one), is not applied,
//    and the log is truncated back; if that truncate fails the store turns
//    read-only (Unavailable) rather than risk a log it cannot trust.
//  - Snapshots are written from an immutable copy of the map on a background
//    thread; the log switches to a new segment at the snapshot revision. The
//    newest two snapshots and the segments after the older one are kept, so
//    a damaged newest snapshot still recovers from the previous one.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "operator/store/objects.h"
#include "operator/store/store.h"
#include "operator/store/watch_hub.h"

namespace dw::store {

class EmbeddedStore : public Store {
 public:
  explicit EmbeddedStore(const EmbeddedOptions& opts);
  ~EmbeddedStore() override;

  // Recovers state from the directory and starts the committer.
  Status Open();

  Status Create(const std::string& key, json::Document& obj, Object* out) override;
  Status Update(const std::string& key, json::Document& obj, int64_t expected_rv, Object* out) override;
  Status Delete(const std::string& key, int64_t expected_rv, Object* deleted) override;
  Status Get(const std::string& key, Object* out) override;
  Status List(const ListOptions& opts, ListResult* out) override;
  Status Watch(const std::string& prefix, int64_t from_rv, std::unique_ptr<Watcher>* out) override;
  int64_t Revision() override;
  Stats GetStats() override;
  void Close() override;

 private:
  // A writer blocked until its batch is durable (or failed).
  // One per blocked writer, with its own condition variable: completing a
  // batch wakes exactly its writers, not every writer of the next batch too.
  struct Waiter {
    bool done = false;
    Status status;
    std::condition_variable cv;
    void Finish() {  // called with mu_ held
      done = true;
      cv.notify_one();
    }
  };
  struct PendingOp {
    std::shared_ptr<const Event> event;
    Waiter* waiter;
  };
  struct Batch {
    std::string bytes;  // encoded records
    std::vector<PendingOp> ops;
  };
  // The newest accepted-but-not-durable state of a key.
  struct Overlay {
    bool exists = false;
    Object obj;
  };
  enum class WriteKind { kCreate, kUpdate, kDelete };

  Status Write(WriteKind kind, const std::string& key, json::Document* obj, int64_t expected_rv,
               Object* out);
  // Under mu_: the current (committed or pending) object; false if absent.
  bool CurrentLocked(const std::string& key, Object* cur) const;
  Status CheckWritableLocked() const;

  // Recovery (recovery.cpp).
  Status Recover();
  Status LoadNewestSnapshot(const std::vector<int64_t>& snapshots, int64_t* snap_rev);
  Status ReplaySegments(const std::vector<int64_t>& segments, int64_t snap_rev);
  Status OpenSegmentForAppend(int64_t first_rev, bool create);

  // Committer thread and what it calls.
  void CommitLoop();
  void CommitBatch(Batch* batch);
  void ApplyLocked(Batch* batch);
  void FailLocked(Batch* batch, const Status& st);
  void MaybeSnapshot();
  void SnapshotThread(std::shared_ptr<const ObjectMap> objects, int64_t rev);
  void RemoveOldFiles();

  const EmbeddedOptions opts_;
  std::shared_ptr<WatchHub> hub_;

  mutable std::mutex mu_;
  std::condition_variable commit_cv_;   // committer: work arrived / closing
  ObjectMap committed_;                 // mutated only by the committer, under mu_
  std::unordered_map<std::string, Overlay> overlay_;
  Batch pending_;
  int64_t committed_rev_ = 0;
  int64_t next_rev_ = 1;
  int64_t object_bytes_ = 0;
  bool closing_ = false;
  bool read_only_ = false;
  std::string read_only_reason_;

  // Log file; only the committer (or Open) touches these.
  int log_fd_ = -1;
  int64_t log_first_rev_ = 0;
  std::atomic<int64_t> log_bytes_{0};
  int64_t next_snapshot_at_ = 0;  // log size that triggers the next snapshot

  std::atomic<int64_t> fsyncs_{0};
  std::atomic<int64_t> snapshots_taken_{0};
  std::atomic<int64_t> snapshot_bytes_{0};
  std::atomic<bool> snapshot_running_{false};
  std::thread snapshot_thread_;
  std::thread committer_;
  std::once_flag close_once_;
};

}  // namespace dw::store
