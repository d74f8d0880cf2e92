#include "reconcilers/backup/timezone.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace dw::backup {

namespace {

constexpr const char* kDefaultTzDir = "/usr/share/zoneinfo";
constexpr size_t kMaxTzifBytes = 1 << 20;  // real files are < 4 KiB
// RFC 8536 §3.2: offsets stay within (-25h, +26h).
constexpr int32_t kMinOffset = -89999, kMaxOffset = 93599;

// Big-endian reads over the file bytes; callers check Has() before reading.
class Reader {
 public:
  explicit Reader(std::string_view d) : d_(d) {}
  bool Has(uint64_t n) const { return d_.size() - pos_ >= n; }
  bool Skip(uint64_t n) {
    if (!Has(n)) return false;
    pos_ += n;
    return true;
  }
  uint8_t U8() { return static_cast<uint8_t>(d_[pos_++]); }
  uint32_t U32() {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = (v << 8) | U8();
    return v;
  }
  int64_t I64() {
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | U8();
    return static_cast<int64_t>(v);
  }
  int64_t Time(int size) { return size == 8 ? I64() : static_cast<int32_t>(U32()); }
  std::string_view Rest() const { return d_.substr(pos_); }

 private:
  std::string_view d_;
  size_t pos_ = 0;
};

struct Header {
  char version = 0;
  uint32_t isutcnt = 0, isstdcnt = 0, leapcnt = 0, timecnt = 0, typecnt = 0, charcnt = 0;
};

bool ReadHeader(Reader& r, Header* h) {
  if (!r.Has(44) || r.Rest().substr(0, 4) != "TZif") return false;
  r.Skip(4);
  h->version = static_cast<char>(r.U8());
  r.Skip(15);
  h->isutcnt = r.U32();
  h->isstdcnt = r.U32();
  h->leapcnt = r.U32();
  h->timecnt = r.U32();
  h->typecnt = r.U32();
  h->charcnt = r.U32();
  return true;
}

uint64_t BlockSize(const Header& h, int time_size) {
  return uint64_t{h.timecnt} * (time_size + 1) + uint64_t{h.typecnt} * 6 + h.charcnt +
         uint64_t{h.leapcnt} * (time_size + 4) + h.isstdcnt + h.isutcnt;
}

struct Parsed {
  std::vector<int64_t> transitions;
  std::vector<int32_t> offsets;
  int32_t initial_offset = 0;
};

// Reads one data block (v1: 32-bit times, v2+: 64-bit) and validates it.
Status ParseBlock(Reader& r, const Header& h, int time_size, Parsed* out) {
  auto bad = [](const char* what) { return Status::Corruption(std::string("TZif: ") + what); };
  if (h.typecnt == 0 || h.typecnt > 256) return bad("type count out of range");
  if ((h.isutcnt != 0 && h.isutcnt != h.typecnt) || (h.isstdcnt != 0 && h.isstdcnt != h.typecnt))
    return bad("indicator counts do not match the type count");
  if (h.leapcnt != 0) return bad("leap-second zones are not supported");
  if (!r.Has(BlockSize(h, time_size))) return bad("truncated data block");

  std::vector<int64_t> times(h.timecnt);
  for (auto& t : times) t = r.Time(time_size);
  for (size_t i = 1; i < times.size(); ++i)
    if (times[i] <= times[i - 1]) return bad("transition times not ascending");
  std::vector<uint8_t> idx(h.timecnt);
  for (auto& i : idx) {
    i = r.U8();
    if (i >= h.typecnt) return bad("transition type index out of range");
  }
  std::vector<int32_t> type_offsets(h.typecnt);
  for (auto& off : type_offsets) {
    off = static_cast<int32_t>(r.U32());
    const uint8_t isdst = r.U8(), desig = r.U8();
    if (off < kMinOffset || off > kMaxOffset) return bad("UTC offset out of range");
    if (isdst > 1 || desig >= h.charcnt) return bad("malformed local time type");
  }
  r.Skip(uint64_t{h.charcnt} + h.isstdcnt + h.isutcnt);  // names and indicators: unused

  out->transitions = std::move(times);
  out->offsets.resize(idx.size());
  for (size_t i = 0; i < idx.size(); ++i) out->offsets[i] = type_offsets[idx[i]];
  out->initial_offset = type_offsets[0];
  return Status::OK();
}

Status UnknownZone(std::string_view name) {
  return Status::BadRequest("unknown time zone \"" + std::string(name) + "\"");
}

Status ReadSmallFile(const std::string& path, std::string_view name, std::string* out) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP || errno == ENAMETOOLONG)
      return UnknownZone(name);
    return Status::IOError("time zone \"" + std::string(name) + "\": " + std::strerror(errno));
  }
  struct stat st {};
  Status s;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    s = UnknownZone(name);  // e.g. "Europe", a directory
  } else if (static_cast<size_t>(st.st_size) > kMaxTzifBytes) {
    s = Status::Corruption("time zone \"" + std::string(name) + "\": file too large");
  } else {
    out->resize(static_cast<size_t>(st.st_size));
    size_t got = 0;
    while (got < out->size()) {
      const ssize_t n = ::read(fd, out->data() + got, out->size() - got);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      got += static_cast<size_t>(n);
    }
    out->resize(got);
  }
  ::close(fd);
  return s;
}

}  // namespace

std::shared_ptr<const TimeZone> TimeZone::Utc() {
  static const std::shared_ptr<const TimeZone> utc = [] {
    std::shared_ptr<TimeZone> z(new TimeZone());
    z->name_ = "UTC";
    return z;
  }();
  return utc;
}

bool TimeZone::IsValidName(std::string_view name) {
  // ^[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+)*$ : no dots at all, so no
  // "..", and no leading "/", so nothing outside the zone directory.
  if (name.empty() || name.size() > 255 || !std::isalpha(static_cast<unsigned char>(name[0])))
    return false;
  char prev = name[0];
  for (char c : name.substr(1)) {
    const bool word = std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '+' || c == '-';
    if (!word && !(c == '/' && prev != '/')) return false;
    prev = c;
  }
  return prev != '/';
}

Status TimeZone::Load(std::string_view name, std::shared_ptr<const TimeZone>* out) {
  const char* dir = std::getenv("TZDIR");
  return LoadFromDir(dir != nullptr && *dir != '\0' ? dir : kDefaultTzDir, name, out);
}

Status TimeZone::LoadFromDir(const std::string& dir, std::string_view name,
                             std::shared_ptr<const TimeZone>* out) {
  if (!IsValidName(name)) return UnknownZone(name);
  if (name == "UTC") {
    *out = Utc();
    return Status::OK();
  }
  std::string data;
  DW_RETURN_IF_ERROR(ReadSmallFile(dir + "/" + std::string(name), name, &data));
  // Non-zone files under the directory ("leapseconds", "SECURITY"): not a zone.
  if (data.compare(0, 4, "TZif") != 0) return UnknownZone(name);
  Status s = FromTzif(std::string(name), data, out);
  if (!s.ok()) return Status::Corruption("time zone \"" + std::string(name) + "\": " + s.message());
  return s;
}

Status TimeZone::FromTzif(std::string name, std::string_view data,
                          std::shared_ptr<const TimeZone>* out) {
  Reader r(data);
  Header h;
  if (!ReadHeader(r, &h)) return Status::Corruption("TZif: bad header");
  Parsed p;
  std::optional<TzRule> rule;
  if (h.version == 0) {
    DW_RETURN_IF_ERROR(ParseBlock(r, h, 4, &p));
  } else if (h.version >= '2' && h.version <= '4') {
    // The v1 block is only for old readers; skip it to the 64-bit one.
    if (!r.Skip(BlockSize(h, 4))) return Status::Corruption("TZif: truncated v1 block");
    Header h2;
    if (!ReadHeader(r, &h2)) return Status::Corruption("TZif: bad v2 header");
    DW_RETURN_IF_ERROR(ParseBlock(r, h2, 8, &p));
    std::string_view footer = r.Rest();
    const size_t nl = footer.size() > 1 ? footer.find('\n', 1) : std::string_view::npos;
    if (footer.empty() || footer[0] != '\n' || nl == std::string_view::npos)
      return Status::Corruption("TZif: missing footer");
    if (nl > 1) {
      TzRule tr;
      DW_RETURN_IF_ERROR(TzRule::Parse(footer.substr(1, nl - 1), &tr));
      rule = tr;
    }
  } else {
    return Status::Corruption("TZif: unsupported version");
  }
  std::shared_ptr<TimeZone> z(new TimeZone());
  z->name_ = std::move(name);
  z->transitions_ = std::move(p.transitions);
  z->offsets_ = std::move(p.offsets);
  z->initial_offset_ = p.initial_offset;
  z->rule_ = rule;
  *out = std::move(z);
  return Status::OK();
}

Status TimeZone::FromPosix(std::string_view rule, std::shared_ptr<const TimeZone>* out) {
  TzRule tr;
  DW_RETURN_IF_ERROR(TzRule::Parse(rule, &tr));
  std::shared_ptr<TimeZone> z(new TimeZone());
  z->name_ = std::string(rule);
  z->initial_offset_ = tr.std_offset();
  z->rule_ = tr;
  *out = std::move(z);
  return Status::OK();
}

int32_t TimeZone::OffsetAt(int64_t t) const {
  if (transitions_.empty()) return rule_ ? rule_->OffsetAt(t) : initial_offset_;
  if (t < transitions_.front()) return initial_offset_;
  const auto it = std::upper_bound(transitions_.begin(), transitions_.end(), t);
  if (it == transitions_.end() && rule_) return rule_->OffsetAt(t);
  return offsets_[static_cast<size_t>(it - transitions_.begin()) - 1];
}

TimeZone::Instants TimeZone::FromLocal(int64_t local) const {
  // The instant is local - offset for one of the offsets in force within a
  // day either side; sample them, then keep those that map back to `local`.
  int32_t offs[5];
  int n = 0;
  for (int64_t probe : {-93600, -43200, 0, 43200, 93600}) {
    const int32_t off = OffsetAt(local + probe);
    if (std::find(offs, offs + n, off) == offs + n) offs[n++] = off;
  }
  int64_t found[5];
  int m = 0;
  for (int i = 0; i < n; ++i) {
    const int64_t t = local - offs[i];
    if (OffsetAt(t) != offs[i]) continue;
    int j = m++;  // insertion keeps `found` ascending
    for (; j > 0 && found[j - 1] > t; --j) found[j] = found[j - 1];
    found[j] = t;
  }
  Instants r;
  for (int i = 0; i < m && r.count < 2; ++i)
    if (r.count == 0 || found[i] != r.at[r.count - 1]) r.at[r.count++] = found[i];
  return r;
}

}  // namespace dw::backup
