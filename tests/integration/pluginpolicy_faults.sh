#!/usr/bin/env bash
# PluginPolicy against a failing community server: every fault gives a clear
# condition (exact reason, a message that says what happened) and bounded
# retries, never a tight loop. Each counted scenario has its own community
# server double, so the requests it counts are dockward's only; the harness
# never calls the API of a counted double.
#
#  1. For 35 s from the moment the policies are applied, the stats of three
#     doubles are sampled every 0.5 s: bad credentials (Unauthorized), a
#     server answering 500 to everything (ServerError), a server closing
#     every connection (ServerUnavailable). Requests are counted and grouped
#     into passes: few passes, at least ~5 s apart (backoff), small totals.
#  2. Meanwhile, with no counting: a dead port (ServerUnavailable), a user
#     without permission (Forbidden), missing Secret / missing key
#     (SecretError), an unknown community (CommunityError), a TLS server
#     verified with spec.server.caSecretRef and the same without it.
#  3. Recovery: fix the credentials, clear the faults, bump the generation:
#     Ready=True, Degraded=False ServerReachable, promptly.
#  4. Tokens: a token-only Secret (explicit key) works, never logs in, and
#     is Unauthorized once the server expires it; with username/password at
#     most one login a pass, and an expired token is renewed (stays Ready).
#  5. No secret value in status, events or the log.
#  6. The login token is kept across passes (wire doc: cached in memory).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
DOCKWARD="${DOCKWARD:-${DW_BUILD_DIR:-/work/build}/dockward}"
source "$HERE/lib.sh"
source "$HERE/lib/pluginpolicy.sh"
pp_netns "$@"
pp_setup
pp_cs_start CS --community "$PP_C1"                         # uncounted scenarios
pp_cs_start CSB --community "$PP_C1"                        # bad credentials
pp_cs_start CSE --community "$PP_C1"                        # 500
pp_cs_start CSX --community "$PP_C1"                        # connections closed
pp_cs_start CSG --community "$PP_C1"                        # token expiry, username/password
pp_cs_start CST --community "$PP_C1"                        # token-only Secret
pp_cs_start CSS --community "$PP_C1" --tls-cert "$PP_TLS_CERT" --tls-key "$PP_TLS_KEY"
PARTIAL_PW="pa-$(openssl rand -hex 10)"
pp_cs_start CSP --community "$PP_C1" --community "$PP_C2" --user "partial:$PARTIAL_PW:admin@$PP_C1"  # roles per community
cs_fault "$CSE" '{"status":500,"count":-1,"message":"injected fault"}'
cs_fault "$CSX" '{"close":true,"count":-1}'

BAD_PW="wrong-$(openssl rand -hex 8)"
OTHER_VALUE="other-$(openssl rand -hex 8)"
pp_secret pp-admin username=admin "password=$PP_ADMIN_PW"
pp_secret pp-bad username=admin "password=$BAD_PW"
pp_secret pp-viewer username=viewer "password=$PP_VIEWER_PW"
pp_secret pp-partial username=partial "password=$PARTIAL_PW"
pp_secret pp-nokey "other=$OTHER_VALUE"
TOKEN="$(pp_cs_token "$CST")"
pp_secret pp-token "apitoken=$TOKEN"

policy() {  # NAME URL SECRET [KEY] [EXTRA-SERVER-YAML] [COMMUNITY] [INTERVAL]
  cat <<EOF
apiVersion: dockward.io/v1alpha1
kind: PluginPolicy
metadata: {name: $1}
spec:
  server:
    url: $2
    credentialsSecretRef: {name: $3${4:+, key: $4}}
${5:-}
  communities: [${6:-$PP_C1}]
  mode: Audit
  intervalSeconds: ${7:-5}
  policy:
    registryAllowlist: ["*.plugins.test"]
EOF
}
cnt() { cs_stats "$1" | jq -r '"\(.total) \(.logins)"'; }

# --- 1 + 2: apply everything, sample the counted doubles ------------------------
SAMPLES="$PP_DIR/samples"
: >"$SAMPLES"
t0=$EPOCHREALTIME
{
  policy badcreds "$CSB" pp-bad; echo ---
  policy err500 "$CSE" pp-admin; echo ---
  policy closed "$CSX" pp-admin; echo ---
  policy dead "http://127.0.0.1:1" pp-admin; echo ---
  policy forbidden "$CS" pp-viewer; echo ---
  policy nosecret "$CS" pp-missing; echo ---
  policy nokey "$CS" pp-nokey; echo ---
  policy badkey "$CS" pp-admin apitoken; echo ---
  policy ghost "$CS" pp-admin "" "" "$PP_C5"; echo ---
  policy tls-ok "$CSS" pp-admin "" "    caSecretRef: {name: pp-ca}"; echo ---
  policy tls-noca "$CSS" pp-admin; echo ---
  policy good "$CSG" pp-admin; echo ---
  policy token "$CST" pp-token apitoken; echo ---
  policy partial "$CSP" pp-partial "" "" "$PP_C1, $PP_C2"
} | pp_apply
while :; do
  now=$EPOCHREALTIME
  el="$(awk -v a="$t0" -v b="$now" 'BEGIN { printf "%.2f", b - a }')"
  awk -v e="$el" 'BEGIN { exit !(e >= 35) }' && break
  echo "$el $(cnt "$CSB") $(cnt "$CSE") $(cnt "$CSX")" >>"$SAMPLES"
  sleep 0.5
done
# passes COLUMN: request arrivals grouped into passes (increments less than
# 1.5 s apart are one pass); prints "passes requests mingap" (mingap 999 when
# there is a single pass).
passes() {
  awk -v c="$1" '
    { v = $c; if (NR == 1) { prev = v; first = v; next }
      if (v > prev) { if (n == 0 || $1 - last >= 1.5) { if (n > 0 && $1 - start < gap) gap = $1 - start; n++; start = $1 } last = $1 }
      prev = v }
    BEGIN { gap = 999 }
    END { printf "%d %d %.1f\n", n, prev - first, gap }' "$SAMPLES"
}
# The doubles are fresh: their totals count from the first pass on, which
# may fall before the first sample (so passes are "at least").
read -r e_passes _ e_gap <<<"$(passes 4)"
read -r x_passes _ x_gap <<<"$(passes 6)"
b_total="$(tail -n1 "$SAMPLES" | cut -d' ' -f2)"
e_total="$(tail -n1 "$SAMPLES" | cut -d' ' -f4)"
x_total="$(tail -n1 "$SAMPLES" | cut -d' ' -f6)"
echo "in 35 s: badcreds $b_total requests; 500: $e_total requests in $e_passes+ passes (min gap ${e_gap}s);" \
  "closed: $x_total requests in $x_passes+ passes (min gap ${x_gap}s)"
[ "$e_total" -ge 2 ] || dw_fail "the 500 server was not retried within 35 s ($e_total requests)"
dw_pass
[ "$x_total" -ge 2 ] || dw_fail "the closing server was not retried within 35 s ($x_total requests)"
dw_pass
# Backoff 5, 10, 20 s: passes at about 0, 5, 15, 35 s; each pass makes at
# most a login and a retry. A tight loop would make hundreds.
[ "$e_total" -le 10 ] || dw_fail "500 server: $e_total requests in 35 s, want <= 10 (samples: $(cut -d' ' -f1,4 "$SAMPLES" | paste -sd' '))"
dw_pass
[ "$x_total" -le 10 ] || dw_fail "closing server: $x_total requests in 35 s, want <= 10"
dw_pass
# Unauthorized backs off from 30 s: the first pass and at most one more.
[ "$b_total" -le 4 ] && [ "$b_total" -ge 1 ] || dw_fail "bad credentials: $b_total requests in 35 s, want 1..4"
dw_pass
awk -v g="$e_gap" 'BEGIN { exit !(g >= 4) }' || dw_fail "500 server: passes ${e_gap}s apart, want >= 4 s (backoff)"
dw_pass
awk -v g="$x_gap" 'BEGIN { exit !(g >= 4) }' || dw_fail "closing server: passes ${x_gap}s apart, want >= 4 s (backoff)"
dw_pass
assert_eq "bad credentials: only login attempts, none succeeded" "0 $b_total" \
  "$(cs_stats "$CSB" | jq -r '"\(.logins) \(.routes["POST /api/auth/login"] // 0)"')"

cond() { pp_get "$1" ".status.conditions[] | select(.type == \"$2\") | \"\(.status) \(.reason)\""; }
msg() { pp_get "$1" ".status.conditions[] | select(.type == \"$2\") | .message"; }
degraded() {  # NAME REASON MESSAGE-REGEX
  pp_wait "$1" 20 "Ready False $2, Degraded True $2" "$(pp_cond_q Ready False "$2") and $(pp_cond_q Degraded True "$2")"
  assert_match "$1: the Degraded message says what happened" "$(msg "$1" Degraded)" "$3"
}
degraded badcreds Unauthorized 'invalid credentials'
degraded err500 ServerError '500|injected fault'
degraded closed ServerUnavailable '.'
degraded dead ServerUnavailable '127\.0\.0\.1:1'
degraded forbidden Forbidden 'missing permission plugin_policy\.manage'
degraded nosecret SecretError 'pp-missing'
degraded nokey SecretError 'pp-nokey'
degraded badkey SecretError 'apitoken'
degraded tls-noca ServerUnavailable '[Cc]ertificate|TLS|SSL|verify|handshake'
pp_wait ghost 20 "unknown community" "$(pp_cond_q Ready False CommunityError)"
assert_match "ghost: the community entry says not found" \
  "$(pp_get ghost ".status.communities[] | select(.id == \"$PP_C5\") | \"\(.reason) \(.message)\"")" \
  '^[A-Za-z]+ .*community not found'
assert_eq "ghost: the server itself is fine" "False ServerReachable" "$(cond ghost Degraded)"
# Roles are per community: a 403 in one fails that one, the other is read.
pp_wait partial 20 "permission in C1 only: C2 fails alone" \
  "$(pp_current_q) and $(pp_cond_q Ready False CommunityError) and $(pp_cond_q Degraded False ServerReachable)"
assert_match "partial: C2 says Forbidden and which permission" \
  "$(pp_get partial ".status.communities[] | select(.id == \"$PP_C2\") | \"\(.reason) \(.message)\"")" \
  '^Forbidden .*missing permission plugin_policy\.manage'
assert_eq "partial: C1 was read (its policy drift is known)" registryAllowlist \
  "$(pp_get partial ".status.communities[] | select(.id == \"$PP_C1\") | .policyDrift | join(\" \")")"
pp_wait tls-ok 20 "TLS server verified with caSecretRef" "$(pp_cond_q Degraded False ServerReachable)"
assert_eq "tls-ok read the policy over TLS" registryAllowlist \
  "$(pp_get tls-ok ".status.communities[] | select(.id == \"$PP_C1\") | .policyDrift | join(\" \")")"
for n in good token; do
  pp_wait "$n" 20 "$n reachable" "$(pp_current_q) and $(pp_cond_q Degraded False ServerReachable) and $(pp_cond_q Drifted True DriftDetected)"
done
n_ev="$(k get events -o json | jq '[.items[] | select(.involvedObject.kind == "PluginPolicy" and
  .involvedObject.name == "err500") | (.count // 1)] | add // 0')"
[ "$n_ev" -le 2 ] || dw_fail "err500: $n_ev Events over its retries, want <= 2 (once per transition, not per pass):
$(pp_events err500)"
dw_pass

# --- 3. Recovery ---------------------------------------------------------------
pp_secret pp-bad username=admin "password=$PP_ADMIN_PW"
cs_fault "$CSE" '{"clear":true}'
cs_fault "$CSX" '{"clear":true}'
t1=$SECONDS
for n in badcreds err500 closed; do
  k patch pp "$n" --type merge -p '{"spec":{"intervalSeconds":6}}' >/dev/null
done
for n in badcreds err500 closed; do
  pp_wait "$n" 15 "$n recovers after the fix and a spec change" \
    "$(pp_current_q) and $(pp_cond_q Degraded False ServerReachable) and $(pp_cond_q Drifted True DriftDetected)"
done
[ $((SECONDS - t1)) -le 15 ] || dw_fail "recovery took $((SECONDS - t1)) s"
dw_pass

# --- 4. Tokens -------------------------------------------------------------------
assert_eq "a token Secret never logs in (the one login is the harness's)" "1 1" \
  "$(cs_stats "$CST" | jq -r '"\(.logins) \(.routes["POST /api/auth/login"] // 0)"')"
curl -sS -X POST "$CST/_double/expire-tokens" >/dev/null
pp_wait token 20 "expired token: Unauthorized" "$(pp_cond_q Ready False Unauthorized) and $(pp_cond_q Degraded True Unauthorized)"
assert_eq "still no login with a token Secret" 1 "$(cs_stats "$CST" | jq -r .logins)"

two_passes() {  # NAME
  local s
  s="$(pp_get "$1" .status.lastSyncTime)"
  pp_wait "$1" 20 "a later pass" ".status.lastSyncTime != \"$s\""
  s="$(pp_get "$1" .status.lastSyncTime)"
  pp_wait "$1" 20 "another pass" ".status.lastSyncTime != \"$s\""
}
logins0="$(cs_stats "$CSG" | jq -r .logins)"
[ "$logins0" -ge 1 ] || dw_fail "the username/password policy never logged in"
dw_pass
two_passes good
logins1="$(cs_stats "$CSG" | jq -r .logins)"
[ $((logins1 - logins0)) -le 2 ] || dw_fail "$((logins1 - logins0)) logins in two passes, want <= 1 a pass"
dw_pass
curl -sS -X POST "$CSG/_double/expire-tokens" >/dev/null
two_passes good
logins2="$(cs_stats "$CSG" | jq -r .logins)"
[ $((logins2 - logins1)) -ge 1 ] && [ $((logins2 - logins1)) -le 2 ] ||
  dw_fail "expired token: $((logins2 - logins1)) logins in two passes, want 1..2"
dw_pass
assert_eq "an expired token is renewed: the policy stays reachable" "False ServerReachable" "$(cond good Degraded)"

# --- 5. Secrets ------------------------------------------------------------------
pp_assert_no_secret "$PP_ADMIN_PW" "$PP_VIEWER_PW" "$BAD_PW" "$OTHER_VALUE" "$TOKEN"

# --- 6. Last, as it states a reading of docs/pluginpolicy-wire.md ("the token
# is cached in memory") that the other checks do not need: a healthy policy
# does not log in again on every pass.
logins0="$(cs_stats "$CSG" | jq -r .logins)"
two_passes good
assert_eq "the login token is kept across passes" "$logins0" "$(cs_stats "$CSG" | jq -r .logins)"

dw_finish pluginpolicy_faults
