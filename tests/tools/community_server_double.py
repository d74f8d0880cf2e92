#!/usr/bin/env python3
"""Test double of the community server's plugin API (docs/pluginpolicy-wire.md).

    community_server_double.py DIR --community UUID [--community UUID ...]
        [--user NAME:PASSWORD:ROLE ...] [--registry-map HOST=DIR ...]
        [--resolve HOST=IP[,IP...] ...] [--tls-cert PEM --tls-key PEM]
        [--max-bundle-bytes N]

A real HTTP(S) server on 127.0.0.1, independent of dockward's C++ wire module
so the two cannot agree on a mistake. Listens on a kernel-chosen port and
writes it to DIR/port once it accepts connections; stops on SIGTERM.

It enforces the seed's rules with stable status codes and messages:
install sources (403 upload_forbidden / registry_forbidden), the registry
allowlist (exact host or *.suffix; 400 registry_not_allowed), non-public
registry addresses (400 registry_blocked_address), signed-only with trusted
publishers and Ed25519 over the bundle's raw SHA-256 (422
signature_required / publisher_untrusted / signature_invalid), settings
against the manifest's settings_schema (the draft-07 subset of
settings_schema.h; 400 settings_invalid, one line per failure, sorted), and
plugin_allow_background_jobs (reflected by GET /_double/cron-dispatch/{id}).

ROLE is "admin" (plugin_policy.manage + plugin_packages.manage), "member"
(no permission) or a '+'-joined permission list, optionally followed by
"@UUID,UUID..." to hold it only in those communities (a member elsewhere:
the seed's per-community roles). Registry installs never
touch the network: HOST's files come from the --registry-map directory
(URL path relative to it, detached signature at PATH.sig); --resolve gives
a host its "DNS" answer for the non-public-address rule (IP literals are
classified as themselves, other hosts count as public).

Double-only routes (no auth):
  POST /_double/faults  {"status":500,"count":2} | {"close":true,"count":1}
                        | {"delay_ms":1500,"count":1} | {"clear":true}
                        (count -1: until cleared) apply to /api/ requests
  GET  /_double/stats   {"total":n,"routes":{"GET /api/...{id}...":n},"logins":n}
  POST /_double/expire-tokens   every issued token becomes invalid
  GET  /_double/cron-dispatch/{id}  which cron hooks would fire
"""
import argparse
import base64
import binascii
import hashlib
import ipaddress
import json
import os
import re
import secrets
import sys
import threading
import time
import urllib.parse
import uuid

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from double_server import QuietHandler, serve

PERMS_ALL = ("plugin_policy.manage", "plugin_packages.manage")
HOST_RE = re.compile(r"^(\*\.)?[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?(\.[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?)*$")
CRON_HOOKS = ("cron.minute", "cron.hourly", "cron.daily")
POLICY_FIELDS = ("plugin_trust_policy", "plugin_install_sources", "plugin_registry_allowlist",
                 "plugin_trusted_publishers", "plugin_allow_outbound_http",
                 "plugin_http_egress_allowlist", "plugin_allow_background_jobs")


class ApiError(Exception):
    def __init__(self, status, code, message):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def default_policy():
    # Explicit and safe (seed): signed-only, registry only, nothing allowed.
    return {"plugin_trust_policy": "signed_only", "plugin_install_sources": ["registry"],
            "plugin_registry_allowlist": [], "plugin_trusted_publishers": [],
            "plugin_allow_outbound_http": False, "plugin_http_egress_allowlist": [],
            "plugin_allow_background_jobs": False}


# ---- settings schema: the draft-07 subset of settings_schema.h ----------------

def json_type_ok(t, v):
    if t == "null":
        return v is None
    if t == "boolean":
        return isinstance(v, bool)
    if t == "integer":
        return (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, float) and v.is_integer())
    if t == "number":
        return isinstance(v, (int, float)) and not isinstance(v, bool)
    if t == "string":
        return isinstance(v, str)
    if t == "object":
        return isinstance(v, dict)
    if t == "array":
        return isinstance(v, list)
    return True


def json_eq(a, b):
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return a == b


def validate(schema, v, path, errs):
    if schema is True or schema is None:
        return
    if schema is False:
        errs.append((path, "no value is allowed"))
        return
    if not isinstance(schema, dict):
        return
    t = schema.get("type")
    if t is not None:
        types = t if isinstance(t, list) else [t]
        if not any(json_type_ok(x, v) for x in types):
            errs.append((path, "must be of type %s" % " or ".join(types)))
            return
    if "enum" in schema and not any(json_eq(e, v) for e in schema["enum"]):
        errs.append((path, "must be one of %s" % json.dumps(schema["enum"])))
    if "const" in schema and not json_eq(schema["const"], v):
        errs.append((path, "must be %s" % json.dumps(schema["const"])))
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        for key, bad, word in (("minimum", lambda x, m: x < m, "at least"),
                               ("maximum", lambda x, m: x > m, "at most"),
                               ("exclusiveMinimum", lambda x, m: x <= m, "greater than"),
                               ("exclusiveMaximum", lambda x, m: x >= m, "less than")):
            if key in schema and bad(v, schema[key]):
                errs.append((path, "must be %s %s" % (word, schema[key])))
    if isinstance(v, str):
        n = len(v)
        if "minLength" in schema and n < schema["minLength"]:
            errs.append((path, "must be at least %d characters long" % schema["minLength"]))
        if "maxLength" in schema and n > schema["maxLength"]:
            errs.append((path, "must be at most %d characters long" % schema["maxLength"]))
        if "pattern" in schema and re.search(schema["pattern"], v) is None:
            errs.append((path, "must match %s" % schema["pattern"]))
    if isinstance(v, list):
        if "minItems" in schema and len(v) < schema["minItems"]:
            errs.append((path, "must have at least %d items" % schema["minItems"]))
        if "maxItems" in schema and len(v) > schema["maxItems"]:
            errs.append((path, "must have at most %d items" % schema["maxItems"]))
        if schema.get("uniqueItems") is True:
            for i in range(len(v)):
                if any(json_eq(v[j], v[i]) for j in range(i)):
                    errs.append(("%s[%d]" % (path, i), "duplicate item"))
        if "items" in schema:
            for i, item in enumerate(v):
                validate(schema["items"], item, "%s[%d]" % (path, i), errs)
    if isinstance(v, dict):
        props = schema.get("properties", {})
        for r in schema.get("required", []):
            if r not in v:
                errs.append(("%s.%s" % (path, r), "is required"))
        extra = schema.get("additionalProperties", True)
        for k, item in v.items():
            if k in props:
                validate(props[k], item, "%s.%s" % (path, k), errs)
            elif extra is False:
                errs.append(("%s.%s" % (path, k), "is not allowed"))
            elif isinstance(extra, dict):
                # Map values are named Kubernetes-style, like dockward's check.
                validate(extra, item, "%s[%s]" % (path, k), errs)


def settings_errors(schema, settings):
    errs = []
    validate(schema, settings, "settings", errs)
    errs.sort()
    return "\n".join("%s: %s" % e for e in errs)


# ---- policy validation ------------------------------------------------------

def check_policy(body):
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_policy", "policy: must be an object")
    for k in body:
        if k not in POLICY_FIELDS:
            raise ApiError(400, "invalid_policy", "%s: unknown field" % k)
    for k in POLICY_FIELDS:
        if k not in body:
            raise ApiError(400, "invalid_policy", "%s: required" % k)

    def bad(field, why):
        raise ApiError(400, "invalid_policy", "%s: %s" % (field, why))

    if body["plugin_trust_policy"] not in ("signed_only", "allow_unsigned"):
        bad("plugin_trust_policy", "must be signed_only or allow_unsigned")
    src = body["plugin_install_sources"]
    if not isinstance(src, list) or any(s not in ("upload", "registry") for s in src):
        bad("plugin_install_sources", "entries must be upload or registry")
    for f in ("plugin_registry_allowlist", "plugin_http_egress_allowlist"):
        lst = body[f]
        if not isinstance(lst, list) or any(not isinstance(h, str) or not HOST_RE.match(h) for h in lst):
            bad(f, "entries must be hostnames or *.suffix")
    pubs = body["plugin_trusted_publishers"]
    if not isinstance(pubs, list):
        bad("plugin_trusted_publishers", "must be an array")
    for i, p in enumerate(pubs):
        f = "plugin_trusted_publishers[%d]" % i
        if not isinstance(p, dict) or not isinstance(p.get("name"), str) or not p.get("name"):
            bad(f + ".name", "required")
        try:
            raw = base64.b64decode(p.get("public_key", ""), validate=True)
        except (binascii.Error, TypeError, ValueError):
            raw = b""
        if len(raw) != 32:
            bad(f + ".public_key", "must be a base64 Ed25519 public key (32 bytes)")
    for f in ("plugin_allow_outbound_http", "plugin_allow_background_jobs"):
        if not isinstance(body[f], bool):
            bad(f, "must be a boolean")
    return {k: body[k] for k in POLICY_FIELDS}


def host_allowed(host, allowlist):
    host = host.lower().rstrip(".")
    for entry in allowlist:
        e = entry.lower()
        if e.startswith("*."):
            if host.endswith(e[1:]) and len(host) > len(e) - 1:
                return True
        elif host == e:
            return True
    return False


def decode_bundle(raw):
    try:
        b = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "invalid_bundle", "bundle: not a JSON bundle")
    m = b.get("manifest") if isinstance(b, dict) else None
    if not isinstance(m, dict):
        raise ApiError(400, "invalid_bundle", "bundle: manifest missing")
    for f in ("name", "version", "publisher"):
        if not isinstance(m.get(f), str) or not m.get(f):
            raise ApiError(400, "invalid_bundle", "bundle: manifest.%s missing" % f)
    if not isinstance(b.get("wasm_base64"), str):
        raise ApiError(400, "invalid_bundle", "bundle: wasm_base64 missing")
    return m


class State:
    def __init__(self, args):
        self.lock = threading.Lock()
        self.args = args
        self.communities = {c.lower(): {"policy": default_policy(), "packages": []} for c in args.community}
        self.users = {}
        for spec in args.user:
            name, pw, role = spec.split(":", 2)
            role, _, scope = role.partition("@")
            perms = PERMS_ALL if role == "admin" else (() if role == "member" else tuple(role.split("+")))
            only = {c.lower() for c in scope.split(",")} if scope else None
            self.users[name] = (pw, perms, only)
        self.tokens = {}
        self.registry = dict(s.split("=", 1) for s in args.registry_map)
        self.resolve = {h.lower(): ips.split(",") for h, ips in (s.split("=", 1) for s in args.resolve)}
        self.faults = []
        self.stats = {}
        self.total = 0
        self.logins = 0


def make_handler(st):
    class Handler(QuietHandler):
        protocol_version = "HTTP/1.1"

        # ---- plumbing ----
        def send_json(self, status, obj):
            data = json.dumps(obj).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def read_body(self):
            # Always drained before routing: a refusal that never looks at
            # the body must not leave it in the kept-alive connection.
            n = int(self.headers.get("Content-Length", "0") or 0)
            if n > st.args.max_bundle_bytes * 2 + 4096:
                self.close_connection = True
                self.raw_body = None
                return
            self.raw_body = self.rfile.read(n) if n > 0 else b""

        def body_json(self):
            if self.raw_body is None:
                raise ApiError(413, "too_large", "bundle too large")
            try:
                return json.loads(self.raw_body) if self.raw_body else None
            except (ValueError, UnicodeDecodeError):
                raise ApiError(400, "bad_request", "request body is not valid JSON")

        def perm(self, needed, cid=None):
            auth = self.headers.get("Authorization", "")
            tok = auth[7:] if auth.startswith("Bearer ") else ""
            with st.lock:
                user = st.tokens.get(tok)
            if not tok or user is None:
                raise ApiError(401, "unauthorized", "missing or invalid token")
            _, perms, only = st.users[user]
            if needed not in perms or (cid is not None and only is not None and cid.lower() not in only):
                raise ApiError(403, "forbidden", "missing permission " + needed)

        def community(self, cid):
            c = st.communities.get(cid.lower())
            if c is None:
                raise ApiError(404, "community_not_found", "community not found")
            return c

        def route_key(self, method, parts):
            # Ids become placeholders so tests count calls per route.
            shape = list(parts)
            if parts[1:3] == ["api", "communities"]:
                if len(shape) > 3:
                    shape[3] = "{id}"
                if len(shape) > 5 and shape[5] != "install-registry":
                    shape[5] = "{package_id}"
            return method + " " + "/".join(shape)

        def take_fault(self):
            with st.lock:
                for f in st.faults:
                    if f["count"] != 0:
                        if f["count"] > 0:
                            f["count"] -= 1
                        return dict(f)
            return None

        def dispatch(self, method):
            self.read_body()
            url = urllib.parse.urlsplit(self.path)
            parts = url.path.split("/")
            if url.path.startswith("/_double/"):
                return self.double(method, parts)
            with st.lock:
                st.total += 1
                key = self.route_key(method, parts)
                st.stats[key] = st.stats.get(key, 0) + 1
            f = self.take_fault()
            if f is not None:
                if f.get("delay_ms"):
                    time.sleep(f["delay_ms"] / 1000.0)
                if f.get("close"):
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                if f.get("status"):
                    return self.send_json(f["status"], {"error": f.get("message", "injected fault"),
                                                        "code": f.get("code", "internal_error")})
            try:
                status, obj = self.api(method, parts)
                self.send_json(status, obj)
            except ApiError as e:
                self.send_json(e.status, {"error": e.message, "code": e.code})

        def do_GET(self):
            self.dispatch("GET")

        def do_POST(self):
            self.dispatch("POST")

        def do_PUT(self):
            self.dispatch("PUT")

        def do_DELETE(self):
            self.dispatch("DELETE")

        # ---- the API ----
        def api(self, method, parts):
            # parts: ["", "api", ...]
            if parts[1:4] == ["api", "auth", "login"] and len(parts) == 4:
                if method != "POST":
                    raise ApiError(405, "method_not_allowed", "method not allowed")
                return self.login()
            if parts[1:3] == ["api", "communities"] and len(parts) == 3:
                if method != "GET":
                    raise ApiError(405, "method_not_allowed", "method not allowed")
                self.perm("plugin_policy.manage")
                return 200, [{"id": cid, "name": "community-%d" % i}
                             for i, cid in enumerate(st.communities)]
            if parts[1:3] != ["api", "communities"] or len(parts) < 5:
                raise ApiError(404, "not_found", "no such route")
            cid, sub, rest = parts[3], parts[4], parts[5:]
            if sub == "plugin-policy" and not rest:
                return self.policy(method, cid)
            if sub == "plugin-packages":
                return self.packages(method, cid, rest)
            raise ApiError(404, "not_found", "no such route")

        def login(self):
            body = self.body_json()
            if not isinstance(body, dict):
                raise ApiError(400, "bad_request", "username and password required")
            user = st.users.get(body.get("username"))
            if user is None or not secrets.compare_digest(str(body.get("password", "")), user[0]):
                raise ApiError(401, "invalid_credentials", "invalid credentials")
            tok = secrets.token_urlsafe(24)
            with st.lock:
                st.tokens[tok] = body["username"]
                st.logins += 1
            return 200, {"token": tok}

        def policy(self, method, cid):
            self.perm("plugin_policy.manage", cid)
            c = self.community(cid)
            if method == "GET":
                with st.lock:
                    return 200, dict(c["policy"])
            if method == "PUT":
                p = check_policy(self.body_json())
                with st.lock:
                    c["policy"] = p
                    return 200, dict(p)
            raise ApiError(405, "method_not_allowed", "method not allowed")

        def packages(self, method, cid, rest):
            self.perm("plugin_packages.manage", cid)
            c = self.community(cid)
            if not rest and method == "GET":
                with st.lock:
                    return 200, [dict(p) for p in c["packages"]]
            if not rest and method == "POST":
                return self.upload(c)
            if rest == ["install-registry"] and method == "POST":
                return self.install_registry(c)
            if len(rest) == 1 and method == "PUT":
                return self.update(c, rest[0])
            raise ApiError(405 if len(rest) <= 1 else 404, "method_not_allowed" if len(rest) <= 1 else "not_found",
                           "method not allowed" if len(rest) <= 1 else "no such route")

        def upload(self, c):
            if "upload" not in c["policy"]["plugin_install_sources"]:
                raise ApiError(403, "upload_forbidden", "plugin policy forbids uploads")
            body = self.body_json()
            if not isinstance(body, dict) or not isinstance(body.get("bundle_base64"), str):
                raise ApiError(400, "bad_request", "bundle_base64 required")
            try:
                bundle = base64.b64decode(body["bundle_base64"], validate=True)
                sig = base64.b64decode(body.get("signature_base64") or "", validate=True)
            except (binascii.Error, ValueError):
                raise ApiError(400, "bad_request", "bundle_base64/signature_base64: invalid base64")
            return self.install(c, bundle, sig, "upload", "", "")

        def install_registry(self, c):
            if "registry" not in c["policy"]["plugin_install_sources"]:
                raise ApiError(403, "registry_forbidden", "plugin policy forbids registry installs")
            body = self.body_json()
            if not isinstance(body, dict) or not isinstance(body.get("url"), str):
                raise ApiError(400, "bad_request", "url required")
            u = urllib.parse.urlsplit(body["url"])
            host = (u.hostname or "").lower()
            if u.scheme not in ("https", "http") or not host:
                raise ApiError(400, "registry_not_allowed", "registry url must be http(s) with a host")
            if not host_allowed(host, c["policy"]["plugin_registry_allowlist"]):
                raise ApiError(400, "registry_not_allowed", "registry host %s is not in the allowlist" % host)
            if not self.public(host):
                raise ApiError(400, "registry_blocked_address",
                               "registry host %s resolves to a non-public address" % host)
            root = st.registry.get(host)
            path = os.path.normpath(urllib.parse.unquote(u.path)).lstrip("/")
            if root is None or path.startswith("..") or not os.path.isfile(os.path.join(root, path)):
                raise ApiError(502, "registry_fetch_failed", "registry fetch failed: HTTP 404")
            full = os.path.join(root, path)
            if os.path.getsize(full) > st.args.max_bundle_bytes:
                raise ApiError(413, "too_large", "bundle too large")
            with open(full, "rb") as f:
                bundle = f.read()
            sig = b""
            if os.path.isfile(full + ".sig"):
                with open(full + ".sig", "rb") as f:
                    sig = f.read(1024)
            want = body.get("sha256")
            if want and hashlib.sha256(bundle).hexdigest() != want.lower():
                raise ApiError(422, "sha256_mismatch", "bundle sha256 does not match the requested digest")
            return self.install(c, bundle, sig, "registry", body["url"], want or "")

        def public(self, host):
            try:
                ipaddress.ip_address(host.strip("[]"))
                addrs = [host.strip("[]")]
            except ValueError:
                if host == "localhost" or host.endswith(".localhost"):
                    return False
                addrs = st.resolve.get(host, [])
            for a in addrs:
                ip = ipaddress.ip_address(a)
                if getattr(ip, "ipv4_mapped", None):
                    ip = ip.ipv4_mapped
                if not ip.is_global or ip.is_multicast:
                    return False
            return True

        def install(self, c, bundle, sig, source, url, _pin):
            if len(bundle) > st.args.max_bundle_bytes:
                raise ApiError(413, "too_large", "bundle too large")
            m = decode_bundle(bundle)
            digest = hashlib.sha256(bundle).digest()
            policy = c["policy"]
            signed_only = policy["plugin_trust_policy"] == "signed_only"
            pub = m["publisher"]
            key = next((p["public_key"] for p in policy["plugin_trusted_publishers"] if p["name"] == pub), None)
            verified = False
            if not sig:
                if signed_only:
                    raise ApiError(422, "signature_required", "signed-only policy: package is unsigned")
            elif key is None:
                if signed_only:
                    raise ApiError(422, "publisher_untrusted", "publisher %s is not trusted" % pub)
            else:
                try:
                    Ed25519PublicKey.from_public_bytes(base64.b64decode(key)).verify(sig, digest)
                    verified = True
                except (InvalidSignature, ValueError):
                    raise ApiError(422, "signature_invalid", "signature does not verify for publisher %s" % pub)
            sha = hashlib.sha256(bundle).hexdigest()
            rec = {"id": str(uuid.uuid4()), "name": m["name"], "version": m["version"], "publisher": pub,
                   "sha256": sha, "signature_present": bool(sig), "signature_verified": verified,
                   "source": source, "registry_url": url,
                   "manifest": {"hooks": list(m.get("hooks", [])),
                                "capabilities": list(m.get("capabilities", [])),
                                "settings_schema": m.get("settings_schema")},
                   "active": False, "settings": {}}
            with st.lock:
                same = [p for p in c["packages"] if p["name"] == rec["name"]]
                if same and same[0]["sha256"] == sha:
                    raise ApiError(409, "already_installed", "package already installed: %s" % rec["name"])
                # Another digest under the same name replaces it (an upgrade,
                # inferred): a fresh, inactive record.
                c["packages"] = [p for p in c["packages"] if p["name"] != rec["name"]] + [rec]
            return 201, dict(rec)

        def update(self, c, pid):
            body = self.body_json()
            if not isinstance(body, dict) or any(k not in ("active", "settings") for k in body):
                raise ApiError(400, "bad_request", "body may hold only active and settings")
            if "active" in body and not isinstance(body["active"], bool):
                raise ApiError(400, "bad_request", "active: must be a boolean")
            if "settings" in body and not isinstance(body["settings"], dict):
                raise ApiError(400, "settings_invalid", "settings: must be an object")
            with st.lock:
                rec = next((p for p in c["packages"] if p["id"] == pid), None)
                if rec is None:
                    raise ApiError(404, "package_not_found", "package not found")
                if "settings" in body:
                    msg = settings_errors(rec["manifest"].get("settings_schema"), body["settings"])
                    if msg:
                        raise ApiError(400, "settings_invalid", msg)
                    rec["settings"] = body["settings"]
                if "active" in body:
                    rec["active"] = body["active"]
                return 200, dict(rec)

        # ---- double-only routes ----
        def double(self, method, parts):
            what = parts[2] if len(parts) > 2 else ""
            if method == "GET" and what == "stats":
                with st.lock:
                    return self.send_json(200, {"total": st.total, "routes": dict(st.stats),
                                                "logins": st.logins})
            if method == "POST" and what == "faults":
                try:
                    f = self.body_json() or {}
                except ApiError as e:
                    return self.send_json(e.status, {"error": e.message, "code": e.code})
                with st.lock:
                    if f.get("clear"):
                        st.faults = []
                    else:
                        f.setdefault("count", 1)
                        st.faults.append(f)
                return self.send_json(200, {"faults": len(st.faults)})
            if method == "POST" and what == "expire-tokens":
                with st.lock:
                    st.tokens.clear()
                return self.send_json(200, {})
            if method == "GET" and what == "cron-dispatch" and len(parts) == 4:
                c = st.communities.get(parts[3].lower())
                if c is None:
                    return self.send_json(404, {"error": "community not found", "code": "community_not_found"})
                with st.lock:
                    allowed = c["policy"]["plugin_allow_background_jobs"]
                    fire, suppressed = [], []
                    for p in c["packages"]:
                        for h in p["manifest"]["hooks"]:
                            if h.startswith("cron.") and p["active"]:
                                (fire if allowed else suppressed).append({"package": p["name"], "hook": h})
                return self.send_json(200, {"background_jobs": allowed, "fire": fire, "suppressed": suppressed})
            return self.send_json(404, {"error": "no such route", "code": "not_found"})

    return Handler


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--community", action="append", default=[])
    ap.add_argument("--user", action="append", default=[])
    ap.add_argument("--registry-map", action="append", default=[])
    ap.add_argument("--resolve", action="append", default=[])
    ap.add_argument("--tls-cert")
    ap.add_argument("--tls-key")
    ap.add_argument("--max-bundle-bytes", type=int, default=50 << 20)
    args = ap.parse_args()
    st = State(args)
    return serve(make_handler(st), args.dir, tls_cert=args.tls_cert, tls_key=args.tls_key)


if __name__ == "__main__":
    sys.exit(main())
