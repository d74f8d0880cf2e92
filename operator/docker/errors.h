// Mapping of Docker Engine error responses ({"message": "..."} + HTTP code)
// onto dw::Status, and the retry classification built on it: Unavailable and
// Timeout are transient (daemon down, restarting, overloaded: retry with
// backoff); everything else is permanent for the same request.
#pragma once

#include <string>
#include <string_view>

#include "operator/common/status.h"

namespace dw::docker {

// `endpoint` ("unix:///run/docker.sock") is named in 5xx errors so a log line
// says which daemon failed. 2xx gives OK.
Status StatusFromResponse(int http_status, std::string_view body, const std::string& endpoint);

// True for errors worth retrying unchanged (Unavailable, Timeout).
bool IsTransient(const Status& st);

}  // namespace dw::docker
