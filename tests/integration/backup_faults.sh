#!/usr/bin/env bash
# Fault injection for the backup pipeline, through the real `dockward serve`,
# kubectl, a private dockerd and real database containers:
#  (a) kill -9 of dockward serve during a large backup: no artifact under a
#      final name, the temp file swept after restart, Backup Failed with a
#      reason, the next run succeeds;
#  (b) destination on a 2 MiB tmpfs: a clear disk-full failure, the older
#      artifact there untouched, no temp file left;
#  (c) hostile container labels: the policy status names the label error,
#      no command ever runs (marker file absent on host and in containers);
#  (d) dockerd stopped mid-run and restarted: DockerHost Ready False then
#      True, policy Degraded, the Backup retried, the next run succeeds with
#      the same dockward process;
#  (e) corrupted and truncated artifacts: Restore fails with a verification
#      reason;
#  (f) webhook: success and failure notifications reach a local receiver
#      (tests/tools/webhook_sink.py), whose URL never shows in status,
#      Events or the server log.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/lib.sh"
source "$HERE/lib/db.sh"
source "$HERE/lib/backup.sh"

BIG_ROWS="${BIG_ROWS:-500000}"  # ~150 MB of pg_dump: several seconds of dump
P=dockward.io/backup.
bk_setup
SERVE_PORT="${DW_URL##*:}"

# Restarts `dockward serve` on the same data dir and port (the kubeconfig
# stays valid) and waits for /readyz.
serve_restart() {
  "$DOCKWARD" serve --data-dir "$DW_DIR" --listen "127.0.0.1:$SERVE_PORT" >>"$DW_DIR/serve.log" 2>&1 &
  DW_PID=$!
  local i
  for i in $(seq 1 100); do
    kill -0 "$DW_PID" 2>/dev/null || dw_fail "dockward serve exited during restart"
    [ "$(curl -s -o /dev/null -w '%{http_code}' --cacert "$DW_CA" "$DW_URL/readyz")" = 200 ] && return 0
    sleep 0.1
  done
  dw_fail "dockward serve not ready 10s after restart"
}

# One run of POLICY; waits until every Backup is terminal; sets RUN=(names).
run_policy() {  # POLICY SECS
  local n
  n="$(bk_request "$1")"
  mapfile -t RUN < <(bk_backups "$n")
  [ "${#RUN[@]}" -gt 0 ] || dw_fail "run of $1 created no Backup"
  bk_wait_terminal "$2" "${RUN[@]}"
}

phase_reason() { jget "$1" '"\(.status.phase) \(.status.reason // "")"'; }

# ============================================================== (a) kill -9
DEST_A="$BK_DIR/dest-a"
db_run_postgres f-big --restart always --label dwtest=big --label "${P}engine=postgres" \
  --label "${P}databases=app" || dw_fail "postgres f-big"
t0=$SECONDS
db_seed_postgres f-big app "$BIG_ROWS" || dw_fail "seed f-big"
echo "seeded $BIG_ROWS rows in $((SECONDS - t0))s" >&2
bk_policy big big "$DEST_A"
n="$(bk_request big)"
B="$(bk_backups "$n")"
[ -n "$B" ] || dw_fail "(a) no Backup created"
tmp_seen() { bk_files "$DEST_A" | grep -q '\.tmp-'; }
wait_until "(a) the dump is being written to a temp file" 60 tmp_seen
kill -KILL "$DW_PID"
wait "$DW_PID" 2>/dev/null || true
DW_PID=""
assert_eq "(a) after kill -9 no artifact under a final name" "" \
  "$(bk_files "$DEST_A" | grep -v '\.tmp-' || true)"
serve_restart
wait_until "(a) Backup $B terminal after restart" 60 bk_terminal backup "$B"
assert_match "(a) interrupted Backup Failed with a reason" "$(phase_reason "backup/$B")" '^Failed [A-Z][A-Za-z]+$'
no_tmp() { ! bk_files "$DEST_A" | grep -q '\.tmp-'; }
wait_until "(a) temp file removed after restart" 30 no_tmp
run_policy big 300
assert_eq "(a) next run succeeds" "Succeeded" "$(bk_phase backup "${RUN[0]}")"
A_PATH="$(jget "backup/${RUN[0]}" .status.path)"
[ -f "$A_PATH" ] || dw_fail "(a) artifact $A_PATH missing"
dw_pass

# ============================================================== (b) full disk
DEST_B="$BK_DIR/dest-b"
mkdir -p "$DEST_B"
mount -t tmpfs -o size=2m tmpfs "$DEST_B" || dw_fail "(b) mount tmpfs"
db_run_redis f-small --label dwtest=tiny --label "${P}engine=redis" || dw_fail "redis f-small"
db_seed_redis f-small 0 100 || dw_fail "seed f-small"
bk_policy tiny tiny "$DEST_B"
run_policy tiny 120
assert_eq "(b) small artifact fits" Succeeded "$(bk_phase backup "${RUN[0]}")"
OLD="$(jget "backup/${RUN[0]}" .status.path)"
OLD_SUM="$(sha256sum "$OLD" "$OLD.json")"
db_run_postgres f-mid --label dwtest=tiny --label "${P}engine=postgres" \
  --label "${P}databases=app" || dw_fail "postgres f-mid"
db_seed_postgres f-mid app 40000 || dw_fail "seed f-mid"  # ~12 MB dump, ~6 MB zstd
run_policy tiny 180
for b in "${RUN[@]}"; do
  if [ "$(jget "backup/$b" .spec.container)" = f-mid ]; then
    assert_match "(b) full disk: Failed" "$(phase_reason "backup/$b")" '^Failed '
    assert_match "(b) message says the disk is full" "$(jget "backup/$b" .status.message)" \
      '[Nn]o space left'
  fi
done
assert_eq "(b) older artifact untouched" "$OLD_SUM" "$(sha256sum "$OLD" "$OLD.json")"
assert_eq "(b) no temp file left on the full disk" "" "$(bk_files "$DEST_B" | grep '\.tmp-' || true)"

# ============================================================== (c) hostile labels
MARK="/tmp/pwned-dwbk-$$"
rm -f "$MARK"
LONG="$(head -c 5000 /dev/zero | tr '\0' a)"
hostile() {  # NAME LABEL...
  local name=$1
  shift
  local args=(--label dwtest=hostile) l
  for l in "$@"; do args+=(--label "$l"); done
  db_run_idle "$name" "${args[@]}" || dw_fail "(c) container $name"
}
hostile h-rm "${P}engine=postgres" "${P}databases=; rm -rf /"
hostile h-subst "${P}engine=postgres" "${P}databases=\$(touch $MARK)"
hostile h-quote "${P}engine=mariadb" "${P}databases=app" "${P}user=\"o'neil\""
hostile h-newline "${P}engine=postgres" "${P}databases=app
DROP DATABASE app"
hostile h-long "${P}engine=postgres" "${P}databases=$LONG"
hostile h-bt "${P}engine=redis" "${P}user=\`touch $MARK\`"
# Valid for the validator (an absolute path), so it reaches sqlite3 as one
# argv element: the run fails (no such file), nothing is executed.
hostile h-path "${P}engine=sqlite" "${P}path=/srv/\$(touch $MARK).db"
bk_policy hostile hostile "$BK_DIR/dest-c"
seven() { [ "$(jget backuppolicy/hostile '.status.targets | length')" = 7 ]; }
wait_until "(c) all 7 hostile containers listed" 30 seven
for c in h-rm h-subst h-newline h-long; do
  err="$(jget backuppolicy/hostile ".status.targets[] | select(.container == \"$c\") | .error // \"\"")"
  assert_contains "(c) $c: error names the label" "$err" "databases"
  [ "${#err}" -lt 400 ] || dw_fail "(c) $c: error is ${#err} chars (hostile value echoed?)"
  # The value may be quoted (escaped as \x0a) but never carries a raw newline,
  # which could forge a second line in a log or an event.
  [[ "$err" != *$'\n'* ]] || dw_fail "(c) $c: error carries a raw newline: $err"
done
assert_contains "(c) h-quote: error names the label" \
  "$(jget backuppolicy/hostile '.status.targets[] | select(.container == "h-quote") | .error // ""')" user
assert_contains "(c) h-bt: error names the label" \
  "$(jget backuppolicy/hostile '.status.targets[] | select(.container == "h-bt") | .error // ""')" user
assert_not_contains "(c) long value never stored verbatim" \
  "$(k get backuppolicy hostile -o json)" "$(head -c 100 <<<"$LONG")"
assert_match "(c) policy Degraded by the invalid labels" \
  "$(jget backuppolicy/hostile '.status.conditions[] | select(.type == "Degraded") | .status')" True
assert_ok "(c) InvalidTargetLabels Event" k get events --field-selector involvedObject.name=hostile
assert_contains "(c) Event reason" "$OUT" InvalidTargetLabels
run_policy hostile 120
assert_eq "(c) only the valid-shaped target ran" "h-path" \
  "$(for b in "${RUN[@]}"; do jget "backup/$b" .spec.container; done | sort | tr '\n' ' ' | sed 's/ $//')"
assert_match "(c) h-path run Failed (no such file)" "$(phase_reason "backup/${RUN[0]}")" '^Failed '
[ ! -e "$MARK" ] || dw_fail "(c) $MARK exists on the host"
dw_pass
for c in h-rm h-subst h-quote h-newline h-long h-bt h-path; do
  if docker exec "$c" test -e "$MARK"; then dw_fail "(c) $MARK exists in $c"; fi
  dw_pass
done

# ============================================================== (d) dockerd restart
k patch backuppolicy big --type merge -p '{"spec":{"retry":{"attempts":5,"backoffSeconds":4}}}' >/dev/null
n="$(bk_request big)"
B="$(bk_backups "$n")"
running() { [ "$(bk_phase backup "$B")" = Running ]; }
wait_until "(d) Backup running" 60 running
sleep 1
# SIGKILL, not SIGTERM: a graceful dockerd waits for its containers, and
# PostgreSQL's smart shutdown waits for pg_dump, so the stream would finish.
db_daemon_kill "$BK_DOCK"
wait_until "(d) DockerHost Ready=False" 30 bk_cond_is dockerhost/local Ready False
wait_until "(d) BackupPolicy Degraded" 30 bk_cond_is backuppolicy/big Degraded True
sleep 3
db_daemon_start "$BK_DOCK" || dw_fail "(d) dockerd restart"
wait_until "(d) DockerHost Ready=True again" 30 bk_cond_is dockerhost/local Ready True
docker start f-big >/dev/null 2>&1 || true  # --restart always usually did it already
wait_until "(d) postgres back" 60 docker exec f-big pg_isready -q -h /run/postgresql
wait_until "(d) Backup terminal" 300 bk_terminal backup "$B"
attempts="$(jget "backup/$B" '.status.attempts // 0')"
echo "(d) Backup $B: $(phase_reason "backup/$B"), attempts=$attempts" >&2
[ "$attempts" -ge 2 ] || dw_fail "(d) Backup not retried (attempts=$attempts): $(k get backup "$B" -o yaml)"
dw_pass
assert_ok "(d) retry Event" k get events --field-selector "involvedObject.name=$B"
assert_contains "(d) RetryingAfterError Event" "$OUT" RetryingAfterError
run_policy big 300
assert_eq "(d) next run succeeds, same dockward" Succeeded "$(bk_phase backup "${RUN[0]}")"
kill -0 "$DW_PID" || dw_fail "(d) dockward serve died"
dw_pass

# ============================================================== (e) corrupt artifacts
# f-mid fills the 2 MiB tmpfs on every run, and a small backup running beside
# it can hit the same full disk: (e) needs only the small one.
# The dockerd restart of (d) stopped f-small (no restart policy): start it.
docker rm -f f-mid >/dev/null
docker start f-small >/dev/null
wait_until "(e) redis f-small back" 30 docker exec f-small redis-cli ping
run_policy tiny 120
declare -a GOOD=()
for b in "${RUN[@]}"; do
  [ "$(bk_phase backup "$b")" = Succeeded ] && GOOD+=("$b")
done
[ "${#GOOD[@]}" -ge 1 ] || dw_fail "(e) no Succeeded Backup to corrupt: $(for b in "${RUN[@]}"; do echo "$b $(phase_reason "backup/$b") $(jget "backup/$b" .status.message)"; done)"
db_run_redis f-target || dw_fail "(e) redis f-target"
CORRUPT="$(jget "backup/${GOOD[0]}" .status.path)"
size="$(stat -c %s "$CORRUPT")"
printf 'X' | dd of="$CORRUPT" bs=1 seek=$((size / 2)) conv=notrunc status=none
bk_render restore.yaml NAME=r-corrupt BACKUP="${GOOD[0]}" CONTAINER=f-target | k apply -f - >/dev/null
bk_wait_restore 120 r-corrupt
assert_match "(e) corrupted artifact: Restore Failed, verification" \
  "$(phase_reason restore/r-corrupt)" '^Failed Verification'
# Truncated: the newest good postgres artifact of policy big cut in half
# (retention may have pruned older ones).
A_BACKUP="$(k get backups -l dockward.io/policy=big -o json | jq -r '[.items[] |
  select(.status.phase == "Succeeded" and (.spec.dryRun | not))] |
  sort_by(.status.completionTime) | last | .metadata.name // ""')"
[ -n "$A_BACKUP" ] || dw_fail "(e) no Succeeded Backup of policy big to truncate"
TRUNC="$(jget "backup/$A_BACKUP" .status.path)"
[ -f "$TRUNC" ] || dw_fail "(e) artifact $TRUNC of $A_BACKUP is missing"
truncate -s $(($(stat -c %s "$TRUNC") / 2)) "$TRUNC"
db_run_postgres f-target-pg || dw_fail "(e) postgres target"
db_create_postgres f-target-pg app
bk_render restore.yaml NAME=r-trunc BACKUP="$A_BACKUP" CONTAINER=f-target-pg | k apply -f - >/dev/null
bk_wait_restore 120 r-trunc
assert_match "(e) truncated artifact: Restore Failed, verification" \
  "$(phase_reason restore/r-trunc)" '^Failed Verification'
assert_eq "(e) nothing restored from the truncated artifact" "0" \
  "$(docker exec f-target-pg psql -At -U postgres -d app -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")"

# ============================================================== (f) webhook
SINK="$BK_DIR/sink"
mkdir -p "$SINK"
python3 "$HERE/../tools/webhook_sink.py" "$SINK" &
DW_BG_PIDS+=($!)
wait_until "(f) webhook sink listening" 10 test -s "$SINK/port"
TOKEN="s3cr3t-tok-$RANDOM$RANDOM"
URL="http://127.0.0.1:$(cat "$SINK/port")/hook/$TOKEN"
k create secret generic hook --from-literal=url="$URL" >/dev/null
db_run_sqlite f-nofile /srv/app/app.db --label dwtest=hook --label "${P}engine=sqlite" \
  --label "${P}path=/srv/app/missing.db" || dw_fail "(f) sqlite f-nofile"
db_run_redis f-hook-ok --label dwtest=hook --label "${P}engine=redis" || dw_fail "(f) redis"
bk_policy hook hook "$BK_DIR/dest-f"
k patch backuppolicy hook --type merge -p \
  '{"spec":{"retry":{"attempts":1},"notifications":{"webhook":{"urlSecretRef":{"name":"hook","key":"url"}},"on":["Success","Failure"]}}}' \
  >/dev/null
run_policy hook 120
two_posts() { [ "$(ls "$SINK" | grep -c '\.json$')" -ge 2 ]; }
wait_until "(f) two notifications received" 30 two_posts
bodies="$(cat "$SINK"/*.json)"
assert_eq "(f) one Succeeded and one Failed notification" "Failed Succeeded" \
  "$(jq -rs 'map(.phase) | sort | join(" ")' <<<"$bodies")"
assert_eq "(f) failure notification names its container" f-nofile \
  "$(jq -rs 'map(select(.phase == "Failed")) | .[0].container' <<<"$bodies")"
assert_match "(f) success notification carries the sha256" \
  "$(jq -rs 'map(select(.phase == "Succeeded")) | .[0].sha256' <<<"$bodies")" '^[a-f0-9]{64}$'
assert_eq "(f) POSTed to the Secret's path" "path /hook/$TOKEN" "$(head -n1 "$SINK/0001.meta")"
everything="$(k get backuppolicies,backups,restores -o yaml; k get events -o yaml; cat "$DW_DIR/serve.log")"
assert_not_contains "(f) webhook URL never in status, Events or logs" "$everything" "$TOKEN"

dw_finish backup_faults
