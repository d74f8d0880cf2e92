// EmbeddedStore start-up: newest valid snapshot, then replay of the log
// segments after it. A short or corrupt record ends the log: the file is
// truncated there (a torn tail after kill -9 is normal), and any later
// segments are set aside as "*.corrupt" because they would follow a gap.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "operator/store/embedded_store.h"
#include "operator/store/files.h"
#include "operator/store/record.h"
#include "operator/store/snapshot.h"

namespace dw::store {
namespace {

void Warn(const std::string& msg) { std::fprintf(stderr, "dockward store: WARNING: %s\n", msg.c_str()); }

}  // namespace

Status EmbeddedStore::Recover() {
  DW_RETURN_IF_ERROR(EnsureDir(opts_.dir));
  DirListing ls;
  DW_RETURN_IF_ERROR(ListStoreDir(opts_.dir, &ls));
  for (const std::string& t : ls.temps) ::unlink((opts_.dir + "/" + t).c_str());  // unfinished snapshots
  int64_t snap_rev = 0;
  DW_RETURN_IF_ERROR(LoadNewestSnapshot(ls.snapshots, &snap_rev));
  DW_RETURN_IF_ERROR(ReplaySegments(ls.segments, snap_rev));
  object_bytes_ = 0;
  for (const auto& [k, o] : committed_) object_bytes_ += static_cast<int64_t>(o.data->size());
  next_rev_ = committed_rev_ + 1;
  next_snapshot_at_ = opts_.snapshot_log_bytes;
  hub_->Reset(committed_rev_);
  return Status::OK();
}

Status EmbeddedStore::LoadNewestSnapshot(const std::vector<int64_t>& snapshots, int64_t* snap_rev) {
  for (auto it = snapshots.rbegin(); it != snapshots.rend(); ++it) {
    std::string path = opts_.dir + "/" + SnapshotName(*it);
    int64_t rev = 0, bytes = 0;
    ObjectMap objects;
    Status st = LoadSnapshot(path, &objects, &rev, &bytes);
    if (st.ok() && rev != *it) st = Status::Corruption(path + ": revision does not match its name");
    if (!st.ok()) {
      Warn("skipping damaged snapshot: " + st.message());
      continue;
    }
    committed_ = std::move(objects);
    committed_rev_ = rev;
    snapshot_bytes_.store(bytes);
    *snap_rev = rev;
    return Status::OK();
  }
  if (!snapshots.empty()) {
    // Segments before the oldest snapshot may already be deleted; starting
    // from nothing would silently drop data.
    return Status::Corruption("no readable snapshot in " + opts_.dir);
  }
  return Status::OK();
}

Status EmbeddedStore::ReplaySegments(const std::vector<int64_t>& segments, int64_t snap_rev) {
  size_t last = segments.size();  // index of the segment we append to
  for (size_t i = 0; i < segments.size(); ++i) {
    // Segments entirely covered by the snapshot need not be read.
    if (i + 1 < segments.size() && segments[i + 1] <= snap_rev + 1) continue;
    std::string path = opts_.dir + "/" + SegmentName(segments[i]);
    int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) return ErrnoStatus("open " + path, errno);
    RecordReader reader(fd);
    Record rec;
    Status st;
    bool damaged = false;
    while (st.ok()) {
      RecordReader::Result r = reader.Next(&rec);
      if (r == RecordReader::Result::kEnd) break;
      if (r == RecordReader::Result::kBad) {
        damaged = true;
        break;
      }
      if (rec.rev <= committed_rev_) continue;  // already in the snapshot
      if (rec.rev != committed_rev_ + 1) {
        st = Status::Corruption(path + ": revision " + std::to_string(rec.rev) + " follows " +
                                std::to_string(committed_rev_) + " (log gap)");
        break;
      }
      if (rec.op == RecordOp::kDelete) {
        committed_.erase(rec.key);
      } else if (rec.op == RecordOp::kPut) {
        Object obj;
        std::string key = rec.key;
        st = ObjectFromBytes(std::move(rec.key), rec.rev, std::move(rec.value), &obj);
        if (st.ok()) committed_.insert_or_assign(std::move(key), std::move(obj));
      } else {
        st = Status::Corruption(path + ": unexpected record type in log");
      }
      if (st.ok()) committed_rev_ = rec.rev;
    }
    if (st.ok() && damaged) {
      off_t size = ::lseek(fd, 0, SEEK_END);
      Warn(path + ": " + reader.error() + " at offset " + std::to_string(reader.offset()) + "; truncating " +
           std::to_string(size - reader.offset()) + " trailing bytes" +
           (i + 1 < segments.size() ? " and setting aside later segments" : ""));
      if (::ftruncate(fd, reader.offset()) != 0 || ::fsync(fd) != 0) st = ErrnoStatus("truncate " + path, errno);
    }
    ::close(fd);
    DW_RETURN_IF_ERROR(st);
    if (damaged) {
      for (size_t j = i + 1; j < segments.size(); ++j) {
        std::string later = opts_.dir + "/" + SegmentName(segments[j]);
        if (::rename(later.c_str(), (later + ".corrupt").c_str()) != 0) return ErrnoStatus("rename " + later, errno);
      }
      last = i;
      break;
    }
    last = i;
  }
  if (last < segments.size()) return OpenSegmentForAppend(segments[last], false);
  return OpenSegmentForAppend(committed_rev_ + 1, true);
}

Status EmbeddedStore::OpenSegmentForAppend(int64_t first_rev, bool create) {
  std::string path = opts_.dir + "/" + SegmentName(first_rev);
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC | (create ? O_CREAT : 0), 0600);
  if (fd < 0) return ErrnoStatus("open " + path, errno);
  off_t size = ::lseek(fd, 0, SEEK_END);
  if (size < 0) {
    Status st = ErrnoStatus("seek " + path, errno);
    ::close(fd);
    return st;
  }
  if (create) {
    // The new file's directory entry must be durable before writes in it are acknowledged.
    Status st = SyncDir(opts_.dir);
    if (!st.ok()) {
      ::close(fd);
      if (size == 0) ::unlink(path.c_str());
      return st;
    }
  }
  if (log_fd_ >= 0) ::close(log_fd_);
  log_fd_ = fd;
  log_first_rev_ = first_rev;
  log_bytes_.store(size);
  return Status::OK();
}

}  // namespace dw::store
