#!/usr/bin/env bash
# PluginPolicy SSRF refusals end to end (docs/ssrf.md): dockward's own fetch
# of registry bundles, inside a private network namespace whose /etc/hosts
# gives test names loopback, private, link-local and unique-local addresses
# (lib/pluginpolicy.sh). Every one of those addresses is on lo and the TLS
# registry double listens on all of them with a certificate naming them all,
# so a fetch that is not refused would succeed: each refusal is checked by
# its exact reason, the host/address/class its message names, AND the
# registry double's count of requests for the refused path (0), AND the
# community double's package list (a refused package is never sent).
#
# Policies (Enforce, one community each, signed-only, publisher acme):
#  ssrf  (C1, allowlist *.plugins.test, maxBytes 65536): positive controls
#        (plain, upper-case host, 1 and 3 redirects) and every refusal:
#        scheme, userinfo, localhost spellings, IP literals in every spelling,
#        names resolving to non-public addresses (one of two answers too),
#        unresolvable, redirects to any of those, downgrade, too many
#        redirects, HTTP status, body over the cap (Content-Length, chunked).
#  allow (C2, allowlist registry.plugins.test + *.mirror.test): exact and
#        suffix matches, label boundary, bare suffix, other hosts.
#  empty (C4, no allowlist): nothing is allowed.
#  slow  (C3, timeoutSeconds 3): a registry that trickles a byte a second.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
DOCKWARD="${DOCKWARD:-${DW_BUILD_DIR:-/work/build}/dockward}"
source "$HERE/lib.sh"
source "$HERE/lib/pluginpolicy.sh"
pp_netns "$@"
pp_setup
pp_cs_start CS --community "$PP_C1" --community "$PP_C2" --community "$PP_C3" --community "$PP_C4"
pp_secret pp-admin username=admin "password=$PP_ADMIN_PW"

ACME="$PP_DIR/keys/acme"
P="$PP_REG_PORT"
HP="$PP_REGH_PORT"
R="$PP_REG"
signed() { pp_bundle "$1.json" --name "$1" --version 1.0.0 --publisher acme --sign "$ACME"; }
declare -A SHA
for n in good upper redir1 redir3 exact suffix empty; do SHA[$n]="$(signed "$n")"; done
GOOD="${SHA[good]}"
uri() { jq -rn --arg s "$1" '$s | @uri'; }
redir_chain() {  # N TARGET-PATH: a path that redirects N times, then TARGET-PATH
  local n=$1 t=$2 i
  for ((i = 0; i < n; i++)); do t="/redir?to=$(uri "$t")"; done
  printf '%s' "$t"
}
USERPW="pw-$(openssl rand -hex 6)"

# name|url|expected reason|needles (';'-separated) the message must contain.
# Paths under /c/ exist nowhere: the registry double counts every request,
# so a refused target must show 0 hits.
CASES_SSRF="$(cat <<EOF
scheme|http://registry.plugins.test:$HP/c/scheme.json|SchemeNotAllowed|http
userinfo|https://user:$USERPW@registry.plugins.test:$P/c/userinfo.json|Userinfo|credentials
localhost|https://localhost:$P/c/localhost.json|Localhost|localhost
localhost-dot|https://LOCALHOST.:$P/c/localhost-dot.json|Localhost|localhost
sub-localhost|https://foo.localhost:$P/c/sub-localhost.json|Localhost|foo.localhost
ip-dotted|https://127.0.0.1:$P/c/ip-dotted.json|IpLiteral|127.0.0.1
ip-decimal|https://2130706433:$P/c/ip-decimal.json|IpLiteral|2130706433
ip-octal|https://0177.0.0.1:$P/c/ip-octal.json|IpLiteral|0177.0.0.1
ip-hex|https://0x7f000001:$P/c/ip-hex.json|IpLiteral|0x7f000001
ip-hex-short|https://0x7f.1:$P/c/ip-hex-short.json|IpLiteral|0x7f.1
ip-short|https://127.1:$P/c/ip-short.json|IpLiteral|127.1
ip-private-short|https://10.1:$P/c/ip-private-short.json|IpLiteral|10.1
ip-public|https://$PP_PUBLIC:$P/c/ip-public.json|IpLiteral|$PP_PUBLIC
ip-numeric-tld|https://registry.plugins.123:$P/c/ip-numeric-tld.json|IpLiteral|registry.plugins.123
ip6-loopback|https://[::1]:$P/c/ip6-loopback.json|IpLiteral|::1
ip6-mapped|https://[::ffff:127.0.0.1]:$P/c/ip6-mapped.json|IpLiteral|::ffff:127.0.0.1
ip6-mapped-hex|https://[::ffff:7f00:1]:$P/c/ip6-mapped-hex.json|IpLiteral|::ffff:7f00:1
ip6-zone|https://[fe80::1%25lo]:$P/c/ip6-zone.json|IpLiteral|fe80::1
name-loopback|https://loopy.plugins.test:$P/c/name-loopback.json|BlockedAddress|loopy.plugins.test;127.0.0.1;loopback
name-private|https://private.plugins.test:$P/c/name-private.json|BlockedAddress|private.plugins.test;$PP_PRIVATE;private
name-metadata|https://metadata.plugins.test:$P/c/name-metadata.json|BlockedAddress|$PP_LINKLOCAL;link-local
name-ula|https://v6.plugins.test:$P/c/name-ula.json|BlockedAddress|$PP_ULA;unique-local
name-two|https://two.plugins.test:$P/c/name-two.json|BlockedAddress|two.plugins.test;$PP_PRIVATE;private
name-mixed|https://mixed.plugins.test:$P/c/name-mixed.json|BlockedAddress|mixed.plugins.test;$PP_ULA;unique-local
name-unresolvable|https://nope.plugins.test:$P/c/name-unresolvable.json|ResolveFailed|nope.plugins.test
redir-loopback|$R/redir?to=$(uri "https://loopy.plugins.test:$P/c/redir-loopback.json")|BlockedAddress|(redirect 1);127.0.0.1;loopback
redir-ip|$R/redir?to=$(uri "https://127.0.0.1:$P/c/redir-ip.json")|IpLiteral|(redirect 1);127.0.0.1
redir-localhost|$R/redir?to=$(uri "https://localhost:$P/c/redir-localhost.json")|Localhost|(redirect 1)
redir-private-307|$R/redir?code=307&to=$(uri "https://private.plugins.test:$P/c/redir-private-307.json")|BlockedAddress|(redirect 1);$PP_PRIVATE
redir-metadata-301|$R/redir?code=301&to=$(uri "https://metadata.plugins.test:$P/c/redir-metadata-301.json")|BlockedAddress|(redirect 1);$PP_LINKLOCAL
redir-not-allowlisted|$R/redir?to=$(uri "https://mirror.test:$P/c/redir-not-allowlisted.json")|NotAllowlisted|(redirect 1);mirror.test
downgrade|$R/redir?to=$(uri "http://registry.plugins.test:$HP/c/downgrade.json")|Downgrade|redirect to http://registry.plugins.test:$HP/c/downgrade.json
too-many-redirects|$R$(redir_chain 4 /c/too-many-redirects.json)|TooManyRedirects|
http-status|$R/c/http-status.json|HttpStatus|404
too-large|$R/huge?bytes=200000|TooLarge|
too-large-chunked|$R/huge?bytes=200000&chunked=1|TooLarge|
EOF
)"
CASES_ALLOW="$(cat <<EOF
other-host|https://other.plugins.test:$P/c/other-host.json|NotAllowlisted|other.plugins.test
sub-of-exact|https://x.registry.plugins.test:$P/c/sub-of-exact.json|NotAllowlisted|x.registry.plugins.test
bare-suffix|https://mirror.test:$P/c/bare-suffix.json|NotAllowlisted|mirror.test
label-boundary|https://evilmirror.test:$P/c/label-boundary.json|NotAllowlisted|evilmirror.test
EOF
)"

# packages_json CASES [name|url|sha ...]: the spec.packages array.
packages_json() {
  local cases=$1
  shift
  {
    while IFS='|' read -r n u _ _; do
      [ -n "$n" ] && jq -nc --arg n "$n" --arg u "$u" --arg s "$GOOD" '{name: $n, source: {registryUrl: $u}, sha256: $s}'
    done <<<"$cases"
    local extra
    for extra in "$@"; do
      IFS='|' read -r n u s <<<"$extra"
      jq -nc --arg n "$n" --arg u "$u" --arg s "$s" '{name: $n, source: {registryUrl: $u}, sha256: $s, publisher: "acme"}'
    done
  } | jq -sc .
}
policy_json() {  # NAME COMMUNITY ALLOWLIST-JSON FETCH-JSON PACKAGES-JSON
  jq -n --arg n "$1" --arg c "$2" --argjson al "$3" --argjson f "$4" --argjson pk "$5" \
    --arg url "$CS" --arg key "$PP_KEY_ACME" '{
    apiVersion: "dockward.io/v1alpha1", kind: "PluginPolicy", metadata: {name: $n},
    spec: {server: {url: $url, credentialsSecretRef: {name: "pp-admin"}}, communities: [$c],
      mode: "Enforce", intervalSeconds: 300,
      policy: ({trustPolicy: "signed-only", installSources: ["registry"],
        trustedPublishers: [{name: "acme", publicKey: $key}]} + (if $al == null then {} else {registryAllowlist: $al} end)),
      fetch: ({caSecretRef: {name: "pp-ca"}} + $f), packages: $pk}}'
}

POSITIVE_SSRF=("good|$R/good.json|${SHA[good]}"
  "upper|https://REGISTRY.PLUGINS.TEST:$P/upper.json|${SHA[upper]}"
  "redir1|$R/redir?to=$(uri /redir1.json)|${SHA[redir1]}"
  "redir3|$R$(redir_chain 3 /redir3.json)|${SHA[redir3]}")
POSITIVE_ALLOW=("exact|$R/exact.json|${SHA[exact]}" "suffix|https://a.mirror.test:$P/suffix.json|${SHA[suffix]}")

t0=$SECONDS
policy_json ssrf "$PP_C1" '["*.plugins.test"]' '{"maxBytes": 65536}' \
  "$(packages_json "$CASES_SSRF" "${POSITIVE_SSRF[@]}")" | pp_apply
policy_json allow "$PP_C2" '["registry.plugins.test", "*.mirror.test"]' '{}' \
  "$(packages_json "$CASES_ALLOW" "${POSITIVE_ALLOW[@]}")" | pp_apply
policy_json empty "$PP_C4" null '{}' "$(packages_json "" "empty|$R/empty.json|${SHA[empty]}")" | pp_apply
policy_json slow "$PP_C3" '["*.plugins.test"]' '{"timeoutSeconds": 3, "readTimeoutSeconds": 10}' \
  "$(packages_json "trickle|$R/trickle?bytes=60|Timeout|")" | pp_apply

n_ssrf=$(( $(grep -c . <<<"$CASES_SSRF") + ${#POSITIVE_SSRF[@]} ))
n_allow=$(( $(grep -c . <<<"$CASES_ALLOW") + ${#POSITIVE_ALLOW[@]} ))
all_reported() { echo "$(pp_current_q) and (.status.packages | length) == $1 and all(.status.packages[]; .verified != null)"; }
pp_wait ssrf 60 "every package verified or refused" "$(all_reported "$n_ssrf")"
pp_wait allow 30 "every package verified or refused" "$(all_reported "$n_allow")"
pp_wait empty 30 "the package refused" "$(all_reported 1)"
pp_wait slow 30 "the trickle refused" "$(all_reported 1)"
# A 3 s total deadline against 60 s of trickle: the pass ended early.
[ $((SECONDS - t0)) -lt 30 ] || dw_fail "the policies took $((SECONDS - t0)) s: a fetch was not bounded"
dw_pass

# check_cases POLICY CASES: reason, message needles, and 0 hits at the target.
check_cases() {
  local pol=$1 cases=$2 js n u reason needles entry msg path needle
  js="$(k get pp "$pol" -o json)"
  while IFS='|' read -r n u reason needles; do
    [ -n "$n" ] || continue
    entry="$(jq -c --arg n "$n" '.status.packages[] | select(.name == $n)' <<<"$js")"
    assert_eq "$pol/$n refused as $reason" "false $reason" "$(jq -r '"\(.verified) \(.reason)"' <<<"$entry")"
    msg="$(jq -r '.message // ""' <<<"$entry")"
    IFS=';' read -ra parts <<<"$needles"
    for needle in "${parts[@]}"; do
      [ -n "$needle" ] && assert_contains "$pol/$n message names $needle" "$msg" "$needle"
    done
    path="/c/$n.json"
    if [ "$reason" = HttpStatus ]; then  # fetched, and the 404 refused
      [ "$(reg_hits "$path")" -ge 1 ] || dw_fail "$pol/$n: $path was never requested"
      dw_pass
    elif [[ "$u" == http://* || "$u" == *"http%3A%2F%2F"* ]]; then
      assert_eq "$pol/$n: the plain registry never saw $path" 0 "$(regh_hits "$path")"
    else
      assert_eq "$pol/$n: the registry never saw $path" 0 "$(reg_hits "$path")"
    fi
  done <<<"$cases"
}
check_cases ssrf "$CASES_SSRF"
check_cases allow "$CASES_ALLOW"
check_cases empty "empty|$R/empty.json|NotAllowlisted|registry.plugins.test"
check_cases slow "trickle|$R/trickle?bytes=60|Timeout|"
assert_not_contains "the userinfo password is not echoed" \
  "$(pp_get ssrf '.status.packages[] | select(.name == "userinfo") | .message')" "$USERPW"
# The refusals at a redirect happened there: the first hops were fetched.
[ "$(reg_hits /redir)" -ge 7 ] || dw_fail "redirect first hops: $(reg_hits /redir) requests, want >= 7"
dw_pass
[ "$(reg_hits /huge)" -ge 2 ] || dw_fail "the too-large bodies were never requested: $(reg_hits /huge)"
dw_pass

verified() {  # POLICY NAME...: verified, pinned sha, signature checked
  local pol=$1 n
  shift
  for n in "$@"; do
    assert_eq "$pol/$n verified (positive control)" "true ${SHA[$n]} true" \
      "$(pp_get "$pol" ".status.packages[] | select(.name == \"$n\") | \"\(.verified) \(.sha256) \(.signatureVerified)\"")"
  done
}
verified ssrf good upper redir1 redir3
verified allow exact suffix
assert_eq "redir3 followed three redirects" 1 "$(reg_hits /redir3.json)"

for pol in ssrf allow empty slow; do
  pp_wait "$pol" 30 "Ready False PackagesRefused" "$(pp_cond_q Ready False PackagesRefused)"
  assert_eq "$pol: Degraded False (refusals are not server faults)" "False ServerReachable" \
    "$(pp_get "$pol" '.status.conditions[] | select(.type == "Degraded") | "\(.status) \(.reason)"')"
done
# The community double's own view: only verified packages were ever sent.
names() { cs_get "$CS" "/api/communities/$1/plugin-packages" | jq -r '[.[].name] | sort | join(" ")'; }
pp_wait_json "C1 holds good and upper only" 20 '[.[].name] | sort == ["good","upper"]' \
  cs_get "$CS" "/api/communities/$PP_C1/plugin-packages"
assert_eq "C2 holds exact and suffix only" "exact suffix" "$(names "$PP_C2")"
assert_eq "C3 holds nothing" "" "$(names "$PP_C3")"
assert_eq "C4 holds nothing" "" "$(names "$PP_C4")"
pp_wait_event ssrf Warning PackageRefused 10
pp_assert_no_secret "$PP_ADMIN_PW"
for n in redir1 redir3; do
  assert_eq "$n: verified by dockward, refused by the double (it cannot follow redirects)" RegistryFetchFailed \
    "$(pp_get ssrf ".status.communities[] | .packages[] | select(.name == \"$n\") | .reason")"
done
# Last: the summary counts server refusals too (CRD: "fetch, hash, signature
# or server refusal"); redir1/redir3 are refused by the double.
assert_eq "ssrf summary: everything but good and upper refused (redir1/redir3 by the double, which cannot follow redirects)" \
  "$n_ssrf $((n_ssrf - 2))" "$(pp_get ssrf '.status.summary | "\(.packages) \(.refused)"')"
assert_eq "allow summary" "$n_allow $((n_allow - 2))" "$(pp_get allow '.status.summary | "\(.packages) \(.refused)"')"

dw_finish pluginpolicy_ssrf
