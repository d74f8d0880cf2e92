// metadata.finalizers helpers. Each returns whether the object changed, so a
// reconciler writes only when it must.
#pragma once

#include <string>

#include "operator/json/json.h"

namespace dw::runtime {

bool HasFinalizer(const json::Value& obj, const std::string& finalizer);
bool AddFinalizer(json::Document& obj, const std::string& finalizer);
bool RemoveFinalizer(json::Document& obj, const std::string& finalizer);
// metadata.deletionTimestamp is set: the object waits for its finalizers.
bool IsBeingDeleted(const json::Value& obj);

}  // namespace dw::runtime
