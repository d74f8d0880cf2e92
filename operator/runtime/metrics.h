// The runtime's Prometheus series, registered once in dw::metrics::Default():
//   dockward_reconcile_total{controller,result}   result: success|error|requeue
//   dockward_reconcile_duration_seconds{controller}
//   dockward_reconcile_errors_total{controller}
//   dockward_workqueue_depth{name}
//   dockward_workqueue_adds_total{name}
//   dockward_workqueue_retries_total{name}
//   dockward_informer_relists_total{resource}
//   dockward_events_dropped_total{component}
#pragma once

#include "operator/common/metrics.h"

namespace dw::runtime {

struct RuntimeMetrics {
  metrics::Family<metrics::Counter>& reconcile_total;
  metrics::Family<metrics::Histogram>& reconcile_duration;
  metrics::Family<metrics::Counter>& reconcile_errors;
  metrics::Family<metrics::Gauge>& queue_depth;
  metrics::Family<metrics::Counter>& queue_adds;
  metrics::Family<metrics::Counter>& queue_retries;
  metrics::Family<metrics::Counter>& informer_relists;
  metrics::Family<metrics::Counter>& events_dropped;

  static RuntimeMetrics& Get();
};

}  // namespace dw::runtime
