#include "reconcilers/backup/contract.h"

#include <openssl/sha.h>

namespace dw::backup {

std::string TargetKey(std::string_view host, std::string_view container,
                      std::string_view artifact_name) {
  std::string in;
  in.reserve(host.size() + container.size() + artifact_name.size() + 2);
  in.append(host).append("/").append(container).append("/").append(artifact_name);
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(in.data()), in.size(), md);
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 8; ++i) {
    out.push_back(kHex[md[i] >> 4]);
    out.push_back(kHex[md[i] & 15]);
  }
  return out;
}

}  // namespace dw::backup
