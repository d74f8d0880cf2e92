// The names that tie the backup objects together: labels, annotations and
// status fields shared by the BackupPolicy, Backup and Restore reconcilers
// and by `dockward backup`. One place, so the CLI and the controllers cannot
// drift apart.
//
//  - A Backup created by a policy carries kLabelPolicy=<policy name> and
//    kLabelTarget=<TargetKey hash>, a controller ownerReference to the
//    policy, and kAnnotationScheduledTime (RFC 3339) for scheduled runs.
//  - `dockward backup run POLICY` sets kAnnotationRunRequest=<nonce> (and
//    kAnnotationRunDryRun="true" for --dry-run) on the policy; the policy
//    reconciler creates one Backup per target labelled kLabelRequest=<nonce>
//    and records the nonce in status.lastHandledRunRequest (Flux's
//    requestedAt / lastHandledReconcileAt pattern).
//  - Backups hold kFinalizerRun while a run is in flight, so deleting one
//    (by hand or by concurrencyPolicy: Replace) cancels the run and removes
//    its temp file before the object goes.
#pragma once

#include <string>
#include <string_view>

namespace dw::backup {

inline constexpr std::string_view kGroupVersion = "dockward.io/v1alpha1";

inline constexpr std::string_view kLabelPolicy = "dockward.io/policy";
inline constexpr std::string_view kLabelTarget = "dockward.io/target";
inline constexpr std::string_view kLabelRequest = "dockward.io/run-request";

inline constexpr std::string_view kAnnotationScheduledTime = "dockward.io/scheduled-time";
inline constexpr std::string_view kAnnotationRunRequest = "dockward.io/run-requested-at";
inline constexpr std::string_view kAnnotationRunDryRun = "dockward.io/run-dry-run";

inline constexpr std::string_view kFinalizerRun = "dockward.io/backup-run";

inline constexpr std::string_view kFieldManager = "dockward-backup";

// Phases of Backup and Restore (status.phase).
inline constexpr std::string_view kPhasePending = "Pending";
inline constexpr std::string_view kPhaseRunning = "Running";
inline constexpr std::string_view kPhaseSucceeded = "Succeeded";
inline constexpr std::string_view kPhaseFailed = "Failed";

// A stable, label-safe identity of one backup target: the first 16 hex
// digits of SHA-256("<host>/<container>/<artifact name>"). Retention and
// status group Backups by it.
std::string TargetKey(std::string_view host, std::string_view container,
                      std::string_view artifact_name);

}  // namespace dw::backup
