// The GitRepository contract between the controller and its clients
// (`dockward gitops sync`, kubectl users). Header-only: the CLI includes it
// without linking the controller.
//
// A sync request is Flux's requestedAt pattern: a client writes any new
// value to the sync-requested-at annotation; the controller syncs (fetch,
// validate, apply, prune) and then copies that value to
// status.lastHandledSyncAt, so the client knows its request was handled and
// reads the outcome from the Ready condition and the revisions.
#pragma once

#include <string_view>

namespace dw::gitops {

inline constexpr std::string_view kAnnotationSyncRequest = "dockward.io/sync-requested-at";
// The field manager of every object a GitRepository applies (managedFields).
inline constexpr std::string_view kFieldManager = "dockward-gitops";
// On a GitRepository while spec.prune is true: deleting it first deletes
// what it applied (status.inventory, only objects this field manager still
// owns), then the controller removes the finalizer. Suspended at deletion:
// nothing is deleted (as in Flux). Removed when prune is turned off.
inline constexpr std::string_view kFinalizerPrune = "dockward.io/gitops-prune";

// Condition types and reasons (Flux's vocabulary).
inline constexpr std::string_view kReady = "Ready";
inline constexpr std::string_view kReconciling = "Reconciling";
inline constexpr std::string_view kStalled = "Stalled";

inline constexpr std::string_view kReasonSucceeded = "ReconciliationSucceeded";
inline constexpr std::string_view kReasonProgressing = "Progressing";
inline constexpr std::string_view kReasonRetrying = "ProgressingWithRetry";
inline constexpr std::string_view kReasonInvalidSpec = "InvalidSpec";
inline constexpr std::string_view kReasonAuth = "AuthenticationFailed";
inline constexpr std::string_view kReasonGit = "GitOperationFailed";
inline constexpr std::string_view kReasonValidation = "ValidationFailed";
inline constexpr std::string_view kReasonApply = "ApplyFailed";
inline constexpr std::string_view kReasonPrune = "PruneFailed";
// Events of a deletion with prune.
inline constexpr std::string_view kReasonPruned = "Pruned";
inline constexpr std::string_view kReasonPruneSkipped = "PruneSkipped";

}  // namespace dw::gitops
