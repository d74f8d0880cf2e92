// A small Prometheus metrics registry: counters, gauges and histograms with
// labels, rendered in the text exposition format (version 0.0.4) so that
// `promtool check metrics` is clean (HELP and TYPE lines, base units in names,
// _total suffix on counters, cumulative le buckets with +Inf, _sum, _count).
// Hot-path updates are lock-free per series after the first lookup.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace dw::metrics {

using LabelValues = std::vector<std::string>;

class Counter {
 public:
  void Inc(double v = 1);
  double Value() const;
 private:
  std::atomic<double> v_{0};
};

class Gauge {
 public:
  void Set(double v);
  void Add(double v);
  double Value() const;
 private:
  std::atomic<double> v_{0};
};

class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  void Observe(double v);
  // Snapshot for rendering: cumulative counts per bound, plus sum and count.
  void Read(std::vector<uint64_t>* cumulative, double* sum, uint64_t* count) const;
  const std::vector<double>& bounds() const { return bounds_; }
 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;
  std::atomic<double> sum_{0};
  std::atomic<uint64_t> count_{0};
};

// A metric family keyed by label values. Returned references stay valid for
// the registry's lifetime.
template <typename T>
class Family {
 public:
  Family(std::string name, std::string help, std::vector<std::string> label_names,
         std::function<std::unique_ptr<T>()> make)
      : name_(std::move(name)), help_(std::move(help)), label_names_(std::move(label_names)),
        make_(std::move(make)) {}
  T& With(const LabelValues& values);
  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }
  const std::vector<std::string>& label_names() const { return label_names_; }
  void ForEach(const std::function<void(const LabelValues&, const T&)>& fn) const;

 private:
  std::string name_, help_;
  std::vector<std::string> label_names_;
  std::function<std::unique_ptr<T>()> make_;
  mutable std::mutex mu_;
  std::map<LabelValues, std::unique_ptr<T>> series_;
};

class Registry {
 public:
  Family<Counter>& AddCounter(const std::string& name, const std::string& help,
                              std::vector<std::string> labels = {});
  Family<Gauge>& AddGauge(const std::string& name, const std::string& help,
                          std::vector<std::string> labels = {});
  Family<Histogram>& AddHistogram(const std::string& name, const std::string& help,
                                  std::vector<std::string> labels, std::vector<double> bounds);
  // A gauge computed at scrape time (store sizes, watch counts...).
  void AddCallbackGauge(const std::string& name, const std::string& help,
                        std::function<double()> fn);
  // The same for a monotonic count kept elsewhere (rendered as a counter).
  void AddCallbackCounter(const std::string& name, const std::string& help, std::function<double()> fn);

  // Prometheus text exposition format.
  std::string Render() const;

  // Default latency buckets in seconds (Kubernetes apiserver-like).
  static std::vector<double> LatencyBuckets();

 private:
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Family<Counter>>> counters_;
  std::vector<std::unique_ptr<Family<Gauge>>> gauges_;
  std::vector<std::unique_ptr<Family<Histogram>>> histograms_;
  void AddCallback(const std::string& name, const std::string& help, std::function<double()> fn,
                   const char* type);
  struct CallbackGauge { std::string name, help; std::function<double()> fn; const char* type = "gauge"; };
  std::vector<CallbackGauge> callbacks_;
};

// Process-wide registry used by the server.
Registry& Default();

}  // namespace dw::metrics
