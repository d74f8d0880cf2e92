#!/usr/bin/env bash
# PluginPolicy end to end: the real `dockward serve` and kubectl against the
# community server double (HTTP) and the registry double (TLS, by name),
# inside a private network namespace (lib/pluginpolicy.sh).
#
# Checks, in order (each against status AND the double's own state):
#  1. Audit: drift reported field by field, nothing written to the server,
#     DriftDetected once (not per pass), package verified by dockward itself.
#  2. Enforce: policy applied, package installed from the registry with its
#     pin, activated with its settings; Drifted=False, DriftCorrected event;
#     a steady state writes nothing and does not refetch the bundle.
#  3. Drift made by hand on the server is corrected.
#  4. Deactivate / activate; background jobs and outbound HTTP off
#     (suppressedHooks, the double's cron dispatch).
#  5. Settings rejected by the schema (locally: nothing sent) and by the server.
#  6. Upgrade to another version (another pin).
#  7. Verification refusals under signed-only (Unsigned, PublisherUntrusted,
#     SignatureInvalid, HashMismatch, PublisherMismatch): never sent to the
#     server; what allow-unsigned changes.
#  8. Unlisted packages reported; pruneUnlisted deactivates them.
#  9. An upload refused by the server's policy (UploadForbidden), then allowed.
# 10. allCommunities; no secret value in status, events or the log.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
DOCKWARD="${DOCKWARD:-${DW_BUILD_DIR:-/work/build}/dockward}"
source "$HERE/lib.sh"
source "$HERE/lib/pluginpolicy.sh"
pp_netns "$@"
pp_setup
pp_cs_start CS --community "$PP_C1" --community "$PP_C2"
pp_secret pp-admin username=admin "password=$PP_ADMIN_PW"

ACME="$PP_DIR/keys/acme"
SCHEMA='{"type":"object","properties":{"greeting":{"type":"string","maxLength":20},"limit":{"type":"integer","minimum":1}},"required":["greeting"],"additionalProperties":false}'
hello() {  # FILE VERSION
  pp_bundle "$1" --name hello --version "$2" --publisher acme --hook message.created --hook cron.hourly \
    --capability http --settings-schema "$SCHEMA" --sign "$ACME"
}
H1="$(hello hello-1.0.0.json 1.0.0)"
H2="$(hello hello-1.1.0.json 1.1.0)"
NOSIG="$(pp_bundle nosig.json --name nosig --version 1.0.0 --publisher acme --hook cron.daily)"
SHADY="$(pp_bundle shady.json --name shady --version 1.0.0 --publisher mallory --sign "$PP_DIR/keys/mallory")"
BADSIG="$(pp_bundle badsig.json --name badsig --version 1.0.0 --publisher acme --sign "$ACME" --bad-signature)"
HASHPIN="$(pp_bundle hashpin.json --name hashpin --version 1.0.0 --publisher acme --sign "$ACME")"
PUBMIS="$(pp_bundle pubmis.json --name pubmis --version 1.0.0 --publisher acme --sign "$ACME")"
# propertyNames is outside dockward's local subset: the server decides.
LOOSE="$(pp_bundle loose.json --name loose --version 1.0.0 --publisher acme --sign "$ACME" \
  --settings-schema '{"type":"object","properties":{"n":{"type":"integer"}},"propertyNames":{"maxLength":5}}')"
ART="$DW_DIR/plugin-artifacts"  # the only place artifacts are read from
[ -d "$ART" ] || dw_fail "dockward serve did not create $ART"
UP="$(python3 "$PP_TOOLS/make_plugin_bundle.py" bundle "$ART/uploader.json" \
  --name uploader --version 2.0.0 --publisher acme --hook message.created --sign "$ACME")"

policy_c1() { cs_get "$CS" "/api/communities/$PP_C1/plugin-policy"; }
packages_c1() { cs_get "$CS" "/api/communities/$PP_C1/plugin-packages"; }
cron_c1() { curl -sS "$CS/_double/cron-dispatch/$PP_C1"; }
writes() {  # every write route the double counted, "route=n" sorted
  cs_stats "$CS" | jq -r '.routes | to_entries[] | select(.key | test("^(PUT|POST) /api/communities")) |
    "\(.key)=\(.value)"' | sort | paste -sd' '
}
route() { cs_route "$CS" "$1"; }
R_PUTPOL="PUT /api/communities/{id}/plugin-policy"
R_K3="POST /api/communities/{id}/plugin-packages/install-registry"
R_K2="POST /api/communities/{id}/plugin-packages"
current() { pp_current_q; }
cpkg_q() {  # PKG JQ-ON-ENTRY: a test over main's C1 entry of PKG
  echo "any(.status.communities[]? | select(.id == \"$PP_C1\") | .packages[]?; .name == \"$1\" and ($2))"
}
spkg_q() {  # PKG JQ-ON-ENTRY: a test over main's status.packages[] entry of PKG
  echo "any(.status.packages[]?; .name == \"$1\" and ($2))"
}

# --- 1. Audit ----------------------------------------------------------------
pp_apply <<EOF
apiVersion: dockward.io/v1alpha1
kind: PluginPolicy
metadata: {name: main}
spec:
  server:
    url: $CS
    credentialsSecretRef: {name: pp-admin}
  communities: [$PP_C1]
  mode: Audit
  intervalSeconds: 5
  policy:
    trustPolicy: signed-only
    installSources: [registry]
    registryAllowlist: ["*.plugins.test"]
    trustedPublishers:
      - {name: acme, publicKey: "$PP_KEY_ACME"}
    outboundHttp: {enabled: true, allowlist: [api.example.com]}
    backgroundJobs: true
  fetch:
    caSecretRef: {name: pp-ca}
  packages:
    - name: hello
      source: {registryUrl: "$PP_REG/hello-1.0.0.json"}
      sha256: $H1
      publisher: acme
      settings: {greeting: hi, limit: 3}
EOF
pp_wait main 30 "Audit reports drift" "$(current) and $(pp_cond_q Drifted True DriftDetected)"
PP="$(k get pp main -o json)"
q() { jq -r "$1" <<<"$PP"; }
assert_eq "Ready False Drifted" "False Drifted" \
  "$(q '.status.conditions[] | select(.type == "Ready") | "\(.status) \(.reason)"')"
assert_eq "Degraded False ServerReachable" "False ServerReachable" \
  "$(q '.status.conditions[] | select(.type == "Degraded") | "\(.status) \(.reason)"')"
assert_eq "policyDrift names exactly the differing fields" \
  "backgroundJobs outboundHttp.allowlist outboundHttp.enabled registryAllowlist trustedPublishers" \
  "$(q ".status.communities[] | select(.id == \"$PP_C1\") | .policyDrift | sort | join(\" \")")"
# (No name: with explicit ids the server's list is not read; allCommunities below.)
assert_eq "community entry" "false false" \
  "$(q ".status.communities[] | select(.id == \"$PP_C1\") | \"\(.inSync) \(.policyInSync)\"")"
assert_eq "effective policy is what the server HAS" "signed-only false false" \
  "$(q ".status.communities[] | select(.id == \"$PP_C1\") | .effective | \"\(.trustPolicy) \(.outboundHttp) \(.backgroundJobs)\"")"
assert_eq "dockward verified hello itself" \
  "true|$H1|acme|1.0.0|true|true|$(stat -c %s "$PP_REG_DIR/hello-1.0.0.json")|$PP_REG/hello-1.0.0.json" \
  "$(q '.status.packages[] | select(.name == "hello") |
    "\(.verified)|\(.sha256)|\(.publisher)|\(.version)|\(.signaturePresent)|\(.signatureVerified)|\(.bytes)|\(.registryUrl)"')"
assert_eq "hello missing on the server" "false|true|false|missing" \
  "$(q ".status.communities[] | select(.id == \"$PP_C1\") | .packages[] | select(.name == \"hello\") |
    \"\(.installed)|\(.managed)|\(.inSync)|\(.drift | join(\",\"))\"")"
assert_eq "summary" "1 0 1 0" \
  "$(q '.status.summary | "\(.communities) \(.inSync) \(.packages) \(.refused)"')"
assert_match "lastSyncTime set" "$(q .status.lastSyncTime)" '^20[0-9]{2}-'
assert_eq "Audit wrote nothing to the server" "" "$(writes)"
assert_eq "server policy untouched" '[] false' \
  "$(policy_c1 | jq -r '"\(.plugin_registry_allowlist | tojson) \(.plugin_allow_background_jobs)"')"
assert_eq "no package on the server" 0 "$(packages_c1 | jq length)"
pp_wait_event main Warning DriftDetected 10
out="$(k get pp main)"
assert_match "kubectl get pp columns" "$(head -n1 <<<"$out")" '^NAME +SERVER +MODE +READY +DRIFTED +AGE$'
assert_match "kubectl get pp row" "$out" "^main +http://127.0.0.1:[0-9]+ +Audit +False +True +"
# Two more passes (intervalSeconds 5) with the same drift: no new event.
sync0="$(q .status.lastSyncTime)"
pp_wait main 20 "a later pass" ".status.lastSyncTime != \"$sync0\""
sync1="$(pp_get main .status.lastSyncTime)"
pp_wait main 20 "another pass" ".status.lastSyncTime != \"$sync1\""
assert_eq "DriftDetected emitted once, not per pass" 1 "$(pp_event_count main DriftDetected)"
assert_eq "still nothing written" "" "$(writes)"

# --- 2. Enforce ---------------------------------------------------------------
k patch pp main --type merge -p '{"spec":{"mode":"Enforce"}}' >/dev/null
pp_wait main 30 "Enforce reaches InSync" "$(current) and $(pp_cond_q Ready True InSync)"
PP="$(k get pp main -o json)"
assert_match "Drifted False after the correction" \
  "$(q '.status.conditions[] | select(.type == "Drifted") | "\(.status) \(.reason)"')" '^False (DriftCorrected|NoDrift)$'
pp_wait_event main Normal DriftCorrected 10
want_policy="$(jq -cS -n --arg k "$PP_KEY_ACME" '{plugin_trust_policy: "signed_only",
  plugin_install_sources: ["registry"], plugin_registry_allowlist: ["*.plugins.test"],
  plugin_trusted_publishers: [{name: "acme", public_key: $k}], plugin_allow_outbound_http: true,
  plugin_http_egress_allowlist: ["api.example.com"], plugin_allow_background_jobs: true}')"
assert_eq "the server holds the declared policy" "$want_policy" "$(policy_c1 | jq -cS .)"
assert_eq "hello installed from the registry, pinned, active, with settings" \
  "hello|1.0.0|$H1|registry|$PP_REG/hello-1.0.0.json|true|true|true|{\"greeting\":\"hi\",\"limit\":3}" \
  "$(packages_c1 | jq -r '.[] | select(.name == "hello") | "\(.name)|\(.version)|\(.sha256)|\(.source)|\(.registry_url)|\(.signature_present)|\(.signature_verified)|\(.active)|\(.settings | tojson)"')"
assert_eq "one package on the server" 1 "$(packages_c1 | jq length)"
assert_eq "one policy write, one registry install" "1 1" "$(route "$R_PUTPOL") $(route "$R_K3")"
hello_id="$(packages_c1 | jq -r '.[] | select(.name == "hello") | .id')"
assert_eq "status shows the state after the writes" \
  "$hello_id|true|true|true|true|true|message.created,cron.hourly|cron.hourly,message.created||http|registry" \
  "$(q ".status.communities[] | select(.id == \"$PP_C1\") | .packages[] | select(.name == \"hello\") |
    \"\(.id)|\(.installed)|\(.active)|\(.managed)|\(.inSync)|\(.outboundHttp)|\(.hooks | join(\",\"))|\(.effectiveHooks | sort | join(\",\"))|\((.suppressedHooks // []) | join(\",\"))|\(.capabilities | join(\",\"))|\(.source)\"")"
assert_eq "effective policy after Enforce" "signed-only true api.example.com true" \
  "$(q ".status.communities[] | select(.id == \"$PP_C1\") | .effective |
    \"\(.trustPolicy) \(.outboundHttp) \(.outboundHttpAllowlist | join(\",\")) \(.backgroundJobs)\"")"
assert_eq "summary in sync" "1 1 1 0" "$(q '.status.summary | "\(.communities) \(.inSync) \(.packages) \(.refused)"')"
assert_eq "the double fires hello's cron hook" '[{"package":"hello","hook":"cron.hourly"}]' \
  "$(cron_c1 | jq -c .fire)"
# Steady state: two more passes write nothing and do not refetch the bundle.
w0="$(writes)"
sync0="$(pp_get main .status.lastSyncTime)"
pp_wait main 20 "a later pass" ".status.lastSyncTime != \"$sync0\""
sync1="$(pp_get main .status.lastSyncTime)"
pp_wait main 20 "another pass" ".status.lastSyncTime != \"$sync1\""
assert_eq "steady state writes nothing" "$w0" "$(writes)"
assert_eq "the verified bundle is fetched once (cache)" 1 "$(reg_hits /hello-1.0.0.json)"
assert_eq "and its signature once" 1 "$(reg_hits /hello-1.0.0.json.sig)"

# --- 3. Drift made by hand is corrected ----------------------------------------
corrected0="$(pp_event_count main DriftCorrected)"
hand="$(policy_c1 | jq -c '.plugin_allow_background_jobs = false | .plugin_registry_allowlist = ["evil.example"]')"
assert_eq "hand edit of the policy" 200 "$(api_code "$(cs_api "$CS" PUT "/api/communities/$PP_C1/plugin-policy" "$hand")")"
assert_eq "hand edit of the package" 200 "$(api_code "$(cs_api "$CS" PUT \
  "/api/communities/$PP_C1/plugin-packages/$hello_id" '{"active":false,"settings":{"greeting":"hacked"}}')")"
pp_wait_json "the server's policy is restored" 20 ". == $want_policy" policy_c1
pp_wait_json "hello active again with its settings" 20 \
  '.[] | select(.name == "hello") | .active == true and .settings == {"greeting":"hi","limit":3}' packages_c1
pp_wait_event main Normal DriftCorrected 15 $((corrected0 + 1))
pp_wait main 15 "InSync again" "$(pp_cond_q Ready True InSync) and $(pp_cond_q Drifted False)"

# --- 4. Deactivate, activate, background jobs and outbound HTTP off -------------
k patch pp main --type json -p '[{"op":"add","path":"/spec/packages/0/active","value":false}]' >/dev/null
pp_wait_json "hello deactivated on the server" 20 '.[] | select(.name == "hello") | .active == false' packages_c1
pp_wait main 15 "status shows hello inactive and in sync" \
  "$(current) and $(pp_cond_q Ready True InSync) and $(cpkg_q hello '.active == false and .inSync == true')"
assert_eq "an inactive package's cron hook does not fire" '[]' "$(cron_c1 | jq -c .fire)"
k patch pp main --type json -p '[{"op":"replace","path":"/spec/packages/0/active","value":true}]' >/dev/null
pp_wait_json "hello activated on the server" 20 '.[] | select(.name == "hello") | .active == true' packages_c1
pp_wait main 15 "status shows hello active" "$(current) and $(cpkg_q hello '.active == true and .inSync == true')"
k patch pp main --type merge -p '{"spec":{"policy":{"backgroundJobs":false,"outboundHttp":{"enabled":false}}}}' >/dev/null
pp_wait_json "background jobs and outbound HTTP off on the server" 20 \
  '.plugin_allow_background_jobs == false and .plugin_allow_outbound_http == false' policy_c1
pp_wait main 15 "cron hook suppressed in status" \
  "$(current) and $(cpkg_q hello '.suppressedHooks == ["cron.hourly"] and .effectiveHooks == ["message.created"] and .outboundHttp == false')"
assert_eq "effective policy" "false false" \
  "$(pp_get main ".status.communities[] | select(.id == \"$PP_C1\") | .effective | \"\(.backgroundJobs) \(.outboundHttp)\"")"
assert_eq "the double suppresses hello's cron hook" '[] [{"package":"hello","hook":"cron.hourly"}]' \
  "$(cron_c1 | jq -c '.fire, .suppressed' | paste -sd' ')"

# --- 5. Settings rejected by the schema ---------------------------------------
refused0="$(pp_event_count main PackageRefused)"
k patch pp main --type json -p '[{"op":"replace","path":"/spec/packages/0/settings","value":{"greeting":12345,"extra":true}}]' >/dev/null
pp_wait main 20 "bad settings refused" \
  "$(current) and $(pp_cond_q Ready False PackagesRefused) and $(cpkg_q hello '.reason == "SettingsInvalid"')"
msg="$(pp_get main ".status.communities[] | select(.id == \"$PP_C1\") | .packages[] | select(.name == \"hello\") | .message")"
assert_contains "SettingsInvalid names the wrong type" "$msg" "settings.greeting"
assert_contains "SettingsInvalid names the unknown field" "$msg" "settings.extra"
assert_eq "Drifted stays True while the write is refused" True \
  "$(pp_get main '.status.conditions[] | select(.type == "Drifted") | .status')"
pp_wait_event main Warning PackageRefused 10 $((refused0 + 1))
assert_eq "known-bad settings never reach the server" '{"greeting":"hi","limit":3}' \
  "$(packages_c1 | jq -c '.[] | select(.name == "hello") | .settings')"
k patch pp main --type json -p '[{"op":"replace","path":"/spec/packages/0/settings","value":{"greeting":"hello there"}}]' >/dev/null
pp_wait_json "good settings applied" 20 '.[] | select(.name == "hello") | .settings == {"greeting":"hello there"}' packages_c1
pp_wait main 15 "InSync after good settings" "$(current) and $(pp_cond_q Ready True InSync)"

# --- 6. Upgrade -----------------------------------------------------------------
k patch pp main --type json -p "[{\"op\":\"replace\",\"path\":\"/spec/packages/0/source/registryUrl\",\"value\":\"$PP_REG/hello-1.1.0.json\"},{\"op\":\"replace\",\"path\":\"/spec/packages/0/sha256\",\"value\":\"$H2\"}]" >/dev/null
pp_wait_json "hello 1.1.0 installed, active, settings re-applied" 20 \
  ".[] | select(.name == \"hello\") | .version == \"1.1.0\" and .sha256 == \"$H2\" and .active == true and .settings == {\"greeting\":\"hello there\"}" packages_c1
pp_wait main 15 "status shows 1.1.0" \
  "$(current) and $(pp_cond_q Ready True InSync) and $(cpkg_q hello ".version == \"1.1.0\" and .sha256 == \"$H2\"")"
assert_eq "still one hello on the server" 1 "$(packages_c1 | jq '[.[] | select(.name == "hello")] | length')"

# --- 7. Verification refusals -------------------------------------------------
k3_before="$(route "$R_K3")"
k2_before="$(route "$R_K2")"
refused0="$(pp_event_count main PackageRefused)"
reg_pkg() {  # NAME FILE SHA [PUBLISHER]
  printf '{"name":"%s","source":{"registryUrl":"%s/%s"},"sha256":"%s"%s}' "$1" "$PP_REG" "$2" "$3" \
    "${4:+,\"publisher\":\"$4\"}"
}
ops="[$(for p in "$(reg_pkg nosig nosig.json "$NOSIG")" "$(reg_pkg shady shady.json "$SHADY")" \
  "$(reg_pkg badsig badsig.json "$BADSIG")" "$(reg_pkg hashpin hashpin.json "$H1")" \
  "$(reg_pkg pubmis pubmis.json "$PUBMIS" mallory)"; do
  printf '{"op":"add","path":"/spec/packages/-","value":%s},' "$p"; done | sed 's/,$//')]"
k patch pp main --type json -p "$ops" >/dev/null
pp_wait main 30 "five refusals" "$(current) and ([.status.packages[]? | select(.verified == false)] | length) == 5"
PP="$(k get pp main -o json)"
assert_eq "refusal reasons" \
  "badsig:SignatureInvalid:true:false hashpin:HashMismatch:true:false nosig:Unsigned:false:false pubmis:PublisherMismatch:true:false shady:PublisherUntrusted:true:false" \
  "$(q '[.status.packages[] | select(.verified == false) | "\(.name):\(.reason):\(.signaturePresent // false):\(.signatureVerified // false)"] | sort | join(" ")')"
assert_contains "HashMismatch names the digests" "$(q '.status.packages[] | select(.name == "hashpin") | .message')" "$HASHPIN"
assert_contains "PublisherUntrusted names the publisher" "$(q '.status.packages[] | select(.name == "shady") | .message')" mallory
assert_eq "summary counts the refusals" "6 5" "$(q '.status.summary | "\(.packages) \(.refused)"')"
assert_eq "Ready False PackagesRefused" "False PackagesRefused" \
  "$(q '.status.conditions[] | select(.type == "Ready") | "\(.status) \(.reason)"')"
pp_wait_event main Warning PackageRefused 10 $((refused0 + 1))
assert_eq "no refused package reached the server (installs)" "$k3_before $k2_before" "$(route "$R_K3") $(route "$R_K2")"
assert_eq "the server holds hello only" hello "$(packages_c1 | jq -r '[.[].name] | sort | join(" ")')"
assert_eq "hello stays in sync" true "$(q "$(cpkg_q hello '.inSync == true and .active == true')")"

k patch pp main --type merge -p '{"spec":{"policy":{"trustPolicy":"allow-unsigned"}}}' >/dev/null
pp_wait main 30 "allow-unsigned accepts nosig and shady" \
  "$(current) and $(spkg_q nosig '.verified == true and .signaturePresent == false') and $(spkg_q shady '.verified == true and .signaturePresent == true and .signatureVerified == false')"
PP="$(k get pp main -o json)"
assert_eq "a bad signature from a trusted publisher is still refused; pins still hold" \
  "badsig:SignatureInvalid hashpin:HashMismatch pubmis:PublisherMismatch" \
  "$(q '[.status.packages[] | select(.verified == false) | "\(.name):\(.reason)"] | sort | join(" ")')"
pp_wait_json "nosig and shady installed and active" 20 \
  '[.[] | select(.name == "nosig" or .name == "shady") | select(.active) | "\(.name):\(.signature_present):\(.signature_verified)"] | sort == ["nosig:false:false","shady:true:false"]' packages_c1
assert_eq "server policy allow_unsigned" allow_unsigned "$(policy_c1 | jq -r .plugin_trust_policy)"

# --- 8. Unlisted packages and pruneUnlisted -------------------------------------
k patch pp main --type merge -p "{\"spec\":{\"policy\":{\"trustPolicy\":\"signed-only\"},\"packages\":[{\"name\":\"hello\",\"source\":{\"registryUrl\":\"$PP_REG/hello-1.1.0.json\"},\"sha256\":\"$H2\",\"publisher\":\"acme\",\"settings\":{\"greeting\":\"hello there\"}}]}}" >/dev/null
pp_wait main 30 "nosig and shady reported unlisted" \
  "$(current) and $(cpkg_q nosig '.managed == false and .installed == true') and $(cpkg_q shady '.managed == false')"
assert_eq "declared packages are listed first" hello \
  "$(pp_get main ".status.communities[] | select(.id == \"$PP_C1\") | .packages[0].name")"
assert_eq "without pruneUnlisted they stay active" "true true" \
  "$(packages_c1 | jq -r '[.[] | select(.name == "nosig" or .name == "shady") | .active] | join(" ")')"
k patch pp main --type merge -p '{"spec":{"pruneUnlisted":true}}' >/dev/null
pp_wait_json "pruneUnlisted deactivates them" 20 \
  '[.[] | select(.name == "nosig" or .name == "shady") | .active] == [false, false]' packages_c1
assert_eq "hello untouched by the prune" true "$(packages_c1 | jq -r '.[] | select(.name == "hello") | .active')"
pp_wait main 15 "InSync with pruned packages" "$(current) and $(pp_cond_q Ready True InSync)"

# --- 9. Upload refused by policy, then allowed -----------------------------------
refused0="$(pp_event_count main PackageRefused)"
k patch pp main --type json -p "[{\"op\":\"add\",\"path\":\"/spec/packages/-\",\"value\":{\"name\":\"uploader\",\"source\":{\"artifact\":\"$ART/uploader.json\"},\"sha256\":\"$UP\",\"publisher\":\"acme\"}}]" >/dev/null
pp_wait main 30 "upload refused by the server's policy" \
  "$(current) and $(pp_cond_q Ready False PackagesRefused) and $(cpkg_q uploader '.reason == "UploadForbidden"')"
assert_eq "dockward itself verified the artifact" "true|upload|$UP|true" \
  "$(pp_get main '.status.packages[] | select(.name == "uploader") | "\(.verified)|\(.source)|\(.sha256)|\(.signatureVerified)"')"
assert_eq "no uploader on the server" 0 "$(packages_c1 | jq '[.[] | select(.name == "uploader")] | length')"
pp_wait_event main Warning PackageRefused 10 $((refused0 + 1))
k patch pp main --type merge -p '{"spec":{"policy":{"installSources":["registry","upload"]}}}' >/dev/null
pp_wait_json "uploader uploaded, verified by the server, active" 20 \
  ".[] | select(.name == \"uploader\") | .source == \"upload\" and .sha256 == \"$UP\" and .signature_verified == true and .active == true" packages_c1
pp_wait main 15 "InSync with the upload" "$(current) and $(pp_cond_q Ready True InSync)"

# --- 9b. Settings the server rejects (outside the local subset) -----------------
k patch pp main --type json -p "[{\"op\":\"add\",\"path\":\"/spec/packages/-\",\"value\":{\"name\":\"loose\",\"source\":{\"registryUrl\":\"$PP_REG/loose.json\"},\"sha256\":\"$LOOSE\",\"settings\":{\"n\":\"not a number\"}}}]" >/dev/null
pp_wait main 30 "the server's settings_invalid is reported" \
  "$(current) and $(pp_cond_q Ready False PackagesRefused) and $(cpkg_q loose '.reason == "SettingsInvalid" and (.message | contains("settings.n"))')"
assert_eq "Degraded stays False (a package refusal is not a server fault)" False \
  "$(pp_get main '.status.conditions[] | select(.type == "Degraded") | .status')"
assert_eq "the server kept no bad settings" '{}' "$(packages_c1 | jq -c '.[] | select(.name == "loose") | .settings')"

# --- 9c. Artifacts only from DATA_DIR/plugin-artifacts ---------------------------
ln -s /etc/hostname "$ART/escape.json"
n_pk="$(pp_get main '.spec.packages | length')"
k patch pp main --type json -p "[{\"op\":\"add\",\"path\":\"/spec/packages/-\",\"value\":{\"name\":\"probe\",\"source\":{\"artifact\":\"/etc/hostname\"},\"sha256\":\"$(printf '0%.0s' $(seq 64))\"}},{\"op\":\"add\",\"path\":\"/spec/packages/-\",\"value\":{\"name\":\"escape\",\"source\":{\"artifact\":\"$ART/escape.json\"},\"sha256\":\"$(printf '0%.0s' $(seq 64))\"}}]" >/dev/null
pp_wait main 20 "artifacts outside the directory are refused, unread" \
  "$(current) and $(spkg_q probe '.reason == "ArtifactOutsideRoot" and (has("sha256") | not) and .bytes == 0') and $(spkg_q escape '.reason == "ArtifactOutsideRoot" and (.message | contains("symbolic link")) and (has("sha256") | not)')"
k patch pp main --type json -p "[{\"op\":\"remove\",\"path\":\"/spec/packages/$((n_pk + 1))\"},{\"op\":\"remove\",\"path\":\"/spec/packages/$n_pk\"}]" >/dev/null
rm -f "$ART/escape.json"

# --- 9d. A package dockward refuses is never activated ---------------------------
# hello is installed; a publisher pin it does not meet makes dockward refuse it.
k patch pp main --type json -p '[{"op":"add","path":"/spec/packages/0/publisher","value":"someone-else"}]' >/dev/null
pp_wait main 20 "hello refused by dockward's own check" \
  "$(current) and $(spkg_q hello '.reason == "PublisherMismatch"') and $(cpkg_q hello '.reason == "PublisherMismatch" and (.message | startswith("left as installed"))')"
assert_eq "hand deactivation of the refused package" 200 "$(api_code "$(cs_api "$CS" PUT \
  "/api/communities/$PP_C1/plugin-packages/$(packages_c1 | jq -r '.[] | select(.name == "hello") | .id')" '{"active":false}')")"
corrected_before="$(pp_event_count main DriftCorrected)"
k annotate pp main --overwrite dockward.io/sync-requested-at="refused-$(date +%s%N)" >/dev/null
pp_wait main 20 "a pass saw hello inactive" "$(cpkg_q hello '.active == false and .reason == "PublisherMismatch"')"
assert_eq "dockward did not reactivate a package it refuses" false \
  "$(packages_c1 | jq -r '.[] | select(.name == "hello") | .active')"
# (loose's refused settings are retried each pass, so count corrections, not writes)
assert_eq "no correction was made for it" "$corrected_before" "$(pp_event_count main DriftCorrected)"
k patch pp main --type json -p '[{"op":"replace","path":"/spec/packages/0/publisher","value":"acme"}]' >/dev/null
pp_wait_json "hello active again once it verifies" 20 '.[] | select(.name == "hello") | .active == true' packages_c1

# --- 10. allCommunities, secrets ------------------------------------------------
pp_apply <<EOF
apiVersion: dockward.io/v1alpha1
kind: PluginPolicy
metadata: {name: all}
spec:
  server:
    url: $CS
    credentialsSecretRef: {name: pp-admin}
  allCommunities: true
  mode: Audit
  policy:
    registryAllowlist: ["*.plugins.test"]
EOF
pp_wait all 30 "both communities read" "$(current) and (.status.communities | length) == 2"
assert_eq "allCommunities lists the server's communities" \
  "$PP_C1:community-0 $PP_C2:community-1" \
  "$(pp_get all '[.status.communities[] | "\(.id):\(.name)"] | sort | join(" ")')"
assert_eq "C2 has the default policy: allowlist drift only" registryAllowlist \
  "$(pp_get all ".status.communities[] | select(.id == \"$PP_C2\") | .policyDrift | join(\" \")")"
assert_eq "summary.communities" 2 "$(pp_get all .status.summary.communities)"
pp_assert_no_secret "$PP_ADMIN_PW"

dw_finish pluginpolicy_e2e
