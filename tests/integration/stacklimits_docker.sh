#!/usr/bin/env bash
# StackLimits against a REAL dockerd: Enforce's update plan, the opt-in
# recreate (with rollback), and Recommend's stats sampling. Starts its own
# daemon in a temp dir (lib/db.sh: unix socket, vfs, no bridge), imports a
# busybox image, runs tests/tools/stacklimits_docker_it, and stops the daemon
# and removes everything on any exit.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=lib/db.sh
. "$HERE/lib/db.sh"

TOOL="${DW_BUILD_DIR:-/work/build}/stacklimits_docker_it"
db_suite_dir /tmp/dw-slk.XXXXXX "$TOOL" dockerd docker busybox curl
DIR="$DB_SUITE_DIR"
db_daemon_start "$DIR"
db_busybox_image dwtest/busybox:1 sh sleep cat echo true dd rm mkdir test [

# A user-defined network for the alias test. A daemon without a bridge
# module may refuse it; the tool then skips only the alias check.
NET_ARGS=()
if docker network create --driver bridge -o com.docker.network.bridge.enable_ip_masquerade=false \
     sl-it-net >/dev/null 2>"$DIR/net.err"; then
  NET_ARGS=(--network sl-it-net)
else
  echo "# no user network on this daemon ($(head -c 200 "$DIR/net.err")): alias check skipped"
fi

# What the daemon's stats report for tmpfs pages: the cgroup version decides.
if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
  echo "# cgroup v2: tmpfs pages count as shmem in memory.current (not inactive_file)"
else
  echo "# cgroup v1: tmpfs pages count in memory.usage_in_bytes (cache, but not inactive_file)"
fi

"$TOOL" --endpoint "unix://$DIR/docker.sock" --image dwtest/busybox:1 "${NET_ARGS[@]}"
