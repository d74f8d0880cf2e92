#!/usr/bin/env bash
# Benchmarks dockward's API server + embedded store side by side with etcd 3.4
# on this machine, both fsyncing every acknowledged write, and prints a
# Markdown table for docs/benchmarks.md.
#
#   bench/store_vs_etcd.sh [BUILD_DIR]      (default: build)
#
# Scenarios: creates of ~1 KiB objects with 1, 8 and 64 concurrent clients
# (throughput, p50, p99); LIST of 10,000 objects; one write fanned out to 100
# watchers; dockward start-up time and RSS holding 10,000 objects.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$ROOT/build}
BENCH=$BUILD/api_bench
DOCKWARD=$BUILD/dockward
COUNT=${COUNT:-3000}   # creates per concurrency level
for b in "$BENCH" "$DOCKWARD"; do [ -x "$b" ] || { echo "missing $b: build first" >&2; exit 1; }; done
command -v etcd >/dev/null || { echo "etcd not installed: run scripts/setup.sh" >&2; exit 1; }

WORK=$(mktemp -d /var/tmp/dw-bench.XXXXXX)   # same disk for both stores
PIDS=()
cleanup() {
  for p in "${PIDS[@]:-}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

start_dockward() {
  "$DOCKWARD" serve --data-dir "$WORK/dw" --listen "127.0.0.1:$DW_PORT" >"$WORK/dw.log" 2>&1 &
  DW_PID=$!
  PIDS+=("$DW_PID")
  for _ in $(seq 1 200); do
    curl -sfk "https://127.0.0.1:$DW_PORT/readyz" >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  echo "dockward did not become ready" >&2; cat "$WORK/dw.log" >&2; exit 1
}

DW_PORT=$(free_port); ETCD_PORT=$(free_port); ETCD_PEER=$(free_port)
start_dockward
KC=$WORK/dw/kubeconfig
etcd --data-dir "$WORK/etcd" --listen-client-urls "http://127.0.0.1:$ETCD_PORT" \
     --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
     --listen-peer-urls "http://127.0.0.1:$ETCD_PEER" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER" \
     --initial-cluster "default=http://127.0.0.1:$ETCD_PEER" --log-level error >"$WORK/etcd.log" 2>&1 &
PIDS+=("$!")
EP=http://127.0.0.1:$ETCD_PORT
for _ in $(seq 1 200); do curl -sf "$EP/health" >/dev/null 2>&1 && break; sleep 0.05; done

dw() { "$BENCH" "$@" --target dockward --kubeconfig "$KC" 2>>"$WORK/bench.err"; }
et() { "$BENCH" "$@" --target etcd --endpoint "$EP" 2>>"$WORK/bench.err"; }
field() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }

echo "| scenario | dockward | etcd 3.4 |"
echo "|---|---|---|"
for c in 1 8 64; do
  n=$COUNT; [ "$c" = 1 ] && n=$((COUNT / 3))
  a=$(dw create --clients "$c" --count "$n" --prefix "c$c")
  b=$(et create --clients "$c" --count "$n" --prefix "c$c")
  printf '| create, %s clients: throughput (obj/s) | %.0f | %.0f |\n' "$c" "$(field "$a" throughput)" "$(field "$b" throughput)"
  printf '| create, %s clients: p50 / p99 (ms) | %s / %s | %s / %s |\n' "$c" \
    "$(field "$a" p50_ms)" "$(field "$a" p99_ms)" "$(field "$b" p50_ms)" "$(field "$b" p99_ms)"
done

# LIST of 10,000 objects in one namespace / key range.
make_ns() {  # kubectl create namespace would send protobuf; apply sends JSON
  printf '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"%s"}}' "$1" |
    kubectl --kubeconfig "$KC" apply -f - >/dev/null
}
make_ns list10k
dw create --clients 16 --count 10000 --namespace list10k --prefix l >/dev/null
et create --clients 16 --count 10000 --prefix l >/dev/null
# Timed with curl (a lean C client) so the figure is the server's, not our
# test client's: 20 requests each, full response received.
curl_times() {
  for _ in $(seq 1 20); do curl -s -o /dev/null -w '%{time_total}\n' "$@"; done |
    python3 -c 'import sys; v=sorted(float(x)*1000 for x in sys.stdin); print("%.1f / %.1f" % (v[len(v)//2], v[-1]))'
}
TOKEN=$(cat "$WORK/dw/token")
a=$(curl_times --cacert "$WORK/dw/pki/ca.crt" -H "Authorization: Bearer $TOKEN" \
  "https://127.0.0.1:$DW_PORT/api/v1/namespaces/list10k/secrets")
range=$(python3 -c 'import base64; print(base64.b64encode(b"/registry/l/").decode(), base64.b64encode(b"/registry/l0").decode())')
set -- $range
b=$(curl_times -X POST -d "{\"key\":\"$1\",\"range_end\":\"$2\"}" "$EP/v3/kv/range")
c=$(dw list --namespace list10k --repeat 20)
printf '| LIST 10,000 objects (~15 MB), curl: p50 / max of 20 (ms) | %s | %s |\n' "$a" "$b"
printf '| LIST 10,000 objects, api_bench client (Beast, HTTPS): p50 / p99 (ms) | %s / %s | n/a |\n' \
  "$(field "$c" p50_ms)" "$(field "$c" p99_ms)"

# One write reaching 100 watchers.
make_ns watch100
a=$(dw watch --namespace watch100 --watchers 100 --writes 100 --prefix w)
b=$(et watch --watchers 100 --writes 100 --prefix w)
printf '| 100 watchers: delivery after the write is acknowledged, p50 / p99 (ms) | %s / %s | %s / %s |\n' \
  "$(field "$a" after_ack_p50_ms)" "$(field "$a" after_ack_p99_ms)" "$(field "$b" after_ack_p50_ms)" "$(field "$b" after_ack_p99_ms)"
printf '| 100 watchers: delivery after the write is sent, p50 / p99 (ms) | %s / %s | %s / %s |\n' \
  "$(field "$a" from_send_p50_ms)" "$(field "$a" from_send_p99_ms)" "$(field "$b" from_send_p50_ms)" "$(field "$b" from_send_p99_ms)"

# Restart: time to /readyz and RSS, holding everything written above (>10,000 objects).
objects=$(curl -s --cacert "$WORK/dw/pki/ca.crt" -H "Authorization: Bearer $(cat "$WORK/dw/token")" \
  "https://127.0.0.1:$DW_PORT/metrics" | awk '/^dockward_store_objects /{print $2}')
kill -TERM "$DW_PID"; wait "$DW_PID" || true
t0=$(date +%s.%N)
start_dockward
t1=$(date +%s.%N)
rss=$(awk '/VmRSS/{print $2}' "/proc/$DW_PID/status")
printf '| start-up to /readyz with %s objects (s) | %.3f | n/a |\n' "$objects" "$(python3 -c "print($t1 - $t0)")"
printf '| RSS after start-up with %s objects (MiB) | %.1f | n/a |\n' "$objects" "$(python3 -c "print($rss / 1024)")"
if [ -s "$WORK/bench.err" ]; then echo; echo "client errors:"; sort "$WORK/bench.err" | uniq -c | head; fi
