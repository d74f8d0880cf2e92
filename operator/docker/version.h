// Docker Engine API version negotiation. Every request goes to
// /v<negotiated>/..., where negotiated = min(daemon's ApiVersion, kMaxApiVersion);
// a daemon older than kMinApiVersion is refused with a clear, permanent error.
#pragma once

#include <string>
#include <string_view>

#include "operator/common/status.h"

namespace dw::docker {

// Newest API this client speaks (Docker 20.10) and oldest it accepts (the
// first with JSON filters on every list endpoint and the exec inspect fields
// we read).
inline constexpr std::string_view kMaxApiVersion = "1.41";
inline constexpr std::string_view kMinApiVersion = "1.25";

struct ApiVersion {
  int major = 0;
  int minor = 0;
  std::string ToString() const { return std::to_string(major) + "." + std::to_string(minor); }
  friend auto operator<=>(const ApiVersion&, const ApiVersion&) = default;
};

// Parses "1.41" (exactly two non-negative decimal numbers).
Status ParseApiVersion(std::string_view text, ApiVersion* out);

// Chooses the version to use against a daemon advertising `server_version`
// (from the Api-Version header of /_ping or ApiVersion of /version).
// `endpoint` names the daemon in errors.
Status NegotiateApiVersion(std::string_view server_version, const std::string& endpoint,
                           ApiVersion* out);

}  // namespace dw::docker
