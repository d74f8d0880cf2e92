// metav1.Status responses: every error the API returns is a Status object
// with the reason and code kubectl expects, and the field causes of an
// Invalid error.
#pragma once

#include <string>

#include "operator/apiserver/http_server.h"
#include "operator/common/status.h"

namespace dw::apiserver {

// metav1.StatusDetails: which object an error is about. kubectl builds its
// message from them ("The BackupPolicy \"x\" is invalid: * field: ...").
struct StatusDetails {
  std::string name;
  std::string group;
  std::string kind;  // the Kind for Invalid errors, the resource otherwise (as Kubernetes does)
};

// {"kind":"Status","apiVersion":"v1","status":"Failure","message":...}
std::string StatusJson(const Status& st, const StatusDetails& details = {});
// Sends `st` as a Status object; returns the HTTP code used.
int WriteStatus(ResponseWriter& w, const Status& st, const StatusDetails& details = {});

}  // namespace dw::apiserver
