#include "operator/common/strings.h"

namespace dw {

std::string Join(const std::vector<std::string>& v, std::string_view sep) {
  return JoinFirst(v, sep, v.size(), "");
}

std::string JoinFirst(const std::vector<std::string>& v, std::string_view sep, size_t limit,
                      std::string_view more_sep) {
  std::string out;
  for (size_t i = 0; i < v.size() && i < limit; ++i) {
    if (i > 0) out += sep;
    out += v[i];
  }
  if (v.size() > limit) {
    out += more_sep;
    out += "and " + std::to_string(v.size() - limit) + " more";
  }
  return out;
}

std::string Truncate(std::string s, size_t max) {
  if (s.size() <= max) return s;
  size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;  // continuation byte
  s.resize(cut);
  return s + "...";
}

}  // namespace dw
