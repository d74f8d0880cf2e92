#!/usr/bin/env bash
# Kills the store writer with SIGKILL at random moments and verifies after
# each kill that no acknowledged write was lost. Small snapshot threshold so
# snapshots and segment switches happen during the kills.
set -u
BIN="${DW_BUILD_DIR:?DW_BUILD_DIR must point at the build directory}/store_crash_writer"
ITERS="${STORE_CRASH_ITERS:-30}"
[ -x "$BIN" ] || { echo "store_crash: $BIN not built" >&2; exit 1; }

WORK=$(mktemp -d /tmp/store-crash-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
DIR="$WORK/store"
ACKS="$WORK/acks"
: > "$ACKS"

total_lost=0
for i in $(seq 1 "$ITERS"); do
  "$BIN" "$DIR" --threads 8 --snapshot-bytes 65536 >> "$ACKS" 2>> "$WORK/writer.err" &
  pid=$!
  sleep "0.$(printf '%03d' $(( 50 + RANDOM % 351 )))"
  kill -9 "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  out=$("$BIN" "$DIR" --verify "$ACKS" 2>>"$WORK/verify.err")
  rc=$?
  if [ $rc -eq 2 ]; then
    echo "store_crash: iteration $i: store failed to open" >&2
    cat "$WORK/verify.err" >&2
    exit 1
  fi
  if [ $rc -ne 0 ]; then
    echo "$out" | grep '^LOST' | head -20 >&2
    lost=$(echo "$out" | sed -n 's/.*lost=\([0-9]*\).*/\1/p')
    total_lost=$(( total_lost + ${lost:-1} ))
    echo "store_crash: iteration $i lost writes" >&2
    break
  fi
done

acked=$(grep -c '^ACK .* [0-9][0-9]*$' "$ACKS")
snaps=$(ls "$DIR" | grep -c '^snap-' || true)
echo "store_crash: $i kills, $acked acknowledged writes, $total_lost lost ($snaps snapshots on disk)"
[ "$total_lost" -eq 0 ]
