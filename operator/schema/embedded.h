// The manifests compiled into the binary by cmake/embed_manifests.cmake:
// crds/*.yaml and operator/schema/builtin/*.yaml, as (file name, YAML text).
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace dw::schema {

const std::vector<std::pair<std::string, std::string>>& EmbeddedCrds();
const std::vector<std::pair<std::string, std::string>>& EmbeddedBuiltinKinds();

}  // namespace dw::schema
