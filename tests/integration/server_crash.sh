#!/usr/bin/env bash
# Crash test of the whole server: many concurrent writers over HTTPS,
# `kill -9` of `dockward serve` at random moments, restart on the same data
# dir; every write the server acknowledged must be there and the store must
# open. Repeated ITERATIONS times (default 25).
set -euo pipefail
DOCKWARD=${DOCKWARD:?DOCKWARD must point at the dockward binary}
TOOLS=${DW_BUILD_DIR:-$(dirname "$DOCKWARD")}
WRITER=$TOOLS/api_crash_writer
ITERATIONS=${ITERATIONS:-25}
WORK=$(mktemp -d)
SERVER_PID=""
cleanup() {
  [ -n "$SERVER_PID" ] && kill -9 "$SERVER_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

start() {
  "$DOCKWARD" serve --data-dir "$WORK/data" --listen "127.0.0.1:$PORT" >>"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 300); do
    curl -sfk "https://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.02
  done
  echo "server_crash: server did not start after a crash (store unreadable?)" >&2
  tail -20 "$WORK/server.log" >&2
  exit 1
}

start
total=0
for i in $(seq 1 "$ITERATIONS"); do
  "$WRITER" write "$WORK/data/kubeconfig" default 16 "it$i" >"$WORK/acks.$i" 2>/dev/null &
  wpid=$!
  # A random moment between 0.1 and 1.0 s into the write storm.
  sleep "$(python3 -c 'import random; print(random.uniform(0.1, 1.0))')"
  kill -9 "$SERVER_PID"
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
  wait "$wpid" 2>/dev/null || true
  start
  cat "$WORK"/acks.* >"$WORK/all-acks"
  if ! "$WRITER" verify "$WORK/data/kubeconfig" default "$WORK/all-acks" >"$WORK/verify.out" 2>&1; then
    cat "$WORK/verify.out" >&2
    echo "server_crash: acknowledged writes lost after kill $i" >&2
    exit 1
  fi
  n=$(wc -l <"$WORK/acks.$i")
  total=$((total + n))
done
echo "$(tail -1 "$WORK/verify.out")"
kill -TERM "$SERVER_PID"
if ! wait "$SERVER_PID"; then echo "server_crash: server did not exit 0 on SIGTERM" >&2; exit 1; fi
SERVER_PID=""
echo "server_crash: $ITERATIONS kills, $total acknowledged writes, 0 lost"
echo "server_crash: $ITERATIONS passed, 0 failed"
