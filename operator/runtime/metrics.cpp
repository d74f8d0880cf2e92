#include "operator/runtime/metrics.h"

namespace dw::runtime {

RuntimeMetrics& RuntimeMetrics::Get() {
  static RuntimeMetrics* m = [] {
    auto& r = metrics::Default();
    return new RuntimeMetrics{
        r.AddCounter("dockward_reconcile_total", "Reconciliations per controller and result.",
                     {"controller", "result"}),
        r.AddHistogram("dockward_reconcile_duration_seconds", "Time spent in one reconciliation.",
                       {"controller"}, metrics::Registry::LatencyBuckets()),
        r.AddCounter("dockward_reconcile_errors_total", "Reconciliations that returned an error.",
                     {"controller"}),
        r.AddGauge("dockward_workqueue_depth", "Keys waiting in a work queue.", {"name"}),
        r.AddCounter("dockward_workqueue_adds_total", "Keys added to a work queue.", {"name"}),
        r.AddCounter("dockward_workqueue_retries_total", "Rate-limited re-adds to a work queue.", {"name"}),
        r.AddCounter("dockward_informer_relists_total", "Full re-lists done by an informer.", {"resource"}),
        r.AddCounter("dockward_events_dropped_total", "Events the recorder dropped (queue full or write failed).",
                     {"component"}),
    };
  }();
  return *m;
}

}  // namespace dw::runtime
