// A ByteSink that makes a file appear under its final name only when it is
// complete and durable. Bytes go to DIR/.NAME.tmp-<random> (created with
// O_EXCL, mode 0600); Finish flushes, fsyncs the file, renames it to
// DIR/NAME (refusing to replace an existing file) and fsyncs DIR. On any
// error, or if the sink is destroyed without a successful Finish, the temp
// file is removed, so a crash or a failed run never leaves a partial artifact
// under a final name. A full disk surfaces as IOError
// "no space left on device writing DIR/NAME".
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "reconcilers/backup/byte_stream.h"

namespace dw::backup {

class AtomicFileSink final : public ByteSink {
 public:
  static Status Create(const std::string& dir, const std::string& name, std::unique_ptr<AtomicFileSink>* out);
  ~AtomicFileSink() override;

  Status Write(std::string_view data) override;
  Status Finish() override;
  // Removes the temp file now; later calls fail.
  void Abort();

  const std::string& final_path() const { return final_path_; }
  const std::string& temp_path() const { return temp_path_; }

 private:
  AtomicFileSink(std::string dir, std::string final_path, std::string temp_path, int fd);
  Status Flush();
  Status WriteAll(const char* p, size_t len);
  Status Fail(Status st);
  Status Errno(const char* what, int err);

  std::string dir_, final_path_, temp_path_;
  int fd_;
  std::vector<char> buf_;  // coalesces small writes (frame headers, tags)
  size_t buf_len_ = 0;
  bool committed_ = false;
  Status status_;
};

// Removes leftover temp files (".*.tmp-*", regular files only) in `dir`
// after a crash. Call it before any writer starts in `dir`: it cannot tell
// an abandoned temp file from one being written. *removed (optional)
// receives the count. A missing `dir` is not an error.
Status CleanupStaleTemps(const std::string& dir, int* removed = nullptr);

}  // namespace dw::backup
