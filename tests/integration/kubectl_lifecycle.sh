#!/usr/bin/env bash
# kubectl conformance: how objects end — delete (by name, -f, -l),
# finalizers, namespace deletion, `kubectl wait` for conditions and deletion,
# and garbage collection through ownerReferences (background, orphan,
# foreground).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
source "$HERE/lib.sh"
TD="$HERE/testdata"

# API-server semantics: no controller may rewrite the objects under test.
dw_start --controllers=none

# bp NAME [NAMESPACE [EXTRA-METADATA-YAML]]: applies a minimal BackupPolicy.
bp() {
  local name=$1 ns=${2:-default} extra=${3:-}
  k apply -f - >/dev/null <<EOF
apiVersion: dockward.io/v1alpha1
kind: BackupPolicy
metadata:
  name: $name
  namespace: $ns
  labels:
    app: $name
$extra
spec:
  schedule: "@daily"
  destination:
    path: /var/backups/$name
EOF
}

# backup NAME OWNER-BP [EXTRA-METADATA-YAML]: a Backup owned by a BackupPolicy.
backup() {
  local name=$1 owner=$2 extra=${3:-}
  local uid
  uid=$(jget "bp/$owner" .metadata.uid)
  k apply -f - >/dev/null <<EOF
apiVersion: dockward.io/v1alpha1
kind: Backup
metadata:
  name: $name
  ownerReferences:
  - apiVersion: dockward.io/v1alpha1
    kind: BackupPolicy
    name: $owner
    uid: $uid
    controller: true
    blockOwnerDeletion: true
$extra
spec:
  policyName: $owner
  host: local
  container: db-1
  engine: postgres
EOF
}

# --- delete: by name, -f, -l ----------------------------------------------------
bp one
assert_ok "delete by name" k delete bp one
assert_eq "delete prints deleted" 'backuppolicy.dockward.io "one" deleted' "$OUT"
assert_ok "deleted object is gone" gone bp one
assert_fails "delete of a missing object" k delete bp one
assert_contains "NotFound text" "$OUT" 'Error from server (NotFound): backuppolicies.dockward.io "one" not found'
assert_ok "apply for delete -f" k apply -f "$TD/bp-nightly.yaml"
assert_ok "delete -f" k delete -f "$TD/bp-nightly.yaml"
assert_eq "delete -f prints deleted" 'backuppolicy.dockward.io "nightly" deleted' "$OUT"
assert_ok "delete -f removed it" gone bp nightly
assert_ok "apply a directory" k apply -f "$TD/dir"
bp keep
assert_ok "delete -l" k delete bp,sl -l app=web
assert_eq "delete -l prints each" 'backuppolicy.dockward.io "weekly" deleted
stacklimits.dockward.io "limits" deleted' "$OUT"
assert_ok "delete -l kept the others" k get bp -o name
assert_eq "only unselected objects remain" "backuppolicy.dockward.io/keep" "$OUT"

# --- finalizers -----------------------------------------------------------------
bp fin default '  finalizers:
  - dockward.io/cleanup'
assert_ok "delete an object with a finalizer" k delete bp fin --wait=false
assert_eq "finalized delete prints deleted" 'backuppolicy.dockward.io "fin" deleted' "$OUT"
assert_ne "deletionTimestamp set" "null" "$(jget bp/fin .metadata.deletionTimestamp)"
assert_eq "finalizer still there" "dockward.io/cleanup" "$(jget bp/fin '.metadata.finalizers[0]')"
assert_fails "no new finalizers while deleting" k patch bp fin --type=merge \
  -p '{"metadata":{"finalizers":["dockward.io/cleanup","dockward.io/late"]}}'
assert_contains "new finalizer refused" "$OUT" 'no new finalizers can be added if the object is being deleted'
assert_ok "remove the finalizer" k patch bp fin --type=json -p '[{"op":"remove","path":"/metadata/finalizers"}]'
assert_ok "object disappears with its last finalizer" gone bp fin

# --- namespace deletion ----------------------------------------------------------
assert_ok "create namespace" k apply -f - <<'EOF'
apiVersion: v1
kind: Namespace
metadata:
  name: doomed
EOF
bp a doomed
bp b doomed '  finalizers:
  - dockward.io/cleanup'
assert_ok "secret in namespace" k apply -n doomed -f - <<'EOF'
apiVersion: v1
kind: Secret
metadata:
  name: s
data:
  k: dg==
EOF
assert_ok "delete namespace" k delete ns doomed --wait=false
assert_eq "delete ns prints deleted" 'namespace "doomed" deleted' "$OUT"
wait_until "namespace content without finalizers goes" 10 gone bp a -n doomed
assert_eq "namespace is Terminating while content remains" "Terminating" "$(jget ns/doomed .status.phase)"
assert_fails "no new content in a terminating namespace" k apply -n doomed -f "$TD/bp-nightly.yaml"
assert_contains "terminating namespace message" "$OUT" \
  "unable to create new content in namespace doomed because it is being terminated"
assert_ok "release the last object" k patch bp b -n doomed --type=merge -p '{"metadata":{"finalizers":null}}'
wait_until "namespace disappears" 15 gone ns doomed
assert_ok "its secret went too" gone secret s -n doomed

# --- wait -----------------------------------------------------------------------
bp ready
assert_fails "wait times out without the condition" k wait --for=condition=Ready bp/ready --timeout=2s
assert_contains "wait timeout message" "$OUT" "timed out waiting for the condition on backuppolicies/ready"
( sleep 1
  k patch bp ready --subresource=status --type=merge -p \
    '{"status":{"conditions":[{"type":"Ready","status":"True","reason":"Scheduled","message":"ok","lastTransitionTime":"2024-05-01T00:00:00Z"}]}}' \
    >/dev/null ) &
DW_BG_PIDS+=($!)
assert_ok "wait for condition=Ready" k wait --for=condition=Ready bp/ready --timeout=20s
assert_eq "wait prints condition met" "backuppolicy.dockward.io/ready condition met" "$OUT"
assert_fails "wait for a condition value that is not there" k wait --for=condition=Ready=False bp/ready --timeout=2s
bp bye
( sleep 1; k delete bp bye >/dev/null ) &
DW_BG_PIDS+=($!)
assert_ok "wait --for=delete" k wait --for=delete bp/bye --timeout=20s
assert_ok "deleted after wait" gone bp bye

# --- ownerReferences garbage collection -------------------------------------------
bp owner-bg
backup run-bg owner-bg
assert_eq "backup owned" "owner-bg" "$(jget backup/run-bg '.metadata.ownerReferences[0].name')"
assert_ok "delete owner (background)" k delete bp owner-bg
wait_until "dependent collected in the background" 10 gone backup run-bg

bp owner-orphan
backup run-orphan owner-orphan
assert_ok "delete owner --cascade=orphan" k delete bp owner-orphan --cascade=orphan
assert_ok "owner gone" gone bp owner-orphan
assert_ok "orphaned dependent kept" k get backup run-orphan
assert_eq "orphan lost its ownerReference" "null" "$(jget backup/run-orphan .metadata.ownerReferences)"
sleep 1
assert_ok "orphan still there after the collector ran" k get backup run-orphan

bp owner-fg
backup run-fg owner-fg '  finalizers:
  - dockward.io/upload'
assert_ok "delete owner --cascade=foreground" k delete bp owner-fg --cascade=foreground --wait=false
wait_until "dependent marked for deletion" 10 \
  bash -c "kubectl --kubeconfig '$KUBECONFIG_FILE' get backup run-fg -o json | jq -e '.metadata.deletionTimestamp != null'"
assert_eq "owner waits with foregroundDeletion" "foregroundDeletion" "$(jget bp/owner-fg '.metadata.finalizers | join(",")')"
assert_ne "owner marked for deletion" "null" "$(jget bp/owner-fg .metadata.deletionTimestamp)"
sleep 1
assert_ok "owner still present while its dependent exists" k get bp owner-fg
assert_ok "release the dependent" k patch backup run-fg --type=merge -p '{"metadata":{"finalizers":null}}'
wait_until "dependent gone" 10 gone backup run-fg
wait_until "owner gone after its dependent" 10 gone bp owner-fg

dw_finish kubectl_lifecycle
