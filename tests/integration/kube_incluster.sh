#!/usr/bin/env bash
# `dockward serve --in-cluster`, the way a pod runs it: a private mount
# namespace gets its own /run, where the service-account directory
# (/var/run/secrets/kubernetes.io/serviceaccount: token, ca.crt, namespace)
# is written as the kubelet would; KUBERNETES_SERVICE_HOST/PORT point at
# `dockward serve` A, which plays the cluster's API server.
#
# Checks: the replica reads the token, CA and namespace from there; the
# Lease lives in the pod's namespace; the controllers work (a DockerHost
# gets status from the in-cluster replica); a token file that changes is
# used without a restart (here: a wrong token makes the leader lose its
# Lease renewals and exit, as a revoked token must); a missing token file
# is a clear startup error; SIGTERM releases the Lease and exits 0.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/lib.sh"

if [ "${KI_IN_NS:-}" != 1 ]; then
  [ "$(id -u)" = 0 ] || dw_fail "kube_incluster needs root (unshare -m, mount)"
  command -v unshare >/dev/null || dw_fail "unshare (util-linux) is not installed"
  KI_IN_NS=1 exec unshare -m --propagation private bash "$0" "$@"
fi
for bin in kubectl jq curl python3 mount; do
  command -v "$bin" >/dev/null || dw_fail "$bin is not installed"
done

SA=/var/run/secrets/kubernetes.io/serviceaccount
KI_DIR="$(mktemp -d /tmp/dw-ki.XXXXXX)"
RPID=""
ki_cleanup() {
  local rc=$?
  [ -n "$RPID" ] && { kill -KILL "$RPID" && wait "$RPID"; } 2>/dev/null || true
  dw_cleanup
  if [ "$rc" -ne 0 ] && [ -f "$KI_DIR/replica.log" ]; then
    echo "--- last lines of the in-cluster replica ---" >&2
    tail -n 20 "$KI_DIR/replica.log" >&2
  fi
  rm -rf "$KI_DIR"
  exit "$rc"
}
trap ki_cleanup EXIT

# This namespace's own /run (the host's is untouched), as a pod's.
mount -t tmpfs -o mode=0755 tmpfs "$(readlink -f /var/run)" || dw_fail "cannot mount a private /run"
mkdir -p "$SA"

dw_start --controllers none
HOSTPORT="${DW_URL#https://}"
POD_NS=dockward-system
k create namespace "$POD_NS" >/dev/null
printf '%s' "$DW_TOKEN" >"$SA/token"
cp "$DW_CA" "$SA/ca.crt"
printf '%s' "$POD_NS" >"$SA/namespace"
chmod 0600 "$SA/token"

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
HPORT="$(free_port)"
start_replica() {
  KUBERNETES_SERVICE_HOST="${HOSTPORT%:*}" KUBERNETES_SERVICE_PORT="${HOSTPORT##*:}" \
    "$DOCKWARD" serve --in-cluster --leader-elect --leader-election-identity pod-1 \
    --health-listen "127.0.0.1:$HPORT" --data-dir "$KI_DIR/data" >"$KI_DIR/replica.log" 2>&1 &
  RPID=$!
}
ready() { [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HPORT/readyz")" = 200 ]; }
holder() { k get lease dockward-controller -n "$POD_NS" -o jsonpath='{.spec.holderIdentity}' 2>/dev/null; }
holder_is_pod() { [ "$(holder)" = pod-1 ]; }

# A missing token is a clear startup error, not a hang.
mv "$SA/token" "$KI_DIR/token"
start_replica
wait_until "exit without a token" 10 bash -c "! kill -0 $RPID 2>/dev/null"
rc=0
wait "$RPID" || rc=$?
RPID=""
[ "$rc" -ne 0 ] || dw_fail "the replica exited 0 without a token"
dw_pass
assert_contains "the error names the token file" "$(cat "$KI_DIR/replica.log")" "$SA/token"
mv "$KI_DIR/token" "$SA/token"

start_replica
wait_until "in-cluster replica ready" 10 ready
wait_until "the Lease is held in the pod's namespace ($POD_NS)" 20 holder_is_pod
assert_eq "the Lease is not in default" "" \
  "$(k get lease dockward-controller -n default -o name 2>/dev/null || true)"

k apply -f - >/dev/null <<EOF
apiVersion: dockward.io/v1alpha1
kind: DockerHost
metadata: {name: nowhere, namespace: default}
spec:
  endpoint: unix://$KI_DIR/no-docker.sock
EOF
reconciled() { [ "$(k get dh nowhere -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')" = False ]; }
wait_until "the in-cluster controllers reconcile (DockerHost status)" 20 reconciled
assert_contains "the status says why" "$(k get dh nowhere -o jsonpath='{.status.conditions[?(@.type=="Ready")].message}')" \
  "no-docker.sock"

# The token file is re-read: a revoked token (here a wrong one) makes the
# renewals fail, so the leader steps down and exits within the renew
# deadline instead of working on with a token the server refuses.
printf 'revoked-%s' "$(openssl rand -hex 8)" >"$SA/token"
wait_until "a leader whose token was revoked exits" 90 bash -c "! kill -0 $RPID 2>/dev/null"
rc=0
wait "$RPID" || rc=$?
RPID=""
assert_eq "it exits 1 (its supervisor restarts it)" 1 "$rc"
assert_contains "it says it lost the Lease" "$(cat "$KI_DIR/replica.log")" "leader election lost"

# Back with a good token: takes the Lease again (after the old one expires),
# then SIGTERM releases it.
printf '%s' "$DW_TOKEN" >"$SA/token"
start_replica
wait_until "ready again" 10 ready
wait_until "leads again" 30 holder_is_pod
kill -TERM "$RPID"
rc=0
wait "$RPID" || rc=$?
RPID=""
assert_eq "SIGTERM exits 0" 0 "$rc"
assert_eq "the Lease is released" "" "$(holder)"
assert_no_secret() {
  if grep -qF "$DW_TOKEN" "$KI_DIR/replica.log"; then dw_fail "the token appears in the replica's log"; fi
  dw_pass
}
assert_no_secret

dw_finish kube_incluster
