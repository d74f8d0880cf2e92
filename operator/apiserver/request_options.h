// Query-string options of list, watch and delete requests, validated with
// the errors Kubernetes gives, and the opaque "continue" token of paginated
// lists.
#pragma once

#include <string>

#include "operator/apiserver/http_server.h"
#include "operator/apiserver/object_registry.h"

namespace dw::apiserver {

// labelSelector, fieldSelector (only fields the kind supports), limit, continue.
Status ParseListQuery(const schema::ResourceInfo& r, const HttpRequest& req, ListQuery* q);
// DeleteOptions from the body (if any) and the query (propagationPolicy,
// dryRun, gracePeriodSeconds, orphanDependents).
Status ParseDeleteOptions(const HttpRequest& req, DeleteOptions* o);

std::string EncodeContinue(const std::string& last_key, int64_t rv);
Status DecodeContinue(const std::string& token, std::string* last_key);

}  // namespace dw::apiserver
