// Base64 (RFC 4648): the standard alphabet with padding, as Kubernetes uses for
// Secret data and kubeconfig *-data fields; and the unpadded URL-safe form for
// opaque tokens (list continue tokens).
#pragma once

#include <string>
#include <string_view>

namespace dw {

std::string Base64Encode(std::string_view in);
// False on characters outside the alphabet or bad padding; whitespace
// (line breaks in pasted data) is ignored.
bool Base64Decode(std::string_view in, std::string* out);

// URL-safe alphabet ("-", "_"), no padding.
std::string Base64UrlEncode(std::string_view in);
bool Base64UrlDecode(std::string_view in, std::string* out);

}  // namespace dw
