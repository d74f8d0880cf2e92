# shellcheck shell=bash
# Shared harness of the PluginPolicy suites (pluginpolicy_e2e.sh,
# pluginpolicy_ssrf.sh, pluginpolicy_faults.sh). Source after
# tests/integration/lib.sh. Promises: every process it starts (dockward serve,
# the doubles) runs inside a private network and mount namespace and is
# killed by the EXIT trap; every wait has a deadline and fails with the
# object's status.
#
#   pp_netns "$@"     call first: re-execs the script under `unshare -m -n`
#                     (root only) unless already inside, then brings lo up
#                     with the addresses below and bind-mounts a private
#                     /etc/hosts, /etc/host.conf ("multi on") and /etc/gai.conf
#                     (IPv4 first). Names:
#                       registry|other|two|mixed.plugins.test, plugins.test,
#                       xplugins.test, a.mirror.test, mirror.test,
#                       evilmirror.test  -> 44.1.2.3 (public-looking, on lo)
#                       loopy.plugins.test -> 127.0.0.1
#                       private.plugins.test -> 10.9.9.9 (on lo)
#                       metadata.plugins.test -> 169.254.169.254 (on lo)
#                       v6.plugins.test -> fd00::9 (on lo)
#                       two.plugins.test  -> also 10.9.9.9 (second answer)
#                       mixed.plugins.test -> also fd00::9 (second answer)
#                     Every address is on lo and the registry listens on all
#                     of them, so a fetch that is NOT refused would succeed:
#                     refusal tests cannot pass for the wrong reason.
#   pp_setup          temp dir PP_DIR, a CA and a certificate for all those
#                     names (and IP SANs), publisher keys acme / mallory
#                     (PP_KEY_ACME / PP_KEY_MALLORY: base64 public keys), the
#                     TLS registry double (PP_REG = https://registry.plugins.test:PORT,
#                     files in PP_REG_DIR) and a plain-HTTP one (PP_REGH_PORT),
#                     `dockward serve`, Secret pp-ca (ca.crt).
#   pp_cs_start VAR [ARGS...]  a community server double on 127.0.0.1 (HTTP);
#                     its base URL goes into variable VAR. Users admin (all
#                     permissions, password $PP_ADMIN_PW) and viewer (none,
#                     $PP_VIEWER_PW) are always there; ARGS are extra flags
#                     (--community UUID, --tls-cert ...). The registry names
#                     are mapped to PP_REG_DIR, with their "DNS" answers.
#   pp_secret NAME K=V...   create or replace a generic Secret
#   pp_bundle FILE ARGS...  tests/tools/make_plugin_bundle.py bundle into
#                     PP_REG_DIR/FILE; prints the sha256
#   pp_apply          kubectl apply -f - (YAML or JSON on stdin), fails loudly
#   pp_wait NAME SECS DESC JQ  until JQ (jq -e over `k get pp NAME -o json`)
#                     holds; on timeout prints DESC and the status
#   pp_cond_q TYPE STATUS [REASON]  a jq test for a condition (use in pp_wait)
#   pp_current_q      jq test: status describes the current generation
#   pp_get NAME JQ    one value of the object (jq -r)
#   pp_wait_json DESC SECS JQ CMD...  until CMD's output satisfies JQ
#   pp_events NAME    "Type Reason Count" lines of the Events about NAME
#   pp_event_count NAME REASON  sum of the counts of NAME's REASON Events
#   pp_wait_event NAME TYPE REASON SECS [MIN]  until such Events count >= MIN
#   cs_api URL METHOD PATH [BODY]  the double's API as admin; body, then code
#   cs_get URL PATH   GET as admin, the body; fails unless 200
#   cs_stats URL      GET /_double/stats (uncounted by the double)
#   cs_fault URL JSON POST /_double/faults
#   cs_route URL ROUTE  requests of one route shape the double counted
#   reg_hits PATH / regh_hits PATH  requests the TLS / plain registry double got for PATH
#   pp_assert_no_secret VALUE...  none of the values appears in any PluginPolicy
#                     (-o yaml), any Event, or the serve log

PP_REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
PP_TOOLS="$PP_REPO/tests/tools"
PP_DIR=""
PP_PUBLIC=44.1.2.3
PP_PRIVATE=10.9.9.9
PP_LINKLOCAL=169.254.169.254
PP_ULA=fd00::9
PP_CS_SEQ=0
# Fixed community ids, so failures are easy to read.
PP_C1=11111111-1111-4111-8111-111111111111
PP_C2=22222222-2222-4222-8222-222222222222
PP_C3=33333333-3333-4333-8333-333333333333
PP_C4=44444444-4444-4444-8444-444444444444
PP_C5=55555555-5555-4555-8555-555555555555

pp_cleanup() {
  local rc=$? p i
  dw_cleanup || true  # its last test is false without a server; set -e must not stop here
  # The doubles stop on SIGTERM within a moment: wait, then insist.
  for p in "${DW_BG_PIDS[@]:-}"; do
    [ -n "$p" ] || continue
    for i in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null || true
  done
  if [ -n "$PP_DIR" ]; then rm -rf "$PP_DIR"; fi
  exit "$rc"
}

pp_netns() {
  if [ "${PP_IN_NETNS:-}" != 1 ]; then
    [ "$(id -u)" = 0 ] || dw_fail "the PluginPolicy suites need root (unshare -m -n, ip addr, mount --bind)"
    command -v unshare >/dev/null || dw_fail "unshare (util-linux) is not installed"
    PP_IN_NETNS=1 exec unshare -m -n --propagation private bash "$0" "$@"
  fi
  local bin
  for bin in ip mount getent openssl curl jq kubectl python3; do
    command -v "$bin" >/dev/null || dw_fail "$bin is not installed"
  done
  python3 -c 'import cryptography' 2>/dev/null || dw_fail "python3-cryptography is not installed"
  PP_DIR="$(mktemp -d /tmp/dw-pp.XXXXXX)"
  trap pp_cleanup EXIT
  ip link set lo up || dw_fail "ip link set lo up"
  local a
  for a in "$PP_PUBLIC" "$PP_PRIVATE" "$PP_LINKLOCAL"; do
    ip addr add "$a/32" dev lo || dw_fail "ip addr add $a"
  done
  ip -6 addr add "$PP_ULA/128" dev lo || dw_fail "ip -6 addr add $PP_ULA"
  cat >"$PP_DIR/hosts" <<EOF
127.0.0.1 localhost
::1 localhost ip6-localhost ip6-loopback
$PP_PUBLIC registry.plugins.test other.plugins.test plugins.test xplugins.test
$PP_PUBLIC a.mirror.test mirror.test evilmirror.test
127.0.0.1 loopy.plugins.test
$PP_PRIVATE private.plugins.test
$PP_LINKLOCAL metadata.plugins.test
$PP_ULA v6.plugins.test
$PP_PUBLIC two.plugins.test
$PP_PRIVATE two.plugins.test
$PP_PUBLIC mixed.plugins.test
$PP_ULA mixed.plugins.test
EOF
  printf 'multi on\n' >"$PP_DIR/host.conf"
  # IPv4 before IPv6 (glibc's default table puts any IPv6 first), so the
  # mixed name answers its public address first: the refusal must come from
  # checking EVERY address, not the first.
  printf 'precedence ::1/128 50\nprecedence ::/0 40\nprecedence 2002::/16 30\nprecedence ::/96 20\nprecedence ::ffff:0:0/96 100\n' \
    >"$PP_DIR/gai.conf"
  mount --bind "$PP_DIR/hosts" /etc/hosts || dw_fail "mount --bind /etc/hosts"
  mount --bind "$PP_DIR/host.conf" /etc/host.conf || dw_fail "mount --bind /etc/host.conf"
  [ -e /etc/gai.conf ] || touch /etc/gai.conf
  mount --bind "$PP_DIR/gai.conf" /etc/gai.conf || dw_fail "mount --bind /etc/gai.conf"
  # The names must really resolve as planned, or the SSRF tests would pass
  # vacuously (a name that does not resolve is refused for another reason).
  assert_eq "registry.plugins.test resolves" "$PP_PUBLIC" "$(pp_lookup registry.plugins.test)"
  assert_eq "loopy.plugins.test resolves" "127.0.0.1" "$(pp_lookup loopy.plugins.test)"
  assert_eq "two.plugins.test has two addresses, the public one first" "$PP_PUBLIC $PP_PRIVATE" \
    "$(pp_lookup two.plugins.test)"
  assert_eq "mixed.plugins.test has two addresses, the public one first" "$PP_PUBLIC $PP_ULA" \
    "$(pp_lookup mixed.plugins.test)"
  assert_eq "v6.plugins.test resolves" "$PP_ULA" "$(pp_lookup v6.plugins.test)"
  run getent ahosts nope.plugins.test
  assert_ne "nope.plugins.test does not resolve" 0 "$RC"
}

# Addresses of a name as getaddrinfo gives them (stream sockets), in order.
pp_lookup() {
  getent ahosts "$1" | awk '$2 == "STREAM" { print $1 }' | awk '!seen[$0]++' | paste -sd' '
}

pp_pki() {
  local d="$PP_DIR/pki"
  mkdir -p "$d"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj "/CN=dockward pp test CA" -keyout "$d/ca.key" -out "$d/ca.crt" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign" \
    >/dev/null 2>&1 || dw_fail "openssl: CA"
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=registry.plugins.test" \
    -keyout "$d/tls.key" -out "$d/tls.csr" >/dev/null 2>&1 || dw_fail "openssl: CSR"
  # Every name and address the suites use, IP SANs included: a fetch that
  # should have been refused would complete the TLS handshake.
  cat >"$d/ext.cnf" <<EOF
subjectAltName=DNS:registry.plugins.test,DNS:*.plugins.test,DNS:plugins.test,DNS:xplugins.test,DNS:a.mirror.test,DNS:*.mirror.test,DNS:mirror.test,DNS:evilmirror.test,DNS:localhost,DNS:foo.localhost,IP:127.0.0.1,IP:::1,IP:$PP_PUBLIC,IP:$PP_PRIVATE,IP:$PP_LINKLOCAL,IP:$PP_ULA,IP:::ffff:127.0.0.1
basicConstraints=CA:FALSE
extendedKeyUsage=serverAuth
EOF
  openssl x509 -req -in "$d/tls.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial -days 2 \
    -extfile "$d/ext.cnf" -out "$d/tls.crt" >/dev/null 2>&1 || dw_fail "openssl: certificate"
  PP_CA="$d/ca.crt"
  PP_TLS_CERT="$d/tls.crt"
  PP_TLS_KEY="$d/tls.key"
}

# Starts a double that writes DIR/port; its port goes into variable VAR.
# Not in a subshell: the pid must reach DW_BG_PIDS for the EXIT trap.
pp_start_double() {  # VAR LOGNAME DIR CMD...
  local var=$1 log=$2 dir=$3
  shift 3
  mkdir -p "$dir"
  "$@" >"$PP_DIR/$log.log" 2>&1 &
  local pid=$!
  DW_BG_PIDS+=("$pid")
  local deadline=$((SECONDS + 15))
  until [ -s "$dir/port" ]; do
    kill -0 "$pid" 2>/dev/null || dw_fail "$log exited: $(tail -n 5 "$PP_DIR/$log.log")"
    [ "$SECONDS" -lt "$deadline" ] || dw_fail "$log did not start"
    sleep 0.1
  done
  printf -v "$var" '%s' "$(cat "$dir/port")"
}

# Everything of pp_setup but dockward.
pp_doubles() {
  pp_pki
  mkdir -p "$PP_DIR/keys"
  PP_KEY_ACME="$(python3 "$PP_TOOLS/make_plugin_bundle.py" keygen "$PP_DIR/keys/acme")" || dw_fail "keygen"
  PP_KEY_MALLORY="$(python3 "$PP_TOOLS/make_plugin_bundle.py" keygen "$PP_DIR/keys/mallory")" || dw_fail "keygen"
  PP_ADMIN_PW="adm-$(openssl rand -hex 10)"
  PP_VIEWER_PW="vw-$(openssl rand -hex 10)"
  PP_REG_DIR="$PP_DIR/registry"
  mkdir -p "$PP_REG_DIR"
  pp_start_double PP_REG_PORT registry "$PP_DIR/reg" python3 "$PP_TOOLS/registry_double.py" \
    "$PP_DIR/reg" --root "$PP_REG_DIR" --bind :: --tls-cert "$PP_TLS_CERT" --tls-key "$PP_TLS_KEY"
  pp_start_double PP_REGH_PORT registry-http "$PP_DIR/regh" python3 "$PP_TOOLS/registry_double.py" \
    "$PP_DIR/regh" --root "$PP_REG_DIR" --bind ::
  PP_REG="https://registry.plugins.test:$PP_REG_PORT"
  # The registry is reachable by name over TLS inside the namespace, and on
  # the addresses the refusal tests name.
  echo probe >"$PP_REG_DIR/probe.txt"
  assert_eq "registry by name over TLS" probe "$(curl -sS --cacert "$PP_CA" "$PP_REG/probe.txt")"
  assert_eq "registry on the loopback name too" probe \
    "$(curl -sS --cacert "$PP_CA" "https://loopy.plugins.test:$PP_REG_PORT/probe.txt")"
  assert_eq "registry on the private address too" probe \
    "$(curl -sS --cacert "$PP_CA" "https://private.plugins.test:$PP_REG_PORT/probe.txt")"
  assert_eq "registry on the ULA address too" probe \
    "$(curl -sS --cacert "$PP_CA" "https://v6.plugins.test:$PP_REG_PORT/probe.txt")"
  assert_eq "plain registry" probe "$(curl -sS "http://registry.plugins.test:$PP_REGH_PORT/probe.txt")"
}

pp_setup() {
  pp_doubles
  dw_start
  pp_secret pp-ca "ca.crt=$(cat "$PP_CA")"
}

pp_cs_start() {  # VAR [ARGS...]
  local var=$1
  shift
  PP_CS_SEQ=$((PP_CS_SEQ + 1))
  local dir="$PP_DIR/cs$PP_CS_SEQ" h maps=() port scheme=http
  for h in registry.plugins.test a.mirror.test; do
    maps+=(--registry-map "$h=$PP_REG_DIR" --resolve "$h=$PP_PUBLIC")
  done
  maps+=(--resolve "loopy.plugins.test=127.0.0.1" --resolve "private.plugins.test=$PP_PRIVATE")
  case " $* " in *" --tls-cert "*) scheme=https ;; esac
  pp_start_double port "cs$PP_CS_SEQ" "$dir" python3 "$PP_TOOLS/community_server_double.py" "$dir" \
    --user "admin:$PP_ADMIN_PW:admin" --user "viewer:$PP_VIEWER_PW:member" "${maps[@]}" "$@"
  # The TLS double's certificate names registry.plugins.test and 127.0.0.1.
  printf -v "$var" '%s' "$scheme://127.0.0.1:$port"
}

pp_secret() {  # NAME K=V...
  local name=$1 kv args=()
  shift
  for kv in "$@"; do args+=(--from-literal="$kv"); done
  k create secret generic "$name" "${args[@]}" --dry-run=client -o yaml | k apply -f - >/dev/null ||
    dw_fail "Secret $name not applied"
}

pp_bundle() {  # FILE ARGS...
  local file=$1
  shift
  python3 "$PP_TOOLS/make_plugin_bundle.py" bundle "$PP_REG_DIR/$file" "$@" || dw_fail "bundle $file not made"
}

pp_apply() {
  local out
  out="$(k apply -f - 2>&1)" || dw_fail "kubectl apply failed: $out"
}

pp_get() { jget "pp/$1" "$2"; }

pp_cond_q() {  # TYPE STATUS [REASON]
  local q="any(.status.conditions[]?; .type == \"$1\" and .status == \"$2\""
  [ -n "${3:-}" ] && q+=" and .reason == \"$3\""
  echo "$q)"
}

pp_current_q() { echo '((.status.observedGeneration // -1) == .metadata.generation)'; }

pp_wait() {  # NAME SECS DESC JQ
  local name=$1 secs=$2 desc=$3 q=$4 js deadline=$((SECONDS + $2))
  while :; do
    js="$(k get "pp/$name" -o json 2>/dev/null)" && jq -e "$q" <<<"$js" >/dev/null 2>&1 && break
    if [ "$SECONDS" -ge "$deadline" ]; then
      dw_fail "PluginPolicy $name: $desc: not true after ${secs}s
  wanted: $q
  status: $(jq -c '{generation: .metadata.generation, status: .status}' <<<"$js" 2>&1 | head -c 6000)"
    fi
    sleep 0.25
  done
  dw_pass
}

# pp_wait_json DESC SECS JQ CMD...: until CMD's output satisfies jq -e JQ.
pp_wait_json() {
  local desc=$1 secs=$2 q=$3 out deadline=$((SECONDS + $2))
  shift 3
  while :; do
    out="$("$@" 2>&1)" && jq -e "$q" <<<"$out" >/dev/null 2>&1 && break
    [ "$SECONDS" -lt "$deadline" ] || dw_fail "$desc: not true after ${secs}s
  wanted: $q
  last output of [$*]: $(head -c 4000 <<<"$out")"
    sleep 0.25
  done
  dw_pass
}

pp_events() {
  k get events -o json |
    jq -r --arg n "$1" '.items[] | select(.involvedObject.kind == "PluginPolicy" and
      .involvedObject.name == $n) | "\(.type) \(.reason) \(.count // 1)"'
}
pp_event_count() {
  k get events -o json |
    jq -r --arg n "$1" --arg r "$2" '[.items[] | select(.involvedObject.kind == "PluginPolicy" and
      .involvedObject.name == $n and .reason == $r) | (.count // 1)] | add // 0'
}
# pp_wait_event NAME TYPE REASON SECS [MIN-COUNT]
pp_wait_event() {
  local name=$1 type=$2 reason=$3 secs=$4 min=${5:-1} deadline=$((SECONDS + $4)) n
  while :; do
    n="$(k get events -o json | jq -r --arg n "$name" --arg t "$type" --arg r "$reason" \
      '[.items[] | select(.involvedObject.kind == "PluginPolicy" and .involvedObject.name == $n and
        .reason == $r and .type == $t) | (.count // 1)] | add // 0')"
    [ "$n" -ge "$min" ] && break
    [ "$SECONDS" -lt "$deadline" ] || dw_fail "no $type $reason Event (count >= $min) about $name after ${secs}s; events:
$(pp_events "$name")"
    sleep 0.25
  done
  dw_pass
}

pp_cs_token() {  # URL -> admin token, cached per URL
  local f="$PP_DIR/token.$(printf '%s' "$1" | tr -c 'a-zA-Z0-9' _)"
  if [ ! -s "$f" ]; then
    curl -sS -k -X POST -H 'Content-Type: application/json' \
      --data-binary "$(jq -nc --arg p "$PP_ADMIN_PW" '{username: "admin", password: $p}')" \
      "$1/api/auth/login" | jq -r .token >"$f" || dw_fail "login at the double $1 failed"
  fi
  cat "$f"
}
cs_api() {  # URL METHOD PATH [BODY]
  local url=$1 method=$2 path=$3 body=${4:-}
  local args=(-sS -k -X "$method" -H "Authorization: Bearer $(pp_cs_token "$url")" -w '\n%{http_code}')
  [ -n "$body" ] && args+=(-H 'Content-Type: application/json' --data-binary "$body")
  curl "${args[@]}" "$url$path"
}
cs_get() {  # URL PATH
  local out
  out="$(cs_api "$1" GET "$2")"
  [ "$(api_code "$out")" = 200 ] || dw_fail "GET $2 at the double: $out"
  api_body "$out"
}
cs_stats() { curl -sS -k "$1/_double/stats"; }
cs_fault() { curl -sS -k -X POST -H 'Content-Type: application/json' --data-binary "$2" "$1/_double/faults" >/dev/null; }
# Requests of one route shape ("PUT /api/communities/{id}/plugin-policy").
cs_route() { cs_stats "$1" | jq -r --arg r "$2" '.routes[$r] // 0'; }

reg_hits() {  # PATH: requests the TLS registry double got for it
  curl -sS --cacert "$PP_CA" "$PP_REG/_double/stats" | jq -r --arg p "$1" '.paths[$p] // 0'
}
regh_hits() {  # PATH: the same at the plain-HTTP registry double
  curl -sS "http://registry.plugins.test:$PP_REGH_PORT/_double/stats" | jq -r --arg p "$1" '.paths[$p] // 0'
}

pp_assert_no_secret() {
  sleep 1  # let the event recorder flush
  local everything v
  everything="$(k get pp -A -o yaml; k get events -A -o yaml; cat "$DW_DIR/serve.log")"
  for v in "$@"; do
    assert_not_contains "secret value stays out of status, events and the log" "$everything" "$v"
  done
}
