#!/usr/bin/env bash
# StackLimits at scale: 200 running containers in 20 compose projects (plain
# `docker run` with the compose labels, which is all dockward reads), one
# Audit policy over all of them with every rule, on a private dockerd.
#
#   bench/stacklimits_scale.sh [BUILD_DIR]   (default: build)
#   PROJECTS=20 PER=10 IDLE=60 override the sizes
#
# Measures: time from `kubectl apply` returning to status Ready for the
# applied generation with summary.containers = 200 (status polled every 50 ms
# through the API); Docker API requests dockward made for that audit (delta of
# dockward_docker_api_requests_total on /metrics); then, idle, dockward's CPU
# over IDLE seconds (utime+stime from /proc/PID/stat) and the Docker API
# requests made meanwhile. Half the services break rules, so the audit has
# findings to write.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$ROOT/build}
PROJECTS=${PROJECTS:-20}
PER=${PER:-10}
IDLE=${IDLE:-60}
TOTAL=$((PROJECTS * PER))
export DOCKWARD="$BUILD/dockward"
[ -x "$DOCKWARD" ] || { echo "missing $DOCKWARD: build first" >&2; exit 1; }
source "$ROOT/tests/integration/lib.sh"
source "$ROOT/tests/integration/lib/db.sh"
source "$ROOT/tests/integration/lib/stacklimits.sh"

sl_daemon_up

# --- 200 containers -----------------------------------------------------------
one() {  # PROJECT-NO SERVICE-NO
  local p s args
  p=$(printf 'scale%02d' "$1")
  s=$(printf 'svc%02d' "$2")
  args=(-d --name "${p}_${s}_1" --network none
        --label "com.docker.compose.project=$p" --label "com.docker.compose.service=$s"
        --label com.docker.compose.oneoff=False --label com.docker.compose.container-number=1
        --label dw.bench=scale)
  if [ $(($2 % 2)) -eq 0 ]; then  # compliant
    args+=(--memory 64m --memory-swap 64m --cpus 0.5 --pids-limit 64 --restart unless-stopped
           --security-opt no-new-privileges:true --log-opt max-size=1m --log-opt max-file=2
           --health-cmd true --health-interval 30s)
  else                            # no limits, no hardening, a plaintext secret
    args+=(-e "API_TOKEN=t$1$2")
  fi
  docker run "${args[@]}" "$SL_IMAGE" sleep 100000 >/dev/null
}
export -f one
export SL_IMAGE
t0=$SECONDS
for p in $(seq 1 "$PROJECTS"); do for s in $(seq 1 "$PER"); do echo "$p $s"; done; done |
  xargs -P 4 -n 2 bash -c 'one "$0" "$1"'
n="$(docker ps -q --filter label=dw.bench=scale | wc -l)"
[ "$n" -eq "$TOTAL" ] || { echo "only $n of $TOTAL containers running" >&2; exit 1; }
echo "started $TOTAL containers in $((SECONDS - t0)) s"

dw_start
sl_dockerhost
DW_SERVE_PID="$DW_PID"
sleep 3  # past start-up work (DockerHost probe, informers)

metric() {  # sum of dockward_docker_api_requests_total over its series
  api_body "$(api GET /metrics)" | awk '/^dockward_docker_api_requests_total[ {]/ { s += $NF } END { printf "%d\n", s }'
}
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$DW_SERVE_PID/stat"; }
audited_all() {
  api_body "$(api GET /apis/dockward.io/v1alpha1/namespaces/default/stacklimits/scale)" |
    jq -e --argjson n "$TOTAL" '(.status.observedGeneration // -1) == .metadata.generation and
      (.status.summary.containers // 0) == $n and
      ([.status.conditions[]? | select(.type == "Ready" and .status == "True")] | length) == 1' >/dev/null
}

req0="$(metric)"
k apply -f - >/dev/null <<'YAML'
apiVersion: dockward.io/v1alpha1
kind: StackLimits
metadata: {name: scale}
spec:
  selector: {matchLabels: {dw.bench: scale}}
  mode: Audit
  limits: {defaults: {memory: 64Mi, cpus: "0.5", pids: 64}}
  rules:
    - {name: privileged}
    - {name: capabilities}
    - {name: hostNamespaces}
    - {name: noNewPrivileges}
    - {name: healthcheck}
    - {name: logRotation}
    - {name: dockerSocket}
    - {name: socketProxyPermissions}
    - {name: plaintextSecrets}
    - {name: templatePlaceholders}
    - {name: restartPolicy}
YAML
t0="$(now_ms)"
until audited_all; do
  [ $(( $(now_ms) - t0 )) -lt 300000 ] || { echo "not audited after 300 s" >&2; k get sl scale -o yaml | tail -30 >&2; exit 1; }
  sleep 0.05
done
audit_ms=$(( $(now_ms) - t0 ))
req1="$(metric)"
summary="$(jget sl/scale '.status.summary | "services=\(.services) containers=\(.containers) violations=\(.violations)"')"
echo "full audit of $TOTAL containers: ${audit_ms} ms, $((req1 - req0)) Docker API requests ($summary)"

sleep 5
req2="$(metric)"
c0="$(cpu_ticks)"
sleep "$IDLE"
c1="$(cpu_ticks)"
req3="$(metric)"
hz="$(getconf CLK_TCK)"
cpu_s="$(awk -v d=$((c1 - c0)) -v hz="$hz" 'BEGIN { printf "%.2f", d / hz }')"
pct="$(awk -v d=$((c1 - c0)) -v hz="$hz" -v s="$IDLE" 'BEGIN { printf "%.2f", 100 * d / hz / s }')"
rss="$(awk '/^VmRSS/ { print $2 }' "/proc/$DW_SERVE_PID/status")"
echo "idle ${IDLE} s: ${cpu_s} s CPU (${pct}% of one core), $((req3 - req2)) Docker API requests, RSS ${rss} KiB"
echo "| $TOTAL containers / $PROJECTS projects | ${audit_ms} ms | $((req1 - req0)) | ${cpu_s} s (${pct}%) | $((req3 - req2)) | ${rss} KiB |"
dw_stop
