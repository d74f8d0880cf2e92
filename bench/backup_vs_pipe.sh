#!/usr/bin/env bash
# Benchmark: `dockward backup run --wait` (zstd + AES-256-GCM + SHA-256, with
# checksum and content verification) against the bare pipe
# `docker exec C pg_dump ... > file` (both with the checksum re-read and the
# engine content check on; the full decode pass, verify.decode, is off), on a real PostgreSQL 15 container of a
# private dockerd (tests/integration/lib/db.sh).
#
# For each size (plain dump >= SIZE1_MB, then SIZE2_MB = 5x) a FRESH
# `dockward serve` is started, then RUNS alternating pairs are timed: (a) the
# bare pipe, (b) the dockward run. The serve process's peak RSS is VmHWM from
# /proc/PID/status after the runs; as it cannot be reset between runs, its
# idle VmRSS (before any run) is reported too. Then zstd vs gzip: the same
# policy with compression gzip, timed once, sizes compared.
#
# Usage: DOCKWARD=/path/to/dockward bench/backup_vs_pipe.sh
#   env: SIZE1_MB (200) SIZE2_MB (1000) RUNS (3) SKIP_LARGE=1 to stop after SIZE1
# Prints a markdown table on stdout; progress on stderr.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
IT="$ROOT/tests/integration"
source "$IT/lib.sh"
source "$IT/lib/db.sh"
source "$IT/lib/backup.sh"

SIZE1_MB="${SIZE1_MB:-200}"
SIZE2_MB="${SIZE2_MB:-1000}"
RUNS="${RUNS:-3}"
C=bench-pg
DB=bench
P=dockward.io/backup.

log() { echo "[bench] $*" >&2; }
now() { date +%s.%N; }
secs() { python3 -c "print(f'{$2 - $1:.2f}')"; }
mib() { python3 -c "print(f'{$1 / 1048576:.1f}')"; }
status_kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }

dump_bytes() {
  docker exec "$C" pg_dump --format=plain --no-password -U postgres -d "$DB" | wc -c
}

# Adds rows FROM..TO to the seeded tables (same shape as db_seed_postgres).
add_rows() {
  docker exec -i "$C" psql -q -v ON_ERROR_STOP=1 -U postgres -d "$DB" >/dev/null <<SQL
INSERT INTO items
  SELECT g, 'item-' || g,
         md5(g::text) || md5(g::text || 'a') || md5(g::text || 'b') || md5(g::text || 'c') ||
         md5(g::text || 'd') || md5(g::text || 'e') || md5(g::text || 'f') || md5(g::text || 'g'),
         timestamptz '2024-01-01 00:00:00+00' + g * interval '1 second'
  FROM generate_series($1, $2) AS g;
INSERT INTO tags SELECT g, 'tag-' || (g % 7) FROM generate_series($1 / 10 + 1, $2 / 10) AS g;
SQL
}

ROWS=0
# Grows the database until its plain dump is at least $1 MiB.
seed_to() {
  local target=$(($1 * 1048576)) size per want
  if [ "$ROWS" -eq 0 ]; then
    ROWS=20000
    db_seed_postgres "$C" "$DB" "$ROWS" || dw_fail "seed"
  fi
  size="$(dump_bytes)"
  while [ "$size" -lt "$target" ]; do
    per=$((size / ROWS))
    want=$(( (target - size) / per + ROWS / 50 + 1000 ))
    log "dump is $(mib "$size") MiB at $ROWS rows; adding $want rows"
    add_rows $((ROWS + 1)) $((ROWS + want))
    ROWS=$((ROWS + want))
    size="$(dump_bytes)"
  done
  docker exec "$C" psql -q -U postgres -d "$DB" -c "VACUUM ANALYZE" >/dev/null
  DUMP_BYTES="$size"
  log "plain dump: $(mib "$size") MiB ($ROWS rows)"
}

# A fresh serve with the host, key and policy of this benchmark.
fresh_serve() {  # COMPRESSION
  local old="$DW_TMP"
  if [ -n "$DW_PID" ]; then dw_stop; fi
  [ -n "$old" ] && rm -rf "$old"
  dw_start
  bk_render dockerhost.yaml SOCK="$BK_DOCK/docker.sock" | k apply -f - >/dev/null
  wait_until "DockerHost local Ready" 30 bk_cond_is dockerhost/local Ready True
  k create secret generic backup-key --from-file=key="$BK_KEY" >/dev/null
  apply_policy "$1"
  IDLE_RSS_KB="$(status_kb "$DW_PID" VmRSS)"
}

apply_policy() {  # COMPRESSION
  mkdir -p "$DEST"
  k apply -f - >/dev/null <<YAML
apiVersion: dockward.io/v1alpha1
kind: BackupPolicy
metadata:
  name: bench
spec:
  dockerHosts: [local]
  selector:
    matchLabels:
      dwbench: "1"
  schedule: "@yearly"
  destination:
    path: $DEST
  compression: $1
  encryption:
    keySecretRef:
      name: backup-key
      key: key
  verify:
    checksum: true
    content: true
  retention:
    keepLast: 1
  timeoutSeconds: 3600
YAML
  ready() { [ "$(jget backuppolicy/bench '[.status.targets[]? | select(.error == null)] | length')" = 1 ]; }
  wait_until "policy bench selects $C" 60 ready
}

PIPE_T=()
DW_T=()
LAST_ARTIFACT_BYTES=0
time_pipe() {
  local t0 t1
  t0="$(now)"
  docker exec "$C" pg_dump --format=plain --no-password -U postgres -d "$DB" >"$BK_DIR/pipe.sql"
  t1="$(now)"
  PIPE_T+=("$(secs "$t0" "$t1")")
  rm -f "$BK_DIR/pipe.sql"
}

time_dockward() {
  local t0 t1 out
  t0="$(now)"
  out="$("$DOCKWARD" --kubeconfig "$KUBECONFIG_FILE" backup run bench --wait --timeout 1h)" ||
    dw_fail "dockward backup run failed: $out"
  t1="$(now)"
  DW_T+=("$(secs "$t0" "$t1")")
  local path
  path="$(k get backups -l dockward.io/policy=bench -o json |
          jq -r '[.items[] | select(.status.phase == "Succeeded")] | sort_by(.metadata.creationTimestamp) | last | .status.path')"
  LAST_ARTIFACT_BYTES="$(stat -c %s "$path")"
  # Keep the disk small: the next run writes a fresh artifact.
  k delete backups -l dockward.io/policy=bench --wait=true >/dev/null
  rm -f "$path" "$path.json"
}

median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

ROWS_MD=()
measure_size() {  # MB
  seed_to "$1"
  fresh_serve zstd
  PIPE_T=()
  DW_T=()
  local i
  for i in $(seq 1 "$RUNS"); do
    log "size $1 MiB: run $i/$RUNS (pipe, then dockward)"
    time_pipe
    time_dockward
  done
  local hwm pm dm
  hwm="$(status_kb "$DW_PID" VmHWM)"
  pm="$(median "${PIPE_T[@]}")"
  dm="$(median "${DW_T[@]}")"
  ROWS_MD+=("| $(mib "$DUMP_BYTES") MiB | ${PIPE_T[*]} | ${DW_T[*]} | $pm / $dm | $(python3 -c "print(f'{($dm / $pm - 1) * 100:+.1f}%')") | $(mib $((hwm * 1024))) MiB | $(mib $(((hwm - IDLE_RSS_KB) * 1024))) MiB | $(mib "$LAST_ARTIFACT_BYTES") MiB |")
  log "result: ${ROWS_MD[-1]}"
}

# ----------------------------------------------------------------------------
[ -x "${DOCKWARD:-}" ] || { echo "set DOCKWARD to the dockward binary" >&2; exit 2; }
bk_setup
DEST="$BK_DIR/backups"
db_run_postgres "$C" --label dwbench=1 --label "${P}engine=postgres" --label "${P}databases=$DB" ||
  dw_fail "postgres did not start"

measure_size "$SIZE1_MB"

# zstd vs gzip on the same database, dockward's own pipeline (encryption on).
log "compression: zstd vs gzip"
ZSTD_T="$(median "${DW_T[@]}")"
ZSTD_BYTES="$LAST_ARTIFACT_BYTES"
apply_policy gzip
DW_T=()
time_dockward
GZIP_T="${DW_T[0]}"
GZIP_BYTES="$LAST_ARTIFACT_BYTES"
log "result: gzip $GZIP_T s, $(mib "$GZIP_BYTES") MiB; zstd $ZSTD_T s, $(mib "$ZSTD_BYTES") MiB"
SIZE1_DUMP="$DUMP_BYTES"

if [ "${SKIP_LARGE:-0}" != 1 ]; then measure_size "$SIZE2_MB"; fi
dw_stop

cat <<MD
Machine: $(nproc) vCPU ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), $(free -g | awk '/Mem:/ { print $2 }') GiB RAM, $(uname -r); dockerd storage vfs; load average at end: $(cut -d' ' -f1-3 /proc/loadavg)

| plain dump | bare pipe runs (s) | dockward runs (s) | median pipe / dockward (s) | dockward vs pipe | serve VmHWM | VmHWM - idle RSS | artifact |
|---|---|---|---|---|---|---|---|
$(printf '%s\n' "${ROWS_MD[@]}")

| codec (AES-256-GCM on) | dump | artifact | ratio | dockward run (s) |
|---|---|---|---|---|
| zstd | $(mib "$SIZE1_DUMP") MiB | $(mib "$ZSTD_BYTES") MiB | $(python3 -c "print(f'{$SIZE1_DUMP / $ZSTD_BYTES:.2f}')") | $ZSTD_T (median) |
| gzip | $(mib "$SIZE1_DUMP") MiB | $(mib "$GZIP_BYTES") MiB | $(python3 -c "print(f'{$SIZE1_DUMP / $GZIP_BYTES:.2f}')") | $GZIP_T |
MD
# lib/backup.sh's EXIT trap runs a grep that finds nothing when no tmpfs was
# mounted; under errexit + pipefail that would turn a clean exit into 1.
set +e
