// Encoding of Docker's `filters` query parameter: a JSON object mapping each
// filter name to an array of values ({"label":["com.docker.compose.project=x"],
// "status":["running"]}), then percent-encoded. Several values of one name are
// OR'ed by Docker except `label`, whose values must all match.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace dw::docker {

using Filters = std::map<std::string, std::vector<std::string>>;

// The JSON text (not escaped). Empty filters give "{}".
std::string FiltersJson(const Filters& filters);
// "filters=<escaped json>", or "" when there are no filters (Docker treats an
// absent parameter and "{}" alike; leaving it out keeps URLs short).
std::string FiltersQuery(const Filters& filters);

}  // namespace dw::docker
