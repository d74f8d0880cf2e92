#include "operator/cli/backup_format.h"

#include <cmath>
#include <cstdio>

#include "operator/common/clock.h"

namespace dw::cli {

namespace {

uint64_t UintAt(const json::Value* obj, const char* key) {
  const json::Value* v = obj ? json::Find(*obj, key) : nullptr;
  if (!v || !v->IsNumber()) return 0;
  if (v->IsUint64()) return v->GetUint64();
  double d = v->GetDouble();
  return d > 0 ? static_cast<uint64_t>(d) : 0;
}

double DoubleAt(const json::Value* obj, const char* key) {
  const json::Value* v = obj ? json::Find(*obj, key) : nullptr;
  return v && v->IsNumber() ? v->GetDouble() : 0;
}

// Table cells are single lines; a multi-line message would break the columns.
std::string OneLine(std::string s) {
  for (auto& c : s)
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  return s;
}

}  // namespace

std::string HumanBytes(uint64_t bytes) {
  if (bytes < 1024) return std::to_string(bytes) + " B";
  static const char* kUnits[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  double v = static_cast<double>(bytes) / 1024;
  size_t u = 0;
  // Switch unit before printf would round up to "1024.0".
  while (v >= 1023.95 && u + 1 < std::size(kUnits)) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f %s", v, kUnits[u]);
  return buf;
}

std::string HumanRate(double bytes_per_second) {
  if (!std::isfinite(bytes_per_second) || bytes_per_second < 0) bytes_per_second = 0;
  return HumanBytes(static_cast<uint64_t>(bytes_per_second)) + "/s";
}

std::string HumanElapsed(std::chrono::milliseconds d) {
  long long ms = d.count() < 0 ? 0 : d.count();
  char buf[32];
  if (ms < 10000) {
    std::snprintf(buf, sizeof buf, "%.1fs", static_cast<double>(ms) / 1000);
    return buf;
  }
  long long s = ms / 1000;
  if (s < 60) return std::to_string(s) + "s";
  if (s < 3600) {
    std::snprintf(buf, sizeof buf, "%lldm%02llds", s / 60, s % 60);
    return buf;
  }
  std::snprintf(buf, sizeof buf, "%lldh%02lldm%02llds", s / 3600, (s / 60) % 60, s % 60);
  return buf;
}

RunView ViewOf(const json::Value& obj) {
  RunView v;
  v.name = json::GetStringPath(obj, "metadata.name");
  v.container = json::GetStringPath(obj, "spec.container");
  const json::Value* st = json::Find(obj, "status");
  if (!st) return v;
  v.phase = json::GetString(*st, "phase");
  const json::Value* progress = json::Find(*st, "progress");
  v.bytes = UintAt(st, "bytes");
  if (!v.Terminal() && progress) v.bytes = std::max(v.bytes, UintAt(progress, "bytes"));
  v.bytes_per_second = DoubleAt(progress, "bytesPerSecond");
  v.size_bytes = UintAt(st, "sizeBytes");
  v.path = json::GetString(*st, "path");
  v.reason = json::GetString(*st, "reason");
  v.message = json::GetString(*st, "message");
  clock::TimePoint start, end;
  if (clock::ParseRfc3339(json::GetString(*st, "startTime"), &start) &&
      clock::ParseRfc3339(json::GetString(*st, "completionTime"), &end)) {
    v.has_duration = true;
    v.duration = std::chrono::duration_cast<std::chrono::milliseconds>(end - start);
  }
  return v;
}

std::string ProgressLine(const RunView& v) {
  std::string line = v.name + " (" + v.container + "): " + (v.phase.empty() ? "Pending" : v.phase);
  if (v.phase == "Running") {
    line += ", " + HumanBytes(v.bytes);
    if (v.bytes_per_second > 0) line += " at " + HumanRate(v.bytes_per_second);
  } else if (v.phase == "Succeeded") {
    if (v.size_bytes > 0) line += ", " + HumanBytes(v.size_bytes);
    if (v.has_duration) line += " in " + HumanElapsed(v.duration);
  } else if (v.phase == "Failed") {
    std::string why = v.reason.empty() ? v.message : v.reason + ": " + v.message;
    if (!why.empty()) line += " (" + why + ")";
  }
  return line;
}

std::string SummaryLine(const std::vector<RunView>& runs) {
  size_t done = 0, ok = 0, failed = 0, running = 0;
  uint64_t bytes = 0;
  double rate = 0;
  for (const auto& r : runs) {
    if (r.Terminal()) ++done;
    if (r.phase == "Succeeded") ++ok;
    if (r.phase == "Failed") ++failed;
    if (r.phase == "Running") {
      ++running;
      bytes += r.bytes;
      rate += r.bytes_per_second;
    }
  }
  std::string line = std::to_string(done) + " of " + std::to_string(runs.size()) + " done";
  if (done > 0) line += " (" + std::to_string(ok) + " Succeeded, " + std::to_string(failed) + " Failed)";
  if (running > 0) {
    line += ", " + std::to_string(running) + " Running: " + HumanBytes(bytes);
    if (rate > 0) line += " at " + HumanRate(rate);
  }
  return line;
}

bool ProgressThrottle::ShouldPrint(const RunView& v, const std::string& line,
                                   std::chrono::steady_clock::time_point now) {
  // No phase yet reads as Pending: its arrival is not a change worth a line.
  std::string phase = v.phase.empty() ? "Pending" : v.phase;
  auto it = last_.find(v.name);
  bool print = it == last_.end() || it->second.phase != phase ||
               (it->second.line != line && now - it->second.at >= interval_);
  if (print) last_[v.name] = {phase, line, now};
  return print;
}

std::string AlignColumns(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const auto& r : rows)
    for (size_t i = 0; i < r.size(); ++i) {
      if (widths.size() <= i) widths.push_back(0);
      widths[i] = std::max(widths[i], r[i].size());
    }
  std::string out;
  for (const auto& r : rows) {
    std::string line;
    for (size_t i = 0; i < r.size(); ++i) {
      line += r[i];
      if (i + 1 < r.size()) line += std::string(widths[i] - r[i].size() + 3, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

std::string RunTable(const std::vector<RunView>& runs) {
  std::vector<std::vector<std::string>> rows = {
      {"NAME", "CONTAINER", "PHASE", "SIZE", "DURATION", "PATH OR REASON"}};
  for (const auto& r : runs) {
    std::string where = r.phase == "Succeeded" ? r.path
                        : r.reason.empty()     ? r.message
                                               : r.reason + ": " + r.message;
    rows.push_back({r.name, r.container, r.phase.empty() ? "Pending" : r.phase,
                    r.size_bytes > 0 ? HumanBytes(r.size_bytes) : "-",
                    r.has_duration ? HumanElapsed(r.duration) : "-", where.empty() ? "-" : OneLine(where)});
  }
  return AlignColumns(rows);
}

}  // namespace dw::cli
