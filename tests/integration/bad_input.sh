#!/usr/bin/env bash
# Bad-input suite against a real server over HTTPS: every hostile or broken
# request must get the right HTTP code and a metav1.Status with the right
# reason and code, and must leave the stored state exactly as it was (every
# list of every served kind, including its resourceVersion = store revision).
# Also: authentication, health endpoints, /metrics format, a slow client that
# is cut off without starving others, and a clean exit on SIGTERM.
set -u

B="${DW_BUILD_DIR:-/work/build-apitests}"
if [ -z "${DOCKWARD:-}" ] || [ ! -x "${DOCKWARD}" ]; then
  # Until the full binary links, a server-only build of the same ServeMain.
  DOCKWARD="$B/serve_only"
  [ -x "$DOCKWARD" ] || DOCKWARD=/work/build-apitests/serve_only
fi
[ -x "$DOCKWARD" ] || { echo "bad_input: no server binary (DOCKWARD)" >&2; exit 1; }
for tool in curl jq python3 promtool; do
  command -v "$tool" >/dev/null || { echo "bad_input: $tool is required" >&2; exit 1; }
done

HERE="$(cd "$(dirname "$0")" && pwd)"
DATA="$HERE/testdata/bad"
TMP=$(mktemp -d /tmp/bad-input-XXXXXX)
SERVER_PID=""
SLOW_PIDS=()
cleanup() {
  for p in "${SLOW_PIDS[@]}"; do kill "$p" 2>/dev/null; done
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null
    sleep 1
    kill -KILL "$SERVER_PID" 2>/dev/null
  fi
  rm -rf "$TMP"
}
trap cleanup EXIT

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
URL="https://127.0.0.1:$PORT"
# --controllers=none: "stored state unchanged" must not see a controller's writes.
"$DOCKWARD" serve --data-dir "$TMP/data" --listen "127.0.0.1:$PORT" --controllers=none >"$TMP/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 150); do
  [ "$(curl -sk -o /dev/null -w '%{http_code}' "$URL/readyz" 2>/dev/null)" = 200 ] && break
  kill -0 "$SERVER_PID" 2>/dev/null || { echo "bad_input: server exited" >&2; cat "$TMP/server.log" >&2; exit 1; }
  sleep 0.2
done
TOKEN=$(cat "$TMP/data/token")
CA="$TMP/data/pki/ca.crt"
[ -n "$TOKEN" ] && [ -f "$CA" ] || { echo "bad_input: no token or CA" >&2; exit 1; }

PASS=0
FAIL=0
pass() { PASS=$((PASS + 1)); }
fail() {
  FAIL=$((FAIL + 1))
  echo "FAIL: $*" >&2
  if [ -f "$TMP/body" ]; then head -c 600 "$TMP/body" >&2; echo >&2; fi
}

# req METHOD PATH [curl args...]: sets CODE; the body is in $TMP/body.
req() {
  local m=$1 p=$2
  shift 2
  CODE=$(curl -sS --cacert "$CA" -H "Authorization: Bearer $TOKEN" -X "$m" -o "$TMP/body" \
    -w '%{http_code}' "$@" "$URL$p" 2>"$TMP/curl.err")
  [ -n "$CODE" ] || CODE=000
}

# Every list path of every served kind (cluster-wide), from discovery.
LIST_PATHS=()
req GET /api/v1
for r in $(jq -r '.resources[] | select(.name | contains("/") | not) | .name' "$TMP/body"); do
  LIST_PATHS+=("/api/v1/$r")
done
req GET /apis
for gv in $(jq -r '.groups[].versions[].groupVersion' "$TMP/body"); do
  req GET "/apis/$gv"
  for r in $(jq -r '.resources[] | select(.name | contains("/") | not) | .name' "$TMP/body"); do
    LIST_PATHS+=("/apis/$gv/$r")
  done
done
[ "${#LIST_PATHS[@]}" -ge 5 ] || { echo "bad_input: discovery gave ${#LIST_PATHS[@]} kinds" >&2; exit 1; }

# The full stored state: every list, verbatim (each carries the store revision).
state() {
  local p
  for p in "${LIST_PATHS[@]}"; do
    curl -sS --cacert "$CA" -H "Authorization: Bearer $TOKEN" "$URL$p"
    echo
  done
}

# expect NAME HTTP_CODE REASON METHOD PATH [curl args...]
# Asserts the code, the Status reason and code, and that nothing was stored.
expect() {
  local name=$1 want_code=$2 want_reason=$3
  shift 3
  local before after ok=1
  before=$(state)
  req "$@"
  if [ "$CODE" != "$want_code" ]; then
    fail "$name: HTTP $CODE, want $want_code ($(cat "$TMP/curl.err"))"
    ok=0
  elif [ -n "$want_reason" ]; then
    local kind reason code
    kind=$(jq -r '.kind // empty' "$TMP/body" 2>/dev/null)
    reason=$(jq -r '.reason // empty' "$TMP/body" 2>/dev/null)
    code=$(jq -r '.code // empty' "$TMP/body" 2>/dev/null)
    if [ "$kind" != Status ] || [ "$reason" != "$want_reason" ] || [ "$code" != "$want_code" ]; then
      fail "$name: Status kind=$kind reason=$reason code=$code, want reason $want_reason code $want_code"
      ok=0
    fi
  fi
  after=$(state)
  if [ "$before" != "$after" ]; then
    fail "$name: stored state changed"
    diff <(echo "$before") <(echo "$after") | head -10 >&2
    ok=0
  fi
  [ $ok = 1 ] && pass
  return $((1 - ok))
}

# has_cause FIELD: the last Status names FIELD among its causes.
has_cause() {
  jq -e --arg f "$1" '[.details.causes[]?.field] | index($f) != null' "$TMP/body" >/dev/null
}
check() {  # check NAME COMMAND...: a plain assertion
  local name=$1
  shift
  if "$@" >/dev/null; then pass; else fail "$name"; fi
}

NS=/api/v1/namespaces
BP=/apis/dockward.io/v1alpha1/namespaces/default/backuppolicies
JSON=(-H 'Content-Type: application/json')
policy() {  # policy NAME [SPEC_EXTRA]: a valid BackupPolicy body
  printf '{"apiVersion":"dockward.io/v1alpha1","kind":"BackupPolicy","metadata":{"name":"%s"},"spec":{"schedule":"0 2 * * *","destination":{"path":"/b"}%s}}' "$1" "${2:-}"
}

# A baseline object for update/patch cases.
req POST "$BP" "${JSON[@]}" --data-binary "$(policy base)"
[ "$CODE" = 201 ] || { echo "bad_input: cannot create the baseline object ($CODE)" >&2; cat "$TMP/body" >&2; exit 1; }
BASE_RV=$(jq -r .metadata.resourceVersion "$TMP/body")

# --- slow clients: headers, then silence. Started first so that every case
# below runs while they hang (the server must keep serving others).
cat >"$TMP/slow.py" <<'EOF'
import socket, ssl, sys, time
port, ca, token = int(sys.argv[1]), sys.argv[2], sys.argv[3]
ctx = ssl.create_default_context(cafile=ca)
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port)), server_hostname="127.0.0.1")
s.sendall(("POST /api/v1/namespaces HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n"
           "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n" % token).encode())
s.settimeout(120)
t0 = time.time()
try:
    data = s.recv(4096)
except socket.timeout:
    print("STILL-OPEN"); sys.exit(1)
except (OSError, ssl.SSLError):
    data = b""
print("CLOSED %.1f %r" % (time.time() - t0, data[:60]))
EOF
for i in 1 2 3 4 5; do
  python3 "$TMP/slow.py" "$PORT" "$CA" "$TOKEN" >"$TMP/slow.$i" 2>&1 &
  SLOW_PIDS+=($!)
done
sleep 1
req GET "$BP/base"
check "served while slow clients hang" [ "$CODE" = 200 ]

# --- health endpoints need no token
for p in /healthz /livez /readyz; do
  c=$(curl -sS --cacert "$CA" -o "$TMP/body" -w '%{http_code}' "$URL$p")
  check "$p without a token is 200" [ "$c" = 200 ]
done

# --- authentication
before=$(state)
c=$(curl -sS --cacert "$CA" -o "$TMP/body" -w '%{http_code}' -X POST "${JSON[@]}" \
  --data-binary "$(policy noauth)" "$URL$BP")
check "missing token is 401" [ "$c" = 401 ]
check "missing token Status" [ "$(jq -r '.kind + " " + .reason + " " + (.code|tostring)' "$TMP/body")" = "Status Unauthorized 401" ]
c=$(curl -sS --cacert "$CA" -H "Authorization: Bearer wrong$TOKEN" -o "$TMP/body" -w '%{http_code}' "$URL$BP")
check "wrong token is 401" [ "$c" = 401 ]
check "wrong token Status" [ "$(jq -r '.reason' "$TMP/body")" = Unauthorized ]
c=$(curl -sS --cacert "$CA" -H "Authorization: Basic $TOKEN" -o "$TMP/body" -w '%{http_code}' "$URL$BP")
check "non-bearer credentials are 401" [ "$c" = 401 ]
c=$(curl -sS --cacert "$CA" -H "Authorization: Bearer " -o "$TMP/body" -w '%{http_code}' "$URL$BP")
check "empty bearer token is 401" [ "$c" = 401 ]
check "unauthenticated requests stored nothing" [ "$before" = "$(state)" ]

# --- malformed bodies
expect "malformed JSON" 400 BadRequest POST "$BP" "${JSON[@]}" --data-binary '{"apiVersion": "dockward.io/v1alpha1", "kind":'
expect "JSON with trailing garbage" 400 BadRequest POST "$BP" "${JSON[@]}" --data-binary "$(policy tg)}}"
expect "empty body" 400 BadRequest POST "$BP" "${JSON[@]}" --data-binary ''
expect "JSON array body" 400 BadRequest POST "$BP" "${JSON[@]}" --data-binary '[1,2,3]'
expect "malformed YAML" 400 BadRequest POST "$BP" -H 'Content-Type: application/yaml' \
  --data-binary @"$DATA/malformed.yaml"
expect "YAML with a tab indent" 400 BadRequest POST "$BP" -H 'Content-Type: application/yaml' \
  --data-binary @"$DATA/tab_indent.yaml"
expect "unsupported body content type" 415 UnsupportedMediaType POST "$BP" -H 'Content-Type: text/plain' \
  --data-binary "$(policy ct)"

# Over 3 MiB: a valid object with a 3.5 MiB annotation.
python3 - "$TMP/big.json" <<'EOF'
import json, sys
o = {"apiVersion": "dockward.io/v1alpha1", "kind": "BackupPolicy",
     "metadata": {"name": "big", "annotations": {"pad": "x" * (3 * 1024 * 1024 + 512 * 1024)}},
     "spec": {"schedule": "0 2 * * *", "destination": {"path": "/b"}}}
open(sys.argv[1], "w").write(json.dumps(o))
EOF
expect "body over 3 MiB" 413 RequestEntityTooLarge POST "$BP" "${JSON[@]}" --data-binary @"$TMP/big.json"
req GET "$BP/base"
check "server healthy after a 413" [ "$CODE" = 200 ]

# --- schema violations
expect "wrong types" 422 Invalid POST "$BP" "${JSON[@]}" \
  --data-binary "$(policy types ',"suspend":"yes","timeoutSeconds":"ten","dockerHosts":"local"')" &&
  { check "wrong types: cause spec.suspend" has_cause spec.suspend
    check "wrong types: cause spec.timeoutSeconds" has_cause spec.timeoutSeconds
    check "wrong types: cause spec.dockerHosts" has_cause spec.dockerHosts; }
expect "bad enum" 422 Invalid POST "$BP" "${JSON[@]}" --data-binary "$(policy enum ',"compression":"rar"')" &&
  check "bad enum: cause spec.compression" has_cause spec.compression
expect "unknown field, Strict" 400 BadRequest POST "$BP?fieldValidation=Strict" "${JSON[@]}" \
  --data-binary "$(policy strict ',"bogus":true,"destination":{"path":"/b","extra":1}')" &&
  check "unknown field, Strict: message names both fields" jq -e \
    '.message | contains("strict decoding error") and contains("unknown field \"spec.bogus\"") and contains("unknown field \"spec.destination.extra\"")' "$TMP/body"
expect "bad fieldValidation value" 400 BadRequest POST "$BP?fieldValidation=Sloppy" "${JSON[@]}" \
  --data-binary "$(policy fv)"
expect "missing required" 422 Invalid POST "$BP" "${JSON[@]}" \
  --data-binary '{"apiVersion":"dockward.io/v1alpha1","kind":"BackupPolicy","metadata":{"name":"req"},"spec":{"schedule":"@daily"}}' &&
  check "missing required: cause spec.destination" has_cause spec.destination
expect "missing name" 422 Invalid POST "$BP" "${JSON[@]}" \
  --data-binary '{"apiVersion":"dockward.io/v1alpha1","kind":"BackupPolicy","metadata":{},"spec":{"schedule":"@daily","destination":{"path":"/b"}}}' &&
  check "missing name: cause metadata.name" has_cause metadata.name
expect "uppercase name" 422 Invalid POST "$BP" "${JSON[@]}" --data-binary "$(policy UpperCase)" &&
  check "uppercase name: cause metadata.name" has_cause metadata.name
expect "name over 253 characters" 422 Invalid POST "$BP" "${JSON[@]}" --data-binary "$(policy "$(printf 'a%.0s' $(seq 1 254))")" &&
  check "long name: cause metadata.name" has_cause metadata.name
expect "name with shell metacharacters" 422 Invalid POST "$BP" "${JSON[@]}" --data-binary "$(policy 'a;rm -rf /')"
expect "name with a quote" 422 Invalid POST "$BP" "${JSON[@]}" --data-binary "$(policy 'a\"b')"
expect "label value with a newline" 422 Invalid POST "$BP" "${JSON[@]}" \
  --data-binary '{"apiVersion":"dockward.io/v1alpha1","kind":"BackupPolicy","metadata":{"name":"lbl","labels":{"k":"a\nb"}},"spec":{"schedule":"@daily","destination":{"path":"/b"}}}' &&
  check "label value: cause names the label" jq -e '[.details.causes[]?.field] | any(startswith("metadata.labels"))' "$TMP/body"

# --- hostile strings: valid where the schema allows them, stored verbatim
python3 - "$TMP/hostile.json" <<'EOF'
import json, sys
vals = {"quotes": "it's \"quoted\" and `back`", "newlines": "line1\nline2\r\nline3",
        "subst": "$(touch /tmp/pwned) ${HOME} `id`", "rm": "; rm -rf / #", "nul-ish": "\\u0000 \\x00",
        "unicode": "\u00e9\u2603\U0001F600", "html": "<script>alert(1)</script>", "long": "x" * 10240}
o = {"apiVersion": "dockward.io/v1alpha1", "kind": "BackupPolicy",
     "metadata": {"name": "hostile", "annotations": {"dockward.io/" + k: v for k, v in vals.items()}},
     "spec": {"schedule": "0 2 * * *", "destination": {"path": "/b; rm -rf / $(id)\n"},
              "verify": {"restoreTest": {"enabled": True, "checkQuery": "SELECT 1; DROP TABLE x; -- '\"$(id)"}}}}
open(sys.argv[1], "w").write(json.dumps(o))
EOF
req POST "$BP" "${JSON[@]}" --data-binary @"$TMP/hostile.json"
check "hostile strings accepted (201)" [ "$CODE" = 201 ]
req GET "$BP/hostile"
check "hostile annotations stored verbatim" jq -e --slurpfile want "$TMP/hostile.json" \
  '.metadata.annotations == $want[0].metadata.annotations' "$TMP/body"
check "hostile spec strings stored verbatim" jq -e --slurpfile want "$TMP/hostile.json" \
  '.spec.destination.path == $want[0].spec.destination.path and .spec.verify.restoreTest.checkQuery == $want[0].spec.verify.restoreTest.checkQuery' "$TMP/body"
check "no command ran" [ ! -e /tmp/pwned ]
req GET "$BP/hostile" -H 'Accept: application/yaml'
check "hostile object serves as YAML" [ "$CODE" = 200 ]
check "hostile YAML round-trips" python3 -c '
import json, sys
try:
    import yaml
except ImportError:
    sys.exit(0)  # no PyYAML: the 200 above is all we can check
got = yaml.safe_load(open(sys.argv[1]))
want = json.load(open(sys.argv[2]))
sys.exit(0 if got["metadata"]["annotations"] == want["metadata"]["annotations"] else 1)' "$TMP/body" "$TMP/hostile.json"
python3 - "$TMP/toolong.json" <<'EOF'
import json, sys
o = {"apiVersion": "dockward.io/v1alpha1", "kind": "BackupPolicy",
     "metadata": {"name": "toolong", "annotations": {"a": "x" * (256 * 1024 + 1)}},
     "spec": {"schedule": "0 2 * * *", "destination": {"path": "/b"}}}
open(sys.argv[1], "w").write(json.dumps(o))
EOF
expect "annotations over 256 KiB" 422 Invalid POST "$BP" "${JSON[@]}" --data-binary @"$TMP/toolong.json" &&
  check "annotations over 256 KiB: cause metadata.annotations" has_cause metadata.annotations

# --- routing and identity mismatches
expect "unknown resource" 404 NotFound GET /apis/dockward.io/v1alpha1/namespaces/default/nosuchthings
expect "unknown group" 404 NotFound GET /apis/nope.example.com/v1/namespaces/default/things
expect "unknown version" 404 NotFound GET /apis/dockward.io/v9/namespaces/default/backuppolicies
expect "create on an unknown resource" 404 NotFound POST /apis/dockward.io/v1alpha1/namespaces/default/nosuchthings \
  "${JSON[@]}" --data-binary "$(policy nst)"
expect "wrong apiVersion in body" 400 BadRequest POST "$BP" "${JSON[@]}" \
  --data-binary "$(policy wav | sed 's#dockward.io/v1alpha1#dockward.io/v2#')"
expect "wrong kind in body" 400 BadRequest POST "$BP" "${JSON[@]}" \
  --data-binary "$(policy wk | sed 's#"kind":"BackupPolicy"#"kind":"Backup"#')"
expect "namespace in body differs from URL" 400 BadRequest POST "$BP" "${JSON[@]}" \
  --data-binary "$(policy nsd | sed 's#"name":"nsd"#"name":"nsd","namespace":"kube-system"#')"
expect "name in body differs from URL (PUT)" 400 BadRequest PUT "$BP/base" "${JSON[@]}" \
  --data-binary "$(policy other | sed "s#\"name\":\"other\"#\"name\":\"other\",\"resourceVersion\":\"$BASE_RV\"#")"
expect "create in a missing namespace" 404 NotFound POST /apis/dockward.io/v1alpha1/namespaces/nope/backuppolicies \
  "${JSON[@]}" --data-binary "$(policy nope)"
expect "create of an existing name" 409 AlreadyExists POST "$BP" "${JSON[@]}" --data-binary "$(policy base)"
expect "PUT with a stale resourceVersion" 409 Conflict PUT "$BP/base" "${JSON[@]}" \
  --data-binary "$(policy base ',"suspend":true' | sed 's#"name":"base"#"name":"base","resourceVersion":"1"#')"
expect "PUT without resourceVersion" 422 Invalid PUT "$BP/base" "${JSON[@]}" --data-binary "$(policy base ',"suspend":true')"
expect "bad label selector" 400 BadRequest GET "$BP?labelSelector=env%20in%20("
expect "unsupported field selector" 400 BadRequest GET "$BP?fieldSelector=spec.schedule%3Dx"
expect "garbage continue token" 400 BadRequest GET "$BP?limit=1&continue=%25%25garbage"

# --- patches
expect "unsupported patch content type" 415 UnsupportedMediaType PATCH "$BP/base" -H 'Content-Type: text/plain' \
  --data-binary '{"spec":{"suspend":true}}'
expect "strategic merge patch on a custom resource" 415 UnsupportedMediaType PATCH "$BP/base" \
  -H 'Content-Type: application/strategic-merge-patch+json' --data-binary '{"spec":{"suspend":true}}'
req PATCH "$BP/base" -H 'Content-Type: application/json-patch+json' --data-binary '[{"op":"frobnicate","path":"/spec/suspend","value":true}]'
check "JSON patch with a bad op: 400 or 422" [ "$CODE" = 400 -o "$CODE" = 422 ]
check "JSON patch with a bad op: Status reason" jq -e '.kind == "Status" and (.reason == "BadRequest" or .reason == "Invalid")' "$TMP/body"
expect "JSON patch that is not an array" 400 BadRequest PATCH "$BP/base" -H 'Content-Type: application/json-patch+json' \
  --data-binary '{"op":"add","path":"/spec/suspend","value":true}'
expect "JSON patch with a failing test" 422 Invalid PATCH "$BP/base" -H 'Content-Type: application/json-patch+json' \
  --data-binary '[{"op":"replace","path":"/spec/suspend","value":true},{"op":"test","path":"/spec/schedule","value":"never"}]'
expect "malformed merge patch" 400 BadRequest PATCH "$BP/base" -H 'Content-Type: application/merge-patch+json' \
  --data-binary '{"spec":'
expect "merge patch making the object invalid" 422 Invalid PATCH "$BP/base" -H 'Content-Type: application/merge-patch+json' \
  --data-binary '{"spec":{"compression":"rar"}}'
expect "apply without fieldManager" 422 Invalid PATCH "$BP/base" -H 'Content-Type: application/apply-patch+yaml' \
  --data-binary "$(policy base)"
expect "patch of a missing object" 404 NotFound PATCH "$BP/ghost" -H 'Content-Type: application/merge-patch+json' \
  --data-binary '{"spec":{"suspend":true}}'

# --- deletes
expect "deleting a missing object" 404 NotFound DELETE "$BP/ghost"
expect "delete with a bad propagationPolicy" 422 Invalid DELETE "$BP/base?propagationPolicy=Sideways"
expect "delete with a failing uid precondition" 409 Conflict DELETE "$BP/base" "${JSON[@]}" \
  --data-binary '{"kind":"DeleteOptions","apiVersion":"v1","preconditions":{"uid":"00000000-0000-0000-0000-000000000000"}}'
expect "delete with a malformed body" 400 BadRequest DELETE "$BP/base" "${JSON[@]}" --data-binary '{"preconditions":'

# --- /metrics: token required, valid exposition format
c=$(curl -sS --cacert "$CA" -o "$TMP/body" -w '%{http_code}' "$URL/metrics")
check "/metrics without a token is 401" [ "$c" = 401 ]
c=$(curl -sS --cacert "$CA" -H "Authorization: Bearer $TOKEN" -o "$TMP/metrics" -w '%{http_code}' "$URL/metrics")
check "/metrics with the token is 200" [ "$c" = 200 ]
if promtool check metrics <"$TMP/metrics" >"$TMP/promtool.out" 2>&1; then pass; else
  fail "promtool check metrics"; head -20 "$TMP/promtool.out" >&2; fi
check "/metrics counts the rejected requests" grep -q 'code="422"' "$TMP/metrics"

# --- slow clients were cut off, and the server served everyone meanwhile
for i in "${!SLOW_PIDS[@]}"; do
  wait "${SLOW_PIDS[$i]}"
  check "slow client $((i + 1)) disconnected: $(cat "$TMP/slow.$((i + 1))")" grep -q '^CLOSED' "$TMP/slow.$((i + 1))"
  [ "$i" = 0 ] && echo "bad_input: slow client: $(cat "$TMP/slow.1")"
done
SLOW_PIDS=()
req GET "$BP/base"
check "server still serving after the slow clients" [ "$CODE" = 200 ]

# --- clean shutdown
kill -TERM "$SERVER_PID"
rc=124
for _ in $(seq 1 100); do
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then wait "$SERVER_PID"; rc=$?; break; fi
  sleep 0.1
done
SERVER_PID_DONE=$SERVER_PID
SERVER_PID=""
if [ "$rc" = 0 ]; then pass; else fail "server exit status after SIGTERM: $rc"; tail -5 "$TMP/server.log" >&2; kill -KILL "$SERVER_PID_DONE" 2>/dev/null; fi

echo "bad_input: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
