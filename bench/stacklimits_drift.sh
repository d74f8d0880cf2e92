#!/usr/bin/env bash
# Drift-to-correction latency of StackLimits Enforce mode, on a private
# dockerd with the dwlab example stack and a real `dockward serve`.
#
#   bench/stacklimits_drift.sh [BUILD_DIR]     (default: build; N=120 drifts)
#
# For each drift: `docker update --memory 96m --memory-swap 96m dwlab_web_1`
# (the real CLI), then, from the moment that command returns, GET
# /containers/dwlab_web_1/json on the daemon socket every 20 ms (one kept-alive
# connection) until HostConfig.Memory is 64 MiB again. The 20 ms poll is the
# measuring side, not dockward: dockward reacts to the `update` event. Prints
# p50/p90/p99/max and a Markdown row for docs/benchmarks.md.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$ROOT/build}
N=${N:-120}
export DOCKWARD="$BUILD/dockward"
[ -x "$DOCKWARD" ] || { echo "missing $DOCKWARD: build first" >&2; exit 1; }
source "$ROOT/tests/integration/lib.sh"
source "$ROOT/tests/integration/lib/db.sh"
source "$ROOT/tests/integration/lib/stacklimits.sh"

sl_setup
sl_apply_policy policy.yaml 's/^  mode: Audit$/  mode: Enforce/'
sl_wait_audited dwlab 60
bare_fixed() { [ "$(sl_hc dwlab_bare_1 '{{.HostConfig.Memory}}')" = 67108864 ]; }
wait_until "initial enforcement" 30 bare_fixed
sleep 2  # let the initial passes settle

python3 - "$SL_DOCK/docker.sock" "$N" <<'PY'
import http.client, json, math, socket, subprocess, sys, time

sock_path, n = sys.argv[1], int(sys.argv[2])

class UnixConn(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("localhost", timeout=10)
        self.path = path
    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(self.path)

conn = UnixConn(sock_path)
def memory():
    conn.request("GET", "/containers/dwlab_web_1/json")
    r = conn.getresponse()
    hc = json.loads(r.read())["HostConfig"]
    return hc["Memory"], hc["MemorySwap"]

want = (64 << 20, 64 << 20)
lat, misses = [], 0
for i in range(n):
    subprocess.run(["docker", "update", "--memory", "96m", "--memory-swap", "96m", "dwlab_web_1"],
                   check=True, stdout=subprocess.DEVNULL)
    t0 = time.monotonic()
    while True:
        if memory() == want:
            lat.append((time.monotonic() - t0) * 1000)
            break
        if time.monotonic() - t0 > 10:
            misses += 1
            print(f"drift {i}: not corrected within 10 s", file=sys.stderr)
            break
        time.sleep(0.02)
    time.sleep(0.2)  # distinct drifts, not one burst

lat.sort()
def pct(p):
    return lat[max(0, math.ceil(p / 100 * len(lat)) - 1)]  # nearest rank
print(f"drifts={n} corrected={len(lat)} missed={misses}")
print(f"p50={pct(50):.0f}ms p90={pct(90):.0f}ms p99={pct(99):.0f}ms max={lat[-1]:.0f}ms "
      f"min={lat[0]:.0f}ms mean={sum(lat) / len(lat):.0f}ms")
print(f"| {n} drifts, Enforce, 11-container stack | {pct(50):.0f} ms | {pct(90):.0f} ms | "
      f"{pct(99):.0f} ms | {lat[-1]:.0f} ms | {misses} |")
sys.exit(1 if misses else 0)
PY
api_body "$(api GET /metrics)" | grep -E '^dockward_docker_api_requests_total' || true
dw_stop
