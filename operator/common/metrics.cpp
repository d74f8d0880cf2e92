// Metrics registry and Prometheus text rendering. Families and series are
// created under a mutex (rare); updates are single atomic operations on the
// series object the caller already holds.
#include "operator/common/metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <type_traits>

namespace dw::metrics {

namespace {

// Prometheus wants name characters [a-zA-Z0-9_:] (label names without ':'),
// not starting with a digit; anything else becomes '_' so output stays valid.
std::string Sanitize(std::string name, bool allow_colon) {
  for (char& c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
              (allow_colon && c == ':');
    if (!ok) c = '_';
  }
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) name.insert(0, "_");
  return name;
}

std::vector<std::string> SanitizeLabels(std::vector<std::string> labels) {
  for (auto& l : labels) l = Sanitize(std::move(l), false);
  return labels;
}

void AtomicAdd(std::atomic<double>& a, double v) { a.fetch_add(v, std::memory_order_relaxed); }

void AppendDouble(double v, std::string* out) {
  if (std::isnan(v)) {
    *out += "NaN";
  } else if (std::isinf(v)) {
    *out += v > 0 ? "+Inf" : "-Inf";
  } else {
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, v);  // shortest form that reads back exactly
    out->append(buf, r.ptr);
  }
}

// HELP text escapes backslash and newline; label values also the double quote.
void AppendEscaped(const std::string& s, bool quote, std::string* out) {
  for (char c : s) {
    if (c == '\\') {
      *out += "\\\\";
    } else if (c == '\n') {
      *out += "\\n";
    } else if (quote && c == '"') {
      *out += "\\\"";
    } else {
      out->push_back(c);
    }
  }
}

void AppendHeader(const std::string& name, const std::string& help, const char* type, std::string* out) {
  *out += "# HELP " + name + " ";
  AppendEscaped(help, false, out);
  *out += "\n# TYPE " + name + " " + type + "\n";
}

// `name{l1="v1",l2="v2",le="0.5"} value\n`; `extra` is an optional trailing label pair.
void AppendSample(const std::string& name, const std::vector<std::string>& label_names,
                  const LabelValues& values, const char* extra_name, const std::string& extra_value,
                  double value, std::string* out) {
  *out += name;
  bool any = !label_names.empty() || extra_name;
  if (any) out->push_back('{');
  for (size_t i = 0; i < label_names.size(); ++i) {
    if (i) out->push_back(',');
    *out += label_names[i] + "=\"";
    AppendEscaped(i < values.size() ? values[i] : std::string(), true, out);
    out->push_back('"');
  }
  if (extra_name) {
    if (!label_names.empty()) out->push_back(',');
    *out += std::string(extra_name) + "=\"" + extra_value + "\"";
  }
  if (any) out->push_back('}');
  out->push_back(' ');
  AppendDouble(value, out);
  out->push_back('\n');
}

void RenderFamily(const Family<Counter>& f, std::string* out) {
  AppendHeader(f.name(), f.help(), "counter", out);
  f.ForEach([&](const LabelValues& lv, const Counter& c) {
    AppendSample(f.name(), f.label_names(), lv, nullptr, {}, c.Value(), out);
  });
}

void RenderFamily(const Family<Gauge>& f, std::string* out) {
  AppendHeader(f.name(), f.help(), "gauge", out);
  f.ForEach([&](const LabelValues& lv, const Gauge& g) {
    AppendSample(f.name(), f.label_names(), lv, nullptr, {}, g.Value(), out);
  });
}

void RenderFamily(const Family<Histogram>& f, std::string* out) {
  AppendHeader(f.name(), f.help(), "histogram", out);
  std::vector<uint64_t> cumulative;
  f.ForEach([&](const LabelValues& lv, const Histogram& h) {
    double sum = 0;
    uint64_t count = 0;
    h.Read(&cumulative, &sum, &count);
    std::string le;
    for (size_t i = 0; i < h.bounds().size(); ++i) {
      le.clear();
      AppendDouble(h.bounds()[i], &le);
      AppendSample(f.name() + "_bucket", f.label_names(), lv, "le", le,
                   static_cast<double>(cumulative[i]), out);
    }
    AppendSample(f.name() + "_bucket", f.label_names(), lv, "le", "+Inf", static_cast<double>(count), out);
    AppendSample(f.name() + "_sum", f.label_names(), lv, nullptr, {}, sum, out);
    AppendSample(f.name() + "_count", f.label_names(), lv, nullptr, {}, static_cast<double>(count), out);
  });
}

template <typename T>
Family<T>* FindFamily(const std::vector<std::unique_ptr<Family<T>>>& v, const std::string& name) {
  for (const auto& f : v) {
    if (f->name() == name) return f.get();
  }
  return nullptr;
}

// Registers (or returns the already registered) family `name`. An unlabeled
// family gets its single series up front so it renders as 0 before first use.
template <typename T>
Family<T>& AddFamily(std::vector<std::unique_ptr<Family<T>>>& v, std::string name, const std::string& help,
                     std::vector<std::string> labels, std::type_identity_t<std::function<std::unique_ptr<T>()>> make) {
  if (Family<T>* existing = FindFamily(v, name)) return *existing;
  bool unlabeled = labels.empty();
  v.push_back(std::make_unique<Family<T>>(std::move(name), help, SanitizeLabels(std::move(labels)), std::move(make)));
  if (unlabeled) v.back()->With({});
  return *v.back();
}

}  // namespace

void Counter::Inc(double v) {
  if (v > 0) AtomicAdd(v_, v);  // counters never go down
}
double Counter::Value() const { return v_.load(std::memory_order_relaxed); }

void Gauge::Set(double v) { v_.store(v, std::memory_order_relaxed); }
void Gauge::Add(double v) { AtomicAdd(v_, v); }
double Gauge::Value() const { return v_.load(std::memory_order_relaxed); }

Histogram::Histogram(std::vector<double> bounds) : bounds_(std::move(bounds)) {
  // Buckets must be strictly increasing and finite; +Inf is implicit.
  bounds_.erase(std::remove_if(bounds_.begin(), bounds_.end(), [](double b) { return !std::isfinite(b); }),
                bounds_.end());
  std::sort(bounds_.begin(), bounds_.end());
  bounds_.erase(std::unique(bounds_.begin(), bounds_.end()), bounds_.end());
  buckets_ = std::make_unique<std::atomic<uint64_t>[]>(bounds_.size() + 1);
}

void Histogram::Observe(double v) {
  // Bucket i counts observations v <= bounds_[i]; the last one is +Inf.
  size_t i = std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin();
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  AtomicAdd(sum_, v);  // the count is derived from the buckets in Read
}

void Histogram::Read(std::vector<uint64_t>* cumulative, double* sum, uint64_t* count) const {
  cumulative->assign(bounds_.size(), 0);
  uint64_t running = 0;
  for (size_t i = 0; i < bounds_.size(); ++i) {
    running += buckets_[i].load(std::memory_order_relaxed);
    (*cumulative)[i] = running;
  }
  running += buckets_[bounds_.size()].load(std::memory_order_relaxed);
  // Derive the count from the buckets so +Inf >= every le bucket even while
  // observations race with the scrape.
  *count = running;
  *sum = sum_.load(std::memory_order_relaxed);
}

template <typename T>
T& Family<T>::With(const LabelValues& values) {
  std::lock_guard<std::mutex> lock(mu_);
  if (values.size() == label_names_.size()) {
    auto it = series_.find(values);
    if (it != series_.end()) return *it->second;
    return *series_.emplace(values, make_()).first->second;
  }
  // A call with the wrong number of values is padded/truncated rather than
  // producing a malformed series.
  LabelValues key = values;
  key.resize(label_names_.size());
  auto& slot = series_[key];
  if (!slot) slot = make_();
  return *slot;
}

template <typename T>
void Family<T>::ForEach(const std::function<void(const LabelValues&, const T&)>& fn) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [labels, series] : series_) {
    fn(labels, *series);
  }
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

Family<Counter>& Registry::AddCounter(const std::string& name, const std::string& help,
                                      std::vector<std::string> labels) {
  std::string n = Sanitize(name, true);
  // promtool insists counters end in _total; add it rather than emit a lint.
  if (n.size() < 6 || n.compare(n.size() - 6, 6, "_total") != 0) n += "_total";
  std::lock_guard<std::mutex> lock(mu_);
  return AddFamily(counters_, std::move(n), help, std::move(labels), [] { return std::make_unique<Counter>(); });
}

Family<Gauge>& Registry::AddGauge(const std::string& name, const std::string& help,
                                  std::vector<std::string> labels) {
  std::lock_guard<std::mutex> lock(mu_);
  return AddFamily(gauges_, Sanitize(name, true), help, std::move(labels),
                   [] { return std::make_unique<Gauge>(); });
}

Family<Histogram>& Registry::AddHistogram(const std::string& name, const std::string& help,
                                          std::vector<std::string> labels, std::vector<double> bounds) {
  std::lock_guard<std::mutex> lock(mu_);
  return AddFamily(histograms_, Sanitize(name, true), help, std::move(labels),
                   [bounds = std::move(bounds)] { return std::make_unique<Histogram>(bounds); });
}

void Registry::AddCallbackGauge(const std::string& name, const std::string& help, std::function<double()> fn) {
  AddCallback(name, help, std::move(fn), "gauge");
}

void Registry::AddCallbackCounter(const std::string& name, const std::string& help, std::function<double()> fn) {
  AddCallback(name, help, std::move(fn), "counter");
}

void Registry::AddCallback(const std::string& name, const std::string& help, std::function<double()> fn,
                           const char* type) {
  std::string n = Sanitize(name, true);
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& cb : callbacks_) {
    if (cb.name == n) {
      cb.fn = std::move(fn);  // re-registration replaces the source
      return;
    }
  }
  callbacks_.push_back({std::move(n), help, std::move(fn), type});
}

std::string Registry::Render() const {
  // Each family renders into its own text; output is ordered by family name.
  std::vector<std::pair<std::string, std::string>> parts;
  std::vector<CallbackGauge> callbacks;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& f : counters_) RenderFamily(*f, &parts.emplace_back(f->name(), std::string()).second);
    for (const auto& f : gauges_) RenderFamily(*f, &parts.emplace_back(f->name(), std::string()).second);
    for (const auto& f : histograms_) RenderFamily(*f, &parts.emplace_back(f->name(), std::string()).second);
    callbacks = callbacks_;
  }
  // Callbacks run unlocked: they may take their own locks or touch metrics.
  for (const auto& cb : callbacks) {
    std::string& text = parts.emplace_back(cb.name, std::string()).second;
    AppendHeader(cb.name, cb.help, cb.type, &text);
    AppendSample(cb.name, {}, {}, nullptr, {}, cb.fn ? cb.fn() : 0.0, &text);
  }
  std::sort(parts.begin(), parts.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string out;
  for (const auto& p : parts) out += p.second;
  return out;
}

std::vector<double> Registry::LatencyBuckets() {
  return {0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60};
}

Registry& Default() {
  static Registry* registry = new Registry();  // never destroyed: metrics may be touched at exit
  return *registry;
}

}  // namespace dw::metrics
