// ownerReferences helpers. SetControllerReference marks `owner` as the
// managing controller of `obj` (controller=true, blockOwnerDeletion=true), as
// controllerutil.SetControllerReference does: it refuses (AlreadyExists) when
// another object already is the controller, and updates an existing
// reference to the same owner in place instead of duplicating it.
#pragma once

#include <string>

#include "operator/common/status.h"
#include "operator/json/json.h"

namespace dw::runtime {

Status SetControllerReference(const json::Value& owner, json::Document& obj);
// The controller=true reference of obj, or nullptr.
const json::Value* GetControllerOf(const json::Value& obj);
// True if obj lists `owner_uid` among its ownerReferences.
bool IsOwnedBy(const json::Value& obj, const std::string& owner_uid);

}  // namespace dw::runtime
