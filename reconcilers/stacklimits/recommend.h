// Recommend mode: usage peaks from stats samples, and limits proposed at the
// peak plus headroom (20% by default, as the seed's review suggests). Pure.
#pragma once

#include <cstdint>
#include <string>

#include "operator/docker/types.h"

namespace dw::stacklimits {

struct UsagePeak {
  int64_t memory = 0;    // bytes (usage without page cache)
  double cpus = 0;       // cores, max of 5-sample moving averages
  int64_t pids = 0;
  int samples = 0;
};

// Feed one container's stats stream in order; CPU rate comes from deltas of
// consecutive samples, so the first sample gives memory and pids only.
class UsageAccumulator {
 public:
  void Add(const docker::ContainerStats& s);
  const UsagePeak& peak() const { return peak_; }
  void Merge(const UsagePeak& other);  // service peak = max over containers

 private:
  UsagePeak peak_;
  bool have_prev_ = false;
  docker::ContainerStats prev_;
  double window_[5] = {0, 0, 0, 0, 0};
  int window_n_ = 0, window_pos_ = 0;
};

struct Recommendation {
  int64_t memory = 0;  // bytes, rounded up to a MiB, at least 16Mi
  int64_t nano_cpus = 0;  // rounded up to 0.05 core, at least 0.1
  int64_t pids = 0;    // at least 32
};

Recommendation Recommend(const UsagePeak& peak, int headroom_percent);

}  // namespace dw::stacklimits
