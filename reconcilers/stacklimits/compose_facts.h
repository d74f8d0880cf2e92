// Static front end for `dockward lint`: compose files -> the same
// ContainerFacts the runtime audit builds from inspect, one per service (one
// container each; `scale` is not expanded).
//
// Follows docker-compose: several -f files merged in order, YAML anchors and
// `<<` merge keys, top-level `x-*` ignored, interpolation of ${VAR}, $VAR,
// ${VAR:-d}, ${VAR-d}, ${VAR:?e}, ${VAR?e} and $$ from the environment then
// the env file (default <dir of first file>/.env). `{{VAR}}` is left alone,
// as compose leaves it, so the placeholder rule sees what the container would.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "operator/common/status.h"
#include "reconcilers/stacklimits/facts.h"

namespace dw::stacklimits {

enum class ComposeFlavor {
  kV1,        // docker-compose 1.x: deploy.resources ignored (a note says so)
  kV1Compat,  // docker-compose 1.x --compatibility: deploy.resources applied
  kV2,        // docker compose v2: deploy.resources applied (default)
};

struct ComposeOptions {
  std::vector<std::string> files;
  std::string project;  // "" = the first file's directory name, as compose does
  std::map<std::string, std::string> env;  // the process environment
  std::string env_file;                    // "" = <dir>/.env if present
  ComposeFlavor flavor = ComposeFlavor::kV2;
  // Images known to declare a HEALTHCHECK (lint cannot inspect images).
  std::vector<std::string> images_with_healthcheck;
};

// Not findings: things the reader should know (unset variables, ignored keys).
struct ComposeNote {
  std::string file;
  int line = 0;  // 1-based, 0 unknown
  std::string service;
  std::string message;
};

// InvalidArgument naming file and line for unreadable or malformed files.
Status LoadComposeFacts(const ComposeOptions& opts, std::vector<ContainerFacts>* out,
                        std::vector<ComposeNote>* notes);

}  // namespace dw::stacklimits
