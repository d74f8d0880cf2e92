#!/usr/bin/env bash
# GitOps end to end: real git repositories made here (a bare repository
# served by `git daemon` on loopback, and one read by absolute path), a real
# `dockward serve` with its controllers, kubectl and `dockward gitops sync`.
# Checks that the applied state follows each commit (add, change, remove),
# that prune deletes what left Git, that an invalid commit applies nothing
# and Ready says which file and line, that a hand edit is put back and
# reported as drift, that suspend stops syncing, that `dockward gitops
# sync` forces a sync and reports its outcome, HTTP(S) with credentials and
# a private CA from a Secret (a git http-backend double, over TLS with a CA
# made here by openssl), and that deleting a GitRepository with prune
# deletes what it applied (and without prune leaves it).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DOCKWARD="${DOCKWARD:-${DW_BUILD_DIR:-/work/build}/dockward}"
source "$HERE/lib.sh"

for bin in git curl kubectl jq python3 openssl; do
  command -v "$bin" >/dev/null || { echo "FAIL: $bin is not installed" >&2; exit 1; }
done

G="$(mktemp -d /tmp/dw-gitops.XXXXXX)"
cleanup_all() {
  { [ -s "$G/daemon.pid" ] && kill "$(cat "$G/daemon.pid")"; } 2>/dev/null || true
  dw_cleanup || true
  rm -rf "$G"
}
trap cleanup_all EXIT
# The controller keeps its checkouts under TMPDIR when serve gives it no
# directory: keep them inside this test's scratch space.
mkdir -p "$G/tmp" "$G/srv"
export TMPDIR="$G/tmp"

gitc() { git -c user.name=dwtest -c user.email=dw@test -c init.defaultBranch=main "$@"; }
gitc init -q --bare "$G/srv/ops.git"
gitc init -q "$G/work"
W="$G/work"
commit() {  # MESSAGE -> prints the pushed commit
  gitc -C "$W" add -A
  gitc -C "$W" commit -q --allow-empty -m "$1"
  gitc -C "$W" push -q "$G/srv/ops.git" HEAD:refs/heads/main
  gitc -C "$W" rev-parse HEAD
}
policy() {  # FILE NAME SCHEDULE [EXTRA-LINE]
  mkdir -p "$(dirname "$W/$1")"
  cat >"$W/$1" <<YAML
apiVersion: dockward.io/v1alpha1
kind: BackupPolicy
metadata:
  name: $2
spec:
  schedule: "$3"
  destination:
    path: /var/backups
${4:-}
YAML
}

PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
git daemon --reuseaddr --export-all --base-path="$G/srv" --listen=127.0.0.1 --port="$PORT" \
  --pid-file="$G/daemon.pid" "$G/srv" >"$G/daemon.log" 2>&1 &
DW_BG_PIDS+=($!)
URL="git://127.0.0.1:$PORT/ops.git"

policy deploy/a.yaml a "0 1 * * *"
policy deploy/b.yaml b "0 2 * * *"
echo "not a manifest" >"$W/README.md"
C1="$(commit "a and b")"
wait_until "git daemon serves the repository" 10 git ls-remote "$URL"

dw_start

# --- add: the first commit is applied -------------------------------------
k apply -f - >/dev/null <<YAML
apiVersion: dockward.io/v1alpha1
kind: GitRepository
metadata:
  name: ops
spec:
  url: $URL
  ref:
    branch: main
  path: ./deploy
  interval: 2s
  prune: true
YAML
cond() { jget "gitrepository/$1" ".status.conditions[]? | select(.type==\"$2\") | .$3"; }
applied_is() { [ "$(jget gitrepository/ops .status.lastAppliedRevision)" = "main@sha1:$1" ]; }
attempted_is() { [ "$(jget gitrepository/ops .status.lastAttemptedRevision)" = "main@sha1:$1" ]; }
schedule() { jget "backuppolicy/$1" .spec.schedule; }
schedule_is() { [ "$(schedule "$1")" = "$2" ]; }
field_is() { [ "$(jget "gitrepository/$1" "$2")" = "$3" ]; }  # NAME JQ VALUE
has_event() {  # OBJECT TYPE REASON
  k get events --field-selector "involvedObject.name=$1" -o json |
    jq -e --arg t "$2" --arg r "$3" '.items[] | select(.type==$t and .reason==$r)' >/dev/null
}

wait_until "the first commit is applied" 30 applied_is "$C1"
assert_eq "Ready" "True" "$(cond ops Ready status)"
assert_eq "Ready reason" "ReconciliationSucceeded" "$(cond ops Ready reason)"
assert_eq "a applied" "0 1 * * *" "$(schedule a)"
assert_eq "b applied" "0 2 * * *" "$(schedule b)"
assert_eq "inventory" "BackupPolicy/a BackupPolicy/b" \
  "$(jget gitrepository/ops '[.status.inventory[] | .kind + "/" + .name] | join(" ")')"
assert_contains "applied with the GitOps field manager" \
  "$(k get backuppolicy a -o json --show-managed-fields | jq -r '.metadata.managedFields[].manager')" dockward-gitops
assert_contains "printer columns" "$(k get gitrepo ops)" "main@sha1:$C1"

# --- change, remove (prune), add in a subdirectory ------------------------
policy deploy/a.yaml a "0 3 * * *"
rm "$W/deploy/b.yaml"
policy deploy/sub/c.yaml c "0 4 * * *"
C2="$(commit "change a, remove b, add c")"
wait_until "the second commit is applied" 30 applied_is "$C2"
assert_eq "a changed" "0 3 * * *" "$(schedule a)"
assert_ok "b pruned" gone backuppolicy b
assert_eq "c added" "0 4 * * *" "$(schedule c)"
assert_match "Applied event" "$(k get events --field-selector involvedObject.name=ops -o json |
  jq -r '.items[] | select(.reason=="Applied") | .message')" "BackupPolicy default/b deleted"

# --- an invalid commit applies nothing and names the file and line --------
policy deploy/a.yaml a "0 5 * * *"
policy deploy/z.yaml z "0 6 * * *" "  concurrencyPolicy: Sometimes"
C3="$(commit "bad")"
wait_until "the invalid commit is attempted" 30 attempted_is "$C3"
assert_eq "not Ready" "False" "$(cond ops Ready status)"
assert_eq "reason" "ValidationFailed" "$(cond ops Ready reason)"
assert_eq "Stalled" "True" "$(cond ops Stalled status)"
assert_contains "message names file and line" "$(cond ops Ready message)" \
  "deploy/z.yaml:9: BackupPolicy default/z"
assert_contains "message names the field" "$(cond ops Ready message)" "spec.concurrencyPolicy"
assert_eq "the valid change in the same commit was not applied" "0 3 * * *" "$(schedule a)"
assert_ok "z was not created" gone backuppolicy z
assert_eq "last applied revision unchanged" "main@sha1:$C2" "$(jget gitrepository/ops .status.lastAppliedRevision)"
assert_fails "gitops sync reports the failure" "$DOCKWARD" gitops sync ops --kubeconfig "$KUBECONFIG_FILE"
assert_contains "gitops sync says where" "$OUT" "deploy/z.yaml:9"

rm "$W/deploy/z.yaml"
C4="$(commit "fix")"
wait_until "the fixed commit is applied" 30 applied_is "$C4"
assert_eq "Ready again" "True" "$(cond ops Ready status)"
assert_eq "no longer Stalled" "" "$(cond ops Stalled status)"
assert_eq "a follows the fixed commit" "0 5 * * *" "$(schedule a)"

# --- a hand edit is drift: put back and reported --------------------------
k patch backuppolicy a --type merge -p '{"spec":{"schedule":"9 9 * * *"}}' >/dev/null
wait_until "the hand edit is put back" 30 schedule_is a "0 5 * * *"
assert_eq "drift reported in status" "BackupPolicy default/a" \
  "$(jget gitrepository/ops '.status.lastDriftCorrection.objects | join(",")')"
wait_until "DriftCorrected event" 10 has_event ops Warning DriftCorrected

# --- suspend ---------------------------------------------------------------
k patch gitrepository ops --type merge -p '{"spec":{"suspend":true}}' >/dev/null
sleep 1  # a sync already running when the patch landed finishes first
policy deploy/a.yaml a "0 7 * * *"
C5="$(commit "while suspended")"
sleep 6
assert_eq "suspended: the commit is not applied" "0 5 * * *" "$(schedule a)"
assert_fails "gitops sync refuses a suspended GitRepository" "$DOCKWARD" gitops sync ops --kubeconfig "$KUBECONFIG_FILE"
assert_contains "says suspended" "$OUT" "suspended"
k patch gitrepository ops --type merge -p '{"spec":{"suspend":false}}' >/dev/null
wait_until "resumed: the commit is applied" 30 applied_is "$C5"
assert_eq "a follows after resume" "0 7 * * *" "$(schedule a)"

# --- dockward gitops sync forces a sync (absolute path, 1h interval) -------
policy manual/m1.yaml m1 "0 1 * * *"
C6="$(commit "manual m1")"
k apply -f - >/dev/null <<YAML
apiVersion: dockward.io/v1alpha1
kind: GitRepository
metadata:
  name: manual
spec:
  url: $G/srv/ops.git
  path: manual
  interval: 1h
  prune: true
YAML
wait_until "the manual repository is applied once" 30 field_is manual .status.lastAppliedRevision "main@sha1:$C6"
assert_eq "m1 applied" "0 1 * * *" "$(schedule m1)"
policy manual/m2.yaml m2 "0 2 * * *"
C7="$(commit "manual m2")"
sleep 1
assert_ok "m2 not applied before the interval" gone backuppolicy m2
assert_ok "gitops sync" "$DOCKWARD" gitops sync manual --kubeconfig "$KUBECONFIG_FILE"
assert_eq "gitops sync output" "gitrepository.dockward.io/manual synced: main@sha1:$C7" "$OUT"
assert_eq "m2 applied right after the sync" "0 2 * * *" "$(schedule m2)"
assert_fails "gitops sync of a missing GitRepository" "$DOCKWARD" gitops sync nope --kubeconfig "$KUBECONFIG_FILE"
assert_contains "NotFound" "$OUT" "not found"

# --- HTTP with credentials from a Secret -----------------------------------
# A smart-HTTP git server double (git http-backend behind Basic auth) that
# logs whether each request carried the right credentials. With CERT and KEY
# it serves HTTPS; with an empty USER it is public (no auth asked).
cat >"$G/git_http.py" <<'PY'
import base64, os, ssl, subprocess, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROOT, USER, PASSWORD, LOG = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
CERT, KEY = (sys.argv[5], sys.argv[6]) if len(sys.argv) > 6 else (None, None)
WANT = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode() if USER else None

class H(BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            out = b""
            while True:
                n = int(self.rfile.readline().strip().split(b";")[0], 16)
                if n == 0:
                    self.rfile.readline()
                    return out
                out += self.rfile.read(n)
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length", "0")))
    def handle_any(self):
        data = self.body() if self.command == "POST" else b""
        ok = WANT is None or self.headers.get("Authorization") == WANT
        with open(LOG, "a") as f:
            f.write(("auth-ok " if ok else "auth-missing-or-wrong ") + self.command + " " + self.path + "\n")
        if not ok:
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="git"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        path, _, query = self.path.partition("?")
        env = {"PATH": os.environ["PATH"], "GIT_PROJECT_ROOT": ROOT, "GIT_HTTP_EXPORT_ALL": "1",
               "REQUEST_METHOD": self.command, "PATH_INFO": path, "QUERY_STRING": query,
               "CONTENT_TYPE": self.headers.get("Content-Type", ""), "CONTENT_LENGTH": str(len(data)),
               "REMOTE_USER": USER, "REMOTE_ADDR": "127.0.0.1",
               "HTTP_CONTENT_ENCODING": self.headers.get("Content-Encoding", ""),
               "GIT_PROTOCOL": self.headers.get("Git-Protocol", "")}
        out = subprocess.run(["git", "http-backend"], input=data, env=env, capture_output=True).stdout
        head, _, payload = out.partition(b"\r\n\r\n")
        status, headers = 200, []
        for line in head.split(b"\r\n"):
            k, _, v = line.decode().partition(":")
            if k.lower() == "status": status = int(v.strip().split()[0])
            elif k: headers.append((k, v.strip()))
        self.send_response(status)
        for k, v in headers: self.send_header(k, v)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)
    do_GET = do_POST = handle_any

s = ThreadingHTTPServer(("127.0.0.1", 0), H)
if CERT:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(CERT, KEY)
    s.socket = ctx.wrap_socket(s.socket, server_side=True)
print(s.server_address[1], flush=True)
s.serve_forever()
PY
SECRET_VALUE="tok-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
python3 "$G/git_http.py" "$G/srv" bob "$SECRET_VALUE" "$G/http.log" >"$G/http.port" &
DW_BG_PIDS+=($!)
wait_until "the HTTP git double listens" 10 test -s "$G/http.port"
HURL="http://127.0.0.1:$(cat "$G/http.port")/ops.git"
mkdir -p "$W/private"
policy private/p1.yaml p1 "0 1 * * *"
C8="$(commit "private p1")"
k apply -f - >/dev/null <<YAML
apiVersion: dockward.io/v1alpha1
kind: GitRepository
metadata:
  name: private
spec:
  url: $HURL
  path: private
  interval: 1h
YAML
wait_until "without credentials the fetch fails" 30 field_is private \
  '.status.conditions[]? | select(.type=="Ready") | .reason' GitOperationFailed
assert_eq "Reconciling while retrying" "ProgressingWithRetry" "$(cond private Reconciling reason)"
assert_contains "the server refused the anonymous request" "$(cat "$G/http.log")" "auth-missing-or-wrong GET"
k create secret generic git-creds --from-literal=username=bob --from-literal=password="$SECRET_VALUE" >/dev/null
k patch gitrepository private --type merge -p '{"spec":{"secretRef":{"name":"git-creds"}}}' >/dev/null
wait_until "with the Secret the commit is applied" 30 field_is private .status.lastAppliedRevision "main@sha1:$C8"
assert_eq "p1 applied over HTTP" "0 1 * * *" "$(schedule p1)"
assert_contains "authenticated requests reached the server" "$(cat "$G/http.log")" "auth-ok POST"
assert_not_contains "the secret is not in status" "$(k get gitrepository private -o yaml)" "$SECRET_VALUE"
assert_not_contains "the secret is not in events" "$(k get events -o yaml)" "$SECRET_VALUE"
assert_not_contains "the secret is not in the server log" "$(cat "$DW_DIR/serve.log")" "$SECRET_VALUE"
assert_not_contains "the secret is not in the checkout cache" \
  "$(grep -rl -- "$SECRET_VALUE" "$G/tmp" "$DW_DIR/gitops" 2>/dev/null || true)" "/"

# --- HTTPS with a private CA from the Secret (ca.crt) -----------------------
# A test CA, a server certificate for 127.0.0.1 / localhost signed by it, and
# an unrelated CA; the same http-backend double over TLS, with Basic auth and
# without (a public repository behind a private CA).
T="$G/tls"
mkdir -p "$T"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/ca.key" -out "$T/ca.crt" -days 2 \
  -subj "/CN=dockward gitops test CA" 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/other.key" -out "$T/other.crt" -days 2 \
  -subj "/CN=another CA" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout "$T/srv.key" -out "$T/srv.csr" -subj "/CN=127.0.0.1" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >"$T/ext.cnf"
openssl x509 -req -in "$T/srv.csr" -CA "$T/ca.crt" -CAkey "$T/ca.key" -CAcreateserial -out "$T/srv.crt" \
  -days 2 -extfile "$T/ext.cnf" 2>/dev/null
python3 "$G/git_http.py" "$G/srv" bob "$SECRET_VALUE" "$G/https.log" "$T/srv.crt" "$T/srv.key" >"$G/https.port" &
DW_BG_PIDS+=($!)
python3 "$G/git_http.py" "$G/srv" "" "" "$G/https-public.log" "$T/srv.crt" "$T/srv.key" >"$G/https-public.port" &
DW_BG_PIDS+=($!)
wait_until "the HTTPS git doubles listen" 10 test -s "$G/https.port" -a -s "$G/https-public.port"
SURL="https://127.0.0.1:$(cat "$G/https.port")/ops.git"
PURL="https://localhost:$(cat "$G/https-public.port")/ops.git"
policy tls/t1.yaml t1 "0 1 * * *"
policy public/u1.yaml u1 "0 2 * * *"
C9="$(commit "tls t1, public u1")"
k create secret generic git-tls --from-literal=username=bob --from-literal=password="$SECRET_VALUE" \
  --from-file=ca.crt="$T/ca.crt" >/dev/null
k create secret generic git-tls-other-ca --from-literal=username=bob --from-literal=password="$SECRET_VALUE" \
  --from-file=ca.crt="$T/other.crt" >/dev/null
k create secret generic git-ca-only --from-file=ca.crt="$T/ca.crt" >/dev/null
gitrepo() {  # NAME URL PATH SECRET
  k apply -f - >/dev/null <<YAML
apiVersion: dockward.io/v1alpha1
kind: GitRepository
metadata:
  name: $1
spec:
  url: $2
  path: $3
  interval: 1h
  secretRef:
    name: $4
YAML
}
# Without ca.crt: the system store does not know the test CA.
gitrepo tls-noca "$SURL" tls git-creds
wait_until "without ca.crt the TLS handshake fails" 30 field_is tls-noca \
  '.status.conditions[]? | select(.type=="Ready") | .reason' GitOperationFailed
assert_eq "not Ready without ca.crt" "False" "$(cond tls-noca Ready status)"
assert_contains "the TLS error is named" "$(cond tls-noca Ready message)" "server certificate verification failed"
assert_contains "the message says where the CA goes" "$(cond tls-noca Ready message)" "as ca.crt"
assert_not_contains "no secret in the TLS error" "$(cond tls-noca Ready message)" "$SECRET_VALUE"
# A ca.crt of another CA is not trusted either.
gitrepo tls-other "$SURL" tls git-tls-other-ca
wait_until "with another CA's ca.crt the fetch fails" 30 field_is tls-other \
  '.status.conditions[]? | select(.type=="Ready") | .reason' GitOperationFailed
assert_contains "says the certificate is not signed by ca.crt" "$(cond tls-other Ready message)" \
  "not signed by the ca.crt"
# With ca.crt and the login: applied over HTTPS with Basic auth.
gitrepo tls "$SURL" tls git-tls
wait_until "with ca.crt the commit is applied over HTTPS" 30 field_is tls .status.lastAppliedRevision "main@sha1:$C9"
assert_eq "t1 applied over HTTPS" "0 1 * * *" "$(schedule t1)"
assert_contains "authenticated requests reached the TLS server" "$(cat "$G/https.log")" "auth-ok POST"
CAF="$(find "$DW_DIR/gitops" -path '*/default/tls/.git/dockward-ca.crt')"
assert_eq "the CA file is in the repository's cache dir" "1" "$(grep -c . <<<"$CAF")"
assert_eq "the CA file is 0600" "600" "$(stat -c %a "$CAF")"
assert_eq "the CA file is the Secret's ca.crt" "$(cat "$T/ca.crt")" "$(cat "$CAF")"
# A Secret with only ca.crt: a public repository behind the private CA.
gitrepo public "$PURL" public git-ca-only
wait_until "a ca.crt-only Secret reaches a public HTTPS repository" 30 field_is public \
  .status.lastAppliedRevision "main@sha1:$C9"
assert_eq "u1 applied" "0 2 * * *" "$(schedule u1)"
assert_not_contains "the secret is not in status (TLS)" "$(k get gitrepositories -o yaml)" "$SECRET_VALUE"
assert_not_contains "the secret is not in events (TLS)" "$(k get events -o yaml)" "$SECRET_VALUE"
assert_not_contains "the secret is not in the server log (TLS)" "$(cat "$DW_DIR/serve.log")" "$SECRET_VALUE"
assert_not_contains "the secret is not in the checkout cache (TLS)" \
  "$(grep -rl -- "$SECRET_VALUE" "$DW_DIR/gitops" 2>/dev/null || true)" "/"

# --- deleting a GitRepository: prune deletes what it applied ----------------
# ops (prune: true) applied a and c; private (no prune) applied p1.
finalizers() { jget "gitrepository/$1" '(.metadata.finalizers // []) | join(",")'; }
assert_eq "prune: true carries the finalizer" "dockward.io/gitops-prune" "$(finalizers ops)"
assert_eq "no prune, no finalizer" "" "$(finalizers private)"
assert_eq "a is there before" "0 7 * * *" "$(schedule a)"
assert_eq "c is there before" "0 4 * * *" "$(schedule c)"
k create -f - >/dev/null <<YAML
apiVersion: dockward.io/v1alpha1
kind: BackupPolicy
metadata:
  name: handmade
spec:
  schedule: "0 9 * * *"
  destination:
    path: /var/backups
YAML
assert_ok "delete the pruning GitRepository" k delete gitrepository ops --timeout=30s
assert_ok "ops is gone" gone gitrepository ops
assert_ok "a was pruned" gone backuppolicy a
assert_ok "c was pruned" gone backuppolicy c
assert_eq "what it did not apply stays" "0 9 * * *" "$(schedule handmade)"
assert_contains "Pruned event" "$(k get events --field-selector involvedObject.name=ops -o json |
  jq -r '.items[] | select(.reason=="Pruned") | .message')" "BackupPolicy default/c"
assert_ok "delete the GitRepository without prune" k delete gitrepository private --timeout=30s
assert_ok "private is gone" gone gitrepository private
assert_eq "without prune its objects stay" "0 1 * * *" "$(schedule p1)"
# Prune turned off: the finalizer goes, and deletion keeps the objects.
assert_eq "manual carries the finalizer" "dockward.io/gitops-prune" "$(finalizers manual)"
k patch gitrepository manual --type merge -p '{"spec":{"prune":false}}' >/dev/null
wait_until "prune off drops the finalizer" 30 field_is manual '(.metadata.finalizers // []) | length' 0
assert_ok "delete manual" k delete gitrepository manual --timeout=30s
assert_eq "m1 stays" "0 1 * * *" "$(schedule m1)"

# --- shutdown does not wait for a fetch that hangs --------------------------
python3 -c '
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(); print(s.getsockname()[1], flush=True)
held = []
while True: held.append(s.accept()[0])
' >"$G/hang.port" &
DW_BG_PIDS+=($!)
wait_until "the silent server listens" 10 test -s "$G/hang.port"
k apply -f - >/dev/null <<YAML
apiVersion: dockward.io/v1alpha1
kind: GitRepository
metadata:
  name: hang
spec:
  url: git://127.0.0.1:$(cat "$G/hang.port")/ops.git
YAML
wait_until "a git command is waiting on the silent server" 20 pgrep -f "ls-remote.*127.0.0.1:$(cat "$G/hang.port")/"
T0=$SECONDS
dw_stop
assert_eq "SIGTERM during a hanging fetch stops the server promptly" "yes" "$([ $((SECONDS - T0)) -lt 10 ] && echo yes || echo no)"
echo "gitops: $DW_PASSED passed, 0 failed"
