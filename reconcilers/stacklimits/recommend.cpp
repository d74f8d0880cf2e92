// Usage peaks and the limits proposed from them. Integer arithmetic where the
// result is compared or rounded, so 0.5 core x 1.2 is exactly 0.6, not 0.65.
#include "reconcilers/stacklimits/recommend.h"

#include <algorithm>
#include <cmath>

#include "operator/docker/timestamp.h"

namespace dw::stacklimits {

namespace {

constexpr int64_t kMi = 1 << 20;
constexpr int64_t kMinMemory = 16 * kMi;
constexpr int64_t kCpuStep = 50000000;   // 0.05 core
constexpr int64_t kMinCpus = 100000000;  // 0.1 core
constexpr int64_t kMinPids = 32;

// The sample's "read" time in Unix nanoseconds; false when absent or bad.
bool ReadNanos(const std::string& rfc3339, __int128* out) {
  std::string unix;
  if (rfc3339.empty() || !docker::UnixSinceFromRfc3339(rfc3339, &unix).ok()) return false;
  size_t dot = unix.find('.');
  __int128 sec = std::stoll(unix.substr(0, dot));
  __int128 ns = 0;
  if (dot != std::string::npos) {
    std::string frac = unix.substr(dot + 1);
    frac.resize(9, '0');
    ns = std::stoll(frac);
  }
  *out = sec * 1000000000 + ns;
  return true;
}

// ceil(v * (100 + h) / 100) without overflow for any byte count.
int64_t WithHeadroom(int64_t v, int h) {
  __int128 x = static_cast<__int128>(std::max<int64_t>(v, 0)) * (100 + h);
  return static_cast<int64_t>((x + 99) / 100);
}

int64_t RoundUp(int64_t v, int64_t step) { return (v + step - 1) / step * step; }

}  // namespace

void UsageAccumulator::Add(const docker::ContainerStats& s) {
  ++peak_.samples;
  peak_.memory = std::max(peak_.memory, s.memory_usage);
  peak_.pids = std::max(peak_.pids, s.pids);
  __int128 t_prev = 0, t_now = 0;
  // A CPU counter that went back means the container restarted: no rate
  // across that gap.
  if (have_prev_ && s.cpu_total_ns >= prev_.cpu_total_ns && ReadNanos(prev_.read, &t_prev) &&
      ReadNanos(s.read, &t_now) && t_now > t_prev) {
    double rate = double(s.cpu_total_ns - prev_.cpu_total_ns) / double(t_now - t_prev);
    window_[window_pos_] = rate;
    window_pos_ = (window_pos_ + 1) % 5;
    if (window_n_ < 5) ++window_n_;
    // Only full windows count: one busy second must not set the limit.
    if (window_n_ == 5) {
      double sum = 0;
      for (double r : window_) sum += r;
      peak_.cpus = std::max(peak_.cpus, sum / 5);
    }
  }
  prev_ = s;
  have_prev_ = true;
}

void UsageAccumulator::Merge(const UsagePeak& other) {
  peak_.memory = std::max(peak_.memory, other.memory);
  peak_.cpus = std::max(peak_.cpus, other.cpus);
  peak_.pids = std::max(peak_.pids, other.pids);
  peak_.samples += other.samples;
}

Recommendation Recommend(const UsagePeak& peak, int headroom_percent) {
  int h = std::max(headroom_percent, 0);
  Recommendation r;
  r.memory = std::max(RoundUp(WithHeadroom(peak.memory, h), kMi), kMinMemory);
  int64_t nano = std::llround(std::max(peak.cpus, 0.0) * 1e9);
  r.nano_cpus = std::max(RoundUp(WithHeadroom(nano, h), kCpuStep), kMinCpus);
  r.pids = std::max(WithHeadroom(peak.pids, h), kMinPids);
  return r;
}

}  // namespace dw::stacklimits
