#!/usr/bin/env bash
# kubectl conformance: the verbs that change existing objects — diff, edit,
# patch (merge, json, strategic, status), label, annotate, replace with a
# stale resourceVersion — and server-side validation of what apply sends.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
source "$HERE/lib.sh"
TD="$HERE/testdata"

# API-server semantics: no controller may rewrite the objects under test.
dw_start --controllers=none
assert_ok "seed" k apply -f "$TD/bp-nightly.yaml"

# --- diff --------------------------------------------------------------------
assert_ok "diff without a change exits 0" k diff -f "$TD/bp-nightly.yaml"
assert_eq "diff without a change prints nothing" "" "$OUT"
sed 's/daily: 7/daily: 14/' "$TD/bp-nightly.yaml" >"$DW_TMP/nightly14.yaml"
run k diff -f "$DW_TMP/nightly14.yaml"
assert_eq "diff with a change exits 1" "1" "$RC"
assert_match "diff shows the old line" "$OUT" '^-    daily: 7$'
assert_match "diff shows the new line" "$OUT" '^\+    daily: 14$'
assert_match "diff shows the generation move" "$OUT" '^\+  generation: 2$'
assert_eq "diff changed nothing" "7 1" "$(jget bp/nightly '"\(.spec.retention.daily) \(.metadata.generation)"')"

# --- edit --------------------------------------------------------------------
cat >"$DW_TMP/editor.sh" <<'EOF'
#!/bin/sh
sed -i 's/daily: 7/daily: 21/' "$1"
EOF
chmod +x "$DW_TMP/editor.sh"
run env KUBE_EDITOR="$DW_TMP/editor.sh" kubectl --kubeconfig "$KUBECONFIG_FILE" edit bp nightly
assert_eq "edit exit code" "0" "$RC"
assert_eq "edit prints edited" "backuppolicy.dockward.io/nightly edited" "$OUT"
assert_eq "edit stored" "21 2" "$(jget bp/nightly '"\(.spec.retention.daily) \(.metadata.generation)"')"
printf '#!/bin/sh\ntrue\n' >"$DW_TMP/noop.sh"
chmod +x "$DW_TMP/noop.sh"
run env KUBE_EDITOR="$DW_TMP/noop.sh" kubectl --kubeconfig "$KUBECONFIG_FILE" edit bp nightly
assert_eq "edit without change" "Edit cancelled, no changes made." "$OUT"

# --- patch -------------------------------------------------------------------
assert_ok "merge patch" k patch bp nightly --type=merge -p '{"spec":{"suspend":true,"retention":{"daily":null,"weekly":4}}}'
assert_eq "merge patch prints patched" "backuppolicy.dockward.io/nightly patched" "$OUT"
assert_eq "merge patch stored" 'true null 4' \
  "$(jget bp/nightly '"\(.spec.suspend) \(.spec.retention.daily) \(.spec.retention.weekly)"')"
assert_ok "merge patch again" k patch bp nightly --type=merge -p '{"spec":{"suspend":true}}'
assert_eq "no-op patch" "backuppolicy.dockward.io/nightly patched (no change)" "$OUT"
assert_ok "json patch" k patch bp nightly --type=json \
  -p '[{"op":"replace","path":"/spec/schedule","value":"@daily"},{"op":"add","path":"/spec/retention/keepLast","value":3}]'
assert_eq "json patch stored" "@daily 3" "$(jget bp/nightly '"\(.spec.schedule) \(.spec.retention.keepLast)"')"
assert_fails "json patch test op fails" k patch bp nightly --type=json -p '[{"op":"test","path":"/spec/schedule","value":"@hourly"}]'
assert_contains "json patch test failure is Invalid (422)" "$OUT" "The request is invalid"
assert_contains "json patch test failure names the op" "$OUT" "test failed"
assert_eq "failed json patch stored nothing" "@daily" "$(jget bp/nightly .spec.schedule)"
assert_fails "strategic patch on a custom resource" k patch bp nightly --type=strategic -p '{"spec":{"suspend":false}}'
# kubectl turns the server's 415 into this message, as against Kubernetes.
assert_contains "strategic patch refused with 415" "$OUT" \
  "error: application/strategic-merge-patch+json is not supported by dockward.io/v1alpha1, Kind=BackupPolicy"
assert_contains "strategic patch message" "$OUT" \
  "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"
assert_eq "refused patch stored nothing" "true" "$(jget bp/nightly .spec.suspend)"
run k apply -f - <<'EOF'
apiVersion: v1
kind: Secret
metadata:
  name: creds
data:
  user: YWRtaW4=
EOF
assert_eq "create secret" "secret/creds created" "$OUT"
assert_ok "strategic patch on a Secret" k patch secret creds --type=strategic -p '{"data":{"pass":"czNjcmV0"}}'
assert_eq "secret patched" "secret/creds patched" "$OUT"
assert_eq "strategic merge kept and added keys" "admin s3cret" \
  "$(jget secret/creds '"\(.data.user | @base64d) \(.data.pass | @base64d)"')"
run k apply -f - <<'EOF'
apiVersion: v1
kind: Namespace
metadata:
  name: patched
EOF
assert_eq "create namespace" "namespace/patched created" "$OUT"
assert_ok "strategic patch (default type) on a Namespace" k patch ns patched -p '{"metadata":{"labels":{"tier":"gold"}}}'
assert_eq "namespace patched" "namespace/patched patched" "$OUT"
assert_eq "namespace label stored" "gold" "$(jget ns/patched '.metadata.labels.tier')"
gen=$(jget bp/nightly .metadata.generation)
assert_ok "status subresource patch" k patch bp nightly --subresource=status --type=merge \
  -p '{"status":{"conditions":[{"type":"Ready","status":"False","reason":"Waiting","message":"no targets","lastTransitionTime":"2024-05-01T00:00:00Z"}]}}'
assert_eq "status patch prints patched" "backuppolicy.dockward.io/nightly patched" "$OUT"
assert_eq "status stored" "False Waiting" \
  "$(jget bp/nightly '.status.conditions[0] | "\(.status) \(.reason)"')"
assert_eq "status patch keeps generation" "$gen" "$(jget bp/nightly .metadata.generation)"
assert_ok "spec in a status patch is ignored" k patch bp nightly --subresource=status --type=merge -p '{"spec":{"schedule":"@yearly"}}'
assert_eq "spec untouched through /status" "@daily" "$(jget bp/nightly .spec.schedule)"
assert_ok "status in a main-resource patch is ignored" k patch bp nightly --type=merge -p '{"status":{"observedGeneration":99}}'
assert_eq "status untouched through the main resource" "null" "$(jget bp/nightly .status.observedGeneration)"

# --- label / annotate --------------------------------------------------------
assert_ok "label add" k label bp nightly tier=gold
assert_eq "label prints labeled" "backuppolicy.dockward.io/nightly labeled" "$OUT"
assert_eq "label stored" "gold" "$(jget bp/nightly .metadata.labels.tier)"
assert_fails "label overwrite needs --overwrite" k label bp nightly tier=silver
assert_contains "label overwrite refusal" "$OUT" "'tier' already has a value (gold), and --overwrite is false"
assert_ok "label --overwrite" k label bp nightly tier=silver --overwrite
assert_eq "label overwritten" "silver" "$(jget bp/nightly .metadata.labels.tier)"
assert_ok "label remove" k label bp nightly tier-
assert_eq "label remove prints unlabeled" "backuppolicy.dockward.io/nightly unlabeled" "$OUT"
assert_eq "label removed, others kept" '{"app":"db"}' "$(jget bp/nightly '.metadata.labels | tostring')"
assert_ok "annotate add" k annotate bp nightly owner=ops
assert_eq "annotate prints annotated" "backuppolicy.dockward.io/nightly annotated" "$OUT"
assert_fails "annotate overwrite needs --overwrite" k annotate bp nightly owner=dev
assert_contains "annotate overwrite refusal" "$OUT" "--overwrite is false but found the following declared annotation(s): 'owner' already has a value (ops)"
assert_ok "annotate --overwrite" k annotate bp nightly owner=dev --overwrite
assert_eq "annotation overwritten" "dev" "$(jget bp/nightly '.metadata.annotations.owner')"
assert_ok "annotate remove" k annotate bp nightly owner-
assert_eq "annotation removed" "null" "$(jget bp/nightly '.metadata.annotations.owner')"
assert_ok "label a Secret" k label secret creds team=ops
assert_eq "core kind labeled" "ops" "$(jget secret/creds .metadata.labels.team)"

# --- replace with a stale resourceVersion ------------------------------------
k get bp nightly -o json >"$DW_TMP/stale.json"
assert_ok "move the object on" k patch bp nightly --type=merge -p '{"spec":{"suspend":false}}'
jq '.spec.schedule = "@monthly"' "$DW_TMP/stale.json" >"$DW_TMP/stale2.json"
assert_fails "replace with a stale resourceVersion" k replace -f "$DW_TMP/stale2.json"
assert_contains "conflict text" "$OUT" \
  'Operation cannot be fulfilled on backuppolicies.dockward.io "nightly": the object has been modified; please apply your changes to the latest version and try again'
assert_contains "conflict reason" "$OUT" "Error from server (Conflict)"
assert_eq "stale replace stored nothing" "@daily" "$(jget bp/nightly .spec.schedule)"
k get bp nightly -o json | jq '.spec.schedule = "@monthly"' >"$DW_TMP/fresh.json"
assert_ok "replace with the current resourceVersion" k replace -f "$DW_TMP/fresh.json"
assert_eq "replace prints replaced" "backuppolicy.dockward.io/nightly replaced" "$OUT"
assert_eq "replace stored" "@monthly" "$(jget bp/nightly .spec.schedule)"

# --- validation ----------------------------------------------------------------
assert_fails "invalid manifest rejected" k apply -f "$TD/bp-invalid.yaml"
# kubectl renders an Invalid Status with details as a headline plus one line per cause.
assert_contains "invalid: names the object" "$OUT" 'The BackupPolicy "broken" is invalid:'
assert_contains "invalid: enum" "$OUT" '* spec.compression: Unsupported value: "lz4": supported values: "zstd", "gzip", "none"'
assert_contains "invalid: type" "$OUT" '* spec.retention.daily: Invalid value: "string": spec.retention.daily in body must be of type integer: "string"'
assert_contains "invalid: required" "$OUT" '* spec.destination: Required value'
assert_eq "invalid: exactly three causes" "3" "$(grep -c '^\* ' <<<"$OUT")"
assert_fails "invalid object not stored" k get bp broken
assert_fails "unknown field rejected (Strict)" k apply -f "$TD/bp-unknown-field.yaml"
assert_contains "unknown field message" "$OUT" 'unknown field "spec.retension"'
assert_contains "unknown field is a BadRequest" "$OUT" "Error from server (BadRequest)"
assert_fails "rejected object not stored" k get bp typo
assert_ok "unknown field with --validate=false" k apply --validate=false -f "$TD/bp-unknown-field.yaml"
assert_eq "created without validation" "backuppolicy.dockward.io/typo created" "$OUT"
assert_eq "unknown field pruned" "null /var/backups/typo" \
  "$(jget bp/typo '"\(.spec.retension) \(.spec.destination.path)"')"
assert_fails "server-side apply validates too" k apply --server-side -f "$TD/bp-invalid.yaml"
assert_contains "server-side apply: enum" "$OUT" 'spec.compression: Unsupported value: "lz4"'
assert_fails "invalid patch rejected" k patch bp nightly --type=merge -p '{"spec":{"concurrencyPolicy":"Sometimes"}}'
assert_contains "invalid patch message" "$OUT" 'spec.concurrencyPolicy: Unsupported value: "Sometimes"'

dw_finish kubectl_mutate
