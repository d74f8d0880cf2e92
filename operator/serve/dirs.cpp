#include "operator/serve/dirs.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

namespace dw::serve {

Status MakeDirs(const std::string& dir, mode_t mode) {
  for (size_t i = 1; i <= dir.size(); ++i) {
    if (i != dir.size() && dir[i] != '/') continue;
    const std::string partial = dir.substr(0, i);
    if (::mkdir(partial.c_str(), mode) != 0 && errno != EEXIST)
      return Status::IOError("cannot create " + partial + ": " + std::strerror(errno));
  }
  return Status::OK();
}

}  // namespace dw::serve
