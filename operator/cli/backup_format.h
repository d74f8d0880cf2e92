// How `dockward backup` shows runs: human sizes and rates (IEC units), one
// progress line per Backup or Restore, a throttle so a log gets at most one
// line per run every 2 s (but every phase change), and the final table.
// Pure functions of their inputs, so the exact texts are unit-tested.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "operator/json/json.h"

namespace dw::cli {

// "0 B", "1023 B", "1.0 KiB", "200.0 MiB", "1.5 GiB" (one decimal from KiB on).
std::string HumanBytes(uint64_t bytes);
// HumanBytes(rate) + "/s"; negative or non-finite rates print as "0 B/s".
std::string HumanRate(double bytes_per_second);
// "0.4s" under 10 s, "42s", "3m05s", "1h02m05s".
std::string HumanElapsed(std::chrono::milliseconds d);

// What the CLI shows of one Backup or Restore (both share the status shape).
struct RunView {
  std::string name, container, phase;
  uint64_t bytes = 0;           // status.progress.bytes while running, else status.bytes
  double bytes_per_second = 0;  // status.progress.bytesPerSecond
  uint64_t size_bytes = 0;      // status.sizeBytes (artifact on disk)
  bool has_duration = false;
  std::chrono::milliseconds duration{0};  // completionTime - startTime
  std::string path, reason, message;

  bool Terminal() const { return phase == "Succeeded" || phase == "Failed"; }
};

RunView ViewOf(const json::Value& obj);

// "backup-x (db1): Running, 123.4 MiB at 45.6 MiB/s"; "Pending" before
// the phase is set; a terminal line adds the size or the failure reason.
std::string ProgressLine(const RunView& v);

// One line for a terminal that rewrites it in place: "2 of 3 done
// (1 Succeeded, 1 Failed), 1 Running: 512.0 MiB at 120.0 MiB/s".
std::string SummaryLine(const std::vector<RunView>& runs);

// Prints a run's line when its phase changes, or when the text changes and
// at least `interval` passed since that run's last printed line.
class ProgressThrottle {
 public:
  explicit ProgressThrottle(std::chrono::milliseconds interval = std::chrono::seconds(2))
      : interval_(interval) {}
  bool ShouldPrint(const RunView& v, const std::string& line, std::chrono::steady_clock::time_point now);

 private:
  struct Last {
    std::string phase, line;
    std::chrono::steady_clock::time_point at;
  };
  std::chrono::milliseconds interval_;
  std::map<std::string, Last> last_;
};

// Columns separated by at least three spaces, no trailing spaces (kubectl).
std::string AlignColumns(const std::vector<std::vector<std::string>>& rows);

// NAME CONTAINER PHASE SIZE DURATION PATH/REASON, one row per run in order.
std::string RunTable(const std::vector<RunView>& runs);

}  // namespace dw::cli
