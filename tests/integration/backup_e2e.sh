#!/usr/bin/env bash
# End to end: BackupPolicy -> Backups -> artifacts -> Restore, through the
# real `dockward serve`, the real kubectl and real PostgreSQL 15, MariaDB,
# Redis and SQLite containers on a private dockerd (tests/integration/lib/).
#
# Checks: one manual run backs up all four engines (Succeeded, sha256/size/
# path equal to the file on disk, sidecar present, artifact encrypted); each
# artifact restored into a FRESH container gives the same content fingerprint;
# `kubectl get bp` columns and `kubectl describe` Events; `dockward backup run
# --wait` / `verify` when the binary has them; retention keepLast 2 after
# three more runs (2 Backups + 2 artifacts per target); a dry run writes
# nothing to disk.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/lib.sh"
source "$HERE/lib/db.sh"
source "$HERE/lib/backup.sh"

ROWS=1000
bk_setup
DEST="$BK_DIR/backups"

# --- source containers, seeded ------------------------------------------
P=dockward.io/backup.
db_run_postgres e2e-pg --label dwtest=e2e --label "${P}engine=postgres" \
  --label "${P}databases=app" || dw_fail "postgres did not start"
db_seed_postgres e2e-pg app "$ROWS" || dw_fail "postgres seed"
db_run_mariadb e2e-my --label dwtest=e2e --label "${P}engine=mariadb" \
  --label "${P}databases=shop" || dw_fail "mariadb did not start"
db_seed_mariadb e2e-my shop "$ROWS" || dw_fail "mariadb seed"
db_run_redis e2e-rd --label dwtest=e2e --label "${P}engine=redis" || dw_fail "redis did not start"
db_seed_redis e2e-rd 0 "$ROWS" || dw_fail "redis seed"
db_run_sqlite e2e-sq /srv/app/app.db --label dwtest=e2e --label "${P}engine=sqlite" \
  --label "${P}path=/srv/app/app.db" || dw_fail "sqlite did not start"
db_seed_sqlite e2e-sq /srv/app/app.db "$ROWS" || dw_fail "sqlite seed"
declare -A FP
FP[e2e-pg]="$(db_fingerprint_postgres e2e-pg app)"
FP[e2e-my]="$(db_fingerprint_mariadb e2e-my shop)"
FP[e2e-rd]="$(db_fingerprint_redis e2e-rd 0)"
FP[e2e-sq]="$(db_fingerprint_sqlite e2e-sq /srv/app/app.db)"
assert_eq "postgres seed fingerprint rows" "rows=1100" "${FP[e2e-pg]%% *}"
assert_eq "redis seed fingerprint rows" "rows=1101" "${FP[e2e-rd]%% *}"

# --- policy and targets ---------------------------------------------------
bk_policy nightly e2e "$DEST"
targets_resolved() { [ "$(jget backuppolicy/nightly '[.status.targets[]? | select(.error == null)] | length')" = 4 ]; }
wait_until "policy resolves the 4 labelled containers" 30 targets_resolved
assert_eq "target engines" "mariadb postgres redis sqlite" \
  "$(jget backuppolicy/nightly '[.status.targets[].engine] | sort | join(" ")')"

# --- one run ----------------------------------------------------------------
NONCE="$(bk_request nightly)"
mapfile -t RUN1 < <(bk_backups "$NONCE")
assert_eq "one Backup per target" 4 "${#RUN1[@]}"
bk_wait_terminal 180 "${RUN1[@]}"
declare -A BK_OF  # container -> Backup of run 1
for b in "${RUN1[@]}"; do
  js="$(k get backup "$b" -o json)"
  c="$(jq -r .spec.container <<<"$js")"
  BK_OF[$c]="$b"
  assert_eq "Backup $b ($c) phase [$(jq -r '"\(.status.reason) \(.status.message)"' <<<"$js")]" \
    Succeeded "$(jq -r .status.phase <<<"$js")"
  path="$(jq -r .status.path <<<"$js")"
  [ -f "$path" ] || dw_fail "artifact $path of $b missing"
  [ -f "$path.json" ] || dw_fail "sidecar $path.json of $b missing"
  case "$path" in "$DEST"/*) dw_pass ;; *) dw_fail "artifact $path outside $DEST" ;; esac
  assert_eq "$b sha256 = the file's" "$(sha256sum "$path" | cut -d' ' -f1)" "$(jq -r .status.sha256 <<<"$js")"
  assert_eq "$b sizeBytes = the file's" "$(stat -c %s "$path")" "$(jq -r .status.sizeBytes <<<"$js")"
  assert_eq "$b labelled with its policy" nightly "$(jq -r '.metadata.labels["dockward.io/policy"]' <<<"$js")"
  assert_eq "$b owned by the policy" BackupPolicy "$(jq -r '.metadata.ownerReferences[0].kind' <<<"$js")"
  # Encrypted: no seeded value may appear in the file in clear.
  if grep -qa 'item-1' "$path"; then dw_fail "artifact $path holds plaintext rows"; fi
  dw_pass
done
assert_eq "Backups cover every container" "e2e-my e2e-pg e2e-rd e2e-sq" \
  "$(printf '%s\n' "${!BK_OF[@]}" | sort | tr '\n' ' ' | sed 's/ $//')"

# --- kubectl views ----------------------------------------------------------
assert_ok "kubectl get bp" k get bp nightly
assert_match "get bp header" "$(head -n1 <<<"$OUT")" '^NAME +SCHEDULE +SUSPEND +LAST SUCCESS +READY +AGE'
assert_match "get bp row" "$(sed -n 2p <<<"$OUT")" '^nightly +@yearly +false +[0-9]+[smh] +True +'
assert_ok "kubectl get backups" k get backups -l "dockward.io/run-request=$NONCE"
assert_match "get backups header" "$(head -n1 <<<"$OUT")" '^NAME +POLICY +CONTAINER +PHASE +SIZE +AGE'
assert_eq "get backups rows all Succeeded" 4 "$(grep -c ' Succeeded ' <<<"$OUT")"
assert_ok "kubectl describe backup" k describe backup "${BK_OF[e2e-pg]}"
assert_match "describe shows the success Event" "$OUT" 'Normal +BackupSucceeded'

# --- restore each artifact into a fresh container -----------------------------
db_run_postgres e2e-pg2 || dw_fail "postgres 2"
db_create_postgres e2e-pg2 app || dw_fail "createdb app in e2e-pg2"
db_run_mariadb e2e-my2 || dw_fail "mariadb 2"
db_run_redis e2e-rd2 || dw_fail "redis 2"
db_run_sqlite e2e-sq2 /srv/app/app.db || dw_fail "sqlite 2"
for c in e2e-pg e2e-my e2e-rd e2e-sq; do
  bk_render restore.yaml NAME="restore-$c" BACKUP="${BK_OF[$c]}" CONTAINER="${c}2" |
    k apply -f - >/dev/null || dw_fail "Restore of $c not created"
done
for c in e2e-pg e2e-my e2e-rd e2e-sq; do
  bk_wait_restore 180 "restore-$c"
  assert_eq "Restore restore-$c phase [$(jget "restore/restore-$c" '"\(.status.reason) \(.status.message)"')]" \
    Succeeded "$(bk_phase restore "restore-$c")"
done
assert_eq "postgres restored content" "${FP[e2e-pg]}" "$(db_fingerprint_postgres e2e-pg2 app)"
assert_eq "mariadb restored content" "${FP[e2e-my]}" "$(db_fingerprint_mariadb e2e-my2 shop)"
assert_eq "redis restored content" "${FP[e2e-rd]}" "$(db_fingerprint_redis e2e-rd2 0)"
assert_eq "sqlite restored content" "${FP[e2e-sq]}" "$(db_fingerprint_sqlite e2e-sq2 /srv/app/app.db)"
for c in e2e-pg e2e-my e2e-rd e2e-sq; do k delete restore "restore-$c" >/dev/null; done

# --- the CLI, when this binary has it -------------------------------------------
if "$DOCKWARD" backup --help >/dev/null 2>&1; then
  assert_ok "dockward backup verify" "$DOCKWARD" backup verify \
    "$(jget "backup/${BK_OF[e2e-pg]}" .status.path)" --key-file "$BK_KEY"
  assert_fails "verify without the key of an encrypted artifact's content" \
    "$DOCKWARD" backup verify "$(jget "backup/${BK_OF[e2e-pg]}" .status.path)" \
    --key-file <(head -c 32 /dev/zero)
  assert_ok "dockward backup run --wait" "$DOCKWARD" --kubeconfig "$KUBECONFIG_FILE" \
    backup run nightly --wait --timeout 3m
  # Progress lines come first; the final table starts at its NAME header.
  assert_eq "CLI run: 4 Succeeded in the final table" 4 \
    "$(awk '/^NAME /{n=0; next} /Succeeded/{n++} END{print n+0}' <<<"$OUT")"
  CLI_RUNS=1
else
  echo "note: $DOCKWARD has no 'backup' verb; CLI checks skipped" >&2
  CLI_RUNS=0
fi

# --- retention: keepLast 2 per target ----------------------------------------------
for _ in $(seq $((CLI_RUNS + 1)) 3); do
  n="$(bk_request nightly)"
  mapfile -t R < <(bk_backups "$n")
  assert_eq "run $n: one Backup per target" 4 "${#R[@]}"
  bk_wait_terminal 180 "${R[@]}"
done
pruned() {
  [ "$(k get backups -l dockward.io/policy=nightly -o json | jq '.items | length')" = 8 ] &&
    [ "$(bk_files "$DEST" | grep -vc '\.json$')" = 8 ]
}
wait_until "retention leaves 2 Backups and 2 artifacts per target" 30 pruned
assert_eq "2 Succeeded Backups per target" "2 2 2 2" \
  "$(k get backups -l dockward.io/policy=nightly -o json |
     jq -r '[.items[] | select(.status.phase == "Succeeded") | .spec.container] | group_by(.) | map(length) | map(tostring) | join(" ")')"
assert_eq "a sidecar for every artifact" 8 "$(bk_files "$DEST" | grep -c '\.json$')"
assert_eq "no temp file left" "" "$(bk_files "$DEST" | grep '\.tmp-' || true)"
for b in "${RUN1[@]}"; do
  gone "backup/$b" || dw_fail "oldest Backup $b not pruned"
  dw_pass
done

# --- dry run: Backups say what would happen, nothing reaches the disk -----------------
before="$(bk_files "$DEST")"
n="$(bk_request nightly dry)"
mapfile -t R < <(bk_backups "$n")
assert_eq "dry run: one Backup per target" 4 "${#R[@]}"
bk_wait_terminal 60 "${R[@]}"
for b in "${R[@]}"; do
  assert_eq "dry-run Backup $b" "true Succeeded DryRun" \
    "$(jget "backup/$b" '"\(.spec.dryRun) \(.status.phase) \(.status.reason)"')"
  assert_match "dry-run $b message names what would run" "$(jget "backup/$b" .status.message)" 'would run'
done
assert_eq "dry run wrote nothing" "$before" "$(bk_files "$DEST")"

# --- a Backup written by hand (kubectl create -f) runs with its policy's settings -----
k create -f - >/dev/null <<YAML
apiVersion: dockward.io/v1alpha1
kind: Backup
metadata: {name: by-hand}
spec: {policyName: nightly, host: local, container: e2e-sq, engine: sqlite}
YAML
bk_wait_terminal 120 by-hand
assert_eq "hand-made Backup succeeded" Succeeded "$(bk_phase backup by-hand)"
hand="$(jget backup/by-hand .status.path)"
assert_match "hand-made artifact under the policy's destination, encrypted" "$hand" "^$DEST/local/e2e-sq/.*\.enc$"
[ -f "$hand" ] && [ -f "$hand.json" ] || dw_fail "hand-made artifact or sidecar missing: $hand"
assert_eq "its checksum is the file's" "$(sha256sum "$hand" | cut -d' ' -f1)" "$(jget backup/by-hand .status.sha256)"
assert_eq "not owned by the policy" "" "$(jget backup/by-hand '.metadata.ownerReferences // [] | map(.name) | join(",")')"

dw_finish backup_e2e
