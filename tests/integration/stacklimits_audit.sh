#!/usr/bin/env bash
# StackLimits end to end, static side and Enforce: a private dockerd, the
# dwlab example stack brought up by the real docker-compose 1.29, the real
# `dockward serve` and kubectl.
#
# Checks, in order:
#  1. Audit: the open violations in status are EXACTLY the 13 planted
#     (project, service, rule, subject) tuples; kvm's privileged finding is an
#     exempted row with its reason; compliant services have none; printer
#     columns and summary; no secret value in status or events.
#  2. `dockward lint` on the same compose file gives the same tuples and exits
#     1; `dockward report` prints a PolicyReport with fail 13, skip 1.
#  3. Admission: an exception without a reason, or with a blank one, is
#     rejected with a message naming the field.
#  4. Healthy: a policy over the compliant tier (projects AND selector)
#     reaches condition Healthy (`kubectl wait`).
#  5. Enforce: bare gets memory/swap 64Mi, 0.5 CPU, pids 64 and restart
#     unless-stopped (proved by docker inspect), an Enforced event; the 9
#     findings docker update cannot fix stay, fixableLive=false, with a
#     NeedsRecreate event.
#  6. allowRecreate: a throwaway container with cap_add NET_ADMIN is
#     recreated without it under the same name, with a Recreated event.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
# Before lib.sh, which has its own default.
DOCKWARD="${DOCKWARD:-${DW_BUILD_DIR:-/work/build}/dockward}"
source "$HERE/lib.sh"
source "$HERE/lib/db.sh"
source "$HERE/lib/stacklimits.sh"

sl_setup

# --- 1. Audit ---------------------------------------------------------------
sl_apply_policy policy.yaml
sl_wait_audited dwlab 60
# The first pass may land before every container's inspect: wait for the
# summary to cover all 11 containers, then compare.
covers_all() { [ "$(jget sl/dwlab '.status.summary.containers // 0')" = 11 ]; }
wait_until "status covers the 11 dwlab containers" 30 covers_all
got="$(sl_status_tuples dwlab)"
want="$(sl_planted)"
[ "$got" == "$want" ] || dw_fail "audit violations differ from the planted 13:
$(diff <(echo "$want") <(echo "$got") | sed 's/^</missing:/; s/^>/unexpected:/' | grep -v '^[0-9]')"
dw_pass
SL="$(k get sl dwlab -o json)"
for svc in web worker hungry kvm; do
  assert_eq "compliant service $svc has no violation" 0 \
    "$(jq --arg s "$svc" '[.status.services[] | select(.name == $s) | .violations[]?] | length' <<<"$SL")"
done
assert_eq "all 11 services listed" \
  "bare hungry kvm netadmin secrets sockmount sockproxy templated vmprov web worker" \
  "$(jq -r '[.status.services[].name] | sort | join(" ")' <<<"$SL")"
assert_eq "kvm exempted row" "privileged|dwlab_kvm_1|true" \
  "$(jq -r '.status.services[] | select(.name == "kvm") | .exempted[]? |
     "\(.rule)|\(.container)|\(.reason | test("kvm"))"' <<<"$SL")"
assert_eq "nothing else exempted" 1 "$(jq '[.status.services[].exempted[]?] | length' <<<"$SL")"
viol() {  # SERVICE RULE JQ-FIELD
  jq -r --arg s "$1" --arg r "$2" ".status.services[] | select(.name == \$s) | .violations[] |
    select(.rule == \$r) | $3" <<<"$SL"
}
assert_eq "vmprov privileged: Critical, CIS 5.5, not live" "Critical|true|false|dwlab_vmprov_1" \
  "$(viol vmprov privileged '"\(.severity)|\(.cis | index("5.5") != null)|\(.fixableLive)|\(.container)"')"
assert_eq "restartPolicy severity Low, live" "Low|true" "$(viol bare restartPolicy '"\(.severity)|\(.fixableLive)"')"
assert_eq "bare memory: live, desired 64Mi" "true|Medium" \
  "$(viol bare limits 'select(.subject == "memory") | "\(.fixableLive)|\(.severity)"')"
assert_match "bare memory desired names 64Mi" "$(viol bare limits 'select(.subject == "memory") | .desired')" '64Mi|67108864'
assert_eq "netadmin capability High, not live" "High|false" \
  "$(viol netadmin capabilities '"\(.severity)|\(.fixableLive)"')"
assert_eq "summary" "11 11 13 1" \
  "$(jq -r '.status.summary | "\(.services) \(.containers) \(.violations) \(.exempted)"' <<<"$SL")"
assert_eq "needsRecreate counts the 9 non-live findings" 9 "$(jq -r .status.summary.needsRecreate <<<"$SL")"
assert_eq "Compliant False" False "$(sl_cond sl/dwlab Compliant)"
assert_eq "Drifted True (bare's limits and restart policy)" True "$(sl_cond sl/dwlab Drifted)"
out="$(k get sl)"
assert_match "kubectl get sl columns" "$(head -n1 <<<"$out")" \
  '^NAME +MODE +SERVICES +VIOLATIONS +UNHEALTHY +DRIFTED +COMPLIANT +HEALTHY +AGE$'
assert_match "kubectl get sl row" "$out" '^dwlab +Audit +11 +13 +[0-9]+ +[0-9]+ +False +(True|False) +'
sleep 1  # let the event recorder flush
everything="$(k get sl dwlab -o json; k get events -o json)"
assert_not_contains "the secret value never reaches status or events" "$everything" hunter2

# --- 2. Lint and report agree ---------------------------------------------
run "$DOCKWARD" lint "$SL_EXAMPLE/docker-compose.yml" -p "$SL_EXAMPLE/policy.yaml" \
  --project-name dwlab -o json
assert_eq "lint exit code with findings" 1 "$RC"
lint_tuples="$(jq -r '(if type == "array" then . else (.findings // .violations) end)[] |
    select((.exempted // false) | not) |
    "\(.project) \(.service) \(.rule) \(if (.subject // "") == "" then "-" else .subject end)"' \
    <<<"$OUT" | LC_ALL=C sort)" || dw_fail "lint -o json is not the expected JSON:
$OUT"
[ "$lint_tuples" == "$got" ] || dw_fail "lint and runtime audit disagree:
$(diff <(echo "$got") <(echo "$lint_tuples") | sed 's/^</audit only:/; s/^>/lint only:/' | grep -v '^[0-9]')"
dw_pass
assert_not_contains "lint never prints the secret value" "$OUT" hunter2

run "$DOCKWARD" --kubeconfig "$KUBECONFIG_FILE" report sl/dwlab -o yaml
[ "$RC" -eq 0 ] || run "$DOCKWARD" --kubeconfig "$KUBECONFIG_FILE" report dwlab -o yaml
assert_eq "dockward report exit code [$OUT]" 0 "$RC"
summary="$(python3 -c '
import sys, yaml
docs = [d for d in yaml.safe_load_all(sys.stdin) if d]
reps = [d for d in docs if d.get("kind") == "PolicyReport"] or \
       [i for d in docs for i in d.get("items", []) if i.get("kind") == "PolicyReport"]
assert len(reps) == 1, "want one PolicyReport, got %d" % len(reps)
r = reps[0]
assert r["apiVersion"] == "wgpolicyk8s.io/v1alpha2", r["apiVersion"]
res = {}
for x in r["results"]:
    res[x["result"]] = res.get(x["result"], 0) + 1
s = r["summary"]
print(s.get("fail", 0), s.get("skip", 0), res.get("fail", 0), res.get("skip", 0))
' <<<"$OUT" 2>&1)" || dw_fail "report is not a PolicyReport: $summary
$OUT"
assert_eq "PolicyReport summary fail/skip and results fail/skip" "13 1 13 1" "$summary"

# --- 3. Admission: an exception needs a reason --------------------------------
bad_policy() {  # REASON-LINE
  cat <<YAML
apiVersion: dockward.io/v1alpha1
kind: StackLimits
metadata: {name: bad-exception}
spec:
  projects: [dwlab]
  rules:
    - name: privileged
      exceptions:
        - service: kvm
$1
YAML
}
assert_fails "exception without reason is rejected" k apply -f - < <(bad_policy "")
assert_contains "rejection names the field" "$OUT" "spec.rules[0].exceptions[0].reason"
assert_fails "blank reason is rejected" k apply -f - < <(bad_policy '          reason: "  "')
assert_contains "blank-reason rejection names the field" "$OUT" "spec.rules[0].exceptions[0].reason"
assert_ok "a real reason is accepted (dry run)" k apply --dry-run=server -f - < <(bad_policy '          reason: reviewed')
gone_bad() { gone sl bad-exception; }
assert_ok "nothing was stored" gone_bad

# --- 4. Healthy over the compliant tier -----------------------------------
sl_apply_policy healthy-policy.yaml
assert_ok "kubectl wait --for=condition=Healthy" \
  k wait --for=condition=Healthy sl/dwlab-good --timeout=60s
assert_eq "projects AND selector: the 3 good services" "hungry web worker" \
  "$(jget sl/dwlab-good '[.status.services[].name] | sort | join(" ")')"
assert_eq "good tier all healthy" "healthy healthy healthy" \
  "$(jget sl/dwlab-good '[.status.services[].health] | join(" ")')"
assert_eq "good tier Compliant" True "$(sl_cond sl/dwlab-good Compliant)"

# --- 5. Enforce --------------------------------------------------------------
assert_ok "switch to Enforce" k patch sl dwlab --type merge -p '{"spec":{"mode":"Enforce"}}'
bare_fixed() {
  [ "$(sl_hc dwlab_bare_1 '{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{.HostConfig.NanoCpus}} {{.HostConfig.PidsLimit}} {{.HostConfig.RestartPolicy.Name}}')" \
    = "67108864 67108864 500000000 64 unless-stopped" ]
}
wait_until "bare enforced (inspect)" 15 bare_fixed
assert_eq "bare still runs the same container" running "$(sl_hc dwlab_bare_1 '{{.State.Status}}')"
assert_eq "web untouched" "67108864 67108864 500000000 64" \
  "$(sl_hc dwlab_web_1 '{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{.HostConfig.NanoCpus}} {{.HostConfig.PidsLimit}}')"
assert_eq "hungry keeps its own 256Mi" 268435456 "$(sl_hc dwlab_hungry_1 '{{.HostConfig.Memory}}')"
sl_wait_audited dwlab 30
nine="$(sl_planted | grep -v -e ' limits ' -e ' restartPolicy ')"
only_nonlive_left() { [ "$(sl_status_tuples dwlab)" == "$nine" ]; }
wait_until "only the 9 non-live violations remain" 15 only_nonlive_left
SL="$(k get sl dwlab -o json)"
assert_eq "every remaining violation is fixableLive=false" "false" \
  "$(jq -r '[.status.services[].violations[]?.fixableLive] | unique | map(tostring) | join(",")' <<<"$SL")"
assert_eq "bare lastEnforcement" "Updated|cpus,memory,memorySwap,pids,restartPolicy" \
  "$(jq -r '.status.services[] | select(.name == "bare") | .lastEnforcement |
     "\(.action)|\(.fields | map(select(. != "memoryReservation")) | sort | join(","))"' <<<"$SL")"
wait_until "Drifted False after enforcement" 10 sl_cond_is sl/dwlab Drifted False
# Reason only: the type (Normal/Warning) is printed on failure, not pinned.
has_event() { sl_event_reasons "$1" | grep -qE " $2\$"; }
wait_until "Enforced event" 10 has_event dwlab Enforced
wait_until "NeedsRecreate event" 10 has_event dwlab NeedsRecreate
assert_eq "no recreate without allowRecreate" "$(docker ps -aq --filter name=dwlab_netadmin_1 | wc -l)" 1
assert_eq "netadmin keeps NET_ADMIN" "[NET_ADMIN]" "$(sl_hc dwlab_netadmin_1 '{{.HostConfig.CapAdd}}')"

# --- 6. allowRecreate on a throwaway container --------------------------------
docker run -d --name dwtmp_capper_1 --network none --cap-add NET_ADMIN \
  --label com.docker.compose.project=dwtmp --label com.docker.compose.service=capper \
  --label com.docker.compose.oneoff=False --label keep=me -e KEEP=1 \
  --memory 32m --restart unless-stopped "$SL_IMAGE" sleep 100000 >/dev/null
old_id="$(sl_hc dwtmp_capper_1 '{{.Id}}')"
k apply -f - >/dev/null <<'YAML'
apiVersion: dockward.io/v1alpha1
kind: StackLimits
metadata: {name: dwtmp}
spec:
  projects: [dwtmp]
  mode: Enforce
  allowRecreate: true
  rules:
    - name: capabilities
      severity: High
YAML
recreated() {
  local id
  id="$(sl_hc dwtmp_capper_1 '{{.Id}}' 2>/dev/null)" || return 1
  [ "$id" != "$old_id" ] && [ "$(sl_hc dwtmp_capper_1 '{{.State.Status}}')" = running ]
}
wait_until "capper recreated under its name and running" 30 recreated
assert_eq "NET_ADMIN gone" "[]" "$(sl_hc dwtmp_capper_1 '{{.HostConfig.CapAdd}}' | sed 's/<no value>/[]/')"
assert_eq "everything else kept" "me|KEEP=1|33554432|unless-stopped|none|sleep 100000" \
  "$(sl_hc dwtmp_capper_1 '{{index .Config.Labels "keep"}}|{{range .Config.Env}}{{if eq . "KEEP=1"}}{{.}}{{end}}{{end}}|{{.HostConfig.Memory}}|{{.HostConfig.RestartPolicy.Name}}|{{.HostConfig.NetworkMode}}|{{join .Config.Cmd " "}}')"
old_gone() { ! docker inspect "$old_id" >/dev/null 2>&1; }
wait_until "old container removed" 15 old_gone
assert_eq "one capper container" 1 "$(docker ps -aq --filter label=com.docker.compose.project=dwtmp | wc -l)"
wait_until "Recreated event" 10 has_event dwtmp Recreated
no_violation() { [ -z "$(sl_status_tuples dwtmp)" ]; }
wait_until "dwtmp compliant after the recreate" 15 no_violation

dw_finish stacklimits_audit
