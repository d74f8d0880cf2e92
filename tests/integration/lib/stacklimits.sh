# shellcheck shell=bash
# Shared steps of the StackLimits suites (stacklimits_audit.sh,
# stacklimits_events.sh) and benchmarks (bench/stacklimits_*.sh). Source after
# tests/integration/lib.sh and lib/db.sh.
#
#   sl_setup            private dockerd + dwtest/busybox:1 + the dwlab stack
#                       of examples/stacklimits up (kvm, vmprov created only)
#                       + `dockward serve` + DockerHost "local" Ready.
#                       Sets SL_DIR (temp root), SL_DOCK (daemon dir).
#   sl_daemon_up        the private dockerd and the image only (benchmarks)
#   sl_image_build      import busybox-static as dwtest/busybox:1 (idempotent)
#   sl_compose ARGS...  docker-compose -p dwlab -f examples/.../docker-compose.yml
#   sl_dockerhost       apply DockerHost local for $SL_DOCK, wait Ready
#   sl_apply_policy FILE [SED-EXPR...]  kubectl apply an example policy,
#                       optionally edited (e.g. 's/mode: Audit/mode: Enforce/')
#   sl_cond OBJ TYPE [FIELD]   one condition field (status by default)
#   sl_cond_is OBJ TYPE STATUS
#   sl_status_tuples NAME     "project service rule subject" of the open
#                       violations in status, sorted, "-" for an empty subject
#   sl_planted          the 13 tuples the example stack plants, same format
#                       (subjects as the rules write them: dockerSocket names
#                       the mount destination)
#   sl_hc CONTAINER GO-TEMPLATE  docker inspect -f on the test daemon
#   sl_event_reasons NAME     reasons of the Events about StackLimits NAME
#   sl_wait_audited NAME SECS until Ready=True and observedGeneration is current
# Every wait has a deadline and fails with the object's YAML.

SL_REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
SL_EXAMPLE="$SL_REPO/examples/stacklimits"
SL_IMAGE="dwtest/busybox:1"
SL_PROJECT="dwlab"
SL_DIR=""
SL_DOCK=""
# Services docker-compose starts; kvm and vmprov are privileged, which this
# machine cannot run: they stay created and are audited in that state.
SL_STARTED=(web worker hungry netadmin sockmount sockproxy secrets templated bare)

sl_cleanup() {
  local rc=$?
  dw_cleanup
  if [ -n "$SL_DOCK" ]; then db_daemon_stop "$SL_DOCK" || true; db_daemon_reap "$SL_DOCK"; fi
  if [ -n "$SL_DIR" ]; then
    rm -rf "$SL_DIR" 2>/dev/null || { sleep 1; rm -rf "$SL_DIR" || true; }
  fi
  exit "$rc"
}

sl_require() {
  local bin
  for bin in dockerd docker docker-compose busybox kubectl jq curl python3; do
    command -v "$bin" >/dev/null || dw_fail "$bin is not installed (scripts/setup.sh test)"
  done
  file -L "$(command -v busybox)" 2>/dev/null | grep -q 'statically linked' ||
    dw_fail "busybox is not statically linked (install busybox-static)"
}

# The image: a static busybox and the applets the example stack and its
# healthchecks run. No ENV: the daemon's default PATH applies.
sl_image_build() {
  docker image inspect "$SL_IMAGE" >/dev/null 2>&1 && return 0
  local root x rc=0
  root="$(mktemp -d /tmp/dw-slimg.XXXXXX)" || return 1
  chmod 0755 "$root"
  mkdir -p "$root/bin" "$root/tmp" "$root/etc"
  chmod 1777 "$root/tmp"
  cp "$(command -v busybox)" "$root/bin/busybox"
  for x in sh sleep true dd rm mkdir cat ls echo; do ln -s busybox "$root/bin/$x"; done
  tar --numeric-owner -C "$root" -c . | docker import - "$SL_IMAGE" >/dev/null || rc=$?
  rm -rf "$root"
  [ "$rc" -eq 0 ] || { echo "stacklimits.sh: importing $SL_IMAGE failed" >&2; return 1; }
}

# DW_DOCKER_SOCK: the sockmount/sockproxy services bind the test daemon's
# own socket (a missing bind source would be created as a directory).
sl_compose() {
  DW_DOCKER_SOCK="$SL_DOCK/docker.sock" \
    docker-compose --no-ansi -p "$SL_PROJECT" -f "$SL_EXAMPLE/docker-compose.yml" "$@"
}

sl_daemon_up() {
  sl_require
  SL_DIR="$(mktemp -d /tmp/dw-sl.XXXXXX)"
  SL_DOCK="$SL_DIR/dk"
  trap sl_cleanup EXIT
  db_daemon_start "$SL_DOCK" || dw_fail "dockerd did not start"
  sl_image_build || dw_fail "image $SL_IMAGE not built"
}

sl_stack_up() {
  sl_compose up --no-start >"$SL_DIR/compose-up.log" 2>&1 ||
    dw_fail "docker-compose up --no-start failed: $(tail -n 20 "$SL_DIR/compose-up.log")"
  sl_compose start "${SL_STARTED[@]}" >>"$SL_DIR/compose-up.log" 2>&1 ||
    dw_fail "docker-compose start failed: $(tail -n 20 "$SL_DIR/compose-up.log")"
  local n
  n="$(docker ps -q --filter "label=com.docker.compose.project=$SL_PROJECT" | wc -l)"
  assert_eq "dwlab containers running" "${#SL_STARTED[@]}" "$n"
  n="$(docker ps -aq --filter "label=com.docker.compose.project=$SL_PROJECT" --filter status=created | wc -l)"
  assert_eq "dwlab containers created only (kvm, vmprov)" 2 "$n"
}

sl_dockerhost() {
  k apply -f - >/dev/null <<YAML || dw_fail "DockerHost not applied"
apiVersion: dockward.io/v1alpha1
kind: DockerHost
metadata: {name: local}
spec: {endpoint: "unix://$SL_DOCK/docker.sock"}
YAML
  wait_until "DockerHost local Ready" 30 sl_cond_is dockerhost/local Ready True
}

sl_setup() {
  sl_daemon_up
  sl_stack_up
  dw_start "$@"
  sl_dockerhost
}

sl_apply_policy() {  # FILE [SED-EXPR...]
  local file="$SL_EXAMPLE/$1" expr=() e
  shift
  for e in "$@"; do expr+=(-e "$e"); done
  if [ "${#expr[@]}" -gt 0 ]; then
    sed "${expr[@]}" "$file" | k apply -f - >/dev/null || dw_fail "policy $file not applied"
  else
    k apply -f "$file" >/dev/null || dw_fail "policy $file not applied"
  fi
}

sl_cond() {  # OBJ TYPE [FIELD]
  jget "$1" ".status.conditions[]? | select(.type == \"$2\") | .${3:-status}"
}
sl_cond_is() { [ "$(sl_cond "$1" "$2")" = "$3" ]; }

# Ready=True for the object's current generation: the audit of the spec as
# applied has been written.
sl_audited() {
  local js
  js="$(k get "sl/$1" -o json 2>/dev/null)" || return 1
  jq -e '(.status.observedGeneration // -1) == .metadata.generation and
         ([.status.conditions[]? | select(.type == "Ready" and .status == "True")] | length) == 1' \
    <<<"$js" >/dev/null
}
sl_wait_audited() {  # NAME SECS
  local deadline=$((SECONDS + $2))
  until sl_audited "$1"; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      dw_fail "StackLimits $1 not audited (Ready=True at its generation) after $2 s:
$(k get "sl/$1" -o yaml 2>&1 | tail -n 40)"
    fi
    sleep 0.2
  done
  dw_pass
}

sl_status_tuples() {  # NAME
  jget "sl/$1" '.status.services[]? as $s | $s.violations[]? |
    "\($s.project) \($s.name) \(.rule) \(if (.subject // "") == "" then "-" else .subject end)"' |
    LC_ALL=C sort
}

# The example stack's planted violations (examples/stacklimits/README.md).
sl_planted() {
  LC_ALL=C sort <<'EOF'
dwlab bare healthcheck -
dwlab bare limits cpus
dwlab bare limits memory
dwlab bare limits pids
dwlab bare logRotation -
dwlab bare noNewPrivileges -
dwlab bare restartPolicy -
dwlab netadmin capabilities NET_ADMIN
dwlab secrets plaintextSecrets ADMIN_PASSWORD
dwlab sockmount dockerSocket /var/run/docker.sock
dwlab sockproxy socketProxyPermissions POST
dwlab templated templatePlaceholders SMTP_HOST
dwlab vmprov privileged -
EOF
}

sl_hc() { docker inspect -f "$2" "$1"; }

sl_event_reasons() {  # NAME -> "Type Reason" lines
  k get events -o json |
    jq -r --arg n "$1" '.items[] | select(.involvedObject.kind == "StackLimits" and
      .involvedObject.name == $n) | "\(.type) \(.reason)"'
}

# now_ms: wall clock in milliseconds (bash 5 EPOCHREALTIME, no fork).
now_ms() { local t="${EPOCHREALTIME/./}"; echo "${t:0:-3}"; }
