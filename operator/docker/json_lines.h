// Line-delimited JSON streams (GET /events, GET /containers/{id}/stats
// ?stream=true): the daemon pushes one document per line; each complete line
// is handed over as it arrives, so nothing is buffered beyond the current one.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "operator/common/status.h"
#include "operator/http/client.h"

namespace dw::docker {

// Calls on_line for every non-empty line until it returns false (or sets
// *stop_error, which is then returned as Internal "WHAT from ENDPOINT: ..."),
// the stream ends, or `client` is cancelled. A non-2xx answer becomes the
// daemon's error; a line longer than 1 MiB is an error.
Status StreamJsonLines(http::Client* client, const http::Request& req,
                       std::chrono::milliseconds idle_timeout, const std::string& what,
                       const std::string& endpoint,
                       const std::function<bool(std::string_view line, Status* stop_error)>& on_line);

}  // namespace dw::docker
