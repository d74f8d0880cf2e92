#!/usr/bin/env bash
# Drift-to-correction latency of StackLimits Enforce mode, on a private
# dockerd with the dwlab example stack and a real `dockward serve`.
#
#   bench/stacklimits_drift.sh [BUILD_DIR]     (default: build)
#
# Env: N=120 single drifts, GAP_MS=200 between them; BURSTS=20 burst drifts
# of BURST=8 running containers (BURSTS=0: none).
#
# Single drift: `docker update --memory 96m --memory-swap 96m dwlab_web_1`
# (the real CLI), then, from the moment that command returns, GET
# /containers/dwlab_web_1/json on the daemon socket every 20 ms (one kept-alive
# connection) until HostConfig.Memory is 64 MiB again. The 20 ms poll is the
# measuring side, not dockward: dockward reacts to the `update` event.
# Burst drift: one `docker update` of BURST containers (1.5 s apart); time
# until all of them are 64 MiB again.
#
# Lowering a memory limit needs the container's usage first (one-shot GET
# .../stats). The daemon serves stats from a collector that samples, then
# sleeps 1 s before it serves new requests: a request in that second waits
# for its end. With GAP_MS=200 each drift lands in the second after the
# previous correction's request (the busy-collector case, as when anything
# else on the host reads stats); GAP_MS=1500 gives the idle-collector case.
# The last phase measures that daemon behaviour alone, without dockward.
# Prints p50/p90/p99/max and Markdown rows for docs/benchmarks.md.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$ROOT/build}
N=${N:-120}
GAP_MS=${GAP_MS:-200}
BURST=${BURST:-8}
BURSTS=${BURSTS:-20}
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

python3 - "$SL_DOCK/docker.sock" "$N" "$GAP_MS" "$BURST" "$BURSTS" <<'PY'
import http.client, json, math, socket, subprocess, sys, time

sock_path, n, gap = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]) / 1000
burst, bursts = int(sys.argv[4]), int(sys.argv[5])

class UnixConn(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("localhost", timeout=10)
        self.path = path
    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(self.path)

conn = UnixConn(sock_path)
def get(path):
    conn.request("GET", path)
    r = conn.getresponse()
    return json.loads(r.read())
def memory(name):
    hc = get(f"/containers/{name}/json")["HostConfig"]
    return hc["Memory"], hc["MemorySwap"]

want = (64 << 20, 64 << 20)
def drift(names):
    """ms from the update's return until every name is corrected, or None."""
    subprocess.run(["docker", "update", "--memory", "96m", "--memory-swap", "96m", *names],
                   check=True, stdout=subprocess.DEVNULL)
    t0 = time.monotonic()
    while True:
        if all(memory(x) == want for x in names):
            return (time.monotonic() - t0) * 1000
        if time.monotonic() - t0 > 10:
            return None
        time.sleep(0.02)

def pct(lat, p):
    return lat[max(0, math.ceil(p / 100 * len(lat)) - 1)]  # nearest rank
def report(what, lat, tries, label):
    lat.sort()
    misses = tries - len(lat)
    print(f"{what}: drifts={tries} corrected={len(lat)} missed={misses}")
    if lat:
        print(f"  p50={pct(lat, 50):.0f}ms p90={pct(lat, 90):.0f}ms p99={pct(lat, 99):.0f}ms "
              f"max={lat[-1]:.0f}ms min={lat[0]:.0f}ms mean={sum(lat) / len(lat):.0f}ms")
        print(f"  | {label} | {pct(lat, 50):.0f} ms | {pct(lat, 90):.0f} ms | "
              f"{pct(lat, 99):.0f} ms | {lat[-1]:.0f} ms | {misses} |")
    return misses

failed = 0
lat = []
for i in range(n):
    ms = drift(["dwlab_web_1"])
    if ms is None:
        print(f"drift {i}: not corrected within 10 s", file=sys.stderr)
    else:
        lat.append(ms)
    time.sleep(gap)  # distinct drifts, not one burst
failed += report("single", lat, n, f"{n} drifts {gap * 1000:.0f} ms apart")

running = ["dwlab_web_1", "dwlab_worker_1", "dwlab_netadmin_1", "dwlab_secrets_1",
           "dwlab_sockmount_1", "dwlab_sockproxy_1", "dwlab_templated_1", "dwlab_bare_1"][:burst]
lat = []
for i in range(bursts):
    time.sleep(1.5)
    ms = drift(running)
    if ms is None:
        print(f"burst {i}: not all corrected within 10 s", file=sys.stderr)
    else:
        lat.append(ms)
if bursts:
    failed += report("burst", lat, bursts, f"{bursts} bursts of {len(running)} containers, one `docker update`")

# The daemon alone, no dockward: one-shot stats with the collector idle
# (nothing asked for 1.5 s) and 200 ms after another stats request.
def stats_ms():
    t0 = time.monotonic()
    get("/containers/dwlab_web_1/stats?stream=false&one-shot=true")
    return (time.monotonic() - t0) * 1000
idle, busy = [], []
for i in range(10):
    time.sleep(1.5)
    idle.append(stats_ms())
    time.sleep(0.2)
    busy.append(stats_ms())
idle.sort()
busy.sort()
print(f"daemon one-shot stats: idle p50={pct(idle, 50):.0f}ms max={idle[-1]:.0f}ms; "
      f"200 ms after another request p50={pct(busy, 50):.0f}ms "
      f"min={busy[0]:.0f}ms max={busy[-1]:.0f}ms")
sys.exit(1 if failed else 0)
PY
api_body "$(api GET /metrics)" | grep -E '^dockward_docker_api_requests_total' || true
dw_stop
