#!/usr/bin/env bash
# Kubernetes mode with leader election, end to end: `dockward serve` A (with
# --controllers=none) plays the remote Kubernetes API server; replicas run
# `dockward serve --kubeconfig A/kubeconfig --leader-elect` against it, each
# with its own health/metrics listener and data dir; objects are applied to
# A with the real kubectl; backups run for real (a private dockerd and an
# SQLite container, tests/integration/lib/db.sh).
#
# Checks: one replica holds the coordination.k8s.io/v1 Lease (15 s), the
# other is a ready standby; only the leader reconciles (DockerHost status,
# Event reportingInstance, the standby's metrics and log); a requested
# backup runs once, by the leader; `kill -9` of the leader hands the Lease
# to the standby after the lease time (not before) and within lease + retry;
# the new leader runs the next request once and does not redo the first
# (Backups == artifacts on disk); a leader cut off from the API server exits
# 1 after the renew deadline and a restarted replica takes over; SIGTERM of a
# leader releases the Lease and exits 0.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/lib.sh"
source "$HERE/lib/db.sh"

for bin in dockerd docker kubectl jq curl python3 sqlite3; do
  command -v "$bin" >/dev/null || dw_fail "$bin is not installed (scripts/setup.sh test)"
done

KM_DIR="$(mktemp -d /tmp/dw-km.XXXXXX)"
KM_DOCK="$KM_DIR/dk"
declare -A RPID HPORT MPORT  # replica -> pid, health port, metrics port
A_STOPPED=""

km_cleanup() {
  local rc=$? r
  [ -n "$A_STOPPED" ] && kill -CONT "$DW_PID" 2>/dev/null || true
  for r in "${!RPID[@]}"; do
    { kill -KILL "${RPID[$r]}" && wait "${RPID[$r]}"; } 2>/dev/null || true
  done
  dw_cleanup
  db_daemon_stop "$KM_DOCK" || true
  db_daemon_reap "$KM_DOCK"
  if [ "$rc" -ne 0 ]; then
    for r in "${!RPID[@]}"; do
      echo "--- last lines of replica $r ---" >&2
      tail -n 20 "$KM_DIR/$r.log" >&2 || true
    done
  fi
  rm -rf "$KM_DIR" 2>/dev/null || { sleep 1; rm -rf "$KM_DIR" || true; }
  exit "$rc"
}
trap km_cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_replica NAME: a controller replica against A, waits for /readyz.
start_replica() {
  local r=$1 i
  HPORT[$r]=$(free_port)
  MPORT[$r]=$(free_port)
  "$DOCKWARD" serve --kubeconfig "$KUBECONFIG_FILE" --leader-elect --leader-election-identity "$r" \
    --health-listen "127.0.0.1:${HPORT[$r]}" --metrics-listen "127.0.0.1:${MPORT[$r]}" \
    --data-dir "$KM_DIR/data-$r" >"$KM_DIR/$r.log" 2>&1 &
  RPID[$r]=$!
  for i in $(seq 1 100); do
    kill -0 "${RPID[$r]}" 2>/dev/null || dw_fail "replica $r exited during startup: $(cat "$KM_DIR/$r.log")"
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${HPORT[$r]}/readyz")" = 200 ] && {
      dw_pass
      return 0
    }
    sleep 0.1
  done
  dw_fail "replica $r not ready after 10s"
}

holder() { k get lease dockward-controller -n default -o jsonpath='{.spec.holderIdentity}' 2>/dev/null; }
holder_is() { [ "$(holder)" = "$1" ]; }
holder_set() { [ -n "$(holder)" ]; }
# Reconciles a replica did, summed over controllers and results.
reconciles() {
  curl -s "http://127.0.0.1:${MPORT[$1]}/metrics" |
    awk '/^dockward_reconcile_total\{/ { n += $NF } END { print n + 0 }'
}
cond_is() {  # KIND/NAME TYPE STATUS
  [ "$(jget "$1" ".status.conditions[]? | select(.type == \"$2\") | .status")" = "$3" ]
}
# Finished artifacts on disk (not their .json sidecars, not temp files).
artifacts() { find "$KM_DIR/backups" -type f ! -name '*.json' ! -name '*.tmp-*' 2>/dev/null | wc -l; }
now() { date +%s.%N; }
elapsed() { python3 -c "import sys; print(round(float(sys.argv[2]) - float(sys.argv[1]), 1))" "$1" "$2"; }
less_than() { python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) < float(sys.argv[2]) else 1)" "$1" "$2"; }

# request_run POLICY: annotates a manual run; prints the nonce once handled.
request_run() {
  local nonce="km-$(date +%s%N)"
  k annotate --overwrite "backuppolicy/$1" "dockward.io/run-requested-at=$nonce" >/dev/null ||
    dw_fail "annotating $1 failed"
  local deadline=$((SECONDS + 30))
  until [ "$(jget "backuppolicy/$1" .status.lastHandledRunRequest)" = "$nonce" ]; do
    [ "$SECONDS" -lt "$deadline" ] || dw_fail "run request $nonce not handled in 30s"
    sleep 0.2
  done
  echo "$nonce"
}
backups_of() { k get backups -l "dockward.io/run-request=$1" -o json | jq -r '.items[].metadata.name' | sort; }
succeeded() { [ "$(jget "backup/$1" '.status.phase // ""')" = Succeeded ]; }
# reportingInstance of every Event about KIND NAME, sorted and unique.
event_instances() {
  k get events -o json | jq -r --arg k "$1" --arg n "$2" \
    '[.items[] | select(.involvedObject.kind == $k and .involvedObject.name == $n) | .reportingInstance] | unique | join(",")'
}

# --- the remote API server and two replicas --------------------------------
dw_start --controllers=none
start_replica r1
start_replica r2
wait_until "a replica holds the Lease" 15 holder_set
LEADER="$(holder)"
if [ "$LEADER" = r1 ]; then STANDBY=r2; else STANDBY=r1; fi
assert_eq "lease duration" 15 "$(k get lease dockward-controller -o jsonpath='{.spec.leaseDurationSeconds}')"
assert_eq "lease transitions" 0 "$(k get lease dockward-controller -o jsonpath='{.spec.leaseTransitions}')"
assert_contains "kubectl shows the holder" "$(k get lease dockward-controller)" "$LEADER"
assert_eq "standby is ready too" 200 \
  "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${HPORT[$STANDBY]}/readyz")"
assert_eq "healthz" ok "$(curl -s "http://127.0.0.1:${HPORT[$STANDBY]}/healthz")"

# --- only the leader reconciles ---------------------------------------------
cat <<EOF | k apply -f - >/dev/null
apiVersion: dockward.io/v1alpha1
kind: DockerHost
metadata:
  name: nowhere
spec:
  endpoint: unix://$KM_DIR/no-such.sock
EOF
wait_until "unreachable DockerHost gets status" 15 cond_is dockerhost/nowhere Ready False
assert_eq "status reason" Unreachable \
  "$(jget dockerhost/nowhere '.status.conditions[] | select(.type == "Ready") | .reason')"
wait_until "Event about the DockerHost" 10 test -n "$(event_instances DockerHost nowhere)"
assert_eq "Event reportingInstance is the leader" "$LEADER" "$(event_instances DockerHost nowhere)"
assert_ne "leader reconciled" 0 "$(reconciles "$LEADER")"
assert_eq "standby reconciled nothing" 0 "$(reconciles "$STANDBY")"
assert_contains "leader started controllers" "$(cat "$KM_DIR/$LEADER.log")" '"controllers started"'
assert_not_contains "standby started no controller" "$(cat "$KM_DIR/$STANDBY.log")" '"controller started"'

# --- a real backup, run once by the leader ----------------------------------
db_daemon_start "$KM_DOCK" || dw_fail "dockerd did not start"
db_image_build || dw_fail "image dw-db:1 not built"
db_run_sqlite km-sq /srv/app/app.db --label dwtest=km --label dockward.io/backup.engine=sqlite \
  --label dockward.io/backup.path=/srv/app/app.db || dw_fail "sqlite container did not start"
db_seed_sqlite km-sq /srv/app/app.db 50 || dw_fail "sqlite seed"
cat <<EOF | k apply -f - >/dev/null
apiVersion: dockward.io/v1alpha1
kind: DockerHost
metadata:
  name: local
spec:
  endpoint: unix://$KM_DOCK/docker.sock
---
apiVersion: dockward.io/v1alpha1
kind: BackupPolicy
metadata:
  name: km
spec:
  dockerHosts: [local]
  selector:
    matchLabels:
      dwtest: km
  schedule: "@yearly"
  destination:
    path: $KM_DIR/backups
  retention:
    keepLast: 10
EOF
wait_until "DockerHost local Ready" 30 cond_is dockerhost/local Ready True
targets() { [ "$(jget backuppolicy/km '[.status.targets[]? | select(.error == null)] | length')" = 1 ]; }
wait_until "policy resolves the SQLite container" 30 targets
N1="$(request_run km)"
mapfile -t RUN1 < <(backups_of "$N1")
assert_eq "one Backup for run 1" 1 "${#RUN1[@]}"
wait_until "run 1 succeeded" 120 succeeded "${RUN1[0]}"
assert_eq "one artifact after run 1" 1 "$(artifacts)"
wait_until "Event about the run-1 Backup" 10 test -n "$(event_instances Backup "${RUN1[0]}")"
assert_eq "run 1 reported by the leader" "$LEADER" "$(event_instances Backup "${RUN1[0]}")"
assert_eq "standby still reconciled nothing" 0 "$(reconciles "$STANDBY")"

# --- kill -9 the leader: the standby takes over after the lease time ---------
OLD="$LEADER"
T0="$(now)"
{ kill -KILL "${RPID[$OLD]}" && wait "${RPID[$OLD]}"; } 2>/dev/null || true
unset "RPID[$OLD]"
wait_until "standby takes the Lease" 30 holder_is "$STANDBY"
HANDOVER="$(elapsed "$T0" "$(now)")"
echo "handover after kill -9: ${HANDOVER}s"
# The old leader renewed at most 2 s before the kill; the standby must wait
# the full 15 s lease from its last observation of that renew, and takes over
# at its next attempt (client-go: retry 2 s x jitter 1.2 after an observation
# lag of the same): 13 s <= handover < 15 + 2 x 4.4 s.
less_than 13 "$HANDOVER" || dw_fail "standby took over after ${HANDOVER}s, before the lease could expire"
dw_pass
less_than "$HANDOVER" 23.8 || dw_fail "handover took ${HANDOVER}s"
dw_pass
LEADER="$STANDBY"
assert_eq "lease transitions after takeover" 1 "$(k get lease dockward-controller -o jsonpath='{.spec.leaseTransitions}')"
wait_until "new leader started its controllers" 10 grep -q '"controllers started"' "$KM_DIR/$LEADER.log"
start_replica r3  # what a supervisor does with the killed one
STANDBY=r3

# The new leader saw run 1 as done: no second artifact, no new Backup.
sleep 3
assert_eq "run 1 not redone" 1 "$(artifacts)"
assert_eq "still one Backup" 1 "$(k get backups -o json | jq '.items | length')"
N2="$(request_run km)"
mapfile -t RUN2 < <(backups_of "$N2")
assert_eq "one Backup for run 2" 1 "${#RUN2[@]}"
wait_until "run 2 succeeded" 120 succeeded "${RUN2[0]}"
sleep 2
assert_eq "two Backups in all" 2 "$(k get backups -o json | jq '.items | length')"
assert_eq "two artifacts: each run executed once" 2 "$(artifacts)"
wait_until "Event about the run-2 Backup" 10 test -n "$(event_instances Backup "${RUN2[0]}")"
assert_eq "run 2 reported by the new leader" "$LEADER" "$(event_instances Backup "${RUN2[0]}")"
assert_eq "new standby reconciled nothing" 0 "$(reconciles "$STANDBY")"

# --- a leader cut off from the API server exits after the renew deadline ----
kill -STOP "$DW_PID"
A_STOPPED=1
T0="$(now)"
RC=0
for i in $(seq 1 250); do
  kill -0 "${RPID[$LEADER]}" 2>/dev/null || break
  sleep 0.1
done
wait "${RPID[$LEADER]}" || RC=$?
CUT="$(elapsed "$T0" "$(now)")"
unset "RPID[$LEADER]"
kill -CONT "$DW_PID"
A_STOPPED=""
echo "leader exited ${CUT}s after losing the API server"
assert_eq "a leader that cannot renew exits 1" 1 "$RC"
assert_contains "it says why" "$(cat "$KM_DIR/$LEADER.log")" "leader election lost"
# The deadline counts from the last renew, at most one 2 s retry before the
# stop: 8 s <= exit < the 15 s lease.
less_than 8 "$CUT" || dw_fail "leader stopped after ${CUT}s, before the 10 s renew deadline"
dw_pass
less_than "$CUT" 15 || dw_fail "leader stopped after ${CUT}s, not before the 15 s lease ran out"
dw_pass
wait_until "the remaining replica takes over" 30 holder_is "$STANDBY"
LEADER="$STANDBY"

# --- SIGTERM: a standby just leaves; a leader stops its controllers,
# releases the Lease and exits 0 ----------------------------------------------
start_replica r4
wait_until "r4 observes the leader" 10 grep -q "\"leader\":\"$LEADER\"" "$KM_DIR/r4.log"
kill -TERM "${RPID[r4]}"
RC=0
wait "${RPID[r4]}" || RC=$?
unset "RPID[r4]"
assert_eq "standby exits 0 on SIGTERM" 0 "$RC"
assert_eq "leader unchanged" "$LEADER" "$(holder)"
kill -TERM "${RPID[$LEADER]}"
RC=0
wait "${RPID[$LEADER]}" || RC=$?
unset "RPID[$LEADER]"
assert_eq "SIGTERM exits 0" 0 "$RC"
assert_eq "Lease released" "" "$(holder)"
assert_contains "release logged" "$(cat "$KM_DIR/$LEADER.log")" "lease released"

db_daemon_stop "$KM_DOCK" || true
dw_finish kube_mode
