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

daemon_start() {
  local dir="$1"
  mkdir -p "$dir"
  dockerd --host "unix://$dir/docker.sock" --data-root "$dir/data" \
          --host "tcp://127.0.0.1:$(cat "$dir/tls.port")" --tlsverify \
          --tlscacert "$dir/pki/ca.pem" --tlscert "$dir/pki/server.pem" \
          --tlskey "$dir/pki/server.key" \
          --exec-root "$dir/exec" --pidfile "$dir/docker.pid" \
          --iptables=false --bridge=none --storage-driver=vfs \
          >>"$dir/dockerd.log" 2>&1 </dev/null &
  for _ in $(seq 1 300); do
    if [ -S "$dir/docker.sock" ] &&
       [ "$(curl -s --max-time 2 --unix-socket "$dir/docker.sock" http://d/_ping || true)" = OK ]; then
      return 0
    fi
    sleep 0.1
  done
  echo "FAIL: dockerd did not answer /_ping within 30 s; log tail:" >&2
  tail -n 20 "$dir/dockerd.log" >&2
  return 1
}

daemon_stop() {
  local dir="$1" pid
  [ -f "$dir/docker.pid" ] || return 0
  pid="$(cat "$dir/docker.pid")"
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 300); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  echo "dockerd $pid ignored SIGTERM for 30 s; killing it" >&2
  kill -KILL "$pid" 2>/dev/null || true
}

case "${1:-}" in
  daemon-start) daemon_start "$2"; exit $? ;;
  daemon-stop) daemon_stop "$2"; exit $? ;;
esac

BUILD="${DW_BUILD_DIR:-/work/build-docker}"
TOOL="$BUILD/docker_it"
for bin in dockerd docker busybox curl; do
  command -v "$bin" >/dev/null || { echo "FAIL: $bin is not installed (scripts/setup.sh test)" >&2; exit 1; }
done
[ -x "$TOOL" ] || { echo "FAIL: $TOOL not built" >&2; exit 1; }

DIR="$(mktemp -d /tmp/dw-dk.XXXXXX)"
cleanup() {
  local rc=$?
  daemon_stop "$DIR" || true
  # containerd shims of a daemon killed hard would keep dirs busy; give them a moment.
  rm -rf "$DIR" 2>/dev/null || { sleep 1; rm -rf "$DIR" || true; }
  exit $rc
}
trap cleanup EXIT INT TERM

command -v openssl >/dev/null || { echo "FAIL: openssl is not installed" >&2; exit 1; }
make_pki "$DIR"
daemon_start "$DIR"
export DOCKER_HOST="unix://$DIR/docker.sock"

IMG="$DIR/img"
mkdir -p "$IMG/bin" "$IMG/tmp"
cp "$(command -v busybox)" "$IMG/bin/busybox"
for x in sh sleep cat echo wc tee ls true; do ln -sf busybox "$IMG/bin/$x"; done
tar -C "$IMG" -c . | docker import - dwtest/bb:1 >/dev/null

"$TOOL" --endpoint "unix://$DIR/docker.sock" --image dwtest/bb:1 \
        --daemon-ctl "bash $(realpath "$0")" --daemon-dir "$DIR" \
        --tls-endpoint "tcp://127.0.0.1:$(cat "$DIR/tls.port")" --pki "$DIR/pki"
