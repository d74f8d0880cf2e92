// NewGitOpsController: the GitRepository controller as `dockward serve`
// runs it (2 workers; requeue-after drives the intervals, a 10-minute
// resync is only a safety net). The caller owns both parts, starts the
// controller with the others and stops it before releasing the reconciler.
#pragma once

#include <memory>
#include <string>

#include "operator/runtime/controller.h"
#include "operator/runtime/event_recorder.h"
#include "reconcilers/gitops/gitrepository_reconciler.h"

namespace dw::gitops {

struct GitOpsController {
  std::unique_ptr<GitRepositoryReconciler> reconciler;
  std::unique_ptr<runtime::Controller> controller;
};

// `cache_dir`: where checkouts live (DATA_DIR/gitops); "" = a fresh
// directory under $TMPDIR (or /tmp) made at the first sync, so checkouts are
// re-cloned after a restart.
Status NewGitOpsController(runtime::Client* client, runtime::EventRecorder* recorder, std::string cache_dir,
                           GitOpsController* out);

}  // namespace dw::gitops
