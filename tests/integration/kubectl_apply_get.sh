#!/usr/bin/env bash
# kubectl conformance: apply (every input form, client- and server-side,
# conflicts, dry runs, generation rules) and get (every output format,
# selectors, all-namespaces, watch, short names, categories, core kinds).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
source "$HERE/lib.sh"
TD="$HERE/testdata"

# API-server semantics: no controller may rewrite the objects under test.
dw_start --controllers=none

# --- apply: a file, re-apply, a change -------------------------------------
assert_ok "apply a file" k apply -f "$TD/bp-nightly.yaml"
assert_eq "apply prints created" "backuppolicy.dockward.io/nightly created" "$OUT"
assert_eq "stored spec" "/var/backups/nightly" "$(jget bp/nightly .spec.destination.path)"
assert_eq "defaults applied" "zstd Forbid 3" \
  "$(jget bp/nightly '"\(.spec.compression) \(.spec.concurrencyPolicy) \(.spec.retry.attempts)"')"
assert_eq "first generation" "1" "$(jget bp/nightly .metadata.generation)"
assert_ok "re-apply" k apply -f "$TD/bp-nightly.yaml"
assert_eq "re-apply prints unchanged" "backuppolicy.dockward.io/nightly unchanged" "$OUT"
assert_eq "unchanged keeps generation" "1" "$(jget bp/nightly .metadata.generation)"

sed 's/daily: 7/daily: 9/' "$TD/bp-nightly.yaml" >"$DW_TMP/nightly9.yaml"
assert_ok "apply a change" k apply -f "$DW_TMP/nightly9.yaml"
assert_eq "apply prints configured" "backuppolicy.dockward.io/nightly configured" "$OUT"
assert_eq "changed field stored" "9" "$(jget bp/nightly .spec.retention.daily)"
assert_eq "spec change bumps generation" "2" "$(jget bp/nightly .metadata.generation)"
assert_contains "client-side apply keeps last-applied" \
  "$(jget bp/nightly '.metadata.annotations["kubectl.kubernetes.io/last-applied-configuration"]')" '"daily":9'

# A status-only change goes through /status and leaves generation alone.
assert_ok "status patch" k patch bp nightly --subresource=status --type=merge \
  -p '{"status":{"observedGeneration":2,"lastScheduleTime":"2024-05-01T02:00:00Z"}}'
assert_eq "status stored" "2024-05-01T02:00:00Z" "$(jget bp/nightly .status.lastScheduleTime)"
assert_eq "status change keeps generation" "2" "$(jget bp/nightly .metadata.generation)"

# --dry-run=server validates and answers but stores nothing.
rv_before=$(jget bp/nightly .metadata.resourceVersion)
sed 's/daily: 7/daily: 30/' "$TD/bp-nightly.yaml" >"$DW_TMP/nightly30.yaml"
assert_ok "apply --dry-run=server" k apply --dry-run=server -f "$DW_TMP/nightly30.yaml"
assert_eq "dry run prints the would-be result" "backuppolicy.dockward.io/nightly configured (server dry run)" "$OUT"
assert_eq "dry run stored nothing" "9 $rv_before" \
  "$(jget bp/nightly '"\(.spec.retention.daily) \(.metadata.resourceVersion)"')"
sed 's/name: nightly/name: ghost/' "$TD/bp-nightly.yaml" >"$DW_TMP/ghost.yaml"
assert_ok "create with --dry-run=server" k apply --dry-run=server -f "$DW_TMP/ghost.yaml"
assert_eq "dry-run create message" "backuppolicy.dockward.io/ghost created (server dry run)" "$OUT"
assert_fails "dry-run create stored nothing" k get bp ghost
assert_contains "dry-run object is NotFound" "$OUT" 'backuppolicies.dockward.io "ghost" not found'

# --- apply: a directory, a multi-document file, stdin ----------------------
assert_ok "apply a directory" k apply -f "$TD/dir"
assert_contains "directory: bp" "$OUT" "backuppolicy.dockward.io/weekly created"
assert_contains "directory: sl" "$OUT" "stacklimits.dockward.io/limits created"
assert_ok "apply a multi-document file" k apply -f "$TD/multi.yaml"
assert_eq "multi-document: three objects" \
  "dockerhost.dockward.io/local created
pluginpolicy.dockward.io/community created
gitrepository.dockward.io/config created" "$OUT"
assert_eq "multi-document stored" "https://git.example.org/ops/config.git" "$(jget gitrepo/config .spec.url)"
run k apply -f - <<'EOF'
apiVersion: dockward.io/v1alpha1
kind: BackupPolicy
metadata:
  name: from-stdin
  labels:
    app: cache
spec:
  schedule: "@hourly"
  destination:
    path: /var/backups/stdin
EOF
assert_eq "apply stdin exit code" "0" "$RC"
assert_eq "apply stdin" "backuppolicy.dockward.io/from-stdin created" "$OUT"

# --- server-side apply, conflicts, --force-conflicts ------------------------
cat >"$DW_TMP/ssa.yaml" <<'EOF'
apiVersion: dockward.io/v1alpha1
kind: BackupPolicy
metadata:
  name: ssa
  labels:
    app: ssa
spec:
  schedule: "@daily"
  destination:
    path: /var/backups/ssa
EOF
assert_ok "server-side apply" k apply --server-side -f "$DW_TMP/ssa.yaml"
assert_eq "server-side apply prints serverside-applied" "backuppolicy.dockward.io/ssa serverside-applied" "$OUT"
assert_eq "managedFields records kubectl as Apply manager" "kubectl Apply" \
  "$(jget bp/ssa '.metadata.managedFields[] | select(.operation=="Apply") | "\(.manager) \(.operation)"' --show-managed-fields)"
assert_eq "no last-applied annotation with server-side apply" "null" \
  "$(jget bp/ssa '.metadata.annotations["kubectl.kubernetes.io/last-applied-configuration"]')"
assert_ok "server-side re-apply" k apply --server-side -f "$DW_TMP/ssa.yaml"
assert_eq "server-side re-apply keeps generation" "1" "$(jget bp/ssa .metadata.generation)"
sed 's/"@daily"/"@hourly"/' "$DW_TMP/ssa.yaml" >"$DW_TMP/ssa-other.yaml"
assert_fails "another manager changing an owned field conflicts" \
  k apply --server-side --field-manager=other -f "$DW_TMP/ssa-other.yaml"
assert_contains "conflict names the field and owner" "$OUT" 'conflict with "kubectl"'
assert_contains "conflict names the field" "$OUT" ".spec.schedule"
assert_eq "conflicting apply stored nothing" "@daily" "$(jget bp/ssa .spec.schedule)"
assert_ok "--force-conflicts takes over" \
  k apply --server-side --force-conflicts --field-manager=other -f "$DW_TMP/ssa-other.yaml"
assert_eq "forced value stored" "@hourly" "$(jget bp/ssa .spec.schedule)"
assert_eq "forced change bumps generation" "2" "$(jget bp/ssa .metadata.generation)"
assert_contains "other now owns spec.schedule" \
  "$(jget bp/ssa '.metadata.managedFields[] | select(.manager=="other") | .fieldsV1 | tostring' --show-managed-fields)" '"f:schedule"'

# --- get: tables and formats ------------------------------------------------
assert_ok "get table" k get backuppolicies
header=$(head -n1 <<<"$OUT")
assert_match "table header" "$header" '^NAME +SCHEDULE +SUSPEND +LAST SUCCESS +READY +AGE$'
# Empty cells print blank for custom resources, as against Kubernetes.
assert_match "table row" "$OUT" '^nightly +0 2 \* \* \* +false +[0-9]+s$'
assert_ok "get -o wide" k get bp -o wide
assert_match "wide header has priority-1 columns" "$(head -n1 <<<"$OUT")" \
  '^NAME +SCHEDULE +SUSPEND +LAST SUCCESS +NEXT +DESTINATION +READY +AGE$'
assert_match "wide row" "$OUT" '^weekly +@weekly +false +/var/backups/weekly +[0-9]+s$'
assert_ok "get -o yaml" k get bp nightly -o yaml
assert_contains "yaml kind" "$OUT" "kind: BackupPolicy"
assert_contains "yaml spec" "$OUT" "path: /var/backups/nightly"
assert_ok "get -o json" k get bp nightly -o json
assert_eq "json name" "nightly" "$(jq -r .metadata.name <<<"$OUT")"
assert_ok "get -o name" k get bp -o name
assert_eq "names" "backuppolicy.dockward.io/from-stdin
backuppolicy.dockward.io/nightly
backuppolicy.dockward.io/ssa
backuppolicy.dockward.io/weekly" "$OUT"
assert_ok "get -o jsonpath" k get bp -o 'jsonpath={.items[*].metadata.name}'
assert_eq "jsonpath names" "from-stdin nightly ssa weekly" "$OUT"
assert_ok "list as json" k get bp -o json
assert_eq "list kind" "List 4" "$(jq -r '"\(.kind) \(.items|length)"' <<<"$OUT")"

# --- selectors, namespaces, labels ------------------------------------------
assert_ok "label selector =" k get bp -l app=db -o name
assert_eq "-l app=db" "backuppolicy.dockward.io/nightly" "$OUT"
assert_ok "label selector in" k get bp -l 'app in (web,cache)' -o name
assert_eq "-l app in (web,cache)" "backuppolicy.dockward.io/from-stdin
backuppolicy.dockward.io/weekly" "$OUT"
assert_ok "label selector !=" k get bp -l 'app,app!=db' -o 'jsonpath={.items[*].metadata.name}'
assert_eq "-l app,app!=db" "from-stdin ssa weekly" "$OUT"
assert_fails "bad selector" k get bp -l 'app in (a'
run k apply -f - <<'EOF'
apiVersion: v1
kind: Namespace
metadata:
  name: team-a
EOF
assert_eq "create ns prints" "namespace/team-a created" "$OUT"
sed 's/name: nightly/name: other-ns/' "$TD/bp-nightly.yaml" >"$DW_TMP/other-ns.yaml"
assert_ok "apply into a namespace" k apply -n team-a -f "$DW_TMP/other-ns.yaml"
assert_eq "namespaced apply" "backuppolicy.dockward.io/other-ns created" "$OUT"
assert_ok "get -A" k get bp -A
assert_match "-A header" "$(head -n1 <<<"$OUT")" '^NAMESPACE +NAME +SCHEDULE'
assert_match "-A row from team-a" "$OUT" '^team-a +other-ns +0 2 \* \* \*'
assert_match "-A row from default" "$OUT" '^default +nightly +0 2 \* \* \*'
assert_ok "default namespace excludes team-a" k get bp -o name
assert_not_contains "namespace scoping" "$OUT" "other-ns"
assert_ok "get --show-labels" k get bp nightly --show-labels
assert_match "LABELS column" "$(head -n1 <<<"$OUT")" ' LABELS$'
assert_match "labels value" "$OUT" '^nightly .* app=db$'

# --- short names, categories, core kinds ------------------------------------
for pair in bp:nightly sl:limits pp:community dh:local gitrepo:config; do
  assert_ok "short name ${pair%%:*}" k get "${pair%%:*}" -o name
  assert_contains "short name ${pair%%:*} lists" "$OUT" "/${pair##*:}"
done
assert_ok "category dockward" k get dockward -o name
for n in backuppolicy.dockward.io/nightly stacklimits.dockward.io/limits pluginpolicy.dockward.io/community \
  dockerhost.dockward.io/local gitrepository.dockward.io/config; do
  assert_contains "category lists $n" "$OUT" "$n"
done
assert_ok "get ns" k get ns
assert_match "ns header" "$(head -n1 <<<"$OUT")" '^NAME +STATUS +AGE$'
assert_match "ns default Active" "$OUT" '^default +Active +'
assert_match "ns team-a Active" "$OUT" '^team-a +Active +'
run k apply -f - <<'EOF'
apiVersion: v1
kind: Secret
metadata:
  name: creds
stringData:
  user: admin
data:
  pass: czNjcmV0
EOF
assert_eq "secret created" "secret/creds created" "$OUT"
# kubectl's typed generators send protobuf bodies.
assert_ok "kubectl create secret generic (protobuf body)" \
  k create secret generic gen --from-literal=user=admin --from-literal=empty= --type=dockward.io/token
assert_eq "create secret prints" "secret/gen created" "$OUT"
assert_eq "protobuf secret stored" "dockward.io/token admin " \
  "$(jget secret/gen '"\(.type) \(.data.user | @base64d) \(.data.empty | @base64d)"')"
assert_ok "kubectl create namespace (protobuf body)" k create namespace made-by-create
assert_eq "create namespace prints" "namespace/made-by-create created" "$OUT"
assert_eq "protobuf namespace stored" "Active kubernetes" \
  "$(jget ns/made-by-create '"\(.status.phase) \(.spec.finalizers | join(","))"')"
assert_ok "get secrets" k get secrets
assert_match "secrets header" "$(head -n1 <<<"$OUT")" '^NAME +TYPE +DATA +AGE$'
assert_match "secret row" "$OUT" '^creds +Opaque +2 +'
assert_match "generated secret row" "$OUT" '^gen +dockward.io/token +2 +'
assert_eq "secret data is base64" "s3cret" "$(jget secret/creds '.data.pass | @base64d')"
assert_eq "stringData folded into data, never stored" "admin null" \
  "$(jget secret/creds '"\(.data.user | @base64d) \(.stringData)"')"
run k create -f - <<'EOF'
apiVersion: v1
kind: Event
metadata:
  name: nightly.1
involvedObject:
  apiVersion: dockward.io/v1alpha1
  kind: BackupPolicy
  name: nightly
  namespace: default
reason: Scheduled
message: next run at 02:00
type: Normal
count: 1
firstTimestamp: "2024-05-01T01:00:00Z"
lastTimestamp: "2024-05-01T01:00:00Z"
source:
  component: dockward
EOF
assert_eq "create event" "event/nightly.1 created" "$OUT"
assert_ok "get events" k get events
assert_match "events header" "$(head -n1 <<<"$OUT")" '^LAST SEEN +TYPE +REASON +OBJECT +MESSAGE$'
assert_match "event row" "$OUT" 'Normal +Scheduled +backuppolicy/nightly +next run at 02:00'

# --- get -w: a new object shows up as a new row -----------------------------
timeout 15 kubectl --kubeconfig "$KUBECONFIG_FILE" get bp -w >"$DW_TMP/watch.out" 2>&1 &
DW_BG_PIDS+=($!)
wait_until "watch prints the initial table" 10 grep -q '^weekly ' "$DW_TMP/watch.out"
sed 's/name: nightly/name: watched/' "$TD/bp-nightly.yaml" >"$DW_TMP/watched.yaml"
assert_ok "create while watching" k apply -f "$DW_TMP/watched.yaml"
wait_until "watch prints the new row" 10 grep -qE '^watched +0 2 \* \* \* +false' "$DW_TMP/watch.out"
assert_eq "watch prints one header only" "1" "$(grep -c '^NAME ' "$DW_TMP/watch.out")"

# A filtered watch resumed from the list's resourceVersion still reports
# changes and deletions of the selected objects.
sed 's/name: nightly/name: filtered/; s/app: db/app: filtered/' "$TD/bp-nightly.yaml" >"$DW_TMP/filtered.yaml"
assert_ok "create the filtered object" k apply -f "$DW_TMP/filtered.yaml"
timeout 15 kubectl --kubeconfig "$KUBECONFIG_FILE" get bp -l app=filtered -w --output-watch-events \
  >"$DW_TMP/watch2.out" 2>&1 &
DW_BG_PIDS+=($!)
wait_until "filtered watch lists the object" 10 grep -qE '^ADDED +filtered ' "$DW_TMP/watch2.out"
assert_ok "change while watching" k patch bp filtered --type=merge -p '{"spec":{"suspend":true}}'
wait_until "filtered watch reports the change" 10 grep -qE '^MODIFIED +filtered +0 2 \* \* \* +true' "$DW_TMP/watch2.out"
assert_ok "delete while watching" k delete bp filtered
wait_until "filtered watch reports the deletion" 10 grep -qE '^DELETED +filtered ' "$DW_TMP/watch2.out"
assert_not_contains "filtered watch shows only selected objects" "$(cat "$DW_TMP/watch2.out")" "nightly"

dw_finish kubectl_apply_get
