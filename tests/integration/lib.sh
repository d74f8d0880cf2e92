#!/usr/bin/env bash
# Shared helpers of the kubectl conformance scripts (tests/integration/kubectl_*.sh).
#
# Source it, then: dw_start  -> a fresh `dockward serve` on a free port in a
# temp dir (DW_DIR, kubeconfig at $KUBECONFIG_FILE), ready to serve;
# k ARGS...   -> the real kubectl with that kubeconfig and no other flags;
# api METHOD PATH [BODY [CONTENT-TYPE]] -> curl with the admin token;
# assert_* -> count a passed check or print a clear message and exit 1;
# dw_finish NAME -> stop the server with SIGTERM, require exit code 0, print
# "NAME: N passed, 0 failed". The EXIT trap kills a server left running and
# removes the temp dir, whatever happened.
#
# Run directly (as CTest does with every *.sh here), it is its own smoke
# test: start, /readyz, clean SIGTERM shutdown.

DOCKWARD="${DOCKWARD:-/work/build-kubectl/serve_only}"
DW_PASSED=0
DW_PID=""
DW_DIR=""
DW_TMP=""
DW_BG_PIDS=()

dw_fail() {
  echo "FAIL: $*" >&2
  if [ -n "$DW_DIR" ] && [ -f "$DW_DIR/serve.log" ]; then
    echo "--- last lines of the server log ---" >&2
    tail -n 15 "$DW_DIR/serve.log" >&2
  fi
  exit 1
}

dw_pass() { DW_PASSED=$((DW_PASSED + 1)); }

dw_cleanup() {
  local p
  for p in "${DW_BG_PIDS[@]:-}"; do
    [ -n "$p" ] && kill "$p" 2>/dev/null || true
  done
  if [ -n "$DW_PID" ] && kill -0 "$DW_PID" 2>/dev/null; then
    kill -TERM "$DW_PID" 2>/dev/null || true
    wait "$DW_PID" 2>/dev/null || true
  fi
  [ -n "$DW_TMP" ] && rm -rf "$DW_TMP"
}
trap dw_cleanup EXIT

# Starts the server with --listen 127.0.0.1:0 (the kernel picks a free port,
# so parallel suites never collide) and waits until /readyz answers 200.
# Extra arguments go to `dockward serve` (e.g. --controllers=none for suites
# that test the API server's own semantics and must see status as written).
dw_start() {
  [ -x "$DOCKWARD" ] || dw_fail "DOCKWARD=$DOCKWARD is not an executable"
  DW_TMP=$(mktemp -d /tmp/dw-kubectl-XXXXXX)
  DW_DIR="$DW_TMP/data"
  KUBECONFIG_FILE="$DW_DIR/kubeconfig"
  mkdir -p "$DW_DIR"
  "$DOCKWARD" serve --data-dir "$DW_DIR" --listen 127.0.0.1:0 "$@" >"$DW_DIR/serve.log" 2>&1 &
  DW_PID=$!
  local i
  for i in $(seq 1 100); do
    kill -0 "$DW_PID" 2>/dev/null || dw_fail "dockward serve exited during startup"
    if [ -s "$KUBECONFIG_FILE" ] && [ -s "$DW_DIR/token" ]; then
      DW_URL=$(sed -n 's/^ *server: *//p' "$KUBECONFIG_FILE" | head -n1)
      DW_TOKEN=$(cat "$DW_DIR/token")
      DW_CA="$DW_TMP/ca.crt"
      sed -n 's/^ *certificate-authority-data: *//p' "$KUBECONFIG_FILE" | head -n1 | base64 -d >"$DW_CA"
      if [ "$(curl -s -o /dev/null -w '%{http_code}' --cacert "$DW_CA" "$DW_URL/readyz")" = 200 ]; then
        dw_pass
        return 0
      fi
    fi
    sleep 0.1
  done
  dw_fail "dockward serve not ready after 10s"
}

# SIGTERM must end the server cleanly with exit code 0.
dw_stop() {
  [ -n "$DW_PID" ] || return 0
  kill -TERM "$DW_PID"
  local rc=0
  wait "$DW_PID" || rc=$?
  DW_PID=""
  [ "$rc" -eq 0 ] || dw_fail "dockward serve exited with $rc on SIGTERM"
  dw_pass
}

dw_finish() {
  dw_stop
  echo "$1: $DW_PASSED passed, 0 failed"
}

k() { kubectl --kubeconfig "$KUBECONFIG_FILE" "$@"; }

# api METHOD PATH [BODY [CONTENT-TYPE]]: prints the body, then the HTTP code
# on the last line (split with api_code / api_body).
api() {
  local method=$1 path=$2 body=${3:-} ct=${4:-application/json}
  local args=(-s --cacert "$DW_CA" -H "Authorization: Bearer $DW_TOKEN" -X "$method" -w '\n%{http_code}')
  [ -n "$body" ] && args+=(-H "Content-Type: $ct" --data-binary "$body")
  curl "${args[@]}" "$DW_URL$path"
}
api_code() { tail -n1 <<<"$1"; }
api_body() { sed '$d' <<<"$1"; }

# run CMD...: runs CMD capturing stdout+stderr into OUT and its exit
# code into RC without tripping `set -e`.
run() {
  RC=0
  OUT=$("$@" 2>&1) || RC=$?
}

assert_eq() {  # what expected actual
  [ "$2" == "$3" ] || dw_fail "$1: expected [$2], got [$3]"
  dw_pass
}

assert_ne() {  # what unexpected actual
  [ "$2" != "$3" ] || dw_fail "$1: did not expect [$3]"
  dw_pass
}

assert_contains() {  # what haystack needle
  grep -qF -- "$3" <<<"$2" || dw_fail "$1: output does not contain [$3]; output was:
$2"
  dw_pass
}

assert_not_contains() {  # what haystack needle
  if grep -qF -- "$3" <<<"$2"; then
    dw_fail "$1: output contains [$3]; output was:
$2"
  fi
  dw_pass
}

assert_match() {  # what haystack extended-regex
  grep -qE -- "$3" <<<"$2" || dw_fail "$1: output does not match /$3/; output was:
$2"
  dw_pass
}

# assert_ok what CMD...: CMD must exit 0; its output lands in OUT.
assert_ok() {
  local what=$1
  shift
  run "$@"
  [ "$RC" -eq 0 ] || dw_fail "$what: exit code $RC from [$*]; output:
$OUT"
  dw_pass
}

# assert_fails what CMD...: CMD must exit non-zero; its output lands in OUT.
assert_fails() {
  local what=$1
  shift
  run "$@"
  [ "$RC" -ne 0 ] || dw_fail "$what: [$*] succeeded but should have failed; output:
$OUT"
  dw_pass
}

# wait_until what seconds CMD...: polls CMD every 0.2s until it succeeds.
wait_until() {
  local what=$1 secs=$2
  shift 2
  local deadline=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || dw_fail "$what: not true after ${secs}s"
    sleep 0.2
  done
  dw_pass
}

# gone KIND NAME [-n NS]: true once the object no longer exists.
gone() {
  local out
  out=$(k get "$@" 2>&1) && return 1
  grep -q NotFound <<<"$out"
}

# jget KIND/NAME JQ-FILTER [-n NS...]: one field of the stored object.
jget() {
  local obj=$1 filter=$2
  shift 2
  k get "$obj" -o json "$@" | jq -r "$filter"
}

if [ "${BASH_SOURCE[0]}" == "$0" ]; then
  set -euo pipefail
  dw_start
  assert_eq "readyz" "ok" "$(curl -s --cacert "$DW_CA" "$DW_URL/readyz")"
  assert_eq "unauthenticated request is refused" "401" \
    "$(curl -s -o /dev/null -w '%{http_code}' --cacert "$DW_CA" "$DW_URL/api")"
  assert_ok "kubectl reaches the server with the written kubeconfig" k get ns default
  dw_finish lib
fi
