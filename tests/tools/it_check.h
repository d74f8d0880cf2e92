// Check reporting shared by the integration drivers in tests/tools/
// (docker_it, stacklimits_docker_it): each check prints "ok - WHAT" or
// "FAIL - WHAT DETAIL" at once (flushed, so a hang shows the last check), and
// Summary prints the closing "SUITE: N passed, M failed" line and gives the
// driver's exit status (1 when any check failed). Flags reads the drivers'
// "--name value" arguments.
#pragma once

#include <chrono>
#include <cstdio>
#include <map>
#include <string>

#include "operator/common/status.h"

namespace dw::it {

inline int g_passed = 0, g_failed = 0;

inline void Check(bool cond, const std::string& what, const std::string& detail = "") {
  if (cond) {
    ++g_passed;
    std::printf("ok - %s\n", what.c_str());
  } else {
    ++g_failed;
    std::printf("FAIL - %s %s\n", what.c_str(), detail.c_str());
  }
  std::fflush(stdout);
}

inline void CheckOk(const dw::Status& st, const std::string& what) { Check(st.ok(), what, st.ToString()); }

inline int Summary(const char* suite) {
  std::printf("%s: %d passed, %d failed\n", suite, g_passed, g_failed);
  return g_failed == 0 ? 0 : 1;
}

// argv as "--name value" pairs; a name without a value is ignored, a name
// given twice keeps its last value, and an unknown name is no error.
inline std::map<std::string, std::string> Flags(int argc, char** argv) {
  std::map<std::string, std::string> flags;
  for (int i = 1; i + 1 < argc; i += 2) flags[argv[i]] = argv[i + 1];
  return flags;
}

// Seconds since t0 on the steady clock, for the drivers' timing checks.
inline double Secs(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace dw::it
