// Quantities: the CRD speaks Kubernetes (512Mi = 512*2^20, 2G = 2*10^9,
// "1.5" or "500m" CPUs); compose and docker speak binary byte strings
// (2g = 2*2^30). Two parsers, never mixed: mixing them is a silent 7% drift.
#pragma once

#include <cstdint>
#include <string>

#include "operator/common/status.h"
#include "operator/json/json.h"

namespace dw::stacklimits {

// Kubernetes quantity (string or integer JSON) in bytes, rounded up.
Status ParseK8sBytes(const json::Value& v, int64_t* bytes);
Status ParseK8sBytes(const std::string& s, int64_t* bytes);
// CPUs ("1.5", "500m", 2) in nano-CPUs.
Status ParseCpus(const json::Value& v, int64_t* nano);
Status ParseCpus(const std::string& s, int64_t* nano);
// Docker/compose byte strings: "64m", "1g", "512k", "100" (bytes), "1.5g";
// units b,k,kb,m,mb,g,gb case-insensitive, all binary.
Status ParseDockerBytes(const std::string& s, int64_t* bytes);

// 67108864 -> "64Mi"; a multiple of a binary unit uses it, else plain bytes.
std::string FormatBytes(int64_t bytes);
// 500000000 -> "0.5", 1500000000 -> "1.5", 2000000000 -> "2".
std::string FormatCpus(int64_t nano);

}  // namespace dw::stacklimits
