#include "operator/store/snapshot.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "operator/store/files.h"
#include "operator/store/record.h"

namespace dw::store {
namespace {

constexpr size_t kFlushBytes = 1 << 20;

// Closes the fd on every path.
struct Fd {
  int fd = -1;
  ~Fd() { if (fd >= 0) ::close(fd); }
};

std::string EncodeCount(int64_t n) { return std::to_string(n); }

Status WriteRecords(int fd, const std::string& path, const ObjectMap& objects, int64_t rev,
                    int64_t* bytes) {
  std::string buf;
  buf.reserve(kFlushBytes + 4096);
  int64_t off = 0;
  auto flush = [&]() -> Status {
    DW_RETURN_IF_ERROR(PWriteAll(fd, buf, off, path));
    off += static_cast<int64_t>(buf.size());
    buf.clear();
    return Status::OK();
  };
  for (const auto& [key, obj] : objects) {
    AppendRecord(RecordOp::kPut, obj.rv, key, *obj.data, &buf);
    if (buf.size() >= kFlushBytes) DW_RETURN_IF_ERROR(flush());
  }
  AppendRecord(RecordOp::kSnapshotEnd, rev, "", EncodeCount(static_cast<int64_t>(objects.size())), &buf);
  DW_RETURN_IF_ERROR(flush());
  *bytes = off;
  return Status::OK();
}

}  // namespace

Status WriteSnapshot(const std::string& dir, int64_t rev, const ObjectMap& objects, int64_t* bytes) {
  std::string final_path = dir + "/" + SnapshotName(rev);
  std::string tmp = final_path + ".tmp";
  Fd f;
  f.fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (f.fd < 0) return ErrnoStatus("create " + tmp, errno);
  Status st = WriteRecords(f.fd, tmp, objects, rev, bytes);
  if (st.ok()) st = SyncFd(f.fd, false, tmp);
  if (st.ok() && ::rename(tmp.c_str(), final_path.c_str()) != 0) st = ErrnoStatus("rename " + tmp, errno);
  if (!st.ok()) {
    ::unlink(tmp.c_str());
    return st;
  }
  return SyncDir(dir);
}

Status LoadSnapshot(const std::string& path, ObjectMap* objects, int64_t* rev, int64_t* bytes) {
  Fd f;
  f.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (f.fd < 0) return ErrnoStatus("open " + path, errno);
  RecordReader reader(f.fd);
  Record rec;
  ObjectMap loaded;
  while (true) {
    RecordReader::Result r = reader.Next(&rec);
    if (r == RecordReader::Result::kEnd) return Status::Corruption(path + ": missing end record");
    if (r == RecordReader::Result::kBad) {
      return Status::Corruption(path + ": " + reader.error() + " at offset " + std::to_string(reader.offset()));
    }
    if (rec.op == RecordOp::kSnapshotEnd) break;
    if (rec.op != RecordOp::kPut) return Status::Corruption(path + ": unexpected record type");
    Object obj;
    std::string key = rec.key;
    DW_RETURN_IF_ERROR(ObjectFromBytes(std::move(rec.key), rec.rev, std::move(rec.value), &obj));
    // Records are written in key order, so appending at the end is O(1).
    loaded.emplace_hint(loaded.end(), std::move(key), std::move(obj));
  }
  if (rec.value != EncodeCount(static_cast<int64_t>(loaded.size()))) {
    return Status::Corruption(path + ": object count mismatch");
  }
  Record extra;
  if (reader.Next(&extra) != RecordReader::Result::kEnd) {
    return Status::Corruption(path + ": data after end record");
  }
  *rev = rec.rev;
  *bytes = reader.offset();
  *objects = std::move(loaded);
  return Status::OK();
}

}  // namespace dw::store
