// Decoding of request bodies in the Kubernetes protobuf encoding
// (application/vnd.kubernetes.protobuf): the "k8s\0" magic followed by a
// runtime.Unknown envelope whose raw bytes are the object's message.
//
// kubectl's typed clients (`kubectl create namespace`, `kubectl create
// secret ...`) send only this encoding for built-in kinds, so the server
// must read it; responses stay JSON, which those clients also accept. Only
// the kinds such clients create here (Namespace, Secret) are mapped, field
// by field, into the same JSON the registry gets from a JSON body. Anything
// else is refused with 415, as for any unknown media type.
#pragma once

#include <string_view>

#include "operator/common/status.h"
#include "operator/json/json.h"

namespace dw::apiserver {

inline constexpr std::string_view kProtobufContentType = "application/vnd.kubernetes.protobuf";

// Fills `out` with the JSON form of the object in `body`. Malformed input is
// a BadRequest; a well-formed message of an unsupported kind is 415.
Status DecodeProtobufObject(std::string_view body, json::Document* out);

}  // namespace dw::apiserver
