#!/usr/bin/env bash
# The backup and restore runners (reconcilers/backup/{backup,restore}_runner)
# against real PostgreSQL 15, MariaDB, SQLite and Redis containers on a
# private dockerd (tests/integration/lib/db.sh), driven by
# tests/tools/backup_runner_it without the API server in between.
#
# Per engine: seed, RunBackup (zstd + AES-256-GCM), verify, a truncated copy
# fails verification (and restore refuses it), RunRestore into a FRESH
# container, content fingerprints equal. Also: PostgreSQL all-databases
# (pg_dumpall), hostile label values rejected before any exec, a dump tool
# failing (unknown database) leaves no file, and a RunRestoreTest round trip
# (throw-away container removed, pass and fail).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/lib.sh"
source "$HERE/lib/db.sh"

BUILD="${DW_BUILD_DIR:-/work/build-runner}"
TOOL="$BUILD/backup_runner_it"
[ -x "$TOOL" ] || dw_fail "$TOOL not built"
for bin in dockerd docker curl sqlite3 redis-server mariadbd; do
  command -v "$bin" >/dev/null || dw_fail "$bin is not installed"
done
[ -x /usr/lib/postgresql/15/bin/postgres ] || dw_fail "postgresql-15 is not installed"

ROWS=1000
DIR="$(mktemp -d /tmp/dw-be.XXXXXX)"
DOCK="$DIR/dk"
cleanup() {
  local rc=$?
  dw_cleanup || true
  db_daemon_stop "$DOCK" || true
  rm -rf "$DIR" 2>/dev/null || { sleep 1; rm -rf "$DIR" || true; }
  exit "$rc"
}
trap cleanup EXIT
START=$SECONDS

db_daemon_start "$DOCK" || dw_fail "dockerd did not start"
db_image_build || dw_fail "image dw-db:1 not built"
EP="unix://$DOCK/docker.sock"
DEST="$DIR/backups"
head -c 32 /dev/urandom >"$DIR/key.bin"
KEY=(--key "$DIR/key.bin")

it() { "$TOOL" "$1" --endpoint "$EP" "${@:2}"; }
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$OUT"; }

# round_trip ENGINE-LABEL SRC FRESH FP-DB TARGET-ARGS...: backup SRC, verify,
# truncated copy fails, restore into FRESH, fingerprints equal.
round_trip() {
  local label="$1" src="$2" fresh="$3" fpdb="$4" engine="$5"
  shift 5
  local fp="db_fingerprint_$engine" name="$label.dump" path before after
  [ "$engine" = mariadb ] || [ "$engine" = postgres ] || [ "$engine" = redis ] ||
    [ "$engine" = sqlite ] || dw_fail "bad engine $engine"
  assert_ok "$label: backup" it backup --container "$src" "$@" --dir "$DEST" --name "$name" "${KEY[@]}"
  echo "$label backup: $OUT"
  path="$(field path)"
  assert_eq "$label: artifact path" "$DEST/$name" "$path"
  [ -f "$path" ] && [ -f "$path.json" ] || dw_fail "$label: artifact or sidecar missing"
  dw_pass
  assert_eq "$label: encrypted" "AES-256-GCM" "$(field encryption)"
  assert_match "$label: tool version recorded" "$(field tool)" '=[0-9]+\.[0-9]+'
  [ -z "$(find "$DEST" -name '.*.tmp-*')" ] || dw_fail "$label: temp file left"
  dw_pass
  assert_ok "$label: verify" "$TOOL" verify --artifact "$path" "${KEY[@]}"

  # A truncated copy (sidecar copied along) must fail verification and restore.
  cp "$path" "$DIR/trunc.dump" && cp "$path.json" "$DIR/trunc.dump.json"
  truncate -s $(( $(stat -c %s "$path") - 100 )) "$DIR/trunc.dump"
  assert_fails "$label: truncated verify" "$TOOL" verify --artifact "$DIR/trunc.dump" "${KEY[@]}"
  assert_contains "$label: truncated message" "$OUT" "size mismatch"
  assert_fails "$label: truncated restore refused" it restore --container "$fresh" "$@" \
    --artifact "$DIR/trunc.dump" "${KEY[@]}"
  rm -f "$DIR/trunc.dump" "$DIR/trunc.dump.json"

  assert_ok "$label: restore" it restore --container "$fresh" "$@" --artifact "$path" "${KEY[@]}"
  echo "$label restore: $OUT"
  before="$("$fp" "$src" "$fpdb")" || dw_fail "$label: source fingerprint"
  if [ "$engine" = redis ]; then  # the restore restarted the server
    _db_wait "$fresh" 30 sh -c '[ "$(redis-cli ping)" = PONG ]' || dw_fail "$label: redis not back"
  fi
  after="$("$fp" "$fresh" "$fpdb")" || dw_fail "$label: restored fingerprint"
  assert_match "$label: source has rows" "$before" "^rows=[1-9][0-9]* "
  assert_eq "$label: restored content equals source" "$before" "$after"
}

# --- PostgreSQL: one database, then the whole cluster ----------------------
db_run_postgres be-pg || dw_fail "postgres did not start"
db_seed_postgres be-pg app "$ROWS" || dw_fail "postgres seed"
db_run_postgres be-pg-fresh || dw_fail "fresh postgres did not start"
db_create_postgres be-pg-fresh app || dw_fail "create app in the fresh postgres"
round_trip postgres be-pg be-pg-fresh app postgres --engine postgres --db app

db_run_postgres be-pg-all || dw_fail "postgres (cluster) did not start"
round_trip postgres-all be-pg be-pg-all app postgres --engine postgres --all

# A dump tool that fails: its message comes back and nothing is left behind.
assert_fails "postgres: unknown database" it backup --container be-pg --engine postgres \
  --db nosuchdb --dir "$DEST" --name nosuch.dump "${KEY[@]}"
assert_contains "postgres: tool + exit code in message" "$OUT" "pg_dump exited with 1"
assert_contains "postgres: stderr line in message" "$OUT" "nosuchdb"
[ ! -e "$DEST/nosuch.dump" ] && [ -z "$(find "$DEST" -name '.*.tmp-*')" ] ||
  dw_fail "a failed backup left files: $(ls -A "$DEST")"
dw_pass

# --- MariaDB -----------------------------------------------------------------
db_run_mariadb be-my || dw_fail "mariadb did not start"
db_seed_mariadb be-my shop "$ROWS" || dw_fail "mariadb seed"
db_run_mariadb be-my-fresh || dw_fail "fresh mariadb did not start"
round_trip mariadb be-my be-my-fresh shop mariadb --engine mariadb --db shop

# --- SQLite ------------------------------------------------------------------
db_run_sqlite be-lite /data/app.db || dw_fail "sqlite did not start"
db_seed_sqlite be-lite /data/app.db "$ROWS" || dw_fail "sqlite seed"
db_run_sqlite be-lite-fresh /data/app.db || dw_fail "fresh sqlite did not start"
round_trip sqlite be-lite be-lite-fresh /data/app.db sqlite --engine sqlite --path /data/app.db

# --- Redis -------------------------------------------------------------------
db_run_redis be-redis || dw_fail "redis did not start"
db_seed_redis be-redis 0 "$ROWS" || dw_fail "redis seed"
db_run_redis be-redis-fresh || dw_fail "fresh redis did not start"
round_trip redis be-redis be-redis-fresh 0 redis --engine redis

# --- Hostile label values never reach an exec ---------------------------------
L=dockward.io/backup.
for bad in 'shop; rm -rf /' '$(touch /tmp/pwned)' "a'b" $'a\nb' '-oProxyCommand=x' \
           "$(head -c 300 /dev/zero | tr '\0' a)"; do
  assert_fails "hostile database label rejected" "$TOOL" labels "${L}engine=postgres" \
    "${L}databases=$bad"
  assert_contains "hostile label: clear message" "$OUT" "databases"
done
assert_ok "benign labels accepted" "$TOOL" labels "${L}engine=postgres" "${L}databases=shop"
assert_eq "benign labels: exact argv" \
  "ok argv=[pg_dump][--format=plain][--no-password][-U][postgres][-d][shop]" "$OUT"

# --- RunRestoreTest: throw-away clone of be-pg, restore, check query ----------
db_seed_postgres be-pg postgres "$ROWS" || dw_fail "seed the postgres database"
assert_ok "restore-test source backup" it backup --container be-pg --engine postgres \
  --db postgres --dir "$DEST" --name rt.dump "${KEY[@]}"
assert_ok "restore test passes" it restore-test --source be-pg --engine postgres --db postgres \
  --artifact "$DEST/rt.dump" "${KEY[@]}" --query "SELECT count(*) FROM items"
echo "restore test: $OUT"
assert_contains "restore test: check output" "$OUT" "check=[$ROWS]"
assert_fails "restore test: failing check query" it restore-test --source be-pg --engine postgres \
  --db postgres --artifact "$DEST/rt.dump" "${KEY[@]}" --query "SELECT count(*) FROM nosuchtable"
assert_contains "restore test: psql error named" "$OUT" "psql exited with"
assert_fails "restore test: shell escape refused" it restore-test --source be-pg --engine postgres \
  --db postgres --artifact "$DEST/rt.dump" "${KEY[@]}" --query '\! touch /tmp/pwned'
assert_eq "restore test: clones removed" "" \
  "$(docker ps -aq --filter label=dockward.io/restore-test=true)"

echo "backup_engines: $DW_PASSED passed, 0 failed ($((SECONDS - START))s)"
