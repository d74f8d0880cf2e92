# Shared steps of the end-to-end backup scripts (backup_e2e.sh,
# backup_faults.sh). Source after tests/integration/lib.sh and lib/db.sh.
#
#   bk_setup            private dockerd + dw-db:1 + `dockward serve` +
#                       DockerHost "local" (Ready) + Secret backup-key;
#                       sets BK_DIR (temp root), BK_DOCK (daemon dir), BK_KEY
#   bk_render FILE K=V...   a testdata/backup manifest with @K@ replaced
#   bk_policy NAME SET DEST apply policy.yaml (selector dwtest=SET)
#   bk_request POLICY [dry] annotate a manual run; prints the nonce once the
#                       policy reconciler recorded it (lastHandledRunRequest)
#   bk_backups NONCE    names of the Backups of that run, one a line
#   bk_wait_terminal SECS NAME...  until every Backup is Succeeded/Failed
#   bk_phase KIND NAME  status.phase ("" if none yet)
# Every wait has a deadline and fails with the object's YAML.

BK_TESTDATA="$(cd "$(dirname "${BASH_SOURCE[0]}")/../testdata/backup" && pwd)"
BK_DIR=""
BK_DOCK=""
BK_KEY=""
BK_SEQ=0

bk_cleanup() {
  local rc=$?
  dw_cleanup
  if [ -n "$BK_DOCK" ]; then db_daemon_stop "$BK_DOCK" || true; db_daemon_reap "$BK_DOCK"; fi
  if [ -n "$BK_DIR" ]; then
    # A tmpfs the faults script mounted, then the tree; containerd shims of
    # a daemon killed hard may keep files busy for a moment.
    { grep -F " $BK_DIR/" /proc/mounts || true; } | cut -d' ' -f2 | sort -r | while read -r m; do
      umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
    done
    rm -rf "$BK_DIR" 2>/dev/null || { sleep 1; rm -rf "$BK_DIR" || true; }
  fi
  exit "$rc"
}

bk_require() {
  local bin
  for bin in dockerd docker kubectl jq curl python3 sha256sum; do
    command -v "$bin" >/dev/null || dw_fail "$bin is not installed (scripts/setup.sh test)"
  done
  [ -x /usr/lib/postgresql/15/bin/postgres ] || dw_fail "postgresql-15 is not installed"
  for bin in mariadbd redis-server sqlite3; do
    command -v "$bin" >/dev/null ||
      dw_fail "$bin is not installed (mariadb-server redis-server sqlite3)"
  done
}

bk_render() {
  local file="$BK_TESTDATA/$1" expr=() kv
  shift
  for kv in "$@"; do expr+=(-e "s|@${kv%%=*}@|${kv#*=}|g"); done
  sed "${expr[@]}" "$file"
}

bk_setup() {
  bk_require
  BK_DIR="$(mktemp -d /tmp/dw-bk.XXXXXX)"
  BK_DOCK="$BK_DIR/dk"
  trap bk_cleanup EXIT
  db_daemon_start "$BK_DOCK" || dw_fail "dockerd did not start"
  db_image_build || dw_fail "image dw-db:1 not built"
  dw_start
  bk_render dockerhost.yaml SOCK="$BK_DOCK/docker.sock" | k apply -f - >/dev/null ||
    dw_fail "DockerHost not applied"
  wait_until "DockerHost local Ready" 30 bk_cond_is dockerhost/local Ready True
  BK_KEY="$BK_DIR/key.bin"
  head -c 32 /dev/urandom >"$BK_KEY"
  k create secret generic backup-key --from-file=key="$BK_KEY" >/dev/null ||
    dw_fail "Secret backup-key not created"
}

# bk_cond_is KIND/NAME TYPE STATUS
bk_cond_is() {
  [ "$(jget "$1" ".status.conditions[]? | select(.type == \"$2\") | .status")" = "$3" ]
}

bk_policy() {  # NAME SET DEST
  mkdir -p "$3"
  bk_render policy.yaml NAME="$1" SET="$2" DEST="$3" | k apply -f - >/dev/null ||
    dw_fail "BackupPolicy $1 not applied"
}

bk_request() {  # POLICY [dry]
  BK_SEQ=$((BK_SEQ + 1))
  local nonce="t$(date -u +%Y%m%dT%H%M%SZ)-$BK_SEQ-$RANDOM"
  local args=(annotate --overwrite "backuppolicy/$1" "dockward.io/run-requested-at=$nonce")
  if [ "${2:-}" = dry ]; then
    args+=("dockward.io/run-dry-run=true")
  else
    args+=("dockward.io/run-dry-run-")
  fi
  k "${args[@]}" >/dev/null || dw_fail "annotating $1 failed"
  local deadline=$((SECONDS + 30))
  until [ "$(jget "backuppolicy/$1" .status.lastHandledRunRequest)" = "$nonce" ]; do
    [ "$SECONDS" -lt "$deadline" ] ||
      dw_fail "policy $1 did not handle run request $nonce in 30s: $(k get backuppolicy "$1" -o yaml)"
    sleep 0.2
  done
  echo "$nonce"
}

bk_backups() {  # NONCE
  k get backups -l "dockward.io/run-request=$1" -o json | jq -r '.items[].metadata.name' | sort
}

bk_phase() { jget "$1/$2" '.status.phase // ""'; }

bk_terminal() {  # KIND NAME
  local p
  p="$(bk_phase "$1" "$2")"
  [ "$p" = Succeeded ] || [ "$p" = Failed ]
}

bk_wait_terminal() {  # SECS NAME...
  local secs=$1 name
  shift
  for name in "$@"; do
    local deadline=$((SECONDS + secs))
    until bk_terminal backup "$name"; do
      [ "$SECONDS" -lt "$deadline" ] ||
        dw_fail "Backup $name not finished after ${secs}s: $(k get backup "$name" -o yaml)"
      sleep 0.3
    done
  done
}

bk_wait_restore() {  # SECS NAME
  local deadline=$((SECONDS + $1))
  until bk_terminal restore "$2"; do
    [ "$SECONDS" -lt "$deadline" ] ||
      dw_fail "Restore $2 not finished after $1s: $(k get restore "$2" -o yaml)"
    sleep 0.3
  done
}

# Files under DIR (artifacts, sidecars, temp files), sorted, relative.
bk_files() { (cd "$1" && find . -type f | sort); }
