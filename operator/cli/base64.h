// Standard base64 (RFC 4648, with padding), as kubeconfig's *-data fields use.
#pragma once

#include <string>
#include <string_view>

namespace dw::cli {

std::string Base64Encode(std::string_view in);
// False on characters outside the alphabet or bad padding; whitespace
// (line breaks in pasted data) is ignored.
bool Base64Decode(std::string_view in, std::string* out);

}  // namespace dw::cli
