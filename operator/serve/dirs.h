// Directory creation shared by the two ways `dockward serve` runs (embedded
// and remote): the data dir and what lives under it.
#pragma once

#include <sys/types.h>

#include <string>

#include "operator/common/status.h"

namespace dw::serve {

// mkdir -p: every missing component of `dir` is created with `mode`.
Status MakeDirs(const std::string& dir, mode_t mode);

}  // namespace dw::serve
