#include "reconcilers/backup/byte_stream.h"

#include <algorithm>
#include <cstring>
#include <memory>

namespace dw::backup {

Status StringSource::Read(char* buf, size_t cap, size_t* n) {
  *n = std::min(cap, data_.size() - pos_);
  if (*n > 0) std::memcpy(buf, data_.data() + pos_, *n);
  pos_ += *n;
  return Status::OK();
}

Status Pump(ByteSource* src, ByteSink* sink, size_t buffer_size) {
  std::unique_ptr<char[]> buf(new char[buffer_size]);
  for (;;) {
    size_t n = 0;
    DW_RETURN_IF_ERROR(src->Read(buf.get(), buffer_size, &n));
    if (n == 0) return Status::OK();
    DW_RETURN_IF_ERROR(sink->Write(std::string_view(buf.get(), n)));
  }
}

}  // namespace dw::backup
