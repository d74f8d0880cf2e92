#!/usr/bin/python3
"""Checks the output of `helm template --include-crds` of helm/ against what
tests/integration/helm_chart.sh rendered it with.

    check_render.py MODE RENDERED CHART_DIR CRDS_DIR [--objects-out FILE]

MODE is `default` (helm/values.yaml, release dw-test in namespace dw) or
`full` (testdata/helm/values-full.yaml, release rel in namespace dw-system).
The expectations below are written out by hand on purpose: the RBAC rules in
particular are the reviewed list of helm/README.md, so a rule added to the
chart without updating this list (and that review) fails here.

--objects-out writes the rendered DockerHost and Secret objects to FILE, for
the caller to apply to a real `dockward serve` (the CRD schema check).
Prints one line per failure and a closing "N passed, N failed"; exits 1 on any
failure. Needs PyYAML (Debian: python3-yaml).
"""
import base64
import os
import re
import sys

import yaml

PASSED = 0
FAILED = []


def check(what, ok, detail=""):
    global PASSED
    if ok:
        PASSED += 1
    else:
        FAILED.append(what + (": " + detail if detail else ""))
    return ok


def expect_eq(what, want, got):
    return check(what, want == got, "expected %r, got %r" % (want, got))


# --- what each mode must render --------------------------------------------

# The controllers' calls (helm/README.md, "RBAC"): (group, resource) -> verbs.
CONTROLLER_RULES = {
    ("dockward.io", "dockerhosts"): {"get", "list", "watch", "patch", "delete"},
    ("dockward.io", "dockerhosts/status"): {"update"},
    ("dockward.io", "backuppolicies"): {"get", "list", "watch", "patch", "delete"},
    ("dockward.io", "backuppolicies/status"): {"update"},
    ("dockward.io", "backuppolicies/finalizers"): {"update"},
    ("dockward.io", "backups"): {"get", "list", "watch", "create", "update", "patch", "delete"},
    ("dockward.io", "backups/status"): {"update"},
    ("dockward.io", "restores"): {"get", "list", "watch", "update", "patch", "delete"},
    ("dockward.io", "restores/status"): {"update"},
    ("dockward.io", "stacklimits"): {"get", "list", "watch", "patch", "delete"},
    ("dockward.io", "stacklimits/status"): {"update"},
    ("dockward.io", "pluginpolicies"): {"get", "list", "watch", "patch", "delete"},
    ("dockward.io", "pluginpolicies/status"): {"update"},
    ("dockward.io", "gitrepositories"): {"get", "list", "watch", "update", "patch", "delete"},
    ("dockward.io", "gitrepositories/status"): {"update"},
    ("", "namespaces"): {"get", "patch", "delete"},
    ("", "events"): {"create", "patch"},
}


def rule_set(scope, group_resource_verbs, resource_name=""):
    return {(scope, g, r, resource_name, v) for (g, r), verbs in group_resource_verbs.items() for v in verbs}


def lease_rules(ns, lease):
    return (rule_set("Role/" + ns, {("coordination.k8s.io", "leases"): {"create"}}) |
            rule_set("Role/" + ns, {("coordination.k8s.io", "leases"): {"get", "update"}}, lease))


SECRET_READ = {("", "secrets"): {"get"}}

MODES = {
    "default": {
        "release_ns": "dw",
        "fullname": "dw-test-dockward",
        "instance": "dw-test",
        "name_label": "dockward",
        "service_account": "dw-test-dockward",
        "replicas": 1,
        "image": "dockward:{appVersion}",
        "pull_policy": "IfNotPresent",
        "args": ["serve", "--in-cluster", "--data-dir=/var/lib/dockward", "--leader-elect", "--leader-election-namespace=dw",
                 "--leader-election-id=dw-test-dockward-leader", "--metrics-listen=0.0.0.0:8080",
                 "--health-listen=0.0.0.0:8081", "--log-level=info"],
        "metrics_port": 8080,
        "health_port": 8081,
        "liveness": {"initialDelaySeconds": 10, "periodSeconds": 20, "timeoutSeconds": 5, "failureThreshold": 3},
        "readiness": {"initialDelaySeconds": 5, "periodSeconds": 10, "timeoutSeconds": 5, "failureThreshold": 3},
        "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": "512Mi"}},
        "volumes": {"data": {"emptyDir": {}}, "tmp": {"emptyDir": {}}},
        "mounts": {"data": "/var/lib/dockward", "tmp": "/tmp"},
        "rbac": rule_set("ClusterRole", CONTROLLER_RULES) | rule_set("ClusterRole", SECRET_READ) |
                lease_rules("dw", "dw-test-dockward-leader"),
        "kinds": {"CustomResourceDefinition": 7, "ServiceAccount": 1, "ClusterRole": 1, "ClusterRoleBinding": 1,
                  "Role": 1, "RoleBinding": 1, "Deployment": 1, "Service": 1},
        "docker_hosts": {},
        "secrets": {},
    },
    "full": {
        "release_ns": "dw-system",
        "fullname": "dw-ops",
        "instance": "rel",
        "name_label": "dw",
        "service_account": "dw-ops-controller",
        "replicas": 3,
        "image": "registry.test/ops/dockward:0.2.0-rc1",
        "pull_policy": "Always",
        "args": ["serve", "--in-cluster", "--data-dir=/var/lib/dockward", "--leader-elect", "--leader-election-namespace=dw-leases",
                 "--leader-election-id=dw-ops-lock", "--metrics-listen=0.0.0.0:9090", "--health-listen=0.0.0.0:9091",
                 "--log-level=debug", "--tls-san=dw-ops.dw-system.svc"],
        "metrics_port": 9090,
        "health_port": 9091,
        "liveness": {"initialDelaySeconds": 30, "periodSeconds": 15, "timeoutSeconds": 3, "failureThreshold": 5},
        "readiness": {"initialDelaySeconds": 2, "periodSeconds": 4, "timeoutSeconds": 2, "failureThreshold": 6,
                      "successThreshold": 2},
        "resources": {"requests": {"cpu": "250m", "memory": "256Mi"}, "limits": {"cpu": "2", "memory": "1Gi"}},
        "volumes": {"data": {"emptyDir": {}}, "tmp": {"emptyDir": {}},
                    "backups": {"persistentVolumeClaim": {"claimName": "dw-backups"}},
                    "docker-socket": {"hostPath": {"path": "/run/docker.sock", "type": "Socket"}}},
        "mounts": {"data": "/var/lib/dockward", "tmp": "/tmp", "backups": "/backups", "docker-socket": "/run/docker.sock"},
        "rbac": rule_set("ClusterRole", CONTROLLER_RULES) | rule_set("Role/dw-system", SECRET_READ) |
                rule_set("Role/team-a", SECRET_READ) | lease_rules("dw-leases", "dw-ops-lock"),
        "kinds": {"CustomResourceDefinition": 7, "ServiceAccount": 1, "ClusterRole": 1, "ClusterRoleBinding": 1,
                  "Role": 3, "RoleBinding": 3, "Deployment": 1, "Secret": 1, "DockerHost": 3},
        "docker_hosts": {
            ("dw-system", "local"): {"endpoint": "unix:///var/run/docker.sock"},
            ("dw-system", "build-1"): {"endpoint": "tcp://build-1.internal:2376", "tls": {
                "verify": True, "caSecretRef": {"name": "docker-ca", "key": "ca.crt"},
                "clientSecretRef": {"name": "build-1-client", "key": "client.crt"}}},
            ("team-a", "build-2"): {"endpoint": "tcp://build-2.internal:2376", "tls": {
                "verify": False, "caSecretRef": {"name": "dw-ops-build-2-tls", "key": "ca.crt"},
                "clientSecretRef": {"name": "dw-ops-build-2-tls"}}},
        },
        "docker_host_labels": {("team-a", "build-2"): {"site": "lab"}},
        # Secret -> (type, key -> the PEM in values-full.yaml at this path).
        "secrets": {("team-a", "dw-ops-build-2-tls"): ("kubernetes.io/tls", {
            "ca.crt": ("dockerHosts", 2, "tls", "ca"),
            "tls.crt": ("dockerHosts", 2, "tls", "cert"),
            "tls.key": ("dockerHosts", 2, "tls", "key")})},
    },
}

CLUSTER_SCOPED = {"CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding", "Namespace"}


# --- parsing ----------------------------------------------------------------

SOURCE = re.compile(r"^---\n# Source: (.+)\n", re.M)


def split_sources(text):
    """[(source path, raw text)] in output order, one per rendered document."""
    marks = list(SOURCE.finditer(text))
    out = []
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        out.append((m.group(1), text[m.end():end]))
    return out


def dig(obj, *path):
    for p in path:
        if isinstance(obj, dict):
            obj = obj.get(p)
        elif isinstance(obj, list) and isinstance(p, int) and p < len(obj):
            obj = obj[p]
        else:
            return None
    return obj


# --- checks -----------------------------------------------------------------

def check_crds(chunks, crds_dir):
    files = sorted(f for f in os.listdir(crds_dir) if f.endswith(".yaml"))
    check("crds/ has CRD files", len(files) > 0)
    rendered = {src: raw for src, raw in chunks if src.startswith("crds/")}
    expect_eq("rendered CRD files", ["crds/" + f for f in files], sorted(rendered))
    for f in files:
        with open(os.path.join(crds_dir, f), encoding="utf-8") as fh:
            want = fh.read()
        got = rendered.get("crds/" + f)
        if got is None:
            continue
        # helm separates files with one newline of its own; the rest must be the file, byte for byte.
        check("CRD %s is byte-identical to crds/%s" % (f, f), got.rstrip("\n") == want.rstrip("\n"),
              "rendered text differs from the file")
        check("CRD %s parses to the same object" % f, yaml.safe_load(got) == yaml.safe_load(want))


def check_common(m, docs):
    kinds = {}
    for d in docs:
        kinds[d["kind"]] = kinds.get(d["kind"], 0) + 1
    expect_eq("kinds rendered", m["kinds"], kinds)
    for d in docs:
        if d["kind"] == "CustomResourceDefinition":
            continue
        what = "%s %s" % (d["kind"], dig(d, "metadata", "name"))
        labels = dig(d, "metadata", "labels") or {}
        expect_eq(what + " managed-by label", "Helm", labels.get("app.kubernetes.io/managed-by"))
        expect_eq(what + " instance label", m["instance"], labels.get("app.kubernetes.io/instance"))
        ns = dig(d, "metadata", "namespace")
        if d["kind"] in CLUSTER_SCOPED:
            check(what + " is cluster-scoped (no namespace)", ns is None)
        else:
            check(what + " has an explicit namespace", bool(ns))


def check_deployment(m, docs, app_version):
    deps = [d for d in docs if d["kind"] == "Deployment"]
    if not expect_eq("one Deployment", 1, len(deps)):
        return
    d = deps[0]
    expect_eq("Deployment name", m["fullname"], dig(d, "metadata", "name"))
    expect_eq("Deployment namespace", m["release_ns"], dig(d, "metadata", "namespace"))
    expect_eq("replicas", m["replicas"], dig(d, "spec", "replicas"))
    selector = dig(d, "spec", "selector", "matchLabels") or {}
    pod_labels = dig(d, "spec", "template", "metadata", "labels") or {}
    check("selector is non-empty and matches the pod labels",
          selector and all(pod_labels.get(k) == v for k, v in selector.items()), "%r vs %r" % (selector, pod_labels))
    expect_eq("selector name label", m["name_label"], selector.get("app.kubernetes.io/name"))
    pod = dig(d, "spec", "template", "spec") or {}
    expect_eq("serviceAccountName", m["service_account"], pod.get("serviceAccountName"))
    expect_eq("automountServiceAccountToken (in-cluster config)", True, pod.get("automountServiceAccountToken"))
    cs = pod.get("containers") or []
    if not expect_eq("one container", 1, len(cs)):
        return
    c = cs[0]
    expect_eq("image", m["image"].format(appVersion=app_version), c.get("image"))
    expect_eq("imagePullPolicy", m["pull_policy"], c.get("imagePullPolicy"))
    expect_eq("args", m["args"], c.get("args"))
    check("no command override (the image's entrypoint is dockward)", "command" not in c)
    ports = {p.get("name"): p.get("containerPort") for p in c.get("ports") or []}
    expect_eq("container ports", {"metrics": m["metrics_port"], "health": m["health_port"]}, ports)
    for probe, path in (("liveness", "/healthz"), ("readiness", "/readyz")):
        p = c.get(probe + "Probe") or {}
        expect_eq(probe + " probe path", path, dig(p, "httpGet", "path"))
        port = dig(p, "httpGet", "port")
        check(probe + " probe port is the health port", port == "health" or port == m["health_port"], repr(port))
        timings = {k: v for k, v in p.items() if k != "httpGet"}
        expect_eq(probe + " probe timings", m[probe], timings)
    expect_eq("resources", m["resources"], c.get("resources"))
    sc = c.get("securityContext") or {}
    expect_eq("allowPrivilegeEscalation", False, sc.get("allowPrivilegeEscalation"))
    expect_eq("readOnlyRootFilesystem", True, sc.get("readOnlyRootFilesystem"))
    expect_eq("capabilities dropped", {"drop": ["ALL"]}, sc.get("capabilities"))
    check("not privileged", not sc.get("privileged"))
    expect_eq("runAsNonRoot", True, dig(pod, "securityContext", "runAsNonRoot"))
    vols = {v["name"]: {k: x for k, x in v.items() if k != "name"} for v in pod.get("volumes") or []}
    expect_eq("volumes", m["volumes"], vols)
    mounts = {v["name"]: v["mountPath"] for v in c.get("volumeMounts") or []}
    expect_eq("volume mounts", m["mounts"], mounts)
    if m is MODES["full"]:
        expect_eq("extraEnv appended", {"name": "TZ", "value": "Europe/Berlin"}, (c.get("env") or [{}])[-1])
        expect_eq("supplementalGroups", [998], dig(pod, "securityContext", "supplementalGroups"))
        expect_eq("terminationGracePeriodSeconds", 120, pod.get("terminationGracePeriodSeconds"))
        expect_eq("priorityClassName", "system-cluster-critical", pod.get("priorityClassName"))
        expect_eq("imagePullSecrets", [{"name": "regcred"}], pod.get("imagePullSecrets"))
        expect_eq("nodeSelector", {"kubernetes.io/os": "linux"}, pod.get("nodeSelector"))
        expect_eq("tolerations", 1, len(pod.get("tolerations") or []))
        check("affinity", dig(pod, "affinity", "nodeAffinity") is not None)
        expect_eq("pod label", "platform", pod_labels.get("team"))
        expect_eq("pod annotation", "false",
                  dig(d, "spec", "template", "metadata", "annotations", "example.test/scrape"))
    return pod_labels


def check_service(m, docs, pod_labels):
    svcs = [d for d in docs if d["kind"] == "Service"]
    if m["kinds"].get("Service", 0) == 0:
        return
    s = svcs[0]
    sel = dig(s, "spec", "selector") or {}
    check("metrics Service selects the pods", sel and all((pod_labels or {}).get(k) == v for k, v in sel.items()))
    expect_eq("metrics Service ports", [{"name": "metrics", "port": m["metrics_port"], "targetPort": "metrics",
                                         "protocol": "TCP"}], dig(s, "spec", "ports"))


def check_rbac(m, docs):
    roles = {}
    got = set()
    for d in docs:
        if d["kind"] not in ("ClusterRole", "Role"):
            continue
        ns = dig(d, "metadata", "namespace")
        scope = "ClusterRole" if d["kind"] == "ClusterRole" else "Role/" + str(ns)
        roles[(d["kind"], ns, dig(d, "metadata", "name"))] = d
        check("%s has no aggregationRule" % scope, "aggregationRule" not in d)
        for r in d.get("rules") or []:
            check("%s rule has no nonResourceURLs" % scope, "nonResourceURLs" not in r, repr(r))
            for field in ("apiGroups", "resources", "verbs", "resourceNames"):
                check("%s rule has no '*' in %s" % (scope, field), "*" not in (r.get(field) or []), repr(r))
            names = r.get("resourceNames") or [""]
            for g in r.get("apiGroups") or []:
                for res in r.get("resources") or []:
                    for v in r.get("verbs") or []:
                        for n in names:
                            got.add((scope, g, res, n, v))
    extra = sorted(got - m["rbac"])
    missing = sorted(m["rbac"] - got)
    check("RBAC grants nothing beyond the reviewed list", not extra, "extra: %r" % extra)
    check("RBAC grants everything the controllers call", not missing, "missing: %r" % missing)

    bound = set()
    for d in docs:
        if d["kind"] not in ("ClusterRoleBinding", "RoleBinding"):
            continue
        ns = dig(d, "metadata", "namespace")
        ref = d.get("roleRef") or {}
        what = "%s %s/%s" % (d["kind"], ns, dig(d, "metadata", "name"))
        key = (ref.get("kind"), ns if ref.get("kind") == "Role" else None, ref.get("name"))
        if d["kind"] == "ClusterRoleBinding":
            check(what + " binds a ClusterRole", ref.get("kind") == "ClusterRole")
        # Only roles this chart renders: never cluster-admin, edit, view...
        check(what + " binds a role of this chart", key in roles, "roleRef %r" % ref)
        bound.add(key)
        expect_eq(what + " subjects", [{"kind": "ServiceAccount", "name": m["service_account"],
                                        "namespace": m["release_ns"]}], d.get("subjects"))
    expect_eq("every rendered role is bound", set(roles), bound)

    sas = [d for d in docs if d["kind"] == "ServiceAccount"]
    expect_eq("ServiceAccount", [(m["service_account"], m["release_ns"])],
              [(dig(s, "metadata", "name"), dig(s, "metadata", "namespace")) for s in sas])


def check_docker_hosts(m, docs, values):
    hosts = {(dig(d, "metadata", "namespace"), dig(d, "metadata", "name")): d
             for d in docs if d["kind"] == "DockerHost"}
    expect_eq("DockerHost objects", sorted(m["docker_hosts"]), sorted(hosts))
    for key, spec in m["docker_hosts"].items():
        d = hosts.get(key)
        if d is None:
            continue
        expect_eq("DockerHost %s/%s apiVersion" % key, "dockward.io/v1alpha1", d.get("apiVersion"))
        expect_eq("DockerHost %s/%s spec" % key, spec, d.get("spec"))
        for k, v in m.get("docker_host_labels", {}).get(key, {}).items():
            expect_eq("DockerHost %s/%s label %s" % (key + (k,)), v, dig(d, "metadata", "labels", k))
    secrets = {(dig(d, "metadata", "namespace"), dig(d, "metadata", "name")): d
               for d in docs if d["kind"] == "Secret"}
    expect_eq("Secrets", sorted(m["secrets"]), sorted(secrets))
    for key, (typ, data) in m["secrets"].items():
        s = secrets.get(key)
        if s is None:
            continue
        expect_eq("Secret %s/%s type" % key, typ, s.get("type"))
        expect_eq("Secret %s/%s keys" % key, sorted(data), sorted(s.get("data") or {}))
        for k, path in data.items():
            want = dig(values, *path)
            got = base64.b64decode(dig(s, "data", k) or "").decode()
            check("Secret %s/%s %s holds the PEM from values" % (key + (k,)), want and got == want)
    # Every Secret a DockerHost names exists here or is one the values say the user manages.
    for key, d in hosts.items():
        for ref in ("caSecretRef", "clientSecretRef"):
            name = dig(d, "spec", "tls", ref, "name")
            if name and name.startswith(m["fullname"] + "-"):
                check("DockerHost %s/%s %s names a rendered Secret" % (key + (ref,)), (key[0], name) in secrets)


def main(argv):
    if len(argv) not in (5, 7) or argv[1] not in MODES or (len(argv) == 7 and argv[5] != "--objects-out"):
        sys.stderr.write(__doc__)
        return 2
    mode, rendered, chart_dir, crds_dir = argv[1:5]
    m = MODES[mode]
    with open(rendered, encoding="utf-8") as fh:
        text = fh.read()
    with open(os.path.join(chart_dir, "Chart.yaml"), encoding="utf-8") as fh:
        app_version = yaml.safe_load(fh)["appVersion"]
    values_file = os.path.join(os.path.dirname(os.path.abspath(__file__)), "values-full.yaml")
    with open(values_file, encoding="utf-8") as fh:
        values = yaml.safe_load(fh) if mode == "full" else {}

    chunks = split_sources(text)
    check("helm output has documents", len(chunks) > 0)
    docs = []
    for src, raw in chunks:
        d = yaml.safe_load(raw)
        if check("document from %s parses to an object with a kind" % src, isinstance(d, dict) and "kind" in d):
            docs.append(d)
    check_crds(chunks, crds_dir)
    check_common(m, docs)
    pod_labels = check_deployment(m, docs, app_version)
    check_service(m, docs, pod_labels)
    check_rbac(m, docs)
    check_docker_hosts(m, docs, values)

    if len(argv) == 7:
        objs = [d for d in docs if d["kind"] in ("DockerHost", "Secret")]
        with open(argv[6], "w", encoding="utf-8") as fh:
            yaml.safe_dump_all(objs, fh, sort_keys=False)

    for f in FAILED:
        print("FAIL: " + f)
    print("check_render %s: %d passed, %d failed" % (mode, PASSED, len(FAILED)))
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
