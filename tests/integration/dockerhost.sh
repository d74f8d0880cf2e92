#!/usr/bin/env bash
# DockerHost end to end: a REAL dockerd (unix socket + TCP with --tlsverify,
# started by docker_engine.sh's daemon-start in a temp dir) and a real
# `dockward serve` with its controllers. Checks reachability and version over
# the socket and over mutual TLS with the material in Secrets, the
# CertificateExpiring condition for a 10-day client certificate, a clear
# InvalidTLS verdict for a key that does not match its certificate (with no
# key material in status or events), detection of the daemon stopping and
# coming back without restarting dockward, and the printer columns.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$HERE/lib.sh"
DOCKWARD="${DOCKWARD:-${DW_BUILD_DIR:-/work/build}/dockward}"

for bin in dockerd docker curl openssl kubectl jq; do
  command -v "$bin" >/dev/null || { echo "FAIL: $bin is not installed" >&2; exit 1; }
done

DK="$(mktemp -d /tmp/dw-dh.XXXXXX)"
daemon() { bash "$HERE/docker_engine.sh" "daemon-$1" "$DK"; }
cleanup_all() {
  daemon stop >/dev/null 2>&1 || true
  dw_cleanup
  rm -rf "$DK" 2>/dev/null || { sleep 1; rm -rf "$DK" || true; }
}
trap cleanup_all EXIT

# CA, server certificate for 127.0.0.1, and client certificates: one valid a
# year, one valid 10 days; plus a key that belongs to neither.
P="$DK/pki"
mkdir -p "$P"
ossl() { openssl "$@" 2>/dev/null; }
ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
  -subj /CN=dwtest-ca -keyout "$P/ca.key" -out "$P/ca.pem"
issue() {  # name days ext
  ossl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$1" \
    -keyout "$P/$1.key" -out "$P/$1.csr"
  printf '%b' "$3" >"$P/$1.ext"
  ossl x509 -req -in "$P/$1.csr" -CA "$P/ca.pem" -CAkey "$P/ca.key" -CAcreateserial \
    -days "$2" -extfile "$P/$1.ext" -out "$P/$1.pem"
}
issue server 30 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n'
issue client 365 'extendedKeyUsage=clientAuth\n'
issue shortlived 10 'extendedKeyUsage=clientAuth\n'
ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$P/stranger.key"
python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' >"$DK/tls.port"
PORT="$(cat "$DK/tls.port")"

daemon start
ENGINE_VERSION="$(DOCKER_HOST="unix://$DK/docker.sock" docker version --format '{{.Server.Version}}')"
dw_start
SERVE_PID="$DW_PID"

cond() {  # NAME TYPE FIELD
  jget "dockerhost/$1" ".status.conditions[]? | select(.type==\"$2\") | .$3"
}
cond_is() { [ "$(cond "$1" "$2" status)" = "$3" ]; }

# --- over the unix socket -------------------------------------------------
k apply -f - >/dev/null <<YAML
apiVersion: dockward.io/v1alpha1
kind: DockerHost
metadata: {name: local}
spec: {endpoint: "unix://$DK/docker.sock"}
YAML
wait_until "unix DockerHost becomes Ready" 15 cond_is local Ready True
assert_eq "version over the socket" "$ENGINE_VERSION" "$(jget dockerhost/local .status.version)"
assert_eq "reachable" "true" "$(jget dockerhost/local .status.reachable)"
assert_match "negotiated API version" "$(jget dockerhost/local .status.apiVersion)" '^1\.[0-9]+$'
assert_eq "observedGeneration" "1" "$(jget dockerhost/local .status.observedGeneration)"
assert_eq "no certificate condition without TLS" "" "$(cond local CertificateExpiring status)"

# --- over TCP with mutual TLS, material from Secrets ------------------------
k create secret generic dh-ca --from-file=ca.crt="$P/ca.pem" >/dev/null
k create secret generic dh-client --from-file=tls.crt="$P/client.pem" --from-file=tls.key="$P/client.key" >/dev/null
k create secret generic dh-short --from-file=tls.crt="$P/shortlived.pem" --from-file=tls.key="$P/shortlived.key" >/dev/null
k create secret generic dh-mismatch --from-file=tls.crt="$P/client.pem" --from-file=tls.key="$P/stranger.key" >/dev/null
for h in remote:dh-client short:dh-short mismatch:dh-mismatch; do
  k apply -f - >/dev/null <<YAML
apiVersion: dockward.io/v1alpha1
kind: DockerHost
metadata: {name: ${h%%:*}}
spec:
  endpoint: tcp://127.0.0.1:$PORT
  tls:
    caSecretRef: {name: dh-ca}
    clientSecretRef: {name: ${h##*:}}
YAML
done
wait_until "TLS DockerHost becomes Ready" 15 cond_is remote Ready True
assert_eq "version over TLS" "$ENGINE_VERSION" "$(jget dockerhost/remote .status.version)"
days="$(jget dockerhost/remote .status.tls.daysRemaining)"
[ "$days" -ge 363 ] && [ "$days" -le 365 ] || dw_fail "daysRemaining of a 365-day cert: $days"
dw_pass
assert_eq "a year-long certificate is not expiring" "False" "$(cond remote CertificateExpiring status)"
assert_match "notAfter is RFC 3339" "$(jget dockerhost/remote .status.tls.notAfter)" '^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$'

# verify: false and no CA: still TLS with the client certificate, without
# checking the engine's certificate (docker --tls).
k apply -f - >/dev/null <<YAML
apiVersion: dockward.io/v1alpha1
kind: DockerHost
metadata: {name: noverify}
spec:
  endpoint: tcp://127.0.0.1:$PORT
  tls:
    verify: false
    clientSecretRef: {name: dh-client}
YAML
wait_until "verify:false DockerHost (no CA) becomes Ready" 15 cond_is noverify Ready True
k delete dockerhost noverify >/dev/null

wait_until "10-day certificate host becomes Ready" 15 cond_is short Ready True
assert_eq "CertificateExpiring for a 10-day certificate" "True" "$(cond short CertificateExpiring status)"
assert_match "expiry message names the days" "$(cond short CertificateExpiring message)" 'expires in (9|10) days'
assert_match "daysRemaining 9 or 10" "$(jget dockerhost/short .status.tls.daysRemaining)" '^(9|10)$'

wait_until "mismatched key is reported" 15 cond_is mismatch Ready False
assert_eq "mismatch reason" "InvalidTLS" "$(cond mismatch Ready reason)"
assert_contains "mismatch message" "$(cond mismatch Ready message)" \
  'secret "default/dh-mismatch": docker client certificate: private key does not match certificate'
sleep 1  # let the event recorder send
everything="$(k get dockerhost mismatch -o json; k get events -o json)"
assert_not_contains "no PEM key in status or events" "$everything" "PRIVATE KEY"
assert_not_contains "no key body in status or events" "$everything" "$(sed -n 2p "$P/stranger.key")"
assert_not_contains "no base64 key in status or events" "$everything" "$(base64 -w0 "$P/stranger.key" | cut -c1-40)"
events="$(k get events -o json)"
assert_contains "Warning event for the bad key" "$(jq -r '.items[] | select(.involvedObject.name=="mismatch") | .type + " " + .reason' <<<"$events")" "Warning InvalidTLS"
assert_contains "Warning event for the expiring cert" "$(jq -r '.items[] | select(.involvedObject.name=="short") | .reason' <<<"$events")" "CertificateExpiring"

# --- printer columns ---------------------------------------------------------
out="$(k get dockerhosts)"
assert_match "columns" "$(head -n1 <<<"$out")" '^NAME +ENDPOINT +REACHABLE +VERSION +READY +AGE$'
ere() { sed 's/[][\\.^$*+?(){}|]/\\&/g' <<<"$1"; }  # escapes an extended regex
assert_match "local row" "$out" "^local +$(ere "unix://$DK/docker.sock") +true +$(ere "$ENGINE_VERSION") +True +"
assert_match "mismatch row: unreachable, no version" "$out" "^mismatch +tcp://127\\.0\\.0\\.1:$PORT +false +False +"
assert_match "wide shows cert days" "$(k get dh -o wide)" 'CERT DAYS'

# --- the daemon stops and comes back ----------------------------------------
daemon stop
t0=$SECONDS
wait_until "Ready False after dockerd stops" 10 cond_is local Ready False
assert_eq "reason" "Unreachable" "$(cond local Ready reason)"
wait_until "TLS host also Ready False" 10 cond_is remote Ready False
echo "detected the stop in $((SECONDS - t0)) s"
daemon start
t0=$SECONDS
wait_until "Ready True again after dockerd restarts" 15 cond_is local Ready True
wait_until "TLS host Ready again" 15 cond_is remote Ready True
echo "detected the restart in $((SECONDS - t0)) s"
assert_eq "same dockward process" "$SERVE_PID" "$DW_PID"
kill -0 "$SERVE_PID" || dw_fail "dockward died"
events="$(k get events -o json | jq -r '.items[] | select(.involvedObject.name=="local") | .type + " " + .reason')"
assert_contains "Warning Unreachable event" "$events" "Warning Unreachable"
assert_contains "Normal Reachable event" "$events" "Normal Reachable"

# --- deletion ---------------------------------------------------------------
assert_ok "delete a DockerHost" k delete dockerhost short
wait_until "deleted DockerHost is gone" 10 gone dockerhost short

dw_finish dockerhost
