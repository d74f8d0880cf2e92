#!/usr/bin/env bash
# One command from a fresh Debian 12 machine to a running dockward:
# installs the build dependencies, builds, installs /usr/local/bin/dockward,
# starts `dockward serve` (embedded store under ~/.dockward, no cluster and
# no external database) and applies the examples.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DATA_DIR=${DOCKWARD_DATA_DIR:-$HOME/.dockward}
LISTEN=${DOCKWARD_LISTEN:-127.0.0.1:6443}
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"

bash "$ROOT/scripts/setup.sh" build
bash "$ROOT/scripts/build.sh"
$SUDO install -s -m 0755 "${BUILD_DIR:-$ROOT/build}/dockward" /usr/local/bin/dockward

mkdir -p "$DATA_DIR"
if curl -sfk "https://$LISTEN/readyz" >/dev/null 2>&1; then
  echo "dockward is already serving on $LISTEN"
else
  nohup dockward serve --data-dir "$DATA_DIR" --listen "$LISTEN" >>"$DATA_DIR/serve.log" 2>&1 &
  echo "$!" >"$DATA_DIR/serve.pid"
  for _ in $(seq 1 100); do
    curl -sfk "https://$LISTEN/readyz" >/dev/null 2>&1 && break
    sleep 0.1
  done
  curl -sfk "https://$LISTEN/readyz" >/dev/null || { echo "dockward did not start; see $DATA_DIR/serve.log" >&2; exit 1; }
fi
export KUBECONFIG=$DATA_DIR/kubeconfig
dockward apply -f "$ROOT/examples/"
dockward get dockward
cat <<EOT

dockward is serving on https://$LISTEN (log: $DATA_DIR/serve.log, pid: $DATA_DIR/serve.pid).
  export KUBECONFIG=$DATA_DIR/kubeconfig
  dockward get bp            # or: kubectl get bp
  kill \$(cat $DATA_DIR/serve.pid)   # stop it
EOT
