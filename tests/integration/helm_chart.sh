#!/usr/bin/env bash
# shellcheck disable=SC2016  # $1 in the mutants' perl substitutions is perl's.
# The Helm chart (helm/) with the real Helm 3 (scripts/install-helm.sh):
# - `helm lint --strict` with the default values and with
#   testdata/helm/values-full.yaml (every key changed);
# - `helm template --include-crds` of both, parsed and checked by
#   testdata/helm/check_render.py: every CRD of crds/ byte-identical, the
#   Deployment's replicas/args/probes/resources, RBAC exactly the reviewed list
#   of helm/README.md (an added rule fails), no wildcard, no foreign role;
# - the checker itself fails on a render with one verb, one wildcard, one CRD
#   byte, one replica or one role binding changed;
# - values the chart must refuse, with the message a user sees;
# - the rendered DockerHost and Secret objects accepted by a real
#   `dockward serve` (the CRD schema, with strict field validation).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# shellcheck source=tests/integration/lib.sh
source "$HERE/lib.sh"

CHART="$ROOT/helm"
DATA="$HERE/testdata/helm"
CHECK="$DATA/check_render.py"
PY=/usr/bin/python3
WORK=$(mktemp -d /tmp/dw-helm-XXXXXX)
trap 'dw_cleanup; rm -rf "$WORK"' EXIT

"$PY" -c 'import yaml' 2>/dev/null || dw_fail "$PY cannot import yaml: install the Debian package python3-yaml"
HELM=$(bash "$ROOT/scripts/install-helm.sh") || dw_fail "scripts/install-helm.sh could not provide helm"
echo "using $("$HELM" version --short) at $HELM"

# render NAME NS OUT [ARGS...]: helm template into OUT; stderr (helm's notes
# about the crds symlink) into OUT.err. Sets RC.
render() {
  local name=$1 ns=$2 out=$3
  shift 3
  RC=0
  "$HELM" template "$name" "$CHART" --namespace "$ns" --include-crds "$@" >"$out" 2>"$out.err" || RC=$?
}

# --- lint ---------------------------------------------------------------------
# Lint reports a template's fail() only as [INFO]; a clean lint has none.
assert_ok "helm lint --strict, default values" "$HELM" lint --strict "$CHART" --namespace dw
assert_contains "lint of default values: no chart failed" "$OUT" "1 chart(s) linted, 0 chart(s) failed"
assert_not_contains "lint of default values: no fail() hit" "$OUT" "Fail:"
assert_ok "helm lint --strict, values-full.yaml" \
  "$HELM" lint --strict "$CHART" --namespace dw-system -f "$DATA/values-full.yaml"
assert_contains "lint of values-full.yaml: no chart failed" "$OUT" "1 chart(s) linted, 0 chart(s) failed"
assert_not_contains "lint of values-full.yaml: no fail() hit" "$OUT" "Fail:"

# --- template + checks ------------------------------------------------------------
render dw-test dw "$WORK/default.yaml"
assert_eq "helm template, default values (stderr: $(cat "$WORK/default.yaml.err"))" 0 "$RC"
render rel dw-system "$WORK/full.yaml" -f "$DATA/values-full.yaml"
assert_eq "helm template, values-full.yaml (stderr: $(cat "$WORK/full.yaml.err"))" 0 "$RC"

assert_ok "rendered default chart passes the checks" "$PY" "$CHECK" default "$WORK/default.yaml" "$CHART" "$ROOT/crds"
echo "$OUT" | tail -n1
assert_ok "rendered values-full chart passes the checks" \
  "$PY" "$CHECK" full "$WORK/full.yaml" "$CHART" "$ROOT/crds" --objects-out "$WORK/objects.yaml"
echo "$OUT" | tail -n1

# --- the checker catches what it claims to ------------------------------------------
# mutant NAME EXPECTED-MESSAGE PERL-SUBSTITUTION: the default render with one
# change must fail the checker with that message.
mutant() {
  local name=$1 msg=$2 subst=$3
  perl -0pe "$subst" "$WORK/default.yaml" >"$WORK/mutant-$name.yaml"
  if cmp -s "$WORK/default.yaml" "$WORK/mutant-$name.yaml"; then
    dw_fail "mutant $name: the substitution changed nothing"
  fi
  assert_fails "checker rejects mutant $name" "$PY" "$CHECK" default "$WORK/mutant-$name.yaml" "$CHART" "$ROOT/crds"
  assert_contains "checker names what is wrong in mutant $name" "$OUT" "$msg"
}
mutant extra-verb "RBAC grants nothing beyond the reviewed list" \
  's/(resources: \[events\]\n    verbs: \[create, patch)\]/$1, delete]/'
mutant wildcard "no '*' in verbs" 's/(resources: \[secrets\]\n    verbs: )\[get\]/$1\["*"\]/'
mutant lease-any-name "RBAC grants nothing beyond the reviewed list" 's/\n    resourceNames: \["dw-test-dockward-leader"\]//'
mutant crd-byte "is byte-identical to crds/backup.yaml" 's/^# Backup: one backup run/# Backup:  one backup run/m'
mutant replicas "replicas: expected 1, got 2" 's/^  replicas: 1$/  replicas: 2/m'
mutant probe "readiness probe path" 's/path: \/readyz/path: \/healthz/'
mutant cluster-admin "binds a role of this chart" \
  's/(roleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: )dw-test-dockward/${1}cluster-admin/'

# --- values the chart refuses ---------------------------------------------------------
# refused NAME EXPECTED-MESSAGE: helm template with $WORK/bad-NAME.yaml fails
# and says why.
refused() {
  local name=$1 msg=$2
  render bad dw "$WORK/bad-$name.out" -f "$WORK/bad-$name.yaml"
  [ "$RC" -ne 0 ] || dw_fail "values bad-$name were accepted; render: $(head -c 2000 "$WORK/bad-$name.out")"
  dw_pass
  assert_contains "refusal of bad-$name says why" "$(cat "$WORK/bad-$name.out.err")" "$msg"
}
cat >"$WORK/bad-standbys-without-election.yaml" <<'EOF'
replicaCount: 2
leaderElection: {enabled: false}
EOF
refused standbys-without-election "replicaCount > 1 needs leaderElection.enabled"
cat >"$WORK/bad-tls-on-unix.yaml" <<'EOF'
dockerHosts:
  - {name: local, endpoint: "unix:///var/run/docker.sock", tls: {caSecretRef: {name: ca}}}
EOF
refused tls-on-unix "dockerHosts[0].tls is only for tcp:// endpoints"
cat >"$WORK/bad-cert-without-key.yaml" <<'EOF'
dockerHosts:
  - name: remote
    endpoint: tcp://remote.internal:2376
    tls: {cert: "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n"}
EOF
refused cert-without-key "dockerHosts[0].tls: cert and key go together"
cat >"$WORK/bad-ca-twice.yaml" <<'EOF'
dockerHosts:
  - name: remote
    endpoint: tcp://remote.internal:2376
    tls: {caSecretRef: {name: ca}, ca: "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n"}
EOF
refused ca-twice "give ca or caSecretRef, not both"
cat >"$WORK/bad-secret-namespace.yaml" <<'EOF'
rbac: {secretNamespaces: [dw]}
dockerHosts:
  - {name: remote, namespace: elsewhere, endpoint: "tcp://remote.internal:2376", tls: {clientSecretRef: {name: c}}}
EOF
refused secret-namespace 'namespace "elsewhere", which rbac.secretNamespaces does not list'
cat >"$WORK/bad-typo.yaml" <<'EOF'
replicas: 2
EOF
refused typo "Additional property replicas is not allowed"
cat >"$WORK/bad-endpoint.yaml" <<'EOF'
dockerHosts:
  - {name: remote, endpoint: "http://remote.internal:2375"}
EOF
refused endpoint "endpoint"
cat >"$WORK/bad-same-ports.yaml" <<'EOF'
metrics: {port: 8081}
EOF
refused same-ports "metrics.port and health.port must differ"
cat >"$WORK/bad-no-sa-name.yaml" <<'EOF'
serviceAccount: {create: false}
EOF
refused no-sa-name "serviceAccount.name is required when serviceAccount.create is false"

# --- switches that drop objects ---------------------------------------------------------
render no-rbac dw "$WORK/no-rbac.yaml" --set rbac.create=false --set serviceAccount.create=false \
  --set serviceAccount.name=preexisting
assert_eq "rbac.create=false renders" 0 "$RC"
assert_eq "rbac.create=false renders no RBAC object" 0 \
  "$(grep -cE '^kind: (ClusterRole|ClusterRoleBinding|Role|RoleBinding)$' "$WORK/no-rbac.yaml" || true)"
assert_eq "serviceAccount.create=false renders no ServiceAccount" 0 \
  "$(grep -cE '^kind: ServiceAccount$' "$WORK/no-rbac.yaml" || true)"
assert_contains "the pods run as the named ServiceAccount" "$(cat "$WORK/no-rbac.yaml")" "serviceAccountName: preexisting"
render no-election dw "$WORK/no-election.yaml" --set leaderElection.enabled=false
assert_eq "leaderElection.enabled=false renders" 0 "$RC"
assert_not_contains "no --leader-elect without leader election" "$(cat "$WORK/no-election.yaml")" "--leader-elect"
assert_eq "no Lease Role without leader election" 0 "$(grep -cE '^kind: Role$' "$WORK/no-election.yaml" || true)"

# --- the rendered custom objects against the real API server ------------------------------
dw_start --controllers=none
assert_ok "namespace dw-system" k create namespace dw-system
assert_ok "namespace team-a" k create namespace team-a
assert_ok "rendered DockerHosts and Secret are accepted (strict validation)" k apply -f "$WORK/objects.yaml"
assert_eq "three DockerHosts stored" 3 "$(k get dockerhosts -A -o name | wc -l)"
assert_eq "build-2 keeps verify: false" false "$(jget dockerhost/build-2 .spec.tls.verify -n team-a)"
assert_eq "build-2 names the chart's Secret" dw-ops-build-2-tls \
  "$(jget dockerhost/build-2 .spec.tls.clientSecretRef.name -n team-a)"
assert_eq "the chart's Secret is stored" kubernetes.io/tls "$(jget secret/dw-ops-build-2-tls .type -n team-a)"
# The same server refuses a DockerHost the schema does not allow, so the
# acceptance above means something.
perl -0pe 's/verify: false/verify: no-thanks/' "$WORK/objects.yaml" >"$WORK/objects-bad.yaml"
assert_fails "a DockerHost with a non-boolean verify is refused" k apply -f "$WORK/objects-bad.yaml"
assert_contains "the refusal names the field" "$OUT" "spec.tls.verify"
perl -0pe 's/caSecretRef:/caSecretRefs:/' "$WORK/objects.yaml" >"$WORK/objects-unknown.yaml"
assert_fails "a DockerHost with an unknown field is refused" k apply -f "$WORK/objects-unknown.yaml"
assert_contains "the refusal names the unknown field" "$OUT" "caSecretRefs"
dw_finish helm_chart
