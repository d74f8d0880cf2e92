#include "operator/docker/tar.h"

#include <algorithm>
#include <cstring>

namespace dw::docker {
namespace {

// Writes `value` as `width - 1` zero-padded octal digits and a NUL.
bool PutOctal(char* field, size_t width, uint64_t value) {
  std::string digits(width - 1, '0');
  for (size_t i = width - 1; i-- > 0 && value > 0; value >>= 3) digits[i] = char('0' + (value & 7));
  if (value != 0) return false;
  std::memcpy(field, digits.data(), width - 1);
  field[width - 1] = '\0';
  return true;
}

// GNU base-256: high bit of the first byte set, big-endian magnitude.
void PutBase256(char* field, size_t width, uint64_t value) {
  std::memset(field, 0, width);
  field[0] = static_cast<char>(0x80);
  for (size_t i = width; i-- > 1 && value > 0; value >>= 8)
    field[i] = static_cast<char>(value & 0xff);
}

}  // namespace

Status MakeTarHeader(std::string_view name, uint64_t size, uint32_t mode, int64_t mtime,
                     TarHeader* out) {
  if (name.empty() || name == "." || name == ".." || name.size() > 100 ||
      name.find('/') != std::string_view::npos || name.find('\0') != std::string_view::npos)
    return Status::BadRequest("tar: \"" + std::string(name.substr(0, 100)) +
                              "\" is not a plain file name of at most 100 bytes");
  if (mode > 07777) return Status::BadRequest("tar: mode has bits beyond 07777");
  if (mtime < 0) return Status::BadRequest("tar: negative modification time");
  TarHeader& h = *out;
  h.fill('\0');
  std::memcpy(h.data(), name.data(), name.size());
  PutOctal(&h[100], 8, mode);
  PutOctal(&h[108], 8, 0);  // uid
  PutOctal(&h[116], 8, 0);  // gid
  if (!PutOctal(&h[124], 12, size)) PutBase256(&h[124], 12, size);
  if (!PutOctal(&h[136], 12, static_cast<uint64_t>(mtime)))
    return Status::BadRequest("tar: modification time out of range");
  h[156] = '0';  // regular file
  std::memcpy(&h[257], "ustar\0" "00", 8);
  // The checksum is computed with its own field read as eight spaces.
  std::memset(&h[148], ' ', 8);
  uint32_t sum = 0;
  for (char c : h) sum += static_cast<unsigned char>(c);
  PutOctal(&h[148], 7, sum);  // six digits + NUL, then the space stays
  return Status::OK();
}

Status OneFileTarStream::Read(char* buf, size_t cap, size_t* n) {
  *n = 0;
  const uint64_t data_end = kTarBlockSize + size_;
  const uint64_t total = OneFileTarSize(size_);
  if (cap == 0 || pos_ >= total) return pos_ >= total ? CheckDataEnded() : Status::OK();
  if (pos_ < kTarBlockSize) {
    size_t k = std::min<uint64_t>(cap, kTarBlockSize - pos_);
    std::memcpy(buf, header_.data() + pos_, k);
    *n = k;
  } else if (pos_ < data_end) {
    DW_RETURN_IF_ERROR(ReadData(buf, std::min<uint64_t>(cap, data_end - pos_), n));
  } else {
    if (pos_ == data_end) DW_RETURN_IF_ERROR(CheckDataEnded());
    size_t k = std::min<uint64_t>(cap, total - pos_);
    std::memset(buf, 0, k);
    *n = k;
  }
  pos_ += *n;
  return Status::OK();
}

Status OneFileTarStream::ReadData(char* buf, size_t cap, size_t* n) {
  DW_RETURN_IF_ERROR(data_(buf, cap, n));
  if (*n > cap) return Status::Internal("tar: data source returned more than asked");
  if (*n == 0) {
    return Status::Corruption("tar: the file data ended after " +
                              std::to_string(pos_ - kTarBlockSize) + " of " +
                              std::to_string(size_) + " declared bytes");
  }
  return Status::OK();
}

// The declared size must be the whole file: one more read must see its end.
Status OneFileTarStream::CheckDataEnded() {
  if (!data_) return Status::OK();
  char probe[1];
  size_t extra = 0;
  DW_RETURN_IF_ERROR(data_(probe, sizeof(probe), &extra));
  data_ = nullptr;
  if (extra != 0)
    return Status::Corruption("tar: the file data is longer than the declared " +
                              std::to_string(size_) + " bytes");
  return Status::OK();
}

}  // namespace dw::docker
