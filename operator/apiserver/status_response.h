// metav1.Status responses: every error the API returns is a Status object
// with the reason and code kubectl expects, and the field causes of an
// Invalid error.
#pragma once

#include <string>

#include "operator/apiserver/http_server.h"
#include "operator/common/status.h"

namespace dw::apiserver {

// {"kind":"Status","apiVersion":"v1","status":"Failure","message":...}
std::string StatusJson(const Status& st);
// Sends `st` as a Status object; returns the HTTP code used.
int WriteStatus(ResponseWriter& w, const Status& st);

}  // namespace dw::apiserver
