#!/usr/bin/env bash
# kubectl conformance: what kubectl learns about the server and shows about
# objects — describe with events, api-resources, api-versions, explain
# (OpenAPI field docs) and version.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
source "$HERE/lib.sh"
TD="$HERE/testdata"

# API-server semantics: no controller may rewrite the objects under test.
dw_start --controllers=none
assert_ok "seed" k apply -f "$TD/bp-nightly.yaml"

# --- describe shows the object's events ----------------------------------------
uid=$(jget bp/nightly .metadata.uid)
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
run k create -f - <<EOF
apiVersion: v1
kind: Event
metadata:
  name: nightly.17c1
  namespace: default
involvedObject:
  apiVersion: dockward.io/v1alpha1
  kind: BackupPolicy
  name: nightly
  namespace: default
  uid: $uid
reason: BackupSucceeded
message: backed up 2 databases from db-1
type: Normal
count: 1
firstTimestamp: "$now"
lastTimestamp: "$now"
source:
  component: dockward-backup
EOF
assert_eq "create the event" "event/nightly.17c1 created" "$OUT"
run k create -f - <<EOF
apiVersion: v1
kind: Event
metadata:
  name: other.17c2
  namespace: default
involvedObject:
  apiVersion: dockward.io/v1alpha1
  kind: BackupPolicy
  name: other
  namespace: default
  uid: 00000000-0000-0000-0000-000000000000
reason: Unrelated
message: belongs to another object
type: Warning
firstTimestamp: "$now"
lastTimestamp: "$now"
source:
  component: dockward-backup
EOF
assert_eq "create an unrelated event" "event/other.17c2 created" "$OUT"
assert_ok "describe bp" k describe bp nightly
assert_match "describe name" "$OUT" '^Name: +nightly$'
assert_match "describe namespace" "$OUT" '^Namespace: +default$'
assert_match "describe labels" "$OUT" '^Labels: +app=db$'
assert_match "describe kind" "$OUT" '^Kind: +BackupPolicy$'
assert_match "describe spec field" "$OUT" '^ +Path: +/var/backups/nightly$'
assert_match "describe Events header" "$OUT" '^  Type +Reason +Age +From +Message$'
assert_match "describe shows the event" "$OUT" \
  '^  Normal +BackupSucceeded +[0-9]+s +dockward-backup +backed up 2 databases from db-1$'
assert_not_contains "describe hides other objects' events" "$OUT" "belongs to another object"
assert_ok "describe by short name and label" k describe bp -l app=db
assert_contains "describe -l" "$OUT" "backed up 2 databases from db-1"

# --- api-resources / api-versions ------------------------------------------------
assert_ok "api-resources" k api-resources
assert_match "api-resources header" "$(head -n1 <<<"$OUT")" '^NAME +SHORTNAMES +APIVERSION +NAMESPACED +KIND$'
assert_match "row backuppolicies" "$OUT" '^backuppolicies +bp +dockward.io/v1alpha1 +true +BackupPolicy$'
assert_match "row backups" "$OUT" '^backups +bk +dockward.io/v1alpha1 +true +Backup$'
assert_match "row stacklimits" "$OUT" '^stacklimits +sl +dockward.io/v1alpha1 +true +StackLimits$'
assert_match "row pluginpolicies" "$OUT" '^pluginpolicies +pp +dockward.io/v1alpha1 +true +PluginPolicy$'
assert_match "row dockerhosts" "$OUT" '^dockerhosts +dh +dockward.io/v1alpha1 +true +DockerHost$'
assert_match "row gitrepositories" "$OUT" '^gitrepositories +gitrepo +dockward.io/v1alpha1 +true +GitRepository$'
assert_match "row restores" "$OUT" '^restores +rst +dockward.io/v1alpha1 +true +Restore$'
assert_match "row namespaces" "$OUT" '^namespaces +ns +v1 +false +Namespace$'
assert_match "row secrets" "$OUT" '^secrets +v1 +true +Secret$'
assert_match "row events" "$OUT" '^events +ev +v1 +true +Event$'
assert_match "row leases" "$OUT" '^leases +coordination.k8s.io/v1 +true +Lease$'
assert_ok "api-resources --api-group" k api-resources --api-group=dockward.io -o name
assert_eq "dockward.io resources" "backuppolicies.dockward.io
backups.dockward.io
dockerhosts.dockward.io
gitrepositories.dockward.io
pluginpolicies.dockward.io
restores.dockward.io
stacklimits.dockward.io" "$(sort <<<"$OUT")"
assert_ok "api-versions" k api-versions
assert_eq "api-versions list" "coordination.k8s.io/v1
dockward.io/v1alpha1
v1" "$OUT"

# --- explain -------------------------------------------------------------------------
assert_ok "explain bp.spec.retention" k explain bp.spec.retention
assert_match "explain group" "$OUT" '^GROUP: +dockward.io$'
assert_match "explain kind" "$OUT" '^KIND: +BackupPolicy$'
assert_match "explain version" "$OUT" '^VERSION: +v1alpha1$'
assert_match "explain field" "$OUT" '^FIELD: +retention <Object>$'
assert_contains "explain field description" "$OUT" "Which artifacts to keep; everything not kept by any rule is deleted"
assert_match "explain subfield" "$OUT" '^  daily	<integer>$'
assert_contains "explain subfield description" "$OUT" "Keep the newest artifact of each of the last N days."
assert_ok "explain a kind" k explain backuppolicy
assert_contains "explain kind description" "$OUT" \
  "BackupPolicy backs up the databases running in labelled Docker containers"
assert_match "explain lists spec as required" "$OUT" '^  spec	<Object> -required-$'
assert_ok "explain an enum" k explain bp.spec.compression
assert_contains "explain enum values" "$OUT" 'ENUM:'
assert_match "explain enum value" "$OUT" '^    zstd$'
assert_fails "explain an unknown field" k explain bp.spec.nonsense
assert_contains "unknown field message" "$OUT" 'field "nonsense" does not exist'

# --- version ---------------------------------------------------------------------
assert_ok "version" k version
assert_match "client version" "$OUT" '^Client Version: v1\.32\.'
assert_match "server version" "$OUT" '^Server Version: v1\.32\.0-dockward\.'
assert_ok "version -o json" k version -o json
assert_eq "server major/minor" "1 32" "$(jq -r '"\(.serverVersion.major) \(.serverVersion.minor)"' <<<"$OUT")"

dw_finish kubectl_meta
