#!/usr/bin/env bash
# End-to-end test of the dockward CLI verbs against a real `dockward serve`.
# Run by CTest with DOCKWARD=/path/to/dockward. Starts its own server on a
# free port in a temp data dir, removes everything on exit.
set -euo pipefail
trap 'echo "FAIL: command failed at line $LINENO: $BASH_COMMAND" >&2' ERR

DOCKWARD=${DOCKWARD:?set DOCKWARD to the dockward binary}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d)
SERVER_PID=
cleanup() {
  if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then kill -9 "$SERVER_PID" || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; [[ -f $WORK/server.log ]] && tail -20 "$WORK/server.log" >&2; exit 1; }
# expect_eq ACTUAL EXPECTED WHAT
expect_eq() { [[ "$1" == "$2" ]] || fail "$3: expected [$2], got [$1]"; }
expect_contains() { [[ "$1" == *"$2"* ]] || fail "$3: [$1] does not contain [$2]"; }

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
"$DOCKWARD" serve --data-dir "$WORK/data" --listen "127.0.0.1:$PORT" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 200); do
  curl -skf "https://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
  kill -0 "$SERVER_PID" 2>/dev/null || fail "server exited during startup"
  sleep 0.1
done
curl -skf "https://127.0.0.1:$PORT/readyz" >/dev/null || fail "server not ready after 20s"

export KUBECONFIG=$WORK/data/kubeconfig
[[ $(stat -c %a "$KUBECONFIG") == 600 ]] || fail "kubeconfig mode is not 0600"
dw() { "$DOCKWARD" "$@"; }

# --- version ---------------------------------------------------------------
out=$(dw version)
expect_contains "$out" "Client Version: v" "version client"
expect_contains "$out" "Server Version: " "version server"
dw version -o json | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["clientVersion"]["gitVersion"].startswith("v"); assert d["serverVersion"]["gitVersion"]' \
  || fail "version -o json"

# --- apply: parse everything first ----------------------------------------
cat >"$WORK/bp.yaml" <<'YAML'
apiVersion: dockward.io/v1alpha1
kind: BackupPolicy
metadata:
  name: nightly
  labels: {tier: db}
spec:
  schedule: "0 3 * * *"
  destination: {path: /var/backups/dockward}
YAML
printf 'apiVersion: dockward.io/v1alpha1\nkind: BackupPolicy\nmetadata:\n  name: a\nspec: [\n' >"$WORK/bad.yaml"
if err=$(dw apply -f "$WORK/bp.yaml" -f "$WORK/bad.yaml" 2>&1); then fail "malformed YAML accepted"; fi
expect_contains "$err" "error: $WORK/bad.yaml:" "malformed yaml message"
if dw get bp nightly >/dev/null 2>&1; then fail "nightly applied although a later file was malformed"; fi

printf 'apiVersion: dockward.io/v1alpha1\nkind: Foo\nmetadata:\n  name: x\n' >"$WORK/foo.yaml"
if err=$(dw apply -f "$WORK/foo.yaml" 2>&1); then fail "unknown kind accepted"; fi
expect_contains "$err" "error: resource mapping not found for name: \"x\" namespace: \"\" from \"$WORK/foo.yaml\": no matches for kind \"Foo\" in version \"dockward.io/v1alpha1\"" "unknown kind"

out=$(dw apply -f "$WORK/bp.yaml")
expect_eq "$out" "backuppolicy.dockward.io/nightly serverside-applied" "apply create"
out=$(dw apply -f "$WORK/bp.yaml")
expect_eq "$out" "backuppolicy.dockward.io/nightly unchanged" "apply again"
sched=$(dw get bp nightly -o jsonpath='{.spec.schedule}')
expect_eq "$sched" "0 3 * * *" "stored schedule"
mgr=$(dw get bp nightly -o json | python3 -c 'import json,sys; print(json.load(sys.stdin)["metadata"]["managedFields"][0]["manager"])')
expect_eq "$mgr" "dockward" "field manager"

out=$(sed 's/0 3/0 5/' "$WORK/bp.yaml" | dw apply --dry-run=server -f -)
expect_eq "$out" "backuppolicy.dockward.io/nightly serverside-applied (server dry run)" "dry run output"
expect_eq "$(dw get bp nightly -o jsonpath='{.spec.schedule}')" "0 3 * * *" "dry run changed nothing"

# invalid object: every cause printed, exit 1
printf 'apiVersion: dockward.io/v1alpha1\nkind: BackupPolicy\nmetadata:\n  name: broken\nspec:\n  suspend: false\n' >"$WORK/inv.yaml"
if err=$(dw apply -f "$WORK/inv.yaml" 2>&1); then fail "invalid object accepted"; fi
expect_contains "$err" "spec.schedule: Required value" "invalid causes"

# client-side apply
mkdir -p "$WORK/dir/sub"
cat >"$WORK/dir/sl.yaml" <<'YAML'
apiVersion: dockward.io/v1alpha1
kind: StackLimits
metadata:
  name: lab
spec:
  projects: [lab]
  mode: Audit
YAML
out=$(dw apply --server-side=false -f "$WORK/dir")
expect_eq "$out" "stacklimits.dockward.io/lab created" "client-side create"
out=$(dw apply --server-side=false -f "$WORK/dir")
expect_eq "$out" "stacklimits.dockward.io/lab unchanged" "client-side unchanged"

# --- get -------------------------------------------------------------------
out=$(dw get bp)
head=$(echo "$out" | head -1)
expect_contains "$head" "NAME" "table header"
expect_contains "$head" "AGE" "table header age"
expect_contains "$(echo "$out" | sed -n 2p)" "nightly" "table row"
out=$(dw get bp -A)
expect_eq "$(echo "$out" | head -1 | awk '{print $1}')" "NAMESPACE" "-A namespace column"
expect_eq "$(dw get bp -o name)" "backuppolicy.dockward.io/nightly" "-o name"
expect_eq "$(dw get backuppolicies.dockward.io -l tier=db -o name)" "backuppolicy.dockward.io/nightly" "selector"
err=$(dw get bp -l tier=web 2>&1 >/dev/null)
expect_eq "$err" "No resources found in default namespace." "empty list"
kind=$(dw get bp -o yaml | python3 -c 'import sys; t=sys.stdin.read(); print("ok" if "kind: List" in t and "apiVersion: v1" in t else t)')
expect_eq "$kind" "ok" "-o yaml list"
if err=$(dw get bp nosuch 2>&1); then fail "get of a missing object succeeded"; fi
expect_eq "$err" 'Error from server (NotFound): backuppolicies.dockward.io "nosuch" not found' "not found"
if err=$(dw get nosuchtype 2>&1); then fail "unknown type"; fi
expect_eq "$err" 'error: the server doesn'"'"'t have a resource type "nosuchtype"' "unknown type"

# get -w: the initial row, then a row for the update
(trap - ERR; exec "$DOCKWARD" get bp nightly -w) >"$WORK/watch.out" 2>&1 &
WATCH_PID=$!
sleep 1
sed 's/0 3/0 6/' "$WORK/bp.yaml" | dw apply -f - >/dev/null
sleep 1
kill "$WATCH_PID" 2>/dev/null || true
wait "$WATCH_PID" 2>/dev/null || true
rows=$(grep -c nightly "$WORK/watch.out" || true)
[[ $rows -ge 2 ]] || fail "get -w printed $rows rows: $(cat "$WORK/watch.out")"

# --- describe ---------------------------------------------------------------
out=$(dw describe bp nightly)
expect_contains "$out" "Name:         nightly" "describe name"
expect_contains "$out" "Namespace:    default" "describe namespace"
expect_contains "$out" "Labels:       tier=db" "describe labels"
expect_contains "$out" "Kind:         BackupPolicy" "describe kind"
expect_contains "$out" "Spec:" "describe spec"
expect_contains "$out" "Events:" "describe events"

# --- diff -------------------------------------------------------------------
rc=0
dw diff -f "$WORK/bp.yaml" >"$WORK/diff.out" 2>&1 || rc=$?
expect_eq "$rc" "1" "diff exit code with differences"
grep -q '^-  schedule: 0 6' "$WORK/diff.out" || fail "diff output: $(cat "$WORK/diff.out")"
grep -q '^+  schedule: 0 3' "$WORK/diff.out" || fail "diff output: $(cat "$WORK/diff.out")"
dw apply -f "$WORK/bp.yaml" >/dev/null
dw diff -f "$WORK/bp.yaml" >/dev/null || fail "diff reported differences after apply"

# --- delete -----------------------------------------------------------------
out=$(dw delete bp nightly)
expect_eq "$out" 'backuppolicy.dockward.io "nightly" deleted' "delete"
if dw get bp nightly >/dev/null 2>&1; then fail "deleted object still there"; fi
out=$(dw delete -f "$WORK/dir")
expect_eq "$out" 'stacklimits.dockward.io "lab" deleted' "delete -f"
if err=$(dw delete bp nightly 2>&1); then fail "second delete succeeded"; fi
expect_eq "$err" 'Error from server (NotFound): backuppolicies.dockward.io "nightly" not found' "delete missing"

# --- connection refused -----------------------------------------------------
sed "s/127.0.0.1:$PORT/127.0.0.1:1/" "$KUBECONFIG" >"$WORK/refused"
if err=$(dw --kubeconfig "$WORK/refused" get bp 2>&1); then fail "refused server"; fi
expect_eq "$err" "The connection to the server 127.0.0.1:1 was refused - did you specify the right host or port?" "refused"

# --- shutdown ---------------------------------------------------------------
kill -TERM "$SERVER_PID"
rc=0
wait "$SERVER_PID" || rc=$?
SERVER_PID=
expect_eq "$rc" "0" "server exit code after SIGTERM"
echo "cli.sh: all checks passed"
