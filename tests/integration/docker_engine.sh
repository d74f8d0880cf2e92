#!/usr/bin/env bash
# Integration suite of the Docker Engine client (operator/docker/) against a
# REAL dockerd: starts its own daemon in a temp dir (no systemd, no iptables,
# no bridge, vfs storage), imports a busybox image, runs tests/tools/docker_it
# against it, and stops the daemon and removes everything on any exit.
#
#   docker_engine.sh                       the suite (CTest runs it this way)
#   docker_engine.sh daemon-start DIR      helpers docker_it calls for its
#   docker_engine.sh daemon-stop DIR       daemon-restart test
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=lib/db.sh
. "$HERE/lib/db.sh"

# A CA, a server certificate for 127.0.0.1 and a client certificate, so the
# daemon also listens on TCP with --tlsverify (mutual TLS) for the TLS tests.
make_pki() {
  local p="$1/pki"
  mkdir -p "$p"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj /CN=dwtest-ca -keyout "$p/ca.key" -out "$p/ca.pem" 2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=dockerd \
    -keyout "$p/server.key" -out "$p/server.csr" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >"$p/server.ext"
  openssl x509 -req -in "$p/server.csr" -CA "$p/ca.pem" -CAkey "$p/ca.key" -CAcreateserial \
    -days 2 -extfile "$p/server.ext" -out "$p/server.pem" 2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=dockward \
    -keyout "$p/client.key" -out "$p/client.csr" 2>/dev/null
  printf 'extendedKeyUsage=clientAuth\n' >"$p/client.ext"
  openssl x509 -req -in "$p/client.csr" -CA "$p/ca.pem" -CAkey "$p/ca.key" -CAcreateserial \
    -days 2 -extfile "$p/client.ext" -out "$p/client.pem" 2>/dev/null
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' \
    >"$1/tls.port"
}

# The daemon also listens on TCP with mutual TLS (make_pki's files).
daemon_start() {
  local dir="$1"
  db_daemon_start "$dir" --host "tcp://127.0.0.1:$(cat "$dir/tls.port")" --tlsverify \
    --tlscacert "$dir/pki/ca.pem" --tlscert "$dir/pki/server.pem" --tlskey "$dir/pki/server.key"
}

case "${1:-}" in
  daemon-start) daemon_start "$2"; exit $? ;;
  daemon-stop) db_daemon_stop "$2"; exit $? ;;
esac

TOOL="${DW_BUILD_DIR:-/work/build-docker}/docker_it"
db_suite_dir /tmp/dw-dk.XXXXXX "$TOOL" dockerd docker busybox curl openssl
DIR="$DB_SUITE_DIR"
make_pki "$DIR"
daemon_start "$DIR"
db_busybox_image dwtest/bb:1 sh sleep cat echo wc tee ls true

"$TOOL" --endpoint "unix://$DIR/docker.sock" --image dwtest/bb:1 \
        --daemon-ctl "bash $(realpath "$0")" --daemon-dir "$DIR" \
        --tls-endpoint "tcp://127.0.0.1:$(cat "$DIR/tls.port")" --pki "$DIR/pki"
